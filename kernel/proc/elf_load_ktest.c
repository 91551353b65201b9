// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the ELF loader and the initial stack (suite `elf`):
 * small images built here, loaded into fresh address spaces and read back
 * through the uaccess functions, as a user program would see them.
 */
#include "kernel/ktest.h"
#include "kernel/mm/as.h"
#include "kernel/mm/aslr.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/elf_load.h"
#include "kernel/proc/exec_stack.h"
#include "lib/elf.h"
#include "lib/errno.h"
#include "lib/string.h"

#define IMG_SIZE 0x3000u
#define TEXT_VA 0x10000UL
#define ENTRY 0x10100UL
#define DATA_OFF 0x1234UL
#define DATA_VA 0x21234UL
#define DATA_FILESZ 0x1000UL   /* crosses into a second page, ends at 0x22234 */
#define DATA_MEMSZ 0x3000UL    /* bss up to 0x24234 */

static size_t settled_free_count(void)
{
	slab_shrink_all();
	page_drain_caches();
	return page_free_count();
}

static unsigned char pattern(size_t off)
{
	return (unsigned char)(off * 31 + 7) | 1; /* never 0 */
}

/*
 * Two PT_LOADs, like static glibc's: RX text from offset 0 (headers
 * included), RW data at a non-page-aligned address with memsz > filesz.
 * Every byte of the file is nonzero after the headers, including the bytes
 * after the data's filesz, which must NOT show up in the bss.
 */
static unsigned char *build_image(uintptr_t data_va, uintptr_t data_off, uint64_t text_filesz)
{
	unsigned char *img = kmalloc(IMG_SIZE);
	struct elf64_ehdr eh = {
		.e_ident = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 },
		.e_type = ELF_ET_EXEC,
		.e_machine = ELF_EM_RISCV,
		.e_version = 1,
		.e_entry = ENTRY,
		.e_phoff = 64,
		.e_ehsize = 64,
		.e_phentsize = 56,
		.e_phnum = 3,
	};
	struct elf64_phdr ph[3] = {
		{ ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0, TEXT_VA, TEXT_VA, text_filesz, text_filesz,
		  0x1000 },
		{ ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, data_off, data_va, data_va, DATA_FILESZ,
		  DATA_MEMSZ, 0x1000 },
		{ ELF_PT_GNU_STACK, ELF_PF_R | ELF_PF_W, 0, 0, 0, 0, 0, 16 },
	};

	if (!img)
		return NULL;
	for (size_t i = 0; i < IMG_SIZE; i++)
		img[i] = pattern(i);
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + 64, ph, sizeof(ph));
	return img;
}

/* Every byte of [va, va+n) reads as zero through copy_from_user. */
static bool user_is_zero(struct as *as, uintptr_t va, size_t n)
{
	unsigned char buf[128];

	while (n) {
		size_t c = n < sizeof(buf) ? n : sizeof(buf);

		if (copy_from_user(as, buf, va, c))
			return false;
		for (size_t i = 0; i < c; i++)
			if (buf[i])
				return false;
		va += c;
		n -= c;
	}
	return true;
}

static bool user_equals(struct as *as, uintptr_t va, const void *want, size_t n)
{
	unsigned char *buf = kmalloc(n);
	bool ok = buf && copy_from_user(as, buf, va, n) == 0 && memcmp(buf, want, n) == 0;

	kfree(buf);
	return ok;
}

KTEST(elf, load_two_segments_bss_and_permissions)
{
	size_t start = settled_free_count();
	unsigned char *img = build_image(DATA_VA, DATA_OFF, 0x400);
	struct as *as = as_create();
	struct elf_image_info info;
	char c = 'x';

	ASSERT(img && as);
	ASSERT(elf_load(as, img, IMG_SIZE, &info) == 0);
	EXPECT(info.entry == ENTRY);
	EXPECT(info.phdr == TEXT_VA + 64);
	EXPECT(info.phnum == 3);
	EXPECT(info.phent == 56);
	EXPECT(info.load_lo == TEXT_VA);
	EXPECT(info.brk == DATA_VA + DATA_MEMSZ);

	/* The file bytes, headers included, are where the segments say. */
	EXPECT(user_equals(as, TEXT_VA, img, 0x400));
	EXPECT(user_equals(as, DATA_VA, img + DATA_OFF, DATA_FILESZ));
	/* The bss is zero, first of all the rest of the last file-backed page,
	 * although the file holds nonzero bytes right after filesz. */
	EXPECT(img[DATA_OFF + DATA_FILESZ] != 0);
	EXPECT(user_is_zero(as, DATA_VA + DATA_FILESZ,
			    PAGE_ALIGN_UP(DATA_VA + DATA_FILESZ) - (DATA_VA + DATA_FILESZ)));
	EXPECT(user_is_zero(as, DATA_VA + DATA_FILESZ, DATA_MEMSZ - DATA_FILESZ));
	/* Below the data in its first page: nothing of the file either. */
	EXPECT(user_is_zero(as, PAGE_ALIGN_DOWN(DATA_VA), DATA_VA & (PAGE_SIZE - 1)));
	/* Text's page after its 0x400 file bytes is zero too. */
	EXPECT(user_is_zero(as, TEXT_VA + 0x400, PAGE_SIZE - 0x400));

	/* Permissions: text R-X, data RW-, nothing past the segments. */
	EXPECT(copy_to_user(as, ENTRY, &c, 1) == -EFAULT);
	EXPECT(as_handle_fault(as, ENTRY, AS_PROT_EXEC) == 0);
	EXPECT(as_handle_fault(as, ENTRY, AS_PROT_WRITE) == -EFAULT);
	EXPECT(copy_to_user(as, DATA_VA, &c, 1) == 0);
	EXPECT(copy_to_user(as, DATA_VA + DATA_MEMSZ - 1, &c, 1) == 0);
	EXPECT(as_handle_fault(as, DATA_VA, AS_PROT_EXEC) == -EFAULT);
	EXPECT(as_handle_fault(as, PAGE_ALIGN_UP(DATA_VA + DATA_MEMSZ), AS_PROT_READ) == -EFAULT);
	EXPECT(as_handle_fault(as, TEXT_VA + PAGE_SIZE, AS_PROT_READ) == -EFAULT);
	pte_t pte = as_lookup_pte(as, TEXT_VA);

	EXPECT((pte & (PTE_R | PTE_W | PTE_X | PTE_U)) == (PTE_R | PTE_X | PTE_U));

	/* The heap starts at the page after the bss. */
	EXPECT(as_brk(as, 0) == PAGE_ALIGN_UP(DATA_VA + DATA_MEMSZ));
	EXPECT(as_brk(as, PAGE_ALIGN_UP(DATA_VA + DATA_MEMSZ) + 100) ==
	       PAGE_ALIGN_UP(DATA_VA + DATA_MEMSZ) + 100);

	as_destroy(as);
	kfree(img);
	EXPECT(settled_free_count() == start);
}

KTEST(elf, segments_sharing_a_page_get_the_union)
{
	/* Text [0x10000, 0x10300) and data from 0x10634: one shared page. */
	unsigned char *img = build_image(TEXT_VA + 0x634, 0x634, 0x300);
	struct as *as = as_create();
	struct elf_image_info info;
	char c = 'y';

	ASSERT(img && as);
	ASSERT(elf_load(as, img, IMG_SIZE, &info) == 0);
	EXPECT(user_equals(as, TEXT_VA, img, 0x300));
	EXPECT(user_is_zero(as, TEXT_VA + 0x300, 0x334));
	EXPECT(user_equals(as, TEXT_VA + 0x634, img + 0x634, DATA_FILESZ));
	EXPECT(user_is_zero(as, TEXT_VA + 0x634 + DATA_FILESZ, DATA_MEMSZ - DATA_FILESZ));
	/* The shared page is RWX; the data's own pages stay RW. */
	EXPECT(as_handle_fault(as, TEXT_VA, AS_PROT_EXEC) == 0);
	EXPECT(copy_to_user(as, TEXT_VA + 0x634, &c, 1) == 0);
	EXPECT(as_handle_fault(as, TEXT_VA + PAGE_SIZE, AS_PROT_EXEC) == -EFAULT);
	EXPECT(copy_to_user(as, TEXT_VA + PAGE_SIZE, &c, 1) == 0);
	as_destroy(as);
	kfree(img);
}

KTEST(elf, malformed_images_are_refused_before_mapping)
{
	unsigned char *img = build_image(DATA_VA, DATA_OFF, 0x400);
	struct as *as = as_create();
	struct elf_image_info info;
	struct elf64_ehdr eh;

	ASSERT(img && as);
	/* Truncated inside the data's file bytes. */
	EXPECT(elf_load(as, img, DATA_OFF + 16, &info) == -ENOEXEC);
	EXPECT(elf_load(as, img, 10, &info) == -ENOEXEC);
	/* ET_DYN. */
	memcpy(&eh, img, sizeof(eh));
	eh.e_type = ELF_ET_DYN;
	memcpy(img, &eh, sizeof(eh));
	EXPECT(elf_load(as, img, IMG_SIZE, &info) == -ENOEXEC);
	/* Wrong machine. */
	eh.e_type = ELF_ET_EXEC;
	eh.e_machine = 62;
	memcpy(img, &eh, sizeof(eh));
	EXPECT(elf_load(as, img, IMG_SIZE, &info) == -ENOEXEC);
	/* Nothing was mapped by the failures. */
	EXPECT(list_empty(&as->vmas));
	as_destroy(as);
	kfree(img);
}

/* ---- the initial stack -------------------------------------------------------- */

static uint64_t read_word(struct as *as, uintptr_t va, int *bad)
{
	uint64_t v = 0;

	if (copy_from_user(as, &v, va, sizeof(v)))
		*bad = 1;
	return v;
}

static bool user_string_is(struct as *as, uintptr_t va, const char *want)
{
	char buf[64];

	return strncpy_from_user(as, buf, va, sizeof(buf)) >= 0 && strcmp(buf, want) == 0;
}

static int build_and_get_random(struct as *as, uint8_t rnd[16])
{
	/* Parse the auxv of a stack built with no strings at all. */
	unsigned char *img = build_image(DATA_VA, DATA_OFF, 0x400);
	struct elf_image_info info;
	uintptr_t sp, p;
	int bad = 0;

	if (!img || elf_load(as, img, IMG_SIZE, &info) ||
	    exec_build_stack(as, NULL, NULL, &info, NULL, NULL, &sp)) {
		kfree(img);
		return -1;
	}
	kfree(img);
	p = sp + 8 * 3; /* argc 0, argv NULL, envp NULL */
	for (;; p += 16) {
		uint64_t type = read_word(as, p, &bad), val = read_word(as, p + 8, &bad);

		if (bad || type == AT_NULL)
			return -1;
		if (type == AT_EXECFN)
			return -1; /* execfn NULL omits it */
		if (type == AT_RANDOM)
			return copy_from_user(as, rnd, val, 16);
	}
}

KTEST(elf, initial_stack_parses_back)
{
	static const char *const argv[] = { "prog", "-x", "hello world", "", NULL };
	static const char *const envp[] = { "A=1", "PATH=/bin", NULL };
	size_t start = settled_free_count();
	unsigned char *img = build_image(DATA_VA, DATA_OFF, 0x400);
	struct as *as = as_create();
	struct elf_image_info info;
	uintptr_t sp, p;
	uint64_t seen = 0, rnd_at = 0;
	int bad = 0;

	ASSERT(img && as);
	ASSERT(elf_load(as, img, IMG_SIZE, &info) == 0);
	ASSERT(exec_build_stack(as, argv, envp, &info, "/bin/prog", NULL, &sp) == 0);
	EXPECT(sp % 16 == 0);
	/* The stack's top: USER_TOP less a random number of pages (aslr.h). */
	EXPECT(info.stack_top <= USER_TOP && info.stack_top % PAGE_SIZE == 0);
	EXPECT(info.stack_top >= USER_TOP - ((uintptr_t)1 << (ASLR_STACK_BITS + PAGE_SHIFT)));
	EXPECT(sp < info.stack_top && sp > info.stack_top - PAGE_SIZE);
	EXPECT(read_word(as, sp, &bad) == 4);
	for (int i = 0; i < 4; i++)
		EXPECT(user_string_is(as, read_word(as, sp + 8 + 8 * i, &bad), argv[i]));
	EXPECT(read_word(as, sp + 8 * 5, &bad) == 0);
	for (int i = 0; i < 2; i++)
		EXPECT(user_string_is(as, read_word(as, sp + 8 * 6 + 8 * i, &bad), envp[i]));
	EXPECT(read_word(as, sp + 8 * 8, &bad) == 0);

	for (p = sp + 8 * 9;; p += 16) {
		uint64_t type = read_word(as, p, &bad), val = read_word(as, p + 8, &bad);

		ASSERT(!bad && p < USER_TOP);
		if (type == AT_NULL)
			break;
		if (type < 64)
			seen |= 1ULL << type;
		switch (type) {
		case AT_PHDR: EXPECT(val == TEXT_VA + 64); break;
		case AT_PHENT: EXPECT(val == 56); break;
		case AT_PHNUM: EXPECT(val == 3); break;
		case AT_PAGESZ: EXPECT(val == PAGE_SIZE); break;
		case AT_BASE: EXPECT(val == 0); break;
		case AT_ENTRY: EXPECT(val == ENTRY); break;
		case AT_UID: case AT_EUID: case AT_GID: case AT_EGID: EXPECT(val == 0); break;
		case AT_HWCAP: EXPECT(val == 0x112d); break; /* a c d f i m */
		case AT_CLKTCK: EXPECT(val == 100); break;
		case AT_SECURE: EXPECT(val == 0); break;
		case AT_RANDOM: rnd_at = val; break;
		case AT_EXECFN: EXPECT(user_string_is(as, val, "/bin/prog")); break;
		case AT_PLATFORM: EXPECT(user_string_is(as, val, "riscv64")); break;
		case AT_MINSIGSTKSZ: EXPECT(val == 1088); break; /* siginfo + ucontext */
		case AT_SYSINFO_EHDR:
			/* The vDSO's ELF header, below the stack, readable and executable. */
			EXPECT(val == info.vdso && val % PAGE_SIZE == 0 && val < info.stack_top);
			EXPECT(read_word(as, val, &bad) == 0x00010102464c457fULL);
			break;
		}
	}
	EXPECT(seen == ((1ULL << AT_PHDR) | (1ULL << AT_PHENT) | (1ULL << AT_PHNUM) |
			(1ULL << AT_PAGESZ) | (1ULL << AT_BASE) | (1ULL << AT_FLAGS) |
			(1ULL << AT_ENTRY) | (1ULL << AT_UID) | (1ULL << AT_EUID) |
			(1ULL << AT_GID) | (1ULL << AT_EGID) | (1ULL << AT_HWCAP) |
			(1ULL << AT_CLKTCK) | (1ULL << AT_SECURE) | (1ULL << AT_RANDOM) |
			(1ULL << AT_EXECFN) | (1ULL << AT_PLATFORM) | (1ULL << AT_MINSIGSTKSZ) |
			(1ULL << AT_SYSINFO_EHDR)));

	/* AT_RANDOM: 16 readable bytes above the pointers, different per exec. */
	uint8_t r1[16], r2[16];
	struct as *as2 = as_create();

	ASSERT(as2 != NULL);
	EXPECT(rnd_at > p && rnd_at + 16 <= USER_TOP);
	EXPECT(copy_from_user(as, r1, rnd_at, 16) == 0);
	EXPECT(build_and_get_random(as2, r2) == 0);
	EXPECT(memcmp(r1, r2, 16) != 0);
	as_destroy(as2);
	as_destroy(as);
	kfree(img);
	EXPECT(settled_free_count() == start);
}

KTEST(elf, stack_too_big_is_e2big)
{
	/* 600 strings of 4 KiB: 2.4 MiB, over the 2 MiB quota. */
	enum { N = 600, LEN = 4096 };
	const char **argv = kmalloc((N + 1) * sizeof(char *));
	char *s = kmalloc(LEN);
	unsigned char *img = build_image(DATA_VA, DATA_OFF, 0x400);
	struct as *as = as_create();
	struct elf_image_info info;
	uintptr_t sp;

	ASSERT(argv && s && img && as);
	memset(s, 'a', LEN - 1);
	s[LEN - 1] = '\0';
	for (int i = 0; i < N; i++)
		argv[i] = s;
	argv[N] = NULL;
	ASSERT(elf_load(as, img, IMG_SIZE, &info) == 0);
	EXPECT(exec_build_stack(as, argv, NULL, &info, "x", NULL, &sp) == -E2BIG);
	as_destroy(as);
	kfree(img);
	kfree(s);
	kfree(argv);
}

/* ---- copying argv/envp from user memory ------------------------------------------ */

#define UBASE 0x400000UL

KTEST(elf, copy_strings_from_user)
{
	size_t start = settled_free_count();
	struct as *as = as_create();
	uint64_t vec[4] = { UBASE + 0x100, UBASE + 0x200, UBASE + 0x300, 0 };
	char **out = NULL;
	size_t total = 0;

	ASSERT(as != NULL);
	ASSERT(as_map(as, UBASE, 4 * PAGE_SIZE, AS_PROT_READ | AS_PROT_WRITE, VMA_ANON) == 0);
	EXPECT(copy_to_user(as, UBASE, vec, sizeof(vec)) == 0);
	EXPECT(copy_to_user(as, UBASE + 0x100, "echo", 5) == 0);
	EXPECT(copy_to_user(as, UBASE + 0x200, "", 1) == 0);
	EXPECT(copy_to_user(as, UBASE + 0x300, "two words", 10) == 0);

	ASSERT(exec_copy_strings_from_user(as, UBASE, &out, &total) == 0);
	EXPECT(strcmp(out[0], "echo") == 0);
	EXPECT(strcmp(out[1], "") == 0);
	EXPECT(strcmp(out[2], "two words") == 0);
	EXPECT(out[3] == NULL);
	EXPECT(total == 3 * 8 + 5 + 1 + 10);
	exec_free_strings(out);

	/* NULL vector: empty. */
	ASSERT(exec_copy_strings_from_user(as, 0, &out, &total) == 0);
	EXPECT(out[0] == NULL && total == 0);
	exec_free_strings(out);

	/* Bad vector, bad string pointer, kernel pointer, vector running off
	 * the mapping without a NULL: all -EFAULT. */
	EXPECT(exec_copy_strings_from_user(as, 0x1000, &out, &total) == -EFAULT);
	vec[1] = 0x1000;
	EXPECT(copy_to_user(as, UBASE, vec, sizeof(vec)) == 0);
	EXPECT(exec_copy_strings_from_user(as, UBASE, &out, &total) == -EFAULT);
	vec[1] = (uint64_t)(uintptr_t)&start;
	EXPECT(copy_to_user(as, UBASE, vec, sizeof(vec)) == 0);
	EXPECT(exec_copy_strings_from_user(as, UBASE, &out, &total) == -EFAULT);
	uint64_t nonnull[2] = { UBASE + 0x100, UBASE + 0x100 };

	EXPECT(copy_to_user(as, UBASE + 4 * PAGE_SIZE - 16, nonnull, 16) == 0);
	EXPECT(exec_copy_strings_from_user(as, UBASE + 4 * PAGE_SIZE - 16, &out, &total) ==
	       -EFAULT);
	/* A string running off the mapping without a NUL. */
	char a[64];

	memset(a, 'a', sizeof(a));
	EXPECT(copy_to_user(as, UBASE + 4 * PAGE_SIZE - 64, a, 64) == 0);
	vec[1] = UBASE + 4 * PAGE_SIZE - 64;
	EXPECT(copy_to_user(as, UBASE, vec, sizeof(vec)) == 0);
	EXPECT(exec_copy_strings_from_user(as, UBASE, &out, &total) == -EFAULT);
	as_destroy(as);
	EXPECT(settled_free_count() == start);
}

/*
 * The longest string (the buffer doubles many times), one byte more (over
 * MAX_ARG_STRLEN), then the whole quota: many copies of that string.
 */
KTEST(elf, copy_strings_long_and_e2big)
{
	size_t start = settled_free_count();
	struct as *as = as_create();
	const size_t area = 3UL << 20;
	char *chunk = kmalloc(PAGE_SIZE);
	uint64_t vec[17] = { 0 };
	char **out = NULL;
	size_t total = 0, len = EXEC_MAX_ARG_STRLEN - 1;
	const size_t cost = 8 + EXEC_MAX_ARG_STRLEN, fit = EXEC_ARG_MAX / cost;

	ASSERT(as && chunk);
	ASSERT(fit < 16);
	ASSERT(as_map(as, UBASE, area, AS_PROT_READ | AS_PROT_WRITE, VMA_ANON) == 0);
	memset(chunk, 'b', PAGE_SIZE);
	for (uintptr_t va = UBASE + PAGE_SIZE; va < UBASE + area; va += PAGE_SIZE)
		EXPECT(copy_to_user(as, va, chunk, PAGE_SIZE) == 0);
	vec[0] = UBASE + PAGE_SIZE;
	EXPECT(copy_to_user(as, UBASE, vec, sizeof(vec)) == 0);

	/* MAX_ARG_STRLEN with the NUL: fits. */
	EXPECT(copy_to_user(as, UBASE + PAGE_SIZE + len, "", 1) == 0);
	ASSERT(exec_copy_strings_from_user(as, UBASE, &out, &total) == 0);
	EXPECT(strlen(out[0]) == len && out[0][len - 1] == 'b' && out[1] == NULL);
	EXPECT(total == cost);
	exec_free_strings(out);
	/* One character more: -E2BIG, though far below the total quota. */
	EXPECT(copy_to_user(as, UBASE + PAGE_SIZE + len, "b", 1) == 0);
	EXPECT(copy_to_user(as, UBASE + PAGE_SIZE + len + 1, "", 1) == 0);
	EXPECT(exec_copy_strings_from_user(as, UBASE, &out, &total) == -E2BIG);
	EXPECT(copy_to_user(as, UBASE + PAGE_SIZE + len, "", 1) == 0);

	/* As many longest strings as the quota holds fit; one more does not. */
	for (size_t i = 0; i < fit; i++)
		vec[i] = UBASE + PAGE_SIZE;
	EXPECT(copy_to_user(as, UBASE, vec, sizeof(vec)) == 0);
	ASSERT(exec_copy_strings_from_user(as, UBASE, &out, &total) == 0);
	EXPECT(total == fit * cost);
	exec_free_strings(out);
	vec[fit] = UBASE + PAGE_SIZE;
	EXPECT(copy_to_user(as, UBASE, vec, sizeof(vec)) == 0);
	EXPECT(exec_copy_strings_from_user(as, UBASE, &out, &total) == -E2BIG);

	kfree(chunk);
	as_destroy(as);
	EXPECT(settled_free_count() == start);
}
