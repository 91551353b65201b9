// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of kernel/backtrace.c (suite `backtrace`): the frame walk
 * names every caller, in order, and a corrupt chain ends the walk.
 */
#include "kernel/backtrace.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/string.h"

static uintptr_t walked[BACKTRACE_MAX];
static int nwalked;

/* Each level does work after its call, so none is a tail call (which would
 * leave no frame behind). */
static __attribute__((noinline, noclone)) int bt_level3(int x)
{
	nwalked = backtrace_collect((uintptr_t)bt_level3, 0, (uintptr_t)__builtin_frame_address(0),
				    walked, BACKTRACE_MAX);
	return x + nwalked;
}

static __attribute__((noinline, noclone)) int bt_level2(int x)
{
	return bt_level3(x + 1) * 3;
}

static __attribute__((noinline, noclone)) int bt_level1(int x)
{
	return bt_level2(x + 1) * 5;
}

static bool is_in(uintptr_t pc, const char *fn)
{
	uintptr_t off;
	const char *name = ksyms_lookup(pc, &off);

	return name && strcmp(name, fn) == 0;
}

KTEST(backtrace, walk_names_every_caller_in_order)
{
	static const char *const want[] = { "bt_level3", "bt_level2", "bt_level1",
					     "ktest_backtrace_walk_names_every_caller_in_order",
					     "ktest_run" };
	volatile int seed = 1;

	EXPECT(bt_level1(seed) > 0);
	ASSERT(nwalked >= (int)(sizeof(want) / sizeof(want[0])));
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uintptr_t off;
		const char *got = ksyms_lookup(walked[i], &off);

		if (!is_in(walked[i], want[i]))
			kprintf("    frame #%u: %s, wanted %s\n", i, got ? got : "?", want[i]);
		EXPECT(is_in(walked[i], want[i]));
	}
	/* Every caller's pc points inside its call, after the callee's start. */
	for (int i = 1; i < nwalked; i++)
		EXPECT(walked[i] != 0 && (walked[i] & 1) == 0);
}

/*
 * A fake stack: frame records (ra at fp - 8, caller's fp at fp - 16) in an
 * array, walked with that array as the stack's bounds.
 */
KTEST(backtrace, corrupt_chain_ends_the_walk)
{
	uintptr_t stack[64] = { 0 };
	uintptr_t lo = (uintptr_t)stack, hi = (uintptr_t)&stack[64];
	uintptr_t pcs[BACKTRACE_MAX];
	uintptr_t fp1 = (uintptr_t)&stack[8], fp2 = (uintptr_t)&stack[16];
	uintptr_t fp3 = (uintptr_t)&stack[24];

	/* Three good frames, then one whose caller's fp points back down. */
	stack[7] = 0x1004;	/* fp1 - 8: return address */
	stack[6] = fp2;		/* fp1 - 16: caller's fp */
	stack[15] = 0x2004;
	stack[14] = fp3;
	stack[23] = 0x3004;
	stack[22] = fp1;	/* a loop back to fp1 */
	int n = backtrace_collect_in(0x900, 0, fp1, lo, hi, pcs, BACKTRACE_MAX);

	ASSERT(n == 4);
	EXPECT(pcs[0] == 0x900 && pcs[1] == 0x1000 && pcs[2] == 0x2000 && pcs[3] == 0x3000);

	/* A caller's fp outside the stack, misaligned, or 0 ends it too. */
	stack[22] = hi + 64;
	EXPECT(backtrace_collect_in(0x900, 0, fp1, lo, hi, pcs, BACKTRACE_MAX) == 4);
	stack[14] = fp3 + 1;
	EXPECT(backtrace_collect_in(0x900, 0, fp1, lo, hi, pcs, BACKTRACE_MAX) == 3);
	EXPECT(backtrace_collect_in(0x900, 0, 0, lo, hi, pcs, BACKTRACE_MAX) == 1);
	EXPECT(backtrace_collect_in(0x900, 0, fp1, lo, hi, pcs, 2) == 2);
	/* A leaf: ra is the caller, the word at fp - 8 is the next fp. */
	stack[31] = fp2;	/* leaf at fp = &stack[32]: saved fp only */
	stack[14] = fp3;
	stack[22] = 0;
	n = backtrace_collect_in(0x900, 0x5004, (uintptr_t)&stack[32], lo, hi, pcs, BACKTRACE_MAX);
	EXPECT(n == 4 && pcs[1] == 0x5000 && pcs[2] == 0x2000 && pcs[3] == 0x3000);
}
