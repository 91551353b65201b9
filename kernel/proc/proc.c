// SPDX-License-Identifier: MIT
/*
 * Process objects: allocation, pids, references, the accessors other
 * subsystems use, and CPU-time accounting.
 *
 * Lock legend: proc_lock guards the pid table, the process tree (parent,
 * children, sibling), state and wstatus of every process.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/arch.h"
#include "kernel/fs/vfs.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/limits.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/string.h"

struct spinlock proc_lock = SPINLOCK_INIT("proc");
struct proc *init_proc;

static struct proc *pid_table[PID_MAX]; /* L */
static int next_pid = 1;                /* L */
static int nr_procs;                    /* L */
static struct proc *current_proc[MAX_HARTS]; /* H: per hart */

static struct slab_cache proc_cache = SLAB_CACHE_INIT("proc", sizeof(struct proc), 8);
_Static_assert(sizeof(struct proc) % 8 == 0, "SLAB_CACHE_INIT wants a normalized size");

/* A power of two; 64 queues of 48 bytes (3 KiB) for up to PROC_MAX parents. */
#define CHILD_WAIT_BUCKETS 64
#define CW1(i)                                                                            \
	{ .lock = SPINLOCK_INIT("child_wait"),                                            \
	  .waiters = { &child_wq[i].waiters, &child_wq[i].waiters } }
#define CW4(i) CW1(i), CW1(i + 1), CW1(i + 2), CW1(i + 3)
#define CW16(i) CW4(i), CW4(i + 4), CW4(i + 8), CW4(i + 12)
static struct waitq child_wq[CHILD_WAIT_BUCKETS] = {
	CW16(0), CW16(16), CW16(32), CW16(48),
};
_Static_assert(sizeof(child_wq) / sizeof(child_wq[0]) == CHILD_WAIT_BUCKETS,
	       "every bucket initialised");

struct waitq *proc_child_waitq(const struct proc *parent)
{
	return &child_wq[(unsigned)parent->pid & (CHILD_WAIT_BUCKETS - 1)];
}

size_t proc_alloc_size(void)
{
	return proc_cache.size;
}

struct proc *proc_current(void)
{
	return current_proc[hart_id()];
}

void proc_set_current(struct proc *p)
{
	current_proc[hart_id()] = p;
}

struct as *proc_as(struct proc *p)
{
	return p->as;
}

struct fdtable *proc_files(struct proc *p)
{
	return p->files;
}

int proc_pid(const struct proc *p)
{
	return p->pid;
}

struct inode *proc_cwd(struct proc *p)
{
	return p->cwd;
}

struct inode *proc_root(struct proc *p)
{
	return p->root;
}

void proc_set_root(struct proc *p, struct inode *dir)
{
	struct inode *old = proc_view_swap(p, (void **)&p->root, dir);

	if (old)
		inode_put(old);
	thread_fs_changed(p); /* CLONE_FS: the other threads' too */
}

uint32_t proc_umask(const struct proc *p)
{
	return p->umask;
}

void proc_set_cwd(struct proc *p, struct inode *dir)
{
	struct inode *old = proc_view_swap(p, (void **)&p->cwd, dir);

	if (old)
		inode_put(old);
	thread_fs_changed(p); /* CLONE_FS: the other threads' too */
}

struct proc *proc_alloc(void)
{
	struct proc *p = slab_alloc(&proc_cache);
	irqflags_t f;
	int pid = -1;

	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	f = spin_lock_irqsave(&proc_lock);
	if (nr_procs < PROC_MAX) {
		for (int i = 0; i < PID_MAX; i++) {
			int cand = next_pid;

			next_pid = next_pid + 1 >= PID_MAX ? 2 : next_pid + 1;
			if (!pid_table[cand]) {
				pid = cand;
				break;
			}
		}
	}
	if (pid > 0) {
		pid_table[pid] = p;
		nr_procs++;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	if (pid < 0) {
		slab_free(&proc_cache, p);
		return NULL;
	}
	p->pid = pid;
	p->tgid = (uint16_t)pid;
	p->pgid = (uint16_t)pid;
	p->sid = (uint16_t)pid;
	p->start_ns = clock_now_ns();
	atomic_init(&p->refs, 1);
	atomic_init(&p->sig_pending, 0);
	p->state = PROC_ALIVE;
	p->umask = 022;
	proc_affinity_reset(p);
	p->cred = cred_get(&cred_root); /* fork replaces it with the parent's */
	list_init(&p->children);
	list_init(&p->sibling);
	return p;
}

void proc_get(struct proc *p)
{
	atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
}

void proc_unhash_locked(struct proc *p)
{
	if (pid_table[p->pid] == p) {
		pid_table[p->pid] = NULL;
		nr_procs--;
	}
}

void proc_take_pid_locked(struct proc *p, struct proc *old)
{
	if (pid_table[p->pid] == p) {
		pid_table[p->pid] = NULL;
		nr_procs--;
	}
	if (pid_table[old->pid] != old)
		nr_procs++; /* old had left the table: the slot is a new one */
	pid_table[old->pid] = p;
	p->pid = old->pid;
}

void proc_put(struct proc *p)
{
	/* acq_rel: the last dropper sees every write made under other refs. */
	if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1)
		return;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	proc_unhash_locked(p);
	sigq_flush_locked(p, ~0ull); /* normally gone at exit already */
	spin_unlock_irqrestore(&proc_lock, f);
	kfree(p->sighand);
	proc_image_put(p->image);
	proc_exe_release(p); /* a child whose fork failed */
	proc_limits_release(p);
	cred_put(p->cred);
	thread_group_put(p);
	uctx_release(&p->uc); /* a child whose fork failed never exited */
	slab_free(&proc_cache, p);
}

int proc_last_pid_locked(void)
{
	return next_pid > 1 ? next_pid - 1 : PID_MAX - 1;
}

struct proc *proc_lookup_locked(int pid)
{
	if (pid <= 0 || pid >= PID_MAX)
		return NULL;
	return pid_table[pid];
}

void proc_for_each_locked(bool (*fn)(struct proc *p, void *arg), void *arg)
{
	int seen = 0;

	for (int pid = 1; pid < PID_MAX && seen < nr_procs; pid++) {
		struct proc *p = pid_table[pid];

		if (!p)
			continue;
		seen++;
		if (!fn(p, arg))
			return;
	}
}

int proc_live_count(void)
{
	return nr_procs;
}

void proc_set_name(struct proc *p, const char *path)
{
	const char *base = strrchr(path, '/');

	strlcpy(p->name, base ? base + 1 : path, sizeof(p->name));
}

int proc_cpu_times_pid(int pid, uint64_t t[4])
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct proc *p = proc_lookup_locked(pid);

	if (p) {
		t[0] = p->utime_ns;
		t[1] = p->stime_ns;
		t[2] = p->cutime_ns;
		t[3] = p->cstime_ns;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return p ? 0 : -ESRCH;
}

void proc_cpu_times(struct proc *p, uint64_t t[4])
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	t[0] = p->utime_ns;
	t[1] = p->stime_ns;
	t[2] = p->cutime_ns;
	t[3] = p->cstime_ns;
	spin_unlock_irqrestore(&proc_lock, f);
}
