// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/...: each file in the layout Linux 6.1 prints (proc(5),
 * fs/proc/array.c's field order), from a snapshot taken through the
 * process view (kernel/proc/proc.h). Threads: task/ lists the group's tids
 * (proc_view_next_tid); task/<tid>/ shows that thread's files. maps, fd/
 * and fdinfo/ are proc_files.c's.
 */
#include "kernel/fs/proc/procfs_int.h"

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/devfs.h"
#include "kernel/drivers/tty/tty.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* The owner of /proc/<pid>/...: the process's effective ids (as Linux). */
void procfs_owner(const struct gen_ctx *c, uint32_t *uid, uint32_t *gid)
{
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
	struct proc_info pi;

	if (!p)
		return;
	proc_view_info(p, &pi);
	proc_view_put(p);
	*uid = pi.uid[1];
	*gid = pi.gid[1];
}

/* The process a file under c describes: the thread under task/<tid>/. */
int procfs_ctx_pid(const struct gen_ctx *c)
{
	return c->tid ? c->tid : c->pid;
}

/* ---- enumeration ---------------------------------------------------------------- */

int procfs_next_pid(const struct gen_ctx *c, int after)
{
	(void)c;
	return proc_view_next_pid(after);
}

bool procfs_pid_exists(const struct gen_ctx *c, int id)
{
	struct proc *p = proc_view_get(id);

	(void)c;
	proc_view_put(p);
	return p != NULL;
}

/* task/ of /proc/<tid> too lists the whole group. */
int procfs_next_tid(const struct gen_ctx *c, int after)
{
	struct proc *p = proc_view_get(c->pid);
	int tgid = p ? proc_tgid(p) : c->pid;

	proc_view_put(p);
	return proc_view_next_tid(tgid, after);
}

int procfs_next_fd(const struct gen_ctx *c, int after)
{
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
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

/*
 * /proc/<pid>/stat of a thread group counts all of it (Linux's
 * thread_group_cputime): add the other live threads' times and faults to
 * the leader's, which already holds those of the threads that exited.
 */
static void add_group(struct proc_info *pi)
{
	for (int tid = proc_view_next_tid(pi->tgid, -1); tid > 0;
	     tid = proc_view_next_tid(pi->tgid, tid)) {
		struct proc *t = tid == pi->pid ? NULL : proc_view_get(tid);
		struct proc_info ti;

		if (!t)
			continue;
		proc_view_info(t, &ti);
		proc_view_put(t);
		pi->utime_ns += ti.utime_ns;
		pi->stime_ns += ti.stime_ns;
		pi->min_flt += ti.min_flt;
		pi->maj_flt += ti.maj_flt;
	}
}

int procfs_show_stat(struct seqbuf *s, const struct gen_ctx *c)
{
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
	struct proc_info pi;
	struct mem_figures m;

	if (!p)
		return -ESRCH;
	proc_view_info(p, &pi);
	if (!c->tid && pi.nr_threads > 1)
		add_group(&pi);
	mem_figures(p, &m);
	/* The controlling terminal (the console is the only one) and its
	 * foreground group; none: 0 and -1. */
	int fg = pi.state == 'Z' ? 0 : tty_console_fg_pgrp_of(p);

	proc_view_put(p);
	/* fs/proc/array.c do_task_stat: 52 fields. */
	seq_printf(s, "%d (%s) %c %d %d %d %u %d %u ", pi.pid, pi.name, pi.state, pi.ppid,
		   pi.pgid, pi.sid, fg ? (unsigned)DEV_CONSOLE : 0u, fg ? fg : -1,
		   0x400000u /* PF_RANDOMIZE-free user task: 4194304 */);
	seq_printf(s, "%u %u %u %u ", pi.min_flt, pi.cmin_flt, pi.maj_flt, pi.cmaj_flt);
	seq_printf(s, "%llu %llu %llu %llu ", (unsigned long long)ticks(pi.utime_ns),
		   (unsigned long long)ticks(pi.stime_ns), (unsigned long long)ticks(pi.cutime_ns),
		   (unsigned long long)ticks(pi.cstime_ns));
	/* priority (20 + nice for normal tasks), nice, threads, itrealvalue, start */
	seq_printf(s, "%d %d %d %d %llu ", 20 + pi.nice, pi.nice, pi.nr_threads, 0,
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
	/* wchan: 1 for a task waiting in the kernel, as Linux (no address). */
	seq_printf(s, "%d %d %d %d %u %u %u %u %llu %lld ", pi.state == 'S' || pi.state == 'T', 0,
		   0, 17, pi.hart, 0u, 0u, 0u, 0ull, 0ll);
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
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
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
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
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
		   pi.name, pi.umask, state_name(pi.state), pi.tgid, pi.pid, pi.ppid);
	seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t", pi.uid[0],
		   pi.uid[1], pi.uid[2], pi.uid[3], pi.gid[0], pi.gid[1], pi.gid[2], pi.gid[3],
		   m.has_as ? 64 : 0);
	for (uint32_t i = 0; i < pi.ngroups; i++)
		seq_printf(s, "%u ", pi.groups[i]);
	seq_printf(s, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", pi.tgid, pi.pid,
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
	/* The affinity mask, in hex and as a cpulist ("0,2-3"). */
	seq_printf(s, "Cpus_allowed:\t%x\nCpus_allowed_list:\t", pi.cpus_allowed);
	bool first = true;

	for (unsigned h = 0; h < nharts && h < 32; h++) {
		unsigned e = h;

		if (!(pi.cpus_allowed >> h & 1))
			continue;
		while (e + 1 < nharts && e + 1 < 32 && (pi.cpus_allowed >> (e + 1) & 1))
			e++;
		seq_printf(s, "%s%u", first ? "" : ",", h);
		if (e > h)
			seq_printf(s, "-%u", e);
		first = false;
		h = e;
	}
	seq_printf(s, "\nMems_allowed:\t00000001\nMems_allowed_list:\t0\n"
		      "voluntary_ctxt_switches:\t%u\nnonvoluntary_ctxt_switches:\t%u\n",
		   pi.polls > pi.self_wakes ? pi.polls - pi.self_wakes : 0, pi.self_wakes);
	return 0;
}

/* ---- cmdline, environ, comm ---------------------------------------------------------- */

static int show_args(struct seqbuf *s, const struct gen_ctx *c, bool env)
{
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
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
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
	struct proc_info pi;

	if (!p)
		return -ESRCH;
	proc_view_info(p, &pi);
	proc_view_put(p);
	seq_printf(s, "%s\n", pi.name);
	return 0;
}

/* ---- links ------------------------------------------------------------------------------ */

long procfs_put_link(char *buf, size_t n, const char *text)
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
	return procfs_put_link(buf, n, t);
}

long procfs_link_thread_self(const struct gen_ctx *c, char *buf, size_t n)
{
	struct proc *cur = proc_current();
	char t[40];

	(void)c;
	if (!cur)
		return -ENOENT;
	fmt_snprintf(t, sizeof(t), "%d/task/%d", proc_tgid(cur), proc_pid(cur));
	return procfs_put_link(buf, n, t);
}

long procfs_link_self_mounts(const struct gen_ctx *c, char *buf, size_t n)
{
	(void)c;
	return procfs_put_link(buf, n, "self/mounts");
}

long procfs_link_exe(const struct gen_ctx *c, char *buf, size_t n)
{
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
	long r;

	if (!p)
		return -ENOENT;
	r = proc_view_exe(p, buf, n);
	proc_view_put(p);
	return r;
}

long procfs_dir_link(struct inode *dir, char *buf, size_t n)
{
	char *path;
	long r;

	if (!dir)
		return -ENOENT;
	path = kmalloc(PATH_MAX);
	r = path ? vfs_getcwd(dir, path, PATH_MAX) : -ENOMEM;
	inode_put(dir);
	if (r > 0)
		r = procfs_put_link(buf, n, path);
	kfree(path);
	return r;
}

long procfs_link_cwd(const struct gen_ctx *c, char *buf, size_t n)
{
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
	struct inode *cwd;

	if (!p)
		return -ENOENT;
	cwd = proc_view_cwd(p);
	proc_view_put(p);
	return procfs_dir_link(cwd, buf, n);
}

long procfs_link_root(const struct gen_ctx *c, char *buf, size_t n)
{
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
	struct inode *root;

	if (!p)
		return -ENOENT;
	root = proc_view_root(p);
	proc_view_put(p);
	return procfs_dir_link(root, buf, n);
}
