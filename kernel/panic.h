/* SPDX-License-Identifier: MIT */
/* panic(): a broken kernel invariant. Prints, backtraces, stops every hart. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

#define BUG_ON(cond)                                                        \
	do {                                                                \
		if (__builtin_expect(!!(cond), 0))                          \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
