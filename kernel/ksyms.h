/* SPDX-License-Identifier: MIT */
/* The kernel's own symbol table (generated at the second link). */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/* Name of the function containing addr, or NULL; *offset gets addr - start. */
const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset);
/* "name+0xoff" (or "?") into buf. */
void ksyms_describe(uintptr_t addr, char *buf, size_t size);

#endif
