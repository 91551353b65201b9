// SPDX-License-Identifier: MIT
/*
 * Looking at tasks from outside (/proc/async, /proc/<pid>/future): walking
 * the task table, and holding an idle task still while its await chain is
 * read. Nothing here is on the wake or poll path.
 */
#include "kernel/async/task.h"

#include "kernel/arch.h"
#include "kernel/async/task_internal.h"
#include "lib/errno.h"

bool task_next(uint32_t *cursor, task_id_t *id, struct task_stats *st)
{
	irqflags_t fl = spin_lock_irqsave(&task_table.lock);
	uint32_t nr = task_table.nr_slots;

	spin_unlock_irqrestore(&task_table.lock, fl);

	while (*cursor < nr) {
		uint32_t slot = task_slot_of_index((*cursor)++);
		struct task *t = task_lookup(slot);
		uint64_t s;

		if (!t)
			break;
		s = atomic_load_explicit(&t->state, memory_order_acquire);
		if (ts_run(s) == TASK_FREE)
			continue;
		*id = (task_id_t)ts_gen(s) << 32 | slot;
		if (task_get_stats(*id, st) == 0)
			return true;
	}
	return false;
}

void task_table_figures(struct task_table_figures *f)
{
	irqflags_t fl = spin_lock_irqsave(&task_table.lock);

	f->slots = task_table.nr_slots;
	spin_unlock_irqrestore(&task_table.lock, fl);
	f->live = atomic_load_explicit(&task_table.live, memory_order_relaxed);
	f->per_seg = (uint32_t)TASKS_PER_SEG;
	f->segs = (f->slots + f->per_seg - 1) / f->per_seg;
	f->record = (uint32_t)sizeof(struct task);
}

int task_inspect(task_id_t id, void (*fn)(struct future *f, void *arg), void *arg)
{
	struct task *t = task_lookup(task_id_slot(id));
	irqflags_t fl;
	uint64_t s;

	if (!t)
		return -ESRCH;
	if (task_current() == id) {
		fn(t->fut, arg);	/* we are its poll */
		return 0;
	}
	fl = arch_irq_save();
	s = atomic_load_explicit(&t->state, memory_order_relaxed);
	do {
		if (ts_gen(s) != task_id_gen(id) || ts_run(s) == TASK_FREE || ts_is_terminal(s)) {
			arch_irq_restore(fl);
			return -ESRCH;
		}
		if (ts_run(s) != TASK_IDLE) {
			arch_irq_restore(fl);
			return -EBUSY;
		}
		/* acquire: pairs with the last poller's release (task_polled),
		 * so the future's state it left is what we read. */
	} while (!atomic_compare_exchange_weak_explicit(&t->state, &s, ts_with_run(s, TASK_RUNNING),
							 memory_order_acquire, memory_order_relaxed));
	fn(t->fut, arg);
	/* RUNNING -> IDLE, or NOTIFIED -> SCHEDULED (a wake came meanwhile:
	 * queue it, as task_polled does). release: nothing was written, but
	 * the next poller must not be ordered before our reads. */
	s = atomic_fetch_sub_explicit(&t->state, 2, memory_order_acq_rel);
	if (ts_run(s) == TASK_NOTIFIED) {
		if (s & TS_TIMED)
			t->wake_ns = clock_now_ns();
		exec_push(t->home, task_id_slot(id));
	}
	arch_irq_restore(fl);
	return 0;
}
