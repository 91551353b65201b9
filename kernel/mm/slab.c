// SPDX-License-Identifier: MIT
/*
 * Slab caches and kmalloc() on top of them; see slab.h and kmalloc.h.
 *
 * Lock legend
 *   slab_cache.lock   the cache's partial list and counters, and the free
 *                     list, in-use bitmap and count of each of its slabs.
 *   Never held across a call into the page allocator: a cache grows by
 *   allocating pages unlocked, then inserting the new slab under the lock.
 *   slab_caches_lock  the list of caches (a cache joins when it first grows).
 *   Order: slab_cache.lock -> slab_caches_lock.
 *
 * A slab is on its cache's partial list exactly when it has a free object.
 * A cache keeps at most SLAB_KEEP_EMPTY empty slabs, so an alloc/free pair at
 * a slab boundary does not call the page allocator each time.
 */
#include "kernel/mm/slab.h"

#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/panic.h"
#include "lib/string.h"

#define SLAB_MAX_ORDER 3        /* 32 KiB slabs at most */
#define SLAB_MAX_OBJS 256       /* bounded by the in-use bitmap */
#define SLAB_KEEP_EMPTY 1
#define KMALLOC_MAX_CLASS 2048

/* The header at the start of every slab. */
struct slab {
	struct slab *next, *prev;       /* L: partial list, NULL-terminated */
	struct slab_cache *cache;       /* I */
	void *free;                     /* L: free objects, chained by first word */
	uint16_t nobjs;                 /* I */
	uint16_t inuse;                 /* L */
	uint8_t order;                  /* I */
	uint32_t first;                 /* I: offset of object 0 from the header */
	uint64_t used[SLAB_MAX_OBJS / 64]; /* L: bit i set while object i is out */
};

static struct spinlock slab_caches_lock = SPINLOCK_INIT("slab_caches");
static struct slab_cache *slab_caches;  /* L:slab_caches_lock */

/* ---- geometry --------------------------------------------------------------- */

static size_t first_offset(const struct slab_cache *c)
{
	return (sizeof(struct slab) + c->align - 1) & ~((size_t)c->align - 1);
}

static unsigned objs_per_slab(const struct slab_cache *c, unsigned order)
{
	size_t off = first_offset(c), bytes = PAGE_SIZE << order;

	if (off + c->size > bytes)
		return 0;
	size_t n = (bytes - off) / c->size;

	return n > SLAB_MAX_OBJS ? SLAB_MAX_OBJS : (unsigned)n;
}

/*
 * The smallest order that wastes at most 1/8 of the slab (header, alignment
 * and tail); if none does, the order that wastes the least.
 */
static unsigned preferred_order(const struct slab_cache *c)
{
	unsigned best = SLAB_MAX_ORDER + 1;
	size_t best_waste = ~(size_t)0;

	for (unsigned o = 0; o <= SLAB_MAX_ORDER; o++) {
		unsigned n = objs_per_slab(c, o);

		if (!n)
			continue;
		size_t bytes = PAGE_SIZE << o, waste = bytes - (size_t)n * c->size;

		if (waste * 8 <= bytes)
			return o;
		/* Compare waste fractions: waste/bytes, scaled to the largest slab. */
		waste <<= SLAB_MAX_ORDER - o;
		if (waste < best_waste) {
			best_waste = waste;
			best = o;
		}
	}
	return best;
}

/* ---- slabs ------------------------------------------------------------------ */

static void partial_add_locked(struct slab_cache *c, struct slab *s)
{
	s->prev = NULL;
	s->next = c->partial;
	if (s->next)
		s->next->prev = s;
	c->partial = s;
}

static void partial_del_locked(struct slab_cache *c, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

/* A new slab with every object free, or NULL. Called unlocked. */
static struct slab *slab_grow(struct slab_cache *c)
{
	unsigned order = preferred_order(c);
	struct slab *s;

	if (order > SLAB_MAX_ORDER)
		return NULL;
	/* Under fragmentation settle for a smaller slab, down to one object. */
	while (!(s = page_alloc_order_nozero(order))) {
		if (order == 0 || !objs_per_slab(c, order - 1))
			return NULL;
		order--;
	}

	s->cache = c;
	s->nobjs = (uint16_t)objs_per_slab(c, order);
	s->inuse = 0;
	s->order = (uint8_t)order;
	s->first = (uint32_t)first_offset(c);
	memset(s->used, 0, sizeof(s->used));

	char *obj = (char *)s + s->first;

	s->free = obj;
	for (unsigned i = 0; i + 1 < s->nobjs; i++, obj += c->size)
		*(void **)obj = obj + c->size;
	*(void **)obj = NULL;

	struct page *pg = page_meta(s);

	for (unsigned i = 0; i < 1u << order; i++) {
		pg[i].use = PGU_SLAB;
		pg[i].owner = s;
	}
	return s;
}

/* Give an empty slab, already off every list, back to the page allocator. */
static void slab_release(struct slab *s)
{
	struct page *pg = page_meta(s);

	for (unsigned i = 0; i < 1u << s->order; i++) {
		pg[i].use = PGU_NONE;
		pg[i].owner = NULL;
	}
	page_free_order(s, s->order);
}

void *slab_alloc(struct slab_cache *c)
{
	irqflags_t fl = spin_lock_irqsave(&c->lock);
	struct slab *s = c->partial;

	if (!s) {
		spin_unlock_irqrestore(&c->lock, fl);
		s = slab_grow(c);
		if (!s)
			return NULL;
		fl = spin_lock_irqsave(&c->lock);
		if (!c->registered) {
			irqflags_t fl2 = spin_lock_irqsave(&slab_caches_lock);

			c->next_cache = slab_caches;
			slab_caches = c;
			c->registered = true;
			spin_unlock_irqrestore(&slab_caches_lock, fl2);
		}
		partial_add_locked(c, s);
		c->nr_slabs++;
		c->nr_empty++;
	}

	char *obj = s->free;
	unsigned idx = (unsigned)((obj - (char *)s - s->first) / c->size);

	s->free = *(void **)obj;
	if (s->inuse++ == 0)
		c->nr_empty--;
	s->used[idx / 64] |= 1ULL << (idx % 64);
	if (!s->free)
		partial_del_locked(c, s);
	c->nr_inuse++;
	spin_unlock_irqrestore(&c->lock, fl);
	return obj;
}

/* The slab holding p; panics if p is not in a slab. */
static struct slab *slab_of(const void *p, const char *who)
{
	struct page *pg = page_meta(p);

	if (!pg || pg->use != PGU_SLAB)
		panic("%s: %p is not a slab object", who, p);
	return pg->owner;
}

static void slab_free_obj(struct slab *s, void *p, const char *who)
{
	struct slab_cache *c = s->cache;
	uintptr_t off = (uintptr_t)p - (uintptr_t)s - s->first;
	unsigned idx = (unsigned)(off / c->size);
	struct slab *release = NULL;

	if ((uintptr_t)p < (uintptr_t)s + s->first || off % c->size || idx >= s->nobjs)
		panic("%s: %p is not an object start in cache %s", who, p, c->name);

	irqflags_t fl = spin_lock_irqsave(&c->lock);
	uint64_t bit = 1ULL << (idx % 64);

	if (!(s->used[idx / 64] & bit)) {
		spin_unlock_irqrestore(&c->lock, fl);
		panic("%s: double free of %p in cache %s", who, p, c->name);
	}
	s->used[idx / 64] &= ~bit;
	*(void **)p = s->free;
	s->free = p;
	if (s->inuse-- == s->nobjs)
		partial_add_locked(c, s);
	c->nr_inuse--;
	if (s->inuse == 0) {
		if (c->nr_empty >= SLAB_KEEP_EMPTY) {
			partial_del_locked(c, s);
			c->nr_slabs--;
			release = s;
		} else {
			c->nr_empty++;
		}
	}
	spin_unlock_irqrestore(&c->lock, fl);
	if (release)
		slab_release(release);
}

void slab_free(struct slab_cache *c, void *p)
{
	if (!p)
		return;
	struct slab *s = slab_of(p, "slab_free");

	if (s->cache != c)
		panic("slab_free: %p belongs to cache %s, not %s", p, s->cache->name, c->name);
	slab_free_obj(s, p, "slab_free");
}

void slab_cache_shrink(struct slab_cache *c)
{
	struct slab *empty = NULL;
	irqflags_t fl = spin_lock_irqsave(&c->lock);

	for (struct slab *s = c->partial, *next; s; s = next) {
		next = s->next;
		if (s->inuse)
			continue;
		partial_del_locked(c, s);
		c->nr_slabs--;
		c->nr_empty--;
		s->next = empty;
		empty = s;
	}
	spin_unlock_irqrestore(&c->lock, fl);
	while (empty) {
		struct slab *s = empty;

		empty = s->next;
		slab_release(s);
	}
}

size_t slab_cache_inuse(struct slab_cache *c)
{
	irqflags_t fl = spin_lock_irqsave(&c->lock);
	size_t n = c->nr_inuse;

	spin_unlock_irqrestore(&c->lock, fl);
	return n;
}

size_t slab_snapshot(struct slab_info *out, size_t max)
{
	struct slab_cache *list[64];
	size_t n = 0, total = 0;
	irqflags_t fl = spin_lock_irqsave(&slab_caches_lock);

	/* Collect under the list lock, read each under its own lock after (the order is
	 * slab_cache.lock -> slab_caches_lock). As in slab_shrink_all(), no cache may be
	 * destroyed meanwhile. */
	for (struct slab_cache *c = slab_caches; c; c = c->next_cache, total++)
		if (n < max && n < sizeof(list) / sizeof(list[0]))
			list[n++] = c;
	spin_unlock_irqrestore(&slab_caches_lock, fl);
	for (size_t i = 0; i < n; i++) {
		struct slab_cache *c = list[i];
		unsigned order = preferred_order(c);

		fl = spin_lock_irqsave(&c->lock);
		out[i] = (struct slab_info){
			.name = c->name, .size = c->size, .objs_per_slab = objs_per_slab(c, order),
			.pages_per_slab = 1u << order, .inuse = c->nr_inuse, .slabs = c->nr_slabs,
		};
		spin_unlock_irqrestore(&c->lock, fl);
	}
	return total;
}

struct slab_cache *slab_cache_create(const char *name, size_t size, size_t align)
{
	if (align == 0)
		align = 8;
	if (align & (align - 1) || align > PAGE_SIZE || size > 16 * 1024)
		return NULL;
	if (align < 8)
		align = 8;      /* a free object holds a pointer */
	if (size < 8)
		size = 8;
	size = (size + align - 1) & ~(align - 1);

	struct slab_cache *c = kzalloc(sizeof(*c));

	if (!c)
		return NULL;
	c->name = name;
	c->size = (uint32_t)size;
	c->align = (uint32_t)align;
	c->dynamic = true;
	spin_init(&c->lock, name);
	return c;
}

void slab_cache_destroy(struct slab_cache *c)
{
	slab_cache_shrink(c);
	if (c->nr_slabs)
		panic("slab_cache_destroy: %s still has %zu objects in use", c->name,
		      c->nr_inuse);
	irqflags_t fl = spin_lock_irqsave(&slab_caches_lock);

	for (struct slab_cache **pp = &slab_caches; *pp; pp = &(*pp)->next_cache) {
		if (*pp == c) {
			*pp = c->next_cache;
			break;
		}
	}
	c->registered = false;
	spin_unlock_irqrestore(&slab_caches_lock, fl);
	if (c->dynamic)
		kfree(c);
}

/* ---- kmalloc ---------------------------------------------------------------- */

/*
 * Size classes. Powers of two are aligned to their size (a 64-byte object
 * never straddles a cache line); 48, 96 and 192 cut the waste of the common
 * sizes between powers. Every kmalloc() pointer is at least 16-byte aligned.
 */
static struct slab_cache kmalloc_caches[] = {
	SLAB_CACHE_INIT("kmalloc-16", 16, 16),
	SLAB_CACHE_INIT("kmalloc-32", 32, 32),
	SLAB_CACHE_INIT("kmalloc-48", 48, 16),
	SLAB_CACHE_INIT("kmalloc-64", 64, 64),
	SLAB_CACHE_INIT("kmalloc-96", 96, 32),
	SLAB_CACHE_INIT("kmalloc-128", 128, 128),
	SLAB_CACHE_INIT("kmalloc-192", 192, 64),
	SLAB_CACHE_INIT("kmalloc-256", 256, 256),
	SLAB_CACHE_INIT("kmalloc-512", 512, 512),
	SLAB_CACHE_INIT("kmalloc-1024", 1024, 1024),
	SLAB_CACHE_INIT("kmalloc-2048", 2048, 2048),
};

/* kmalloc_caches index by (size + 15) / 16, for sizes up to 256. */
static const uint8_t small_class[17] = {
	0, 0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7,
};

static struct slab_cache *kmalloc_cache(size_t size)
{
	if (size <= 256)
		return &kmalloc_caches[small_class[(size + 15) >> 4]];
	if (size <= 512)
		return &kmalloc_caches[8];
	if (size <= 1024)
		return &kmalloc_caches[9];
	return &kmalloc_caches[10];
}

/*
 * kmalloc(0) returns a unique smallest object (like malloc(0) in glibc), so
 * NULL from kmalloc always means out of memory; kfree() takes it back.
 * Above the largest class: whole pages, 2^order of them, page-aligned.
 */
void *kmalloc(size_t size)
{
	if (size <= KMALLOC_MAX_CLASS)
		return slab_alloc(kmalloc_cache(size));
	if (size > (PAGE_SIZE << PAGE_MAX_ORDER))
		return NULL;

	unsigned order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	void *p = page_alloc_order_nozero(order);

	if (p)
		page_meta(p)->use = PGU_KMALLOC;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct page *pg = page_meta(p);

	if (pg && pg->use == PGU_SLAB) {
		slab_free_obj(pg->owner, p, "kfree");
		return;
	}
	if (!pg || pg->use != PGU_KMALLOC || ((uintptr_t)p & (PAGE_SIZE - 1)))
		panic("kfree: %p was not returned by kmalloc", p);
	pg->use = PGU_NONE;
	page_free_order(p, pg->order);
}

void slab_shrink_all(void)
{
	/*
	 * The list only grows at its head and a listed cache's link changes only
	 * in slab_cache_destroy(), so the walk from a snapshot of the head needs
	 * no lock; a cache must not be destroyed while this runs.
	 */
	irqflags_t fl = spin_lock_irqsave(&slab_caches_lock);
	struct slab_cache *c = slab_caches;

	spin_unlock_irqrestore(&slab_caches_lock, fl);
	for (; c; c = c->next_cache)
		slab_cache_shrink(c);
}
