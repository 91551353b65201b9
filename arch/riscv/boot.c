// SPDX-License-Identifier: MIT
/*
 * C entry of every hart (from entry.S). The boot hart reads the device tree,
 * installs the kernel page table, brings up the clock, PLIC, console and page
 * allocator, starts the other harts through SBI HSM, then hands over to the
 * portable kernel_main(). Secondary harts do their per-hart setup and join.
 */
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/ipi.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/plic.h"
#include "arch/riscv/power.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/timer.h"
#include "arch/riscv/trap.h"
#include "kernel/boot.h"
#include "kernel/mm/page.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/fdt.h"
#include "lib/string.h"

void kmain_hart(unsigned index, unsigned long hartid, paddr_t dtb_pa);
void hart_set_count(unsigned n);

extern char _kernel_end[];
static char emergency_stacks[MAX_HARTS][EMERGENCY_STACK_SIZE] __attribute__((aligned(16)));
static struct boot_info boot;          /* I: filled by the boot hart */
static unsigned secondaries_up;        /* A: harts that finished setup */
static unsigned secondaries_closed;    /* A: the boot hart stopped counting them */

void arch_early_putchar(int c)
{
	sbi_console_putchar(c);
}

void arch_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
	*lo = this_hart()->stack_lo;
	*hi = this_hart()->stack_hi;
}

static void hart_local_init(unsigned index, unsigned long hartid)
{
	extern char boot_stacks[];
	struct hart_local *h = &hart_locals[index];

	h->index = index;
	h->hartid = hartid;
	h->stack_lo = (uintptr_t)boot_stacks + (uintptr_t)index * BOOT_STACK_STRIDE + PAGE_SIZE;
	h->stack_hi = h->stack_lo + BOOT_STACK_SIZE;
	h->emergency_sp = (uintptr_t)emergency_stacks[index] +
			  EMERGENCY_STACK_SIZE;
}

static bool isa_has(const char *isa, const char *ext)
{
	size_t n = strlen(ext);

	for (const char *p = isa; p && *p; p++)
		if (*p == '_' && strncmp(p + 1, ext, n) == 0 && (p[1 + n] == '_' || p[1 + n] == 0))
			return true;
	return false;
}

static bool overlaps(paddr_t a, paddr_t b, paddr_t c, paddr_t d)
{
	return a < d && c < b;
}

/* Hand [start, end) minus every reserved range to the page allocator. */
static void add_free_range(paddr_t start, paddr_t end, const paddr_t (*resv)[2], int nresv)
{
	for (int i = 0; i < nresv; i++) {
		if (overlaps(start, end, resv[i][0], resv[i][1])) {
			if (start < resv[i][0])
				add_free_range(start, resv[i][0], resv, nresv);
			if (resv[i][1] < end)
				add_free_range(resv[i][1], end, resv, nresv);
			return;
		}
	}
	start = PAGE_ALIGN_UP(start);
	end = PAGE_ALIGN_DOWN(end);
	if (start < end) {
		page_add_range(start, end);
		boot.free_bytes += end - start;
	}
}

static void memory_init(const struct fdt_info *fi, paddr_t dtb_pa)
{
	paddr_t resv[24][2];
	int n = 0;

	/* Firmware below the kernel, the kernel image, the DTB, the initrd. */
	resv[n][0] = fi->mem_base[0];
	resv[n++][1] = va_to_pa(_kernel_end);
	resv[n][0] = dtb_pa;
	resv[n++][1] = dtb_pa + fdt_total_size(pa_to_va(dtb_pa));
	if (fi->initrd_end > fi->initrd_start) {
		resv[n][0] = fi->initrd_start;
		resv[n++][1] = fi->initrd_end;
	}
	for (int i = 0; i < fi->resv_count && n < 24; i++) {
		resv[n][0] = fi->resv_base[i];
		resv[n++][1] = fi->resv_base[i] + fi->resv_size[i];
	}
	for (int i = 0; i < fi->mem_count; i++) {
		boot.mem_bytes += fi->mem_size[i];
		add_free_range(fi->mem_base[i], fi->mem_base[i] + fi->mem_size[i], resv, n);
	}
}

/*
 * Start hart @id at @entry as dense @index. A hart that entered _start
 * besides the boot hart (see entry.S) waits in extra_boot_hart for its index
 * in boot_adopt[], whatever the firmware thinks of it, so publish the index
 * first. If the firmware says the hart is already running, that hart is ours
 * (it can only be on its way to, or in, extra_boot_hart): wake it with an IPI.
 */
static long start_hart(unsigned long id, paddr_t entry, unsigned index)
{
	extern uint32_t boot_adopt[MAX_HARTS];
	long err;

	if (id < MAX_HARTS)	/* release: hart_locals[index] is written */
		__atomic_store_n(&boot_adopt[id], index + 1, __ATOMIC_RELEASE);
	err = sbi_hart_start(id, entry, index);
	if (err == SBI_ERR_ALREADY_AVAILABLE && id < MAX_HARTS) {
		sbi_send_ipi(1, id);
		return 0;
	}
	if (err && id < MAX_HARTS)
		__atomic_store_n(&boot_adopt[id], 0, __ATOMIC_RELAXED);
	return err;
}

static void start_secondaries(const struct fdt_info *fi, unsigned long boot_hartid)
{
	extern char _secondary_start[];
	extern uint32_t boot_entries;
	paddr_t entry = va_to_pa(_secondary_start);
	unsigned next = 1;
	int count = fi->hart_count < MAX_HARTS ? fi->hart_count : MAX_HARTS;

	if (fi->hart_count > MAX_HARTS)
		kprintf("boot: %d harts, only %d supported\n", fi->hart_count, MAX_HARTS);
	for (int i = 0; i < count; i++) {
		unsigned long id = fi->hart_ids[i];
		long err;

		if (id == boot_hartid)
			continue;
		hart_local_init(next, id);
		err = start_hart(id, entry, next);
		if (err) {
			kprintf("boot: hart %lu did not start (SBI error %ld)\n", id, err);
			continue;
		}
		next++;
	}
	/*
	 * Wait for each to finish its setup (bounded: a dead hart must not hang
	 * boot). Wait in wfi, woken by a 10 us timer, not by spinning: under
	 * `-icount` QEMU runs the harts in turn and a spinning hart keeps the
	 * others from running until its slice ends, which was long enough to
	 * miss the deadline on 2 harts.
	 */
	uint64_t deadline = clock_now_ns() + 2000000000ull;
	irqflags_t fl = arch_irq_save();

	while (__atomic_load_n(&secondaries_up, __ATOMIC_ACQUIRE) < next - 1 &&
	       clock_now_ns() < deadline) {
		arch_timer_set(clock_now_ns() + 10000);
		arch_wait_for_interrupt();
	}
	arch_timer_set(UINT64_MAX);
	arch_irq_restore(fl);
	hart_set_count(1 + __atomic_load_n(&secondaries_up, __ATOMIC_ACQUIRE));
	if (__atomic_load_n(&boot_entries, __ATOMIC_RELAXED) > 1)
		kprintf("boot: %u harts entered _start (a firmware race); the extra ones joined "
			"as secondaries\n", __atomic_load_n(&boot_entries, __ATOMIC_RELAXED));
	/* A hart that comes up later than this is not counted: it parks. */
	__atomic_store_n(&secondaries_closed, 1, __ATOMIC_RELEASE);
}

static void hart_common_init(void)
{
	mmu_install_kernel_table();
	trap_init_hart();
	timer_init_hart();
}

static __attribute__((noreturn)) void boot_hart_main(unsigned long hartid, paddr_t dtb_pa)
{
	static struct fdt_info fi;
	const void *dtb = pa_to_va(dtb_pa);

	hart_local_init(0, hartid);
	/* The boot table maps only the first GiB of RAM; the DTB is inside it. */
	if (fdt_check(dtb, 1 << 20) != 0 || fdt_parse_info(dtb, &fi) != 0)
		panic("boot: no valid device tree at %#lx", (unsigned long)dtb_pa);
	if (fi.mem_count == 0)
		panic("boot: device tree lists no memory");
	mmu_build_kernel_table(fi.mem_base[fi.mem_count - 1] + fi.mem_size[fi.mem_count - 1]);
	hart_set_count(1);
	hart_common_init();
	power_init(fi.test_base);
	timer_init(fi.timebase_hz, isa_has(fi.isa, "sstc"));
	plic_init(fi.plic_base, fi.plic_ndev);
	memory_init(&fi, dtb_pa);

	boot.fdt = &fi;
	boot.dtb = dtb;
	boot.boot_hartid = hartid;
	boot.timebase_hz = fi.timebase_hz;
	boot.has_sstc = timer_has_sstc();
	boot.bootargs = fi.bootargs ? fi.bootargs : "";
	kernel_early_init(&boot);
	start_secondaries(&fi, hartid);
	boot.harts_online = hart_count();
	ipi_init(&fi, boot.harts_online);
	boot.ipi_direct = ipi_uses_sswi(0);
	plic_init_hart();
	kernel_main(&boot);
}

static __attribute__((noreturn, noinline)) void secondary_main(unsigned index)
{
	hart_common_init();
	plic_init_hart();
	__atomic_fetch_add(&secondaries_up, 1, __ATOMIC_RELEASE);
	/* Wait until the boot hart has counted us, so hart_count() covers us. */
	while (hart_count() <= index) {
		if (__atomic_load_n(&secondaries_closed, __ATOMIC_ACQUIRE) && hart_count() <= index) {
			kprintf("boot: hart %u came up after the boot hart stopped waiting; parked\n",
				index);
			arch_halt();
		}
		arch_cpu_relax();
	}
	kernel_secondary_main();
}

void kmain_hart(unsigned index, unsigned long hartid, paddr_t dtb_pa)
{
	if (index == 0)
		boot_hart_main(hartid, dtb_pa);
	secondary_main(index);
}
