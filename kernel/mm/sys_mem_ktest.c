// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of brk, mmap, munmap, mprotect, madvise (suite `sysmem`).
 * Handlers are called through their SYSCALL descriptors (ktest_sys.h);
 * blocking ones are polled here as the userloop would poll them.
 */
#include "kernel/arch.h"
#include "kernel/async/future.h"
#include "kernel/async/timer.h"
#include "kernel/ktest.h"
#include "kernel/ktest_sys.h"
#include "kernel/mm/as.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

KTEST(sysmem, brk)
{
	struct proc *p = ktest_proc();
	const uintptr_t base = 0x800000;
	char c = 'z';

	ASSERT(p != NULL);
	as_brk_init(p->as, base);
	EXPECT(SYS(p, 214, 0, 0, 0, 0) == (long)base);
	EXPECT(SYS(p, 214, base + 5000, 0, 0, 0) == (long)(base + 5000));
	EXPECT(copy_to_user(p->as, base + 4999, &c, 1) == 0);
	EXPECT(SYS(p, 214, base + 100, 0, 0, 0) == (long)(base + 100));
	EXPECT(copy_to_user(p->as, base + PAGE_SIZE, &c, 1) == -EFAULT);
	/* Below the start, or into the mapped buffer: unchanged. */
	EXPECT(SYS(p, 214, base - 1, 0, 0, 0) == (long)(base + 100));
	ktest_proc_free(p);
}

KTEST(sysmem, mmap_munmap_mprotect)
{
	struct proc *p = ktest_proc();
	const unsigned long anon = 0x20 | 0x02, rw = 3;
	char c = 'm';
	long a;

	ASSERT(p != NULL);
	a = SYS(p, 222, 0, 3 * PAGE_SIZE, rw, anon);
	EXPECT(a > 0 && (a & (PAGE_SIZE - 1)) == 0);
	EXPECT(copy_to_user(p->as, (uintptr_t)a + 2 * PAGE_SIZE + 5, &c, 1) == 0);
	/* Shared anonymous is accepted too. */
	EXPECT(SYS(p, 222, 0, PAGE_SIZE, rw, 0x20 | 0x01) > 0);

	EXPECT(SYS(p, 222, 0, 0, rw, anon) == -EINVAL);
	EXPECT(SYS(p, 222, 0, PAGE_SIZE, rw, 0x20) == -EINVAL);       /* no type */
	/* A file: fd 0 is not open in a bare process (EBADF, as Linux); a file
	 * without an mmap op would be -ENODEV. */
	EXPECT(SYS(p, 222, 0, PAGE_SIZE, rw, 0x02) == -EBADF);
	EXPECT(SYS(p, 222, 0, PAGE_SIZE, 8, anon) == -EINVAL);        /* prot */
	EXPECT(SYS(p, 222, 0x500001, PAGE_SIZE, rw, anon | 0x10) == -EINVAL);
	EXPECT(SYS(p, 222, 0, ~0UL - 5, rw, anon) == -ENOMEM);
	/* MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses. */
	EXPECT(SYS(p, 222, KTEST_UBUF, PAGE_SIZE, rw, anon | 0x100000) == -EEXIST);
	EXPECT(SYS(p, 222, 0x600000, PAGE_SIZE, rw, anon | 0x100000) == 0x600000);
	EXPECT(copy_to_user(p->as, KTEST_UBUF, "old", 4) == 0);
	EXPECT(SYS(p, 222, KTEST_UBUF, PAGE_SIZE, AS_PROT_READ, anon | 0x10) == (long)KTEST_UBUF);
	EXPECT(copy_to_user(p->as, KTEST_UBUF, &c, 1) == -EFAULT); /* new, read-only */
	EXPECT(copy_from_user(p->as, &c, KTEST_UBUF, 1) == 0 && c == 0);

	/* mprotect */
	EXPECT(SYS(p, 226, (unsigned long)a, PAGE_SIZE, AS_PROT_READ, 0) == 0);
	EXPECT(copy_to_user(p->as, (uintptr_t)a, &c, 1) == -EFAULT);
	EXPECT(copy_to_user(p->as, (uintptr_t)a + PAGE_SIZE, &c, 1) == 0);
	EXPECT(SYS(p, 226, (unsigned long)a + 1, PAGE_SIZE, 1, 0) == -EINVAL);
	EXPECT(SYS(p, 226, (unsigned long)a, PAGE_SIZE, 0x10, 0) == -EINVAL);
	EXPECT(SYS(p, 226, 0x10000000, PAGE_SIZE, 1, 0) == -ENOMEM);
	EXPECT(SYS(p, 226, (unsigned long)a, 0, 1, 0) == 0);

	/* munmap */
	EXPECT(SYS(p, 215, (unsigned long)a, 3 * PAGE_SIZE, 0, 0) == 0);
	EXPECT(copy_to_user(p->as, (uintptr_t)a + PAGE_SIZE, &c, 1) == -EFAULT);
	EXPECT(SYS(p, 215, (unsigned long)a + 1, PAGE_SIZE, 0, 0) == -EINVAL);
	EXPECT(SYS(p, 215, (unsigned long)a, 0, 0, 0) == -EINVAL);
	ktest_proc_free(p);
}

KTEST(sysmem, madvise_dontneed_zeroes)
{
	struct proc *p = ktest_proc();
	char buf[8];

	ASSERT(p != NULL);
	EXPECT(copy_to_user(p->as, KTEST_UBUF + 10, "data", 5) == 0);
	EXPECT(copy_to_user(p->as, KTEST_UBUF + PAGE_SIZE + 10, "more", 5) == 0);
	EXPECT(SYS(p, 233, KTEST_UBUF, PAGE_SIZE, 3 /* WILLNEED */, 0) == 0);
	EXPECT(copy_from_user(p->as, buf, KTEST_UBUF + 10, 5) == 0 && strcmp(buf, "data") == 0);
	EXPECT(SYS(p, 233, KTEST_UBUF, 100, 4 /* DONTNEED */, 0) == 0);
	EXPECT(copy_from_user(p->as, buf, KTEST_UBUF + 10, 5) == 0 && buf[0] == 0);
	/* Only the page asked for; still writable. */
	EXPECT(copy_from_user(p->as, buf, KTEST_UBUF + PAGE_SIZE + 10, 5) == 0 &&
	       strcmp(buf, "more") == 0);
	EXPECT(copy_to_user(p->as, KTEST_UBUF + 10, "x", 2) == 0);
	/* A range with a hole: -ENOMEM, the mapped part still cleared. */
	EXPECT(SYS(p, 233, KTEST_UBUF - PAGE_SIZE, 3 * PAGE_SIZE, 4, 0) == -ENOMEM);
	EXPECT(copy_from_user(p->as, buf, KTEST_UBUF + PAGE_SIZE + 10, 5) == 0 && buf[0] == 0);
	EXPECT(SYS(p, 233, KTEST_UBUF + 1, PAGE_SIZE, 4, 0) == -EINVAL);
	EXPECT(SYS(p, 233, KTEST_UBUF, PAGE_SIZE, 6, 0) == -EINVAL);
	EXPECT(SYS(p, 233, KTEST_UBUF, PAGE_SIZE, 99, 0) == -EINVAL);
	ktest_proc_free(p);
}
