/* SPDX-License-Identifier: MIT */
/* Character devices by number: /dev/console (5,1), /dev/tty (5,0), /dev/null (1,3), /dev/zero
 * (1,5), /dev/full (1,7), /dev/random (1,8), /dev/urandom (1,9). */
#ifndef KERNEL_FS_DEVFS_H
#define KERNEL_FS_DEVFS_H

#include <stdint.h>

#include "kernel/fs/vfs.h"

#define DEV_NULL MKDEV(1, 3)
#define DEV_ZERO MKDEV(1, 5)
#define DEV_FULL MKDEV(1, 7)
#define DEV_RANDOM MKDEV(1, 8)
#define DEV_URANDOM MKDEV(1, 9)
#define DEV_TTY MKDEV(5, 0)
#define DEV_CONSOLE MKDEV(5, 1)

/* The file ops of character device rdev, or NULL (open gives -ENXIO). */
const struct file_ops *devfs_fops(uint32_t rdev);

/* The name under /dev of a character device number, or NULL. */
const char *devfs_name(uint32_t rdev);
/* Create /dev and its standard nodes under root where missing. 0 or -errno. */
int devfs_populate(struct inode *root);

#endif
