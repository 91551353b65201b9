/* SPDX-License-Identifier: MIT */
/*
 * The kernel's random number generator: ChaCha20 in fast-key-erasure mode
 * (each request first replaces the key with fresh keystream, so bytes handed
 * out earlier cannot be recomputed from the state afterwards).
 *
 * Entropy: the device tree's /chosen/rng-seed when QEMU provides one, plus
 * the boot time, given to random_init(). QEMU's virt machine has no hardware
 * RNG we drive, so with no seed the output is unpredictable only as far as
 * the timer is: fine for AT_RANDOM and hash seeds, not for cryptographic keys.
 */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Mix `n` bytes of seed material into the key (may be called again later to
 * add more; seed may be NULL when n is 0). The current time is mixed in too.
 */
void random_init(const void *seed, size_t n);
/* Fill buf with n random bytes. Any context (takes a spinlock briefly). */
void random_bytes(void *buf, size_t n);
uint64_t random_u64(void);

#endif
