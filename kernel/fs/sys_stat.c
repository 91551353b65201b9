// SPDX-License-Identifier: MIT
/*
 * Asking about files: fstat, newfstatat, faccessat, faccessat2, statfs,
 * fstatfs. statfs answers from the file system's super_ops.statfs.
 */
#include "kernel/fs/fdtable.h"
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"

/* ---- stat ------------------------------------------------------------------ */

SYSCALL(80, fstat)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	struct linux_stat st;

	if (!f)
		return -EBADF;
	inode_fill_stat(f->inode, &st);
	file_put(f);
	return copy_to_user(proc_as(sc->proc), sc->arg[1], &st, sizeof(st));
}

#define AT_NO_AUTOMOUNT 0x800

FS_SYSCALL(79, newfstatat)
{
	unsigned flags = (unsigned)sc->arg[3];
	struct linux_stat st;
	struct inode *ino;
	long r;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	r = at_lookup(sc, (int)sc->arg[0], sc->arg[1], flags, 0, &ino);
	if (r)
		return r;
	inode_fill_stat(ino, &st);
	inode_put(ino);
	return copy_to_user(proc_as(sc->proc), sc->arg[2], &st, sizeof(st));
}

/* ---- access ------------------------------------------------------------------ */

/*
 * faccessat: the check open or exec would make, but with the real ids
 * (fsuid = uid, fsgid = gid) unless AT_EACCESS, for the walk too (Linux's
 * access_override_creds).
 */
static long access_at(struct sys_ctx *sc, unsigned mode, unsigned flags)
{
	const struct cred *c = proc_cred(sc->proc), *saved;
	struct cred *real = NULL;
	struct inode *ino;
	long r;

	if (mode & ~7u)
		return -EINVAL;
	if (flags & ~(unsigned)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!(flags & AT_EACCESS) && (c->fsuid != c->uid || c->fsgid != c->gid)) {
		real = cred_copy(c);
		if (!real)
			return -ENOMEM;
		real->fsuid = real->uid;
		real->fsgid = real->gid;
	}
	saved = cred_override(real ? real : c);
	r = at_lookup(sc, (int)sc->arg[0], sc->arg[1], flags, 0, &ino);
	if (!r) {
		/* MAY_READ, MAY_WRITE, MAY_EXEC are R_OK, W_OK, X_OK. */
		r = inode_permission(ino, (int)mode);
		inode_put(ino);
	}
	cred_revert(saved);
	cred_put(real);
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

/* ---- statfs ------------------------------------------------------------------ */

#define RAMFS_MAGIC 0x858458f6
/* statfs's f_flags (<sys/statvfs.h>): the mount's flags; ST_VALID says f_flags is set. */
#define ST_RDONLY 0x1
#define ST_NOSUID 0x2
#define ST_NODEV 0x4
#define ST_NOEXEC 0x8
#define ST_VALID 0x20
#define ST_NOATIME 0x400
#define ST_NODIRATIME 0x800
#define ST_RELATIME 0x1000
#define ST_NOSYMFOLLOW 0x2000

/* struct statfs of Linux riscv64 (asm-generic, 64-bit words): 120 bytes. */
struct linux_statfs {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "riscv64 struct statfs is 120 bytes");

static long put_statfs(struct sys_ctx *sc, struct inode *ino, uintptr_t ubuf)
{
	struct linux_statfs st = { 0 };
	/* No statfs op (ramfs and devices on it): no fixed size, as on Linux. */
	struct vfs_statfs vs = { .magic = RAMFS_MAGIC, .bsize = 4096 };
	struct superblock *sb = ino->sb;

	if (sb && sb->ops && sb->ops->statfs)
		sb->ops->statfs(sb, &vs);
	st.f_type = (int64_t)vs.magic;
	st.f_bsize = st.f_frsize = vs.bsize;
	st.f_blocks = vs.blocks;
	st.f_bfree = vs.bfree;
	st.f_bavail = vs.bavail;
	st.f_files = vs.files;
	st.f_ffree = vs.ffree;
	unsigned long mf = mount_flags_of_sb(sb);

	st.f_flags = ST_VALID | (vs.ro || sb_rdonly(sb) ? ST_RDONLY : 0) |
		     (sb_has(sb, SB_NOSUID) ? ST_NOSUID : 0) | (sb_has(sb, SB_NODEV) ? ST_NODEV : 0) |
		     (sb_has(sb, SB_NOEXEC) ? ST_NOEXEC : 0) | (mf & MS_NOATIME ? ST_NOATIME : 0) |
		     (mf & MS_NODIRATIME ? ST_NODIRATIME : 0) | (mf & MS_RELATIME ? ST_RELATIME : 0) |
		     (mf & MS_NOSYMFOLLOW ? ST_NOSYMFOLLOW : 0);
	st.f_namelen = NAME_MAX;
	st.f_fsid[0] = (int32_t)(sb ? sb->dev : 0);
	return copy_to_user(proc_as(sc->proc), ubuf, &st, sizeof(st));
}

FS_SYSCALL(43, statfs)
{
	struct inode *ino;
	long r = at_lookup(sc, AT_FDCWD, sc->arg[0], 0, 0, &ino);

	if (r)
		return r;
	r = put_statfs(sc, ino, sc->arg[1]);
	inode_put(ino);
	return r;
}

SYSCALL(44, fstatfs)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	long r;

	if (!f)
		return -EBADF;
	r = put_statfs(sc, f->inode, sc->arg[1]);
	file_put(f);
	return r;
}
