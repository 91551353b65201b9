// SPDX-License-Identifier: MIT
/*
 * Power-off. The virt test finisher (sifive,test0) carries a status to QEMU's
 * exit code: 0x5555 = pass, (code << 16) | 0x3333 = fail with code. Without it
 * we fall back to SBI SRST, which QEMU reports as exit status 0 either way.
 */
#include "arch/riscv/power.h"

#include "arch/riscv/hart.h"
#include "arch/riscv/sbi.h"
#include "kernel/arch.h"
#include "kernel/mm/layout.h"

static volatile uint32_t *finisher; /* I */

void power_init(uint64_t test_finisher_pa)
{
	if (test_finisher_pa)
		finisher = pa_to_va(test_finisher_pa);
}

void arch_poweroff(int status)
{
	arch_irq_disable();
	if (finisher) {
		if (status == 0)
			*finisher = 0x5555;
		else
			*finisher = ((uint32_t)(status & 0xffff) << 16) | 0x3333;
	}
	sbi_system_reset(SBI_SRST_SHUTDOWN,
			 status ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
	arch_halt();
}

void arch_reboot(void)
{
	arch_irq_disable();
	if (finisher)
		*finisher = 0x7777; /* FINISHER_RESET */
	sbi_system_reset(SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE);
	arch_halt();
}

void arch_stop_other_harts(void)
{
	for (unsigned h = 0; h < hart_count(); h++)
		if (h != hart_id())
			arch_send_ipi(h);
}
