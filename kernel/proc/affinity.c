// SPDX-License-Identifier: MIT
/*
 * CPU affinity (sched_setaffinity): the harts a process may run on, and the
 * userloop's check that keeps it there.
 *
 * The mask lives in a table by pid, not in struct proc, because every poll
 * of every process reads it: one byte, no lock, no pointer to chase, and no
 * cost per process (32 KiB of bss for PID_MAX pids). 0 means every hart;
 * otherwise bit i is hart i (the dense index getcpu reports).
 *
 * Lock legend: pinned[] A (relaxed: a process moves at its next poll after
 * a change, which is soon enough; the byte orders nothing else).
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/async/executor.h"
#include "kernel/async/task.h"

_Static_assert(MAX_HARTS <= 8, "a hart mask fits a byte");

static _Atomic uint8_t pinned[PID_MAX];

static unsigned online_mask(void)
{
	unsigned n = exec_hart_count();

	return n >= 8 ? 0xffu : (1u << n) - 1;
}

unsigned proc_affinity(const struct proc *p)
{
	unsigned m = atomic_load_explicit(&pinned[p->pid], memory_order_relaxed);

	return m ? m & online_mask() : online_mask();
}

int proc_set_affinity(struct proc *p, unsigned mask)
{
	mask &= online_mask();
	if (!mask)
		return -1;
	atomic_store_explicit(&pinned[p->pid], (uint8_t)(mask == online_mask() ? 0 : mask),
			      memory_order_relaxed);
	return 0;
}

void proc_affinity_fork(struct proc *child, struct proc *parent)
{
	atomic_store_explicit(&pinned[child->pid],
			      atomic_load_explicit(&pinned[parent->pid], memory_order_relaxed),
			      memory_order_relaxed);
}

void proc_affinity_reset(struct proc *p)
{
	atomic_store_explicit(&pinned[p->pid], 0, memory_order_relaxed);
}

bool proc_may_run_here(struct proc *p, struct context *cx)
{
	unsigned m = atomic_load_explicit(&pinned[p->pid], memory_order_relaxed), h = hart_id();

	if (!m || (m & (1u << h)))
		return true;
	/* To the lowest allowed hart, after this poll; then poll there. */
	m &= online_mask();
	if (!m)
		return true; /* its harts went away: run anywhere rather than not at all */
	task_move_current((unsigned)__builtin_ctz(m));
	waker_wake_by_ref(cx->waker);
	return false;
}
