// SPDX-License-Identifier: MIT
/* Helpers for in-kernel tests that drive files; see ktest_io.h. */
#include "kernel/ktest_io.h"

#include "kernel/fs/ramfs/ramfs.h"
#include "kernel/fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"

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

void ktest_fresh_root(void)
{
	struct inode *r = ramfs_create_fs();

	vfs_set_root(r);
	inode_put(r);
}

int ktest_lookup_err(const char *path, unsigned flags)
{
	struct inode *ino;
	int err = vfs_lookup(NULL, NULL, path, flags, &ino);

	if (!err)
		inode_put(ino);
	return err;
}

uint64_t ktest_ino_of(const char *path, unsigned flags)
{
	struct inode *ino;
	uint64_t n;

	if (vfs_lookup(NULL, NULL, path, flags, &ino))
		return 0;
	n = ino->ino;
	inode_put(ino);
	return n;
}

int ktest_mkfile(const char *path, const char *data)
{
	struct file *f;
	struct future *pend;
	struct iovec iov;
	struct uio u;
	int err = vfs_open(NULL, NULL, path, O_CREAT | O_WRONLY | O_TRUNC, 0644, &f);

	if (err)
		return err;
	uio_init_kernel(&u, &iov, (void *)data, strlen(data));
	long r = file_rw(NULL, f, &u, NULL, true, &pend);

	file_put(f);
	return r < 0 ? (int)r : 0;
}

long ktest_readall(const char *path, char *buf, size_t n)
{
	struct file *f;
	long r;
	int err = vfs_open_kernel(NULL, path, O_RDONLY, &f);

	if (err)
		return err;
	r = file_read_kernel(f, buf, n, 0);
	file_put(f);
	return r;
}
