// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of task_view.c (suite `task_view`): task_inspect holds an
 * idle task still without losing a wake that arrives meanwhile, refuses a
 * queued one, and task_next walks the live tasks.
 */
#include "kernel/arch.h"
#include "kernel/async/async_ktest.h"
#include "kernel/async/task.h"
#include "kernel/ktest.h"
#include "lib/errno.h"

struct inspect_probe {
	struct future *seen;
	task_id_t wake;		/* woken from inside the inspection, if set */
	int state_then;		/* what task_get_stats said meanwhile */
};

static void probe_fn(struct future *f, void *arg)
{
	struct inspect_probe *pr = arg;
	struct task_stats st;

	pr->seen = f;
	if (pr->wake) {
		task_wake(pr->wake);
		pr->state_then = task_get_stats(pr->wake, &st) ? -1 : (int)st.state;
	}
}

static bool wait_polls(struct pending_future *pf, uint32_t n)
{
	for (int i = 0; i < 200; i++) {
		if (atomic_load_explicit(&pf->polls, memory_order_relaxed) >= n)
			return true;
		ktest_sleep(MS(1));
	}
	return false;
}

KTEST(task_view, inspect_keeps_a_wake_that_comes_meanwhile)
{
	static struct pending_future pf;
	struct inspect_probe pr = { 0 };
	struct task_stats st;
	task_id_t id;

	pending_init(&pf);
	id = task_spawn(&pf.base, (int)hart_id(), "inspected");
	ASSERT(id != TASK_ID_NONE);
	ASSERT(wait_polls(&pf, 1));
	ASSERT(task_get_stats(id, &st) == 0 && st.state == TASK_STATS_IDLE);

	/* Idle: held still, the top-level future handed over, no poll. */
	EXPECT(task_inspect(id, probe_fn, &pr) == 0);
	EXPECT(pr.seen == &pf.base);
	ktest_sleep(MS(5));
	EXPECT(atomic_load_explicit(&pf.polls, memory_order_relaxed) == 1);
	EXPECT(task_get_stats(id, &st) == 0 && st.state == TASK_STATS_IDLE);

	/* A wake during the inspection is kept and honoured right after. */
	pr.wake = id;
	EXPECT(task_inspect(id, probe_fn, &pr) == 0);
	EXPECT(pr.state_then == 4); /* NOTIFIED, as a wake during a poll */
	EXPECT(wait_polls(&pf, 2));

	/* Queued (not yet polled): its chain may move, so it is refused. */
	uint32_t before = atomic_load_explicit(&pf.polls, memory_order_relaxed);
	irqflags_t fl = arch_irq_save(); /* this hart cannot run it meanwhile */

	task_wake(id);
	EXPECT(task_inspect(id, probe_fn, &pr) == -EBUSY);
	arch_irq_restore(fl);
	EXPECT(wait_polls(&pf, before + 1));

	/* Ended: -ESRCH. */
	EXPECT(task_cancel(id) == 0);
	for (int i = 0; i < 200 && !task_is_done(id); i++)
		ktest_sleep(MS(1));
	EXPECT(task_inspect(id, probe_fn, &pr) == -ESRCH);
	task_detach(id);
}

KTEST(task_view, next_walks_the_live_tasks)
{
	static struct pending_future pf[3];
	task_id_t ids[3];
	bool found[3] = { false };
	uint32_t cursor = 0;
	struct task_stats st;
	task_id_t id;

	for (int i = 0; i < 3; i++) {
		pending_init(&pf[i]);
		ids[i] = task_spawn(&pf[i].base, -1, "walked");
		ASSERT(ids[i] != TASK_ID_NONE);
	}
	while (task_next(&cursor, &id, &st))
		for (int i = 0; i < 3; i++)
			if (id == ids[i]) {
				found[i] = true;
				EXPECT(st.name && st.name[0] == 'w');
			}
	EXPECT(found[0] && found[1] && found[2]);
	for (int i = 0; i < 3; i++) {
		task_cancel(ids[i]);
		for (int j = 0; j < 200 && !task_is_done(ids[i]); j++)
			ktest_sleep(MS(1));
		task_detach(ids[i]);
	}
	cursor = 0;
	while (task_next(&cursor, &id, &st))
		for (int i = 0; i < 3; i++)
			EXPECT(id != ids[i]);
}
