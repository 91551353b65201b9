// SPDX-License-Identifier: MIT
/*
 * Host tests for lib/shebang.c: the "#!" line as Linux's binfmt_script reads it.
 * Expected results were checked against the host's Linux kernel with /bin/echo as the
 * interpreter (`printf '#!  /bin/echo   x  y  \n' > t; ./t q` prints "x  y ./t q").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/shebang.h"

struct parsed {
	int err;
	char name[SHEBANG_BUF], arg[SHEBANG_BUF];
	int has_arg;
};

static struct parsed parse(const char *text, size_t len)
{
	char buf[SHEBANG_BUF] = { 0 };
	struct parsed p = { 0 };
	char *name = NULL, *arg = NULL;

	memcpy(buf, text, len < SHEBANG_BUF ? len : SHEBANG_BUF);
	p.err = shebang_parse(buf, &name, &arg);
	if (!p.err) {
		strcpy(p.name, name);
		if (arg) {
			strcpy(p.arg, arg);
			p.has_arg = 1;
		}
	}
	return p;
}

#define PARSE(s) parse((s), sizeof(s) - 1)

static void test_shebang_interpreter_alone(void **state)
{
	(void)state;
	struct parsed p = PARSE("#!/bin/sh\necho hi\n");
	assert_int_equal(p.err, 0);
	assert_string_equal(p.name, "/bin/sh");
	assert_false(p.has_arg);
}

static void test_shebang_blanks_around_name_and_one_argument(void **state)
{
	(void)state;
	struct parsed p = PARSE("#!  /bin/echo   x  y  \n");
	assert_int_equal(p.err, 0);
	assert_string_equal(p.name, "/bin/echo");
	/* Everything after the name is one argument, inner blanks kept, outer ones trimmed. */
	assert_true(p.has_arg);
	assert_string_equal(p.arg, "x  y");
}

static void test_shebang_tab_separates_and_trailing_blanks_trimmed(void **state)
{
	(void)state;
	struct parsed p = PARSE("#!/bin/sh\t-e \t\n");
	assert_int_equal(p.err, 0);
	assert_string_equal(p.name, "/bin/sh");
	assert_string_equal(p.arg, "-e");
}

static void test_shebang_without_newline_at_end_of_file(void **state)
{
	(void)state;
	/* The rest of the buffer is zeros: the name visibly ends. */
	struct parsed p = PARSE("#!/bin/echo");
	assert_int_equal(p.err, 0);
	assert_string_equal(p.name, "/bin/echo");
	assert_false(p.has_arg);
}

static void test_shebang_empty_or_blank_line_is_enoexec(void **state)
{
	(void)state;
	assert_int_equal(PARSE("#!\n/bin/sh\n").err, -ENOEXEC);
	assert_int_equal(PARSE("#!   \t \n").err, -ENOEXEC);
}

static void test_shebang_nul_after_bang_is_an_empty_name(void **state)
{
	(void)state;
	/* Linux finds an empty interpreter name here (and execve then fails with
	 * EACCES: measured on the host with "#!" alone and "#! \0/bin/echo"). */
	struct parsed p = PARSE("#!");
	assert_int_equal(p.err, 0);
	assert_string_equal(p.name, "");
	p = parse("#! \0/bin/echo\n", 14);
	assert_int_equal(p.err, 0);
	assert_string_equal(p.name, "");
}

static void test_shebang_not_a_script_is_enoexec(void **state)
{
	(void)state;
	assert_int_equal(PARSE("\177ELF").err, -ENOEXEC);
	assert_int_equal(PARSE("# !/bin/sh\n").err, -ENOEXEC);
	assert_int_equal(PARSE("").err, -ENOEXEC);
}

static void test_shebang_name_cut_by_the_buffer_is_enoexec(void **state)
{
	char text[SHEBANG_BUF + 10];
	(void)state;

	/* A name longer than the buffer, no newline: it might go on, so no. */
	text[0] = '#';
	text[1] = '!';
	memset(text + 2, 'a', sizeof(text) - 2);
	assert_int_equal(parse(text, sizeof(text)).err, -ENOEXEC);
	/* The same with a blank inside the buffer: the name ends, the argument is
	 * what fits (the last byte of the buffer is lost, as on Linux). */
	text[10] = ' ';
	struct parsed p = parse(text, sizeof(text));
	assert_int_equal(p.err, 0);
	assert_int_equal(strlen(p.name), 8);
	assert_int_equal(strlen(p.arg), SHEBANG_BUF - 12);
}

static void test_shebang_nul_ends_the_name(void **state)
{
	(void)state;
	struct parsed p = parse("#!/bin/sh\0 -x\n", 14);
	assert_int_equal(p.err, 0);
	assert_string_equal(p.name, "/bin/sh");
	assert_false(p.has_arg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shebang_interpreter_alone),
		cmocka_unit_test(test_shebang_blanks_around_name_and_one_argument),
		cmocka_unit_test(test_shebang_tab_separates_and_trailing_blanks_trimmed),
		cmocka_unit_test(test_shebang_without_newline_at_end_of_file),
		cmocka_unit_test(test_shebang_empty_or_blank_line_is_enoexec),
		cmocka_unit_test(test_shebang_nul_after_bang_is_an_empty_name),
		cmocka_unit_test(test_shebang_not_a_script_is_enoexec),
		cmocka_unit_test(test_shebang_name_cut_by_the_buffer_is_enoexec),
		cmocka_unit_test(test_shebang_nul_ends_the_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
