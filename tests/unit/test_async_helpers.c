// SPDX-License-Identifier: MIT
/*
 * The async helpers on the host (ASan+UBSan, and TSan): timers and the
 * timer queue, select2, join_all, yield, get_waker, the async mutex and
 * the wait queue, over the executor fixture (exec_fixture.h).
 */
#include "tests/unit/exec_fixture.h"

/* ---- timers ------------------------------------------------------------------------- */

struct sleeper {
	struct future base;
	struct sleep_future s;
	int idx;
	uint64_t done_ns;	/* the clock when the sleep completed */
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
	s->done_ns = clock_now_ns();
	uint64_t late = s->done_ns - s->s.deadline;

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
	/*
	 * No sleep ends before its deadline. They end in deadline order unless the host
	 * ran this thread late enough for several deadlines to pass before one timer
	 * interrupt: those are woken together in deadline order, and the executor's next
	 * slot then runs the last woken first (by design: see docs/async.md), so poll
	 * order only follows deadline order between sleepers that were not yet due.
	 */
	for (int i = 0; i < 5; i++)
		assert_true(sl[i].done_ns >= sl[i].s.deadline);
	if (lateness_max < 5 * MS) /* an unloaded host: no two deadlines shared an interrupt */
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

/* Watchers (epoll items): woken by every wake, wake_one included, and stay queued;
 * of the exclusive ones only the oldest; a wake_one still reaches one waiter. */
static unsigned watch_hits[3];

static void watch_wake_by_ref(const struct waker *w)
{
	watch_hits[w->data]++;
}
static void watch_wake(struct waker *w)
{
	watch_wake_by_ref(w);
}
static struct waker watch_clone(const struct waker *w)
{
	return *w;
}
static void watch_drop(struct waker *w)
{
	(void)w;
}
static const struct waker_ops watch_ops = {
	.clone = watch_clone, .wake = watch_wake, .wake_by_ref = watch_wake_by_ref,
	.drop = watch_drop,
};

static void test_waitq_watchers_see_every_wake_exclusive_one(void **state)
{
	struct waitq wq;
	struct waitq_wait_future w0, w1, w2, waiter;
	struct waker k0 = { &watch_ops, 0 }, k1 = { &watch_ops, 1 }, k2 = { &watch_ops, 2 };
	struct waker nw = waker_noop();
	struct context cx = { .waker = &nw };

	(void)state;
	memset(watch_hits, 0, sizeof(watch_hits));
	waitq_init(&wq);
	waitq_watch(&w0, &wq, &k0, false);
	waitq_watch(&w1, &wq, &k1, true);
	waitq_watch(&w2, &wq, &k2, true);
	waitq_wait_init(&waiter, &wq);
	future_poll(&waiter.base, &cx);
	/* wake_one: every plain watcher, the oldest exclusive one, one waiter. */
	assert_true(waitq_wake_one(&wq));
	assert_int_equal(watch_hits[0], 1);
	assert_int_equal(watch_hits[1], 1);
	assert_int_equal(watch_hits[2], 0);
	assert_int_equal(future_poll(&waiter.base, &cx), POLL_READY);
	/* Watchers stay: no waiter left, they are still woken. */
	assert_int_equal(waitq_wake_all(&wq), 0);
	assert_int_equal(watch_hits[0], 2);
	assert_int_equal(watch_hits[1], 2);
	assert_int_equal(watch_hits[2], 0);
	/* Unwatched: never again; the next exclusive one takes over. */
	waitq_unwatch(&w1);
	waitq_unwatch(&w1);	/* safe twice */
	waitq_wake_all(&wq);
	assert_int_equal(watch_hits[1], 2);
	assert_int_equal(watch_hits[2], 1);
	waitq_unwatch(&w0);
	waitq_unwatch(&w2);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
		cmocka_unit_test_setup_teardown(test_waitq_watchers_see_every_wake_exclusive_one, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_waitq_wakes_waiting_task, setup1, teardown),
	};

	return cmocka_run_group_tests_name("async_helpers", tests, NULL, NULL);
}
