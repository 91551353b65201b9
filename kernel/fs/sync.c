// SPDX-License-Identifier: MIT
/* The sync future: writing mounted file systems back to their devices. */
#include "kernel/fs/dcache.h"
#include "kernel/fs/sync.h"

#include "kernel/async/future.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

/*
 * For each fs in roots[]: finish its deferred work (super_ops.flush, awaiting
 * any cache miss), then await its super_ops.sync. umount2 then drops the
 * (single) fs with super_ops.unmount.
 *
 *   SYNC_FLUSH --(-EIOWAIT)--> SYNC_FLUSH_IO --(I/O done)--> SYNC_FLUSH
 *       |  \--(flushed: sync started)--> SYNC_DEV --(synced: next fs)--> SYNC_FLUSH
 *       \--(no fs left)--> SYNC_DONE   (umount: SYNC_DONE after dropping the fs)
 */
enum sync_state {
	SYNC_FLUSH,
	SYNC_FLUSH_IO,
	SYNC_DEV,
	SYNC_DONE,
};

struct sync_future {
	struct future base;
	enum sync_state state;
	bool umount;			/* drop the one fs once it is synced */
	unsigned n, i;			/* roots[i] is being synced */
	struct inode *roots[VFS_MAX_MOUNTS + 1]; /* counted: keeps each fs mounted */
	struct future *child;		/* owned: the I/O or the bcache_sync awaited */
	long err;			/* the first error */
};

static void sync_drop_child(struct sync_future *s)
{
	if (s->child) {
		future_drop(s->child);
		future_release(s->child);
		s->child = NULL;
	}
	s->base.awaiting = NULL;
}

static void sync_drop(struct future *fut)
{
	struct sync_future *s = (struct sync_future *)fut;

	sync_drop_child(s);
	for (unsigned i = 0; i < s->n; i++)
		inode_put(s->roots[i]);
	s->n = 0;
	s->state = SYNC_DONE;
}

/* umount2's last step: take the fs off its mount point and drop it. */
static long sync_unmount(struct sync_future *s)
{
	struct inode *root = s->roots[0], *ref, *covered;
	long err;

	s->n = 0;
	if (vfs_mount_remove(root, &ref, &covered)) {
		inode_put(root);
		return -EINVAL; /* unmounted meanwhile */
	}
	inode_put(root); /* ours; the table's reference is ref */
	dcache_drop_sb(ref->sb); /* its entries hold its inodes */
	err = ref->sb->ops && ref->sb->ops->unmount ? ref->sb->ops->unmount(ref->sb, ref) : -EBUSY;
	if (err) {
		/* Busy: put it back as it was. */
		vfs_mount_add(covered, ref);
		inode_put(ref);
	}
	inode_put(covered);
	return err;
}

static enum poll sync_poll(struct future *fut, struct context *cx)
{
	struct sync_future *s = (struct sync_future *)fut;
	struct superblock *sb;
	int r;

	for (;;) {
		switch (s->state) {
		case SYNC_FLUSH:
			if (s->i == s->n) {
				if (s->umount && !s->err)
					s->err = sync_unmount(s);
				fut->result = s->err;
				s->state = SYNC_DONE;
				return POLL_READY;
			}
			sb = s->roots[s->i]->sb;
			r = sb->ops && sb->ops->flush ? sb->ops->flush(sb) : 0;
			if (r == -EIOWAIT) {
				s->child = vfs_take_io_wait();
				if (s->child) {
					fut->awaiting = s->child;
					s->state = SYNC_FLUSH_IO;
					continue;
				}
				r = -EIO;
			}
			if (r && !s->err)
				s->err = r;
			if (!fs_has_sync(sb)) { /* in memory: nothing to write */
				s->i++;
				continue;
			}
			s->child = sb->ops->sync(sb);
			if (!s->child) {
				s->err = s->err ? s->err : -ENOMEM;
				s->i++;
				continue;
			}
			fut->awaiting = s->child;
			s->state = SYNC_DEV;
			continue;
		case SYNC_FLUSH_IO:
			if (future_poll(s->child, cx) == POLL_PENDING)
				return POLL_PENDING;
			sync_drop_child(s);
			s->state = SYNC_FLUSH;
			/* Yield between flush attempts (see file_rw.c, RW_IO). */
			waker_wake_by_ref(cx->waker);
			return POLL_PENDING;
		case SYNC_DEV:
			if (future_poll(s->child, cx) == POLL_PENDING)
				return POLL_PENDING;
			if (s->child->result && !s->err)
				s->err = s->child->result;
			sync_drop_child(s);
			s->i++;
			s->state = SYNC_FLUSH;
			continue;
		case SYNC_DONE:
			return POLL_READY;
		}
	}
}

static void sync_release(struct future *fut)
{
	kfree(fut);
}

static const char *sync_state_name(const struct future *fut)
{
	static const char *const names[] = {
		[SYNC_FLUSH] = "SYNC_FLUSH",
		[SYNC_FLUSH_IO] = "SYNC_FLUSH_IO",
		[SYNC_DEV] = "SYNC_DEV",
		[SYNC_DONE] = "SYNC_DONE",
	};

	return names[((const struct sync_future *)fut)->state];
}

static const struct future_ops sync_ops = {
	.name = "fs_sync",
	.poll = sync_poll,
	.drop = sync_drop,
	.release = sync_release,
	.state_name = sync_state_name,
};

long fs_sync_start(struct sys_ctx *sc, struct inode **roots, unsigned n, bool umount)
{
	struct sync_future *s = kzalloc(sizeof(*s));

	if (!s) {
		for (unsigned i = 0; i < n; i++)
			inode_put(roots[i]);
		return -ENOMEM;
	}
	future_init(&s->base, &sync_ops);
	s->state = SYNC_FLUSH;
	s->umount = umount;
	for (unsigned i = 0; i < n; i++)
		s->roots[i] = roots[i];
	s->n = n;
	sc->pending = &s->base;
	return 0;
}

long fs_sync_all(struct sys_ctx *sc)
{
	struct inode *all[VFS_MAX_MOUNTS + 1], *roots[VFS_MAX_MOUNTS + 1];
	unsigned n, k = 0;

	all[0] = vfs_root ? inode_get(vfs_root) : NULL;
	n = 1 + vfs_mount_roots(all + 1, VFS_MAX_MOUNTS);
	for (unsigned i = 0; i < n; i++) {
		if (all[i] && fs_has_sync(all[i]->sb))
			roots[k++] = all[i];
		else
			inode_put(all[i]);
	}
	return fs_sync_start(sc, roots, k, false);
}
