// SPDX-License-Identifier: MIT
/*
 * Threads: clone(CLONE_THREAD), how a member of a thread group exits, how
 * exit_group and exec end the others, and which member a process-directed
 * signal goes to. docs/threads.md has the design.
 *
 * A thread is one more struct proc and one more userloop future; what the
 * clone flags share is pointed to, not copied: the address space (counted,
 * struct as.users), the file table, cwd and umask, and the signal handler
 * table (shared by the members, freed by the last one to exit). The group
 * itself (struct thread_group, proc_internal.h) is made at the first
 * CLONE_THREAD; a process that never makes a thread has none and pays
 * nothing for it.
 *
 * Every member runs on one hart, tg->hart (a member polled elsewhere moves
 * there first, as a pinned process does), so two members never run at the
 * same time: the file table keeps its no-lock rule, and a TLB flush on the
 * group's hart is all a change of the shared page tables needs. The cost is
 * that the threads of one process share one hart; separate processes still
 * spread over all of them.
 *
 * Lock legend: membership (tg->threads, nr_live, leader, TF_*) under
 * proc_lock; it changes only on the group's hart, so code running there
 * may walk the members without the lock (nobody else removes one).
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/arch.h"
#include "kernel/async/task.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/limits.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time/ptimer.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID 0x01000000

/* The group of p, made on first use (p is the only member then). */
static struct thread_group *group_of(struct proc *p)
{
	struct thread_group *tg;
	irqflags_t f;

	if (p->tg)
		return p->tg;
	tg = kzalloc(sizeof(*tg));
	if (!tg)
		return NULL;
	tg->refs = 1;
	tg->nr_live = 1;
	tg->leader = p;
	tg->hart = (int)hart_id();
	list_init(&tg->threads);
	f = spin_lock_irqsave(&proc_lock);
	p->tg = tg;
	spin_unlock_irqrestore(&proc_lock, f);
	return tg;
}

int thread_clone(struct proc *p, unsigned long flags, uintptr_t newsp, uintptr_t ptid,
		 uintptr_t tls, uintptr_t ctid)
{
	struct thread_group *tg;
	struct proc *c;
	irqflags_t f;
	int err = -ENOMEM;

	/* Shared from the start, so a handler one member sets is every
	 * member's (CLONE_SIGHAND). */
	if (!signal_hand(p))
		return -ENOMEM;
	tg = group_of(p);
	if (!tg)
		return -ENOMEM;
	c = proc_alloc();
	if (!c)
		return -EAGAIN;
	c->tgid = p->tgid;
	c->as = as_get(p->as);
	c->files = p->files;
	c->cwd = p->cwd ? inode_get(p->cwd) : NULL;
	c->root = p->root ? inode_get(p->root) : NULL;
	c->umask = p->umask;
	c->image = proc_image_get(p->image);
	cred_put(c->cred);
	c->cred = cred_get(p->cred);
	proc_exe_share(c, p);
	proc_limits_fork(c, p);
	proc_affinity_fork(c, p);
	if (uctx_fork(&c->uc, &p->uc))
		goto out_put;
	if (newsp)
		c->uc.x[2] = newsp;
	if (flags & CLONE_SETTLS)
		c->uc.x[4] = tls;
	c->sig_blocked = p->sig_blocked;
	c->sig_ignored = p->sig_ignored;
	c->jobctl = p->jobctl & (JOBCTL_NOCLDSTOP | JOBCTL_NOCLDWAIT | JOBCTL_NOCTTY);
	if (proc_rlimit_cur(c, RLIMIT_CPU) != RLIM_INFINITY)
		c->jobctl |= JOBCTL_TIMERS; /* the CPU limit is checked per thread */
	memcpy(c->name, p->name, sizeof(c->name));
	uloop_init(c);

	err = -EFAULT;
	if ((flags & CLONE_CHILD_SETTID) && copy_to_user(c->as, ctid, &c->pid, sizeof(c->pid)))
		goto out_put;
	if ((flags & CLONE_PARENT_SETTID) && copy_to_user(p->as, ptid, &c->pid, sizeof(c->pid)))
		goto out_put;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;

	f = spin_lock_irqsave(&proc_lock);
	c->sighand = p->sighand;
	c->tg = tg;
	tg->refs++;
	tg->nr_live++;
	c->pgid = p->pgid;
	c->sid = p->sid;
	list_add_tail(&c->sibling, &tg->threads);
	spin_unlock_irqrestore(&proc_lock, f);

	err = uloop_spawn(c, tg->hart);
	if (err) {
		/* Never ran: out of the group again, freed by the put below. */
		f = spin_lock_irqsave(&proc_lock);
		list_del(&c->sibling);
		tg->nr_live--;
		c->sighand = NULL;
		c->files = NULL;
		spin_unlock_irqrestore(&proc_lock, f);
		if (c->cwd)
			inode_put(c->cwd);
		inode_put(c->root);
		as_put(c->as);
		proc_put(c);
		return err;
	}
	return c->pid;

out_put:
	c->files = NULL;
	if (c->cwd)
		inode_put(c->cwd);
	inode_put(c->root);
	as_put(c->as);
	proc_put(c);
	return err;
}

void thread_exit_user(struct proc *p)
{
	uintptr_t tid = p->clear_child_tid;
	int zero = 0;

	if (!p->as)
		return;
	futex_exit_robust(p);
	if (tid) {
		p->clear_child_tid = 0;
		/* Linux ignores a fault here too. */
		if (!copy_to_user(p->as, tid, &zero, sizeof(zero)))
			(void)futex_wake_addr(p->as, tid, 1);
	}
}

bool thread_mark_exited_locked(struct proc *p)
{
	if (!p->tg)
		return true;
	p->tflags |= TF_EXITED;
	return --p->tg->nr_live == 0;
}

static int group_status_locked(const struct thread_group *tg)
{
	return tg->group_exit ? tg->group_wstatus : tg->leader_wstatus;
}

bool thread_exit_finish(struct proc *p, int *wstatus)
{
	struct thread_group *tg = p->tg;
	struct proc *leader;
	irqflags_t f;
	bool last;
	int ws;

	if (p == tg->leader) {
		f = spin_lock_irqsave(&proc_lock);
		tg->leader_wstatus = *wstatus;
		last = tg->nr_live == 0;
		*wstatus = group_status_locked(tg);
		spin_unlock_irqrestore(&proc_lock, f);
		/* A leader that is not the last waits, alive to wait4, until
		 * the last member finishes the process for it. */
		return !last;
	}
	ptimer_exit(p);
	f = spin_lock_irqsave(&proc_lock);
	leader = tg->leader;
	list_del(&p->sibling);
	list_init(&p->sibling);
	sigq_flush_locked(p, ~0ull);
	proc_unhash_locked(p);
	p->state = PROC_ZOMBIE;
	/* The process's CPU time is its threads' (getrusage, wait4). */
	leader->utime_ns += p->utime_ns;
	leader->stime_ns += p->stime_ns;
	last = tg->nr_live == 0;
	ws = group_status_locked(tg);
	spin_unlock_irqrestore(&proc_lock, f);
	proc_put(p); /* the group's reference (a thread has no parent's) */
	if (last)
		proc_exit_finish(leader, ws);
	return true;
}

/* Another live member than p, with a reference, or NULL. proc_lock held. */
static struct proc *other_live_locked(struct proc *p)
{
	struct thread_group *tg = p->tg;
	struct proc *q;

	if (tg->leader != p && !(tg->leader->tflags & TF_EXITED)) {
		proc_get(tg->leader);
		return tg->leader;
	}
	list_for_each_entry(q, &tg->threads, sibling) {
		if (q != p && !(q->tflags & TF_EXITED)) {
			proc_get(q);
			return q;
		}
	}
	return NULL;
}

void thread_end_others(struct proc *p, int wstatus, bool group_exit)
{
	struct thread_group *tg = p->tg;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct proc *q;

	if (group_exit && !tg->group_exit) {
		tg->group_exit = true;
		tg->group_wstatus = wstatus;
	}
	/* Each one ends here and now: they are not running (they run on this
	 * hart only, and this hart runs p), so their userloops just find
	 * themselves EXITED at their next poll, which the wake makes happen:
	 * one parked in a wait (pause, a read) was never polled again, and its
	 * task kept the thread's proc for good (found by the leak check). */
	while ((q = other_live_locked(p))) {
		spin_unlock_irqrestore(&proc_lock, f);
		proc_exit(q, WSTATUS_SIGNALED(SIGKILL));
		task_wake(q->task);
		proc_put(q);
		f = spin_lock_irqsave(&proc_lock);
	}
	spin_unlock_irqrestore(&proc_lock, f);
}

void thread_exec_dethread(struct proc *p)
{
	struct thread_group *tg = p->tg;
	struct proc *leader, *child, *tmp;
	irqflags_t f;

	thread_end_others(p, WSTATUS_SIGNALED(SIGKILL), false);
	f = spin_lock_irqsave(&proc_lock);
	leader = tg->leader;
	if (leader != p) {
		/* p becomes the process: the leader's pid, parent and
		 * children, as Linux's de_thread. */
		sigq_flush_locked(p, ~0ull);   /* hashed by the old tid */
		sigq_flush_locked(leader, ~0ull);
		list_del(&p->sibling);         /* out of tg->threads */
		list_add(&p->sibling, &leader->sibling);
		list_del(&leader->sibling);
		list_init(&leader->sibling);
		p->parent = leader->parent;
		leader->parent = NULL;
		list_for_each_entry_safe(child, tmp, &leader->children, sibling) {
			list_del(&child->sibling);
			child->parent = p;
			list_add_tail(&child->sibling, &p->children);
		}
		proc_take_pid_locked(p, leader);
		p->tgid = (uint16_t)p->pid;
		p->start_ns = leader->start_ns;
		p->utime_ns += leader->utime_ns;
		p->stime_ns += leader->stime_ns;
		p->cutime_ns += leader->cutime_ns;
		p->cstime_ns += leader->cstime_ns;
		leader->state = PROC_ZOMBIE;
		tg->leader = p;
	}
	p->tg = NULL;
	p->tflags = 0;
	spin_unlock_irqrestore(&proc_lock, f);
	if (leader != p) {
		ptimer_exit(leader);
		proc_put(leader); /* its parent's reference: no one waits for it now */
	}
	/* The group record stays while dead members point to it. */
	f = spin_lock_irqsave(&proc_lock);
	bool free_it = --tg->refs == 0;

	spin_unlock_irqrestore(&proc_lock, f);
	if (free_it)
		kfree(tg);
}

void thread_group_put(struct proc *p)
{
	struct thread_group *tg = p->tg;
	irqflags_t f;
	bool free_it;

	if (!tg)
		return;
	f = spin_lock_irqsave(&proc_lock);
	p->tg = NULL;
	free_it = --tg->refs == 0;
	spin_unlock_irqrestore(&proc_lock, f);
	if (free_it)
		kfree(tg);
}

bool thread_may_run_here(struct proc *p, struct context *cx)
{
	unsigned h = (unsigned)p->tg->hart;

	if (hart_id() == h)
		return true;
	task_move_current(h);
	waker_wake_by_ref(cx->waker);
	return false;
}

static bool takes(const struct proc *q, uint64_t bit)
{
	return !(q->tflags & TF_EXITED) &&
	       !(__atomic_load_n(&q->sig_blocked, __ATOMIC_RELAXED) & bit);
}

struct proc *thread_signal_target_locked(struct proc *p, int sig)
{
	struct thread_group *tg = p->tg;
	uint64_t bit = SIG_BIT(sig);
	struct proc *q, *live = NULL;

	if (!tg)
		return p;
	/* Linux's complete_signal: the thread named (the leader, for a
	 * pid), else any member that does not block it, else it waits
	 * pending on a live one. */
	if (takes(tg->leader, bit))
		return tg->leader;
	if (!(tg->leader->tflags & TF_EXITED))
		live = tg->leader;
	list_for_each_entry(q, &tg->threads, sibling) {
		if (takes(q, bit))
			return q;
		if (!live && !(q->tflags & TF_EXITED))
			live = q;
	}
	return live ? live : p;
}

void thread_for_each_locked(struct proc *p, void (*fn)(struct proc *q, void *arg), void *arg)
{
	struct proc *q, *tmp;

	if (!p->tg) {
		fn(p, arg);
		return;
	}
	fn(p->tg->leader, arg);
	list_for_each_entry_safe(q, tmp, &p->tg->threads, sibling)
		fn(q, arg);
}

/* ---- vfork --------------------------------------------------------------------- */

/*
 * The parent of a vfork waits, in this future, until the child execs or
 * exits (thread_vfork_release clears TF_VFORK and wakes the queue of the
 * parent's children). A signal that needs the parent ends the wait early:
 * the progress op makes the child's pid the call's result (never a
 * restart, which would fork again).
 */
struct vfork_wait {
	struct future base;
	struct proc *child;		/* counted */
	struct waitq *wq;
	bool registered;
	struct waitq_wait_future w;
};

static bool vfork_done(const struct proc *c)
{
	return !(__atomic_load_n(&c->tflags, __ATOMIC_ACQUIRE) & TF_VFORK);
}

static enum poll vfork_poll(struct future *f, struct context *cx)
{
	struct vfork_wait *v = container_of(f, struct vfork_wait, base);

	for (;;) {
		enum poll wr;

		if (!v->registered) {
			waitq_wait_init(&v->w, v->wq);
			v->registered = true;
		}
		wr = future_poll(&v->w.base, cx);
		if (vfork_done(v->child)) {
			future_drop(&v->w.base);
			v->registered = false;
			f->result = v->child->pid;
			return POLL_READY;
		}
		if (wr == POLL_PENDING)
			return POLL_PENDING;
		future_drop(&v->w.base);
		v->registered = false;
	}
}

static void vfork_drop(struct future *f)
{
	struct vfork_wait *v = container_of(f, struct vfork_wait, base);

	if (v->registered) {
		future_drop(&v->w.base);
		v->registered = false;
	}
}

static void vfork_release(struct future *f)
{
	struct vfork_wait *v = container_of(f, struct vfork_wait, base);

	proc_put(v->child);
	kfree(v);
}

static long vfork_progress(const struct future *f)
{
	return container_of(f, struct vfork_wait, base)->child->pid;
}

static const struct future_ops vfork_ops = {
	.name = "vfork_wait",
	.poll = vfork_poll,
	.drop = vfork_drop,
	.release = vfork_release,
	.progress = vfork_progress,
};

/* The parent's side after the child is spawned with TF_VFORK. */
long thread_vfork_wait(struct sys_ctx *sc, struct proc *child)
{
	struct vfork_wait *v = kmalloc(sizeof(*v));

	if (!v)
		return child->pid; /* cannot wait: go on, as if released */
	future_init(&v->base, &vfork_ops);
	proc_get(child);
	v->child = child;
	v->wq = proc_child_waitq(proc_leader(sc->proc));
	v->registered = false;
	sc->pending = &v->base;
	return 0;
}

void thread_vfork_release(struct proc *p)
{
	irqflags_t f;
	struct waitq *wq = NULL;

	if (!(__atomic_load_n(&p->tflags, __ATOMIC_RELAXED) & TF_VFORK))
		return;
	f = spin_lock_irqsave(&proc_lock);
	__atomic_store_n(&p->tflags, (uint8_t)(p->tflags & ~TF_VFORK), __ATOMIC_RELEASE);
	if (p->parent)
		wq = proc_child_waitq(p->parent);
	spin_unlock_irqrestore(&proc_lock, f);
	if (wq)
		waitq_wake_all(wq);
}

/* ---- signal actions shared by the members ------------------------------------ */

struct sigact_sync {
	struct proc *from;
	int sig;
	bool discard;
};

static void sigact_sync_one(struct proc *q, struct sigact_sync *a)
{
	uint64_t bit = SIG_BIT(a->sig);
	irqflags_t f;

	if (q == a->from || (q->tflags & TF_EXITED))
		return;
	if (__atomic_load_n(&a->from->sig_ignored, __ATOMIC_RELAXED) & bit)
		__atomic_fetch_or(&q->sig_ignored, bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&q->sig_ignored, ~bit, __ATOMIC_RELAXED);
	if (a->discard) {
		f = spin_lock_irqsave(&proc_lock);
		signal_discard_locked(q, bit);
		spin_unlock_irqrestore(&proc_lock, f);
	}
	signal_action_changed(q, a->sig);
}

void thread_sigaction_changed(struct proc *p, int sig, bool discard)
{
	struct sigact_sync a = { .from = p, .sig = sig, .discard = discard };
	struct proc *q;

	if (!p->tg)
		return;
	/* Members change only on this hart (the legend): no lock to walk. */
	sigact_sync_one(p->tg->leader, &a);
	list_for_each_entry(q, &p->tg->threads, sibling)
		sigact_sync_one(q, &a);
}

/* ---- the filesystem context (CLONE_FS) ---------------------------------------- */

static void fs_sync_one(struct proc *q, struct proc *from)
{
	struct inode *old;

	if (q == from || (q->tflags & TF_EXITED))
		return;
	q->umask = from->umask;
	if (q->root != from->root) {
		old = proc_view_swap(q, (void **)&q->root,
				     from->root ? inode_get(from->root) : NULL);
		if (old)
			inode_put(old);
	}
	if (q->cwd == from->cwd)
		return;
	old = proc_view_swap(q, (void **)&q->cwd, from->cwd ? inode_get(from->cwd) : NULL);
	if (old)
		inode_put(old);
}

void thread_fs_changed(struct proc *p)
{
	struct proc *q;

	if (!p->tg)
		return;
	/* Members change only on this hart (the legend): no lock to walk. */
	fs_sync_one(p->tg->leader, p);
	list_for_each_entry(q, &p->tg->threads, sibling)
		fs_sync_one(q, p);
}

/* ---- what /proc sees ------------------------------------------------------------ */

int proc_tgid(const struct proc *p)
{
	return p->tgid;
}

int proc_view_next_tid(int pid, int after)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct proc *p = proc_lookup_locked(pid), *q;
	int found = -1;

	if (p && p->tgid == pid) {
		if (pid > after)
			found = pid;
		if (p->tg) {
			list_for_each_entry(q, &p->tg->threads, sibling)
				if (!(q->tflags & TF_EXITED) && q->pid > after &&
				    (found < 0 || q->pid < found))
					found = q->pid;
		}
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return found;
}
