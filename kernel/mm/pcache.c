// SPDX-License-Identifier: MIT
/*
 * The page cache, its memory side: the registry of caches, pages in and
 * out of the trees, truncation. The LRU and reclaim are pcache_reclaim.c,
 * the mappers pcache_map.c, fills pcache_fill.c, reads pcache_read.c,
 * write-back pcache_wb.c. See pcache.h.
 *
 * Lock legend (pcache.h): R registry_lock; L pc->lock; G lru_lock.
 * Order R -> L -> G; the reclaimer holds G and trylocks L.
 */
#include "kernel/mm/pcache.h"
#include "kernel/mm/pcache_int.h"

#include "kernel/arch.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "kernel/panic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define NCHAINS 256

static struct spinlock registry_lock = SPINLOCK_INIT("pcache_registry");
static struct list_head chains[NCHAINS];		/* R */
static bool registry_ready;				/* R */


static struct slab_cache pcache_cache = SLAB_CACHE_INIT("pcache", sizeof(struct pcache), 8);
static struct slab_cache pcpage_cache = SLAB_CACHE_INIT("pcpage", sizeof(struct pcpage), 8);

struct pcache_counters pcache_ctr;

/* ---- tree nodes ---------------------------------------------------------------------- */

static void *node_alloc(void *arg)
{
	(void)arg;
	return kmalloc(RADIX_NODE_BYTES);
}

static void node_free(void *arg, void *n)
{
	(void)arg;
	kfree(n);
}

const struct radix_alloc pcache_radix_alloc = { .alloc = node_alloc, .free = node_free };

/* ---- the registry ------------------------------------------------------------------- */

static struct list_head *chain_of(const struct superblock *sb, uint64_t ino)
{
	uint64_t h = ino ^ ((uintptr_t)sb >> 4);

	h *= 0x9e3779b97f4a7c15ull;
	return &chains[h >> 56];
}

static void registry_init_locked(void)
{
	if (registry_ready)
		return;
	for (unsigned i = 0; i < NCHAINS; i++)
		list_init(&chains[i]);
	registry_ready = true;
}

static void pcache_free(struct pcache *pc)
{
	radix_destroy(&pc->tree, &pcache_radix_alloc);
	atomic_fetch_sub_explicit(&pcache_ctr.caches, 1, memory_order_relaxed);
	slab_free(&pcache_cache, pc);
}

/*
 * Free pc if nobody holds it and it has no pages. R held; takes L to read
 * nrpages (pages come and go under L only). A reference from zero is only
 * taken under R (attach, collect) or under L while pc has a page (reclaim's
 * write-back kick), so neither can race this.
 */
static bool prune_locked(struct pcache *pc)
{
	irqflags_t fl;
	bool empty;

	if (atomic_load_explicit(&pc->refs, memory_order_acquire))
		return false;
	fl = spin_lock_irqsave(&pc->lock);
	empty = pc->nrpages == 0;
	spin_unlock_irqrestore(&pc->lock, fl);
	if (!empty)
		return false;
	list_del(&pc->hnode);
	pcache_free(pc);
	return true;
}

int pcache_attach(struct inode *ino, const struct pcache_ops *ops, struct blkdev *dev,
		  unsigned bsize)
{
	struct pcache *pc, *fresh = slab_alloc(&pcache_cache);
	struct list_head *ch;
	irqflags_t fl;

	if (!fresh)
		return -ENOMEM;
	fl = spin_lock_irqsave(&registry_lock);
	registry_init_locked();
	ch = chain_of(ino->sb, ino->ino);
	list_for_each_entry(pc, ch, hnode) {
		if (pc->sb == ino->sb && pc->ino == ino->ino) {
			atomic_fetch_add_explicit(&pc->refs, 1, memory_order_relaxed);
			spin_unlock_irqrestore(&registry_lock, fl);
			slab_free(&pcache_cache, fresh);
			ino->pcache = pc;
			return 0;
		}
	}
	pc = fresh;
	memset(pc, 0, sizeof(*pc));
	spin_init(&pc->lock, "pcache");
	radix_init(&pc->tree);
	list_init(&pc->dirty);
	waitq_init(&pc->wq);
	spin_init(&pc->maps_lock, "pcache_maps");
	list_init(&pc->maps);
	pc->sb = ino->sb;
	pc->ino = ino->ino;
	pc->ops = ops;
	pc->dev = dev;
	pc->bshift = 12;
	while (ops && (1u << pc->bshift) > bsize && pc->bshift > 10)
		pc->bshift--;
	atomic_store_explicit(&pc->refs, 1, memory_order_relaxed);
	list_add(&pc->hnode, ch);
	atomic_fetch_add_explicit(&pcache_ctr.caches, 1, memory_order_relaxed);
	spin_unlock_irqrestore(&registry_lock, fl);
	ino->pcache = pc;
	return 0;
}

void pcache_get_ref(struct pcache *pc)
{
	atomic_fetch_add_explicit(&pc->refs, 1, memory_order_relaxed);
}

/*
 * The last reference goes under R (the drop to zero and the pruning of an
 * empty cache are one step), so a cache found again in the registry in
 * between (a new inode of the same file, a sync) is never freed under it.
 * Other puts are one CAS.
 */
void pcache_put_ref(struct pcache *pc)
{
	unsigned r = atomic_load_explicit(&pc->refs, memory_order_relaxed);
	irqflags_t fl;

	/* release: our changes before a pruner that sees the count (acquire below). */
	while (r > 1)
		if (atomic_compare_exchange_weak_explicit(&pc->refs, &r, r - 1,
							  memory_order_release,
							  memory_order_relaxed))
			return;
	fl = spin_lock_irqsave(&registry_lock);
	if (atomic_fetch_sub_explicit(&pc->refs, 1, memory_order_acq_rel) == 1)
		prune_locked(pc);
	spin_unlock_irqrestore(&registry_lock, fl);
}

void pcache_detach(struct inode *ino)
{
	struct pcache *pc = ino->pcache;

	if (!pc)
		return;
	ino->pcache = NULL;
	pcache_put_ref(pc);
}

/* Free the caches that reclaim emptied (and nobody holds). */
void pcache_prune_all(void)
{
	irqflags_t fl = spin_lock_irqsave(&registry_lock);

	if (registry_ready) {
		for (unsigned i = 0; i < NCHAINS; i++) {
			struct pcache *pc, *t;

			list_for_each_entry_safe(pc, t, &chains[i], hnode)
				prune_locked(pc);
		}
	}
	spin_unlock_irqrestore(&registry_lock, fl);
}

static bool collect_match(struct pcache *pc, struct superblock *sb, bool dirty_only)
{
	if (sb && pc->sb != sb)
		return false;
	return !dirty_only || pc->ndirty || pcache_has_writeback(pc); /* racy: a hint */
}

unsigned pcache_collect(struct superblock *sb, struct pcache ***out, bool dirty_only)
{
	struct pcache **v = NULL;
	unsigned n = 0, cap = 0;
	irqflags_t fl;

	for (;;) {
		fl = spin_lock_irqsave(&registry_lock);
		registry_init_locked();
		n = 0;
		for (unsigned i = 0; i < NCHAINS; i++) {
			struct pcache *pc;

			list_for_each_entry(pc, &chains[i], hnode) {
				if (!collect_match(pc, sb, dirty_only))
					continue;
				if (n < cap) {
					pcache_get_ref(pc);
					v[n] = pc;
				}
				n++;
			}
		}
		spin_unlock_irqrestore(&registry_lock, fl);
		if (n <= cap)
			break;
		/* Too small: give the references back, grow, count again. */
		for (unsigned i = 0; i < cap; i++)
			pcache_put_ref(v[i]);
		kfree(v);
		cap = n + 8;
		v = kmalloc(cap * sizeof(*v));
		if (!v) {
			n = 0;
			break;
		}
	}
	if (!n) {
		kfree(v);
		v = NULL;
	}
	*out = v;
	return n;
}

/* ---- pages ----------------------------------------------------------------------------- */

struct pcpage *pcache_page_new_locked(struct pcache *pc, uint64_t idx, unsigned flags, bool zero)
{
	struct pcpage *pg = slab_alloc(&pcpage_cache);
	void *data = pg ? page_alloc_order_nozero(0) : NULL;

	if (!data) {
		slab_free(&pcpage_cache, pg);
		return NULL;
	}
	if (zero)
		memset(data, 0, PAGE_SIZE);
	pg->pc = pc;
	pg->data = data;
	pg->meta = page_meta(data);
	pg->index = idx;
	memset(pg->blk, 0, sizeof(pg->blk));
	pg->flags = (uint16_t)flags;
	atomic_store_explicit(&pg->referenced, 0, memory_order_relaxed);
	list_init(&pg->dnode);
	list_init(&pg->lru);
	if (radix_insert(&pc->tree, idx, pg, &pcache_radix_alloc)) {
		page_ref_put(data);
		slab_free(&pcpage_cache, pg);
		return NULL;
	}
	pc->nrpages++;
	atomic_fetch_add_explicit(&pcache_ctr.pages, 1, memory_order_relaxed);
	if (!pc->ops)
		atomic_fetch_add_explicit(&pcache_ctr.mem_pages, 1, memory_order_relaxed);
	return pg;
}

/* Take pg out of the tree (L held); the caller frees it with page_gone(). */
void pcache_unlink_locked(struct pcache *pc, struct pcpage *pg)
{
	radix_delete(&pc->tree, pg->index, &pcache_radix_alloc);
	pc->nrpages--;
	if (pg->flags & PGC_DIRTY) {
		list_del(&pg->dnode);
		pc->ndirty--;
		atomic_fetch_sub_explicit(&pcache_ctr.dirty, 1, memory_order_relaxed);
	}
	pg->flags = PGC_GONE;
	atomic_fetch_sub_explicit(&pcache_ctr.pages, 1, memory_order_relaxed);
	if (!pc->ops)
		atomic_fetch_sub_explicit(&pcache_ctr.mem_pages, 1, memory_order_relaxed);
}

/* The cache's reference on the data goes (mappings may keep it), and the descriptor. */
void pcache_page_gone(struct pcpage *pg)
{
	page_ref_put_pg(pg->data, pg->meta);
	slab_free(&pcpage_cache, pg);
}

void pcache_remove_locked(struct pcache *pc, struct pcpage *pg)
{
	pcache_lru_del_locked(pg);
	pcache_unlink_locked(pc, pg);
	pcache_page_gone(pg);
}

bool pcache_page_live(struct pcpage *pg)
{
	struct pcache *pc = pg->pc;
	irqflags_t fl = spin_lock_irqsave(&pc->lock);
	bool live = !(pg->flags & PGC_GONE);

	spin_unlock_irqrestore(&pc->lock, fl);
	return live;
}

void pcache_mark_dirty(struct pcpage *pg)
{
	struct pcache *pc = pg->pc;
	irqflags_t fl;

	if (!pc->ops)
		return;
	fl = spin_lock_irqsave(&pc->lock);
	if (!(pg->flags & (PGC_DIRTY | PGC_GONE))) {
		pg->flags |= PGC_DIRTY;
		list_add_tail(&pg->dnode, &pc->dirty);
		pc->ndirty++;
		atomic_fetch_add_explicit(&pcache_ctr.dirty, 1, memory_order_relaxed);
	}
	spin_unlock_irqrestore(&pc->lock, fl);
	pcache_dirty_check(pc);
}

int pcache_page_mkwrite(struct inode *ino, struct pcpage *pg)
{
	struct pcache *pc = pg->pc;
	int err = 0;

	if (pc->ops && pc->ops->mkwrite)
		err = pc->ops->mkwrite(ino, pg);
	if (!err)
		pcache_mark_dirty(pg);
	return err;
}

void pcache_mark_dirty_idx(struct pcache *pc, uint64_t idx)
{
	struct pcpage *pg = pcache_find_page(pc, idx);

	if (pg) {
		pcache_mark_dirty(pg);
		pcache_page_put(pg);
	}
}

void pcache_set_blocks(struct pcpage *pg, const uint32_t *blks)
{
	struct pcache *pc = pg->pc;
	irqflags_t fl = spin_lock_irqsave(&pc->lock);

	memcpy(pg->blk, blks, sizeof(uint32_t) * pcache_bpp(pc));
	pg->flags |= PGC_MAPPED;
	spin_unlock_irqrestore(&pc->lock, fl);
}

void pcache_page_put(struct pcpage *pg)
{
	page_ref_put_pg(pg->data, pg->meta);
}

struct pcpage *pcache_find_page(struct pcache *pc, uint64_t idx)
{
	irqflags_t fl = spin_lock_irqsave(&pc->lock);
	struct pcpage *pg = radix_lookup(&pc->tree, idx);

	if (pg && (pg->flags & PGC_UPTODATE)) {
		page_ref_get_pg(pg->meta);
		atomic_store_explicit(&pg->referenced, 1, memory_order_relaxed);
	} else {
		pg = NULL;
	}
	spin_unlock_irqrestore(&pc->lock, fl);
	return pg;
}

/* ---- truncation -------------------------------------------------------------------------- */

int pcache_truncate(struct pcache *pc, uint64_t size)
{
	uint64_t first = (size + PAGE_SIZE - 1) >> PAGE_SHIFT, i;
	struct pcpage *pg;
	irqflags_t fl = spin_lock_irqsave(&pc->lock);

	/* Nothing changes until no page to drop is in flight. */
	for (i = first; (pg = radix_next(&pc->tree, &i)); i++) {
		if (pg->flags & (PGC_WRITEBACK | PGC_FILLING)) {
			spin_unlock_irqrestore(&pc->lock, fl);
			return pcache_park_wait(pc, i, PGC_WRITEBACK | PGC_FILLING);
		}
	}
	for (i = first; (pg = radix_next(&pc->tree, &i)); i++)
		pcache_remove_locked(pc, pg);
	if (size & (PAGE_SIZE - 1)) {
		pg = radix_lookup(&pc->tree, size >> PAGE_SHIFT);
		if (pg && (pg->flags & PGC_UPTODATE)) {
			unsigned poff = (unsigned)(size & (PAGE_SIZE - 1));
			unsigned bsz = 1u << pc->bshift;
			bool dirty = false;

			memset((char *)pg->data + poff, 0, PAGE_SIZE - poff);
			if (pc->ops) {
				/* Blocks wholly past size are freed by the fs; the one
				 * holding size keeps its zeroed tail on the disk. */
				for (unsigned j = 0; j < pcache_bpp(pc); j++) {
					if ((uint64_t)j * bsz >= ((poff + bsz - 1) & ~(bsz - 1)))
						pg->blk[j] = 0;
					else if (pg->blk[j] && (uint64_t)(j + 1) * bsz > poff)
						dirty = true;
				}
				if (!(pg->flags & PGC_MAPPED))
					dirty = true;
			}
			if (dirty && !(pg->flags & PGC_DIRTY)) {
				pg->flags |= PGC_DIRTY;
				list_add_tail(&pg->dnode, &pc->dirty);
				pc->ndirty++;
				atomic_fetch_add_explicit(&pcache_ctr.dirty, 1, memory_order_relaxed);
			}
		}
	}
	spin_unlock_irqrestore(&pc->lock, fl);
	return 0;
}

void pcache_forget_sb(struct superblock *sb)
{
	irqflags_t fl = spin_lock_irqsave(&registry_lock);

	registry_init_locked();
	for (unsigned i = 0; i < NCHAINS; i++) {
		struct pcache *pc, *t;

		list_for_each_entry_safe(pc, t, &chains[i], hnode) {
			uint64_t k = 0;
			struct pcpage *pg;
			irqflags_t f2;

			if (pc->sb != sb)
				continue;
			f2 = spin_lock_irqsave(&pc->lock);
			while ((pg = radix_next(&pc->tree, &k))) {
				k++;
				if (!(pg->flags & (PGC_WRITEBACK | PGC_FILLING)))
					pcache_remove_locked(pc, pg);
			}
			spin_unlock_irqrestore(&pc->lock, f2);
			prune_locked(pc);
		}
	}
	spin_unlock_irqrestore(&registry_lock, fl);
}
