// SPDX-License-Identifier: MIT
/*
 * Per-process timers; see ptimer.h.
 *
 * Every timer is a struct ktimer in one of a few lists shared by all
 * processes (hashed by the owner's pid), so a process without timers pays
 * nothing for them. A timer on a wall or monotonic clock that sends a
 * signal has, while armed, a task whose future (ktimer_future) sleeps until
 * the deadline and fires it; rearming wakes that task, disarming or
 * deleting ends it. A timer's signal is queued once: expiring again while
 * it is still pending adds to the queued signal's overrun (kernel/proc's
 * proc_signal_timer), as on Linux.
 *
 * Lock legend: ptimer_lock guards the lists and every field marked L. It
 * comes before proc_lock (reading a CPU clock, marking a process as having
 * CPU timers): signals are sent only after it is dropped, and the signal
 * code calls in (ptimer_delivered) without proc_lock.
 * A ktimer holds a reference to its owner; the ktimer itself is counted by
 * its list and its task.
 */
#include "kernel/time/ptimer.h"

#include "kernel/arch.h"
#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/limits.h"
#include "kernel/proc/proc.h"
#include "kernel/spinlock.h"
#include "kernel/time/clock.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"

#define ITIMER_ID(which) (-1 - (which))	/* the interval timers' ids */

enum ktimer_kind {
	KT_WALL,	/* clock_now_ns() deadlines (wall and monotonic clocks) */
	KT_CPU_VIRT,	/* the process's user time */
	KT_CPU_PROF,	/* its user + system time */
};

struct ktimer {
	struct ktimer *next;	/* L: in its list */
	struct proc *owner;	/* I: counted */
	int id;			/* I: >= 0 POSIX, ITIMER_ID() for the others */
	long clockid;		/* I */
	enum ktimer_kind kind;	/* I */
	struct ptimer_event ev;	/* I */
	uint64_t expires;	/* L: next expiry in its kind's time, 0: disarmed */
	uint64_t interval;	/* L */
	int overrun_last;	/* L: the overrun of the last signal taken */
	bool deleted;		/* L */
	task_id_t task;		/* L: the firing task, or TASK_ID_NONE */
	int refs;		/* L: the list's and the task's */
};

#define PTIMER_BUCKETS 64
static struct ktimer *lists[PTIMER_BUCKETS];	/* L */
static struct spinlock ptimer_lock = SPINLOCK_INIT("ptimer");

static struct ktimer **list_of(struct proc *p)
{
	return &lists[(unsigned)proc_pid(p) & (PTIMER_BUCKETS - 1)];
}

static struct ktimer *find_locked(struct proc *p, int id)
{
	for (struct ktimer *t = *list_of(p); t; t = t->next)
		if (t->owner == p && t->id == id)
			return t;
	return NULL;
}

static void unlink_locked(struct ktimer *t)
{
	struct ktimer **pp = list_of(t->owner);

	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
}

/* Drop a reference (outside the lock: the last one puts the owner). */
static void ktimer_put(struct ktimer *t)
{
	irqflags_t f = spin_lock_irqsave(&ptimer_lock);
	bool last = --t->refs == 0;

	spin_unlock_irqrestore(&ptimer_lock, f);
	if (last) {
		proc_put(t->owner);
		kfree(t);
	}
}

/* The current time of @t's clock, in the units of t->expires. */
static uint64_t now_of(const struct ktimer *t)
{
	uint64_t c[4];

	if (t->kind == KT_WALL)
		return clock_now_ns();
	proc_cpu_times(t->owner, c);
	return t->kind == KT_CPU_VIRT ? c[0] : c[0] + c[1];
}

/*
 * @t expired (its clock reads @now): advance it by whole intervals (or
 * disarm it) and fill *ki with the signal to send; false if it sends none.
 */
static bool expire_locked(struct ktimer *t, uint64_t now, struct ksiginfo *ki)
{
	uint64_t missed = 0;

	if (t->interval) {
		missed = (now - t->expires) / t->interval;
		t->expires += (missed + 1) * t->interval;
	} else {
		t->expires = 0;
	}
	if (t->ev.notify == SIGEV_NONE)
		return false;
	memset(ki, 0, sizeof(*ki));
	ki->signo = t->ev.signo;
	if (t->id < 0) {
		ki->code = SI_KERNEL; /* the interval timers: as Linux's SEND_SIG_PRIV */
	} else {
		ki->code = SI_TIMER;
		ki->timerid = t->id;
		ki->value = t->ev.value;
		ki->overrun = missed > 0x7fffffff ? 0x7fffffff : (int)missed;
	}
	return true;
}

static void fire(struct ktimer *t, const struct ksiginfo *ki)
{
	if (t->id < 0)
		proc_signal_info(t->owner, ki);
	else
		proc_signal_timer(t->owner, ki);
}

/* ---- the firing task ---------------------------------------------------------- */

/*
 *   ARMED --(deadline passed: fire; interval left)--> ARMED (sleep again)
 *     \--(disarmed, deleted, or a one-shot fired)--> READY (the task ends)
 * It rereads the timer at every poll: timer_settime wakes it after a change.
 */
struct ktimer_future {
	struct future base;
	struct ktimer *t;		/* counted */
	uint64_t sleeping_until;	/* the sleep's deadline, 0: no sleep */
	struct sleep_future sleep;
};

static void ktf_stop_sleep(struct ktimer_future *k)
{
	if (k->sleeping_until) {
		future_drop(&k->sleep.base);
		k->sleeping_until = 0;
	}
	k->base.awaiting = NULL;
}

static enum poll ktf_poll(struct future *f, struct context *cx)
{
	struct ktimer_future *k = container_of(f, struct ktimer_future, base);
	struct ktimer *t = k->t;

	for (;;) {
		irqflags_t fl = spin_lock_irqsave(&ptimer_lock);
		uint64_t exp = t->expires, now = clock_now_ns();
		struct ksiginfo ki;
		bool send;

		if (t->deleted || !exp) {
			if (t->task == task_current())
				t->task = TASK_ID_NONE;
			spin_unlock_irqrestore(&ptimer_lock, fl);
			ktf_stop_sleep(k);
			return POLL_READY;
		}
		if (now < exp) {
			spin_unlock_irqrestore(&ptimer_lock, fl);
			if (k->sleeping_until != exp) {
				ktf_stop_sleep(k);
				sleep_until_init(&k->sleep, exp);
				k->sleeping_until = exp;
			}
			f->awaiting = &k->sleep.base;
			if (future_poll(&k->sleep.base, cx) == POLL_PENDING)
				return POLL_PENDING;
			continue;
		}
		send = expire_locked(t, now, &ki);
		spin_unlock_irqrestore(&ptimer_lock, fl);
		ktf_stop_sleep(k);
		if (send)
			fire(t, &ki);
	}
}

static void ktf_drop(struct future *f)
{
	ktf_stop_sleep(container_of(f, struct ktimer_future, base));
}

static void ktf_release(struct future *f)
{
	struct ktimer_future *k = container_of(f, struct ktimer_future, base);

	ktimer_put(k->t);
	kfree(k);
}

static const struct future_ops ktf_ops = {
	.name = "ptimer",
	.type = "ktimer_future",
	.poll = ktf_poll,
	.drop = ktf_drop,
	.release = ktf_release,
};

/* A task for an armed wall-clock timer that has none. ptimer_lock held. */
static int start_task_locked(struct ktimer *t)
{
	struct ktimer_future *k;

	if (t->task != TASK_ID_NONE) {
		task_wake(t->task); /* it rereads the deadline */
		return 0;
	}
	k = kmalloc(sizeof(*k));
	if (!k)
		return -ENOMEM;
	future_init(&k->base, &ktf_ops);
	k->t = t;
	k->sleeping_until = 0;
	t->refs++;
	t->task = task_spawn(&k->base, -1, "ptimer");
	if (t->task == TASK_ID_NONE) {
		t->refs--;
		kfree(k);
		return -EAGAIN;
	}
	task_detach(t->task);
	return 0;
}

/* ---- arming and reading ---------------------------------------------------------- */

/* What is left of @t (0: disarmed), and its interval. */
static void get_locked(struct ktimer *t, struct ptimer_spec *cur)
{
	uint64_t now;

	cur->interval = t->interval;
	cur->value = 0;
	if (!t->expires)
		return;
	now = now_of(t);
	/* Nobody fires a SIGEV_NONE timer: it advances when looked at. */
	if (t->ev.notify == SIGEV_NONE && now >= t->expires) {
		struct ksiginfo ki;

		expire_locked(t, now, &ki);
		if (!t->expires)
			return;
	}
	/* Due but not fired yet: still armed, so not 0 (Linux says 1 ns). */
	cur->value = t->expires > now ? t->expires - now : 1;
}

static int set_locked(struct ktimer *t, bool abs, const struct ptimer_spec *set,
		      struct ptimer_spec *old)
{
	uint64_t now = now_of(t);

	if (old)
		get_locked(t, old);
	t->interval = set->value ? set->interval : 0;
	if (!set->value)
		t->expires = 0;
	else if (!abs)
		t->expires = now + set->value;
	else if (t->kind == KT_WALL)
		t->expires = clock_abs_to_mono(t->clockid, set->value);
	else
		t->expires = set->value;
	if (set->value && !t->expires)
		t->expires = 1; /* an absolute time already past: fire at once */
	if (!t->expires && t->task != TASK_ID_NONE)
		task_wake(t->task); /* disarmed: the task ends now, not at the old deadline */
	if (!t->expires || t->ev.notify == SIGEV_NONE)
		return 0;
	if (t->kind != KT_WALL) {
		proc_set_cpu_timers(t->owner, true);
		return 0;
	}
	return start_task_locked(t);
}

static enum ktimer_kind kind_of(long clockid)
{
	if (clock_is_wall_or_mono(clockid))
		return KT_WALL;
	/* Linux's CPUCLOCK_VIRT is 1 in the low bits of a negative id. */
	if (clockid < 0 && (clockid & 3) == 1)
		return KT_CPU_VIRT;
	return KT_CPU_PROF;
}

static struct ktimer *ktimer_new(struct proc *p, int id, long clockid, enum ktimer_kind kind,
				 const struct ptimer_event *ev)
{
	struct ktimer *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->owner = p;
	proc_get(p);
	t->id = id;
	t->clockid = clockid;
	t->kind = kind;
	t->ev = *ev;
	t->task = TASK_ID_NONE;
	t->refs = 1;
	return t;
}

int ptimer_create(struct proc *p, long clockid, const struct ptimer_event *ev, bool default_value,
		  int *id)
{
	struct ktimer *t = ktimer_new(p, 0, clockid, kind_of(clockid), ev);
	uint64_t used[PTIMER_MAX / 64] = { 0 };
	irqflags_t f;
	int n = 0, want = 0;

	if (!t)
		return -ENOMEM;
	f = spin_lock_irqsave(&ptimer_lock);
	/* The smallest free id, as Linux hands them out per process. */
	for (struct ktimer *o = *list_of(p); o; o = o->next) {
		if (o->owner != p || o->id < 0)
			continue;
		n++;
		if (o->id < PTIMER_MAX)
			used[o->id / 64] |= 1ull << (o->id % 64);
	}
	while (want < PTIMER_MAX && (used[want / 64] >> (want % 64) & 1))
		want++;
	if (n >= PTIMER_MAX || want >= PTIMER_MAX) {
		spin_unlock_irqrestore(&ptimer_lock, f);
		ktimer_put(t);
		return -EAGAIN;
	}
	t->id = want;
	if (default_value)
		t->ev.value = (uint64_t)want; /* no sigevent: sigval is the id */
	t->next = *list_of(p);
	*list_of(p) = t;
	spin_unlock_irqrestore(&ptimer_lock, f);
	*id = want;
	return 0;
}

int ptimer_settime(struct proc *p, int id, bool abs, const struct ptimer_spec *set,
		   struct ptimer_spec *old)
{
	irqflags_t f = spin_lock_irqsave(&ptimer_lock);
	struct ktimer *t = id >= 0 ? find_locked(p, id) : NULL;
	int err = t ? set_locked(t, abs, set, old) : -EINVAL;

	spin_unlock_irqrestore(&ptimer_lock, f);
	return err;
}

int ptimer_gettime(struct proc *p, int id, struct ptimer_spec *cur)
{
	irqflags_t f = spin_lock_irqsave(&ptimer_lock);
	struct ktimer *t = id >= 0 ? find_locked(p, id) : NULL;

	if (t)
		get_locked(t, cur);
	spin_unlock_irqrestore(&ptimer_lock, f);
	return t ? 0 : -EINVAL;
}

int ptimer_getoverrun(struct proc *p, int id)
{
	irqflags_t f = spin_lock_irqsave(&ptimer_lock);
	struct ktimer *t = id >= 0 ? find_locked(p, id) : NULL;
	int r = t ? t->overrun_last : -EINVAL;

	spin_unlock_irqrestore(&ptimer_lock, f);
	return r;
}

void ptimer_delivered(struct proc *p, int id, int overrun)
{
	irqflags_t f = spin_lock_irqsave(&ptimer_lock);
	struct ktimer *t = find_locked(p, id);

	if (t)
		t->overrun_last = overrun;
	spin_unlock_irqrestore(&ptimer_lock, f);
}

/* Unlink @t, end its task, take back its queued signal. */
static void delete(struct ktimer *t)
{
	task_id_t task;
	irqflags_t f = spin_lock_irqsave(&ptimer_lock);

	unlink_locked(t);
	t->deleted = true;
	t->expires = 0;
	task = t->task;
	t->task = TASK_ID_NONE;
	spin_unlock_irqrestore(&ptimer_lock, f);
	if (task != TASK_ID_NONE)
		task_cancel(task);
	if (t->id >= 0)
		proc_signal_timer_cancel(t->owner, t->id);
	ktimer_put(t); /* the list's */
}

int ptimer_delete(struct proc *p, int id)
{
	irqflags_t f = spin_lock_irqsave(&ptimer_lock);
	struct ktimer *t = id >= 0 ? find_locked(p, id) : NULL;

	spin_unlock_irqrestore(&ptimer_lock, f);
	if (!t)
		return -EINVAL;
	/* Only the owner deletes its timers (one thread per process). */
	delete(t);
	return 0;
}

/* Delete @p's timers: every one, or only the POSIX ones. */
static void delete_all(struct proc *p, bool posix_only)
{
	for (;;) {
		struct ktimer *t, *victim = NULL;
		irqflags_t f = spin_lock_irqsave(&ptimer_lock);

		for (t = *list_of(p); t && !victim; t = t->next)
			if (t->owner == p && (!posix_only || t->id >= 0))
				victim = t;
		spin_unlock_irqrestore(&ptimer_lock, f);
		if (!victim)
			break;
		delete(victim);
	}
}

void ptimer_exec(struct proc *p)
{
	delete_all(p, true);
}

void ptimer_exit(struct proc *p)
{
	delete_all(p, false);
	proc_set_cpu_timers(p, false);
}

/* ---- setitimer ------------------------------------------------------------------------ */

static const long itimer_clock[3] = {
	[ITIMER_REAL] = CLOCK_MONOTONIC,
	[ITIMER_VIRTUAL] = -8 | 1,	/* the caller's CPUCLOCK_VIRT */
	[ITIMER_PROF] = -8 | 0,		/* ... CPUCLOCK_PROF */
};
static const int itimer_signal[3] = { SIGALRM, SIGVTALRM, SIGPROF };

int ptimer_setitimer(struct proc *p, int which, const struct ptimer_spec *set,
		     struct ptimer_spec *old)
{
	struct ptimer_event ev = { .notify = SIGEV_SIGNAL, .signo = itimer_signal[which] };
	struct ktimer *t, *fresh = NULL;
	irqflags_t f;
	int err;

	f = spin_lock_irqsave(&ptimer_lock);
	t = find_locked(p, ITIMER_ID(which));
	if (!t && set->value) {
		/* Made at the first arming (outside the lock: it allocates). */
		spin_unlock_irqrestore(&ptimer_lock, f);
		fresh = ktimer_new(p, ITIMER_ID(which), itimer_clock[which],
				   kind_of(itimer_clock[which]), &ev);
		if (!fresh)
			return -ENOMEM;
		f = spin_lock_irqsave(&ptimer_lock);
		t = find_locked(p, ITIMER_ID(which));
		if (!t) {
			t = fresh;
			fresh = NULL;
			t->next = *list_of(p);
			*list_of(p) = t;
		}
	}
	if (t) {
		err = set_locked(t, false, set, old);
	} else {
		memset(old, 0, sizeof(*old));
		err = 0;
	}
	spin_unlock_irqrestore(&ptimer_lock, f);
	if (fresh)
		ktimer_put(fresh);
	return err;
}

int ptimer_getitimer(struct proc *p, int which, struct ptimer_spec *cur)
{
	irqflags_t f = spin_lock_irqsave(&ptimer_lock);
	struct ktimer *t = find_locked(p, ITIMER_ID(which));

	memset(cur, 0, sizeof(*cur));
	if (t)
		get_locked(t, cur);
	spin_unlock_irqrestore(&ptimer_lock, f);
	return 0;
}

/* ---- CPU time ---------------------------------------------------------------------------- */

void ptimer_cpu_tick(struct proc *p, uint64_t utime, uint64_t cputime)
{
	struct ktimer *due[8];
	struct ksiginfo ki[8];
	unsigned n = 0;
	bool armed = false;
	irqflags_t f = spin_lock_irqsave(&ptimer_lock);

	for (struct ktimer *t = *list_of(p); t; t = t->next) {
		uint64_t now;

		if (t->owner != p || t->kind == KT_WALL || !t->expires)
			continue;
		now = t->kind == KT_CPU_VIRT ? utime : cputime;
		if (now >= t->expires && n < 8 && expire_locked(t, now, &ki[n])) {
			due[n] = t;
			t->refs++;
			n++;
		}
		armed |= t->expires != 0;
	}
	spin_unlock_irqrestore(&ptimer_lock, f);
	for (unsigned i = 0; i < n; i++) {
		fire(due[i], &ki[i]);
		ktimer_put(due[i]);
	}
	if (!proc_rlimit_cpu_tick(p, cputime) && !armed)
		proc_set_cpu_timers(p, false);
}
