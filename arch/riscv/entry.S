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
 *
 * Only one hart may take _start. The firmware should send only its cold-boot
 * hart, but Debian's OpenSBI 1.1 on QEMU virt now and then sends a second one
 * (about 1 boot in 100 with QEMU pinned to one busy host CPU), which zeroed
 * .bss and ran boot_hart_main() under the real boot hart ("page_add_range:
 * ... overlaps an earlier range"). The first hart to arrive wins a lottery
 * kept in .data (the .bss wipe must not reset it); any other waits in
 * extra_boot_hart until the boot hart gives it an index.
 */
#include "asm-offsets.h"
#include "arch/riscv/hart.h"

	.section .text.boot, "ax"
	.global _start
_start:
	csrw	sie, zero
	lla	t0, boot_entries
	li	t1, 1
	amoadd.w t1, t1, (t0)		/* old value: 0 for the first hart only */
	bnez	t1, extra_boot_hart
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

/*
 * extra_boot_hart: a hart that lost the _start lottery.
 *   in: a0 = hartid; MMU off; interrupts off.
 *   out: enters _secondary_start with a1 = the dense index the boot hart
 *   published in boot_adopt[hartid] (index + 1; 0 = not yet). The firmware
 *   may think this hart is running (then hart_start fails with "already
 *   available") or stopped (then hart_start's IPI just wakes us here), so
 *   start_secondaries() publishes an index for every hart it starts and sends
 *   an S-mode IPI for the first case. Touches no memory but boot_adopt.
 *   A hartid past MAX_HARTS parks for good.
 */
extra_boot_hart:
	li	t0, MAX_HARTS
	bgeu	a0, t0, 3f
	lla	t0, boot_adopt
	slli	t1, a0, 2
	add	t0, t0, t1
	li	t1, 1 << 1		/* SIE_SSIE: an IPI ends the wfi */
	csrw	sie, t1
1:	lw	t1, 0(t0)
	bnez	t1, 2f
	wfi
	j	1b
2:	fence	r, rw			/* acquire: pairs with the boot hart's release */
	csrw	sie, zero
	csrci	sip, 1 << 1		/* the IPI that woke us is consumed */
	addi	a1, t1, -1
	j	_secondary_start
3:	csrw	sie, zero
4:	wfi
	j	4b

	.section .data
	.align	2
	.global boot_entries
boot_entries:				/* harts that entered _start */
	.word	0
	.global boot_adopt
boot_adopt:				/* by hartid: dense index + 1, or 0 */
	.zero	4 * MAX_HARTS

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
