// SPDX-License-Identifier: MIT
/*
 * ramfs regular files: an array of pages (holes are NULL), grown on write,
 * cut by truncate; reads and writes copy under ramfs_lock (ramfs.c legend).
 */
#include "kernel/fs/ramfs/ramfs_int.h"

#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "lib/errno.h"
#include "lib/string.h"

void ramfs_free_pages_from(struct ramfs_inode *ri, uint32_t first)
{
	for (uint32_t i = first; i < ri->reg.cap; i++) {
		if (ri->reg.pages[i]) {
			page_free(ri->reg.pages[i]);
			ri->reg.pages[i] = NULL;
			atomic_fetch_sub_explicit(&ramfs_pages, 1, memory_order_relaxed);
		}
	}
}

static int grow_locked(struct ramfs_inode *ri, uint64_t idx, void ***spare, uint32_t *spare_cap)
{
	if (idx < ri->reg.cap)
		return 0;
	if (!*spare || *spare_cap <= idx)
		return -EAGAIN; /* caller allocates outside the lock and retries */
	memcpy(*spare, ri->reg.pages, ri->reg.cap * sizeof(void *));
	memset(*spare + ri->reg.cap, 0, (*spare_cap - ri->reg.cap) * sizeof(void *));
	kfree(ri->reg.pages);
	ri->reg.pages = *spare;
	ri->reg.cap = *spare_cap;
	*spare = NULL;
	return 0;
}

int ramfs_truncate(struct inode *ino, uint64_t size)
{
	struct ramfs_inode *ri = RI(ino);
	irqflags_t fl;

	if (size > (uint64_t)RAMFS_MAX_PAGES * PAGE_SIZE)
		return -EFBIG;
	fl = spin_lock_irqsave(&ramfs_lock);
	if (size < ino->size) {
		uint64_t keep = (size + PAGE_SIZE - 1) / PAGE_SIZE;

		if (ri->reg.pages) {
			ramfs_free_pages_from(ri, (uint32_t)(keep < ri->reg.cap ? keep : ri->reg.cap));
			/* Zero the tail of the last partial page, so growing again
			 * reads zeros there. */
			if ((size & (PAGE_SIZE - 1)) && size / PAGE_SIZE < ri->reg.cap &&
			    ri->reg.pages[size / PAGE_SIZE])
				memset((char *)ri->reg.pages[size / PAGE_SIZE] +
					       (size & (PAGE_SIZE - 1)),
				       0, PAGE_SIZE - (size & (PAGE_SIZE - 1)));
		}
	}
	ino->size = size;
	ino->mtime_ns = ino->ctime_ns = vfs_now_ns();
	spin_unlock_irqrestore(&ramfs_lock, fl);
	return 0;
}

static long ramfs_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct ramfs_inode *ri = RI(ino);
	uint64_t off = *pos;
	size_t done = 0;
	long err = 0;
	irqflags_t fl;

	if (S_ISDIR(ino->mode))
		return -EISDIR;
	fl = spin_lock_irqsave(&ramfs_lock);
	while (u->resid && off < ino->size) {
		uint64_t idx = off / PAGE_SIZE;
		size_t poff = off & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - poff;
		long r;

		if (n > ino->size - off)
			n = (size_t)(ino->size - off);
		if (idx < ri->reg.cap && ri->reg.pages[idx])
			r = uio_copy_to(u, (char *)ri->reg.pages[idx] + poff, n);
		else
			r = uio_zero(u, n);
		if (r < 0) {
			err = r;
			break;
		}
		off += (uint64_t)r;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	spin_unlock_irqrestore(&ramfs_lock, fl);
	*pos = off;
	return done ? (long)done : err;
}

static long ramfs_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct ramfs_inode *ri = RI(ino);
	void **spare = NULL;
	uint32_t spare_cap = 0;
	size_t done = 0;
	long err = 0;
	uint64_t off;
	irqflags_t fl;

again:
	fl = spin_lock_irqsave(&ramfs_lock);
	off = (f->flags & O_APPEND) ? ino->size : *pos;
	while (u->resid) {
		uint64_t idx = off / PAGE_SIZE;
		size_t poff = off & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - poff;
		long r;

		if (idx >= RAMFS_MAX_PAGES) {
			err = -EFBIG;
			break;
		}
		if (grow_locked(ri, idx, &spare, &spare_cap)) {
			/* Allocate a bigger page array unlocked, then retry. */
			uint64_t want = ri->reg.cap ? ri->reg.cap : 4;

			while (want <= idx)
				want *= 2;
			if (want > RAMFS_MAX_PAGES)
				want = RAMFS_MAX_PAGES;
			spin_unlock_irqrestore(&ramfs_lock, fl);
			*pos = off;
			kfree(spare);
			spare_cap = (uint32_t)want;
			spare = kmalloc(want * sizeof(void *));
			if (!spare)
				return done ? (long)done : -ENOMEM;
			goto again;
		}
		if (!ri->reg.pages[idx]) {
			void *pg = page_alloc();

			if (!pg) {
				err = -ENOSPC;
				break;
			}
			ri->reg.pages[idx] = pg;
			atomic_fetch_add_explicit(&ramfs_pages, 1, memory_order_relaxed);
		}
		r = uio_copy_from(u, (char *)ri->reg.pages[idx] + poff, n);
		if (r < 0) {
			err = r;
			break;
		}
		off += (uint64_t)r;
		done += (size_t)r;
		if (off > ino->size)
			ino->size = off;
		if ((size_t)r < n)
			break;
	}
	if (done)
		ino->mtime_ns = ino->ctime_ns = vfs_now_ns();
	spin_unlock_irqrestore(&ramfs_lock, fl);
	kfree(spare);
	*pos = off;
	return done ? (long)done : err;
}

const struct file_ops ramfs_file_fops = {
	.read = ramfs_read,
	.write = ramfs_write,
	.seekable = true,
};
