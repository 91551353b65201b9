// SPDX-License-Identifier: MIT
/*
 * Time syscalls: clock_gettime, clock_getres, clock_settime, gettimeofday,
 * settimeofday, times, and the blocking nanosleep / clock_nanosleep. The
 * clocks themselves are kernel/time/clock.c's (the wall clock starts from
 * the RTC); the timers are sys_timer.c's.
 */
#include "kernel/arch.h"
#include "kernel/async/timer.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time/clock.h"
#include "lib/errno.h"
#include "lib/list.h"

#define TIMER_ABSTIME 1
#define CLK_TCK 100 /* times() ticks per second; AT_CLKTCK says the same */

/* The riscv64 (LP64) layouts. */
struct ktimespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};
struct ktimeval {
	int64_t tv_sec;
	int64_t tv_usec;
};
struct ktms {
	int64_t tms_utime, tms_stime, tms_cutime, tms_cstime;
};

static struct ktimespec ns_to_timespec(uint64_t ns)
{
	return (struct ktimespec){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

SYSCALL_FAST(113, clock_gettime)
{
	struct ktimespec ts;
	uint64_t ns;
	int err = clock_read(sc->proc, (long)(int)sc->arg[0], &ns);

	if (err)
		return err;
	ts = ns_to_timespec(ns);
	return copy_to_user(proc_as(sc->proc), sc->arg[1], &ts, sizeof(ts));
}

SYSCALL(114, clock_getres)
{
	struct ktimespec ts;
	uint64_t ns;
	int err = clock_resolution(sc->proc, (long)(int)sc->arg[0], &ns);

	if (err)
		return err;
	if (!sc->arg[1])
		return 0;
	ts = ns_to_timespec(ns);
	return copy_to_user(proc_as(sc->proc), sc->arg[1], &ts, sizeof(ts));
}

/*
 * Only CLOCK_REALTIME can be set, by root (CAP_SYS_TIME), and not to a time
 * before the machine booted. Linux's order of errors: any other clock
 * (the CPU-time ones too) is -EINVAL before the pointer is read.
 */
SYSCALL(112, clock_settime)
{
	struct ktimespec ts;

	if ((long)(int)sc->arg[0] != CLOCK_REALTIME)
		return -EINVAL;
	if (copy_from_user(proc_as(sc->proc), &ts, sc->arg[1], sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	if (!clock_may_set(sc->proc))
		return -EPERM;
	return clock_set_realtime((uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec);
}

SYSCALL_FAST(169, gettimeofday)
{
	struct as *as = proc_as(sc->proc);
	uint64_t ns = clock_realtime_ns();
	struct ktimeval tv = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) / 1000 };
	struct ktimezone tz;
	int err = 0;

	if (sc->arg[0])
		err = copy_to_user(as, sc->arg[0], &tv, sizeof(tv));
	if (!err && sc->arg[1]) {
		clock_get_tz(&tz);
		err = copy_to_user(as, sc->arg[1], &tz, sizeof(tz));
	}
	return err;
}

SYSCALL(170, settimeofday)
{
	struct as *as = proc_as(sc->proc);
	struct ktimeval tv;
	struct ktimezone tz;

	if (sc->arg[0]) {
		if (copy_from_user(as, &tv, sc->arg[0], sizeof(tv)))
			return -EFAULT;
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000 || tv.tv_sec < 0)
			return -EINVAL;
	}
	if (sc->arg[1] && copy_from_user(as, &tz, sc->arg[1], sizeof(tz)))
		return -EFAULT;
	if (!clock_may_set(sc->proc))
		return -EPERM;
	if (sc->arg[1]) {
		if (tz.tz_minuteswest > 15 * 60 || tz.tz_minuteswest < -15 * 60)
			return -EINVAL;
		clock_set_tz(&tz);
	}
	if (sc->arg[0])
		return clock_set_realtime((uint64_t)tv.tv_sec * NSEC_PER_SEC +
					  (uint64_t)tv.tv_usec * 1000);
	return 0;
}

SYSCALL(153, times)
{
	uint64_t t[4];
	struct ktms tms;
	const uint64_t ns_per_tick = NSEC_PER_SEC / CLK_TCK;

	if (sc->arg[0]) {
		proc_cpu_times(sc->proc, t);
		tms = (struct ktms){ (int64_t)(t[0] / ns_per_tick), (int64_t)(t[1] / ns_per_tick),
				     (int64_t)(t[2] / ns_per_tick), (int64_t)(t[3] / ns_per_tick) };
		int err = copy_to_user(proc_as(sc->proc), sc->arg[0], &tms, sizeof(tms));

		if (err)
			return err;
	}
	/* Ticks since boot (Linux counts from an arbitrary point too). */
	return (long)(clock_now_ns() / ns_per_tick);
}

/* ---- sleeping ------------------------------------------------------------------ */

/*
 * The future a sleeping syscall hands to the userloop: a kmalloc'd wrapper
 * around a sleep future, so that release can free it. Drop cancels the
 * timer (the process was killed while asleep, or a handler runs).
 *
 *   SLEEPING --(sleep future ready)--> READY, result 0
 *
 * A handler interrupting it makes the call fail with -EINTR, SA_RESTART or
 * not (Linux), after writing the time left to *rem of a relative sleep
 * (the progress op). A stop and SIGCONT do not interrupt it at all.
 */
struct sys_sleep {
	struct future base;
	struct proc *proc;
	uintptr_t urem;		/* where the time left goes, or 0 */
	struct sleep_future sleep;
};

static enum poll sys_sleep_poll(struct future *f, struct context *cx)
{
	struct sys_sleep *s = container_of(f, struct sys_sleep, base);

	f->awaiting = &s->sleep.base;
	if (future_poll(&s->sleep.base, cx) == POLL_PENDING)
		return POLL_PENDING;
	f->awaiting = NULL;
	f->result = 0;
	return POLL_READY;
}

static void sys_sleep_drop(struct future *f)
{
	future_drop(&container_of(f, struct sys_sleep, base)->sleep.base);
}

static void sys_sleep_release(struct future *f)
{
	kfree(container_of(f, struct sys_sleep, base));
}

static long sys_sleep_interrupted(const struct future *f)
{
	const struct sys_sleep *s = container_of(f, struct sys_sleep, base);
	uint64_t now = clock_now_ns();
	struct ktimespec rem;

	if (s->urem) {
		rem = ns_to_timespec(s->sleep.deadline > now ? s->sleep.deadline - now : 0);
		if (copy_to_user(proc_as(s->proc), s->urem, &rem, sizeof(rem)))
			return -EFAULT;
	}
	return -EINTR;
}

static const struct future_ops sys_sleep_ops = {
	.name = "sys_sleep",
	.poll = sys_sleep_poll,
	.drop = sys_sleep_drop,
	.release = sys_sleep_release,
	.progress = sys_sleep_interrupted,
};

/* Read and check a user timespec; its value in ns, saturated. */
static int read_timespec(struct sys_ctx *sc, uintptr_t uts, uint64_t *ns)
{
	struct ktimespec ts;
	int err = copy_from_user(proc_as(sc->proc), &ts, uts, sizeof(ts));

	if (err)
		return err;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || (uint64_t)ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > (UINT64_MAX - NSEC_PER_SEC) / NSEC_PER_SEC)
		*ns = UINT64_MAX;
	else
		*ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

/* Block until clock_now_ns() >= deadline: hand a sleep future to the
 * userloop. @urem: where an interrupted sleep writes the time left. */
static long sleep_until_deadline(struct sys_ctx *sc, uint64_t deadline, uintptr_t urem)
{
	struct sys_sleep *s = kmalloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	future_init(&s->base, &sys_sleep_ops);
	s->proc = sc->proc;
	s->urem = urem;
	sleep_until_init(&s->sleep, deadline);
	sc->pending = &s->base;
	return 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* rem (the time left) is only written when a handler interrupts the sleep. */
SYSCALL_ASYNC(101, nanosleep)
{
	uint64_t ns, now = clock_now_ns();
	int err = read_timespec(sc, sc->arg[0], &ns);

	if (err)
		return err;
	return sleep_until_deadline(sc, add_sat(now, ns), sc->arg[1]);
}

SYSCALL_ASYNC(115, clock_nanosleep)
{
	long clockid = (long)(int)sc->arg[0];
	uint64_t ns, now = clock_now_ns();
	int err;

	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		break;
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL; /* as Linux */
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
	err = read_timespec(sc, sc->arg[2], &ns);
	if (err)
		return err;
	/* An absolute time on the wall clock: by the offset in force now (a
	 * clock_settime while asleep does not move the deadline). */
	if (sc->arg[1] & TIMER_ABSTIME)
		return sleep_until_deadline(sc, clock_abs_to_mono(clockid, ns), 0);
	return sleep_until_deadline(sc, add_sat(now, ns), sc->arg[3]);
}
