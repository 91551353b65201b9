// SPDX-License-Identifier: MIT
/*
 * The fixture of tests/gdb/test_async_gdb.py (suite `gdbfixture`, run only
 * when named: `ktest=gdbfixture`). It spawns tasks with known names and
 * await chains, waits until every one of them is parked, then calls
 * ktest_gdb_checkpoint() where the GDB test breaks and runs `info tasks`:
 *   3 x "gdb_sleeper"  sleep[SLEEP_WAITING]
 *   2 x "gdb_waiter"   waitq_wait[WAITQ_WAITING]
 *   1 x "gdb_select"   select2 -> waitq_wait[WAITQ_WAITING]  (b: a sleep)
 *   1 x "gdb_nested"   count_wait[COUNT_WAIT_WAITING] -> waitq_wait[...]
 * Afterwards it cancels them all and checks they ended.
 */
#include "kernel/async/async_ktest.h"
#include "kernel/async/combinators.h"
#include "kernel/async/executor.h"
#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "kernel/async/waitq.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/errno.h"

#define NSLEEP 3
#define NWAIT 2
#define NTASKS (NSLEEP + NWAIT + 2)

static struct sleep_future sleepers[NSLEEP];
static struct waitq_wait_future waiters[NWAIT];
static struct waitq_wait_future sel_a;
static struct sleep_future sel_b;
static struct select2_future sel;
static struct count_wait_future nested;
static _Atomic uint32_t never;
static struct waitq fixture_wq;

KTEST(gdbfixture, tasks)
{
	unsigned n = exec_hart_count(), k = 0;
	task_id_t ids[NTASKS];
	struct task_stats st;
	bool parked = false;

	waitq_init(&fixture_wq);
	for (unsigned i = 0; i < NSLEEP; i++) {
		sleep_for_init(&sleepers[i], 3600ull * 1000000000ull);
		ids[k] = task_spawn(&sleepers[i].base, (int)(k % n), "gdb_sleeper");
		k++;
	}
	for (unsigned i = 0; i < NWAIT; i++) {
		waitq_wait_init(&waiters[i], &fixture_wq);
		ids[k] = task_spawn(&waiters[i].base, (int)(k % n), "gdb_waiter");
		k++;
	}
	waitq_wait_init(&sel_a, &fixture_wq);
	sleep_for_init(&sel_b, 3600ull * 1000000000ull);
	select2_init(&sel, &sel_a.base, &sel_b.base);
	ids[k] = task_spawn(&sel.base, (int)(k % n), "gdb_select");
	k++;
	count_wait_init(&nested, &never, 1, &fixture_wq);
	ids[k] = task_spawn(&nested.base, (int)(k % n), "gdb_nested");
	k++;
	for (unsigned i = 0; i < NTASKS; i++)
		ASSERT(ids[i] != TASK_ID_NONE);

	/* Wait until every task has been polled once and is parked. */
	for (int tries = 0; tries < 2000 && !parked; tries++) {
		parked = true;
		for (unsigned i = 0; i < NTASKS; i++)
			if (task_get_stats(ids[i], &st) || st.polls == 0 || st.state != 1 /* idle */)
				parked = false;
		if (!parked)
			ktest_sleep(MS(1));
	}
	ASSERT(parked);
	exec_dump_tasks();
	ktest_gdb_checkpoint(NTASKS);

	for (unsigned i = 0; i < NTASKS; i++) {
		struct task_join j;

		EXPECT(task_cancel(ids[i]) == 0);
		task_join_init(&j, ids[i]);
		EXPECT(ktest_block_on_timeout(&j.base, MS(2000)));
		EXPECT(j.base.result == -ECANCELED);
	}
}
