// SPDX-License-Identifier: MIT
/* Running user contexts: trap decoding, lazy FP, and the user page table. */
#include "arch/riscv/uctx.h"

#include <stddef.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/mmu.h"
#include "kernel/proc/signal.h"
#include "lib/string.h"

_Static_assert(offsetof(struct user_context, fcsr) - offsetof(struct user_context, f) == 32 * 8,
	       "uentry.S stores fcsr right after f[31]");

#define SSTATUS_FS_CLEAN (2UL << 13)
#define SSTATUS_FS_DIRTY (3UL << 13)

/* FP state identities: a context's registers are reloaded whenever the
 * hart last ran a different one (a fresh id per context, never reused). */
static uint64_t fp_gen_next = 1; /* A */

static uint64_t new_fp_gen(void)
{
	return __atomic_fetch_add(&fp_gen_next, 1, __ATOMIC_RELAXED);
}

void uctx_init(struct user_context *uc, uintptr_t pc, uintptr_t sp)
{
	memset(uc, 0, sizeof(*uc));
	uc->pc = pc;
	uc->x[2] = sp;
	uc->fp_gen = new_fp_gen();
}

void uctx_fork(struct user_context *child, const struct user_context *parent)
{
	*child = *parent;
	child->x[10] = 0;
	child->fp_gen = new_fp_gen();
}

static void decode(const struct user_context *uc, struct user_trap *t)
{
	unsigned long cause = uc->scause;

	if (cause & SCAUSE_INTR) {
		t->event = USER_EVENT_INTERRUPT;
		return;
	}
	t->event = USER_EVENT_SIGNAL;
	switch (cause) {
	case 8: /* environment call from U-mode */
		t->event = USER_EVENT_SYSCALL;
		break;
	case 12: /* instruction page fault */
	case 13: /* load page fault */
	case 15: /* store/AMO page fault */
		t->event = USER_EVENT_PAGE_FAULT;
		t->fault_addr = uc->stval;
		t->fault_access = cause == 12 ? 4 : cause == 13 ? 1 : 2;
		break;
	case 2:
		t->signal = SIGILL;
		break;
	case 3:
		t->signal = SIGTRAP;
		break;
	case 0:
	case 4:
	case 6:
		t->signal = SIGBUS;
		break;
	default: /* access faults and anything unexpected */
		t->signal = SIGSEGV;
		break;
	}
}

void arch_user_run(struct user_context *uc, struct user_trap *t)
{
	struct hart_local *h = this_hart();

	/* FS must be on for the kernel's own FP save/restore instructions. */
	csr_clear(sstatus, SSTATUS_FS_MASK);
	csr_set(sstatus, SSTATUS_FS_CLEAN);
	if (h->fp_gen != uc->fp_gen) {
		arch_fp_restore(uc);
		h->fp_gen = uc->fp_gen;
	}
	arch_user_enter_raw(uc);
	if ((csr_read(sstatus) & SSTATUS_FS_MASK) == SSTATUS_FS_DIRTY)
		arch_fp_save(uc);
	decode(uc, t);
	if (t->event == USER_EVENT_SYSCALL)
		uc->pc += 4;
}

void arch_user_space_enter(uint64_t root_pa)
{
	csr_write(satp, SATP_MODE_SV39 | (root_pa >> PAGE_SHIFT));
	sfence_vma_all();
}

void arch_user_space_leave(void)
{
	mmu_install_kernel_table();
}
