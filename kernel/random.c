// SPDX-License-Identifier: MIT
/*
 * ChaCha20 fast-key-erasure generator; see random.h.
 *
 * Lock legend: key and seeded are L:random_lock. Under the lock a request
 * only computes one block with the current key and installs its first half
 * as the next key; the bulk of the output is produced afterwards, outside
 * the lock, from a private copy of the old key, so long requests do not
 * stall other harts and no two requests ever use the same key.
 */
#include "kernel/random.h"

#include <stdbool.h>

#include "kernel/arch.h"
#include "kernel/spinlock.h"
#include "lib/chacha20.h"
#include "lib/string.h"

static struct spinlock random_lock = SPINLOCK_INIT("random");
static uint8_t key[CHACHA20_KEY_SIZE];  /* L:random_lock */
static bool seeded;                     /* L:random_lock */

/* Nonces separate the key-derivation uses of the key from output blocks. */
static const uint8_t nonce_output[CHACHA20_NONCE_SIZE];
static const uint8_t nonce_mix[CHACHA20_NONCE_SIZE] = { 'm', 'i', 'x' };

static void wipe(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

/*
 * Absorb data into the key, 32 bytes at a time: XOR it in, then replace the
 * key by ChaCha20(key) under the mixing nonce, so the new key depends on all
 * of the old key and the input (a sponge with ChaCha20 as the function).
 */
static void mix_locked(const void *data, size_t n, uint32_t domain)
{
	const uint8_t *d = data;
	uint8_t block[CHACHA20_BLOCK_SIZE];

	do {
		size_t chunk = n < CHACHA20_KEY_SIZE ? n : CHACHA20_KEY_SIZE;

		for (size_t i = 0; i < chunk; i++)
			key[i] ^= d[i];
		/* The length and domain go in the counter so "ab" and "ab\0" differ. */
		chacha20_block(key, domain ^ (uint32_t)(chunk << 24), nonce_mix, block);
		memcpy(key, block, CHACHA20_KEY_SIZE);
		d += chunk;
		n -= chunk;
	} while (n);
	wipe(block, sizeof(block));
}

static void mix_time_locked(void)
{
	uint64_t t = clock_now_ns();

	mix_locked(&t, sizeof(t), 0x74696d65); /* "time" */
}

void random_init(const void *seed, size_t n)
{
	irqflags_t fl = spin_lock_irqsave(&random_lock);

	if (n)
		mix_locked(seed, n, 0x73656564); /* "seed" */
	mix_time_locked();
	seeded = true;
	spin_unlock_irqrestore(&random_lock, fl);
}

void random_bytes(void *buf, size_t n)
{
	uint8_t old[CHACHA20_KEY_SIZE], block[CHACHA20_BLOCK_SIZE];
	uint8_t *out = buf;
	irqflags_t fl;

	if (!n)
		return;
	fl = spin_lock_irqsave(&random_lock);
	if (!seeded) {
		/* Used before random_init(): the timer is all we have. */
		mix_time_locked();
		seeded = true;
	}
	memcpy(old, key, sizeof(old));
	chacha20_block(old, 0, nonce_output, block);
	memcpy(key, block, CHACHA20_KEY_SIZE);
	spin_unlock_irqrestore(&random_lock, fl);

	/* The other half of block 0, then blocks 1, 2, ... of the old key. */
	size_t first = n < CHACHA20_BLOCK_SIZE - CHACHA20_KEY_SIZE ? n
		       : CHACHA20_BLOCK_SIZE - CHACHA20_KEY_SIZE;

	memcpy(out, block + CHACHA20_KEY_SIZE, first);
	out += first;
	n -= first;
	for (uint32_t ctr = 1; n; ctr++) {
		size_t chunk = n < CHACHA20_BLOCK_SIZE ? n : CHACHA20_BLOCK_SIZE;

		if (ctr == 0) {
			/* 256 GiB in one request: rekey rather than reuse a block. */
			random_bytes(out, n);
			break;
		}
		chacha20_block(old, ctr, nonce_output, block);
		memcpy(out, block, chunk);
		out += chunk;
		n -= chunk;
	}
	wipe(old, sizeof(old));
	wipe(block, sizeof(block));
}

uint64_t random_u64(void)
{
	uint64_t v;

	random_bytes(&v, sizeof(v));
	return v;
}
