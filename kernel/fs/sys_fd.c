// SPDX-License-Identifier: MIT
/* Syscalls on file descriptors: dup, dup3, fcntl, ioctl. */
#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

SYSCALL(23, dup)
{
	struct fdtable *t = proc_files(sc->proc);
	struct file *f = fdtable_get(t, (int)sc->arg[0]);
	int fd;

	if (!f)
		return -EBADF;
	fd = fdtable_install(t, f, 0, 0);
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL(24, dup3)
{
	struct fdtable *t = proc_files(sc->proc);
	int oldfd = (int)sc->arg[0], newfd = (int)sc->arg[1];
	unsigned flags = (unsigned)sc->arg[2];

	if (!t)
		return -EBADF;
	if (flags & ~(unsigned)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return fdtable_dup3(t, oldfd, newfd, flags);
}

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1

SYSCALL(25, fcntl)
{
	struct fdtable *t = proc_files(sc->proc);
	int fd = (int)sc->arg[0];
	unsigned cmd = (unsigned)sc->arg[1];
	unsigned long arg = sc->arg[2];
	struct file *f = fdtable_get(t, fd);
	long r;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= fd_limit()) {
			r = -EINVAL;
			break;
		}
		r = fdtable_install(t, file_get(f), (int)arg, cmd == F_DUPFD ? 0 : O_CLOEXEC);
		if (r < 0)
			file_put(f);
		break;
	case F_GETFD:
		r = fdtable_get_cloexec(t, fd);
		break;
	case F_SETFD:
		r = fdtable_set_cloexec(t, fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		r = (long)(f->flags | O_LARGEFILE);
		break;
	case F_SETFL:
		f->flags = (f->flags & ~(unsigned)(O_APPEND | O_NONBLOCK)) |
			   ((unsigned)arg & (O_APPEND | O_NONBLOCK));
		r = 0;
		break;
	default:
		r = -EINVAL;
		break;
	}
	file_put(f);
	return r;
}

SYSCALL(29, ioctl)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	long r;

	if (!f)
		return -EBADF;
	r = f->ops && f->ops->ioctl ? f->ops->ioctl(f, sc->proc, (unsigned)sc->arg[1], sc->arg[2])
				    : -ENOTTY;
	file_put(f);
	return r;
}
