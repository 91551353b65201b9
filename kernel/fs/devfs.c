// SPDX-License-Identifier: MIT
/* The standard character devices and the /dev directory of the root. */
#include "kernel/fs/devfs.h"

#include "kernel/fs/tty.h"
#include "lib/errno.h"
#include "lib/string.h"

static long null_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return 0;
}

static long null_write(struct file *f, struct uio *u, uint64_t *pos)
{
	size_t n = u->resid;

	(void)f;
	(void)pos;
	/* Consume without touching the bytes (Linux does not check them either). */
	u->resid = 0;
	u->iovcnt = 0;
	return (long)n;
}

static long zero_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)pos;
	return uio_zero(u, u->resid);
}

static const struct file_ops null_fops = {
	.read = null_read,
	.write = null_write,
	.seekable = true,
};

static const struct file_ops zero_fops = {
	.read = zero_read,
	.write = null_write,
	.seekable = true,
};

const struct file_ops *devfs_fops(uint32_t rdev)
{
	switch (rdev) {
	case DEV_NULL:
		return &null_fops;
	case DEV_ZERO:
		return &zero_fops;
	case DEV_TTY:
	case DEV_CONSOLE:
		return &tty_fops;
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
	inode_put(dev);
	return err;
}
