// SPDX-License-Identifier: MIT
/*
 * Host tests of the page allocator and slab (kernel/mm/page.c, slab.c) over a
 * fake RAM array (tests/unit/mm_host.c), under ASan+UBSan. Threads stand in
 * for harts; a panic is a cmocka assertion, so "this must panic" is
 * expect_assert_failure().
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/arch.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "tests/unit/mm_host.h"

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- page allocator ----------------------------------------------------------- */

static void test_page_total_excludes_metadata_and_partial_pages(void **state)
{
	(void)state;
	size_t pages0 = (PAGE_ALIGN_DOWN((uintptr_t)mm_r0_hi) - PAGE_ALIGN_UP((uintptr_t)mm_r0_lo)) /
			PAGE_SIZE;
	size_t pages1 = (PAGE_ALIGN_DOWN((uintptr_t)mm_r1_hi) - PAGE_ALIGN_UP((uintptr_t)mm_r1_lo)) /
			PAGE_SIZE;
	size_t meta = (pages0 * sizeof(struct page) + PAGE_SIZE - 1) / PAGE_SIZE +
		      (pages1 * sizeof(struct page) + PAGE_SIZE - 1) / PAGE_SIZE;

	assert_int_equal(page_total_count(), pages0 + pages1 - meta);
}

static void test_page_exhaust_returns_null_and_free_restores_count(void **state)
{
	(void)state;
	size_t start = mm_settled_free_count(), n = 0;
	void **head = NULL;
	void *p;

	while ((p = page_alloc())) {
		assert_true(mm_in_ranges(p, PAGE_SIZE));
		assert_true(mm_all_bytes(p, 0, PAGE_SIZE));
		memset(p, (int)(n & 0xff), PAGE_SIZE);
		*(void ***)p = head;
		head = p;
		n++;
	}
	assert_int_equal(n, start);
	assert_int_equal(page_free_count(), 0);
	assert_null(page_alloc());
	assert_null(page_alloc_order(1));
	assert_null(kmalloc(8192));

	/* No page was handed out twice: each still holds its own pattern. */
	for (size_t i = n; head; i--) {
		void **next = *head;

		assert_true(mm_all_bytes((char *)head + sizeof(void *), (int)((i - 1) & 0xff),
				      PAGE_SIZE - sizeof(void *)));
		page_free(head);
		head = next;
	}
	assert_int_equal(mm_settled_free_count(), start);
	/* Everything merged back: the largest blocks exist again. */
	p = page_alloc_order(PAGE_MAX_ORDER);
	assert_non_null(p);
	page_free_order(p, PAGE_MAX_ORDER);
}

static void test_page_orders_are_naturally_aligned_and_zeroed(void **state)
{
	(void)state;
	size_t start = mm_settled_free_count();

	for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++) {
		unsigned char *p = page_alloc_order(o);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p & ((PAGE_SIZE << o) - 1), 0);
		assert_int_equal(va_to_pa(p) & ((PAGE_SIZE << o) - 1), 0);
		assert_true(mm_in_ranges(p, PAGE_SIZE << o));
		assert_true(mm_all_bytes(p, 0, PAGE_SIZE << o));
		assert_int_equal(page_ref_count(p), 1);
		memset(p, 0xee, PAGE_SIZE << o);
		page_free_order(p, o);
	}
	assert_null(page_alloc_order(PAGE_MAX_ORDER + 1));
	assert_int_equal(mm_settled_free_count(), start);
}

struct block {
	unsigned char *p;
	unsigned order;
	unsigned char tag;
};

static void test_page_mixed_orders_never_overlap(void **state)
{
	(void)state;
	size_t start = mm_settled_free_count(), n = 0, cap = 1 << 16;
	struct block *b = calloc(cap, sizeof(*b));

	assert_non_null(b);
	for (;;) {
		unsigned o = (unsigned)(rng() % 6);
		unsigned char *p = page_alloc_order_nozero(o);

		if (!p) {
			if (o == 0)
				break;
			continue;
		}
		assert_int_equal((uintptr_t)p & ((PAGE_SIZE << o) - 1), 0);
		assert_true(mm_in_ranges(p, PAGE_SIZE << o));
		assert_true(n < cap);
		b[n] = (struct block){ .p = p, .order = o, .tag = (unsigned char)(n * 7 + 1) };
		memset(p, b[n].tag, PAGE_SIZE << o);
		n++;
	}
	assert_int_equal(page_free_count(), 0);
	for (size_t i = 0; i < n; i++)
		assert_true(mm_all_bytes(b[i].p, b[i].tag, PAGE_SIZE << b[i].order));
	/* Free in a shuffled order so merges happen in every pattern. */
	for (size_t i = n; i > 1; i--) {
		size_t j = rng() % i;
		struct block t = b[i - 1];

		b[i - 1] = b[j];
		b[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		page_free_order(b[i].p, b[i].order);
	free(b);
	assert_int_equal(mm_settled_free_count(), start);
	void *p = page_alloc_order(PAGE_MAX_ORDER);

	assert_non_null(p);
	page_free_order(p, PAGE_MAX_ORDER);
}

static void test_page_refcount_frees_at_zero(void **state)
{
	(void)state;
	size_t start = mm_settled_free_count();
	unsigned char *p = page_alloc();

	assert_non_null(p);
	assert_int_equal(page_ref_count(p), 1);
	page_ref_get(p + 100);
	page_ref_get(p);
	assert_int_equal(page_ref_count(p), 3);
	page_ref_put(p);
	page_ref_put(p);
	assert_int_equal(page_ref_count(p), 1);
	assert_int_equal(page_free_count(), start - 1);
	page_ref_put(p);
	assert_int_equal(page_free_count(), start);
	assert_int_equal(page_ref_count(p), 0);
	expect_assert_failure(page_ref_put(p));
	expect_assert_failure(page_ref_get(p));
}

static void test_page_double_free_panics(void **state)
{
	(void)state;
	void *p = page_alloc(), *q = page_alloc_order(2);

	assert_non_null(p);
	assert_non_null(q);
	page_free(p);
	expect_assert_failure(page_free(p));
	page_free_order(q, 2);
	expect_assert_failure(page_free_order(q, 2));
	/* After draining, p sits in a buddy list rather than a hart cache. */
	page_drain_caches();
	expect_assert_failure(page_free(p));
}

static void test_page_bad_frees_panic(void **state)
{
	(void)state;
	static char not_ram[2 * PAGE_SIZE];
	unsigned char *p = page_alloc_order(2);

	assert_non_null(p);
	expect_assert_failure(page_free(p + PAGE_SIZE));        /* a tail page */
	expect_assert_failure(page_free(p + 8));                /* not the start */
	expect_assert_failure(page_free_order(p, 1));           /* wrong order */
	expect_assert_failure(page_free(not_ram));              /* not managed */
	assert_null(page_meta(not_ram));
	/* Never handed out: the metadata pages at the start of a range. */
	expect_assert_failure(page_free((void *)PAGE_ALIGN_UP((uintptr_t)mm_r0_lo)));
	page_free_order(p, 2);
}

static void test_page_free_of_shared_page_panics(void **state)
{
	(void)state;
	void *p = page_alloc();

	assert_non_null(p);
	page_ref_get(p);
	expect_assert_failure(page_free(p));
	/* The page is now leaked (refcount cleared by the failed free): fine here. */
}

static void test_page_hole_and_edges_untouched(void **state)
{
	(void)state;
	unsigned char *hole_lo = (unsigned char *)PAGE_ALIGN_DOWN((uintptr_t)mm_r0_hi);

	assert_true(mm_all_bytes(mm_ram, MM_CANARY, (size_t)(mm_r0_lo - mm_ram)));
	assert_true(mm_all_bytes(hole_lo, MM_CANARY, (size_t)(mm_r1_lo - hole_lo)));
	assert_true(mm_all_bytes(mm_r1_hi, MM_CANARY, (size_t)(mm_ram + MM_RAM_SIZE - mm_r1_hi)));
}

/* ---- harts in parallel ---------------------------------------------------------- */

#define STRESS_HARTS 4
#define STRESS_ROUNDS 20000
#define STRESS_SLOTS 64

struct stress_slot {
	void *p;
	size_t size;            /* 0: a page block of `order` */
	unsigned order;
	unsigned char tag;
};

static void *stress_hart(void *arg)
{
	struct stress_slot slot[STRESS_SLOTS] = { 0 };
	uint64_t r = 0x9e3779b97f4a7c15ULL * ((uintptr_t)arg + 1);
	long bad = 0;

	mm_this_hart = (unsigned)(uintptr_t)arg;
	for (int round = 0; round < STRESS_ROUNDS; round++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		struct stress_slot *s = &slot[r % STRESS_SLOTS];

		if (s->p) {
			size_t bytes = s->size ? s->size : PAGE_SIZE << s->order;

			if (!mm_all_bytes(s->p, s->tag, bytes))
				bad++;
			if (s->size)
				kfree(s->p);
			else
				page_free_order(s->p, s->order);
			s->p = NULL;
			continue;
		}
		s->tag = (unsigned char)(r >> 8);
		if ((r >> 16) & 1) {
			s->size = 1 + (r >> 20) % 3000;
			s->p = kmalloc(s->size);
		} else {
			s->size = 0;
			s->order = (r >> 20) % 3;
			s->p = page_alloc_order_nozero(s->order);
		}
		if (s->p)
			memset(s->p, s->tag, s->size ? s->size : PAGE_SIZE << s->order);
	}
	for (int i = 0; i < STRESS_SLOTS; i++) {
		if (!slot[i].p)
			continue;
		if (slot[i].size)
			kfree(slot[i].p);
		else
			page_free_order(slot[i].p, slot[i].order);
	}
	return (void *)bad;
}

static void test_page_and_slab_parallel_harts_keep_data_and_count(void **state)
{
	(void)state;
	size_t start = mm_settled_free_count();
	pthread_t t[STRESS_HARTS];

	for (uintptr_t h = 0; h < STRESS_HARTS; h++)
		assert_int_equal(pthread_create(&t[h], NULL, stress_hart, (void *)h), 0);
	for (int h = 0; h < STRESS_HARTS; h++) {
		void *bad;

		assert_int_equal(pthread_join(t[h], &bad), 0);
		assert_int_equal((long)bad, 0);
	}
	assert_int_equal(mm_settled_free_count(), start);
}

/* ---- slab and kmalloc ----------------------------------------------------------- */

static const size_t class_sizes[] = { 1, 16, 17, 32, 48, 64, 80, 96, 128, 160,
				      192, 256, 300, 512, 1000, 1024, 2000, 2048 };

static void test_kmalloc_each_class_patterns_alignment_and_count(void **state)
{
	(void)state;
	size_t start = mm_settled_free_count();
	enum { N = 600 };
	unsigned char **p = calloc(N, sizeof(*p));

	assert_non_null(p);
	for (size_t c = 0; c < sizeof(class_sizes) / sizeof(class_sizes[0]); c++) {
		size_t sz = class_sizes[c];
		size_t align = 16;

		/* Powers of two are naturally aligned. */
		if (sz >= 16 && !(sz & (sz - 1)))
			align = sz;
		for (int i = 0; i < N; i++) {
			p[i] = kmalloc(sz);
			assert_non_null(p[i]);
			assert_int_equal((uintptr_t)p[i] & (align - 1), 0);
			assert_true(mm_in_ranges(p[i], sz));
			memset(p[i], i & 0xff, sz);
		}
		for (int i = 0; i < N; i++)
			assert_true(mm_all_bytes(p[i], i & 0xff, sz));
		/* Free every other one first, then the rest. */
		for (int i = 0; i < N; i += 2)
			kfree(p[i]);
		for (int i = 1; i < N; i += 2)
			kfree(p[i]);
	}
	free(p);
	assert_int_equal(mm_settled_free_count(), start);
}

static void test_kmalloc_zero_is_unique_and_kfree_null_is_noop(void **state)
{
	(void)state;
	void *a = kmalloc(0), *b = kmalloc(0);

	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	kfree(a);
	kfree(b);
	kfree(NULL);
}

static void test_kmalloc_large_uses_pages_and_limits(void **state)
{
	(void)state;
	size_t start = mm_settled_free_count();
	unsigned char *p = kmalloc(2049 + 4096);

	assert_non_null(p);
	assert_int_equal((uintptr_t)p & (PAGE_SIZE - 1), 0);
	assert_int_equal(page_free_count(), start - 2);
	memset(p, 1, 2049 + 4096);
	expect_assert_failure(page_free_order(p, 1)); /* kmalloc owns it */
	kfree(p);
	assert_int_equal(mm_settled_free_count(), start);

	p = kmalloc(PAGE_SIZE << PAGE_MAX_ORDER);
	assert_non_null(p);
	kfree(p);
	assert_null(kmalloc((PAGE_SIZE << PAGE_MAX_ORDER) + 1));
	assert_null(kmalloc(SIZE_MAX));
}

static void test_kzalloc_returns_zeroed_memory(void **state)
{
	(void)state;
	for (int round = 0; round < 2; round++) {
		unsigned char *p = kzalloc(200), *q = kzalloc(10000);

		assert_non_null(p);
		assert_non_null(q);
		assert_true(mm_all_bytes(p, 0, 200));
		assert_true(mm_all_bytes(q, 0, 10000));
		memset(p, 0xff, 200);
		memset(q, 0xff, 10000);
		kfree(p);
		kfree(q);
	}
}

static void test_kfree_bad_pointers_panic(void **state)
{
	(void)state;
	static char not_ram[64];
	unsigned char *p = kmalloc(64), *pg = page_alloc();

	assert_non_null(p);
	assert_non_null(pg);
	expect_assert_failure(kfree(p + 8));    /* inside an object */
	expect_assert_failure(kfree(not_ram));  /* not RAM */
	expect_assert_failure(kfree(pg));       /* a page_alloc() page */
	kfree(p);
	expect_assert_failure(kfree(p));        /* double free */
	page_free(pg);
}

static void test_slab_exhaustion_returns_null_then_recovers(void **state)
{
	(void)state;
	size_t start = mm_settled_free_count(), n = 0;
	void **head = NULL, **p;

	while ((p = kmalloc(256))) {
		p[1] = (void *)~(uintptr_t)p;
		*p = head;
		head = p;
		n++;
	}
	assert_true(n > start * (PAGE_SIZE / 256) * 9 / 10);
	assert_null(kmalloc(16)); /* no page left for a new slab of any class */
	while (head) {
		void **next = *head;

		assert_ptr_equal(head[1], (void *)~(uintptr_t)head);
		kfree(head);
		head = next;
	}
	assert_int_equal(mm_settled_free_count(), start);
	p = kmalloc(256);
	assert_non_null(p);
	kfree(p);
}

static void test_slab_cache_typed_alignment_and_wrong_cache_panics(void **state)
{
	(void)state;
	size_t start = mm_settled_free_count();
	struct slab_cache *c = slab_cache_create("test-40", 40, 64);
	struct slab_cache *d = slab_cache_create("test-24", 24, 0);
	enum { N = 1000 };
	void *obj[N];

	assert_non_null(c);
	assert_non_null(d);
	for (int i = 0; i < N; i++) {
		obj[i] = slab_alloc(c);
		assert_non_null(obj[i]);
		assert_int_equal((uintptr_t)obj[i] & 63, 0);
		memset(obj[i], i & 0xff, 40);
	}
	assert_int_equal(slab_cache_inuse(c), N);
	for (int i = 0; i < N; i++)
		assert_true(mm_all_bytes(obj[i], i & 0xff, 40));
	void *x = slab_alloc(d);

	assert_non_null(x);
	assert_int_equal((uintptr_t)x & 7, 0);
	expect_assert_failure(slab_free(d, obj[0]));
	expect_assert_failure(slab_cache_destroy(d));
	slab_free(d, x);
	slab_free(d, NULL);
	for (int i = 0; i < N; i++)
		slab_free(c, obj[i]);
	expect_assert_failure(slab_free(c, obj[0]));
	assert_int_equal(slab_cache_inuse(c), 0);
	slab_cache_destroy(c);
	slab_cache_destroy(d);
	assert_int_equal(mm_settled_free_count(), start);
	assert_null(slab_cache_create("bad-align", 64, 48));
	assert_null(slab_cache_create("too-big", 64 * 1024, 8));
}

static void test_slab_big_objects_fall_back_to_smaller_slabs(void **state)
{
	(void)state;
	/* Take every block of order >= 1 so a 2048 slab can only be one page. */
	size_t start = mm_settled_free_count();
	void **singles = NULL, *p;
	size_t kept = 0;

	while ((p = page_alloc_order_nozero(1))) {
		*(void **)p = singles;
		singles = p;
		kept++;
	}
	assert_true(kept > 0);
	void *obj = kmalloc(2048);

	assert_non_null(obj);
	assert_int_equal((uintptr_t)obj & 2047, 0);
	kfree(obj);
	while (singles) {
		void **next = *singles;

		page_free_order(singles, 1);
		singles = next;
	}
	assert_int_equal(mm_settled_free_count(), start);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_total_excludes_metadata_and_partial_pages),
		cmocka_unit_test(test_page_exhaust_returns_null_and_free_restores_count),
		cmocka_unit_test(test_page_orders_are_naturally_aligned_and_zeroed),
		cmocka_unit_test(test_page_mixed_orders_never_overlap),
		cmocka_unit_test(test_page_refcount_frees_at_zero),
		cmocka_unit_test(test_page_double_free_panics),
		cmocka_unit_test(test_page_bad_frees_panic),
		cmocka_unit_test(test_page_free_of_shared_page_panics),
		cmocka_unit_test(test_page_and_slab_parallel_harts_keep_data_and_count),
		cmocka_unit_test(test_kmalloc_each_class_patterns_alignment_and_count),
		cmocka_unit_test(test_kmalloc_zero_is_unique_and_kfree_null_is_noop),
		cmocka_unit_test(test_kmalloc_large_uses_pages_and_limits),
		cmocka_unit_test(test_kzalloc_returns_zeroed_memory),
		cmocka_unit_test(test_kfree_bad_pointers_panic),
		cmocka_unit_test(test_slab_exhaustion_returns_null_then_recovers),
		cmocka_unit_test(test_slab_cache_typed_alignment_and_wrong_cache_panics),
		cmocka_unit_test(test_slab_big_objects_fall_back_to_smaller_slabs),
		cmocka_unit_test(test_page_hole_and_edges_untouched),
	};

	return cmocka_run_group_tests_name("page", tests, mm_setup_ram, mm_teardown_ram);
}
