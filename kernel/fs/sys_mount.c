// SPDX-License-Identifier: MIT
/* Mounting: mount, umount2 (a file system type on a block device, FS_TYPE). */
#include "kernel/block/blkdev.h"
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/sync.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Is dev the device of the root or of a mounted fs? */
static bool dev_in_use(struct blkdev *dev)
{
	struct inode *roots[VFS_MAX_MOUNTS + 1];
	unsigned n;
	bool used = false;

	roots[0] = inode_get(vfs_root);
	n = 1 + vfs_mount_roots(roots + 1, VFS_MAX_MOUNTS);
	for (unsigned i = 0; i < n; i++) {
		if (roots[i] && roots[i]->sb && roots[i]->sb->bdev == dev)
			used = true;
		inode_put(roots[i]);
	}
	return used;
}

/*
 * mount(source, target, fstype, flags, data): a registered fs type
 * (FS_TYPE); for one on a device, source is "/dev/vdb" or "vdb".
 */
FS_SYSCALL(40, mount)
{
	char src[32], type[16];
	const char *name = src;
	const struct fs_type *fst;
	struct inode *dir, *root;
	struct blkdev *dev = NULL;
	struct mount_opts opts = {.flags = sc->arg[3]};
	char *target, *data = NULL;
	long r;

	if (!cred_capable(proc_cred(sc->proc)))
		return -EPERM; /* CAP_SYS_ADMIN */
	r = strncpy_from_user(proc_as(sc->proc), type, sc->arg[2], sizeof(type));
	if (r < 0)
		return r;
	fst = r < (long)sizeof(type) ? vfs_fs_type(type) : NULL;
	if (!fst)
		return -ENODEV;
	if (fst->needs_dev) {
		r = strncpy_from_user(proc_as(sc->proc), src, sc->arg[0], sizeof(src));
		if (r < 0)
			return r;
		if (r >= (long)sizeof(src))
			return -ENAMETOOLONG;
		if (!strncmp(name, "/dev/", 5))
			name += 5;
		dev = blkdev_find(name);
		if (!dev)
			return -ENOENT;
		if (dev_in_use(dev))
			return -EBUSY;
	}
	r = fs_get_user_path(sc, sc->arg[1], &target);
	if (r < 0)
		return r;
	r = vfs_lookup(sc->proc, NULL, target, WALK_DIRECTORY, &dir);
	kfree(target);
	if (r)
		return r;
	if (dir == vfs_root) {
		r = -EBUSY;
		goto out;
	}
	if (sc->arg[4]) { /* options: one page at most, as Linux copies */
		data = kmalloc(PAGE_SIZE);
		if (!data) {
			r = -ENOMEM;
			goto out;
		}
		r = strncpy_from_user(proc_as(sc->proc), data, sc->arg[4], PAGE_SIZE);
		if (r < 0)
			goto out;
		data[PAGE_SIZE - 1] = '\0';
		opts.data = data;
	}
	r = fst->mount(dev, &opts, &root); /* -EIOWAIT: fs_call restarts us */
	if (r)
		goto out;
	r = vfs_mount_add(dir, root);
	if (r && root->sb->ops && root->sb->ops->unmount)
		root->sb->ops->unmount(root->sb, root);
	else if (r)
		inode_put(root);
	else
		inode_put(root); /* the table holds it now */
out:
	kfree(data);
	inode_put(dir);
	return r;
}

#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8

FS_SYSCALL(39, umount2)
{
	unsigned flags = (unsigned)sc->arg[1];
	struct inode *root, *under;
	char *target;
	long r;

	if (flags & ~(unsigned)(MNT_FORCE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	r = fs_get_user_path(sc, sc->arg[0], &target);
	if (r < 0)
		return r;
	r = vfs_lookup(sc->proc, NULL, target, flags & UMOUNT_NOFOLLOW ? WALK_NOFOLLOW : 0, &root);
	kfree(target);
	if (r)
		return r;
	if (!cred_capable(proc_cred(sc->proc))) {
		inode_put(root);
		return -EPERM; /* CAP_SYS_ADMIN */
	}
	under = vfs_mount_covered(root);
	if (!under) {
		inode_put(root);
		return -EINVAL; /* not a mount point */
	}
	inode_put(under);
	/* Write everything back, then drop it (sync.c, sync_unmount). */
	return fs_sync_start(sc, &root, 1, true);
}
