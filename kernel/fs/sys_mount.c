// SPDX-License-Identifier: MIT
/*
 * mount(2) and umount2(2) with Linux's checks in Linux's order: a new mount
 * of a registered type (FS_TYPE; on a block device for ext2 and friends),
 * MS_REMOUNT (read-only <-> read-write, writing back first), MS_BIND of a
 * directory, MS_MOVE, MS_PRIVATE (every mount is private: there is one namespace and
 * no propagation); umount2 with MNT_DETACH (lazy) and MNT_EXPIRE. The mount
 * list is kernel/fs/mount.c; writing back and dropping is sync.c's.
 */
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/sync.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8

/* Everything a mount(2) call copied in, freed by args_free. */
struct mount_args {
	char *source, *type, *data;	/* NULL when the pointer was NULL */
	char *target;			/* the path as given */
	char *mp;			/* PATH_MAX: the target's absolute path */
	unsigned long flags;
};

static void args_free(struct mount_args *a)
{
	kfree(a->source);
	kfree(a->type);
	kfree(a->data);
	kfree(a->target);
	kfree(a->mp);
}

/* A string argument (Linux's copy_mount_string: PATH_MAX at most). */
static long copy_string(struct sys_ctx *sc, uintptr_t u, char **out)
{
	long r;

	*out = NULL;
	if (!u)
		return 0;
	*out = kmalloc(PATH_MAX);
	if (!*out)
		return -ENOMEM;
	r = strncpy_from_user(proc_as(sc->proc), *out, u, PATH_MAX);
	if (r < 0)
		return r;
	return r >= PATH_MAX ? -EINVAL : 0;
}

/* The options page: up to a page, not necessarily NUL-terminated. */
static long copy_data(struct sys_ctx *sc, uintptr_t u, char **out)
{
	long r;

	*out = NULL;
	if (!u)
		return 0;
	*out = kmalloc(PAGE_SIZE);
	if (!*out)
		return -ENOMEM;
	r = strncpy_from_user(proc_as(sc->proc), *out, u, PAGE_SIZE);
	if (r < 0)
		return r;
	(*out)[PAGE_SIZE - 1] = '\0';
	return 0;
}

/*
 * The absolute path of ino reached by path (into buf, PATH_MAX): the
 * parent's path and the last name as given, so two mounts of one directory
 * keep their own names; getcwd of ino itself when the path ends in "." or
 * "..". May return -EIOWAIT (restart).
 */
static long is_inside(struct inode *dir, struct inode *top);

static long abs_path(struct sys_ctx *sc, const char *path, struct inode *ino, char *buf)
{
	char name[NAME_MAX + 1];
	struct inode *parent;
	bool slash;
	long r = vfs_lookup_parent(sc->proc, NULL, path, &parent, name, &slash);

	if (r)
		return r;
	if (!name[0] || !strcmp(name, ".") || !strcmp(name, "..")) {
		inode_put(parent);
		r = vfs_getcwd(ino, buf, PATH_MAX);
		return r < 0 ? r : 0;
	}
	r = vfs_getcwd(parent, buf, PATH_MAX);
	inode_put(parent);
	if (r < 0)
		return r;
	size_t len = strlen(buf), nl = strlen(name);

	if (len + (len > 1) + nl + 1 > PATH_MAX)
		return -ENAMETOOLONG;
	if (len > 1)
		buf[len++] = '/';
	memcpy(buf + len, name, nl + 1);
	return 0;
}

/* MS_NOSUID, MS_NODEV, MS_NOEXEC and MS_RDONLY as the superblock keeps them. */
static unsigned sb_flags_of(unsigned long flags)
{
	return (flags & MS_RDONLY ? SB_RDONLY : 0) | (flags & MS_NOSUID ? SB_NOSUID : 0) |
	       (flags & MS_NODEV ? SB_NODEV : 0) | (flags & MS_NOEXEC ? SB_NOEXEC : 0);
}

/* What a mount shows as its per-mount flags: relatime unless told otherwise. */
static unsigned long mnt_flags_of(unsigned long flags)
{
	unsigned long f = flags & (MS_MNT_FLAGS & ~MS_RELATIME);

	if (!(flags & (MS_NOATIME | MS_STRICTATIME)))
		f |= MS_RELATIME;
	return f;
}

/* The block device that source names: a path to a block device node, or
 * (an extension kept for old callers) a bare device name such as "vdb". */
static long source_bdev(struct sys_ctx *sc, const char *source, struct blkdev **out)
{
	struct inode *ino;
	long r;

	if (!source || !source[0])
		return source ? -ENOENT : -EINVAL; /* Linux: no source given */
	r = vfs_lookup(sc->proc, NULL, source, 0, &ino);
	if (r == -ENOENT && !strchr(source, '/') && (*out = blkdev_find(source)))
		return 0;
	if (r)
		return r;
	if (!S_ISBLK(ino->mode)) {
		inode_put(ino);
		return -ENOTBLK;
	}
	r = sb_has(ino->sb, SB_NODEV) ? -EACCES : 0;
	*out = blkdev_find_devt(ino->rdev);
	inode_put(ino);
	if (!r && !*out)
		r = -ENXIO;
	return r;
}

static bool has_fs(struct blkdev *d)
{
	return d && atomic_load_explicit(&d->fs_count, memory_order_acquire) > 0;
}

static bool bdev_claimed(struct blkdev *dev)
{
	if (has_fs(dev) || has_fs(dev->parent))
		return true;
	for (unsigned i = 0; i < blkdev_count(); i++)
		if (blkdev_get(i) && blkdev_get(i)->parent == dev && has_fs(blkdev_get(i)))
			return true;
	return vfs_root && vfs_root->sb && vfs_root->sb->bdev &&
	       (vfs_root->sb->bdev == dev->parent || vfs_root->sb->bdev->parent == dev);
}

static void root_source(char *buf, size_t n)
{
	struct superblock *sb = vfs_root->sb;

	if (sb && sb->bdev)
		fmt_snprintf(buf, n, "/dev/%s", sb->bdev->name);
	else
		strlcpy(buf, sb && sb->name && strcmp(sb->name, "ramfs") ? sb->name : "rootfs", n);
}

static long new_mount(struct sys_ctx *sc, struct mount_args *a, struct inode *dir)
{
	const struct fs_type *fst;
	struct blkdev *dev = NULL;
	struct superblock *sb;
	struct inode *root;
	struct mount_opts opts = { .flags = a->flags, .data = a->data };
	char src[40];
	long r;

	if (!a->type)
		return -EINVAL;
	fst = vfs_fs_type(a->type);
	if (!fst)
		return -ENODEV;
	if (fst->needs_dev) {
		r = source_bdev(sc, a->source, &dev);
		if (r)
			return r;
		if (dev->read_only && !(a->flags & MS_RDONLY))
			return -EACCES; /* mount(8) then tries again read-only */
		fmt_snprintf(src, sizeof(src), "/dev/%s", dev->name);
		/* Mounted already: one more mount of the same fs (as Linux's sget). */
		root = mount_root_of_bdev(dev, &sb);
		if (sb && (!root || sb_rdonly(sb) != !!(a->flags & MS_RDONLY))) {
			inode_put(root);
			return -EBUSY;
		}
		if (root) {
			r = mount_attach(dir, root, &(struct mount_desc){
				.source = src, .mountpoint = a->mp, .flags = mnt_flags_of(a->flags),
			}, NULL);
			inode_put(root);
			return r;
		}
		/* A lazily unmounted fs still in use, or an fs on an overlapping
		 * device (the disk of a mounted partition, or the other way). */
		if (bdev_claimed(dev))
			return -EBUSY;
	} else {
		strlcpy(src, a->source && a->source[0] ? a->source : "none", sizeof(src));
	}
	/* Raw writes still in the cache (at the device's block size) reach the
	 * disk before the fs reads it at its own: wait for them, start over. */
	for (struct blkdev *d = dev; d; d = d->parent) {
		if (!atomic_exchange_explicit(&d->raw_dirty, 0, memory_order_relaxed))
			continue;
		struct future *f = bcache_sync(d);

		if (!f) {
			atomic_store_explicit(&d->raw_dirty, 1, memory_order_relaxed);
			return -ENOMEM;
		}
		vfs_set_io_wait(f);
		return -EIOWAIT;
	}
	/* Claim the device for this fs: of two mounts racing on it, one is -EBUSY
	 * (never two file systems on one disk). Given back on any failure. */
	if (dev && atomic_fetch_add_explicit(&dev->fs_count, 1, memory_order_acq_rel) != 0) {
		atomic_fetch_sub_explicit(&dev->fs_count, 1, memory_order_relaxed);
		return -EBUSY;
	}
	r = fst->mount(dev, &opts, &root); /* -EIOWAIT: fs_call restarts us */
	if (r) {
		if (dev)
			atomic_fetch_sub_explicit(&dev->fs_count, 1, memory_order_release);
		return r;
	}
	sb = root->sb;
	if (sb) {
		atomic_fetch_or_explicit(&sb->flags, sb_flags_of(a->flags), memory_order_relaxed);
		if (dev) {
			struct vfs_statfs st = { 0 };

			sb->dev = dev->devt; /* st_dev is the device's, as on Linux */
			if (sb->ops && sb->ops->statfs)
				sb->ops->statfs(sb, &st);
			if (st.bsize >= BCACHE_MIN_BSIZE && st.bsize <= BCACHE_MAX_BSIZE)
				blkdev_set_bsize(dev, st.bsize); /* /dev/vdX reads share its blocks */
		}
	}
	r = mount_attach(dir, root, &(struct mount_desc){
		.source = src, .mountpoint = a->mp, .flags = mnt_flags_of(a->flags),
	}, NULL);
	if (r && sb && sb->ops && sb->ops->unmount && !sb->ops->unmount(sb, root)) {
		if (dev) /* gone again: the device is free */
			atomic_fetch_sub_explicit(&dev->fs_count, 1, memory_order_release);
		return r;
	}
	/* The list holds it now (or: a leak of an fs that would not unmount,
	 * which keeps its claim on the device). */
	inode_put(root);
	return r;
}

/* Which mount dir is the root of: its id, MOUNT_ROOT_ID for "/", or 0. */
static unsigned mount_of_root(struct inode *dir, const char *mp)
{
	unsigned id = mount_find(dir, mp);

	return id ? id : dir == vfs_root ? MOUNT_ROOT_ID : 0;
}

static long remount(struct sys_ctx *sc, struct mount_args *a, struct inode *dir)
{
	unsigned id = mount_of_root(dir, a->mp);
	struct superblock *sb = dir->sb;
	bool ro = a->flags & MS_RDONLY;
	unsigned keep;

	if (!id || !sb)
		return -EINVAL; /* not a mount point */
	if (a->flags & MS_BIND) {
		/* Per-mount flags only; a per-mount read-only view is not kept
		 * (writes are checked per fs), so it must match the fs's. */
		if (ro != sb_rdonly(sb))
			return -EINVAL;
		return id == MOUNT_ROOT_ID ? 0 : mount_set_flags(id, mnt_flags_of(a->flags));
	}
	if (!ro && sb->bdev && sb->bdev->read_only)
		return -EACCES;
	if (ro && !sb_rdonly(sb)) {
		/* No new writers from here on; any open for writing: busy. */
		if (atomic_load_explicit(&sb->writers, memory_order_acquire) > 0)
			return -EBUSY;
		atomic_fetch_or_explicit(&sb->flags, SB_RDONLY, memory_order_acq_rel);
		if (atomic_load_explicit(&sb->writers, memory_order_acquire) > 0) {
			atomic_fetch_and_explicit(&sb->flags, ~(unsigned)SB_RDONLY,
						  memory_order_relaxed);
			return -EBUSY;
		}
	}
	keep = sb_flags_of(a->flags);
	atomic_store_explicit(&sb->flags, keep, memory_order_release);
	if (id != MOUNT_ROOT_ID)
		mount_set_flags(id, mnt_flags_of(a->flags));
	if (!ro || !fs_has_sync(sb))
		return 0;
	/* Read-only now: write everything back before returning. */
	struct inode *ref = inode_get(dir);

	return fs_sync_start(sc, &ref, 1, false);
}

static long bind_mount(struct sys_ctx *sc, struct mount_args *a, struct inode *dir)
{
	char *full = kmalloc(PATH_MAX), *src = kmalloc(PATH_MAX), *base = kmalloc(PATH_MAX),
	     *rootp = kmalloc(PATH_MAX);
	struct inode *from = NULL;
	long r = -ENOMEM;

	if (!full || !src || !base || !rootp)
		goto out;
	r = a->source ? vfs_lookup(sc->proc, NULL, a->source, 0, &from) : -EINVAL;
	if (r)
		goto out;
	r = -ENOTDIR; /* binds of files are not kept (path lookup crosses directories) */
	if (!S_ISDIR(from->mode))
		goto out;
	/* A directory bound at or under itself would make the tree a loop (lookups and
	 * getcwd walk inodes, not mounts): refused, where Linux allows it. */
	r = is_inside(dir, from);
	if (r == 1)
		r = -ELOOP;
	if (r)
		goto out;
	r = vfs_getcwd(from, full, PATH_MAX);
	if (r < 0)
		goto out;
	/* The directory's path inside its own fs, for mountinfo's root field:
	 * a mount's root (a bind of a bind) says it; else from its fs's mount
	 * point. (getcwd names a bind's directory by where it is bound.) */
	if (!mount_info_of_root(from, src, base, rootp, PATH_MAX)) {
		strlcpy(full, base, PATH_MAX);
	} else if (from->sb == vfs_root->sb) {
		root_source(src, PATH_MAX);
		strlcpy(base, "/", PATH_MAX);
		strlcpy(rootp, "/", PATH_MAX);
	} else if (mount_sb_base(from->sb, src, base, rootp, PATH_MAX)) {
		strlcpy(src, from->sb && from->sb->name ? from->sb->name : "none", PATH_MAX);
		strlcpy(base, full, PATH_MAX);
		strlcpy(rootp, "/", PATH_MAX);
	}
	size_t bl = strcmp(base, "/") ? strlen(base) : 0;
	const char *rest = !strncmp(full, base, bl) && (full[bl] == '/' || !full[bl]) ? full + bl
										   : "";

	if (strcmp(rootp, "/") && rest[0]) {
		size_t rl = strlen(rootp);

		strlcpy(rootp + rl, rest, PATH_MAX - rl);
	} else if (rest[0]) {
		strlcpy(rootp, rest, PATH_MAX);
	}
	r = mount_attach(dir, from, &(struct mount_desc){
		.source = src, .mountpoint = a->mp, .root_path = rootp,
		.flags = mnt_flags_of(a->flags), .bind = true,
	}, NULL);
out:
	inode_put(from);
	kfree(full);
	kfree(src);
	kfree(base);
	kfree(rootp);
	return r;
}

/* Is dir inside the tree of the mount whose root is top (".." walks up
 * through the mount points)? May return -EIOWAIT. */
static long is_inside(struct inode *dir, struct inode *top)
{
	struct inode *cur = inode_get(dir), *up;
	long r = 0;

	for (unsigned depth = 0; depth < PATH_MAX / 2 && !r; depth++) {
		if (cur == top) {
			r = 1;
			break;
		}
		if (cur == vfs_root)
			break;
		r = vfs_lookup_child(cur, "..", 2, &up);
		if (r)
			break;
		if (up == cur) {
			inode_put(up);
			break;
		}
		inode_put(cur);
		cur = up;
	}
	inode_put(cur);
	return r;
}

/* MS_MOVE: the mount at source now covers the target. */
static long move_mount(struct sys_ctx *sc, struct mount_args *a, struct inode *dir)
{
	char *smp = kmalloc(PATH_MAX);
	struct inode *from = NULL;
	unsigned id;
	long r = -ENOMEM;

	if (!smp)
		goto out;
	r = a->source ? vfs_lookup(sc->proc, NULL, a->source, 0, &from) : -EINVAL;
	if (r)
		goto out;
	r = abs_path(sc, a->source, from, smp);
	if (r)
		goto out;
	id = mount_find(from, smp);
	r = -EINVAL; /* the source must be a mount point (and not "/") */
	if (!id)
		goto out;
	r = is_inside(dir, from);
	if (r == 1)
		r = -ELOOP; /* into itself */
	if (!r)
		r = mount_move(id, dir, a->mp);
out:
	inode_put(from);
	kfree(smp);
	return r;
}

#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

FS_SYSCALL(40, mount)
{
	struct mount_args a = { .flags = sc->arg[3] };
	struct inode *dir = NULL;
	long r;

	if ((a.flags & MS_MGC_MSK) == MS_MGC_VAL)
		a.flags &= ~MS_MGC_MSK;
	/* Linux's order: the strings, the target, then the flags and privilege. */
	r = copy_string(sc, sc->arg[2], &a.type);
	if (!r)
		r = copy_string(sc, sc->arg[0], &a.source);
	if (!r)
		r = copy_data(sc, sc->arg[4], &a.data);
	if (!r)
		r = fs_get_user_path(sc, sc->arg[1], &a.target);
	if (r < 0)
		goto out;
	r = vfs_lookup(sc->proc, NULL, a.target, 0, &dir);
	if (r)
		goto out;
	r = -EINVAL;
	if (a.flags & MS_NOUSER)
		goto out;
	r = -EPERM; /* CAP_SYS_ADMIN */
	if (!cred_capable(proc_cred(sc->proc)))
		goto out;
	r = -ENOTDIR; /* only directories are mount points here */
	if (!S_ISDIR(dir->mode))
		goto out;
	r = -ENOMEM;
	a.mp = kmalloc(PATH_MAX);
	if (!a.mp)
		goto out;
	r = abs_path(sc, a.target, dir, a.mp);
	if (r)
		goto out;
	if (a.flags & MS_REMOUNT)
		r = remount(sc, &a, dir);
	else if (dir == vfs_root && !(a.flags & MS_PROPAGATION))
		r = -EBUSY; /* nothing is mounted over "/": walks start at it */
	else if (a.flags & MS_BIND)
		r = bind_mount(sc, &a, dir);
	else if (a.flags & MS_PROPAGATION)
		/* One type at a time; only "private", which every mount is. */
		r = (a.flags & MS_PROPAGATION) != MS_PRIVATE ? -EINVAL
		    : mount_of_root(dir, a.mp)		    ? 0
							    : -EINVAL;
	else if (a.flags & MS_MOVE)
		r = move_mount(sc, &a, dir);
	else
		r = new_mount(sc, &a, dir);
out:
	inode_put(dir);
	args_free(&a);
	return r;
}

FS_SYSCALL(39, umount2)
{
	unsigned flags = (unsigned)sc->arg[1];
	struct inode *root;
	struct mount *m = NULL;
	char *target, *mp;
	unsigned id;
	long r;

	if (flags & ~(unsigned)(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	r = fs_get_user_path(sc, sc->arg[0], &target);
	if (r < 0)
		return r;
	r = vfs_lookup(sc->proc, NULL, target, flags & UMOUNT_NOFOLLOW ? WALK_NOFOLLOW : 0, &root);
	if (r) {
		kfree(target);
		return r;
	}
	mp = kmalloc(PATH_MAX);
	r = mp ? abs_path(sc, target, root, mp) : -ENOMEM;
	kfree(target);
	if (r)
		goto out;
	r = -EPERM; /* CAP_SYS_ADMIN */
	if (!cred_capable(proc_cred(sc->proc)))
		goto out;
	r = -EBUSY; /* "/": Linux would remount it read-only, busy while in use */
	if (root == vfs_root)
		goto out;
	id = mount_find(root, mp);
	r = -EINVAL; /* not a mount point */
	if (!id)
		goto out;
	if (flags & MNT_EXPIRE) {
		r = -EINVAL;
		if (flags & (MNT_FORCE | MNT_DETACH))
			goto out;
		r = -EAGAIN; /* the first call marks it; the next one unmounts it */
		if (!mount_expire_mark(id))
			goto out;
	}
	if (flags & MNT_DETACH) {
		r = mount_detach_tree(id, &m); /* with every mount below it, as Linux */
		if (r)
			goto out;
	}
	kfree(mp);
	/* Write everything back, then drop it (sync.c). */
	return fs_umount_start(sc, root, m ? 0 : id, m);
out:
	kfree(mp);
	inode_put(root);
	return r;
}
