// SPDX-License-Identifier: MIT
/*
 * The namespace operations built on the path walk (path.c): mknod/mkdir, unlink/rmdir,
 * symlink, link, rename. Each resolves the parent, checks names and permissions (perm.c)
 * and calls the file system's op under the name cache's namespace lock, updating the
 * cache after a success (path_ns_begin / path_ns_end, dcache.h).
 */
#include "kernel/fs/vfs.h"

#include "kernel/fs/dcache.h"
#include "kernel/fs/path_int.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

int vfs_mknod(struct proc *p, struct inode *base, const char *path, uint32_t mode, uint32_t rdev)
{
	struct inode *ino;
	int err = vfs_mknod_inode(p, base, path, mode, rdev, &ino);

	if (!err)
		inode_put(ino);
	return err;
}

int vfs_mknod_inode(struct proc *p, struct inode *base, const char *path, uint32_t mode,
		    uint32_t rdev, struct inode **out)
{
	char name[NAME_MAX + 1];
	struct inode *dir, *ino;
	bool trailing;
	int err;

	err = vfs_lookup_parent(p, base, path, &dir, name, &trailing);
	if (err)
		return err;
	if (path_is_dot_or_empty(name))
		err = -EEXIST;
	else if (trailing && !S_ISDIR(mode))
		err = -ENOENT;
	else if (!dir->iops || !dir->iops->create)
		err = -EPERM;
	else if ((err = vfs_may_create_name(dir, name)))
		;
	else if ((S_ISCHR(mode) || (mode & S_IFMT) == S_IFBLK) && !vfs_caller_privileged())
		err = -EPERM; /* device nodes need CAP_MKNOD */
	else {
		struct path_ns n;

		path_ns_begin(&n, dir);
		err = dir->iops->create(dir, name, strlen(name),
					(mode & S_IFMT) | (mode & 07777 & ~path_umask(p)), rdev, &ino);
		path_ns_end(&n, err, name, err ? NULL : ino);
	}
	if (!err)
		*out = ino;
	inode_put(dir);
	return err;
}

int vfs_unlink(struct proc *p, struct inode *base, const char *path, bool rmdir)
{
	char name[NAME_MAX + 1];
	struct inode *dir;
	bool trailing;
	int err;

	err = vfs_lookup_parent(p, base, path, &dir, name, &trailing);
	if (err)
		return err;
	if (!name[0]) {
		err = rmdir ? -EBUSY : -EISDIR;
	} else if (!strcmp(name, ".")) {
		err = rmdir ? -EINVAL : -EISDIR;
	} else if (!strcmp(name, "..")) {
		err = rmdir ? -ENOTEMPTY : -EISDIR;
	} else if (trailing && !rmdir) {
		struct inode *child;

		err = vfs_lookup_child(dir, name, strlen(name), &child);
		if (!err) {
			err = S_ISDIR(child->mode) ? -EISDIR : -ENOTDIR;
			inode_put(child);
		}
	} else if (!dir->iops || !dir->iops->unlink) {
		err = -EPERM;
	} else if (!(err = vfs_may_delete_name(dir, name)) &&
		   !(err = rmdir ? vfs_mount_busy(dir, name) : 0)) {
		struct inode *victim = NULL;

		/* A removed directory's own entries must go with it (they pin it). */
		if (rmdir && dcache_enabled(dir) &&
		    (err = path_lookup_raw(dir, name, strlen(name), &victim)) == -EIOWAIT)
			goto out;
		struct path_ns n;

		path_ns_begin(&n, dir);
		err = dir->iops->unlink(dir, name, strlen(name), rmdir);
		path_ns_end(&n, err, name, NULL);
		if (!err && victim)
			dcache_forget_dir(victim);
		inode_put(victim);
	}
out:
	inode_put(dir);
	return err;
}

int vfs_symlink(struct proc *p, struct inode *base, const char *target, const char *path)
{
	char name[NAME_MAX + 1];
	struct inode *dir, *ino;
	bool trailing;
	int err;

	if (!target[0])
		return -ENOENT;
	if (strnlen(target, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	err = vfs_lookup_parent(p, base, path, &dir, name, &trailing);
	if (err)
		return err;
	if (path_is_dot_or_empty(name))
		err = -EEXIST;
	else if (trailing)
		err = -ENOENT;
	else if (!dir->iops || !dir->iops->symlink)
		err = -EPERM;
	else if (!(err = vfs_may_create_name(dir, name))) {
		struct path_ns n;

		path_ns_begin(&n, dir);
		err = dir->iops->symlink(dir, name, strlen(name), target, &ino);
		path_ns_end(&n, err, name, err ? NULL : ino);
	}
	if (!err)
		inode_put(ino);
	inode_put(dir);
	return err;
}

int vfs_link(struct proc *p, struct inode *obase, const char *opath, struct inode *nbase,
	     const char *npath, bool follow)
{
	char name[NAME_MAX + 1];
	struct inode *old, *dir;
	bool trailing;
	int err;

	err = vfs_lookup(p, obase, opath, follow ? 0 : WALK_NOFOLLOW, &old);
	if (err)
		return err;
	err = vfs_lookup_parent(p, nbase, npath, &dir, name, &trailing);
	if (err)
		goto out_old;
	if (S_ISDIR(old->mode))
		err = -EPERM;
	else if (path_is_dot_or_empty(name))
		err = -EEXIST;
	else if (trailing)
		err = -ENOENT;
	else if (dir->sb != old->sb)
		err = -EXDEV;
	else if (!dir->iops || !dir->iops->link)
		err = -EPERM;
	else if (!(err = vfs_may_create_name(dir, name)) && !(err = vfs_may_link(old))) {
		struct path_ns n;

		path_ns_begin(&n, dir);
		err = dir->iops->link(dir, name, strlen(name), old);
		path_ns_end(&n, err, name, old);
	}
	inode_put(dir);
out_old:
	inode_put(old);
	return err;
}

/*
 * ->rename, and the name cache after it: the old name is gone, the new one is forgotten
 * (looked up again when used), a directory it replaced loses its entries. Both names are
 * looked up first (through the cache) to know those inodes; renaming a name onto another
 * link of the same file changes nothing (as Linux).
 */
static int rename_cached(struct inode *odir, const char *oname, struct inode *ndir,
			 const char *nname, unsigned flags)
{
	size_t olen = strlen(oname), nlen = strlen(nname);
	struct inode *src = NULL, *victim = NULL;
	int err;

	if (dcache_enabled(odir)) {
		err = path_lookup_raw(odir, oname, olen, &src);
		if (err == -EIOWAIT)
			return err;
		if (err)
			src = NULL;
		err = path_lookup_raw(ndir, nname, nlen, &victim);
		if (err == -EIOWAIT) {
			inode_put(src);
			return err;
		}
		if (err)
			victim = NULL;
	}
	struct path_ns n;
	struct inode *o1 = NULL, *o2 = NULL;

	path_ns_begin(&n, odir);
	err = odir->iops->rename(odir, oname, olen, ndir, nname, nlen, flags);
	if (!err && n.on && !(src && src == victim)) {
		/* The new name: forgotten, not set, as src was looked up before the lock. */
		o1 = dcache_update(odir, oname, olen, NULL);
		o2 = dcache_forget(ndir, nname, nlen);
	}
	path_ns_end(&n, 1, NULL, NULL);
	if (!err && n.on && victim && victim != src && S_ISDIR(victim->mode))
		dcache_forget_dir(victim);
	inode_put(o1);
	inode_put(o2);
	inode_put(src);
	inode_put(victim);
	return err;
}

int vfs_rename(struct proc *p, struct inode *obase, const char *opath, struct inode *nbase,
	       const char *npath, unsigned flags)
{
	char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
	struct inode *odir, *ndir;
	bool otr, ntr;
	int err;

	err = vfs_lookup_parent(p, obase, opath, &odir, oname, &otr);
	if (err)
		return err;
	err = vfs_lookup_parent(p, nbase, npath, &ndir, nname, &ntr);
	if (err)
		goto out_odir;
	if (path_is_dot_or_empty(oname) || path_is_dot_or_empty(nname))
		err = -EBUSY;
	else if (odir->sb != ndir->sb)
		err = -EXDEV;
	else if (!odir->iops || !odir->iops->rename)
		err = -EPERM;
	else if (!(err = vfs_may_rename(odir, oname, ndir, nname)) &&
		 !(err = vfs_mount_busy(odir, oname)) && !(err = vfs_mount_busy(ndir, nname)))
		err = rename_cached(odir, oname, ndir, nname, flags);
	inode_put(ndir);
out_odir:
	inode_put(odir);
	return err;
}
