// SPDX-License-Identifier: MIT
/* Host tests for lib/list.h: order, deletion, iteration with removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/list.h"

struct item {
	int v;
	struct list_head node;
};

static int collect(struct list_head *h, int *out, int max)
{
	struct item *it;
	int n = 0;

	list_for_each_entry(it, h, node) {
		assert_true(n < max);
		out[n++] = it->v;
	}
	return n;
}

static void test_list_init_is_empty(void **state)
{
	LIST_HEAD(a);
	struct list_head b;
	(void)state;

	list_init(&b);
	assert_true(list_empty(&a));
	assert_true(list_empty(&b));
	assert_false(list_is_linked(&b));
	assert_null(list_first_entry_or_null(&a, struct item, node));
}

static void test_list_add_is_lifo_add_tail_is_fifo(void **state)
{
	LIST_HEAD(h);
	struct item it[4] = { { .v = 0 }, { .v = 1 }, { .v = 2 }, { .v = 3 } };
	int got[8];
	(void)state;

	list_add(&it[0].node, &h);
	list_add(&it[1].node, &h);
	list_add_tail(&it[2].node, &h);
	list_add_tail(&it[3].node, &h);
	assert_int_equal(collect(&h, got, 8), 4);
	assert_int_equal(got[0], 1);
	assert_int_equal(got[1], 0);
	assert_int_equal(got[2], 2);
	assert_int_equal(got[3], 3);
	assert_ptr_equal(list_first_entry(&h, struct item, node), &it[1]);
	assert_ptr_equal(list_last_entry(&h, struct item, node), &it[3]);
	/* prev links agree with next links */
	assert_ptr_equal(h.prev->prev->next, h.prev);
	assert_true(list_is_linked(&it[0].node));
}

static void test_list_del_twice_is_safe(void **state)
{
	LIST_HEAD(h);
	struct item a = { .v = 1 }, b = { .v = 2 };
	int got[4];
	(void)state;

	list_add_tail(&a.node, &h);
	list_add_tail(&b.node, &h);
	list_del(&a.node);
	assert_false(list_is_linked(&a.node));
	list_del(&a.node);
	assert_int_equal(collect(&h, got, 4), 1);
	assert_int_equal(got[0], 2);
	assert_true(list_is_singular(&h));
	list_del(&b.node);
	assert_true(list_empty(&h));
}

static void test_list_for_each_safe_allows_deletion(void **state)
{
	LIST_HEAD(h);
	struct item it[6];
	struct item *pos, *n;
	int got[8];
	(void)state;

	for (int i = 0; i < 6; i++) {
		it[i].v = i;
		list_add_tail(&it[i].node, &h);
	}
	list_for_each_entry_safe(pos, n, &h, node) {
		if (pos->v % 2)
			list_del(&pos->node);
	}
	assert_int_equal(collect(&h, got, 8), 3);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 2);
	assert_int_equal(got[2], 4);
	list_for_each_entry_safe(pos, n, &h, node)
		list_del(&pos->node);
	assert_true(list_empty(&h));
}

static void test_list_move_and_splice(void **state)
{
	LIST_HEAD(a);
	LIST_HEAD(b);
	struct item it[4];
	int got[8];
	(void)state;

	for (int i = 0; i < 4; i++) {
		it[i].v = i;
		list_add_tail(&it[i].node, i < 2 ? &a : &b);
	}
	list_move_tail(&it[0].node, &b);
	list_splice_tail_init(&b, &a);
	assert_true(list_empty(&b));
	assert_int_equal(collect(&a, got, 8), 4);
	assert_int_equal(got[0], 1);
	assert_int_equal(got[1], 2);
	assert_int_equal(got[2], 3);
	assert_int_equal(got[3], 0);
	list_splice_tail_init(&b, &a);	/* empty splice is a no-op */
	assert_int_equal(collect(&a, got, 8), 4);
}

static void test_container_of_recovers_outer(void **state)
{
	struct item x = { .v = 9 };
	(void)state;

	assert_ptr_equal(container_of(&x.node, struct item, node), &x);
	assert_int_equal(list_entry(&x.node, struct item, node)->v, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_init_is_empty),
		cmocka_unit_test(test_list_add_is_lifo_add_tail_is_fifo),
		cmocka_unit_test(test_list_del_twice_is_safe),
		cmocka_unit_test(test_list_for_each_safe_allows_deletion),
		cmocka_unit_test(test_list_move_and_splice),
		cmocka_unit_test(test_container_of_recovers_outer),
	};

	return cmocka_run_group_tests_name("list", tests, NULL, NULL);
}
