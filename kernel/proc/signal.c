// SPDX-License-Identifier: MIT
/*
 * Signals: sending, and acting on them in the target.
 *
 * A signal is a bit in the target's pending set, an entry of information
 * (signal_queue.c) and a wake of its task; the userloop acts on it before it
 * next resumes the program. A process waiting in a syscall has that
 * syscall's future dropped when a signal needs it (a handler to run, or a
 * default action that ends it): the call then reports the work already
 * done, or restarts (SA_RESTART), or fails with -EINTR. Stop signals do not
 * interrupt a call: the process stops with its call still pending and goes
 * on waiting once continued (signal_jobctl.c). A handler runs on a
 * Linux-layout frame pushed on the user stack, or on the alternate stack
 * (arch/riscv/sigframe.c), and returns through rt_sigreturn. The syscalls
 * are in signal_sys.c and signal_wait.c.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/ipc/signalfd.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/limits.h"
#include "kernel/time/ptimer.h"
#include "lib/errno.h"
#include "lib/string.h"

bool signal_caught(const struct proc *p, int sig)
{
	return p->sighand && p->sighand->act[sig - 1].handler > SIG_IGN;
}

static bool ignored(const struct proc *p, uint64_t bit)
{
	return __atomic_load_n(&p->sig_ignored, __ATOMIC_RELAXED) & bit;
}

/* ---- sending ---------------------------------------------------------------- */

/*
 * Sender side: a signal the target set to SIG_IGN is dropped at once unless
 * the target blocks it (it may be waiting for it with sigtimedwait, as
 * Linux allows). Default-ignored signals are queued and dropped by the
 * target, which alone reads its handler table.
 */
static bool sender_discards(const struct proc *p, int sig)
{
	uint64_t bit = SIG_BIT(sig);

	if (bit & SIG_UNBLOCKABLE)
		return false;
	if (__atomic_load_n(&p->sig_blocked, __ATOMIC_RELAXED) & bit)
		return false;
	return ignored(p, bit);
}

int signal_send_locked(struct proc *p, const struct ksiginfo *ki)
{
	/* To a process: one of its threads takes it (thread.c). */
	if (p->tg)
		p = thread_signal_target_locked(p, ki->signo);
	return signal_send_thread_locked(p, ki);
}

int signal_send_thread_locked(struct proc *p, const struct ksiginfo *ki)
{
	int sig = ki->signo;
	uint64_t bit = SIG_BIT(sig);
	bool queued = false;

	jobctl_on_send_locked(p, sig);
	if (sender_discards(p, sig))
		goto out;
	if (sig < SIGRTMIN && ki->code != SI_TIMER) {
		/* A second one while pending merges into the first. Without
		 * an entry it is still pending, with SI_KERNEL information.
		 * (A timer's entry is always queued, as Linux's.) */
		if (atomic_load_explicit(&p->sig_pending, memory_order_relaxed) & bit)
			goto out;
		(void)sigq_add_locked(p, ki);
	} else if (sigq_add_locked(p, ki) && ki->code != SI_USER && ki->code != SI_KERNEL) {
		return -EAGAIN; /* sigqueue and timers: the queue is full (Linux) */
	}
	/* release: pairs with the acquire loads of the target (deliverable(),
	 * signal_dequeue()). */
	atomic_fetch_or_explicit(&p->sig_pending, bit, memory_order_release);
	queued = true;
out:
	/* SIGCONT resumes the process only now that it is pending: the
	 * userloop, which reads the two without the lock, must never see it
	 * running again before it sees its SIGCONT (jobctl_continue_locked). */
	if ((sig == SIGCONT && jobctl_continue_locked(p)) || queued)
		task_wake(p->task);
	if (queued)
		signalfd_notify();
	return 0;
}

void signal_info_user(struct ksiginfo *ki, int sig, int code, const struct proc *sender)
{
	memset(ki, 0, sizeof(*ki));
	ki->signo = sig;
	ki->code = sender ? code : SI_KERNEL;
	ki->pid = sender ? sender->tgid : 0; /* the process, not the thread */
	ki->uid = sender ? sender->cred->uid : 0; /* the real uid, as Linux */
}

int proc_signal_info(struct proc *p, const struct ksiginfo *ki)
{
	irqflags_t f;
	int err = 0;

	if (!sig_valid(ki->signo))
		return -EINVAL;
	f = spin_lock_irqsave(&proc_lock);
	if (p->state == PROC_ALIVE)
		err = signal_send_locked(p, ki);
	spin_unlock_irqrestore(&proc_lock, f);
	return err;
}

int proc_signal(struct proc *p, int sig)
{
	struct ksiginfo ki;

	signal_info_user(&ki, sig, SI_KERNEL, NULL);
	return proc_signal_info(p, &ki);
}

int proc_signal_pid(int pid, int sig)
{
	struct ksiginfo ki;
	irqflags_t f;
	struct proc *p;
	int err = -ESRCH;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	signal_info_user(&ki, sig, SI_KERNEL, NULL);
	f = spin_lock_irqsave(&proc_lock);
	p = proc_lookup_locked(pid);
	if (p && p->state == PROC_ALIVE)
		err = sig ? signal_send_locked(p, &ki) : 0;
	spin_unlock_irqrestore(&proc_lock, f);
	return err;
}

struct pgrp_send {
	int pgid;
	const struct ksiginfo *ki;
	int found;
};

static bool pgrp_send_one(struct proc *p, void *arg)
{
	struct pgrp_send *s = arg;

	/* A zombie counts as a member (kill succeeds) but gets nothing;
	 * a process is counted once, not once per thread. */
	if (p->pgid == s->pgid && p->pid == p->tgid) {
		s->found++;
		if (s->ki->signo && p->state == PROC_ALIVE)
			signal_send_locked(p, s->ki);
	}
	return true;
}

int signal_pgrp_locked(int pgid, const struct ksiginfo *ki)
{
	struct pgrp_send s = { .pgid = pgid, .ki = ki };

	if (pgid <= 0)
		return -ESRCH;
	proc_for_each_locked(pgrp_send_one, &s);
	return s.found ? 0 : -ESRCH;
}

int proc_signal_pgrp(int pgid, int sig)
{
	struct ksiginfo ki;
	irqflags_t f;
	int err;

	if (!sig_valid(sig))
		return -EINVAL;
	signal_info_user(&ki, sig, SI_KERNEL, NULL);
	f = spin_lock_irqsave(&proc_lock);
	err = signal_pgrp_locked(pgid, &ki);
	spin_unlock_irqrestore(&proc_lock, f);
	return err;
}

static bool all_one(struct proc *p, void *arg)
{
	if (p->pid != 1 && p->state == PROC_ALIVE && p->pid == p->tgid)
		signal_send_locked(p, arg);
	return true;
}

void proc_signal_all(int sig)
{
	struct ksiginfo ki;
	irqflags_t f;

	signal_info_user(&ki, sig, SI_KERNEL, NULL);
	f = spin_lock_irqsave(&proc_lock);
	proc_for_each_locked(all_one, &ki);
	spin_unlock_irqrestore(&proc_lock, f);
}

/* ---- the target side -------------------------------------------------------- */

/* Nothing to do for this signal now. */
static bool discards(const struct proc *p, int sig)
{
	uint64_t bit = SIG_BIT(sig);

	if (bit & SIG_UNBLOCKABLE)
		return false;
	if (signal_caught(p, sig))
		return false;
	return ignored(p, bit) || (SIG_DEFAULT_IGNORED & bit);
}

/* Pending and unblocked, the ones with nothing to do dropped. */
static uint64_t deliverable(struct proc *p)
{
	uint64_t pend = atomic_load_explicit(&p->sig_pending, memory_order_acquire);
	uint64_t d = pend & ~(p->sig_blocked & ~SIG_UNBLOCKABLE), drop = 0;

	for (uint64_t m = d; m; m &= m - 1) {
		int sig = __builtin_ctzll(m) + 1;

		if (discards(p, sig))
			drop |= SIG_BIT(sig);
	}
	if (drop) {
		irqflags_t f = spin_lock_irqsave(&proc_lock);

		signal_discard_locked(p, drop);
		spin_unlock_irqrestore(&proc_lock, f);
		d &= ~drop;
	}
	return d;
}

/* Of @d, the stop signals with the default action: signal_jobctl()'s. */
static uint64_t default_stops(const struct proc *p, uint64_t d)
{
	uint64_t s = d & SIG_STOP_SET;

	for (uint64_t m = s; m; m &= m - 1) {
		int sig = __builtin_ctzll(m) + 1;

		if (signal_caught(p, sig))
			s &= ~SIG_BIT(sig);
	}
	return s;
}

bool signal_needs_action(struct proc *p)
{
	uint64_t d = deliverable(p);

	return (d & ~default_stops(p, d)) != 0;
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

static bool on_altstack(const struct sighand *h, uintptr_t sp)
{
	if (!h || (h->ss_flags & SS_AUTODISARM))
		return false;
	return sp > h->ss_sp && sp - h->ss_sp <= h->ss_size;
}

/* Run the handler of @sig: its frame (on the alternate stack if asked),
 * its mask, SA_RESETHAND. */
static int run_handler(struct proc *p, int sig, const struct k_sigaction *act,
		       const struct ksiginfo *ki)
{
	struct sighand *h = p->sighand;
	struct user_siginfo si;
	struct uctx_stack st = { .sp = h->ss_sp, .flags = h->ss_flags, .size = h->ss_size };
	uintptr_t sp = uctx_sp(&p->uc);
	uint64_t cur = p->sig_blocked;
	/* A wait under a temporary mask: the frame keeps the mask of before. */
	uint64_t old = (p->sig_saved & SIG_SAVED_MASK) ? p->sig_saved & ~SIG_UNBLOCKABLE : cur;

	siginfo_to_user(ki, &si);
	finish_interrupted(p, act->flags);
	p->sig_saved = 0;
	/* LAB(signal) BEGIN stub:
	 * (void)sig;
	 * if (uctx_signal_push(&p->uc, p->as, &si, old, &st, sp, act->handler))
	 * 	return WSTATUS_SIGNALED(SIGSEGV) | WSTATUS_COREDUMP;
	 */
	if ((act->flags & SA_ONSTACK) && h->ss_size && !on_altstack(h, sp))
		sp = h->ss_sp + h->ss_size;
	if (uctx_signal_push(&p->uc, p->as, &si, old, &st, sp, act->handler))
		return WSTATUS_SIGNALED(SIGSEGV) | WSTATUS_COREDUMP; /* no room for the frame */
	if (h->ss_flags & SS_AUTODISARM) {
		h->ss_sp = 0;
		h->ss_size = 0;
		h->ss_flags = SS_DISABLE;
	}
	p->sig_blocked = cur | (act->mask & ~SIG_UNBLOCKABLE);
	if (!(act->flags & SA_NODEFER))
		p->sig_blocked |= SIG_BIT(sig) & ~SIG_UNBLOCKABLE;
	/* Only the handler goes back to the default: the flags (SA_SIGINFO
	 * included) stay, as sigaction() then reports. */
	if (act->flags & SA_RESETHAND)
		h->act[sig - 1].handler = SIG_DFL;
	/* LAB(signal) END */
	return 0;
}

int signal_act(struct proc *p)
{
	uint64_t d;

	/* One handler frame per resumption, as Linux: the handler's own mask
	 * decides what may interrupt it next. */
	d = deliverable(p);
	d &= ~default_stops(p, d);
	if (d) {
		int sig = __builtin_ctzll(d) + 1;
		struct ksiginfo ki;
		struct k_sigaction act;

		signal_dequeue(p, SIG_BIT(sig), &ki);
		if (!signal_caught(p, sig)) {
			int ws = WSTATUS_SIGNALED(sig);

			if (SIG_BIT(sig) & SIG_DEFAULT_COREDUMP)
				ws |= WSTATUS_COREDUMP; /* no core file is written */
			return ws;
		}
		act = p->sighand->act[sig - 1];
		return run_handler(p, sig, &act, &ki);
	}
	/* A wait ended without a handler: its mask of before comes back. */
	if (p->sig_saved)
		signal_wait_end(p);
	/* Interrupted, but nothing to run after all: just restart the call
	 * (under the mask of before: the call installs its own again). */
	if (p->ustate == ULOOP_INTERRUPTED) {
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
		p->sig_blocked = *mask & ~SIG_UNBLOCKABLE;
	}
}

void signal_wait_end(struct proc *p)
{
	if (p->sig_saved & SIG_SAVED_MASK)
		p->sig_blocked = p->sig_saved & ~SIG_UNBLOCKABLE;
	p->sig_saved = 0;
}

uint64_t signal_pending_set(struct proc *p)
{
	return atomic_load_explicit(&p->sig_pending, memory_order_acquire);
}

/* The stack the frame recorded goes back in, as sigaltstack() would set it
 * (Linux's restore_altstack: every error but a fault is ignored, and
 * nothing changes while the program runs on the alternate stack). */
static void restore_altstack(struct proc *p, const struct uctx_stack *st, uintptr_t sp)
{
	struct sighand *h = p->sighand;
	uint32_t mode = st->flags & ~SS_AUTODISARM;

	if (!h) {
		if (mode == SS_DISABLE || !(h = signal_hand(p)))
			return;
	}
	if (on_altstack(h, sp) || (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE))
		return;
	if (mode == SS_DISABLE) {
		h->ss_sp = 0;
		h->ss_size = 0;
	} else if (st->size < MINSIGSTKSZ) {
		return;
	} else {
		h->ss_sp = st->sp;
		h->ss_size = st->size;
	}
	h->ss_flags = st->flags;
}

bool signal_return(struct proc *p)
{
	struct uctx_stack st;
	uintptr_t sp = uctx_sp(&p->uc);
	uint64_t mask;

	if (uctx_signal_pop(&p->uc, p->as, &mask, &st)) {
		signal_force(p, SIGSEGV);
		return false;
	}
	p->sig_blocked = mask & ~SIG_UNBLOCKABLE;
	restore_altstack(p, &st, sp);
	return true;
}

#define ILL_ILLOPC 2
#define BUS_ADRALN 1
#define TRAP_BRKPT 1

/* The information of a fault signal, from the trap that raised it. */
static void fault_info(const struct proc *p, int sig, struct ksiginfo *ki)
{
	unsigned long cause = p->uc.scause;

	memset(ki, 0, sizeof(*ki));
	ki->signo = sig;
	ki->code = SI_KERNEL;
	if ((cause >> 63) || cause == 8)	/* an interrupt, or an ecall */
		return;
	switch (sig) {
	case SIGSEGV:
		ki->code = SEGV_MAPERR;
		ki->addr = p->uc.stval;
		break;
	case SIGBUS:
		ki->code = BUS_ADRALN;
		ki->addr = p->uc.stval;
		break;
	case SIGILL:
		ki->code = ILL_ILLOPC;
		ki->addr = p->uc.pc;
		break;
	case SIGTRAP:
		ki->code = TRAP_BRKPT;
		ki->addr = p->uc.pc;
		break;
	}
}

void signal_force(struct proc *p, int sig)
{
	uint64_t bit = SIG_BIT(sig);
	struct ksiginfo ki;
	irqflags_t f;

	fault_info(p, sig, &ki);
	f = spin_lock_irqsave(&proc_lock);
	if (sig == SIGKILL || !signal_caught(p, sig) || (p->sig_blocked & bit)) {
		p->sig_blocked &= ~bit;
		__atomic_fetch_and(&p->sig_ignored, ~bit, __ATOMIC_RELAXED);
		if (p->sighand)
			p->sighand->act[sig - 1] = (struct k_sigaction){ 0 };
	}
	if (!(atomic_load_explicit(&p->sig_pending, memory_order_relaxed) & bit))
		(void)sigq_add_locked(p, &ki);
	atomic_fetch_or_explicit(&p->sig_pending, bit, memory_order_release);
	spin_unlock_irqrestore(&proc_lock, f);
}

struct sighand *signal_hand(struct proc *p)
{
	if (!p->sighand) {
		struct sighand *h = kzalloc(sizeof(*h));

		if (!h)
			return NULL;
		h->ss_flags = SS_DISABLE;
		proc_view_swap(p, (void **)&p->sighand, h); /* /proc reads it */
	}
	return p->sighand;
}

void signal_action_changed(struct proc *p, int sig)
{
	const struct k_sigaction *a;
	irqflags_t f;
	uint8_t bits = 0;

	if (sig != SIGCHLD)
		return;
	a = p->sighand ? &p->sighand->act[SIGCHLD - 1] : NULL;
	if (a && (a->flags & SA_NOCLDSTOP))
		bits |= JOBCTL_NOCLDSTOP;
	if (ignored(p, SIG_BIT(SIGCHLD)) || (a && (a->flags & SA_NOCLDWAIT)))
		bits |= JOBCTL_NOCLDWAIT;
	f = spin_lock_irqsave(&proc_lock);
	p->jobctl = (p->jobctl & ~(JOBCTL_NOCLDSTOP | JOBCTL_NOCLDWAIT)) | bits;
	spin_unlock_irqrestore(&proc_lock, f);
}

void signal_reset_on_exec(struct proc *p)
{
	irqflags_t f;

	/* Caught signals go back to default (the whole table goes: the new
	 * image has no handler, no flags and no alternate stack); ignored
	 * ones stay ignored. Pending signals and the mask stay. */
	kfree(proc_view_swap(p, (void **)&p->sighand, NULL)); /* /proc reads it */
	p->sig_saved = 0;
	signal_action_changed(p, SIGCHLD);
	ptimer_exec(p); /* POSIX timers go; interval timers stay */
	f = spin_lock_irqsave(&proc_lock);
	p->jobctl |= JOBCTL_EXECED;
	spin_unlock_irqrestore(&proc_lock, f);
}

int signal_fork(struct proc *child, const struct proc *parent)
{
	child->sig_blocked = parent->sig_blocked;
	child->sig_ignored = parent->sig_ignored;
	/* Not visible to anyone yet: no lock needed. */
	child->jobctl = parent->jobctl & (JOBCTL_NOCLDSTOP | JOBCTL_NOCLDWAIT | JOBCTL_NOCTTY);
	/* Timers are not inherited; a finite RLIMIT_CPU is (limits shared). */
	if (proc_rlimit_cur(child, RLIMIT_CPU) != RLIM_INFINITY)
		child->jobctl |= JOBCTL_TIMERS;
	if (parent->sighand) {
		child->sighand = kmalloc(sizeof(*child->sighand));
		if (!child->sighand)
			return -ENOMEM;
		memcpy(child->sighand, parent->sighand, sizeof(*child->sighand));
	}
	return 0;
}
