// SPDX-License-Identifier: MIT
/*
 * Process exit. An exiting process frees its memory, files, working
 * directory and FP state at once and stays a zombie (just its struct proc)
 * until its parent reaps it (wait.c), or is reaped at once when the parent
 * ignores SIGCHLD or set SA_NOCLDWAIT. The parent gets SIGCHLD. Orphans go
 * to init; process groups the exit orphans are dealt with as POSIX says
 * (signal_jobctl.c); a session leader hangs up its terminal. When init
 * itself exits, the machine powers off with init's exit status as QEMU's
 * exit status.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/uring/uring.h"

#include "kernel/arch.h"
#include "kernel/block/bcache.h"
#include "kernel/drivers/tty/tty.h"
#include "kernel/time/ptimer.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/printk.h"
#include "lib/printf.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

/* The machine goes down with init's status (shutdown.c: kill, sync, power off). */
static void init_exited(int wstatus)
{
	int code = (wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff;
	char why[40];

	fmt_snprintf(why, sizeof(why), "init exited with status %d", code);
	proc_shutdown(PROC_SHUTDOWN_POWEROFF, code, why);
}

void proc_exit(struct proc *p, int wstatus)
{
	struct proc *cur = proc_current();
	bool last;
	irqflags_t f;

	if (p->uloop.awaiting) {
		struct future *sc = p->uloop.awaiting;

		p->uloop.awaiting = NULL;
		future_drop(sc);
		future_release(sc);
	}
	p->ustate = ULOOP_EXITED;
	if (p->tg || (p->as && as_is_shared(p->as)))
		thread_exit_user(p); /* clear_child_tid, robust futexes: memory others see */
	thread_vfork_release(p);
	uring_proc_gone(p);	/* io_uring requests in flight, before the memory goes */
	/* Off the page table before it is freed; not when another thread of
	 * the same memory is the one running here (exit_group, exec). */
	if (p->as && !(cur && cur != p && cur->as == p->as))
		arch_user_space_leave();
	f = spin_lock_irqsave(&proc_lock);
	last = thread_mark_exited_locked(p);
	spin_unlock_irqrestore(&proc_lock, f);
	/* Taken out under the view lock (proc_view.c), freed outside it. The
	 * file table (and the handler table) of a thread group are the last
	 * member's to free; each member holds its own cwd reference. */
	struct as *as;
	struct fdtable *files;
	struct inode *cwd;

	proc_view_detach(p, &as, &files, &cwd);
	if (as)
		as_put(as);
	if (files && last)
		fdtable_destroy(files);
	if (cwd)
		inode_put(cwd);
	inode_put(proc_view_swap(p, (void **)&p->root, NULL));
	if (!last)
		(void)proc_view_swap(p, (void **)&p->sighand, NULL); /* the others' too */
	proc_exe_release(p);
	uctx_release(&p->uc); /* the FP state, if it has one */
	if (p->tg && thread_exit_finish(p, &wstatus))
		return;
	proc_exit_finish(p, wstatus);
}

void proc_exit_group(struct proc *p, int wstatus)
{
	if (p->tg)
		thread_end_others(p, wstatus, true);
	proc_exit(p, wstatus);
}

void proc_exit_finish(struct proc *p, int wstatus)
{
	struct proc *child, *tmp;
	bool wake_init = false, autoreap = false;
	irqflags_t f;

	if (p == init_proc) {
		/* A zombie nobody reaps; orphans keep coming to it until the end. */
		init_exited(wstatus);
		f = spin_lock_irqsave(&proc_lock);
		p->state = PROC_ZOMBIE;
		p->wstatus = wstatus;
		spin_unlock_irqrestore(&proc_lock, f);
		return;
	}

	/* The terminal first: its lock is taken before proc_lock. */
	if (p->sid == p->pid)
		tty_session_leader_exit(p->sid);
	ptimer_exit(p);

	f = spin_lock_irqsave(&proc_lock);
	sigq_flush_locked(p, ~0ull);
	jobctl_exit_locked(p);
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
	if (p->parent) {
		int code = CLD_EXITED, status = (wstatus >> 8) & 0xff;

		if (wstatus & 0x7f) {
			code = (wstatus & WSTATUS_COREDUMP) ? CLD_DUMPED : CLD_KILLED;
			status = wstatus & 0x7f;
		}
		jobctl_notify_parent_locked(p, code, status);
		if (p->parent->jobctl & JOBCTL_NOCLDWAIT) {
			/* Nobody will wait for it: reaped now (the parent's
			 * reference goes below, outside the lock). */
			list_del(&p->sibling);
			p->parent->cutime_ns += p->utime_ns + p->cutime_ns;
			p->parent->cstime_ns += p->stime_ns + p->cstime_ns;
			p->parent = NULL;
			proc_unhash_locked(p);
			autoreap = true;
		}
	}
	if (wake_init)
		waitq_wake_all(proc_child_waitq(init_proc));
	spin_unlock_irqrestore(&proc_lock, f);
	if (autoreap)
		proc_put(p); /* the parent's reference; the task still holds one */
}

/* exit(2) ends the calling thread only; the process ends with its last. */
SYSCALL(93, exit)
{
	proc_exit(sc->proc, WSTATUS_EXITED((int)sc->arg[0]));
	return 0;
}

SYSCALL(94, exit_group)
{
	proc_exit_group(sc->proc, WSTATUS_EXITED((int)sc->arg[0]));
	return 0;
}
