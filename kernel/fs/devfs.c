// SPDX-License-Identifier: MIT
/* Character devices by number (the driver behind each) and the /dev directory of the root:
 * those and a node per block device (kernel/block/blkdev.h). */
#include "kernel/fs/devfs.h"

#include "kernel/block/blkdev.h"
#include "kernel/drivers/char/mem.h"
#include "kernel/drivers/tty/tty.h"
#include "lib/errno.h"
#include "lib/string.h"

const struct file_ops *devfs_fops(uint32_t rdev)
{
	switch (rdev) {
	case DEV_NULL:
		return &mem_null_fops;
	case DEV_ZERO:
		return &mem_zero_fops;
	case DEV_FULL:
		return &mem_full_fops;
	case DEV_RANDOM:
		return &mem_random_fops;
	case DEV_URANDOM:
		return &mem_urandom_fops;
	case DEV_TTY:
	case DEV_CONSOLE:
		return &tty_fops;
	default:
		return NULL;
	}
}

const char *devfs_name(uint32_t rdev)
{
	switch (rdev) {
	case DEV_NULL:
		return "null";
	case DEV_ZERO:
		return "zero";
	case DEV_TTY:
		return "tty";
	case DEV_CONSOLE:
		return "console";
	default:
		return NULL;
	}
}

static int make_if_missing(struct inode *dir, const char *name, uint32_t mode, uint32_t rdev,
			   struct inode **out)
{
	struct inode *ino;
	int err = dir->iops->lookup(dir, name, strlen(name), &ino);

	if (err == -ENOENT)
		err = dir->iops->create(dir, name, strlen(name), mode, rdev, &ino);
	if (err)
		return err;
	if (out)
		*out = ino;
	else
		inode_put(ino);
	return 0;
}

int devfs_populate(struct inode *root)
{
	static const struct {
		const char *name;
		uint32_t rdev;
	} nodes[] = {
		{ "console", DEV_CONSOLE },
		{ "tty", DEV_TTY },
		{ "null", DEV_NULL },
		{ "zero", DEV_ZERO },
		{ "full", DEV_FULL },
		{ "random", DEV_RANDOM },
		{ "urandom", DEV_URANDOM },
	};
	struct inode *dev;
	int err = make_if_missing(root, "dev", S_IFDIR | 0755, 0, &dev);

	if (err)
		return err;
	if (!S_ISDIR(dev->mode)) {
		inode_put(dev);
		return -ENOTDIR;
	}
	for (unsigned i = 0; i < sizeof(nodes) / sizeof(nodes[0]) && !err; i++)
		err = make_if_missing(dev, nodes[i].name, S_IFCHR | 0666, nodes[i].rdev, NULL);
	/* Every disk and partition, brw-rw---- as udev makes them. */
	for (unsigned i = 0; i < blkdev_count() && !err; i++) {
		struct blkdev *d = blkdev_get(i);

		if (d)
			err = make_if_missing(dev, d->name, S_IFBLK | 0660, d->devt, NULL);
	}
	inode_put(dev);
	return err;
}
