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

int backtrace_collect_in(uintptr_t pc, uintptr_t ra, uintptr_t fp, uintptr_t lo, uintptr_t hi,
			 uintptr_t *pcs, int max)
{
	int n = 0;

	if (max <= 0)
		return 0;
	pcs[n++] = pc;
	/* LAB(boot) BEGIN stub: (void)ra, (void)fp, (void)lo, (void)hi; */
	/*
	 * A leaf function saves only the caller's fp (at fp - 8) and keeps its
	 * return address in ra: when the word at fp - 8 points into the stack,
	 * take ra for this frame and that word as the next fp.
	 */
	if (ra && n < max && fp > lo + 16 && fp <= hi && (fp & 7) == 0) {
		uintptr_t word = ((uintptr_t *)fp)[-1];

		if (word > lo && word <= hi) {
			pcs[n++] = ra - 4;
			fp = word;
		}
	}
	while (n < max && fp > lo + 16 && fp <= hi && (fp & 7) == 0) {
		uintptr_t ret = ((uintptr_t *)fp)[-1];
		uintptr_t next = ((uintptr_t *)fp)[-2];

		if (!ret)
			break;
		/* ret points after the call; -4 lands inside it for the symbol. */
		pcs[n++] = ret - 4;
		if (next <= fp)
			break;
		fp = next;
	}
	/* LAB(boot) END */
	return n;
}

int backtrace_collect(uintptr_t pc, uintptr_t ra, uintptr_t fp, uintptr_t *pcs, int max)
{
	uintptr_t lo, hi;

	arch_stack_bounds(&lo, &hi);
	return backtrace_collect_in(pc, ra, fp, lo, hi, pcs, max);
}

void backtrace_print(uintptr_t pc, uintptr_t ra, uintptr_t fp)
{
	uintptr_t pcs[BACKTRACE_MAX];
	int n = backtrace_collect(pc, ra, fp, pcs, BACKTRACE_MAX);

	kprintf("  backtrace:\n");
	for (int i = 0; i < n; i++) {
		char sym[96];

		ksyms_describe(pcs[i], sym, sizeof(sym));
		kprintf("    #%-2d %016lx %s\n", i, (unsigned long)pcs[i], sym);
	}
}

__attribute__((noinline)) void backtrace_print_here(void)
{
	/* Frame #0 is this function; the walk continues with its callers. */
	backtrace_print((uintptr_t)backtrace_print_here, 0,
			(uintptr_t)__builtin_frame_address(0));
}
