/* SPDX-License-Identifier: MIT */
/* What the arch boot code hands to the portable kernel. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <stdbool.h>
#include <stdint.h>

struct fdt_info;

struct boot_info {
	const struct fdt_info *fdt; /* parsed device tree */
	const void *dtb;            /* the blob itself (kept reserved) */
	unsigned long boot_hartid;
	unsigned harts_online;
	uint64_t timebase_hz;
	bool has_sstc;
	bool ipi_direct;		/* IPIs by an S-mode device (ACLINT SSWI), not SBI */
	uint64_t mem_bytes;         /* RAM in the device tree */
	uint64_t free_bytes;        /* handed to the page allocator */
	const char *bootargs;       /* never NULL */
};

/* Boot hart, before the other harts start: drivers, allocators, executor. */
void kernel_early_init(const struct boot_info *bi);
/* Boot hart, every hart online. */
__attribute__((noreturn)) void kernel_main(const struct boot_info *bi);
/* Every other hart, after its arch setup. */
__attribute__((noreturn)) void kernel_secondary_main(void);

/* The kernel command line option `name` or `name=value` (before any `--`):
 * its value ("" for a bare flag) copied into buf, or NULL when absent.
 * Words split as Linux splits them (double quotes group). */
const char *bootarg(const char *name, char *buf, unsigned long size);
void bootarg_set_cmdline(const char *s);
/* The arguments for init after its own name (user/README.md): PROG and the
 * words after `init=PROG`, then the words after `--`. Fills at most max
 * entries of argv (pointers into the kernel's copy of the command line,
 * valid for ever); returns how many. */
unsigned bootarg_init_argv(const char **argv, unsigned max);

#endif
