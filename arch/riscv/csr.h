/* SPDX-License-Identifier: MIT */
/* CSR numbers, bits and accessors (S-mode). Only arch/riscv/ includes this. */
#ifndef ARCH_RISCV_CSR_H
#define ARCH_RISCV_CSR_H

#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_FS_MASK (3UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_SUM (1UL << 18)

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

#define SCAUSE_INTR (1UL << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9

#define SATP_MODE_SV39 (8UL << 60)

#define CSR_STIMECMP 0x14d
#define SCOUNTEREN_TM (1UL << 1)	/* user mode may read the time CSR */

#ifndef __ASSEMBLY__
#define csr_read(csr)                                                    \
	({                                                               \
		unsigned long __v;                                       \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory"); \
		__v;                                                     \
	})
#define csr_write(csr, val)                                                   \
	({                                                                    \
		unsigned long __v = (unsigned long)(val);                     \
		__asm__ volatile("csrw " #csr ", %0" ::"rK"(__v) : "memory"); \
	})
#define csr_set(csr, val)                                                     \
	({                                                                    \
		unsigned long __v = (unsigned long)(val);                     \
		__asm__ volatile("csrs " #csr ", %0" ::"rK"(__v) : "memory"); \
	})
#define csr_clear(csr, val)                                                   \
	({                                                                    \
		unsigned long __v = (unsigned long)(val);                     \
		__asm__ volatile("csrc " #csr ", %0" ::"rK"(__v) : "memory"); \
	})
#define csr_read_clear(csr, val)                                          \
	({                                                                \
		unsigned long __v = (unsigned long)(val);                 \
		__asm__ volatile("csrrc %0, " #csr ", %1"                 \
				 : "=r"(__v)                              \
				 : "rK"(__v)                              \
				 : "memory");                             \
		__v;                                                      \
	})

static inline unsigned long rdtime(void)
{
	unsigned long t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

static inline void sfence_vma_page(unsigned long va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}
#endif

#endif
