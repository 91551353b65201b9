/* SPDX-License-Identifier: MIT */
/*
 * Per-hart data, reached through tp while in the kernel. Each hart has a boot
 * stack with an unmapped guard page below it, and a small emergency stack the
 * trap vector switches to when the boot stack has overflowed.
 *
 * Fields: I = set at init and then read-only, H = owner hart only.
 */
#ifndef ARCH_RISCV_HART_H
#define ARCH_RISCV_HART_H

#include "kernel/arch.h"
#include "kernel/mm/layout.h"

#define BOOT_STACK_SIZE (32 * 1024)
#define EMERGENCY_STACK_SIZE (8 * 1024)

/* Layout of one hart's stack area in .bss.stacks: [guard page][stack]. */
#define BOOT_STACK_STRIDE (PAGE_SIZE + BOOT_STACK_SIZE)

#ifndef __ASSEMBLY__
#include <stdint.h>

struct hart_local {
	unsigned index;             /* I: dense index, 0 = boot hart */
	void *exec;                 /* I: this hart's executor (arch_hart_exec) */
	unsigned long hartid;       /* I: the hart's mhartid */
	uintptr_t stack_lo;         /* I: lowest usable byte of the boot stack */
	uintptr_t stack_hi;         /* I: one past the top of the boot stack */
	uintptr_t emergency_sp;     /* I: top of the emergency stack */
	uintptr_t kernel_sp;        /* H: kernel sp saved while in user mode */
	void *user_frame;           /* H: user context running here (uentry.S) */
	unsigned long scratch;      /* H: one register's room for the user trap vector */
	uint64_t fp_gen;            /* H: whose FP registers are loaded (uctx.c) */
	unsigned long irq_count[3]; /* H: soft, timer, external interrupts taken */
} __attribute__((aligned(64)));

extern struct hart_local hart_locals[MAX_HARTS];

static inline struct hart_local *this_hart(void)
{
	struct hart_local *tp;
	__asm__("mv %0, tp" : "=r"(tp));
	return tp;
}

/* Raw hartid of a dense index (for SBI and the PLIC). */
unsigned long hart_raw_id(unsigned index);
#endif

#endif
