// SPDX-License-Identifier: MIT
/*
 * Syscalls on names: openat, newfstatat, getcwd, chdir, fchdir, getdents64,
 * mkdirat, mknodat, unlinkat, readlinkat, faccessat(2), symlinkat, linkat,
 * renameat2, truncate.
 *
 * Every handler here is restartable: it only reads its arguments (user
 * memory included) and calls the VFS. If an op parks an I/O future and
 * returns -EIOWAIT (a disk file system's cache miss; vfs.h), fs_call()
 * hands the userloop a future that awaits the I/O and runs the handler
 * again from the start.
 */
#include "kernel/async/future.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/sys_fs_util.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- restart after an I/O wait --------------------------------------------- */

struct restart_future {
	struct future base;
	struct sys_ctx sc;	/* a copy of the call's arguments */
	sys_fn fn;
	struct future *io;	/* the I/O being awaited (owned), or NULL */
	struct future *then;	/* the future a rerun handed back (owned), or NULL */
	bool io_waited;		/* polled io returned PENDING (or we yielded) once */
};

static void drop_owned(struct future **f)
{
	if (*f) {
		future_drop(*f);
		future_release(*f);
		*f = NULL;
	}
}

static void restart_drop(struct future *fut)
{
	struct restart_future *r = (struct restart_future *)fut;

	drop_owned(&r->io);
	drop_owned(&r->then);
	fut->awaiting = NULL;
}

static enum poll restart_poll(struct future *fut, struct context *cx)
{
	struct restart_future *r = (struct restart_future *)fut;

	while (r->io) {
		if (future_poll(r->io, cx) == POLL_PENDING) {
			r->io_waited = true;
			return POLL_PENDING;
		}
		if (!r->io_waited) {
			/* Ready at once: yield before rerunning, so a cache that
			 * stays full cannot make this poll spin (sys_file.c). */
			r->io_waited = true;
			waker_wake_by_ref(cx->waker);
			return POLL_PENDING;
		}
		r->io_waited = false;
		restart_drop(fut);
		r->sc.pending = NULL;
		long res = r->fn(&r->sc);

		if (res == -EIOWAIT) {
			r->io = vfs_take_io_wait();
			fut->awaiting = r->io;
			if (!r->io)
				res = -EIO;
			else
				continue;
		}
		fut->result = res;
		/* The rerun had to wait for something else (umount2's sync): that
		 * future's result is the call's. */
		r->then = r->sc.pending;
		r->sc.pending = NULL;
		fut->awaiting = r->then;
	}
	if (r->then) {
		if (future_poll(r->then, cx) == POLL_PENDING)
			return POLL_PENDING;
		fut->result = r->then->result;
		drop_owned(&r->then);
		fut->awaiting = NULL;
	}
	return POLL_READY;
}

static void restart_release(struct future *fut)
{
	kfree(fut);
}

static const struct future_ops restart_ops = {
	.name = "fs_restart",
	.poll = restart_poll,
	.drop = restart_drop,
	.release = restart_release,
};

long fs_call(struct sys_ctx *sc, sys_fn fn)
{
	long res = fn(sc);
	struct restart_future *r;

	if (res != -EIOWAIT)
		return res;
	r = kzalloc(sizeof(*r));
	struct future *io = vfs_take_io_wait();

	if (!r || !io) {
		if (io) {
			future_drop(io);
			future_release(io);
		}
		kfree(r);
		return r ? -EIO : -ENOMEM;
	}
	future_init(&r->base, &restart_ops);
	r->sc = *sc;
	r->sc.pending = NULL;
	r->fn = fn;
	r->io = io;
	r->base.awaiting = io;
	sc->pending = &r->base;
	return 0;
}

#define FS_SYSCALL(nr, name)                                                                      \
	static long do_##name(struct sys_ctx *sc);                                                \
	SYSCALL(nr, name)                                                                         \
	{                                                                                         \
		return fs_call(sc, do_##name);                                                    \
	}                                                                                         \
	static long do_##name(struct sys_ctx *sc)

/* ---- helpers --------------------------------------------------------------- */

long fs_get_user_path(struct sys_ctx *sc, uintptr_t upath, char **out)
{
	char *buf = kmalloc(PATH_MAX);
	long r;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	r = strncpy_from_user(proc_as(sc->proc), buf, upath, PATH_MAX);
	if (r < 0) {
		kfree(buf);
		return r;
	}
	*out = buf;
	return r;
}

/*
 * The base directory for a *at call: NULL for AT_FDCWD or an absolute path
 * (the walk then uses the cwd or the root), else dirfd's inode, counted.
 */
static int at_base(struct sys_ctx *sc, int dirfd, const char *path, struct inode **base)
{
	struct file *f;

	*base = NULL;
	if (dirfd == AT_FDCWD || path[0] == '/')
		return 0;
	f = fd_get(sc->proc, dirfd);
	if (!f)
		return -EBADF;
	if (!S_ISDIR(f->inode->mode) && path[0]) {
		file_put(f);
		return -ENOTDIR;
	}
	*base = inode_get(f->inode);
	file_put(f);
	return 0;
}

/* get_path + at_base together; on success the caller frees *path and puts *base. */
static long path_at(struct sys_ctx *sc, int dirfd, uintptr_t upath, char **path,
		    struct inode **base)
{
	long r = fs_get_user_path(sc, upath, path);

	if (r < 0)
		return r;
	r = at_base(sc, dirfd, *path, base);
	if (r < 0) {
		kfree(*path);
		*path = NULL;
	}
	return r;
}

/* ---- the calls ------------------------------------------------------------ */

FS_SYSCALL(56, openat)
{
	int flags = (int)sc->arg[2];
	uint32_t mode = (uint32_t)sc->arg[3];
	struct inode *base;
	struct file *f;
	char *path;
	long r = path_at(sc, (int)sc->arg[0], sc->arg[1], &path, &base);

	if (r < 0)
		return r;
	r = vfs_open(sc->proc, base, path, flags, mode, &f);
	if (!r) {
		r = fd_install(sc->proc, f, flags & O_CLOEXEC);
		if (r < 0)
			file_put(f);
	}
	inode_put(base);
	kfree(path);
	return r;
}

#define AT_NO_AUTOMOUNT 0x800

FS_SYSCALL(79, newfstatat)
{
	int dirfd = (int)sc->arg[0];
	unsigned flags = (unsigned)sc->arg[3];
	struct linux_stat st;
	struct inode *base, *ino = NULL;
	char *path;
	long r;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	r = path_at(sc, dirfd, sc->arg[1], &path, &base);
	if (r < 0)
		return r;
	if (!path[0] && (flags & AT_EMPTY_PATH)) {
		if (dirfd == AT_FDCWD) {
			struct inode *cwd = proc_cwd(sc->proc);

			ino = inode_get(cwd ? cwd : vfs_root);
		} else {
			ino = inode_get(base);
		}
		r = ino ? 0 : -ENOENT;
	} else {
		r = vfs_lookup(sc->proc, base, path,
			       flags & AT_SYMLINK_NOFOLLOW ? WALK_NOFOLLOW : 0, &ino);
	}
	if (!r) {
		inode_fill_stat(ino, &st);
		inode_put(ino);
		r = copy_to_user(proc_as(sc->proc), sc->arg[2], &st, sizeof(st));
	}
	inode_put(base);
	kfree(path);
	return r;
}

FS_SYSCALL(17, getcwd)
{
	size_t size = sc->arg[1];
	char *buf;
	long r;

	if (!size)
		return -ERANGE;
	buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	r = vfs_getcwd(proc_cwd(sc->proc), buf, PATH_MAX);
	if (r > 0 && (size_t)r > size)
		r = -ERANGE;
	if (r > 0) {
		int err = copy_to_user(proc_as(sc->proc), sc->arg[0], buf, (size_t)r);

		if (err)
			r = err;
	}
	kfree(buf);
	return r;
}

FS_SYSCALL(49, chdir)
{
	struct inode *ino;
	char *path;
	long r = fs_get_user_path(sc, sc->arg[0], &path);

	if (r < 0)
		return r;
	r = vfs_lookup(sc->proc, NULL, path, WALK_DIRECTORY, &ino);
	if (!r)
		proc_set_cwd(sc->proc, ino);
	kfree(path);
	return r;
}

SYSCALL(50, fchdir)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	long r = 0;

	if (!f)
		return -EBADF;
	if (!S_ISDIR(f->inode->mode))
		r = -ENOTDIR;
	else
		proc_set_cwd(sc->proc, inode_get(f->inode));
	file_put(f);
	return r;
}

struct dents {
	char *buf;
	size_t size, used;
	bool any;	/* an entry was stored */
	bool full;	/* an entry did not fit */
};

static bool dents_fill(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
		       uint64_t next_pos)
{
	struct dents *d = ctx;
	size_t reclen = (19 + len + 1 + 7) & ~(size_t)7;
	char *p = d->buf + d->used;
	uint16_t rl = (uint16_t)reclen;
	int64_t off = (int64_t)next_pos;
	uint8_t type = (uint8_t)dtype;

	if (d->used + reclen > d->size) {
		d->full = true;
		return false;
	}
	memcpy(p, &ino, 8);
	memcpy(p + 8, &off, 8);
	memcpy(p + 16, &rl, 2);
	memcpy(p + 18, &type, 1);
	memcpy(p + 19, name, len);
	memset(p + 19 + len, 0, reclen - 19 - len);
	d->used += reclen;
	d->any = true;
	return true;
}

/* At most this much per call: a bounded kernel buffer whatever count is. */
#define DENTS_CHUNK 4096

FS_SYSCALL(61, getdents64)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	size_t count = sc->arg[2];
	struct dents d = { 0 };
	long r;

	if (!f)
		return -EBADF;
	if (!S_ISDIR(f->inode->mode) || !f->ops || !f->ops->readdir) {
		r = -ENOTDIR;
		goto out;
	}
	d.size = count < DENTS_CHUNK ? count : DENTS_CHUNK;
	d.buf = kmalloc(d.size ? d.size : 1);
	if (!d.buf) {
		r = -ENOMEM;
		goto out;
	}
	uint64_t pos = f->pos;

	r = f->ops->readdir(f, &pos, dents_fill, &d);
	if (r < 0)
		goto out_buf;
	if (!d.any && d.full) {
		r = -EINVAL; /* the buffer cannot hold the next entry */
		goto out_buf;
	}
	r = copy_to_user(proc_as(sc->proc), sc->arg[1], d.buf, d.used);
	if (!r) {
		f->pos = pos;
		r = (long)d.used;
	}
out_buf:
	kfree(d.buf);
out:
	file_put(f);
	return r;
}

FS_SYSCALL(34, mkdirat)
{
	struct inode *base;
	char *path;
	long r = path_at(sc, (int)sc->arg[0], sc->arg[1], &path, &base);

	if (r < 0)
		return r;
	r = vfs_mknod(sc->proc, base, path, S_IFDIR | ((uint32_t)sc->arg[2] & 07777), 0);
	inode_put(base);
	kfree(path);
	return r;
}

FS_SYSCALL(33, mknodat)
{
	uint32_t mode = (uint32_t)sc->arg[2];
	struct inode *base;
	char *path;
	long r;

	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	if (!S_ISREG(mode) && !S_ISCHR(mode) && !S_ISFIFO(mode))
		return -EINVAL;
	r = path_at(sc, (int)sc->arg[0], sc->arg[1], &path, &base);
	if (r < 0)
		return r;
	r = vfs_mknod(sc->proc, base, path, mode, (uint32_t)sc->arg[3]);
	inode_put(base);
	kfree(path);
	return r;
}

FS_SYSCALL(35, unlinkat)
{
	unsigned flags = (unsigned)sc->arg[2];
	struct inode *base;
	char *path;
	long r;

	if (flags & ~(unsigned)AT_REMOVEDIR)
		return -EINVAL;
	r = path_at(sc, (int)sc->arg[0], sc->arg[1], &path, &base);
	if (r < 0)
		return r;
	r = vfs_unlink(sc->proc, base, path, flags & AT_REMOVEDIR);
	inode_put(base);
	kfree(path);
	return r;
}

FS_SYSCALL(78, readlinkat)
{
	long bufsiz = (long)sc->arg[3];
	struct inode *base, *ino;
	char *path, *t;
	long r;

	if (bufsiz <= 0)
		return -EINVAL;
	r = path_at(sc, (int)sc->arg[0], sc->arg[1], &path, &base);
	if (r < 0)
		return r;
	r = vfs_lookup(sc->proc, base, path, WALK_NOFOLLOW, &ino);
	if (r)
		goto out;
	if (!S_ISLNK(ino->mode) || !ino->iops || !ino->iops->readlink) {
		r = -EINVAL;
	} else if (!(t = kmalloc(PATH_MAX))) {
		r = -ENOMEM;
	} else {
		r = ino->iops->readlink(ino, t, bufsiz < PATH_MAX ? (size_t)bufsiz : PATH_MAX);
		if (r > 0) {
			int err = copy_to_user(proc_as(sc->proc), sc->arg[2], t, (size_t)r);

			if (err)
				r = err;
		}
		kfree(t);
	}
	inode_put(ino);
out:
	inode_put(base);
	kfree(path);
	return r;
}

#define X_OK 1

static long access_at(struct sys_ctx *sc, unsigned mode, unsigned flags)
{
	struct inode *base, *ino;
	char *path;
	long r;

	if (mode & ~7u)
		return -EINVAL;
	if (flags & ~(unsigned)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = path_at(sc, (int)sc->arg[0], sc->arg[1], &path, &base);
	if (r < 0)
		return r;
	if (!path[0] && (flags & AT_EMPTY_PATH) && base) {
		ino = inode_get(base);
	} else {
		r = vfs_lookup(sc->proc, base, path, flags & AT_SYMLINK_NOFOLLOW ? WALK_NOFOLLOW : 0,
			       &ino);
		if (r)
			goto out;
	}
	/* Every process is root: only execute needs a bit (any x, or a dir). */
	if ((mode & X_OK) && !S_ISDIR(ino->mode) && !(ino->mode & 0111))
		r = -EACCES;
	inode_put(ino);
out:
	inode_put(base);
	kfree(path);
	return r;
}

FS_SYSCALL(48, faccessat)
{
	return access_at(sc, (unsigned)sc->arg[2], 0);
}

FS_SYSCALL(439, faccessat2)
{
	return access_at(sc, (unsigned)sc->arg[2], (unsigned)sc->arg[3]);
}

FS_SYSCALL(36, symlinkat)
{
	struct inode *base;
	char *target, *path;
	long r = fs_get_user_path(sc, sc->arg[0], &target);

	if (r < 0)
		return r;
	r = path_at(sc, (int)sc->arg[1], sc->arg[2], &path, &base);
	if (r < 0) {
		kfree(target);
		return r;
	}
	r = vfs_symlink(sc->proc, base, target, path);
	inode_put(base);
	kfree(path);
	kfree(target);
	return r;
}

FS_SYSCALL(37, linkat)
{
	unsigned flags = (unsigned)sc->arg[4];
	struct inode *obase, *nbase;
	char *opath, *npath;
	long r;

	if (flags & ~(unsigned)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = path_at(sc, (int)sc->arg[0], sc->arg[1], &opath, &obase);
	if (r < 0)
		return r;
	r = path_at(sc, (int)sc->arg[2], sc->arg[3], &npath, &nbase);
	if (r < 0)
		goto out_old;
	r = vfs_link(sc->proc, obase, opath, nbase, npath, flags & AT_SYMLINK_FOLLOW);
	inode_put(nbase);
	kfree(npath);
out_old:
	inode_put(obase);
	kfree(opath);
	return r;
}

FS_SYSCALL(276, renameat2)
{
	unsigned flags = (unsigned)sc->arg[4];
	struct inode *obase, *nbase;
	char *opath, *npath;
	long r;

	r = path_at(sc, (int)sc->arg[0], sc->arg[1], &opath, &obase);
	if (r < 0)
		return r;
	r = path_at(sc, (int)sc->arg[2], sc->arg[3], &npath, &nbase);
	if (r < 0)
		goto out_old;
	r = vfs_rename(sc->proc, obase, opath, nbase, npath, flags);
	inode_put(nbase);
	kfree(npath);
out_old:
	inode_put(obase);
	kfree(opath);
	return r;
}

FS_SYSCALL(45, truncate)
{
	int64_t len = (int64_t)sc->arg[1];
	struct inode *ino;
	char *path;
	long r;

	if (len < 0)
		return -EINVAL;
	r = fs_get_user_path(sc, sc->arg[0], &path);
	if (r < 0)
		return r;
	r = vfs_lookup(sc->proc, NULL, path, 0, &ino);
	if (!r) {
		r = vfs_truncate(ino, (uint64_t)len);
		inode_put(ino);
	}
	kfree(path);
	return r;
}
