// SPDX-License-Identifier: MIT
/*
 * The mount list (kernel/fs/mount.h) that path lookup crosses, and the
 * registry of file system types mount(2) can name. Lock legend: L mount_lock.
 */
#include "kernel/fs/mount.h"

#include "kernel/block/blkdev.h"
#include "kernel/fs/dcache.h"
#include "kernel/mm/kmalloc.h"
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

static struct list_head mount_list = LIST_HEAD_INIT(mount_list);	/* L */
static unsigned nmounts;						/* L */
static unsigned next_id = MOUNT_ROOT_ID + 1;				/* L */
static struct spinlock mount_lock = SPINLOCK_INIT("vfs_mount");

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = kmalloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

static void mount_free(struct mount *m)
{
	kfree(m->source);
	kfree(m->mountpoint);
	kfree(m->root_path);
	kfree(m);
}

/* The newest mount with root == ino (or covered == ino). */
static struct mount *newest_locked(const struct inode *ino, bool by_covered)
{
	struct mount *m, *found = NULL;

	list_for_each_entry(m, &mount_list, node)
		if ((by_covered ? m->covered : m->root) == ino)
			found = m;
	return found;
}

static struct mount *by_id_locked(unsigned id)
{
	struct mount *m;

	list_for_each_entry(m, &mount_list, node)
		if (m->id == id)
			return m;
	return NULL;
}

/* The mount a directory is seen through: the one whose root it is, else the
 * root's for a directory of the root fs, else the newest non-bind mount of
 * its fs. (Mounts sit on inodes here: a directory under a bind is the same
 * inode as under its own fs's mount.) */
static unsigned parent_id_locked(const struct inode *dir)
{
	struct mount *m = newest_locked(dir, false), *it;

	if (m)
		return m->id;
	if (vfs_root && dir->sb == vfs_root->sb)
		return MOUNT_ROOT_ID;
	list_for_each_entry(it, &mount_list, node)
		if (it->sb == dir->sb && (!m || !it->bind || m->bind))
			m = it;
	return m ? m->id : MOUNT_ROOT_ID;
}

int mount_attach(struct inode *dir, struct inode *root, const struct mount_desc *d,
		 unsigned *id)
{
	struct mount *m = kzalloc(sizeof(*m)), *top;
	irqflags_t fl;
	int err = 0;

	if (!m)
		return -ENOMEM;
	m->source = dup_str(d->source ? d->source : root->sb && root->sb->name ? root->sb->name
										: "none");
	m->root_path = dup_str(d->root_path ? d->root_path : "/");
	m->mountpoint = d->mountpoint ? dup_str(d->mountpoint) : NULL;
	if (!m->source || !m->root_path || (d->mountpoint && !m->mountpoint)) {
		mount_free(m);
		return -ENOMEM;
	}
	m->root = root;
	m->covered = dir;
	m->sb = root->sb;
	m->flags = d->flags & MS_MNT_FLAGS;
	m->bind = d->bind;
	fl = spin_lock_irqsave(&mount_lock);
	/* The same fs's root mounted again right where it shows already (Linux's
	 * do_add_mount check), or a directory over itself. */
	top = newest_locked(dir, false);
	if (root == dir || (top && top->sb == root->sb && !d->bind) ||
	    (!top && dir == vfs_root && root->sb == dir->sb && !d->bind))
		err = -EBUSY;
	else if (nmounts >= VFS_MAX_MOUNTS)
		err = -ENOSPC;
	if (!err) {
		m->id = next_id++;
		m->parent_id = parent_id_locked(dir);
		inode_get(dir);
		inode_get(root);
		list_add_tail(&m->node, &mount_list);
		nmounts++;
		if (id)
			*id = m->id;
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	if (err)
		mount_free(m);
	return err;
}

int vfs_mount_add(struct inode *dir, struct inode *root)
{
	return mount_attach(dir, root, &(struct mount_desc){ .flags = MS_RELATIME }, NULL);
}

int vfs_mount_remove(struct inode *root, struct inode **root_ref, struct inode **covered)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m = newest_locked(root, false);

	if (m) {
		list_del(&m->node);
		nmounts--;
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	if (!m)
		return -EINVAL;
	*root_ref = m->root;
	*covered = m->covered;
	mount_free(m);
	return 0;
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
	struct inode *r = NULL;
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m = newest_locked(dir, true);

	/* Stacked mounts: the newest on each root, up to the top. */
	for (unsigned n = 0; m && n <= VFS_MAX_MOUNTS; n++) {
		struct mount *up = newest_locked(m->root, true);

		if (!up)
			break;
		m = up;
	}
	if (m)
		r = inode_get(m->root);
	spin_unlock_irqrestore(&mount_lock, fl);
	return r;
}

struct inode *vfs_mount_covered(struct inode *root)
{
	struct inode *r = NULL;
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m = newest_locked(root, false);

	if (m)
		r = inode_get(m->covered);
	spin_unlock_irqrestore(&mount_lock, fl);
	return r;
}

unsigned vfs_mount_roots(struct inode **out, unsigned max)
{
	unsigned n = 0;
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m;

	list_for_each_entry(m, &mount_list, node) {
		if (n == max)
			break;
		out[n++] = inode_get(m->root);
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	return n;
}

unsigned mount_find(struct inode *root, const char *path)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m, *found = NULL, *at_path = NULL;
	unsigned id;

	list_for_each_entry(m, &mount_list, node) {
		if (m->root != root)
			continue;
		found = m;
		if (path && m->mountpoint && !strcmp(m->mountpoint, path))
			at_path = m;
	}
	id = at_path ? at_path->id : found ? found->id : 0;
	spin_unlock_irqrestore(&mount_lock, fl);
	return id;
}

static unsigned count_sb_locked(const struct superblock *sb)
{
	struct mount *m;
	unsigned n = vfs_root && vfs_root->sb == sb;

	list_for_each_entry(m, &mount_list, node)
		n += m->sb == sb;
	return n;
}

unsigned mount_count_sb(const struct superblock *sb)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	unsigned n = count_sb_locked(sb);

	spin_unlock_irqrestore(&mount_lock, fl);
	return n;
}

unsigned long mount_flags_of_sb(const struct superblock *sb)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	unsigned long flags = MS_RELATIME;
	struct mount *m;

	list_for_each_entry(m, &mount_list, node)
		if (m->sb == sb)
			flags = m->flags;
	spin_unlock_irqrestore(&mount_lock, fl);
	return flags;
}

struct inode *mount_root_of_bdev(const struct blkdev *dev, struct superblock **sb)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct inode *r = NULL;
	struct mount *m;

	*sb = NULL;
	if (vfs_root && vfs_root->sb && vfs_root->sb->bdev == dev) {
		r = inode_get(vfs_root);
		*sb = vfs_root->sb;
	}
	list_for_each_entry(m, &mount_list, node) {
		if (r || !m->sb || m->sb->bdev != dev)
			continue;
		*sb = m->sb;
		if (!m->bind)
			r = inode_get(m->root);
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	return r;
}

unsigned mount_id_of_sb(const struct superblock *sb)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	unsigned id = vfs_root && vfs_root->sb == sb ? MOUNT_ROOT_ID : 0;
	struct mount *m;

	list_for_each_entry(m, &mount_list, node)
		if (m->sb == sb && !id)
			id = m->id;
	spin_unlock_irqrestore(&mount_lock, fl);
	return id;
}

static void copy_str(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int mount_sb_base(const struct superblock *sb, char *source, char *mountpoint, char *root_path,
		  size_t n)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m, *found = NULL;
	int err = 0;

	list_for_each_entry(m, &mount_list, node)
		if (m->sb == sb && (!found || !m->bind || found->bind))
			found = m;
	if (found && found->mountpoint) {
		copy_str(source, found->source, n);
		copy_str(mountpoint, found->mountpoint, n);
		copy_str(root_path, found->root_path, n);
	} else {
		err = -ENOENT;
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	return err;
}

int mount_info_of_root(const struct inode *root, char *source, char *mountpoint,
		       char *root_path, size_t n)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m = newest_locked(root, false);
	int err = m && m->mountpoint ? 0 : -ENOENT;

	if (!err) {
		copy_str(source, m->source, n);
		copy_str(mountpoint, m->mountpoint, n);
		copy_str(root_path, m->root_path, n);
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	return err;
}

int mount_set_flags(unsigned id, unsigned long flags)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m = by_id_locked(id);

	if (m)
		m->flags = flags & MS_MNT_FLAGS;
	spin_unlock_irqrestore(&mount_lock, fl);
	return m ? 0 : -EINVAL;
}

bool mount_expire_mark(unsigned id)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m = by_id_locked(id);
	bool was = m && m->expiry_mark;

	if (m)
		m->expiry_mark = true;
	spin_unlock_irqrestore(&mount_lock, fl);
	return was;
}

int mount_detach(unsigned id, struct mount **out)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m = by_id_locked(id), *it;
	int err = m ? 0 : -EINVAL;

	/* Something mounted below it: on its root, or (when it is the fs's
	 * only mount) anywhere in its fs. */
	if (m) {
		bool only = count_sb_locked(m->sb) == 1;

		list_for_each_entry(it, &mount_list, node)
			if (it != m && (it->covered == m->root || it->parent_id == m->id ||
					(only && it->covered->sb == m->sb)))
				err = -EBUSY;
	}
	if (!err) {
		list_del(&m->node);
		nmounts--;
		*out = m;
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	return err;
}

/* Is mount it below mount top (by parent ids, any depth)? */
static bool below_locked(const struct mount *it, const struct mount *top)
{
	for (unsigned n = 0; it && n <= VFS_MAX_MOUNTS; n++) {
		if (it->parent_id == top->id)
			return true;
		it = by_id_locked(it->parent_id);
	}
	return false;
}

/* s with its first oldlen bytes replaced by new (kmalloc'd), or NULL. */
static char *reprefix(const char *s, size_t oldlen, const char *new)
{
	size_t nl = strlen(new), rl = strlen(s + oldlen);
	char *d = kmalloc(nl + rl + 1);

	if (d) {
		memcpy(d, new, nl);
		memcpy(d + nl, s + oldlen, rl + 1);
	}
	return d;
}

int mount_move(unsigned id, struct inode *dir, const char *mp)
{
	char *newmp = dup_str(mp);
	struct inode *old = NULL;
	irqflags_t fl;
	struct mount *m, *it;
	int err = 0;

	if (!newmp)
		return -ENOMEM;
	fl = spin_lock_irqsave(&mount_lock);
	m = by_id_locked(id);
	if (!m)
		err = -EINVAL;
	else if (dir == m->root)
		err = -EBUSY;
	if (!err) {
		/* The mount points below follow ("/a/b" under "/a" moved to "/c": "/c/b"). */
		size_t ol = m->mountpoint ? strlen(m->mountpoint) : 0;

		list_for_each_entry(it, &mount_list, node) {
			if (!m->mountpoint || !it->mountpoint || !below_locked(it, m) ||
			    strncmp(it->mountpoint, m->mountpoint, ol))
				continue;
			char *moved = reprefix(it->mountpoint, ol, mp);

			if (moved) {
				kfree(it->mountpoint);
				it->mountpoint = moved;
			}
		}
		old = m->covered;
		m->covered = inode_get(dir);
		kfree(m->mountpoint);
		m->mountpoint = newmp;
		newmp = NULL;
		m->parent_id = parent_id_locked(dir);
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	kfree(newmp);
	if (old)
		inode_put(old);
	return err;
}

static bool in_chain(const struct mount *head, unsigned id)
{
	for (; head; head = head->next_detached)
		if (head->id == id)
			return true;
	return false;
}

int mount_detach_tree(unsigned id, struct mount **out)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m = by_id_locked(id), *it, *tmp, *head = NULL;
	bool more = m != NULL;

	if (m) {
		list_del(&m->node);
		nmounts--;
		m->next_detached = NULL;
		head = m;
	}
	/* Level by level, each pushed on the front: the deepest end up first. */
	while (more) {
		more = false;
		list_for_each_entry_safe(it, tmp, &mount_list, node) {
			if (!in_chain(head, it->parent_id))
				continue;
			list_del(&it->node);
			nmounts--;
			it->next_detached = head;
			head = it;
			more = true;
		}
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	*out = head;
	return m ? 0 : -EINVAL;
}

void mount_reattach(struct mount *m)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *it;
	struct list_head *before = &mount_list;

	list_for_each_entry(it, &mount_list, node) {
		if (it->id > m->id) {
			before = &it->node;
			break;
		}
	}
	list_add_tail(&m->node, before);
	nmounts++;
	spin_unlock_irqrestore(&mount_lock, fl);
}

int mount_release(struct mount *m)
{
	irqflags_t fl;

	/* The name cache's entries hold the fs's inodes (and so its root): let
	 * them go first, or the checks below would see it busy. */
	if (m->sb)
		dcache_drop_sb(m->sb);
	fl = spin_lock_irqsave(&mount_lock);
	unsigned others = count_sb_locked(m->sb), held = 1;
	struct mount *it;
	int err = 0;

	/* References the other mounts (and the root) hold on our root. */
	list_for_each_entry(it, &mount_list, node)
		held += (it->root == m->root) + (it->covered == m->root);
	held += vfs_root == m->root;
	spin_unlock_irqrestore(&mount_lock, fl);
	if (others) {
		/* The fs stays: only this view of it goes. */
		if (atomic_load_explicit(&m->root->ref, memory_order_acquire) > held)
			return -EBUSY;
		inode_put(m->root);
	} else {
		struct blkdev *dev = m->sb ? m->sb->bdev : NULL;

		err = m->sb && m->sb->ops && m->sb->ops->unmount ? m->sb->ops->unmount(m->sb, m->root)
								 : -EBUSY;
		if (err)
			return err;
		if (dev) /* the fs is gone: the device may be mounted afresh */
			atomic_fetch_sub_explicit(&dev->fs_count, 1, memory_order_release);
	}
	inode_put(m->covered);
	mount_free(m);
	return 0;
}

int mount_views(struct mount_view *out, unsigned max)
{
	irqflags_t fl = spin_lock_irqsave(&mount_lock);
	struct mount *m;
	unsigned n = 0;
	int err = 0;

	if (max && vfs_root) {
		struct superblock *sb = vfs_root->sb;

		out[n++] = (struct mount_view){
			.id = MOUNT_ROOT_ID, .parent_id = 1, .dev = sb ? sb->dev : 0,
			.flags = MS_RELATIME, .ro = sb_rdonly(sb),
			.fstype = sb && sb->name ? sb->name : "none",
			.source = NULL, .mountpoint = dup_str("/"), .root_path = dup_str("/"),
		};
	}
	list_for_each_entry(m, &mount_list, node) {
		if (n == max)
			break;
		struct mount_view *v = &out[n++];

		*v = (struct mount_view){
			.id = m->id, .parent_id = m->parent_id, .dev = m->sb ? m->sb->dev : 0,
			.flags = m->flags, .ro = sb_rdonly(m->sb),
			.fstype = m->sb && m->sb->name ? m->sb->name : "none",
			.source = dup_str(m->source), .root_path = dup_str(m->root_path),
			.mountpoint = m->mountpoint ? dup_str(m->mountpoint) : NULL,
			.covered = m->mountpoint ? NULL : inode_get(m->covered),
		};
		if (!v->source || !v->root_path || (m->mountpoint && !v->mountpoint))
			err = -ENOMEM;
	}
	spin_unlock_irqrestore(&mount_lock, fl);
	if (n && !out[0].source && out[0].id == MOUNT_ROOT_ID) {
		/* The root: its device, or what it is. */
		struct superblock *sb = vfs_root->sb;
		const char *src = sb && sb->bdev ? NULL : !strcmp(out[0].fstype, "ramfs") ? "rootfs"
											: out[0].fstype;
		if (src) {
			out[0].source = dup_str(src);
		} else {
			out[0].source = kmalloc(6 + sizeof(sb->bdev->name));
			if (out[0].source) {
				memcpy(out[0].source, "/dev/", 5);
				memcpy(out[0].source + 5, sb->bdev->name, sizeof(sb->bdev->name));
			}
		}
		if (!out[0].source || !out[0].mountpoint || !out[0].root_path)
			err = -ENOMEM;
	}
	if (err) {
		mount_views_free(out, n);
		return err;
	}
	return (int)n;
}

void mount_views_free(struct mount_view *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		kfree(v[i].source);
		kfree(v[i].mountpoint);
		kfree(v[i].root_path);
		if (v[i].covered)
			inode_put(v[i].covered);
	}
}
