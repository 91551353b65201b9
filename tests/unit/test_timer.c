// SPDX-License-Identifier: MIT
/*
 * The timer queues on the host (ASan+UBSan), driven by hand: no executor,
 * timerq_on_interrupt() called directly with interrupts off.
 *
 * arch_timer_set() and the spinlock calls of timer.c are wrapped at link
 * time (-Wl,--wrap, see timer.mk) to record which deadline each hart last
 * programmed and whether it held a timerq lock while doing so. Checked:
 *   - the hardware timer is never programmed under a timerq lock (done so,
 *     the owner hart is descheduled inside the critical section whenever
 *     QEMU -icount kicks it for the timer write, and other harts dropping
 *     its sleepers starved: cancelling 1,000,000 sleepers panicked with
 *     "spinlock timerq: deadlock?");
 *   - it is programmed for the earliest live deadline, or disarmed;
 *   - entries fire in deadline order, cancelled ones never;
 *   - cancel from another hart, and cancel twice or after firing, drop the
 *     waker exactly once;
 *   - equal deadlines fire in the order they were added;
 *   - no add or cancel does more than O(log n) work under the lock, in the
 *     order that was the pairing heap's worst case (deadline order, then
 *     the earliest removed first): lib/rbtree is built with -DRBTREE_STATS
 *     for this test (timer.mk) and its counters are read per operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "kernel/arch.h"
#include "kernel/async/timer.h"
#include "kernel/spinlock.h"
#include "lib/rbtree.h"
#include "tests/unit/shim/shim.h"

#define NHARTS 2

/* ---- link-time wraps -------------------------------------------------------------- */

irqflags_t __real_spin_lock_irqsave(struct spinlock *l);
void __real_spin_unlock_irqrestore(struct spinlock *l, irqflags_t flags);
void __real_arch_timer_set(uint64_t deadline_ns);

static _Thread_local int timerq_locks_held;
static uint64_t programmed[NHARTS];	/* last deadline each hart set */
static atomic_uint programs, programs_under_lock;

irqflags_t __wrap_spin_lock_irqsave(struct spinlock *l);
irqflags_t __wrap_spin_lock_irqsave(struct spinlock *l)
{
	irqflags_t fl = __real_spin_lock_irqsave(l);

	if (strcmp(l->name, "timerq") == 0)
		timerq_locks_held++;
	return fl;
}

void __wrap_spin_unlock_irqrestore(struct spinlock *l, irqflags_t flags);
void __wrap_spin_unlock_irqrestore(struct spinlock *l, irqflags_t flags)
{
	if (strcmp(l->name, "timerq") == 0)
		timerq_locks_held--;
	__real_spin_unlock_irqrestore(l, flags);
}

void __wrap_arch_timer_set(uint64_t deadline_ns);
void __wrap_arch_timer_set(uint64_t deadline_ns)
{
	atomic_fetch_add(&programs, 1);
	if (timerq_locks_held)
		atomic_fetch_add(&programs_under_lock, 1);
	programmed[hart_id()] = deadline_ns;
	__real_arch_timer_set(deadline_ns);
}

/* ---- a waker that logs its wakes and counts live clones ------------------------------- */

#define NLOG 8192
static unsigned fired[NLOG], nfired;
static int live_wakers;

static struct waker log_clone(const struct waker *w)
{
	live_wakers++;
	return *w;
}

static void log_wake(struct waker *w)
{
	if (nfired < NLOG)
		fired[nfired] = (unsigned)w->data;
	nfired++;
	live_wakers--;
}

static void log_wake_by_ref(const struct waker *w)
{
	(void)w;
	fail_msg("timer woke by reference");
}

static void log_drop(struct waker *w)
{
	(void)w;
	live_wakers--;
}

static const struct waker_ops log_ops = {
	.clone = log_clone,
	.wake = log_wake,
	.wake_by_ref = log_wake_by_ref,
	.drop = log_drop,
};

static void add(struct timer_entry *e, uint64_t deadline, unsigned tag)
{
	struct waker w = { .ops = &log_ops, .data = tag };

	timer_entry_init(e);
	timerq_add(e, deadline, &w);
}

/* The timer interrupt of this hart, as the trap handler runs it. */
static void expire(void)
{
	irqflags_t fl = arch_irq_save();

	timerq_on_interrupt();
	arch_irq_restore(fl);
}

static int setup(void **state)
{
	(void)state;
	shim_init(NHARTS);
	timerq_init(NHARTS);
	for (unsigned h = 0; h < NHARTS; h++)
		programmed[h] = UINT64_MAX;
	atomic_store(&programs, 0);
	atomic_store(&programs_under_lock, 0);
	nfired = 0;
	live_wakers = 0;
	return 0;
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_timerq_programs_timer_outside_its_lock(void **state)
{
	static struct timer_entry e[64];
	uint64_t base = clock_now_ns();

	(void)state;
	/* Falling deadlines: every add is a new earliest and reprograms. */
	for (unsigned i = 0; i < 64; i++)
		add(&e[i], base - i, i);
	expire();
	assert_int_equal(nfired, 64);
	assert_true(atomic_load(&programs) >= 65);
	assert_int_equal(atomic_load(&programs_under_lock), 0);
}

static void test_timerq_armed_for_earliest_live_deadline(void **state)
{
	static struct timer_entry e[4];
	uint64_t far = clock_now_ns() + 3600ull * 1000000000ull;

	(void)state;
	add(&e[0], far + 300, 0);
	assert_int_equal(programmed[0], far + 300);
	add(&e[1], far + 100, 1);
	assert_int_equal(programmed[0], far + 100);
	add(&e[2], far + 200, 2);	/* not earliest: no reprogram */
	assert_int_equal(programmed[0], far + 100);
	/* Cancelling the earliest leaves the timer early (one spurious
	 * interrupt); that interrupt re-arms for the earliest live one. */
	timerq_cancel(&e[1]);
	expire();
	assert_int_equal(nfired, 0);
	assert_int_equal(programmed[0], far + 200);
	add(&e[3], 1, 3);	/* already due */
	assert_int_equal(programmed[0], 1);
	expire();
	assert_int_equal(nfired, 1);
	assert_int_equal(fired[0], 3);
	assert_int_equal(programmed[0], far + 200);
	timerq_cancel(&e[2]);
	timerq_cancel(&e[0]);
	expire();
	assert_int_equal(programmed[0], UINT64_MAX);	/* disarmed */
	assert_int_equal(timerq_count(0), 0);
	assert_int_equal(live_wakers, 0);
}

/* Many entries, half cancelled in random order: the rest fire in order. */
static void test_timerq_many_fire_in_order_after_random_cancels(void **state)
{
	enum { N = 4096 };
	static struct timer_entry e[N];
	static bool cancelled[N];
	unsigned expect = 0;

	(void)state;
	srand(7);
	/* Increasing deadlines, as sleep_for gives: the flat-heap case. */
	for (unsigned i = 0; i < N; i++) {
		add(&e[i], 1000 + i, i);
		cancelled[i] = false;
	}
	for (unsigned k = 0; k < N / 2; k++) {
		unsigned i = (unsigned)rand() % N;

		timerq_cancel(&e[i]);
		cancelled[i] = true;
	}
	for (unsigned i = 0; i < N; i++)
		expect += !cancelled[i];
	assert_int_equal(timerq_count(0), expect);
	expire();
	assert_int_equal(nfired, expect);
	for (unsigned k = 1; k < nfired; k++)
		assert_true(fired[k - 1] < fired[k]);
	for (unsigned k = 0; k < nfired; k++)
		assert_false(cancelled[fired[k]]);
	assert_int_equal(timerq_count(0), 0);
	assert_int_equal(live_wakers, 0);
	assert_int_equal(programmed[0], UINT64_MAX);
}

static struct timer_entry cross[256];

static void *cancel_all_on_hart1(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < 256; i++) {
		timerq_cancel(&cross[i]);
		timerq_cancel(&cross[i]);	/* drop is safe twice */
	}
	return NULL;
}

/* Entries queued on hart 0, dropped from hart 1. */
static void test_timerq_cancel_from_other_hart_drops_wakers_once(void **state)
{
	uint64_t far = clock_now_ns() + 3600ull * 1000000000ull;
	pthread_t t;

	(void)state;
	for (unsigned i = 0; i < 256; i++)
		add(&cross[i], far + i, i);
	assert_int_equal(live_wakers, 256);
	t = shim_start_hart(1, cancel_all_on_hart1, NULL);
	pthread_join(t, NULL);
	assert_int_equal(timerq_count(0), 0);
	assert_int_equal(live_wakers, 0);
	assert_int_equal(atomic_load(&programs_under_lock), 0);
	expire();	/* the spurious one: nothing left to fire */
	assert_int_equal(nfired, 0);
	assert_int_equal(programmed[0], UINT64_MAX);
}

static void test_timerq_cancel_after_fire_is_noop(void **state)
{
	struct timer_entry e;

	(void)state;
	add(&e, 1, 9);
	expire();
	assert_int_equal(nfired, 1);
	assert_true(e.fired);
	timerq_cancel(&e);
	timerq_cancel(&e);
	assert_int_equal(live_wakers, 0);
	assert_int_equal(timerq_count(0), 0);
}

/* Equal deadlines fire in the order added, cancels in between or not. */
static void test_timerq_equal_deadlines_fire_in_order_added(void **state)
{
	enum { N = 300 };
	static struct timer_entry e[N];
	unsigned k = 0;

	(void)state;
	for (unsigned i = 0; i < N; i++)
		add(&e[i], 1000 + (i % 3 == 0 ? 0 : 1), i);	/* two deadlines, interleaved */
	for (unsigned i = 0; i < N; i += 7)
		timerq_cancel(&e[i]);
	expire();
	/* First the 1000s in the order added, then the 1001s. */
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < N; i++)
			if ((i % 3 == 0) == (pass == 0) && i % 7 != 0) {
				assert_true(k < nfired);
				assert_int_equal(fired[k++], i);
			}
	assert_int_equal(k, nfired);
	assert_int_equal(live_wakers, 0);
}

/* The work of one operation, from lib/rbtree's counters. */
static struct rb_stats stats_before;
static unsigned long max_rotations, max_steps;

static void op_begin(void)
{
	stats_before = rb_stats;
}

/* A tree of @n entries is at most 2*log2(n+1) deep: the search and the
 * fixup of one operation each visit at most that many nodes. */
static void op_end(unsigned n)
{
	unsigned long rot = rb_stats.rotations - stats_before.rotations;
	unsigned long steps = rb_stats.steps - stats_before.steps;

	if (rot > max_rotations)
		max_rotations = rot;
	if (steps > max_steps)
		max_steps = steps;
	assert_true(rot <= 3);
	assert_true((double)steps <= 4.0 * log2((double)n + 1.0) + 2);
}

/*
 * 2^16 sleeps in deadline order (as sleep_for makes them), then cancelled
 * earliest first, then at random: in a pairing heap the first of these
 * cancels paired all 65,535 others under the lock.
 */
static void test_timerq_add_and_cancel_bounded_in_deadline_order(void **state)
{
	enum { N = 1 << 16 };
	static struct timer_entry e[N];
	static unsigned perm[N];
	uint64_t far = clock_now_ns() + 3600ull * 1000000000ull;
	unsigned n = 0;

	(void)state;
	max_rotations = max_steps = 0;
	for (unsigned i = 0; i < N; i++) {
		op_begin();
		add(&e[i], far + i, i);
		op_end(++n);
	}
	for (unsigned i = 0; i < N / 4; i++) {
		op_begin();
		timerq_cancel(&e[i]);
		op_end(n--);
	}
	for (unsigned i = 0; i < N; i++)
		perm[i] = i;
	srand(11);
	for (unsigned i = N - 1; i > 0; i--) {
		unsigned j = (unsigned)rand() % (i + 1), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (unsigned i = 0; i < N; i++) {
		bool queued = e[perm[i]].queued;

		op_begin();
		timerq_cancel(&e[perm[i]]);
		op_end(n);
		n -= queued;
	}
	assert_int_equal(n, 0);
	assert_int_equal(timerq_count(0), 0);
	assert_int_equal(live_wakers, 0);
	/* 16 levels of black: a single operation stays within a few dozen steps. */
	print_message("max per op: %lu rotations, %lu steps (n <= %u)\n", max_rotations,
		      max_steps, N);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_timerq_programs_timer_outside_its_lock, setup),
		cmocka_unit_test_setup(test_timerq_armed_for_earliest_live_deadline, setup),
		cmocka_unit_test_setup(test_timerq_many_fire_in_order_after_random_cancels, setup),
		cmocka_unit_test_setup(test_timerq_cancel_from_other_hart_drops_wakers_once, setup),
		cmocka_unit_test_setup(test_timerq_cancel_after_fire_is_noop, setup),
		cmocka_unit_test_setup(test_timerq_equal_deadlines_fire_in_order_added, setup),
		cmocka_unit_test_setup(test_timerq_add_and_cancel_bounded_in_deadline_order, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
