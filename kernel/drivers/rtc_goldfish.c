// SPDX-License-Identifier: MIT
/*
 * Goldfish RTC (the register layout of QEMU's hw/rtc/goldfish_rtc.c and
 * Linux's rtc-goldfish): TIME_LOW at +0x00, TIME_HIGH at +0x04, 32 bits
 * each. Reading TIME_LOW latches the whole 64-bit count, so TIME_HIGH read
 * next belongs to the same instant.
 *
 * Lock legend: regs is set once at boot (I); a read is two loads that only
 * make sense together, so they run under rtc_lock.
 */
#include "kernel/drivers/rtc_goldfish.h"

#include "kernel/mm/layout.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/fdt.h"

#define TIME_LOW 0x00
#define TIME_HIGH 0x04

static volatile uint32_t *regs;		/* I */
static struct spinlock rtc_lock = SPINLOCK_INIT("rtc");

int rtc_goldfish_probe(const void *dtb)
{
	uint64_t base, size;
	int node = fdt_find_compatible(dtb, -1, "google,goldfish-rtc");

	if (node < 0 || !fdt_node_is_okay(dtb, node) || fdt_get_reg(dtb, node, 0, &base, &size) ||
	    size < 8)
		return -ENODEV;
	regs = pa_to_va(base);
	return 0;
}

int rtc_goldfish_read(uint64_t *ns)
{
	irqflags_t f;
	uint32_t lo, hi;

	if (!regs)
		return -ENODEV;
	f = spin_lock_irqsave(&rtc_lock);
	lo = regs[TIME_LOW / 4];	/* latches TIME_HIGH */
	hi = regs[TIME_HIGH / 4];
	spin_unlock_irqrestore(&rtc_lock, f);
	*ns = (uint64_t)hi << 32 | lo;
	return 0;
}
