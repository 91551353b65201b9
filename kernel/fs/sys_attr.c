// SPDX-License-Identifier: MIT
/*
 * Changing a file's attributes: utimensat (and futimens through it),
 * truncate, ftruncate, and the mode and owner: fchmod, fchmodat,
 * fchmodat2, fchown, fchownat (chmod, chown and lchown are these on
 * riscv64). The checks are Linux's setattr_prepare (perm.c does the
 * credential side); the change itself is the file system's
 * inode_ops.setattr / truncate (vfs_setattr, vfs_truncate).
 */
#include "kernel/fs/fdtable.h"
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
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

/* Setting given times, not "now" for both (Linux's ATTR_TIMES_SET). */
static bool times_are_explicit(const struct ts *t)
{
	return t && !(t[0].nsec == UTIME_NOW && t[1].nsec == UTIME_NOW);
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
	r = 0;
	if (!ia.valid)
		; /* both UTIME_OMIT: nothing changes, not even ctime (Linux) */
	else if (!inode_owner_or_capable(ino) &&
		 (r = times_are_explicit(sc->arg[2] ? t : NULL) ? -EPERM
								: inode_permission(ino, MAY_WRITE)))
		; /* explicit times: owner only; "now": owner or writer */
	else
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
	if (S_ISDIR(ino->mode))
		r = -EISDIR;
	else if (!S_ISREG(ino->mode))
		r = -EINVAL;
	else if (!(r = inode_permission(ino, MAY_WRITE)) && !(r = inode_get_write_access(ino))) {
		r = vfs_truncate(ino, (uint64_t)len);
		inode_put_write_access(ino);
	}
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

/* ---- mode and owner ------------------------------------------------------------- */

/* Linux's in_group_or_capable: may the caller keep S_ISGID with group gid? */
static bool in_group_or_capable(uint32_t gid)
{
	const struct cred *c = cred_current();

	return cred_in_group(c, gid) || cred_fs_capable(c);
}

static long chmod_inode(struct inode *ino, uint32_t mode)
{
	struct iattr ia = { .valid = ATTR_MODE, .mode = mode & 07777 };

	if (!inode_owner_or_capable(ino))
		return -EPERM;
	if (!in_group_or_capable(ino->gid))
		ia.mode &= ~(uint32_t)S_ISGID;
	return vfs_setattr(ino, &ia);
}

#define ID_KEEP ((uint32_t)-1)

/*
 * chown_common and setattr_prepare: the owner may give the file to one of
 * its groups, only CAP_CHOWN may give it away; a non-directory loses its
 * set-user-ID bit (and set-group-ID when group-executable, or when the
 * caller could not keep it), even for root and even for chown(-1, -1).
 */
static long chown_inode(struct inode *ino, uint32_t uid, uint32_t gid)
{
	const struct cred *c = cred_current();
	bool cap = cred_fs_capable(c), owner = c->fsuid == ino->uid;
	struct iattr ia = { 0 };
	uint32_t m = ino->mode;

	if (uid != ID_KEEP) {
		ia.valid |= ATTR_UID;
		ia.uid = uid;
	}
	if (gid != ID_KEEP) {
		ia.valid |= ATTR_GID;
		ia.gid = gid;
	}
	if (!S_ISDIR(m)) {
		uint32_t kill = m & S_ISUID;

		if ((m & S_ISGID) && ((m & 0010) || !in_group_or_capable(ino->gid)))
			kill |= S_ISGID;
		if (kill) {
			ia.valid |= ATTR_MODE;
			ia.mode = m & 07777 & ~kill;
		}
	}
	if ((ia.valid & ATTR_UID) && !cap && !(owner && uid == ino->uid))
		return -EPERM;
	if ((ia.valid & ATTR_GID) && !cap && !(owner && (gid == ino->gid || cred_in_group(c, gid))))
		return -EPERM;
	if (ia.valid & ATTR_MODE) {
		if (!inode_owner_or_capable(ino))
			return -EPERM;
		if (!in_group_or_capable(ia.valid & ATTR_GID ? ia.gid : ino->gid))
			ia.mode &= ~(uint32_t)S_ISGID;
	}
	return vfs_setattr(ino, &ia);
}

/* The file of an fd for fchmod / fchown: an O_PATH fd does not count. */
static long fd_inode(struct sys_ctx *sc, int fd, struct inode **out)
{
	struct file *f = fd_get(sc->proc, fd);

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		file_put(f);
		return -EBADF;
	}
	*out = inode_get(f->inode);
	file_put(f);
	return 0;
}

FS_SYSCALL(52, fchmod)
{
	struct inode *ino;
	long r = fd_inode(sc, (int)sc->arg[0], &ino);

	if (r)
		return r;
	r = chmod_inode(ino, (uint32_t)sc->arg[1]);
	inode_put(ino);
	return r;
}

static long chmod_at(struct sys_ctx *sc, unsigned flags)
{
	struct inode *ino;
	long r;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = at_lookup(sc, (int)sc->arg[0], sc->arg[1], flags, 0, &ino);
	if (r)
		return r;
	/* A symlink's own mode means nothing on Linux and cannot be set. */
	r = S_ISLNK(ino->mode) ? -EOPNOTSUPP : chmod_inode(ino, (uint32_t)sc->arg[2]);
	inode_put(ino);
	return r;
}

FS_SYSCALL(53, fchmodat)
{
	return chmod_at(sc, 0);
}

FS_SYSCALL(452, fchmodat2)
{
	return chmod_at(sc, (unsigned)sc->arg[3]);
}

FS_SYSCALL(55, fchown)
{
	struct inode *ino;
	long r = fd_inode(sc, (int)sc->arg[0], &ino);

	if (r)
		return r;
	r = chown_inode(ino, (uint32_t)sc->arg[1], (uint32_t)sc->arg[2]);
	inode_put(ino);
	return r;
}

FS_SYSCALL(54, fchownat)
{
	unsigned flags = (unsigned)sc->arg[4];
	struct inode *ino;
	long r;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = at_lookup(sc, (int)sc->arg[0], sc->arg[1], flags, 0, &ino);
	if (r)
		return r;
	r = chown_inode(ino, (uint32_t)sc->arg[2], (uint32_t)sc->arg[3]);
	inode_put(ino);
	return r;
}
