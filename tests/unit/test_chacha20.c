// SPDX-License-Identifier: MIT
/* Host tests for lib/chacha20.c against the test vectors of RFC 8439. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/chacha20.h"

/* "10 f1 e7 ..." -> bytes; returns the count. */
static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;
	int used;

	while (*s) {
		if (*s == ' ' || *s == '\n') {
			s++;
			continue;
		}
		assert_int_equal(sscanf(s, "%2x%n", &v, &used), 1);
		assert_true(n < max);
		out[n++] = (uint8_t)v;
		s += used;
	}
	return n;
}

static void key_0_to_31(uint8_t key[32])
{
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
}

/* RFC 8439 §2.3.2. */
static void test_chacha20_block_rfc8439_2_3_2(void **state)
{
	uint8_t key[32], out[64], want[64];
	const uint8_t nonce[12] = { 0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0 };

	(void)state;
	key_0_to_31(key);
	assert_int_equal(unhex("10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4"
			       "c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e"
			       "d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2"
			       "b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e",
			       want, sizeof(want)),
			 64);
	chacha20_block(key, 1, nonce, out);
	assert_memory_equal(out, want, 64);
}

/* RFC 8439 Appendix A.1, test vectors #1 and #2 (all-zero key and nonce). */
static void test_chacha20_block_rfc8439_a1_zero_key(void **state)
{
	uint8_t key[32] = { 0 }, nonce[12] = { 0 }, out[64], want[64];

	(void)state;
	unhex("76 b8 e0 ad a0 f1 3d 90 40 5d 6a e5 53 86 bd 28"
	      "bd d2 19 b8 a0 8d ed 1a a8 36 ef cc 8b 77 0d c7"
	      "da 41 59 7c 51 57 48 8d 77 24 e0 3f b8 d8 4a 37"
	      "6a 43 b8 f4 15 18 a1 1c c3 87 b6 69 b2 ee 65 86",
	      want, sizeof(want));
	chacha20_block(key, 0, nonce, out);
	assert_memory_equal(out, want, 64);
	unhex("9f 07 e7 be 55 51 38 7a 98 ba 97 7c 73 2d 08 0d"
	      "cb 0f 29 a0 48 e3 65 69 12 c6 53 3e 32 ee 7a ed"
	      "29 b7 21 76 9c e6 4e 43 d5 71 33 b0 74 d8 39 d5"
	      "31 ed 1f 28 51 0a fb 45 ac e1 0a 1f 4b 79 4d 6f",
	      want, sizeof(want));
	chacha20_block(key, 1, nonce, out);
	assert_memory_equal(out, want, 64);
}

static const char sunscreen[] = "Ladies and Gentlemen of the class of '99: If I could offer "
				"you only one tip for the future, sunscreen would be it.";
static const char sunscreen_ct[] =
	"6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81"
	"e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b"
	"f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57"
	"16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8"
	"07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e"
	"52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36"
	"5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42"
	"87 4d";

/* RFC 8439 §2.4.2: 114 bytes, two full blocks and a partial one. */
static void test_chacha20_xor_rfc8439_2_4_2(void **state)
{
	uint8_t key[32], want[114], out[114];
	const uint8_t nonce[12] = { 0, 0, 0, 0, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
	size_t n = sizeof(sunscreen) - 1;

	(void)state;
	assert_int_equal(n, 114);
	key_0_to_31(key);
	assert_int_equal(unhex(sunscreen_ct, want, sizeof(want)), 114);
	chacha20_xor(key, 1, nonce, (const uint8_t *)sunscreen, out, n);
	assert_memory_equal(out, want, n);
	/* Decrypting in place gives the plaintext back. */
	chacha20_xor(key, 1, nonce, out, out, n);
	assert_memory_equal(out, sunscreen, n);
}

/* The bare keystream (in == NULL) equals consecutive blocks, at any length. */
static void test_chacha20_keystream_matches_blocks(void **state)
{
	uint8_t key[32], nonce[12] = { 1, 2, 3 }, blocks[4 * 64];

	(void)state;
	key_0_to_31(key);
	for (uint32_t b = 0; b < 4; b++)
		chacha20_block(key, 7 + b, nonce, blocks + 64 * b);
	for (size_t n = 0; n <= sizeof(blocks); n++) {
		uint8_t *buf = malloc(n ? n : 1);

		chacha20_xor(key, 7, nonce, NULL, buf, n);
		assert_memory_equal(buf, blocks, n);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chacha20_block_rfc8439_2_3_2),
		cmocka_unit_test(test_chacha20_block_rfc8439_a1_zero_key),
		cmocka_unit_test(test_chacha20_xor_rfc8439_2_4_2),
		cmocka_unit_test(test_chacha20_keystream_matches_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
