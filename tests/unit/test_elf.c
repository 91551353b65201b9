// SPDX-License-Identifier: MIT
/*
 * Host tests for lib/elf.c: the real static glibc programs of build/user/bin
 * must validate; hand-built images check each rejection; byte mutations,
 * random field values and truncations of real headers check that nothing
 * hostile is accepted with out-of-range segments, and (under ASan) that no
 * byte outside the image is ever read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "lib/elf.h"
#include "lib/errno.h"

#include "tests/unit/elf_files.h"


static struct elf64_ehdr get_eh(const unsigned char *img)
{
	struct elf64_ehdr eh;

	memcpy(&eh, img, sizeof(eh));
	return eh;
}

static void put_eh(unsigned char *img, const struct elf64_ehdr *eh)
{
	memcpy(img, eh, sizeof(*eh));
}

static struct elf64_phdr get_ph(const unsigned char *img, unsigned i)
{
	struct elf64_ehdr eh = get_eh(img);
	struct elf64_phdr ph;

	memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
	return ph;
}

static void put_ph(unsigned char *img, unsigned i, const struct elf64_phdr *ph)
{
	struct elf64_ehdr eh = get_eh(img);

	memcpy(img + eh.e_phoff + i * sizeof(*ph), ph, sizeof(*ph));
}

/*
 * What an accepted image must satisfy, recomputed independently (128-bit
 * arithmetic, no shortcuts): the loader relies on every line of this.
 */
static void assert_accepted_image_is_sane(const unsigned char *img, size_t size,
					  const struct elf_info *in)
{
	struct elf64_ehdr eh = get_eh(img);
	unsigned __int128 prev_end = 0;
	bool entry_ok = false;
	unsigned nload = 0;

	assert_int_equal(eh.e_type, ELF_ET_EXEC);
	assert_int_equal(eh.e_machine, ELF_EM_RISCV);
	assert_int_equal(in->phentsize, sizeof(struct elf64_phdr));
	assert_true((unsigned __int128)eh.e_phoff + (unsigned __int128)eh.e_phnum * 56 <= size);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph = get_ph(img, i);

		assert_int_not_equal(ph.p_type, ELF_PT_INTERP);
		if (ph.p_type != ELF_PT_LOAD || ph.p_memsz == 0)
			continue;
		nload++;
		assert_true(ph.p_filesz <= ph.p_memsz);
		assert_true((unsigned __int128)ph.p_offset + ph.p_filesz <= size);
		assert_true((unsigned __int128)ph.p_vaddr + ph.p_memsz <= ELF_USER_TOP);
		assert_true(ph.p_vaddr >= ELF_USER_MIN);
		assert_true(ph.p_vaddr >= prev_end);
		assert_int_equal(ph.p_offset % 4096, ph.p_vaddr % 4096);
		prev_end = (unsigned __int128)ph.p_vaddr + ph.p_memsz;
		if ((ph.p_flags & ELF_PF_X) && eh.e_entry >= ph.p_vaddr &&
		    eh.e_entry < ph.p_vaddr + ph.p_filesz)
			entry_ok = true;
	}
	assert_true(entry_ok);
	assert_int_equal(nload, in->nload);
	assert_true(in->load_hi == prev_end);
}

/* ---- real binaries ------------------------------------------------------------ */

static void check_real(const char *name)
{
	size_t size;
	unsigned char *img = load_file(name, &size);
	struct elf64_ehdr eh = get_eh(img);
	struct elf_info in;
	struct elf64_phdr ph, first = { 0 }, last = { 0 };
	unsigned cur = 0, n = 0;

	assert_int_equal(elf_check(img, size, &in), 0);
	assert_accepted_image_is_sane(img, size, &in);
	assert_int_equal(in.entry, eh.e_entry);
	assert_int_equal(in.phnum, eh.e_phnum);
	assert_int_equal(in.phoff, eh.e_phoff);
	while (elf_next_load(&in, &cur, &ph)) {
		if (n++ == 0)
			first = ph;
		last = ph;
		assert_int_equal(ph.p_type, ELF_PT_LOAD);
	}
	/* Debian's static glibc: RX text at 0x10000 from offset 0, then RW data
	 * at a non-page-aligned address with a bss (PLATFORM.md). */
	assert_int_equal(n, 2);
	assert_int_equal(in.nload, 2);
	assert_int_equal(first.p_vaddr, 0x10000);
	assert_int_equal(first.p_offset, 0);
	assert_int_equal(elf_flags_to_prot(first.p_flags), 1 | 4);
	assert_int_equal(elf_flags_to_prot(last.p_flags), 1 | 2);
	assert_true(last.p_vaddr % 4096 != 0);
	assert_true(last.p_memsz > last.p_filesz);
	assert_int_equal(in.load_lo, 0x10000);
	assert_int_equal(in.load_hi, last.p_vaddr + last.p_memsz);
	/* No PT_PHDR: the table sits in the first segment at vaddr + phoff. */
	assert_int_equal(in.phdr_vaddr, 0x10000 + eh.e_phoff);
	free(img);
}

static void test_elf_real_init_validates(void **state)
{
	(void)state;
	check_real("init");
}

static void test_elf_real_usertests_validates(void **state)
{
	(void)state;
	check_real("usertests");
}

static void test_elf_real_bench_validates(void **state)
{
	(void)state;
	check_real("bench");
}

/* ---- a hand-built image ------------------------------------------------------- */

/*
 * ehdr, 5 phdrs (LOAD RX, LOAD RW, TLS, GNU_STACK, RISCV_ATTRIBUTES), text at
 * offset 0 -> 0x10000, data at offset 0x1234 -> 0x21234 (filesz 0x100,
 * memsz 0x3000), file size 0x2000.
 */
#define SYN_SIZE 0x2000u
enum { SYN_TEXT, SYN_DATA, SYN_TLS, SYN_STACK, SYN_ATTR, SYN_NPH };

static unsigned char *make_image(void)
{
	unsigned char *img = calloc(1, SYN_SIZE);
	struct elf64_ehdr eh = {
		.e_ident = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 },
		.e_type = ELF_ET_EXEC,
		.e_machine = ELF_EM_RISCV,
		.e_version = 1,
		.e_entry = 0x10100,
		.e_phoff = 64,
		.e_ehsize = 64,
		.e_phentsize = 56,
		.e_phnum = SYN_NPH,
	};
	struct elf64_phdr ph[SYN_NPH] = {
		[SYN_TEXT] = { ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0, 0x10000, 0x10000, 0x400, 0x400,
			       0x1000 },
		[SYN_DATA] = { ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x1234, 0x21234, 0x21234, 0x100,
			       0x3000, 0x1000 },
		[SYN_TLS] = { ELF_PT_TLS, ELF_PF_R, 0x1234, 0x21234, 0x21234, 0x10, 0x40, 8 },
		[SYN_STACK] = { ELF_PT_GNU_STACK, ELF_PF_R | ELF_PF_W, 0, 0, 0, 0, 0, 16 },
		[SYN_ATTR] = { ELF_PT_RISCV_ATTRIBUTES, ELF_PF_R, 0x1f00, 0, 0, 0x57, 0, 1 },
	};

	assert_non_null(img);
	put_eh(img, &eh);
	for (unsigned i = 0; i < SYN_NPH; i++)
		put_ph(img, i, &ph[i]);
	return img;
}

static int check_syn(unsigned char *img)
{
	struct elf_info in;
	int r = elf_check(img, SYN_SIZE, &in);

	if (r == 0)
		assert_accepted_image_is_sane(img, SYN_SIZE, &in);
	free(img);
	return r;
}

static void test_elf_synthetic_image_validates(void **state)
{
	unsigned char *img = make_image();
	struct elf_info in;

	(void)state;
	assert_int_equal(elf_check(img, SYN_SIZE, &in), 0);
	assert_int_equal(in.nload, 2);
	assert_int_equal(in.load_lo, 0x10000);
	assert_int_equal(in.load_hi, 0x24234);
	assert_int_equal(in.phdr_vaddr, 0x10040);
	assert_int_equal(in.entry, 0x10100);
	free(img);
}

static void test_elf_rejects_bad_ident(void **state)
{
	static const struct {
		unsigned idx;
		unsigned char val;
	} bad[] = {
		{ 0, 0x7e }, { 1, 'e' }, { 3, 'f' }, { 4, 1 /* ELFCLASS32 */ },
		{ 5, 2 /* big-endian */ }, { 6, 0 }, { 7, 9 /* FreeBSD */ },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char *img = make_image();

		img[bad[i].idx] = bad[i].val;
		assert_int_equal(check_syn(img), -ENOEXEC);
	}
}

#define MUTATE_EH(field, value)                                                \
	do {                                                                   \
		unsigned char *img_ = make_image();                            \
		struct elf64_ehdr eh_ = get_eh(img_);                          \
		eh_.field = (value);                                           \
		put_eh(img_, &eh_);                                            \
		assert_int_equal(check_syn(img_), -ENOEXEC);                   \
	} while (0)

#define MUTATE_PH(i, field, value)                                             \
	do {                                                                   \
		unsigned char *img_ = make_image();                            \
		struct elf64_phdr ph_ = get_ph(img_, (i));                     \
		ph_.field = (value);                                           \
		put_ph(img_, (i), &ph_);                                       \
		assert_int_equal(check_syn(img_), -ENOEXEC);                   \
	} while (0)

static void test_elf_rejects_wrong_type_machine_version(void **state)
{
	(void)state;
	MUTATE_EH(e_type, ELF_ET_DYN);
	MUTATE_EH(e_type, 1 /* ET_REL */);
	MUTATE_EH(e_type, 4 /* ET_CORE */);
	MUTATE_EH(e_machine, 62 /* x86-64 */);
	MUTATE_EH(e_machine, 183 /* aarch64 */);
	MUTATE_EH(e_version, 0);
}

static void test_elf_rejects_bad_phdr_table(void **state)
{
	(void)state;
	MUTATE_EH(e_phentsize, 32);
	MUTATE_EH(e_phentsize, 64);
	MUTATE_EH(e_phnum, 0);
	MUTATE_EH(e_phnum, 0xffff);
	MUTATE_EH(e_phoff, SYN_SIZE);
	MUTATE_EH(e_phoff, SYN_SIZE - 56);
	MUTATE_EH(e_phoff, UINT64_MAX - 8);
	MUTATE_EH(e_phoff, (uint64_t)1 << 63);
}

static void test_elf_rejects_interpreter(void **state)
{
	(void)state;
	MUTATE_PH(SYN_STACK, p_type, ELF_PT_INTERP);
}

static void test_elf_rejects_bad_load_sizes(void **state)
{
	(void)state;
	/* filesz > memsz */
	MUTATE_PH(SYN_DATA, p_filesz, 0x3001);
	/* file bytes past the end, and offset+filesz overflowing */
	MUTATE_PH(SYN_DATA, p_filesz, SYN_SIZE - 0x1234 + 1);
	MUTATE_PH(SYN_DATA, p_offset, (uint64_t)SYN_SIZE + 0x234);
	MUTATE_PH(SYN_DATA, p_offset, UINT64_MAX - 0xdcb);
	/* vaddr + memsz past the user top, or overflowing */
	MUTATE_PH(SYN_DATA, p_memsz, ELF_USER_TOP - 0x21234 + 1);
	MUTATE_PH(SYN_DATA, p_memsz, UINT64_MAX);
	MUTATE_PH(SYN_DATA, p_vaddr, ELF_USER_TOP + 0x234);
	MUTATE_PH(SYN_DATA, p_vaddr, UINT64_MAX - 0xdcb);
	/* below the lowest loadable page (page 0) */
	MUTATE_PH(SYN_TEXT, p_vaddr, 0);
}

static void test_elf_loads_from_page_one(void **state)
{
	unsigned char *img = make_image();
	struct elf64_phdr ph = get_ph(img, SYN_TEXT);
	struct elf64_ehdr eh;
	struct elf_info in;

	(void)state;
	/* Text at 0x1000 (what some real static binaries use), entry inside it. */
	ph.p_vaddr = ph.p_paddr = 0x1000;
	put_ph(img, SYN_TEXT, &ph);
	memcpy(&eh, img, sizeof(eh));
	eh.e_entry = 0x1100;
	put_eh(img, &eh);
	assert_int_equal(elf_check(img, SYN_SIZE, &in), 0);
	assert_int_equal(in.load_lo, 0x1000);
	assert_int_equal(in.entry, 0x1100);
	free(img);
}

static void test_elf_rejects_bad_alignment(void **state)
{
	(void)state;
	MUTATE_PH(SYN_DATA, p_align, 3);
	MUTATE_PH(SYN_DATA, p_align, 0x1001);
	/* offset and vaddr not congruent modulo the page size */
	MUTATE_PH(SYN_DATA, p_vaddr, 0x21238);
	MUTATE_PH(SYN_DATA, p_offset, 0x1230);
}

static void test_elf_rejects_overlapping_or_unsorted_loads(void **state)
{
	(void)state;
	/* data overlapping text */
	MUTATE_PH(SYN_TEXT, p_memsz, 0x11235);

	/* Text above data: each segment is fine alone, but the table is unsorted. */
	unsigned char *img = make_image();
	struct elf64_ehdr eh = get_eh(img);
	struct elf64_phdr ph = get_ph(img, SYN_TEXT);

	ph.p_vaddr = 0x30000;
	put_ph(img, SYN_TEXT, &ph);
	eh.e_entry = 0x30100;
	put_eh(img, &eh);
	assert_int_equal(check_syn(img), -ENOEXEC);
}

static void test_elf_accepts_loads_sharing_a_page(void **state)
{
	unsigned char *img = make_image();
	struct elf64_phdr ph = get_ph(img, SYN_DATA);

	(void)state;
	/* Data starting at 0x10234, inside text's bytes (which end at 0x10400). */
	ph.p_vaddr = 0x10234;
	put_ph(img, SYN_DATA, &ph);
	assert_int_equal(check_syn(img), -ENOEXEC);

	img = make_image();
	ph = get_ph(img, SYN_DATA);
	ph.p_offset = 0x1634;
	ph.p_vaddr = 0x10634; /* same page as text's end (0x10400), no byte overlap */
	put_ph(img, SYN_DATA, &ph);
	assert_int_equal(check_syn(img), 0);
}

static void test_elf_rejects_bad_entry(void **state)
{
	(void)state;
	MUTATE_EH(e_entry, 0);
	MUTATE_EH(e_entry, 0x10400);          /* one past text's file bytes */
	MUTATE_EH(e_entry, 0x21240);          /* inside the RW segment */
	MUTATE_PH(SYN_TEXT, p_flags, ELF_PF_R); /* text not executable */
}

static void test_elf_rejects_no_load(void **state)
{
	unsigned char *img = make_image();
	struct elf64_phdr ph;

	(void)state;
	for (unsigned i = SYN_TEXT; i <= SYN_DATA; i++) {
		ph = get_ph(img, i);
		ph.p_type = ELF_PT_NOTE;
		put_ph(img, i, &ph);
	}
	assert_int_equal(check_syn(img), -ENOEXEC);
}

static void test_elf_phdr_segment_is_used_and_checked(void **state)
{
	unsigned char *img = make_image();
	struct elf64_phdr ph = { ELF_PT_PHDR, ELF_PF_R, 64, 0x10040, 0x10040, 56 * SYN_NPH,
				 56 * SYN_NPH, 8 };
	struct elf_info in;

	(void)state;
	put_ph(img, SYN_ATTR, &ph);
	assert_int_equal(elf_check(img, SYN_SIZE, &in), 0);
	assert_int_equal(in.phdr_vaddr, 0x10040);
	ph.p_vaddr = 0x10400 - 8; /* table would run past text's file bytes */
	put_ph(img, SYN_ATTR, &ph);
	assert_int_equal(elf_check(img, SYN_SIZE, &in), -ENOEXEC);
	free(img);
}

static void test_elf_ignores_other_segments(void **state)
{
	unsigned char *img = make_image();
	struct elf64_phdr ph = get_ph(img, SYN_ATTR);

	(void)state;
	/* Never read, so even absurd offsets are harmless. */
	ph.p_offset = UINT64_MAX;
	ph.p_filesz = UINT64_MAX;
	put_ph(img, SYN_ATTR, &ph);
	ph = get_ph(img, SYN_TLS);
	ph.p_type = ELF_PT_GNU_RELRO;
	put_ph(img, SYN_TLS, &ph);
	assert_int_equal(check_syn(img), 0);
}

static void test_elf_rejects_tiny_and_null(void **state)
{
	struct elf_info in;
	unsigned char *img = make_image();

	(void)state;
	assert_int_equal(elf_check(NULL, 0, &in), -ENOEXEC);
	assert_int_equal(elf_check(img, 0, &in), -ENOEXEC);
	assert_int_equal(elf_check(img, 63, &in), -ENOEXEC);
	free(img);
}

/* ---- sweeps over a real binary ------------------------------------------------ */

static void test_elf_truncations_never_read_past_the_end(void **state)
{
	size_t size;
	unsigned char *img = load_file("init", &size);
	struct elf64_ehdr eh = get_eh(img);
	size_t need = eh.e_phoff + (size_t)eh.e_phnum * 56;
	struct elf_info in;

	(void)state;
	/* The file bytes the loads need decide the smallest acceptable size. */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph = get_ph(img, i);

		if (ph.p_type == ELF_PT_LOAD && ph.p_offset + ph.p_filesz > need)
			need = ph.p_offset + ph.p_filesz;
	}
	/* Every cut in the headers, each in an exact-size buffer. */
	for (size_t len = 0; len < 1024; len++) {
		unsigned char *cut = malloc(len ? len : 1);

		assert_non_null(cut);
		memcpy(cut, img, len);
		assert_int_equal(elf_check(cut, len, &in), -ENOEXEC);
		free(cut);
	}
	/* Around the end of the last segment's file bytes. */
	for (size_t len = need - 8; len <= need + 8 && len <= size; len++) {
		unsigned char *cut = malloc(len);

		memcpy(cut, img, len);
		assert_int_equal(elf_check(cut, len, &in), len >= need ? 0 : -ENOEXEC);
		free(cut);
	}
	free(img);
}

static void test_elf_byte_mutations_of_headers_stay_safe(void **state)
{
	size_t size;
	unsigned char *img = load_file("init", &size);
	struct elf64_ehdr eh = get_eh(img);
	size_t end = eh.e_phoff + (size_t)eh.e_phnum * 56;
	static const int vals[] = { 0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0xfe, 0xff, -1, -2 };
	unsigned accepted = 0, rejected = 0;
	struct elf_info in;

	(void)state;
	for (size_t off = 0; off < end; off++) {
		unsigned char orig = img[off];

		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			/* -1 / -2: flip the low / high bit of the original. */
			img[off] = vals[v] >= 0 ? (unsigned char)vals[v]
				   : (unsigned char)(orig ^ (vals[v] == -1 ? 0x01 : 0x80));
			if (elf_check(img, size, &in) == 0) {
				assert_accepted_image_is_sane(img, size, &in);
				accepted++;
			} else {
				rejected++;
			}
		}
		img[off] = orig;
	}
	assert_int_equal(elf_check(img, size, &in), 0);
	/* Both outcomes must occur, or the sweep tests nothing. */
	assert_true(accepted > 0 && rejected > 0);
	free(img);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_elf_random_field_values_stay_safe(void **state)
{
	size_t size;
	unsigned char *img = load_file("usertests", &size);
	struct elf64_ehdr eh = get_eh(img);
	unsigned char *orig = malloc(size);
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned accepted = 0;
	struct elf_info in;

	(void)state;
	memcpy(orig, img, size);
	for (unsigned iter = 0; iter < 200000; iter++) {
		unsigned i = (unsigned)(xorshift(&seed) % eh.e_phnum);
		unsigned field = (unsigned)(xorshift(&seed) % 6);
		struct elf64_phdr ph = get_ph(img, i);
		uint64_t r = xorshift(&seed), v;
		static const uint64_t special[] = {
			0, 1, 0xfff, 0x1000, 0x10000, ELF_USER_TOP - 1, ELF_USER_TOP,
			UINT64_MAX, UINT64_MAX - 0xfff, (uint64_t)1 << 63,
		};

		switch (r % 4) {
		case 0:
			v = special[(r >> 8) % (sizeof(special) / sizeof(special[0]))];
			break;
		case 1:
			v = r >> (r % 64);
			break;
		case 2:
			v = (r >> 16) % (size + 0x2000);
			break;
		default:
			v = r;
			break;
		}
		switch (field) {
		case 0: ph.p_offset = v; break;
		case 1: ph.p_vaddr = v; break;
		case 2: ph.p_filesz = v; break;
		case 3: ph.p_memsz = v; break;
		case 4: ph.p_align = v; break;
		default: ph.p_type = (uint32_t)(v % 8); break;
		}
		put_ph(img, i, &ph);
		if (elf_check(img, size, &in) == 0) {
			assert_accepted_image_is_sane(img, size, &in);
			accepted++;
		}
		/* Restore every few rounds so mutations also combine. */
		if (iter % 3 == 2)
			memcpy(img, orig, size);
	}
	assert_true(accepted > 0);
	free(orig);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_real_init_validates),
		cmocka_unit_test(test_elf_real_usertests_validates),
		cmocka_unit_test(test_elf_real_bench_validates),
		cmocka_unit_test(test_elf_synthetic_image_validates),
		cmocka_unit_test(test_elf_rejects_bad_ident),
		cmocka_unit_test(test_elf_rejects_wrong_type_machine_version),
		cmocka_unit_test(test_elf_rejects_bad_phdr_table),
		cmocka_unit_test(test_elf_rejects_interpreter),
		cmocka_unit_test(test_elf_rejects_bad_load_sizes),
		cmocka_unit_test(test_elf_rejects_bad_alignment),
		cmocka_unit_test(test_elf_loads_from_page_one),
		cmocka_unit_test(test_elf_rejects_overlapping_or_unsorted_loads),
		cmocka_unit_test(test_elf_accepts_loads_sharing_a_page),
		cmocka_unit_test(test_elf_rejects_bad_entry),
		cmocka_unit_test(test_elf_rejects_no_load),
		cmocka_unit_test(test_elf_phdr_segment_is_used_and_checked),
		cmocka_unit_test(test_elf_ignores_other_segments),
		cmocka_unit_test(test_elf_rejects_tiny_and_null),
		cmocka_unit_test(test_elf_truncations_never_read_past_the_end),
		cmocka_unit_test(test_elf_byte_mutations_of_headers_stay_safe),
		cmocka_unit_test(test_elf_random_field_values_stay_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
