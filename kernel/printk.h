/* SPDX-License-Identifier: MIT */
/*
 * Kernel console output. Usable from any hart and from interrupt context;
 * each call is formatted into a buffer first and emitted under one lock, so
 * lines from different harts never interleave.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>

__attribute__((format(printf, 1, 2))) int kprintf(const char *fmt, ...);
int kvprintf(const char *fmt, va_list ap);
/* Wait until everything printed so far has left the console device. */
void printk_flush(void);

#endif
