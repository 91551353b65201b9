// SPDX-License-Identifier: MIT
/*
 * Opening and closing: openat, close. An open whose file must still wait
 * (file_ops.open_wait: a FIFO's other end) hands the userloop an open
 * future that awaits it and then installs the descriptor; dropping it (a
 * signal) puts the file, which undoes the open.
 */
#include "kernel/async/future.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/list.h"

/*
 *   WAIT --(wait READY: 0)--> install the fd --> READY (fd or -EMFILE)
 *   WAIT --(wait READY: -errno)--> READY (-errno)
 *   WAIT --(drop)--> the file is put
 */
struct open_future {
	struct future base;
	struct proc *proc;
	struct file *file;	/* owned until installed */
	struct future *wait;	/* owned */
	unsigned cloexec;
};

static void open_drop(struct future *fut)
{
	struct open_future *o = container_of(fut, struct open_future, base);

	if (o->wait) {
		future_drop(o->wait);
		future_release(o->wait);
		o->wait = NULL;
	}
	fut->awaiting = NULL;
	file_put(o->file);
	o->file = NULL;
}

static enum poll open_poll(struct future *fut, struct context *cx)
{
	struct open_future *o = container_of(fut, struct open_future, base);
	long r;

	if (future_poll(o->wait, cx) == POLL_PENDING)
		return POLL_PENDING;
	r = o->wait->result;
	future_drop(o->wait);
	future_release(o->wait);
	o->wait = NULL;
	fut->awaiting = NULL;
	if (!r) {
		r = fd_install(o->proc, o->file, o->cloexec);
		if (r >= 0)
			o->file = NULL; /* the table has it */
	}
	file_put(o->file);
	o->file = NULL;
	fut->result = r;
	return POLL_READY;
}

static void open_release(struct future *fut)
{
	kfree(container_of(fut, struct open_future, base));
}

static const struct future_ops open_ops = {
	.name = "open",
	.poll = open_poll,
	.drop = open_drop,
	.release = open_release,
};

/* f is open: install it now, or hand the userloop what it must wait for. */
static long finish_open(struct sys_ctx *sc, struct file *f, int flags)
{
	struct future *wait = NULL;
	struct open_future *o;
	long r = 0;

	if (f->ops && f->ops->open_wait)
		r = f->ops->open_wait(f, &wait);
	if (!r && !wait) {
		r = fd_install(sc->proc, f, flags & O_CLOEXEC);
		if (r >= 0)
			return r;
	}
	if (r < 0) {
		file_put(f);
		return r;
	}
	o = kmalloc(sizeof(*o));
	if (!o) {
		future_drop(wait);
		future_release(wait);
		file_put(f);
		return -ENOMEM;
	}
	future_init(&o->base, &open_ops);
	o->proc = sc->proc;
	o->file = f;
	o->wait = wait;
	o->cloexec = flags & O_CLOEXEC;
	o->base.awaiting = wait;
	sc->pending = &o->base;
	return 0;
}

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
	if (!r && S_ISREG(f->inode->mode))
		file_set_name(f, ap.path[0] == '/' ? proc_root(sc->proc) :
				 ap.base ? ap.base : proc_cwd(sc->proc), ap.path);
	if (!r)
		r = finish_open(sc, f, flags);
	at_path_put(&ap);
	return r;
}

SYSCALL(57, close)
{
	struct fdtable *t = proc_files(sc->proc);

	return t ? fdtable_close(t, (int)sc->arg[0]) : -EBADF;
}
