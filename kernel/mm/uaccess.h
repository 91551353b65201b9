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

/*
 * Where the last user page of a run of copies was: the leaf page table of
 * its 2 MiB, so that the next page there costs one load instead of a walk.
 * Zero it before the first copy; keep it with the address space it was used
 * on (a uio does). Page tables are never freed before the address space is,
 * and every use re-reads the entry under the address space's lock.
 */
struct as_cursor {
	uintptr_t base;		/* the 2 MiB the table covers */
	uint64_t *table;	/* its leaf table, or NULL */
};

/* 0 or -EFAULT / -ENOMEM. n == 0 always succeeds. */
int copy_from_user(struct as *as, void *dst, uintptr_t usrc, size_t n);
int copy_to_user(struct as *as, uintptr_t udst, const void *src, size_t n);
/* The same, stopping at the first page that cannot be had: the bytes
 * copied, or the error when that was the first page (n == 0: 0). cur may
 * be NULL. */
long copy_from_user_part(struct as *as, void *dst, uintptr_t usrc, size_t n,
			 struct as_cursor *cur);
long copy_to_user_part(struct as *as, uintptr_t udst, const void *src, size_t n,
		       struct as_cursor *cur);

/* A piece of kernel memory, for copies gathered from several. */
struct kvec {
	const void *base;
	size_t len;
};

/*
 * Copy up to ulen bytes to user memory at udst from the kernel pieces
 * v[*vi..n), starting *voff bytes into v[*vi] (both advanced), under one
 * hold of the address space's lock: a read out of several cached pages.
 * Returns the bytes copied, or the error of the first page.
 */
long copy_to_user_vec(struct as *as, uintptr_t udst, size_t ulen, const struct kvec *v,
		      unsigned n, unsigned *vi, size_t *voff, struct as_cursor *cur);

/*
 * Copy a NUL-terminated string of at most max - 1 characters into dst (which
 * holds max bytes) and terminate it. Returns its length; -ENAMETOOLONG when no
 * NUL lies in the first max bytes (max == 0 included); -EFAULT / -ENOMEM.
 */
long strncpy_from_user(struct as *as, char *dst, uintptr_t usrc, size_t max);

#endif
