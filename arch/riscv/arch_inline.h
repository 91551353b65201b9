/* SPDX-License-Identifier: MIT */
/*
 * Inline versions of the hottest kernel/arch.h calls for the RISC-V build
 * (kernel/arch.h includes this instead of declaring them): every spinlock
 * and every wake uses them.
 */
#ifndef ARCH_RISCV_ARCH_INLINE_H
#define ARCH_RISCV_ARCH_INLINE_H

#define ARCH_SSTATUS_SIE 2UL

/* tp points at this hart's struct hart_local, whose first field is the
 * dense index (static_assert in arch/riscv/hart.c). */
static inline unsigned hart_id(void)
{
	unsigned id;

	__asm__ volatile("lwu %0, 0(tp)" : "=r"(id));
	return id;
}

/* The executor word of this hart (arch_set_hart_exec), in one load. */
static inline void *arch_hart_exec(void)
{
	void *p;

	__asm__ volatile("ld %0, 8(tp)" : "=r"(p));
	return p;
}

static inline irqflags_t arch_irq_save(void)
{
	unsigned long old;

	__asm__ volatile("csrrci %0, sstatus, 2" : "=r"(old)::"memory");
	return old & ARCH_SSTATUS_SIE;
}

static inline void arch_irq_restore(irqflags_t flags)
{
	if (flags & ARCH_SSTATUS_SIE)
		__asm__ volatile("csrsi sstatus, 2" ::: "memory");
}

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("nop" ::: "memory");
}

#endif
