/* SPDX-License-Identifier: MIT */
/* The real user programs the ELF host tests read (test_elf.c, test_elf_load.c). */
#ifndef TESTS_UNIT_ELF_FILES_H
#define TESTS_UNIT_ELF_FILES_H

#include <stdio.h>
#include <stdlib.h>

#ifndef ELF_TEST_DIR
#define ELF_TEST_DIR "build/user/bin"
#endif

/* A whole file in a heap buffer of exactly its size, so ASan sees overruns. */
static inline unsigned char *load_file(const char *name, size_t *size)
{
	char path[512];
	unsigned char *buf;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ELF_TEST_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (make user builds it)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 64);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

#endif
