// SPDX-License-Identifier: MIT
/*
 * The portable half of boot: drivers and allocators on the boot hart, the
 * banner once every hart is online, then either the in-kernel tests
 * (`ktest` on the command line) or the normal run.
 */
#include "kernel/boot.h"

#include "kernel/arch.h"
#include "kernel/drivers/uart16550.h"
#include "kernel/ktest.h"
#include "kernel/mm/page.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/fdt.h"

extern bool panic_halts;

void kernel_early_init(const struct boot_info *bi)
{
	char buf[16];

	bootarg_set_cmdline(bi->bootargs);
	if (bootarg("panic", buf, sizeof(buf)) && buf[0] == 'h')
		panic_halts = true;
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
	kprintf("timebase: %lu Hz, timer: %s\n", (unsigned long)bi->timebase_hz,
		bi->has_sstc ? "sstc" : "sbi");
	kprintf("cmdline: %s\n", bi->bootargs);
}

/* Before the executor exists: echo the console, sleep in wfi when idle. */
static __attribute__((noreturn)) void idle_loop(bool echo)
{
	for (;;) {
		char buf[64];
		size_t n = echo ? uart_read(buf, sizeof(buf)) : 0;

		if (n) {
			uart_write(buf, n);
			continue;
		}
		arch_irq_disable();
		/* Interrupts off between the check and wfi: a byte that arrives
		 * now leaves its interrupt pending and wfi returns at once. */
		n = echo ? uart_read(buf, sizeof(buf)) : 0;
		if (!n)
			arch_wait_for_interrupt();
		arch_irq_enable();
		if (n)
			uart_write(buf, n);
	}
}

/* The UART interrupt may be taken by any hart; the echo loop runs on hart 0. */
static void rx_kick_boot_hart(void *arg)
{
	(void)arg;
	if (hart_id() != 0)
		arch_send_ipi(0);
}

void kernel_main(const struct boot_info *bi)
{
	char sel[64];

	uart_set_rx_notify(rx_kick_boot_hart, 0);
	banner(bi);
	arch_irq_enable();
	if (bootarg("ktest", sel, sizeof(sel)))
		ktest_run(sel);
	idle_loop(true);
}

void kernel_secondary_main(void)
{
	arch_irq_enable();
	idle_loop(false);
}

/* Placeholder until kernel/async's timer queue lands: nothing is armed. */
void timerq_on_interrupt(void)
{
}
