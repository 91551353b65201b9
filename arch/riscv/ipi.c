// SPDX-License-Identifier: MIT
/*
 * Inter-processor interrupts. A hart raises another hart's supervisor
 * software interrupt (sip.SSIP); the receiver clears it in trap.c.
 *
 * Two ways to raise it:
 *   - the ACLINT SSWI device (QEMU virt with aclint=on): one MMIO store from
 *     S-mode, a handful of instructions;
 *   - the SBI IPI extension: an ecall into OpenSBI, which writes the target's
 *     M-mode software interrupt, takes it there and sets SSIP, hundreds of
 *     instructions on both harts.
 * The SSWI is used for every hart the device tree maps; SBI otherwise.
 */
#include "arch/riscv/hart.h"
#include "arch/riscv/ipi.h"
#include "arch/riscv/sbi.h"
#include "kernel/mm/layout.h"

static volatile uint32_t *sswi_reg[MAX_HARTS]; /* I: SETSSIP of each hart, or NULL */

void ipi_init(const struct fdt_info *fi, unsigned nharts)
{
	volatile uint32_t *base;

	if (!fi->sswi_base)
		return;
	base = pa_to_va(fi->sswi_base);
	for (unsigned h = 0; h < nharts && h < MAX_HARTS; h++) {
		for (int i = 0; i < fi->sswi_count; i++) {
			if (fi->sswi_hart_ids[i] == hart_raw_id(h))
				sswi_reg[h] = base + i;
		}
	}
}

bool ipi_uses_sswi(unsigned hart)
{
	return hart < MAX_HARTS && sswi_reg[hart];
}

void arch_spin_kick(unsigned hart)
{
	arch_send_ipi(hart);
}

void arch_send_ipi(unsigned hart)
{
	volatile uint32_t *r = sswi_reg[hart];

	if (r) {
		/* Our earlier stores (the queue push the target will look at)
		 * before the device store; the callers' fences order memory
		 * with memory only. */
		__asm__ volatile("fence w, o" ::: "memory");
		*r = 1;
		return;
	}
	sbi_send_ipi(1, hart_raw_id(hart));
}
