// SPDX-License-Identifier: MIT
/* Running user contexts: trap decoding, lazy FP, and the user page table. */
#include "arch/riscv/uctx.h"

#include <stddef.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/mmu.h"
#include "kernel/mm/slab.h"
#include "kernel/proc/signal.h"
#include "lib/errno.h"
#include "lib/string.h"

_Static_assert(offsetof(struct user_fp, f) == 0 && offsetof(struct user_fp, fcsr) == 32 * 8,
	       "uentry.S stores f[] at the start and fcsr right after f[31]");
_Static_assert(offsetof(struct user_context, pc) == 0, "pc lives in x0's slot");

#define SSTATUS_FS_CLEAN (2UL << 13)
#define SSTATUS_FS_DIRTY (3UL << 13)

/*
 * What a hart's FP registers hold, in hart_local.fp_gen: FP_REGS_ZERO (all
 * zero, fcsr too), FP_REGS_UNKNOWN (anything: at boot, or after a failed
 * first save), or else the address of the struct user_fp last loaded or saved
 * there (an identity, never dereferenced). Each state records the hart it was
 * last loaded on or saved from: the registers are current only if both
 * agree. A freed and reallocated state starts with hart = -1, and a context
 * that ran (and changed its FP registers) on another hart since has a
 * different hart.
 */
#define FP_REGS_UNKNOWN 0 /* hart_local starts zeroed */
#define FP_REGS_ZERO 1    /* never the address of a struct user_fp */

static struct slab_cache user_fp_cache =
	SLAB_CACHE_INIT("user_fp", sizeof(struct user_fp), 8);

static bool fp_is_loaded(const struct hart_local *h, const struct user_fp *fp)
{
	return h->fp_gen == (uintptr_t)fp && fp->hart == (int32_t)h->index;
}

static struct user_fp *fp_alloc(void)
{
	return slab_alloc(&user_fp_cache);
}

size_t uctx_fp_alloc_size(void)
{
	return user_fp_cache.size;
}

void uctx_release(struct user_context *uc)
{
	slab_free(&user_fp_cache, uc->f); /* NULL: no-op */
	uc->f = NULL;
}

void uctx_init(struct user_context *uc, uintptr_t pc, uintptr_t sp)
{
	uctx_release(uc);
	memset(uc, 0, sizeof(*uc));
	uc->pc = pc;
	uc->x[2] = sp;
}

int uctx_fork(struct user_context *child, const struct user_context *parent)
{
	*child = *parent;
	child->x[10] = 0;
	child->f = NULL;
	if (!parent->f)
		return 0;
	/* The parent trapped into the kernel (clone), so its state is saved. */
	child->f = fp_alloc();
	if (!child->f)
		return -ENOMEM;
	*child->f = *parent->f;
	child->f->hart = -1;
	return 0;
}

int uctx_set_fp(struct user_context *uc, const uint64_t f[32], uint32_t fcsr)
{
	bool zero = fcsr == 0;

	for (int i = 0; zero && i < 32; i++)
		zero = f[i] == 0;
	if (!uc->f && zero)
		return 0;	/* no state means all zero already */
	if (!uc->f && !(uc->f = fp_alloc()))
		return -ENOMEM;
	memcpy(uc->f->f, f, sizeof(uc->f->f));
	uc->f->fcsr = fcsr;
	uc->f->hart = -1;	/* not what any hart holds: reload at the next run */
	return 0;
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

/*
 * The program without FP state has just written an FP register (sstatus.FS
 * went from Initial to Dirty): give it a state and save the registers in it.
 * False when out of memory.
 */
static bool fp_first_save(struct user_context *uc, struct hart_local *h)
{
	struct user_fp *fp = fp_alloc();

	if (!fp) {
		h->fp_gen = FP_REGS_UNKNOWN; /* no longer zero */
		return false;
	}
	arch_fp_save(fp);
	fp->hart = (int32_t)h->index;
	h->fp_gen = (uintptr_t)fp;
	uc->f = fp;
	return true;
}

void arch_user_run(struct user_context *uc, struct user_trap *t)
{
	struct hart_local *h = this_hart();
	struct user_fp *fp = uc->f;

	/*
	 * FS is on in every case: the program may use FP at any time, and the
	 * kernel's own restore needs it too. It is set to its final value
	 * after the restore (which would leave it Dirty), so a trap finds
	 * Dirty only if the program wrote an FP register.
	 */
	csr_set(sstatus, SSTATUS_FS_MASK);
	if (fp) {
		if (!fp_is_loaded(h, fp)) {
			arch_fp_restore(fp);
			h->fp_gen = (uintptr_t)fp;
			fp->hart = (int32_t)h->index;
		}
		csr_clear(sstatus, SSTATUS_FS_MASK ^ SSTATUS_FS_CLEAN);
	} else {
		/* No state yet: the registers are zero, as a state would be. A
		 * program that only reads them (glibc's setjmp, run by every
		 * static glibc program before main) never gets one. */
		if (h->fp_gen != FP_REGS_ZERO) {
			arch_fp_zero();
			h->fp_gen = FP_REGS_ZERO;
		}
		csr_clear(sstatus, SSTATUS_FS_MASK ^ SSTATUS_FS_INITIAL);
	}
	arch_user_enter_raw(uc);
	if ((csr_read(sstatus) & SSTATUS_FS_MASK) == SSTATUS_FS_DIRTY) {
		if (fp) {
			arch_fp_save(fp);
		} else if (!fp_first_save(uc, h)) {
			/* Nowhere to keep its FP registers: killed, as by an
			 * OOM kill (the trap itself is not acted on). */
			t->event = USER_EVENT_SIGNAL;
			t->signal = SIGKILL;
			return;
		}
	}
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
