/* SPDX-License-Identifier: MIT */
/*
 * A process: an address space, a file table, a working directory, a parent
 * and children, an exit status, and the userloop future that runs it.
 * Fields other subsystems use are listed first. Owner of each field:
 * I = set at creation, P = only the process's own userloop (one hart at a
 * time), L:proc_lock = under the global process lock, A = atomic.
 */
#ifndef KERNEL_PROC_PROC_H
#define KERNEL_PROC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/proc/signal.h"

struct as;
struct fdtable;
struct inode;

struct proc;

/* The process running on this hart (set by the outermost future), or NULL. */
struct proc *proc_current(void);

/* Accessors other subsystems use (kernel/fs, kernel/syscall). */
struct as *proc_as(struct proc *p);
struct fdtable *proc_files(struct proc *p);
int proc_pid(const struct proc *p);

/* The file mode creation mask (umask(2)): 0..0777. */
uint32_t proc_umask(const struct proc *p);

/* Working directory: a counted inode reference owned by the process. */
struct inode *proc_cwd(struct proc *p);
/* Replace the cwd (takes over the caller's reference, drops the old one). */
void proc_set_cwd(struct proc *p, struct inode *dir);
/* The directory chroot(2) made p's "/", or NULL for the real root (not
 * counted: p's own, valid while p runs); proc_set_root as proc_set_cwd. */
struct inode *proc_root(struct proc *p);
void proc_set_root(struct proc *p, struct inode *dir);

/*
 * Send a signal. Fatal default actions (and SIGKILL) make the target exit at
 * its next safe point: a pending syscall future is dropped, so a process
 * blocked in read() dies at once. Ignored signals are discarded. Returns 0,
 * or -ESRCH / -EINVAL. Any context, interrupt handlers included (they take
 * proc_lock). proc_signal() sends with SI_KERNEL information;
 * proc_signal_info() with the caller's (-EAGAIN: a realtime signal's queue
 * is full).
 */
int proc_signal(struct proc *p, int sig);
int proc_signal_info(struct proc *p, const struct ksiginfo *ki);
int proc_signal_pid(int pid, int sig);
/* To every live member of process group @pgid (the terminal's keys). */
int proc_signal_pgrp(int pgid, int sig);
/* To every live process but init (shutdown). */
void proc_signal_all(int sig);
/*
 * Take the lowest pending signal of @set, blocked or not (sigtimedwait,
 * signalfd): its number with *ki filled, or 0 if none is pending.
 */
int signal_dequeue(struct proc *p, uint64_t set, struct ksiginfo *ki);

/*
 * Job control, for the terminal (kernel/drivers/tty). A session's
 * controlling terminal is recorded by the terminal (its session id); a
 * process has it as its own when it is in that session and has not given
 * it up with TIOCNOTTY.
 */
struct proc_ids {
	int pid, pgid, sid;
	bool noctty;		/* gave up its controlling terminal */
};
void proc_get_ids(struct proc *p, struct proc_ids *ids);
/* The session of process group @pgid (or, if it has no member, of the
 * process @pgid), or -ESRCH. */
int proc_pgrp_session(int pgid);
/* No member of @pgid has a parent in another group of the same session. */
bool proc_pgrp_orphaned(int pgid);
/* @p (the caller itself) blocks or ignores @sig. */
bool proc_sig_blocked_or_ignored(struct proc *p, int sig);
/* TIOCNOTTY by a process that does not lead its session. */
void proc_drop_ctty(struct proc *p);

/* CPU time in ns: user, system, reaped children's user, children's system. */
void proc_cpu_times(struct proc *p, uint64_t t[4]);
/* The same for process @pid: 0, or -ESRCH. */
int proc_cpu_times_pid(int pid, uint64_t t[4]);

/* References to a process (its memory stays until the last put). */
void proc_get(struct proc *p);
void proc_put(struct proc *p);

/*
 * For the POSIX timers (kernel/time/ptimer.c): send a timer's signal, or,
 * if the same timer's signal is still queued, count an overrun on it
 * (Linux); take a deleted timer's queued signal back. Mark a process as
 * having CPU-time timers, which its userloop then checks after the program
 * runs.
 */
int proc_signal_timer(struct proc *p, const struct ksiginfo *ki);
void proc_signal_timer_cancel(struct proc *p, int timerid);
void proc_set_cpu_timers(struct proc *p, bool on);

/* ---- the view of any process, for /proc (proc_view.c) ------------------------ */

struct file;

/* A snapshot of the scalar state of a process. */
struct proc_info {
	int pid, ppid, pgid, sid;
	char state;                     /* 'R' running or runnable, 'S' blocked, 'Z' zombie */
	char name[16];                  /* comm */
	unsigned hart;                  /* the hart its task is homed on */
	uint64_t task;                  /* its task id (task_id_t) */
	uint64_t start_ns;              /* clock_now_ns() at fork */
	uint64_t utime_ns, stime_ns, cutime_ns, cstime_ns;
	uint64_t sig_pending, sig_blocked, sig_ignored, sig_caught;
	int exit_code;                  /* wait status, zombies only */
	uint32_t polls, wakes, self_wakes; /* its task's counters */
	/* The image (0 once it exited): arguments, environment, initial sp. */
	uintptr_t arg_start, arg_end, env_start, env_end, start_stack;
	/* Identity: real, effective, saved, filesystem; the first groups. */
	uint32_t uid[4], gid[4];
	uint32_t ngroups, groups[32];
	uint32_t umask;
	int nr_threads;                 /* live threads of its group (1 without) */
};

/* A counted reference to the process with this pid (alive or zombie), or NULL. */
struct proc *proc_view_get(int pid);
void proc_view_put(struct proc *p);
/* The smallest pid in use above after, or -1 (a process's, not its threads'). */
int proc_view_next_pid(int after);
/* The smallest tid of the thread group pid above after, or -1
 * (/proc/<pid>/task): the leader while the group lives, and every live
 * thread. */
int proc_view_next_tid(int pid, int after);
/* The thread group id (getpid) of p. */
int proc_tgid(const struct proc *p);
/* Processes in the table, how many of them are runnable, the last pid handed out. */
void proc_view_counts(int *total, int *runnable, int *last_pid);
void proc_view_info(struct proc *p, struct proc_info *pi);
/* Call fn(as, arg) with p's address space (NULL once it has exited) under p's
 * view lock, so it stays; fn runs with interrupts off and must not block.
 * Returns what fn returned. */
int proc_view_with_as(struct proc *p, int (*fn)(struct as *as, void *arg), void *arg);
/* /proc/<pid>/exe: the executable's path into buf; its length, or -ENOENT. */
long proc_view_exe(struct proc *p, char *buf, size_t n);
/* Bytes [off, off + n) of p's argument (env false) or environment strings,
 * read from its memory; how many were read, 0 past the end. */
long proc_view_args(struct proc *p, bool env, void *buf, size_t n, size_t off);
/* p's working directory, counted, or NULL once it exited. */
struct inode *proc_view_cwd(struct proc *p);
/* Its "/" (chroot), counted. */
struct inode *proc_view_root(struct proc *p);
/* The first open fd >= from of p, its file counted in *f; -1 when none. */
int proc_view_next_fd(struct proc *p, int from, struct file **f, bool *cloexec);

/* Time processes spent on a hart: in user mode, and in the kernel for them. */
void proc_hart_times(unsigned hart, uint64_t *user_ns, uint64_t *system_ns);

/* Boot: start /sbin/init as pid 1 with fds 0-2 on /dev/console; args
 * (NULL-terminated) are its argv after argv[0] (bootarg_init_argv). */
int proc_start_init(const char *const *args);

/*
 * Waits that swap the signal mask atomically (ppoll, pselect6, epoll_pwait;
 * rt_sigsuspend): signal_wait_begin installs *mask (when mask is not NULL)
 * for the wait and remembers the old one. A handler that interrupts the wait
 * runs under the temporary mask and its frame saves the old one, which
 * rt_sigreturn restores; a call interrupted so is never restarted: -EINTR
 * even under SA_RESTART (Linux's ERESTARTNOHAND). A wait that ends
 * otherwise (ready, timed out, an error) calls signal_wait_end, which puts
 * the old mask back. Called from the process's own syscalls only.
 */
void signal_wait_begin(struct proc *p, const uint64_t *mask);
void signal_wait_end(struct proc *p);
/* The signals pending, blocked or not (signalfd reads its own set). */
uint64_t signal_pending_set(struct proc *p);

/* Processes in the pid table now (zombies included). */
int proc_live_count(void);

/* The 1, 5 and 15 minute load averages (Linux's calc_load: processes that
 * can run, sampled every 5 s) in fixed point with shift fraction bits
 * (sysinfo: 16; /proc/loadavg divides by 1 << shift). */
void proc_loadavg(unsigned long out[3], unsigned shift);

#endif
