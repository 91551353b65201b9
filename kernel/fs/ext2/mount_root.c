// SPDX-License-Identifier: MIT
/*
 * ext2 at boot: mount the root from a disk, waiting for the cache misses
 * with exec_block_on (the boot hart, outside any poll), then make sure /dev
 * holds the console and friends.
 */
#include "kernel/async/executor.h"
#include "kernel/async/future.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/devfs.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/printk.h"
#include "lib/errno.h"

struct ext2_fs *ext2_root_fs; /* I: the root, once mounted (for sync at power-off) */

/* Wait for the parked I/O of an -EIOWAIT; false when there was none. */
static bool wait_io(void)
{
	struct future *f = vfs_take_io_wait();

	if (!f)
		return false;
	exec_block_on(f);
	future_drop(f);
	future_release(f);
	return true;
}

int ext2_mount_root(struct blkdev *dev)
{
	struct ext2_fs *fs;
	struct inode *root;
	int err;

	while ((err = ext2_mount(dev, &fs, &root)) == -EIOWAIT)
		if (!wait_io())
			return -EIO;
	if (err) {
		kprintf("ext2: root not mounted (%d); keeping the initramfs\n", err);
		return err;
	}
	while ((err = devfs_populate(root)) == -EIOWAIT)
		if (!wait_io())
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
