// SPDX-License-Identifier: MIT
/*
 * Host tests for lib/string.c. Built with -DLIB_STRING_PREFIXED, so every
 * standard name below is our lib_ implementation, not glibc's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <limits.h>
#include <cmocka.h>

#include "lib/string.h"

static void test_string_names_are_ours(void **state)
{
	(void)state;
	/* If the rename were lost we would silently be testing glibc. */
	assert_ptr_equal((void *)memcpy, (void *)lib_memcpy);
	assert_ptr_equal((void *)strlen, (void *)lib_strlen);
}

static void test_memcpy_all_alignments_and_lengths(void **state)
{
	unsigned char src[80], dst[80];
	(void)state;

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 1);
	for (size_t so = 0; so < 9; so++) {
		for (size_t dof = 0; dof < 9; dof++) {
			for (size_t n = 0; n < 64; n++) {
				for (size_t i = 0; i < sizeof(dst); i++)
					dst[i] = 0xee;
				assert_ptr_equal(memcpy(dst + dof, src + so, n), dst + dof);
				for (size_t i = 0; i < sizeof(dst); i++) {
					if (i >= dof && i < dof + n)
						assert_int_equal(dst[i], src[so + i - dof]);
					else
						assert_int_equal(dst[i], 0xee);
				}
			}
		}
	}
}

static void test_memmove_overlap_both_directions(void **state)
{
	(void)state;
	for (int shift = -9; shift <= 9; shift++) {
		for (size_t n = 0; n < 40; n++) {
			unsigned char buf[64], ref[64];
			size_t from = 12, to = (size_t)(12 + shift);

			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = ref[i] = (unsigned char)i;
			/* reference: through a temporary */
			unsigned char tmp[64];
			for (size_t i = 0; i < n; i++)
				tmp[i] = ref[from + i];
			for (size_t i = 0; i < n; i++)
				ref[to + i] = tmp[i];
			assert_ptr_equal(memmove(buf + to, buf + from, n), buf + to);
			assert_memory_equal(buf, ref, sizeof(buf));
		}
	}
}

static void test_memset_fills_exactly(void **state)
{
	unsigned char buf[72];
	(void)state;

	for (size_t off = 0; off < 9; off++) {
		for (size_t n = 0; n < 60; n++) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = 1;
			assert_ptr_equal(memset(buf + off, 0x1ab, n), buf + off);
			for (size_t i = 0; i < sizeof(buf); i++)
				assert_int_equal(buf[i], i >= off && i < off + n ? 0xab : 1);
		}
	}
}

static void test_memcmp_memchr(void **state)
{
	(void)state;
	assert_int_equal(memcmp("abc", "abc", 3), 0);
	assert_true(memcmp("abc", "abd", 3) < 0);
	assert_true(memcmp("abd", "abc", 3) > 0);
	/* bytes compare as unsigned */
	assert_true(memcmp("\x80", "\x01", 1) > 0);
	assert_int_equal(memcmp("a", "b", 0), 0);
	const char *s = "hello";
	assert_ptr_equal(memchr(s, 'l', 5), s + 2);
	assert_ptr_equal(memchr(s, 'z', 5), NULL);
	assert_ptr_equal(memchr(s, 'o', 4), NULL);
	assert_ptr_equal(memchr(s, 'h' + 256, 5), s);
}

static void test_strlen_strnlen(void **state)
{
	char unterminated[4] = { 'a', 'b', 'c', 'd' };
	(void)state;

	assert_int_equal(strlen(""), 0);
	assert_int_equal(strlen("hello"), 5);
	assert_int_equal(strnlen("hello", 3), 3);
	assert_int_equal(strnlen("hello", 10), 5);
	assert_int_equal(strnlen("", 10), 0);
	/* must not read beyond max (ASan watches the stack array) */
	assert_int_equal(strnlen(unterminated, sizeof(unterminated)), 4);
}

static void test_strcmp_strncmp_sign_and_bounds(void **state)
{
	(void)state;
	assert_int_equal(strcmp("", ""), 0);
	assert_int_equal(strcmp("abc", "abc"), 0);
	assert_true(strcmp("abc", "abd") < 0);
	assert_true(strcmp("abc", "ab") > 0);
	assert_true(strcmp("ab", "abc") < 0);
	assert_true(strcmp("\xff", "a") > 0);
	assert_int_equal(strncmp("abcX", "abcY", 3), 0);
	assert_true(strncmp("abcX", "abcY", 4) < 0);
	assert_int_equal(strncmp("ab", "ab", 10), 0);
	assert_true(strncmp("ab", "abc", 10) < 0);
	assert_int_equal(strncmp("x", "y", 0), 0);
	assert_true(strncmp("\x90", "\x10", 1) > 0);
}

static void test_strchr_strrchr(void **state)
{
	const char *s = "a/b/c";
	(void)state;

	assert_ptr_equal(strchr(s, '/'), s + 1);
	assert_ptr_equal(strrchr(s, '/'), s + 3);
	assert_ptr_equal(strchr(s, 'z'), NULL);
	assert_ptr_equal(strrchr(s, 'z'), NULL);
	assert_ptr_equal(strchr(s, '\0'), s + 5);
	assert_ptr_equal(strrchr(s, '\0'), s + 5);
	assert_ptr_equal(strchr(s, 'a'), s);
	assert_ptr_equal(strrchr(s, 'a'), s);
}

static void test_strlcpy_truncates_and_reports_length(void **state)
{
	char *buf = malloc(4);	/* exact size so ASan catches an overrun */
	(void)state;

	assert_int_equal(strlcpy(buf, "hi", 4), 2);
	assert_string_equal(buf, "hi");
	assert_int_equal(strlcpy(buf, "abc", 4), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(strlcpy(buf, "abcdef", 4), 6);
	assert_string_equal(buf, "abc");
	buf[0] = 'Q';
	assert_int_equal(strlcpy(buf, "abcdef", 0), 6);
	assert_int_equal(buf[0], 'Q');
	assert_int_equal(strlcpy(buf, "abcdef", 1), 6);
	assert_string_equal(buf, "");
	free(buf);
}

static void test_strlcat(void **state)
{
	char buf[8] = "ab";
	(void)state;

	assert_int_equal(strlcat(buf, "cd", sizeof(buf)), 4);
	assert_string_equal(buf, "abcd");
	assert_int_equal(strlcat(buf, "efghij", sizeof(buf)), 10);
	assert_string_equal(buf, "abcdefg");
	assert_int_equal(strlcat(buf, "x", 3), 3 + 1);
	assert_string_equal(buf, "abcdefg");
}

static void test_str_to_ulong_bases_and_end(void **state)
{
	const char *end;
	const char *s;
	(void)state;

	assert_int_equal(str_to_ulong("123", &end, 10), 123);
	assert_int_equal(*end, '\0');
	s = "  +42abc";
	assert_int_equal(str_to_ulong(s, &end, 10), 42);
	assert_ptr_equal(end, s + 5);
	assert_int_equal(str_to_ulong("0x1F", &end, 0), 31);
	assert_int_equal(str_to_ulong("0X1f", &end, 16), 31);
	assert_int_equal(str_to_ulong("1f", &end, 16), 31);
	assert_int_equal(str_to_ulong("017", &end, 0), 15);
	assert_int_equal(str_to_ulong("0", &end, 0), 0);
	assert_int_equal(*end, '\0');
	assert_int_equal(str_to_ulong("101", &end, 2), 5);
	assert_int_equal(str_to_ulong("zz", &end, 36), 36 * 35 + 35);
	assert_int_equal(str_to_ulong("777", NULL, 8), 0777);
	/* "0x" with no hex digit after it: the 0 is the number, end at 'x' */
	s = "0xg";
	assert_int_equal(str_to_ulong(s, &end, 0), 0);
	assert_ptr_equal(end, s + 1);
	/* no digits: end == s */
	s = "  -5";
	assert_int_equal(str_to_ulong(s, &end, 10), 0);
	assert_ptr_equal(end, s);
	s = "";
	assert_int_equal(str_to_ulong(s, &end, 10), 0);
	assert_ptr_equal(end, s);
	/* bad base */
	s = "12";
	assert_int_equal(str_to_ulong(s, &end, 1), 0);
	assert_ptr_equal(end, s);
	assert_int_equal(str_to_ulong(s, &end, 37), 0);
	/* limits */
	assert_true(str_to_ulong("18446744073709551615", &end, 10) == ULONG_MAX);
	assert_true(str_to_ulong("18446744073709551614", &end, 10) == ULONG_MAX - 1);
	s = "18446744073709551616x";
	assert_true(str_to_ulong(s, &end, 10) == ULONG_MAX);
	assert_ptr_equal(end, s + 20);
	assert_true(str_to_ulong("0xffffffffffffffffff", &end, 0) == ULONG_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_names_are_ours),
		cmocka_unit_test(test_memcpy_all_alignments_and_lengths),
		cmocka_unit_test(test_memmove_overlap_both_directions),
		cmocka_unit_test(test_memset_fills_exactly),
		cmocka_unit_test(test_memcmp_memchr),
		cmocka_unit_test(test_strlen_strnlen),
		cmocka_unit_test(test_strcmp_strncmp_sign_and_bounds),
		cmocka_unit_test(test_strchr_strrchr),
		cmocka_unit_test(test_strlcpy_truncates_and_reports_length),
		cmocka_unit_test(test_strlcat),
		cmocka_unit_test(test_str_to_ulong_bases_and_end),
	};

	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
