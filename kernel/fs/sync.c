// SPDX-License-Identifier: MIT
/* The sync future: writing mounted file systems back to their devices. */
#include "kernel/fs/dcache.h"
#include "kernel/fs/sync.h"

#include "kernel/async/future.h"
#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/vfs.h"
#include "kernel/printk.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

/*
 * For each fs in roots[]: finish its deferred work (super_ops.flush, awaiting
 * any cache miss), then await its super_ops.sync. umount2 then takes the
 * mount off the list and drops it (mount_release: super_ops.unmount when it
 * was the fs's last mount); a lazy umount (MNT_DETACH) took it off before
 * the sync and leaves a busy one to the reaper below.
 *
 *   SYNC_FLUSH --(-EIOWAIT)--> SYNC_FLUSH_IO --(I/O done)--> SYNC_FLUSH
 *       |  \--(flushed: sync started)--> SYNC_DEV --(synced: next fs)--> SYNC_FLUSH
 *       \--(no fs left)--> SYNC_DONE   (umount: SYNC_DONE after dropping the fs)
 */
enum sync_state {
	SYNC_FLUSH,
	SYNC_FLUSH_IO,
	SYNC_DEV,
	SYNC_RAW,
	SYNC_DONE,
};

struct sync_future {
	struct future base;
	enum sync_state state;
	unsigned umount_id;		/* umount2: the mount to drop once synced, or 0 */
	struct mount *detached;		/* MNT_DETACH: the tree already off the list
					 * (ours; a chain, children first) */
	unsigned n, i;			/* roots[i] is being synced */
	struct inode *roots[VFS_MAX_MOUNTS + 1]; /* counted: keeps each fs mounted */
	struct future *child;		/* owned: the I/O or the bcache_sync awaited */
	struct blkdev *devs[BLKDEV_MAX];	/* sync(2): devices written raw, then */
	unsigned ndev, idev;		/* devs[idev] is next */
	long err;			/* the first error */
};

static void reap_later(struct mount *m);

/*
 * Drop a detached tree (a chain, children first, the unmounted mount last):
 * the last one, just written back, now unless busy (or later); the mounts
 * that were below it through a reaper each, which writes them back first.
 */
static void release_detached(struct mount *m, bool later)
{
	while (m) {
		struct mount *next = m->next_detached;

		m->next_detached = NULL;
		if (later || next || mount_release(m))
			reap_later(m);
		m = next;
	}
}

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
	release_detached(s->detached, true); /* cancelled: they must still go */
	s->detached = NULL;
	s->state = SYNC_DONE;
}

/* umount2's last step: take the mount off the list and drop it. */
static long sync_unmount(struct sync_future *s)
{
	struct mount *m = s->detached;
	long err;

	for (unsigned i = 0; i < s->n; i++)
		inode_put(s->roots[i]); /* the mount's own references keep it */
	s->n = 0;
	s->detached = NULL;
	if (m) {
		/* Lazy: gone from the namespace already; freed when unused. */
		release_detached(m, false);
		return 0;
	}
	err = mount_detach(s->umount_id, &m);
	if (err)
		return err;
	err = mount_release(m);
	if (err)
		mount_reattach(m); /* busy: put it back as it was */
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
			if (s->i == s->n && s->idev < s->ndev) {
				s->child = bcache_sync(s->devs[s->idev++]);
				if (!s->child) {
					s->err = s->err ? s->err : -ENOMEM;
					continue;
				}
				fut->awaiting = s->child;
				s->state = SYNC_RAW;
				continue;
			}
			if (s->i == s->n) {
				if (s->detached || (s->umount_id && !s->err))
					s->err = sync_unmount(s) ?: s->err;
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
		case SYNC_RAW:
			if (future_poll(s->child, cx) == POLL_PENDING)
				return POLL_PENDING;
			if (s->child->result && !s->err)
				s->err = s->child->result;
			sync_drop_child(s);
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
		[SYNC_RAW] = "SYNC_RAW",
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

static struct sync_future *sync_new(struct inode **roots, unsigned n)
{
	struct sync_future *s = kzalloc(sizeof(*s));

	if (!s) {
		for (unsigned i = 0; i < n; i++)
			inode_put(roots[i]);
		return NULL;
	}
	future_init(&s->base, &sync_ops);
	s->state = SYNC_FLUSH;
	for (unsigned i = 0; i < n; i++)
		s->roots[i] = roots[i];
	s->n = n;
	return s;
}

long fs_sync_start(struct sys_ctx *sc, struct inode **roots, unsigned n, bool umount)
{
	struct sync_future *s = sync_new(roots, n);

	(void)umount; /* the umount forms are fs_umount_start */
	if (!s)
		return -ENOMEM;
	sc->pending = &s->base;
	return 0;
}

long fs_umount_start(struct sys_ctx *sc, struct inode *root, unsigned id, struct mount *detached)
{
	struct sync_future *s = sync_new(&root, 1);

	if (!s) {
		release_detached(detached, true);
		return detached ? 0 : -ENOMEM;
	}
	s->umount_id = id;
	s->detached = detached;
	sc->pending = &s->base;
	return 0;
}

/* ---- the reaper of lazily unmounted file systems ------------------------------ */

/*
 * A detached mount that was busy: after REAP_NS (doubling up to REAP_MAX_NS
 * while it stays busy, so a mount held for good costs little), write its fs back and try
 * to drop it, until its last user is gone (a task of its own per mount).
 *
 *   REAP_SLEEP --(slept)--> REAP_SYNC --(synced)--> release --busy--> REAP_SLEEP
 *                                                     \--freed--> done
 */
#define REAP_NS 100000000ull
#define REAP_MAX_NS 5000000000ull

enum reap_state {
	REAP_SLEEP,
	REAP_SYNC,
};

struct reap_future {
	struct future base;
	enum reap_state state;
	struct mount *m;		/* detached: ours */
	struct sleep_future sleep;
	uint64_t wait_ns;		/* the next sleep */
	struct future *child;		/* owned: the sync */
};

static enum poll reap_poll(struct future *fut, struct context *cx)
{
	struct reap_future *r = (struct reap_future *)fut;

	for (;;) {
		switch (r->state) {
		case REAP_SLEEP:
			fut->awaiting = &r->sleep.base;
			if (future_poll(&r->sleep.base, cx) == POLL_PENDING)
				return POLL_PENDING;
			future_drop(&r->sleep.base);
			struct inode *root = inode_get(r->m->root);
			struct sync_future *s = sync_new(&root, 1);

			r->child = s ? &s->base : NULL;
			r->state = REAP_SYNC;
			continue;
		case REAP_SYNC:
			if (r->child) {
				fut->awaiting = r->child;
				if (future_poll(r->child, cx) == POLL_PENDING)
					return POLL_PENDING;
				future_drop(r->child);
				future_release(r->child); /* puts its reference on the root */
				r->child = NULL;
			}
			fut->awaiting = NULL;
			if (mount_release(r->m) == 0) {
				r->m = NULL;
				fut->result = 0;
				return POLL_READY;
			}
			r->wait_ns = r->wait_ns * 2 < REAP_MAX_NS ? r->wait_ns * 2 : REAP_MAX_NS;
			sleep_for_init(&r->sleep, r->wait_ns);
			r->state = REAP_SLEEP;
			continue;
		}
	}
}

static void reap_drop(struct future *fut)
{
	struct reap_future *r = (struct reap_future *)fut;

	future_drop(&r->sleep.base);
	if (r->child) {
		future_drop(r->child);
		future_release(r->child);
		r->child = NULL;
	}
}

static void reap_release(struct future *fut)
{
	kfree(fut);
}

static const char *reap_state_name(const struct future *fut)
{
	return ((const struct reap_future *)fut)->state == REAP_SLEEP ? "REAP_SLEEP" : "REAP_SYNC";
}

static const struct future_ops reap_ops = {
	.name = "umount_lazy",
	.poll = reap_poll,
	.drop = reap_drop,
	.release = reap_release,
	.state_name = reap_state_name,
};

static void reap_later(struct mount *m)
{
	struct reap_future *r = kzalloc(sizeof(*r));
	task_id_t id;

	if (!r) {
		kprintf("umount: out of memory: %s stays detached\n", m->source);
		return;
	}
	future_init(&r->base, &reap_ops);
	r->m = m;
	r->state = REAP_SLEEP;
	r->wait_ns = REAP_NS;
	sleep_for_init(&r->sleep, REAP_NS);
	id = task_spawn(&r->base, -1, "umount_lazy");
	if (id == TASK_ID_NONE) {
		kprintf("umount: no task for %s: it stays detached\n", m->source);
		kfree(r);
		return;
	}
	task_detach(id);
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
	struct sync_future *s = sync_new(roots, k);

	if (!s)
		return -ENOMEM;
	/* Then the devices written through their /dev node since the last sync. */
	for (unsigned i = 0; i < blkdev_count() && s->ndev < BLKDEV_MAX; i++) {
		struct blkdev *d = blkdev_get(i);

		if (d && atomic_exchange_explicit(&d->raw_dirty, 0, memory_order_relaxed))
			s->devs[s->ndev++] = d;
	}
	sc->pending = &s->base;
	return 0;
}
