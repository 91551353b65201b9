// SPDX-License-Identifier: MIT
/*
 * Changing a file's attributes: utimensat (and futimens through it),
 * truncate, ftruncate. The change itself is the file system's
 * inode_ops.setattr / truncate (vfs_setattr, vfs_truncate).
 */
#include "kernel/fs/fdtable.h"
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"

/* ---- utimensat ---------------------------------------------------------------- */

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

struct ts {
	int64_t sec, nsec;
};

/* Add one stamp's change to ia: now, untouched, or the given time. */
static void pick_time(const struct ts *t, unsigned set, unsigned now, int64_t *out,
		      struct iattr *ia)
{
	if (!t || t->nsec == UTIME_NOW) {
		ia->valid |= set | now;
	} else if (t->nsec != UTIME_OMIT) {
		ia->valid |= set;
		*out = t->sec * 1000000000LL + t->nsec;
	}
}

FS_SYSCALL(88, utimensat)
{
	int dirfd = (int)sc->arg[0];
	unsigned flags = (unsigned)sc->arg[3];
	struct iattr ia = { 0 };
	struct ts t[2];
	struct inode *ino;
	long r;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (sc->arg[2]) {
		r = copy_from_user(proc_as(sc->proc), t, sc->arg[2], sizeof(t));
		if (r)
			return r;
		for (int i = 0; i < 2; i++)
			if (t[i].nsec != UTIME_NOW && t[i].nsec != UTIME_OMIT &&
			    (t[i].nsec < 0 || t[i].nsec >= 1000000000L))
				return -EINVAL;
	}
	if (!sc->arg[1]) {
		/* futimens: the file dirfd itself. */
		struct file *f = fd_get(sc->proc, dirfd);

		if (!f)
			return -EBADF;
		ino = inode_get(f->inode);
		file_put(f);
	} else {
		r = at_lookup(sc, dirfd, sc->arg[1], flags, 0, &ino);
		if (r)
			return r;
	}
	pick_time(sc->arg[2] ? &t[0] : NULL, ATTR_ATIME, ATTR_ATIME_NOW, &ia.atime_ns, &ia);
	pick_time(sc->arg[2] ? &t[1] : NULL, ATTR_MTIME, ATTR_MTIME_NOW, &ia.mtime_ns, &ia);
	r = vfs_setattr(ino, &ia);
	inode_put(ino);
	return r;
}

/* ---- truncate ----------------------------------------------------------------- */

FS_SYSCALL(45, truncate)
{
	int64_t len = (int64_t)sc->arg[1];
	struct inode *ino;
	long r;

	if (len < 0)
		return -EINVAL;
	r = at_lookup(sc, AT_FDCWD, sc->arg[0], 0, 0, &ino);
	if (r)
		return r;
	r = vfs_truncate(ino, (uint64_t)len);
	inode_put(ino);
	return r;
}

FS_SYSCALL(46, ftruncate)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	int64_t len = (int64_t)sc->arg[1];
	long r;

	if (!f)
		return -EBADF;
	if (len < 0 || !file_writable(f))
		r = -EINVAL;
	else if (S_ISDIR(f->inode->mode))
		r = -EISDIR;
	else if (!S_ISREG(f->inode->mode))
		r = -EINVAL;
	else
		r = vfs_truncate(f->inode, (uint64_t)len);
	file_put(f);
	return r;
}
