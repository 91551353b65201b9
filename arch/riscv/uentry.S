/* SPDX-License-Identifier: MIT */
/*
 * Entering and leaving user mode without a per-process kernel stack.
 *
 * arch_user_enter_raw(uc)
 *   in: a0 = struct user_context *, tp = hart_local, interrupts off.
 *   Saves ra, sp, gp and s0-s11 on the current (hart) stack, records sp and
 *   uc in hart_local, points stvec at user_trap_vector and sscratch at
 *   hart_local, loads every user register from uc and srets to uc->pc with
 *   SPP = U and SPIE = 1 (so the program runs with interrupts on).
 *   "Returns" when the program traps: user_trap_vector saves its registers
 *   into uc (with sepc, scause, stval), restores the kernel's, stvec and
 *   sscratch, and returns to the caller with interrupts off.
 *   clobbers: all caller-saved registers.
 */
#include "asm-offsets.h"

#define SAVE_KREGS 14

	.section .text
	.global arch_user_enter_raw
	.align	2
arch_user_enter_raw:
	addi	sp, sp, -SAVE_KREGS * 8
	sd	ra, 0*8(sp)
	sd	gp, 1*8(sp)
	sd	s0, 2*8(sp)
	sd	s1, 3*8(sp)
	sd	s2, 4*8(sp)
	sd	s3, 5*8(sp)
	sd	s4, 6*8(sp)
	sd	s5, 7*8(sp)
	sd	s6, 8*8(sp)
	sd	s7, 9*8(sp)
	sd	s8, 10*8(sp)
	sd	s9, 11*8(sp)
	sd	s10, 12*8(sp)
	sd	s11, 13*8(sp)
	sd	sp, HL_KERNEL_SP(tp)
	sd	a0, HL_USER_FRAME(tp)

	lla	t0, user_trap_vector
	csrw	stvec, t0
	csrw	sscratch, tp
	ld	t0, UC_PC(a0)
	csrw	sepc, t0
	li	t0, 0x100		/* SPP: return to U-mode */
	csrc	sstatus, t0
	li	t0, 0x20		/* SPIE: interrupts on after sret */
	csrs	sstatus, t0

	ld	x1, 1*8(a0)
	ld	x2, 2*8(a0)
	ld	x3, 3*8(a0)
	ld	x4, 4*8(a0)
	ld	x5, 5*8(a0)
	ld	x6, 6*8(a0)
	ld	x7, 7*8(a0)
	ld	x8, 8*8(a0)
	ld	x9, 9*8(a0)
	ld	x11, 11*8(a0)
	ld	x12, 12*8(a0)
	ld	x13, 13*8(a0)
	ld	x14, 14*8(a0)
	ld	x15, 15*8(a0)
	ld	x16, 16*8(a0)
	ld	x17, 17*8(a0)
	ld	x18, 18*8(a0)
	ld	x19, 19*8(a0)
	ld	x20, 20*8(a0)
	ld	x21, 21*8(a0)
	ld	x22, 22*8(a0)
	ld	x23, 23*8(a0)
	ld	x24, 24*8(a0)
	ld	x25, 25*8(a0)
	ld	x26, 26*8(a0)
	ld	x27, 27*8(a0)
	ld	x28, 28*8(a0)
	ld	x29, 29*8(a0)
	ld	x30, 30*8(a0)
	ld	x31, 31*8(a0)
	ld	x10, 10*8(a0)
	sret

/*
 * user_trap_vector: stvec while a user program runs.
 *   in: any trap from U-mode; sscratch = hart_local; SIE = 0 (hardware).
 * Fast path: for an ecall, only the registers a C call may clobber (ra, t*,
 * a*) plus sp, gp, tp are saved, and uloop_fast_syscall() runs on the hart
 * stack. If it handled the call, those registers are reloaded and we sret
 * straight back: the program's s0-s11 never left their registers.
 * Otherwise (and for every other trap) the rest is saved and we return into
 * arch_user_enter_raw()'s caller.
 */
	.align	2
	.global user_trap_vector
user_trap_vector:
	csrrw	tp, sscratch, tp	/* tp = hart_local, sscratch = user tp */
	sd	t0, HL_SCRATCH(tp)
	ld	t0, HL_USER_FRAME(tp)
	sd	x1, 1*8(t0)
	sd	x2, 2*8(t0)
	sd	x3, 3*8(t0)
	sd	x6, 6*8(t0)
	sd	x7, 7*8(t0)
	sd	x10, 10*8(t0)
	sd	x11, 11*8(t0)
	sd	x12, 12*8(t0)
	sd	x13, 13*8(t0)
	sd	x14, 14*8(t0)
	sd	x15, 15*8(t0)
	sd	x16, 16*8(t0)
	sd	x17, 17*8(t0)
	sd	x28, 28*8(t0)
	sd	x29, 29*8(t0)
	sd	x30, 30*8(t0)
	sd	x31, 31*8(t0)
	ld	t1, HL_SCRATCH(tp)
	sd	t1, 5*8(t0)		/* user t0 */
	csrr	t1, sscratch
	sd	t1, 4*8(t0)		/* user tp */
	csrr	t1, sepc
	sd	t1, UC_PC(t0)
	csrr	t1, scause
	sd	t1, UC_SCAUSE(t0)
	li	t2, 8			/* environment call from U-mode */
	bne	t1, t2, .Lslow

	ld	sp, HL_KERNEL_SP(tp)
	mv	a0, t0
	call	uloop_fast_syscall	/* (uc) -> handled? */
	ld	t0, HL_USER_FRAME(tp)
	beqz	a0, .Lslow
	ld	t1, UC_PC(t0)
	csrw	sepc, t1
	csrw	sscratch, tp
	ld	x1, 1*8(t0)
	ld	x2, 2*8(t0)
	ld	x3, 3*8(t0)
	ld	x4, 4*8(t0)
	ld	x6, 6*8(t0)
	ld	x7, 7*8(t0)
	ld	x10, 10*8(t0)
	ld	x11, 11*8(t0)
	ld	x12, 12*8(t0)
	ld	x13, 13*8(t0)
	ld	x14, 14*8(t0)
	ld	x15, 15*8(t0)
	ld	x16, 16*8(t0)
	ld	x17, 17*8(t0)
	ld	x28, 28*8(t0)
	ld	x29, 29*8(t0)
	ld	x30, 30*8(t0)
	ld	x31, 31*8(t0)
	ld	x5, 5*8(t0)
	sret

.Lslow:	/* t0 = uc; the program's callee-saved registers are still live */
	sd	x8, 8*8(t0)
	sd	x9, 9*8(t0)
	sd	x18, 18*8(t0)
	sd	x19, 19*8(t0)
	sd	x20, 20*8(t0)
	sd	x21, 21*8(t0)
	sd	x22, 22*8(t0)
	sd	x23, 23*8(t0)
	sd	x24, 24*8(t0)
	sd	x25, 25*8(t0)
	sd	x26, 26*8(t0)
	sd	x27, 27*8(t0)
	csrr	t1, stval
	sd	t1, UC_STVAL(t0)

	lla	t1, kernel_trap_vector
	csrw	stvec, t1
	csrw	sscratch, zero
	ld	sp, HL_KERNEL_SP(tp)
	ld	ra, 0*8(sp)
	ld	gp, 1*8(sp)
	ld	s0, 2*8(sp)
	ld	s1, 3*8(sp)
	ld	s2, 4*8(sp)
	ld	s3, 5*8(sp)
	ld	s4, 6*8(sp)
	ld	s5, 7*8(sp)
	ld	s6, 8*8(sp)
	ld	s7, 9*8(sp)
	ld	s8, 10*8(sp)
	ld	s9, 11*8(sp)
	ld	s10, 12*8(sp)
	ld	s11, 13*8(sp)
	addi	sp, sp, SAVE_KREGS * 8
	ret

/*
 * arch_fp_save(fp) / arch_fp_restore(fp): the 32 FP registers and fcsr.
 *   in: a0 = struct user_fp * (f[] at 0, fcsr after f[31]); sstatus.FS on.
 *   clobbers: t0 (and the FP registers, for restore).
 */
	.option	push
	.option	arch, +d
	.global arch_fp_save
arch_fp_save:
	fsd	f0, 0*8(a0)
	fsd	f1, 1*8(a0)
	fsd	f2, 2*8(a0)
	fsd	f3, 3*8(a0)
	fsd	f4, 4*8(a0)
	fsd	f5, 5*8(a0)
	fsd	f6, 6*8(a0)
	fsd	f7, 7*8(a0)
	fsd	f8, 8*8(a0)
	fsd	f9, 9*8(a0)
	fsd	f10, 10*8(a0)
	fsd	f11, 11*8(a0)
	fsd	f12, 12*8(a0)
	fsd	f13, 13*8(a0)
	fsd	f14, 14*8(a0)
	fsd	f15, 15*8(a0)
	fsd	f16, 16*8(a0)
	fsd	f17, 17*8(a0)
	fsd	f18, 18*8(a0)
	fsd	f19, 19*8(a0)
	fsd	f20, 20*8(a0)
	fsd	f21, 21*8(a0)
	fsd	f22, 22*8(a0)
	fsd	f23, 23*8(a0)
	fsd	f24, 24*8(a0)
	fsd	f25, 25*8(a0)
	fsd	f26, 26*8(a0)
	fsd	f27, 27*8(a0)
	fsd	f28, 28*8(a0)
	fsd	f29, 29*8(a0)
	fsd	f30, 30*8(a0)
	fsd	f31, 31*8(a0)
	frcsr	t0
	sw	t0, 32*8(a0)
	ret

	.global arch_fp_restore
arch_fp_restore:
	fld	f0, 0*8(a0)
	fld	f1, 1*8(a0)
	fld	f2, 2*8(a0)
	fld	f3, 3*8(a0)
	fld	f4, 4*8(a0)
	fld	f5, 5*8(a0)
	fld	f6, 6*8(a0)
	fld	f7, 7*8(a0)
	fld	f8, 8*8(a0)
	fld	f9, 9*8(a0)
	fld	f10, 10*8(a0)
	fld	f11, 11*8(a0)
	fld	f12, 12*8(a0)
	fld	f13, 13*8(a0)
	fld	f14, 14*8(a0)
	fld	f15, 15*8(a0)
	fld	f16, 16*8(a0)
	fld	f17, 17*8(a0)
	fld	f18, 18*8(a0)
	fld	f19, 19*8(a0)
	fld	f20, 20*8(a0)
	fld	f21, 21*8(a0)
	fld	f22, 22*8(a0)
	fld	f23, 23*8(a0)
	fld	f24, 24*8(a0)
	fld	f25, 25*8(a0)
	fld	f26, 26*8(a0)
	fld	f27, 27*8(a0)
	fld	f28, 28*8(a0)
	fld	f29, 29*8(a0)
	fld	f30, 30*8(a0)
	fld	f31, 31*8(a0)
	lw	t0, 32*8(a0)
	fscsr	t0
	ret

/* arch_fp_zero(): every FP register and fcsr to 0 (the state of a context
 * that has none yet). sstatus.FS on; clobbers nothing else. */
	.global arch_fp_zero
arch_fp_zero:
	fmv.d.x	f0, zero
	fmv.d.x	f1, zero
	fmv.d.x	f2, zero
	fmv.d.x	f3, zero
	fmv.d.x	f4, zero
	fmv.d.x	f5, zero
	fmv.d.x	f6, zero
	fmv.d.x	f7, zero
	fmv.d.x	f8, zero
	fmv.d.x	f9, zero
	fmv.d.x	f10, zero
	fmv.d.x	f11, zero
	fmv.d.x	f12, zero
	fmv.d.x	f13, zero
	fmv.d.x	f14, zero
	fmv.d.x	f15, zero
	fmv.d.x	f16, zero
	fmv.d.x	f17, zero
	fmv.d.x	f18, zero
	fmv.d.x	f19, zero
	fmv.d.x	f20, zero
	fmv.d.x	f21, zero
	fmv.d.x	f22, zero
	fmv.d.x	f23, zero
	fmv.d.x	f24, zero
	fmv.d.x	f25, zero
	fmv.d.x	f26, zero
	fmv.d.x	f27, zero
	fmv.d.x	f28, zero
	fmv.d.x	f29, zero
	fmv.d.x	f30, zero
	fmv.d.x	f31, zero
	fscsr	zero
	ret
	.option	pop
