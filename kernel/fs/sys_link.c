// SPDX-License-Identifier: MIT
/* Names and links: mknodat, unlinkat, symlinkat, readlinkat, linkat, renameat2. */
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"

FS_SYSCALL(33, mknodat)
{
	uint32_t mode = (uint32_t)sc->arg[2];
	struct at_path ap;
	long r;

	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFDIR:
		return -EPERM; /* as Linux: mkdir makes directories */
	default:
		return -EINVAL;
	}
	r = at_path_get(sc, (int)sc->arg[0], sc->arg[1], &ap);
	if (r < 0)
		return r;
	r = vfs_mknod(sc->proc, ap.base, ap.path, mode, (uint32_t)sc->arg[3]);
	at_path_put(&ap);
	return r;
}

FS_SYSCALL(35, unlinkat)
{
	unsigned flags = (unsigned)sc->arg[2];
	struct at_path ap;
	long r;

	if (flags & ~(unsigned)AT_REMOVEDIR)
		return -EINVAL;
	r = at_path_get(sc, (int)sc->arg[0], sc->arg[1], &ap);
	if (r < 0)
		return r;
	r = vfs_unlink(sc->proc, ap.base, ap.path, flags & AT_REMOVEDIR);
	at_path_put(&ap);
	return r;
}

FS_SYSCALL(36, symlinkat)
{
	struct at_path ap;
	char *target;
	long r = fs_get_user_path(sc, sc->arg[0], &target);

	if (r < 0)
		return r;
	r = at_path_get(sc, (int)sc->arg[1], sc->arg[2], &ap);
	if (!r) {
		r = vfs_symlink(sc->proc, ap.base, target, ap.path);
		at_path_put(&ap);
	}
	kfree(target);
	return r;
}

FS_SYSCALL(78, readlinkat)
{
	long bufsiz = (long)sc->arg[3];
	struct inode *ino;
	char *t;
	long r;

	if (bufsiz <= 0)
		return -EINVAL;
	r = at_lookup(sc, (int)sc->arg[0], sc->arg[1], AT_SYMLINK_NOFOLLOW, 0, &ino);
	if (r)
		return r;
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
	return r;
}

FS_SYSCALL(37, linkat)
{
	unsigned flags = (unsigned)sc->arg[4];
	struct at_path op, np;
	long r;

	if (flags & ~(unsigned)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = at_path_get(sc, (int)sc->arg[0], sc->arg[1], &op);
	if (r < 0)
		return r;
	r = at_path_get(sc, (int)sc->arg[2], sc->arg[3], &np);
	if (!r) {
		r = vfs_link(sc->proc, op.base, op.path, np.base, np.path,
			     flags & AT_SYMLINK_FOLLOW);
		at_path_put(&np);
	}
	at_path_put(&op);
	return r;
}

FS_SYSCALL(276, renameat2)
{
	struct at_path op, np;
	long r = at_path_get(sc, (int)sc->arg[0], sc->arg[1], &op);

	if (r < 0)
		return r;
	r = at_path_get(sc, (int)sc->arg[2], sc->arg[3], &np);
	if (!r) {
		r = vfs_rename(sc->proc, op.base, op.path, np.base, np.path,
			       (unsigned)sc->arg[4]);
		at_path_put(&np);
	}
	at_path_put(&op);
	return r;
}
