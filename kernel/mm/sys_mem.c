// SPDX-License-Identifier: MIT
/*
 * Memory syscalls: brk, mmap (anonymous only), munmap, mprotect, madvise.
 * Argument checking follows Linux; the address-space work is kernel/mm/as.c.
 *
 * File mappings: only files with an mmap op (io_uring rings), else -ENODEV.
 * MAP_SHARED|MAP_ANONYMOUS is accepted but
 * behaves as private after fork (address spaces have no shared areas yet).
 */
#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/layout.h"
#include "kernel/proc/limits.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/list.h"

#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_HUGETLB 0x40000
#define MAP_SYNC 0x80000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_UNINITIALIZED 0x4000000

/* Flags we understand (the rest only matter to MAP_SHARED_VALIDATE). */
#define MAP_KNOWN                                                                        \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_DENYWRITE |          \
	 MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK |     \
	 MAP_STACK | MAP_HUGETLB | MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED)

#define MADV_DONTNEED 4

static bool page_aligned(uintptr_t a)
{
	return (a & (PAGE_SIZE - 1)) == 0;
}

/* RLIMIT_AS: may the caller's mappings grow by len (Linux's may_expand_vm)? */
static bool vm_may_grow(struct sys_ctx *sc, size_t len)
{
	uint64_t lim = proc_rlimit_cur(sc->proc, RLIMIT_AS);

	return lim == RLIM_INFINITY || as_vm_bytes(proc_as(sc->proc)) + len <= lim;
}

/* brk(addr): the new break, or the unchanged one if it cannot move (Linux). */
SYSCALL(214, brk)
{
	struct as *as = proc_as(sc->proc);
	uintptr_t cur = as_brk(as, 0), want = sc->arg[0];

	if (want > cur && PAGE_ALIGN_UP(want) > PAGE_ALIGN_UP(cur) &&
	    !vm_may_grow(sc, PAGE_ALIGN_UP(want) - PAGE_ALIGN_UP(cur)))
		return (long)cur;
	return (long)as_brk(as, want);
}

/* mmap(addr, len, prot, flags, fd, offset) */
SYSCALL(222, mmap)
{
	uintptr_t addr = sc->arg[0];
	size_t len = sc->arg[1];
	unsigned long prot = sc->arg[2], flags = sc->arg[3], off = sc->arg[5];
	unsigned asflags = 0;

	if (!page_aligned(off) || !len)
		return -EINVAL;
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
	case MAP_PRIVATE:
		break;
	case MAP_SHARED_VALIDATE:
		if (flags & ~(unsigned long)MAP_KNOWN)
			return -EOPNOTSUPP;
		break;
	default:
		return -EINVAL;
	}
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (flags & MAP_HUGETLB)
		return -EINVAL; /* no huge pages */
	if (len > USER_TOP || PAGE_ALIGN_UP(len) > USER_TOP)
		return -ENOMEM;
	if (flags & MAP_FIXED_NOREPLACE)
		asflags = AS_MAP_NOREPLACE;
	else if (flags & MAP_FIXED)
		asflags = AS_MAP_FIXED;
	if (asflags && !page_aligned(addr))
		return -EINVAL;
	if (asflags && addr < AS_MAP_MIN_ADDR)
		return -EPERM; /* below mmap_min_addr */
	if (!vm_may_grow(sc, PAGE_ALIGN_UP(len)))
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS)) {
		/* A file that maps itself (io_uring's rings); others: not yet. */
		struct file *f = fd_get(sc->proc, (int)sc->arg[4]);
		long r;

		if (!f)
			return -EBADF;
		r = f->ops && f->ops->mmap ? f->ops->mmap(f, sc->proc, addr, len, (unsigned)prot,
							   asflags, off)
					   : -ENODEV;
		file_put(f);
		return r;
	}
	/* Returns the address or -ENOMEM / -EEXIST / -EINVAL. */
	return as_mmap(proc_as(sc->proc), addr, len, (unsigned)prot, asflags);
}

SYSCALL(215, munmap)
{
	uintptr_t addr = sc->arg[0];
	size_t len = sc->arg[1];

	if (!page_aligned(addr) || !len || len > USER_TOP)
		return -EINVAL;
	return as_unmap(proc_as(sc->proc), addr, len);
}

SYSCALL(226, mprotect)
{
	uintptr_t addr = sc->arg[0];
	size_t len = sc->arg[1];
	unsigned long prot = sc->arg[2];

	if (!page_aligned(addr))
		return -EINVAL;
	/* PROT_GROWSDOWN/UP need a grows-down area, which mmap never makes. */
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (!len)
		return 0;
	if (len > USER_TOP)
		return -ENOMEM;
	return as_protect(proc_as(sc->proc), addr, len, (unsigned)prot);
}

/*
 * The first area overlapping [va, end) at or after va, clipped to the
 * range: *s, *e, *prot, *kind. false when there is none.
 */
static bool next_area(struct as *as, uintptr_t va, uintptr_t end, uintptr_t *s, uintptr_t *e,
		      unsigned *prot, enum vma_kind *kind)
{
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	struct vma *v;
	bool found = false;

	list_for_each_entry(v, &as->vmas, node) {
		if (v->end <= va)
			continue;
		if (v->start >= end)
			break;
		*s = v->start > va ? v->start : va;
		*e = v->end < end ? v->end : end;
		*prot = v->prot;
		*kind = v->kind;
		found = true;
		break;
	}
	spin_unlock_irqrestore(&as->lock, fl);
	return found;
}

/*
 * MADV_DONTNEED on private anonymous memory: later reads see zeros. Each
 * overlapped piece of an area is unmapped and mapped again with the same
 * protection and kind, which frees its pages (new ones come lazily, zeroed).
 * A process has one thread, so nothing runs in it between the two calls.
 */
static long madvise_dontneed(struct as *as, uintptr_t va, uintptr_t end)
{
	uintptr_t s, e, expect = va;
	unsigned prot;
	enum vma_kind kind;
	bool hole = false;
	int err;

	while (va < end && next_area(as, va, end, &s, &e, &prot, &kind)) {
		hole |= s != expect;
		err = as_unmap(as, s, e - s);
		if (!err)
			err = as_map(as, s, e - s, prot, kind);
		if (err)
			return err;
		va = expect = e;
	}
	/* Linux: -ENOMEM if part of the range was not mapped (the rest is done). */
	return hole || expect < end ? -ENOMEM : 0;
}

SYSCALL(233, madvise)
{
	uintptr_t addr = sc->arg[0];
	size_t len = sc->arg[1];
	long advice = (long)(int)sc->arg[2];

	if (!page_aligned(addr))
		return -EINVAL;
	/* 0..23 are the advice values Linux 6.1 knows, 5..7 excepted. */
	if (advice < 0 || advice > 23 || (advice >= 5 && advice <= 7))
		return -EINVAL;
	if (len > USER_TOP || addr > USER_TOP - PAGE_ALIGN_UP(len))
		return -EINVAL;
	if (!len)
		return 0;
	if (advice == MADV_DONTNEED)
		return madvise_dontneed(proc_as(sc->proc), addr, addr + PAGE_ALIGN_UP(len));
	/* Hints (NORMAL, WILLNEED, FREE, DONTFORK, HUGEPAGE, ...): nothing to do. */
	return 0;
}
