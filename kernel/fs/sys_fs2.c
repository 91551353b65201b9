// SPDX-License-Identifier: MIT
/*
 * Syscalls on whole file systems: sync, fsync, fdatasync, statfs, fstatfs,
 * utimensat, mount and umount2 (ext2 on a second virtio disk).
 *
 * The calls that write the cache to disk return a sync future (below); the
 * rest are restartable handlers run through fs_call() (sys_fs.c).
 */
#include "kernel/async/future.h"
#include "kernel/block/blkdev.h"
#include "kernel/block/bcache.h"
#include "kernel/fs/ext2/ext2.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/sys_fs_util.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

#define FS2_SYSCALL(nr, name)                                                                     \
	static long do_##name(struct sys_ctx *sc);                                                \
	SYSCALL(nr, name)                                                                         \
	{                                                                                         \
		return fs_call(sc, do_##name);                                                    \
	}                                                                                         \
	static long do_##name(struct sys_ctx *sc)

/* ---- the sync future -------------------------------------------------------- */

/*
 * For each ext2 in roots[]: finish its deferred work (ext2_flush, awaiting
 * any cache miss), then await bcache_sync of its device. umount2 then drops
 * the (single) fs.
 *
 *   SYNC_FLUSH --(-EIOWAIT)--> SYNC_FLUSH_IO --(I/O done)--> SYNC_FLUSH
 *       |  \--(flushed: bcache_sync started)--> SYNC_DEV --(synced: next fs)--> SYNC_FLUSH
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
	err = ext2_unmount(ext2_from_sb(ref->sb), ref);
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
	struct ext2_fs *fs;
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
			fs = ext2_from_sb(s->roots[s->i]->sb);
			r = ext2_flush(fs);
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
			s->child = bcache_sync(ext2_blkdev(fs));
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
			/* Yield between flush attempts (see sys_file.c, RW_IO). */
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

/* A sync future over roots[0..n) (references passed in), as sc->pending. */
static long sync_start(struct sys_ctx *sc, struct inode **roots, unsigned n, bool umount)
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

SYSCALL(81, sync)
{
	struct inode *all[VFS_MAX_MOUNTS + 1], *roots[VFS_MAX_MOUNTS + 1];
	unsigned n, k = 0;

	all[0] = inode_get(vfs_root);
	n = 1 + vfs_mount_roots(all + 1, VFS_MAX_MOUNTS);
	for (unsigned i = 0; i < n; i++) {
		if (all[i] && ext2_from_sb(all[i]->sb))
			roots[k++] = all[i];
		else
			inode_put(all[i]);
	}
	return sync_start(sc, roots, k, false);
}

/* fsync and fdatasync: the whole device of the file (there is no per-file
 * dirty list); nothing to do on an in-memory fs; -EINVAL on streams. */
static long fsync_fd(struct sys_ctx *sc)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	struct inode *root;
	long r = 0;

	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->seekable) {
		r = -EINVAL;
	} else if (ext2_from_sb(f->inode->sb)) {
		/* Any inode of the fs keeps it mounted; the sync needs only its sb. */
		root = inode_get(f->inode);
		r = sync_start(sc, &root, 1, false);
	}
	file_put(f);
	return r;
}

SYSCALL(82, fsync)
{
	return fsync_fd(sc);
}

SYSCALL(83, fdatasync)
{
	return fsync_fd(sc);
}

/* ---- statfs ------------------------------------------------------------------ */

#define RAMFS_MAGIC 0x858458f6
#define ST_RDONLY 1

/* struct statfs of Linux riscv64 (asm-generic, 64-bit words): 120 bytes. */
struct linux_statfs {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "riscv64 struct statfs is 120 bytes");

static long put_statfs(struct sys_ctx *sc, struct inode *ino, uintptr_t ubuf)
{
	struct linux_statfs st = { 0 };
	struct ext2_fs *fs = ext2_from_sb(ino->sb);

	st.f_namelen = NAME_MAX;
	st.f_fsid[0] = (int32_t)(ino->sb ? ino->sb->dev : 0);
	if (fs) {
		struct ext2_statfs es;

		ext2_statfs(fs, &es);
		st.f_type = EXT2_SUPER_MAGIC;
		st.f_bsize = st.f_frsize = es.bsize;
		st.f_blocks = es.blocks;
		st.f_bfree = es.bfree;
		st.f_bavail = es.bavail;
		st.f_files = es.files;
		st.f_ffree = es.ffree;
		st.f_flags = es.ro ? ST_RDONLY : 0;
	} else {
		/* ramfs (and devices on it): no fixed size, as on Linux. */
		st.f_type = RAMFS_MAGIC;
		st.f_bsize = st.f_frsize = 4096;
	}
	return copy_to_user(proc_as(sc->proc), ubuf, &st, sizeof(st));
}

FS2_SYSCALL(43, statfs)
{
	struct inode *ino;
	char *path;
	long r = fs_get_user_path(sc, sc->arg[0], &path);

	if (r < 0)
		return r;
	r = vfs_lookup(sc->proc, NULL, path, 0, &ino);
	if (!r) {
		r = put_statfs(sc, ino, sc->arg[1]);
		inode_put(ino);
	}
	kfree(path);
	return r;
}

SYSCALL(44, fstatfs)
{
	struct file *f = fd_get(sc->proc, (int)sc->arg[0]);
	long r;

	if (!f)
		return -EBADF;
	r = put_statfs(sc, f->inode, sc->arg[1]);
	file_put(f);
	return r;
}

/* ---- utimensat ---------------------------------------------------------------- */

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

struct ts {
	int64_t sec, nsec;
};

/* New time for one stamp: now, untouched (false) or the given one. */
static bool pick_time(const struct ts *t, int64_t now, int64_t *out)
{
	if (!t || t->nsec == UTIME_NOW) {
		*out = now;
		return true;
	}
	if (t->nsec == UTIME_OMIT)
		return false;
	*out = t->sec * 1000000000LL + t->nsec;
	return true;
}

static int set_times(struct inode *ino, const struct ts *t)
{
	struct ext2_fs *fs = ext2_from_sb(ino->sb);
	int64_t now = fs ? ext2_now_ns(fs) : vfs_now_ns();
	int64_t a = 0, m = 0;
	bool seta = pick_time(t ? &t[0] : NULL, now, &a);
	bool setm = pick_time(t ? &t[1] : NULL, now, &m);
	struct ext2_tx tx;
	irqflags_t fl;
	int err;

	if (!fs) {
		if (seta)
			ino->atime_ns = a;
		if (setm)
			ino->mtime_ns = m;
		ino->ctime_ns = now;
		return 0;
	}
	/* ext2: gather the inode's table block, then change it (restart contract). */
	fl = spin_lock_irqsave(&fs->lock);
	tx_init(&tx, fs);
	err = ext2_writable(fs);
	if (!err)
		err = ext2_itable_gather(&tx, (uint32_t)ino->ino, NULL);
	if (!err) {
		if (seta)
			ino->atime_ns = a;
		if (setm)
			ino->mtime_ns = m;
		ino->ctime_ns = now;
		ext2_iwrite(&tx, EI(ino), false);
	}
	tx_end(&tx);
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

FS2_SYSCALL(88, utimensat)
{
	int dirfd = (int)sc->arg[0];
	unsigned flags = (unsigned)sc->arg[3];
	struct ts t[2];
	struct inode *ino = NULL;
	char *path = NULL;
	long r;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (sc->arg[2]) {
		r = copy_from_user(proc_as(sc->proc), t, sc->arg[2], sizeof(t));
		if (r)
			return r;
		for (int i = 0; i < 2; i++)
			if (t[i].nsec != UTIME_NOW && t[i].nsec != UTIME_OMIT &&
			    (t[i].nsec < 0 || t[i].nsec >= 1000000000L))
				return -EINVAL;
	}
	if (!sc->arg[1]) {
		/* futimens: the file dirfd itself. */
		struct file *f = fd_get(sc->proc, dirfd);

		if (!f)
			return -EBADF;
		ino = inode_get(f->inode);
		file_put(f);
	} else {
		struct inode *base = NULL;

		r = fs_get_user_path(sc, sc->arg[1], &path);
		if (r < 0)
			return r;
		if (dirfd != AT_FDCWD && path[0] != '/') {
			struct file *f = fd_get(sc->proc, dirfd);

			if (!f) {
				kfree(path);
				return -EBADF;
			}
			base = inode_get(f->inode);
			file_put(f);
		}
		r = vfs_lookup(sc->proc, base, path, flags & AT_SYMLINK_NOFOLLOW ? WALK_NOFOLLOW : 0,
			       &ino);
		inode_put(base);
		kfree(path);
		if (r)
			return r;
	}
	r = set_times(ino, sc->arg[2] ? t : NULL);
	inode_put(ino);
	return r;
}

/* ---- mount and umount2 ----------------------------------------------------------- */

/* Is dev the device of the root or of a mounted fs? */
static bool dev_in_use(struct blkdev *dev)
{
	struct inode *roots[VFS_MAX_MOUNTS + 1];
	unsigned n;
	bool used = false;

	roots[0] = inode_get(vfs_root);
	n = 1 + vfs_mount_roots(roots + 1, VFS_MAX_MOUNTS);
	for (unsigned i = 0; i < n; i++) {
		struct ext2_fs *fs = roots[i] ? ext2_from_sb(roots[i]->sb) : NULL;

		if (fs && ext2_blkdev(fs) == dev)
			used = true;
		inode_put(roots[i]);
	}
	return used;
}

/* mount(source, target, fstype, flags, data): ext2 only; source "/dev/vdb" or "vdb". */
FS2_SYSCALL(40, mount)
{
	char src[32], type[16];
	const char *name = src;
	struct inode *dir, *root;
	struct ext2_fs *fs;
	struct blkdev *dev;
	char *target;
	long r;

	r = strncpy_from_user(proc_as(sc->proc), type, sc->arg[2], sizeof(type));
	if (r < 0)
		return r;
	if (r >= (long)sizeof(type) || strcmp(type, "ext2"))
		return -ENODEV;
	r = strncpy_from_user(proc_as(sc->proc), src, sc->arg[0], sizeof(src));
	if (r < 0)
		return r;
	if (r >= (long)sizeof(src))
		return -ENAMETOOLONG;
	if (!strncmp(name, "/dev/", 5))
		name += 5;
	dev = blkdev_find(name);
	if (!dev)
		return -ENOENT;
	if (dev_in_use(dev))
		return -EBUSY;
	r = fs_get_user_path(sc, sc->arg[1], &target);
	if (r < 0)
		return r;
	r = vfs_lookup(sc->proc, NULL, target, WALK_DIRECTORY, &dir);
	kfree(target);
	if (r)
		return r;
	if (dir == vfs_root) {
		r = -EBUSY;
		goto out;
	}
	r = ext2_mount(dev, &fs, &root); /* -EIOWAIT: fs_call restarts us */
	if (r)
		goto out;
	r = vfs_mount_add(dir, root);
	if (r)
		ext2_unmount(fs, root);
	else
		inode_put(root); /* the table holds it now */
out:
	inode_put(dir);
	return r;
}

#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8

FS2_SYSCALL(39, umount2)
{
	unsigned flags = (unsigned)sc->arg[1];
	struct inode *root, *under;
	char *target;
	long r;

	if (flags & ~(unsigned)(MNT_FORCE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	r = fs_get_user_path(sc, sc->arg[0], &target);
	if (r < 0)
		return r;
	r = vfs_lookup(sc->proc, NULL, target, flags & UMOUNT_NOFOLLOW ? WALK_NOFOLLOW : 0, &root);
	kfree(target);
	if (r)
		return r;
	under = vfs_mount_covered(root);
	if (!under) {
		inode_put(root);
		return -EINVAL; /* not a mount point */
	}
	inode_put(under);
	/* Write everything back, then drop it (sync_unmount). */
	return sync_start(sc, &root, 1, true);
}
