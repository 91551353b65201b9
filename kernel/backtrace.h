/* SPDX-License-Identifier: MIT */
/* Frame-pointer backtraces with symbols (the kernel is built with -fno-omit-frame-pointer). */
#ifndef KERNEL_BACKTRACE_H
#define KERNEL_BACKTRACE_H

#include <stdint.h>

#define BACKTRACE_MAX 32

/*
 * The return addresses of the frames from (pc, ra, fp): pcs[0] = pc, then one
 * pc per caller (each pointing inside its call instruction), at most max.
 * ra serves a leaf frame that saved no return address; pass 0 when pc is
 * not a leaf's. The walk stays in the stack [lo, hi] and stops at the first
 * frame record that is outside it, misaligned, or not above the last one, so
 * a corrupt chain ends the walk instead of faulting. Returns the count.
 */
int backtrace_collect_in(uintptr_t pc, uintptr_t ra, uintptr_t fp, uintptr_t lo, uintptr_t hi,
			 uintptr_t *pcs, int max);
/* The same within this hart's stack (arch_stack_bounds). */
int backtrace_collect(uintptr_t pc, uintptr_t ra, uintptr_t fp, uintptr_t *pcs, int max);
/* Print pc, then walk the frame chain from fp (ra is used for a leaf frame). */
void backtrace_print(uintptr_t pc, uintptr_t ra, uintptr_t fp);
void backtrace_print_here(void);

#endif
