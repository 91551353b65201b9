// SPDX-License-Identifier: MIT
/*
 * The file-mapping hooks of kernel/mm/as.c and as_pt.c (kernel/mm/as_file.c
 * in the kernel, which needs the VFS and the page cache) for host tests of
 * address spaces, which make no file mapping: any call is a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/mm/as.h"
#include "kernel/mm/as_int.h"
#include "lib/errno.h"

void as_vma_file_hold(struct vma *v)
{
	assert_true(v->kind != VMA_FILE);
}

void as_vma_file_release(struct as *as, struct vma *v)
{
	(void)as;
	assert_true(v->kind != VMA_FILE);
}

int as_vma_file_track(struct as *as, struct vma *v)
{
	(void)as;
	(void)v;
	fail();
	return -ENOMEM;
}

void as_vma_file_untrack(struct as *as, struct vma *v)
{
	(void)as;
	assert_false(v->tracked);
}

int as_file_fault_locked(struct as *as, struct vma *v, uintptr_t va, unsigned access, pte_t *pte)
{
	(void)as;
	(void)v;
	(void)va;
	(void)access;
	(void)pte;
	fail();
	return -EFAULT;
}

void as_file_leaf_gone(struct vma *v, uintptr_t va, pte_t pte)
{
	(void)v;
	(void)va;
	(void)pte;
	fail();
}
