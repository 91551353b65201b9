// SPDX-License-Identifier: MIT
/*
 * The `failing` suite checks the test runner itself: it runs only when named
 * on the command line (`ktest=failing`), and its `fails` case must make QEMU
 * exit non-zero (tests/qemu/test_boot.py asserts that).
 */
#include <stdint.h>

#include "kernel/ktest.h"

KTEST(failing, fails)
{
	EXPECT(1 + 1 == 3);
}

KTEST(failing, passes)
{
	EXPECT(1 + 1 == 2);
}

/* A kernel fault must produce the full report and a non-zero exit. */
KTEST(failing, kernel_fault)
{
	static volatile uintptr_t bad_address = 0x10;

	EXPECT(*(volatile unsigned long *)bad_address == 0);
}

static volatile unsigned long recursion_limit = ~0ul;

static __attribute__((noinline)) unsigned long recurse(unsigned long depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth >= recursion_limit)
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

/* Running off the boot stack hits its guard page; the trap vector must
 * switch to the emergency stack and report, not loop. */
KTEST(failing, stack_overflow)
{
	EXPECT(recurse(0) != 0);
}
