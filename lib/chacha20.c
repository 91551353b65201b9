// SPDX-License-Identifier: MIT
/* ChaCha20 block function and stream XOR, written from RFC 8439; see chacha20.h. */
#include "lib/chacha20.h"

static inline uint32_t rotl(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static inline uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline void store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#define QR(a, b, c, d)                                                         \
	do {                                                                   \
		a += b; d ^= a; d = rotl(d, 16);                               \
		c += d; b ^= c; b = rotl(b, 12);                               \
		a += b; d ^= a; d = rotl(d, 8);                                \
		c += d; b ^= c; b = rotl(b, 7);                                \
	} while (0)

void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint8_t out[CHACHA20_BLOCK_SIZE])
{
	/* "expand 32-byte k", then key, counter, nonce (RFC 8439 §2.3). */
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t x[16];

	for (int i = 0; i < 8; i++)
		in[4 + i] = load_le32(key + 4 * i);
	in[12] = counter;
	for (int i = 0; i < 3; i++)
		in[13 + i] = load_le32(nonce + 4 * i);
	for (int i = 0; i < 16; i++)
		x[i] = in[i];
	for (int round = 0; round < 10; round++) {
		/* A column round, then a diagonal round. */
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		store_le32(out + 4 * i, x[i] + in[i]);
}

void chacha20_xor(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		  const uint8_t nonce[CHACHA20_NONCE_SIZE], const uint8_t *in, uint8_t *out,
		  size_t n)
{
	uint8_t ks[CHACHA20_BLOCK_SIZE];

	while (n) {
		size_t chunk = n < sizeof(ks) ? n : sizeof(ks);

		chacha20_block(key, counter++, nonce, ks);
		for (size_t i = 0; i < chunk; i++)
			out[i] = (uint8_t)((in ? in[i] : 0) ^ ks[i]);
		if (in)
			in += chunk;
		out += chunk;
		n -= chunk;
	}
	/* Leave no keystream behind on the stack. */
	for (size_t i = 0; i < sizeof(ks); i++)
		((volatile uint8_t *)ks)[i] = 0;
}
