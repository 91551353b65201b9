// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the syscalls in kernel/syscall/sys_{misc,time,mem}.c
 * (suite `sysmisc`). Handlers are called through their SYSCALL descriptors,
 * for a bare process (proc_alloc + a fresh address space) that never runs;
 * blocking ones are polled here as the userloop would poll them.
 */
#include "kernel/arch.h"
#include "kernel/async/future.h"
#include "kernel/async/timer.h"
#include "kernel/ktest.h"
#include "kernel/mm/as.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

extern const struct syscall_desc __syscalls_start[], __syscalls_end[];

#define UBUF 0x400000UL /* 4 pages RW */
#define RW (AS_PROT_READ | AS_PROT_WRITE)

static struct proc *test_proc(void)
{
	struct proc *p = proc_alloc();

	if (!p)
		return NULL;
	p->as = as_create();
	if (!p->as || as_map(p->as, UBUF, 4 * PAGE_SIZE, RW, VMA_ANON)) {
		if (p->as)
			as_destroy(p->as);
		proc_put(p);
		return NULL;
	}
	return p;
}

static void test_proc_free(struct proc *p)
{
	as_destroy(p->as);
	proc_put(p);
}

/* Call syscall nr for p; *pending (if given) receives a blocking future. */
static long call(struct proc *p, unsigned nr, unsigned long a0, unsigned long a1,
		 unsigned long a2, unsigned long a3, struct future **pending)
{
	const unsigned long args[6] = { a0, a1, a2, a3, 0, 0 };
	struct sys_ctx sc = { .proc = p, .arg = args };

	for (const struct syscall_desc *d = __syscalls_start; d < __syscalls_end; d++) {
		if (d->nr != nr)
			continue;
		long r = d->fn(&sc);

		if (pending)
			*pending = sc.pending;
		else if (sc.pending) {
			future_drop(sc.pending);
			future_release(sc.pending);
		}
		return r;
	}
	return -ENOSYS;
}

#define SYS0(p, nr) call(p, nr, 0, 0, 0, 0, NULL)
#define SYS(p, nr, ...) call(p, nr, __VA_ARGS__, NULL)

/* Poll with a no-op waker until READY (the timer interrupt still fires the
 * entry); false after `limit_ns`. */
static bool poll_until_ready(struct future *f, uint64_t limit_ns)
{
	struct waker w = waker_noop();
	struct context cx = { .waker = &w };
	uint64_t start = clock_now_ns();

	while (future_poll(f, &cx) == POLL_PENDING) {
		if (clock_now_ns() - start > limit_ns)
			return false;
		arch_cpu_relax();
	}
	return true;
}

static void finish(struct future *f)
{
	future_drop(f);
	future_release(f);
}

KTEST(sysmisc, uname_ids_robust_list)
{
	struct proc *p = test_proc();
	char u[390];

	ASSERT(p != NULL);
	EXPECT(SYS(p, 160, UBUF, 0, 0, 0) == 0);
	EXPECT(copy_from_user(p->as, u, UBUF, sizeof(u)) == 0);
	EXPECT(strcmp(u, "Linux") == 0);
	EXPECT(strncmp(u + 2 * 65, "6.1.0", 5) == 0);
	EXPECT(strcmp(u + 4 * 65, "riscv64") == 0);
	EXPECT(SYS(p, 160, 0x1000, 0, 0, 0) == -EFAULT);
	EXPECT(SYS(p, 160, UBUF + 4 * PAGE_SIZE - 100, 0, 0, 0) == -EFAULT);
	for (unsigned nr = 174; nr <= 177; nr++)
		EXPECT(SYS0(p, nr) == 0);
	EXPECT(SYS(p, 99, UBUF, 24, 0, 0) == 0);
	EXPECT(SYS(p, 99, UBUF, 16, 0, 0) == -EINVAL);
	test_proc_free(p);
}

KTEST(sysmisc, getrandom)
{
	struct proc *p = test_proc();
	uint8_t a[64], b[64], zero[64] = { 0 };

	ASSERT(p != NULL);
	EXPECT(SYS(p, 278, UBUF, 64, 0, 0) == 64);
	EXPECT(SYS(p, 278, UBUF + 64, 64, 1 /* NONBLOCK */, 0) == 64);
	EXPECT(copy_from_user(p->as, a, UBUF, 64) == 0);
	EXPECT(copy_from_user(p->as, b, UBUF + 64, 64) == 0);
	EXPECT(memcmp(a, b, 64) != 0 && memcmp(a, zero, 64) != 0);
	EXPECT(SYS(p, 278, UBUF, 16, 2 /* RANDOM */, 0) == 16);
	EXPECT(SYS(p, 278, UBUF, 0, 0, 0) == 0);
	EXPECT(SYS(p, 278, UBUF, 16, 8, 0) == -EINVAL);
	EXPECT(SYS(p, 278, UBUF, 16, 4 | 2, 0) == -EINVAL);
	EXPECT(SYS(p, 278, 0x1000, 16, 0, 0) == -EFAULT);
	/* Running off the end of the mapping: the bytes that fit. */
	EXPECT(SYS(p, 278, UBUF + 4 * PAGE_SIZE - 300, 1000, 0, 0) == 256);
	EXPECT(SYS(p, 278, UBUF + 4 * PAGE_SIZE - 10, 1000, 0, 0) == -EFAULT);
	test_proc_free(p);
}

KTEST(sysmisc, prlimit64)
{
	struct proc *p = test_proc();
	uint64_t lim[2];
	const uint64_t inf = ~0ULL;

	ASSERT(p != NULL);
	EXPECT(SYS(p, 261, 0, 3 /* STACK */, 0, UBUF) == 0);
	EXPECT(copy_from_user(p->as, lim, UBUF, 16) == 0);
	EXPECT(lim[0] == 8UL << 20 && lim[1] == inf);
	EXPECT(SYS(p, 261, (unsigned long)p->pid, 7 /* NOFILE */, 0, UBUF) == 0);
	EXPECT(copy_from_user(p->as, lim, UBUF, 16) == 0);
	EXPECT(lim[0] == 1024);
	EXPECT(SYS(p, 261, 0, 9 /* AS */, 0, UBUF) == 0);
	EXPECT(copy_from_user(p->as, lim, UBUF, 16) == 0);
	EXPECT(lim[0] == inf && lim[1] == inf);
	EXPECT(SYS(p, 261, 0, 16, 0, UBUF) == -EINVAL);
	EXPECT(SYS(p, 261, (unsigned long)p->pid + 1, 3, 0, UBUF) == -ESRCH);
	EXPECT(SYS(p, 261, 0, 3, 0, 0x1000) == -EFAULT);
	/* Setting: checked, accepted. */
	lim[0] = 100;
	lim[1] = 50;
	EXPECT(copy_to_user(p->as, UBUF + 64, lim, 16) == 0);
	EXPECT(SYS(p, 261, 0, 3, UBUF + 64, 0) == -EINVAL);
	lim[1] = 200;
	EXPECT(copy_to_user(p->as, UBUF + 64, lim, 16) == 0);
	EXPECT(SYS(p, 261, 0, 3, UBUF + 64, UBUF) == 0);
	EXPECT(SYS(p, 261, 0, 3, 0x1000, 0) == -EFAULT);
	test_proc_free(p);
}

KTEST(sysmisc, clocks)
{
	struct proc *p = test_proc();
	int64_t ts[2], ts2[2], tv[2], tms[4];
	long ticks;

	ASSERT(p != NULL);
	EXPECT(SYS(p, 113, 1 /* MONOTONIC */, UBUF, 0, 0) == 0);
	EXPECT(SYS(p, 113, 0 /* REALTIME */, UBUF + 16, 0, 0) == 0);
	EXPECT(copy_from_user(p->as, ts, UBUF, 16) == 0);
	EXPECT(copy_from_user(p->as, ts2, UBUF + 16, 16) == 0);
	EXPECT(ts[1] >= 0 && ts[1] < 1000000000);
	EXPECT(ts2[0] > ts[0] || (ts2[0] == ts[0] && ts2[1] >= ts[1]));
	for (unsigned long id = 2; id <= 11; id++)
		EXPECT(id == 10 ? SYS(p, 113, id, UBUF, 0, 0) == -EINVAL
				: SYS(p, 113, id, UBUF, 0, 0) == 0);
	EXPECT(SYS(p, 113, (unsigned long)-6, UBUF, 0, 0) == -EINVAL);
	EXPECT(SYS(p, 113, 1, 0, 0, 0) == -EFAULT);
	EXPECT(SYS(p, 114, 1, UBUF, 0, 0) == 0);
	EXPECT(copy_from_user(p->as, ts, UBUF, 16) == 0);
	EXPECT(ts[0] == 0 && ts[1] == 1);
	EXPECT(SYS(p, 114, 1, 0, 0, 0) == 0);
	EXPECT(SYS(p, 114, 42, UBUF, 0, 0) == -EINVAL);

	EXPECT(SYS(p, 169, UBUF, UBUF + 16, 0, 0) == 0);
	EXPECT(copy_from_user(p->as, tv, UBUF, 16) == 0);
	EXPECT(tv[1] >= 0 && tv[1] < 1000000);
	EXPECT((uint64_t)tv[0] <= clock_now_ns() / 1000000000);
	EXPECT(SYS(p, 169, 0x1000, 0, 0, 0) == -EFAULT);

	ticks = SYS(p, 153, UBUF, 0, 0, 0);
	EXPECT(ticks > 0 && (uint64_t)ticks <= clock_now_ns() / 10000000);
	EXPECT(copy_from_user(p->as, tms, UBUF, 32) == 0);
	EXPECT(tms[0] >= 0 && tms[1] >= 0 && tms[2] >= 0 && tms[3] >= 0);
	EXPECT(SYS(p, 153, 0x1000, 0, 0, 0) == -EFAULT);
	EXPECT(SYS(p, 153, 0, 0, 0, 0) > 0);
	test_proc_free(p);
}

KTEST(sysmisc, nanosleep_blocks_and_drop_cancels)
{
	struct proc *p = test_proc();
	int64_t ts[2] = { 0, 20 * 1000 * 1000 };
	struct future *f = NULL;
	uint64_t t0;

	ASSERT(p != NULL);
	EXPECT(copy_to_user(p->as, UBUF, ts, 16) == 0);
	t0 = clock_now_ns();
	EXPECT(call(p, 101, UBUF, 0, 0, 0, &f) == 0);
	ASSERT(f != NULL);
	EXPECT(poll_until_ready(f, 2000000000ULL));
	EXPECT(clock_now_ns() - t0 >= 20000000ULL);
	EXPECT(f->result == 0);
	finish(f);

	/* Bad arguments: an error and no future. */
	ts[1] = 1000000000;
	EXPECT(copy_to_user(p->as, UBUF, ts, 16) == 0);
	f = NULL;
	EXPECT(call(p, 101, UBUF, 0, 0, 0, &f) == -EINVAL && f == NULL);
	ts[0] = -1;
	ts[1] = 0;
	EXPECT(copy_to_user(p->as, UBUF, ts, 16) == 0);
	EXPECT(call(p, 101, UBUF, 0, 0, 0, &f) == -EINVAL && f == NULL);
	EXPECT(call(p, 101, 0x1000, 0, 0, 0, &f) == -EFAULT && f == NULL);

	/* A long sleep, dropped while queued: its timer entry goes away. */
	struct waker w = waker_noop();
	struct context cx = { .waker = &w };
	unsigned before;

	ts[0] = 10;
	EXPECT(copy_to_user(p->as, UBUF, ts, 16) == 0);
	EXPECT(call(p, 101, UBUF, 0, 0, 0, &f) == 0 && f != NULL);
	irqflags_t fl = arch_irq_save(); /* stay on this hart's queue for the count */

	before = timerq_count(hart_id());
	EXPECT(future_poll(f, &cx) == POLL_PENDING);
	EXPECT(timerq_count(hart_id()) == before + 1);
	future_drop(f);
	EXPECT(timerq_count(hart_id()) == before);
	future_drop(f); /* twice is fine */
	arch_irq_restore(fl);
	future_release(f);
	test_proc_free(p);
}

KTEST(sysmisc, clock_nanosleep)
{
	struct proc *p = test_proc();
	int64_t ts[2];
	struct future *f = NULL;
	uint64_t now = clock_now_ns(), t0;

	ASSERT(p != NULL);
	/* Absolute, in the past: ready at the first poll. */
	ts[0] = (int64_t)(now / 1000000000);
	ts[1] = 0;
	EXPECT(copy_to_user(p->as, UBUF, ts, 16) == 0);
	EXPECT(call(p, 115, 1, 1 /* ABSTIME */, UBUF, 0, &f) == 0 && f);
	EXPECT(poll_until_ready(f, 0));
	finish(f);
	/* Absolute, 15 ms ahead. */
	t0 = clock_now_ns();
	now = t0 + 15000000;
	ts[0] = (int64_t)(now / 1000000000);
	ts[1] = (int64_t)(now % 1000000000);
	EXPECT(copy_to_user(p->as, UBUF, ts, 16) == 0);
	EXPECT(call(p, 115, 0, 1, UBUF, 0, &f) == 0 && f);
	EXPECT(poll_until_ready(f, 2000000000ULL));
	EXPECT(clock_now_ns() >= now);
	finish(f);
	/* Relative 5 ms on CLOCK_MONOTONIC. */
	ts[0] = 0;
	ts[1] = 5000000;
	EXPECT(copy_to_user(p->as, UBUF, ts, 16) == 0);
	t0 = clock_now_ns();
	EXPECT(call(p, 115, 1, 0, UBUF, 0, &f) == 0 && f);
	EXPECT(poll_until_ready(f, 2000000000ULL));
	EXPECT(clock_now_ns() - t0 >= 5000000);
	finish(f);
	f = NULL;
	EXPECT(call(p, 115, 3 /* THREAD_CPUTIME */, 0, UBUF, 0, &f) == -EINVAL && !f);
	EXPECT(call(p, 115, 77, 0, UBUF, 0, &f) == -EINVAL && !f);
	EXPECT(call(p, 115, 1, 0, 0x1000, 0, &f) == -EFAULT && !f);
	test_proc_free(p);
}

KTEST(sysmisc, sched_yield_pends_once)
{
	struct proc *p = test_proc();
	struct future *f = NULL;
	struct waker w = waker_noop();
	struct context cx = { .waker = &w };

	ASSERT(p != NULL);
	EXPECT(call(p, 124, 0, 0, 0, 0, &f) == 0);
	ASSERT(f != NULL);
	EXPECT(future_poll(f, &cx) == POLL_PENDING);
	EXPECT(future_poll(f, &cx) == POLL_READY);
	EXPECT(f->result == 0);
	finish(f);
	test_proc_free(p);
}

KTEST(sysmisc, brk)
{
	struct proc *p = test_proc();
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
	test_proc_free(p);
}

KTEST(sysmisc, mmap_munmap_mprotect)
{
	struct proc *p = test_proc();
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
	EXPECT(SYS(p, 222, 0, PAGE_SIZE, rw, 0x02) == -ENODEV);       /* a file */
	EXPECT(SYS(p, 222, 0, PAGE_SIZE, 8, anon) == -EINVAL);        /* prot */
	EXPECT(SYS(p, 222, 0x500001, PAGE_SIZE, rw, anon | 0x10) == -EINVAL);
	EXPECT(SYS(p, 222, 0, ~0UL - 5, rw, anon) == -ENOMEM);
	/* MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses. */
	EXPECT(SYS(p, 222, UBUF, PAGE_SIZE, rw, anon | 0x100000) == -EEXIST);
	EXPECT(SYS(p, 222, 0x600000, PAGE_SIZE, rw, anon | 0x100000) == 0x600000);
	EXPECT(copy_to_user(p->as, UBUF, "old", 4) == 0);
	EXPECT(SYS(p, 222, UBUF, PAGE_SIZE, AS_PROT_READ, anon | 0x10) == (long)UBUF);
	EXPECT(copy_to_user(p->as, UBUF, &c, 1) == -EFAULT); /* new, read-only */
	EXPECT(copy_from_user(p->as, &c, UBUF, 1) == 0 && c == 0);

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
	test_proc_free(p);
}

KTEST(sysmisc, madvise_dontneed_zeroes)
{
	struct proc *p = test_proc();
	char buf[8];

	ASSERT(p != NULL);
	EXPECT(copy_to_user(p->as, UBUF + 10, "data", 5) == 0);
	EXPECT(copy_to_user(p->as, UBUF + PAGE_SIZE + 10, "more", 5) == 0);
	EXPECT(SYS(p, 233, UBUF, PAGE_SIZE, 3 /* WILLNEED */, 0) == 0);
	EXPECT(copy_from_user(p->as, buf, UBUF + 10, 5) == 0 && strcmp(buf, "data") == 0);
	EXPECT(SYS(p, 233, UBUF, 100, 4 /* DONTNEED */, 0) == 0);
	EXPECT(copy_from_user(p->as, buf, UBUF + 10, 5) == 0 && buf[0] == 0);
	/* Only the page asked for; still writable. */
	EXPECT(copy_from_user(p->as, buf, UBUF + PAGE_SIZE + 10, 5) == 0 &&
	       strcmp(buf, "more") == 0);
	EXPECT(copy_to_user(p->as, UBUF + 10, "x", 2) == 0);
	/* A range with a hole: -ENOMEM, the mapped part still cleared. */
	EXPECT(SYS(p, 233, UBUF - PAGE_SIZE, 3 * PAGE_SIZE, 4, 0) == -ENOMEM);
	EXPECT(copy_from_user(p->as, buf, UBUF + PAGE_SIZE + 10, 5) == 0 && buf[0] == 0);
	EXPECT(SYS(p, 233, UBUF + 1, PAGE_SIZE, 4, 0) == -EINVAL);
	EXPECT(SYS(p, 233, UBUF, PAGE_SIZE, 6, 0) == -EINVAL);
	EXPECT(SYS(p, 233, UBUF, PAGE_SIZE, 99, 0) == -EINVAL);
	test_proc_free(p);
}
