// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the console tty (suite `tty`): the line discipline fed
 * by hand, its output captured, readers driven with kernel buffers.
 */
#include "kernel/drivers/tty/tty.h"
#include "kernel/fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/ktest_io.h"
#include "lib/errno.h"
#include "lib/string.h"

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
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == -EINPROGRESS); /* nothing yet */
	tty_input("ab\x7f" "c", 4);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == -EINPROGRESS); /* no Enter yet */
	tty_input("\r", 1);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 3);
	EXPECT(memcmp(buf, "ac\n", 3) == 0);
	EXPECT(strcmp(echo_buf, "ab\b \bc\r\n") == 0); /* ONLCR */
	tty_input("xyz\x15ok\n", 7);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 3);
	EXPECT(memcmp(buf, "ok\n", 3) == 0);
	/* Two lines typed ahead come out one per read. */
	tty_input("one\ntwo\n", 8);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 4);
	EXPECT(ktest_rw_now(f, buf, 2, false) == 2); /* short buffer: rest stays */
	EXPECT(ktest_rw_now(f, buf + 2, sizeof(buf), false) == 2);
	EXPECT(memcmp(buf, "two\n", 4) == 0);
	tty_done(f);
}

KTEST(tty, ctrl_d_is_eof_at_line_start)
{
	struct file *f = tty_open_test();
	char buf[32];

	ASSERT(f);
	tty_input("\x04", 1);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 0);
	tty_input("abc\x04", 4);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 3);
	EXPECT(memcmp(buf, "abc", 3) == 0);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == -EINPROGRESS);
	tty_done(f);
}

KTEST(tty, blocked_reader_woken_one_line_per_reader)
{
	struct file *f = tty_open_test();
	struct future *a, *b;
	char ba[16], bb[16];

	ASSERT(f);
	ASSERT(ktest_rw(f, ba, sizeof(ba), false, &a) == 0 && a);
	ASSERT(ktest_rw(f, bb, sizeof(bb), false, &b) == 0 && b);
	atomic_store(&ktest_wakes, 0);
	EXPECT(ktest_poll_once(a) == POLL_PENDING);
	EXPECT(ktest_poll_once(b) == POLL_PENDING);
	tty_input("L1\n", 3);
	EXPECT(atomic_load(&ktest_wakes) == 2);
	EXPECT(ktest_poll_once(a) == POLL_READY);
	EXPECT(a->result == 3 && memcmp(ba, "L1\n", 3) == 0);
	EXPECT(ktest_poll_once(b) == POLL_PENDING); /* the line went to a */
	tty_input("L2\n", 3);
	EXPECT(ktest_poll_once(b) == POLL_READY);
	EXPECT(b->result == 3 && memcmp(bb, "L2\n", 3) == 0);
	ktest_finish(a);
	ktest_finish(b);
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
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 1); /* raw: no Enter needed */
	EXPECT(buf[0] == 'q');
	EXPECT(echo_len == 0); /* ECHO off */
	tty_done(f);
}

KTEST(tty, writes_reach_the_output)
{
	struct file *f = tty_open_test();

	ASSERT(f);
	EXPECT(ktest_rw_now(f, "hi there", 8, true) == 8);
	EXPECT(strcmp(echo_buf, "hi there") == 0);
	tty_done(f);
}
