/* SPDX-License-Identifier: MIT */
/* Clock and timer setup (boot). The runtime interface is in kernel/arch.h. */
#ifndef ARCH_RISCV_TIMER_H
#define ARCH_RISCV_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch.h"

void timer_init(uint64_t timebase_hz, bool sstc);
void timer_init_hart(void);
bool timer_has_sstc(void);
uint64_t timer_timebase_hz(void);

#endif
