// SPDX-License-Identifier: MIT
/*
 * Process exit and wait4. An exiting process frees its memory, files,
 * working directory and FP state at once and stays a zombie (just its
 * struct proc) until its parent reaps it. Orphans go to init. When init itself exits, the
 * machine powers off with init's exit status as QEMU's exit status.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/arch.h"
#include "kernel/block/bcache.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pcache.h"
#include "kernel/printk.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

#define WNOHANG 1
#define WUNTRACED 2
#define WCONTINUED 8
#define __WALL 0x40000000
#define __WCLONE 0x80000000

static __attribute__((noreturn)) void init_exited(int wstatus)
{
	int code = (wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff;

	kprintf("init exited with status %d; powering off\n", code);
	pcache_flush_all_on_poweroff(); /* file pages, then the metadata */
	bcache_flush_all_on_poweroff();
	printk_flush();
	arch_poweroff(code);
}

void proc_exit(struct proc *p, int wstatus)
{
	struct proc *child, *tmp;
	bool wake_init = false;
	irqflags_t f;

	if (p->uloop.awaiting) {
		struct future *sc = p->uloop.awaiting;

		p->uloop.awaiting = NULL;
		future_drop(sc);
		future_release(sc);
	}
	p->ustate = ULOOP_EXITED;
	if (p->as) {
		/* Off the process's page table before freeing it. */
		arch_user_space_leave();
		as_destroy(p->as);
		p->as = NULL;
	}
	if (p->files) {
		fdtable_destroy(p->files);
		p->files = NULL;
	}
	if (p->cwd) {
		inode_put(p->cwd);
		p->cwd = NULL;
	}
	uctx_release(&p->uc); /* the FP state, if it has one */
	if (p == init_proc)
		init_exited(wstatus);

	f = spin_lock_irqsave(&proc_lock);
	list_for_each_entry_safe(child, tmp, &p->children, sibling) {
		list_del(&child->sibling);
		child->parent = init_proc;
		list_add_tail(&child->sibling, &init_proc->children);
		if (child->state == PROC_ZOMBIE)
			wake_init = true;
	}
	p->state = PROC_ZOMBIE;
	p->wstatus = wstatus;
	/* Under proc_lock, so the parent cannot be reaped and freed meanwhile. */
	if (p->parent)
		waitq_wake_all(proc_child_waitq(p->parent));
	if (wake_init)
		waitq_wake_all(proc_child_waitq(init_proc));
	spin_unlock_irqrestore(&proc_lock, f);
}

SYSCALL(93, exit)
{
	proc_exit(sc->proc, WSTATUS_EXITED((int)sc->arg[0]));
	return 0;
}

SYSCALL(94, exit_group)
{
	proc_exit(sc->proc, WSTATUS_EXITED((int)sc->arg[0]));
	return 0;
}

/* ---- wait4 ---------------------------------------------------------------- */

struct wait_future {
	struct future base;
	struct proc *p;
	int pid;
	int options;
	uintptr_t ustatus, urusage;
	bool registered;
	struct waitq_wait_future w;
};

static bool child_matches(const struct proc *parent, const struct proc *c, int pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == -1)
		return true;
	if (pid == 0)
		return c->pgid == parent->pgid;
	return c->pgid == -pid;
}

/* Reap a matching zombie: its pid, 0 if there are live matches only,
 * -ECHILD if nothing matches. */
static int reap_one(struct proc *p, int pid, int *wstatus)
{
	struct proc *c, *found = NULL;
	bool any = false;
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	list_for_each_entry(c, &p->children, sibling) {
		if (!child_matches(p, c, pid))
			continue;
		any = true;
		if (c->state == PROC_ZOMBIE) {
			found = c;
			break;
		}
	}
	if (found) {
		list_del(&found->sibling);
		found->parent = NULL;
		*wstatus = found->wstatus;
		p->cutime_ns += found->utime_ns + found->cutime_ns;
		p->cstime_ns += found->stime_ns + found->cstime_ns;
		proc_unhash_locked(found);
	}
	spin_unlock_irqrestore(&proc_lock, f);
	if (!found)
		return any ? 0 : -ECHILD;
	int cpid = found->pid;
	proc_put(found); /* the parent's reference */
	return cpid;
}

static long finish_wait(struct wait_future *wf, int cpid, int wstatus)
{
	if (cpid > 0 && wf->ustatus &&
	    copy_to_user(proc_as(wf->p), wf->ustatus, &wstatus, sizeof(wstatus)))
		return -EFAULT;
	return cpid;
}

static void wait_unregister(struct wait_future *wf)
{
	if (wf->registered) {
		future_drop(&wf->w.base);
		wf->registered = false;
	}
}

static enum poll wait_poll(struct future *f, struct context *cx)
{
	struct wait_future *wf = container_of(f, struct wait_future, base);

	for (;;) {
		enum poll wr = POLL_PENDING;
		int wstatus = 0, cpid;

		/* Register before looking, so an exit in between wakes us. */
		if (!wf->registered) {
			waitq_wait_init(&wf->w, proc_child_waitq(wf->p));
			wf->registered = true;
		}
		wr = future_poll(&wf->w.base, cx);
		cpid = reap_one(wf->p, wf->pid, &wstatus);
		if (cpid != 0 || (wf->options & WNOHANG)) {
			wait_unregister(wf);
			wf->base.result = finish_wait(wf, cpid, wstatus);
			return POLL_READY;
		}
		if (wr == POLL_PENDING)
			return POLL_PENDING;
		wait_unregister(wf); /* woken: look again */
	}
}

static void wait_drop(struct future *f)
{
	wait_unregister(container_of(f, struct wait_future, base));
}

static void wait_release(struct future *f)
{
	kfree(container_of(f, struct wait_future, base));
}

static const struct future_ops wait_ops = {
	.name = "wait4",
	.poll = wait_poll,
	.drop = wait_drop,
	.release = wait_release,
};

SYSCALL_ASYNC(260, wait4)
{
	struct wait_future *wf;
	int pid = (int)sc->arg[0];
	int options = (int)sc->arg[2];
	int wstatus = 0, cpid;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	if (sc->arg[3]) {
		/* struct rusage: 144 bytes on riscv64; report zeros. */
		static const char zero[144];
		if (copy_to_user(proc_as(sc->proc), sc->arg[3], zero, sizeof(zero)))
			return -EFAULT;
	}
	/* Fast path: a zombie is already there, or nothing can ever match. */
	cpid = reap_one(sc->proc, pid, &wstatus);
	if (cpid != 0 || (options & WNOHANG)) {
		if (cpid > 0 && sc->arg[1] &&
		    copy_to_user(proc_as(sc->proc), sc->arg[1], &wstatus, sizeof(wstatus)))
			return -EFAULT;
		return cpid;
	}
	wf = kmalloc(sizeof(*wf));
	if (!wf)
		return -ENOMEM;
	future_init(&wf->base, &wait_ops);
	wf->p = sc->proc;
	wf->pid = pid;
	wf->options = options;
	wf->ustatus = sc->arg[1];
	wf->urusage = sc->arg[3];
	wf->registered = false;
	sc->pending = &wf->base;
	return 0;
}
