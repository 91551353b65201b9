// SPDX-License-Identifier: MIT
/*
 * The page cache's users: read(2) through the cache (a batch of uptodate
 * pages per lock hold, fills started on misses and at read-ahead markers),
 * pages for writes, pages for mappings. See pcache.h.
 *
 * Lock legend (pcache.h): L pc->lock, never held across a user copy.
 */
#include "kernel/mm/pcache.h"
#include "kernel/mm/pcache_int.h"

#include "kernel/fs/vfs.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- read -------------------------------------------------------------------------------- */

/* Pages one read copies per lock hold of the cache (64 KiB). */
#define READ_BATCH 16

long pcache_read(struct inode *ino, struct uio *u, uint64_t *pos)
{
	struct pcache *pc = ino->pcache;
	uint64_t off = *pos;
	size_t done = 0;
	long err = 0;

	while (u->resid) {
		uint64_t size = ino->size, idx = off >> PAGE_SHIFT;
		size_t poff = off & (PAGE_SIZE - 1), want, total = 0;
		struct pcache_fill *fill = NULL;
		struct pcpage *pg, *batch[READ_BATCH];
		struct kvec v[READ_BATCH];
		unsigned n = 0;
		irqflags_t fl;
		long r;

		if (off >= size)
			break;
		want = size - off < u->resid ? (size_t)(size - off) : u->resid;
		fl = spin_lock_irqsave(&pc->lock);
		pg = radix_lookup(&pc->tree, idx);
		if (pg && (pg->flags & PGC_UPTODATE)) {
			/* Every uptodate page from here on that the read wants,
			 * up to a batch, referenced in one hold of the lock. */
			do {
				size_t len = PAGE_SIZE - poff;

				if (len > want - total)
					len = want - total;
				if ((pg->flags & PGC_READAHEAD) && !fill) {
					pg->flags &= ~PGC_READAHEAD;
					fill = pcache_async_window_locked(pc, size);
				}
				page_ref_get_pg(pg->meta);
				atomic_store_explicit(&pg->referenced, 1, memory_order_relaxed);
				batch[n] = pg;
				v[n].base = (char *)pg->data + poff;
				v[n].len = len;
				n++;
				total += len;
				poff = 0;
				if (total == want || n == READ_BATCH)
					break;
				pg = radix_lookup(&pc->tree, idx + n);
			} while (pg && (pg->flags & PGC_UPTODATE));
			spin_unlock_irqrestore(&pc->lock, fl);
			atomic_fetch_add_explicit(&pcache_ctr.hits, n, memory_order_relaxed);
			if (fill)
				(void)pcache_fill_spawn(fill, ino);
			r = uio_copy_to_vec(u, v, n);
			for (unsigned k = 0; k < n; k++)
				page_ref_put_pg(batch[k]->data, batch[k]->meta);
		} else if (!pg && !pc->ops) {
			spin_unlock_irqrestore(&pc->lock, fl);
			total = PAGE_SIZE - poff < want ? PAGE_SIZE - poff : want;
			r = uio_zero(u, total); /* a hole of a memory-only file */
		} else {
			if (pg && (pg->flags & PGC_ERROR)) {
				pcache_remove_locked(pc, pg);
				spin_unlock_irqrestore(&pc->lock, fl);
				err = -EIO;
				break;
			}
			if (!pg)
				fill = pcache_miss_window_locked(pc, idx, (poff + want + PAGE_SIZE - 1) >> PAGE_SHIFT,
							  size);
			spin_unlock_irqrestore(&pc->lock, fl);
			atomic_fetch_add_explicit(&pcache_ctr.misses, 1, memory_order_relaxed);
			if (!pg && !fill) {
				err = -ENOMEM;
				break;
			}
			if (fill && pcache_fill_spawn(fill, ino)) {
				err = -ENOMEM;
				break;
			}
			if (!done)
				err = pcache_park_wait(pc, idx, PGC_FILLING);
			break;
		}
		if (r < 0) {
			err = r;
			break;
		}
		off += (uint64_t)r;
		done += (size_t)r;
		if ((size_t)r < total)
			break;
	}
	*pos = off;
	return done ? (long)done : err;
}

/* ---- pages for writes and mappings --------------------------------------------------------- */

int pcache_write_begin(struct inode *ino, uint64_t idx, unsigned poff, unsigned len,
		       uint64_t size, struct pcpage **out)
{
	struct pcache *pc = ino->pcache;
	struct pcache_fill *fill = NULL;
	struct pcpage *pg;
	irqflags_t fl = spin_lock_irqsave(&pc->lock);

	(void)poff;
	(void)len;
	pg = radix_lookup(&pc->tree, idx);
	if (pg && (pg->flags & PGC_UPTODATE)) {
		page_ref_get_pg(pg->meta);
		atomic_store_explicit(&pg->referenced, 1, memory_order_relaxed);
		spin_unlock_irqrestore(&pc->lock, fl);
		*out = pg;
		return 0;
	}
	if (pg && (pg->flags & PGC_ERROR)) {
		pcache_remove_locked(pc, pg);
		spin_unlock_irqrestore(&pc->lock, fl);
		return -EIO;
	}
	if (!pg && (!pc->ops || (idx << PAGE_SHIFT) >= size)) {
		/* Nothing of the file is in this page yet: no read. (A page
		 * overwritten whole is still read first, so a fault halfway
		 * through the copy cannot leave zeros in place of the data.) */
		pcache_low_memory_check();
		pg = pcache_page_new_locked(pc, idx, PGC_UPTODATE, true);
		if (pg) {
			page_ref_get_pg(pg->meta);
			pcache_lru_add_locked(pg);
		}
		spin_unlock_irqrestore(&pc->lock, fl);
		*out = pg;
		return pg ? 0 : -ENOMEM;
	}
	if (!pg)
		fill = pcache_miss_window_locked(pc, idx, 1, size);
	spin_unlock_irqrestore(&pc->lock, fl);
	if (!pg && (!fill || pcache_fill_spawn(fill, ino)))
		return -ENOMEM;
	return pcache_park_wait(pc, idx, PGC_FILLING);
}

/* Fault-around: a miss of a mapping reads this many pages about it. */
#define FAULT_AROUND 16

int pcache_get_page(struct inode *ino, uint64_t idx, struct pcpage **out)
{
	struct pcache *pc = ino->pcache;
	struct pcache_fill *fill = NULL;
	uint64_t size = ino->size;
	struct pcpage *pg;
	irqflags_t fl;

	if (idx >= (size + PAGE_SIZE - 1) >> PAGE_SHIFT)
		return -EFAULT;
	fl = spin_lock_irqsave(&pc->lock);
	pg = radix_lookup(&pc->tree, idx);
	if (!pg && !pc->ops) {
		pg = pcache_page_new_locked(pc, idx, PGC_UPTODATE, true);
		if (!pg) {
			spin_unlock_irqrestore(&pc->lock, fl);
			return -ENOMEM;
		}
	}
	if (pg && (pg->flags & PGC_UPTODATE)) {
		page_ref_get_pg(pg->meta);
		atomic_store_explicit(&pg->referenced, 1, memory_order_relaxed);
		spin_unlock_irqrestore(&pc->lock, fl);
		atomic_fetch_add_explicit(&pcache_ctr.hits, 1, memory_order_relaxed);
		*out = pg;
		return 0;
	}
	if (pg && (pg->flags & PGC_ERROR)) {
		pcache_remove_locked(pc, pg);
		spin_unlock_irqrestore(&pc->lock, fl);
		return -EIO;
	}
	if (!pg)
		fill = pcache_window_locked(pc, idx & ~(uint64_t)(FAULT_AROUND - 1), FAULT_AROUND, size,
				     FAULT_AROUND);
	spin_unlock_irqrestore(&pc->lock, fl);
	atomic_fetch_add_explicit(&pcache_ctr.misses, 1, memory_order_relaxed);
	if (!pg && (!fill || pcache_fill_spawn(fill, ino)))
		return -ENOMEM;
	return pcache_park_wait(pc, idx, PGC_FILLING);
}
