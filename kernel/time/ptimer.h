/* SPDX-License-Identifier: MIT */
/*
 * Per-process timers: setitimer's three (REAL, VIRTUAL, PROF) and POSIX
 * timers (timer_create ...). The syscalls are kernel/syscall/sys_timer.c.
 *
 * A timer on a wall or monotonic clock that signals is a future on the
 * timer queue: an armed timer has a small task of its own whose future
 * sleeps until the deadline, sends the signal and sleeps again for an
 * interval; nothing else waits. A timer on CPU time (VIRTUAL, PROF, and
 * POSIX timers on the CPU-time clocks) is checked by its process's
 * userloop after the program ran (ptimer_cpu_tick), so it has the
 * granularity of the 10 ms slice, as Linux's tick-based CPU timers.
 */
#ifndef KERNEL_TIME_PTIMER_H
#define KERNEL_TIME_PTIMER_H

#include <stdbool.h>
#include <stdint.h>

struct proc;
struct ksiginfo;

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4

/* At most this many POSIX timers per process (-EAGAIN beyond). */
#define PTIMER_MAX 1024

/* An itimerspec in ns; value 0 is disarmed. */
struct ptimer_spec {
	uint64_t interval, value;
};

/* What timer_create was asked for. */
struct ptimer_event {
	int notify;		/* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD (signals too) */
	int signo;
	uint64_t value;		/* sigval */
};

/* The POSIX timer calls (ids >= 0): 0 or -errno (-EINVAL: no such timer). */
int ptimer_create(struct proc *p, long clockid, const struct ptimer_event *ev, bool default_value,
		  int *id);
int ptimer_settime(struct proc *p, int id, bool abs, const struct ptimer_spec *set,
		   struct ptimer_spec *old);
int ptimer_gettime(struct proc *p, int id, struct ptimer_spec *cur);
int ptimer_getoverrun(struct proc *p, int id);
int ptimer_delete(struct proc *p, int id);

/* setitimer / getitimer (which is ITIMER_*). */
int ptimer_setitimer(struct proc *p, int which, const struct ptimer_spec *set,
		     struct ptimer_spec *old);
int ptimer_getitimer(struct proc *p, int which, struct ptimer_spec *cur);

/* The userloop, for a process with CPU-time timers: its user and user +
 * system time now. */
void ptimer_cpu_tick(struct proc *p, uint64_t utime, uint64_t cputime);
/* A POSIX timer's signal was taken (kernel/proc): remember its overrun for
 * timer_getoverrun. */
void ptimer_delivered(struct proc *p, int id, int overrun);
/* execve deletes the POSIX timers (the interval timers stay); exit all. */
void ptimer_exec(struct proc *p);
void ptimer_exit(struct proc *p);

#endif
