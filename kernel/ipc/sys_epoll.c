// SPDX-License-Identifier: MIT
/*
 * epoll_create1, epoll_ctl, epoll_pwait, epoll_pwait2 over epoll.c.
 *
 * The wait is one future: register on the instance's queue, then harvest
 * (register first, then check); READY with the events or at the deadline.
 *
 *   (syscall: harvest found nothing, time left) --> WAITING
 *   WAITING --(woken: harvest finds events / the deadline)--> DONE
 *   WAITING --(a signal: dropped)--> -EINTR (never restarted, as Linux)
 */
#include "kernel/arch.h"
#include "kernel/async/timer.h"
#include "kernel/async/waitq.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/epoll.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

#define EPOLL_CLOEXEC O_CLOEXEC
#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct epoll_event))

SYSCALL(20, epoll_create1)
{
	unsigned flags = (unsigned)sc->arg[0];

	if (flags & ~(unsigned)EPOLL_CLOEXEC)
		return -EINVAL;
	return epoll_create(sc->proc, flags);
}

SYSCALL(21, epoll_ctl)
{
	struct proc *p = sc->proc;
	int epfd = (int)sc->arg[0], op = (int)sc->arg[1], fd = (int)sc->arg[2];
	struct epoll_event ev;
	struct file *epf, *tf;
	long err;

	if (op != EPOLL_CTL_DEL &&
	    copy_from_user(proc_as(p), &ev, sc->arg[3], sizeof(ev)))
		return -EFAULT;
	epf = fd_get(p, epfd);
	if (!epf)
		return -EBADF;
	tf = fd_get(p, fd);
	if (!tf) {
		file_put(epf);
		return -EBADF;
	}
	err = epoll_is_epoll(epf) ? epoll_ctl(epf, op, tf, fd, op == EPOLL_CTL_DEL ? NULL : &ev)
				  : -EINVAL;
	file_put(tf);
	file_put(epf);
	return err;
}

enum epwait_state {
	EPWAIT_WAITING,
	EPWAIT_DONE,
};

struct epwait_future {
	struct future base;
	enum epwait_state state;
	bool timed;
	int max;
	struct proc *proc;
	struct file *file;		/* counted */
	uintptr_t uevents;
	uint64_t deadline;		/* UINT64_MAX: none */
	struct timer_entry te;
	struct waitq_wait_future wait;
};

static void epwait_drop(struct future *f)
{
	struct epwait_future *w = (struct epwait_future *)f;

	future_drop(&w->wait.base);
	timerq_cancel(&w->te);
	if (w->file) {
		file_put(w->file);
		w->file = NULL;
	}
	w->state = EPWAIT_DONE;
}

static enum poll epwait_poll(struct future *f, struct context *cx)
{
	struct epwait_future *w = (struct epwait_future *)f;
	bool expired = false;
	long n;

	if (w->state == EPWAIT_DONE)
		return POLL_READY;
	future_drop(&w->wait.base);
	waitq_wait_init(&w->wait, epoll_waitq(w->file));
	f->awaiting = &w->wait.base;
	future_poll(&w->wait.base, cx);
	if (w->deadline != UINT64_MAX) {
		if (!w->timed) {
			timerq_add(&w->te, w->deadline, cx->waker);
			w->timed = true;
		}
		expired = timerq_check(&w->te, cx->waker) || clock_now_ns() >= w->deadline;
	}
	n = epoll_harvest(w->file, w->proc, w->uevents, w->max);
	if (!n && !expired)
		return POLL_PENDING;
	f->awaiting = NULL;
	epwait_drop(f);
	f->result = n;
	signal_wait_end(w->proc);
	return POLL_READY;
}

static void epwait_release(struct future *f)
{
	kfree(f);
}

static const char *epwait_state_name(const struct future *f)
{
	return ((const struct epwait_future *)f)->state == EPWAIT_DONE ? "EPWAIT_DONE"
									: "EPWAIT_WAITING";
}

static const struct future_ops epwait_ops = {
	.name = "epoll_wait",
	.type = "epwait_future",
	.poll = epwait_poll,
	.drop = epwait_drop,
	.release = epwait_release,
	.state_name = epwait_state_name,
};

/* The shared body: timeout_ns UINT64_MAX waits forever. */
static long epoll_wait_common(struct sys_ctx *sc, uint64_t timeout_ns)
{
	struct proc *p = sc->proc;
	int epfd = (int)sc->arg[0], max = (int)sc->arg[2];
	uintptr_t uevents = sc->arg[1];
	uint64_t mask;
	bool has_mask = false;
	struct epwait_future *w;
	struct file *epf;
	long n;

	if (sc->arg[4]) {
		if (sc->arg[5] != sizeof(uint64_t))
			return -EINVAL;
		if (copy_from_user(proc_as(p), &mask, sc->arg[4], sizeof(mask)))
			return -EFAULT;
		has_mask = true;
	}
	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	/* Linux checks the whole array is user memory first (access_ok). */
	if (uevents + (uintptr_t)max * sizeof(struct epoll_event) < uevents ||
	    uevents + (uintptr_t)max * sizeof(struct epoll_event) > USER_TOP)
		return -EFAULT;
	epf = fd_get(p, epfd);
	if (!epf)
		return -EBADF;
	if (!epoll_is_epoll(epf)) {
		file_put(epf);
		return -EINVAL;
	}
	n = epoll_harvest(epf, p, uevents, max);
	if (n || timeout_ns == 0) {
		file_put(epf);
		return n;
	}
	w = kzalloc(sizeof(*w));
	if (!w) {
		file_put(epf);
		return -ENOMEM;
	}
	future_init(&w->base, &epwait_ops);
	w->state = EPWAIT_WAITING;
	w->max = max;
	w->proc = p;
	w->file = epf;
	w->uevents = uevents;
	w->deadline = timeout_ns == UINT64_MAX ? UINT64_MAX : poll_deadline(timeout_ns);
	timer_entry_init(&w->te);
	waitq_wait_init(&w->wait, epoll_waitq(epf));
	signal_wait_begin(p, has_mask ? &mask : NULL);
	sc->pending = &w->base;
	return 0;
}

/* epoll_pwait(epfd, events, maxevents, timeout_ms, sigmask, sigsetsize) */
SYSCALL_ASYNC(22, epoll_pwait)
{
	int ms = (int)sc->arg[3];

	return epoll_wait_common(sc, ms < 0 ? UINT64_MAX : (uint64_t)ms * 1000000ull);
}

/* epoll_pwait2(epfd, events, maxevents, timeout timespec, sigmask, sigsetsize) */
SYSCALL_ASYNC(441, epoll_pwait2)
{
	uint64_t ns = UINT64_MAX;

	if (sc->arg[3]) {
		int err = poll_timespec_from_user(proc_as(sc->proc), sc->arg[3], &ns);

		if (err)
			return err;
		if (ns == UINT64_MAX)
			ns = UINT64_MAX - 1;
	}
	return epoll_wait_common(sc, ns);
}
