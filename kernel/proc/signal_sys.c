// SPDX-License-Identifier: MIT
/*
 * The signal syscalls that return at once: kill, tkill, tgkill,
 * rt_sigqueueinfo, rt_tgsigqueueinfo, rt_sigaction, rt_sigprocmask,
 * rt_sigpending, sigaltstack, rt_sigreturn. The waiting ones
 * (rt_sigsuspend, rt_sigtimedwait) are in signal_wait.c. Errors are
 * Linux's, in Linux's order.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- sending ------------------------------------------------------------------ */

/*
 * May @from signal @t (Linux's check_kill_permission)? By the credentials
 * (kill_ok_by_cred), or SIGCONT within the session. proc_lock held: t's
 * cred cannot change under it.
 */
static bool may_kill_locked(const struct proc *from, struct proc *t, int sig)
{
	return cred_may_signal(from->cred, t->cred) || (sig == SIGCONT && t->sid == from->sid);
}

struct kill_many {
	const struct proc *from;
	const struct ksiginfo *ki;
	int pgid;		/* 0: every process but init and the sender */
	int found, sent, err;
};

/* A zombie counts as a target (kill succeeds) but gets nothing. */
static bool kill_many_one(struct proc *p, void *arg)
{
	struct kill_many *k = arg;

	if (k->pgid ? p->pgid != k->pgid : (p->pid == 1 || p->tgid == k->from->tgid))
		return true;
	if (p->pid != p->tgid)
		return true; /* a thread: its process is the target, once */
	k->found++;
	if (!may_kill_locked(k->from, p, k->ki->signo))
		return true;
	k->sent++;
	if (k->ki->signo && p->state == PROC_ALIVE) {
		int err = signal_send_locked(p, k->ki);

		if (err)
			k->err = err;
	}
	return true;
}

/*
 * kill(2)'s targets: one pid, the caller's group, a group, or everyone.
 * As on Linux, a bad signal number is -EINVAL only when there is a target
 * (-ESRCH first); a group none of which may be signalled is -EPERM, while
 * kill(-1) succeeds if it found anyone (__kill_pgrp_info and
 * kill_something_info).
 */
static int send_to(struct sys_ctx *sc, int pid, const struct ksiginfo *ki)
{
	bool valid = ki->signo >= 0 && ki->signo <= NSIG;
	struct ksiginfo none = { .signo = 0 };
	struct kill_many k = { .from = sc->proc, .ki = valid ? ki : &none };
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct proc *p;
	int err;

	if (pid > 0) {
		p = proc_lookup_locked(pid);
		err = -ESRCH;
		if (p && !may_kill_locked(sc->proc, p, ki->signo))
			err = -EPERM;
		else if (p)
			err = k.ki->signo && p->state == PROC_ALIVE ? signal_send_locked(p, k.ki) : 0;
	} else {
		k.pgid = pid == 0 ? sc->proc->pgid : pid == -1 ? 0 : -pid;
		proc_for_each_locked(kill_many_one, &k);
		err = !k.found ? -ESRCH : (!k.sent && pid != -1) ? -EPERM : k.err;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	if (!valid && err != -ESRCH)
		return -EINVAL;
	return err;
}

SYSCALL(129, kill)
{
	int pid = (int)sc->arg[0], sig = (int)sc->arg[1];
	struct ksiginfo ki;

	if (pid == INT32_MIN)
		return -ESRCH;
	signal_info_user(&ki, sig, SI_USER, sc->proc);
	return send_to(sc, pid, &ki);
}

/*
 * A thread-directed signal (tgkill, tkill, rt_tgsigqueueinfo): to the
 * thread tid itself, of the group tgid (-1: any). A thread that has exited
 * is gone (-ESRCH), as is a tid of another group.
 */
static int send_to_thread(struct sys_ctx *sc, int tgid, int tid, const struct ksiginfo *ki)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct proc *p = proc_lookup_locked(tid);
	int err = -ESRCH;

	if (p && (tgid < 0 || p->tgid == tgid) && p->state == PROC_ALIVE &&
	    !(p->tflags & TF_EXITED)) {
		if (ki->signo < 0 || ki->signo > NSIG)
			err = -EINVAL;
		else if (!may_kill_locked(sc->proc, p, ki->signo))
			err = -EPERM;
		else
			err = ki->signo ? signal_send_thread_locked(p, ki) : 0;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return err;
}

SYSCALL(131, tgkill)
{
	int tgid = (int)sc->arg[0], tid = (int)sc->arg[1], sig = (int)sc->arg[2];
	struct ksiginfo ki;

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	signal_info_user(&ki, sig, SI_TKILL, sc->proc);
	return send_to_thread(sc, tgid, tid, &ki);
}

SYSCALL(130, tkill)
{
	int tid = (int)sc->arg[0], sig = (int)sc->arg[1];
	struct ksiginfo ki;

	if (tid <= 0)
		return -EINVAL;
	signal_info_user(&ki, sig, SI_TKILL, sc->proc);
	return send_to_thread(sc, -1, tid, &ki);
}

/* The siginfo a program queues with rt_sigqueueinfo: its code, pid, uid
 * and value, signo forced to @sig. */
static int queued_info(struct sys_ctx *sc, uintptr_t uinfo, int sig, int target,
		       struct ksiginfo *ki)
{
	struct {
		int32_t signo, err, code, pad;
		int32_t pid;
		uint32_t uid;
		uint64_t value;
	} u;

	if (copy_from_user(proc_as(sc->proc), &u, uinfo, sizeof(u)))
		return -EFAULT;
	/* Only the kernel may claim to be kill() or tkill(), except to
	 * oneself (Linux). */
	if ((u.code >= 0 || u.code == SI_TKILL) && target != sc->proc->tgid &&
	    target != sc->proc->pid)
		return -EPERM;
	memset(ki, 0, sizeof(*ki));
	ki->signo = sig;
	ki->err = u.err;
	ki->code = u.code;
	ki->pid = u.pid;
	ki->uid = u.uid;
	ki->value = u.value;
	return 0;
}

SYSCALL(138, rt_sigqueueinfo)
{
	int pid = (int)sc->arg[0], sig = (int)sc->arg[1];
	struct ksiginfo ki;
	int err;

	err = queued_info(sc, sc->arg[2], sig, pid, &ki);
	if (err)
		return err;
	if (pid <= 0)
		return -ESRCH; /* no groups here (POSIX.1b) */
	return send_to(sc, pid, &ki);
}

SYSCALL(240, rt_tgsigqueueinfo)
{
	int tgid = (int)sc->arg[0], tid = (int)sc->arg[1], sig = (int)sc->arg[2];
	struct ksiginfo ki;
	int err;

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	err = queued_info(sc, sc->arg[3], sig, tid, &ki);
	if (err)
		return err;
	return send_to_thread(sc, tgid, tid, &ki);
}

/* ---- actions and masks ---------------------------------------------------------- */

/* The flags Linux keeps (and reports back): unknown ones are cleared, so a
 * program can tell what is supported (SA_UNSUPPORTED). */
#define UAPI_SA_FLAGS (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | \
		       SA_NODEFER | SA_RESETHAND | SA_EXPOSE_TAGBITS)

static void current_action(const struct proc *p, int sig, struct k_sigaction *a)
{
	if (p->sighand)
		*a = p->sighand->act[sig - 1];
	else
		memset(a, 0, sizeof(*a));
	if (p->sig_ignored & SIG_BIT(sig))
		a->handler = SIG_IGN;
	a->flags &= UAPI_SA_FLAGS;
}

static int set_action(struct proc *p, int sig, struct k_sigaction *act)
{
	uint64_t bit = SIG_BIT(sig);
	bool dfl_or_ign = act->handler == SIG_DFL || act->handler == SIG_IGN;
	irqflags_t f;

	act->flags &= UAPI_SA_FLAGS;
	act->mask &= ~SIG_UNBLOCKABLE;
	/* The table holds flags and masks too, so a plain SIG_DFL / SIG_IGN
	 * needs none (the ignored set says SIG_IGN). */
	if (!p->sighand && dfl_or_ign && !act->flags && !act->mask) {
		/* nothing to store */
	} else if (!signal_hand(p)) {
		return -ENOMEM;
	} else {
		p->sighand->act[sig - 1] = *act;
	}
	if (act->handler == SIG_IGN)
		__atomic_fetch_or(&p->sig_ignored, bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&p->sig_ignored, ~bit, __ATOMIC_RELAXED);
	/* POSIX: a pending signal that is now ignored is discarded, blocked
	 * or not. */
	bool discard = act->handler == SIG_IGN ||
		       (act->handler == SIG_DFL && (bit & SIG_DEFAULT_IGNORED));

	if (discard) {
		f = spin_lock_irqsave(&proc_lock);
		signal_discard_locked(p, bit);
		spin_unlock_irqrestore(&proc_lock, f);
	}
	signal_action_changed(p, sig);
	thread_sigaction_changed(p, sig, discard); /* the other threads share the table */
	return 0;
}

SYSCALL(134, rt_sigaction)
{
	struct proc *p = sc->proc;
	int sig = (int)sc->arg[0];
	struct k_sigaction act, old;
	int err;

	if (!sig_valid(sig) || sc->arg[3] != sizeof(uint64_t))
		return -EINVAL;
	if (sc->arg[1] && copy_from_user(p->as, &act, sc->arg[1], sizeof(act)))
		return -EFAULT;
	if (sc->arg[1] && (SIG_BIT(sig) & SIG_UNBLOCKABLE))
		return -EINVAL;
	current_action(p, sig, &old);
	if (sc->arg[1]) {
		err = set_action(p, sig, &act);
		if (err)
			return err;
	}
	if (sc->arg[2] && copy_to_user(p->as, sc->arg[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

SYSCALL(135, rt_sigprocmask)
{
	struct proc *p = sc->proc;
	int how = (int)sc->arg[0];
	uint64_t set, old = p->sig_blocked;

	if (sc->arg[3] != sizeof(uint64_t))
		return -EINVAL;
	if (sc->arg[1]) {
		if (copy_from_user(p->as, &set, sc->arg[1], sizeof(set)))
			return -EFAULT;
		set &= ~SIG_UNBLOCKABLE;
		switch (how) {
		case SIG_BLOCK:
			p->sig_blocked |= set;
			break;
		case SIG_UNBLOCK:
			p->sig_blocked &= ~set;
			break;
		case SIG_SETMASK:
			p->sig_blocked = set;
			break;
		default:
			return -EINVAL;
		}
	}
	if (sc->arg[2] && copy_to_user(p->as, sc->arg[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL(136, rt_sigpending)
{
	struct proc *p = sc->proc;
	size_t size = sc->arg[1];
	uint64_t set;

	if (size > sizeof(set))
		return -EINVAL;
	set = atomic_load_explicit(&p->sig_pending, memory_order_acquire) & p->sig_blocked;
	return copy_to_user(p->as, sc->arg[0], &set, size);
}

/* ---- the alternate stack -------------------------------------------------------- */

struct kstack {			/* stack_t on riscv64 */
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

SYSCALL(132, sigaltstack)
{
	struct proc *p = sc->proc;
	struct sighand *h = p->sighand;
	uintptr_t sp = uctx_sp(&p->uc);
	struct kstack old = { .ss_flags = SS_DISABLE }, ss;
	bool on = h && !(h->ss_flags & SS_AUTODISARM) && sp > h->ss_sp &&
		  sp - h->ss_sp <= h->ss_size;

	if (h) {
		old.ss_sp = h->ss_sp;
		old.ss_size = h->ss_size;
		old.ss_flags = (int32_t)((h->ss_size ? (on ? SS_ONSTACK : 0) : SS_DISABLE) |
					 (h->ss_flags & SS_AUTODISARM));
	}
	if (sc->arg[0]) {
		uint32_t mode;

		if (copy_from_user(p->as, &ss, sc->arg[0], sizeof(ss)))
			return -EFAULT;
		if (on)
			return -EPERM;
		mode = (uint32_t)ss.ss_flags & ~SS_AUTODISARM;
		if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			ss.ss_sp = 0;
			ss.ss_size = 0;
		} else if (ss.ss_size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
		if (!h && !(h = signal_hand(p)))
			return -ENOMEM;
		h->ss_sp = ss.ss_sp;
		h->ss_size = ss.ss_size;
		h->ss_flags = (uint32_t)ss.ss_flags;
	}
	if (sc->arg[1] && copy_to_user(p->as, sc->arg[1], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL(139, rt_sigreturn)
{
	/* The restored a0 is the call's "result", so it survives. */
	if (!signal_return(sc->proc))
		return 0;
	return (long)sc->proc->uc.x[10];
}
