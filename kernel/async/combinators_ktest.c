// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of select2 (kernel/async/combinators.c, suite
 * `combinators`), polled by hand with a counting waker: the first child
 * ready wins, the other is dropped at once (no waiter, no timer left
 * behind), a drop cancels both, and the await chain names a child.
 */
#include <stdatomic.h>

#include "kernel/arch.h"
#include "kernel/async/async_ktest.h"
#include "kernel/async/combinators.h"
#include "kernel/async/timer.h"
#include "kernel/async/waitq.h"
#include "kernel/ktest.h"

static _Atomic unsigned wakes;

static struct waker count_clone(const struct waker *w)
{
	return *w;
}

static void count_wake_by_ref(const struct waker *w)
{
	(void)w;
	atomic_fetch_add_explicit(&wakes, 1, memory_order_relaxed);
}

static void count_wake(struct waker *w)
{
	count_wake_by_ref(w);
}

static void count_drop(struct waker *w)
{
	(void)w;
}

static const struct waker_ops count_ops = {
	.clone = count_clone,
	.wake = count_wake,
	.wake_by_ref = count_wake_by_ref,
	.drop = count_drop,
};

/* Ready at the first poll with result 42. */
static enum poll ready_poll(struct future *f, struct context *cx)
{
	(void)cx;
	f->result = 42;
	return POLL_READY;
}

static const struct future_ops ready_ops = { .name = "ready", .poll = ready_poll };

KTEST(combinators, select2_first_ready_wins_and_the_other_is_dropped)
{
	struct waker w = { .ops = &count_ops };
	struct context cx = { .waker = &w };
	struct waitq wq;
	struct waitq_wait_future a;
	struct sleep_future b;
	struct select2_future sel;
	unsigned h = hart_id(), timers = timerq_count(h);

	atomic_store(&wakes, 0);
	waitq_init(&wq);
	waitq_wait_init(&a, &wq);
	sleep_for_init(&b, 3600ull * MS(1000));
	select2_init(&sel, &a.base, &b.base);
	EXPECT(future_poll(&sel.base, &cx) == POLL_PENDING);
	/* Both children wait: a on the queue, b in the timer queue. */
	EXPECT(!list_empty(&wq.waiters));
	EXPECT(timerq_count(h) == timers + 1);
	EXPECT(sel.winner < 0);
	EXPECT(sel.base.awaiting == &a.base || sel.base.awaiting == &b.base);
	EXPECT(waitq_wake_one(&wq));
	EXPECT(atomic_load(&wakes) == 1);
	EXPECT(future_poll(&sel.base, &cx) == POLL_READY);
	EXPECT(sel.winner == 0);
	/* The hour-long sleep is gone, not left to fire. */
	EXPECT(timerq_count(h) == timers);
	EXPECT(list_empty(&wq.waiters));
	EXPECT(future_poll(&sel.base, &cx) == POLL_READY);	/* stays ready */
	future_drop(&sel.base);
	EXPECT(timerq_count(h) == timers);
}

KTEST(combinators, select2_second_ready_wins_with_its_result)
{
	struct waker w = { .ops = &count_ops };
	struct context cx = { .waker = &w };
	struct waitq wq;
	struct waitq_wait_future a;
	struct future b;
	struct select2_future sel;

	atomic_store(&wakes, 0);
	waitq_init(&wq);
	waitq_wait_init(&a, &wq);
	future_init(&b, &ready_ops);
	select2_init(&sel, &a.base, &b);
	/* a registers on the queue and is pending; b is ready: b wins, and
	 * a's registration is undone in the same poll. */
	EXPECT(future_poll(&sel.base, &cx) == POLL_READY);
	EXPECT(sel.winner == 1);
	EXPECT(sel.base.result == 42);
	EXPECT(list_empty(&wq.waiters));
	EXPECT(!waitq_wake_one(&wq));
	EXPECT(atomic_load(&wakes) == 0);
}

KTEST(combinators, select2_times_out_and_drop_cancels_both)
{
	struct waitq wq;
	struct waitq_wait_future a, c;
	struct sleep_future b, d;
	struct select2_future sel;
	struct waker w = { .ops = &count_ops };
	struct context cx = { .waker = &w };
	unsigned h = hart_id(), timers = timerq_count(h);
	uint64_t t0 = clock_now_ns();

	/* Run by the executor: a waits forever, b (5 ms) wins. */
	waitq_init(&wq);
	waitq_wait_init(&a, &wq);
	sleep_for_init(&b, MS(5));
	select2_init(&sel, &a.base, &b.base);
	ASSERT(ktest_block_on_timeout(&sel.base, MS(2000)));
	EXPECT(sel.winner == 1);
	EXPECT(clock_now_ns() - t0 >= MS(5));
	EXPECT(list_empty(&wq.waiters));
	/* Dropped while both wait: neither is left registered. */
	waitq_wait_init(&c, &wq);
	sleep_for_init(&d, 3600ull * MS(1000));
	select2_init(&sel, &c.base, &d.base);
	EXPECT(future_poll(&sel.base, &cx) == POLL_PENDING);
	EXPECT(timerq_count(h) == timers + 1 && !list_empty(&wq.waiters));
	future_drop(&sel.base);
	EXPECT(timerq_count(h) == timers);
	EXPECT(list_empty(&wq.waiters));
	future_drop(&sel.base);	/* twice: safe */
	EXPECT(timerq_count(h) == timers && list_empty(&wq.waiters));
}
