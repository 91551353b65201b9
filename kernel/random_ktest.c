// SPDX-License-Identifier: MIT
/* In-kernel tests of kernel/random.c (suite `random`). */
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/random.h"
#include "lib/string.h"

KTEST(random, successive_requests_differ)
{
	uint8_t a[32], b[32];
	uint64_t x = random_u64(), y = random_u64();

	random_bytes(a, sizeof(a));
	random_bytes(b, sizeof(b));
	EXPECT(memcmp(a, b, sizeof(a)) != 0);
	EXPECT(x != y);
	/* Reseeding with the same bytes never repeats earlier output. */
	random_init("seed", 4);
	random_bytes(b, sizeof(b));
	EXPECT(memcmp(a, b, sizeof(a)) != 0);
}

static unsigned popcount8(uint8_t v)
{
	unsigned n = 0;

	for (; v; v &= (uint8_t)(v - 1))
		n++;
	return n;
}

/* A long request spans many blocks: balanced bits, no repeated block. */
KTEST(random, long_request_looks_random)
{
	const size_t n = 64 * 1024;
	uint8_t *buf = kmalloc(n);
	size_t ones = 0;
	bool repeat = false;

	ASSERT(buf != NULL);
	memset(buf, 0, n);
	random_bytes(buf, n);
	for (size_t i = 0; i < n; i++)
		ones += popcount8(buf[i]);
	/* 524288 bits: mean 262144, sd 362; allow about 5 sd. */
	EXPECT(ones > 262144 - 1800 && ones < 262144 + 1800);
	for (size_t i = 64; i < n; i += 64)
		repeat |= memcmp(buf, buf + i, 64) == 0;
	EXPECT(!repeat);
	kfree(buf);
}

/* Odd lengths are filled completely (no stale or zero tail). */
KTEST(random, odd_lengths_are_filled)
{
	for (size_t len = 1; len <= 200; len += 13) {
		uint8_t buf[208];
		bool all_zero = true, all_ff = true;

		memset(buf, 0, sizeof(buf));
		random_bytes(buf, len);
		for (size_t i = len; i < sizeof(buf); i++)
			EXPECT(buf[i] == 0);
		memset(buf, 0xff, sizeof(buf));
		random_bytes(buf, len);
		/* The last 8 bytes (or all) are not left as they were. */
		for (size_t i = len > 8 ? len - 8 : 0; i < len; i++) {
			all_ff &= buf[i] == 0xff;
			all_zero &= buf[i] == 0;
		}
		EXPECT(len < 4 || (!all_ff && !all_zero));
	}
}
