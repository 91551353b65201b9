/* SPDX-License-Identifier: MIT */
/* procfs: /proc, a file system of generated files (kernel/fs/proc/). */
#ifndef KERNEL_FS_PROC_PROCFS_H
#define KERNEL_FS_PROC_PROCFS_H

struct fdt_info;

/* Boot: mount proc on the directory path if it exists (0, or -errno). */
int procfs_mount_at(const char *path);
/* Boot, once the root is mounted: remember the device tree (cpuinfo) and
 * mount /proc and /sys where the root has those directories. */
void procfs_boot(const struct fdt_info *fi);

#endif
