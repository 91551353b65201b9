// SPDX-License-Identifier: MIT
/* Per-hart data and the interrupt-state half of kernel/arch.h. */
#include "arch/riscv/hart.h"

#include "arch/riscv/csr.h"
#include "kernel/arch.h"
#include "kernel/trapdefs.h"

#include <stddef.h>

_Static_assert(offsetof(struct hart_local, index) == 0, "arch_inline.h reads the index at 0(tp)");
_Static_assert(offsetof(struct hart_local, exec) == 8, "arch_inline.h reads exec at 8(tp)");
_Static_assert(SSTATUS_SIE == ARCH_SSTATUS_SIE, "arch_inline.h's SIE bit");

struct hart_local hart_locals[MAX_HARTS];
static unsigned harts_online; /* I after boot: written by the boot hart only */

unsigned hart_count(void)
{
	return __atomic_load_n(&harts_online, __ATOMIC_ACQUIRE);
}

void hart_set_count(unsigned n)
{
	__atomic_store_n(&harts_online, n, __ATOMIC_RELEASE);
}

void arch_set_hart_exec(unsigned hart, void *exec)
{
	hart_locals[hart].exec = exec;
}

unsigned long hart_raw_id(unsigned index)
{
	return hart_locals[index].hartid;
}

void arch_irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

void arch_irq_disable(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}

bool arch_irq_enabled(void)
{
	return csr_read(sstatus) & SSTATUS_SIE;
}

void arch_wait_for_interrupt(void)
{
	/* wfi returns when an enabled interrupt is pending even with SIE clear. */
	__asm__ volatile("wfi" ::: "memory");
	/*
	 * Called with interrupts off (sleep_if_idle): if what woke us is an IPI,
	 * take it here rather than through the trap vector once the caller
	 * turns interrupts back on. An IPI carries nothing (the wake queue does),
	 * so clearing SSIP is all its handler does; this skips a full register
	 * save and restore on every cross-hart wake of an idle hart.
	 */
	if (csr_read(sip) & SIE_SSIE) {
		csr_clear(sip, SIE_SSIE);
		this_hart()->irq_count[0]++;
		arch_tlb_shootdown_service();
		if (panic_in_progress())
			arch_halt();
	}
}

void arch_halt(void)
{
	arch_irq_disable();
	csr_write(sie, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void arch_flush_tlb_page(uintptr_t va)
{
	sfence_vma_page(va);
}

void arch_flush_tlb_all(void)
{
	sfence_vma_all();
}

void arch_io_fence(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}
