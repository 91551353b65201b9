// SPDX-License-Identifier: MIT
/*
 * Permission checks (vfs.h "permissions"): Linux's generic_permission,
 * may_create, may_delete with the sticky bit, inode_init_owner, and the
 * write-versus-execute counts behind ETXTBSY. Credentials come from
 * cred_current() (kernel/proc/cred.h); "privileged" is fsuid 0, which holds
 * CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER and CAP_FSETID.
 */
#include "kernel/fs/vfs.h"

#include "kernel/proc/cred.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Linux's sb_permission: a file, directory or symlink of a read-only fs
 * cannot be written, whoever asks (device nodes and FIFOs can). */
static bool on_rofs(const struct inode *ino)
{
	return sb_rdonly(ino->sb) && (S_ISREG(ino->mode) || S_ISDIR(ino->mode) || S_ISLNK(ino->mode));
}

int inode_permission(const struct inode *ino, int mask)
{
	const struct cred *c = cred_current();
	uint32_t mode = ino->mode;

	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if ((mask & MAY_WRITE) && on_rofs(ino))
		return -EROFS;
	/* A noexec mount runs nothing (Linux's path_noexec). */
	if ((mask & MAY_EXEC) && S_ISREG(mode) && sb_has(ino->sb, SB_NOEXEC))
		return -EACCES;
	if (cred_fs_capable(c)) {
		/* Everything, except running a file nobody may run. */
		if (!(mask & MAY_EXEC) || S_ISDIR(mode) || (mode & 0111))
			return 0;
		return -EACCES;
	}
	if (c->fsuid == ino->uid)
		mode >>= 6;
	else if (cred_in_group(c, ino->gid))
		mode >>= 3;
	return (mask & ~mode & 7) ? -EACCES : 0;
}

bool inode_owner_or_capable(const struct inode *ino)
{
	const struct cred *c = cred_current();

	return c->fsuid == ino->uid || cred_fs_capable(c);
}

bool vfs_caller_privileged(void)
{
	return cred_fs_capable(cred_current());
}

int vfs_may_create(const struct inode *dir)
{
	return inode_permission(dir, MAY_WRITE | MAY_EXEC);
}

int vfs_may_delete(const struct inode *dir, const struct inode *victim)
{
	const struct cred *c = cred_current();
	int err = inode_permission(dir, MAY_WRITE | MAY_EXEC);

	if (err)
		return err;
	/* Sticky (/tmp): only the file's owner, the dir's owner or CAP_FOWNER. */
	if ((dir->mode & S_ISVTX) && c->fsuid != victim->uid && c->fsuid != dir->uid &&
	    !cred_fs_capable(c))
		return -EPERM;
	return 0;
}

/* ---- the namespace operations' checks ------------------------------------- */

/*
 * A name in dir, straight from the file system: the inode that holds the
 * name (a mount point's covered directory, as Linux's d_inode of the
 * dentry), which is what ownership checks look at.
 */
static int child(struct inode *dir, const char *name, struct inode **out)
{
	if (!dir->iops || !dir->iops->lookup)
		return -ENOTDIR;
	return dir->iops->lookup(dir, name, strlen(name), out);
}

int vfs_may_open(const struct inode *ino, int flags)
{
	unsigned acc = (unsigned)flags & O_ACCMODE;
	int mask = 0, err;

	if (acc != O_WRONLY)
		mask |= MAY_READ;
	if (acc != O_RDONLY || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	err = inode_permission(ino, mask);
	if (err)
		return err;
	/* A nodev mount's device nodes do not open (Linux's may_open_dev). */
	if ((S_ISCHR(ino->mode) || (ino->mode & S_IFMT) == S_IFBLK) && sb_has(ino->sb, SB_NODEV))
		return -EACCES;
	if ((flags & O_NOATIME) && !inode_owner_or_capable(ino))
		return -EPERM;
	return 0;
}

int vfs_may_create_name(struct inode *dir, const char *name)
{
	struct inode *old;
	int err;

	if (on_rofs(dir)) {
		/* An existing name is -EEXIST even there (Linux's filename_create). */
		err = child(dir, name, &old);
		if (!err)
			inode_put(old);
		return !err ? -EEXIST : err == -ENOENT ? -EROFS : err;
	}
	if (vfs_caller_privileged())
		return 0;
	err = child(dir, name, &old);
	if (!err) {
		inode_put(old);
		return -EEXIST;
	}
	if (err != -ENOENT)
		return err;
	return vfs_may_create(dir);
}

static int may_delete_child(struct inode *dir, const char *name, struct inode **victim)
{
	struct inode *v;
	int err = child(dir, name, &v);

	if (err)
		return err;
	err = vfs_may_delete(dir, v);
	if (victim && !err)
		*victim = v;
	else
		inode_put(v);
	return err;
}

int vfs_may_delete_name(struct inode *dir, const char *name)
{
	if (on_rofs(dir))
		return -EROFS;
	if (vfs_caller_privileged())
		return 0;
	return may_delete_child(dir, name, NULL);
}

int vfs_may_link(const struct inode *ino)
{
	if (inode_owner_or_capable(ino))
		return 0;
	if (S_ISREG(ino->mode) && !(ino->mode & S_ISUID) &&
	    (ino->mode & (S_ISGID | 0010)) != (S_ISGID | 0010) &&
	    !inode_permission(ino, MAY_READ | MAY_WRITE))
		return 0;
	return -EPERM;
}

int vfs_may_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname)
{
	struct inode *src, *dst;
	int err;

	if (on_rofs(odir) || on_rofs(ndir))
		return -EROFS;
	if (vfs_caller_privileged())
		return 0;
	err = may_delete_child(odir, oname, &src);
	if (err)
		return err;
	err = child(ndir, nname, &dst);
	if (!err) {
		err = vfs_may_delete(ndir, dst);
		inode_put(dst);
	} else if (err == -ENOENT) {
		err = vfs_may_create(ndir);
	}
	if (!err && S_ISDIR(src->mode) && odir != ndir)
		err = inode_permission(src, MAY_WRITE);
	inode_put(src);
	return err;
}

void inode_init_owner(struct inode *ino, const struct inode *dir)
{
	const struct cred *c = cred_current();

	ino->uid = c->fsuid;
	if (!dir || !(dir->mode & S_ISGID)) {
		ino->gid = c->fsgid;
		return;
	}
	/* A set-group-ID directory: its group, and directories keep the bit. */
	ino->gid = dir->gid;
	if (S_ISDIR(ino->mode))
		ino->mode |= S_ISGID;
	else if ((ino->mode & (S_ISGID | 0010)) == (S_ISGID | 0010) &&
		 !cred_in_group(c, dir->gid) && !cred_fs_capable(c))
		ino->mode &= ~(uint32_t)S_ISGID;
}

void inode_remove_privs(struct inode *ino)
{
	const struct cred *c = cred_current();
	uint32_t mode = ino->mode, kill = mode & S_ISUID;

	/* Linux's setattr_should_drop_sgid: with group execute, or when the
	 * caller is not in the file's group. */
	if ((mode & S_ISGID) && ((mode & 0010) || !cred_in_group(c, ino->gid)))
		kill |= S_ISGID;
	if (!kill || !S_ISREG(mode) || cred_fs_capable(c))
		return;
	ino->mode = mode & ~kill;
	ino->ctime_ns = vfs_now_ns();
}

/*
 * The counts change with a compare-and-swap so a check and its update are
 * one step. relaxed: they order nothing else; they are a tally, read and
 * changed only through these calls.
 */
int inode_get_write_access(struct inode *ino)
{
	int v = atomic_load_explicit(&ino->writecount, memory_order_relaxed);

	do {
		if (v < 0)
			return -ETXTBSY;
	} while (!atomic_compare_exchange_weak_explicit(&ino->writecount, &v, v + 1,
							memory_order_relaxed, memory_order_relaxed));
	return 0;
}

void inode_put_write_access(struct inode *ino)
{
	atomic_fetch_sub_explicit(&ino->writecount, 1, memory_order_relaxed);
}

int inode_deny_write_access(struct inode *ino)
{
	int v = atomic_load_explicit(&ino->writecount, memory_order_relaxed);

	do {
		if (v > 0)
			return -ETXTBSY;
	} while (!atomic_compare_exchange_weak_explicit(&ino->writecount, &v, v - 1,
							memory_order_relaxed, memory_order_relaxed));
	return 0;
}

void inode_allow_write_access(struct inode *ino)
{
	atomic_fetch_add_explicit(&ino->writecount, 1, memory_order_relaxed);
}

int vfs_open_truncate(struct inode *ino, unsigned acc)
{
	/* A writable open took the access already (file_open_inode). */
	int err = acc == O_RDONLY ? inode_get_write_access(ino) : 0;

	if (err)
		return err;
	err = vfs_truncate(ino, 0);
	if (acc == O_RDONLY)
		inode_put_write_access(ino);
	return err;
}
