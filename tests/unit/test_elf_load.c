// SPDX-License-Identifier: MIT
/*
 * The kernel's loader and initial stack on the host (built with kernel/mm and
 * the mm harness): the real static glibc programs, loaded into an address
 * space and read back byte by byte through copy_from_user.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/elf.h"
#include "lib/errno.h"
#include "tests/unit/elf_files.h"
#include "kernel/mm/as.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/elf_load.h"
#include "kernel/proc/exec_stack.h"
#include "tests/unit/mm_host.h"

uint64_t clock_now_ns(void);
uint64_t clock_now_ns(void)
{
	static uint64_t t = 12345;

	return t += 1000;
}

static void load_and_compare(const char *name)
{
	size_t size, start = mm_settled_free_count();
	unsigned char *img = load_file(name, &size);
	struct elf_info in;
	struct elf_image_info info;
	struct elf64_phdr ph;
	struct as *as = as_create();
	unsigned cur = 0;
	unsigned char *buf;

	assert_non_null(as);
	assert_int_equal(elf_check(img, size, &in), 0);
	assert_int_equal(elf_load(as, img, size, &info), 0);
	assert_int_equal(info.entry, in.entry);
	assert_int_equal(info.phdr, in.phdr_vaddr);
	while (elf_next_load(&in, &cur, &ph)) {
		uintptr_t lo = ph.p_vaddr & ~0xfffUL, hi = (ph.p_vaddr + ph.p_memsz + 0xfff) & ~0xfffUL;
		unsigned prot = elf_flags_to_prot(ph.p_flags);

		buf = malloc(hi - lo);
		assert_non_null(buf);
		assert_int_equal(copy_from_user(as, buf, lo, hi - lo) == 0, (prot & 1) != 0);
		/* Before the segment in its first page: zero (unless another
		 * segment shares it; glibc's do not). */
		assert_true(mm_all_bytes(buf, 0, ph.p_vaddr - lo));
		assert_memory_equal(buf + (ph.p_vaddr - lo), img + ph.p_offset, ph.p_filesz);
		/* The bss, the rest of the partial page included, then up to the end. */
		assert_true(mm_all_bytes(buf + (ph.p_vaddr - lo) + ph.p_filesz, 0,
					 (hi - lo) - (ph.p_vaddr - lo) - ph.p_filesz));
		free(buf);
		assert_int_equal(as_handle_fault(as, ph.p_vaddr, AS_PROT_WRITE) == 0,
				 (prot & 2) != 0);
		assert_int_equal(as_handle_fault(as, ph.p_vaddr, AS_PROT_EXEC) == 0,
				 (prot & 4) != 0);
	}
	/* The heap starts on the page after the last segment. */
	assert_int_equal(as_brk(as, 0), (in.load_hi + 0xfff) & ~0xfffUL);

	const char *const argv[] = { name, "arg", NULL };
	static const char *const envp[] = { "HOME=/", NULL };
	uintptr_t sp;
	uint64_t w[3];

	assert_int_equal(exec_build_stack(as, argv, envp, &info, "/bin/x", NULL, &sp), 0);
	assert_int_equal(sp % 16, 0);
	assert_int_equal(copy_from_user(as, w, sp, sizeof(w)), 0);
	assert_int_equal(w[0], 2);
	as_destroy(as);
	free(img);
	assert_int_equal(mm_settled_free_count(), start);
}

static void test_elf_load_real_init(void **state)
{
	(void)state;
	load_and_compare("init");
}

static void test_elf_load_real_usertests(void **state)
{
	(void)state;
	load_and_compare("usertests");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_load_real_init),
		cmocka_unit_test(test_elf_load_real_usertests),
	};

	return cmocka_run_group_tests(tests, mm_setup_ram, mm_teardown_ram);
}
