// SPDX-License-Identifier: MIT
/*
 * Executor behaviour on the host (ASan+UBSan): exact traces of spawn / poll /
 * wake / requeue on one hart, then join, cancel, stale wakers, timers,
 * select2, join_all, yield, the async mutex and wait queue, and a few
 * two-hart cases (IPI to an idle hart, stealing).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel/arch.h"
#include "kernel/async/amutex.h"
#include "kernel/async/combinators.h"
#include "kernel/async/executor.h"
#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "kernel/async/waitq.h"
#include "lib/errno.h"
#include "tests/unit/shim/shim.h"

#define MS 1000000ull

/* ---- trace recording --------------------------------------------------------- */

struct ev {
	enum exec_event ev;
	task_id_t id;
};

#define TRACE_MAX 4096
static struct ev trace[TRACE_MAX];
static unsigned ntrace;
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;

static void record(enum exec_event ev, task_id_t id, unsigned hart)
{
	(void)hart;
	pthread_mutex_lock(&trace_lock);
	if (ntrace < TRACE_MAX)
		trace[ntrace++] = (struct ev){ ev, id };
	pthread_mutex_unlock(&trace_lock);
}

static const char *ev_name(enum exec_event ev)
{
	static const char *const n[] = {
		"SPAWN", "PUSH", "POP", "POLL", "PENDING", "READY", "WAKE",
		"NOTIFY", "REQUEUE", "CANCEL", "STEAL", "FREE", "STALE", "NEXT",
	};
	return n[ev];
}

static void dump_trace(void)
{
	for (unsigned i = 0; i < ntrace; i++)
		fprintf(stderr, "  %u: %s %llx\n", i, ev_name(trace[i].ev),
			(unsigned long long)trace[i].id);
}

/* Compare the trace so far with @n (event, id) pairs, then clear it. */
static void expect_trace(const struct ev *want, unsigned n)
{
	bool ok = ntrace == n;

	for (unsigned i = 0; ok && i < n; i++)
		ok = trace[i].ev == want[i].ev && trace[i].id == want[i].id;
	if (!ok) {
		fprintf(stderr, "trace mismatch; got:\n");
		dump_trace();
		fprintf(stderr, "want:\n");
		for (unsigned i = 0; i < n; i++)
			fprintf(stderr, "  %u: %s %llx\n", i, ev_name(want[i].ev),
				(unsigned long long)want[i].id);
		fail();
	}
	ntrace = 0;
}
#define EXPECT_TRACE(...)                                                    \
	do {                                                                 \
		const struct ev w_[] = { __VA_ARGS__ };                      \
		expect_trace(w_, sizeof(w_) / sizeof(w_[0]));                \
	} while (0)
#define E(ev, id) { EXEC_EV_##ev, (id) }

static int setup1(void **state)
{
	(void)state;
	shim_init(1);
	shim_set_handlers(timerq_on_interrupt, NULL);
	assert_int_equal(exec_init_sized(1, 64), 0);
	ntrace = 0;
	exec_trace_hook = record;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	exec_trace_hook = NULL;
	exec_host_fini();
	return 0;
}

/* ---- a scripted future --------------------------------------------------------- */

struct tfut {
	struct future base;
	int polls;
	int ready_at;		/* READY on this poll (1-based); 0 = never */
	int self_wakes;		/* wake itself on this many pending polls */
	bool cancel_self;	/* task_cancel(task_current()) in the first poll */
	struct waker saved;	/* waker of the last poll */
	bool dropped, released;
	bool dropped_in_poll;
	long value;
};

static enum poll tfut_poll(struct future *f, struct context *cx)
{
	struct tfut *t = (struct tfut *)f;

	assert_false(t->dropped);
	assert_false(t->released);
	t->polls++;
	t->saved = waker_clone(cx->waker);
	if (t->cancel_self && t->polls == 1)
		assert_int_equal(task_cancel(task_current()), 0);
	if (t->ready_at && t->polls >= t->ready_at) {
		t->base.result = t->value;
		return POLL_READY;
	}
	if (t->self_wakes > 0) {
		t->self_wakes--;
		waker_wake_by_ref(cx->waker);
	}
	return POLL_PENDING;
}

static void tfut_drop(struct future *f)
{
	struct tfut *t = (struct tfut *)f;

	if (task_current() != TASK_ID_NONE)
		t->dropped_in_poll = true;
	t->dropped = true;
}

static void tfut_release(struct future *f)
{
	((struct tfut *)f)->released = true;
}

static const struct future_ops tfut_ops = {
	.name = "tfut", .poll = tfut_poll, .drop = tfut_drop, .release = tfut_release,
};

static void tfut_init(struct tfut *t, int ready_at, int self_wakes, long value)
{
	memset(t, 0, sizeof(*t));
	future_init(&t->base, &tfut_ops);
	t->ready_at = ready_at;
	t->self_wakes = self_wakes;
	t->value = value;
	t->saved = waker_noop();
}

/* Join, failing (not hanging) if the task has not ended within 10 s. */
static long join_now(task_id_t id)
{
	struct task_join j;
	struct sleep_future limit;
	struct select2_future sel;

	task_join_init(&j, id);
	sleep_for_init(&limit, 10000 * MS);
	select2_init(&sel, &j.base, &limit.base);
	exec_block_on(&sel.base);
	if (sel.winner != 0)
		fail_msg("task %llx did not end: lost wakeup?", (unsigned long long)id);
	return j.base.result;
}

/* ---- traces ------------------------------------------------------------------------ */

static void test_exec_trace_spawn_poll_ready_free(void **state)
{
	struct tfut a;
	task_id_t ida;

	(void)state;
	tfut_init(&a, 1, 0, 7);
	ida = task_spawn(&a.base, 0, "a");
	assert_int_not_equal(ida, TASK_ID_NONE);
	EXPECT_TRACE(E(SPAWN, ida), E(PUSH, ida));
	assert_int_equal(exec_run_pending(), 1);
	EXPECT_TRACE(E(POP, ida), E(POLL, ida), E(READY, ida));
	assert_true(a.released);
	assert_false(a.dropped);
	assert_true(task_is_done(ida));
	task_detach(ida);
	EXPECT_TRACE(E(FREE, ida));
	assert_int_equal(exec_run_pending(), 0);
	EXPECT_TRACE();
}

static void test_exec_trace_wake_when_idle_pushes_once(void **state)
{
	struct tfut a;
	task_id_t ida;
	struct task_stats st;

	(void)state;
	tfut_init(&a, 3, 0, 0);
	ida = task_spawn(&a.base, 0, "a");
	exec_run_pending();
	EXPECT_TRACE(E(SPAWN, ida), E(PUSH, ida), E(POP, ida), E(POLL, ida), E(PENDING, ida));
	/* Nobody woke it: nothing to run. */
	assert_int_equal(exec_run_pending(), 0);
	/* Three wakes while scheduled: one push. */
	waker_wake_by_ref(&a.saved);
	waker_wake_by_ref(&a.saved);
	task_wake(ida);
	/* Woken on its home hart (this thread is hart 0): the next slot. */
	EXPECT_TRACE(E(WAKE, ida), E(NEXT, ida));
	assert_int_equal(exec_run_pending(), 1);
	assert_int_equal(exec_run_pending(), 0);
	EXPECT_TRACE(E(POP, ida), E(POLL, ida), E(PENDING, ida));
	waker_wake_by_ref(&a.saved);
	exec_run_pending();
	EXPECT_TRACE(E(WAKE, ida), E(NEXT, ida), E(POP, ida), E(POLL, ida), E(READY, ida));
	assert_int_equal(a.polls, 3);
	/* Two wakes scheduled a poll; the two absorbed ones are not counted. */
	assert_int_equal(task_get_stats(ida, &st), 0);
	assert_int_equal(st.polls, 3);
	assert_int_equal(st.wakes, 2);
	task_detach(ida);
}

static void test_exec_trace_wake_during_poll_requeues_after(void **state)
{
	struct tfut a;
	task_id_t ida;
	struct task_stats st;

	(void)state;
	tfut_init(&a, 2, 1, 0);
	ida = task_spawn(&a.base, 0, "a");
	assert_int_equal(exec_run_pending(), 1);	/* batch = 1: requeued poll waits */
	EXPECT_TRACE(E(SPAWN, ida), E(PUSH, ida), E(POP, ida), E(POLL, ida), E(NOTIFY, ida),
		     E(PENDING, ida), E(REQUEUE, ida), E(PUSH, ida));
	assert_int_equal(task_get_stats(ida, &st), 0);
	assert_int_equal(st.polls, 1);
	assert_int_equal(st.wakes, 0);	/* counted by the poll it causes */
	assert_int_equal(st.self_wakes, 1);
	assert_string_equal(task_state_name(st.state), "scheduled");
	assert_int_equal(exec_run_pending(), 1);
	EXPECT_TRACE(E(POP, ida), E(POLL, ida), E(READY, ida));
	assert_int_equal(task_get_stats(ida, &st), 0);
	assert_int_equal(st.polls, 2);
	assert_int_equal(st.wakes, 1);
	task_detach(ida);
}

/* A task that keeps waking itself gets one poll per batch; others still run. */
static void test_exec_trace_batches_are_fair(void **state)
{
	struct tfut a, b;
	task_id_t ida, idb;

	(void)state;
	tfut_init(&a, 3, 5, 0);
	tfut_init(&b, 2, 5, 0);
	ida = task_spawn(&a.base, 0, "a");
	idb = task_spawn(&b.base, 0, "b");
	ntrace = 0;
	assert_int_equal(exec_run_pending(), 2);
	EXPECT_TRACE(E(POP, ida), E(POLL, ida), E(NOTIFY, ida), E(PENDING, ida), E(REQUEUE, ida),
		     E(PUSH, ida), E(POP, idb), E(POLL, idb), E(NOTIFY, idb), E(PENDING, idb),
		     E(REQUEUE, idb), E(PUSH, idb));
	assert_int_equal(exec_run_pending(), 2);
	EXPECT_TRACE(E(POP, ida), E(POLL, ida), E(NOTIFY, ida), E(PENDING, ida), E(REQUEUE, ida),
		     E(PUSH, ida), E(POP, idb), E(POLL, idb), E(READY, idb));
	assert_int_equal(exec_run_pending(), 1);
	EXPECT_TRACE(E(POP, ida), E(POLL, ida), E(READY, ida));
	task_detach(ida);
	task_detach(idb);
}

static void test_exec_stale_waker_is_noop(void **state)
{
	struct tfut a, b;
	task_id_t ida, idb;
	struct waker old;

	(void)state;
	tfut_init(&a, 1, 0, 0);
	ida = task_spawn(&a.base, 0, "a");
	task_detach(ida);
	exec_run_pending();
	old = a.saved;
	tfut_init(&b, 0, 0, 0);
	idb = task_spawn(&b.base, 0, "b");
	/* Same slot, next generation. */
	assert_int_equal(task_id_slot(idb), task_id_slot(ida));
	assert_int_not_equal(task_id_gen(idb), task_id_gen(ida));
	exec_run_pending();
	ntrace = 0;
	waker_wake(&old);
	task_wake(ida);
	EXPECT_TRACE(E(STALE, ida), E(STALE, ida));
	assert_int_equal(exec_run_pending(), 0);
	assert_int_equal(b.polls, 1);
	assert_int_equal(task_cancel(ida), -ESRCH);
	assert_int_equal(task_cancel(idb), 0);
	assert_int_equal(join_now(idb), -ECANCELED);
}

/* ---- spawn limits ------------------------------------------------------------------- */

static void test_exec_spawn_on_full_hart_fails(void **state)
{
	struct tfut f[65];
	task_id_t id[65];

	(void)state;
	for (int i = 0; i < 64; i++) {
		tfut_init(&f[i], 1, 0, i);
		id[i] = task_spawn(&f[i].base, i % 2 ? 0 : -1, "f");
		assert_int_not_equal(id[i], TASK_ID_NONE);
	}
	assert_int_equal(exec_task_count(0), 64);
	tfut_init(&f[64], 1, 0, 0);
	assert_int_equal(task_spawn(&f[64].base, 0, "x"), TASK_ID_NONE);
	assert_int_equal(task_spawn(&f[64].base, -1, "x"), TASK_ID_NONE);
	assert_int_equal(task_spawn(&f[64].base, 1, "x"), TASK_ID_NONE);	/* no hart 1 */
	assert_int_equal(exec_queue_len(0), 64);
	for (int i = 0; i < 64; i++)
		assert_int_equal(join_now(id[i]), i);
	assert_int_equal(exec_task_count(0), 0);
	/* Room again. */
	id[64] = task_spawn(&f[64].base, 0, "x");
	assert_int_not_equal(id[64], TASK_ID_NONE);
	assert_int_equal(join_now(id[64]), 0);
}

/* ---- join and cancel ---------------------------------------------------------------- */

static void test_exec_join_returns_result(void **state)
{
	struct tfut a;
	task_id_t ida;

	(void)state;
	tfut_init(&a, 4, 3, 42);
	ida = task_spawn(&a.base, -1, "a");
	assert_int_equal(join_now(ida), 42);
	assert_int_equal(a.polls, 4);
	assert_true(a.released);
	/* Joined: the slot is free, the id stale. */
	assert_true(task_is_done(ida));
	assert_int_equal(task_get_stats(ida, &(struct task_stats){ 0 }), -ESRCH);
}

/* A task whose future is the join of another task. */
static void test_exec_join_from_another_task(void **state)
{
	struct tfut a;
	struct task_join ja;
	task_id_t ida, idj;

	(void)state;
	tfut_init(&a, 3, 0, 9);
	ida = task_spawn(&a.base, 0, "a");
	task_join_init(&ja, ida);
	idj = task_spawn(&ja.base, 0, "joiner");
	exec_run_pending();	/* a pending, joiner registers */
	assert_int_equal(a.polls, 1);
	ntrace = 0;
	waker_wake_by_ref(&a.saved);
	exec_run_pending();	/* a pending */
	waker_wake_by_ref(&a.saved);
	exec_run_pending();	/* a ready: wakes the joiner */
	EXPECT_TRACE(E(WAKE, ida), E(NEXT, ida), E(POP, ida), E(POLL, ida), E(PENDING, ida),
		     E(WAKE, ida), E(NEXT, ida), E(POP, ida), E(POLL, ida), E(READY, ida),
		     E(WAKE, idj), E(NEXT, idj));
	exec_run_pending();
	EXPECT_TRACE(E(POP, idj), E(POLL, idj), E(FREE, ida), E(READY, idj));
	assert_int_equal(join_now(idj), 9);
}

/* Two same-hart wakes: the latest takes the next slot, the one it displaces
 * goes to the queue's tail. */
static void test_exec_trace_next_slot_takes_latest(void **state)
{
	struct tfut a, b;
	task_id_t ida, idb;

	(void)state;
	tfut_init(&a, 2, 0, 0);
	tfut_init(&b, 2, 0, 0);
	ida = task_spawn(&a.base, 0, "a");
	idb = task_spawn(&b.base, 0, "b");
	exec_run_pending();
	ntrace = 0;
	task_wake(ida);
	task_wake(idb);
	EXPECT_TRACE(E(WAKE, ida), E(NEXT, ida), E(WAKE, idb), E(NEXT, idb), E(PUSH, ida));
	assert_int_equal(exec_run_pending(), 1);	/* the next slot alone */
	assert_int_equal(exec_run_pending(), 1);	/* then the queue */
	EXPECT_TRACE(E(POP, idb), E(POLL, idb), E(READY, idb), E(POP, ida), E(POLL, ida),
		     E(READY, ida));
	task_detach(ida);
	task_detach(idb);
}

/*
 * Poll timing is sampled: polls 1, 1 + EXEC_TIME_SAMPLE, ... are timed, and
 * only their wake-to-poll time is summed. Sleep 1 ms between the wake and
 * each timed poll after the first, and 30 ms before one untimed poll: the
 * sum must hold the former and not the latter.
 */
static void test_exec_timed_polls_are_sampled(void **state)
{
	const uint32_t n = 2 * EXEC_TIME_SAMPLE + 1;	/* timed: 1, 65, 129 */
	struct tfut a;
	struct task_stats st;
	task_id_t ida;

	(void)state;
	tfut_init(&a, 0, 0, 0);
	ida = task_spawn(&a.base, 0, "timed");
	exec_run_pending();
	for (uint32_t poll = 2; poll <= n; poll++) {
		task_wake(ida);
		if (poll == 2)
			usleep(30000);
		else if (poll % EXEC_TIME_SAMPLE == 1)
			usleep(1000);
		assert_int_equal(exec_run_pending(), 1);
	}
	assert_int_equal(a.polls, (int)n);
	assert_int_equal(task_get_stats(ida, &st), 0);
	assert_int_equal(st.polls, n);
	assert_int_equal(st.wakes, n - 1);
	assert_int_equal(st.timed_polls, 3);
	assert_true(st.wake_to_poll_ns >= 2 * 1000000ull);
	assert_true(st.wake_to_poll_ns < 20 * 1000000ull);
	task_cancel(ida);
	task_detach(ida);
	exec_run_pending();
}

/* Two tasks that wake each other forever through the next slot. */
struct relay {
	struct future base;
	struct waker self;	/* waker of the last poll */
	struct relay *peer;
	int polls;
};

static enum poll relay_poll(struct future *f, struct context *cx)
{
	struct relay *r = (struct relay *)f;

	r->polls++;
	r->self = *cx->waker;
	if (r->peer->self.ops)
		waker_wake_by_ref(&r->peer->self);
	return POLL_PENDING;
}

static const struct future_ops relay_ops = { .name = "relay", .poll = relay_poll };

/* ...cannot starve a queued task: after EXEC_NEXT_MAX runs the queue's turn. */
static void test_exec_next_slot_cannot_starve_queue(void **state)
{
	struct relay a = { 0 }, b = { 0 };
	struct tfut c;
	task_id_t ida, idb, idc;
	int rounds = 0;

	(void)state;
	future_init(&a.base, &relay_ops);
	future_init(&b.base, &relay_ops);
	a.peer = &b;
	b.peer = &a;
	a.self = b.self = (struct waker){ 0 };
	ida = task_spawn(&a.base, 0, "relay-a");
	idb = task_spawn(&b.base, 0, "relay-b");
	exec_run_pending();	/* a, then b, which wakes a into the next slot */
	tfut_init(&c, 1, 0, 5);
	idc = task_spawn(&c.base, 0, "queued");
	while (c.polls == 0 && rounds < 10 * EXEC_NEXT_MAX) {
		exec_run_pending();
		rounds++;
	}
	assert_int_equal(c.polls, 1);
	/* EXEC_NEXT_MAX from the slot, then the batch with c. */
	assert_true(rounds <= EXEC_NEXT_MAX + 1);
	assert_true(a.polls + b.polls >= EXEC_NEXT_MAX);
	assert_int_equal(join_now(idc), 5);
	task_cancel(ida);
	task_cancel(idb);
	task_detach(ida);
	task_detach(idb);
	for (int i = 0; i < 4; i++)
		exec_run_pending();
	assert_true(task_is_done(ida) && task_is_done(idb));
}

static void test_exec_cancel_idle_task_drops_future(void **state)
{
	struct tfut a;
	task_id_t ida;

	(void)state;
	tfut_init(&a, 0, 0, 0);
	ida = task_spawn(&a.base, 0, "a");
	exec_run_pending();
	ntrace = 0;
	assert_int_equal(task_cancel(ida), 0);
	assert_int_equal(task_cancel(ida), 0);	/* twice is fine */
	EXPECT_TRACE(E(WAKE, ida), E(NEXT, ida));
	assert_false(a.dropped);
	exec_run_pending();
	EXPECT_TRACE(E(POP, ida), E(CANCEL, ida));
	assert_true(a.dropped);
	assert_true(a.released);
	assert_false(a.dropped_in_poll);
	assert_int_equal(task_cancel(ida), -ESRCH);
	/* A wake after the cancel, while the slot is still held, is ignored. */
	waker_wake_by_ref(&a.saved);
	assert_int_equal(exec_run_pending(), 0);
	assert_int_equal(join_now(ida), -ECANCELED);
	waker_wake_by_ref(&a.saved);
	assert_int_equal(exec_run_pending(), 0);
}

/* Cancelled from inside its own poll: dropped after the poll, never during. */
static void test_exec_cancel_during_poll_drops_after(void **state)
{
	struct tfut a;
	task_id_t ida;

	(void)state;
	tfut_init(&a, 0, 0, 0);
	a.cancel_self = true;
	ida = task_spawn(&a.base, 0, "a");
	exec_run_pending();
	EXPECT_TRACE(E(SPAWN, ida), E(PUSH, ida), E(POP, ida), E(POLL, ida), E(NOTIFY, ida),
		     E(PENDING, ida), E(REQUEUE, ida), E(PUSH, ida));
	assert_false(a.dropped);
	exec_run_pending();
	EXPECT_TRACE(E(POP, ida), E(CANCEL, ida));
	assert_true(a.dropped);
	assert_false(a.dropped_in_poll);
	assert_int_equal(a.polls, 1);
	task_detach(ida);
	EXPECT_TRACE(E(FREE, ida));
}

/* Cancelling a task that is queued but never polled: no poll at all. */
static void test_exec_cancel_before_first_poll(void **state)
{
	struct tfut a;
	task_id_t ida;

	(void)state;
	tfut_init(&a, 1, 0, 0);
	ida = task_spawn(&a.base, 0, "a");
	task_detach(ida);
	assert_int_equal(task_cancel(ida), 0);
	exec_run_pending();
	EXPECT_TRACE(E(SPAWN, ida), E(PUSH, ida), E(POP, ida), E(CANCEL, ida), E(FREE, ida));
	assert_int_equal(a.polls, 0);
	assert_true(a.dropped);
}

/* Dropping an unfinished join detaches: the slot is freed when the task ends. */
static void test_exec_dropped_join_detaches(void **state)
{
	struct tfut a;
	struct task_join j;
	task_id_t ida;
	struct waker nw = waker_noop();
	struct context cx = { .waker = &nw };

	(void)state;
	tfut_init(&a, 2, 0, 0);
	ida = task_spawn(&a.base, 0, "a");
	task_join_init(&j, ida);
	assert_int_equal(future_poll(&j.base, &cx), POLL_PENDING);
	future_drop(&j.base);
	future_drop(&j.base);	/* twice is fine */
	exec_run_pending();
	waker_wake_by_ref(&a.saved);
	ntrace = 0;
	exec_run_pending();
	EXPECT_TRACE(E(POP, ida), E(POLL, ida), E(READY, ida), E(FREE, ida));
}

/* ---- timers ------------------------------------------------------------------------- */

struct sleeper {
	struct future base;
	struct sleep_future s;
	int idx;
};

static int wake_order[16];
static unsigned nwoken;
static uint64_t lateness_max;

static enum poll sleeper_poll(struct future *f, struct context *cx)
{
	struct sleeper *s = (struct sleeper *)f;

	f->awaiting = &s->s.base;
	if (future_poll(&s->s.base, cx) == POLL_PENDING)
		return POLL_PENDING;
	uint64_t late = clock_now_ns() - s->s.deadline;

	if (late > lateness_max)
		lateness_max = late;
	wake_order[nwoken++] = s->idx;
	return POLL_READY;
}

static const struct future_ops sleeper_ops = { .name = "sleeper", .poll = sleeper_poll };

static void test_timer_sleepers_finish_in_deadline_order(void **state)
{
	static const int delay_ms[5] = { 50, 10, 40, 20, 30 };
	static const int want[5] = { 1, 3, 4, 2, 0 };
	struct sleeper sl[5];
	task_id_t id[5];

	(void)state;
	exec_trace_hook = NULL;
	nwoken = 0;
	lateness_max = 0;
	for (int i = 0; i < 5; i++) {
		future_init(&sl[i].base, &sleeper_ops);
		sleep_for_init(&sl[i].s, delay_ms[i] * MS);
		sl[i].idx = i;
		id[i] = task_spawn(&sl[i].base, 0, "sleeper");
	}
	for (int i = 0; i < 5; i++)
		join_now(id[i]);
	assert_int_equal(nwoken, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(wake_order[i], want[i]);
	assert_true(lateness_max < 100 * MS);
	assert_int_equal(timerq_count(0), 0);
	/* The idle hart slept rather than spun. */
	assert_true(exec_wfi_count(0) >= 1);
	assert_true(shim_timer_irqs(0) >= 1);
}

/* Waker that records its data into an order array. */
static int fired[1000];
static unsigned nfired;

static struct waker rec_clone(const struct waker *w)
{
	return *w;
}

static void rec_wake_by_ref(const struct waker *w)
{
	fired[nfired++] = (int)w->data;
}

static void rec_wake(struct waker *w)
{
	rec_wake_by_ref(w);
}

static void rec_drop(struct waker *w)
{
	(void)w;
}

static const struct waker_ops rec_ops = {
	.clone = rec_clone, .wake = rec_wake, .wake_by_ref = rec_wake_by_ref, .drop = rec_drop,
};

/* The pairing heap: random inserts and cancels fire in deadline order. */
static void test_timerq_random_cancel_fires_rest_in_order(void **state)
{
	static struct timer_entry te[1000];
	static bool cancelled[1000];
	uint64_t base = 1000;
	unsigned expect = 0;
	/* The deadlines are all past: keep the "interrupt" from being taken. */
	irqflags_t fl = arch_irq_save();

	(void)state;
	srand(1);
	nfired = 0;
	for (int i = 0; i < 1000; i++) {
		struct waker w = { .ops = &rec_ops, .data = (uintptr_t)i };

		timer_entry_init(&te[i]);
		/* Deadline i*7 mod 1000 distinct per i: all in the past. */
		timerq_add(&te[i], base + (uint64_t)((i * 7) % 1000), &w);
		cancelled[i] = false;
	}
	assert_int_equal(timerq_count(0), 1000);
	for (int k = 0; k < 400; k++) {
		int i = rand() % 1000;

		timerq_cancel(&te[i]);
		timerq_cancel(&te[i]);
		cancelled[i] = true;
	}
	for (int i = 0; i < 1000; i++)
		expect += !cancelled[i];
	assert_int_equal(timerq_count(0), expect);
	timerq_on_interrupt();
	assert_int_equal(nfired, expect);
	assert_int_equal(timerq_count(0), 0);
	for (unsigned k = 1; k < nfired; k++)
		assert_true((fired[k - 1] * 7) % 1000 < (fired[k] * 7) % 1000);
	for (unsigned k = 0; k < nfired; k++)
		assert_false(cancelled[fired[k]]);
	timerq_on_interrupt();
	assert_int_equal(nfired, expect);
	arch_irq_restore(fl);
}

/* ---- combinators ------------------------------------------------------------------ */

static void test_select2_first_ready_wins_loser_dropped(void **state)
{
	struct sleep_future fast, slow;
	struct select2_future sel;

	(void)state;
	sleep_for_init(&fast, 5 * MS);
	sleep_for_init(&slow, 5000 * MS);
	select2_init(&sel, &slow.base, &fast.base);
	exec_block_on(&sel.base);
	assert_int_equal(sel.winner, 1);
	/* The 5 s timer is gone from the queue: dropped, not left behind. */
	assert_int_equal(timerq_count(0), 0);
	assert_false(slow.te.queued);
}

static void test_select2_loser_waitq_waiter_unregistered(void **state)
{
	struct waitq wq;
	struct waitq_wait_future w;
	struct yield_future y;
	struct select2_future sel;

	(void)state;
	waitq_init(&wq);
	waitq_wait_init(&w, &wq);
	yield_now_init(&y);
	select2_init(&sel, &w.base, &y.base);
	exec_block_on(&sel.base);
	assert_int_equal(sel.winner, 1);
	assert_true(list_empty(&wq.waiters));
	assert_false(waitq_wake_one(&wq));
}

static void test_join_all_waits_for_every_child(void **state)
{
	struct sleep_future s[3];
	struct future *kids[3];
	struct join_all_future j;
	uint64_t t0 = clock_now_ns();

	(void)state;
	for (int i = 0; i < 3; i++) {
		sleep_for_init(&s[i], (uint64_t)(10 + 10 * i) * MS);
		kids[i] = &s[i].base;
	}
	join_all_init(&j, kids, 3);
	exec_block_on(&j.base);
	assert_true(clock_now_ns() - t0 >= 30 * MS);
	assert_int_equal(j.done, 7);
	for (int i = 0; i < 3; i++)
		assert_int_equal(s[i].state, SLEEP_DONE);
}

struct yielder {
	struct future base;
	struct yield_future y;
	int left;
};

static enum poll yielder_poll(struct future *f, struct context *cx)
{
	struct yielder *y = (struct yielder *)f;

	while (y->left > 0) {
		if (future_poll(&y->y.base, cx) == POLL_PENDING)
			return POLL_PENDING;
		y->left--;
		yield_now_init(&y->y);
	}
	return POLL_READY;
}

static const struct future_ops yielder_ops = { .name = "yielder", .poll = yielder_poll };

static void test_yield_now_alternates_tasks(void **state)
{
	struct yielder a, b;
	task_id_t ida, idb;

	(void)state;
	future_init(&a.base, &yielder_ops);
	future_init(&b.base, &yielder_ops);
	yield_now_init(&a.y);
	yield_now_init(&b.y);
	a.left = 2;
	b.left = 2;
	ida = task_spawn(&a.base, 0, "a");
	idb = task_spawn(&b.base, 0, "b");
	task_detach(ida);
	task_detach(idb);
	ntrace = 0;
	while (exec_run_pending())
		;
	/* Polls alternate a, b, a, b, a, b and both finish on the third. */
	unsigned polls = 0;
	task_id_t last = TASK_ID_NONE;

	for (unsigned i = 0; i < ntrace; i++) {
		if (trace[i].ev != EXEC_EV_POLL)
			continue;
		assert_int_equal(trace[i].id, polls % 2 ? idb : ida);
		assert_int_not_equal(trace[i].id, last);
		last = trace[i].id;
		polls++;
	}
	assert_int_equal(polls, 6);
	assert_true(task_is_done(ida) && task_is_done(idb));
}

static void test_get_waker_returns_task_waker(void **state)
{
	struct get_waker_future g;
	struct tfut a;
	task_id_t ida;
	struct waker nw = waker_noop();
	struct context cx = { .waker = &nw };

	(void)state;
	get_waker_init(&g);
	assert_int_equal(future_poll(&g.base, &cx), POLL_READY);
	assert_true(waker_will_wake(&g.waker, &nw));
	tfut_init(&a, 0, 0, 0);
	ida = task_spawn(&a.base, 0, "a");
	exec_run_pending();
	/* The task's waker is the cached one, made once: same each poll. */
	struct waker first = a.saved;

	task_wake(ida);
	exec_run_pending();
	assert_true(waker_will_wake(&first, &a.saved));
	assert_int_equal(task_cancel(ida), 0);
	assert_int_equal(join_now(ida), -ECANCELED);
}

/* ---- async mutex ------------------------------------------------------------------ */

struct locker {
	struct future base;
	struct amutex *m;
	struct amutex_lock_future lf;
	struct yield_future y;
	int state;	/* 0 locking, 1 holding (yield once), 2 done */
	int idx;
};

static int inside, max_inside, order[8], norder;

static enum poll locker_poll(struct future *f, struct context *cx)
{
	struct locker *l = (struct locker *)f;

	for (;;) {
		switch (l->state) {
		case 0:
			f->awaiting = &l->lf.base;
			if (future_poll(&l->lf.base, cx) == POLL_PENDING)
				return POLL_PENDING;
			if (++inside > max_inside)
				max_inside = inside;
			order[norder++] = l->idx;
			l->state = 1;
			continue;
		case 1:
			f->awaiting = &l->y.base;
			if (future_poll(&l->y.base, cx) == POLL_PENDING)
				return POLL_PENDING;
			inside--;
			amutex_unlock(l->m);
			l->state = 2;
			continue;
		default:
			return POLL_READY;
		}
	}
}

static const struct future_ops locker_ops = { .name = "locker", .poll = locker_poll };

static void test_amutex_excludes_and_hands_over_fifo(void **state)
{
	struct amutex m;
	struct locker l[4];
	task_id_t id[4];

	(void)state;
	amutex_init(&m);
	inside = max_inside = norder = 0;
	for (int i = 0; i < 4; i++) {
		future_init(&l[i].base, &locker_ops);
		l[i].m = &m;
		amutex_lock_init(&l[i].lf, &m);
		yield_now_init(&l[i].y);
		l[i].state = 0;
		l[i].idx = i;
		id[i] = task_spawn(&l[i].base, 0, "locker");
	}
	for (int i = 0; i < 4; i++)
		join_now(id[i]);
	assert_int_equal(max_inside, 1);
	assert_int_equal(norder, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(order[i], i);
	assert_true(amutex_trylock(&m));
	assert_false(amutex_trylock(&m));
	amutex_unlock(&m);
}

static void test_amutex_dropped_grantee_passes_lock_on(void **state)
{
	struct amutex m;
	struct amutex_lock_future a, b;
	struct waker nw = waker_noop();
	struct context cx = { .waker = &nw };

	(void)state;
	amutex_init(&m);
	assert_true(amutex_trylock(&m));
	amutex_lock_init(&a, &m);
	amutex_lock_init(&b, &m);
	assert_int_equal(future_poll(&a.base, &cx), POLL_PENDING);
	assert_int_equal(future_poll(&b.base, &cx), POLL_PENDING);
	amutex_unlock(&m);		/* handed to a */
	assert_false(amutex_trylock(&m));
	future_drop(&a.base);		/* a never saw it: passes to b */
	future_drop(&a.base);
	assert_int_equal(future_poll(&b.base, &cx), POLL_READY);
	amutex_unlock(&m);
	assert_true(amutex_trylock(&m));
	amutex_unlock(&m);
}

/* ---- wait queue ---------------------------------------------------------------------- */

static void test_waitq_wake_one_fifo_and_wake_all(void **state)
{
	struct waitq wq;
	struct tfut dummy;
	struct waitq_wait_future w[3];
	struct waker nw = waker_noop();
	struct context cx = { .waker = &nw };

	(void)state;
	(void)dummy;
	waitq_init(&wq);
	assert_false(waitq_wake_one(&wq));
	for (int i = 0; i < 3; i++) {
		waitq_wait_init(&w[i], &wq);
		assert_int_equal(future_poll(&w[i].base, &cx), POLL_PENDING);
	}
	assert_true(waitq_wake_one(&wq));
	assert_int_equal(future_poll(&w[0].base, &cx), POLL_READY);
	assert_int_equal(future_poll(&w[1].base, &cx), POLL_PENDING);
	assert_int_equal(future_poll(&w[2].base, &cx), POLL_PENDING);
	assert_int_equal(waitq_wake_all(&wq), 2);
	assert_int_equal(future_poll(&w[1].base, &cx), POLL_READY);
	assert_int_equal(future_poll(&w[2].base, &cx), POLL_READY);
	assert_int_equal(waitq_wake_all(&wq), 0);
}

static void test_waitq_dropped_woken_waiter_passes_wake_on(void **state)
{
	struct waitq wq;
	struct waitq_wait_future a, b, c;
	struct waker nw = waker_noop();
	struct context cx = { .waker = &nw };

	(void)state;
	waitq_init(&wq);
	waitq_wait_init(&a, &wq);
	waitq_wait_init(&b, &wq);
	waitq_wait_init(&c, &wq);
	future_poll(&a.base, &cx);
	future_poll(&b.base, &cx);
	future_poll(&c.base, &cx);
	future_drop(&c.base);	/* unqueued: gone */
	assert_true(waitq_wake_one(&wq));	/* to a */
	future_drop(&a.base);	/* a never saw it: b gets it */
	assert_int_equal(future_poll(&b.base, &cx), POLL_READY);
	assert_true(list_empty(&wq.waiters));
}

/* A task waiting on a wait queue is woken (through its task waker) and runs. */
struct waiter_task {
	struct future base;
	struct waitq_wait_future w;
};

static enum poll waiter_task_poll(struct future *f, struct context *cx)
{
	struct waiter_task *t = (struct waiter_task *)f;

	f->awaiting = &t->w.base;
	return future_poll(&t->w.base, cx);
}

static const struct future_ops waiter_task_ops = { .name = "waiter", .poll = waiter_task_poll };

static void test_waitq_wakes_waiting_task(void **state)
{
	struct waitq wq;
	struct waiter_task t;
	task_id_t id;

	(void)state;
	waitq_init(&wq);
	future_init(&t.base, &waiter_task_ops);
	waitq_wait_init(&t.w, &wq);
	id = task_spawn(&t.base, 0, "waiter");
	exec_run_pending();
	assert_false(task_is_done(id));
	exec_dump_tasks();	/* prints the await chain: waiter -> waitq_wait[WAITQ_WAITING] */
	ntrace = 0;
	assert_true(waitq_wake_one(&wq));
	EXPECT_TRACE(E(WAKE, id), E(NEXT, id));
	exec_run_pending();
	assert_true(task_is_done(id));
	join_now(id);
}

/* ---- two harts -------------------------------------------------------------------- */

static int setup2(void **state)
{
	(void)state;
	shim_init(2);
	shim_set_handlers(timerq_on_interrupt, NULL);
	assert_int_equal(exec_init_sized(2, 128), 0);
	ntrace = 0;
	exec_trace_hook = NULL;
	return 0;
}

static void stop_harts(pthread_t *t, int n)
{
	exec_host_stop();
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

/* Least-loaded placement skips a hart that never entered its run loop (one
 * that did not come up at boot): its tasks would never run. */
static void test_exec_placement_skips_offline_hart(void **state)
{
	struct tfut a[8];
	task_id_t id[8];

	(void)state;
	for (int i = 0; i < 8; i++) {
		tfut_init(&a[i], 1, 0, i);
		id[i] = task_spawn(&a[i].base, -1, "placed");
		assert_int_not_equal(id[i], TASK_ID_NONE);
	}
	assert_int_equal(exec_task_count(1), 0);	/* hart 1 never ran exec_run */
	assert_int_equal(exec_task_count(0), 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(join_now(id[i]), i);
}

/* Hart 1 sleeps when idle; a spawn onto it sends an IPI and the task runs there. */
static void test_exec_idle_hart_sleeps_and_ipi_wakes_it(void **state)
{
	struct tfut a;
	pthread_t h1;
	task_id_t ida;
	uint64_t w0;

	(void)state;
	h1 = shim_start_exec_hart(1);
	while (exec_wfi_count(1) == 0)
		usleep(1000);
	usleep(20000);
	w0 = exec_wfi_count(1);
	assert_true(w0 <= 2);	/* asleep, not spinning */
	tfut_init(&a, 1, 0, 5);
	ida = task_spawn(&a.base, 1, "a");
	assert_int_equal(join_now(ida), 5);
	assert_true(shim_ipis_sent(1) >= 1);
	assert_int_equal(exec_poll_count(1), 1);
	assert_int_equal(exec_poll_count(0), 0);
	stop_harts(&h1, 1);
}

/* An idle hart steals from a busy one (here: one that is not running at all). */
static void test_exec_idle_hart_steals_half(void **state)
{
	struct tfut f[20];
	task_id_t id[20];
	pthread_t h1;

	(void)state;
	for (int i = 0; i < 20; i++) {
		tfut_init(&f[i], 1, 0, i);
		id[i] = task_spawn(&f[i].base, 0, "f");
	}
	h1 = shim_start_exec_hart(1);
	/* Hart 0 does not run; hart 1 steals until fewer than 2 are left. */
	while (exec_queue_len(0) >= 2)
		usleep(1000);
	while (exec_task_count(1) != 0)
		usleep(1000);
	assert_true(exec_steal_count(1) >= 18);
	assert_int_equal(exec_poll_count(1), exec_steal_count(1));
	for (int i = 0; i < 20; i++)
		assert_int_equal(join_now(id[i]), i);
	stop_harts(&h1, 1);
}

/* block_on woken from another thread's wake. */
static void *wake_later(void *arg)
{
	usleep(20000);
	waitq_wake_one(arg);
	return NULL;
}

static void test_exec_block_on_woken_from_other_hart(void **state)
{
	struct waitq wq;
	struct waitq_wait_future w;
	pthread_t t;

	(void)state;
	waitq_init(&wq);
	waitq_wait_init(&w, &wq);
	t = shim_start_hart(1, wake_later, &wq);
	exec_block_on(&w.base);
	pthread_join(t, NULL);
	assert_int_equal(w.state, WAITQ_DONE);
	assert_true(exec_wfi_count(0) >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exec_trace_spawn_poll_ready_free, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_trace_wake_when_idle_pushes_once, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_trace_wake_during_poll_requeues_after, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_trace_batches_are_fair, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_stale_waker_is_noop, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_spawn_on_full_hart_fails, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_join_returns_result, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_join_from_another_task, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_trace_next_slot_takes_latest, setup1,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_timed_polls_are_sampled, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_next_slot_cannot_starve_queue, setup1,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_cancel_idle_task_drops_future, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_cancel_during_poll_drops_after, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_cancel_before_first_poll, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_dropped_join_detaches, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_timer_sleepers_finish_in_deadline_order, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_timerq_random_cancel_fires_rest_in_order, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_select2_first_ready_wins_loser_dropped, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_select2_loser_waitq_waiter_unregistered, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_join_all_waits_for_every_child, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_yield_now_alternates_tasks, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_get_waker_returns_task_waker, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_amutex_excludes_and_hands_over_fifo, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_amutex_dropped_grantee_passes_lock_on, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_waitq_wake_one_fifo_and_wake_all, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_waitq_dropped_woken_waiter_passes_wake_on, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_waitq_wakes_waiting_task, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_exec_placement_skips_offline_hart, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_idle_hart_sleeps_and_ipi_wakes_it, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_exec_idle_hart_steals_half, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_exec_block_on_woken_from_other_hart, setup2, teardown),
	};
	return cmocka_run_group_tests_name("exec", tests, NULL, NULL);
}
