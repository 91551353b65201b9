// SPDX-License-Identifier: MIT
/*
 * The dispatch table, built at boot from the SYSCALL() descriptors in the
 * .syscalls section, and the few syscalls that only read process identity.
 */
#include "kernel/syscall/syscall.h"

#include "kernel/panic.h"
#include "kernel/proc/proc_internal.h"
#include "lib/errno.h"

extern const struct syscall_desc __syscalls_start[], __syscalls_end[];

static const struct syscall_desc *table[SYSCALL_MAX]; /* I */

void syscall_init(void)
{
	for (const struct syscall_desc *d = __syscalls_start; d < __syscalls_end; d++) {
		if (d->nr >= SYSCALL_MAX)
			panic("syscall %s: number %u out of range", d->name, d->nr);
		if (table[d->nr])
			panic("syscall %u defined twice: %s and %s", d->nr, table[d->nr]->name,
			      d->name);
		table[d->nr] = d;
	}
}

bool syscall_try_fast(unsigned long nr, struct sys_ctx *sc, long *ret)
{
	const struct syscall_desc *d = nr < SYSCALL_MAX ? table[nr] : NULL;

	if (!d || d->kind != SYSCALL_KIND_FAST)
		return false;
	*ret = d->fn(sc);
	BUG_ON(sc->pending);
	return true;
}

const struct syscall_desc *syscall_lookup(unsigned long nr)
{
	return nr < SYSCALL_MAX ? table[nr] : NULL;
}

const char *syscall_name(unsigned long nr)
{
	return nr < SYSCALL_MAX && table[nr] ? table[nr]->name : "?";
}

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
