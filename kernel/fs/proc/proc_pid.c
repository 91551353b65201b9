// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/...: each file in the layout Linux 6.1 prints (proc(5),
 * fs/proc/array.c's field order), from a snapshot taken through the
 * process view (kernel/proc/proc.h). Threads: task/ lists the group's tids
 * (proc_view_next_tid); task/<tid>/ shows the process's files.
 */
#include "kernel/fs/proc/procfs_int.h"

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/devfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* The owner of /proc/<pid>/...: the process's effective ids (as Linux). */
void procfs_owner(const struct gen_ctx *c, uint32_t *uid, uint32_t *gid)
{
	struct proc *p = proc_view_get(c->pid);
	struct proc_info pi;

	if (!p)
		return;
	proc_view_info(p, &pi);
	proc_view_put(p);
	*uid = pi.uid[1];
	*gid = pi.gid[1];
}

/* ---- enumeration ---------------------------------------------------------------- */

int procfs_next_pid(const struct gen_ctx *c, int after)
{
	(void)c;
	return proc_view_next_pid(after);
}

int procfs_next_tid(const struct gen_ctx *c, int after)
{
	return proc_view_next_tid(c->pid, after);
}

int procfs_next_fd(const struct gen_ctx *c, int after)
{
	struct proc *p = proc_view_get(c->pid);
	struct file *f = NULL;
	bool cloexec;
	int fd;

	if (!p)
		return -1;
	fd = proc_view_next_fd(p, after + 1, &f, &cloexec);
	if (f)
		file_put(f);
	proc_view_put(p);
	return fd;
}

/* ---- memory figures ---------------------------------------------------------------- */

struct mem_figures {
	uint64_t vsize;			/* bytes of every area */
	uint64_t rss_pages;		/* pages mapped */
	uint64_t text, data, stack;	/* bytes: executable, writable private, the stack */
	uint64_t pt_pages;		/* page-table pages */
	uintptr_t start_code, end_code, start_data, end_data, start_brk, brk;
	bool has_as;
};

static int mem_fn(struct as *as, void *arg)
{
	struct mem_figures *m = arg;
	struct vma *v;

	if (!as)
		return 0;
	m->has_as = true;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	list_for_each_entry(v, &as->vmas, node) {
		uint64_t len = v->end - v->start;

		m->vsize += len;
		if (v->kind == VMA_STACK) {
			m->stack += len;
		} else if (v->prot & AS_PROT_EXEC) {
			m->text += len;
			if (!m->start_code) {
				m->start_code = v->start;
				m->end_code = v->end;
			}
		} else if (v->prot & AS_PROT_WRITE) {
			m->data += len;
			if (v->kind == VMA_ANON && !m->start_data) {
				m->start_data = v->start;
				m->end_data = v->end;
			}
		}
	}
	m->rss_pages = as->nr_pages;
	m->pt_pages = as->nr_tables;
	m->start_brk = as->brk_start;
	m->brk = as->brk;
	spin_unlock_irqrestore(&as->lock, fl);
	return 0;
}

static void mem_figures(struct proc *p, struct mem_figures *m)
{
	memset(m, 0, sizeof(*m));
	proc_view_with_as(p, mem_fn, m);
}

static uint64_t ticks(uint64_t ns)
{
	return ns / NS_PER_TICK;
}

/* ---- stat, statm, status ------------------------------------------------------------ */

int procfs_show_stat(struct seqbuf *s, const struct gen_ctx *c)
{
	struct proc *p = proc_view_get(c->pid);
	struct proc_info pi;
	struct mem_figures m;

	if (!p)
		return -ESRCH;
	proc_view_info(p, &pi);
	mem_figures(p, &m);
	proc_view_put(p);
	/* fs/proc/array.c do_task_stat: 52 fields. */
	seq_printf(s, "%d (%s) %c %d %d %d %d %d %u ", pi.pid, pi.name, pi.state, pi.ppid,
		   pi.pgid, pi.sid, 0, -1, 0x400000u /* PF_RANDOMIZE-free user task: 4194304 */);
	seq_printf(s, "%lu %lu %lu %lu ", 0ul, 0ul, 0ul, 0ul); /* faults: not counted */
	seq_printf(s, "%llu %llu %llu %llu ", (unsigned long long)ticks(pi.utime_ns),
		   (unsigned long long)ticks(pi.stime_ns), (unsigned long long)ticks(pi.cutime_ns),
		   (unsigned long long)ticks(pi.cstime_ns));
	seq_printf(s, "%d %d %d %d %llu ", 20, 0, pi.nr_threads, 0,
		   (unsigned long long)ticks(pi.start_ns));
	seq_printf(s, "%llu %llu %llu ", (unsigned long long)m.vsize,
		   (unsigned long long)m.rss_pages, 18446744073709551615ull);
	seq_printf(s, "%lu %lu %lu %d %d ", m.has_as ? (unsigned long)m.start_code : 0ul,
		   m.has_as ? (unsigned long)m.end_code : 0ul,
		   m.has_as ? (unsigned long)pi.start_stack : 0ul, 0, 0);
	/* Signals as decimal masks of the first 32 (obsolete fields, as Linux). */
	seq_printf(s, "%llu %llu %llu %llu ", (unsigned long long)(pi.sig_pending & 0xffffffffu),
		   (unsigned long long)(pi.sig_blocked & 0xffffffffu),
		   (unsigned long long)(pi.sig_ignored & 0xffffffffu),
		   (unsigned long long)(pi.sig_caught & 0xffffffffu));
	/* wchan nswap cnswap exit_signal processor rt_priority policy
	 * delayacct_blkio_ticks guest_time cguest_time */
	seq_printf(s, "%d %d %d %d %u %u %u %u %llu %lld ", 0, 0, 0, 17, pi.hart, 0u, 0u, 0u,
		   0ull, 0ll);
	if (m.has_as)
		seq_printf(s, "%lu %lu %lu %lu %lu %lu %lu ", (unsigned long)m.start_data,
			   (unsigned long)m.end_data, (unsigned long)m.start_brk,
			   (unsigned long)pi.arg_start, (unsigned long)pi.arg_end,
			   (unsigned long)pi.env_start, (unsigned long)pi.env_end);
	else
		seq_printf(s, "0 0 0 0 0 0 0 ");
	seq_printf(s, "%d\n", pi.state == 'Z' ? pi.exit_code : 0);
	return 0;
}

int procfs_show_statm(struct seqbuf *s, const struct gen_ctx *c)
{
	struct proc *p = proc_view_get(c->pid);
	struct mem_figures m;

	if (!p)
		return -ESRCH;
	mem_figures(p, &m);
	proc_view_put(p);
	/* size resident shared text lib data dt, in pages */
	seq_printf(s, "%llu %llu %llu %llu %d %llu %d\n", (unsigned long long)(m.vsize / PAGE_SIZE),
		   (unsigned long long)m.rss_pages, 0ull, (unsigned long long)(m.text / PAGE_SIZE),
		   0, (unsigned long long)((m.data + m.stack) / PAGE_SIZE), 0);
	return 0;
}

static const char *state_name(char st)
{
	switch (st) {
	case 'R':
		return "R (running)";
	case 'Z':
		return "Z (zombie)";
	case 'T':
		return "T (stopped)";
	default:
		return "S (sleeping)";
	}
}

static void show_kb(struct seqbuf *s, const char *name, uint64_t bytes)
{
	seq_printf(s, "%s:\t%8llu kB\n", name, (unsigned long long)(bytes / 1024));
}

int procfs_show_status(struct seqbuf *s, const struct gen_ctx *c)
{
	struct proc *p = proc_view_get(c->pid);
	struct proc_info pi;
	struct mem_figures m;
	unsigned nharts = exec_hart_count();

	if (!p)
		return -ESRCH;
	proc_view_info(p, &pi);
	mem_figures(p, &m);
	proc_view_put(p);
	/* fs/proc/array.c proc_pid_status, in its order. */
	seq_printf(s, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		      "PPid:\t%d\nTracerPid:\t0\n",
		   pi.name, pi.umask, state_name(pi.state), pi.pid, pi.pid, pi.ppid);
	seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t", pi.uid[0],
		   pi.uid[1], pi.uid[2], pi.uid[3], pi.gid[0], pi.gid[1], pi.gid[2], pi.gid[3],
		   m.has_as ? 64 : 0);
	for (uint32_t i = 0; i < pi.ngroups; i++)
		seq_printf(s, "%u ", pi.groups[i]);
	seq_printf(s, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", pi.pid, pi.pid,
		   pi.pgid, pi.sid);
	if (m.has_as) {
		show_kb(s, "VmPeak", m.vsize);
		show_kb(s, "VmSize", m.vsize);
		show_kb(s, "VmLck", 0);
		show_kb(s, "VmPin", 0);
		show_kb(s, "VmHWM", m.rss_pages * PAGE_SIZE);
		show_kb(s, "VmRSS", m.rss_pages * PAGE_SIZE);
		show_kb(s, "RssAnon", m.rss_pages * PAGE_SIZE);
		show_kb(s, "RssFile", 0);
		show_kb(s, "RssShmem", 0);
		show_kb(s, "VmData", m.data);
		show_kb(s, "VmStk", m.stack);
		show_kb(s, "VmExe", m.text);
		show_kb(s, "VmLib", 0);
		show_kb(s, "VmPTE", m.pt_pages * PAGE_SIZE);
		show_kb(s, "VmSwap", 0);
		seq_printf(s, "HugetlbPages:\t%8d kB\n", 0);
	}
	seq_printf(s, "CoreDumping:\t0\nTHP_enabled:\t0\nThreads:\t%d\nSigQ:\t0/%d\n",
		   pi.nr_threads, 4096);
	seq_printf(s, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n"
		      "SigCgt:\t%016llx\n",
		   0ull, (unsigned long long)pi.sig_pending, (unsigned long long)pi.sig_blocked,
		   (unsigned long long)pi.sig_ignored, (unsigned long long)pi.sig_caught);
	seq_printf(s, "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
		      "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
		      "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
		      "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tunknown\n"
		      "SpeculationIndirectBranch:\tunknown\n");
	seq_printf(s, "Cpus_allowed:\t%x\nCpus_allowed_list:\t0", (1u << nharts) - 1);
	if (nharts > 1)
		seq_printf(s, "-%u", nharts - 1);
	seq_printf(s, "\nMems_allowed:\t00000001\nMems_allowed_list:\t0\n"
		      "voluntary_ctxt_switches:\t%u\nnonvoluntary_ctxt_switches:\t%u\n",
		   pi.polls > pi.self_wakes ? pi.polls - pi.self_wakes : 0, pi.self_wakes);
	return 0;
}

/* ---- cmdline, environ, comm ---------------------------------------------------------- */

static int show_args(struct seqbuf *s, const struct gen_ctx *c, bool env)
{
	struct proc *p = proc_view_get(c->pid);
	char *buf = kmalloc(PAGE_SIZE);
	size_t off = 0;
	long n;

	if (!p || !buf) {
		kfree(buf);
		proc_view_put(p);
		return p ? -ENOMEM : -ESRCH;
	}
	while ((n = proc_view_args(p, env, buf, PAGE_SIZE, off)) > 0 && !s->overflow) {
		seq_write(s, buf, (size_t)n);
		off += (size_t)n;
	}
	kfree(buf);
	proc_view_put(p);
	return 0;
}

int procfs_show_cmdline(struct seqbuf *s, const struct gen_ctx *c)
{
	return show_args(s, c, false);
}

int procfs_show_environ(struct seqbuf *s, const struct gen_ctx *c)
{
	return show_args(s, c, true);
}

int procfs_show_comm(struct seqbuf *s, const struct gen_ctx *c)
{
	struct proc *p = proc_view_get(c->pid);
	struct proc_info pi;

	if (!p)
		return -ESRCH;
	proc_view_info(p, &pi);
	proc_view_put(p);
	seq_printf(s, "%s\n", pi.name);
	return 0;
}

/* ---- maps ------------------------------------------------------------------------------ */

static int maps_fn(struct as *as, void *arg)
{
	struct seqbuf *s = arg;
	struct vma *v;

	if (!as)
		return 0;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	list_for_each_entry(v, &as->vmas, node) {
		size_t start = s->len;
		const char *name = v->kind == VMA_HEAP ? "[heap]" :
				   v->kind == VMA_STACK ? "[stack]" : NULL;

		seq_printf(s, "%08lx-%08lx %c%c%cp %08x %02x:%02x %lu", (unsigned long)v->start,
			   (unsigned long)v->end, v->prot & AS_PROT_READ ? 'r' : '-',
			   v->prot & AS_PROT_WRITE ? 'w' : '-', v->prot & AS_PROT_EXEC ? 'x' : '-',
			   0u, 0u, 0u, 0ul);
		if (name) {
			/* fs/proc/task_mmu.c pads the path to column 73 (64-bit). */
			while (s->len - start < 72 && !s->overflow)
				seq_putc(s, ' ');
			seq_printf(s, " %s", name);
		}
		seq_putc(s, '\n');
	}
	spin_unlock_irqrestore(&as->lock, fl);
	return 0;
}

int procfs_show_maps(struct seqbuf *s, const struct gen_ctx *c)
{
	struct proc *p = proc_view_get(c->pid);

	if (!p)
		return -ESRCH;
	/* Reserve first: the text is built under the address space's lock,
	 * where growing the buffer should not have to allocate. */
	seq_write(s, "", 0);
	proc_view_with_as(p, maps_fn, s);
	proc_view_put(p);
	return 0;
}

/* ---- links ------------------------------------------------------------------------------ */

static long put_link(char *buf, size_t n, const char *text)
{
	size_t len = strlen(text);

	if (len > n)
		len = n;
	memcpy(buf, text, len);
	return (long)len;
}

long procfs_link_self(const struct gen_ctx *c, char *buf, size_t n)
{
	struct proc *cur = proc_current();
	char t[16];

	(void)c;
	if (!cur)
		return -ENOENT;
	fmt_snprintf(t, sizeof(t), "%d", proc_tgid(cur));
	return put_link(buf, n, t);
}

long procfs_link_thread_self(const struct gen_ctx *c, char *buf, size_t n)
{
	struct proc *cur = proc_current();
	char t[40];

	(void)c;
	if (!cur)
		return -ENOENT;
	fmt_snprintf(t, sizeof(t), "%d/task/%d", proc_tgid(cur), proc_pid(cur));
	return put_link(buf, n, t);
}

long procfs_link_self_mounts(const struct gen_ctx *c, char *buf, size_t n)
{
	(void)c;
	return put_link(buf, n, "self/mounts");
}

long procfs_link_exe(const struct gen_ctx *c, char *buf, size_t n)
{
	struct proc *p = proc_view_get(c->pid);
	long r;

	if (!p)
		return -ENOENT;
	r = proc_view_exe(p, buf, n);
	proc_view_put(p);
	return r;
}

static long dir_link(struct inode *dir, char *buf, size_t n)
{
	char *path;
	long r;

	if (!dir)
		return -ENOENT;
	path = kmalloc(PATH_MAX);
	r = path ? vfs_getcwd(dir, path, PATH_MAX) : -ENOMEM;
	inode_put(dir);
	if (r > 0)
		r = put_link(buf, n, path);
	kfree(path);
	return r;
}

long procfs_link_cwd(const struct gen_ctx *c, char *buf, size_t n)
{
	struct proc *p = proc_view_get(c->pid);
	struct inode *cwd;

	if (!p)
		return -ENOENT;
	cwd = proc_view_cwd(p);
	proc_view_put(p);
	return dir_link(cwd, buf, n);
}

long procfs_link_root(const struct gen_ctx *c, char *buf, size_t n)
{
	struct proc *p = proc_view_get(c->pid);
	struct inode *root;

	if (!p)
		return -ENOENT;
	root = proc_view_root(p);
	proc_view_put(p);
	return dir_link(root, buf, n);
}

/* The file at fd of the process in c, counted, or NULL. */
static struct file *ctx_file(const struct gen_ctx *c, bool *cloexec)
{
	struct proc *p = proc_view_get(c->pid);
	struct file *f = NULL;

	if (!p)
		return NULL;
	if (proc_view_next_fd(p, c->id, &f, cloexec) != c->id && f) {
		file_put(f);
		f = NULL;
	}
	proc_view_put(p);
	return f;
}

long procfs_link_fd(const struct gen_ctx *c, char *buf, size_t n)
{
	bool cloexec;
	struct file *f = ctx_file(c, &cloexec);
	struct inode *ino;
	char t[48];
	long r;

	if (!f)
		return -ENOENT;
	ino = f->inode;
	if (S_ISDIR(ino->mode)) {
		r = dir_link(inode_get(ino), buf, n);
	} else if (S_ISCHR(ino->mode) && devfs_name(ino->rdev)) {
		fmt_snprintf(t, sizeof(t), "/dev/%s", devfs_name(ino->rdev));
		r = put_link(buf, n, t);
	} else if (S_ISFIFO(ino->mode) && ino->sb && !strcmp(ino->sb->name, "pipefs")) {
		fmt_snprintf(t, sizeof(t), "pipe:[%llu]", (unsigned long long)ino->ino);
		r = put_link(buf, n, t);
	} else if (S_ISSOCK(ino->mode)) {
		fmt_snprintf(t, sizeof(t), "socket:[%llu]", (unsigned long long)ino->ino);
		r = put_link(buf, n, t);
	} else if (f->ops && f->ops->anon_name) {
		fmt_snprintf(t, sizeof(t), "anon_inode:[%s]", f->ops->anon_name);
		r = put_link(buf, n, t);
	} else {
		/* No name cache yet: a regular file is named by its inode. */
		fmt_snprintf(t, sizeof(t), "/dev/inode:[%llu:%llu]",
			     (unsigned long long)ino->sb->dev, (unsigned long long)ino->ino);
		r = put_link(buf, n, t);
	}
	file_put(f);
	return r;
}

int procfs_show_fdinfo(struct seqbuf *s, const struct gen_ctx *c)
{
	bool cloexec;
	struct file *f = ctx_file(c, &cloexec);

	if (!f)
		return -ENOENT;
	/* 64-bit Linux opens everything with O_LARGEFILE, pipes aside. */
	unsigned flags = f->flags | (cloexec ? O_CLOEXEC : 0u) |
			 (S_ISFIFO(f->inode->mode) || !f->inode->sb ? 0u : O_LARGEFILE);

	seq_printf(s, "pos:\t%llu\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n",
		   (unsigned long long)f->pos, flags, procfs_mnt_id(f->inode->sb),
		   (unsigned long long)f->inode->ino);
	file_put(f);
	return 0;
}
