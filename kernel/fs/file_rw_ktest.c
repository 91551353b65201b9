// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the stream future (kernel/fs/file_rw.c, suite
 * `file_rw`): what a process blocked in a pipe read or write waits in. The
 * read and write come from a bare test process's memory (ktest_sys.h), as a
 * syscall's do, so they take the stream future; each poll is by hand with the
 * counting waker, so every wake, and every missing one, is seen.
 */
#include "kernel/fs/vfs.h"
#include "kernel/ipc/pipe.h"
#include "kernel/ktest.h"
#include "kernel/ktest_io.h"
#include "kernel/ktest_sys.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

/* read or write n bytes at KTEST_UBUF + off of p through file_rw. */
static long user_rw(struct proc *p, struct file *f, unsigned long off, size_t n, bool write,
		    struct future **pend)
{
	struct iovec iov = { .base = KTEST_UBUF + off, .len = n };
	struct uio u;

	uio_init_user(&u, proc_as(p), &iov, 1);
	return file_rw(p, f, &u, NULL, write, pend);
}

KTEST(file_rw, stream_read_sleeps_until_a_write_wakes_it)
{
	struct proc *p = ktest_proc();
	struct file *r, *w;
	struct future *pend = NULL;
	char got[8];

	ASSERT(p != NULL);
	ASSERT(pipe_create(&r, &w, 0) == 0);
	ASSERT(user_rw(p, r, 0, 8, false, &pend) == 0 && pend);
	EXPECT(strcmp(future_name(pend), "stream_read") == 0);
	atomic_store(&ktest_wakes, 0);
	EXPECT(ktest_poll_once(pend) == POLL_PENDING);
	/* Pending means asleep: nobody woke it, and polling it again (a
	 * spurious poll) neither finishes it nor wakes it. */
	EXPECT(atomic_load(&ktest_wakes) == 0);
	EXPECT(ktest_poll_once(pend) == POLL_PENDING);
	EXPECT(atomic_load(&ktest_wakes) == 0);
	/* A write wakes it exactly once; its next poll moves the bytes. */
	EXPECT(ktest_rw_now(w, "hello", 5, true) == 5);
	EXPECT(atomic_load(&ktest_wakes) == 1);
	EXPECT(ktest_poll_once(pend) == POLL_READY);
	EXPECT(pend->result == 5);
	EXPECT(copy_from_user(proc_as(p), got, KTEST_UBUF, 5) == 0 && memcmp(got, "hello", 5) == 0);
	ktest_finish(pend);
	/* End of file wakes a blocked reader too: 0. */
	ASSERT(user_rw(p, r, 0, 8, false, &pend) == 0 && pend);
	EXPECT(ktest_poll_once(pend) == POLL_PENDING);
	file_put(w);
	EXPECT(atomic_load(&ktest_wakes) == 2);
	EXPECT(ktest_poll_once(pend) == POLL_READY && pend->result == 0);
	ktest_finish(pend);
	file_put(r);
	ktest_proc_free(p);
}

KTEST(file_rw, stream_write_sleeps_while_the_pipe_is_full)
{
	struct proc *p = ktest_proc();
	struct file *r, *w;
	struct future *pend = NULL;
	static char drain[65536];
	long moved = 0, k;

	ASSERT(p != NULL);
	ASSERT(pipe_create(&r, &w, 0) == 0);
	/* Fill the ring from the kernel side, then block a process's write. */
	while ((k = ktest_rw_now(w, drain, sizeof(drain), true)) > 0)
		moved += k;
	ASSERT(moved > 0);
	ASSERT(user_rw(p, w, 0, 100, true, &pend) == 0 && pend);
	EXPECT(strcmp(future_name(pend), "stream_write") == 0);
	atomic_store(&ktest_wakes, 0);
	EXPECT(ktest_poll_once(pend) == POLL_PENDING);
	EXPECT(atomic_load(&ktest_wakes) == 0);
	/* Room appears: one wake, and the 100 bytes go in whole. */
	EXPECT(ktest_rw_now(r, drain, 4096, false) == 4096);
	EXPECT(atomic_load(&ktest_wakes) == 1);
	EXPECT(ktest_poll_once(pend) == POLL_READY && pend->result == 100);
	ktest_finish(pend);
	/* A blocked write dropped (its process killed) leaves no waiter. */
	while (ktest_rw_now(w, drain, sizeof(drain), true) > 0)
		;
	ASSERT(user_rw(p, w, 0, 100, true, &pend) == 0 && pend);
	EXPECT(ktest_poll_once(pend) == POLL_PENDING);
	ktest_finish(pend);
	atomic_store(&ktest_wakes, 0);
	EXPECT(ktest_rw_now(r, drain, 4096, false) == 4096);
	EXPECT(atomic_load(&ktest_wakes) == 0);
	file_put(r);
	file_put(w);
	ktest_proc_free(p);
}
