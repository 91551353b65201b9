// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the console tty (suite `tty`): the line discipline fed
 * by hand, its output captured, readers driven with kernel buffers.
 */
#include "kernel/drivers/tty/tty.h"
#include "kernel/fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/arch.h"
#include "kernel/ktest_io.h"
#include "kernel/ktest_sys.h"
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

/* Linux's n_tty limit: a canonical line holds 4095 bytes and its end;
 * what is typed beyond is dropped, the newline still ends it. */
KTEST(tty, canonical_line_holds_4095_bytes)
{
	static char big[5000], out[5000];
	struct file *f = tty_open_test();

	ASSERT(f);
	memset(big, 'a', sizeof(big));
	tty_input(big, sizeof(big));
	tty_input("\n", 1);
	EXPECT(ktest_rw_now(f, out, sizeof(out), false) == 4096);
	EXPECT(out[4094] == 'a' && out[4095] == '\n');
	tty_done(f);
}

/* ^W erases the word before the cursor, ^V makes the next byte literal,
 * control characters echo as ^X, VEOL ends a line too. */
KTEST(tty, word_erase_literal_next_and_echoctl)
{
	struct file *f = tty_open_test();
	struct ktermios t;
	char buf[32];

	ASSERT(f);
	tty_input("one two\x17" "three\n", 14);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 10);
	EXPECT(memcmp(buf, "one three\n", 10) == 0);
	echo_len = 0;
	tty_input("a\x16\x03" "b\n", 5); /* a literal ^C: no SIGINT, data */
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 4);
	EXPECT(memcmp(buf, "a\x03" "b\n", 4) == 0);
	EXPECT(strcmp(echo_buf, "a^\b^Cb\r\n") == 0);
	ASSERT(f->ops->ioctl(f, NULL, TCGETS, (uintptr_t)&t) == 0);
	t.c_cc[11] = ';'; /* VEOL */
	ASSERT(f->ops->ioctl(f, NULL, TCSETS, (uintptr_t)&t) == 0);
	tty_input("x;y\n", 4);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 2 && memcmp(buf, "x;", 2) == 0);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 2 && memcmp(buf, "y\n", 2) == 0);
	tty_done(f);
}

/* Raw mode: VMIN waits for that many bytes; VMIN 0 and VTIME 0 never
 * waits; VMIN 0 with VTIME times out with 0 bytes. */
KTEST(tty, vmin_and_vtime)
{
	struct file *f = tty_open_test();
	struct ktermios t;
	struct future *r;
	char buf[16];

	ASSERT(f);
	ASSERT(f->ops->ioctl(f, NULL, TCGETS, (uintptr_t)&t) == 0);
	t.c_lflag &= ~(2u | 010u); /* ICANON, ECHO */
	t.c_cc[6] = 3;		   /* VMIN */
	t.c_cc[5] = 0;		   /* VTIME */
	ASSERT(f->ops->ioctl(f, NULL, TCSETS, (uintptr_t)&t) == 0);
	tty_input("ab", 2);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == -EINPROGRESS);
	tty_input("c", 1);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 3);
	t.c_cc[6] = 0;
	ASSERT(f->ops->ioctl(f, NULL, TCSETS, (uintptr_t)&t) == 0);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 0); /* nothing, at once */
	t.c_cc[5] = 1; /* 0.1 s */
	ASSERT(f->ops->ioctl(f, NULL, TCSETS, (uintptr_t)&t) == 0);
	uint64_t t0 = clock_now_ns();

	ASSERT(ktest_rw(f, buf, sizeof(buf), false, &r) == 0 && r);
	EXPECT(ktest_poll_until_ready(r, 2000000000ULL));
	EXPECT(r->result == 0);
	EXPECT(clock_now_ns() - t0 >= 100000000);
	ktest_finish(r);
	tty_done(f);
}

/* ^C is SIGINT for the foreground group only when a session has the
 * console; it echoes ^C and flushes what was typed. */
KTEST(tty, intr_flushes_and_echoes)
{
	struct file *f = tty_open_test();
	char buf[16];

	ASSERT(f);
	tty_input("typed\x03", 6);
	EXPECT(strcmp(echo_buf, "typed^C") == 0);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == -EINPROGRESS);
	tty_input("ok\n", 3);
	EXPECT(ktest_rw_now(f, buf, sizeof(buf), false) == 3 && memcmp(buf, "ok\n", 3) == 0);
	tty_done(f);
}
