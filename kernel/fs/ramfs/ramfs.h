/* SPDX-License-Identifier: MIT */
/*
 * ramfs: the in-memory file system that holds the root unpacked from the
 * initrd (and stays the fallback root when there is no disk). Directories
 * are lists of names, regular files are arrays of pages (holes are NULL
 * pages and read as zeros), symlinks hold their target string.
 * Every op is synchronous (never -EIOWAIT).
 */
#ifndef KERNEL_FS_RAMFS_RAMFS_H
#define KERNEL_FS_RAMFS_RAMFS_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/vfs.h"

struct inode;

/*
 * One ramfs instance: the boot root's (no limits), or a tmpfs mount's
 * (kernel/fs/tmpfs), whose limits ramfs enforces: -ENOSPC when a new inode
 * or a new file page would pass max_inodes / max_pages (0: no limit).
 * Pages are counted as the files' page caches hold them (holes are free).
 */
struct ramfs_sb {
	struct superblock vsb;
	uint64_t max_pages, max_inodes;	/* L:ramfs_lock (remount may change them) */
	uint64_t pages, inodes;		/* L:ramfs_lock: in use (the root is an inode) */
	uint64_t orphans;		/* L:ramfs_lock: inodes without a name still alive */
};

/* A new, empty ramfs on rsb (vsb filled by the caller, counters zero) with
 * a root directory of mode (S_IFDIR added); counted, NULL on ENOMEM. */
struct inode *ramfs_create_fs_on(struct ramfs_sb *rsb, uint32_t mode);
/*
 * Unmount: -EBUSY while any inode of the fs is used by anything but the
 * tree itself and the caller's reference to root; else every name is
 * removed, every inode and page freed (root consumed), 0. The caller then
 * owns rsb again.
 */
int ramfs_kill(struct inode *root);

/* A new, empty ramfs; returns its root directory (counted), NULL on ENOMEM. */
struct inode *ramfs_create_fs(void);

/* Objects in use, for leak checks in tests: inodes and bytes of file pages. */
size_t ramfs_inodes_in_use(void);
size_t ramfs_pages_in_use(void);
/* Bytes of one ramfs inode object (its slab stride). */
size_t ramfs_inode_bytes(void);

/*
 * Boot: make a ramfs from a newc archive (may be NULL/0: an empty root),
 * make it the root (vfs_set_root), and create /dev/console, /dev/null and
 * /dev/zero if the archive lacks them. Hard links (entries with c_nlink > 1)
 * are joined by c_ino. A malformed archive is rejected before anything is
 * built: a message, -EINVAL, and no root is set. Out of memory while
 * unpacking keeps the partial tree as the root and returns -ENOMEM.
 */
int ramfs_mount_root_from_cpio(const void *data, size_t len);

#endif
