/* SPDX-License-Identifier: MIT */
/*
 * Small-object allocation (slab caches by size class, whole pages above).
 * Returns NULL when memory is exhausted; never panics. Any context.
 */
#ifndef KERNEL_MM_KMALLOC_H
#define KERNEL_MM_KMALLOC_H

#include <stddef.h>

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

#endif
