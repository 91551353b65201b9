// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of uname, the ids, the robust list, getrandom, prlimit64
 * and sched_yield (suite `sysinfo`).
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

KTEST(sysinfo, uname_ids_robust_list)
{
	struct proc *p = ktest_proc();
	char u[390];

	ASSERT(p != NULL);
	EXPECT(SYS(p, 160, KTEST_UBUF, 0, 0, 0) == 0);
	EXPECT(copy_from_user(p->as, u, KTEST_UBUF, sizeof(u)) == 0);
	EXPECT(strcmp(u, "Linux") == 0);
	EXPECT(strncmp(u + 2 * 65, "6.1.0", 5) == 0);
	EXPECT(strcmp(u + 4 * 65, "riscv64") == 0);
	EXPECT(SYS(p, 160, 0x1000, 0, 0, 0) == -EFAULT);
	EXPECT(SYS(p, 160, KTEST_UBUF + 4 * PAGE_SIZE - 100, 0, 0, 0) == -EFAULT);
	for (unsigned nr = 174; nr <= 177; nr++)
		EXPECT(SYS0(p, nr) == 0);
	EXPECT(SYS(p, 99, KTEST_UBUF, 24, 0, 0) == 0);
	EXPECT(SYS(p, 99, KTEST_UBUF, 16, 0, 0) == -EINVAL);
	ktest_proc_free(p);
}

KTEST(sysinfo, getrandom)
{
	struct proc *p = ktest_proc();
	uint8_t a[64], b[64], zero[64] = { 0 };

	ASSERT(p != NULL);
	EXPECT(SYS(p, 278, KTEST_UBUF, 64, 0, 0) == 64);
	EXPECT(SYS(p, 278, KTEST_UBUF + 64, 64, 1 /* NONBLOCK */, 0) == 64);
	EXPECT(copy_from_user(p->as, a, KTEST_UBUF, 64) == 0);
	EXPECT(copy_from_user(p->as, b, KTEST_UBUF + 64, 64) == 0);
	EXPECT(memcmp(a, b, 64) != 0 && memcmp(a, zero, 64) != 0);
	EXPECT(SYS(p, 278, KTEST_UBUF, 16, 2 /* RANDOM */, 0) == 16);
	EXPECT(SYS(p, 278, KTEST_UBUF, 0, 0, 0) == 0);
	EXPECT(SYS(p, 278, KTEST_UBUF, 16, 8, 0) == -EINVAL);
	EXPECT(SYS(p, 278, KTEST_UBUF, 16, 4 | 2, 0) == -EINVAL);
	EXPECT(SYS(p, 278, 0x1000, 16, 0, 0) == -EFAULT);
	/* Running off the end of the mapping: the bytes that fit. */
	EXPECT(SYS(p, 278, KTEST_UBUF + 4 * PAGE_SIZE - 300, 1000, 0, 0) == 256);
	EXPECT(SYS(p, 278, KTEST_UBUF + 4 * PAGE_SIZE - 10, 1000, 0, 0) == -EFAULT);
	ktest_proc_free(p);
}

KTEST(sysinfo, prlimit64)
{
	struct proc *p = ktest_proc();
	uint64_t lim[2];
	const uint64_t inf = ~0ULL;

	ASSERT(p != NULL);
	EXPECT(SYS(p, 261, 0, 3 /* STACK */, 0, KTEST_UBUF) == 0);
	EXPECT(copy_from_user(p->as, lim, KTEST_UBUF, 16) == 0);
	EXPECT(lim[0] == 8UL << 20 && lim[1] == inf);
	EXPECT(SYS(p, 261, (unsigned long)p->pid, 7 /* NOFILE */, 0, KTEST_UBUF) == 0);
	EXPECT(copy_from_user(p->as, lim, KTEST_UBUF, 16) == 0);
	EXPECT(lim[0] == 1024);
	EXPECT(SYS(p, 261, 0, 9 /* AS */, 0, KTEST_UBUF) == 0);
	EXPECT(copy_from_user(p->as, lim, KTEST_UBUF, 16) == 0);
	EXPECT(lim[0] == inf && lim[1] == inf);
	EXPECT(SYS(p, 261, 0, 16, 0, KTEST_UBUF) == -EINVAL);
	EXPECT(SYS(p, 261, (unsigned long)p->pid + 1, 3, 0, KTEST_UBUF) == -ESRCH);
	EXPECT(SYS(p, 261, 0, 3, 0, 0x1000) == -EFAULT);
	/* Setting: checked, accepted. */
	lim[0] = 100;
	lim[1] = 50;
	EXPECT(copy_to_user(p->as, KTEST_UBUF + 64, lim, 16) == 0);
	EXPECT(SYS(p, 261, 0, 3, KTEST_UBUF + 64, 0) == -EINVAL);
	lim[1] = 200;
	EXPECT(copy_to_user(p->as, KTEST_UBUF + 64, lim, 16) == 0);
	EXPECT(SYS(p, 261, 0, 3, KTEST_UBUF + 64, KTEST_UBUF) == 0);
	EXPECT(SYS(p, 261, 0, 3, 0x1000, 0) == -EFAULT);
	ktest_proc_free(p);
}

KTEST(sysinfo, sched_yield_pends_once)
{
	struct proc *p = ktest_proc();
	struct future *f = NULL;
	struct waker w = waker_noop();
	struct context cx = { .waker = &w };

	ASSERT(p != NULL);
	EXPECT(ktest_syscall(p, 124, 0, 0, 0, 0, &f) == 0);
	ASSERT(f != NULL);
	EXPECT(future_poll(f, &cx) == POLL_PENDING);
	EXPECT(future_poll(f, &cx) == POLL_READY);
	EXPECT(f->result == 0);
	ktest_future_finish(f);
	ktest_proc_free(p);
}
