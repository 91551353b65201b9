// SPDX-License-Identifier: MIT
/*
 * The in-kernel test runner: every KTEST descriptor between __ktest_start and
 * __ktest_end whose suite is selected runs in link order. Output is TAP-like:
 * `ok N suite:case` / `not ok N suite:case`, then a summary line, then the
 * machine powers off with status 0 only if every selected case passed.
 */
#include "kernel/ktest.h"

#include "kernel/arch.h"
#include "kernel/printk.h"
#include "lib/string.h"

extern const struct ktest __ktest_start[], __ktest_end[];

void ktest_fail(struct ktest_ctx *kt, const char *file, int line, const char *what)
{
	kt->failures++;
	kprintf("    FAIL %s:%d: %s\n", file, line, what);
}

/* selection: "" = all, else a comma-separated list of suite names or suite:case. */
static bool selected(const struct ktest *t, const char *sel)
{
	size_t slen = strlen(t->suite);

	/* The runner's own `failing` suite, and the fixture the GDB tests stop
	 * in (`gdbfixture`), run only when named. */
	if (!*sel)
		return strcmp(t->suite, "failing") != 0 && strcmp(t->suite, "gdbfixture") != 0;
	while (*sel) {
		const char *end = strchr(sel, ',');
		size_t len = end ? (size_t)(end - sel) : strlen(sel);

		if (len == slen && strncmp(sel, t->suite, slen) == 0)
			return true;
		if (len > slen && sel[slen] == ':' && strncmp(sel, t->suite, slen) == 0 &&
		    len - slen - 1 == strlen(t->name) &&
		    strncmp(sel + slen + 1, t->name, len - slen - 1) == 0)
			return true;
		sel += len + (end ? 1 : 0);
	}
	return false;
}

void ktest_run(const char *selection)
{
	int n = 0, failed = 0;

	kprintf("ktest: running %s\n", *selection ? selection : "all suites");
	for (const struct ktest *t = __ktest_start; t < __ktest_end; t++) {
		struct ktest_ctx kt = { .failures = 0 };

		if (!selected(t, selection))
			continue;
		n++;
		t->fn(&kt);
		if (kt.failures)
			failed++;
		kprintf("%s %d %s:%s\n", kt.failures ? "not ok" : "ok", n, t->suite, t->name);
	}
	kprintf("ktest: %d passed, %d failed\n", n - failed, failed);
	if (n == 0)
		kprintf("ktest: no test matched '%s'\n", selection);
	printk_flush();
	arch_poweroff(failed || n == 0 ? 1 : 0);
}
