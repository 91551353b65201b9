// SPDX-License-Identifier: MIT
/*
 * Host tests of address spaces and user copies (kernel/mm/as.c, uaccess.c)
 * over the fake RAM of tests/unit/mm_host.c, under ASan+UBSan. Every case
 * checks that the free page count is back where it started, so a leaked page
 * table, page or reference fails it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/mm/as.h"
#include "kernel/mm/as_int.h"
#include "kernel/mm/page.h"
#include "kernel/mm/uaccess.h"
#include "lib/errno.h"
#include "tests/unit/mm_host.h"

#define RW (AS_PROT_READ | AS_PROT_WRITE)
#define BASE 0x400000UL

static size_t start_free;



static struct as *new_as(void)
{
	start_free = mm_settled_free_count();
	struct as *as = as_create();

	assert_non_null(as);
	return as;
}

static void end_as(struct as *as)
{
	as_destroy(as);
	assert_int_equal(mm_settled_free_count(), start_free);
}

static void test_as_create_copies_kernel_half_only(void **state)
{
	(void)state;
	struct as *as = new_as();
	const pte_t *k = kvm_kernel_root();

	for (unsigned i = 0; i < PT_KERNEL_FIRST; i++)
		assert_int_equal(as->root[i], 0);
	for (unsigned i = PT_KERNEL_FIRST; i < PTES_PER_TABLE; i++)
		assert_int_equal(as->root[i], k[i]);
	assert_int_equal(as_root_pa(as) & (PAGE_SIZE - 1), 0);
	end_as(as);
}

static void test_as_lazy_page_is_zero_with_a_and_d_set(void **state)
{
	(void)state;
	struct as *as = new_as();
	char buf[64];

	assert_int_equal(as_map(as, BASE, 3 * PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(as_lookup_pte(as, BASE), 0);
	assert_int_equal(as_handle_fault(as, BASE + 5, AS_PROT_READ), 0);
	pte_t pte = as_lookup_pte(as, BASE);

	assert_int_equal(pte & (PTE_V | PTE_U | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D),
			 PTE_V | PTE_U | PTE_R | PTE_W | PTE_A | PTE_D);
	assert_true(mm_all_bytes(pa_to_va(pte_pa(pte)), 0, PAGE_SIZE));
	/* copy_from_user faults the untouched next page in too. */
	assert_int_equal(copy_from_user(as, buf, BASE + PAGE_SIZE - 32, sizeof(buf)), 0);
	assert_true(mm_all_bytes(buf, 0, sizeof(buf)));
	assert_int_equal(as->nr_pages, 2);
	assert_int_equal(as_handle_fault(as, BASE + 3 * PAGE_SIZE, AS_PROT_READ), -EFAULT);
	assert_int_equal(as_handle_fault(as, BASE, AS_PROT_EXEC), -EFAULT);
	end_as(as);
}

static void test_uaccess_roundtrip_across_pages(void **state)
{
	(void)state;
	struct as *as = new_as();
	char src[3 * PAGE_SIZE], dst[3 * PAGE_SIZE];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)(i * 7 + 3);
	assert_int_equal(as_map(as, BASE, 4 * PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(copy_to_user(as, BASE + 100, src, sizeof(src)), 0);
	assert_int_equal(copy_from_user(as, dst, BASE + 100, sizeof(dst)), 0);
	assert_memory_equal(src, dst, sizeof(src));
	assert_int_equal(copy_to_user(as, BASE, src, 0), 0);
	end_as(as);
}

static void test_uaccess_bad_addresses_fault(void **state)
{
	(void)state;
	struct as *as = new_as();
	char buf[16] = "x";

	assert_int_equal(as_map(as, BASE, PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(copy_from_user(as, buf, 0, 1), -EFAULT);
	assert_int_equal(copy_from_user(as, buf, BASE - 1, 2), -EFAULT);  /* straddles */
	assert_int_equal(copy_to_user(as, BASE + PAGE_SIZE - 1, buf, 2), -EFAULT);
	assert_int_equal(copy_from_user(as, buf, USER_TOP - 8, 8), -EFAULT);
	assert_int_equal(copy_from_user(as, buf, USER_TOP, 1), -EFAULT);
	assert_int_equal(copy_from_user(as, buf, DIRECT_MAP_BASE + 0x80200000UL, 8), -EFAULT);
	assert_int_equal(copy_from_user(as, buf, (uintptr_t)buf, 8), -EFAULT); /* kernel ptr */
	assert_int_equal(copy_from_user(as, buf, BASE, SIZE_MAX), -EFAULT);  /* wraps */
	assert_int_equal(copy_to_user(as, UINTPTR_MAX - 3, buf, 8), -EFAULT);
	assert_int_equal(strncpy_from_user(as, buf, USER_TOP + 4096, sizeof(buf)), -EFAULT);
	end_as(as);
}

static void test_uaccess_respects_protection(void **state)
{
	(void)state;
	struct as *as = new_as();
	char buf[8] = "abcdefg";

	assert_int_equal(as_map(as, BASE, PAGE_SIZE, AS_PROT_READ, VMA_ANON), 0);
	assert_int_equal(as_map(as, BASE + PAGE_SIZE, PAGE_SIZE, AS_PROT_NONE, VMA_ANON), 0);
	assert_int_equal(as_map(as, BASE + 2 * PAGE_SIZE, PAGE_SIZE, AS_PROT_EXEC, VMA_ANON), 0);
	assert_int_equal(copy_to_user(as, BASE, buf, 8), -EFAULT);
	assert_int_equal(copy_from_user(as, buf, BASE, 8), 0);
	assert_int_equal(copy_from_user(as, buf, BASE + PAGE_SIZE, 8), -EFAULT);
	assert_int_equal(copy_to_user(as, BASE + PAGE_SIZE, buf, 8), -EFAULT);
	assert_int_equal(copy_from_user(as, buf, BASE + 2 * PAGE_SIZE, 8), -EFAULT);
	assert_int_equal(as_handle_fault(as, BASE + 2 * PAGE_SIZE, AS_PROT_EXEC), 0);
	assert_int_equal(as_lookup_pte(as, BASE + 2 * PAGE_SIZE) & (PTE_R | PTE_W | PTE_X),
			 PTE_X);
	/* The loader may still write a read-only segment. */
	assert_int_equal(as_fill(as, BASE + 10, "hello", 6), 0);
	assert_int_equal(copy_from_user(as, buf, BASE + 10, 6), 0);
	assert_string_equal(buf, "hello");
	assert_int_equal(as_fill(as, BASE + 3 * PAGE_SIZE, "x", 1), -EFAULT);
	end_as(as);
}

static void test_as_protect_none_hides_populated_page(void **state)
{
	(void)state;
	struct as *as = new_as();
	char buf[4] = "abc";

	assert_int_equal(as_map(as, BASE, 3 * PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(copy_to_user(as, BASE + PAGE_SIZE, buf, 4), 0);
	assert_int_equal(as_protect(as, BASE + PAGE_SIZE, PAGE_SIZE, AS_PROT_NONE), 0);
	pte_t pte = as_lookup_pte(as, BASE + PAGE_SIZE);

	assert_true(pte & PTE_V);
	assert_false(pte & (PTE_U | PTE_W | PTE_X));
	assert_int_equal(copy_from_user(as, buf, BASE + PAGE_SIZE, 4), -EFAULT);
	assert_int_equal(as_handle_fault(as, BASE + PAGE_SIZE, AS_PROT_READ), -EFAULT);
	/* Its neighbours kept their protection; the data survives a round trip. */
	assert_int_equal(copy_to_user(as, BASE, buf, 4), 0);
	assert_int_equal(copy_to_user(as, BASE + 2 * PAGE_SIZE, buf, 4), 0);
	assert_int_equal(as_protect(as, BASE, 3 * PAGE_SIZE, AS_PROT_READ), 0);
	assert_int_equal(copy_to_user(as, BASE, buf, 4), -EFAULT);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(copy_from_user(as, buf, BASE + PAGE_SIZE, 4), 0);
	assert_string_equal(buf, "abc");
	/* A hole in the range: -ENOMEM, as Linux. */
	assert_int_equal(as_protect(as, BASE, 4 * PAGE_SIZE, RW), -ENOMEM);
	assert_int_equal(as_protect(as, BASE + 1, PAGE_SIZE, RW), -EINVAL);
	end_as(as);
}

static void test_as_unmap_middle_splits_and_frees(void **state)
{
	(void)state;
	struct as *as = new_as();
	char buf[PAGE_SIZE * 3] = { 1 };

	assert_int_equal(as_map(as, BASE, 3 * PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(copy_to_user(as, BASE, buf, sizeof(buf)), 0);
	/* The split's spare VMA comes from the big-VMA cache: give that its
	 * slab now, so the count below sees only the page unmapped. */
	as_vma_free(as_vma_alloc_big());
	size_t used = page_free_count();

	assert_int_equal(as_unmap(as, BASE + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(mm_settled_free_count(), used + 1);
	assert_int_equal(as->nr_pages, 2);
	assert_int_equal(copy_from_user(as, buf, BASE + PAGE_SIZE, 1), -EFAULT);
	assert_int_equal(copy_from_user(as, buf, BASE, 1), 0);
	assert_int_equal(copy_from_user(as, buf, BASE + 2 * PAGE_SIZE, 1), 0);
	/* Unmapping nothing is fine; unaligned is not. */
	assert_int_equal(as_unmap(as, BASE + 100 * PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(as_unmap(as, BASE + 1, PAGE_SIZE), -EINVAL);
	assert_int_equal(as_map(as, BASE + PAGE_SIZE, PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(as_map(as, BASE, PAGE_SIZE, RW, VMA_ANON), -EEXIST);
	end_as(as);
}

static void test_as_fork_shares_then_copies_on_write(void **state)
{
	(void)state;
	struct as *parent = new_as();
	char buf[8];

	assert_int_equal(as_map(parent, BASE, 2 * PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(copy_to_user(parent, BASE, "parent", 7), 0);
	assert_int_equal(copy_to_user(parent, BASE + PAGE_SIZE, "second", 7), 0);
	struct as *child = as_fork(parent);

	assert_non_null(child);
	pte_t pp = as_lookup_pte(parent, BASE), cp = as_lookup_pte(child, BASE);

	assert_int_equal(pp, cp);
	assert_true(pp & PTE_RSW_COW);
	assert_false(pp & PTE_W);
	void *shared = pa_to_va(pte_pa(pp));

	assert_int_equal(page_ref_count(shared), 2);

	/* The child writes: it gets a copy, the parent keeps its data. */
	assert_int_equal(copy_to_user(child, BASE, "child", 6), 0);
	cp = as_lookup_pte(child, BASE);
	assert_int_not_equal(pte_pa(cp), pte_pa(pp));
	assert_true((cp & (PTE_W | PTE_D)) == (PTE_W | PTE_D));
	assert_false(cp & PTE_RSW_COW);
	assert_int_equal(page_ref_count(shared), 1);
	assert_int_equal(copy_from_user(parent, buf, BASE, 7), 0);
	assert_string_equal(buf, "parent");
	assert_int_equal(copy_from_user(child, buf, BASE, 6), 0);
	assert_string_equal(buf, "child");

	/* The parent writes to its now-unshared page: taken over, no copy. */
	assert_int_equal(as_handle_fault(parent, BASE, AS_PROT_WRITE), 0);
	assert_int_equal(pte_pa(as_lookup_pte(parent, BASE)), pte_pa(pp));
	assert_true(as_lookup_pte(parent, BASE) & PTE_W);

	/* The second page is still shared; the child still sees it. */
	assert_int_equal(copy_from_user(child, buf, BASE + PAGE_SIZE, 7), 0);
	assert_string_equal(buf, "second");
	as_destroy(child);
	assert_int_equal(page_ref_count(pa_to_va(pte_pa(as_lookup_pte(parent, BASE + PAGE_SIZE)))),
			 1);
	end_as(parent);
}

static void test_as_fork_of_readonly_page_stays_cow_after_mprotect(void **state)
{
	(void)state;
	struct as *parent = new_as();

	assert_int_equal(as_map(parent, BASE, PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(copy_to_user(parent, BASE, "ro", 3), 0);
	assert_int_equal(as_protect(parent, BASE, PAGE_SIZE, AS_PROT_READ), 0);
	struct as *child = as_fork(parent);

	assert_non_null(child);
	/* Making it writable again must not hand out W on a shared page. */
	assert_int_equal(as_protect(child, BASE, PAGE_SIZE, RW), 0);
	assert_false(as_lookup_pte(child, BASE) & PTE_W);
	assert_int_equal(copy_to_user(child, BASE, "rw", 3), 0);
	char buf[3];

	assert_int_equal(copy_from_user(parent, buf, BASE, 3), 0);
	assert_string_equal(buf, "ro");
	as_destroy(child);
	end_as(parent);
}

static void test_as_mmap_places_below_stack_gap(void **state)
{
	(void)state;
	struct as *as = new_as();

	assert_int_equal(as_stack_init(as, AS_STACK_DEFAULT_SIZE), (long)USER_TOP);
	uintptr_t stack_lo = USER_TOP - AS_STACK_DEFAULT_SIZE;
	long a = as_mmap(as, 0, 3 * PAGE_SIZE, RW, 0);
	long b = as_mmap(as, 0, 5000, RW, 0);

	assert_int_equal(a, (long)(stack_lo - AS_STACK_GUARD_GAP - 3 * PAGE_SIZE));
	assert_int_equal(b, a - 2 * (long)PAGE_SIZE);
	/* A free hint is honoured, one in the stack gap is not. */
	assert_int_equal(as_mmap(as, 0x10000000, PAGE_SIZE, RW, 0), 0x10000000);
	long c = as_mmap(as, stack_lo - PAGE_SIZE, PAGE_SIZE, RW, 0);

	assert_true(c > 0 && (uintptr_t)c + PAGE_SIZE <= stack_lo - AS_STACK_GUARD_GAP);
	/* FIXED replaces (and frees) what was there; NOREPLACE refuses. */
	assert_int_equal(copy_to_user(as, (uintptr_t)a, "data", 5), 0);
	assert_int_equal(as_mmap(as, (uintptr_t)a, PAGE_SIZE, RW, AS_MAP_NOREPLACE), -EEXIST);
	assert_int_equal(as_mmap(as, (uintptr_t)a, PAGE_SIZE, RW, AS_MAP_FIXED), a);
	char buf[5] = "????";

	assert_int_equal(copy_from_user(as, buf, (uintptr_t)a, 5), 0);
	assert_true(mm_all_bytes(buf, 0, 5));
	assert_int_equal(as_mmap(as, 0, 0, RW, 0), -EINVAL);
	assert_int_equal(as_mmap(as, 123, PAGE_SIZE, RW, AS_MAP_FIXED), -EINVAL);
	assert_int_equal(as_mmap(as, 0, USER_TOP, RW, 0), -ENOMEM);
	/* The stack works, down to its lowest page but not below. */
	assert_int_equal(copy_to_user(as, USER_TOP - 8, "top", 4), 0);
	assert_int_equal(copy_to_user(as, stack_lo, "lo", 3), 0);
	assert_int_equal(copy_to_user(as, stack_lo - 1, "x", 1), -EFAULT);
	end_as(as);
}

static void test_as_brk_grows_shrinks_and_refuses_overlap(void **state)
{
	(void)state;
	struct as *as = new_as();
	uintptr_t start = BASE + 0x1234;
	uintptr_t b0 = PAGE_ALIGN_UP(start);

	as_brk_init(as, start);
	assert_int_equal(as_brk(as, 0), b0);
	assert_int_equal(copy_to_user(as, b0, "x", 1), -EFAULT);
	assert_int_equal(as_brk(as, b0 + 10000), b0 + 10000);
	assert_int_equal(copy_to_user(as, b0 + 9999, "y", 1), 0);
	assert_int_equal(copy_to_user(as, b0 + 3 * PAGE_SIZE - 1, "z", 1), 0); /* same page */
	assert_int_equal(copy_to_user(as, b0 + 3 * PAGE_SIZE, "z", 1), -EFAULT);
	assert_int_equal(as_brk(as, b0 + 5 * PAGE_SIZE), b0 + 5 * PAGE_SIZE);
	assert_int_equal(as_brk(as, b0 - 1), b0 + 5 * PAGE_SIZE);   /* below start */
	/* Something mapped just above stops it. */
	assert_int_equal(as_map(as, b0 + 8 * PAGE_SIZE, PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(as_brk(as, b0 + 9 * PAGE_SIZE), b0 + 5 * PAGE_SIZE);
	/* Shrinking frees the pages. */
	size_t before = mm_settled_free_count();

	assert_int_equal(as_brk(as, b0), b0);
	assert_int_equal(mm_settled_free_count(), before + 1);
	assert_int_equal(copy_to_user(as, b0, "x", 1), -EFAULT);
	assert_int_equal(as_brk(as, b0 + 1), b0 + 1);
	assert_int_equal(copy_to_user(as, b0, "x", 1), 0);
	end_as(as);
}

static void test_strncpy_from_user_limits(void **state)
{
	(void)state;
	struct as *as = new_as();
	char buf[32];
	uintptr_t edge = BASE + PAGE_SIZE;

	assert_int_equal(as_map(as, BASE, PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(as_map(as, edge, PAGE_SIZE, RW, VMA_ANON), 0);
	/* A string across the page boundary. */
	assert_int_equal(copy_to_user(as, edge - 3, "abcdef", 7), 0);
	assert_int_equal(strncpy_from_user(as, buf, edge - 3, sizeof(buf)), 6);
	assert_string_equal(buf, "abcdef");
	assert_int_equal(strncpy_from_user(as, buf, edge - 3, 7), 6);
	assert_int_equal(strncpy_from_user(as, buf, edge - 3, 6), -ENAMETOOLONG);
	assert_int_equal(buf[0], 0);
	assert_int_equal(strncpy_from_user(as, buf, edge - 3, 0), -ENAMETOOLONG);
	/* No NUL before an unmapped page. */
	assert_int_equal(as_unmap(as, edge, PAGE_SIZE), 0);
	assert_int_equal(strncpy_from_user(as, buf, edge - 3, sizeof(buf)), -EFAULT);
	assert_int_equal(strncpy_from_user(as, buf, edge - 3, 3), -ENAMETOOLONG);
	end_as(as);
}

static void test_as_map_page_installs_and_replaces(void **state)
{
	(void)state;
	struct as *as = new_as();
	char *p = page_alloc(), *q = page_alloc(), buf[4];

	assert_non_null(p);
	assert_non_null(q);
	strcpy(p, "pg1");
	strcpy(q, "pg2");
	assert_int_equal(as_map_page(as, BASE, p), -EFAULT); /* no area yet */
	assert_int_equal(as_map(as, BASE, PAGE_SIZE, RW, VMA_ANON), 0);
	assert_int_equal(as_map_page(as, BASE, p), 0);
	assert_int_equal(copy_from_user(as, buf, BASE, 4), 0);
	assert_string_equal(buf, "pg1");
	assert_int_equal(as_map_page(as, BASE, q), 0); /* p's only reference: freed */
	assert_int_equal(copy_from_user(as, buf, BASE, 4), 0);
	assert_string_equal(buf, "pg2");
	assert_int_equal(as->nr_pages, 1);
	end_as(as);
}

static void test_as_out_of_memory_fails_cleanly(void **state)
{
	(void)state;
	struct as *as = new_as();
	void **hoard = NULL, *p;

	assert_int_equal(as_map(as, BASE, 64 * PAGE_SIZE, RW, VMA_ANON), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(copy_to_user(as, BASE + (uintptr_t)i * PAGE_SIZE, "abc", 4), 0);
	while ((p = page_alloc())) {
		*(void **)p = hoard;
		hoard = p;
	}
	assert_null(as_fork(as));
	assert_null(as_create());
	assert_int_equal(as_handle_fault(as, BASE + 40 * PAGE_SIZE, AS_PROT_WRITE), -ENOMEM);
	assert_int_equal(copy_to_user(as, BASE + 41 * PAGE_SIZE, "x", 1), -ENOMEM);
	while (hoard) {
		void **next = *hoard;

		page_free(hoard);
		hoard = next;
	}
	/* A failed fork left the parent's pages COW: writes take them back. */
	assert_int_equal(copy_to_user(as, BASE, "def", 4), 0);
	char buf[4];

	assert_int_equal(copy_from_user(as, buf, BASE, 4), 0);
	assert_string_equal(buf, "def");
	end_as(as);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_create_copies_kernel_half_only),
		cmocka_unit_test(test_as_lazy_page_is_zero_with_a_and_d_set),
		cmocka_unit_test(test_uaccess_roundtrip_across_pages),
		cmocka_unit_test(test_uaccess_bad_addresses_fault),
		cmocka_unit_test(test_uaccess_respects_protection),
		cmocka_unit_test(test_as_protect_none_hides_populated_page),
		cmocka_unit_test(test_as_unmap_middle_splits_and_frees),
		cmocka_unit_test(test_as_fork_shares_then_copies_on_write),
		cmocka_unit_test(test_as_fork_of_readonly_page_stays_cow_after_mprotect),
		cmocka_unit_test(test_as_mmap_places_below_stack_gap),
		cmocka_unit_test(test_as_brk_grows_shrinks_and_refuses_overlap),
		cmocka_unit_test(test_strncpy_from_user_limits),
		cmocka_unit_test(test_as_map_page_installs_and_replaces),
		cmocka_unit_test(test_as_out_of_memory_fails_cleanly),
	};

	return cmocka_run_group_tests_name("as", tests, mm_setup_ram, mm_teardown_ram);
}
