/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry, boot and secondary harts.
 *
 * _start: entered by OpenSBI at the PHYSICAL address, MMU off, S-mode.
 *   in: a0 = hartid, a1 = physical address of the device tree.
 * _secondary_start: entered through SBI HSM hart_start, same state.
 *   in: a0 = hartid, a1 = opaque = this hart's dense index.
 * Both install boot_pgtable (identity + direct map of the first GiB of RAM as
 * gigapages), jump to the linked (direct-map) address, set tp and sp, and call
 * C with interrupts disabled. C replaces boot_pgtable with the real kernel
 * table at once.
 */
#include "asm-offsets.h"
#include "arch/riscv/hart.h"

	.section .text.boot, "ax"
	.global _start
_start:
	csrw	sie, zero
	li	s1, 0			/* dense index: the boot hart is 0 */
	mv	s2, a0			/* hartid */
	mv	s3, a1			/* dtb physical address */
	/* Zero .bss while still physical (holds the stacks, so before any use). */
	lla	t0, _bss_start
	lla	t1, _bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	j	common_start

	.global _secondary_start
_secondary_start:
	csrw	sie, zero
	mv	s1, a1
	mv	s2, a0
	li	s3, 0

common_start:
	lla	t0, boot_pgtable
	srli	t0, t0, 12
	li	t1, 8
	slli	t1, t1, 60		/* Sv39 */
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma
	ld	t0, .Lhigh		/* absolute, linked address */
	jr	t0

	.align	3
.Lhigh:	.quad	high_start

high_start:
	/* tp = &hart_locals[index] */
	lla	tp, hart_locals
	li	t0, HART_LOCAL_SIZE
	mul	t0, t0, s1
	add	tp, tp, t0
	/* sp = top of this hart's stack: base + (index + 1) * stride */
	lla	sp, boot_stacks
	li	t0, BOOT_STACK_STRIDE
	addi	t1, s1, 1
	mul	t0, t0, t1
	add	sp, sp, t0
	lla	t0, kernel_trap_vector
	csrw	stvec, t0
	csrw	sscratch, zero
	li	s0, 0			/* fp = 0 ends backtraces */
	li	ra, 0
	mv	a0, s1
	mv	a1, s2
	mv	a2, s3
	call	kmain_hart		/* (index, hartid, dtb_pa); never returns */
3:	wfi
	j	3b

	.section .data
	.align	12
	.global boot_pgtable
boot_pgtable:
	/* V|R|W|X|A|D = 0xcf; G adds 0x20 for the kernel half. */
	.zero	2 * 8
	.quad	((0x80000000 >> 12) << 10) | 0xcf	/* [2]: identity 0x80000000 */
	.zero	(256 - 3) * 8
	.quad	0					/* [256]: PA 0 (devices), unused */
	.quad	0
	.quad	((0x80000000 >> 12) << 10) | 0xef	/* [258]: direct map of RAM */
	.zero	(512 - 259) * 8

	.section .bss.stacks, "aw", @nobits
	.align	12
	.global boot_stacks
boot_stacks:
	.zero	BOOT_STACK_STRIDE * MAX_HARTS
