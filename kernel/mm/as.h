/* SPDX-License-Identifier: MIT */
/*
 * Per-process Sv39 address spaces: a root page table whose kernel half
 * (entries PT_KERNEL_FIRST..511) is copied from the kernel's root, and a
 * sorted list of VMAs (virtual memory areas) describing what the user half may
 * hold. Pages are filled lazily (zero pages on first touch) and shared
 * copy-on-write after as_fork().
 *
 * Invariants
 *   - Every user leaf PTE holds one reference on its page (page_ref_*).
 *   - A page whose refcount is above 1 is mapped without W and with
 *     PTE_RSW_COW, in every address space that maps it. A write fault on it
 *     copies the page, or takes it over when this is the last reference.
 *   - User leaf PTEs always have A set, and D set when W is: QEMU 7.2 has no
 *     Svadu, so hardware would fault instead of setting them.
 *   - A page of a PROT_NONE area stays mapped, but without U (and without W
 *     or X), so user mode and the uaccess functions fault on it.
 *
 * TLB: functions that change a valid PTE flush the calling hart only
 * (arch_flush_tlb_page/arch_flush_tlb_all). A process runs on one hart at a
 * time, and whoever installs an address space's satp on a hart must fence
 * that hart (sfence.vma) at the switch, so stale entries elsewhere are never
 * used.
 *
 * Errors are negative errno values (lib/errno.h). Nothing here panics on a
 * user-supplied address.
 */
#ifndef KERNEL_MM_AS_H
#define KERNEL_MM_AS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/riscv/pte.h"
#include "kernel/mm/layout.h"
#include "kernel/spinlock.h"
#include "lib/list.h"

/* Protections and access kinds: the Linux PROT_* values. */
#define AS_PROT_NONE 0u
#define AS_PROT_READ 1u
#define AS_PROT_WRITE 2u
#define AS_PROT_EXEC 4u

/* as_mmap() flags (the syscall layer translates MAP_FIXED and friends). */
#define AS_MAP_FIXED 1u          /* exactly at addr, replacing what is there */
#define AS_MAP_NOREPLACE 2u      /* exactly at addr, -EEXIST if anything is there */
#define AS_MAP_GROWSDOWN 8u      /* a stack area: a fault just below grows it */

/* VMA kinds (struct vma.kind). */
enum vma_kind {
	VMA_ANON,       /* anonymous memory (and the bss of loaded ELF segments) */
	VMA_HEAP,       /* the brk area */
	VMA_STACK,      /* the main stack; nothing is placed in the gap below it */
	VMA_FILE,       /* pages of a file's page cache (a struct vma_file); a
			 * VMA_ANON with shared set holds pages shared with the
			 * kernel (io_uring rings): never copy-on-write, fork
			 * shares them writable */
};

/* Lowest address as_mmap() picks by itself. */
#define AS_MMAP_MIN 0x10000UL
/* Lowest address anything may be mapped at (Linux's vm.mmap_min_addr, 4096
 * on the reference machine): page 0 stays unmapped, for everyone (Linux lets
 * CAP_SYS_RAWIO map it; here USER_SIGRETURN_PC lives there). */
#define AS_MAP_MIN_ADDR 0x1000UL
/* The main stack ends at USER_TOP; no mapping is placed this close below it. */
#define AS_STACK_GUARD_GAP (1UL << 20)
#define AS_STACK_DEFAULT_SIZE (8UL << 20)
/* A stack area grows down on faults below it up to this (RLIMIT_STACK). */
#define AS_STACK_MAX_SIZE (8UL << 20)

/* Bits of a user address (USER_TOP is 2^38 under Sv39). */
#define VMA_ADDR_BITS 40

/*
 * Every process has several (a static glibc program 4), so prot, kind and
 * the flags share words with start and end: 32 bytes instead of 48. Fields
 * are read and assigned by name as ever (bit-fields); none may have its
 * address taken. A file mapping is a struct vma_file (the file pointer
 * after it, 40 bytes); so is every VMA with `big` set, whatever its kind
 * (splits take their spare VMAs from that cache, not knowing which VMA
 * they split).
 */
struct vma {
	struct list_head node;  /* L:as.lock, sorted by start */
	uintptr_t start : VMA_ADDR_BITS; /* L:as.lock, page-aligned, [start, end) */
	unsigned prot : 3;      /* L:as.lock, AS_PROT_* */
	enum vma_kind kind : 2; /* L:as.lock */
	unsigned shared : 1;    /* L:as.lock: MAP_SHARED (stores reach the file) */
	unsigned big : 1;       /* I: allocated as a struct vma_file */
	unsigned tracked : 1;   /* L:as.lock: VMA_FILE counted in its cache's mappers
				 * (mmap(2): truncation unmaps it; exec's are not) */
	uint64_t pgoff_hi : 16; /* L:as.lock: VMA_FILE: file page of start, high bits */
	uintptr_t end : VMA_ADDR_BITS; /* L:as.lock, page-aligned */
	uint64_t pgoff_lo : 24; /* L:as.lock: ... and low bits (vma_pgoff()) */
};
_Static_assert(USER_TOP <= 1ull << VMA_ADDR_BITS, "a user address fits vma.start");
_Static_assert(sizeof(struct vma) == 32, "vma: prot, kind, flags share start's and end's words");

struct file;

struct vma_file {
	struct vma vma;
	struct file *file;      /* I: counted, for every VMA with big set (NULL unless VMA_FILE) */
};

/* The file page at start of a VMA_FILE, and its setter (40 bits of pages). */
static inline uint64_t vma_pgoff(const struct vma *v)
{
	return (uint64_t)v->pgoff_hi << 24 | v->pgoff_lo;
}
static inline void vma_set_pgoff(struct vma *v, uint64_t pgoff)
{
	v->pgoff_hi = pgoff >> 24;
	v->pgoff_lo = pgoff & ((1u << 24) - 1);
}
#define VMA_PGOFF_MAX ((1ull << 40) - 1)

static inline struct file *vma_file(const struct vma *v)
{
	return v->kind == VMA_FILE ? ((const struct vma_file *)v)->file : NULL;
}

/* Legend: I set at creation; L:lock under the address space's lock. */
struct as {
	pte_t *root;            /* I: root table (kernel VA) */
	struct spinlock lock;   /* the page tables and the VMA list */
	struct list_head vmas;  /* L:lock */
	uintptr_t brk_start;    /* L:lock: start of the heap (page-aligned) */
	uintptr_t brk;          /* L:lock: current program break */
	uint32_t nr_tables;     /* L:lock: page-table pages, the root included
				 * (at most 1 + 256 + 256 * 512 under Sv39) */
	uint32_t nr_pages;      /* L:lock: user pages mapped (shared ones count;
				 * at most 2^26 in the 2^38-byte user half) */
	/* Threads and vfork share one (kernel/proc/thread.c): A, the
	 * processes using it; the last as_put() destroys it. */
	unsigned users;
};

/* Bytes of every mapping but the main stack (RLIMIT_AS: the stack's area is
 * reserved whole at exec here, where Linux grows it as it is used). */
size_t as_vm_bytes(struct as *as);

/* A new address space with an empty user half; NULL when out of memory. */
struct as *as_create(void);
/* Free every page, table and VMA. No hart may have it installed. */
void as_destroy(struct as *as);
/* Another user of the address space (a thread, a vfork child). */
static inline struct as *as_get(struct as *as)
{
	__atomic_fetch_add(&as->users, 1, __ATOMIC_RELAXED);
	return as;
}
/* Let go of it; the last user destroys it (acq_rel: the destroyer sees
 * every write the other users made). */
static inline void as_put(struct as *as)
{
	if (__atomic_fetch_sub(&as->users, 1, __ATOMIC_ACQ_REL) == 1)
		as_destroy(as);
}
/* Whether another process uses it too. */
static inline bool as_is_shared(const struct as *as)
{
	return __atomic_load_n(&as->users, __ATOMIC_RELAXED) > 1;
}
/* Physical address of the root table, for satp. */
paddr_t as_root_pa(const struct as *as);

/*
 * Add an anonymous area [va, va+len) with the given protection, filled with
 * zero pages on first touch. va page-aligned, len rounded up to pages.
 * -EINVAL for a bad range, -EEXIST if it overlaps an area, -ENOMEM.
 */
int as_map(struct as *as, uintptr_t va, size_t len, unsigned prot, enum vma_kind kind);
/*
 * Put `page` (from page_alloc(); one reference passes to the address space)
 * at va, which must lie in an area; it gets the area's protection. Replaces
 * a page already there. -EFAULT outside every area, -ENOMEM.
 */
int as_map_page(struct as *as, uintptr_t va, void *page);
/* Remove every area and page in [va, va+len) (munmap). -EINVAL for a bad range. */
int as_unmap(struct as *as, uintptr_t va, size_t len);
/*
 * Change the protection of [va, va+len) (mprotect). -ENOMEM if part of the
 * range is not mapped (as Linux), -EINVAL for a bad range.
 */
int as_protect(struct as *as, uintptr_t va, size_t len, unsigned prot);
/*
 * mmap of anonymous memory: at addr with AS_MAP_FIXED / AS_MAP_NOREPLACE,
 * otherwise at the highest free place below the stack's guard gap (addr is
 * only a hint). Returns the address, or -ENOMEM, -EINVAL, -EEXIST.
 */
long as_mmap(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags);

/*
 * mmap of a file's pages: [addr, addr+len) shows the file from page pgoff
 * on (placement and flags as as_mmap), private (copy on write) or shared
 * (stores reach the page cache, written back as the file's). The area
 * holds a reference to file. Returns the address or -errno.
 */
long as_mmap_file(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags,
		  struct file *file, uint64_t pgoff, bool shared);
/* The same, counted among the file's mappers so that truncating the file
 * unmaps the pages past its new end (mmap(2); exec's mappings cannot be
 * truncated: the running file denies writes). */
#define AS_MAP_TRACKED 4u

/*
 * For pcache_unmap_from(): with as->lock held, take out every page of as's
 * mappings of the cache pc at or past file page idx (the file was
 * truncated: a later access there is SIGBUS), up to max of them, into
 * pages[*n..] (their references pass to the caller, who drops them after a
 * TLB shootdown). False when pages filled up before the end (call again).
 */
struct pcache;
bool as_unmap_file_from_locked(struct as *as, struct pcache *pc, uint64_t idx, void **pages,
			       unsigned *n, unsigned max);

/* ---- area operations of the memory syscalls (as_ops.c) ---- */
/* MADV_DONTNEED: drop the pages of [va, va+len), keeping the areas (later
 * touches see zeros, or the file again). -ENOMEM if part was unmapped (the
 * rest is done), -EINVAL for a bad range. */
int as_discard(struct as *as, uintptr_t va, size_t len);
/* mincore: vec[i] = 1 if page i of [va, va+len) is mapped in. -ENOMEM if
 * part of the range is not mapped. */
int as_mincore(struct as *as, uintptr_t va, size_t len, uint8_t *vec);
/*
 * msync: the stores made through shared file mappings in [va, va+len) go
 * to their caches' dirty lists; the files concerned (at most max, each
 * referenced: file_put them) into files[0..*n). -ENOMEM if part of the
 * range is not mapped.
 */
int as_msync_collect(struct as *as, uintptr_t va, size_t len, struct file **files, unsigned max,
		     unsigned *n);
/* mremap: resize [old, old+old_len) (inside one area) to new_len, in place
 * or (MAYMOVE) moved, or moved to new_addr (FIXED). The new address, or
 * -EFAULT, -ENOMEM, -EINVAL. */
#define AS_REMAP_MAYMOVE 1u
#define AS_REMAP_FIXED 2u
long as_mremap(struct as *as, uintptr_t old, size_t old_len, size_t new_len, unsigned flags,
	       uintptr_t new_addr);

/*
 * as_mmap of an area shared with the kernel (VMA_ANON, shared set) holding
 * the given pages (each gains a reference, the caller keeps its own): what
 * the kernel writes to them the program sees, and the other way round,
 * across fork too. npages pages of len. Returns the address or as as_mmap.
 */
long as_mmap_shared(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags,
		    void *const *pages, size_t npages);

/* Set up the heap to start at the page boundary at or above `start` (after the ELF). */
void as_brk_init(struct as *as, uintptr_t start);
/* brk(2): move the break; returns the new break, or the old one on failure. */
uintptr_t as_brk(struct as *as, uintptr_t newbrk);
/* The main stack: an area of `size` bytes ending at USER_TOP. Returns its top, or -errno. */
long as_stack_init(struct as *as, size_t size);
/* The same ending at top (page-aligned, in the upper half of the user half:
 * below USER_TOP by the vDSO and a random offset). */
long as_stack_init_at(struct as *as, uintptr_t top, size_t size);

/*
 * A copy of `parent` for fork(): same areas, pages shared copy-on-write
 * (both sides lose W on private pages). NULL when out of memory.
 */
struct as *as_fork(struct as *parent);

/*
 * A user page fault at va for access AS_PROT_READ, _WRITE or _EXEC: maps a
 * zero page, breaks copy-on-write, or fixes A/D. 0: retry the instruction;
 * -EFAULT: no area or not permitted (SIGSEGV); -ENOMEM: out of memory.
 */
int as_handle_fault(struct as *as, uintptr_t va, unsigned access);

/*
 * Write into the address space ignoring its protection (not its areas): for
 * the ELF loader filling read-only segments. Pages are made as needed.
 * 0, -EFAULT outside every area, -ENOMEM.
 */
int as_fill(struct as *as, uintptr_t va, const void *src, size_t n);

/*
 * For uaccess.c: with as->lock held, the kernel address of the user byte at
 * va if user mode may make `access` there, resolving lazy and COW pages (a
 * write) as a fault would. NULL (and *err set) when it may not.
 */
void *as_user_ptr_locked(struct as *as, uintptr_t va, unsigned access, int *err);

/*
 * The same over a run of pages (struct as_cursor, kernel/mm/uaccess.h):
 * the next page in the 2 MiB of the last one found is one load and a check
 * instead of a walk.
 */
struct as_cursor;
void *as_user_ptr_cursor_locked(struct as *as, uintptr_t va, unsigned access,
				struct as_cursor *cur, int *err);

/* The leaf PTE for va, or 0 (for tests and debugging). */
pte_t as_lookup_pte(struct as *as, uintptr_t va);

#endif
