/* SPDX-License-Identifier: MIT */
/*
 * The mount list behind vfs_mount_* (vfs.h): one struct mount per mount(2),
 * in mount order, with what /proc/self/mountinfo shows of it. The root file
 * system is not on the list: it is mount MOUNT_ROOT_ID, on vfs_root.
 *
 * There are no vfsmounts in path walks here (a walk holds inodes only), so
 * what Linux keeps per mount that changes behaviour lives in the
 * superblock (sb->flags: read-only, nosuid, nodev, noexec): every mount of
 * one fs (the device mounted twice, bind mounts) shares them.
 *
 * Lock legend: L mount_lock (a spin lock, mount.c); I set before the mount
 * is on the list.
 */
#ifndef KERNEL_FS_MOUNT_H
#define KERNEL_FS_MOUNT_H

#include <stdbool.h>

#include "kernel/fs/vfs.h"
#include "lib/list.h"

#define MOUNT_ROOT_ID 20	/* mountinfo's id of "/" (its parent: 1) */

/* mount(2)'s flags, Linux's numbers. */
#define MS_RDONLY 0x1
#define MS_NOSUID 0x2
#define MS_NODEV 0x4
#define MS_NOEXEC 0x8
#define MS_SYNCHRONOUS 0x10
#define MS_REMOUNT 0x20
#define MS_MANDLOCK 0x40
#define MS_DIRSYNC 0x80
#define MS_NOSYMFOLLOW 0x100
#define MS_NOATIME 0x400
#define MS_NODIRATIME 0x800
#define MS_BIND 0x1000
#define MS_MOVE 0x2000
#define MS_REC 0x4000
#define MS_SILENT 0x8000
#define MS_POSIXACL (1ul << 16)
#define MS_UNBINDABLE (1ul << 17)
#define MS_PRIVATE (1ul << 18)
#define MS_SLAVE (1ul << 19)
#define MS_SHARED (1ul << 20)
#define MS_RELATIME (1ul << 21)
#define MS_KERNMOUNT (1ul << 22)
#define MS_I_VERSION (1ul << 23)
#define MS_STRICTATIME (1ul << 24)
#define MS_LAZYTIME (1ul << 25)
#define MS_NOUSER (1ul << 31)
#define MS_MGC_VAL 0xc0ed0000ul
#define MS_MGC_MSK 0xffff0000ul
/* What a mount keeps and shows: the per-mount flags of Linux's MNT_*. */
#define MS_MNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | \
		      MS_RELATIME | MS_NOSYMFOLLOW)

struct mount {
	struct list_head node;		/* L: on the mount list, oldest first */
	unsigned id, parent_id;		/* I: mountinfo's first two fields */
	struct inode *covered;		/* I: counted; the mount point */
	struct inode *root;		/* I: counted; the fs's root, or a bind's directory */
	struct superblock *sb;		/* I: root->sb */
	unsigned long flags;		/* L: MS_MNT_FLAGS bits */
	bool bind;			/* I: root is a directory of a mounted fs */
	bool expiry_mark;		/* L: umount2(MNT_EXPIRE) was asked once */
	struct mount *next_detached;	/* owner's: the rest of a detached tree */
	char *source;			/* I: kmalloc'd: "/dev/vdb", "proc" */
	char *mountpoint;		/* I: kmalloc'd absolute path, or NULL: ask getcwd */
	char *root_path;		/* I: kmalloc'd path of root inside its fs: "/" */
};

/* What mount_attach is to record besides the two inodes (strings copied). */
struct mount_desc {
	const char *source;		/* NULL: the fs's name */
	const char *mountpoint;		/* NULL: worked out when shown */
	const char *root_path;		/* NULL: "/" */
	unsigned long flags;		/* MS_MNT_FLAGS bits */
	bool bind;
};

/* Put root on dir (vfs_mount_add's checks); *id (may be NULL) gets its id. */
int mount_attach(struct inode *dir, struct inode *root, const struct mount_desc *d,
		 unsigned *id);

/*
 * umount2's target: the newest mount whose root is root, preferring one
 * mounted at path (an absolute path, may be NULL) when the same directory
 * is mounted in several places. Its id, or 0 when root is no mount's root.
 */
unsigned mount_find(struct inode *root, const char *path);
/* How many mounts (the root included) show the fs of sb. */
unsigned mount_count_sb(const struct superblock *sb);
/* The per-mount flags of the newest mount of sb (the root's: relatime). */
unsigned long mount_flags_of_sb(const struct superblock *sb);
/* The fs root of a mounted, non-bind fs on a block device, counted, or NULL. */
struct inode *mount_root_of_bdev(const struct blkdev *dev, struct superblock **sb);
/* mountinfo's id of the newest mount of sb (MOUNT_ROOT_ID for the root's
 * fs), 0 when it is not mounted: /proc/<pid>/fdinfo's mnt_id. */
unsigned mount_id_of_sb(const struct superblock *sb);
/*
 * Where the fs of sb shows: the source, mount point and root path of its
 * newest non-bind mount (the root's for its fs), copied into the buffers
 * (n bytes each). 0, or -ENOENT when sb is not mounted.
 */
int mount_sb_base(const struct superblock *sb, char *source, char *mountpoint, char *root_path,
		  size_t n);
/* The same of the newest mount whose root is root (a mount point, a bind). */
int mount_info_of_root(const struct inode *root, char *source, char *mountpoint,
		       char *root_path, size_t n);
/* Change the per-mount flags of mount id. 0 or -EINVAL (gone). */
int mount_set_flags(unsigned id, unsigned long flags);
/* Mark mount id for MNT_EXPIRE: true if it was marked already. */
bool mount_expire_mark(unsigned id);

/*
 * Take mount id off the list (its path no longer leads to it): *m is then
 * the caller's. -EBUSY when something is mounted on a directory of its fs
 * (and the fs is not shown anywhere else), -EINVAL when it is gone.
 */
int mount_detach(unsigned id, struct mount **m);
/*
 * MNT_DETACH: take mount id and every mount below it (by parent id, to any
 * depth) off the list at once. *out is the chain through next_detached,
 * the deepest first, so releasing in chain order frees children before
 * their parents. -EINVAL when id is gone.
 */
int mount_detach_tree(unsigned id, struct mount **out);
/*
 * MS_MOVE: mount id now covers dir, mounted at path mp (the mount points of
 * the mounts below it follow). -EINVAL when id is gone, -EBUSY when dir is
 * its own root, -ENOMEM. The caller checked that dir is not inside it.
 */
int mount_move(unsigned id, struct inode *dir, const char *mp);
/* Put a detached mount back where it was (an unmount that found it busy). */
void mount_reattach(struct mount *m);
/*
 * Drop a detached mount: the fs is unmounted (super_ops.unmount) when this
 * was its last mount, else only the entry goes. -EBUSY (the mount is left
 * as it was) while its root is held beyond the mount's own reference or the
 * fs is busy; 0 once freed.
 */
int mount_release(struct mount *m);

/* A copy of one mount for /proc/mounts and mountinfo (mount_show.c). */
struct mount_view {
	unsigned id, parent_id;
	uint32_t dev;			/* the fs's st_dev */
	unsigned long flags;		/* MS_MNT_FLAGS */
	bool ro;			/* the fs is read-only */
	struct inode *covered;		/* counted when mountpoint is NULL */
	char *source, *mountpoint, *root_path; /* kmalloc'd copies (mountpoint may be NULL) */
	const char *fstype;
};
/* Up to max views of the mounts (the root first), or -ENOMEM. */
int mount_views(struct mount_view *out, unsigned max);
void mount_views_free(struct mount_view *v, unsigned n);

struct seqbuf;
/* /proc/mounts (info false) and /proc/<pid>/mountinfo, in Linux's format.
 * May return -EIOWAIT (naming a mount point missed the disk cache). */
int mount_show(struct seqbuf *s, bool info);

#endif
