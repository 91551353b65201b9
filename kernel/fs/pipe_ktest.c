// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of pipes and the console tty (suites `pipe` and `tty`),
 * driving file_rw() with kernel buffers and no process. Blocking futures
 * are polled by hand with a counting waker, so every wakeup is checked, or
 * run through exec_block_on with a helper task.
 */
#include <stdatomic.h>

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/async/task.h"
#include "kernel/fs/pipe.h"
#include "kernel/fs/tty.h"
#include "kernel/fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

static atomic_uint wakes;

static struct waker cw_clone(const struct waker *w)
{
	return *w;
}

static void cw_wake(struct waker *w)
{
	(void)w;
	atomic_fetch_add(&wakes, 1);
}

static void cw_wake_by_ref(const struct waker *w)
{
	(void)w;
	atomic_fetch_add(&wakes, 1);
}

static void cw_drop(struct waker *w)
{
	(void)w;
}

static const struct waker_ops count_ops = {
	.clone = cw_clone,
	.wake = cw_wake,
	.wake_by_ref = cw_wake_by_ref,
	.drop = cw_drop,
};

static enum poll poll_once(struct future *f)
{
	struct waker w = { .ops = &count_ops, .data = 1 };
	struct context cx = { .waker = &w };

	return future_poll(f, &cx);
}

static void finish(struct future *f)
{
	future_drop(f);
	future_release(f);
}

/* One read or write through file_rw on a kernel buffer. */
static long rw(struct file *f, void *buf, size_t n, bool write, struct future **pend)
{
	struct iovec iov;
	struct uio u;

	uio_init_kernel(&u, &iov, buf, n);
	return file_rw(NULL, f, &u, NULL, write, pend);
}

static long rw_now(struct file *f, void *buf, size_t n, bool write)
{
	struct future *pend;
	long r = rw(f, buf, n, write, &pend);

	if (pend) {
		finish(pend);
		return -EINPROGRESS;
	}
	return r;
}

KTEST(pipe, write_then_read_then_eof)
{
	struct file *r, *w;
	char buf[16];

	ASSERT(pipe_create(&r, &w, 0) == 0);
	EXPECT(rw_now(w, "hello", 5, true) == 5);
	EXPECT(rw_now(r, buf, 3, false) == 3); /* partial read */
	EXPECT(memcmp(buf, "hel", 3) == 0);
	EXPECT(rw_now(r, buf, sizeof(buf), false) == 2);
	EXPECT(memcmp(buf, "lo", 2) == 0);
	EXPECT(S_ISFIFO(r->inode->mode));
	EXPECT(r->inode == w->inode);
	file_put(w);
	EXPECT(rw_now(r, buf, sizeof(buf), false) == 0); /* EOF */
	file_put(r);
}

KTEST(pipe, epipe_when_no_reader)
{
	struct file *r, *w;

	ASSERT(pipe_create(&r, &w, 0) == 0);
	file_put(r);
	EXPECT(rw_now(w, "x", 1, true) == -EPIPE);
	file_put(w);
}

KTEST(pipe, nonblocking_and_atomic_writes)
{
	struct file *r, *w;
	static char big[70000];
	char buf[8];

	ASSERT(pipe_create(&r, &w, O_NONBLOCK) == 0);
	EXPECT(rw_now(r, buf, sizeof(buf), false) == -EAGAIN);
	memset(big, 'a', sizeof(big));
	long n = rw_now(w, big, sizeof(big), true); /* fills the ring, partial */

	EXPECT(n > 0 && n < (long)sizeof(big));
	EXPECT(n == 65536 || n == 4096 * (n / 4096));
	EXPECT(rw_now(w, "x", 1, true) == -EAGAIN);
	EXPECT(rw_now(r, big, 100, false) == 100);
	/* 100 bytes free: a 200-byte write (<= PIPE_BUF) is all or nothing. */
	EXPECT(rw_now(w, big, 200, true) == -EAGAIN);
	EXPECT(rw_now(w, big, 100, true) == 100);
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
		ASSERT(rw_now(w, src, 40000, true) == 40000);
		long got = 0;

		while (got < 40000) {
			long k = rw_now(r, dst + got, 40000 - (size_t)got, false);

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
	ASSERT(rw(r, buf, sizeof(buf), false, &pend) == 0);
	ASSERT(pend);
	atomic_store(&wakes, 0);
	EXPECT(poll_once(pend) == POLL_PENDING);
	EXPECT(atomic_load(&wakes) == 0);
	EXPECT(rw_now(w, "ab", 2, true) == 2);
	EXPECT(atomic_load(&wakes) == 1);
	EXPECT(poll_once(pend) == POLL_READY);
	EXPECT(pend->result == 2);
	EXPECT(memcmp(buf, "ab", 2) == 0);
	finish(pend);
	/* EOF wakes a blocked reader too. */
	ASSERT(rw(r, buf, sizeof(buf), false, &pend) == 0);
	ASSERT(pend);
	EXPECT(poll_once(pend) == POLL_PENDING);
	file_put(w);
	EXPECT(atomic_load(&wakes) == 2);
	EXPECT(poll_once(pend) == POLL_READY);
	EXPECT(pend->result == 0);
	finish(pend);
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
	ASSERT(rw(w, src, 100000, true, &pend) == 0);
	ASSERT(pend); /* more than the ring: it must wait */
	while (poll_once(pend) == POLL_PENDING) {
		long k = rw_now(r, dst + got, 100000 - (size_t)got, false);

		ASSERT(k > 0);
		got += k;
	}
	EXPECT(pend->result == 100000);
	finish(pend);
	while (got < 100000) {
		long k = rw_now(r, dst + got, 100000 - (size_t)got, false);

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
	ASSERT(rw(r, buf, sizeof(buf), false, &pend) == 0);
	ASSERT(pend);
	EXPECT(poll_once(pend) == POLL_PENDING);
	/* The process is killed while blocked: the userloop drops the future. */
	finish(pend);
	atomic_store(&wakes, 0);
	EXPECT(rw_now(w, "zz", 2, true) == 2); /* must not touch the freed future */
	EXPECT(atomic_load(&wakes) == 0);
	EXPECT(rw_now(r, buf, sizeof(buf), false) == 2);
	/* A blocked writer cancelled the same way. */
	static char big[70000];

	ASSERT(rw(w, big, sizeof(big), true, &pend) == 0);
	ASSERT(pend);
	EXPECT(poll_once(pend) == POLL_PENDING);
	finish(pend);
	file_put(r); /* wakes writers: nobody is left */
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
	ASSERT(rw(r, buf, sizeof(buf), false, &pend) == 0);
	ASSERT(pend);
	future_init(&c.base, &closer_ops);
	c.f = w;
	task_id_t id = task_spawn(&c.base, -1, "closer");

	ASSERT(id != TASK_ID_NONE);
	task_detach(id);
	exec_block_on(pend);
	EXPECT(pend->result == 0);
	finish(pend);
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
		ASSERT(rw_now(w, buf, 65536, true) == 65536);
		ASSERT(rw_now(r, buf, 65536, false) == 65536);
	}
	uint64_t dt = clock_now_ns() - t0;

	kprintf("# pipe: %d x 64 KiB in %lu ns = %lu.%02lu ns/byte\n", rounds, (unsigned long)dt,
		(unsigned long)(dt / (rounds * 65536ul)),
		(unsigned long)(dt * 100 / (rounds * 65536ul) % 100));
	file_put(r);
	file_put(w);
	page_free_order(buf, 4);
}

/* ---- tty ------------------------------------------------------------------- */

static char echo_buf[256];
static size_t echo_len;

static void capture(const char *s, size_t n)
{
	while (n-- && echo_len < sizeof(echo_buf) - 1)
		echo_buf[echo_len++] = *s++;
	echo_buf[echo_len] = '\0';
}

static struct file *tty_open_test(void)
{
	static struct inode ino;
	struct file *f;

	inode_init(&ino, NULL, S_IFCHR | 0666, NULL, &tty_fops);
	atomic_store(&ino.ref, 1000); /* static: never evicted */
	tty_set_output(capture);
	tty_reset();
	echo_len = 0;
	echo_buf[0] = '\0';
	if (file_open_inode(&ino, O_RDWR, &f))
		return NULL;
	return f;
}

static void tty_done(struct file *f)
{
	file_put(f);
	tty_reset();
	tty_set_output(NULL);
}

KTEST(tty, canonical_line_with_erase_and_kill)
{
	struct file *f = tty_open_test();
	char buf[32];

	ASSERT(f);
	EXPECT(rw_now(f, buf, sizeof(buf), false) == -EINPROGRESS); /* nothing yet */
	tty_input("ab\x7f" "c", 4);
	EXPECT(rw_now(f, buf, sizeof(buf), false) == -EINPROGRESS); /* no Enter yet */
	tty_input("\r", 1);
	EXPECT(rw_now(f, buf, sizeof(buf), false) == 3);
	EXPECT(memcmp(buf, "ac\n", 3) == 0);
	EXPECT(strcmp(echo_buf, "ab\b \bc\n") == 0);
	tty_input("xyz\x15ok\n", 7);
	EXPECT(rw_now(f, buf, sizeof(buf), false) == 3);
	EXPECT(memcmp(buf, "ok\n", 3) == 0);
	/* Two lines typed ahead come out one per read. */
	tty_input("one\ntwo\n", 8);
	EXPECT(rw_now(f, buf, sizeof(buf), false) == 4);
	EXPECT(rw_now(f, buf, 2, false) == 2); /* short buffer: rest stays */
	EXPECT(rw_now(f, buf + 2, sizeof(buf), false) == 2);
	EXPECT(memcmp(buf, "two\n", 4) == 0);
	tty_done(f);
}

KTEST(tty, ctrl_d_is_eof_at_line_start)
{
	struct file *f = tty_open_test();
	char buf[32];

	ASSERT(f);
	tty_input("\x04", 1);
	EXPECT(rw_now(f, buf, sizeof(buf), false) == 0);
	tty_input("abc\x04", 4);
	EXPECT(rw_now(f, buf, sizeof(buf), false) == 3);
	EXPECT(memcmp(buf, "abc", 3) == 0);
	EXPECT(rw_now(f, buf, sizeof(buf), false) == -EINPROGRESS);
	tty_done(f);
}

KTEST(tty, blocked_reader_woken_one_line_per_reader)
{
	struct file *f = tty_open_test();
	struct future *a, *b;
	char ba[16], bb[16];

	ASSERT(f);
	ASSERT(rw(f, ba, sizeof(ba), false, &a) == 0 && a);
	ASSERT(rw(f, bb, sizeof(bb), false, &b) == 0 && b);
	atomic_store(&wakes, 0);
	EXPECT(poll_once(a) == POLL_PENDING);
	EXPECT(poll_once(b) == POLL_PENDING);
	tty_input("L1\n", 3);
	EXPECT(atomic_load(&wakes) == 2);
	EXPECT(poll_once(a) == POLL_READY);
	EXPECT(a->result == 3 && memcmp(ba, "L1\n", 3) == 0);
	EXPECT(poll_once(b) == POLL_PENDING); /* the line went to a */
	tty_input("L2\n", 3);
	EXPECT(poll_once(b) == POLL_READY);
	EXPECT(b->result == 3 && memcmp(bb, "L2\n", 3) == 0);
	finish(a);
	finish(b);
	tty_done(f);
}

KTEST(tty, ioctls_and_raw_mode)
{
	struct file *f = tty_open_test();
	struct ktermios t;
	uint16_t ws[4];
	char buf[8];

	ASSERT(f);
	ASSERT(f->ops->ioctl(f, NULL, TCGETS, (uintptr_t)&t) == 0);
	EXPECT(t.c_lflag & 2 /* ICANON */);
	EXPECT(t.c_lflag & 010 /* ECHO */);
	EXPECT(t.c_cc[4] == 4 /* VEOF = ^D */);
	ASSERT(f->ops->ioctl(f, NULL, TIOCGWINSZ, (uintptr_t)ws) == 0);
	EXPECT(ws[0] == 24 && ws[1] == 80);
	EXPECT(f->ops->ioctl(f, NULL, 0x1234, 0) == -ENOTTY);
	t.c_lflag &= ~(2u | 010u);
	ASSERT(f->ops->ioctl(f, NULL, TCSETS, (uintptr_t)&t) == 0);
	tty_input("q", 1);
	EXPECT(rw_now(f, buf, sizeof(buf), false) == 1); /* raw: no Enter needed */
	EXPECT(buf[0] == 'q');
	EXPECT(echo_len == 0); /* ECHO off */
	tty_done(f);
}

KTEST(tty, writes_reach_the_output)
{
	struct file *f = tty_open_test();

	ASSERT(f);
	EXPECT(rw_now(f, "hi there", 8, true) == 8);
	EXPECT(strcmp(echo_buf, "hi there") == 0);
	tty_done(f);
}
