// SPDX-License-Identifier: MIT
/*
 * Signals: default actions and ignore. A signal is a bit in the target's
 * pending set plus a wake of its task; the userloop acts on it before it
 * next resumes the program, and a process waiting in a syscall has that
 * syscall's future dropped, so a kill reaches a process blocked anywhere.
 * Handlers can be recorded (rt_sigaction) but are not run yet: a caught
 * signal takes its default action. Stop signals are ignored (no job control).
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SIG_DFL 0
#define SIG_IGN 1
#define SIG_BIT(sig) (1ull << ((sig)-1))
#define SIGURG 23
#define SIGTTIN 21
#define SIGTTOU 22

/* Signals whose default action is to do nothing. */
static const uint64_t default_ignored = SIG_BIT(SIGCHLD) | SIG_BIT(SIGCONT) | SIG_BIT(SIGURG) |
					SIG_BIT(SIGWINCH) | SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) |
					SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU);
static const uint64_t unblockable = SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP);

static bool valid_sig(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

static bool discards(const struct proc *p, int sig)
{
	uint64_t bit = SIG_BIT(sig);

	if (bit & unblockable)
		return sig == SIGSTOP;
	return (__atomic_load_n(&p->sig_ignored, __ATOMIC_RELAXED) & bit) ||
	       (default_ignored & bit);
}

int proc_signal(struct proc *p, int sig)
{
	if (!valid_sig(sig))
		return -EINVAL;
	if (discards(p, sig))
		return 0;
	/* release: pairs with the acquire load in signal_fatal_pending(). */
	atomic_fetch_or_explicit(&p->sig_pending, SIG_BIT(sig), memory_order_release);
	task_wake(p->task);
	return 0;
}

void signal_force(struct proc *p, int sig)
{
	uint64_t bit = SIG_BIT(sig);

	p->sig_blocked &= ~bit;
	__atomic_fetch_and(&p->sig_ignored, ~bit, __ATOMIC_RELAXED);
	if (p->sig_handlers)
		p->sig_handlers[sig - 1] = SIG_DFL;
	atomic_fetch_or_explicit(&p->sig_pending, bit, memory_order_release);
}

int signal_fatal_pending(struct proc *p)
{
	uint64_t pend = atomic_load_explicit(&p->sig_pending, memory_order_acquire);
	uint64_t deliver = pend & ~(p->sig_blocked & ~unblockable);

	if (!deliver)
		return 0;
	for (int sig = 1; sig <= NSIG; sig++) {
		uint64_t bit = SIG_BIT(sig);

		if (!(deliver & bit))
			continue;
		atomic_fetch_and_explicit(&p->sig_pending, ~bit, memory_order_relaxed);
		if (!discards(p, sig))
			return sig;
	}
	return 0;
}

void signal_reset_on_exec(struct proc *p)
{
	/* Caught signals go back to default (the whole table goes: the new
	 * image has no handler); ignored ones stay ignored. */
	kfree(p->sig_handlers);
	p->sig_handlers = NULL;
}

int signal_fork(struct proc *child, const struct proc *parent)
{
	child->sig_blocked = parent->sig_blocked;
	child->sig_ignored = parent->sig_ignored;
	if (parent->sig_handlers) {
		child->sig_handlers = kmalloc(NSIG * sizeof(uintptr_t));
		if (!child->sig_handlers)
			return -ENOMEM;
		memcpy(child->sig_handlers, parent->sig_handlers, NSIG * sizeof(uintptr_t));
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

/* Every live process for which match() holds; -ESRCH if there is none. */
static int signal_group(int sig, bool (*match)(struct proc *, int), int arg)
{
	int found = 0;
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_lookup_locked(pid);

		if (p && p->state == PROC_ALIVE && match(p, arg)) {
			found++;
			if (sig)
				proc_signal(p, sig);
		}
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return found ? 0 : -ESRCH;
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
	signal_group(sig, all_but, 1);
}

SYSCALL(129, kill)
{
	int pid = (int)sc->arg[0], sig = (int)sc->arg[1];

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0)
		return proc_signal_pid(pid, sig);
	if (pid == 0)
		return signal_group(sig, in_group, sc->proc->pgid);
	if (pid == -1)
		return signal_group(sig, all_but, sc->proc->pid);
	if (pid == INT32_MIN)
		return -ESRCH;
	return signal_group(sig, in_group, -pid);
}

SYSCALL(131, tgkill)
{
	int tgid = (int)sc->arg[0], tid = (int)sc->arg[1], sig = (int)sc->arg[2];

	if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	if (tgid != tid)
		return -ESRCH;
	return proc_signal_pid(tid, sig);
}

SYSCALL(130, tkill)
{
	int tid = (int)sc->arg[0], sig = (int)sc->arg[1];

	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	return proc_signal_pid(tid, sig);
}

/* The kernel's struct sigaction on riscv64 (asm-generic). */
struct k_sigaction {
	uintptr_t handler;
	unsigned long flags;
	uint64_t mask;
};

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
	else if (p->sig_handlers)
		old.handler = p->sig_handlers[sig - 1]; /* SIG_DFL unless caught */
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
		if (p->sig_handlers)
			p->sig_handlers[sig - 1] = SIG_DFL;
		atomic_fetch_and_explicit(&p->sig_pending, ~bit, memory_order_relaxed);
	} else if (act.handler == SIG_DFL) {
		__atomic_fetch_and(&p->sig_ignored, ~bit, __ATOMIC_RELAXED);
		if (p->sig_handlers)
			p->sig_handlers[sig - 1] = SIG_DFL;
	} else {
		if (!p->sig_handlers) {
			p->sig_handlers = kzalloc(NSIG * sizeof(uintptr_t));
			if (!p->sig_handlers)
				return -ENOMEM;
		}
		p->sig_handlers[sig - 1] = act.handler; /* neither SIG_DFL nor SIG_IGN */
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
	/* No handler is ever entered, so there is no frame to return from. */
	signal_force(sc->proc, SIGSEGV);
	return 0;
}
