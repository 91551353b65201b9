/* SPDX-License-Identifier: MIT */
/*
 * The clocks of clock_gettime and friends, all derived from clock_now_ns()
 * (the time CSR: monotonic, nanoseconds since boot):
 *
 *   MONOTONIC, MONOTONIC_RAW, BOOTTIME, BOOTTIME_ALARM   clock_now_ns()
 *   REALTIME, REALTIME_ALARM, TAI                        + the wall-clock offset
 *   *_COARSE                                             truncated to the 4 ms tick
 *   PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID, and the       a process's CPU time
 *   negative ids of clock_getcpuclockid()
 *
 * Nothing is ever suspended and nothing slews the clock, so the monotonic
 * ones are one clock; TAI equals REALTIME (Linux's default TAI offset is 0
 * until ntpd sets it). The wall-clock offset starts from the RTC at boot
 * and changes only by clock_settime / settimeofday.
 */
#ifndef KERNEL_TIME_CLOCK_H
#define KERNEL_TIME_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct proc;

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_TAI 11

#define NSEC_PER_SEC 1000000000ULL
/* The tick the coarse clocks advance by (Linux's HZ = 250). */
#define CLOCK_TICK_NS 4000000ULL

/* @clockid's time for @p (the caller): 0, or -EINVAL for no such clock. */
int clock_read(struct proc *p, long clockid, uint64_t *ns);
/* Its resolution: 0 or -EINVAL. */
int clock_resolution(struct proc *p, long clockid, uint64_t *ns);
/* A clock whose time is clock_now_ns() plus a fixed offset (REALTIME,
 * MONOTONIC, BOOTTIME, TAI and the alarm ones), which sleeps and timers
 * can wait on. */
bool clock_is_wall_or_mono(long clockid);
/* An absolute time of such a clock as a clock_now_ns() deadline (0 if it
 * has passed), by the offset in force now. */
uint64_t clock_abs_to_mono(long clockid, uint64_t abs_ns);
/* The offset clock_now_ns() -> @clockid (0 for the monotonic ones). */
int64_t clock_offset(long clockid);

/* CLOCK_REALTIME now. */
uint64_t clock_realtime_ns(void);
/* Set CLOCK_REALTIME: 0, or -EINVAL for a time before the machine booted
 * (Linux refuses those too). */
int clock_set_realtime(uint64_t ns);
/* Whether @p may set the clock (CAP_SYS_TIME: root). */
bool clock_may_set(struct proc *p);

/* settimeofday's struct timezone, given back by gettimeofday. */
struct ktimezone {
	int32_t tz_minuteswest, tz_dsttime;
};
void clock_get_tz(struct ktimezone *tz);
void clock_set_tz(const struct ktimezone *tz);

/* Boot: start CLOCK_REALTIME from the RTC in @dtb (the epoch if none). */
void clock_init(const void *dtb);

#endif
