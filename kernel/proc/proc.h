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

/*
 * Send a signal. Fatal default actions (and SIGKILL) make the target exit at
 * its next safe point: a pending syscall future is dropped, so a process
 * blocked in read() dies at once. Ignored signals are discarded. Returns 0,
 * or -ESRCH. Any context, interrupt handlers included.
 */
int proc_signal(struct proc *p, int sig);
int proc_signal_pid(int pid, int sig);
/* CPU time in ns: user, system, reaped children's user, children's system. */
void proc_cpu_times(struct proc *p, uint64_t t[4]);

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
/* The signals pending and not blocked (signalfd reads its own set). */
uint64_t signal_pending_set(struct proc *p);
/* Take sig (1..64) off p's pending set if it was there: true if it was. */
bool signal_dequeue(struct proc *p, int sig);

/* Processes in the pid table now (zombies included). */
int proc_live_count(void);

/* The 1, 5 and 15 minute load averages (Linux's calc_load: processes that
 * can run, sampled every 5 s) in fixed point with shift fraction bits
 * (sysinfo: 16; /proc/loadavg divides by 1 << shift). */
void proc_loadavg(unsigned long out[3], unsigned shift);

/* ^C on the console: SIGINT to every process but init. */
void proc_signal_foreground(int sig);

#endif
