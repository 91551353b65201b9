// SPDX-License-Identifier: MIT
/*
 * clone and clone3. The fork form (what glibc's fork() issues: SIGCHLD plus
 * CHILD_SETTID/CHILD_CLEARTID) is here: the child gets a copy-on-write copy
 * of the address space, a copy of the file table, and starts on the least
 * loaded hart with a0 = 0. vfork (CLONE_VM|CLONE_VFORK) is the same with
 * the parent's address space, the parent waiting until the child execs or
 * exits. Threads (CLONE_THREAD) are thread.c's.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pcache.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/limits.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CSIGNAL 0x000000ff
#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_NEWNS 0x00020000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED 0x00400000
#define CLONE_CHILD_SETTID 0x01000000
#define CLONE_IO 0x80000000ul
#define CLONE_SUPPORTED (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			 CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM |      \
			 CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |     \
			 CLONE_DETACHED | CLONE_CHILD_SETTID | CLONE_IO)

/*
 * Refuse a fork that would leave less than this share of memory free, so
 * that a fork bomb ends in -ENOMEM while the rest of the system still has
 * room to run (and to clean up).
 */
#define FORK_RESERVE_DIVISOR 32

static bool memory_low(void)
{
	size_t reserve = page_total_count() / FORK_RESERVE_DIVISOR;

	/* Clean file pages are given back on demand: they count as free. */
	return page_free_count() < reserve && page_free_count() + pcache_reclaimable() < reserve;
}

/*
 * RLIMIT_NPROC, as Linux's copy_process: a user other than root, without
 * CAP_SYS_RESOURCE, may own (by real uid, zombies included) at most that
 * many processes, the new one counted.
 */
static bool nproc_exceeded(struct proc *p)
{
	uint64_t lim = proc_rlimit_cur(p, RLIMIT_NPROC), n = 0;
	uint32_t uid = p->cred->uid;
	irqflags_t f;

	if (uid == 0 || cred_capable(p->cred) || lim >= PROC_MAX)
		return false;
	f = spin_lock_irqsave(&proc_lock);
	for (int pid = 1; pid < PID_MAX && n <= lim; pid++) {
		struct proc *q = proc_lookup_locked(pid);

		if (q && q->cred->uid == uid)
			n++;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return n + 1 > lim;
}

static long fork_proc(struct sys_ctx *sc, unsigned long flags, uintptr_t newsp,
		      uintptr_t parent_tid, uintptr_t child_tid, uintptr_t tls)
{
	struct proc *p = sc->proc, *c, *parent;
	irqflags_t f;
	int err = -ENOMEM;

	if (nproc_exceeded(p))
		return -EAGAIN;
	if (memory_low())
		return -ENOMEM;
	c = proc_alloc();
	if (!c)
		return -EAGAIN;
	c->as = (flags & CLONE_VM) ? as_get(p->as) : as_fork(p->as);
	if (!c->as)
		goto out_put;
	c->files = fdtable_fork(p->files);
	if (!c->files)
		goto out_as;
	c->image = proc_image_get(p->image);
	c->cwd = p->cwd;
	if (c->cwd)
		inode_get(c->cwd);
	c->root = p->root ? inode_get(p->root) : NULL;
	c->umask = p->umask;
	cred_put(c->cred);
	c->cred = cred_get(p->cred);
	proc_exe_share(c, p);
	proc_limits_fork(c, p);
	proc_affinity_fork(c, p);
	if (uctx_fork(&c->uc, &p->uc))
		goto out_files; /* -ENOMEM: no room for the FP copy */
	if (newsp)
		c->uc.x[2] = newsp;
	if (flags & CLONE_SETTLS)
		c->uc.x[4] = tls;
	if (flags & CLONE_VFORK)
		c->tflags = TF_VFORK;
	if (signal_fork(c, p))
		goto out_files; /* -ENOMEM; proc_put frees a partial copy */
	memcpy(c->name, p->name, sizeof(c->name));
	uloop_init(c);

	err = -EFAULT;
	if ((flags & CLONE_CHILD_SETTID) &&
	    copy_to_user(c->as, child_tid, &c->pid, sizeof(c->pid)))
		goto out_files;
	if ((flags & CLONE_PARENT_SETTID) &&
	    copy_to_user(p->as, parent_tid, &c->pid, sizeof(c->pid)))
		goto out_files;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = child_tid;

	f = spin_lock_irqsave(&proc_lock);
	/* A thread's children are its process's (the leader's), as wait4
	 * from any thread sees them; CLONE_PARENT makes a sibling. */
	parent = proc_leader(p);
	if ((flags & CLONE_PARENT) && parent->parent)
		parent = parent->parent;
	c->parent = parent;
	c->pgid = p->pgid;
	c->sid = p->sid;
	list_add_tail(&c->sibling, &parent->children);
	spin_unlock_irqrestore(&proc_lock, f);

	/* Linked first: once spawned, the child may run (and exit) at once. */
	err = uloop_spawn(c, -1);
	if (err) {
		/* Never ran: unlink and free it as if it had been reaped. */
		f = spin_lock_irqsave(&proc_lock);
		list_del(&c->sibling);
		spin_unlock_irqrestore(&proc_lock, f);
		goto out_files;
	}
	if (flags & CLONE_VFORK)
		return thread_vfork_wait(sc, c);
	return c->pid;

out_files:
	fdtable_destroy(c->files);
	if (c->cwd)
		inode_put(c->cwd);
	inode_put(c->root);
out_as:
	as_put(c->as);
out_put:
	proc_put(c);
	return err;
}

/*
 * Linux's checks (copy_process) first; then what this kernel shares: a
 * thread shares memory, files, the filesystem context and the handlers
 * (CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, as
 * pthread_create asks); a process shares its memory only with a vfork
 * child. Other sharing (CLONE_FILES or CLONE_FS alone, CLONE_VM without
 * CLONE_VFORK) is -EINVAL here. The exit signal is always SIGCHLD.
 */
static long do_clone(struct sys_ctx *sc, unsigned long flags, uintptr_t newsp, uintptr_t ptid,
		     uintptr_t tls, uintptr_t ctid)
{
	const unsigned long thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND;

	if (flags & ~CLONE_SUPPORTED)
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & (CLONE_PARENT | CLONE_THREAD)) && proc_leader(sc->proc) == init_proc)
		return -EINVAL;
	if (flags & CLONE_THREAD) {
		if ((flags & thread) != thread || (flags & CLONE_VFORK))
			return -EINVAL;
		return thread_clone(sc->proc, flags, newsp, ptid, tls, ctid);
	}
	if ((flags & (CLONE_FS | CLONE_FILES | CLONE_SIGHAND)) ||
	    ((flags & CLONE_VM) && !(flags & CLONE_VFORK)))
		return -EINVAL;
	return fork_proc(sc, flags, newsp, ptid, ctid, tls);
}

SYSCALL_ASYNC(220, clone)
{
	/* riscv: a0 flags, a1 newsp, a2 parent_tid, a3 tls, a4 child_tid */
	return do_clone(sc, sc->arg[0], sc->arg[1], sc->arg[2], sc->arg[3], sc->arg[4]);
}

/* struct clone_args, as far as this kernel reads it (CLONE_ARGS_SIZE_VER2). */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64

SYSCALL_ASYNC(435, clone3)
{
	struct clone_args a = { 0 };
	size_t size = sc->arg[1];
	uintptr_t newsp = 0;

	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (copy_from_user(proc_as(sc->proc), &a, sc->arg[0],
			   size < sizeof(a) ? size : sizeof(a)))
		return -EFAULT;
	/* A larger struct from a newer program: what we do not know must be 0. */
	for (size_t off = sizeof(a); off < size; off++) {
		uint8_t b;

		if (copy_from_user(proc_as(sc->proc), &b, sc->arg[0] + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	if ((a.flags & CSIGNAL) || a.exit_signal > NSIG || a.flags > 0xffffffffull)
		return -EINVAL;
	if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
		return -EINVAL;
	if (a.set_tid || a.set_tid_size || a.cgroup)
		return -EINVAL; /* choosing tids and cgroups: not here */
	if ((a.stack == 0) != (a.stack_size == 0))
		return -EINVAL;
	if (a.stack)
		newsp = a.stack + a.stack_size; /* the stack grows down on riscv */
	return do_clone(sc, a.flags, newsp, a.parent_tid, a.tls, a.child_tid);
}
