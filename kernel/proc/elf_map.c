// SPDX-License-Identifier: MIT
/*
 * Loading an executable by mapping it (elf_load.h): each PT_LOAD's file
 * pages become a private file mapping of the page cache, faulted in on
 * demand (and shared with every other process running the file), instead
 * of a copy of the whole image. Only the page where a writable segment's
 * file bytes end is made at once, as a private copy whose tail past them is
 * zeroed (the bss starts there); the rest of the bss is anonymous memory,
 * zero when touched.
 */
#include "kernel/proc/elf_load.h"

#include <stdbool.h>

#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/aslr.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pcache.h"
#include "lib/elf.h"
#include "lib/errno.h"
#include "lib/string.h"

/* The private page at va (page-aligned) holding the first n bytes of f's
 * page at file offset off (page-aligned), zero after them. */
static int map_partial_page(struct as *as, struct file *f, uintptr_t va, uint64_t off, size_t n)
{
	struct pcpage *pg;
	void *page;
	int err = pcache_get_page(f->inode, off >> PAGE_SHIFT, &pg);

	if (err)
		return err == -EFAULT ? -ENOEXEC : err; /* -EIOWAIT: a wait is parked */
	page = page_alloc_order_nozero(0);
	if (!page) {
		pcache_page_put(pg);
		return -ENOMEM;
	}
	memcpy(page, pcpage_data(pg), n);
	memset((char *)page + n, 0, PAGE_SIZE - n);
	pcache_page_put(pg);
	err = as_map_page(as, va, page);
	if (err)
		page_free(page);
	return err;
}

/* The largest segment alignment (a power of two), at least a page, at most 2 MiB. */
static uintptr_t max_align(const struct elf_info *info)
{
	struct elf64_phdr ph;
	uintptr_t a = PAGE_SIZE;
	unsigned cur = 0;

	while (elf_next_load(info, &cur, &ph))
		if (ph.p_align > a && ph.p_align <= (2ul << 20))
			a = ph.p_align;
	return a;
}

/*
 * The load bias of an ET_DYN file spanning span bytes from lo: the program
 * at ELF_ET_DYN_BASE plus a random offset, the interpreter where mmap finds
 * room (the mmap area, itself below the randomised stack). -ENOMEM.
 */
static long pick_bias(struct as *as, const struct elf_info *info, bool interp)
{
	uintptr_t lo = PAGE_ALIGN_DOWN(info->load_lo), span = PAGE_ALIGN_UP(info->load_hi) - lo;
	uintptr_t align = max_align(info), at;
	long r;

	if (!interp) {
		at = (ELF_ET_DYN_BASE + aslr_pages(ASLR_MMAP_BITS, 1)) & ~(align - 1);
		return (long)(at - lo);
	}
	/* Reserve room (aligned: a little more, trimmed by the mapping below). */
	r = as_mmap(as, 0, span + align - PAGE_SIZE, AS_PROT_NONE, 0);
	if (r < 0)
		return r;
	(void)as_unmap(as, (uintptr_t)r, span + align - PAGE_SIZE);
	at = ((uintptr_t)r + align - 1) & ~(align - 1);
	return (long)(at - lo);
}

int elf_load_file(struct as *as, struct file *f, const void *hdr, size_t hdr_len, bool interp,
		  struct elf_image_info *out)
{
	struct elf_info info;
	struct elf64_phdr ph;
	uintptr_t prev_hi = 0, bias = 0;
	unsigned cur = 0;
	int err;

	if (!f->inode->pcache)
		return -EXDEV;
	err = elf_check_hdr(hdr, hdr_len, f->inode->size, &info);
	if (err)
		return err;
	if (info.type == ELF_ET_DYN) {
		long b = pick_bias(as, &info, interp);

		if (b < 0)
			return (int)b;
		bias = (uintptr_t)b;
		/* The biased image must lie in the user half, above page 0. */
		if (info.load_lo + bias < ELF_USER_MIN || info.load_hi + bias > USER_TOP ||
		    info.load_hi + bias < info.load_lo)
			return -ENOMEM;
	}
	while (elf_next_load(&info, &cur, &ph)) {
		uintptr_t va = ph.p_vaddr + bias, file_end = va + ph.p_filesz, mem_end = va + ph.p_memsz;
		uintptr_t lo = PAGE_ALIGN_DOWN(va), hi = PAGE_ALIGN_UP(mem_end);
		uintptr_t map_end = (ph.p_flags & ELF_PF_W) ? PAGE_ALIGN_DOWN(file_end)
							     : PAGE_ALIGN_UP(file_end);
		unsigned prot = elf_flags_to_prot(ph.p_flags);

		/* A page shared with the previous segment cannot be two mappings:
		 * the caller loads such a file by copying it instead. */
		if (lo < prev_hi)
			return info.type == ELF_ET_DYN ? -ENOEXEC : -EXDEV;
		if (!ph.p_filesz)
			map_end = lo;
		if (map_end > lo) {
			long r = as_mmap_file(as, lo, map_end - lo, prot, AS_MAP_NOREPLACE, f,
					      PAGE_ALIGN_DOWN(ph.p_offset) >> PAGE_SHIFT, false);

			if (r < 0)
				return (int)r;
		}
		if (hi > map_end) {
			err = as_map(as, map_end, hi - map_end, prot, VMA_ANON);
			if (err)
				return err;
		}
		if ((ph.p_flags & ELF_PF_W) && ph.p_filesz && map_end < file_end) {
			/* The last file page of a writable segment: its tail is
			 * bss. Offsets and addresses are congruent modulo the page
			 * size, so the file page of map_end starts at this offset. */
			err = map_partial_page(as, f, map_end, ph.p_offset + map_end - va,
					       (size_t)(file_end - map_end));
			if (err)
				return err;
		}
		prev_hi = hi;
	}
	*out = (struct elf_image_info){
		.entry = info.entry + bias,
		.start = info.entry + bias,
		.bias = bias,
		.interp_off = info.interp_off,
		.interp_len = info.interp_len,
		.phdr = info.phdr_vaddr ? info.phdr_vaddr + bias : 0,
		.phnum = info.phnum,
		.phent = info.phentsize,
		.load_lo = info.load_lo + bias,
		.brk = info.load_hi + bias,
	};
	return 0;
}
