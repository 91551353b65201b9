/* SPDX-License-Identifier: MIT */
/* sysfs: /sys, generated files about harts and block devices (kernel/fs/sysfs/). */
#ifndef KERNEL_FS_SYSFS_SYSFS_H
#define KERNEL_FS_SYSFS_SYSFS_H

/* Boot: mount sysfs on the directory path if it exists (0, or -errno). */
int sysfs_mount_at(const char *path);

#endif
