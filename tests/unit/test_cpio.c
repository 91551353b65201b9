// SPDX-License-Identifier: MIT
/* Host tests of lib/cpio_newc.c: well-formed, truncated and malformed archives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cpio_newc.h"

#define EINVAL_ 22

struct ar {
	char buf[8192];
	size_t len;
};

static void pad4(struct ar *a)
{
	while (a->len & 3)
		a->buf[a->len++] = 0;
}

static void add(struct ar *a, const char *name, unsigned ino, unsigned mode, unsigned nlink,
		const char *data, size_t dlen)
{
	size_t nsz = strlen(name) + 1;

	a->len += (size_t)sprintf(a->buf + a->len,
				  "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
				  ino, mode, 0, 0, nlink, 0, dlen, 0, 0, 0, 0, nsz, 0);
	memcpy(a->buf + a->len, name, nsz);
	a->len += nsz;
	pad4(a);
	memcpy(a->buf + a->len, data, dlen);
	a->len += dlen;
	pad4(a);
}

static void trailer(struct ar *a)
{
	add(a, "TRAILER!!!", 0, 0, 1, "", 0);
}

static void test_cpio_parses_entries_then_trailer(void **state)
{
	(void)state;
	static struct ar a;
	struct cpio_newc_entry e;
	size_t off = 0;

	a.len = 0;
	add(&a, "bin", 1, 040755, 2, "", 0);
	add(&a, "bin/hello", 2, 0100644, 1, "hello\n", 6);
	add(&a, "bin/l", 3, 0120777, 1, "hello", 5);
	trailer(&a);
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), 1);
	assert_string_equal(e.name, "bin");
	assert_int_equal(e.mode, 040755);
	assert_int_equal(e.namelen, 3);
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), 1);
	assert_string_equal(e.name, "bin/hello");
	assert_int_equal(e.filesize, 6);
	assert_memory_equal(e.data, "hello\n", 6);
	assert_int_equal(e.ino, 2);
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), 1);
	assert_int_equal(e.mode, 0120777);
	assert_memory_equal(e.data, "hello", 5);
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), 0);
	assert_true(off <= a.len);
}

static void test_cpio_every_truncation_fails_cleanly(void **state)
{
	(void)state;
	static struct ar a;

	a.len = 0;
	add(&a, "f", 7, 0100600, 1, "0123456789", 10);
	trailer(&a);
	/* Every prefix of the archive: never a crash (ASan checks), never a
	 * trailer reported unless the whole trailer name is present. */
	for (size_t cut = 0; cut < a.len; cut++) {
		char *copy = malloc(cut ? cut : 1);
		struct cpio_newc_entry e;
		size_t off = 0;
		int r;

		memcpy(copy, a.buf, cut);
		while ((r = cpio_newc_next(copy, cut, &off, &e)) == 1)
			assert_true(off <= cut);
		if (r == 0)
			assert_true(cut >= 2 * 112 + 10);
		else
			assert_int_equal(r, -EINVAL_);
		free(copy);
	}
}

static void test_cpio_bad_magic_fails(void **state)
{
	(void)state;
	static struct ar a;
	struct cpio_newc_entry e;
	size_t off = 0;

	a.len = 0;
	add(&a, "f", 1, 0100644, 1, "x", 1);
	a.buf[5] = '7'; /* 070707 is the old binary-ish odc format */
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), -EINVAL_);
	assert_int_equal(off, 0);
}

static void test_cpio_non_hex_field_fails(void **state)
{
	(void)state;
	static struct ar a;
	struct cpio_newc_entry e;
	size_t off = 0;

	a.len = 0;
	add(&a, "f", 1, 0100644, 1, "x", 1);
	a.buf[6 + 8 + 3] = 'g'; /* inside c_mode */
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), -EINVAL_);
}

static void test_cpio_huge_filesize_fails(void **state)
{
	(void)state;
	static struct ar a;
	struct cpio_newc_entry e;
	size_t off = 0;

	a.len = 0;
	add(&a, "f", 1, 0100644, 1, "x", 1);
	memcpy(a.buf + 6 + 6 * 8, "FFFFFFFF", 8); /* c_filesize */
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), -EINVAL_);
}

static void test_cpio_name_without_nul_fails(void **state)
{
	(void)state;
	static struct ar a;
	struct cpio_newc_entry e;
	size_t off = 0;

	a.len = 0;
	add(&a, "abc", 1, 0100644, 1, "", 0);
	a.buf[110 + 3] = 'd'; /* overwrite the terminator */
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), -EINVAL_);
}

static void test_cpio_name_with_inner_nul_fails(void **state)
{
	(void)state;
	static struct ar a;
	struct cpio_newc_entry e;
	size_t off = 0;

	a.len = 0;
	add(&a, "abc", 1, 0100644, 1, "", 0);
	a.buf[110 + 1] = '\0';
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), -EINVAL_);
}

static void test_cpio_empty_name_fails(void **state)
{
	(void)state;
	static struct ar a;
	struct cpio_newc_entry e;
	size_t off = 0;

	a.len = 0;
	add(&a, "", 1, 0100644, 1, "", 0);
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), -EINVAL_);
}

static void test_cpio_huge_namesize_fails(void **state)
{
	(void)state;
	static struct ar a;
	struct cpio_newc_entry e;
	size_t off = 0;

	a.len = 0;
	add(&a, "abc", 1, 0100644, 1, "", 0);
	memcpy(a.buf + 6 + 11 * 8, "FFFFFFFF", 8); /* c_namesize */
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), -EINVAL_);
}

static void test_cpio_offset_past_end_fails(void **state)
{
	(void)state;
	char b[4] = { 0 };
	struct cpio_newc_entry e;
	size_t off = 100;

	assert_int_equal(cpio_newc_next(b, sizeof(b), &off, &e), -EINVAL_);
	off = SIZE_MAX;
	assert_int_equal(cpio_newc_next(b, sizeof(b), &off, &e), -EINVAL_);
}

static void test_cpio_crc_magic_accepted(void **state)
{
	(void)state;
	static struct ar a;
	struct cpio_newc_entry e;
	size_t off = 0;

	a.len = 0;
	add(&a, "f", 1, 0100644, 1, "x", 1);
	a.buf[5] = '2';
	assert_int_equal(cpio_newc_next(a.buf, a.len, &off, &e), 1);
}

/* Random garbage after a valid header prefix: parse must stay in bounds. */
static void test_cpio_random_bytes_never_crash(void **state)
{
	(void)state;
	static char b[512];
	unsigned seed = 12345;

	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 110 + (size_t)(iter % 300);
		struct cpio_newc_entry e;
		size_t off = 0;

		memcpy(b, "070701", 6);
		for (size_t i = 6; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			/* Mostly hex digits so parsing gets past the header. */
			b[i] = (seed >> 16) % 8 ? "0123456789abcdef"[(seed >> 20) & 15]
						: (char)(seed >> 8);
		}
		char *copy = malloc(len);
		memcpy(copy, b, len);
		while (cpio_newc_next(copy, len, &off, &e) == 1)
			assert_true(off <= len);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpio_parses_entries_then_trailer),
		cmocka_unit_test(test_cpio_every_truncation_fails_cleanly),
		cmocka_unit_test(test_cpio_bad_magic_fails),
		cmocka_unit_test(test_cpio_non_hex_field_fails),
		cmocka_unit_test(test_cpio_huge_filesize_fails),
		cmocka_unit_test(test_cpio_name_without_nul_fails),
		cmocka_unit_test(test_cpio_name_with_inner_nul_fails),
		cmocka_unit_test(test_cpio_empty_name_fails),
		cmocka_unit_test(test_cpio_huge_namesize_fails),
		cmocka_unit_test(test_cpio_offset_past_end_fails),
		cmocka_unit_test(test_cpio_crc_magic_accepted),
		cmocka_unit_test(test_cpio_random_bytes_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
