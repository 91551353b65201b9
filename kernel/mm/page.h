/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator: a binary buddy allocator over every free RAM range,
 * with a small per-hart cache of order-0 pages in front of it, and a compact
 * per-page metadata array (struct page) holding reference counts for
 * copy-on-write and the owner of slab pages.
 *
 * Pages are named by their kernel virtual address in the direct map
 * (pa_to_va() of kernel/mm/layout.h). Every function here may be called from
 * any hart and from interrupt context. Out of memory returns NULL; it never
 * panics. Freeing a page that is not allocated (double free, a page never
 * handed out, a page that is still shared, a slab page) is a kernel bug and
 * panics.
 */
#ifndef KERNEL_MM_PAGE_H
#define KERNEL_MM_PAGE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/mm/layout.h"

/* Largest order page_alloc_order() accepts: 2^10 pages = 4 MiB. */
#define PAGE_MAX_ORDER 10

/* Lifecycle of one physical page, as recorded in struct page.state. */
enum page_state {
	PG_TAIL = 0,    /* not the head of a block (inside a free or allocated one) */
	PG_FREE,        /* head of a free buddy block of `order` */
	PG_CACHED,      /* free, in a hart's order-0 cache */
	PG_ALLOC,       /* head of an allocated block of `order` */
	PG_RESERVED,    /* never allocatable (holds the metadata array itself) */
};

/* Who uses an allocated page (struct page.use); the allocator only checks it. */
enum page_use {
	PGU_NONE = 0,   /* a plain page_alloc*() page */
	PGU_SLAB,       /* part of a slab; owner = its struct slab */
	PGU_KMALLOC,    /* head of a kmalloc() allocation above the largest class */
};

/*
 * One per physical page of every range, 16 bytes.
 * Legend: A atomic; Z under the zone lock or the lock of the hart cache the
 * page sits in (free pages); O written by whoever owns the allocated page.
 */
struct page {
	atomic_uint ref;        /* A: 0 when not allocated; >= 1 when allocated */
	uint8_t state;          /* Z: enum page_state */
	uint8_t order;          /* Z: block order when state is FREE or ALLOC */
	uint8_t use;            /* O: enum page_use */
	uint8_t reserved_;
	void *owner;            /* O: the struct slab when use == PGU_SLAB */
};
_Static_assert(sizeof(struct page) <= 16, "struct page must stay compact");

/*
 * Boot: hand the free physical range [start, end) to the allocator; the
 * partial pages at either end are ignored. May be called several times with
 * disjoint ranges (holes between them are never touched). The range's own
 * metadata array is carved from its first pages. Ranges must not overlap.
 */
void page_add_range(paddr_t start, paddr_t end);

/* One zero-filled 4 KiB page (refcount 1), or NULL when memory is exhausted. */
void *page_alloc(void);
/*
 * 2^order contiguous zero-filled pages, aligned to their size (physically and
 * so in the direct map), refcount 1; NULL when no such block is free or
 * order > PAGE_MAX_ORDER.
 */
void *page_alloc_order(unsigned order);
/* As page_alloc_order() but the contents are left as they are: for callers
 * that overwrite every byte at once (a copy-on-write copy, a slab). */
void *page_alloc_order_nozero(unsigned order);

/* Free a block from page_alloc*(); its refcount must be exactly 1. */
void page_free(void *va);
void page_free_order(void *va, unsigned order);

/*
 * Reference counts (for copy-on-write sharing). va may point anywhere inside
 * the head page of an allocated block. page_ref_put() frees the block when
 * the count drops to zero.
 */
void page_ref_get(void *va);
void page_ref_put(void *va);
unsigned page_ref_count(const void *va);

/* The same with the head page's metadata already at hand (page_meta(va)):
 * for the page cache, which keeps it, on every read. */
void page_ref_get_pg(struct page *pg);
void page_ref_put_pg(void *va, struct page *pg);

/* The metadata of the page holding va, or NULL if va is not managed RAM. */
struct page *page_meta(const void *va);

/*
 * A function that frees cached memory (the page cache's reclaim) when an
 * allocation is about to fail: it returns how many pages it freed. It may
 * be called from any context and under any lock, so it must only trylock.
 */
void page_set_reclaim(size_t (*fn)(size_t want));

/* Pages currently free (in the buddy lists and in every hart's cache). */
size_t page_free_count(void);
/* Pages managed by the allocator (every range, minus their metadata). */
size_t page_total_count(void);

/*
 * Return every hart's cached order-0 pages to the buddy lists so they can
 * merge again. Done automatically before reporting exhaustion; tests call it
 * to check that every page merged back.
 */
void page_drain_caches(void);

#endif
