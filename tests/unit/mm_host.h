/* SPDX-License-Identifier: MIT */
/*
 * Host harness for the kernel/mm tests: stubs of kernel/arch.h (a thread-local
 * hart id), panic (a cmocka assertion, so expect_assert_failure() catches it),
 * kprintf, kvm_kernel_root; and a fake RAM with two ranges and a hole.
 *
 * The direct map works unchanged on the host: with unsigned wrap-around,
 * pa_to_va(va_to_pa(x)) == x for any host address, and DIRECT_MAP_BASE is
 * aligned far beyond 4 MiB, so natural alignment of physical addresses is
 * natural alignment of the host addresses too.
 */
#ifndef TESTS_UNIT_MM_HOST_H
#define TESTS_UNIT_MM_HOST_H

#include <stdbool.h>
#include <stddef.h>

#define MM_RAM_SIZE (48UL << 20)
#define MM_CANARY 0xa5

extern _Thread_local unsigned mm_this_hart;
extern unsigned char *mm_ram;
/* The ranges handed to page_add_range(), with deliberately unaligned ends. */
extern unsigned char *mm_r0_lo, *mm_r0_hi, *mm_r1_lo, *mm_r1_hi;

/* cmocka group setup/teardown: allocate the RAM and hand it to the allocator. */
int mm_setup_ram(void **state);
int mm_teardown_ram(void **state);

bool mm_in_ranges(const void *p, size_t bytes);
bool mm_all_bytes(const void *p, int v, size_t n);
/* Free pages after every hart cache and empty kmalloc slab went back. */
size_t mm_settled_free_count(void);

#endif
