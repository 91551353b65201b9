// SPDX-License-Identifier: MIT
/*
 * ext2 htree name hashes (see dirhash.h). The names of the constants and steps follow the
 * ext2 layout description: the name is packed into 32-bit words padded with its length,
 * then mixed 32 bytes at a time (half-MD4: three rounds of eight steps of MD4) or 16 bytes
 * at a time (TEA: 16 rounds of the Tiny Encryption Algorithm).
 */
#include "lib/dirhash.h"

#include <stdbool.h>

static uint32_t rol32(uint32_t x, unsigned s)
{
	return x << s | x >> (32 - s);
}

/*
 * Pack up to 4 * nwords bytes of name into w[0..nwords): each word collects four bytes,
 * most significant first, over a starting value that repeats the length in every byte;
 * the words past the name are that pad. Bytes are sign-extended unless is_unsigned.
 */
static void pack(const char *name, size_t len, uint32_t *w, int nwords, bool is_unsigned)
{
	uint32_t pad = (uint32_t)len | (uint32_t)len << 8, acc;
	size_t n = len < (size_t)nwords * 4 ? len : (size_t)nwords * 4;

	pad |= pad << 16;
	acc = pad;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = is_unsigned ? (uint32_t)(unsigned char)name[i]
					 : (uint32_t)(int32_t)(signed char)name[i];

		acc = c + (acc << 8);
		if (i % 4 == 3) {
			*w++ = acc;
			acc = pad;
			nwords--;
		}
	}
	if (nwords-- > 0)
		*w++ = acc;
	while (nwords-- > 0)
		*w++ = pad;
}

#define MD4_F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MD4_G(x, y, z) (((x) & (y)) + (((x) ^ (y)) & (z)))
#define MD4_H(x, y, z) ((x) ^ (y) ^ (z))
#define MD4_STEP(f, a, b, c, d, x, s) ((a) = rol32((a) + f((b), (c), (d)) + (x), (s)))
#define MD4_K2 0x5A827999u /* sqrt(2) * 2^30, MD4's round-2 constant */
#define MD4_K3 0x6ED9EBA1u /* sqrt(3) * 2^30, round 3 */

/* MD4's compression with half the input (8 words) and half the steps per round. */
static void half_md4(uint32_t h[4], const uint32_t in[8])
{
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	static const unsigned s1[4] = { 3, 7, 11, 19 }, s2[4] = { 3, 5, 9, 13 },
			      s3[4] = { 3, 9, 11, 15 };
	static const unsigned o2[8] = { 1, 3, 5, 7, 0, 2, 4, 6 }, o3[8] = { 3, 7, 2, 6, 1, 5, 0, 4 };

	for (int i = 0; i < 8; i += 4) {
		MD4_STEP(MD4_F, a, b, c, d, in[i + 0], s1[0]);
		MD4_STEP(MD4_F, d, a, b, c, in[i + 1], s1[1]);
		MD4_STEP(MD4_F, c, d, a, b, in[i + 2], s1[2]);
		MD4_STEP(MD4_F, b, c, d, a, in[i + 3], s1[3]);
	}
	for (int i = 0; i < 8; i += 4) {
		MD4_STEP(MD4_G, a, b, c, d, in[o2[i + 0]] + MD4_K2, s2[0]);
		MD4_STEP(MD4_G, d, a, b, c, in[o2[i + 1]] + MD4_K2, s2[1]);
		MD4_STEP(MD4_G, c, d, a, b, in[o2[i + 2]] + MD4_K2, s2[2]);
		MD4_STEP(MD4_G, b, c, d, a, in[o2[i + 3]] + MD4_K2, s2[3]);
	}
	for (int i = 0; i < 8; i += 4) {
		MD4_STEP(MD4_H, a, b, c, d, in[o3[i + 0]] + MD4_K3, s3[0]);
		MD4_STEP(MD4_H, d, a, b, c, in[o3[i + 1]] + MD4_K3, s3[1]);
		MD4_STEP(MD4_H, c, d, a, b, in[o3[i + 2]] + MD4_K3, s3[2]);
		MD4_STEP(MD4_H, b, c, d, a, in[o3[i + 3]] + MD4_K3, s3[3]);
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

/* 16 rounds of TEA over h[0..1] keyed by in[0..3]. */
static void tea(uint32_t h[4], const uint32_t in[4])
{
	uint32_t sum = 0, x = h[0], y = h[1];

	for (int n = 0; n < 16; n++) {
		sum += 0x9E3779B9u; /* TEA's delta: 2^32 / golden ratio */
		x += ((y << 4) + in[0]) ^ (y + sum) ^ ((y >> 5) + in[1]);
		y += ((x << 4) + in[2]) ^ (x + sum) ^ ((x >> 5) + in[3]);
	}
	h[0] += x;
	h[1] += y;
}

static uint32_t legacy(const char *name, size_t len, bool is_unsigned)
{
	uint32_t h0 = 0x12a3fe2d, h1 = 0x37abe8f9;

	for (size_t i = 0; i < len; i++) {
		int32_t c = is_unsigned ? (int32_t)(unsigned char)name[i] : (int32_t)(signed char)name[i];
		uint32_t h = h1 + (h0 ^ (uint32_t)(c * 7152373));

		if (h & 0x80000000u)
			h -= 0x7fffffff;
		h1 = h0;
		h0 = h;
	}
	return h0 << 1;
}

int dirhash(unsigned v, const char *name, size_t len, const uint32_t seed[4], uint32_t *hash,
	    uint32_t *minor)
{
	uint32_t h[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 }; /* MD4's IV */
	uint32_t in[8], major, mnr = 0;
	bool is_unsigned = v >= DIRHASH_LEGACY_UNSIGNED;

	if (seed && (seed[0] | seed[1] | seed[2] | seed[3]))
		for (int i = 0; i < 4; i++)
			h[i] = seed[i];
	switch (v) {
	case DIRHASH_LEGACY:
	case DIRHASH_LEGACY_UNSIGNED:
		major = legacy(name, len, is_unsigned);
		break;
	case DIRHASH_HALF_MD4:
	case DIRHASH_HALF_MD4_UNSIGNED:
		for (size_t off = 0; len; off += 32) {
			pack(name + off, len - off, in, 8, is_unsigned);
			half_md4(h, in);
			if (len - off <= 32)
				break;
		}
		major = h[1];
		mnr = h[2];
		break;
	case DIRHASH_TEA:
	case DIRHASH_TEA_UNSIGNED:
		for (size_t off = 0; len; off += 16) {
			pack(name + off, len - off, in, 4, is_unsigned);
			tea(h, in);
			if (len - off <= 16)
				break;
		}
		major = h[0];
		mnr = h[1];
		break;
	default:
		return -1;
	}
	major &= ~1u;
	if (major == 0xfffffffeu) /* the end-of-directory cookie */
		major = 0xfffffffcu;
	*hash = major;
	if (minor)
		*minor = mnr;
	return 0;
}
