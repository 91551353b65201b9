/* SPDX-License-Identifier: MIT */
/* Frame-pointer backtraces with symbols (the kernel is built with -fno-omit-frame-pointer). */
#ifndef KERNEL_BACKTRACE_H
#define KERNEL_BACKTRACE_H

#include <stdint.h>

/* Print pc, then walk the frame chain from fp (ra is used for a leaf frame). */
void backtrace_print(uintptr_t pc, uintptr_t ra, uintptr_t fp);
void backtrace_print_here(void);

#endif
