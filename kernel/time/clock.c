// SPDX-License-Identifier: MIT
/*
 * Timekeeping: the clocks of clock.h over clock_now_ns().
 *
 * Lock legend: realtime_offset is atomic (A): clock_gettime reads it on
 * the trap fast path with one relaxed load, clock_settime replaces it with
 * one store (a reader sees the old or the new offset, never a mix).
 * tz is under tz_lock.
 */
#include "kernel/time/clock.h"

#include <stdatomic.h>

#include "kernel/arch.h"
#include "kernel/drivers/rtc_goldfish.h"
#include "kernel/mm/vdso.h"
#include "kernel/printk.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/proc.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

static _Atomic int64_t realtime_offset;	/* A: CLOCK_REALTIME - clock_now_ns() */
static struct spinlock tz_lock = SPINLOCK_INIT("tz");
static struct ktimezone sys_tz;		/* L:tz_lock */

/* The CPU-time clock ids (Linux's CPUCLOCK_*): ~pid << 3 | which, with
 * bit 2 for one thread; pid 0 is the caller. */
#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_PERTHREAD 4

uint64_t clock_realtime_ns(void)
{
	int64_t t = (int64_t)clock_now_ns() +
		    atomic_load_explicit(&realtime_offset, memory_order_relaxed);

	return t > 0 ? (uint64_t)t : 0;
}

int clock_set_realtime(uint64_t ns)
{
	uint64_t now = clock_now_ns();

	if (ns < now)
		return -EINVAL; /* the wall clock would say we booted before 1970 */
	atomic_store_explicit(&realtime_offset, (int64_t)(ns - now), memory_order_relaxed);
	vdso_set_realtime_offset((int64_t)(ns - now)); /* the vDSO's copy (kernel/mm/vdso.c) */
	return 0;
}

bool clock_may_set(struct proc *p)
{
	/* CAP_SYS_TIME: root's, as every capability (kernel/proc/cred.h). */
	return cred_capable(proc_cred(p));
}

void clock_get_tz(struct ktimezone *tz)
{
	irqflags_t f = spin_lock_irqsave(&tz_lock);

	*tz = sys_tz;
	spin_unlock_irqrestore(&tz_lock, f);
}

void clock_set_tz(const struct ktimezone *tz)
{
	irqflags_t f = spin_lock_irqsave(&tz_lock);

	sys_tz = *tz;
	spin_unlock_irqrestore(&tz_lock, f);
}

bool clock_is_wall_or_mono(long clockid)
{
	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
	case CLOCK_TAI:
		return true;
	default:
		return false;
	}
}

int64_t clock_offset(long clockid)
{
	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
		return atomic_load_explicit(&realtime_offset, memory_order_relaxed);
	default:
		return 0;
	}
}

uint64_t clock_abs_to_mono(long clockid, uint64_t abs_ns)
{
	int64_t mono = (int64_t)abs_ns - clock_offset(clockid);

	return mono > 0 ? (uint64_t)mono : 0;
}

/* A process's CPU time by Linux's CPUCLOCK kind. */
static uint64_t cpu_clock(const uint64_t t[4], int which)
{
	return which == CPUCLOCK_VIRT ? t[0] : t[0] + t[1];
}

static int cpu_clock_read(struct proc *p, long clockid, uint64_t *ns)
{
	int which = (int)(clockid & 3), pid = (int)~(clockid >> 3);
	uint64_t t[4];

	if (which > CPUCLOCK_SCHED)
		return -EINVAL;
	if (pid == 0 || pid == proc_pid(p))
		proc_cpu_times(p, t);
	else if (proc_cpu_times_pid(pid, t))
		return -EINVAL; /* no such process (Linux: EINVAL) */
	*ns = cpu_clock(t, which);
	return 0;
}

int clock_read(struct proc *p, long clockid, uint64_t *ns)
{
	uint64_t t[4];

	switch (clockid) {
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		*ns = clock_now_ns();
		return 0;
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI:
		*ns = clock_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC_COARSE:
		*ns = clock_now_ns() / CLOCK_TICK_NS * CLOCK_TICK_NS;
		return 0;
	case CLOCK_REALTIME_COARSE:
		*ns = clock_realtime_ns() / CLOCK_TICK_NS * CLOCK_TICK_NS;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		/* One thread per process: the same time. */
		proc_cpu_times(p, t);
		*ns = t[0] + t[1];
		return 0;
	default:
		if (clockid < 0)
			return cpu_clock_read(p, clockid, ns);
		return -EINVAL;
	}
}

int clock_resolution(struct proc *p, long clockid, uint64_t *ns)
{
	uint64_t now;
	int err = clock_read(p, clockid, &now);

	if (err)
		return err;
	/* High-resolution clocks are 1 ns, as Linux's; the coarse ones tick. */
	*ns = clockid == CLOCK_REALTIME_COARSE || clockid == CLOCK_MONOTONIC_COARSE
		? CLOCK_TICK_NS : 1;
	return 0;
}

void clock_init(const void *dtb)
{
	uint64_t now;

	if (rtc_goldfish_probe(dtb) || rtc_goldfish_read(&now)) {
		kprintf("clock: no RTC; the wall clock starts at the epoch\n");
		return;
	}
	clock_set_realtime(now);
	kprintf("clock: wall time from the goldfish RTC: %lu s since the epoch\n",
		(unsigned long)(now / NSEC_PER_SEC));
}
