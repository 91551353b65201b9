// SPDX-License-Identifier: MIT
/*
 * Physical page allocator: binary buddy lists over the RAM ranges handed in at
 * boot, per-hart caches of order-0 pages in front, per-page metadata. See page.h.
 *
 * Lock legend
 *   zone.lock     the buddy free lists, nr_free/nr_total, the range table
 *                 (appends), and state/order of pages in the buddy lists.
 *   pcp[h].lock   hart h's cache list and the state of the pages in it.
 *   Order: pcp[h].lock -> zone.lock. Never two pcp locks at once.
 *   Both are irqsave spinlocks, so interrupt handlers may allocate.
 *
 * Free blocks are linked through their own first bytes (the memory is free,
 * and it is mapped in the direct map), so struct page needs no list fields.
 * Buddies are found from the absolute page frame number, which makes every
 * block naturally aligned in physical (and so in direct-map) addresses; a
 * block never crosses the end of its range, so holes are never touched.
 */
#include "kernel/mm/page.h"

#include <stdbool.h>

#include "kernel/arch.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/string.h"

#define MAX_RANGES 16
/* A hart cache refills and spills this many pages at a time... */
#define PCP_BATCH 16
/* ...and spills once it holds more than this. */
#define PCP_HIGH 64

/* A free block's first bytes while it sits in a buddy list or a hart cache. */
struct free_block {
	struct free_block *next;
	struct free_block *prev;        /* buddy lists only; NULL at the head */
};

/* One contiguous range of managed RAM; its metadata array covers all of it. */
struct range {
	uintptr_t base_pfn;     /* I: first page (holds the metadata array) */
	uintptr_t end_pfn;      /* I: one past the last page */
	struct page *meta;      /* I: meta[i] describes page base_pfn + i */
};

/*
 * Which range each 2 MiB of physical memory (below 16 GiB) is in, for
 * page_meta() on every reference count change: index + 1, 0 for none,
 * CHUNK_SHARED when two ranges share the 2 MiB (then the ranges are
 * searched). Written under zone.lock when a range is added; a reader's
 * page came from the allocator after its range was added (see page_meta).
 */
#define CHUNK_SHIFT 9
#define NCHUNKS 8192
#define CHUNK_SHARED 0xff
static _Atomic uint8_t chunk_range[NCHUNKS];

static struct {
	struct spinlock lock;
	struct free_block *free[PAGE_MAX_ORDER + 1];    /* L:lock, NULL-terminated */
	size_t nr_free;                                 /* L:lock, pages in free[] */
	size_t nr_total;                                /* L:lock */
	struct range ranges[MAX_RANGES];                /* L:lock to append; then I */
	/* A: release when a range is appended, acquire in range_find(). */
	atomic_uint nr_ranges;
} zone = {
	.lock = SPINLOCK_INIT("page_zone"),
};

/* Hart h's cache of free order-0 pages. */
struct page_cache {
	struct spinlock lock;
	struct free_block *head;        /* L:lock, singly linked */
	/* A: written under lock, read racily by page_free_count(). */
	atomic_uint count;
} __attribute__((aligned(64)));

static struct page_cache pcp[MAX_HARTS] = {
	[0 ... MAX_HARTS - 1] = { .lock = SPINLOCK_INIT("page_cache") },
};

static inline void *pfn_to_va(uintptr_t pfn)
{
	return pa_to_va((paddr_t)pfn << PAGE_SHIFT);
}

static inline uintptr_t va_to_pfn(const void *va)
{
	return (uintptr_t)(va_to_pa(va) >> PAGE_SHIFT);
}

static struct range *range_find(uintptr_t pfn)
{
	unsigned n = atomic_load_explicit(&zone.nr_ranges, memory_order_acquire);

	for (unsigned i = 0; i < n; i++) {
		struct range *r = &zone.ranges[i];

		if (pfn >= r->base_pfn && pfn < r->end_pfn)
			return r;
	}
	return NULL;
}

struct page *page_meta(const void *va)
{
	uintptr_t pfn = va_to_pfn(va);
	unsigned n;

	if ((pfn >> CHUNK_SHIFT) < NCHUNKS) {
		/*
		 * relaxed (not range_find's acquire): a caller holding a page
		 * of a range got it from the allocator, whose lock ordered the
		 * range's setup before it.
		 */
		unsigned c = atomic_load_explicit(&chunk_range[pfn >> CHUNK_SHIFT],
						  memory_order_relaxed);

		if (c && c != CHUNK_SHARED) {
			struct range *r = &zone.ranges[c - 1];

			if (pfn - r->base_pfn < r->end_pfn - r->base_pfn)
				return &r->meta[pfn - r->base_pfn];
			return NULL; /* a hole in a chunk of one range */
		}
		if (!c)
			return NULL;
	}
	n = atomic_load_explicit(&zone.nr_ranges, memory_order_acquire);
	for (unsigned i = 0; i < n; i++) {
		struct range *r = &zone.ranges[i];

		if (pfn - r->base_pfn < r->end_pfn - r->base_pfn)
			return &r->meta[pfn - r->base_pfn];
	}
	return NULL;
}

/* ---- buddy lists (zone.lock held) ---------------------------------------- */

static void free_push_locked(struct free_block *b, unsigned order)
{
	b->prev = NULL;
	b->next = zone.free[order];
	if (b->next)
		b->next->prev = b;
	zone.free[order] = b;
}

static void free_del_locked(struct free_block *b, unsigned order)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		zone.free[order] = b->next;
	if (b->next)
		b->next->prev = b->prev;
}

/*
 * Take a free block of exactly `order`, splitting a larger one if needed.
 * Returns its first page (state still PG_FREE: the caller sets it) and its
 * metadata in *pgp, or NULL.
 */
static struct free_block *buddy_take_locked(unsigned order, struct page **pgp)
{
	unsigned o = order;

	while (o <= PAGE_MAX_ORDER && !zone.free[o])
		o++;
	if (o > PAGE_MAX_ORDER)
		return NULL;

	struct free_block *b = zone.free[o];
	struct page *pg = page_meta(b);

	free_del_locked(b, o);
	/* Give back the upper halves; the metadata array is contiguous. */
	while (o > order) {
		o--;
		struct page *half = pg + (1UL << o);

		half->state = PG_FREE;
		half->order = (uint8_t)o;
		free_push_locked((struct free_block *)((char *)b + (PAGE_SIZE << o)), o);
	}
	zone.nr_free -= 1UL << order;
	*pgp = pg;
	return b;
}

/* Return the block at pfn to the lists, merging with free buddies. */
static void buddy_put_locked(struct range *r, uintptr_t pfn, unsigned order)
{
	struct page *pg = &r->meta[pfn - r->base_pfn];

	zone.nr_free += 1UL << order;
	while (order < PAGE_MAX_ORDER) {
		uintptr_t bpfn = pfn ^ (1UL << order);

		if (bpfn < r->base_pfn || bpfn + (1UL << order) > r->end_pfn)
			break;
		struct page *bp = &r->meta[bpfn - r->base_pfn];

		if (bp->state != PG_FREE || bp->order != order)
			break;
		free_del_locked(pfn_to_va(bpfn), order);
		/* The higher of the two becomes a tail of the merged block. */
		if (bpfn < pfn) {
			pg->state = PG_TAIL;
			pg = bp;
			pfn = bpfn;
		} else {
			bp->state = PG_TAIL;
		}
		order++;
	}
	pg->state = PG_FREE;
	pg->order = (uint8_t)order;
	free_push_locked(pfn_to_va(pfn), order);
}

/* ---- boot ------------------------------------------------------------------ */

void page_add_range(paddr_t start, paddr_t end)
{
	paddr_t s = PAGE_ALIGN_UP(start), e = PAGE_ALIGN_DOWN(end);

	if (e <= s)
		return;
	uintptr_t base = s >> PAGE_SHIFT, limit = e >> PAGE_SHIFT;
	size_t npages = limit - base;
	size_t meta_pages = PAGE_ALIGN_UP(npages * sizeof(struct page)) >> PAGE_SHIFT;

	if (npages <= meta_pages) {
		kprintf("page: range %#lx..%#lx too small, ignored\n", (unsigned long)start,
			(unsigned long)end);
		return;
	}

	irqflags_t fl = spin_lock_irqsave(&zone.lock);
	unsigned n = atomic_load_explicit(&zone.nr_ranges, memory_order_relaxed);

	for (unsigned i = 0; i < n; i++) {
		if (base < zone.ranges[i].end_pfn && zone.ranges[i].base_pfn < limit) {
			spin_unlock_irqrestore(&zone.lock, fl);
			panic("page_add_range: %#lx..%#lx overlaps an earlier range",
			      (unsigned long)s, (unsigned long)e);
		}
	}
	if (n == MAX_RANGES) {
		spin_unlock_irqrestore(&zone.lock, fl);
		kprintf("page: more than %d ranges, %#lx..%#lx ignored\n", MAX_RANGES,
			(unsigned long)s, (unsigned long)e);
		return;
	}

	struct range *r = &zone.ranges[n];

	r->base_pfn = base;
	r->end_pfn = limit;
	r->meta = pfn_to_va(base);
	/* All zero: every page a tail with refcount 0, until carved below. */
	memset(r->meta, 0, npages * sizeof(struct page));
	for (size_t i = 0; i < meta_pages; i++)
		r->meta[i].state = PG_RESERVED;
	atomic_store_explicit(&zone.nr_ranges, n + 1, memory_order_release);
	for (uintptr_t c = base >> CHUNK_SHIFT; c <= (limit - 1) >> CHUNK_SHIFT && c < NCHUNKS; c++) {
		unsigned old = atomic_load_explicit(&chunk_range[c], memory_order_relaxed);

		atomic_store_explicit(&chunk_range[c], old ? CHUNK_SHARED : n + 1,
				      memory_order_release);
	}

	/* Carve the rest into the largest naturally aligned blocks that fit. */
	for (uintptr_t pfn = base + meta_pages; pfn < limit;) {
		unsigned order = PAGE_MAX_ORDER;

		while ((pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > limit)
			order--;
		struct page *pg = &r->meta[pfn - base];

		pg->state = PG_FREE;
		pg->order = (uint8_t)order;
		free_push_locked(pfn_to_va(pfn), order);
		zone.nr_free += 1UL << order;
		pfn += 1UL << order;
	}
	zone.nr_total += npages - meta_pages;
	spin_unlock_irqrestore(&zone.lock, fl);
}

/* ---- hart caches ------------------------------------------------------------ */

/* Move up to `count` pages from cache c to the buddy lists. c->lock held. */
static void pcp_spill_locked(struct page_cache *c, unsigned count)
{
	unsigned left = atomic_load_explicit(&c->count, memory_order_relaxed);
	irqflags_t fl = spin_lock_irqsave(&zone.lock);

	while (count-- && c->head) {
		struct free_block *b = c->head;
		uintptr_t pfn = va_to_pfn(b);

		c->head = b->next;
		left--;
		buddy_put_locked(range_find(pfn), pfn, 0);
	}
	spin_unlock_irqrestore(&zone.lock, fl);
	atomic_store_explicit(&c->count, left, memory_order_relaxed);
}

static void pcp_refill_locked(struct page_cache *c)
{
	unsigned count = atomic_load_explicit(&c->count, memory_order_relaxed);
	irqflags_t fl = spin_lock_irqsave(&zone.lock);

	for (int i = 0; i < PCP_BATCH; i++) {
		struct page *pg;
		struct free_block *b = buddy_take_locked(0, &pg);

		if (!b)
			break;
		pg->state = PG_CACHED;
		b->next = c->head;
		c->head = b;
		count++;
	}
	spin_unlock_irqrestore(&zone.lock, fl);
	atomic_store_explicit(&c->count, count, memory_order_relaxed);
}

static void *pcp_alloc(struct page **pgp)
{
	struct page_cache *c = &pcp[hart_id()];
	irqflags_t fl = spin_lock_irqsave(&c->lock);
	struct free_block *b;

	if (!c->head)
		pcp_refill_locked(c);
	b = c->head;
	if (b) {
		struct page *pg = page_meta(b);

		c->head = b->next;
		atomic_store_explicit(&c->count,
				      atomic_load_explicit(&c->count, memory_order_relaxed) - 1,
				      memory_order_relaxed);
		pg->state = PG_ALLOC;
		pg->order = 0;
		*pgp = pg;
	}
	spin_unlock_irqrestore(&c->lock, fl);
	return b;
}

static void pcp_free(void *va, struct page *pg)
{
	struct page_cache *c = &pcp[hart_id()];
	irqflags_t fl = spin_lock_irqsave(&c->lock);
	struct free_block *b = va;
	unsigned count = atomic_load_explicit(&c->count, memory_order_relaxed) + 1;

	pg->state = PG_CACHED;
	b->next = c->head;
	c->head = b;
	atomic_store_explicit(&c->count, count, memory_order_relaxed);
	if (count > PCP_HIGH)
		pcp_spill_locked(c, PCP_BATCH);
	spin_unlock_irqrestore(&c->lock, fl);
}

void page_drain_caches(void)
{
	for (unsigned h = 0; h < MAX_HARTS; h++) {
		struct page_cache *c = &pcp[h];

		if (!atomic_load_explicit(&c->count, memory_order_relaxed))
			continue;
		irqflags_t fl = spin_lock_irqsave(&c->lock);

		pcp_spill_locked(c, ~0u);
		spin_unlock_irqrestore(&c->lock, fl);
	}
}

/* ---- allocation ------------------------------------------------------------- */

static void *buddy_alloc(unsigned order, struct page **pgp)
{
	irqflags_t fl = spin_lock_irqsave(&zone.lock);
	struct free_block *b = buddy_take_locked(order, pgp);

	if (b) {
		(*pgp)->state = PG_ALLOC;
		(*pgp)->order = (uint8_t)order;
	}
	spin_unlock_irqrestore(&zone.lock, fl);
	return b;
}

/* A: set once at boot (pcache_init), read on the failure path. */
static size_t (*_Atomic reclaim_fn)(size_t want);

void page_set_reclaim(size_t (*fn)(size_t want))
{
	atomic_store_explicit(&reclaim_fn, fn, memory_order_release);
}

void *page_alloc_order_nozero(unsigned order)
{
	struct page *pg = NULL;
	void *va;

	if (order > PAGE_MAX_ORDER)
		return NULL;
	va = order == 0 ? pcp_alloc(&pg) : buddy_alloc(order, &pg);
	if (!va) {
		size_t (*fn)(size_t) = atomic_load_explicit(&reclaim_fn, memory_order_acquire);

		/* Before saying no, let the pages other harts cache merge back,
		 * and then have cached file pages given back. */
		page_drain_caches();
		va = buddy_alloc(order, &pg);
		for (unsigned tries = 0; !va && fn && tries < 64 && fn(1ul << order); tries++) {
			page_drain_caches();
			va = buddy_alloc(order, &pg);
		}
		if (!va)
			return NULL;
	}
	pg->use = PGU_NONE;
	pg->owner = NULL;
	/* Nobody else can see the page yet; publication orders this store. */
	atomic_store_explicit(&pg->ref, 1, memory_order_relaxed);
	return va;
}

void *page_alloc_order(unsigned order)
{
	void *va = page_alloc_order_nozero(order);

	if (va)
		memset(va, 0, PAGE_SIZE << order);
	return va;
}

void *page_alloc(void)
{
	return page_alloc_order(0);
}

/* ---- freeing ---------------------------------------------------------------- */

static struct page *meta_or_panic(const void *va, const char *who)
{
	struct page *pg = page_meta(va);

	if (!pg)
		panic("%s: %p is not managed RAM", who, va);
	return pg;
}

/* The block's last reference is gone: give it back. */
static void release_block(void *va, struct page *pg, unsigned order)
{
	if (order == 0) {
		pcp_free(va, pg);
		return;
	}
	uintptr_t pfn = va_to_pfn(va);
	irqflags_t fl = spin_lock_irqsave(&zone.lock);

	buddy_put_locked(range_find(pfn), pfn, order);
	spin_unlock_irqrestore(&zone.lock, fl);
}

void page_free_order(void *va, unsigned order)
{
	struct page *pg = meta_or_panic(va, "page_free");
	unsigned old;

	if (((uintptr_t)va & ((PAGE_SIZE << order) - 1)) || pg->state != PG_ALLOC ||
	    pg->order != order)
		panic("page_free: %p (order %u) is not an allocated block "
		      "(state %u, order %u): double free?",
		      va, order, pg->state, pg->order);
	if (pg->use != PGU_NONE)
		panic("page_free: %p belongs to %s", va,
		      pg->use == PGU_SLAB ? "a slab" : "kmalloc");
	/*
	 * The exchange makes two racing frees of one page fail loudly: only one
	 * of them can see 1. acq_rel: our writes to the page happen before its
	 * next owner's, and we see those of earlier reference holders.
	 */
	old = atomic_exchange_explicit(&pg->ref, 0, memory_order_acq_rel);
	if (old != 1)
		panic("page_free: %p has refcount %u (%s)", va, old,
		      old ? "still shared" : "double free");
	release_block(va, pg, order);
}

void page_free(void *va)
{
	page_free_order(va, 0);
}

/* ---- reference counts ------------------------------------------------------- */

void page_ref_get_pg(struct page *pg)
{
	/* relaxed: the caller already holds a reference, as in any refcount get. */
	unsigned old = atomic_fetch_add_explicit(&pg->ref, 1, memory_order_relaxed);

	if (old == 0 || pg->state != PG_ALLOC)
		panic("page_ref_get: %p is not allocated", pg);
}

void page_ref_get(void *va)
{
	page_ref_get_pg(meta_or_panic(va, "page_ref_get"));
}

void page_ref_put(void *va)
{
	page_ref_put_pg(va, meta_or_panic(va, "page_ref_put"));
}

void page_ref_put_pg(void *va, struct page *pg)
{
	if (pg->state != PG_ALLOC)
		panic("page_ref_put: %p is not allocated (state %u)", va, pg->state);
	/* release: our uses of the page happen before whoever frees it. */
	unsigned old = atomic_fetch_sub_explicit(&pg->ref, 1, memory_order_release);

	if (old == 0)
		panic("page_ref_put: %p refcount underflow", va);
	if (old > 1)
		return;
	/* acquire: pairs with the release of every earlier put. */
	atomic_thread_fence(memory_order_acquire);
	if (pg->use != PGU_NONE)
		panic("page_ref_put: last reference to %p, which belongs to %s", va,
		      pg->use == PGU_SLAB ? "a slab" : "kmalloc");
	release_block(pfn_to_va(va_to_pfn(va)), pg, pg->order);
}

unsigned page_ref_count(const void *va)
{
	return atomic_load_explicit(&meta_or_panic(va, "page_ref_count")->ref,
				    memory_order_relaxed);
}

/* ---- counters --------------------------------------------------------------- */

size_t page_free_count(void)
{
	irqflags_t fl = spin_lock_irqsave(&zone.lock);
	size_t n = zone.nr_free;

	spin_unlock_irqrestore(&zone.lock, fl);
	for (unsigned h = 0; h < MAX_HARTS; h++)
		n += atomic_load_explicit(&pcp[h].count, memory_order_relaxed);
	return n;
}

size_t page_total_count(void)
{
	irqflags_t fl = spin_lock_irqsave(&zone.lock);
	size_t n = zone.nr_total;

	spin_unlock_irqrestore(&zone.lock, fl);
	return n;
}
