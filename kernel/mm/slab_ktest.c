// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the slab caches and kmalloc (suite `slab`). The panicking
 * paths (double free, foreign pointers) are covered by tests/unit/test_page.c.
 */
#include <stdbool.h>

#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "lib/string.h"

static size_t settled_free_count(void)
{
	slab_shrink_all();
	page_drain_caches();
	return page_free_count();
}

static bool bytes_are(const void *p, int v, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)v)
			return false;
	return true;
}

static const size_t sizes[] = { 1,   8,   16,  17,  32,  48,   64,   80,   96,  128,
				160, 192, 256, 300, 512, 1000, 1024, 2000, 2048 };

KTEST(slab, each_class_keeps_patterns_and_alignment)
{
	enum { N = 500 };
	size_t start = settled_free_count();
	unsigned char **p = kmalloc(N * sizeof(*p));

	ASSERT(p != NULL);
	for (size_t c = 0; c < sizeof(sizes) / sizeof(sizes[0]); c++) {
		size_t sz = sizes[c], align = 16, bad = 0, misaligned = 0;

		if (sz >= 16 && !(sz & (sz - 1)))
			align = sz; /* powers of two are naturally aligned */
		for (int i = 0; i < N; i++) {
			p[i] = kmalloc(sz);
			ASSERT(p[i] != NULL);
			if ((uintptr_t)p[i] & (align - 1))
				misaligned++;
			memset(p[i], (i * 13 + (int)c) & 0xff, sz);
		}
		for (int i = 0; i < N; i++)
			if (!bytes_are(p[i], (i * 13 + (int)c) & 0xff, sz))
				bad++;
		EXPECT(misaligned == 0);
		EXPECT(bad == 0);
		for (int i = 0; i < N; i += 2)
			kfree(p[i]);
		for (int i = 1; i < N; i += 2)
			kfree(p[i]);
	}
	kfree(p);
	EXPECT(settled_free_count() == start);
}

KTEST(slab, kmalloc_zero_is_unique_and_kfree_null_is_noop)
{
	void *a = kmalloc(0), *b = kmalloc(0);

	EXPECT(a != NULL && b != NULL && a != b);
	kfree(a);
	kfree(b);
	kfree(NULL);
}

KTEST(slab, kzalloc_is_zeroed)
{
	for (int round = 0; round < 2; round++) {
		unsigned char *p = kzalloc(200), *q = kzalloc(3 * PAGE_SIZE + 1);

		ASSERT(p != NULL && q != NULL);
		EXPECT(bytes_are(p, 0, 200));
		EXPECT(bytes_are(q, 0, 3 * PAGE_SIZE + 1));
		memset(p, 0xff, 200);
		memset(q, 0xff, 3 * PAGE_SIZE + 1);
		kfree(p);
		kfree(q);
	}
}

KTEST(slab, large_kmalloc_takes_whole_pages)
{
	size_t start = settled_free_count();
	void *p = kmalloc(PAGE_SIZE + 1);

	ASSERT(p != NULL);
	EXPECT(((uintptr_t)p & (PAGE_SIZE - 1)) == 0);
	EXPECT(page_free_count() == start - 2);
	kfree(p);
	p = kmalloc(PAGE_SIZE << PAGE_MAX_ORDER);
	EXPECT(p != NULL);
	kfree(p);
	EXPECT(kmalloc((PAGE_SIZE << PAGE_MAX_ORDER) + 1) == NULL);
	EXPECT(kmalloc(~(size_t)0) == NULL);
	EXPECT(settled_free_count() == start);
}

KTEST(slab, exhaustion_returns_null_then_recovers)
{
	size_t start = settled_free_count(), n = 0, bad = 0;
	void **head = NULL, **p;

	while ((p = kmalloc(256))) {
		p[1] = (void *)~(uintptr_t)p;
		*p = head;
		head = p;
		n++;
	}
	/* 15 objects per page; metadata and the partial slabs cost a little. */
	EXPECT(n >= start / 10 * 9 * (PAGE_SIZE / 256 - 1));
	EXPECT(page_alloc() == NULL);
	while (head) {
		void **next = *head;

		if (head[1] != (void *)~(uintptr_t)head)
			bad++;
		kfree(head);
		head = next;
	}
	EXPECT(bad == 0);
	EXPECT(settled_free_count() == start);
	p = kmalloc(256);
	EXPECT(p != NULL);
	kfree(p);
}

KTEST(slab, typed_cache_alignment_and_destroy)
{
	enum { N = 1000 };
	size_t start = settled_free_count(), misaligned = 0, bad = 0;
	struct slab_cache *c = slab_cache_create("ktest-40", 40, 64);
	void **obj = kmalloc(N * sizeof(*obj));

	ASSERT(c != NULL && obj != NULL);
	for (int i = 0; i < N; i++) {
		obj[i] = slab_alloc(c);
		ASSERT(obj[i] != NULL);
		if ((uintptr_t)obj[i] & 63)
			misaligned++;
		memset(obj[i], i & 0xff, 40);
	}
	EXPECT(slab_cache_inuse(c) == N);
	for (int i = 0; i < N; i++)
		if (!bytes_are(obj[i], i & 0xff, 40))
			bad++;
	EXPECT(misaligned == 0);
	EXPECT(bad == 0);
	for (int i = N - 1; i >= 0; i--)
		slab_free(c, obj[i]);
	EXPECT(slab_cache_inuse(c) == 0);
	slab_cache_destroy(c);
	kfree(obj);
	EXPECT(settled_free_count() == start);
	EXPECT(slab_cache_create("bad-align", 64, 48) == NULL);
}
