/* SPDX-License-Identifier: MIT */
/*
 * What every file-system syscall file shares: the restart of a handler
 * after a disk-cache miss (fs_call, FS_SYSCALL), copying a user path, and
 * the *at() prologue (dirfd + path -> base directory + kernel path).
 *
 * A handler run through FS_SYSCALL is restartable: it only reads its
 * arguments (user memory included) and calls the VFS. If an op parks an I/O
 * future and returns -EIOWAIT (a disk file system's cache miss; vfs.h),
 * fs_call() hands the userloop a future that awaits the I/O and runs the
 * handler again from the start.
 */
#ifndef KERNEL_FS_FS_SYSCALL_H
#define KERNEL_FS_FS_SYSCALL_H

#include <stdint.h>

#include "kernel/syscall/syscall.h"

struct inode;

/* SYSCALL_ASYNC(nr, name) whose body, do_name(sc), is restarted by fs_call. */
#define FS_SYSCALL(nr, name)                                                                      \
	static long do_##name(struct sys_ctx *sc);                                                \
	SYSCALL_ASYNC(nr, name)                                                                   \
	{                                                                                         \
		return fs_call(sc, do_##name);                                                    \
	}                                                                                         \
	static long do_##name(struct sys_ctx *sc)

/* Copy a user path into a kmalloc'd PATH_MAX buffer (*out, freed by the
 * caller); returns its length, or -EFAULT / -ENAMETOOLONG / -ENOMEM. */
long fs_get_user_path(struct sys_ctx *sc, uintptr_t upath, char **out);

/*
 * The two halves of a *at() call's name: the kernel copy of the path and
 * the directory it is relative to (NULL for AT_FDCWD or an absolute path:
 * the walk then starts at the cwd or the root; else dirfd's inode, counted).
 */
struct at_path {
	char *path;
	struct inode *base;
};

/* Fill ap from (dirfd, upath): -EFAULT, -ENAMETOOLONG, -EBADF, -ENOTDIR
 * (dirfd not a directory and the path not empty). On success the caller
 * calls at_path_put. */
long at_path_get(struct sys_ctx *sc, int dirfd, uintptr_t upath, struct at_path *ap);
void at_path_put(struct at_path *ap);

/*
 * The inode a *at() call names, in one step (at_path_get, look up, put):
 * the path from dirfd's directory or, for an empty path with AT_EMPTY_PATH
 * in at_flags, dirfd itself (the cwd for AT_FDCWD). AT_SYMLINK_NOFOLLOW in
 * at_flags does not follow a final symlink; walk adds WALK_* flags. The
 * plain path calls (chdir, statfs, truncate) pass AT_FDCWD. *out is counted.
 */
long at_lookup(struct sys_ctx *sc, int dirfd, uintptr_t upath, unsigned at_flags, unsigned walk,
	       struct inode **out);

#endif
