/* SPDX-License-Identifier: MIT */
/* Building and installing the kernel page table (boot only). */
#ifndef ARCH_RISCV_MMU_H
#define ARCH_RISCV_MMU_H

#include <stdbool.h>

#include "kernel/mm/layout.h"

/* Boot hart, once, before any other hart starts. */
void mmu_build_kernel_table(paddr_t ram_end);
/* Every hart, with interrupts off, right after entry. */
void mmu_install_kernel_table(void);

#endif
