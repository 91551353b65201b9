// SPDX-License-Identifier: MIT
/*
 * The page cache's LRU and reclaim: every page of a backed cache is on one
 * LRU list; the reclaimer frees clean pages nobody maps from its oldest end
 * (second chance for a page read since it last looked) when an allocation
 * would fail, when free memory runs low and for drop_caches. See pcache.h.
 *
 * Lock legend (pcache.h): G lru_lock; L pc->lock. Order L -> G; the
 * reclaimer holds G and only trylocks L.
 */
#include "kernel/mm/pcache.h"
#include "kernel/mm/pcache_int.h"

#include "kernel/arch.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page.h"
#include "lib/errno.h"

static struct spinlock lru_lock = SPINLOCK_INIT("pcache_lru");
static struct list_head lru = LIST_HEAD_INIT(lru);	/* G: oldest first */

void pcache_lru_add_locked(struct pcpage *pg)
{
	if (!pg->pc->ops)
		return; /* memory-only pages are the file: never reclaimed */
	irqflags_t fl = spin_lock_irqsave(&lru_lock);

	if (list_empty(&pg->lru))
		list_add_tail(&pg->lru, &lru);
	spin_unlock_irqrestore(&lru_lock, fl);
}

/* Off the LRU (G taken here; L held). */
void pcache_lru_del_locked(struct pcpage *pg)
{
	if (list_empty(&pg->lru))
		return;
	irqflags_t fl = spin_lock_irqsave(&lru_lock);

	list_del(&pg->lru);
	list_init(&pg->lru);
	spin_unlock_irqrestore(&lru_lock, fl);
}

/* ---- reclaim ----------------------------------------------------------------------------- */

static bool reclaimable_locked(const struct pcpage *pg)
{
	return (pg->flags & (PGC_DIRTY | PGC_WRITEBACK | PGC_FILLING)) == 0 &&
	       atomic_load_explicit(&pg->meta->ref, memory_order_relaxed) == 1;
}

/*
 * Scan the LRU from its oldest end. force: ignore the referenced bit (drop
 * everything clean). Dirty pages met on the way get their cache's
 * background write-back started (after the locks are dropped).
 */
static size_t reclaim(size_t want, bool force)
{
	struct pcpage *victims[32];
	struct pcache *kick[4];
	size_t freed = 0, budget;
	unsigned nk = 0;
	irqflags_t fl;

	/* A round that only gave second chances is followed by another: those
	 * pages are unreferenced now. */
	for (unsigned rounds = 0; freed < want && rounds < 4;) {
		unsigned nv = 0, chances = 0;

		if (!spin_trylock_irqsave(&lru_lock, &fl))
			break;
		/* The first round looks a little past what it wants; a round that
		 * found only recently used pages is followed by one over all. */
		budget = force || rounds ? SIZE_MAX : 2 * (want - freed) + 64;
		struct pcpage *pg, *t;

		list_for_each_entry_safe(pg, t, &lru, lru) {
			struct pcache *pc = pg->pc;
			irqflags_t f2;

			if (nv == 32 || !budget--)
				break;
			if (!force && atomic_load_explicit(&pg->referenced, memory_order_relaxed)) {
				/* Second chance: to the young end. */
				atomic_store_explicit(&pg->referenced, 0, memory_order_relaxed);
				list_del(&pg->lru);
				list_add_tail(&pg->lru, &lru);
				chances++;
				continue;
			}
			if (!spin_trylock_irqsave(&pc->lock, &f2))
				continue;
			if (reclaimable_locked(pg)) {
				list_del(&pg->lru);
				list_init(&pg->lru);
				pcache_unlink_locked(pc, pg);
				victims[nv++] = pg;
			} else if ((pg->flags & PGC_DIRTY) && nk < 4 && !pc->wb_running) {
				bool dup = false;

				for (unsigned k = 0; k < nk; k++)
					dup |= kick[k] == pc;
				if (!dup) {
					pcache_get_ref(pc);
					kick[nk++] = pc;
				}
			}
			spin_unlock_irqrestore(&pc->lock, f2);
		}
		spin_unlock_irqrestore(&lru_lock, fl);
		for (unsigned k = 0; k < nv; k++)
			pcache_page_gone(victims[k]);
		freed += nv;
		if (nv == 32)
			continue; /* a full batch: there may be more */
		if (!chances)
			break;
		rounds++;
	}
	atomic_fetch_add_explicit(&pcache_ctr.reclaimed, freed, memory_order_relaxed);
	for (unsigned k = 0; k < nk; k++) {
		pcache_kick_writeback(kick[k]);
		pcache_put_ref(kick[k]);
	}
	return freed;
}

size_t pcache_reclaim(size_t want)
{
	return reclaim(want, false);
}

/* For the page allocator: called when it is about to fail. */
static size_t reclaim_hook(size_t want)
{
	return reclaim(want < 32 ? 32 : want, false);
}

size_t pcache_drop_clean(void)
{
	size_t n = reclaim(SIZE_MAX, true);

	pcache_prune_all();
	return n;
}

size_t pcache_reclaimable(void)
{
	size_t n = 0;
	irqflags_t fl;

	if (!spin_trylock_irqsave(&lru_lock, &fl))
		return 0;
	struct pcpage *pg;

	/* Racy on purpose (no L): an estimate for fork's reserve check. */
	list_for_each_entry(pg, &lru, lru)
		if (!(pg->flags & (PGC_DIRTY | PGC_WRITEBACK | PGC_FILLING)) &&
		    atomic_load_explicit(&pg->meta->ref, memory_order_relaxed) == 1)
			n++;
	spin_unlock_irqrestore(&lru_lock, fl);
	return n;
}

void pcache_low_memory_check(void)
{
	size_t total = page_total_count(), free = page_free_count();

	/* Keep 1/16 of memory free for everything else: the cache grows into
	 * the rest and gives it back first. */
	if (free < total / 16)
		reclaim(total / 64 + 1, false);
}

void pcache_stats(struct pcache_stats *out)
{
	out->pages = atomic_load_explicit(&pcache_ctr.pages, memory_order_relaxed);
	out->dirty = atomic_load_explicit(&pcache_ctr.dirty, memory_order_relaxed);
	out->clean_lru = pcache_reclaimable();
	out->hits = atomic_load_explicit(&pcache_ctr.hits, memory_order_relaxed);
	out->misses = atomic_load_explicit(&pcache_ctr.misses, memory_order_relaxed);
	out->fills = atomic_load_explicit(&pcache_ctr.fills, memory_order_relaxed);
	out->fill_pages = atomic_load_explicit(&pcache_ctr.fill_pages, memory_order_relaxed);
	out->reqs = atomic_load_explicit(&pcache_ctr.reqs, memory_order_relaxed);
	out->writes = atomic_load_explicit(&pcache_ctr.writes, memory_order_relaxed);
	out->reclaimed = atomic_load_explicit(&pcache_ctr.reclaimed, memory_order_relaxed);
	out->caches = atomic_load_explicit(&pcache_ctr.caches, memory_order_relaxed);
	out->mem_pages = atomic_load_explicit(&pcache_ctr.mem_pages, memory_order_relaxed);
}

void pcache_init(void)
{
	page_set_reclaim(reclaim_hook);
}
