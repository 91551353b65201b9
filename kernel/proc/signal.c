// SPDX-License-Identifier: MIT
/*
 * Signals. A signal is a bit in the target's pending set plus a wake of its
 * task; the userloop acts on it before it next resumes the program. A
 * process waiting in a syscall has that syscall's future dropped when a
 * signal needs it (a handler to run, or a default action that ends it): the
 * call then reports the work already done, or restarts (SA_RESTART), or
 * fails with -EINTR. A handler runs on a Linux-layout frame pushed on the
 * user stack (arch/riscv/sigframe.c) and returns through rt_sigreturn.
 * Stop signals are ignored (no job control); there is no sigaltstack.
 */
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/cred.h"

#include "kernel/ipc/signalfd.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SIG_BIT(sig) (1ull << ((sig)-1))
#define SIGURG 23
#define SIGTTIN 21
#define SIGTTOU 22

/* Signals whose default action is to do nothing. */
static const uint64_t default_ignored = SIG_BIT(SIGCHLD) | SIG_BIT(SIGCONT) | SIG_BIT(SIGURG) |
					SIG_BIT(SIGWINCH) | SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) |
					SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU);
static const uint64_t unblockable = SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP);

/* proc->sig_saved tags: bits no signal mask can hold. */
#define SIG_SAVED_MASK SIG_BIT(SIGKILL)		/* the rest is the mask to restore */
#define SIG_SAVED_NORESTART SIG_BIT(SIGSTOP)	/* -EINTR after a handler, always */

static bool valid_sig(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

static bool caught(const struct proc *p, int sig)
{
	return p->sig_actions && p->sig_actions[sig - 1].handler > SIG_IGN;
}

/* Sender side: only what the target set to SIG_IGN (and SIGSTOP, with no
 * job control) is dropped at once. Default-ignored signals are queued and
 * dropped by the target, which alone may read its handler table. */
static bool sender_discards(const struct proc *p, int sig)
{
	return sig == SIGSTOP ||
	       (!(SIG_BIT(sig) & unblockable) &&
		(__atomic_load_n(&p->sig_ignored, __ATOMIC_RELAXED) & SIG_BIT(sig)));
}

/* Target side: nothing to do for this signal now. */
static bool discards(const struct proc *p, int sig)
{
	uint64_t bit = SIG_BIT(sig);

	if (bit & unblockable)
		return sig == SIGSTOP;
	if (caught(p, sig))
		return false;
	return (__atomic_load_n(&p->sig_ignored, __ATOMIC_RELAXED) & bit) ||
	       (default_ignored & bit);
}

int proc_signal(struct proc *p, int sig)
{
	if (!valid_sig(sig))
		return -EINVAL;
	if (sender_discards(p, sig))
		return 0;
	/* release: pairs with the acquire loads in signal_act() and
	 * signal_needs_action(). */
	atomic_fetch_or_explicit(&p->sig_pending, SIG_BIT(sig), memory_order_release);
	task_wake(p->task);
	signalfd_notify();
	return 0;
}

void signal_force(struct proc *p, int sig)
{
	uint64_t bit = SIG_BIT(sig);

	if (sig != SIGKILL && caught(p, sig) && !(p->sig_blocked & bit)) {
		atomic_fetch_or_explicit(&p->sig_pending, bit, memory_order_release);
		return;
	}
	p->sig_blocked &= ~bit;
	__atomic_fetch_and(&p->sig_ignored, ~bit, __ATOMIC_RELAXED);
	if (p->sig_actions)
		p->sig_actions[sig - 1] = (struct k_sigaction){ 0 };
	atomic_fetch_or_explicit(&p->sig_pending, bit, memory_order_release);
}

/* Pending and unblocked, the ones with nothing to do dropped. */
static uint64_t deliverable(struct proc *p)
{
	uint64_t pend = atomic_load_explicit(&p->sig_pending, memory_order_acquire);
	uint64_t d = pend & ~(p->sig_blocked & ~unblockable);

	for (uint64_t m = d; m; m &= m - 1) {
		int sig = __builtin_ctzll(m) + 1;

		if (discards(p, sig)) {
			atomic_fetch_and_explicit(&p->sig_pending, ~SIG_BIT(sig),
						  memory_order_relaxed);
			d &= ~SIG_BIT(sig);
		}
	}
	return d;
}

bool signal_needs_action(struct proc *p)
{
	return deliverable(p) != 0;
}

/* What the interrupted syscall reports, now that a handler will run. */
static void finish_interrupted(struct proc *p, unsigned long flags)
{
	if (p->ustate != ULOOP_INTERRUPTED)
		return;
	p->ustate = ULOOP_ENTER_USER;
	if ((flags & SA_RESTART) && !(p->sig_saved & SIG_SAVED_NORESTART))
		p->uc.pc -= 4;	/* the ecall again, a0 still its argument */
	else
		uctx_set_return(&p->uc, -EINTR);
}

#define SI_USER 0
#define SI_KERNEL 0x80
#define SEGV_MAPERR 1

/* Run the handler of @sig: its frame, its mask, SA_RESETHAND. */
static int run_handler(struct proc *p, int sig, const struct k_sigaction *act)
{
	struct uctx_siginfo si = { .signo = sig, .code = SI_USER };
	unsigned long cause = p->uc.scause;
	/* A wait under a temporary mask: the frame keeps the mask of before. */
	uint64_t old = (p->sig_saved & SIG_SAVED_MASK) ? p->sig_saved & ~unblockable
						       : p->sig_blocked;

	/* A fault's signal carries the faulting address (the last trap's). */
	if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGILL) && !(cause >> 63) && cause != 8) {
		si.is_fault = true;
		si.code = sig == SIGSEGV ? SEGV_MAPERR : SI_KERNEL;
		si.addr = p->uc.stval;
	}
	finish_interrupted(p, act->flags);
	p->sig_saved = 0;
	if (uctx_signal_push(&p->uc, p->as, &si, old, act->handler))
		return WSTATUS_SIGNALED(SIGSEGV);	/* no room for the frame */
	p->sig_blocked |= act->mask & ~unblockable;
	if (!(act->flags & SA_NODEFER))
		p->sig_blocked |= SIG_BIT(sig) & ~unblockable;
	if (act->flags & SA_RESETHAND)
		p->sig_actions[sig - 1] = (struct k_sigaction){ 0 };
	return 0;
}

int signal_act(struct proc *p)
{
	uint64_t d;

	/* One handler frame per resumption, as Linux: the handler's own mask
	 * decides what may interrupt it next. */
	d = deliverable(p);
	if (d) {
		int sig = __builtin_ctzll(d) + 1;
		struct k_sigaction act;

		atomic_fetch_and_explicit(&p->sig_pending, ~SIG_BIT(sig), memory_order_relaxed);
		if (!caught(p, sig))
			return WSTATUS_SIGNALED(sig);	/* the default: end */
		act = p->sig_actions[sig - 1];
		return run_handler(p, sig, &act);
	}
	/* Interrupted, but nothing to run after all: just restart the call
	 * (under the mask of before: the call installs its own again). */
	if (p->ustate == ULOOP_INTERRUPTED) {
		signal_wait_end(p);
		p->ustate = ULOOP_ENTER_USER;
		p->uc.pc -= 4;
	}
	return 0;
}

void signal_wait_begin(struct proc *p, const uint64_t *mask)
{
	p->sig_saved = SIG_SAVED_NORESTART;
	if (mask) {
		p->sig_saved |= SIG_SAVED_MASK | p->sig_blocked;
		p->sig_blocked = *mask & ~unblockable;
	}
}

void signal_wait_end(struct proc *p)
{
	if (p->sig_saved & SIG_SAVED_MASK)
		p->sig_blocked = p->sig_saved & ~unblockable;
	p->sig_saved = 0;
}

uint64_t signal_pending_set(struct proc *p)
{
	return atomic_load_explicit(&p->sig_pending, memory_order_acquire);
}

bool signal_dequeue(struct proc *p, int sig)
{
	uint64_t bit = SIG_BIT(sig);

	return atomic_fetch_and_explicit(&p->sig_pending, ~bit, memory_order_acq_rel) & bit;
}

bool signal_return(struct proc *p)
{
	uint64_t mask;

	if (uctx_signal_pop(&p->uc, p->as, &mask)) {
		signal_force(p, SIGSEGV);
		return false;
	}
	p->sig_blocked = mask & ~unblockable;
	return true;
}

void signal_reset_on_exec(struct proc *p)
{
	/* Caught signals go back to default (the whole table goes: the new
	 * image has no handler); ignored ones stay ignored. */
	kfree(p->sig_actions);
	p->sig_actions = NULL;
}

int signal_fork(struct proc *child, const struct proc *parent)
{
	child->sig_blocked = parent->sig_blocked;
	child->sig_ignored = parent->sig_ignored;
	if (parent->sig_actions) {
		child->sig_actions = kmalloc(NSIG * sizeof(struct k_sigaction));
		if (!child->sig_actions)
			return -ENOMEM;
		memcpy(child->sig_actions, parent->sig_actions, NSIG * sizeof(struct k_sigaction));
	}
	return 0;
}

int proc_signal_pid(int pid, int sig)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct proc *p = proc_lookup_locked(pid);
	int err = -ESRCH;

	if (p && p->state == PROC_ALIVE)
		err = sig ? proc_signal(p, sig) : 0;
	spin_unlock_irqrestore(&proc_lock, f);
	return err;
}

/*
 * May from send sig to t (Linux's check_kill_permission: kill_ok_by_cred)?
 * NULL from is the kernel (the console's ^C). proc_lock held: t's cred
 * cannot change under it.
 */
static bool may_kill_locked(struct proc *from, struct proc *t)
{
	return !from || cred_may_signal(from->cred, t->cred);
}

static int signal_pid_from(struct proc *from, int pid, int sig)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct proc *p = proc_lookup_locked(pid);
	int err = -ESRCH;

	if (p && p->state == PROC_ALIVE)
		err = !may_kill_locked(from, p) ? -EPERM : sig ? proc_signal(p, sig) : 0;
	spin_unlock_irqrestore(&proc_lock, f);
	return err;
}

/*
 * Every live process for which match() holds, that from may signal;
 * -ESRCH if none matches. A group kill that reached none it matched is
 * -EPERM; kill(-1) is 0 whenever anything matched (Linux's
 * __kill_pgrp_info and kill_something_info).
 */
static int signal_group(struct proc *from, int sig, bool (*match)(struct proc *, int), int arg,
			bool eperm_if_none)
{
	int found = 0, sent = 0;
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_lookup_locked(pid);

		if (p && p->state == PROC_ALIVE && match(p, arg)) {
			found++;
			if (!may_kill_locked(from, p))
				continue;
			sent++;
			if (sig)
				proc_signal(p, sig);
		}
	}
	spin_unlock_irqrestore(&proc_lock, f);
	if (!found)
		return -ESRCH;
	return !sent && eperm_if_none ? -EPERM : 0;
}

static bool in_group(struct proc *p, int pgid)
{
	return p->pgid == pgid;
}

static bool all_but(struct proc *p, int self)
{
	return p->pid != 1 && p->pid != self;
}

void proc_signal_foreground(int sig)
{
	signal_group(NULL, sig, all_but, 1, false);
}

SYSCALL(129, kill)
{
	int pid = (int)sc->arg[0], sig = (int)sc->arg[1];

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0)
		return signal_pid_from(sc->proc, pid, sig);
	if (pid == 0)
		return signal_group(sc->proc, sig, in_group, sc->proc->pgid, true);
	if (pid == -1)
		return signal_group(sc->proc, sig, all_but, sc->proc->pid, false);
	if (pid == INT32_MIN)
		return -ESRCH;
	return signal_group(sc->proc, sig, in_group, -pid, true);
}

SYSCALL(131, tgkill)
{
	int tgid = (int)sc->arg[0], tid = (int)sc->arg[1], sig = (int)sc->arg[2];

	if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	if (tgid != tid)
		return -ESRCH;
	return signal_pid_from(sc->proc, tid, sig);
}

SYSCALL(130, tkill)
{
	int tid = (int)sc->arg[0], sig = (int)sc->arg[1];

	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	return signal_pid_from(sc->proc, tid, sig);
}

SYSCALL(134, rt_sigaction)
{
	struct proc *p = sc->proc;
	int sig = (int)sc->arg[0];
	struct k_sigaction act, old;
	uint64_t bit;

	if (!valid_sig(sig) || sc->arg[3] != sizeof(uint64_t))
		return -EINVAL;
	bit = SIG_BIT(sig);
	memset(&old, 0, sizeof(old));
	if (p->sig_ignored & bit)
		old.handler = SIG_IGN;
	else if (p->sig_actions)
		old = p->sig_actions[sig - 1]; /* handler SIG_DFL unless caught */
	if (sc->arg[1]) {
		if (copy_from_user(p->as, &act, sc->arg[1], sizeof(act)))
			return -EFAULT;
		if (bit & unblockable)
			return -EINVAL;
	}
	if (sc->arg[2] && copy_to_user(p->as, sc->arg[2], &old, sizeof(old)))
		return -EFAULT;
	if (!sc->arg[1])
		return 0;
	if (act.handler == SIG_IGN) {
		__atomic_fetch_or(&p->sig_ignored, bit, __ATOMIC_RELAXED);
		if (p->sig_actions)
			p->sig_actions[sig - 1] = (struct k_sigaction){ 0 };
		atomic_fetch_and_explicit(&p->sig_pending, ~bit, memory_order_relaxed);
	} else if (act.handler == SIG_DFL) {
		__atomic_fetch_and(&p->sig_ignored, ~bit, __ATOMIC_RELAXED);
		if (p->sig_actions)
			p->sig_actions[sig - 1] = (struct k_sigaction){ 0 };
	} else {
		if (!p->sig_actions) {
			p->sig_actions = kzalloc(NSIG * sizeof(struct k_sigaction));
			if (!p->sig_actions)
				return -ENOMEM;
		}
		act.mask &= ~unblockable;
		p->sig_actions[sig - 1] = act;
		__atomic_fetch_and(&p->sig_ignored, ~bit, __ATOMIC_RELAXED);
	}
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
		set &= ~unblockable;
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

SYSCALL(139, rt_sigreturn)
{
	/* The restored a0 is the call's "result", so it survives. */
	if (!signal_return(sc->proc))
		return 0;
	return (long)sc->proc->uc.x[10];
}
