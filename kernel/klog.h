/* SPDX-License-Identifier: MIT */
/*
 * The kernel log ring behind syslog(2) and dmesg: everything kprintf
 * prints, each line stamped as Linux's syslog records read back
 * ("<4>[    1.234567] text", level 4 being Linux's default for a message
 * without one), in a 64 KiB ring that drops its oldest lines when full.
 * Any context.
 */
#ifndef KERNEL_KLOG_H
#define KERNEL_KLOG_H

#include <stdbool.h>
#include <stddef.h>

#define KLOG_SIZE (64u << 10)

/* Append console output (kprintf's, under the console lock). */
void klog_write(const char *s, size_t n);
/* After printing, outside the console lock: wake blocked readers. */
void klog_wake(void);
/* Does the console take messages (syslog's console level, CONSOLE_OFF)? */
bool klog_console_on(void);

#endif
