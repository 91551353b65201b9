// SPDX-License-Identifier: MIT
/*
 * lib/radix on the host (ASan+UBSan): random inserts and deletes against a
 * reference model, lookups and in-order iteration after each step, node
 * memory back to zero once the tree is empty, and an allocator that fails
 * on purpose.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/errno.h"
#include "lib/radix.h"

static long live_nodes;
static long fail_after = -1; /* allocations left before one fails; -1: never */

static void *node_alloc(void *arg)
{
	(void)arg;
	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	live_nodes++;
	return malloc(RADIX_NODE_BYTES);
}

static void node_free(void *arg, void *n)
{
	(void)arg;
	live_nodes--;
	free(n);
}

static const struct radix_alloc alloc = { .alloc = node_alloc, .free = node_free };

/* Items are the index with its top bit flipped (never NULL for the indices used). */
static void *item(uint64_t i)
{
	return (void *)(uintptr_t)(i ^ (1ull << 63));
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_radix_single_item_at_zero_needs_no_node(void **state)
{
	struct radix_tree t;

	(void)state;
	radix_init(&t);
	assert_int_equal(radix_insert(&t, 0, item(0), &alloc), 0);
	assert_int_equal(live_nodes, 0);
	assert_ptr_equal(radix_lookup(&t, 0), item(0));
	assert_null(radix_lookup(&t, 1));
	assert_int_equal(radix_insert(&t, 0, item(0), &alloc), -EEXIST);
	assert_int_equal(radix_insert(&t, 5, item(5), &alloc), 0);
	assert_int_equal(live_nodes, 1);
	assert_ptr_equal(radix_delete(&t, 5, &alloc), item(5));
	/* Shrunk back: only index 0 is left, so no node either. */
	assert_int_equal(live_nodes, 0);
	assert_ptr_equal(radix_lookup(&t, 0), item(0));
	assert_ptr_equal(radix_delete(&t, 0, &alloc), item(0));
	assert_true(radix_empty(&t));
}

static void test_radix_huge_index_and_iteration(void **state)
{
	struct radix_tree t;
	uint64_t idx[] = { 3, 64, 4095, 4096, 1ull << 30, (1ull << 52) + 7, UINT64_MAX };
	size_t n = sizeof(idx) / sizeof(idx[0]);

	(void)state;
	radix_init(&t);
	for (size_t i = n; i-- > 0;)
		assert_int_equal(radix_insert(&t, idx[i], item(idx[i]), &alloc), 0);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(radix_lookup(&t, idx[i]), item(idx[i]));
	assert_null(radix_lookup(&t, 4097));
	/* In order, each once. */
	uint64_t at = 0;
	size_t k = 0;
	void *p;

	while ((p = radix_next(&t, &at))) {
		assert_true(k < n);
		assert_int_equal(at, idx[k]);
		assert_ptr_equal(p, item(idx[k]));
		k++;
		if (at == UINT64_MAX)
			break;
		at++;
	}
	assert_int_equal(k, n);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(radix_delete(&t, idx[i], &alloc), item(idx[i]));
	assert_true(radix_empty(&t));
	assert_int_equal(live_nodes, 0);
}

#define MODEL 3000

static void test_radix_random_against_model(void **state)
{
	static bool in[MODEL];
	struct radix_tree t;

	(void)state;
	memset(in, 0, sizeof(in));
	radix_init(&t);
	for (int step = 0; step < 200000; step++) {
		uint64_t i = rnd() % MODEL;

		if (rnd() % 2) {
			int r = radix_insert(&t, i, item(i), &alloc);

			assert_int_equal(r, in[i] ? -EEXIST : 0);
			in[i] = true;
		} else {
			assert_ptr_equal(radix_delete(&t, i, &alloc), in[i] ? item(i) : NULL);
			in[i] = false;
		}
		if (step % 997 == 0) {
			uint64_t at = 0, expect = 0;
			void *p;

			for (uint64_t j = 0; j < MODEL; j++)
				assert_ptr_equal(radix_lookup(&t, j), in[j] ? item(j) : NULL);
			while ((p = radix_next(&t, &at))) {
				while (expect < MODEL && !in[expect])
					expect++;
				assert_int_equal(at, expect);
				expect++;
				at++;
			}
			while (expect < MODEL && !in[expect])
				expect++;
			assert_int_equal(expect, MODEL);
		}
	}
	for (uint64_t j = 0; j < MODEL; j++)
		if (in[j])
			assert_ptr_equal(radix_delete(&t, j, &alloc), item(j));
	assert_true(radix_empty(&t));
	assert_int_equal(live_nodes, 0);
}

static void test_radix_failed_alloc_leaves_tree_usable(void **state)
{
	struct radix_tree t;

	(void)state;
	radix_init(&t);
	assert_int_equal(radix_insert(&t, 1, item(1), &alloc), 0);
	fail_after = 1;
	assert_int_equal(radix_insert(&t, 1u << 20, item(1u << 20), &alloc), -ENOMEM);
	fail_after = -1;
	assert_ptr_equal(radix_lookup(&t, 1), item(1));
	assert_null(radix_lookup(&t, 1u << 20));
	assert_int_equal(radix_insert(&t, 1u << 20, item(1u << 20), &alloc), 0);
	assert_ptr_equal(radix_lookup(&t, 1u << 20), item(1u << 20));
	radix_destroy(&t, &alloc);
	assert_int_equal(live_nodes, 0);
	assert_true(radix_empty(&t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_radix_single_item_at_zero_needs_no_node),
		cmocka_unit_test(test_radix_huge_index_and_iteration),
		cmocka_unit_test(test_radix_random_against_model),
		cmocka_unit_test(test_radix_failed_alloc_leaves_tree_usable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
