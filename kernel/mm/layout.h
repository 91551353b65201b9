/* SPDX-License-Identifier: MIT */
/*
 * The kernel's virtual memory layout (Sv39).
 *
 *   0x0000000000000000 .. 0x0000003fffffffff   user half (per process)
 *   0xffffffc000000000 .. +64 GiB               direct map of physical memory
 *                                               (PA p is at DIRECT_MAP_BASE + p;
 *                                               the kernel image lives here too,
 *                                               linked at DIRECT_MAP_BASE + 0x80200000)
 *
 * Every address space shares the kernel half of the root table, so a trap
 * never switches satp. MMIO devices below 1 GiB are in the direct map too.
 */
#ifndef KERNEL_MM_LAYOUT_H
#define KERNEL_MM_LAYOUT_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define DIRECT_MAP_BASE 0xffffffc000000000UL
#define USER_TOP 0x0000004000000000UL

#ifndef __ASSEMBLY__
#include <stdint.h>

typedef uint64_t paddr_t;

static inline void *pa_to_va(paddr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}

static inline paddr_t va_to_pa(const void *va)
{
	return (paddr_t)((uintptr_t)va - DIRECT_MAP_BASE);
}

#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ALIGN_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#endif

#endif
