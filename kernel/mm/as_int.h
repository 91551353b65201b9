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
/* Where every struct vma comes from (fork copies the list): small ones
 * (anonymous, made by as_map) and big ones (struct vma_file). */
extern struct slab_cache as_vma_cache;
extern struct slab_cache as_vma_file_cache;
/* A big VMA (any kind; file NULL), or NULL when out of memory. */
struct vma *as_vma_alloc_big(void);
/* Free a VMA of either cache; a file VMA's file must have been put. */
void as_vma_free(struct vma *v);
/* A copy of v (same cache, the file referenced again), or NULL. */
struct vma *as_vma_dup(const struct vma *v);

/* as.c's helpers for the area operations of as_ops.c (as.lock held where _locked). */
bool as_range_ok(uintptr_t va, size_t len);
bool as_range_is_free_locked(struct as *as, uintptr_t start, uintptr_t end);
void as_vma_insert_locked(struct as *as, struct vma *n);
size_t as_drop_pages_locked(struct as *as, struct vma *v, uintptr_t s, uintptr_t e);
/* Remove [s, e): *spare for a split; removed VMAs onto *freed, for
 * as_free_vmas() once the lock is dropped. */
void as_unmap_locked(struct as *as, uintptr_t s, uintptr_t e, struct vma **spare,
		     struct list_head *freed);
void as_free_vmas(struct as *as, struct list_head *l);
uintptr_t as_mmap_top_locked(struct as *as);
uintptr_t as_find_hole_locked(struct as *as, size_t len);

/* The VMA holding va, or NULL. as.lock held. */
struct vma *as_vma_find_locked(struct as *as, uintptr_t va);

/* Give *pte a page of its own that may be written (copy, or take over the
 * last reference). as.lock held. */
int as_cow_break_locked(pte_t *pte, unsigned prot);
/* May an area with prot be accessed this way? Write implies read. */
bool as_prot_allows(unsigned prot, unsigned access);
/* Does this leaf let user mode make `access`? */
bool as_pte_allows(pte_t pte, unsigned access);

/* ---- file mappings (as_file.c) ---- */
/* A reference to v's file (VMA_FILE), for a copy or a split. as.lock may be held. */
void as_vma_file_hold(struct vma *v);
/* Give back v's file reference (and, tracked, its place among the file's
 * mappers). Never under as.lock (the last put may evict an inode, which
 * takes the fs's lock; the mappers' lock comes after as.lock). */
void as_vma_file_release(struct as *as, struct vma *v);
/* A tracked VMA of as was added or split in two (as.lock held): count it
 * among its file's mappers. 0 or -ENOMEM. */
int as_vma_file_track(struct as *as, struct vma *v);
/* v stops being counted among its file's mappers (if it was). */
void as_vma_file_untrack(struct as *as, struct vma *v);
/* A fault at va (page-aligned) in the file VMA v, *pte its empty or present
 * leaf: 0, -EFAULT, -ENOMEM, -EIO (SIGBUS: past the end of the file),
 * -EIOWAIT (the page is being read: a wait is parked). as.lock held. */
int as_file_fault_locked(struct as *as, struct vma *v, uintptr_t va, unsigned access, pte_t *pte);
/* The leaf of a file VMA at va is going away (unmap, exit): a page it
 * stored into reaches the cache's dirty list. as.lock held (or the as dead). */
void as_file_leaf_gone(struct vma *v, uintptr_t va, pte_t pte);

#endif
