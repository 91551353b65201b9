/* SPDX-License-Identifier: MIT */
/*
 * Address-space layout randomisation for execve: the stack top (and with it
 * the mmap area below it and the vDSO above it), the base of a
 * position-independent program, and the start of the heap move by random
 * whole pages, as Linux's randomize_va_space = 2 does. The boot argument
 * `norandmaps` (Linux's too) or writing 0 to /proc/sys/kernel/
 * randomize_va_space turns it off, so benchmarks see the same addresses in
 * every run (make bench boots with norandmaps).
 */
#ifndef KERNEL_MM_ASLR_H
#define KERNEL_MM_ASLR_H

#include <stdint.h>

/* Bits of randomness, in pages (Linux riscv64: mmap_rnd_bits 18, 1 GiB). */
#define ASLR_STACK_BITS 18
#define ASLR_MMAP_BITS 18
#define ASLR_BRK_BITS 13	/* 32 MiB */

/* Boot: read `norandmaps`. */
void aslr_init(void);
/* 0 (off), 1 (stack, mmap, vDSO, PIE), 2 (also the heap): randomize_va_space. */
int aslr_level(void);
/* Set it (procfs); -EINVAL unless 0..2. */
int aslr_set_level(int level);
/* A random multiple of the page size below 2^bits pages, or 0 when the
 * level is below min_level. */
uintptr_t aslr_pages(unsigned bits, int min_level);

#endif
