/* SPDX-License-Identifier: MIT */
/*
 * Writing mounted file systems back: sync, fsync, fdatasync and umount2 all
 * hand the userloop one sync future (sync.c) over the file systems concerned.
 */
#ifndef KERNEL_FS_SYNC_H
#define KERNEL_FS_SYNC_H

#include <stdbool.h>

#include "kernel/fs/vfs.h"

struct sys_ctx;

/* Does the fs of sb keep anything that a sync writes back (super_ops.sync)? */
static inline bool fs_has_sync(const struct superblock *sb)
{
	return sb && sb->ops && sb->ops->sync;
}

/*
 * Start a sync of the file systems of roots[0..n) (each a counted inode of
 * its fs, passed in: they keep each fs mounted) as sc->pending (umount is
 * unused: see fs_umount_start). 0, or -ENOMEM with the references put.
 */
long fs_sync_start(struct sys_ctx *sc, struct inode **roots, unsigned n, bool umount);

struct mount;
/*
 * umount2: write back the fs of root (counted, passed in), then drop mount
 * id (kernel/fs/mount.h: -EBUSY leaves it mounted). With detached (a mount
 * already taken off the list, MNT_DETACH) it is dropped instead, and if
 * still in use, later, by a task that retries until its last user is gone.
 */
long fs_umount_start(struct sys_ctx *sc, struct inode *root, unsigned id, struct mount *detached);

/* sync(2): the same over every mounted file system that keeps anything to write
 * back (the root and each mount), for the sync syscall and the shutdown. */
long fs_sync_all(struct sys_ctx *sc);

#endif
