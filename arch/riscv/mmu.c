// SPDX-License-Identifier: MIT
/*
 * The kernel page table: the direct map of physical memory, with the kernel
 * image mapped page by page (text RX, rodata R, data/bss RW, stack guard pages
 * absent) and everything else as RW gigapages or megapages. Built once on the
 * boot hart from static tables (no allocator needed), then installed on every hart.
 */
#include <stdint.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/pte.h"
#include "kernel/panic.h"

#define GIB (1UL << 30)
#define MIB2 (1UL << 21)
#define KERNEL_L0_TABLES 2

extern char _kernel_start[], _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _kernel_end[], boot_stacks[];

static pte_t kroot[PTES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static pte_t kl1[PTES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static pte_t kl0[KERNEL_L0_TABLES][PTES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));

#define KFLAGS (PTE_V | PTE_G | PTE_A | PTE_D)

const pte_t *kvm_kernel_root(void)
{
	return kroot;
}

static bool is_stack_guard(uintptr_t va)
{
	uintptr_t base = (uintptr_t)boot_stacks;

	if (va < base || va >= base + (uintptr_t)BOOT_STACK_STRIDE * MAX_HARTS)
		return false;
	return (va - base) % BOOT_STACK_STRIDE == 0;
}

/* Flags for one 4 KiB page of the kernel's megapages. */
static pte_t kernel_page_flags(uintptr_t va)
{
	if (va >= (uintptr_t)_text_start && va < (uintptr_t)_text_end)
		return KFLAGS | PTE_R | PTE_X;
	if (va >= (uintptr_t)_rodata_start && va < (uintptr_t)_rodata_end)
		return KFLAGS | PTE_R;
	if (is_stack_guard(va))
		return 0;
	return KFLAGS | PTE_R | PTE_W;
}

void mmu_build_kernel_table(paddr_t ram_end)
{
	paddr_t kstart = va_to_pa(_kernel_start);
	unsigned kgib = kstart / GIB;
	unsigned kmeg0 = (kstart % GIB) / MIB2;
	unsigned kmegs = (va_to_pa(_kernel_end) - (kstart & ~(MIB2 - 1)) + MIB2 - 1) / MIB2;
	unsigned ngib = (ram_end + GIB - 1) / GIB;

	if (kmegs > KERNEL_L0_TABLES)
		panic("kernel image spans %u megapages; raise KERNEL_L0_TABLES", kmegs);
	if (ngib > PTES_PER_TABLE - PT_KERNEL_FIRST)
		ngib = PTES_PER_TABLE - PT_KERNEL_FIRST;

	for (unsigned g = 0; g < ngib; g++) {
		if (g == kgib)
			kroot[PT_KERNEL_FIRST + g] = pte_make(va_to_pa(kl1), PTE_V);
		else
			kroot[PT_KERNEL_FIRST + g] = pte_make((paddr_t)g * GIB, KFLAGS | PTE_R | PTE_W);
	}
	for (unsigned m = 0; m < PTES_PER_TABLE; m++) {
		paddr_t pa = (paddr_t)kgib * GIB + (paddr_t)m * MIB2;

		if (m >= kmeg0 && m < kmeg0 + kmegs)
			kl1[m] = pte_make(va_to_pa(kl0[m - kmeg0]), PTE_V);
		else
			kl1[m] = pte_make(pa, KFLAGS | PTE_R | PTE_W);
	}
	for (unsigned t = 0; t < kmegs; t++) {
		for (unsigned p = 0; p < PTES_PER_TABLE; p++) {
			paddr_t pa = (paddr_t)kgib * GIB + (paddr_t)(kmeg0 + t) * MIB2 +
				     (paddr_t)p * PAGE_SIZE;
			pte_t flags = kernel_page_flags((uintptr_t)pa_to_va(pa));

			kl0[t][p] = flags ? pte_make(pa, flags) : 0;
		}
	}
}

void mmu_install_kernel_table(void)
{
	sfence_vma_all();
	csr_write(satp, SATP_MODE_SV39 | (va_to_pa(kroot) >> PAGE_SHIFT));
	sfence_vma_all();
}
