// SPDX-License-Identifier: MIT
/*
 * clone in its fork form (what glibc's fork() issues: SIGCHLD plus
 * CHILD_SETTID/CHILD_CLEARTID). Shared-memory clones (threads, vfork with
 * CLONE_VM) are refused with -EINVAL. The child gets a copy-on-write copy of
 * the address space, a copy of the file table, and starts on the least
 * loaded hart with a0 = 0.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/page.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/limits.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CSIGNAL 0x000000ff
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID 0x01000000
#define CLONE_SUPPORTED (CSIGNAL | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID)

/*
 * Refuse a fork that would leave less than this share of memory free, so
 * that a fork bomb ends in -ENOMEM while the rest of the system still has
 * room to run (and to clean up).
 */
#define FORK_RESERVE_DIVISOR 32

static bool memory_low(void)
{
	return page_free_count() < page_total_count() / FORK_RESERVE_DIVISOR;
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

static int fork_proc(struct proc *p, unsigned long flags, uintptr_t newsp,
		     uintptr_t parent_tid, uintptr_t child_tid)
{
	struct proc *c;
	irqflags_t f;
	int err = -ENOMEM;

	if (nproc_exceeded(p))
		return -EAGAIN;
	if (memory_low())
		return -ENOMEM;
	c = proc_alloc();
	if (!c)
		return -EAGAIN;
	c->as = as_fork(p->as);
	if (!c->as)
		goto out_put;
	c->files = fdtable_fork(p->files);
	if (!c->files)
		goto out_as;
	c->image = proc_image_get(p->image);
	c->cwd = p->cwd;
	if (c->cwd)
		inode_get(c->cwd);
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
	c->parent = p;
	c->pgid = p->pgid;
	c->sid = p->sid;
	list_add_tail(&c->sibling, &p->children);
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
	return c->pid;

out_files:
	fdtable_destroy(c->files);
	if (c->cwd)
		inode_put(c->cwd);
out_as:
	as_destroy(c->as);
out_put:
	proc_put(c);
	return err;
}

SYSCALL(220, clone)
{
	unsigned long flags = sc->arg[0];

	if (flags & ~CLONE_SUPPORTED)
		return -EINVAL;
	/* riscv: a0 flags, a1 newsp, a2 parent_tid, a3 tls, a4 child_tid */
	return fork_proc(sc->proc, flags, sc->arg[1], sc->arg[2], sc->arg[4]);
}
