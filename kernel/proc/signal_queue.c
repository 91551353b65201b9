// SPDX-License-Identifier: MIT
/*
 * Queued signal information: who sent a signal and why (siginfo_t), and
 * the repeated instances of a realtime signal.
 *
 * A pending signal is a bit in its target's set; the information is an
 * entry in one of a few lists shared by all processes (hashed by pid, like
 * the wait4 queues), so a process that never has a signal pending carries
 * nothing for it. A standard signal has at most one entry (a second one
 * while it is pending is merged, as on Linux); a realtime signal has one
 * per send, up to SIGQUEUE_MAX per process, and stays pending while any is
 * left. A signal whose entry could not be allocated is still pending, with
 * SI_KERNEL information.
 *
 * Lock legend: every list and the pending set are changed under proc_lock.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/mm/kmalloc.h"
#include "kernel/time/ptimer.h"
#include "lib/errno.h"
#include "lib/string.h"

struct sigq_entry {
	struct sigq_entry *next;	/* L */
	struct proc *owner;		/* L */
	struct ksiginfo info;
};

#define SIGQ_BUCKETS 64
static struct sigq_entry *sigq[SIGQ_BUCKETS]; /* L: each list oldest first */

static struct sigq_entry **bucket(const struct proc *p)
{
	return &sigq[(unsigned)p->pid & (SIGQ_BUCKETS - 1)];
}

int sigq_add_locked(struct proc *p, const struct ksiginfo *ki)
{
	struct sigq_entry **pp = bucket(p), *e;
	unsigned n = 0;

	for (; *pp; pp = &(*pp)->next)
		n += (*pp)->owner == p;
	if (n >= SIGQUEUE_MAX)
		return -EAGAIN;
	e = kmalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->next = NULL;
	e->owner = p;
	e->info = *ki;
	*pp = e;
	return 0;
}

bool sigq_take_locked(struct proc *p, int sig, struct ksiginfo *ki, bool *more)
{
	struct sigq_entry **pp, *e, *found = NULL;

	*more = false;
	for (pp = bucket(p); (e = *pp);) {
		if (e->owner != p || e->info.signo != sig) {
			pp = &e->next;
			continue;
		}
		if (found) {
			*more = true;
			break;
		}
		found = e;
		*pp = e->next;
	}
	if (!found)
		return false;
	*ki = found->info;
	kfree(found);
	return true;
}

void sigq_flush_locked(struct proc *p, uint64_t sigs)
{
	struct sigq_entry **pp, *e;

	for (pp = bucket(p); (e = *pp);) {
		if (e->owner == p && (SIG_BIT(e->info.signo) & sigs)) {
			*pp = e->next;
			kfree(e);
		} else {
			pp = &e->next;
		}
	}
}

void signal_discard_locked(struct proc *p, uint64_t sigs)
{
	if (!(atomic_load_explicit(&p->sig_pending, memory_order_relaxed) & sigs))
		return;
	atomic_fetch_and_explicit(&p->sig_pending, ~sigs, memory_order_relaxed);
	sigq_flush_locked(p, sigs);
}

/* The queued entry of timer @timerid's signal, or NULL. */
static struct sigq_entry *timer_entry_locked(struct proc *p, int timerid)
{
	for (struct sigq_entry *e = *bucket(p); e; e = e->next)
		if (e->owner == p && e->info.code == SI_TIMER && e->info.timerid == timerid)
			return e;
	return NULL;
}

int proc_signal_timer(struct proc *p, const struct ksiginfo *ki)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct sigq_entry *e = timer_entry_locked(p, ki->timerid);
	int err = 0;

	if (e) {
		/* Still pending: one more overrun, saturated (DELAYTIMER_MAX). */
		int64_t o = (int64_t)e->info.overrun + 1 + ki->overrun;

		e->info.overrun = o > 0x7fffffff ? 0x7fffffff : (int32_t)o;
	} else if (p->state == PROC_ALIVE) {
		err = signal_send_locked(p, ki);
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return err;
}

void proc_signal_timer_cancel(struct proc *p, int timerid)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct sigq_entry **pp, *e;
	int sig = 0;

	for (pp = bucket(p); (e = *pp); pp = &e->next) {
		if (e->owner == p && e->info.code == SI_TIMER && e->info.timerid == timerid) {
			sig = e->info.signo;
			*pp = e->next;
			kfree(e);
			break;
		}
	}
	/* The signal stays pending only if another instance is queued. */
	if (sig) {
		bool more = false;

		for (e = *bucket(p); e && !more; e = e->next)
			more = e->owner == p && e->info.signo == sig;
		if (!more)
			atomic_fetch_and_explicit(&p->sig_pending, ~SIG_BIT(sig), memory_order_relaxed);
	}
	spin_unlock_irqrestore(&proc_lock, f);
}

int signal_dequeue(struct proc *p, uint64_t set, struct ksiginfo *ki)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	uint64_t pend = atomic_load_explicit(&p->sig_pending, memory_order_acquire) & set;
	int sig = 0;
	bool more;

	if (pend) {
		/* Standard signals first, then realtime ones by number (Linux). */
		sig = __builtin_ctzll(pend) + 1;
		if (!sigq_take_locked(p, sig, ki, &more)) {
			memset(ki, 0, sizeof(*ki));
			ki->signo = sig;
			ki->code = SI_KERNEL;
		}
		if (!more)
			atomic_fetch_and_explicit(&p->sig_pending, ~SIG_BIT(sig),
						  memory_order_relaxed);
	}
	spin_unlock_irqrestore(&proc_lock, f);
	/* A POSIX timer's signal: timer_getoverrun reports its overrun now. */
	if (sig && ki->code == SI_TIMER)
		ptimer_delivered(p, ki->timerid, ki->overrun);
	return sig;
}

/* ---- siginfo_t ------------------------------------------------------------ */

/*
 * The asm-generic layout riscv64 uses: si_signo, si_errno, si_code, then a
 * union at offset 16 whose shape depends on the signal and the code.
 */
struct gen_siginfo {
	int32_t signo, err, code, pad;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
			uint64_t value;		/* rt (SI_QUEUE): sigval */
		} kill;
		struct {
			int32_t tid, overrun;
			uint64_t value;
		} timer;
		struct {
			int32_t pid;
			uint32_t uid;
			int32_t status, pad;
			int64_t utime, stime;
		} chld;
		struct {
			uint64_t addr;
		} fault;
	} u;
};
_Static_assert(sizeof(struct gen_siginfo) <= sizeof(struct user_siginfo), "fits");
_Static_assert(__builtin_offsetof(struct gen_siginfo, u.chld.utime) == 32, "si_utime at 32");

void siginfo_to_user(const struct ksiginfo *ki, struct user_siginfo *out)
{
	struct gen_siginfo g;
	uint64_t bit = SIG_BIT(ki->signo);

	memset(&g, 0, sizeof(g));
	g.signo = ki->signo;
	g.err = ki->err;
	g.code = ki->code;
	if (ki->code == SI_TIMER) {
		g.u.timer.tid = ki->timerid;
		g.u.timer.overrun = ki->overrun;
		g.u.timer.value = ki->value;
	} else if (ki->code <= 0) {	/* sent by a process */
		g.u.kill.pid = ki->pid;
		g.u.kill.uid = ki->uid;
		g.u.kill.value = ki->value;
	} else if (ki->code == SI_KERNEL) {
		/* nothing more */
	} else if (ki->signo == SIGCHLD) {
		g.u.chld.pid = ki->pid;
		g.u.chld.uid = ki->uid;
		g.u.chld.status = ki->status;
		g.u.chld.utime = ki->utime;
		g.u.chld.stime = ki->stime;
	} else if (bit & (SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) |
			  SIG_BIT(SIGFPE) | SIG_BIT(SIGTRAP))) {
		g.u.fault.addr = ki->addr;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->bytes, &g, sizeof(g));
}
