// SPDX-License-Identifier: MIT
/* ELF64 RISC-V executable validation and PT_LOAD iteration; see elf.h. */
#include "lib/elf.h"

#include "lib/errno.h"
#include "lib/string.h"

#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_OSABI 7
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ELFOSABI_SYSV 0
#define ELFOSABI_GNU 3

static bool is_pow2_or_zero(uint64_t x)
{
	return (x & (x - 1)) == 0;
}

/* [off, off+len) lies inside [0, size), without overflow. */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

void elf_get_phdr(const struct elf_info *info, unsigned i, struct elf64_phdr *ph)
{
	memcpy(ph, info->image + info->phoff + (uint64_t)i * info->phentsize, sizeof(*ph));
}

static int check_header(const unsigned char *img, size_t size, size_t hdr_len,
			struct elf64_ehdr *eh)
{
	if (size < sizeof(*eh) || hdr_len < sizeof(*eh))
		return -ENOEXEC;
	memcpy(eh, img, sizeof(*eh));
	if (memcmp(eh->e_ident, "\177ELF", 4) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    (eh->e_ident[EI_OSABI] != ELFOSABI_SYSV && eh->e_ident[EI_OSABI] != ELFOSABI_GNU))
		return -ENOEXEC;
	if ((eh->e_type != ELF_ET_EXEC && eh->e_type != ELF_ET_DYN) ||
	    eh->e_machine != ELF_EM_RISCV || eh->e_version != EV_CURRENT)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    (uint32_t)eh->e_phnum * eh->e_phentsize > ELF_MAX_PHDR_BYTES)
		return -ENOEXEC;
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * eh->e_phentsize, size) ||
	    !in_file(eh->e_phoff, (uint64_t)eh->e_phnum * eh->e_phentsize, hdr_len))
		return -ENOEXEC;
	return 0;
}

static int check_load(const struct elf64_phdr *ph, size_t size, uint64_t prev_end, bool dyn)
{
	uint64_t page_mask = ELF_PAGE_SIZE - 1;

	if (ph->p_filesz > ph->p_memsz || !in_file(ph->p_offset, ph->p_filesz, size))
		return -ENOEXEC;
	if (!is_pow2_or_zero(ph->p_align) || ((ph->p_offset ^ ph->p_vaddr) & page_mask))
		return -ENOEXEC;
	/* The page holding vaddr must be at or above the minimum (an ET_DYN
	 * file's addresses are relative: any bias moves them)... */
	if (((ph->p_vaddr & ~page_mask) < ELF_USER_MIN && !dyn) || ph->p_vaddr >= ELF_USER_TOP)
		return -ENOEXEC;
	/* ...and vaddr + memsz at or below the top (both below 2^38: no overflow). */
	if (ph->p_memsz > ELF_USER_TOP - ph->p_vaddr)
		return -ENOEXEC;
	/* Segments come sorted by vaddr (the ELF spec) and must not overlap. */
	if (ph->p_vaddr < prev_end)
		return -ENOEXEC;
	return 0;
}

/* Does [va, va+len) lie in the file-backed bytes of a PT_LOAD (with exec if asked)? */
static bool in_load_file_bytes(const struct elf_info *info, uint64_t va, uint64_t len,
			       bool need_exec)
{
	struct elf64_phdr ph;
	unsigned cur = 0;

	while (elf_next_load(info, &cur, &ph)) {
		if (need_exec && !(ph.p_flags & ELF_PF_X))
			continue;
		if (va >= ph.p_vaddr && va - ph.p_vaddr < ph.p_filesz &&
		    len <= ph.p_filesz - (va - ph.p_vaddr))
			return true;
	}
	return false;
}

int elf_check(const void *image, size_t size, struct elf_info *out)
{
	return elf_check_hdr(image, size, size, out);
}

uint64_t elf_headers_span(const void *hdr, size_t hdr_len)
{
	struct elf64_ehdr eh;

	if (hdr_len < sizeof(eh))
		return 0;
	memcpy(&eh, hdr, sizeof(eh));
	if (memcmp(eh.e_ident, "\177ELF", 4) != 0 || eh.e_phentsize != sizeof(struct elf64_phdr) ||
	    (uint32_t)eh.e_phnum * eh.e_phentsize > ELF_MAX_PHDR_BYTES ||
	    eh.e_phoff > ELF_USER_TOP)
		return 0;
	return eh.e_phoff + (uint64_t)eh.e_phnum * eh.e_phentsize;
}

int elf_check_hdr(const void *hdr, size_t hdr_len, uint64_t file_size, struct elf_info *out)
{
	const unsigned char *img = hdr;
	size_t size = file_size > SIZE_MAX ? SIZE_MAX : (size_t)file_size;
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	struct elf_info info;
	uint64_t prev_end = 0, phdr_va = 0, phsize;
	bool have_phdr = false;
	int err;

	if (!img)
		return -ENOEXEC;
	if (hdr_len > size)
		hdr_len = size;
	err = check_header(img, size, hdr_len, &eh);
	if (err)
		return err;
	info = (struct elf_info){
		.image = img,
		.size = size,
		.entry = eh.e_entry,
		.phoff = eh.e_phoff,
		.phnum = eh.e_phnum,
		.phentsize = eh.e_phentsize,
		.load_lo = UINT64_MAX,
		.type = eh.e_type,
	};
	phsize = (uint64_t)eh.e_phnum * eh.e_phentsize;

	for (unsigned i = 0; i < info.phnum; i++) {
		elf_get_phdr(&info, i, &ph);
		switch (ph.p_type) {
		case ELF_PT_LOAD:
			err = check_load(&ph, size, prev_end, eh.e_type == ELF_ET_DYN);
			if (err)
				return err;
			if (ph.p_memsz == 0)
				break;
			prev_end = ph.p_vaddr + ph.p_memsz;
			if (ph.p_vaddr < info.load_lo)
				info.load_lo = ph.p_vaddr;
			info.load_hi = prev_end;
			info.nload++;
			break;
		case ELF_PT_INTERP:
			/* One, inside the file, a path of some length (its bytes are
			 * the loader's to check: execve reads it). */
			if (info.interp_len || ph.p_filesz < 2 || ph.p_filesz > ELF_MAX_INTERP ||
			    !in_file(ph.p_offset, ph.p_filesz, size))
				return -ENOEXEC;
			info.interp_off = ph.p_offset;
			info.interp_len = ph.p_filesz;
			break;
		case ELF_PT_PHDR:
			if (have_phdr)
				return -ENOEXEC;
			have_phdr = true;
			phdr_va = ph.p_vaddr;
			break;
		default:
			/* PT_TLS, PT_NOTE, GNU_STACK, GNU_RELRO, RISCV_ATTRIBUTES...:
			 * nothing the kernel acts on, and never read. */
			break;
		}
	}
	if (info.nload == 0)
		return -ENOEXEC;
	if (!in_load_file_bytes(&info, info.entry, 1, true))
		return -ENOEXEC;

	if (have_phdr) {
		if (!in_load_file_bytes(&info, phdr_va, phsize, false))
			return -ENOEXEC;
		info.phdr_vaddr = phdr_va;
	} else {
		/* The PT_LOAD whose file bytes hold the table, if one does. */
		unsigned cur = 0;

		while (elf_next_load(&info, &cur, &ph)) {
			if (info.phoff >= ph.p_offset && info.phoff - ph.p_offset < ph.p_filesz &&
			    phsize <= ph.p_filesz - (info.phoff - ph.p_offset)) {
				info.phdr_vaddr = ph.p_vaddr + (info.phoff - ph.p_offset);
				break;
			}
		}
	}
	*out = info;
	return 0;
}

bool elf_next_load(const struct elf_info *info, unsigned *cursor, struct elf64_phdr *ph)
{
	while (*cursor < info->phnum) {
		elf_get_phdr(info, (*cursor)++, ph);
		if (ph->p_type == ELF_PT_LOAD && ph->p_memsz != 0)
			return true;
	}
	return false;
}
