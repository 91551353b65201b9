// SPDX-License-Identifier: MIT
/*
 * The mount table (covered directory -> mounted root) that path lookup
 * crosses, and the registry of file system types mount(2) can name.
 */
#include "kernel/fs/vfs.h"

#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- file system types ------------------------------------------------------- */

/* The FS_TYPE() entries (linker.ld names this section's bounds the same way
 * the host linker does for the host tests). */
extern const struct fs_type *const __start_fs_types[], *const __stop_fs_types[];

const struct fs_type *vfs_fs_type(const char *name)
{
	for (const struct fs_type *const *t = __start_fs_types; t < __stop_fs_types; t++)
		if (!strcmp((*t)->name, name))
			return *t;
	return NULL;
}

/* ---- mounts --------------------------------------------------------------- */

/* L:mount_lock. Entries with covered == NULL are free. */
static struct {
	struct inode *covered;
	struct inode *root;
} mounts[VFS_MAX_MOUNTS];
static struct spinlock mount_lock = SPINLOCK_INIT("vfs_mount");

int vfs_mount_add(struct inode *dir, struct inode *root)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	int freei = -1, err = 0;

	for (int i = 0; i < VFS_MAX_MOUNTS; i++) {
		if (!mounts[i].covered) {
			if (freei < 0)
				freei = i;
		} else if (mounts[i].covered == dir || mounts[i].root == root ||
			   mounts[i].root == dir) {
			err = -EBUSY;
		}
	}
	if (!err && freei < 0)
		err = -ENOSPC;
	if (!err) {
		mounts[freei].covered = inode_get(dir);
		mounts[freei].root = inode_get(root);
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	return err;
}

int vfs_mount_remove(struct inode *root, struct inode **root_ref, struct inode **covered)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	int err = -EINVAL;

	for (int i = 0; i < VFS_MAX_MOUNTS; i++) {
		if (mounts[i].covered && mounts[i].root == root) {
			*covered = mounts[i].covered;
			*root_ref = mounts[i].root;
			mounts[i].covered = mounts[i].root = NULL;
			err = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	return err;
}

static struct inode *mount_find(struct inode *ino, bool cross)
{
	struct inode *r = NULL;
	irqflags_t fl = spin_lock_irqsave(&mount_lock);

	for (int i = 0; i < VFS_MAX_MOUNTS && !r; i++)
		if (mounts[i].covered && (cross ? mounts[i].covered : mounts[i].root) == ino)
			r = inode_get(cross ? mounts[i].root : mounts[i].covered);
	spin_unlock_irqrestore(&mount_lock, fl);
	return r;
}

int vfs_mount_busy(struct inode *dir, const char *name)
{
	struct inode *child, *covered;
	int err = vfs_lookup_child(dir, name, strlen(name), &child);

	if (err)
		return err == -EIOWAIT ? err : 0;
	covered = vfs_mount_covered(child); /* the lookup crossed into a mounted root */
	inode_put(child);
	inode_put(covered);
	return covered ? -EBUSY : 0;
}

struct inode *vfs_mount_cross(struct inode *dir)
{
	return mount_find(dir, true);
}

struct inode *vfs_mount_covered(struct inode *root)
{
	return mount_find(root, false);
}

unsigned vfs_mount_roots(struct inode **out, unsigned max)
{
	unsigned n = 0;
	irqflags_t fl = spin_lock_irqsave(&mount_lock);

	for (int i = 0; i < VFS_MAX_MOUNTS && n < max; i++)
		if (mounts[i].covered)
			out[n++] = inode_get(mounts[i].root);
	spin_unlock_irqrestore(&mount_lock, fl);
	return n;
}
