/* SPDX-License-Identifier: MIT */
/* The platform-level interrupt controller (S-mode contexts). */
#ifndef ARCH_RISCV_PLIC_H
#define ARCH_RISCV_PLIC_H

#include <stdint.h>

void plic_init(uint64_t base_pa, unsigned ndev);
void plic_init_hart(void);
/* Called from the trap handler for a supervisor external interrupt. */
void plic_handle(void);

#endif
