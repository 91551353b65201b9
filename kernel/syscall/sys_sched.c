// SPDX-License-Identifier: MIT
/* Scheduling: sched_yield (a yield_now future) and getcpu. */
#include "kernel/arch.h"
#include "kernel/async/combinators.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
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

SYSCALL_ASYNC(124, sched_yield)
{
	struct sys_yield *s = kmalloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	future_init(&s->base, &sys_yield_ops);
	yield_now_init(&s->y);
	sc->pending = &s->base;
	return 0;
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
