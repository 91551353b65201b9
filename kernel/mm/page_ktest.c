// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the page allocator (suite `page`), on the real RAM map.
 * The panicking paths (double free, bad pointers) are covered by the host
 * tests in tests/unit/test_page.c, since a panic here would end the run.
 */
#include <stdbool.h>

#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "lib/string.h"

/* Free pages once every hart cache and empty kmalloc slab has been returned. */
static size_t settled_free_count(void)
{
	slab_shrink_all();
	page_drain_caches();
	return page_free_count();
}

static bool words_are(const void *p, uint64_t v, size_t bytes)
{
	const uint64_t *w = p;

	for (size_t i = 0; i < bytes / sizeof(*w); i++)
		if (w[i] != v)
			return false;
	return true;
}

static void fill_words(void *p, uint64_t v, size_t bytes)
{
	uint64_t *w = p;

	for (size_t i = 0; i < bytes / sizeof(*w); i++)
		w[i] = v;
}

/* A pattern no other page shares: its own address, scrambled. */
static uint64_t tag_of(const void *p)
{
	return (uintptr_t)p * 0x9e3779b97f4a7c15ULL;
}

static int dummy_static;

KTEST(page, counts_are_sane)
{
	size_t total = page_total_count(), free = page_free_count();

	EXPECT(total > 0);
	EXPECT(free > 0 && free <= total);
	/* The kernel image is not managed RAM. */
	EXPECT(page_meta(&dummy_static) == NULL);
}

KTEST(page, exhaust_returns_null_and_free_restores_count)
{
	size_t start = settled_free_count(), n = 0, not_zero = 0, overlap = 0;
	void **head = NULL, **p;

	/* The first word of each page links the list; the rest holds the tag. */
	while ((p = page_alloc())) {
		if (!words_are(p, 0, PAGE_SIZE))
			not_zero++;
		fill_words(p, tag_of(p), PAGE_SIZE);
		*p = head;
		head = p;
		n++;
	}
	EXPECT(n == start);
	EXPECT(page_free_count() == 0);
	EXPECT(not_zero == 0);
	EXPECT(page_alloc() == NULL);
	EXPECT(page_alloc_order(1) == NULL);
	EXPECT(kmalloc(3 * PAGE_SIZE) == NULL);

	while (head) {
		void **next = *head;

		if (!words_are(head + 1, tag_of(head), PAGE_SIZE - sizeof(void *)))
			overlap++;
		page_free(head);
		head = next;
	}
	EXPECT(overlap == 0);
	EXPECT(settled_free_count() == start);
	/* Everything merged back into the largest blocks. */
	void *big = page_alloc_order(PAGE_MAX_ORDER);

	EXPECT(big != NULL);
	if (big)
		page_free_order(big, PAGE_MAX_ORDER);
}

KTEST(page, orders_are_naturally_aligned_and_zeroed)
{
	size_t start = settled_free_count();

	for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++) {
		size_t bytes = PAGE_SIZE << o;
		void *p = page_alloc_order(o);

		ASSERT(p != NULL);
		EXPECT(((uintptr_t)p & (bytes - 1)) == 0);
		EXPECT((va_to_pa(p) & (bytes - 1)) == 0);
		EXPECT(words_are(p, 0, bytes));
		EXPECT(page_ref_count(p) == 1);
		EXPECT(page_free_count() == start - (1UL << o));
		fill_words(p, ~0ULL, bytes);
		page_free_order(p, o);
	}
	EXPECT(page_alloc_order(PAGE_MAX_ORDER + 1) == NULL);
	EXPECT(settled_free_count() == start);
}

/* Header kept in the first bytes of each block of the mixed-order test. */
struct block_hdr {
	struct block_hdr *next;
	unsigned order;
};

KTEST(page, mixed_orders_never_overlap)
{
	size_t start = settled_free_count(), blocks = 0, overlap = 0;
	struct block_hdr *head = NULL, *b;
	uint64_t r = 0x2545f4914f6cdd1dULL;

	for (;;) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		unsigned o = (unsigned)(r % 6);

		b = page_alloc_order_nozero(o);
		if (!b) {
			if (o == 0)
				break;
			continue;
		}
		EXPECT(((uintptr_t)b & ((PAGE_SIZE << o) - 1)) == 0);
		fill_words(b, tag_of(b), PAGE_SIZE << o);
		b->next = head;
		b->order = o;
		head = b;
		blocks++;
	}
	EXPECT(page_free_count() == 0);
	EXPECT(blocks > 0);
	/* Check every block, then free them: every other one first, then the rest. */
	for (b = head; b; b = b->next)
		if (!words_are(b + 1, tag_of(b), (PAGE_SIZE << b->order) - sizeof(*b)))
			overlap++;
	EXPECT(overlap == 0);
	for (int pass = 0; pass < 2; pass++) {
		struct block_hdr **link = &head;
		size_t i = 0;

		while ((b = *link)) {
			if (pass == 1 || (i++ & 1)) {
				*link = b->next;
				page_free_order(b, b->order);
			} else {
				link = &b->next;
			}
		}
	}
	EXPECT(head == NULL);
	EXPECT(settled_free_count() == start);
}

KTEST(page, refcount_frees_at_zero)
{
	size_t start = settled_free_count();
	char *p = page_alloc();

	ASSERT(p != NULL);
	EXPECT(page_ref_count(p) == 1);
	page_ref_get(p);
	page_ref_get(p + 123); /* any address inside the page */
	EXPECT(page_ref_count(p) == 3);
	page_ref_put(p);
	page_ref_put(p);
	EXPECT(page_ref_count(p) == 1);
	EXPECT(page_free_count() == start - 1);
	page_ref_put(p);
	EXPECT(page_ref_count(p) == 0);
	EXPECT(page_free_count() == start);

	/* A block of higher order is counted on its head page. */
	p = page_alloc_order(3);
	ASSERT(p != NULL);
	page_ref_get(p);
	page_ref_put(p);
	EXPECT(page_free_count() == start - 8);
	page_ref_put(p);
	EXPECT(settled_free_count() == start);
}

KTEST(page, hart_cache_reuses_last_freed_page)
{
	void *a = page_alloc();

	ASSERT(a != NULL);
	fill_words(a, 0x5a5a5a5a5a5a5a5aULL, PAGE_SIZE);
	page_free(a);
	/* The cache is LIFO, and page_alloc() zero-fills what it hands back. */
	void *b = page_alloc();

	ASSERT(b != NULL);
	EXPECT(b == a);
	EXPECT(words_are(b, 0, PAGE_SIZE));
	page_free(b);
}
