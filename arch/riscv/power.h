/* SPDX-License-Identifier: MIT */
/* Power-off setup (boot). arch_poweroff() itself is in kernel/arch.h. */
#ifndef ARCH_RISCV_POWER_H
#define ARCH_RISCV_POWER_H

#include <stdint.h>

void power_init(uint64_t test_finisher_pa);

#endif
