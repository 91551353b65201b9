/* SPDX-License-Identifier: MIT */
/*
 * In-kernel benchmarks. KBENCH(name) { ... } places a descriptor in the
 * .kbench section; with `kbench` (or `kbench=name,name`) on the command line
 * the kernel runs them on the boot hart, each printing lines
 *     BENCH <name> <value> <unit>
 * through kbench_report(), then powers off. Run under QEMU's -icount shift=0
 * (make bench does), where 1 ns of guest time is one guest instruction, so
 * clock_now_ns() differences are instruction counts and repeat exactly.
 */
#ifndef KERNEL_KBENCH_H
#define KERNEL_KBENCH_H

#include <stdint.h>

struct kbench {
	const char *name;
	void (*fn)(void);
};

#define KBENCH(name_)                                                        \
	static void kbench_##name_(void);                                    \
	static const struct kbench kbench_desc_##name_                       \
		__attribute__((used, section(".kbench"), aligned(8))) = {    \
			.name = #name_,                                      \
			.fn = kbench_##name_,                                \
		};                                                           \
	static void kbench_##name_(void)

/* Print "BENCH <name> <value> <unit>"; value given as a fraction num/den
 * (printed with two decimals) so per-operation averages keep precision. */
void kbench_report(const char *name, uint64_t num, uint64_t den, const char *unit);

/* Runs the selected benchmarks and powers off; never returns. */
__attribute__((noreturn)) void kbench_run(const char *selection);

#endif
