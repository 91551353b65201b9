// SPDX-License-Identifier: MIT
/*
 * ramfs regular files: the pages of a memory-only page cache
 * (kernel/mm/pcache.h), which are the file itself (holes are absent pages),
 * so reads, writes and mappings share them as on a disk fs. Sizes and
 * times change under ramfs_lock (ramfs.c legend); bytes are copied with no
 * lock held.
 */
#include "kernel/fs/ramfs/ramfs_int.h"

#include "kernel/mm/layout.h"
#include "kernel/mm/pcache.h"
#include "lib/errno.h"
#include "lib/string.h"

int ramfs_truncate(struct inode *ino, uint64_t size)
{
	irqflags_t fl;
	int err;

	if (size > (uint64_t)RAMFS_MAX_PAGES * PAGE_SIZE)
		return -EFBIG;
	fl = spin_lock_irqsave(&ramfs_lock);
	/* Memory-only pages are never in flight: this cannot wait. */
	err = size < ino->size ? pcache_truncate(ino->pcache, size) : 0;
	ramfs_account_locked(RI(ino));
	if (!err) {
		ino->size = size;
		ino->mtime_ns = ino->ctime_ns = vfs_now_ns();
	}
	spin_unlock_irqrestore(&ramfs_lock, fl);
	return err;
}

static long ramfs_read(struct file *f, struct uio *u, uint64_t *pos)
{
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	return pcache_read(f->inode, u, pos);
}

static long ramfs_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->inode;
	size_t done = 0;
	long err = 0;
	uint64_t off = *pos;

	while (u->resid) {
		irqflags_t fl = spin_lock_irqsave(&ramfs_lock);
		uint64_t at = (f->flags & O_APPEND) ? ino->size : off;
		uint64_t idx = at >> PAGE_SHIFT;
		unsigned poff = (unsigned)(at & (PAGE_SIZE - 1));
		size_t n = PAGE_SIZE - poff;
		struct ramfs_sb *rsb = RSB(ino->sb);
		struct pcpage *pg;
		long r;

		if (idx >= RAMFS_MAX_PAGES) {
			spin_unlock_irqrestore(&ramfs_lock, fl);
			err = -EFBIG;
			break;
		}
		if (n > u->resid)
			n = u->resid;
		/* A new page past the size limit (tmpfs): -ENOSPC. The lock is
		 * held from the check to the count, so writers cannot overshoot. */
		if (rsb->max_pages && rsb->pages >= rsb->max_pages) {
			pg = pcache_find_page(ino->pcache, idx);
			if (!pg) {
				spin_unlock_irqrestore(&ramfs_lock, fl);
				err = -ENOSPC;
				break;
			}
			pcache_page_put(pg);
		}
		err = pcache_write_begin(ino, idx, poff, (unsigned)n, ino->size, &pg);
		ramfs_account_locked(RI(ino));
		spin_unlock_irqrestore(&ramfs_lock, fl);
		if (err) {
			if (err == -ENOMEM)
				err = -ENOSPC;
			break;
		}
		r = uio_copy_from(u, (char *)pcpage_data(pg) + poff, n);
		pcache_page_put(pg);
		if (r < 0) {
			err = r;
			break;
		}
		fl = spin_lock_irqsave(&ramfs_lock);
		off = at + (uint64_t)r;
		done += (size_t)r;
		if (off > ino->size)
			ino->size = off;
		ino->mtime_ns = ino->ctime_ns = vfs_now_ns();
		spin_unlock_irqrestore(&ramfs_lock, fl);
		if ((size_t)r < n)
			break;
	}
	*pos = off;
	return done ? (long)done : err;
}

const struct file_ops ramfs_file_fops = {
	.read = ramfs_read,
	.write = ramfs_write,
	.seekable = true,
};
