/* SPDX-License-Identifier: MIT */
/*
 * The Goldfish real-time clock of QEMU virt (google,goldfish-rtc): the host's
 * wall-clock time in nanoseconds since the Unix epoch. Only read, once at
 * boot, to start the kernel's CLOCK_REALTIME (kernel/time/clock.c).
 */
#ifndef KERNEL_DRIVERS_RTC_GOLDFISH_H
#define KERNEL_DRIVERS_RTC_GOLDFISH_H

#include <stdint.h>

/* Find the RTC in the device tree; 0, or -ENODEV when there is none. */
int rtc_goldfish_probe(const void *dtb);
/* Its time in ns since the epoch; 0, or -ENODEV before a probe found it. */
int rtc_goldfish_read(uint64_t *ns);

#endif
