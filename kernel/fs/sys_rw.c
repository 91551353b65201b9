// SPDX-License-Identifier: MIT
/*
 * Read and write syscalls: read, write, readv, writev, pread64, pwrite64,
 * lseek. Arguments are checked here as Linux checks them; the moving of
 * bytes, and the waiting, is file_rw() (file_rw.c).
 */
#include "kernel/block/blkdev.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

/* Linux's MAX_RW_COUNT: one call moves at most this much. */
#define MAX_RW_COUNT (0x7fffffffUL & ~(PAGE_SIZE - 1))

static bool user_range_ok(uintptr_t a, size_t n)
{
	return a < USER_TOP && n <= USER_TOP - a;
}

static long do_rw(struct sys_ctx *sc, struct file *f, struct uio *u, struct iovec *owned,
		  bool write)
{
	long r = file_rw(sc->proc, f, u, owned, write, &sc->pending);

	file_put(f);
	return r;
}

static long rw1(struct sys_ctx *sc, bool write)
{
	int fd = (int)sc->arg[0];
	uintptr_t buf = sc->arg[1];
	size_t n = sc->arg[2];
	struct file *f = fd_get(sc->proc, fd);
	struct iovec iov;
	struct uio u;

	if (!f)
		return -EBADF;
	if (write ? !file_writable(f) : !file_readable(f)) {
		file_put(f);
		return -EBADF;
	}
	if (!n) {
		file_put(f);
		return 0;
	}
	if (!user_range_ok(buf, n)) {
		file_put(f);
		return -EFAULT;
	}
	if (n > MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	iov.base = buf;
	iov.len = n;
	uio_init_user(&u, proc_as(sc->proc), &iov, 1);
	return do_rw(sc, f, &u, NULL, write);
}

SYSCALL_ASYNC(63, read)
{
	return rw1(sc, false);
}

SYSCALL_ASYNC(64, write)
{
	return rw1(sc, true);
}

/* Copy and check a user iovec array; *out is kmalloc'd (at most 16 KiB). */
static long get_iov(struct sys_ctx *sc, uintptr_t uiov, unsigned long cnt, struct iovec **out)
{
	struct iovec *v;
	size_t total = 0;
	int err;

	*out = NULL;
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (!cnt)
		return 0;
	v = kmalloc(cnt * sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = copy_from_user(proc_as(sc->proc), v, uiov, cnt * sizeof(*v));
	if (err) {
		kfree(v);
		return err;
	}
	for (unsigned long i = 0; i < cnt; i++) {
		if ((long)v[i].len < 0) {
			kfree(v);
			return -EINVAL;
		}
		if (v[i].len && !user_range_ok(v[i].base, v[i].len)) {
			kfree(v);
			return -EFAULT;
		}
		/* Clamp the total as Linux does: later segments shrink. */
		if (v[i].len > MAX_RW_COUNT - total)
			v[i].len = MAX_RW_COUNT - total;
		total += v[i].len;
	}
	*out = v;
	return (long)total;
}

static long rwv(struct sys_ctx *sc, bool write)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	struct iovec *v;
	struct uio u;
	long total;

	if (!f)
		return -EBADF;
	if (write ? !file_writable(f) : !file_readable(f)) {
		file_put(f);
		return -EBADF;
	}
	total = get_iov(sc, sc->arg[1], sc->arg[2], &v);
	if (total <= 0) {
		kfree(v); /* segments all empty: the array was made */
		file_put(f);
		return total;
	}
	uio_init_user(&u, proc_as(sc->proc), v, (unsigned)sc->arg[2]);
	return do_rw(sc, f, &u, v, write);
}

SYSCALL_ASYNC(65, readv)
{
	return rwv(sc, false);
}

SYSCALL_ASYNC(66, writev)
{
	return rwv(sc, true);
}

/* pread64/pwrite64: seekable files only (streams: -ESPIPE); they wait only
 * for the disk, at their own offset. */
static long prw(struct sys_ctx *sc, bool write)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	uintptr_t buf = sc->arg[1];
	size_t n = sc->arg[2];
	uint64_t pos = sc->arg[3];
	struct iovec iov;
	struct uio u;
	long r;

	if (!f)
		return -EBADF;
	if (write ? !file_writable(f) : !file_readable(f))
		r = -EBADF;
	else if (!f->ops->seekable)
		r = -ESPIPE;
	else if ((int64_t)pos < 0)
		r = -EINVAL;
	else if (!n)
		r = 0;
	else if (!user_range_ok(buf, n))
		r = -EFAULT;
	else if (!(write ? f->ops->write : f->ops->read))
		r = -EINVAL;
	else {
		if (n > MAX_RW_COUNT)
			n = MAX_RW_COUNT;
		iov.base = buf;
		iov.len = n;
		uio_init_user(&u, proc_as(sc->proc), &iov, 1);
		/* O_APPEND with pwrite appends (as Linux). */
		r = file_rw_at(sc->proc, f, &u, NULL, write, pos, &sc->pending);
	}
	file_put(f);
	return r;
}

SYSCALL_ASYNC(67, pread64)
{
	return prw(sc, false);
}

SYSCALL_ASYNC(68, pwrite64)
{
	return prw(sc, true);
}

SYSCALL(62, lseek)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	int64_t off = (int64_t)sc->arg[1];
	unsigned whence = (unsigned)sc->arg[2];
	int64_t base;
	long r;

	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->seekable) {
		r = -ESPIPE;
		goto out;
	}
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		/* A block device's size is the device's, not its node's. */
		base = (int64_t)(blkdev_of_file(f) ? blkdev_file_size(f) : f->inode->size);
		break;
	default:
		r = -EINVAL;
		goto out;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0) {
		r = off > 0 ? -EOVERFLOW : -EINVAL;
		goto out;
	}
	f->pos = (uint64_t)(base + off);
	r = (long)f->pos;
out:
	file_put(f);
	return r;
}
