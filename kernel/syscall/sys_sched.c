// SPDX-License-Identifier: MIT
/*
 * Scheduling: sched_yield (a yield_now future), getcpu, and
 * sched_getaffinity / sched_setaffinity, which really pin a process to its
 * harts (kernel/proc/affinity.c: the userloop moves it at its next poll).
 */
#include "kernel/arch.h"
#include "kernel/async/combinators.h"
#include "kernel/async/executor.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/list.h"

/* ---- sched_yield ----------------------------------------------------------------------- */

/*
 * A kmalloc'd yield_now: pending once after waking its task (which goes to
 * the back of its hart's queue), then ready with 0.
 */
struct sys_yield {
	struct future base;
	struct yield_future y;
};

static enum poll sys_yield_poll(struct future *f, struct context *cx)
{
	struct sys_yield *s = container_of(f, struct sys_yield, base);

	f->awaiting = &s->y.base;
	if (future_poll(&s->y.base, cx) == POLL_PENDING)
		return POLL_PENDING;
	f->awaiting = NULL;
	f->result = 0;
	return POLL_READY;
}

static void sys_yield_release(struct future *f)
{
	kfree(container_of(f, struct sys_yield, base));
}

/* No drop: a yield leaves no waker registered anywhere (it woke itself). */
static const struct future_ops sys_yield_ops = {
	.name = "sys_yield",
	.poll = sys_yield_poll,
	.release = sys_yield_release,
};

/* Hand the userloop a yield: 0 with sc->pending set, or -ENOMEM. */
static long yield(struct sys_ctx *sc)
{
	struct sys_yield *s = kmalloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	future_init(&s->base, &sys_yield_ops);
	yield_now_init(&s->y);
	sc->pending = &s->base;
	return 0;
}

SYSCALL_ASYNC(124, sched_yield)
{
	return yield(sc);
}

/* getcpu(cpu, node, tcache): the hart running the caller now (it may move on). */
SYSCALL(168, getcpu)
{
	unsigned cpu = hart_id(), node = 0;
	int err = 0;

	if (sc->arg[0])
		err = copy_to_user(proc_as(sc->proc), sc->arg[0], &cpu, sizeof(cpu));
	if (!err && sc->arg[1])
		err = copy_to_user(proc_as(sc->proc), sc->arg[1], &node, sizeof(node));
	return err;
}

/* ---- affinity ------------------------------------------------------------------------ */

/* Linux's cpumask_size() for up to 64 harts: one unsigned long. */
#define CPUMASK_BYTES 8

/* The process pid names (0: the caller), counted; -ESRCH. */
static int sched_target(struct sys_ctx *sc, int pid, struct proc **out)
{
	irqflags_t f;
	struct proc *p;

	if (pid < 0)
		return -ESRCH;
	if (pid == 0 || pid == sc->proc->pid) {
		proc_get(sc->proc);
		*out = sc->proc;
		return 0;
	}
	f = spin_lock_irqsave(&proc_lock);
	p = proc_lookup_locked(pid);
	if (p)
		proc_get(p);
	spin_unlock_irqrestore(&proc_lock, f);
	*out = p;
	return p ? 0 : -ESRCH;
}

/* sched_getaffinity(pid, len, mask): the bytes written (8). */
SYSCALL(123, sched_getaffinity)
{
	size_t len = sc->arg[1];
	uint64_t mask;
	struct proc *p;
	int err;

	if (len * 8 < exec_hart_count() || (len & (sizeof(long) - 1)))
		return -EINVAL;
	err = sched_target(sc, (int)sc->arg[0], &p);
	if (err)
		return err;
	mask = proc_affinity(p);
	proc_put(p);
	len = len < CPUMASK_BYTES ? len : CPUMASK_BYTES;
	err = copy_to_user(proc_as(sc->proc), sc->arg[2], &mask, len);
	return err ? err : (long)len;
}

/* sched_setaffinity(pid, len, mask): the online harts of mask, which may
 * not be none (-EINVAL); another's process needs the same owner or
 * CAP_SYS_NICE (-EPERM). A caller now pinned away from this hart returns
 * on one of its harts (it yields, and moves before it runs again). */
SYSCALL_ASYNC(122, sched_setaffinity)
{
	size_t len = sc->arg[1];
	uint64_t mask = 0;
	struct proc *p;
	irqflags_t f;
	int err;

	/* Linux: a shorter mask than its own is taken as all zeros. */
	if (len >= CPUMASK_BYTES &&
	    copy_from_user(proc_as(sc->proc), &mask, sc->arg[2], CPUMASK_BYTES))
		return -EFAULT;
	err = sched_target(sc, (int)sc->arg[0], &p);
	if (err)
		return err;
	f = spin_lock_irqsave(&proc_lock);
	if (p != sc->proc && !cred_same_owner(sc->proc->cred, p->cred))
		err = -EPERM;
	spin_unlock_irqrestore(&proc_lock, f);
	if (!err && proc_set_affinity(p, (unsigned)(mask & 0xff)))
		err = -EINVAL;
	proc_put(p);
	if (!err && p == sc->proc && !(proc_affinity(p) & (1u << hart_id())))
		return yield(sc);
	return err;
}
