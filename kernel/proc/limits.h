/* SPDX-License-Identifier: MIT */
/*
 * Per-process limits and settings that children inherit and exec keeps:
 * the resource limits (getrlimit, setrlimit, prlimit64), the nice value
 * (getpriority, setpriority) and the personality. One reference-counted
 * struct, shared until changed (fork takes a reference, a change copies it
 * first when it is shared); a process that never changed any has none and
 * reads Linux's boot defaults.
 *
 * Enforced where Linux enforces them: RLIMIT_NOFILE on every new
 * descriptor, RLIMIT_NPROC at fork, RLIMIT_STACK for the main stack and the
 * argument limit at exec, RLIMIT_AS on mmap and brk, RLIMIT_CORE by whoever
 * decides on a core dump (none is written), RLIMIT_CPU by the userloop's
 * CPU-time check (proc_rlimit_cpu_tick). The others are stored and
 * reported.
 */
#ifndef KERNEL_PROC_LIMITS_H
#define KERNEL_PROC_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

struct proc;

#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0ULL)

/* Linux's fs.nr_open here: RLIMIT_NOFILE may not go above it (-EPERM). */
#define LIMITS_NR_OPEN 4096

struct rlimit64 {
	uint64_t cur, max;
};

/* p's limit for resource (0..RLIM_NLIMITS-1): any process, any hart. */
struct rlimit64 proc_rlimit(struct proc *p, unsigned resource);
/* The soft limit alone (proc_rlimit(p, r).cur). */
uint64_t proc_rlimit_cur(struct proc *p, unsigned resource);
/* Linux's do_prlimit on p by a caller acting as the current process:
 * -EINVAL (soft over hard), -EPERM (raising the hard limit without
 * CAP_SYS_RESOURCE, NOFILE over LIMITS_NR_OPEN), -ENOMEM; old (if not NULL)
 * gets the limit from before. */
int proc_set_rlimit(struct proc *p, unsigned resource, const struct rlimit64 *new,
		    struct rlimit64 *old);

/*
 * RLIMIT_CPU after p ran, cputime_ns its CPU time so far (user + system):
 * SIGXCPU at the soft limit, after which the soft limit moves up by one
 * second (so one SIGXCPU a second follows) while it is under the hard
 * limit; SIGKILL at the hard limit. A soft limit of 0 acts as 1 second, as
 * on Linux. Returns whether the limit is finite, i.e. whether the userloop
 * must keep calling (JOBCTL_TIMERS stays set).
 */
bool proc_rlimit_cpu_tick(struct proc *p, uint64_t cputime_ns);

/* The nice value, -20..19. */
int proc_nice(struct proc *p);
int proc_set_nice(struct proc *p, int nice);
uint32_t proc_personality(struct proc *p);
int proc_set_personality(struct proc *p, uint32_t persona);

/* fork: the child shares the parent's; exit/put: let go. */
void proc_limits_fork(struct proc *child, struct proc *parent);
void proc_limits_release(struct proc *p);

#endif
