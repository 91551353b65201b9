/* SPDX-License-Identifier: MIT */
/* Hooks the arch trap code calls into the portable kernel. */
#ifndef KERNEL_TRAPDEFS_H
#define KERNEL_TRAPDEFS_H

#include <stdbool.h>

/* Timer interrupt on this hart, interrupts off (kernel/async/timer). */
void timerq_on_interrupt(void);
/* True once panic() has started: IPI handlers halt their hart. */
bool panic_in_progress(void);

#endif
