// SPDX-License-Identifier: MIT
/* Directories: getdents64, mkdirat, getcwd, chdir, fchdir. */
#include "kernel/fs/fdtable.h"
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

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
	struct at_path ap;
	long r = at_path_get(sc, (int)sc->arg[0], sc->arg[1], &ap);

	if (r < 0)
		return r;
	r = vfs_mknod(sc->proc, ap.base, ap.path, S_IFDIR | ((uint32_t)sc->arg[2] & 07777), 0);
	at_path_put(&ap);
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
	r = vfs_getcwd_in(proc_cwd(sc->proc), proc_root(sc->proc), buf, PATH_MAX);
	if (r == -ERANGE)
		r = -ENAMETOOLONG; /* longer than PATH_MAX, as Linux says it */
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
	long r = at_lookup(sc, AT_FDCWD, sc->arg[0], 0, WALK_DIRECTORY, &ino);

	if (!r && (r = inode_permission(ino, MAY_EXEC)))
		inode_put(ino);
	else if (!r)
		proc_set_cwd(sc->proc, ino);
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
	else if (!(r = inode_permission(f->inode, MAY_EXEC)))
		proc_set_cwd(sc->proc, inode_get(f->inode));
	file_put(f);
	return r;
}

/* chroot(path): "/" of this process (and of the threads sharing its fs
 * context) becomes path; the cwd stays where it is, as on Linux. */
FS_SYSCALL(51, chroot)
{
	struct inode *ino;
	long r = at_lookup(sc, AT_FDCWD, sc->arg[0], 0, WALK_DIRECTORY, &ino);

	if (r)
		return r;
	r = inode_permission(ino, MAY_EXEC);
	if (!r && !cred_capable(proc_cred(sc->proc)))
		r = -EPERM; /* CAP_SYS_CHROOT */
	if (r) {
		inode_put(ino);
		return r;
	}
	if (ino == vfs_root) {
		inode_put(ino);
		ino = NULL;
	}
	proc_set_root(sc->proc, ino);
	return 0;
}
