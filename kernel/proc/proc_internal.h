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
#include "kernel/proc/signal_internal.h"
#include "kernel/spinlock.h"
#include "lib/list.h"

struct proc_limits;

#define PROC_MAX 4096       /* live processes, zombies included (fork: -EAGAIN) */
#define PID_MAX 32768
#define PROC_SLICE_NS 10000000ull  /* 10 ms of user time before yielding */
_Static_assert(PID_MAX <= 65536, "pgid and sid are 16 bits");

/* struct proc.jobctl bits. */
#define JOBCTL_STOPPED 0x01     /* stopped by a stop signal, until SIGCONT */
#define JOBCTL_STOP_REPORT 0x02 /* a stop wait4(WUNTRACED) has not seen */
#define JOBCTL_CONT_REPORT 0x04 /* a continue wait4(WCONTINUED) has not seen */
#define JOBCTL_EXECED 0x08      /* has called execve (setpgid by the parent: EACCES) */
#define JOBCTL_NOCLDSTOP 0x10   /* its SIGCHLD action has SA_NOCLDSTOP */
#define JOBCTL_NOCLDWAIT 0x20   /* children are not zombies (SIGCHLD SIG_IGN or SA_NOCLDWAIT) */
#define JOBCTL_TIMERS 0x40      /* has armed CPU-time timers (kernel/time/ptimer.c) */
#define JOBCTL_NOCTTY 0x80      /* gave up its controlling terminal (TIOCNOTTY) */

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
	/* Job control (signal_jobctl.c, sys_ids.c): 16-bit ids fill what
	 * was padding, so none of it costs a byte (PID_MAX fits). */
	uint16_t pgid;                  /* L: process group */
	uint16_t sid;                   /* L: session */
	atomic_int refs;                /* A: see the lifetime note above */
	uint8_t state;                  /* L: enum proc_state */
	uint8_t ustate;                 /* P: enum uloop_state */
	uint8_t jobctl;                 /* L: JOBCTL_* (STOPPED also read
					 * relaxed by the userloop, see there) */
	uint8_t stop_sig;               /* L: what stopped it (WUNTRACED) */
	char name[16];                  /* P */
	uint16_t umask;                 /* P: file mode creation mask (in a hole);
					 * the same in every thread of a group
					 * (CLONE_FS: umask sets them all) */
	uint16_t tgid;                  /* I: thread group id (getpid): pid unless
					 * a thread; exec may give it the leader's */
	uint8_t tflags;                 /* L: TF_* (thread.c), in the same hole */
	struct as *as;                  /* P */
	struct fdtable *files;          /* P */
	struct inode *cwd;              /* P */
	struct inode *root;             /* P: chroot(2)'s directory; NULL: the real root */
	struct proc *parent;            /* L */
	struct list_head children;      /* L */
	struct list_head sibling;       /* L: in parent->children */
	task_id_t task;                 /* I after spawn */
	atomic_ullong sig_pending;      /* A: bit (sig - 1) */
	uint64_t sig_blocked;           /* P */
	uint64_t sig_ignored;           /* A-ish: written by P, read by senders */
	struct sighand *sighand;        /* P: NULL until the first handler or
					 * sigaltstack is set (signal_internal.h) */
	union {
		/* P, while alive. Recorded (clone, set_tid_address) but never
		 * acted on: the write of 0 and futex wake at exit only matter
		 * to threads sharing the memory, and clone refuses those. */
		uintptr_t clear_child_tid;
		int wstatus;            /* L: wait4 status, once a zombie */
	};
	uint64_t utime_ns, stime_ns;    /* P */
	uint64_t cutime_ns, cstime_ns;  /* L: of reaped children */
	/* Waiting with a temporary signal mask (signal_wait_begin, signal.c):
	 * 0, or the mask to restore tagged SIG_SAVED_MASK, and/or
	 * SIG_SAVED_NORESTART. The tags are the bits of SIGKILL and SIGSTOP,
	 * which no mask can hold. */
	uint64_t sig_saved;             /* P */

	/* Identity (cred.c) and the running image (exec.c). */
	struct cred *cred;              /* P reads; written by P under proc_lock,
					 * which other readers take (proc_cred_get).
					 * Counted, shared until changed. */
	struct inode *exe;              /* P: the executable, counted, denying
					 * writes (ETXTBSY) while it runs; NULL for
					 * a kernel-built process until its exec */
	/* Limits, nice, personality (limits.c): NULL = the defaults. */
	_Atomic(struct proc_limits *) limits; /* A: see limits.c's legend */

	/* What /proc shows (proc_view.c): 16 bytes. */
	struct proc_image *image;       /* P, swapped under the view lock: the
					 * exe path and argument ranges of the
					 * running image, shared with forks */
	uint64_t start_ns;              /* I: clock_now_ns() at fork */

	/* Threads (thread.c, futex.c; docs/threads.md): 16 bytes. */
	struct thread_group *tg;        /* I: NULL until the process first
					 * clones a thread; shared, counted */
	uintptr_t robust_list;          /* P: set_robust_list's head, walked at
					 * exit (futex.c) */
};

/* struct proc.tflags */
#define TF_EXITED 0x01          /* its userloop ended; the group may live on */
#define TF_VFORK 0x02           /* a vfork child the parent still waits for */

/*
 * A thread group (a process of several threads): made at the first
 * CLONE_THREAD, pointed to by every member, freed with the last one. The
 * members share one address space (counted in struct as), one file table,
 * cwd and umask, one signal handler table (these three are freed by the last
 * member to exit) and run on one hart, tg->hart, one at a time: the file
 * table and the TLB need no cross-hart care (docs/threads.md).
 */
struct thread_group {
	int refs;                       /* L: members pointing here */
	int nr_live;                    /* L: members whose userloop has not ended */
	struct proc *leader;            /* L: the member whose pid is the tgid */
	struct list_head threads;       /* L: the other members, by sibling */
	int hart;                       /* I: where every member runs */
	int leader_wstatus;             /* L: the leader's own exit status */
	int group_wstatus;              /* L: exit_group's or the fatal signal's */
	bool group_exit;                /* L: group_wstatus is set */
};

static inline struct proc *proc_leader(struct proc *p)
{
	return p->tg ? p->tg->leader : p;
}

/*
 * The running image as /proc/<pid>/{exe,cmdline,environ} show it: made by
 * execve, shared (counted) by fork, dropped at the next execve or exit.
 * The ranges are where the strings sit in the image's initial stack.
 */
struct proc_image {
	atomic_uint refs;               /* A */
	uintptr_t arg_start, arg_end;   /* I */
	uintptr_t env_start, env_end;   /* I */
	uintptr_t start_stack;          /* I: the initial sp */
	char exe[];                     /* I: absolute path of the executable */
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
int proc_last_pid_locked(void);         /* the pid handed out last */
/* Call fn for every process in the pid table (zombies too), in pid order,
 * until it returns false. proc_lock held. */
void proc_for_each_locked(bool (*fn)(struct proc *p, void *arg), void *arg);
int proc_live_count(void);
void proc_unhash_locked(struct proc *p);
/* exec from a thread: p takes old's pid (old leaves the pid table). */
void proc_take_pid_locked(struct proc *p, struct proc *old);
void proc_set_name(struct proc *p, const char *path);

/* uloop.c */
void uloop_init(struct proc *p);
int uloop_spawn(struct proc *p, int hart);
/* Change the address space under a running userloop (execve). */
void uloop_switch_as(struct proc *p, struct as *as);

/* exit.c */
/* End the thread p (the process when it is the last): exit(2). */
void proc_exit(struct proc *p, int wstatus);
/* End every thread of p's group with p (exit_group, a fatal signal). */
void proc_exit_group(struct proc *p, int wstatus);
/* The end of a process (after its last thread): the zombie, the parent's
 * SIGCHLD, orphans to init. */
void proc_exit_finish(struct proc *p, int wstatus);

/* thread.c */
/* clone with CLONE_THREAD (or CLONE_VM): the new tid or -errno. */
int thread_clone(struct proc *p, unsigned long flags, uintptr_t newsp, uintptr_t ptid,
		 uintptr_t tls, uintptr_t ctid);
/* The user-memory part of a thread's exit: clear_child_tid, robust list. */
void thread_exit_user(struct proc *p);
/* proc_exit's bookkeeping under proc_lock: mark p exited, and return
 * whether it was the group's last live member (true when not a thread). */
bool thread_mark_exited_locked(struct proc *p);
/* After the resources: true when p's exit is complete (a member other
 * than the last); false, with *wstatus the group's status, when the caller
 * must finish the process. */
bool thread_exit_finish(struct proc *p, int *wstatus);
/* End every other member at once (exit_group, exec): proc_exit on each. */
void thread_end_others(struct proc *p, int wstatus, bool group_exit);
/* exec's point of no return from a thread: the others end, p takes the
 * leader's pid, and the process is single-threaded again. */
void thread_exec_dethread(struct proc *p);
/* Whether p may run on this hart (its group's); else it moves there. */
bool thread_may_run_here(struct proc *p, struct context *cx);
/* chdir, fchdir, umask in p: the other members (CLONE_FS) get the same
 * cwd and umask. */
void thread_fs_changed(struct proc *p);
/* Drop p's group reference (proc_put). */
void thread_group_put(struct proc *p);
/* Process-directed signals: the member to deliver sig to (proc_lock). */
struct proc *thread_signal_target_locked(struct proc *p, int sig);
/* Calls fn for every member of p's group (p itself if none). proc_lock held. */
void thread_for_each_locked(struct proc *p, void (*fn)(struct proc *q, void *arg), void *arg);
/* vfork: the child lets its parent go (exec or exit). */
void thread_vfork_release(struct proc *p);
/* vfork: the parent's wait (sets sc->pending); the result is the child's pid. */
struct sys_ctx;
long thread_vfork_wait(struct sys_ctx *sc, struct proc *child);
/* rt_sigaction changed sig's action in p's (shared) table: the other
 * members' ignored sets follow, and pending ones are discarded if asked. */
void thread_sigaction_changed(struct proc *p, int sig, bool discard);

/* futex.c */
/* Wake up to n waiters of the futex at uaddr in as (shared key rules). */
int futex_wake_addr(struct as *as, uintptr_t uaddr, int n);
/* The robust futex list of an exiting thread (Linux's exit_robust_list). */
void futex_exit_robust(struct proc *p);

/* signal*.c: see signal_internal.h */

/* proc_view.c */
/* CPU time of processes per hart, for /proc/stat: H, written by the hart's
 * own userloop polls only (plain adds), read relaxed from anywhere. */
struct proc_hart_cpu {
	_Atomic uint64_t user_ns, system_ns;
} __attribute__((aligned(64)));
extern struct proc_hart_cpu proc_hart_cpu[MAX_HARTS];

static inline void proc_hart_account(uint64_t user, uint64_t sys)
{
	struct proc_hart_cpu *c = &proc_hart_cpu[hart_id()];

	atomic_store_explicit(&c->user_ns,
			      atomic_load_explicit(&c->user_ns, memory_order_relaxed) + user,
			      memory_order_relaxed);
	atomic_store_explicit(&c->system_ns,
			      atomic_load_explicit(&c->system_ns, memory_order_relaxed) + sys,
			      memory_order_relaxed);
}

/*
 * The view lock of p: one of a few hashed locks that the swaps of p->as,
 * p->files, p->cwd, p->image and p->sighand take (exec, exit, chdir),
 * so /proc, reading them from another hart, never sees one freed.
 */
struct spinlock *proc_view_lock(const struct proc *p);
/* Replace *slot with val under p's view lock; returns the old value for
 * the caller to free outside it. */
void *proc_view_swap(struct proc *p, void **slot, void *val);
/* Exit: take p's address space, files and cwd out (each NULL after), in
 * one hold of the view lock; the caller frees them. */
void proc_view_detach(struct proc *p, struct as **as, struct fdtable **files, struct inode **cwd);
/* A new image record for the file path (made absolute, symlinks resolved,
 * against p's cwd) with the argument ranges exec_build_stack lays out for
 * argv, envp and execfn: 0, -ENOMEM, or a lookup's error (-EIOWAIT:
 * restart). */
int proc_image_create(struct proc *p, const char *path, const char *execfn,
		      const char *const *argv, const char *const *envp, struct proc_image **out);
struct proc_image *proc_image_get(struct proc_image *im);
void proc_image_put(struct proc_image *im);

/* shutdown.c */
enum proc_shutdown_how {
	PROC_SHUTDOWN_POWEROFF,
	PROC_SHUTDOWN_RESTART,
	PROC_SHUTDOWN_HALT,
};
/*
 * Start the clean shutdown (once; later calls do nothing), saying why on the console:
 * SIGKILL every process but init and wait for them, finish and write back every file
 * system, then power off with QEMU exit status code (or reset, or halt). Returns at
 * once; a task does it.
 */
void proc_shutdown(enum proc_shutdown_how how, int code, const char *why);

/* affinity.c */
/* Harts p may run on (bit i: hart i; every online hart when not pinned). */
unsigned proc_affinity(const struct proc *p);
/* Pin p to the online harts of mask: 0, or -1 when none is online. */
int proc_set_affinity(struct proc *p, unsigned mask);
void proc_affinity_fork(struct proc *child, struct proc *parent);
void proc_affinity_reset(struct proc *p);
/* The userloop, first thing in a poll: false (and the task moves and wakes
 * itself) when this hart is not one p may run on. */
bool proc_may_run_here(struct proc *p, struct context *cx);

/* loadavg.c: start the sampler task (with init); 0 or -1. */
int proc_loadavg_start(void);

/* exec.c */
/* The child runs the parent's image too: a reference and a write denial. */
void proc_exe_share(struct proc *child, struct proc *parent);
/* Let go of the image (exit, or a proc that never ran). */
void proc_exe_release(struct proc *p);
int proc_exec_kernel(struct proc *p, const char *path, const char *const *argv,
		     const char *const *envp);

#endif
