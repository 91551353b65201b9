// SPDX-License-Identifier: MIT
/*
 * Who a process is: pids, the parent, process groups and sessions, the
 * thread id and its clear-on-exit address, the robust list. The user and
 * group ids are sys_cred.c's.
 */
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

SYSCALL_FAST(172, getpid)
{
	return sc->proc->pid;
}

SYSCALL_FAST(178, gettid)
{
	return sc->proc->pid;
}

SYSCALL_FAST(173, getppid)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	int ppid = sc->proc->parent ? sc->proc->parent->pid : 0;

	spin_unlock_irqrestore(&proc_lock, f);
	return ppid;
}

SYSCALL(96, set_tid_address)
{
	sc->proc->clear_child_tid = sc->arg[0];
	return sc->proc->pid;
}

SYSCALL(155, getpgid)
{
	int pid = (int)sc->arg[0];
	irqflags_t f;
	int ret = -ESRCH;

	if (pid == 0)
		return sc->proc->pgid;
	f = spin_lock_irqsave(&proc_lock);
	struct proc *p = proc_lookup_locked(pid);
	if (p)
		ret = p->pgid;
	spin_unlock_irqrestore(&proc_lock, f);
	return ret;
}

SYSCALL(154, setpgid)
{
	int pid = (int)sc->arg[0], pgid = (int)sc->arg[1];
	irqflags_t f;
	int ret = -ESRCH;

	if (pgid < 0)
		return -EINVAL;
	f = spin_lock_irqsave(&proc_lock);
	struct proc *p = pid ? proc_lookup_locked(pid) : sc->proc;
	if (p && (p == sc->proc || p->parent == sc->proc)) {
		p->pgid = pgid ? pgid : p->pid;
		ret = 0;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return ret;
}

SYSCALL(157, setsid)
{
	sc->proc->pgid = sc->proc->pid;
	return sc->proc->pid;
}

/* There are no threads, so the robust futex list is never walked. */
SYSCALL(99, set_robust_list)
{
	/* sizeof(struct robust_list_head) on LP64: Linux checks it. */
	if (sc->arg[1] != 24)
		return -EINVAL;
	return 0;
}
