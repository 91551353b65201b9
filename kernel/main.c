// SPDX-License-Identifier: MIT
/*
 * The portable half of boot: drivers and allocators on the boot hart, the
 * banner once every hart is online, then either the in-kernel tests
 * (`ktest` on the command line) or the normal run.
 */
#include "kernel/boot.h"

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/echo.h"
#include "kernel/block/blkdev.h"
#include "kernel/block/memdisk.h"
#include "kernel/drivers/uart16550.h"
#include "kernel/kbench.h"
#include "kernel/block/blkdev.h"
#include "kernel/ktest.h"
#include "kernel/mm/page.h"
#include "kernel/panic.h"
#include "kernel/mm/aslr.h"
#include "kernel/mm/pcache.h"
#include "kernel/mm/vdso.h"
#include "kernel/printk.h"
#include "kernel/fs/ext2/ext2.h"
#include "kernel/fs/ramfs/ramfs.h"
#include "kernel/drivers/tty/tty.h"
#include "kernel/mm/layout.h"
#include "kernel/fs/proc/procfs.h"
#include "kernel/fs/tmpfs/tmpfs.h"
#include "kernel/proc/proc.h"
#include "kernel/random.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time/clock.h"
#include "lib/fdt.h"
#include "lib/string.h"

extern bool panic_halts;

static uint32_t max_tasks; /* I: the executor's task limit */

/* Seed the kernel's generator from the device tree's rng-seed (QEMU fills
 * /chosen/rng-seed with host randomness) and the boot time. */
static void seed_random(const struct boot_info *bi)
{
	struct {
		uint64_t now, hartid;
		uint8_t dt[64];
	} seed = { .now = clock_now_ns(), .hartid = bi->boot_hartid };
	int chosen = fdt_path_offset(bi->dtb, "/chosen");
	int len = 0;
	const void *dt = chosen >= 0 ? fdt_getprop(bi->dtb, chosen, "rng-seed", &len) : NULL;

	if (dt && len > 0)
		memcpy(seed.dt, dt, len < (int)sizeof(seed.dt) ? (size_t)len : sizeof(seed.dt));
	random_init(&seed, sizeof(seed));
}

/* Mount the initrd as the root and start init; false if there is none. */
static bool start_user_space(const struct boot_info *bi)
{
	const struct fdt_info *fi = bi->fdt;
	int err;

	/* An ext2 on the first virtio disk is the root when it mounts; the
	 * initramfs is the fallback (and without either, the echo console). */
	struct blkdev *vda = blkdev_find("vda");
	bool disk_root = vda && ext2_mount_root(vda) == 0;

	if (!disk_root && fi->initrd_end <= fi->initrd_start) {
		kprintf("no initrd: console echo only\n");
		return false;
	}
	if (!disk_root && fi->initrd_end > fi->initrd_start) {
		err = ramfs_mount_root_from_cpio(pa_to_va(fi->initrd_start),
						 fi->initrd_end - fi->initrd_start);
		if (err) {
			kprintf("initrd: unpacking failed (%d)\n", err);
			return false;
		}
	}
	/* The archive was copied into the ramfs (or is unused): its pages are free now. */
	if (fi->initrd_end > fi->initrd_start)
		page_add_range(PAGE_ALIGN_UP(fi->initrd_start), PAGE_ALIGN_DOWN(fi->initrd_end));
	tty_init();
	procfs_boot(fi);
	tmpfs_boot();
	const char *init_argv[32];
	unsigned n = bootarg_init_argv(init_argv, 31);

	init_argv[n] = NULL;
	err = proc_start_init(init_argv);
	if (err) {
		kprintf("init: could not start /sbin/init (%d)\n", err);
		return false;
	}
	return true;
}

void kernel_early_init(const struct boot_info *bi)
{
	char buf[16];

	bootarg_set_cmdline(bi->bootargs);
	seed_random(bi);
	syscall_init();
	pcache_init();
	aslr_init();
	{
		uint64_t base, scale;

		arch_clock_scale(&base, &scale);
		vdso_init(base, scale);
	}
	if (bootarg("panic", buf, sizeof(buf)) && buf[0] == 'h')
		panic_halts = true;
	unsigned nharts = bi->fdt->hart_count < MAX_HARTS ? bi->fdt->hart_count : MAX_HARTS;
	/* As many tasks as memory allows, up to the default: halve on -ENOMEM. */
	for (max_tasks = EXEC_MAX_TASKS_DEFAULT; max_tasks >= 1024; max_tasks /= 2)
		if (exec_init_sized(nharts, max_tasks) == 0)
			break;
	if (max_tasks < 1024)
		panic("executor: not enough memory for 1024 tasks");
	if (bi->fdt->uart_base && uart_init(bi->fdt->uart_base, bi->fdt->uart_irq) != 0)
		kprintf("uart: could not attach irq %u; staying on the SBI console\n",
			bi->fdt->uart_irq);
}

static void banner(const struct boot_info *bi)
{
	kprintf("\nasync-rv kernel %s\n", KVERSION);
	kprintf("harts online: %u of %d (boot hart %lu)\n", bi->harts_online, bi->fdt->hart_count,
		bi->boot_hartid);
	kprintf("memory: %lu MiB (%lu KiB free in %lu pages)\n",
		(unsigned long)(bi->mem_bytes >> 20), (unsigned long)(bi->free_bytes >> 10),
		(unsigned long)page_free_count());
	kprintf("timebase: %lu Hz, timer: %s, ipi: %s\n", (unsigned long)bi->timebase_hz,
		bi->has_sstc ? "sstc" : "sbi", bi->ipi_direct ? "aclint-sswi" : "sbi");
	kprintf("executor: up to %u tasks\n", max_tasks);
	kprintf("cmdline: %s\n", bi->bootargs);
}

void kernel_main(const struct boot_info *bi)
{
	char sel[512];	/* a ktest= list may name many cases (make grade) */

	banner(bi);
	blkdev_probe_all(bi);
	memdisk_probe(); /* images for tests/qemu/test_corrupt.py, if a disk holds them */
	clock_init(bi->dtb); /* the wall clock, from the RTC */
	arch_irq_enable();
	if (bootarg("ktest", sel, sizeof(sel)))
		ktest_run(sel);
	if (bootarg("kbench", sel, sizeof(sel)))
		kbench_run(sel);
	if (!start_user_space(bi))
		echo_start();
	exec_run();
}

void kernel_secondary_main(void)
{
	arch_irq_enable();
	exec_run();
}

