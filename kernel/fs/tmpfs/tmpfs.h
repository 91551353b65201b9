/* SPDX-License-Identifier: MIT */
/*
 * tmpfs (kernel/fs/tmpfs): ramfs with per-mount limits, Linux's options and
 * statfs; mounted at /tmp and /dev/shm at boot.
 */
#ifndef KERNEL_FS_TMPFS_TMPFS_H
#define KERNEL_FS_TMPFS_TMPFS_H

#include <stdint.h>

struct superblock;

/* What the option string asks for (0 limits: none). */
struct tmpfs_opts {
	uint64_t max_pages, max_inodes;
	uint32_t mode, uid, gid;
};

/* Parse "size=64k,nr_inodes=10,mode=1777,uid=0,gid=0" into o (fields not
 * named keep their value): 0, or -EINVAL for an unknown or malformed option. */
int tmpfs_parse_opts(const char *data, struct tmpfs_opts *o);

struct tmpfs_usage {
	uint64_t max_pages, pages, max_inodes, inodes;
};
/* A snapshot of a tmpfs superblock's limits and use. */
void tmpfs_usage(struct superblock *sb, struct tmpfs_usage *u);

/* Boot: mount tmpfs on /tmp and /dev/shm (each where the directory exists). */
void tmpfs_boot(void);

#endif
