/* SPDX-License-Identifier: MIT */
/* The device kprintf writes to once a driver is up. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

struct console_ops {
	/* Write n bytes, turning "\n" into "\r\n"; called with the console lock
	 * held and interrupts off; must not sleep. */
	void (*write)(const char *s, size_t n);
	/* Push out everything queued, by polling (before power-off). */
	void (*flush)(void);
};

void console_register(const struct console_ops *ops);

#endif
