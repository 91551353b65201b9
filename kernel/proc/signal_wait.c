// SPDX-License-Identifier: MIT
/*
 * The syscalls that wait for a signal: rt_sigsuspend and rt_sigtimedwait.
 *
 * Neither registers a waker of its own for the signal: every send wakes the
 * target's task (signal.c), and the userloop polls the call's future again,
 * so the future just looks at the pending set. A timeout is a sleep future
 * inside (the timer wakes the task too). Both fail with -EINTR when a
 * handler runs, SA_RESTART or not (Linux), which is what their progress
 * op tells the userloop.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/async/timer.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

static long never_restarted(const struct future *f)
{
	(void)f;
	return -EINTR;
}

/* ---- rt_sigsuspend ------------------------------------------------------------ */

/*
 * WAITING forever: only a signal ends it. The call's mask is installed by
 * signal_wait_begin (proc.h): the handler runs under it, its frame keeps
 * the mask of before, and the call fails with -EINTR (never restarted).
 * Pending with no waker registered: the sender's wake of the task is it.
 */
static enum poll sigsuspend_poll(struct future *f, struct context *cx)
{
	(void)f;
	(void)cx;
	return POLL_PENDING;
}

static void sigwait_release(struct future *f)
{
	kfree(f);
}

static const struct future_ops sigsuspend_ops = {
	.name = "rt_sigsuspend",
	.poll = sigsuspend_poll,
	.release = sigwait_release,
	.progress = never_restarted,
};

SYSCALL_ASYNC(133, rt_sigsuspend)
{
	struct future *s;
	uint64_t mask;

	if (sc->arg[1] != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(proc_as(sc->proc), &mask, sc->arg[0], sizeof(mask)))
		return -EFAULT;
	s = kmalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	future_init(s, &sigsuspend_ops);
	signal_wait_begin(sc->proc, &mask);
	sc->pending = s;
	return 0;
}

/* ---- rt_sigtimedwait --------------------------------------------------------- */

/*
 *   WAITING --(a signal of the set is pending: taken)--> READY, its number
 *      \-----(the timeout's sleep is ready)-----------> READY, -EAGAIN
 */
struct sigtimedwait_future {
	struct future base;
	struct proc *p;
	uint64_t set;
	uintptr_t uinfo;
	bool timed;
	struct sleep_future sleep;
};

/* A signal of the set that is not blocked and whose default action ends
 * the process kills it, as on Linux, instead of being taken. */
static bool fatal_in_set(struct proc *p, uint64_t set)
{
	uint64_t pend = atomic_load_explicit(&p->sig_pending, memory_order_acquire) & set;

	pend &= ~p->sig_blocked;
	for (uint64_t m = pend; m; m &= m - 1) {
		int sig = __builtin_ctzll(m) + 1;
		uint64_t bit = SIG_BIT(sig);

		if (!signal_caught(p, sig) && !(p->sig_ignored & bit) &&
		    !(bit & (SIG_DEFAULT_IGNORED | SIG_STOP_SET)))
			return true;
	}
	return false;
}

/* Take a pending signal of the set: its number (info copied out), or 0. */
static long take(struct proc *p, uint64_t set, uintptr_t uinfo)
{
	struct ksiginfo ki;
	struct user_siginfo si;
	int sig;

	if (fatal_in_set(p, set))
		return 0;
	sig = signal_dequeue(p, set, &ki);
	if (!sig)
		return 0;
	if (uinfo) {
		siginfo_to_user(&ki, &si);
		if (copy_to_user(proc_as(p), uinfo, &si, sizeof(si)))
			return -EFAULT;
	}
	return sig;
}

static enum poll sigtimedwait_poll(struct future *f, struct context *cx)
{
	struct sigtimedwait_future *w = container_of(f, struct sigtimedwait_future, base);
	long r = take(w->p, w->set, w->uinfo);

	if (r) {
		f->result = r;
		return POLL_READY;
	}
	if (w->timed) {
		f->awaiting = &w->sleep.base;
		if (future_poll(&w->sleep.base, cx) == POLL_READY) {
			f->awaiting = NULL;
			f->result = -EAGAIN;
			return POLL_READY;
		}
	}
	return POLL_PENDING;
}

static void sigtimedwait_drop(struct future *f)
{
	struct sigtimedwait_future *w = container_of(f, struct sigtimedwait_future, base);

	if (w->timed)
		future_drop(&w->sleep.base);
}

static const struct future_ops sigtimedwait_ops = {
	.name = "rt_sigtimedwait",
	.type = "sigtimedwait_future",
	.poll = sigtimedwait_poll,
	.drop = sigtimedwait_drop,
	.release = sigwait_release,
	.progress = never_restarted,
};

struct ktimespec {
	int64_t tv_sec, tv_nsec;
};

SYSCALL_ASYNC(137, rt_sigtimedwait)
{
	struct proc *p = sc->proc;
	struct sigtimedwait_future *w;
	struct ktimespec ts;
	uint64_t set, ns = 0;
	long r;

	if (sc->arg[3] != sizeof(set))
		return -EINVAL;
	if (copy_from_user(p->as, &set, sc->arg[0], sizeof(set)))
		return -EFAULT;
	set &= ~SIG_UNBLOCKABLE;
	if (sc->arg[2]) {
		if (copy_from_user(p->as, &ts, sc->arg[2], sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		ns = (uint64_t)ts.tv_sec > UINT64_MAX / 2000000000 ? UINT64_MAX / 2
			: (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
	}
	r = take(p, set, sc->arg[1]);
	if (r)
		return r;
	if (sc->arg[2] && !ns)
		return -EAGAIN;
	w = kmalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	future_init(&w->base, &sigtimedwait_ops);
	w->p = p;
	w->set = set;
	w->uinfo = sc->arg[1];
	w->timed = sc->arg[2] != 0;
	if (w->timed)
		sleep_for_init(&w->sleep, ns);
	sc->pending = &w->base;
	return 0;
}
