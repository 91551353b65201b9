// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of address spaces and user copies (suite `as`), on the real
 * kernel root table and RAM. The exhaustive cases are host tests
 * (tests/unit/test_as.c); these check that the same paths hold in the kernel.
 */
#include "kernel/ktest.h"
#include "kernel/mm/as.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "kernel/mm/uaccess.h"
#include "lib/errno.h"
#include "lib/string.h"

#define RW (AS_PROT_READ | AS_PROT_WRITE)
#define BASE 0x400000UL

static size_t settled_free_count(void)
{
	slab_shrink_all();
	page_drain_caches();
	return page_free_count();
}

KTEST(as, create_shares_kernel_half_and_frees_everything)
{
	size_t start = settled_free_count();
	struct as *as = as_create();
	const pte_t *k = kvm_kernel_root();
	int same = 1;

	ASSERT(as != NULL);
	for (unsigned i = PT_KERNEL_FIRST; i < PTES_PER_TABLE; i++)
		same &= as->root[i] == k[i];
	EXPECT(same);
	EXPECT(as_map(as, BASE, 16 * PAGE_SIZE, RW, VMA_ANON) == 0);
	for (unsigned i = 0; i < 16; i++)
		EXPECT(copy_to_user(as, BASE + i * PAGE_SIZE + 7, "page", 5) == 0);
	EXPECT(as->nr_pages == 16);
	as_destroy(as);
	EXPECT(settled_free_count() == start);
}

KTEST(as, fork_is_copy_on_write)
{
	size_t start = settled_free_count();
	struct as *parent = as_create(), *child;
	char buf[8];

	ASSERT(parent != NULL);
	EXPECT(as_map(parent, BASE, PAGE_SIZE, RW, VMA_ANON) == 0);
	EXPECT(copy_to_user(parent, BASE, "parent", 7) == 0);
	child = as_fork(parent);
	ASSERT(child != NULL);
	pte_t pp = as_lookup_pte(parent, BASE);

	EXPECT(pp == as_lookup_pte(child, BASE));
	EXPECT((pp & (PTE_W | PTE_RSW_COW)) == PTE_RSW_COW);
	EXPECT(page_ref_count(pa_to_va(pte_pa(pp))) == 2);
	EXPECT(copy_to_user(child, BASE, "child", 6) == 0);
	EXPECT(pte_pa(as_lookup_pte(child, BASE)) != pte_pa(pp));
	EXPECT(copy_from_user(parent, buf, BASE, 7) == 0);
	EXPECT(strcmp(buf, "parent") == 0);
	EXPECT(copy_from_user(child, buf, BASE, 6) == 0);
	EXPECT(strcmp(buf, "child") == 0);
	as_destroy(child);
	as_destroy(parent);
	EXPECT(settled_free_count() == start);
}

KTEST(as, bad_user_addresses_fault)
{
	struct as *as = as_create();
	char buf[16];
	static const char kernel_data[8] = "secret";

	ASSERT(as != NULL);
	EXPECT(as_map(as, BASE, PAGE_SIZE, AS_PROT_READ, VMA_ANON) == 0);
	EXPECT(copy_from_user(as, buf, 0, 1) == -EFAULT);
	EXPECT(copy_from_user(as, buf, (uintptr_t)kernel_data, 8) == -EFAULT);
	EXPECT(copy_to_user(as, BASE, "x", 1) == -EFAULT);          /* read-only */
	EXPECT(copy_from_user(as, buf, BASE + PAGE_SIZE - 2, 4) == -EFAULT);
	EXPECT(strncpy_from_user(as, buf, USER_TOP - 1, sizeof(buf)) == -EFAULT);
	EXPECT(as_handle_fault(as, BASE, AS_PROT_WRITE) == -EFAULT);
	EXPECT(as_handle_fault(as, BASE, AS_PROT_READ) == 0);
	EXPECT(copy_from_user(as, buf, BASE, 16) == 0);
	as_destroy(as);
}

KTEST(as, mmap_brk_and_stack)
{
	size_t start = settled_free_count();
	struct as *as = as_create();

	ASSERT(as != NULL);
	EXPECT(as_stack_init(as, AS_STACK_DEFAULT_SIZE) == (long)USER_TOP);
	long a = as_mmap(as, 0, 2 * PAGE_SIZE, RW, 0);

	EXPECT(a > 0 && (uintptr_t)a + 2 * PAGE_SIZE <=
				USER_TOP - AS_STACK_DEFAULT_SIZE - AS_STACK_GUARD_GAP);
	EXPECT(copy_to_user(as, (uintptr_t)a + PAGE_SIZE, "m", 2) == 0);
	as_brk_init(as, BASE + 100);
	EXPECT(as_brk(as, BASE + 3 * PAGE_SIZE) == BASE + 3 * PAGE_SIZE);
	EXPECT(copy_to_user(as, BASE + 2 * PAGE_SIZE, "b", 2) == 0);
	EXPECT(copy_to_user(as, USER_TOP - 16, "s", 2) == 0);
	EXPECT(as_unmap(as, (uintptr_t)a, 2 * PAGE_SIZE) == 0);
	EXPECT(copy_to_user(as, (uintptr_t)a + PAGE_SIZE, "m", 2) == -EFAULT);
	as_destroy(as);
	EXPECT(settled_free_count() == start);
}
