// SPDX-License-Identifier: MIT
/* Mapping a validated static ELF executable into an address space; see elf_load.h. */
#include "kernel/proc/elf_load.h"

#include <stdbool.h>

#include "kernel/mm/as.h"
#include "kernel/mm/layout.h"
#include "lib/elf.h"
#include "lib/errno.h"

_Static_assert(ELF_USER_TOP == USER_TOP, "lib/elf.h's user top is the Sv39 user half");
_Static_assert(ELF_PAGE_SIZE == PAGE_SIZE, "ELF congruence is checked modulo our page size");

/* Zero bytes for as_fill() of the partial page after a segment's file bytes. */
static const unsigned char zeros[256];

static int fill_zero(struct as *as, uintptr_t va, size_t n)
{
	while (n) {
		size_t chunk = n < sizeof(zeros) ? n : sizeof(zeros);
		int err = as_fill(as, va, zeros, chunk);

		if (err)
			return err;
		va += chunk;
		n -= chunk;
	}
	return 0;
}

/*
 * Map [lo, hi) (page-aligned) for one segment. elf_check() guarantees the
 * loads ascend without overlapping bytes, so the only page this segment can
 * share is its first one, with the previous segment's last page (prev_hi is
 * the end of that segment's pages). The shared page keeps one area whose
 * protection is the union of both.
 */
static int map_segment(struct as *as, uintptr_t lo, uintptr_t hi, unsigned prot,
		       uintptr_t prev_hi, unsigned prev_prot)
{
	int err;

	if (lo < prev_hi) {
		/* lo == prev_hi - PAGE_SIZE: the one shared page. */
		if ((prev_prot | prot) != prev_prot) {
			err = as_protect(as, lo, PAGE_SIZE, prev_prot | prot);
			if (err)
				return err;
		}
		lo = prev_hi;
	}
	if (lo >= hi)
		return 0;
	return as_map(as, lo, hi - lo, prot, VMA_ANON);
}

int elf_load(struct as *as, const void *image, size_t size, struct elf_image_info *out)
{
	const unsigned char *img = image;
	struct elf_info info;
	struct elf64_phdr ph;
	uintptr_t prev_hi = 0;
	unsigned prev_prot = 0, cur = 0;
	int err;

	err = elf_check(image, size, &info);
	if (err)
		return err;
	/* This copying loader has no load bias and no interpreter (elf_map.c does both). */
	if (info.type != ELF_ET_EXEC || info.interp_len)
		return -ENOEXEC;
	while (elf_next_load(&info, &cur, &ph)) {
		uintptr_t va = ph.p_vaddr, file_end = va + ph.p_filesz;
		uintptr_t lo = PAGE_ALIGN_DOWN(va), hi = PAGE_ALIGN_UP(va + ph.p_memsz);
		unsigned prot = elf_flags_to_prot(ph.p_flags);

		err = map_segment(as, lo, hi, prot, prev_hi, prev_prot);
		if (err)
			return err;
		/*
		 * as_fill ignores protection, so read-only and execute-only
		 * segments are written the same way. New pages come zeroed,
		 * but the rest of the page after the file bytes is zeroed
		 * explicitly anyway: with a shared first page, or a reused
		 * page, nothing else would guarantee it.
		 */
		err = as_fill(as, va, img + ph.p_offset, ph.p_filesz);
		if (err)
			return err;
		if (ph.p_memsz > ph.p_filesz) {
			uintptr_t zero_end = PAGE_ALIGN_UP(file_end);

			if (zero_end > va + ph.p_memsz)
				zero_end = va + ph.p_memsz;
			/* Only when the page holds file bytes: bss pages beyond
			 * stay lazily zero-filled, costing nothing until touched. */
			if (ph.p_filesz && (file_end & (PAGE_SIZE - 1))) {
				err = fill_zero(as, file_end, zero_end - file_end);
				if (err)
					return err;
			}
		}
		prev_hi = hi;
		prev_prot = prot;
	}
	as_brk_init(as, info.load_hi);
	*out = (struct elf_image_info){
		.entry = info.entry,
		.start = info.entry,
		.phdr = info.phdr_vaddr,
		.phnum = info.phnum,
		.phent = info.phentsize,
		.load_lo = info.load_lo,
		.brk = info.load_hi,
	};
	return 0;
}
