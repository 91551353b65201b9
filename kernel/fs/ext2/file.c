// SPDX-License-Identifier: MIT
/*
 * ext2 regular files: data through the page cache (kernel/mm/pcache.h).
 * Reads are the cache's; the fs maps blocks for its fills (ext2_pcache_ops)
 * and, for a write, allocates the blocks of each page as one gather-then-
 * commit transaction, then copies the bytes into the cached page, which is
 * written back later. The user's bytes are copied into a bounce buffer
 * first, without the fs lock (a copy may fault in a page of a mapped file,
 * whose fill takes this lock); the uio is rewound if the transaction must
 * wait.
 */
#include "kernel/block/bcache.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/pcache.h"
#include "lib/errno.h"
#include "lib/string.h"

/* pcache_ops.map: the blocks of pages [idx, idx + n), 0 past the end of the file. */
static int ext2_pc_map(struct inode *ino, uint64_t idx, unsigned n, uint32_t *blks)
{
	struct ext2_fs *fs = EFS(ino);
	unsigned bpp = PAGE_SIZE / fs->bsize;
	uint64_t lbn = idx * bpp, nblk = (uint64_t)n * bpp;
	int err = 0;
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	uint64_t end = (ino->size + fs->bsize - 1) / fs->bsize;

	for (uint64_t i = 0; i < nblk && !err; i++) {
		blks[i] = 0;
		if (lbn + i < end)
			err = ext2_bmap(fs, EI(ino), lbn + i, &blks[i]);
		if (!err && blks[i] >= fs->blocks_count)
			err = -EIO; /* a corrupt pointer */
	}
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

/*
 * pcache_ops.mkwrite: a store through a shared mapping will land in pg. The
 * blocks of the page inside the file get disk blocks: one transaction per
 * block (so two never both allocate one missing indirect block); a wait
 * after some were allocated leaves them (inside the file: consistent) and
 * the retry finds them.
 */
static int ext2_pc_mkwrite(struct inode *ino, struct pcpage *pg)
{
	struct ext2_fs *fs = EFS(ino);
	struct ext2_inode *ei = EI(ino);
	unsigned bpp = PAGE_SIZE / fs->bsize;
	uint64_t lbn0 = pg->index * bpp;
	uint32_t blks[PCACHE_MAX_BPP];
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	uint64_t end = (ino->size + fs->bsize - 1) / fs->bsize;
	int err = ext2_writable(fs);

	memcpy(blks, pg->blk, sizeof(blks));
	for (unsigned j = 0; j < bpp && !err; j++) {
		struct ext2_map m;
		struct ext2_tx tx;

		if (lbn0 + j >= end)
			blks[j] = 0; /* past the end: stores there never reach the file */
		else if (!(pg->flags & PGC_MAPPED))
			err = ext2_bmap(fs, ei, lbn0 + j, &blks[j]);
		if (err || lbn0 + j >= end || blks[j])
			continue;
		tx_init(&tx, fs);
		err = ext2_itable_gather(&tx, (uint32_t)ino->ino, NULL);
		if (!err)
			err = ext2_map_gather_nodata(&tx, ei, lbn0 + j, &m);
		if (!err) {
			bool fresh = m.ba.n != 0;

			ext2_map_commit(&tx, ei, &m);
			blks[j] = m.pblk;
			ino->mtime_ns = ino->ctime_ns = ext2_now_ns(fs);
			ext2_iwrite(&tx, ei, false);
			if (fresh)
				bcache_forget(fs->dev, blks[j]);
		}
		tx_end(&tx);
	}
	if (!err)
		pcache_set_blocks(pg, blks);
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

const struct pcache_ops ext2_pcache_ops = {
	.map = ext2_pc_map,
	.mkwrite = ext2_pc_mkwrite,
};

static long ext2_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->inode;

	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!ino->pcache)
		return -EIO;
	return pcache_read(ino, u, pos);
}

/*
 * One page's part of a write: n bytes at off (inside page idx) from bounce.
 * The blocks the bytes land in are allocated (fs->lock held, pg still the
 * cache's), the bytes copied into the page, size and times updated. 0, or
 * -EIOWAIT / -ENOSPC / -EIO with nothing changed.
 */
static int write_page_locked(struct ext2_fs *fs, struct ext2_inode *ei, struct pcpage *pg,
			     uint64_t off, const uint8_t *bounce, size_t n)
{
	struct inode *ino = &ei->vfs;
	unsigned bpp = PAGE_SIZE / fs->bsize, poff = (unsigned)(off & (PAGE_SIZE - 1));
	uint64_t lbn0 = (off >> PAGE_SHIFT) * bpp;
	struct ext2_map m[PCACHE_MAX_BPP];
	bool need[PCACHE_MAX_BPP];
	uint32_t blks[PCACHE_MAX_BPP];
	struct ext2_tx tx;
	int err;

	memcpy(blks, pg->blk, sizeof(blks));
	tx_init(&tx, fs);
	err = ext2_itable_gather(&tx, (uint32_t)ino->ino, NULL);
	for (unsigned j = 0; j < bpp && !err; j++) {
		unsigned b0 = j * fs->bsize, b1 = b0 + fs->bsize;

		need[j] = b0 < poff + n && poff < b1;
		if (need[j] && (!(pg->flags & PGC_MAPPED) || !blks[j])) {
			/* One block per transaction at a time would keep two
			 * gathers from both allocating one missing indirect
			 * block: bpp > 1 pages write one block per call. */
			err = ext2_map_gather_nodata(&tx, ei, lbn0 + j, &m[j]);
		} else {
			need[j] = false;
			if (!(pg->flags & PGC_MAPPED) &&
			    lbn0 + j < (ino->size + fs->bsize - 1) / fs->bsize)
				err = ext2_bmap(fs, ei, lbn0 + j, &blks[j]);
			else if (!(pg->flags & PGC_MAPPED))
				blks[j] = 0;
		}
	}
	if (err) {
		tx_end(&tx);
		return err;
	}
	for (unsigned j = 0; j < bpp; j++) {
		if (!need[j])
			continue;
		bool fresh = m[j].ba.n != 0;

		ext2_map_commit(&tx, ei, &m[j]);
		blks[j] = m[j].pblk;
		if (fresh)
			bcache_forget(fs->dev, blks[j]);
	}
	memcpy((uint8_t *)pg->data + poff, bounce, n);
	pcache_set_blocks(pg, blks);
	pcache_mark_dirty(pg);
	if (off + n > ino->size)
		ino->size = off + n;
	ino->mtime_ns = ino->ctime_ns = ext2_now_ns(fs);
	ext2_iwrite(&tx, ei, false);
	tx_end(&tx);
	return 0;
}

static long ext2_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct ext2_inode *ei = EI(ino);
	struct ext2_fs *fs = EFS(ino);
	uint8_t *bounce;
	size_t done = 0;
	uint64_t off = *pos;
	long err = 0;

	if (!ino->pcache)
		return -EIO;
	bounce = kmalloc(PAGE_SIZE);
	if (!bounce)
		return -ENOMEM;
	while (u->resid) {
		bool append = f->flags & O_APPEND;
		uint64_t at = append ? ino->size : off;
		unsigned poff = (unsigned)(at & (PAGE_SIZE - 1));
		size_t n = PAGE_SIZE - poff;
		/* Blocks per write call: one page's (one block with 1 KiB blocks). */
		unsigned bpp = PAGE_SIZE / fs->bsize;
		struct pcpage *pg;
		struct uio saved;
		irqflags_t fl;
		long r;

		if (bpp > 1 && n > fs->bsize - (poff & (fs->bsize - 1)))
			n = fs->bsize - (poff & (fs->bsize - 1));
		if (n > u->resid)
			n = u->resid;
		if (at + n > ext2_max_size(fs)) {
			err = -EFBIG;
			break;
		}
		err = pcache_write_begin(ino, at >> PAGE_SHIFT, poff, (unsigned)n, ino->size, &pg);
		if (err)
			break;
		saved = *u;
		r = uio_copy_from(u, bounce, n);
		if (r <= 0) {
			pcache_page_put(pg);
			err = r ? r : -EFAULT;
			break;
		}
		fl = spin_lock_irqsave(&fs->lock);
		err = ext2_writable(fs);
		if (!err)
			err = ext2_orphans_locked(fs);
		if (!err && ((append && at != ino->size) || !pcache_page_live(pg))) {
			/* Another writer moved the end, or a truncate took the
			 * page: take this one again from the top. */
			spin_unlock_irqrestore(&fs->lock, fl);
			pcache_page_put(pg);
			*u = saved;
			continue;
		}
		if (!err)
			err = write_page_locked(fs, ei, pg, at, bounce, (size_t)r);
		spin_unlock_irqrestore(&fs->lock, fl);
		pcache_page_put(pg);
		if (err) {
			*u = saved;
			break;
		}
		off = at + (uint64_t)r;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	if (err == -EIOWAIT && done)
		ext2_forget_io();
	*pos = off; /* the caller holds the file's position lock (file_rw.c) */
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
