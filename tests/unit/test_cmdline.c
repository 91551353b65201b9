// SPDX-License-Identifier: MIT
/* Host tests for lib/cmdline.c: the kernel command line split as Linux's next_arg splits it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/cmdline.h"

/* Split line; words[i] and vals[i] (NULL or the value) are copies. */
static int split(const char *line, char words[][128], char vals[][128], int *has_val)
{
	char buf[512];
	char *p = buf, *w, *v;
	int n = 0;

	strcpy(buf, line);
	p = cmdline_skip_blanks(p);
	while (*p) {
		p = cmdline_next_word(p, &w, &v);
		strcpy(words[n], w);
		has_val[n] = v != NULL;
		strcpy(vals[n], v ? v : "");
		n++;
	}
	return n;
}

static void test_cmdline_words_split_on_blanks(void **state)
{
	char w[8][128], v[8][128];
	int hv[8];
	(void)state;

	assert_int_equal(split("  ktest   init=/bin/sh\targ \n", w, v, hv), 3);
	assert_string_equal(w[0], "ktest");
	assert_false(hv[0]);
	assert_string_equal(w[1], "init=/bin/sh");
	assert_true(hv[1]);
	assert_string_equal(v[1], "/bin/sh");
	assert_string_equal(w[2], "arg");
}

static void test_cmdline_quoted_word_keeps_blanks_and_loses_quotes(void **state)
{
	char w[8][128], v[8][128];
	int hv[8];
	(void)state;

	assert_int_equal(split("a \"b c\" d", w, v, hv), 3);
	assert_string_equal(w[1], "b c");
	assert_false(hv[1]);
	assert_string_equal(w[2], "d");
}

static void test_cmdline_quoted_value(void **state)
{
	char w[8][128], v[8][128];
	int hv[8];
	(void)state;

	assert_int_equal(split("init=\"/bin/my prog\" x", w, v, hv), 2);
	assert_string_equal(w[0], "init=/bin/my prog");
	assert_string_equal(v[0], "/bin/my prog");
	assert_string_equal(w[1], "x");
}

static void test_cmdline_inner_quotes_stay(void **state)
{
	char w[8][128], v[8][128];
	int hv[8];
	(void)state;

	/* Only a quote opening the word or its value is removed (Linux). */
	assert_int_equal(split("a\"b c\"d e", w, v, hv), 2);
	assert_string_equal(w[0], "a\"b c\"d");
	assert_string_equal(w[1], "e");
}

static void test_cmdline_first_equals_splits(void **state)
{
	char w[8][128], v[8][128];
	int hv[8];
	(void)state;

	assert_int_equal(split("a=b=c --", w, v, hv), 2);
	assert_string_equal(v[0], "b=c");
	assert_string_equal(w[1], "--");
	assert_false(hv[1]);
}

static void test_cmdline_unterminated_quote_runs_to_the_end(void **state)
{
	char w[8][128], v[8][128];
	int hv[8];
	(void)state;

	assert_int_equal(split("\"a b", w, v, hv), 1);
	assert_string_equal(w[0], "a b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline_words_split_on_blanks),
		cmocka_unit_test(test_cmdline_quoted_word_keeps_blanks_and_loses_quotes),
		cmocka_unit_test(test_cmdline_quoted_value),
		cmocka_unit_test(test_cmdline_inner_quotes_stay),
		cmocka_unit_test(test_cmdline_first_equals_splits),
		cmocka_unit_test(test_cmdline_unterminated_quote_runs_to_the_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
