// SPDX-License-Identifier: MIT
/*
 * vfat file data: read, write (clusters allocated as the file grows, gaps
 * zero-filled) and truncate, through the buffer cache in 1 KiB blocks.
 * A miss returns what was done so far (the rw future goes on from there)
 * or -EIOWAIT with nothing changed; every step leaves the file consistent
 * (its size never covers bytes not written), so a rerun just continues.
 */
#include "kernel/fs/vfat/vfat_int.h"

#include "kernel/block/bcache.h"
#include "lib/errno.h"
#include "lib/string.h"

#define VFAT_MAX_SIZE 0xffffffffull

/* Read ahead: start reads of the next blocks of the file from pos on. */
static void prefetch(struct vfat_fs *fs, struct vfat_inode *vi, uint64_t pos, unsigned nblk)
{
	uint64_t end = vi->vfs.size;

	for (unsigned k = 0; k < nblk && pos < end; k++) {
		uint32_t c;

		if (vfat_chain_nth(fs, vi, vi->start, (uint32_t)(pos / fs->g.csize), &c))
			return;
		uint64_t off = vfat_clus_off(fs, c) + pos % fs->g.csize;

		bcache_prefetch(fs->dev, off / VFAT_BSIZE, VFAT_BSIZE);
		pos += VFAT_BSIZE - off % VFAT_BSIZE;
	}
}

static long vfat_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct vfat_inode *vi = VI(ino);
	struct vfat_fs *fs = VFSI(ino);
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	size_t done = 0;
	long err = 0;

	while (u->resid && *pos < ino->size) {
		uint32_t c, in = (uint32_t)(*pos % fs->g.csize);
		int r = vfat_chain_nth(fs, vi, vi->start, (uint32_t)(*pos / fs->g.csize), &c);
		struct bcache_buf *b;

		if (r) {
			err = r == 1 ? -EIO : r; /* the chain is shorter than the size */
			break;
		}
		uint64_t off = vfat_clus_off(fs, c) + in;
		uint64_t n = VFAT_BSIZE - off % VFAT_BSIZE;

		if (n > fs->g.csize - in)
			n = fs->g.csize - in;
		if (n > ino->size - *pos)
			n = ino->size - *pos;
		if (n > u->resid)
			n = u->resid;
		err = bcache_get(fs->dev, off / VFAT_BSIZE, VFAT_BSIZE, &b);
		if (err) {
			if (err == -EIOWAIT)
				prefetch(fs, vi, *pos + n, 32);
			break;
		}
		long got = uio_copy_to(u, (uint8_t *)bcache_data(b) + off % VFAT_BSIZE, (size_t)n);

		bcache_put(b);
		if (got < 0) {
			err = got;
			break;
		}
		*pos += (uint64_t)got;
		done += (size_t)got;
		if ((uint64_t)got < n)
			break;
	}
	spin_unlock_irqrestore(&fs->lock, fl);
	if (done && err == -EIOWAIT)
		vfat_discard_io_wait();
	return done ? (long)done : err;
}

/*
 * Put len bytes at pos (from u, or zeros when u is NULL), growing the file
 * and its chain as needed; *done counts the bytes. fs->lock held. 0, or the
 * error that stopped it (-EIOWAIT, -ENOSPC, -EIO, -EFAULT).
 */
static int put_bytes(struct vfat_fs *fs, struct vfat_inode *vi, uint64_t pos, struct uio *u,
		     uint64_t len, uint64_t *done)
{
	struct inode *ino = &vi->vfs;

	*done = 0;
	while (*done < len) {
		uint64_t at = pos + *done;
		uint32_t c, last = 0, in = (uint32_t)(at % fs->g.csize), nc = 0;
		int r = vfat_chain_nth(fs, vi, vi->start, (uint32_t)(at / fs->g.csize), &c);
		struct vgather vg;
		uint8_t *p;

		if (r < 0)
			return r;
		if (r == 1) {
			/* Past the chain: one new cluster after the last one (the
			 * size never passes the chain, so at is at its end). */
			uint32_t idx = (uint32_t)(at / fs->g.csize);

			if (vi->start ? vi->hint_clus != c || vi->hint_idx + 1 != idx : idx != 0)
				return -EIO;
			last = c;
			r = vfat_find_free(fs, 1, &nc);
			if (r)
				return r;
			c = nc;
		}
		uint64_t off = vfat_clus_off(fs, c) + in;
		uint64_t n = VFAT_BSIZE - off % VFAT_BSIZE;
		uint64_t blk0 = off - off % VFAT_BSIZE;

		if (n > fs->g.csize - in)
			n = fs->g.csize - in;
		if (n > len - *done)
			n = len - *done;
		vg_init(&vg);
		/* A block wholly inside a new cluster need not be read. */
		if (nc && blk0 >= vfat_clus_off(fs, c) &&
		    blk0 + VFAT_BSIZE <= vfat_clus_off(fs, c) + fs->g.csize)
			r = vg_get_new(fs, &vg, off, &p);
		else
			r = vg_get(fs, &vg, off, &p);
		if (r)
			return r;
		long got = (long)n;

		if (u)
			got = uio_copy_from(u, p, (size_t)n);
		else
			memset(p, 0, (size_t)n);
		if (got <= 0) {
			vg_put(&vg);
			return got < 0 ? (int)got : -EFAULT;
		}
		vg_dirty(&vg, off);
		vg_put(&vg);
		if (nc) {
			vfat_link(fs, last, nc);
			if (!last) {
				vi->start = nc;
				vi->hint_clus = 0;
			}
		}
		*done += (uint64_t)got;
		if (at + (uint64_t)got > ino->size)
			ino->size = at + (uint64_t)got;
		if ((uint64_t)got < n)
			return -EFAULT;
	}
	return 0;
}

static long vfat_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct vfat_inode *vi = VI(ino);
	struct vfat_fs *fs = VFSI(ino);
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	uint64_t done = 0, gap;
	long err = 0;

	if (fs->ro) {
		err = -EROFS;
		goto out;
	}
	if (f->flags & O_APPEND)
		*pos = ino->size;
	if (*pos >= VFAT_MAX_SIZE) {
		err = -EFBIG;
		goto out;
	}
	uint64_t want = u->resid;

	if (want > VFAT_MAX_SIZE - *pos)
		want = VFAT_MAX_SIZE - *pos;
	/* Writing past the end: the gap reads as zeros, so write them. */
	if (*pos > ino->size) {
		err = put_bytes(fs, vi, ino->size, NULL, *pos - ino->size, &gap);
		if (err)
			goto out_inode;
	}
	err = put_bytes(fs, vi, *pos, u, want, &done);
	*pos += done;
out_inode:
	ino->mtime_ns = ino->ctime_ns = vfat_now_ns();
	vi->attr |= FAT_ATTR_ARCH;
	vfat_write_inode(fs, vi);
out:
	spin_unlock_irqrestore(&fs->lock, fl);
	if (done && err == -EIOWAIT)
		vfat_discard_io_wait();
	return done ? (long)done : err;
}

int vfat_truncate(struct inode *ino, uint64_t size)
{
	struct vfat_inode *vi = VI(ino);
	struct vfat_fs *fs = VFSI(ino);
	irqflags_t fl;
	int err = 0;

	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (size > VFAT_MAX_SIZE)
		return -EFBIG;
	fl = spin_lock_irqsave(&fs->lock);
	if (fs->ro) {
		err = -EROFS;
		goto out;
	}
	if (size < ino->size) {
		uint32_t keep = (uint32_t)((size + fs->g.csize - 1) / fs->g.csize), c;

		if (!keep) {
			if (vi->start)
				err = vfat_free_chain(fs, vi->start);
			vi->start = 0;
		} else if (!(err = vfat_chain_nth(fs, vi, vi->start, keep - 1, &c))) {
			err = vfat_cut_after(fs, c);
		} else if (err == 1) {
			err = 0; /* the chain was already shorter */
		}
		vi->hint_clus = 0;
		ino->size = size;
	} else if (size > ino->size) {
		uint64_t done;

		/* Zeros up to the new size; a miss keeps what was done (the
		 * restarted truncate goes on from the new size). */
		err = put_bytes(fs, vi, ino->size, NULL, size - ino->size, &done);
	}
	ino->mtime_ns = ino->ctime_ns = vfat_now_ns();
	vi->attr |= FAT_ATTR_ARCH;
	vfat_write_inode(fs, vi);
out:
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

const struct file_ops vfat_file_fops = {
	.read = vfat_read,
	.write = vfat_write,
	.seekable = true,
};
