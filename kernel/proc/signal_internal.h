/* SPDX-License-Identifier: MIT */
/*
 * What the files of kernel/proc share about signals and job control
 * (signal.c, signal_queue.c, signal_sys.c, signal_wait.c, signal_jobctl.c,
 * and the userloop). Included by proc_internal.h.
 *
 * Locking: the pending set (struct proc.sig_pending) is atomic and read
 * without a lock (the userloop's pre-check), but every change to it, the
 * queued siginfo and the job-control state (struct proc.jobctl, stop_sig)
 * are made under proc_lock. The handler table, the blocked mask and the
 * alternate stack belong to the process's own userloop (P).
 */
#ifndef KERNEL_PROC_SIGNAL_INTERNAL_H
#define KERNEL_PROC_SIGNAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/proc/signal.h"

struct proc;

/*
 * The handler table and the alternate signal stack, allocated at the first
 * rt_sigaction that sets a handler or the first sigaltstack (a 2 KiB
 * kmalloc block either way: the stack fields live in the table's slack).
 * P: only the process's userloop touches it. Copied by fork; execve puts
 * every handler back to SIG_DFL and disables the alternate stack.
 */
struct sighand {
	struct k_sigaction act[NSIG];	/* handler SIG_DFL (0) unless caught */
	uintptr_t ss_sp;		/* sigaltstack; ss_size 0: none */
	uint64_t ss_size;
	uint32_t ss_flags;		/* SS_AUTODISARM, as set */
};

/* struct proc.sig_saved tags (signal_wait_begin): bits no signal mask can
 * hold. The rest of the word is the mask to restore. */
#define SIG_SAVED_MASK SIG_BIT(SIGKILL)		/* a mask is saved */
#define SIG_SAVED_NORESTART SIG_BIT(SIGSTOP)	/* -EINTR after a handler, always */

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ 2048

/* Signal classes (by default action). */
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#define SIG_STOP_SET (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))
#define SIG_DEFAULT_IGNORED (SIG_BIT(SIGCHLD) | SIG_BIT(SIGCONT) | SIG_BIT(SIGURG) | \
			     SIG_BIT(SIGWINCH))
#define SIG_DEFAULT_COREDUMP (SIG_BIT(SIGQUIT) | SIG_BIT(SIGILL) | SIG_BIT(SIGTRAP) | \
			      SIG_BIT(SIGABRT) | SIG_BIT(SIGBUS) | SIG_BIT(SIGFPE) | \
			      SIG_BIT(SIGSEGV) | SIG_BIT(SIGXCPU) | SIG_BIT(SIGXFSZ) | \
			      SIG_BIT(SIGSYS))

static inline bool sig_valid(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

/* ---- signal.c: sending --------------------------------------------------- */

/* Queue @ki on a live @p (proc_lock held), with SIGCONT's and the stop
 * signals' side effects; 0, or -EAGAIN when a realtime signal's queue is
 * full. Wakes the target. */
int signal_send_locked(struct proc *p, const struct ksiginfo *ki);
/* The same to the thread @p itself (tgkill, tkill), not to its process. */
int signal_send_thread_locked(struct proc *p, const struct ksiginfo *ki);
/* The siginfo of kill(2) and friends from @sender (NULL: the kernel). */
void signal_info_user(struct ksiginfo *ki, int sig, int code, const struct proc *sender);
/* Every live process in group @pgid: -ESRCH if there is none. proc_lock held. */
int signal_pgrp_locked(int pgid, const struct ksiginfo *ki);

/* ---- signal.c: the target side (P) --------------------------------------- */

/* Whether @sig has a handler. */
bool signal_caught(const struct proc *p, int sig);
/*
 * Whether a pending, unblocked signal needs the program: a handler to run
 * or a default action that ends it. Drops the ignored ones on the way. The
 * userloop asks this while a syscall waits, to interrupt it. Stop signals
 * with the default action are signal_jobctl()'s, not counted here.
 */
bool signal_needs_action(struct proc *p);
/*
 * Act on the pending signals before the program resumes. Runs a handler by
 * pushing its frame (the interrupted syscall, if the state is
 * ULOOP_INTERRUPTED, is restarted or fails with -EINTR), and returns the
 * wait status the process must exit with (a default action, or a frame that
 * could not be pushed), or 0 to carry on. A wait under a temporary mask
 * (signal_wait_begin) has its signal delivered under that mask, the frame
 * keeping the mask of before.
 */
int signal_act(struct proc *p);
/* Return from a handler: restore the frame at the stack pointer. False if
 * it was bad (the process then has a fatal SIGSEGV pending). */
bool signal_return(struct proc *p);
/* A fault signal: to its handler if caught and unblocked; otherwise
 * delivered even if blocked or ignored, with the default action (Linux). */
void signal_force(struct proc *p, int sig);
void signal_reset_on_exec(struct proc *p);
/* Copy blocked, ignored, the handler table and the alternate stack: 0 or
 * -ENOMEM. */
int signal_fork(struct proc *child, const struct proc *parent);
/* The handler table, allocated on first use; NULL when out of memory. */
struct sighand *signal_hand(struct proc *p);
/* Change @p's own SIG_IGN / SIGCHLD flags after its table changed. */
void signal_action_changed(struct proc *p, int sig);

/* ---- signal_queue.c: queued siginfo, proc_lock held ---------------------- */

/* Append @ki to @p's queue: 0, -ENOMEM, or -EAGAIN when @p has
 * SIGQUEUE_MAX entries. */
#define SIGQUEUE_MAX 1024
int sigq_add_locked(struct proc *p, const struct ksiginfo *ki);
/* Take the oldest entry of @sig: true with *ki filled; *more says whether
 * another entry of @sig stays. */
bool sigq_take_locked(struct proc *p, int sig, struct ksiginfo *ki, bool *more);
/* Drop every entry of the signals in @sigs. */
void sigq_flush_locked(struct proc *p, uint64_t sigs);
/* Clear @sigs from the pending set and drop their entries. */
void signal_discard_locked(struct proc *p, uint64_t sigs);

/* ---- signal_jobctl.c ----------------------------------------------------- */

/*
 * The userloop's check, made whenever a signal is pending or the process
 * is stopped: stop signals with the default action stop it (or are
 * dropped, in an orphaned process group). True while it stays stopped:
 * the userloop then returns PENDING (SIGCONT or SIGKILL wakes it).
 */
bool signal_jobctl(struct proc *p);
/* What sending @sig to @p does before it is queued (proc_lock held):
 * SIGCONT drops pending stop signals, a stop signal a pending SIGCONT. */
void jobctl_on_send_locked(struct proc *p, int sig);
/* SIGCONT, once queued (or dropped as ignored), resumes a stopped @p:
 * true if it was stopped (the caller wakes it). proc_lock held. */
bool jobctl_continue_locked(struct proc *p);
/* @p exits (proc_lock held): process groups this orphans that have a
 * stopped member get SIGHUP and SIGCONT, as POSIX says. */
void jobctl_exit_locked(struct proc *p);
/* Whether group @pgid is orphaned (no member has a parent in another group
 * of the same session), not counting @ignore. proc_lock held. */
bool pgrp_orphaned_locked(int pgid, const struct proc *ignore);
/* SIGCHLD and a wake of the parent's wait4 for a child that stopped,
 * continued or (from exit.c) exited, with the CLD_* @code. proc_lock held. */
void jobctl_notify_parent_locked(struct proc *p, int code, int status);

#endif
