// SPDX-License-Identifier: MIT
/*
 * The userloop and its outermost future: how a process runs.
 *
 * One poll: interrupts off, the process's page table in, then run the loop
 * below until the process must wait (a syscall future is PENDING), has used
 * its time slice (it wakes itself and returns PENDING: preemption without a
 * kernel stack), or exits (READY). Then the kernel's own page table back in,
 * interrupts restored. Syscalls that do not block never leave the loop, so a
 * getpid costs one trap, one table lookup and one sret.
 *
 * The kernel's page table is reinstalled after every poll so that no hart
 * ever keeps a pointer to a page table that another hart may free.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/arch.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/panic.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time/ptimer.h"
#include "lib/errno.h"

void proc_set_current(struct proc *p);

static void finish_syscall_future(struct proc *p)
{
	struct future *sc = p->uloop.awaiting;

	p->uloop.awaiting = NULL;
	future_drop(sc);
	future_release(sc);
}

/*
 * A signal needs the program while it waits in a syscall: drop the call's
 * future. Work already done (bytes moved) is the call's result; a negative
 * progress is a result too (the call is never restarted: nanosleep's
 * -EINTR); otherwise signal_act() restarts it or fails it with -EINTR, by
 * the handler's flags (and signal_wait_begin's NORESTART).
 */
static void interrupt_syscall(struct proc *p)
{
	long done = future_progress(p->uloop.awaiting);

	finish_syscall_future(p);
	if (done != 0) {
		uctx_set_return(&p->uc, done);
		p->ustate = ULOOP_ENTER_USER;
	} else {
		p->ustate = ULOOP_INTERRUPTED;
	}
}

/* A result of a syscall: -ERESTARTSYS (a terminal's SIGTTIN / SIGTTOU
 * stop) is a restart after the signal, or -EINTR under a handler without
 * SA_RESTART, as Linux. */
static void syscall_result(struct proc *p, long ret)
{
	if (ret == -ERESTARTSYS) {
		p->ustate = ULOOP_INTERRUPTED; /* a0 still holds the first argument */
		return;
	}
	p->ustate = ULOOP_ENTER_USER;
	uctx_set_return(&p->uc, ret);
}

/* Dispatch one ecall: a result now, a future to await, or an exit. */
static void do_syscall(struct proc *p)
{
	unsigned long nr = uctx_syscall_nr(&p->uc);
	struct sys_ctx sc = {
		.proc = p,
		.arg = uctx_args(&p->uc),
		.pending = NULL,
	};
	const struct syscall_desc *d = syscall_lookup(nr);
	long ret = d ? d->fn(&sc) : -ENOSYS;

	if (p->ustate == ULOOP_EXITED)
		return;
	if (ret == -EIOWAIT && !sc.pending) {
		/* A user page the call copies was not read yet (a file
		 * mapping): it changed nothing, so it runs again once the
		 * page is in, as fs_call() reruns the calls it wraps. */
		struct future *io = vfs_take_io_wait();

		if (io) {
			p->uc.pc -= 4; /* the ecall again, a0 still its argument */
			p->uloop.awaiting = io;
			p->ustate = ULOOP_AWAIT_PAGE;
			return;
		}
		ret = -EIO;
	}
	if (sc.pending) {
		BUG_ON(d->kind != SYSCALL_KIND_ASYNC);
		p->uloop.awaiting = sc.pending;
		p->ustate = ULOOP_AWAIT_SYSCALL;
		return;
	}
	syscall_result(p, ret);
}

bool uloop_fast_syscall(struct user_context *uc)
{
	struct sys_ctx sc = {
		.proc = container_of(uc, struct proc, uc),
		.arg = uctx_args(uc),
		.pending = NULL,
	};
	long ret;

	if (!syscall_try_fast(uctx_syscall_nr(uc), &sc, &ret))
		return false;
	uctx_set_return(uc, ret);
	uc->pc += 4;
	return true;
}

static void handle_fault(struct proc *p, const struct user_trap *t)
{
	int err = as_handle_fault(p->as, t->fault_addr, t->fault_access);

	/* A handler returning (see arch/riscv/sigframe.c): a fetch the fault could not
	 * serve. Asked only then: the check reads the code at pc, and a text page not
	 * read yet would park a read for it that nobody awaits (a leaked wait, and a
	 * reference on the file's page cache, at every first fetch of a text page). */
	if (err && err != -EIOWAIT && t->fault_access == 4 &&
	    t->fault_addr == uctx_pc(&p->uc) && uctx_is_sigreturn_fetch(p->as, t->fault_addr)) {
		(void)signal_return(p);
		return;
	}
	if (!err) {
		/* /proc/<pid>/stat's minflt; the retry of a major one is not. */
		if (p->flt_retry)
			p->flt_retry = 0;
		else
			p->min_flt++;
	}
	if (err == -EIOWAIT) {
		/* A page of a mapped file being read: resume once it is. */
		struct future *io = vfs_take_io_wait();

		if (io) {
			p->maj_flt++;
			p->flt_retry = 1;
			p->uloop.awaiting = io;
			p->ustate = ULOOP_AWAIT_PAGE;
			return;
		}
		err = -ENOMEM;
	}
	if (err == -ENOMEM)
		signal_force(p, SIGKILL);
	else if (err == -EIO)
		signal_force(p, SIGBUS); /* past the end of a mapped file */
	else if (err)
		signal_force(p, SIGSEGV);
}

/* Let the interrupt that stopped the program be taken, then decide whether
 * the slice is over. */
static bool interrupt_ends_slice(uint64_t slice_end)
{
	arch_irq_enable();
	arch_irq_disable();
	return clock_now_ns() >= slice_end;
}

/*
 * The preemption timer: one per hart, not per process. Its only job is to
 * make the timer interrupt trap the program running at the deadline (it
 * wakes nobody: the userloop wakes itself, below). It is armed when a
 * program is about to run and none is queued on this hart, and left queued
 * when the process blocks, so most polls cost no timer work at all; the
 * next process polled on the hart runs out the same slice. Only this hart
 * touches its entry, with interrupts off (the timer interrupt included).
 */
static struct timer_entry slice_timers[MAX_HARTS] = {
	[0 ... MAX_HARTS - 1] = { .hart = -1 },
};

static uint64_t slice_arm(void)
{
	struct timer_entry *e = &slice_timers[hart_id()];
	struct waker nobody = waker_noop();

	if (e->queued)
		return e->deadline;
	timerq_cancel(e); /* fired, or never armed */
	timerq_add(e, clock_now_ns() + PROC_SLICE_NS, &nobody);
	return e->deadline;
}

static enum poll uloop_run(struct proc *p, struct context *cx)
{
	uint64_t slice_end = 0;
	struct user_trap trap;

	for (;;) {
		int wstatus;

		/* The pre-check: a signal sent after it wakes the task, and
		 * the next poll looks again (the checks below acquire). A
		 * stopped process waits here, its syscall (if any) pending,
		 * until SIGCONT or SIGKILL wakes it; jobctl is read first,
		 * acquire, so a process seen continued is seen with the
		 * SIGCONT queued before (jobctl_continue_locked). */
		if ((__atomic_load_n(&p->jobctl, __ATOMIC_ACQUIRE) & JOBCTL_STOPPED) ||
		    atomic_load_explicit(&p->sig_pending, memory_order_relaxed)) {
			if (signal_jobctl(p))
				return POLL_PENDING;
		}
		if (p->ustate == ULOOP_AWAIT_PAGE) {
			if (future_poll(p->uloop.awaiting, cx) == POLL_PENDING &&
			    !signal_needs_action(p))
				return POLL_PENDING;
			/* Read, or a signal first: either way the instruction
			 * (or the ecall) runs again afterwards. */
			finish_syscall_future(p);
			p->ustate = ULOOP_ENTER_USER;
		}
		if (p->ustate == ULOOP_AWAIT_SYSCALL) {
			if (future_poll(p->uloop.awaiting, cx) == POLL_PENDING) {
				/* A signal wakes us through the task. */
				if (!signal_needs_action(p))
					return POLL_PENDING;
				interrupt_syscall(p);
			} else {
				long ret = p->uloop.awaiting->result;

				finish_syscall_future(p);
				syscall_result(p, ret);
			}
		}
		if (p->ustate == ULOOP_EXITED)
			return POLL_READY;
		if (atomic_load_explicit(&p->sig_pending, memory_order_relaxed) ||
		    p->ustate == ULOOP_INTERRUPTED) {
			wstatus = signal_act(p);
			if (wstatus) {
				proc_exit_group(p, wstatus); /* a fatal signal ends every thread */
				return POLL_READY;
			}
		}

		if (!slice_end)
			slice_end = slice_arm();
		uint64_t t0 = clock_now_ns();
		arch_user_run(&p->uc, &trap);
		p->utime_ns += clock_now_ns() - t0;
		/* ITIMER_VIRTUAL / PROF and CPU-clock POSIX timers. */
		if (__atomic_load_n(&p->jobctl, __ATOMIC_RELAXED) & JOBCTL_TIMERS)
			ptimer_cpu_tick(p, p->utime_ns, p->utime_ns + p->stime_ns);

		switch (trap.event) {
		case USER_EVENT_SYSCALL:
			do_syscall(p);
			break;
		case USER_EVENT_INTERRUPT:
			if (interrupt_ends_slice(slice_end)) {
				timerq_cancel(&slice_timers[hart_id()]);
				waker_wake_by_ref(cx->waker);
				return POLL_PENDING;
			}
			break;
		case USER_EVENT_PAGE_FAULT:
			handle_fault(p, &trap);
			break;
		case USER_EVENT_SIGNAL:
			signal_force(p, trap.signal);
			break;
		}
	}
}

static enum poll uloop_poll(struct future *f, struct context *cx)
{
	struct proc *p = uloop_proc(f);
	irqflags_t flags;

	if (p->ustate == ULOOP_EXITED)
		return POLL_READY; /* ended by another thread (exit_group, exec) */
	if (p->tg ? !thread_may_run_here(p, cx) : !proc_may_run_here(p, cx))
		return POLL_PENDING; /* pinned elsewhere: it moves there (affinity.c, thread.c) */
	flags = arch_irq_save();
	uint64_t t0 = clock_now_ns(), u0 = p->utime_ns;
	enum poll r;

	proc_set_current(p);
	if (p->as)
		arch_user_space_enter(as_root_pa(p->as));
	r = uloop_run(p, cx);
	arch_user_space_leave();
	proc_set_current(NULL);
	uint64_t du = p->utime_ns - u0, ds = (clock_now_ns() - t0) - du;

	p->stime_ns += ds;
	proc_hart_account(du, ds);
	arch_irq_restore(flags);
	return r;
}

/* Killed as a task (task_cancel): end the process without running it. */
static void uloop_drop(struct future *f)
{
	struct proc *p = uloop_proc(f);

	if (p->ustate != ULOOP_EXITED)
		proc_exit(p, WSTATUS_SIGNALED(SIGKILL));
}

/* The executor is done with the task: drop the task's reference. */
static void uloop_release(struct future *f)
{
	proc_put(uloop_proc(f));
}

static const char *uloop_state_name(const struct future *f)
{
	static const char *const names[] = {
		[ULOOP_ENTER_USER] = "ENTER_USER",
		[ULOOP_AWAIT_SYSCALL] = "AWAIT_SYSCALL",
		[ULOOP_INTERRUPTED] = "INTERRUPTED",
		[ULOOP_EXITED] = "EXITED",
		[ULOOP_AWAIT_PAGE] = "AWAIT_PAGE",
	};

	return names[container_of(f, struct proc, uloop)->ustate];
}

static const struct future_ops uloop_ops = {
	.name = "userloop",
	.poll = uloop_poll,
	.drop = uloop_drop,
	.release = uloop_release,
	.state_name = uloop_state_name,
};

void uloop_init(struct proc *p)
{
	future_init(&p->uloop, &uloop_ops);
	p->ustate = ULOOP_ENTER_USER;
}

int uloop_spawn(struct proc *p, int hart)
{
	proc_get(p); /* the task's reference */
	p->task = task_spawn(&p->uloop, hart, "userloop");
	if (p->task == TASK_ID_NONE) {
		proc_put(p);
		return -EAGAIN;
	}
	task_detach(p->task);
	return 0;
}

void uloop_switch_as(struct proc *p, struct as *as)
{
	struct as *old = p->as;

	/* The new table goes in before the old one is freed. */
	arch_user_space_enter(as_root_pa(as));
	proc_view_swap(p, (void **)&p->as, as);
	if (old)
		as_put(old); /* a vfork child's was its parent's */
}
