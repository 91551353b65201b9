/* SPDX-License-Identifier: MIT */
/*
 * struct proc and the helpers shared by the files of kernel/proc. Nothing outside
 * kernel/proc includes this; other subsystems use kernel/proc/proc.h.
 *
 * Lock legend: I = set at creation; P = only the process's own userloop,
 * which runs on one hart at a time; L = under proc_lock; A = atomic.
 * Lifetime: a proc holds two references, one for its task (dropped when the
 * executor releases the finished userloop) and one for its parent (dropped
 * when wait4 reaps it); the last one frees it.
 */
#ifndef KERNEL_PROC_PROC_INTERNAL_H
#define KERNEL_PROC_PROC_INTERNAL_H

#include <stdatomic.h>

#include "arch/riscv/uctx.h"
#include "kernel/async/future.h"
#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "kernel/async/waitq.h"
#include "kernel/proc/proc.h"
#include "kernel/spinlock.h"
#include "lib/list.h"

#define PROC_MAX 4096       /* live processes, zombies included (fork: -EAGAIN) */
#define PID_MAX 32768
#define PROC_SLICE_NS 10000000ull  /* 10 ms of user time before yielding */

/*
 * The userloop, one poll of which is bracketed by the outermost future
 * (page table in, interrupts off ... page table out, interrupts restored):
 *
 *   ENTER_USER --trap--> handle --(blocking syscall)--> AWAIT_SYSCALL
 *       ^                  |                                 |
 *       +------------------+<--------- future READY ---------+
 *   any state --(exit, fatal signal)--> EXITED
 */
enum uloop_state {
	ULOOP_ENTER_USER,
	ULOOP_AWAIT_SYSCALL,
	ULOOP_INTERRUPTED,      /* a signal dropped the syscall future: restart
				 * it or fail it with -EINTR (a0 still holds
				 * its first argument, pc is past the ecall) */
	ULOOP_EXITED,
	/* uloop.awaiting is a page the program (or a syscall, whose ecall
	 * then runs again) waits to be read: it resumes where it stopped. */
	ULOOP_AWAIT_PAGE,
};

enum proc_state {
	PROC_ALIVE,
	PROC_ZOMBIE,
};

/*
 * Ordered to leave no holes: every blocked process carries one (see
 * kbench=proc_state_bytes). What is not always needed lives elsewhere: the
 * FP registers (uc.f, from the first FP write), the signal handler table
 * (from the first handler), the preemption timer (one per hart, uloop.c),
 * the queue wait4 sleeps on (shared, proc_child_waitq()).
 */
struct proc {
	struct future uloop;            /* the outermost future (its task's future);
					 * uloop.awaiting is the syscall future
					 * being awaited (P, owned), or NULL */
	struct user_context uc;         /* P */
	int pid;                        /* I */
	int pgid;                       /* L */
	atomic_int refs;                /* A: see the lifetime note above */
	uint8_t state;                  /* L: enum proc_state */
	uint8_t ustate;                 /* P: enum uloop_state */
	char name[16];                  /* P */
	struct as *as;                  /* P */
	struct fdtable *files;          /* P */
	struct inode *cwd;              /* P */
	struct proc *parent;            /* L */
	struct list_head children;      /* L */
	struct list_head sibling;       /* L: in parent->children */
	task_id_t task;                 /* I after spawn */
	atomic_ullong sig_pending;      /* A: bit (sig - 1) */
	uint64_t sig_blocked;           /* P */
	uint64_t sig_ignored;           /* A-ish: written by P, read by senders */
	struct k_sigaction *sig_actions; /* P: NULL until the first handler is set;
					 * then NSIG entries, handler SIG_DFL (0) for
					 * every signal not caught */
	union {
		/* P, while alive. Recorded (clone, set_tid_address) but never
		 * acted on: the write of 0 and futex wake at exit only matter
		 * to threads sharing the memory, and clone refuses those. */
		uintptr_t clear_child_tid;
		int wstatus;            /* L: wait4 status, once a zombie */
	};
	uint64_t utime_ns, stime_ns;    /* P */
	uint64_t cutime_ns, cstime_ns;  /* L: of reaped children */
};

extern struct spinlock proc_lock;
extern struct proc *init_proc;      /* I after boot */

static inline struct proc *uloop_proc(struct future *f)
{
	return container_of(f, struct proc, uloop);
}

/* proc.c */
/*
 * Where a wait4 of `parent` waits for a child to change state: one of a few
 * queues shared by all processes (hashed by pid), not one per process, as
 * most processes never wait. A waiter may be woken for another parent's
 * child; wait4 re-checks its own children, so that costs only a poll.
 */
struct waitq *proc_child_waitq(const struct proc *parent);
struct proc *proc_alloc(void);          /* pid assigned, one ref, not linked */
size_t proc_alloc_size(void);           /* bytes the allocator hands out for one */
void proc_get(struct proc *p);
void proc_put(struct proc *p);
struct proc *proc_lookup_locked(int pid);
int proc_live_count(void);
void proc_unhash_locked(struct proc *p);
void proc_set_name(struct proc *p, const char *path);

/* uloop.c */
void uloop_init(struct proc *p);
int uloop_spawn(struct proc *p, int hart);
/* Change the address space under a running userloop (execve). */
void uloop_switch_as(struct proc *p, struct as *as);

/* exit.c */
void proc_exit(struct proc *p, int wstatus);

/* signal.c */
/*
 * Whether a pending, unblocked signal needs the program: a handler to run
 * or a default action that ends it. Drops the ignored ones on the way. The
 * userloop asks this while a syscall waits, to interrupt it.
 */
bool signal_needs_action(struct proc *p);
/*
 * Act on the pending signals before the program resumes. Runs handlers by
 * pushing their frames (the interrupted syscall, if the state is
 * ULOOP_INTERRUPTED, is restarted or fails with -EINTR), and returns the
 * wait status the process must exit with (a default action, or a frame that
 * could not be pushed), or 0 to carry on.
 */
int signal_act(struct proc *p);
/* Return from a handler: restore the frame at the stack pointer. False if
 * it was bad (the process then has a fatal SIGSEGV pending). */
bool signal_return(struct proc *p);
/* A fault signal: to its handler if caught and unblocked; otherwise
 * delivered even if blocked or ignored, with the default action (Linux). */
void signal_force(struct proc *p, int sig);
void signal_reset_on_exec(struct proc *p);
/* Copy blocked, ignored and the handler table: 0 or -ENOMEM. */
int signal_fork(struct proc *child, const struct proc *parent);

/* exec.c */
int proc_exec_kernel(struct proc *p, const char *path, const char *const *argv,
		     const char *const *envp);

#endif
