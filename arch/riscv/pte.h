/* SPDX-License-Identifier: MIT */
/* Sv39 page-table entries. No assembly here: kernel/mm may include it. */
#ifndef ARCH_RISCV_PTE_H
#define ARCH_RISCV_PTE_H

#include <stdint.h>

#include "kernel/mm/layout.h"

typedef uint64_t pte_t;

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_RSW_COW (1UL << 8) /* software bit: copy-on-write page */
#define PTE_LEAF_MASK (PTE_R | PTE_W | PTE_X)

#define PTES_PER_TABLE 512
#define PT_LEVELS 3
/* Root-table index of the first kernel-half entry (DIRECT_MAP_BASE). */
#define PT_KERNEL_FIRST 256

static inline unsigned pt_index(uint64_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & 0x1ff;
}

static inline pte_t pte_make(paddr_t pa, uint64_t flags)
{
	return ((pa >> PAGE_SHIFT) << 10) | flags;
}

static inline paddr_t pte_pa(pte_t pte)
{
	return (pte >> 10) << PAGE_SHIFT;
}

static inline int pte_is_leaf(pte_t pte)
{
	return (pte & PTE_V) && (pte & PTE_LEAF_MASK);
}

/* The kernel's root table; user roots copy its entries PT_KERNEL_FIRST..511. */
const pte_t *kvm_kernel_root(void);

#endif
