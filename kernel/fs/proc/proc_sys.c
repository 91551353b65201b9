// SPDX-License-Identifier: MIT
/*
 * The system-wide files of /proc, in Linux's formats: meminfo, cpuinfo,
 * stat, uptime, loadavg, version, filesystems, mounts, mountinfo,
 * partitions and sys/kernel, sys/vm.
 */
#include "kernel/fs/dcache.h"
#include "kernel/fs/proc/procfs.h"
#include "kernel/fs/proc/procfs_int.h"

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/async/task.h"
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/mount.h"
#include "kernel/boot.h"
#include "kernel/mm/aslr.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pcache.h"
#include "kernel/mm/slab.h"
#include "kernel/proc/proc.h"
#include "kernel/random.h"
#include "kernel/spinlock.h"
#include "kernel/syscall/uts.h"
#include "kernel/time/clock.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/printf.h"
#include "lib/string.h"

const struct fdt_info *procfs_fdt;

/* ---- memory ------------------------------------------------------------------------- */

int procfs_show_meminfo(struct seqbuf *s, const struct gen_ctx *c)
{
	struct bcache_stats bs;
	struct pcache_stats ps;
	uint64_t kb = PAGE_SIZE / 1024;
	uint64_t total = page_total_count() * kb;
	uint64_t free = page_free_count() * kb;
	uint64_t buffers;

	(void)c;
	bcache_stats(&bs);
	pcache_stats(&ps);
	buffers = (uint64_t)bs.cached * kb; /* one block per page */
	/* fs/proc/meminfo.c's order; what this kernel does not have is 0. The
	 * buffer cache holds metadata: Buffers; file pages are the page
	 * cache's: Cached. Clean cached blocks and clean unmapped file pages
	 * can be dropped (drop_caches), so they count as available. */
	seq_printf(s, "MemTotal:       %8llu kB\n", (unsigned long long)total);
	seq_printf(s, "MemFree:        %8llu kB\n", (unsigned long long)free);
	seq_printf(s, "MemAvailable:   %8llu kB\n",
		   (unsigned long long)(free + (uint64_t)(bs.cached - bs.dirty) * kb +
					ps.clean_lru * kb));
	seq_printf(s, "Buffers:        %8llu kB\n", (unsigned long long)buffers);
	seq_printf(s, "Cached:         %8llu kB\n", (unsigned long long)(ps.pages * kb));
	static const char *const zero[] = {
		"SwapCached", "Active", "Inactive", "Active(anon)", "Inactive(anon)",
		"Active(file)", "Inactive(file)", "Unevictable", "Mlocked", "SwapTotal",
		"SwapFree",
	};
	for (unsigned i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		seq_printf(s, "%s:%*s%8d kB\n", zero[i], (int)(15 - strlen(zero[i])), "", 0);
	seq_printf(s, "Dirty:          %8llu kB\n",
		   (unsigned long long)(bs.dirty + ps.dirty) * kb);
	static const char *const zero2[] = {
		"Writeback", "AnonPages", "Mapped", "Shmem", "KReclaimable", "Slab",
		"SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "NFS_Unstable",
		"Bounce", "WritebackTmp", "CommitLimit", "Committed_AS",
	};
	for (unsigned i = 0; i < sizeof(zero2) / sizeof(zero2[0]); i++)
		seq_printf(s, "%s:%*s%8d kB\n", zero2[i], (int)(15 - strlen(zero2[i])), "", 0);
	seq_printf(s, "VmallocTotal:   %8d kB\nVmallocUsed:    %8d kB\nVmallocChunk:   %8d kB\n"
		      "Percpu:         %8d kB\nHugePages_Total:    0\nHugePages_Free:     0\n"
		      "HugePages_Rsvd:     0\nHugePages_Surp:     0\nHugepagesize:       2048 kB\n"
		      "Hugetlb:        %8d kB\n",
		   0, 0, 0, 0, 0);
	return 0;
}

/*
 * Linux's slabinfo 2.1 (the tunables are 0: this allocator has none). The leak check
 * (tests/qemu/test_leak.py) compares active_objs per cache, and MemFree, before and after a
 * workload once caches are dropped.
 */
int procfs_show_slabinfo(struct seqbuf *s, const struct gen_ctx *c)
{
	static struct slab_info info[64]; /* L:lock */
	static struct spinlock lock = SPINLOCK_INIT("slabinfo");
	irqflags_t fl;
	size_t n;

	(void)c;
	seq_printf(s, "slabinfo - version: 2.1\n# name            <active_objs> <num_objs> "
		      "<objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> "
		      "<sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	fl = spin_lock_irqsave(&lock);
	n = slab_snapshot(info, sizeof(info) / sizeof(info[0]));
	if (n > sizeof(info) / sizeof(info[0]))
		n = sizeof(info) / sizeof(info[0]);
	for (size_t i = 0; i < n; i++) {
		const struct slab_info *f = &info[i];

		seq_printf(s, "%-17s %6zu %6zu %6u %4u %4u : tunables %4d %4d %4d : slabdata %6zu %6zu %6d\n",
			   f->name, f->inuse, f->slabs * f->objs_per_slab, f->size, f->objs_per_slab,
			   f->pages_per_slab, 0, 0, 0, f->slabs, f->slabs, 0);
	}
	spin_unlock_irqrestore(&lock, fl);
	/* Not a slab but laid out as one: the task table's segments, a page each, kept for
	 * good once made (the leak check allows exactly their growth). */
	struct task_table_figures t;

	task_table_figures(&t);
	seq_printf(s, "%-17s %6u %6u %6u %4u %4u : tunables %4d %4d %4d : slabdata %6u %6u %6d\n",
		   "task_table", t.live, t.segs * t.per_seg, t.record, t.per_seg, 1, 0, 0, 0, t.segs,
		   t.segs, 0);
	return 0;
}

/* ---- harts ------------------------------------------------------------------------ */

int procfs_show_cpuinfo(struct seqbuf *s, const struct gen_ctx *c)
{
	const struct fdt_info *fi = procfs_fdt;
	unsigned n = hart_count();

	(void)c;
	/* arch/riscv/kernel/cpu.c c_show */
	for (unsigned i = 0; i < n; i++) {
		seq_printf(s, "processor\t: %u\nhart\t\t: %u\n", i,
			   fi && (int)i < fi->hart_count && i < FDT_MAX_HARTS ? fi->hart_ids[i] : i);
		seq_printf(s, "isa\t\t: %s\nmmu\t\t: sv39\n\n", fi && fi->isa ? fi->isa : "rv64imafdc");
	}
	return 0;
}

/*
 * Interrupt numbers as /proc/interrupts shows them (Linux's are virtual, so
 * unique across controllers): the timer is 5 (its INTC cause), PLIC source
 * s is IRQ_PLIC_BASE + s.
 */
#define IRQ_TIMER 5
#define IRQ_PLIC_BASE 16

static unsigned irq_number(unsigned plic_source)
{
	return IRQ_PLIC_BASE + plic_source;
}

/* All harts' count of interrupt number v. */
static unsigned long long irq_total(unsigned v, unsigned nharts)
{
	unsigned long long t = 0;

	for (unsigned h = 0; h < nharts && h < MAX_HARTS; h++)
		t += v == IRQ_TIMER ? arch_irq_count(ARCH_IRQ_TIMER, h) :
		     v > IRQ_PLIC_BASE ? arch_irq_count((int)(v - IRQ_PLIC_BASE), h) : 0;
	return t;
}

static void cpu_line(struct seqbuf *s, const char *name, uint64_t user, uint64_t sys,
		     uint64_t idle)
{
	seq_printf(s, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n", name, (unsigned long long)(user / NS_PER_TICK),
		   (unsigned long long)(sys / NS_PER_TICK), (unsigned long long)(idle / NS_PER_TICK));
}

int procfs_show_cpustat(struct seqbuf *s, const struct gen_ctx *c)
{
	unsigned n = hart_count();
	uint64_t u[MAX_HARTS], sy[MAX_HARTS], id[MAX_HARTS], tu = 0, ts = 0, ti = 0, polls = 0;
	int total, runnable, last;
	char name[16];

	(void)c;
	for (unsigned i = 0; i < n && i < MAX_HARTS; i++) {
		proc_hart_times(i, &u[i], &sy[i]);
		id[i] = exec_idle_ns(i);
		polls += exec_poll_count(i);
		tu += u[i];
		ts += sy[i];
		ti += id[i];
	}
	cpu_line(s, "cpu ", tu, ts, ti);
	for (unsigned i = 0; i < n && i < MAX_HARTS; i++) {
		fmt_snprintf(name, sizeof(name), "cpu%u", i);
		cpu_line(s, name, u[i], sy[i], id[i]);
	}
	proc_view_counts(&total, &runnable, &last);
	/* intr: the total, then one count per interrupt number of
	 * /proc/interrupts (IPIs are not in it, as Linux's arch IPIs). */
	unsigned last_irq = irq_number(procfs_fdt ? procfs_fdt->plic_ndev : 0);
	unsigned long long intr = 0;

	for (unsigned v = 0; v <= last_irq; v++)
		intr += irq_total(v, n);
	seq_printf(s, "intr %llu", intr);
	for (unsigned v = 0; v <= last_irq; v++)
		seq_printf(s, " %llu", irq_total(v, n));
	/* ctxt: polls (each is a switch to a task); btime: the wall clock's time
	 * at boot (CLOCK_REALTIME's offset from clock_now_ns); processes: pids
	 * handed out. */
	int64_t boot = clock_offset(0 /* CLOCK_REALTIME */);

	seq_printf(s, "\nctxt %llu\nbtime %lld\nprocesses %d\nprocs_running %d\n"
		      "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		   (unsigned long long)polls, (long long)(boot > 0 ? boot / 1000000000 : 0), last,
		   runnable);
	return 0;
}

/* ---- interrupts (kernel/irq/proc.c's layout, prec 3) ------------------------------------ */

static void irq_counts(struct seqbuf *s, int what, unsigned n)
{
	for (unsigned h = 0; h < n; h++)
		seq_printf(s, "%10lu ", arch_irq_count(what, h));
}

int procfs_show_interrupts(struct seqbuf *s, const struct gen_ctx *c)
{
	const struct fdt_info *fi = procfs_fdt;
	unsigned n = hart_count(), nvirtio = 0;

	(void)c;
	seq_printf(s, "%11s", "");
	for (unsigned h = 0; h < n; h++)
		seq_printf(s, "CPU%-8u", h);
	seq_putc(s, '\n');
	seq_printf(s, "%3d: ", IRQ_TIMER);
	irq_counts(s, ARCH_IRQ_TIMER, n);
	seq_printf(s, " RISC-V INTC   5 Edge      riscv-timer\n");
	for (unsigned irq = 1; fi && irq <= fi->plic_ndev; irq++) {
		char name[16] = "";

		if (!arch_irq_attached(irq))
			continue;
		if (irq == fi->uart_irq)
			strlcpy(name, "ttyS0", sizeof(name));
		for (int i = 0; i < fi->virtio_count && !name[0]; i++)
			if (fi->virtio_irq[i] == irq)
				fmt_snprintf(name, sizeof(name), "virtio%u", nvirtio++);
		seq_printf(s, "%3u: ", irq_number(irq));
		irq_counts(s, (int)irq, n);
		seq_printf(s, " SiFive PLIC %3u Edge      %s\n", irq, name[0] ? name : "?");
	}
	seq_printf(s, "IPI0:");
	irq_counts(s, ARCH_IRQ_IPI, n);
	seq_printf(s, " Rescheduling interrupts\n");
	return 0;
}

/* ---- time and load ------------------------------------------------------------------- */

int procfs_show_uptime(struct seqbuf *s, const struct gen_ctx *c)
{
	uint64_t now = clock_now_ns(), idle = 0;

	(void)c;
	for (unsigned i = 0; i < hart_count(); i++)
		idle += exec_idle_ns(i);
	seq_printf(s, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(now / 1000000000),
		   (unsigned long long)(now / 10000000 % 100), (unsigned long long)(idle / 1000000000),
		   (unsigned long long)(idle / 10000000 % 100));
	return 0;
}

/*
 * The load averages are sysinfo's (kernel/proc/loadavg.c samples them every
 * 5 s), so uptime (sysinfo) and top (this file) agree. Linux prints them
 * with two decimals from FSHIFT 11 fixed point, rounding as LOAD_INT/LOAD_FRAC.
 */
#define FSHIFT 11
#define FIXED_1 (1ul << FSHIFT)

int procfs_show_loadavg(struct seqbuf *s, const struct gen_ctx *c)
{
	int total, runnable, last;
	unsigned long l[3];

	(void)c;
	proc_view_counts(&total, &runnable, &last);
	proc_loadavg(l, FSHIFT);
	for (int i = 0; i < 3; i++) {
		unsigned long v = l[i] + FIXED_1 / 200;

		seq_printf(s, "%lu.%02lu ", v >> FSHIFT, ((v & (FIXED_1 - 1)) * 100) >> FSHIFT);
	}
	seq_printf(s, "%d/%d %d\n", runnable, total, last);
	return 0;
}

int procfs_show_version(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	seq_printf(s, "%s version %s (asyncrv@asyncrv) (riscv64-unknown-elf-gcc) %s\n",
		   UTS_SYSNAME, UTS_RELEASE, UTS_VERSION);
	return 0;
}

/* ---- file systems and disks --------------------------------------------------------------- */

extern const struct fs_type *const __start_fs_types[], *const __stop_fs_types[];

int procfs_show_filesystems(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	for (const struct fs_type *const *t = __start_fs_types; t < __stop_fs_types; t++)
		seq_printf(s, "%s\t%s\n", (*t)->needs_dev ? "" : "nodev", (*t)->name);
	return 0;
}

int procfs_mnt_id(const struct superblock *sb)
{
	return (int)mount_id_of_sb(sb); /* kernel/fs/mount.c */
}

/* The text is the mount list's own (kernel/fs/mount_show.c). */
int procfs_show_mounts(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	return mount_show(s, false);
}

int procfs_show_mountinfo(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	return mount_show(s, true);
}

int procfs_show_partitions(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	blkdev_show_partitions(s); /* kernel/block/blkdev_file.c */
	return 0;
}

/* ---- sys/kernel, sys/vm ------------------------------------------------------------------ */

int procfs_show_pid_max(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	seq_printf(s, "%d\n", 32768);
	return 0;
}

int procfs_show_hostname(struct seqbuf *s, const struct gen_ctx *c)
{
	char name[UTS_HOSTNAME_MAX + 1];

	(void)c;
	uts_hostname(name);
	seq_printf(s, "%s\n", name);
	return 0;
}

int procfs_store_hostname(const struct gen_ctx *c, const char *buf, size_t n)
{
	(void)c;
	if (n && buf[n - 1] == '\n')
		n--;
	return uts_set_hostname(buf, n);
}

int procfs_show_ostype(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	seq_printf(s, "%s\n", UTS_SYSNAME);
	return 0;
}

int procfs_show_osrelease(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	seq_printf(s, "%s\n", UTS_RELEASE);
	return 0;
}

static void show_uuid(struct seqbuf *s, const uint8_t u[16])
{
	for (int i = 0; i < 16; i++)
		seq_printf(s, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", u[i]);
	seq_putc(s, '\n');
}

static void make_uuid(uint8_t u[16])
{
	random_bytes(u, 16);
	u[6] = (u[6] & 0x0f) | 0x40;	/* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
}

int procfs_show_boot_id(struct seqbuf *s, const struct gen_ctx *c)
{
	static uint8_t id[16];	/* made once, at the first read */
	static bool made;
	static struct spinlock lock = SPINLOCK_INIT("boot_id");

	(void)c;
	irqflags_t fl = spin_lock_irqsave(&lock);

	if (!made) {
		make_uuid(id);
		made = true;
	}
	spin_unlock_irqrestore(&lock, fl);
	show_uuid(s, id);
	return 0;
}

int procfs_show_uuid(struct seqbuf *s, const struct gen_ctx *c)
{
	uint8_t u[16];

	(void)c;
	make_uuid(u);	/* a new one per read, as Linux */
	show_uuid(s, u);
	return 0;
}

int procfs_store_drop_caches(const struct gen_ctx *c, const char *buf, size_t n)
{
	(void)c;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	if (n != 1 || buf[0] < '1' || buf[0] > '4')
		return -EINVAL;
	/* 1 (page cache) and 3 (both): clean unmapped file pages and clean
	 * cached metadata blocks; 2 (dentries, inodes): the metadata blocks,
	 * where this kernel keeps inodes and directories; 4 only silences the
	 * log message on Linux. Dirty pages stay (Linux: sync first). */
	if (buf[0] == '1' || buf[0] == '3')
		pcache_drop_clean();
	if (buf[0] == '2' || buf[0] == '3')
		dcache_drop_all(); /* the name cache and the inodes it holds */
	if (buf[0] != '4')
		bcache_invalidate_clean(NULL);
	/* 2 and 3 also give the empty slabs back (each cache keeps one for reuse), so
	 * MemFree after a drop does not depend on which caches ran last. */
	if (buf[0] == '2' || buf[0] == '3')
		slab_shrink_all();
	return 0;
}

int procfs_show_randomize_va_space(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	seq_printf(s, "%d\n", aslr_level());
	return 0;
}

int procfs_store_randomize_va_space(const struct gen_ctx *c, const char *buf, size_t n)
{
	(void)c;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	/* One digit, as proc_dointvec_minmax takes it here (0..2, else EINVAL). */
	if (n != 1 || buf[0] < '0' || buf[0] > '2')
		return -EINVAL;
	return aslr_set_level(buf[0] - '0');
}
