// SPDX-License-Identifier: MIT
/*
 * The wake protocol under concurrency (built twice: TSan and ASan+UBSan).
 * Harts 1 and 2 run executors; harts 3 and 4 are threads that wake tasks
 * while they are being polled. Checked:
 *   - each wake is followed by at least one poll (a task completes only
 *     when a poll sees the last wake it was sent; a lost wake hangs it and
 *     the test's deadline fails it);
 *   - no id is ever queued twice (trace hook: push/pop pairing per slot);
 *   - nothing is polled after it is done;
 *   - stale wakers (of finished, freed, reused slots) are no-ops;
 *   - futures are heap objects freed by release: ASan sees any use after
 *     free by a late wake.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel/async/combinators.h"
#include "kernel/async/executor.h"
#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "lib/errno.h"
#include "tests/unit/shim/shim.h"

#define MS 1000000ull
#define NEXEC 2		/* executor harts 1..2 */
#define NWAKERS 2	/* waker harts 3..4 */
#define NTASKS 48
#define ROUNDS 10000
#define MAXSLOTS 256

/* ---- trace checks: queued at most once, never polled after done ------------------ */

static _Atomic uint8_t queued[MAXSLOTS];
static _Atomic uint8_t done_slot[MAXSLOTS];
static atomic_uint violations;
static atomic_uint notifies, steals;

static void check_hook(enum exec_event ev, task_id_t id, unsigned hart)
{
	uint32_t slot = task_id_slot(id);

	(void)hart;
	if (slot >= MAXSLOTS)
		return;
	switch (ev) {
	case EXEC_EV_SPAWN:
		atomic_store(&done_slot[slot], 0);
		break;
	case EXEC_EV_PUSH:
		if (atomic_exchange(&queued[slot], 1) != 0)
			atomic_fetch_add(&violations, 1);
		break;
	case EXEC_EV_STEAL:
		atomic_fetch_add(&steals, 1);
		/* fall through */
	case EXEC_EV_POP:
		if (atomic_exchange(&queued[slot], 0) != 1)
			atomic_fetch_add(&violations, 1);
		break;
	case EXEC_EV_NOTIFY:
		atomic_fetch_add(&notifies, 1);
		break;
	case EXEC_EV_POLL:
		if (atomic_load(&done_slot[slot]))
			atomic_fetch_add(&violations, 1);
		break;
	case EXEC_EV_READY:
	case EXEC_EV_CANCEL:
		atomic_store(&done_slot[slot], 1);
		break;
	default:
		break;
	}
}

/* ---- the counted future --------------------------------------------------------- */

struct counted {
	struct future base;
	atomic_uint *issued;	/* wakes sent to it so far */
	unsigned target;	/* ready once a poll has seen this many */
	unsigned polls;
	bool done;
	atomic_uint *nreleased;
};

static enum poll counted_poll(struct future *f, struct context *cx)
{
	struct counted *c = (struct counted *)f;

	(void)cx;
	if (c->done)
		atomic_fetch_add(&violations, 1);
	c->polls++;
	/* Stay in the poll a while so that wakes land while RUNNING. */
	sched_yield();
	/* acquire: pairs with the release increment before each wake; but the
	 * property tested is the executor's: a wake after the increment
	 * guarantees a poll that starts after it. */
	if (atomic_load_explicit(c->issued, memory_order_acquire) >= c->target) {
		c->done = true;
		return POLL_READY;
	}
	return POLL_PENDING;
}

static void counted_release(struct future *f)
{
	struct counted *c = (struct counted *)f;

	atomic_fetch_add(c->nreleased, 1);
	free(c);
}

static const struct future_ops counted_ops = {
	.name = "counted", .poll = counted_poll, .release = counted_release,
};

static atomic_uint issued[NTASKS];
static atomic_uint nreleased;
static _Atomic task_id_t ids[NTASKS];
static atomic_bool go, quit;

static void *waker_thread(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&go))
		sched_yield();
	for (unsigned r = 0; r < ROUNDS; r++) {
		for (unsigned k = 0; k < NTASKS; k++) {
			unsigned i = (k + seed * 7) % NTASKS;

			atomic_fetch_add_explicit(&issued[i], 1, memory_order_release);
			task_wake(atomic_load_explicit(&ids[i], memory_order_relaxed));
		}
		if (r % 64 == 0)
			sched_yield();
	}
	return NULL;
}

struct harness {
	pthread_t exec[NEXEC], wakers[NWAKERS];
};

static void start(struct harness *h)
{
	for (unsigned i = 0; i < NEXEC; i++)
		h->exec[i] = shim_start_exec_hart(1 + i);
}

static void stop(struct harness *h)
{
	exec_host_stop();
	for (unsigned i = 0; i < NEXEC; i++)
		pthread_join(h->exec[i], NULL);
}

static int setup(void **state)
{
	(void)state;
	shim_init(1 + NEXEC + NWAKERS);
	shim_set_handlers(timerq_on_interrupt, NULL);
	/* Only harts 0..NEXEC run executors; wakers use harts above. */
	assert_int_equal(exec_init_sized(1 + NEXEC, 3 * 64), 0);
	for (unsigned i = 0; i < MAXSLOTS; i++) {
		atomic_store(&queued[i], 0);
		atomic_store(&done_slot[i], 0);
	}
	atomic_store(&violations, 0);
	atomic_store(&notifies, 0);
	atomic_store(&steals, 0);
	atomic_store(&nreleased, 0);
	atomic_store(&go, false);
	atomic_store(&quit, false);
	exec_trace_hook = check_hook;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	exec_trace_hook = NULL;
	exec_host_fini();
	return 0;
}

/* Join @n tasks, failing if they are not all done within @ms. */
static void join_all_within(task_id_t *id, unsigned n, unsigned ms)
{
	struct task_join j[NTASKS];
	struct future *kids[NTASKS];
	struct join_all_future all;
	struct sleep_future limit;
	struct select2_future sel;

	for (unsigned i = 0; i < n; i++) {
		task_join_init(&j[i], id[i]);
		kids[i] = &j[i].base;
	}
	join_all_init(&all, kids, n);
	sleep_for_init(&limit, ms * MS);
	select2_init(&sel, &all.base, &limit.base);
	exec_block_on(&sel.base);
	if (sel.winner != 0) {
		exec_dump_tasks();
		fail_msg("tasks not done after %u ms: a wake was lost", ms);
	}
}

static void test_wake_concurrent_each_wake_followed_by_poll(void **state)
{
	struct harness h;
	task_id_t id[NTASKS];
	const unsigned target = ROUNDS * NWAKERS;

	(void)state;
	for (unsigned i = 0; i < NTASKS; i++) {
		struct counted *c = calloc(1, sizeof(*c));

		atomic_store(&issued[i], 0);
		future_init(&c->base, &counted_ops);
		c->issued = &issued[i];
		c->target = target;
		c->nreleased = &nreleased;
		/* Home them on the executor harts (and some on hart 0, which
		 * runs only inside block_on). */
		id[i] = task_spawn(&c->base, (int)(i % (1 + NEXEC)), "counted");
		assert_int_not_equal(id[i], TASK_ID_NONE);
		atomic_store(&ids[i], id[i]);
	}
	start(&h);
	for (unsigned w = 0; w < NWAKERS; w++)
		h.wakers[w] = shim_start_hart(1 + NEXEC + w, waker_thread, (void *)(uintptr_t)w);
	atomic_store(&go, true);
	join_all_within(id, NTASKS, 20000);
	for (unsigned w = 0; w < NWAKERS; w++)
		pthread_join(h.wakers[w], NULL);
	stop(&h);
	fprintf(stderr, "  wakes during polls: %u, steals: %u\n", atomic_load(&notifies),
		atomic_load(&steals));
	assert_int_equal(atomic_load(&violations), 0);
	/* The race this test is about did happen. */
	assert_true(atomic_load(&notifies) > 0);
	assert_int_equal(atomic_load(&nreleased), NTASKS);
	/* Stale ids now: wakes, cancels, detaches are all no-ops. */
	for (unsigned i = 0; i < NTASKS; i++) {
		task_wake(id[i]);
		assert_true(task_is_done(id[i]));
		assert_int_equal(task_cancel(id[i]), -ESRCH);
		task_detach(id[i]);
	}
	assert_int_equal(exec_queue_len(0) + exec_queue_len(1) + exec_queue_len(2), 0);
}

/* ---- stale wakers racing with slot reuse --------------------------------------------- */

static _Atomic task_id_t stale_ids[NTASKS];

static void *stale_waker_thread(void *arg)
{
	(void)arg;
	while (!atomic_load(&go))
		sched_yield();
	while (!atomic_load(&quit)) {
		for (unsigned i = 0; i < NTASKS; i++)
			task_wake(atomic_load_explicit(&stale_ids[i], memory_order_relaxed));
		sched_yield();
	}
	return NULL;
}

struct parked {
	struct future base;
	atomic_uint polls;
};

static enum poll parked_poll(struct future *f, struct context *cx)
{
	(void)cx;
	atomic_fetch_add(&((struct parked *)f)->polls, 1);
	return POLL_PENDING;	/* only cancel ends it */
}

static void parked_release(struct future *f)
{
	atomic_fetch_add(&nreleased, 1);
	free(f);
}

static const struct future_ops parked_ops = {
	.name = "parked", .poll = parked_poll, .release = parked_release,
};

static void test_wake_stale_wakers_never_reach_new_tasks(void **state)
{
	struct harness h;
	task_id_t id[NTASKS];
	struct parked *p[NTASKS];

	(void)state;
	start(&h);
	/* Generation 1: tasks that finish at once; their ids go stale. */
	for (unsigned i = 0; i < NTASKS; i++) {
		struct counted *c = calloc(1, sizeof(*c));

		atomic_store(&issued[i], 0);
		future_init(&c->base, &counted_ops);
		c->issued = &issued[i];
		c->target = 0;
		c->nreleased = &nreleased;
		id[i] = task_spawn(&c->base, -1, "short");
		atomic_store(&stale_ids[i], id[i]);
	}
	join_all_within(id, NTASKS, 20000);
	/* Hammer the stale ids while new tasks take the same slots. */
	for (unsigned w = 0; w < NWAKERS; w++)
		h.wakers[w] = shim_start_hart(1 + NEXEC + w, stale_waker_thread, NULL);
	atomic_store(&go, true);
	for (unsigned i = 0; i < NTASKS; i++) {
		p[i] = calloc(1, sizeof(*p[i]));
		future_init(&p[i]->base, &parked_ops);
		/* On the running harts: hart 0 polls only inside block_on. */
		id[i] = task_spawn(&p[i]->base, (int)(1 + i % NEXEC), "parked");
		assert_int_not_equal(id[i], TASK_ID_NONE);
	}
	/* Let them run their first poll, under the storm. */
	for (unsigned i = 0, waited = 0; i < NTASKS; i++)
		while (atomic_load(&p[i]->polls) == 0) {
			usleep(100);
			if (++waited > 100000)
				fail_msg("parked task %u never polled", i);
		}
	usleep(50000);
	atomic_store(&quit, true);
	for (unsigned w = 0; w < NWAKERS; w++)
		pthread_join(h.wakers[w], NULL);
	for (unsigned i = 0; i < NTASKS; i++)
		assert_int_equal(atomic_load(&p[i]->polls), 1);
	for (unsigned i = 0; i < NTASKS; i++)
		assert_int_equal(task_cancel(id[i]), 0);
	join_all_within(id, NTASKS, 20000);
	stop(&h);
	assert_int_equal(atomic_load(&violations), 0);
	assert_int_equal(atomic_load(&nreleased), 2 * NTASKS);
}

/* ---- churn: short tasks spawned, woken, cancelled and joined from all sides ----------- */

#define CHURN_ROUNDS 200

static void *churn_waker(void *arg)
{
	unsigned k = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&go))
		sched_yield();
	while (!atomic_load(&quit)) {
		for (unsigned i = 0; i < NTASKS; i++) {
			task_id_t t = atomic_load_explicit(&ids[i], memory_order_relaxed);

			atomic_fetch_add_explicit(&issued[i], 1, memory_order_release);
			if ((i + k) % 5 == 0)
				task_cancel(t);
			else
				task_wake(t);
		}
		sched_yield();
	}
	return NULL;
}

static void test_wake_churn_with_cancels_no_uaf(void **state)
{
	struct harness h;
	task_id_t id[NTASKS];
	unsigned spawned = 0;

	(void)state;
	start(&h);
	for (unsigned w = 0; w < NWAKERS; w++)
		h.wakers[w] = shim_start_hart(1 + NEXEC + w, churn_waker, (void *)(uintptr_t)w);
	atomic_store(&go, true);
	for (unsigned r = 0; r < CHURN_ROUNDS; r++) {
		for (unsigned i = 0; i < NTASKS; i++) {
			struct counted *c = calloc(1, sizeof(*c));

			future_init(&c->base, &counted_ops);
			c->issued = &issued[i];
			/* Done after a few more wakes than it has had. */
			c->target = atomic_load(&issued[i]) + 3;
			c->nreleased = &nreleased;
			id[i] = task_spawn(&c->base, -1, "churn");
			assert_int_not_equal(id[i], TASK_ID_NONE);
			atomic_store(&ids[i], id[i]);
			spawned++;
		}
		join_all_within(id, NTASKS, 20000);
	}
	atomic_store(&quit, true);
	for (unsigned w = 0; w < NWAKERS; w++)
		pthread_join(h.wakers[w], NULL);
	stop(&h);
	assert_int_equal(atomic_load(&violations), 0);
	assert_int_equal(atomic_load(&nreleased), spawned);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wake_concurrent_each_wake_followed_by_poll,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_wake_stale_wakers_never_reach_new_tasks,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_wake_churn_with_cancels_no_uaf, setup,
						teardown),
	};
	return cmocka_run_group_tests_name("wake", tests, NULL, NULL);
}
