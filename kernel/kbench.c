// SPDX-License-Identifier: MIT
/* The in-kernel benchmark runner (see kbench.h). */
#include "kernel/kbench.h"

#include "kernel/arch.h"
#include "kernel/printk.h"
#include "lib/string.h"

extern const struct kbench __kbench_start[], __kbench_end[];

void kbench_report(const char *name, uint64_t num, uint64_t den, const char *unit)
{
	uint64_t whole, frac;

	if (den == 0)
		den = 1;
	whole = num / den;
	frac = (num % den) * 100 / den;
	kprintf("BENCH %s %lu.%02lu %s\n", name, (unsigned long)whole, (unsigned long)frac, unit);
}

static bool selected(const char *name, const char *sel)
{
	size_t n = strlen(name);

	if (!*sel)
		return true;
	while (*sel) {
		const char *end = strchr(sel, ',');
		size_t len = end ? (size_t)(end - sel) : strlen(sel);

		if (len == n && strncmp(sel, name, n) == 0)
			return true;
		sel += len + (end ? 1 : 0);
	}
	return false;
}

void kbench_run(const char *selection)
{
	int n = 0;

	kprintf("kbench: running %s\n", *selection ? selection : "all");
	for (const struct kbench *b = __kbench_start; b < __kbench_end; b++) {
		if (!selected(b->name, selection))
			continue;
		n++;
		b->fn();
	}
	kprintf("kbench: %d benchmarks done\n", n);
	printk_flush();
	arch_poweroff(n ? 0 : 1);
}
