/* SPDX-License-Identifier: MIT */
/*
 * Slab caches: fixed-size objects carved from blocks of pages. kmalloc()
 * (kernel/mm/kmalloc.h) is built on one cache per size class; subsystems with
 * many objects of one type (tasks, processes) may make their own cache.
 *
 * A slab is 2^order pages whose first bytes hold a struct slab header, then
 * the objects. Every page of a slab records the slab in its struct page, so
 * freeing a pointer finds its slab and cache without a search. Free objects
 * are chained through their first word; a bitmap of the objects in use makes
 * a double free or a stray pointer panic at once.
 *
 * Any context, any hart. Allocation returns NULL when pages run out.
 */
#ifndef KERNEL_MM_SLAB_H
#define KERNEL_MM_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/spinlock.h"

struct slab;

/*
 * Legend: I set at creation; L:lock under the cache's lock.
 */
struct slab_cache {
	const char *name;       /* I */
	uint32_t size;          /* I: object stride, a multiple of align */
	uint32_t align;         /* I: power of two, >= 8 */
	bool dynamic;           /* I: from slab_cache_create(), freed by destroy */
	struct spinlock lock;
	struct slab *partial;   /* L:lock: slabs with a free object, doubly linked */
	size_t nr_slabs;        /* L:lock: slabs owned, full ones included */
	size_t nr_empty;        /* L:lock: slabs with no object in use */
	size_t nr_inuse;        /* L:lock: objects handed out */
	struct slab_cache *next_cache; /* L:slab_caches_lock: every cache that grew */
	bool registered;        /* L:slab_caches_lock */
};

/*
 * A cache defined statically (no allocation needed, usable before anything
 * else is up). size and align as for slab_cache_create(), but already
 * normalized: align a power of two >= 8 and size a multiple of it.
 */
#define SLAB_CACHE_INIT(name_, size_, align_)                                  \
	{                                                                      \
		.name = (name_), .size = (size_), .align = (align_),           \
		.lock = SPINLOCK_INIT(name_),                                  \
	}

/*
 * A cache of objects of `size` bytes aligned to `align` (0: 8; otherwise a
 * power of two up to PAGE_SIZE). Returns NULL when out of memory or when an
 * object cannot fit a slab (size above 16 KiB).
 */
struct slab_cache *slab_cache_create(const char *name, size_t size, size_t align);
/* Free a created cache; every object must have been freed (panics if not). */
void slab_cache_destroy(struct slab_cache *c);

/* An object (contents undefined), or NULL when out of memory. */
void *slab_alloc(struct slab_cache *c);
/* Free an object of c; p == NULL is a no-op. Panics if p is not c's object. */
void slab_free(struct slab_cache *c, void *p);

/* Give the pages of c's empty slabs back to the page allocator. */
void slab_cache_shrink(struct slab_cache *c);
/* Same for every cache that has ever held a slab (tests, memory pressure). */
void slab_shrink_all(void);

/* Objects of c currently allocated (a snapshot). */
size_t slab_cache_inuse(struct slab_cache *c);

/* One cache's figures, as /proc/slabinfo shows them (a snapshot). */
struct slab_info {
	const char *name;
	uint32_t size;          /* object stride */
	uint32_t objs_per_slab; /* at the preferred order */
	uint32_t pages_per_slab;
	size_t inuse;           /* objects handed out */
	size_t slabs;           /* slabs owned */
};
/* Fill out[0..max) with the caches that have ever held a slab; returns how many there are
 * (possibly more than max). */
size_t slab_snapshot(struct slab_info *out, size_t max);

#endif
