/* SPDX-License-Identifier: MIT */
/*
 * ext2 (revision 1, as `mke2fs -t ext2` makes it) over the buffer cache.
 *
 * Every op follows the VFS restart contract (vfs.h): it gathers every block
 * it needs from the cache first and returns -EIOWAIT, with nothing changed,
 * when one is missing; only then does it change the cached copies. Writes
 * stay in the cache until ext2_sync / bcache_sync.
 */
#ifndef KERNEL_FS_EXT2_EXT2_H
#define KERNEL_FS_EXT2_EXT2_H

#include <stdbool.h>
#include <stdint.h>

struct blkdev;
struct inode;
struct superblock;
struct ext2_fs;

#define EXT2_SUPER_MAGIC 0xEF53

/*
 * Mount the ext2 on dev. *root receives its root directory (counted).
 * May return -EIOWAIT (restart contract), -EINVAL (not ext2, or a feature we
 * refuse: the reason is printed), -EIO, -ENOMEM. An unknown RO_COMPAT
 * feature mounts read-only (printed); writes then fail with -EROFS.
 */
int ext2_mount(struct blkdev *dev, struct ext2_fs **out, struct inode **root);

/*
 * Boot: mount dev as the root file system (vfs_set_root), waiting for the
 * disk with exec_block_on. Call on the boot hart, outside any poll. Returns
 * 0, or an error with the root unchanged (the initramfs stays the root).
 */
int ext2_mount_root(struct blkdev *dev);

/* Finish deferred work (inodes unlinked while open, then closed) into the
 * cache. May return -EIOWAIT. Does not write the cache to disk. */
int ext2_flush(struct ext2_fs *fs);

/* The ext2 a VFS superblock belongs to, or NULL when it is not ext2. */
struct ext2_fs *ext2_from_sb(struct superblock *sb);
struct blkdev *ext2_blkdev(struct ext2_fs *fs);
/* Drop the fs if nothing but root holds it: -EBUSY while inodes are in use.
 * root is the reference ext2_mount returned (consumed on success). */
int ext2_unmount(struct ext2_fs *fs, struct inode *root);

struct ext2_statfs {
	uint32_t bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	bool ro;
};
void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st);

#endif
