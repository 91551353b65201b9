// SPDX-License-Identifier: MIT
/*
 * Mounts made by the kernel itself at boot (/proc, /sys, /tmp, /dev/shm): outside any task,
 * so the path lookup waits out the root disk's cache misses on the spot.
 */
#include "kernel/async/executor.h"
#include "kernel/async/future.h"
#include "kernel/fs/vfs.h"
#include "lib/errno.h"

int vfs_mount_boot(const struct fs_type *t, const char *path, const char *data)
{
	struct mount_opts mo = { .data = data };
	struct inode *dir, *root;
	int err;

	while ((err = vfs_lookup(NULL, NULL, path, WALK_DIRECTORY, &dir)) == -EIOWAIT) {
		struct future *io = vfs_take_io_wait();

		if (!io)
			return -EIO;
		exec_block_on(io);
		future_drop(io);
		future_release(io);
	}
	if (err)
		return err;
	err = t->mount(NULL, &mo, &root);
	if (!err) {
		err = vfs_mount_add(dir, root); /* the mount takes its own reference */
		if (err && root->sb && root->sb->ops && root->sb->ops->unmount)
			root->sb->ops->unmount(root->sb, root); /* takes ours */
		else
			inode_put(root);
	}
	inode_put(dir);
	return err;
}
