/* SPDX-License-Identifier: MIT */
/*
 * Loading a static ELF executable (already read into kernel memory) into a
 * fresh address space. Validation is lib/elf.h's; this maps the segments.
 */
#ifndef KERNEL_PROC_ELF_LOAD_H
#define KERNEL_PROC_ELF_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct as;

/* What execve and the initial stack need from a loaded image. */
struct elf_image_info {
	uintptr_t entry;        /* AT_ENTRY: the program's entry (its bias added) */
	uintptr_t start;        /* the initial pc: entry, or the interpreter's */
	uintptr_t base;         /* AT_BASE: the interpreter's load bias, or 0 */
	uintptr_t bias;         /* what was added to the file's addresses (ET_DYN) */
	uint64_t interp_off;    /* PT_INTERP: the path's place in the file, or 0, 0 */
	uint64_t interp_len;
	uintptr_t phdr;         /* AT_PHDR: program headers in user memory, or 0 */
	unsigned phnum;         /* AT_PHNUM */
	unsigned phent;         /* AT_PHENT (56) */
	uintptr_t load_lo;      /* lowest mapped segment address */
	uintptr_t brk;          /* end of the highest segment: the heap starts
				   at the next page boundary */
	uintptr_t stack_top;    /* exec_map_stack's, 0 before it */
	uintptr_t vdso;         /* AT_SYSINFO_EHDR, 0 without a vDSO */
	uintptr_t arg_start;    /* exec_build_stack's: the argv strings, */
	uintptr_t env_start;    /* then the envp strings up to env_end */
	uintptr_t env_end;      /* (/proc/<pid>/cmdline and environ) */
};

/*
 * Validate `image` (size bytes) and map every PT_LOAD into `as` (which should
 * hold nothing yet below the stack): an anonymous area per segment with the
 * protection of its p_flags (R/W/X), the file bytes copied in, the rest
 * (bss, including the tail of the last file-backed page) zero. A page shared
 * by two segments gets the union of their protections. Sets up the heap after
 * the highest segment (as_brk_init) and fills *out.
 *
 * 0; -ENOEXEC for a malformed or unsupported image (ET_DYN, PT_INTERP, ...);
 * -ENOMEM; -EEXIST/-EINVAL if `as` already has something in the way. On
 * error the address space holds a partial image: the caller destroys it.
 * The image buffer is not referenced after the call.
 */
int elf_load(struct as *as, const void *image, size_t size, struct elf_image_info *out);

struct file;
/*
 * The same by mapping the file f (elf_map.c): hdr holds its first hdr_len
 * bytes, the program header table included. Segments are private mappings
 * of the file's page cache; the page where a writable segment's file bytes
 * end is copied at once with its tail zeroed (it may need the page read:
 * -EIOWAIT with a wait parked). -EXDEV when the file cannot be mapped so
 * (no page cache, or two segments in one page): load it with elf_load().
 */
int elf_load_file(struct as *as, struct file *f, const void *hdr, size_t hdr_len,
		  bool interp, struct elf_image_info *out);
/* Where a position-independent program goes (Linux's ELF_ET_DYN_BASE for a
 * 2^38-byte user half: two thirds up), before randomisation. The
 * interpreter (interp true above) goes where mmap would put it. */
#define ELF_ET_DYN_BASE 0x2aaaaaa000UL

#endif
