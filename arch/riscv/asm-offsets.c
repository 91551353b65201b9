// SPDX-License-Identifier: MIT
/*
 * Compiled to assembly only: each OFFSET() line becomes a #define in the
 * generated build/k/asm-offsets.h, so assembly never hand-keeps offsets.
 */
#include <stddef.h>

#include "arch/riscv/hart.h"
#include "arch/riscv/trap.h"
#include "arch/riscv/uctx.h"

#define OFFSET(name, value) __asm__ volatile("\n@@OFFSET " #name " %0" ::"i"(value))

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(HL_STACK_LO, offsetof(struct hart_local, stack_lo));
	OFFSET(HL_EMERGENCY_SP, offsetof(struct hart_local, emergency_sp));
	OFFSET(HL_KERNEL_SP, offsetof(struct hart_local, kernel_sp));
	OFFSET(HL_USER_FRAME, offsetof(struct hart_local, user_frame));
	OFFSET(HL_SCRATCH, offsetof(struct hart_local, scratch));
	OFFSET(UC_PC, offsetof(struct user_context, pc));
	OFFSET(UC_SCAUSE, offsetof(struct user_context, scause));
	OFFSET(UC_STVAL, offsetof(struct user_context, stval));
	OFFSET(UC_F, offsetof(struct user_context, f));
	OFFSET(HART_LOCAL_SIZE, sizeof(struct hart_local));
	OFFSET(TF_SIZE, sizeof(struct trap_frame));
	OFFSET(TF_SEPC, offsetof(struct trap_frame, sepc));
	OFFSET(TF_SSTATUS, offsetof(struct trap_frame, sstatus));
	OFFSET(TF_SCAUSE, offsetof(struct trap_frame, scause));
	OFFSET(TF_STVAL, offsetof(struct trap_frame, stval));
}
