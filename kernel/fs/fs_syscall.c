// SPDX-License-Identifier: MIT
/*
 * The helpers every file-system syscall file shares (fs_syscall.h): the
 * restart future of fs_call(), the user-path copy and the *at() prologue.
 */
#include "kernel/async/future.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/ioctx.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- restart after an I/O wait --------------------------------------------- */

struct restart_future {
	struct future base;
	struct sys_ctx sc;	/* a copy of the call's arguments */
	sys_fn fn;
	struct future *io;	/* the I/O being awaited (owned), or NULL */
	struct future *then;	/* the future a rerun handed back (owned), or NULL */
	bool io_waited;		/* polled io returned PENDING (or we yielded) once */
	struct ioctx ioc;	/* what earlier runs gathered (ioctx.h) */
};

static void drop_owned(struct future **f)
{
	if (*f) {
		future_drop(*f);
		future_release(*f);
		*f = NULL;
	}
}

static void restart_drop_children(struct restart_future *r)
{
	drop_owned(&r->io);
	drop_owned(&r->then);
	r->base.awaiting = NULL;
}

static void restart_drop(struct future *fut)
{
	struct restart_future *r = (struct restart_future *)fut;

	restart_drop_children(r);
	ioctx_release(&r->ioc);
}

static enum poll restart_poll(struct future *fut, struct context *cx)
{
	struct restart_future *r = (struct restart_future *)fut;

	while (r->io) {
		if (future_poll(r->io, cx) == POLL_PENDING) {
			r->io_waited = true;
			return POLL_PENDING;
		}
		if (!r->io_waited) {
			/* Ready at once: yield before rerunning, so a cache that
			 * stays full cannot make this poll spin (file_rw.c). */
			r->io_waited = true;
			waker_wake_by_ref(cx->waker);
			return POLL_PENDING;
		}
		r->io_waited = false;
		restart_drop_children(r);
		r->sc.pending = NULL;
		ioctx_enter(&r->ioc);
		long res = r->fn(&r->sc);

		ioctx_leave();
		if (res == -EIOWAIT) {
			r->io = vfs_take_io_wait();
			fut->awaiting = r->io;
			if (!r->io)
				res = -EIO;
			else
				continue;
		}
		fut->result = res;
		ioctx_release(&r->ioc); /* done: what it pinned goes back */
		/* The rerun had to wait for something else (umount2's sync): that
		 * future's result is the call's. */
		r->then = r->sc.pending;
		r->sc.pending = NULL;
		fut->awaiting = r->then;
	}
	if (r->then) {
		if (future_poll(r->then, cx) == POLL_PENDING)
			return POLL_PENDING;
		fut->result = r->then->result;
		drop_owned(&r->then);
		fut->awaiting = NULL;
	}
	return POLL_READY;
}

static void restart_release(struct future *fut)
{
	kfree(fut);
}

static const struct future_ops restart_ops = {
	.name = "fs_restart",
	.poll = restart_poll,
	.drop = restart_drop,
	.release = restart_release,
};

long fs_call(struct sys_ctx *sc, sys_fn fn)
{
	long res = fn(sc);
	struct restart_future *r;

	if (res != -EIOWAIT)
		return res;
	r = kzalloc(sizeof(*r));
	struct future *io = vfs_take_io_wait();

	if (!r || !io) {
		if (io) {
			future_drop(io);
			future_release(io);
		}
		kfree(r);
		return r ? -EIO : -ENOMEM;
	}
	future_init(&r->base, &restart_ops);
	ioctx_init(&r->ioc);
	r->sc = *sc;
	r->sc.pending = NULL;
	r->fn = fn;
	r->io = io;
	r->base.awaiting = io;
	sc->pending = &r->base;
	return 0;
}

/* ---- helpers --------------------------------------------------------------- */

long fs_get_user_path(struct sys_ctx *sc, uintptr_t upath, char **out)
{
	char *buf = kmalloc(PATH_MAX);
	long r;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	r = strncpy_from_user(proc_as(sc->proc), buf, upath, PATH_MAX);
	if (r < 0) {
		kfree(buf);
		return r;
	}
	*out = buf;
	return r;
}

long at_path_get(struct sys_ctx *sc, int dirfd, uintptr_t upath, struct at_path *ap)
{
	struct file *f;
	long r = fs_get_user_path(sc, upath, &ap->path);

	ap->base = NULL;
	if (r < 0)
		return r;
	if (dirfd == AT_FDCWD || ap->path[0] == '/')
		return 0;
	f = fd_get(sc->proc, dirfd);
	if (!f) {
		r = -EBADF;
	} else if (!S_ISDIR(f->inode->mode) && ap->path[0]) {
		r = -ENOTDIR;
	} else {
		ap->base = inode_get(f->inode);
		r = 0;
	}
	if (f)
		file_put(f);
	if (r) {
		kfree(ap->path);
		ap->path = NULL;
	}
	return r;
}

void at_path_put(struct at_path *ap)
{
	inode_put(ap->base);
	kfree(ap->path);
	ap->base = NULL;
	ap->path = NULL;
}

long at_lookup(struct sys_ctx *sc, int dirfd, uintptr_t upath, unsigned at_flags, unsigned walk,
	       struct inode **out)
{
	struct at_path ap;
	long r = at_path_get(sc, dirfd, upath, &ap);

	if (r < 0)
		return r;
	if (!ap.path[0] && (at_flags & AT_EMPTY_PATH)) {
		struct inode *ino = ap.base;

		if (!ino) /* AT_FDCWD */
			ino = proc_cwd(sc->proc) ? proc_cwd(sc->proc) : vfs_root;
		*out = inode_get(ino);
		r = *out ? 0 : -ENOENT;
	} else {
		if (at_flags & AT_SYMLINK_NOFOLLOW)
			walk |= WALK_NOFOLLOW;
		r = vfs_lookup(sc->proc, ap.base, ap.path, walk, out);
	}
	at_path_put(&ap);
	return r;
}
