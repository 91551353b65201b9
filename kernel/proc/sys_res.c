// SPDX-License-Identifier: MIT
/*
 * A process's resources and settings, as Linux's kernel/sys.c: getrlimit,
 * setrlimit, prlimit64 (limits.h says what is enforced where), getrusage,
 * getpriority, setpriority, personality.
 *
 * The nice value is stored, inherited and reported; the executor does not
 * weigh tasks by it (every runnable process gets the same 10 ms slices).
 */
#include "kernel/mm/as.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/limits.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- resource limits ------------------------------------------------------------ */

/*
 * The process a limit call names (0: the caller), counted, with its cred
 * checked against the caller's by check_prlimit_permission when it is
 * another: -ESRCH, -EPERM.
 */
static int limit_target(struct sys_ctx *sc, int pid, struct proc **out)
{
	irqflags_t f;
	struct proc *p;
	int err = 0;

	if (pid == 0 || pid == sc->proc->pid) {
		proc_get(sc->proc);
		*out = sc->proc;
		return 0;
	}
	f = spin_lock_irqsave(&proc_lock);
	p = pid > 0 ? proc_lookup_locked(pid) : NULL;
	if (!p)
		err = -ESRCH;
	else if (!cred_may_prlimit(sc->proc->cred, p->cred))
		err = -EPERM;
	else
		proc_get(p);
	spin_unlock_irqrestore(&proc_lock, f);
	*out = err ? NULL : p;
	return err;
}

/* prlimit64(pid, resource, const new *, old *) */
SYSCALL(261, prlimit64)
{
	struct as *as = proc_as(sc->proc);
	unsigned resource = (unsigned)sc->arg[1];
	struct rlimit64 nl, old;
	struct proc *p;
	int err;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (sc->arg[2]) {
		err = copy_from_user(as, &nl, sc->arg[2], sizeof(nl));
		if (err)
			return err;
	}
	err = limit_target(sc, (int)sc->arg[0], &p);
	if (err)
		return err;
	err = proc_set_rlimit(p, resource, sc->arg[2] ? &nl : NULL, &old);
	proc_put(p);
	if (!err && sc->arg[3])
		err = copy_to_user(as, sc->arg[3], &old, sizeof(old));
	return err;
}

/* getrlimit / setrlimit: struct rlimit is two unsigned longs, as rlimit64. */
SYSCALL(163, getrlimit)
{
	unsigned resource = (unsigned)sc->arg[0];
	struct rlimit64 r;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	r = proc_rlimit(sc->proc, resource);
	return copy_to_user(proc_as(sc->proc), sc->arg[1], &r, sizeof(r));
}

SYSCALL(164, setrlimit)
{
	unsigned resource = (unsigned)sc->arg[0];
	struct rlimit64 r;
	int err;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	err = copy_from_user(proc_as(sc->proc), &r, sc->arg[1], sizeof(r));
	return err ? err : proc_set_rlimit(sc->proc, resource, &r, NULL);
}

/* ---- getrusage ------------------------------------------------------------------- */

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

struct linux_rusage {
	int64_t utime_sec, utime_usec, stime_sec, stime_usec;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd,
		msgrcv, nsignals, nvcsw, nivcsw;
};
_Static_assert(sizeof(struct linux_rusage) == 144, "riscv64 struct rusage is 144 bytes");

static void ns_to_tv(uint64_t ns, int64_t *sec, int64_t *usec)
{
	*sec = (int64_t)(ns / 1000000000u);
	*usec = (int64_t)(ns % 1000000000u / 1000u);
}

/*
 * The CPU times are exact. ru_maxrss (KiB) is the resident size now, which
 * is the peak for a process that never unmaps; the children's is not kept
 * (0). Faults are the calling thread's (RUSAGE_SELF: the thread's, not the
 * group's sum); the I/O and context-switch counts are not kept (0).
 */
SYSCALL(165, getrusage)
{
	int who = (int)sc->arg[0];
	struct linux_rusage ru;
	uint64_t t[4];

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&ru, 0, sizeof(ru));
	proc_cpu_times(sc->proc, t);
	if (who == RUSAGE_CHILDREN) {
		ns_to_tv(t[2], &ru.utime_sec, &ru.utime_usec);
		ns_to_tv(t[3], &ru.stime_sec, &ru.stime_usec);
		ru.minflt = proc_leader(sc->proc)->cmin_flt;
		ru.majflt = proc_leader(sc->proc)->cmaj_flt;
	} else {
		ns_to_tv(t[0], &ru.utime_sec, &ru.utime_usec);
		ns_to_tv(t[1], &ru.stime_sec, &ru.stime_usec);
		ru.maxrss = (int64_t)proc_as(sc->proc)->nr_pages * (PAGE_SIZE / 1024);
		ru.minflt = sc->proc->min_flt;
		ru.majflt = sc->proc->maj_flt;
	}
	return copy_to_user(proc_as(sc->proc), sc->arg[1], &ru, sizeof(ru));
}

/* ---- priority -------------------------------------------------------------------- */

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2
#define NICE_MIN (-20)
#define NICE_MAX 19

static bool prio_matches(struct proc *p, struct proc *me, int which, int who)
{
	if (p->state != PROC_ALIVE)
		return false;
	switch (which) {
	case PRIO_PROCESS:
		return p->pid == (who ? who : me->pid);
	case PRIO_PGRP:
		return p->pgid == (who ? who : me->pgid);
	default:
		return p->cred->uid == (who ? (uint32_t)who : me->cred->uid);
	}
}

/* Linux's can_nice: a lower nice needs RLIMIT_NICE room or CAP_SYS_NICE. */
static bool can_nice(struct proc *p, int nice)
{
	return (uint64_t)(20 - nice) <= proc_rlimit_cur(p, RLIMIT_NICE) ||
	       cred_capable(cred_current());
}

/* getpriority returns 40 - (nice + 20): 1..40, the highest over the matches. */
SYSCALL(141, getpriority)
{
	int which = (int)sc->arg[0], who = (int)sc->arg[1];
	long best = -ESRCH;
	irqflags_t f;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (which == PRIO_PROCESS && (who == 0 || who == sc->proc->pid))
		return 20 - proc_nice(sc->proc);
	f = spin_lock_irqsave(&proc_lock);
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_lookup_locked(pid);

		if (p && prio_matches(p, sc->proc, which, who) && 20 - proc_nice(p) > best)
			best = 20 - proc_nice(p);
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return best;
}

SYSCALL(140, setpriority)
{
	int which = (int)sc->arg[0], who = (int)sc->arg[1], nice = (int)sc->arg[2];
	const struct cred *me = sc->proc->cred;
	long err = -ESRCH;
	irqflags_t f;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (nice < NICE_MIN)
		nice = NICE_MIN;
	if (nice > NICE_MAX)
		nice = NICE_MAX;
	f = spin_lock_irqsave(&proc_lock);
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_lookup_locked(pid);

		if (!p || !prio_matches(p, sc->proc, which, who))
			continue;
		/* Linux's set_one_prio: the last refusal is the result. */
		if (!cred_same_owner(me, p->cred))
			err = -EPERM;
		else if (nice < proc_nice(p) && !can_nice(p, nice))
			err = -EACCES;
		else {
			int r = proc_set_nice(p, nice);

			if (r)
				err = r;
			else if (err == -ESRCH)
				err = 0;
		}
		if (which == PRIO_PROCESS)
			break;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return err;
}

/* ---- personality ---------------------------------------------------------------- */

/* personality(persona): the old one; 0xffffffff only asks. Stored and
 * inherited; nothing here changes with it. */
SYSCALL(92, personality)
{
	uint32_t persona = (uint32_t)sc->arg[0], old = proc_personality(sc->proc);

	if (persona != 0xffffffffu) {
		int err = proc_set_personality(sc->proc, persona);

		if (err)
			return err;
	}
	return old;
}
