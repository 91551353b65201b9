// SPDX-License-Identifier: MIT
/*
 * Walk the frame-pointer chain. RISC-V GCC frames with a frame pointer keep
 * the return address at fp - 8 and the caller's fp at fp - 16. Every step is
 * checked against the hart's stack bounds, so a corrupt chain ends the walk
 * rather than faulting inside a panic.
 */
#include "kernel/backtrace.h"

#include "kernel/arch.h"
#include "kernel/ksyms.h"
#include "kernel/printk.h"

#define BACKTRACE_MAX 32

static void print_frame(int n, uintptr_t pc)
{
	char sym[96];

	ksyms_describe(pc, sym, sizeof(sym));
	kprintf("    #%-2d %016lx %s\n", n, (unsigned long)pc, sym);
}

void backtrace_print(uintptr_t pc, uintptr_t ra, uintptr_t fp)
{
	uintptr_t lo, hi;
	int n = 0;

	arch_stack_bounds(&lo, &hi);
	kprintf("  backtrace:\n");
	print_frame(n++, pc);
	/*
	 * A leaf function saves only the caller's fp (at fp - 8) and keeps its
	 * return address in ra: when the word at fp - 8 points into the stack,
	 * take ra for this frame and that word as the next fp.
	 */
	if (ra && fp > lo + 16 && fp <= hi && (fp & 7) == 0) {
		uintptr_t word = ((uintptr_t *)fp)[-1];

		if (word > lo && word <= hi) {
			print_frame(n++, ra - 4);
			fp = word;
		}
	}
	while (n < BACKTRACE_MAX && fp > lo + 16 && fp <= hi && (fp & 7) == 0) {
		uintptr_t ret = ((uintptr_t *)fp)[-1];
		uintptr_t next = ((uintptr_t *)fp)[-2];

		if (!ret)
			break;
		/* ret points after the call; -4 lands inside it for the symbol. */
		print_frame(n++, ret - 4);
		if (next <= fp)
			break;
		fp = next;
	}
}

__attribute__((noinline)) void backtrace_print_here(void)
{
	/* Frame #0 is this function; the walk continues with its callers. */
	backtrace_print((uintptr_t)backtrace_print_here, 0,
			(uintptr_t)__builtin_frame_address(0));
}
