/* SPDX-License-Identifier: MIT */
/* Address-space internals shared by as.c (VMAs) and as_pt.c (page tables). */
#ifndef KERNEL_MM_AS_INT_H
#define KERNEL_MM_AS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/mm/as.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"

#define PAGE_MASK (PAGE_SIZE - 1)
#define L1_SPAN (1UL << (PAGE_SHIFT + 9))       /* 2 MiB: one L0 table */
#define L2_SPAN (1UL << (PAGE_SHIFT + 18))      /* 1 GiB: one L1 table */

static inline void flush_page(uintptr_t va)
{
	arch_flush_tlb_page(va);
}

static inline void flush_all(void)
{
	arch_flush_tlb_all();
}

static inline void *pte_page(pte_t pte)
{
	return pa_to_va(pte_pa(pte));
}

/* The L0 entry for va; with alloc, missing tables are made (NULL: no memory). as.lock held. */
pte_t *as_walk(struct as *as, uintptr_t va, bool alloc);
/* Call fn on every valid leaf in [start, end), skipping absent tables.
 * Returns the number of leaves visited. as.lock held. */
size_t as_for_each_leaf(struct as *as, uintptr_t start, uintptr_t end,
			void (*fn)(struct as *as, uintptr_t va, pte_t *pte, void *arg), void *arg);
/* The leaf PTE flags for a page of an area with prot; cow: never writable. */
pte_t as_leaf_pte(paddr_t pa, unsigned prot, bool cow);
/* Where every struct vma comes from (fork copies the list). */
extern struct slab_cache as_vma_cache;

/* The VMA holding va, or NULL. as.lock held. */
struct vma *as_vma_find_locked(struct as *as, uintptr_t va);

#endif
