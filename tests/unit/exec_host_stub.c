// SPDX-License-Identifier: MIT
/*
 * What kernel/proc/exec_stack.c and kernel/mm/aslr.c need from the rest of
 * the kernel, for host tests of the loader: no boot arguments, and no vDSO
 * (kernel/mm/vdso.c maps the kernel's embedded image, which the host has
 * not: AT_SYSINFO_EHDR is left out, as a kernel without one does).
 */
#include <stddef.h>

#include "kernel/boot.h"
#include "kernel/mm/vdso.h"

const char *bootarg(const char *name, char *buf, unsigned long size)
{
	(void)name;
	(void)buf;
	(void)size;
	return NULL;
}

long vdso_map(struct as *as)
{
	(void)as;
	return 0;
}
