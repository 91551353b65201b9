// SPDX-License-Identifier: MIT
/*
 * ext2 regular files: read and write through the block map, one block per
 * transaction; a read that misses also starts reading the next blocks. A write allocates what the block needs (indirect blocks
 * included), copies the user's bytes into a bounce buffer as the last step
 * of the gather (so a fault changes nothing), then commits. A miss after
 * some progress returns the bytes done so far; a miss before any returns
 * -EIOWAIT.
 */
#include "kernel/block/bcache.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

/*
 * Blocks read ahead when a read misses: 128 KiB of 4 KiB blocks, 1/32 of the
 * buffer cache. A sequential read then waits once per window, not per block.
 */
#define EXT2_READAHEAD 32

static long ext2_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct ext2_fs *fs = EFS(ino);
	uint64_t off = *pos;
	size_t done = 0;
	long err = 0;
	irqflags_t fl;

	if (S_ISDIR(ino->mode))
		return -EISDIR;
	fl = spin_lock_irqsave(&fs->lock);
	while (u->resid && off < ino->size) {
		unsigned boff = (unsigned)(off % fs->bsize);
		size_t n = fs->bsize - boff;
		uint32_t p;
		long r;

		if (n > ino->size - off)
			n = (size_t)(ino->size - off);
		err = ext2_bmap(fs, EI(ino), off / fs->bsize, &p);
		if (err)
			break;
		if (p) {
			struct bcache_buf *bb;
			uint8_t *d;

			err = ext2_peek(fs, p, &bb, &d);
			if (err == -EIOWAIT)
				ext2_readahead(fs, EI(ino), off / fs->bsize + 1, EXT2_READAHEAD,
					       ino->size);
			if (err)
				break;
			r = uio_copy_to(u, d + boff, n);
			ext2_unpeek(bb);
		} else {
			r = uio_zero(u, n);
		}
		if (r < 0) {
			err = r;
			break;
		}
		off += (uint64_t)r;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	if (err == -EIOWAIT && done)
		ext2_forget_io();
	*pos = off;
	spin_unlock_irqrestore(&fs->lock, fl);
	return done ? (long)done : err;
}

static long ext2_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct ext2_inode *ei = EI(ino);
	struct ext2_fs *fs = EFS(ino);
	uint8_t *bounce = kmalloc(fs->bsize);
	size_t done = 0;
	uint64_t off;
	long err;
	irqflags_t fl;

	if (!bounce)
		return -ENOMEM;
	fl = spin_lock_irqsave(&fs->lock);
	err = ext2_writable(fs);
	if (!err)
		err = ext2_orphans_locked(fs);
	off = (f->flags & O_APPEND) ? ino->size : *pos;
	while (!err && u->resid) {
		unsigned boff = (unsigned)(off % fs->bsize);
		size_t n = fs->bsize - boff;
		struct ext2_map m;
		struct ext2_tx tx;
		long r;

		if (n > u->resid)
			n = u->resid;
		if (off + n > ext2_max_size(fs)) {
			err = -EFBIG;
			break;
		}
		tx_init(&tx, fs);
		err = ext2_itable_gather(&tx, (uint32_t)ino->ino, NULL);
		if (!err)
			err = ext2_map_gather(&tx, ei, off / fs->bsize, boff == 0 && n == fs->bsize,
					      &m);
		if (!err) {
			r = uio_copy_from(u, bounce, n);
			if (r <= 0)
				err = r ? r : -EFAULT;
			else
				n = (size_t)r;
		}
		if (!err) {
			ext2_map_commit(&tx, ei, &m);
			memcpy(m.data + boff, bounce, n);
			tx_dirty(&tx, m.data);
			off += n;
			done += n;
			if (off > ino->size)
				ino->size = off;
			ino->mtime_ns = ino->ctime_ns = ext2_now_ns(fs);
			ext2_iwrite(&tx, ei, false);
		}
		tx_end(&tx);
	}
	if (err == -EIOWAIT && done)
		ext2_forget_io();
	*pos = off;
	spin_unlock_irqrestore(&fs->lock, fl);
	kfree(bounce);
	return done ? (long)done : err;
}

static long ext2_dir_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return -EISDIR;
}

static int ext2_dir_file_readdir(struct file *f, uint64_t *pos, vfs_filldir_t fill, void *ctx)
{
	return ext2_dir_readdir(f->inode, pos, fill, ctx);
}

const struct file_ops ext2_file_fops = {
	.read = ext2_read,
	.write = ext2_write,
	.seekable = true,
};

const struct file_ops ext2_dir_fops = {
	.read = ext2_dir_read,
	.seekable = true,
	.readdir = ext2_dir_file_readdir,
};
