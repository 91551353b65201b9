// SPDX-License-Identifier: MIT
/*
 * Job control: stopping and continuing processes, orphaned process groups,
 * and what the parent learns (SIGCHLD, wait4's WUNTRACED / WCONTINUED).
 *
 * A stop signal with the default action (SIGSTOP, and SIGTSTP, SIGTTIN,
 * SIGTTOU unless the process group is orphaned) stops the process when its
 * userloop next looks (signal_jobctl(), at the top of every round): it
 * records the stop, tells the parent, and returns PENDING without running
 * the program. A syscall it was waiting in stays pending (its future keeps
 * its wakers), so a stopped process still "sleeps" in read() or
 * nanosleep() and simply goes on once continued, as Linux's restart of an
 * interrupted call does. SIGCONT resumes it at the moment it is sent
 * (blocked, ignored or caught), and SIGKILL ends it: both wake its task.
 *
 * Lock legend: jobctl, stop_sig and nr_stopped are under proc_lock.
 */
#include "kernel/proc/proc_internal.h"

#include "lib/errno.h"
#include "lib/string.h"

static unsigned nr_stopped; /* L: processes stopped now (exit's orphan check) */

void jobctl_notify_parent_locked(struct proc *p, int code, int status)
{
	struct proc *parent = p->parent;
	struct ksiginfo ki;
	const uint64_t ns_per_tick = 10000000; /* clock_t is 1/100 s */

	if (!parent)
		return;
	if (!((code == CLD_STOPPED || code == CLD_CONTINUED) &&
	      (parent->jobctl & JOBCTL_NOCLDSTOP)) &&
	    parent->state == PROC_ALIVE) {
		memset(&ki, 0, sizeof(ki));
		ki.signo = SIGCHLD;
		ki.code = code;
		ki.pid = p->pid;
		ki.status = status;
		ki.utime = (int64_t)((p->utime_ns + p->cutime_ns) / ns_per_tick);
		ki.stime = (int64_t)((p->stime_ns + p->cstime_ns) / ns_per_tick);
		signal_send_locked(parent, &ki);
	}
	waitq_wake_all(proc_child_waitq(parent));
}

static void stop_locked(struct proc *p, int sig)
{
	if (p->jobctl & JOBCTL_STOPPED)
		return;
	p->jobctl = (p->jobctl | JOBCTL_STOPPED | JOBCTL_STOP_REPORT) & ~JOBCTL_CONT_REPORT;
	p->stop_sig = (uint8_t)sig;
	nr_stopped++;
	jobctl_notify_parent_locked(p, CLD_STOPPED, sig);
}

bool jobctl_continue_locked(struct proc *p)
{
	if (!(p->jobctl & JOBCTL_STOPPED))
		return false;
	/* release: pairs with the userloop's acquire load of jobctl, after
	 * which it reads the pending set (the SIGCONT queued before this). */
	__atomic_store_n(&p->jobctl,
			 (uint8_t)((p->jobctl | JOBCTL_CONT_REPORT) &
				   ~(JOBCTL_STOPPED | JOBCTL_STOP_REPORT)),
			 __ATOMIC_RELEASE);
	nr_stopped--;
	jobctl_notify_parent_locked(p, CLD_CONTINUED, SIGCONT);
	return true;
}

void jobctl_on_send_locked(struct proc *p, int sig)
{
	if (sig == SIGCONT)
		signal_discard_locked(p, SIG_STOP_SET);
	else if (SIG_BIT(sig) & SIG_STOP_SET)
		signal_discard_locked(p, SIG_BIT(SIGCONT));
}

/* A pending, unblocked signal below @below that has a handler or a fatal
 * default action. */
static bool lower_needs_action(const struct proc *p, uint64_t pend, int below)
{
	uint64_t m = pend & ~(p->sig_blocked & ~SIG_UNBLOCKABLE) & (SIG_BIT(below) - 1);

	for (; m; m &= m - 1) {
		int sig = __builtin_ctzll(m) + 1;
		uint64_t bit = SIG_BIT(sig);

		if (signal_caught(p, sig) ||
		    !((p->sig_ignored & bit) || (bit & (SIG_DEFAULT_IGNORED | SIG_STOP_SET))))
			return true;
	}
	return false;
}

bool signal_jobctl(struct proc *p)
{
	uint64_t pend = atomic_load_explicit(&p->sig_pending, memory_order_acquire);
	uint64_t stops = pend & SIG_STOP_SET & ~(p->sig_blocked & ~SIG_UNBLOCKABLE);
	irqflags_t f;
	bool stopped;

	/* Caught ones go to their handler; SIG_IGN ones were never queued
	 * unless blocked (and blocked ones are not looked at). */
	for (uint64_t m = stops; m; m &= m - 1) {
		int sig = __builtin_ctzll(m) + 1;

		if (signal_caught(p, sig) || (sig != SIGSTOP && (p->sig_ignored & SIG_BIT(sig))))
			stops &= ~SIG_BIT(sig);
	}
	/* Signals go in number order, as Linux dequeues them: a handler or a
	 * fatal default of a lower number is acted on first (signal_act), so
	 * a SIGTERM sent with a SIGTTIN pending still ends the process. */
	if (stops && lower_needs_action(p, pend, __builtin_ctzll(stops) + 1))
		stops = 0;
	f = spin_lock_irqsave(&proc_lock);
	if (stops) {
		/* Again under the lock: a SIGCONT may just have dropped them. */
		stops &= atomic_load_explicit(&p->sig_pending, memory_order_relaxed);
		signal_discard_locked(p, stops);
		/* In an orphaned group nobody would continue it: the terminal
		 * stops are dropped (POSIX), SIGSTOP still stops. */
		if ((stops & ~SIG_BIT(SIGSTOP)) && pgrp_orphaned_locked(p->pgid, NULL))
			stops &= SIG_BIT(SIGSTOP);
		if (stops)
			stop_locked(p, __builtin_ctzll(stops) + 1);
	}
	stopped = (p->jobctl & JOBCTL_STOPPED) &&
		  !(atomic_load_explicit(&p->sig_pending, memory_order_relaxed) & SIG_BIT(SIGKILL));
	spin_unlock_irqrestore(&proc_lock, f);
	return stopped;
}

/* ---- orphaned process groups ------------------------------------------------ */

struct orphan_scan {
	int pgid;
	const struct proc *ignore;
	bool linked;		/* a member's parent is in another group of the session */
	bool stopped;		/* a member is stopped */
};

static bool orphan_scan_one(struct proc *p, void *arg)
{
	struct orphan_scan *o = arg;
	const struct proc *pa = p->parent;

	if (p->state != PROC_ALIVE || p->pgid != o->pgid || p == o->ignore)
		return true;
	if (p->jobctl & JOBCTL_STOPPED)
		o->stopped = true;
	/* Children of init do not count (Linux: is_global_init). */
	if (pa && pa != init_proc && pa != o->ignore && pa->state == PROC_ALIVE &&
	    pa->pgid != p->pgid && pa->sid == p->sid)
		o->linked = true;
	return !o->linked;
}

bool pgrp_orphaned_locked(int pgid, const struct proc *ignore)
{
	struct orphan_scan o = { .pgid = pgid, .ignore = ignore };

	proc_for_each_locked(orphan_scan_one, &o);
	return !o.linked;
}

/* Would @pgid be orphaned without @ignore, and does it have a stopped
 * member? Then it gets SIGHUP and SIGCONT. */
static void hup_if_orphaned_locked(int pgid, const struct proc *ignore)
{
	struct orphan_scan o = { .pgid = pgid, .ignore = ignore };
	struct ksiginfo ki;

	proc_for_each_locked(orphan_scan_one, &o);
	if (o.linked || !o.stopped)
		return;
	signal_info_user(&ki, SIGHUP, SI_KERNEL, NULL);
	signal_pgrp_locked(pgid, &ki);
	ki.signo = SIGCONT;
	signal_pgrp_locked(pgid, &ki);
}

void jobctl_exit_locked(struct proc *p)
{
	struct proc *c;

	if (p->jobctl & JOBCTL_STOPPED) {
		p->jobctl &= ~JOBCTL_STOPPED;
		nr_stopped--;
	}
	if (!nr_stopped)
		return; /* the usual case: nothing could be left stopped for good */
	/* Our own group, if we were what tied it to the session. */
	if (p->parent && p->parent->pgid != p->pgid && p->parent->sid == p->sid)
		hup_if_orphaned_locked(p->pgid, p);
	/* Our children's groups, which we tied to the session. */
	list_for_each_entry(c, &p->children, sibling)
		if (c->pgid != p->pgid && c->sid == p->sid)
			hup_if_orphaned_locked(c->pgid, p);
}

/* ---- for the terminal (proc.h) ------------------------------------------------ */

void proc_get_ids(struct proc *p, struct proc_ids *ids)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	ids->pid = p->pid;
	ids->pgid = p->pgid;
	ids->sid = p->sid;
	ids->noctty = p->jobctl & JOBCTL_NOCTTY;
	spin_unlock_irqrestore(&proc_lock, f);
}

struct pgrp_session {
	int pgid, sid;
};

static bool pgrp_session_one(struct proc *p, void *arg)
{
	struct pgrp_session *s = arg;

	/* A zombie not yet reaped is still in its group (Linux: until
	 * release_task), so a shell may hand the terminal to a job whose
	 * processes all exited already. */
	if (p->pgid == s->pgid)
		s->sid = p->sid;
	return s->sid < 0;
}

int proc_pgrp_session(int pgid)
{
	struct pgrp_session s = { .pgid = pgid, .sid = -ESRCH };
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	proc_for_each_locked(pgrp_session_one, &s);
	if (s.sid < 0) {
		struct proc *p = proc_lookup_locked(pgid);

		if (p)
			s.sid = p->sid;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return s.sid;
}

bool proc_pgrp_orphaned(int pgid)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool r = pgrp_orphaned_locked(pgid, NULL);

	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

bool proc_sig_blocked_or_ignored(struct proc *p, int sig)
{
	uint64_t bit = SIG_BIT(sig);

	return (p->sig_blocked & bit) || (p->sig_ignored & bit);
}

void proc_set_cpu_timers(struct proc *p, bool on)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	if (on)
		p->jobctl |= JOBCTL_TIMERS;
	else
		p->jobctl &= ~JOBCTL_TIMERS;
	spin_unlock_irqrestore(&proc_lock, f);
}

void proc_drop_ctty(struct proc *p)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	p->jobctl |= JOBCTL_NOCTTY;
	spin_unlock_irqrestore(&proc_lock, f);
}
