/* SPDX-License-Identifier: MIT */
/* Unnamed memory-only files for shared anonymous mappings; see shmem.c. */
#ifndef KERNEL_MM_SHMEM_H
#define KERNEL_MM_SHMEM_H

#include <stdint.h>

struct file;

/* A new unnamed file of size bytes, its pages memory only (zero until
 * written), open O_RDWR in *out. 0 or -ENOMEM. */
int shmem_file_create(uint64_t size, struct file **out);

#endif
