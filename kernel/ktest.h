/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests. KTEST(suite, name) { ... } places a descriptor in the
 * .ktest linker section; ktest_run() runs those selected by the command line
 * (`ktest` = all, `ktest=suite[,suite]`), prints `ok N suite:case` or
 * `not ok N suite:case`, a summary, and powers off with the status.
 * EXPECT records a failure and continues; ASSERT ends the case.
 * Cases run on the boot hart, in an ordinary C context (interrupts enabled,
 * the other harts running their idle loops).
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <stdbool.h>

struct ktest_ctx {
	int failures;
};

struct ktest {
	const char *suite;
	const char *name;
	void (*fn)(struct ktest_ctx *kt);
};

#define KTEST(suite_, name_)                                                   \
	static void ktest_##suite_##_##name_(struct ktest_ctx *kt);            \
	static const struct ktest ktest_desc_##suite_##_##name_                \
		__attribute__((used, section(".ktest"), aligned(8))) = {       \
			.suite = #suite_,                                      \
			.name = #name_,                                        \
			.fn = ktest_##suite_##_##name_,                        \
		};                                                             \
	static void ktest_##suite_##_##name_(struct ktest_ctx *kt)

void ktest_fail(struct ktest_ctx *kt, const char *file, int line, const char *what);

#define EXPECT(cond)                                                           \
	do {                                                                   \
		if (!(cond))                                                   \
			ktest_fail(kt, __FILE__, __LINE__, #cond);             \
	} while (0)

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond)) {                                                 \
			ktest_fail(kt, __FILE__, __LINE__, #cond);             \
			return;                                                \
		}                                                              \
	} while (0)

/* Runs the selected tests and powers off; never returns. */
__attribute__((noreturn)) void ktest_run(const char *selection);

#endif
