// SPDX-License-Identifier: MIT
/*
 * Memory syscalls: brk, mmap, munmap, mprotect, madvise, msync, mremap,
 * mincore, the mlock family. Argument checking follows Linux; the
 * address-space work is kernel/mm/as*.c. A file mapping maps the file's
 * page cache (kernel/mm/pcache.h); MAP_SHARED | MAP_ANONYMOUS maps an
 * unnamed memory-only file (shmem.c), so it stays shared across fork. A
 * file with an mmap op of its own (io_uring's rings) maps itself.
 */
#include "kernel/async/future.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/sync.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/shmem.h"
#include "kernel/mm/uaccess.h"
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

/* /dev/zero (char 1:5): a private mapping of it is anonymous memory (Linux). */
static bool is_dev_zero(const struct inode *ino)
{
	return S_ISCHR(ino->mode) && ino->rdev == MKDEV(1, 5);
}

/*
 * MAP_POPULATE: fault the pages in now, as far as that needs no wait (a
 * file page not yet read stays for its first touch); a hint only.
 */
static void populate(struct as *as, uintptr_t addr, size_t len, unsigned prot)
{
	unsigned access = (prot & PROT_WRITE) ? AS_PROT_WRITE : AS_PROT_READ;

	if (!(prot & (PROT_READ | PROT_WRITE)))
		return;
	for (uintptr_t a = addr; a < addr + len; a += PAGE_SIZE)
		if (as_handle_fault(as, a, access) == -EIOWAIT) {
			struct future *f = vfs_take_io_wait();

			if (f) {
				future_drop(f);
				future_release(f);
			}
			break;
		}
}

/* A file mapping: the fd must be readable, and writable for a shared
 * writable one (EACCES otherwise, as Linux); only files with a page cache
 * map (ENODEV). */
static long mmap_file(struct sys_ctx *sc, uintptr_t addr, size_t len, unsigned prot,
		      unsigned asflags, bool shared, uint64_t off)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[4]);
	long r;

	if (!f)
		return -EBADF;
	if (f->ops && f->ops->mmap) {
		r = f->ops->mmap(f, sc->proc, addr, len, prot, asflags, off);
		file_put(f);
		return r;
	}
	if (!shared && is_dev_zero(f->inode)) {
		file_put(f);
		return as_mmap(proc_as(sc->proc), addr, len, prot, asflags);
	}
	if (!file_readable(f) ||
	    (shared && (prot & PROT_WRITE) && !file_writable(f)))
		r = -EACCES;
	else if (!S_ISREG(f->inode->mode) || !f->inode->pcache)
		r = -ENODEV;
	else
		r = as_mmap_file(proc_as(sc->proc), addr, len, prot, asflags | AS_MAP_TRACKED, f,
				 off >> PAGE_SHIFT, shared);
	file_put(f);
	return r;
}

/* mmap(addr, len, prot, flags, fd, offset) */
SYSCALL(222, mmap)
{
	uintptr_t addr = sc->arg[0];
	size_t len = sc->arg[1];
	unsigned long prot = sc->arg[2], flags = sc->arg[3], off = sc->arg[5];
	unsigned asflags = 0;
	bool shared;
	long r;

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
	shared = (flags & MAP_TYPE) != MAP_PRIVATE;
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
	/* Returns the address or -ENOMEM / -EEXIST / -EINVAL (as_mmap*). */
	if (!(flags & MAP_ANONYMOUS)) {
		r = mmap_file(sc, addr, len, (unsigned)prot, asflags, shared, off);
	} else if (shared) {
		struct file *f;

		r = shmem_file_create(PAGE_ALIGN_UP(len), &f);
		if (!r) {
			r = as_mmap_file(proc_as(sc->proc), addr, len, (unsigned)prot, asflags, f, 0,
					 true);
			file_put(f);
		}
	} else {
		r = as_mmap(proc_as(sc->proc), addr, len, (unsigned)prot,
			    asflags | ((flags & MAP_GROWSDOWN) ? AS_MAP_GROWSDOWN : 0));
	}
	if (r >= 0 && (flags & MAP_POPULATE))
		populate(proc_as(sc->proc), (uintptr_t)r, PAGE_ALIGN_UP(len), (unsigned)prot);
	return r;
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

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4
#define MSYNC_FILES 8

/* msync(addr, len, flags): a shared mapping's stores go to its file's page
 * cache; MS_SYNC waits until the file systems concerned are written back. */
SYSCALL_ASYNC(227, msync)
{
	uintptr_t addr = sc->arg[0];
	size_t len = sc->arg[1];
	unsigned long flags = sc->arg[2];
	struct file *files[MSYNC_FILES];
	struct inode *roots[MSYNC_FILES];
	unsigned n = 0, nroots = 0;
	long r;

	if (!page_aligned(addr) || (flags & ~(unsigned long)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (len > USER_TOP || addr > USER_TOP - PAGE_ALIGN_UP(len))
		return -ENOMEM;
	if (!len)
		return 0;
	r = as_msync_collect(proc_as(sc->proc), addr, len, files, MSYNC_FILES, &n);
	for (unsigned i = 0; i < n; i++) {
		struct superblock *sb = files[i]->inode->sb;
		bool dup = false;

		for (unsigned k = 0; k < nroots; k++)
			dup |= roots[k]->sb == sb;
		if (!r && (flags & MS_SYNC) && !dup && fs_has_sync(sb))
			roots[nroots++] = inode_get(files[i]->inode);
		file_put(files[i]);
	}
	if (r || !nroots) {
		for (unsigned k = 0; k < nroots; k++)
			inode_put(roots[k]);
		return r;
	}
	/* The sync of those file systems (pages first, then their metadata). */
	return fs_sync_start(sc, roots, nroots, false);
}

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

/* mremap(old, old_len, new_len, flags, new_addr) */
SYSCALL(216, mremap)
{
	uintptr_t old = sc->arg[0], new_addr = sc->arg[4];
	size_t old_len = sc->arg[1], new_len = sc->arg[2];
	unsigned long flags = sc->arg[3];

	if (!page_aligned(old) || (flags & ~(unsigned long)(MREMAP_MAYMOVE | MREMAP_FIXED |
							   MREMAP_DONTUNMAP)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL; /* not supported (Linux 5.7 only takes private anonymous) */
	if ((flags & MREMAP_FIXED) && !page_aligned(new_addr))
		return -EINVAL;
	if (!new_len || !old_len)
		return -EINVAL; /* old_len 0 duplicates a shared mapping on Linux: not here */
	if (new_len > USER_TOP || old_len > USER_TOP || old > USER_TOP - PAGE_ALIGN_UP(old_len))
		return -EINVAL;
	return as_mremap(proc_as(sc->proc), old, old_len, new_len,
			 ((flags & MREMAP_MAYMOVE) ? AS_REMAP_MAYMOVE : 0) |
				 ((flags & MREMAP_FIXED) ? AS_REMAP_FIXED : 0),
			 new_addr);
}

/* mincore(addr, len, vec): one byte per page, 1 when resident. */
SYSCALL(232, mincore)
{
	uintptr_t addr = sc->arg[0], uvec = sc->arg[2];
	size_t len = sc->arg[1], pages;
	uint8_t *vec;
	long r;

	if (!page_aligned(addr))
		return -EINVAL;
	if (len > USER_TOP || addr > USER_TOP - PAGE_ALIGN_UP(len))
		return -ENOMEM;
	pages = PAGE_ALIGN_UP(len) >> PAGE_SHIFT;
	if (!pages)
		return 0;
	/* In pieces of at most a page of bytes (4096 pages, as Linux). */
	vec = kmalloc(PAGE_SIZE);
	if (!vec)
		return -ENOMEM;
	r = 0;
	for (size_t done = 0; done < pages && !r;) {
		size_t k = pages - done < PAGE_SIZE ? pages - done : PAGE_SIZE;

		r = as_mincore(proc_as(sc->proc), addr + done * PAGE_SIZE, k * PAGE_SIZE, vec);
		if (!r)
			r = copy_to_user(proc_as(sc->proc), uvec + done, vec, k);
		done += k;
	}
	kfree(vec);
	return r;
}

/* The mlock family: nothing is ever paged out, so locking is the range
 * check alone (-ENOMEM for a range not mapped, as Linux). */
static long lock_range(struct sys_ctx *sc, uintptr_t addr, size_t len)
{
	uintptr_t s = PAGE_ALIGN_DOWN(addr);
	uint8_t one;

	if (len > USER_TOP || addr > USER_TOP - len)
		return -ENOMEM;
	len = PAGE_ALIGN_UP(addr + len) - s;
	for (uintptr_t a = s; a < s + len; a += PAGE_SIZE)
		if (as_mincore(proc_as(sc->proc), a, PAGE_SIZE, &one))
			return -ENOMEM;
	return 0;
}

SYSCALL(228, mlock)
{
	return lock_range(sc, sc->arg[0], sc->arg[1]);
}

SYSCALL(229, munlock)
{
	return lock_range(sc, sc->arg[0], sc->arg[1]);
}

#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

SYSCALL(230, mlockall)
{
	unsigned long flags = sc->arg[0];

	if (!flags || (flags & ~(unsigned long)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	return 0;
}

SYSCALL(231, munlockall)
{
	(void)sc;
	return 0;
}

#define MLOCK_ONFAULT 1

SYSCALL(284, mlock2)
{
	if (sc->arg[2] & ~(unsigned long)MLOCK_ONFAULT)
		return -EINVAL;
	return lock_range(sc, sc->arg[0], sc->arg[1]);
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
		return as_discard(proc_as(sc->proc), addr, len);
	/* Hints (NORMAL, WILLNEED, FREE, DONTFORK, HUGEPAGE, ...): nothing to do. */
	return 0;
}
