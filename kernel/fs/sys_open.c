// SPDX-License-Identifier: MIT
/* Opening and closing: openat, close. */
#include "kernel/fs/fdtable.h"
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/vfs.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"

FS_SYSCALL(56, openat)
{
	int flags = (int)sc->arg[2];
	uint32_t mode = (uint32_t)sc->arg[3];
	struct at_path ap;
	struct file *f;
	struct fdtable *t = proc_files(sc->proc);
	long r;

	r = at_path_get(sc, (int)sc->arg[0], sc->arg[1], &ap);
	if (r < 0)
		return r;
	/* A descriptor before the open, as Linux: an open that creates must not
	 * create and then fail with EMFILE. Only this process's userloop fills
	 * its table, so the room is still there at fd_install (threads sharing
	 * a table will need the slot reserved instead). */
	r = t ? fdtable_room(t, 0) : -EMFILE;
	if (r < 0) {
		at_path_put(&ap);
		return r;
	}
	r = vfs_open(sc->proc, ap.base, ap.path, flags, mode, &f);
	if (!r) {
		r = fd_install(sc->proc, f, flags & O_CLOEXEC);
		if (r < 0)
			file_put(f);
	}
	at_path_put(&ap);
	return r;
}

SYSCALL(57, close)
{
	struct fdtable *t = proc_files(sc->proc);

	return t ? fdtable_close(t, (int)sc->arg[0]) : -EBADF;
}
