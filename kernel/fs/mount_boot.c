// SPDX-License-Identifier: MIT
/*
 * Work the kernel does outside any task (boot, in-kernel tests): waiting on the spot for the
 * disk read an -EIOWAIT parked, and the mounts made at boot (/proc, /sys, /tmp, /dev/shm).
 */
#include "kernel/async/executor.h"
#include "kernel/async/future.h"
#include "kernel/fs/vfs.h"
#include "lib/errno.h"

bool vfs_wait_io_here(void)
{
	struct future *io = vfs_take_io_wait();

	if (!io)
		return false;
	exec_block_on(io);
	future_drop(io);
	future_release(io);
	return true;
}

int vfs_mount_boot(const struct fs_type *t, const char *path, const char *data)
{
	struct mount_opts mo = { .data = data };
	struct inode *dir, *root;
	int err;

	while ((err = vfs_lookup(NULL, NULL, path, WALK_DIRECTORY, &dir)) == -EIOWAIT)
		if (!vfs_wait_io_here())
			return -EIO;
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
