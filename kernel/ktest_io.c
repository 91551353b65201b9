// SPDX-License-Identifier: MIT
/* Helpers for in-kernel tests that drive files; see ktest_io.h. */
#include "kernel/ktest_io.h"

#include "kernel/fs/vfs.h"
#include "lib/errno.h"

atomic_uint ktest_wakes;

static struct waker cw_clone(const struct waker *w)
{
	return *w;
}

static void cw_wake(struct waker *w)
{
	(void)w;
	atomic_fetch_add(&ktest_wakes, 1);
}

static void cw_wake_by_ref(const struct waker *w)
{
	(void)w;
	atomic_fetch_add(&ktest_wakes, 1);
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

enum poll ktest_poll_once(struct future *f)
{
	struct waker w = { .ops = &count_ops, .data = 1 };
	struct context cx = { .waker = &w };

	return future_poll(f, &cx);
}

void ktest_finish(struct future *f)
{
	future_drop(f);
	future_release(f);
}

/* One read or write through file_rw on a kernel buffer. */
long ktest_rw(struct file *f, void *buf, size_t n, bool write, struct future **pend)
{
	struct iovec iov;
	struct uio u;

	uio_init_kernel(&u, &iov, buf, n);
	return file_rw(NULL, f, &u, NULL, write, pend);
}

long ktest_rw_now(struct file *f, void *buf, size_t n, bool write)
{
	struct future *pend;
	long r = ktest_rw(f, buf, n, write, &pend);

	if (pend) {
		ktest_finish(pend);
		return -EINPROGRESS;
	}
	return r;
}
