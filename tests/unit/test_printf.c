// SPDX-License-Identifier: MIT
/*
 * Host tests for lib/printf.c: a table of formats checked against glibc's
 * snprintf at every interesting buffer size, plus the cases where we differ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <cmocka.h>

#include "lib/printf.h"

static int mismatches;

/* Compare one format against glibc, at the full size and at truncated sizes. */
static void vcheck_at(int line, size_t size, const char *fmt, va_list ap)
{
	char want[512];
	char *got = size ? malloc(size) : NULL;	/* exact size: ASan sees overruns */
	va_list a1, a2;
	int rw, rg;

	va_copy(a1, ap);
	va_copy(a2, ap);
	rw = vsnprintf(want, size < sizeof(want) ? size : sizeof(want), fmt, a1);
	rg = fmt_vsnprintf(got, size, fmt, a2);
	va_end(a1);
	va_end(a2);
	if (rw != rg || (size && strcmp(want, got) != 0)) {
		fprintf(stderr, "line %d: fmt \"%s\" size %zu: want %d \"%s\", got %d \"%s\"\n",
			line, fmt, size, rw, size ? want : "", rg, size ? got : "");
		mismatches++;
	}
	free(got);
}

__attribute__((format(printf, 2, 3)))
static void check_line(int line, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int len;

	va_start(ap, fmt);
	{
		va_list c;

		va_copy(c, ap);
		len = vsnprintf(tmp, sizeof(tmp), fmt, c);
		va_end(c);
	}
	assert_true(len >= 0 && len < (int)sizeof(tmp) - 2);
	size_t sizes[] = { 0, 1, 2, (size_t)len / 2, (size_t)len, (size_t)len + 1,
			   (size_t)len + 2, 300 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		va_list c;

		va_copy(c, ap);
		vcheck_at(line, sizes[i], fmt, c);
		va_end(c);
	}
	va_end(ap);
}

#define CHECK(...) check_line(__LINE__, __VA_ARGS__)

/*
 * The table includes legal but odd combinations ("%-05d", "%+ d", "%08.5d",
 * "") on purpose; GCC warns about them, so quieten -Wformat for the tables.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"

static void test_printf_matches_glibc_integers(void **state)
{
	(void)state;
	mismatches = 0;
	CHECK("%d", 0);
	CHECK("%d", 1);
	CHECK("%d", -1);
	CHECK("%d", INT_MAX);
	CHECK("%d", INT_MIN);
	CHECK("%i", -42);
	CHECK("%u", 0u);
	CHECK("%u", UINT_MAX);
	CHECK("%x", 0xdeadbeefu);
	CHECK("%X", 0xdeadbeefu);
	CHECK("%o", 8u);
	CHECK("%o", 0u);
	CHECK("%lld", (long long)INT64_MIN);
	CHECK("%lld", (long long)INT64_MAX);
	CHECK("%llu", (unsigned long long)UINT64_MAX);
	CHECK("%llx", (unsigned long long)UINT64_MAX);
	CHECK("%llo", (unsigned long long)UINT64_MAX);
	CHECK("%ld", LONG_MIN);
	CHECK("%lu", ULONG_MAX);
	CHECK("%lx", 0x123456789abcdefUL);
	CHECK("%hhd", 200);
	CHECK("%hhu", 300);
	CHECK("%hhx", -1);
	CHECK("%hd", 70000);
	CHECK("%hu", -1);
	CHECK("%hx", 0x12345);
	CHECK("%zu", (size_t)SIZE_MAX);
	CHECK("%zx", (size_t)0x1000);
	CHECK("%zd", (ptrdiff_t)-5);
	CHECK("%td", (ptrdiff_t)PTRDIFF_MIN);
	CHECK("%tu", (ptrdiff_t)7);
	CHECK("%jd", (intmax_t)INTMAX_MIN);
	CHECK("%ju", (uintmax_t)UINTMAX_MAX);
	CHECK("%jx", (uintmax_t)0xabcdef);
	/* width, flags */
	CHECK("%5d", 42);
	CHECK("%-5d|", 42);
	CHECK("%05d", 42);
	CHECK("%05d", -42);
	CHECK("%-05d|", -42);
	CHECK("%+d", 42);
	CHECK("%+d", -42);
	CHECK("%+d", 0);
	CHECK("% d", 42);
	CHECK("% d", -42);
	CHECK("%+ d", 42);
	CHECK("% 5d", 42);
	CHECK("%+05d", 42);
	CHECK("% 05d", 42);
	CHECK("%1d", 12345);
	CHECK("%20lld", (long long)INT64_MIN);
	CHECK("%025lld", (long long)INT64_MIN);
	CHECK("%-25lld|", (long long)INT64_MIN);
	CHECK("%40llu", (unsigned long long)UINT64_MAX);
	CHECK("%08x", 0xbeefu);
	CHECK("%-8x|", 0xbeefu);
	CHECK("%#x", 0xbeefu);
	CHECK("%#X", 0xbeefu);
	CHECK("%#x", 0u);
	CHECK("%#08x", 0xbeefu);
	CHECK("%#8x", 0xbeefu);
	CHECK("%#-8x|", 0xbeefu);
	CHECK("%#o", 8u);
	CHECK("%#o", 0u);
	CHECK("%#5o", 8u);
	CHECK("%#05o", 8u);
	CHECK("%#.3o", 8u);
	CHECK("%#.2o", 8u);
	CHECK("%#.0o", 0u);
	CHECK("%#llo", (unsigned long long)UINT64_MAX);
	/* precision */
	CHECK("%.5d", 42);
	CHECK("%.5d", -42);
	CHECK("%8.5d", -42);
	CHECK("%-8.5d|", -42);
	CHECK("%08.5d", 42);
	CHECK("%.0d", 0);
	CHECK("%5.0d|", 0);
	CHECK("%+.0d", 0);
	CHECK("%.0x", 0u);
	CHECK("%#.0x", 0u);
	CHECK("%.0u", 0u);
	CHECK("%.1d", 0);
	CHECK("%.10x", 0xabcu);
	CHECK("%#.10x", 0xabcu);
	CHECK("%#12.10x", 0xabcu);
	CHECK("%.30llu", (unsigned long long)UINT64_MAX);
	/* star */
	CHECK("%*d", 6, 42);
	CHECK("%*d|", -6, 42);
	CHECK("%-*d|", 6, 42);
	CHECK("%.*d", 4, 7);
	CHECK("%.*d", -1, 7);
	CHECK("%*.*d", 8, 4, -7);
	CHECK("%0*d", 7, -3);
	CHECK("%0*d", -7, -3);
	assert_int_equal(mismatches, 0);
}

static void test_printf_matches_glibc_strings_chars(void **state)
{
	(void)state;
	mismatches = 0;
	char unterminated[3] = { 'a', 'b', 'c' };

	CHECK("hello");
	CHECK("");
	CHECK("%%");
	CHECK("100%%!");
	CHECK("%s", "hello");
	CHECK("%s", "");
	CHECK("%10s|", "hi");
	CHECK("%-10s|", "hi");
	CHECK("%.2s", "hello");
	CHECK("%.0s|", "hello");
	CHECK("%8.3s|", "hello");
	CHECK("%-8.3s|", "hello");
	CHECK("%*.*s|", -7, 2, "hello");
	CHECK("%.*s", 3, unterminated);	/* must not read past the precision */
	CHECK("%c", 'x');
	CHECK("%3c|", 'x');
	CHECK("%-3c|", 'x');
	CHECK("%c%c%c", 'a', 'b', 'c');
	CHECK("%s=%d (%#x) [%-4s] %c %lu%%", "key", -17, 255u, "ab", 'Z', 99UL);
	CHECK("a%sb%sc", "", "");
	CHECK("%s %s %s %s %s %s", "1", "2", "3", "4", "5", "66666666666666666666");
	CHECK("%p", (void *)0x1000);
	CHECK("%p", (void *)UINTPTR_MAX);
	CHECK("%20p|", (void *)0xdeadbeef);
	CHECK("%-20p|", (void *)0xdeadbeef);
	assert_int_equal(mismatches, 0);
}

#pragma GCC diagnostic pop

/* Where we knowingly differ from glibc, or glibc has no defined behaviour. */
static void test_printf_own_behaviour(void **state)
{
	char buf[64];
	(void)state;

	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%p", NULL), 3);
	assert_string_equal(buf, "0x0");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-truncation"
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", (char *)NULL), 6);
	assert_string_equal(buf, "(null)");
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "[%.3s]", (char *)NULL), 5);
	assert_string_equal(buf, "[(nu]");
	/* Unknown conversions are copied and consume no argument. */
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "a%qb%d", 5), 5);
	assert_string_equal(buf, "a%qb5");
	/* %n is deliberately not supported. */
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "x%ny", (int *)buf), 4);
	assert_string_equal(buf, "x%ny");
	/* A trailing lone '%' is printed. */
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "50%"), 3);
	assert_string_equal(buf, "50%");
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%-08"), 4);
	assert_string_equal(buf, "%-08");
#pragma GCC diagnostic pop
	/* Size 0 writes nothing, even with a NULL buffer. */
	assert_int_equal(fmt_snprintf(NULL, 0, "%d", 12345), 5);
	buf[0] = 'Q';
	assert_int_equal(fmt_snprintf(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], 'Q');
	/* Size 1 gives the empty string. */
	assert_int_equal(fmt_snprintf(buf, 1, "%d", 12345), 5);
	assert_string_equal(buf, "");
}

struct sink {
	char text[4096];
	size_t len;
	int calls;
};

static void sink_emit(void *ctx, const char *s, size_t n)
{
	struct sink *k = ctx;

	assert_true(n > 0);
	assert_true(k->len + n < sizeof(k->text));
	memcpy(k->text + k->len, s, n);
	k->len += n;
	k->calls++;
}

static int sink_format(struct sink *k, const char *fmt, ...)
{
	va_list ap;
	int r;

	k->len = 0;
	k->calls = 0;
	va_start(ap, fmt);
	r = fmt_vformat(sink_emit, k, fmt, ap);
	va_end(ap);
	k->text[k->len] = '\0';
	return r;
}

static void test_printf_vformat_counts_and_long_padding(void **state)
{
	static struct sink k;
	char want[4096];
	(void)state;

	assert_int_equal(sink_format(&k, "abc%ddef", 7), 7);
	assert_string_equal(k.text, "abc7def");
	assert_int_equal(sink_format(&k, ""), 0);
	assert_int_equal(k.calls, 0);

	/* Padding longer than the internal 16-byte runs. */
	assert_int_equal(sink_format(&k, "%1000d|%-999s|%0777x", -1, "s", 0xfu), 1000 + 1 + 999 + 1 + 777);
	snprintf(want, sizeof(want), "%1000d|%-999s|%0777x", -1, "s", 0xfu);
	assert_string_equal(k.text, want);
	assert_int_equal(sink_format(&k, "%.600d", 5), 600);
	snprintf(want, sizeof(want), "%.600d", 5);
	assert_string_equal(k.text, want);
	/* A NUL from %c is output and counted. */
	assert_int_equal(sink_format(&k, "a%cb", 0), 3);
	assert_int_equal(k.len, 3);
	assert_int_equal(k.text[1], '\0');
}

/* va_list handed down through a second variadic layer, as kprintf does. */
static int wrapper(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

static void test_printf_many_args_through_va_list(void **state)
{
	char buf[256];
	(void)state;

	assert_int_equal(wrapper(buf, sizeof(buf), "%d %ld %lld %s %c %u %x %zu %d %d %d %d",
				 1, 2L, 3LL, "four", '5', 6u, 7u, (size_t)8, 9, 10, 11, 12), 29);
	assert_string_equal(buf, "1 2 3 four 5 6 7 8 9 10 11 12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printf_matches_glibc_integers),
		cmocka_unit_test(test_printf_matches_glibc_strings_chars),
		cmocka_unit_test(test_printf_own_behaviour),
		cmocka_unit_test(test_printf_vformat_counts_and_long_padding),
		cmocka_unit_test(test_printf_many_args_through_va_list),
	};

	return cmocka_run_group_tests_name("printf", tests, NULL, NULL);
}
