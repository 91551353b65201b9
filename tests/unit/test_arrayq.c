// SPDX-License-Identifier: MIT
/* ArrayQueue single-threaded behaviour: FIFO, full, empty, wraparound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lib/arrayqueue.h"
#include "lib/errno.h"

static struct arrayq q;
static struct arrayq_slot slots[8];

static void test_arrayq_init_rejects_bad_capacity(void **state)
{
	(void)state;
	assert_int_equal(arrayq_init(&q, slots, 0), -EINVAL);
	assert_int_equal(arrayq_init(&q, slots, 1), -EINVAL);
	assert_int_equal(arrayq_init(&q, slots, 6), -EINVAL);
	assert_int_equal(arrayq_init(&q, slots, 8), 0);
	assert_int_equal(arrayq_capacity(&q), 8);
}

static void test_arrayq_pop_empty_fails(void **state)
{
	uint32_t v = 1234;

	(void)state;
	assert_int_equal(arrayq_init(&q, slots, 8), 0);
	assert_true(arrayq_is_empty(&q));
	assert_false(arrayq_pop(&q, &v));
	assert_int_equal(v, 1234);
	assert_true(arrayq_push(&q, 7));
	assert_true(arrayq_pop(&q, &v));
	assert_int_equal(v, 7);
	assert_false(arrayq_pop(&q, &v));
}

static void test_arrayq_fifo_order(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(arrayq_init(&q, slots, 8), 0);
	for (uint32_t i = 0; i < 5; i++)
		assert_true(arrayq_push(&q, 100 + i));
	assert_int_equal(arrayq_len(&q), 5);
	for (uint32_t i = 0; i < 5; i++) {
		assert_true(arrayq_pop(&q, &v));
		assert_int_equal(v, 100 + i);
	}
	assert_int_equal(arrayq_len(&q), 0);
}

static void test_arrayq_push_full_fails(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(arrayq_init(&q, slots, 8), 0);
	for (uint32_t i = 0; i < 8; i++)
		assert_true(arrayq_push(&q, i));
	assert_int_equal(arrayq_len(&q), 8);
	assert_false(arrayq_push(&q, 99));
	/* One pop makes room for exactly one push. */
	assert_true(arrayq_pop(&q, &v));
	assert_int_equal(v, 0);
	assert_true(arrayq_push(&q, 99));
	assert_false(arrayq_push(&q, 100));
	for (uint32_t i = 1; i < 8; i++) {
		assert_true(arrayq_pop(&q, &v));
		assert_int_equal(v, i);
	}
	assert_true(arrayq_pop(&q, &v));
	assert_int_equal(v, 99);
	assert_false(arrayq_pop(&q, &v));
}

/* Many laps, with the queue at every fill level, keep FIFO order. */
static void test_arrayq_wraparound_keeps_order(void **state)
{
	uint32_t next_in = 0, next_out = 0, v;

	(void)state;
	assert_int_equal(arrayq_init(&q, slots, 8), 0);
	for (int round = 0; round < 1000; round++) {
		int n = 1 + round % 8;

		for (int i = 0; i < n; i++)
			assert_true(arrayq_push(&q, next_in++));
		assert_int_equal(arrayq_len(&q), (uint32_t)n);
		for (int i = 0; i < n; i++) {
			assert_true(arrayq_pop(&q, &v));
			assert_int_equal(v, next_out++);
		}
	}
	assert_true(arrayq_is_empty(&q));
}

/* The 32-bit positions wrap; start near the top to cross 2^32. */
static void test_arrayq_position_counter_wrap(void **state)
{
	uint32_t v;
	const uint32_t start = UINT32_MAX - 20;

	(void)state;
	assert_int_equal(arrayq_init(&q, slots, 8), 0);
	for (uint32_t i = 0; i < 8; i++)
		atomic_store(&slots[(start + i) & 7].seq, start + i);
	atomic_store(&q.head, start);
	atomic_store(&q.tail, start);
	for (uint32_t i = 0; i < 100; i++) {
		assert_true(arrayq_push(&q, i));
		assert_true(arrayq_push(&q, i + 1000));
		assert_int_equal(arrayq_len(&q), 2);
		assert_true(arrayq_pop(&q, &v));
		assert_int_equal(v, i);
		assert_true(arrayq_pop(&q, &v));
		assert_int_equal(v, i + 1000);
	}
	for (uint32_t i = 0; i < 8; i++)
		assert_true(arrayq_push(&q, i));
	assert_false(arrayq_push(&q, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arrayq_init_rejects_bad_capacity),
		cmocka_unit_test(test_arrayq_pop_empty_fails),
		cmocka_unit_test(test_arrayq_fifo_order),
		cmocka_unit_test(test_arrayq_push_full_fails),
		cmocka_unit_test(test_arrayq_wraparound_keeps_order),
		cmocka_unit_test(test_arrayq_position_counter_wrap),
	};
	return cmocka_run_group_tests_name("arrayq", tests, NULL, NULL);
}
