/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the executor host tests (test_exec.c, test_async_helpers.c):
 * an exact trace of executor events, one- and two-hart setups over the
 * pthread shim, and a scripted future. Header-only: each test binary gets
 * its own copy of the trace.
 */
#ifndef TESTS_UNIT_EXEC_FIXTURE_H
#define TESTS_UNIT_EXEC_FIXTURE_H

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
static struct ev trace[TRACE_MAX] __attribute__((unused));
static unsigned ntrace;
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;

static inline void record(enum exec_event ev, task_id_t id, unsigned hart)
{
	(void)hart;
	pthread_mutex_lock(&trace_lock);
	if (ntrace < TRACE_MAX)
		trace[ntrace++] = (struct ev){ ev, id };
	pthread_mutex_unlock(&trace_lock);
}

static inline const char *ev_name(enum exec_event ev)
{
	static const char *const n[] = {
		"SPAWN", "PUSH", "POP", "POLL", "PENDING", "READY", "WAKE",
		"NOTIFY", "REQUEUE", "CANCEL", "STEAL", "FREE", "STALE", "NEXT",
	};
	return n[ev];
}

static inline void dump_trace(void)
{
	for (unsigned i = 0; i < ntrace; i++)
		fprintf(stderr, "  %u: %s %llx\n", i, ev_name(trace[i].ev),
			(unsigned long long)trace[i].id);
}

/* Compare the trace so far with @n (event, id) pairs, then clear it. */
static inline void expect_trace(const struct ev *want, unsigned n)
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

static inline int setup1(void **state)
{
	(void)state;
	shim_init(1);
	shim_set_handlers(timerq_on_interrupt, NULL);
	assert_int_equal(exec_init_sized(1, 64), 0);
	ntrace = 0;
	exec_trace_hook = record;
	return 0;
}

static inline int teardown(void **state)
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

static inline enum poll tfut_poll(struct future *f, struct context *cx)
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

static inline void tfut_drop(struct future *f)
{
	struct tfut *t = (struct tfut *)f;

	if (task_current() != TASK_ID_NONE)
		t->dropped_in_poll = true;
	t->dropped = true;
}

static inline void tfut_release(struct future *f)
{
	((struct tfut *)f)->released = true;
}

static const struct future_ops tfut_ops = {
	.name = "tfut", .poll = tfut_poll, .drop = tfut_drop, .release = tfut_release,
};

static inline void tfut_init(struct tfut *t, int ready_at, int self_wakes, long value)
{
	memset(t, 0, sizeof(*t));
	future_init(&t->base, &tfut_ops);
	t->ready_at = ready_at;
	t->self_wakes = self_wakes;
	t->value = value;
	t->saved = waker_noop();
}

/* Join, failing (not hanging) if the task has not ended within 10 s. */
static inline long join_now(task_id_t id)
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


#endif
