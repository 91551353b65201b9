// SPDX-License-Identifier: MIT
/*
 * Limits and inherited settings (limits.h): the struct, its sharing and
 * the accessors.
 *
 * Lock legend: p->limits is NULL (the defaults) or a counted struct; it is
 * replaced, and a struct only this process holds is written in place,
 * under limits_lock; every dereference is under limits_lock too, so a
 * reader never sees a struct freed or half-written. A NULL pointer may be
 * read without the lock (nothing to dereference: the defaults are
 * constant); acquire pairs with the release of the store that replaced it.
 */
#include "kernel/proc/limits.h"

#include "kernel/mm/kmalloc.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"
#include "lib/errno.h"
#include "lib/string.h"

struct proc_limits {
	atomic_uint refs;
	int nice;			/* -20..19 */
	uint32_t personality;
	struct rlimit64 rlim[RLIM_NLIMITS];
};

#define INF RLIM_INFINITY

/* Linux's INIT_RLIMITS, with the boot-time NPROC/SIGPENDING of a kernel that
 * allows PROC_MAX processes, and fs.nr_open = LIMITS_NR_OPEN. */
static const struct proc_limits defaults = {
	.rlim = {
		[RLIMIT_CPU] = { INF, INF },
		[RLIMIT_FSIZE] = { INF, INF },
		[RLIMIT_DATA] = { INF, INF },
		[RLIMIT_STACK] = { 8UL << 20, INF },
		[RLIMIT_CORE] = { 0, INF },
		[RLIMIT_RSS] = { INF, INF },
		[RLIMIT_NPROC] = { PROC_MAX, PROC_MAX },
		[RLIMIT_NOFILE] = { 1024, LIMITS_NR_OPEN },
		[RLIMIT_MEMLOCK] = { 8UL << 20, 8UL << 20 },
		[RLIMIT_AS] = { INF, INF },
		[RLIMIT_LOCKS] = { INF, INF },
		[RLIMIT_SIGPENDING] = { PROC_MAX, PROC_MAX },
		[RLIMIT_MSGQUEUE] = { 819200, 819200 },
		[RLIMIT_NICE] = { 0, 0 },
		[RLIMIT_RTPRIO] = { 0, 0 },
		[RLIMIT_RTTIME] = { INF, INF },
	},
};

static struct spinlock limits_lock = SPINLOCK_INIT("limits");

static struct proc_limits *peek(struct proc *p)
{
	return atomic_load_explicit(&p->limits, memory_order_acquire);
}

struct rlimit64 proc_rlimit(struct proc *p, unsigned resource)
{
	struct rlimit64 r;
	irqflags_t f;

	if (resource >= RLIM_NLIMITS)
		return (struct rlimit64){ 0, 0 };
	if (!peek(p))
		return defaults.rlim[resource];
	f = spin_lock_irqsave(&limits_lock);
	struct proc_limits *l = atomic_load_explicit(&p->limits, memory_order_relaxed);
	r = (l ? l : &defaults)->rlim[resource];
	spin_unlock_irqrestore(&limits_lock, f);
	return r;
}

uint64_t proc_rlimit_cur(struct proc *p, unsigned resource)
{
	return proc_rlimit(p, resource).cur;
}

/*
 * p's struct, writable: the one it holds alone, or spare (a copy of the
 * shared one or of the defaults, installed now). limits_lock held. *drop
 * gets the shared struct p let go of (put it after unlocking); *spare is
 * NULL once used.
 */
static struct proc_limits *writable_locked(struct proc *p, struct proc_limits **spare,
					   struct proc_limits **drop)
{
	struct proc_limits *l = atomic_load_explicit(&p->limits, memory_order_relaxed);
	struct proc_limits *n = *spare;

	if (l && atomic_load_explicit(&l->refs, memory_order_relaxed) == 1)
		return l;
	memcpy(n, l ? l : &defaults, sizeof(*n));
	atomic_init(&n->refs, 1);
	*spare = NULL;
	*drop = l;
	/* release: the copy is complete before a lock-free reader can see it
	 * non-NULL (it then takes the lock anyway). */
	atomic_store_explicit(&p->limits, n, memory_order_release);
	return n;
}

static void limits_put(struct proc_limits *l)
{
	/* acq_rel: as cred_put. */
	if (l && atomic_fetch_sub_explicit(&l->refs, 1, memory_order_acq_rel) == 1)
		kfree(l);
}

int proc_set_rlimit(struct proc *p, unsigned resource, const struct rlimit64 *new,
		    struct rlimit64 *old)
{
	struct proc_limits *spare = NULL, *drop = NULL;
	int err = 0;
	irqflags_t f;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (new && new->cur > new->max)
		return -EINVAL;
	if (new && resource == RLIMIT_NOFILE && new->max > LIMITS_NR_OPEN)
		return -EPERM;
	if (new && !(spare = kmalloc(sizeof(*spare))))
		return -ENOMEM;
	f = spin_lock_irqsave(&limits_lock);
	struct proc_limits *l = atomic_load_explicit(&p->limits, memory_order_relaxed);
	struct rlimit64 cur = (l ? l : &defaults)->rlim[resource];

	if (old)
		*old = cur;
	if (new && new->max > cur.max && !cred_capable(cred_current()))
		err = -EPERM; /* CAP_SYS_RESOURCE */
	else if (new)
		writable_locked(p, &spare, &drop)->rlim[resource] = *new;
	spin_unlock_irqrestore(&limits_lock, f);
	limits_put(drop);
	kfree(spare);
	/* A finite CPU limit is checked after each run of user code. */
	if (!err && new && resource == RLIMIT_CPU && new->cur != INF)
		proc_set_cpu_timers(p, true);
	return err;
}

bool proc_rlimit_cpu_tick(struct proc *p, uint64_t cputime_ns)
{
	struct rlimit64 r = proc_rlimit(p, RLIMIT_CPU);
	uint64_t secs = cputime_ns / 1000000000u;

	if (r.cur == INF)
		return false;
	if (r.max != INF && secs >= r.max) {
		proc_signal(p, SIGKILL);
	} else if (secs >= (r.cur ? r.cur : 1)) {
		proc_signal(p, SIGXCPU);
		if (r.cur < r.max) {
			struct proc_limits *spare = kmalloc(sizeof(*spare)), *drop = NULL;
			irqflags_t f = spin_lock_irqsave(&limits_lock);
			struct proc_limits *l = atomic_load_explicit(&p->limits, memory_order_relaxed);

			/* Unless a setrlimit came in between, and when a copy
			 * can be made (else the next tick tries again). */
			if (!memcmp(&(l ? l : &defaults)->rlim[RLIMIT_CPU], &r, sizeof(r)) &&
			    ((l && atomic_load_explicit(&l->refs, memory_order_relaxed) == 1) || spare))
				writable_locked(p, &spare, &drop)->rlim[RLIMIT_CPU].cur = secs + 1;
			spin_unlock_irqrestore(&limits_lock, f);
			limits_put(drop);
			kfree(spare);
		}
	}
	return true;
}

int proc_nice(struct proc *p)
{
	irqflags_t f;
	int n;

	if (!peek(p))
		return defaults.nice;
	f = spin_lock_irqsave(&limits_lock);
	struct proc_limits *l = atomic_load_explicit(&p->limits, memory_order_relaxed);
	n = (l ? l : &defaults)->nice;
	spin_unlock_irqrestore(&limits_lock, f);
	return n;
}

uint32_t proc_personality(struct proc *p)
{
	irqflags_t f;
	uint32_t v;

	if (!peek(p))
		return defaults.personality;
	f = spin_lock_irqsave(&limits_lock);
	struct proc_limits *l = atomic_load_explicit(&p->limits, memory_order_relaxed);
	v = (l ? l : &defaults)->personality;
	spin_unlock_irqrestore(&limits_lock, f);
	return v;
}

/* Set one int field of p's struct (nice or personality). */
static int set_field(struct proc *p, bool nice, uint32_t v)
{
	struct proc_limits *spare = kmalloc(sizeof(*spare)), *drop = NULL, *w;
	irqflags_t f;

	if (!spare)
		return -ENOMEM;
	f = spin_lock_irqsave(&limits_lock);
	w = writable_locked(p, &spare, &drop);
	if (nice)
		w->nice = (int)v;
	else
		w->personality = v;
	spin_unlock_irqrestore(&limits_lock, f);
	limits_put(drop);
	kfree(spare);
	return 0;
}

int proc_set_nice(struct proc *p, int nice)
{
	return set_field(p, true, (uint32_t)nice);
}

int proc_set_personality(struct proc *p, uint32_t persona)
{
	return set_field(p, false, persona);
}

void proc_limits_fork(struct proc *child, struct proc *parent)
{
	irqflags_t f;
	struct proc_limits *l;

	if (!peek(parent))
		return;
	f = spin_lock_irqsave(&limits_lock);
	l = atomic_load_explicit(&parent->limits, memory_order_relaxed);
	if (l)
		atomic_fetch_add_explicit(&l->refs, 1, memory_order_relaxed);
	atomic_store_explicit(&child->limits, l, memory_order_relaxed);
	spin_unlock_irqrestore(&limits_lock, f);
}

void proc_limits_release(struct proc *p)
{
	struct proc_limits *l;
	irqflags_t f;

	if (!peek(p))
		return;
	f = spin_lock_irqsave(&limits_lock);
	l = atomic_load_explicit(&p->limits, memory_order_relaxed);
	atomic_store_explicit(&p->limits, NULL, memory_order_relaxed);
	spin_unlock_irqrestore(&limits_lock, f);
	limits_put(l);
}
