/* SPDX-License-Identifier: MIT */
/* The register frame a trap saves, and the trap handling entry points. */
#ifndef ARCH_RISCV_TRAP_H
#define ARCH_RISCV_TRAP_H

#ifndef __ASSEMBLY__
#include <stdint.h>

/* x[n] holds register xn (x[0] unused); assembly indexes it as n * 8. */
struct trap_frame {
	unsigned long x[32];
	unsigned long sepc;
	unsigned long sstatus;
	unsigned long scause;
	unsigned long stval;
};

_Static_assert(sizeof(struct trap_frame) % 16 == 0, "trap frame keeps sp 16-aligned");

#define REG_RA 1
#define REG_SP 2
#define REG_TP 4
#define REG_FP 8
#define REG_A0 10

void kernel_trap(struct trap_frame *tf);
void trap_init_hart(void);
const char *trap_cause_name(unsigned long scause);
void trap_report(const struct trap_frame *tf, const char *why);
#endif

#endif
