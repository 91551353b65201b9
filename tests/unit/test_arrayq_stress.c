// SPDX-License-Identifier: MIT
/*
 * ArrayQueue under contention (built with TSan): 4 producers and 4 consumers
 * move 1,000,000 items each through a small queue; every item is delivered
 * exactly once, and each consumer sees each producer's items in order.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lib/arrayqueue.h"

#define NPROD 4
#define NCONS 4
#define PER_PRODUCER 1000000u
#define TOTAL (NPROD * PER_PRODUCER)
#define CAP 1024

/* A data race aborts the run rather than only printing a report. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "halt_on_error=1:abort_on_error=1";
}

static struct arrayq q;
static struct arrayq_slot slots[CAP];
static _Atomic uint8_t *seen;
static atomic_uint consumed;
static atomic_uint errors;

static void *producer(void *arg)
{
	uint32_t base = (uint32_t)(uintptr_t)arg * PER_PRODUCER;

	for (uint32_t i = 0; i < PER_PRODUCER; i++)
		while (!arrayq_push(&q, base + i))
			sched_yield();
	return NULL;
}

static void *consumer(void *arg)
{
	uint32_t last[NPROD];
	uint32_t v;

	(void)arg;
	for (int p = 0; p < NPROD; p++)
		last[p] = UINT32_MAX;
	while (atomic_load_explicit(&consumed, memory_order_relaxed) < TOTAL) {
		if (!arrayq_pop(&q, &v)) {
			sched_yield();
			continue;
		}
		uint32_t p = v / PER_PRODUCER, i = v % PER_PRODUCER;

		if (v >= TOTAL ||
		    atomic_fetch_add_explicit(&seen[v], 1, memory_order_relaxed) != 0 ||
		    (last[p] != UINT32_MAX && i <= last[p]))
			atomic_fetch_add(&errors, 1);
		last[p] = i;
		atomic_fetch_add_explicit(&consumed, 1, memory_order_relaxed);
	}
	return NULL;
}

static void test_arrayq_4x4_million_each_delivered_once(void **state)
{
	pthread_t prod[NPROD], cons[NCONS];

	(void)state;
	seen = calloc(TOTAL, 1);
	assert_non_null(seen);
	assert_int_equal(arrayq_init(&q, slots, CAP), 0);
	for (uintptr_t i = 0; i < NCONS; i++)
		assert_int_equal(pthread_create(&cons[i], NULL, consumer, NULL), 0);
	for (uintptr_t i = 0; i < NPROD; i++)
		assert_int_equal(pthread_create(&prod[i], NULL, producer, (void *)i), 0);
	for (int i = 0; i < NPROD; i++)
		pthread_join(prod[i], NULL);
	for (int i = 0; i < NCONS; i++)
		pthread_join(cons[i], NULL);

	assert_int_equal(atomic_load(&errors), 0);
	assert_int_equal(atomic_load(&consumed), TOTAL);
	for (uint32_t v = 0; v < TOTAL; v++)
		if (seen[v] != 1)
			fail_msg("item %u delivered %u times", v, (unsigned)seen[v]);
	assert_true(arrayq_is_empty(&q));
	free((void *)seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arrayq_4x4_million_each_delivered_once),
	};
	return cmocka_run_group_tests_name("arrayq_stress", tests, NULL, NULL);
}
