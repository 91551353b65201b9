// SPDX-License-Identifier: MIT
/* Writing back: sync, syncfs, fsync, fdatasync (each hands the userloop a sync future, sync.c). */
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/sync.h"
#include "kernel/fs/vfs.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

SYSCALL_ASYNC(81, sync)
{
	return fs_sync_all(sc);
}

/* fsync and fdatasync: the whole device of the file (there is no per-file
 * dirty list), or the device a block device file is; nothing to do on an
 * in-memory fs; -EINVAL on streams. */
static long fsync_fd(struct sys_ctx *sc)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	struct inode *root;
	long r = 0;

	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->seekable) {
		r = -EINVAL;
	} else if (blkdev_of_file(f)) {
		/* A device node: its cached blocks, then a device flush. */
		sc->pending = bcache_sync(blkdev_of_file(f));
		r = sc->pending ? 0 : -ENOMEM;
	} else if (blkdev_of_file(f)) {
		/* A device node: its cached blocks, then a device flush. */
		sc->pending = bcache_sync(blkdev_of_file(f));
		r = sc->pending ? 0 : -ENOMEM;
	} else if (fs_has_sync(f->inode->sb)) {
		/* Any inode of the fs keeps it mounted; the sync needs only its sb. */
		root = inode_get(f->inode);
		r = fs_sync_start(sc, &root, 1, false);
	}
	file_put(f);
	return r;
}

SYSCALL_ASYNC(82, fsync)
{
	return fsync_fd(sc);
}

SYSCALL_ASYNC(83, fdatasync)
{
	return fsync_fd(sc);
}

/* syncfs: the file system the fd's file is on (the fs holding a device
 * node, not the device; nothing to do for pipes and in-memory files). */
SYSCALL_ASYNC(267, syncfs)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	struct inode *ino;
	long r = 0;

	if (!f)
		return -EBADF;
	if (fs_has_sync(f->inode->sb)) {
		ino = inode_get(f->inode);
		r = fs_sync_start(sc, &ino, 1, false);
	}
	file_put(f);
	return r;
}
