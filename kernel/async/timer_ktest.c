// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the timer queues (suite `timer`): expiry in deadline
 * order, never early, with bounded lateness.
 *
 * The lateness bound, TIMER_LATE_MAX = 20 ms, is for QEMU TCG without
 * -icount, where guest time is host time: the timer is armed for exactly
 * the earliest deadline (rounded up to a 100 ns tick), so lateness is how
 * long QEMU takes to deliver the interrupt (a vCPU thread sees it at its
 * next translation-block boundary or wfi exit: microseconds) plus host
 * scheduling delay of that vCPU thread (a few ms when the host is busy),
 * plus the handler and, for tasks, one queue hop and poll. 20 ms is about
 * five host scheduler time slices of slack.
 */
#include <stdatomic.h>

#include "kernel/arch.h"
#include "kernel/async/async_ktest.h"
#include "kernel/async/executor.h"
#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/string.h"

#define TIMER_LATE_MAX MS(20)
#define NTIMERS 200

/* A waker that logs (timer index, time) in the order the wakes happen. */
static struct {
	_Atomic uint32_t n;
	uint32_t idx[NTIMERS];
	uint64_t at[NTIMERS];
	bool irqs_on;		/* a wake came with interrupts on */
} tlog;

static void log_wake_by_ref(const struct waker *w)
{
	uint32_t k = atomic_fetch_add_explicit(&tlog.n, 1, memory_order_relaxed);

	if (arch_irq_enabled())
		tlog.irqs_on = true;
	if (k < NTIMERS) {
		tlog.idx[k] = (uint32_t)w->data;
		tlog.at[k] = clock_now_ns();
	}
}

static void log_wake(struct waker *w)
{
	log_wake_by_ref(w);
}

static struct waker log_clone(const struct waker *w)
{
	return *w;
}

static void log_drop(struct waker *w)
{
	(void)w;
}

static const struct waker_ops log_waker_ops = {
	.clone = log_clone,
	.wake = log_wake,
	.wake_by_ref = log_wake_by_ref,
	.drop = log_drop,
};

KTEST(timer, fire_in_deadline_order_with_bounded_lateness)
{
	static struct sleep_future s[NTIMERS];
	static uint64_t deadline[NTIMERS];
	uint64_t base = clock_now_ns() + MS(10), last = 0, worst = 0;
	unsigned order_errors = 0, early = 0, late = 0;

	memset(&tlog, 0, sizeof(tlog));
	/* Distinct deadlines 0.25 ms apart over 50 ms, queued in a scrambled
	 * order (7919 is prime to NTIMERS) to exercise the heap. */
	for (unsigned i = 0; i < NTIMERS; i++) {
		struct waker w = { .ops = &log_waker_ops, .data = i };
		struct context cx = { .waker = &w };
		unsigned rank = (i * 7919u) % NTIMERS;

		deadline[i] = base + rank * 250000ull;
		if (deadline[i] > last)
			last = deadline[i];
		sleep_until_init(&s[i], deadline[i]);
		EXPECT(future_poll(&s[i].base, &cx) == POLL_PENDING);
	}
	EXPECT(timerq_count(hart_id()) >= NTIMERS);
	/* block_on sleeps in wfi until the interrupts come. */
	ktest_sleep(last - clock_now_ns() + TIMER_LATE_MAX + MS(30));
	EXPECT(atomic_load(&tlog.n) == NTIMERS);
	EXPECT(!tlog.irqs_on);
	for (unsigned k = 0; k < NTIMERS && k < atomic_load(&tlog.n); k++) {
		uint64_t d = deadline[tlog.idx[k]];

		if (k && d <= deadline[tlog.idx[k - 1]])
			order_errors++;
		if (tlog.at[k] < d)
			early++;
		else if (tlog.at[k] - d > worst)
			worst = tlog.at[k] - d;
		if (tlog.at[k] >= d && tlog.at[k] - d >= TIMER_LATE_MAX)
			late++;
	}
	kprintf("    timers: %u fired, worst lateness %lu us (bound %lu us)\n",
		atomic_load(&tlog.n), (unsigned long)(worst / 1000),
		(unsigned long)(TIMER_LATE_MAX / 1000));
	EXPECT(order_errors == 0);
	EXPECT(early == 0);
	EXPECT(late == 0);
	for (unsigned i = 0; i < NTIMERS; i++) {
		EXPECT(s[i].te.fired);
		future_drop(&s[i].base);
	}
}

/* ---- tasks sleeping on every hart ------------------------------------------------ */

#define NSLEEPERS 64

struct sleeper {
	struct future base;
	struct sleep_future s;
	uint64_t woke_ns;
};

static enum poll sleeper_poll(struct future *f, struct context *cx)
{
	struct sleeper *z = (struct sleeper *)f;

	z->base.awaiting = &z->s.base;
	if (future_poll(&z->s.base, cx) == POLL_PENDING)
		return POLL_PENDING;
	z->woke_ns = clock_now_ns();
	z->base.awaiting = NULL;
	return POLL_READY;
}

static void sleeper_drop(struct future *f)
{
	future_drop(&((struct sleeper *)f)->s.base);
}

static const struct future_ops sleeper_ops = {
	.name = "sleeper",
	.type = "sleeper",
	.poll = sleeper_poll,
	.drop = sleeper_drop,
};

KTEST(timer, sleeping_tasks_on_every_hart_wake_on_time)
{
	static struct sleeper z[NSLEEPERS];
	static struct task_join j[NSLEEPERS];
	uint64_t base = clock_now_ns() + MS(5), worst = 0;
	unsigned n = exec_hart_count(), early = 0, late = 0, joined = 0;

	for (unsigned i = 0; i < NSLEEPERS; i++) {
		task_id_t id;

		future_init(&z[i].base, &sleeper_ops);
		sleep_until_init(&z[i].s, base + ((i * 37u) % NSLEEPERS) * 500000ull);
		z[i].woke_ns = 0;
		id = task_spawn(&z[i].base, (int)(i % n), "sleeper");
		ASSERT(id != TASK_ID_NONE);
		task_join_init(&j[i], id);
	}
	for (unsigned i = 0; i < NSLEEPERS; i++)
		if (ktest_block_on_timeout(&j[i].base, MS(2000)))
			joined++;
	ASSERT(joined == NSLEEPERS);
	for (unsigned i = 0; i < NSLEEPERS; i++) {
		uint64_t d = z[i].s.deadline;

		if (z[i].woke_ns < d)
			early++;
		else if (z[i].woke_ns - d >= TIMER_LATE_MAX)
			late++;
		if (z[i].woke_ns >= d && z[i].woke_ns - d > worst)
			worst = z[i].woke_ns - d;
	}
	kprintf("    sleepers: %u tasks on %u harts, worst wake-to-poll lateness %lu us\n",
		NSLEEPERS, n, (unsigned long)(worst / 1000));
	EXPECT(early == 0);
	EXPECT(late == 0);
}

/* ---- one sleep future, polled by hand (the future lab, docs/labs/03-future.md) ---- */

static _Atomic unsigned probe_wakes;

static void probe_wake_by_ref(const struct waker *w)
{
	(void)w;
	atomic_fetch_add_explicit(&probe_wakes, 1, memory_order_relaxed);
}

static void probe_wake(struct waker *w)
{
	probe_wake_by_ref(w);
}

static const struct waker_ops probe_waker_ops = {
	.clone = log_clone,
	.wake = probe_wake,
	.wake_by_ref = probe_wake_by_ref,
	.drop = log_drop,
};

/* Spin (interrupts on, so the timer can fire) until woken or @ns pass. */
static void spin_for_wake(uint64_t ns)
{
	uint64_t end = clock_now_ns() + ns;

	while (!atomic_load_explicit(&probe_wakes, memory_order_relaxed) && clock_now_ns() < end)
		arch_cpu_relax();
}

KTEST(timer, sleep_waits_for_its_deadline_and_wakes_once)
{
	struct waker w = { .ops = &probe_waker_ops };
	struct context cx = { .waker = &w };
	struct sleep_future s;
	unsigned h = hart_id(), before = timerq_count(h);

	atomic_store(&probe_wakes, 0);
	sleep_for_init(&s, MS(20));
	EXPECT(future_poll(&s.base, &cx) == POLL_PENDING);
	EXPECT(timerq_count(h) == before + 1);
	/* Polled again before its time: still pending, still one timer. */
	EXPECT(future_poll(&s.base, &cx) == POLL_PENDING);
	EXPECT(timerq_count(h) == before + 1);
	EXPECT(atomic_load(&probe_wakes) == 0);
	spin_for_wake(MS(2000));
	EXPECT(atomic_load(&probe_wakes) == 1);
	EXPECT(clock_now_ns() >= s.deadline);
	EXPECT(future_poll(&s.base, &cx) == POLL_READY);
	EXPECT(timerq_count(h) == before);
	future_drop(&s.base);	/* after READY: a no-op */
	EXPECT(timerq_count(h) == before);
}

KTEST(timer, dropped_sleep_leaves_no_timer_behind)
{
	struct waker w = { .ops = &probe_waker_ops };
	struct context cx = { .waker = &w };
	struct sleep_future s;
	unsigned h = hart_id(), before = timerq_count(h);

	atomic_store(&probe_wakes, 0);
	sleep_for_init(&s, MS(10));
	EXPECT(future_poll(&s.base, &cx) == POLL_PENDING);
	EXPECT(timerq_count(h) == before + 1);
	future_drop(&s.base);
	EXPECT(timerq_count(h) == before);
	future_drop(&s.base);	/* twice: safe */
	spin_for_wake(MS(40));
	EXPECT(atomic_load(&probe_wakes) == 0);
	/* A deadline already past: ready at once, nothing queued, nobody woken. */
	sleep_until_init(&s, clock_now_ns() - 1);
	EXPECT(future_poll(&s.base, &cx) == POLL_READY);
	EXPECT(timerq_count(h) == before);
	EXPECT(atomic_load(&probe_wakes) == 0);
	/* Dropped before its first poll: nothing to undo. */
	sleep_for_init(&s, MS(10));
	future_drop(&s.base);
	EXPECT(timerq_count(h) == before);
}
