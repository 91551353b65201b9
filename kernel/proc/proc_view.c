// SPDX-License-Identifier: MIT
/*
 * What /proc reads of a process from another hart: a snapshot of its
 * scalars, and its address space, files, cwd and image under its view lock.
 *
 * Why a lock at all: as, files, cwd, image and sighand are P fields,
 * changed only by the process itself, but exec and exit free what they
 * pointed to while a reader elsewhere may be using it. Their swaps take the
 * view lock, and a reader holds it while it uses them. The locks are a few
 * hashed by pid, shared by all processes: no bytes per process, and no lock
 * on any path but those swaps.
 *
 * Lock order: proc_lock -> view lock -> as->lock / the fd table's view lock.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/proc/cred.h"
#include "kernel/arch.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "lib/errno.h"
#include "lib/string.h"

#define VIEW_LOCKS 16
#define VL(i) SPINLOCK_INIT("proc_view")
static struct spinlock view_locks[VIEW_LOCKS] = {
	VL(0), VL(1), VL(2), VL(3), VL(4), VL(5), VL(6), VL(7),
	VL(8), VL(9), VL(10), VL(11), VL(12), VL(13), VL(14), VL(15),
};

struct proc_hart_cpu proc_hart_cpu[MAX_HARTS];

void proc_hart_times(unsigned hart, uint64_t *user_ns, uint64_t *system_ns)
{
	*user_ns = hart < MAX_HARTS ? atomic_load_explicit(&proc_hart_cpu[hart].user_ns,
							    memory_order_relaxed) : 0;
	*system_ns = hart < MAX_HARTS ? atomic_load_explicit(&proc_hart_cpu[hart].system_ns,
							      memory_order_relaxed) : 0;
}

struct spinlock *proc_view_lock(const struct proc *p)
{
	return &view_locks[(unsigned)p->pid % VIEW_LOCKS];
}

void *proc_view_swap(struct proc *p, void **slot, void *val)
{
	irqflags_t fl = spin_lock_irqsave(proc_view_lock(p));
	void *old = *slot;

	*slot = val;
	spin_unlock_irqrestore(proc_view_lock(p), fl);
	return old;
}

void proc_view_detach(struct proc *p, struct as **as, struct fdtable **files, struct inode **cwd)
{
	irqflags_t fl = spin_lock_irqsave(proc_view_lock(p));

	*as = p->as;
	*files = p->files;
	*cwd = p->cwd;
	p->as = NULL;
	p->files = NULL;
	p->cwd = NULL;
	spin_unlock_irqrestore(proc_view_lock(p), fl);
}

/* ---- images ------------------------------------------------------------------ */

static size_t vec_bytes(const char *const *v)
{
	size_t n = 0;

	for (; v && *v; v++)
		n += strlen(*v) + 1;
	return n;
}

/* Drop "." and "x/.." components of an absolute path, in place. */
static void normalize(char *path)
{
	char *out = path, *in = path;

	while (*in) {
		while (*in == '/')
			in++;
		char *comp = in;

		while (*in && *in != '/')
			in++;
		size_t len = (size_t)(in - comp);

		if (len == 0 || (len == 1 && comp[0] == '.'))
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, comp, len);
		out += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

/*
 * The absolute path of the file path names, with every symlink on the way
 * resolved (as Linux's /proc/<pid>/exe shows it: `execve("/proc/self/exe")`
 * must not make the new image's exe "/proc/self/exe"). Directories are
 * named by vfs_getcwd. buf holds PATH_MAX bytes; 0, -errno or -EIOWAIT.
 */
static int real_path(struct proc *p, const char *path, char *buf)
{
	char *cur = kmalloc(PATH_MAX), *name = kmalloc(NAME_MAX + 1);
	int err = -ENOMEM;

	if (!cur || !name)
		goto out;
	strlcpy(cur, path, PATH_MAX);
	for (int links = 0; links <= SYMLOOP_MAX; links++) {
		struct inode *dir, *ino;
		bool slash;
		long r;

		err = vfs_lookup_parent(p, NULL, cur, &dir, name, &slash);
		if (err)
			goto out;
		err = vfs_lookup(p, dir, name, WALK_NOFOLLOW, &ino);
		if (err) {
			inode_put(dir);
			goto out;
		}
		/* Named from p's root: the result is looked up again as p (chroot). */
		r = vfs_getcwd_in(dir, p->root, buf, PATH_MAX);
		inode_put(dir);
		if (r < 0) {
			inode_put(ino);
			err = (int)r;
			goto out;
		}
		if (!S_ISLNK(ino->mode)) {
			inode_put(ino);
			if (strcmp(buf, "/"))
				strlcat(buf, "/", PATH_MAX);
			strlcat(buf, name, PATH_MAX);
			err = 0;
			goto out;
		}
		/* A link: its target, relative to the link's directory. */
		r = ino->iops && ino->iops->readlink ? ino->iops->readlink(ino, cur, PATH_MAX - 1)
						     : -EINVAL;
		inode_put(ino);
		if (r < 0) {
			err = (int)r;
			goto out;
		}
		cur[r] = '\0';
		if (cur[0] != '/') {
			size_t bl = strlen(buf);

			if (bl + 1 + (size_t)r >= PATH_MAX) {
				err = -ENAMETOOLONG;
				goto out;
			}
			memmove(cur + bl + 1, cur, (size_t)r + 1);
			memcpy(cur, buf, bl);
			cur[bl] = '/';
		}
	}
	err = -ELOOP;
out:
	kfree(cur);
	kfree(name);
	return err;
}

int proc_image_create(struct proc *p, const char *path, const char *execfn,
		      const char *const *argv, const char *const *envp, struct proc_image **out)
{
	char *exe = kmalloc(PATH_MAX);
	struct proc_image *im;
	int err;

	if (!exe)
		return -ENOMEM;
	err = real_path(p, path, exe);
	if (err) {
		kfree(exe);
		return err;
	}
	normalize(exe);
	im = kmalloc(sizeof(*im) + strlen(exe) + 1);
	if (!im) {
		kfree(exe);
		return -ENOMEM;
	}
	atomic_init(&im->refs, 1);
	memcpy(im->exe, exe, strlen(exe) + 1);
	kfree(exe);

	/* exec_stack.h: the argv strings, the envp strings and the execfn
	 * string end at the top of the stack (USER_TOP here; execve sets the
	 * places exec_build_stack used, the top being random). usertests
	 * procfs_other_process checks this against what the program got. */
	size_t abytes = vec_bytes(argv), ebytes = vec_bytes(envp);

	im->env_end = USER_TOP - (strlen(execfn) + 1);
	im->env_start = im->env_end - ebytes;
	im->arg_end = im->env_start;
	im->arg_start = im->arg_end - abytes;
	im->start_stack = 0;
	*out = im;
	return 0;
}

struct proc_image *proc_image_get(struct proc_image *im)
{
	if (im)
		atomic_fetch_add_explicit(&im->refs, 1, memory_order_relaxed);
	return im;
}

void proc_image_put(struct proc_image *im)
{
	/* acq_rel: the last put sees every holder's reads done. */
	if (im && atomic_fetch_sub_explicit(&im->refs, 1, memory_order_acq_rel) == 1)
		kfree(im);
}

/* ---- the view ----------------------------------------------------------------- */

struct proc *proc_view_get(int pid)
{
	irqflags_t fl = spin_lock_irqsave(&proc_lock);
	struct proc *p = proc_lookup_locked(pid);

	if (p)
		proc_get(p);
	spin_unlock_irqrestore(&proc_lock, fl);
	return p;
}

void proc_view_put(struct proc *p)
{
	if (p)
		proc_put(p);
}

int proc_view_next_pid(int after)
{
	irqflags_t fl = spin_lock_irqsave(&proc_lock);
	int found = -1;

	for (int pid = after < 0 ? 1 : after + 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_lookup_locked(pid);

		if (p && p->tgid == pid) { /* threads show under task/ only */
			found = pid;
			break;
		}
	}
	spin_unlock_irqrestore(&proc_lock, fl);
	return found;
}

static bool task_runnable(task_id_t id)
{
	struct task_stats st;

	if (task_get_stats(id, &st))
		return false;
	return st.state != TASK_STATS_IDLE;
}

void proc_view_counts(int *total, int *runnable, int *last_pid)
{
	irqflags_t fl = spin_lock_irqsave(&proc_lock);
	int n = 0, r = 0;

	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_lookup_locked(pid);

		if (!p)
			continue;
		n++;
		task_id_t id = __atomic_load_n(&p->task, __ATOMIC_RELAXED);

		if (p->state == PROC_ALIVE && (id == TASK_ID_NONE || task_runnable(id)))
			r++;
	}
	*last_pid = proc_last_pid_locked();
	spin_unlock_irqrestore(&proc_lock, fl);
	*total = n;
	*runnable = r;
}

void proc_view_info(struct proc *p, struct proc_info *pi)
{
	struct task_stats st;
	struct cred *cr = proc_cred_get(p);
	irqflags_t fl;

	memset(pi, 0, sizeof(*pi));
	pi->pid = p->pid;
	if (cr) {
		pi->uid[0] = cr->uid, pi->uid[1] = cr->euid, pi->uid[2] = cr->suid;
		pi->uid[3] = cr->fsuid;
		pi->gid[0] = cr->gid, pi->gid[1] = cr->egid, pi->gid[2] = cr->sgid;
		pi->gid[3] = cr->fsgid;
		pi->ngroups = cr->ngroups < 32 ? cr->ngroups : 32;
		memcpy(pi->groups, cr->groups, pi->ngroups * sizeof(uint32_t));
		cred_put(cr);
	}
	pi->umask = __atomic_load_n(&p->umask, __ATOMIC_RELAXED);
	fl = spin_lock_irqsave(&proc_lock);
	pi->nr_threads = p->tg ? p->tg->nr_live : 1;
	pi->ppid = p->parent ? p->parent->pid : 0;
	pi->pgid = p->pgid;
	pi->sid = p->sid;
	pi->state = p->state == PROC_ZOMBIE ? 'Z' : (p->jobctl & JOBCTL_STOPPED) ? 'T' : 'S';
	if (p->state == PROC_ZOMBIE)
		pi->exit_code = p->wstatus;
	pi->cutime_ns = p->cutime_ns;
	pi->cstime_ns = p->cstime_ns;
	spin_unlock_irqrestore(&proc_lock, fl);
	/* P fields read from elsewhere: each is one aligned word (or bytes of
	 * the name), so a reader sees an old or a new value, never a torn one. */
	memcpy(pi->name, (const char *)p->name, sizeof(pi->name));
	pi->name[sizeof(pi->name) - 1] = '\0';
	pi->utime_ns = __atomic_load_n(&p->utime_ns, __ATOMIC_RELAXED);
	pi->stime_ns = __atomic_load_n(&p->stime_ns, __ATOMIC_RELAXED);
	pi->start_ns = p->start_ns;
	/* The parent records the id after task_spawn returns, when the child
	 * may already run on another hart: 0 means "just spawned". */
	pi->task = __atomic_load_n(&p->task, __ATOMIC_RELAXED);
	if (p == proc_current())
		pi->task = task_current(); /* known to us even before the parent stored it */
	pi->sig_pending = atomic_load_explicit(&p->sig_pending, memory_order_relaxed);
	pi->sig_blocked = __atomic_load_n(&p->sig_blocked, __ATOMIC_RELAXED);
	pi->sig_ignored = __atomic_load_n(&p->sig_ignored, __ATOMIC_RELAXED);
	if (pi->state != 'Z' && pi->task != TASK_ID_NONE && task_get_stats(pi->task, &st) == 0) {
		pi->hart = st.home;
		pi->polls = st.polls;
		pi->wakes = st.wakes;
		pi->self_wakes = st.self_wakes;
		if (st.state != TASK_STATS_IDLE && pi->state != 'T')
			pi->state = 'R';
	}
	if (pi->state != 'Z' && (p == proc_current() || pi->task == TASK_ID_NONE))
		pi->state = 'R';
	if (p == proc_current())
		pi->hart = hart_id();
	fl = spin_lock_irqsave(proc_view_lock(p));
	if (p->image && p->as) {
		pi->arg_start = p->image->arg_start;
		pi->arg_end = p->image->arg_end;
		pi->env_start = p->image->env_start;
		pi->env_end = p->image->env_end;
		pi->start_stack = p->image->start_stack;
	}
	if (p->sighand)
		for (int s = 1; s <= 64; s++)
			if (p->sighand->act[s - 1].handler > SIG_IGN)
				pi->sig_caught |= 1ull << (s - 1);
	spin_unlock_irqrestore(proc_view_lock(p), fl);
}

int proc_view_with_as(struct proc *p, int (*fn)(struct as *as, void *arg), void *arg)
{
	irqflags_t fl = spin_lock_irqsave(proc_view_lock(p));
	int r = fn(p->as, arg);

	spin_unlock_irqrestore(proc_view_lock(p), fl);
	return r;
}

long proc_view_exe(struct proc *p, char *buf, size_t n)
{
	irqflags_t fl = spin_lock_irqsave(proc_view_lock(p));
	long r = -ENOENT;

	if (p->image && p->as) {
		size_t len = strlen(p->image->exe);

		if (len > n)
			len = n;
		memcpy(buf, p->image->exe, len);
		r = (long)len;
	}
	spin_unlock_irqrestore(proc_view_lock(p), fl);
	return r;
}

long proc_view_args(struct proc *p, bool env, void *buf, size_t n, size_t off)
{
	irqflags_t fl = spin_lock_irqsave(proc_view_lock(p));
	long r = 0;

	if (p->image && p->as) {
		uintptr_t lo = env ? p->image->env_start : p->image->arg_start;
		uintptr_t hi = env ? p->image->env_end : p->image->arg_end;

		if (off < hi - lo) {
			if (n > hi - lo - off)
				n = hi - lo - off;
			r = copy_from_user(p->as, buf, lo + off, n) ? 0 : (long)n;
		}
	}
	spin_unlock_irqrestore(proc_view_lock(p), fl);
	return r;
}

struct inode *proc_view_cwd(struct proc *p)
{
	irqflags_t fl = spin_lock_irqsave(proc_view_lock(p));
	struct inode *ino = inode_get(p->cwd);

	spin_unlock_irqrestore(proc_view_lock(p), fl);
	return ino;
}

struct inode *proc_view_root(struct proc *p)
{
	irqflags_t fl = spin_lock_irqsave(proc_view_lock(p));
	struct inode *ino = inode_get(p->root ? p->root : vfs_root);

	spin_unlock_irqrestore(proc_view_lock(p), fl);
	return ino;
}

int proc_view_next_fd(struct proc *p, int from, struct file **f, bool *cloexec)
{
	irqflags_t fl = spin_lock_irqsave(proc_view_lock(p));
	int fd = p->files ? fdtable_next_open(p->files, from, f, cloexec) : -1;

	spin_unlock_irqrestore(proc_view_lock(p), fl);
	return fd;
}
