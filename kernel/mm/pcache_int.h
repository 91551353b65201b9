/* SPDX-License-Identifier: MIT */
/* Page-cache internals shared by the kernel/mm/pcache*.c files. */
#ifndef KERNEL_MM_PCACHE_INT_H
#define KERNEL_MM_PCACHE_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/block/blkdev.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/pcache.h"

/* A: relaxed statistics (pcache_stats). */
struct pcache_counters {
	atomic_ulong pages, dirty, hits, misses, fills, fill_pages, reqs, writes, reclaimed,
		caches, mem_pages;
};
extern struct pcache_counters pcache_ctr;
extern const struct radix_alloc pcache_radix_alloc;

/* Blocks per page (1 for memory-only caches). */
static inline unsigned pcache_bpp(const struct pcache *pc)
{
	return pc->ops ? PAGE_SIZE >> pc->bshift : 1;
}

/* A new page at idx in the tree with these flags, zeroed if asked; NULL
 * when out of memory. L held. */
struct pcpage *pcache_page_new_locked(struct pcache *pc, uint64_t idx, unsigned flags, bool zero);
/* Onto / off the LRU (backed caches only). L held. */
void pcache_lru_add_locked(struct pcpage *pg);
void pcache_lru_del_locked(struct pcpage *pg);
/* Take pg out of its tree (L held), counters kept right; then free it with
 * pcache_page_gone() (no lock needed). */
void pcache_unlink_locked(struct pcache *pc, struct pcpage *pg);
void pcache_page_gone(struct pcpage *pg);
/* Free the caches nobody holds that have no page left. */
void pcache_prune_all(void);
/* Out of the tree and the LRU, the cache's reference dropped. L held. */
void pcache_remove_locked(struct pcache *pc, struct pcpage *pg);
/* Park a wait (vfs_set_io_wait) until page idx is absent or has none of
 * the flags in mask; -EIOWAIT, or -ENOMEM. */
int pcache_park_wait(struct pcache *pc, uint64_t idx, unsigned mask);
/* Every cache (of sb, or all; dirty_only: with dirty pages or pages under
 * write-back), counted, in a kmalloc'd array *out (NULL when none); how many.
 * 0 as well when out of memory. */
unsigned pcache_collect(struct superblock *sb, struct pcache ***out, bool dirty_only);
bool pcache_has_writeback(struct pcache *pc);
/* Start a background write-back task on pc unless one runs. */
void pcache_kick_writeback(struct pcache *pc);
/* After a page of pc got dirty: start write-back once it holds many. */
void pcache_dirty_check(struct pcache *pc);
/* A future waiting until page idx is absent or has none of mask's flags
 * (mask 0: until pc has no page under write-back); NULL without memory. */
struct future *pcache_wait_new(struct pcache *pc, uint64_t idx, unsigned mask);

/* One scatter-gather request of a fill or a write-back. */
struct pcache_ioreq {
	struct blk_req req;
	uint64_t sector;
	uint32_t nsegs;
	struct blk_seg segs[BLK_MAX_SEGS];
};

/*
 * Building requests from blocks in disk order: pcache_rb_add() extends the
 * last request while the sectors follow on (merging a segment whose memory
 * follows on too), else starts one. Run it twice: once with reqs NULL to
 * count (n), then into an array of that many; pcache_rb_init_reqs() then
 * makes them blk_reqs.
 */
struct pcache_rb {
	struct pcache_ioreq *reqs;	/* NULL: only count */
	unsigned max, n;
	uint32_t nsegs, len;		/* of the last request */
	uint64_t next_sector;
	void *last_end;			/* end of the last segment's memory */
};
void pcache_rb_start(struct pcache_rb *b, struct pcache_ioreq *reqs, unsigned max);
void pcache_rb_add(struct pcache_rb *b, uint64_t sector, void *buf, uint32_t len);
void pcache_rb_init_reqs(struct pcache_rb *b, struct blkdev *dev, enum blk_op op);

/* Fills (pcache_fill.c), made with L held and spawned after. */
struct pcache_fill;
/* The missing pages of [start, start + n) clipped to size; the read-ahead
 * marker on page start + mark (>= n: none). NULL: nothing missing, or no memory. */
struct pcache_fill *pcache_window_locked(struct pcache *pc, uint64_t start, unsigned n,
					 uint64_t size, unsigned mark);
/* A synchronous miss at idx by a reader wanting `want` pages from there. */
struct pcache_fill *pcache_miss_window_locked(struct pcache *pc, uint64_t idx, uint64_t want,
					      uint64_t size);
/* A reader reached a read-ahead marker: the next window. */
struct pcache_fill *pcache_async_window_locked(struct pcache *pc, uint64_t size);
/* Run the fill as a task (L not held); on failure its pages are dropped, -ENOMEM. */
int pcache_fill_spawn(struct pcache_fill *f, struct inode *ino);

/* Before growing the cache: reclaim if free memory is low. */
void pcache_low_memory_check(void);

#endif
