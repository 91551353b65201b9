// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of pipes (suite `pipe`), driving file_rw() with kernel
 * buffers and no process. Blocking futures are polled by hand with a
 * counting waker, so every wakeup is checked, or run through exec_block_on
 * with a helper task.
 */
#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/async/task.h"
#include "kernel/ipc/pipe.h"
#include "kernel/fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/ktest_io.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

KTEST(pipe, write_then_read_then_eof)
{
	struct file *r, *w;
	char buf[16];

	ASSERT(pipe_create(&r, &w, 0) == 0);
	EXPECT(ktest_rw_now(w, "hello", 5, true) == 5);
	EXPECT(ktest_rw_now(r, buf, 3, false) == 3); /* partial read */
	EXPECT(memcmp(buf, "hel", 3) == 0);
	EXPECT(ktest_rw_now(r, buf, sizeof(buf), false) == 2);
	EXPECT(memcmp(buf, "lo", 2) == 0);
	EXPECT(S_ISFIFO(r->inode->mode));
	EXPECT(r->inode == w->inode);
	file_put(w);
	EXPECT(ktest_rw_now(r, buf, sizeof(buf), false) == 0); /* EOF */
	file_put(r);
}

KTEST(pipe, epipe_when_no_reader)
{
	struct file *r, *w;

	ASSERT(pipe_create(&r, &w, 0) == 0);
	file_put(r);
	EXPECT(ktest_rw_now(w, "x", 1, true) == -EPIPE);
	file_put(w);
}

KTEST(pipe, nonblocking_and_atomic_writes)
{
	struct file *r, *w;
	static char big[70000];
	char buf[8];

	ASSERT(pipe_create(&r, &w, O_NONBLOCK) == 0);
	EXPECT(ktest_rw_now(r, buf, sizeof(buf), false) == -EAGAIN);
	memset(big, 'a', sizeof(big));
	long n = ktest_rw_now(w, big, sizeof(big), true); /* fills the ring, partial */

	EXPECT(n > 0 && n < (long)sizeof(big));
	EXPECT(n == 65536 || n == 4096 * (n / 4096));
	EXPECT(ktest_rw_now(w, "x", 1, true) == -EAGAIN);
	EXPECT(ktest_rw_now(r, big, 100, false) == 100);
	/* 100 bytes free: a 200-byte write (<= PIPE_BUF) is all or nothing. */
	EXPECT(ktest_rw_now(w, big, 200, true) == -EAGAIN);
	EXPECT(ktest_rw_now(w, big, 100, true) == 100);
	file_put(r);
	file_put(w);
}

KTEST(pipe, wraparound_keeps_bytes_in_order)
{
	struct file *r, *w;
	char *src = kmalloc(40000), *dst = kmalloc(40000);

	ASSERT(src && dst);
	ASSERT(pipe_create(&r, &w, O_NONBLOCK) == 0);
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 40000; i++)
			src[i] = (char)(i * 7 + round);
		ASSERT(ktest_rw_now(w, src, 40000, true) == 40000);
		long got = 0;

		while (got < 40000) {
			long k = ktest_rw_now(r, dst + got, 40000 - (size_t)got, false);

			ASSERT(k > 0);
			got += k;
		}
		EXPECT(memcmp(src, dst, 40000) == 0);
	}
	file_put(r);
	file_put(w);
	kfree(src);
	kfree(dst);
}

KTEST(pipe, blocked_read_is_woken_by_write)
{
	struct file *r, *w;
	struct future *pend;
	char buf[8];

	ASSERT(pipe_create(&r, &w, 0) == 0);
	ASSERT(ktest_rw(r, buf, sizeof(buf), false, &pend) == 0);
	ASSERT(pend);
	atomic_store(&ktest_wakes, 0);
	EXPECT(ktest_poll_once(pend) == POLL_PENDING);
	EXPECT(atomic_load(&ktest_wakes) == 0);
	EXPECT(ktest_rw_now(w, "ab", 2, true) == 2);
	EXPECT(atomic_load(&ktest_wakes) == 1);
	EXPECT(ktest_poll_once(pend) == POLL_READY);
	EXPECT(pend->result == 2);
	EXPECT(memcmp(buf, "ab", 2) == 0);
	ktest_finish(pend);
	/* EOF ktest_wakes a blocked reader too. */
	ASSERT(ktest_rw(r, buf, sizeof(buf), false, &pend) == 0);
	ASSERT(pend);
	EXPECT(ktest_poll_once(pend) == POLL_PENDING);
	file_put(w);
	EXPECT(atomic_load(&ktest_wakes) == 2);
	EXPECT(ktest_poll_once(pend) == POLL_READY);
	EXPECT(pend->result == 0);
	ktest_finish(pend);
	file_put(r);
}

KTEST(pipe, blocked_write_finishes_whole_buffer)
{
	struct file *r, *w;
	struct future *pend;
	char *src = kmalloc(100000), *dst = kmalloc(100000);
	long got = 0;

	ASSERT(src && dst);
	for (int i = 0; i < 100000; i++)
		src[i] = (char)(i * 13);
	ASSERT(pipe_create(&r, &w, 0) == 0);
	ASSERT(ktest_rw(w, src, 100000, true, &pend) == 0);
	ASSERT(pend); /* more than the ring: it must wait */
	while (ktest_poll_once(pend) == POLL_PENDING) {
		long k = ktest_rw_now(r, dst + got, 100000 - (size_t)got, false);

		ASSERT(k > 0);
		got += k;
	}
	EXPECT(pend->result == 100000);
	ktest_finish(pend);
	while (got < 100000) {
		long k = ktest_rw_now(r, dst + got, 100000 - (size_t)got, false);

		ASSERT(k > 0);
		got += k;
	}
	EXPECT(memcmp(src, dst, 100000) == 0);
	file_put(r);
	file_put(w);
	kfree(src);
	kfree(dst);
}

KTEST(pipe, dropped_read_leaves_no_waiter)
{
	struct file *r, *w;
	struct future *pend;
	char buf[8];
	size_t free_before = page_free_count();

	ASSERT(pipe_create(&r, &w, 0) == 0);
	ASSERT(ktest_rw(r, buf, sizeof(buf), false, &pend) == 0);
	ASSERT(pend);
	EXPECT(ktest_poll_once(pend) == POLL_PENDING);
	/* The process is killed while blocked: the userloop drops the future. */
	ktest_finish(pend);
	atomic_store(&ktest_wakes, 0);
	EXPECT(ktest_rw_now(w, "zz", 2, true) == 2); /* must not touch the freed future */
	EXPECT(atomic_load(&ktest_wakes) == 0);
	EXPECT(ktest_rw_now(r, buf, sizeof(buf), false) == 2);
	/* A blocked writer cancelled the same way. */
	static char big[70000];

	ASSERT(ktest_rw(w, big, sizeof(big), true, &pend) == 0);
	ASSERT(pend);
	EXPECT(ktest_poll_once(pend) == POLL_PENDING);
	ktest_finish(pend);
	file_put(r); /* ktest_wakes writers: nobody is left */
	file_put(w);
	page_drain_caches();
	EXPECT(page_free_count() >= free_before); /* the ring went back */
}

/* A task that closes a file, to end a blocked read from another task. */
struct closer {
	struct future base;
	struct file *f;
};

static enum poll closer_poll(struct future *fut, struct context *cx)
{
	struct closer *c = (struct closer *)fut;

	(void)cx;
	file_put(c->f);
	return POLL_READY;
}

static const struct future_ops closer_ops = { .name = "closer", .poll = closer_poll };

KTEST(pipe, block_on_read_ends_when_other_task_closes)
{
	struct file *r, *w;
	struct future *pend;
	static struct closer c;
	char buf[4];

	ASSERT(pipe_create(&r, &w, 0) == 0);
	ASSERT(ktest_rw(r, buf, sizeof(buf), false, &pend) == 0);
	ASSERT(pend);
	future_init(&c.base, &closer_ops);
	c.f = w;
	task_id_t id = task_spawn(&c.base, -1, "closer");

	ASSERT(id != TASK_ID_NONE);
	task_detach(id);
	exec_block_on(pend);
	EXPECT(pend->result == 0);
	ktest_finish(pend);
	file_put(r);
}

/* Throughput: 64 KiB writes and reads through one pipe, kernel buffers
 * (the memcpy path a user copy also takes). Under -icount shift=0 the
 * nanoseconds are instructions. */
KTEST(pipe, throughput)
{
	struct file *r, *w;
	char *buf = page_alloc_order(4);
	const int rounds = 64;

	ASSERT(buf);
	ASSERT(pipe_create(&r, &w, 0) == 0);
	uint64_t t0 = clock_now_ns();

	for (int i = 0; i < rounds; i++) {
		ASSERT(ktest_rw_now(w, buf, 65536, true) == 65536);
		ASSERT(ktest_rw_now(r, buf, 65536, false) == 65536);
	}
	uint64_t dt = clock_now_ns() - t0;

	kprintf("# pipe: %d x 64 KiB in %lu ns = %lu.%02lu ns/byte\n", rounds, (unsigned long)dt,
		(unsigned long)(dt / (rounds * 65536ul)),
		(unsigned long)(dt * 100 / (rounds * 65536ul) % 100));
	file_put(r);
	file_put(w);
	page_free_order(buf, 4);
}
