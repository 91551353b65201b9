/* SPDX-License-Identifier: MIT */
/*
 * The ChaCha20 stream cipher of RFC 8439 (32-byte key, 96-bit nonce, 32-bit
 * block counter). Freestanding, no state: the kernel's random generator
 * (kernel/random.c) is built on chacha20_block(), and host tests check both
 * functions against the RFC's vectors.
 */
#ifndef LIB_CHACHA20_H
#define LIB_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY_SIZE 32
#define CHACHA20_NONCE_SIZE 12
#define CHACHA20_BLOCK_SIZE 64

/* One 64-byte keystream block (RFC 8439 §2.3). */
void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint8_t out[CHACHA20_BLOCK_SIZE]);

/*
 * out = in XOR keystream, starting at block `counter` (RFC 8439 §2.4). in may
 * equal out; in == NULL writes the bare keystream. The counter wraps after
 * 2^32 blocks (256 GiB), as in the RFC: callers keep n below that.
 */
void chacha20_xor(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		  const uint8_t nonce[CHACHA20_NONCE_SIZE], const uint8_t *in, uint8_t *out,
		  size_t n);

#endif
