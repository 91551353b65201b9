// SPDX-License-Identifier: MIT
/*
 * Kernel-mode traps: interrupts are dispatched (IPI, timer, PLIC); any
 * exception taken in the kernel is a bug and produces a full report
 * (cause by name, sepc and its symbol, stval, hart, registers, backtrace),
 * then every hart is stopped.
 */
#include "arch/riscv/trap.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/plic.h"
#include "kernel/backtrace.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/trapdefs.h"

static const char *const exception_names[] = {
	[0] = "instruction address misaligned",
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[3] = "breakpoint",
	[4] = "load address misaligned",
	[5] = "load access fault",
	[6] = "store/AMO address misaligned",
	[7] = "store/AMO access fault",
	[8] = "environment call from U-mode",
	[9] = "environment call from S-mode",
	[12] = "instruction page fault",
	[13] = "load page fault",
	[15] = "store/AMO page fault",
};

static const char *const interrupt_names[] = {
	[IRQ_S_SOFT] = "supervisor software interrupt",
	[IRQ_S_TIMER] = "supervisor timer interrupt",
	[IRQ_S_EXT] = "supervisor external interrupt",
};

const char *trap_cause_name(unsigned long scause)
{
	unsigned long code = scause & ~SCAUSE_INTR;
	const char *name = 0;

	if (scause & SCAUSE_INTR) {
		if (code < sizeof(interrupt_names) / sizeof(interrupt_names[0]))
			name = interrupt_names[code];
	} else if (code < sizeof(exception_names) / sizeof(exception_names[0])) {
		name = exception_names[code];
	}
	return name ? name : "unknown cause";
}

static const char *const reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
	"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
	"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

void trap_report(const struct trap_frame *tf, const char *why)
{
	char sym[96];

	ksyms_describe(tf->sepc, sym, sizeof(sym));
	kprintf("\n*** %s on hart %u (hartid %lu): %s (scause %#lx)\n", why, hart_id(),
		this_hart()->hartid, trap_cause_name(tf->scause), tf->scause);
	kprintf("    sepc %016lx %s\n    stval %016lx  sstatus %016lx\n", tf->sepc, sym,
		tf->stval, tf->sstatus);
	for (int i = 1; i < 32; i += 4)
		kprintf("    %-4s %016lx  %-4s %016lx  %-4s %016lx  %-4s %016lx\n",
			reg_names[i], tf->x[i], reg_names[i + 1], tf->x[i + 1],
			reg_names[i + 2], tf->x[i + 2], reg_names[(i + 3) % 32],
			i + 3 < 32 ? tf->x[i + 3] : 0);
	backtrace_print(tf->sepc, tf->x[REG_RA], tf->x[REG_FP]);
}

static void ipi_interrupt(void)
{
	csr_clear(sip, SIE_SSIE);
	this_hart()->irq_count[0]++;
	arch_tlb_shootdown_service();
	if (panic_in_progress())
		arch_halt();
}

void kernel_trap(struct trap_frame *tf)
{
	unsigned long cause = tf->scause;

	if (!(cause & SCAUSE_INTR)) {
		if (tf->sstatus & SSTATUS_SPP) {
			trap_report(tf, "kernel exception");
			panic("unexpected exception in the kernel");
		}
		panic("user trap through the kernel vector (scause %#lx)", cause);
	}
	switch (cause & ~SCAUSE_INTR) {
	case IRQ_S_SOFT:
		ipi_interrupt();
		break;
	case IRQ_S_TIMER:
		this_hart()->irq_count[1]++;
		/* Disarm first: the queue reprograms the next deadline, if any. */
		arch_timer_set(UINT64_MAX);
		timerq_on_interrupt();
		break;
	case IRQ_S_EXT:
		this_hart()->irq_count[2]++;
		plic_handle();
		break;
	default:
		panic("unexpected interrupt %s (scause %#lx)", trap_cause_name(cause), cause);
	}
}

void trap_init_hart(void)
{
	extern char kernel_trap_vector[];

	csr_write(stvec, (uintptr_t)kernel_trap_vector);
	csr_write(sscratch, 0);
	csr_set(sie, SIE_SSIE);
}
