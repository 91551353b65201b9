// SPDX-License-Identifier: MIT
/*
 * ext2 at boot: mount the root from a disk, waiting for the cache misses
 * with vfs_wait_io_here (the boot hart, outside any poll), then make sure /dev
 * holds the console and friends.
 */
#include "kernel/async/future.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/devfs.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/printk.h"
#include "lib/errno.h"

struct ext2_fs *ext2_root_fs; /* I: the root, once mounted (for sync at power-off) */

int ext2_mount_root(struct blkdev *dev)
{
	struct ext2_fs *fs;
	struct inode *root;
	int err;

	while ((err = ext2_mount(dev, &fs, &root)) == -EIOWAIT)
		if (!vfs_wait_io_here())
			return -EIO;
	if (err) {
		kprintf("ext2: root not mounted (%d); keeping the initramfs\n", err);
		return err;
	}
	while ((err = devfs_populate(root)) == -EIOWAIT)
		if (!vfs_wait_io_here())
			break;
	if (err)
		kprintf("ext2: /dev not populated (%d)\n", err);
	fs->vsb.dev = dev->devt; /* st_dev is the disk's number, as on Linux */
	vfs_set_root(root);
	inode_put(root);
	ext2_root_fs = fs;
	kprintf("ext2: root mounted (%u-byte blocks, %u groups%s)\n", fs->bsize, fs->ngroups,
		fs->ro ? ", read-only" : "");
	return 0;
}
