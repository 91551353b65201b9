// SPDX-License-Identifier: MIT
/* pipe2: a new pipe's two ends as two descriptors. */
#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/pipe.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

SYSCALL(59, pipe2)
{
	struct fdtable *t = proc_files(sc->proc);
	unsigned flags = (unsigned)sc->arg[1];
	struct file *rd, *wr;
	int fds[2];
	int err;

	if (!t)
		return -EMFILE;
	if (flags & ~(unsigned)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	err = pipe_create(&rd, &wr, flags);
	if (err)
		return err;
	fds[0] = fdtable_install(t, rd, 0, flags);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fdtable_install(t, wr, 0, flags);
	if (fds[1] < 0) {
		fdtable_close(t, fds[0]);
		file_put(wr);
		return fds[1];
	}
	err = copy_to_user(proc_as(sc->proc), sc->arg[0], fds, sizeof(fds));
	if (err) {
		fdtable_close(t, fds[0]);
		fdtable_close(t, fds[1]);
		return err;
	}
	return 0;
}
