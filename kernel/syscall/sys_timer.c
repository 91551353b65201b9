// SPDX-License-Identifier: MIT
/*
 * The timer syscalls: setitimer / getitimer and the POSIX timers
 * (timer_create, timer_settime, timer_gettime, timer_getoverrun,
 * timer_delete). They check and copy the arguments, in Linux's order of
 * errors; the timers themselves are kernel/time/ptimer.c's. alarm() is
 * glibc's setitimer(ITIMER_REAL) on riscv64.
 */
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time/clock.h"
#include "kernel/time/ptimer.h"
#include "lib/errno.h"
#include "lib/string.h"

#define TIMER_ABSTIME 1

struct ktimespec {
	int64_t tv_sec, tv_nsec;
};
struct kitimerspec {
	struct ktimespec it_interval, it_value;
};
struct ktimeval {
	int64_t tv_sec, tv_usec;
};
struct kitimerval {
	struct ktimeval it_interval, it_value;
};
/* struct sigevent on riscv64: 64 bytes, the thread id at 16. */
struct ksigevent {
	uint64_t sigev_value;
	int32_t sigev_signo;
	int32_t sigev_notify;
	int32_t sigev_tid;
	int32_t pad[11];
};
_Static_assert(sizeof(struct ksigevent) == 64, "sigevent is 64 bytes");

/* Saturated at what a timer can hold (Linux's KTIME_MAX as well). */
static uint64_t to_ns(int64_t sec, int64_t frac, uint64_t unit)
{
	if ((uint64_t)sec >= (UINT64_MAX / 2) / NSEC_PER_SEC)
		return UINT64_MAX / 2;
	return (uint64_t)sec * NSEC_PER_SEC + (uint64_t)frac * unit;
}

static bool ts_valid(const struct ktimespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (int64_t)NSEC_PER_SEC;
}

static struct ktimespec ns_to_ts(uint64_t ns)
{
	return (struct ktimespec){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

/* ---- setitimer ------------------------------------------------------------------ */

static bool tv_valid(const struct ktimeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static struct ktimeval ns_to_tv(uint64_t ns)
{
	return (struct ktimeval){ (int64_t)(ns / NSEC_PER_SEC),
				  (int64_t)(ns % NSEC_PER_SEC / 1000) };
}

/* An armed timer never reads as 0 (Linux: at least 1 us). */
static struct kitimerval spec_to_itv(const struct ptimer_spec *s)
{
	struct kitimerval v = { ns_to_tv(s->interval), ns_to_tv(s->value) };

	if (s->value && !v.it_value.tv_sec && !v.it_value.tv_usec)
		v.it_value.tv_usec = 1;
	return v;
}

SYSCALL(103, setitimer)
{
	int which = (int)sc->arg[0];
	struct kitimerval nv;
	struct ptimer_spec set = { 0, 0 }, old;
	int err;

	if (sc->arg[1]) {
		if (copy_from_user(proc_as(sc->proc), &nv, sc->arg[1], sizeof(nv)))
			return -EFAULT;
		if (!tv_valid(&nv.it_value) || !tv_valid(&nv.it_interval))
			return -EINVAL;
		set.value = to_ns(nv.it_value.tv_sec, nv.it_value.tv_usec, 1000);
		set.interval = to_ns(nv.it_interval.tv_sec, nv.it_interval.tv_usec, 1000);
	}
	/* A NULL new value disarms, as Linux does (with a warning). */
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	err = ptimer_setitimer(sc->proc, which, &set, &old);
	if (err)
		return err;
	if (sc->arg[2]) {
		struct kitimerval ov = spec_to_itv(&old);

		if (copy_to_user(proc_as(sc->proc), sc->arg[2], &ov, sizeof(ov)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL(102, getitimer)
{
	int which = (int)sc->arg[0];
	struct ptimer_spec cur;
	struct kitimerval v;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	ptimer_getitimer(sc->proc, which, &cur);
	v = spec_to_itv(&cur);
	return copy_to_user(proc_as(sc->proc), sc->arg[1], &v, sizeof(v));
}

/* ---- POSIX timers --------------------------------------------------------------- */

/* A clock timer_create takes: 0, -EINVAL (no such clock, another
 * process's CPU clock) or -EOPNOTSUPP (a clock with no timers). */
static int timer_clock_ok(struct proc *p, long clockid)
{
	uint64_t ns;

	if (clock_is_wall_or_mono(clockid) || clockid == CLOCK_PROCESS_CPUTIME_ID ||
	    clockid == CLOCK_THREAD_CPUTIME_ID)
		return 0;
	if (clockid < 0) {
		/* clock_getcpuclockid(): only the caller's own here. */
		int pid = (int)~(clockid >> 3);

		if ((clockid & 3) == 3 || (pid && pid != proc_pid(p)))
			return -EINVAL;
		return 0;
	}
	return clock_read(p, clockid, &ns) ? -EINVAL : -EOPNOTSUPP;
}

SYSCALL(107, timer_create)
{
	struct proc *p = sc->proc;
	long clockid = (long)(int)sc->arg[0];
	struct ptimer_event ev = { .notify = SIGEV_SIGNAL, .signo = SIGALRM };
	struct ksigevent se;
	bool default_value = true;
	int err, id;

	err = timer_clock_ok(p, clockid);
	if (err)
		return err;
	if (sc->arg[1]) {
		if (copy_from_user(proc_as(p), &se, sc->arg[1], sizeof(se)))
			return -EFAULT;
		switch (se.sigev_notify) {
		case SIGEV_SIGNAL | SIGEV_THREAD_ID:
			/* One thread per process: its id is the pid. */
			if (se.sigev_tid != proc_pid(p))
				return -EINVAL;
			/* fall through */
		case SIGEV_SIGNAL:
		case SIGEV_THREAD:
			if (se.sigev_signo <= 0 || se.sigev_signo > NSIG)
				return -EINVAL;
			/* fall through */
		case SIGEV_NONE:
			break;
		default:
			return -EINVAL;
		}
		ev.notify = se.sigev_notify & ~SIGEV_THREAD_ID;
		ev.signo = se.sigev_signo;
		ev.value = se.sigev_value;
		default_value = false;
	}
	err = ptimer_create(p, clockid, &ev, default_value, &id);
	if (err)
		return err;
	if (copy_to_user(proc_as(p), sc->arg[2], &id, sizeof(id))) {
		ptimer_delete(p, id);
		return -EFAULT;
	}
	return 0;
}

SYSCALL(110, timer_settime)
{
	struct proc *p = sc->proc;
	int id = (int)sc->arg[0];
	struct kitimerspec nv, ov;
	struct ptimer_spec set, old;
	int err;

	if (!sc->arg[2])
		return -EINVAL;
	if (copy_from_user(proc_as(p), &nv, sc->arg[2], sizeof(nv)))
		return -EFAULT;
	if (!ts_valid(&nv.it_value) || !ts_valid(&nv.it_interval))
		return -EINVAL;
	set.value = to_ns(nv.it_value.tv_sec, nv.it_value.tv_nsec, 1);
	set.interval = to_ns(nv.it_interval.tv_sec, nv.it_interval.tv_nsec, 1);
	err = ptimer_settime(p, id, sc->arg[1] & TIMER_ABSTIME, &set, &old);
	if (err)
		return err;
	if (sc->arg[3]) {
		ov = (struct kitimerspec){ ns_to_ts(old.interval), ns_to_ts(old.value) };
		if (copy_to_user(proc_as(p), sc->arg[3], &ov, sizeof(ov)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL(108, timer_gettime)
{
	struct ptimer_spec cur;
	struct kitimerspec v;
	int err = ptimer_gettime(sc->proc, (int)sc->arg[0], &cur);

	if (err)
		return err;
	v = (struct kitimerspec){ ns_to_ts(cur.interval), ns_to_ts(cur.value) };
	return copy_to_user(proc_as(sc->proc), sc->arg[1], &v, sizeof(v));
}

SYSCALL(109, timer_getoverrun)
{
	return ptimer_getoverrun(sc->proc, (int)sc->arg[0]);
}

SYSCALL(111, timer_delete)
{
	return ptimer_delete(sc->proc, (int)sc->arg[0]);
}
