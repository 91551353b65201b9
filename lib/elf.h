/* SPDX-License-Identifier: MIT */
/*
 * ELF64 executables for RV64: validation of an image held in memory and
 * iteration over its PT_LOAD segments. Freestanding (no allocation, no
 * kernel state), so the same code runs in the kernel and in host tests.
 *
 * The image may sit at any alignment: headers are copied out with memcpy,
 * never dereferenced in place. Every offset and size is checked against the
 * image's size before a byte is read, with overflow-safe arithmetic, so a
 * hostile file can only ever produce -ENOEXEC.
 *
 * Accepted: ELFCLASS64, ELFDATA2LSB, EV_CURRENT, EM_RISCV, ET_EXEC and ET_DYN
 * (position-independent: static-pie programs, PIE programs, shared objects
 * and the dynamic loader itself), with at most one PT_INTERP (the loader to
 * run the program with: its path's place in the file is recorded).
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_EM_RISCV 243
#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3

#define ELF_PT_NULL 0
#define ELF_PT_LOAD 1
#define ELF_PT_DYNAMIC 2
#define ELF_PT_INTERP 3
#define ELF_PT_NOTE 4
#define ELF_PT_PHDR 6
#define ELF_PT_TLS 7
#define ELF_PT_GNU_STACK 0x6474e551u
#define ELF_PT_GNU_RELRO 0x6474e552u
#define ELF_PT_RISCV_ATTRIBUTES 0x70000003u

#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

/* The page size segments are congruent modulo (offset % page == vaddr % page). */
#define ELF_PAGE_SIZE 4096u
/* Loadable addresses: [ELF_USER_MIN, ELF_USER_TOP). The top is the Sv39 user
 * half; the bottom keeps page 0 unmapped (Linux's vm.mmap_min_addr 4096:
 * static binaries linked at 0x1000 load). */
#define ELF_USER_MIN 0x1000ull
#define ELF_USER_TOP 0x4000000000ull
/* Linux's bound on the program header table: at most 64 KiB of it. */
#define ELF_MAX_PHDR_BYTES 65536u
/* The longest PT_INTERP path (with its NUL): Linux's PATH_MAX. */
#define ELF_MAX_INTERP 4096u

struct elf64_ehdr {
	unsigned char e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

/* What elf_check() learned; the image must stay alive while this is used. */
struct elf_info {
	const unsigned char *image;	/* the whole file, or (elf_check_hdr) its start */
	size_t size;			/* bytes of the file (image may hold fewer) */
	uint64_t entry;
	uint64_t phoff;         /* file offset of the program header table */
	uint16_t phnum;
	uint16_t phentsize;     /* always sizeof(struct elf64_phdr) */
	unsigned nload;         /* PT_LOAD segments with memsz > 0 */
	uint16_t type;          /* ELF_ET_EXEC or ELF_ET_DYN (loaded at a bias) */
	uint64_t interp_off;    /* PT_INTERP: the path's file offset and size (its */
	uint64_t interp_len;    /* NUL included), or 0, 0 without one */
	uint64_t load_lo;       /* lowest PT_LOAD vaddr */
	uint64_t load_hi;       /* highest PT_LOAD vaddr + memsz (the brk starts here) */
	/*
	 * Where the program header table is in memory (AT_PHDR): PT_PHDR's
	 * vaddr, else the place the PT_LOAD holding file offset phoff puts it,
	 * else 0 (static glibc then finds it through __ehdr_start).
	 */
	uint64_t phdr_vaddr;
};

/*
 * Validate the whole image: the header, the program header table, every
 * PT_LOAD (filesz <= memsz, file bytes inside the image, memory range inside
 * [ELF_USER_MIN, ELF_USER_TOP) without overflow, p_align 0 or a power of
 * two, offset and vaddr congruent modulo ELF_PAGE_SIZE, ascending and
 * non-overlapping), the entry inside an executable PT_LOAD's file bytes, and
 * PT_PHDR (if any) inside a PT_LOAD's file bytes. Other segment types are
 * ignored. 0 and *out filled, or -ENOEXEC.
 */
int elf_check(const void *image, size_t size, struct elf_info *out);
/*
 * The same from the start of the file only: hdr holds its first hdr_len
 * bytes, which must include the program header table; file offsets are
 * checked against file_size. For a loader that maps the file rather than
 * reading it (execve).
 */
int elf_check_hdr(const void *hdr, size_t hdr_len, uint64_t file_size, struct elf_info *out);
/* Bytes of the file the header and program header table span (after a
 * check of the ELF header alone), or 0 if hdr is not a usable ELF header. */
uint64_t elf_headers_span(const void *hdr, size_t hdr_len);

/*
 * Iterate PT_LOAD segments with memsz > 0 in table order (ascending vaddr):
 * start with *cursor = 0; each call copies the next into *ph and returns
 * true, or returns false at the end. Only valid after elf_check() succeeded.
 */
bool elf_next_load(const struct elf_info *info, unsigned *cursor, struct elf64_phdr *ph);

/* Copy program header i (< info->phnum) of a checked image into *ph. */
void elf_get_phdr(const struct elf_info *info, unsigned i, struct elf64_phdr *ph);

/* p_flags as PROT_READ (1) | PROT_WRITE (2) | PROT_EXEC (4). */
static inline unsigned elf_flags_to_prot(uint32_t p_flags)
{
	return ((p_flags & ELF_PF_R) ? 1u : 0u) | ((p_flags & ELF_PF_W) ? 2u : 0u) |
	       ((p_flags & ELF_PF_X) ? 4u : 0u);
}

#endif
