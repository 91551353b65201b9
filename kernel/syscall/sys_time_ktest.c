// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the clock syscalls and sleeps (suite `systime`).
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
#include "kernel/time/clock.h"
#include "lib/errno.h"
#include "lib/string.h"

KTEST(systime, clocks)
{
	struct proc *p = ktest_proc();
	int64_t ts[2], ts2[2], tv[2], tms[4];
	long ticks;

	ASSERT(p != NULL);
	EXPECT(SYS(p, 113, 1 /* MONOTONIC */, KTEST_UBUF, 0, 0) == 0);
	EXPECT(SYS(p, 113, 0 /* REALTIME */, KTEST_UBUF + 16, 0, 0) == 0);
	EXPECT(copy_from_user(p->as, ts, KTEST_UBUF, 16) == 0);
	EXPECT(copy_from_user(p->as, ts2, KTEST_UBUF + 16, 16) == 0);
	EXPECT(ts[1] >= 0 && ts[1] < 1000000000);
	EXPECT(ts2[0] > ts[0] || (ts2[0] == ts[0] && ts2[1] >= ts[1]));
	for (unsigned long id = 2; id <= 11; id++)
		EXPECT(id == 10 ? SYS(p, 113, id, KTEST_UBUF, 0, 0) == -EINVAL
				: SYS(p, 113, id, KTEST_UBUF, 0, 0) == 0);
	EXPECT(SYS(p, 113, (unsigned long)-6, KTEST_UBUF, 0, 0) == 0);	/* our CPU clock */
	EXPECT(SYS(p, 113, (unsigned long)-5, KTEST_UBUF, 0, 0) == -EINVAL);	/* kind 3 */
	EXPECT(SYS(p, 113, (unsigned long)(-30001L * 8 + 2) /* (~30000 << 3) | 2: pid 30000 */, KTEST_UBUF, 0, 0) == -EINVAL);
	EXPECT(SYS(p, 113, 1, 0, 0, 0) == -EFAULT);
	EXPECT(SYS(p, 114, 1, KTEST_UBUF, 0, 0) == 0);
	EXPECT(copy_from_user(p->as, ts, KTEST_UBUF, 16) == 0);
	EXPECT(ts[0] == 0 && ts[1] == 1);
	EXPECT(SYS(p, 114, 1, 0, 0, 0) == 0);
	EXPECT(SYS(p, 114, 42, KTEST_UBUF, 0, 0) == -EINVAL);

	EXPECT(SYS(p, 169, KTEST_UBUF, KTEST_UBUF + 16, 0, 0) == 0);
	EXPECT(copy_from_user(p->as, tv, KTEST_UBUF, 16) == 0);
	EXPECT(tv[1] >= 0 && tv[1] < 1000000);
	EXPECT((uint64_t)tv[0] <= clock_realtime_ns() / 1000000000);	/* the wall clock */
	EXPECT(SYS(p, 169, 0x1000, 0, 0, 0) == -EFAULT);

	ticks = SYS(p, 153, KTEST_UBUF, 0, 0, 0);
	EXPECT(ticks > 0 && (uint64_t)ticks <= clock_now_ns() / 10000000);
	EXPECT(copy_from_user(p->as, tms, KTEST_UBUF, 32) == 0);
	EXPECT(tms[0] >= 0 && tms[1] >= 0 && tms[2] >= 0 && tms[3] >= 0);
	EXPECT(SYS(p, 153, 0x1000, 0, 0, 0) == -EFAULT);
	EXPECT(SYS(p, 153, 0, 0, 0, 0) > 0);
	ktest_proc_free(p);
}

KTEST(systime, nanosleep_blocks_and_drop_cancels)
{
	struct proc *p = ktest_proc();
	int64_t ts[2] = { 0, 20 * 1000 * 1000 };
	struct future *f = NULL;
	uint64_t t0;

	ASSERT(p != NULL);
	EXPECT(copy_to_user(p->as, KTEST_UBUF, ts, 16) == 0);
	t0 = clock_now_ns();
	EXPECT(ktest_syscall(p, 101, KTEST_UBUF, 0, 0, 0, &f) == 0);
	ASSERT(f != NULL);
	EXPECT(ktest_poll_until_ready(f, 2000000000ULL));
	EXPECT(clock_now_ns() - t0 >= 20000000ULL);
	EXPECT(f->result == 0);
	ktest_future_finish(f);

	/* Bad arguments: an error and no future. */
	ts[1] = 1000000000;
	EXPECT(copy_to_user(p->as, KTEST_UBUF, ts, 16) == 0);
	f = NULL;
	EXPECT(ktest_syscall(p, 101, KTEST_UBUF, 0, 0, 0, &f) == -EINVAL && f == NULL);
	ts[0] = -1;
	ts[1] = 0;
	EXPECT(copy_to_user(p->as, KTEST_UBUF, ts, 16) == 0);
	EXPECT(ktest_syscall(p, 101, KTEST_UBUF, 0, 0, 0, &f) == -EINVAL && f == NULL);
	EXPECT(ktest_syscall(p, 101, 0x1000, 0, 0, 0, &f) == -EFAULT && f == NULL);

	/* A long sleep, dropped while queued: its timer entry goes away. */
	struct waker w = waker_noop();
	struct context cx = { .waker = &w };
	unsigned before;

	ts[0] = 10;
	EXPECT(copy_to_user(p->as, KTEST_UBUF, ts, 16) == 0);
	EXPECT(ktest_syscall(p, 101, KTEST_UBUF, 0, 0, 0, &f) == 0 && f != NULL);
	irqflags_t fl = arch_irq_save(); /* stay on this hart's queue for the count */

	before = timerq_count(hart_id());
	EXPECT(future_poll(f, &cx) == POLL_PENDING);
	EXPECT(timerq_count(hart_id()) == before + 1);
	future_drop(f);
	EXPECT(timerq_count(hart_id()) == before);
	future_drop(f); /* twice is fine */
	arch_irq_restore(fl);
	future_release(f);
	ktest_proc_free(p);
}

KTEST(systime, clock_nanosleep)
{
	struct proc *p = ktest_proc();
	int64_t ts[2];
	struct future *f = NULL;
	uint64_t now = clock_now_ns(), t0;

	ASSERT(p != NULL);
	/* Absolute, in the past: ready at the first poll. */
	ts[0] = (int64_t)(now / 1000000000);
	ts[1] = 0;
	EXPECT(copy_to_user(p->as, KTEST_UBUF, ts, 16) == 0);
	EXPECT(ktest_syscall(p, 115, 1, 1 /* ABSTIME */, KTEST_UBUF, 0, &f) == 0 && f);
	EXPECT(ktest_poll_until_ready(f, 0));
	ktest_future_finish(f);
	/* Absolute on CLOCK_REALTIME (the wall clock), 15 ms ahead. */
	t0 = clock_now_ns();
	now = clock_realtime_ns() + 15000000;
	ts[0] = (int64_t)(now / 1000000000);
	ts[1] = (int64_t)(now % 1000000000);
	EXPECT(copy_to_user(p->as, KTEST_UBUF, ts, 16) == 0);
	EXPECT(ktest_syscall(p, 115, 0, 1, KTEST_UBUF, 0, &f) == 0 && f);
	EXPECT(ktest_poll_until_ready(f, 2000000000ULL));
	EXPECT(clock_realtime_ns() >= now);
	EXPECT(clock_now_ns() - t0 >= 15000000);
	ktest_future_finish(f);
	/* Relative 5 ms on CLOCK_MONOTONIC. */
	ts[0] = 0;
	ts[1] = 5000000;
	EXPECT(copy_to_user(p->as, KTEST_UBUF, ts, 16) == 0);
	t0 = clock_now_ns();
	EXPECT(ktest_syscall(p, 115, 1, 0, KTEST_UBUF, 0, &f) == 0 && f);
	EXPECT(ktest_poll_until_ready(f, 2000000000ULL));
	EXPECT(clock_now_ns() - t0 >= 5000000);
	ktest_future_finish(f);
	f = NULL;
	EXPECT(ktest_syscall(p, 115, 3 /* THREAD_CPUTIME */, 0, KTEST_UBUF, 0, &f) == -EINVAL && !f);
	EXPECT(ktest_syscall(p, 115, 77, 0, KTEST_UBUF, 0, &f) == -EINVAL && !f);
	EXPECT(ktest_syscall(p, 115, 1, 0, 0x1000, 0, &f) == -EFAULT && !f);
	ktest_proc_free(p);
}
