// SPDX-License-Identifier: MIT
/*
 * Questions about tasks that change nothing: the current task, whether one
 * is done, its statistics. The transitions are in task.c.
 */
#include "kernel/async/task.h"

#include "kernel/async/task_internal.h"
#include "lib/errno.h"

task_id_t task_current(void)
{
	return exec_harts[hart_id()].current;
}

bool task_is_done(task_id_t id)
{
	struct task *t = task_lookup(task_id_slot(id));
	uint64_t s;

	if (!t)
		return true;
	s = atomic_load_explicit(&t->state, memory_order_acquire);
	return ts_gen(s) != task_id_gen(id) || ts_is_terminal(s) || ts_run(s) == TASK_FREE;
}

_Static_assert(TASK_STATS_IDLE == TASK_IDLE, "task.h names the idle run state");

int task_get_stats(task_id_t id, struct task_stats *st)
{
	struct task *t = task_lookup(task_id_slot(id));
	uint64_t s;

	if (!t)
		return -ESRCH;
	/* acquire: pairs with spawn's release, so name/home are initialised. */
	s = atomic_load_explicit(&t->state, memory_order_acquire);
	if (ts_gen(s) != task_id_gen(id) || ts_run(s) == TASK_FREE)
		return -ESRCH;
	st->name = t->name;
	st->home = t->home;
	st->state = ts_run(s);
	st->wakes = atomic_load_explicit(&t->wakes, memory_order_relaxed);
	st->polls = atomic_load_explicit(&t->polls, memory_order_relaxed);
	st->self_wakes = atomic_load_explicit(&t->self_wakes, memory_order_relaxed);
	st->wake_to_poll_ns = atomic_load_explicit(&t->wake_to_poll_ns, memory_order_relaxed);
	st->poll_ns = atomic_load_explicit(&t->poll_ns, memory_order_relaxed);
	st->timed_polls = task_timed_polls(st->polls);
	return 0;
}
