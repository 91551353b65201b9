/* SPDX-License-Identifier: MIT */
/*
 * Copying between the kernel and a user address space. The page tables are
 * walked in software (no trap fixups, no SUM): every user page touched must be
 * mapped with U and the access's permission, lazy and copy-on-write pages are
 * resolved as a user fault would, and the bytes move through the direct map.
 * User addresses are uintptr_t so they cannot be dereferenced by mistake.
 *
 * Any bad address (unmapped, kernel half, wrong permission, PROT_NONE) gives
 * -EFAULT; running out of memory while resolving a page gives -ENOMEM. On an
 * error, part of the data may already have been copied. Never panics on a
 * user address. The address space need not be the one installed on the hart.
 */
#ifndef KERNEL_MM_UACCESS_H
#define KERNEL_MM_UACCESS_H

#include <stddef.h>
#include <stdint.h>

struct as;

/* 0 or -EFAULT / -ENOMEM. n == 0 always succeeds. */
int copy_from_user(struct as *as, void *dst, uintptr_t usrc, size_t n);
int copy_to_user(struct as *as, uintptr_t udst, const void *src, size_t n);

/*
 * Copy a NUL-terminated string of at most max - 1 characters into dst (which
 * holds max bytes) and terminate it. Returns its length; -ENAMETOOLONG when no
 * NUL lies in the first max bytes (max == 0 included); -EFAULT / -ENOMEM.
 */
long strncpy_from_user(struct as *as, char *dst, uintptr_t usrc, size_t max);

#endif
