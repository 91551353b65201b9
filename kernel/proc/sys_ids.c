// SPDX-License-Identifier: MIT
/*
 * Who a process is: pids, the parent, process groups and sessions (with
 * Linux's EPERM / ESRCH / EACCES rules), the thread id and its
 * clear-on-exit address, the robust list. The user and group ids are
 * sys_cred.c's.
 */
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

SYSCALL_FAST(172, getpid)
{
	return sc->proc->tgid;
}

SYSCALL_FAST(178, gettid)
{
	return sc->proc->pid;
}

SYSCALL_FAST(173, getppid)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct proc *leader = proc_leader(sc->proc);
	int ppid = leader->parent ? leader->parent->pid : 0;

	spin_unlock_irqrestore(&proc_lock, f);
	return ppid;
}

SYSCALL(96, set_tid_address)
{
	sc->proc->clear_child_tid = sc->arg[0];
	return sc->proc->pid;
}

/* The process @pid names (0: the caller), or NULL. A zombie still has
 * its ids until it is reaped, as on Linux. proc_lock held. */
static struct proc *id_target_locked(struct sys_ctx *sc, int pid)
{
	return pid ? proc_lookup_locked(pid) : proc_leader(sc->proc);
}

/* The process's ids are every thread's (the leader's are the ones set). */
static void ids_to_thread(struct proc *q, void *arg)
{
	struct proc *leader = arg;

	q->pgid = leader->pgid;
	q->sid = leader->sid;
}

SYSCALL(155, getpgid)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct proc *p = id_target_locked(sc, (int)sc->arg[0]);
	int ret = p ? p->pgid : -ESRCH;

	spin_unlock_irqrestore(&proc_lock, f);
	return ret;
}

SYSCALL(156, getsid)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct proc *p = id_target_locked(sc, (int)sc->arg[0]);
	int ret = p ? p->sid : -ESRCH;

	spin_unlock_irqrestore(&proc_lock, f);
	return ret;
}

struct group_find {
	int pgid, sid;		/* sid -1: any session */
	bool or_session;	/* a session of id pgid counts too */
	bool found;
};

static bool group_find_one(struct proc *p, void *arg)
{
	struct group_find *g = arg;

	/* Zombies too: a process stays in its group and session until it is
	 * reaped (Linux's pid_task(PIDTYPE_PGID) finds it till release_task). */
	if (p->pgid == g->pgid && (g->sid < 0 || p->sid == g->sid))
		g->found = true;
	if (g->or_session && p->sid == g->pgid)
		g->found = true;
	return !g->found;
}

/* Some process, alive or not yet reaped, is in group @pgid (of session @sid,
 * unless -1). */
static bool group_exists_locked(int pgid, int sid, bool or_session)
{
	struct group_find g = { .pgid = pgid, .sid = sid, .or_session = or_session };

	proc_for_each_locked(group_find_one, &g);
	return g.found;
}

/*
 * Linux's rules: the caller or one of its children (-ESRCH), a child that
 * has not called execve (-EACCES) and is in the caller's session (-EPERM);
 * never a session leader (-EPERM); and a group other than the target's own
 * pid must already exist in the caller's session (-EPERM).
 */
SYSCALL(154, setpgid)
{
	int pid = (int)sc->arg[0], pgid = (int)sc->arg[1];
	struct proc *me = proc_leader(sc->proc), *p;
	irqflags_t f;
	int ret;

	if (pgid < 0)
		return -EINVAL;
	f = spin_lock_irqsave(&proc_lock);
	p = id_target_locked(sc, pid);
	if (!pgid && p)
		pgid = p->pid;
	ret = -ESRCH;
	if (!p || (p != me && p->parent != me))
		goto out;
	ret = -EACCES;
	if (p != me && (p->jobctl & JOBCTL_EXECED))
		goto out;
	ret = -EPERM;
	if (p->sid == p->pid || p->sid != me->sid)
		goto out;
	if (pgid != p->pid && !group_exists_locked(pgid, me->sid, false))
		goto out;
	p->pgid = (uint16_t)pgid;
	if (p->tg)
		thread_for_each_locked(p, ids_to_thread, p);
	ret = 0;
out:
	spin_unlock_irqrestore(&proc_lock, f);
	return ret;
}

/*
 * A new session and group, both named by the caller's pid, with no
 * controlling terminal. -EPERM for a group leader, and whenever a group or
 * session of that id still exists (its leader left it but members remain,
 * or the pid was reused).
 */
SYSCALL(157, setsid)
{
	struct proc *p = proc_leader(sc->proc);
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	int ret = -EPERM;

	if (p->pgid != p->pid && !group_exists_locked(p->pid, -1, true)) {
		p->pgid = (uint16_t)p->pid;
		p->sid = (uint16_t)p->pid;
		p->jobctl &= ~JOBCTL_NOCTTY;
		if (p->tg)
			thread_for_each_locked(p, ids_to_thread, p);
		ret = p->pid;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return ret;
}

/* The robust futex list, walked when the thread exits (futex.c). */
SYSCALL(99, set_robust_list)
{
	/* sizeof(struct robust_list_head) on LP64: Linux checks it. */
	if (sc->arg[1] != 24)
		return -EINVAL;
	sc->proc->robust_list = sc->arg[0];
	return 0;
}
