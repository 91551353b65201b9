// SPDX-License-Identifier: MIT
/*
 * ramfs: directories, page-backed regular files and symlinks in memory.
 * This file: inodes, the namespace and directories; file data is file.c.
 *
 * Lifetime: each directory entry holds one reference to its inode, and a
 * directory holds one to its parent, so an inode lives while it has a name
 * or an open file / cwd / walk uses it, and is freed by evict when the last
 * reference goes. nlink is only what stat reports.
 *
 * Cost: an empty file or directory is one 136-byte inode (its own slab
 * cache) plus one directory entry (32 + name bytes, kmalloc); file data
 * is whole pages, allocated on first write to them.
 *
 * Lock legend: ramfs_lock (one for the whole fs, irqsave) guards every
 * directory list, every file's page array and size, and the F fields of
 * struct inode. User copies run under it (lock order ramfs_lock -> as->lock);
 * inode_put is never called with it held (evict takes it).
 */
#include "kernel/fs/ramfs/ramfs.h"
#include "kernel/fs/ramfs/ramfs_int.h"

#include "kernel/block/blkdev.h"
#include "kernel/fs/devfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/fifo.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/pcache.h"
#include "lib/list.h"
#include "lib/string.h"

struct spinlock ramfs_lock = SPINLOCK_INIT("ramfs");
static struct slab_cache ramfs_inode_cache =
	SLAB_CACHE_INIT("ramfs_inode", (sizeof(struct ramfs_inode) + 7) & ~7ul, 8);

static const struct inode_ops ramfs_iops;
static const struct file_ops ramfs_dir_fops;

size_t ramfs_inodes_in_use(void)
{
	return slab_cache_inuse(&ramfs_inode_cache);
}

size_t ramfs_inode_bytes(void)
{
	return ramfs_inode_cache.size;
}

/* Pages of memory-only files (ramfs is the only kind so far). */
size_t ramfs_pages_in_use(void)
{
	struct pcache_stats st;

	pcache_stats(&st);
	return st.mem_pages;
}

/* A new inode's memory, and its page cache for a regular file. */
static void ramfs_free(struct ramfs_inode *ri)
{
	struct ramfs_sb *rsb = RSB(ri->vfs.sb);
	irqflags_t fl;

	if (ri->vfs.pcache) {
		(void)pcache_truncate(ri->vfs.pcache, 0); /* memory only: never waits */
		fl = spin_lock_irqsave(&ramfs_lock);
		ramfs_account_locked(ri);
		spin_unlock_irqrestore(&ramfs_lock, fl);
		pcache_detach(&ri->vfs);
	}
	fl = spin_lock_irqsave(&ramfs_lock);
	rsb->pages -= ri->acct_pages; /* pages a mapping still holds are no longer ours */
	rsb->inodes--;
	if (ri->vfs.nlink == 0)
		rsb->orphans--;
	spin_unlock_irqrestore(&ramfs_lock, fl);
	slab_free(&ramfs_inode_cache, ri);
}

void ramfs_account_locked(struct ramfs_inode *ri)
{
	struct ramfs_sb *rsb = RSB(ri->vfs.sb);
	uint32_t n = ri->vfs.pcache ? __atomic_load_n(&ri->vfs.pcache->nrpages, __ATOMIC_RELAXED)
				    : 0;

	rsb->pages = rsb->pages - ri->acct_pages + n;
	ri->acct_pages = n;
}

/* A new inode counted in sb's inodes; NULL with *err -ENOSPC (nr_inodes) or -ENOMEM. */
static struct ramfs_inode *ramfs_alloc(struct superblock *sb, uint32_t mode, uint32_t rdev,
				       int *err)
{
	struct ramfs_sb *rsb = RSB(sb);
	struct ramfs_inode *ri;
	const struct file_ops *fops = NULL;
	irqflags_t fl = spin_lock_irqsave(&ramfs_lock);

	if (rsb->max_inodes && rsb->inodes >= rsb->max_inodes) {
		spin_unlock_irqrestore(&ramfs_lock, fl);
		*err = -ENOSPC;
		return NULL;
	}
	rsb->inodes++;
	spin_unlock_irqrestore(&ramfs_lock, fl);
	*err = -ENOMEM;
	ri = slab_alloc(&ramfs_inode_cache);
	if (!ri)
		goto out_uncount;
	memset(ri, 0, sizeof(*ri));
	switch (mode & S_IFMT) {
	case S_IFDIR:
		fops = &ramfs_dir_fops;
		break;
	case S_IFREG:
		fops = &ramfs_file_fops;
		break;
	case S_IFCHR:
		fops = devfs_fops(rdev);
		break;
	case S_IFBLK:
		fops = &blkdev_fops;
		break;
	case S_IFIFO:
		fops = &fifo_fops;
		break;
	default:
		break;
	}
	inode_init(&ri->vfs, sb, mode, &ramfs_iops, fops);
	ri->vfs.rdev = rdev;
	if (S_ISREG(mode) && pcache_attach(&ri->vfs, NULL, NULL, PAGE_SIZE)) {
		slab_free(&ramfs_inode_cache, ri);
		goto out_uncount;
	}
	if (S_ISDIR(mode)) {
		list_init(&ri->dir.children);
		ri->dir.next_cookie = 2;
		ri->vfs.nlink = 2;
	}
	return ri;
out_uncount:
	fl = spin_lock_irqsave(&ramfs_lock);
	rsb->inodes--;
	spin_unlock_irqrestore(&ramfs_lock, fl);
	return NULL;
}

static void ramfs_evict(struct inode *ino)
{
	struct ramfs_inode *ri = RI(ino);
	struct ramfs_inode *parent = NULL;

	/* No reference left, so no name and no other user: no lock needed. */
	switch (ino->mode & S_IFMT) {
	case S_IFDIR:
		if (ri->dir.parent != ri)
			parent = ri->dir.parent;
		break;
	case S_IFLNK:
		kfree(ri->target);
		break;
	}
	ramfs_free(ri);
	if (parent)
		inode_put(&parent->vfs);
}

static struct ramfs_dirent *find_locked(struct ramfs_inode *dir, const char *name, size_t len)
{
	struct ramfs_dirent *d;

	list_for_each_entry(d, &dir->dir.children, node)
		if (d->namelen == len && !memcmp(d->name, name, len))
			return d;
	return NULL;
}

static struct ramfs_dirent *dirent_alloc(const char *name, size_t len)
{
	struct ramfs_dirent *d = kmalloc(sizeof(*d) + len + 1);

	if (!d)
		return NULL;
	list_init(&d->node);
	d->inode = NULL;
	d->namelen = (uint8_t)len;
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	return d;
}

/* Link d (holding a reference to its inode) into dir. */
static void add_locked(struct ramfs_inode *dir, struct ramfs_dirent *d)
{
	d->cookie = dir->dir.next_cookie++;
	list_add_tail(&d->node, &dir->dir.children);
	dir->vfs.mtime_ns = dir->vfs.ctime_ns = vfs_now_ns();
}

static int ramfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ramfs_inode *rd = RI(dir);
	struct ramfs_dirent *d;
	int err = 0;
	irqflags_t fl = spin_lock_irqsave(&ramfs_lock);

	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = inode_get(&rd->dir.parent->vfs);
	} else if ((d = find_locked(rd, name, len))) {
		*out = inode_get(d->inode);
	} else {
		err = -ENOENT;
	}
	spin_unlock_irqrestore(&ramfs_lock, fl);
	return err;
}

/* Create an inode of mode under dir; *out gets a reference of its own. */
static int make_node(struct inode *dir, const char *name, size_t len, uint32_t mode, uint32_t rdev,
		     char *target, struct inode **out)
{
	struct ramfs_inode *rd = RI(dir);
	struct ramfs_inode *ri;
	struct ramfs_dirent *d;
	irqflags_t fl;

	switch (mode & S_IFMT) {
	case S_IFDIR:
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFLNK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	default:
		return -EINVAL;
	}
	int err = -ENOMEM;

	d = dirent_alloc(name, len);
	ri = d ? ramfs_alloc(dir->sb, mode, rdev, &err) : NULL;
	if (!d || !ri) {
		kfree(d);
		return err;
	}
	if (target) {
		ri->target = target;
		ri->vfs.size = strlen(target);
	}
	inode_init_owner(&ri->vfs, dir);
	fl = spin_lock_irqsave(&ramfs_lock);
	if (dir->nlink == 0) {
		/* dir was removed while we walked to it */
		spin_unlock_irqrestore(&ramfs_lock, fl);
		goto out_free;
	}
	if (find_locked(rd, name, len)) {
		spin_unlock_irqrestore(&ramfs_lock, fl);
		kfree(d);
		ri->target = NULL;
		ramfs_free(ri);
		return -EEXIST;
	}
	if (S_ISDIR(mode)) {
		ri->dir.parent = RI(inode_get(dir));
		dir->nlink++;
	}
	d->inode = &ri->vfs;	/* the entry's reference: the initial one */
	add_locked(rd, d);
	*out = inode_get(&ri->vfs);
	spin_unlock_irqrestore(&ramfs_lock, fl);
	return 0;
out_free:
	kfree(d);
	ri->target = NULL;
	ramfs_free(ri);
	return -ENOENT;
}

static int ramfs_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
			uint32_t rdev, struct inode **out)
{
	return make_node(dir, name, len, mode, rdev, NULL, out);
}

static int ramfs_symlink(struct inode *dir, const char *name, size_t len, const char *target,
			 struct inode **out)
{
	size_t tlen = strlen(target);
	char *t = kmalloc(tlen + 1);
	int err;

	if (!t)
		return -ENOMEM;
	memcpy(t, target, tlen + 1);
	err = make_node(dir, name, len, S_IFLNK | 0777, 0, t, out);
	if (err)
		kfree(t);
	return err;
}

static int ramfs_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	struct ramfs_dirent *d = dirent_alloc(name, len);
	int err = 0;
	irqflags_t fl;

	if (!d)
		return -ENOMEM;
	fl = spin_lock_irqsave(&ramfs_lock);
	if (dir->nlink == 0)
		err = -ENOENT;
	else if (target->nlink == 0)
		err = -ENOENT; /* linking an unlinked open file: Linux says ENOENT */
	else if (find_locked(RI(dir), name, len))
		err = -EEXIST;
	if (!err) {
		target->nlink++;
		target->ctime_ns = vfs_now_ns();
		d->inode = inode_get(target);
		add_locked(RI(dir), d);
	}
	spin_unlock_irqrestore(&ramfs_lock, fl);
	if (err)
		kfree(d);
	return err;
}

/* Take d out of dir and fix link counts; returns the reference to drop. */
static struct inode *remove_locked(struct ramfs_inode *dir, struct ramfs_dirent *d)
{
	struct inode *ino = d->inode;

	list_del(&d->node);
	if (S_ISDIR(ino->mode)) {
		ino->nlink = 0;
		dir->vfs.nlink--;
	} else {
		ino->nlink--;
	}
	if (ino->nlink == 0)
		RSB(ino->sb)->orphans++; /* until evict frees it */
	ino->ctime_ns = dir->vfs.mtime_ns = dir->vfs.ctime_ns = vfs_now_ns();
	return ino;
}

static int ramfs_unlink(struct inode *dir, const char *name, size_t len, bool rmdir)
{
	struct ramfs_dirent *d;
	struct inode *victim = NULL;
	int err = 0;
	irqflags_t fl = spin_lock_irqsave(&ramfs_lock);

	d = find_locked(RI(dir), name, len);
	if (!d)
		err = -ENOENT;
	else if (rmdir && !S_ISDIR(d->inode->mode))
		err = -ENOTDIR;
	else if (!rmdir && S_ISDIR(d->inode->mode))
		err = -EISDIR;
	else if (rmdir && !list_empty(&RI(d->inode)->dir.children))
		err = -ENOTEMPTY;
	else if (rmdir && d->inode == vfs_root)
		err = -EBUSY;
	else
		victim = remove_locked(RI(dir), d);
	spin_unlock_irqrestore(&ramfs_lock, fl);
	if (victim) {
		kfree(d);
		inode_put(victim);
	}
	return err;
}

/* Is a an ancestor of (or equal to) b? */
static bool is_ancestor_locked(struct ramfs_inode *a, struct ramfs_inode *b)
{
	for (;;) {
		if (a == b)
			return true;
		if (b->dir.parent == b)
			return false;
		b = b->dir.parent;
	}
}

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2

static int ramfs_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
			const char *nname, size_t nlen, unsigned flags)
{
	struct ramfs_dirent *od, *nd, *moved;
	struct inode *victim = NULL, *old_parent = NULL;
	int err = 0;
	irqflags_t fl;

	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	moved = dirent_alloc(nname, nlen);
	if (!moved)
		return -ENOMEM;
	fl = spin_lock_irqsave(&ramfs_lock);
	od = find_locked(RI(odir), oname, olen);
	nd = find_locked(RI(ndir), nname, nlen);
	if (!od) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (ndir->nlink == 0) {
		err = -ENOENT;
		goto out_unlock;
	}
	struct inode *ino = od->inode;

	if (S_ISDIR(ino->mode) && is_ancestor_locked(RI(ino), RI(ndir))) {
		err = -EINVAL;
		goto out_unlock;
	}
	if (nd) {
		if (flags & RENAME_NOREPLACE) {
			err = -EEXIST;
			goto out_unlock;
		}
		if (nd->inode == ino)
			goto out_unlock; /* same file: nothing to do */
		if (S_ISDIR(ino->mode) && !S_ISDIR(nd->inode->mode)) {
			err = -ENOTDIR;
			goto out_unlock;
		}
		if (!S_ISDIR(ino->mode) && S_ISDIR(nd->inode->mode)) {
			err = -EISDIR;
			goto out_unlock;
		}
		if (S_ISDIR(nd->inode->mode) && !list_empty(&RI(nd->inode)->dir.children)) {
			err = -ENOTEMPTY;
			goto out_unlock;
		}
		victim = remove_locked(RI(ndir), nd);
	}
	list_del(&od->node);
	moved->inode = ino;
	add_locked(RI(ndir), moved);
	moved = NULL;
	odir->mtime_ns = odir->ctime_ns = ino->ctime_ns = vfs_now_ns();
	if (S_ISDIR(ino->mode) && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
		old_parent = &RI(ino)->dir.parent->vfs;
		RI(ino)->dir.parent = RI(inode_get(ndir));
	}
out_unlock:
	spin_unlock_irqrestore(&ramfs_lock, fl);
	if (!moved)
		kfree(od);
	kfree(moved);
	if (nd && victim)
		kfree(nd);
	inode_put(victim);
	inode_put(old_parent);
	return err;
}

static long ramfs_readlink(struct inode *ino, char *buf, size_t n)
{
	struct ramfs_inode *ri = RI(ino);
	size_t len;

	if (!S_ISLNK(ino->mode))
		return -EINVAL;
	len = strlen(ri->target);
	if (len > n)
		len = n;
	memcpy(buf, ri->target, len);
	return (long)len;
}

static unsigned dtype_of(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return DT_DIR;
	case S_IFREG:
		return DT_REG;
	case S_IFLNK:
		return DT_LNK;
	case S_IFCHR:
		return DT_CHR;
	case S_IFIFO:
		return DT_FIFO;
	case S_IFBLK:
		return 6;	/* DT_BLK */
	case S_IFSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

static int ramfs_readdir(struct inode *dir, uint64_t *pos, vfs_filldir_t fill, void *ctx)
{
	struct ramfs_inode *rd = RI(dir);
	struct ramfs_dirent *d;
	irqflags_t fl = spin_lock_irqsave(&ramfs_lock);

	if (dir->nlink == 0)
		goto out; /* removed: empty, not even . and .. (as Linux) */
	if (*pos == 0) {
		if (!fill(ctx, ".", 1, dir->ino, DT_DIR, 1))
			goto out;
		*pos = 1;
	}
	if (*pos == 1) {
		if (!fill(ctx, "..", 2, rd->dir.parent->vfs.ino, DT_DIR, 2))
			goto out;
		*pos = 2;
	}
	list_for_each_entry(d, &rd->dir.children, node) {
		if (d->cookie < *pos)
			continue;
		if (!fill(ctx, d->name, d->namelen, d->inode->ino, dtype_of(d->inode->mode),
			  (uint64_t)d->cookie + 1))
			break;
		*pos = (uint64_t)d->cookie + 1;
	}
out:
	spin_unlock_irqrestore(&ramfs_lock, fl);
	return 0;
}

/* Make room for page index idx in the page array. */
static int ramfs_dir_readdir(struct file *f, uint64_t *pos, vfs_filldir_t fill, void *ctx)
{
	return ramfs_readdir(f->inode, pos, fill, ctx);
}

static long ramfs_dir_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return -EISDIR;
}

static const struct inode_ops ramfs_iops = {
	.lookup = ramfs_lookup,
	.create = ramfs_create,
	.symlink = ramfs_symlink,
	.link = ramfs_link,
	.unlink = ramfs_unlink,
	.rename = ramfs_rename,
	.readlink = ramfs_readlink,
	.readdir = ramfs_readdir,
	.truncate = ramfs_truncate,
	.evict = ramfs_evict,
};


static const struct file_ops ramfs_dir_fops = {
	.read = ramfs_dir_read,
	.seekable = true,
	.readdir = ramfs_dir_readdir,
};

static struct ramfs_sb ramfs_sb = { .vsb = { .dev = 1, .name = "ramfs", .next_ino = 1 } };

struct inode *ramfs_create_fs_on(struct ramfs_sb *rsb, uint32_t mode)
{
	int err;
	struct ramfs_inode *root = ramfs_alloc(&rsb->vsb, S_IFDIR | (mode & 07777), 0, &err);

	if (!root)
		return NULL;
	root->dir.parent = root; /* not counted: it is itself */
	return &root->vfs;
}

struct inode *ramfs_create_fs(void)
{
	return ramfs_create_fs_on(&ramfs_sb, 0755);
}

/*
 * References the tree itself holds on ri: one per name of a non-directory
 * (nlink), and for a directory its own name plus one per subdirectory's
 * parent pointer (nlink - 1: nlink is 2 + subdirectories). For the root the
 * caller's reference stands in for the name.
 */
static unsigned tree_refs_locked(struct ramfs_inode *ri)
{
	return S_ISDIR(ri->vfs.mode) ? ri->vfs.nlink - 1 : ri->vfs.nlink;
}

/* Is anything but the tree using an inode under root? (iterative, any depth) */
static bool busy_locked(struct ramfs_inode *root)
{
	struct ramfs_inode *cur = root;
	struct list_head *at;

	if (RSB(root->vfs.sb)->orphans)
		return true;
	if (atomic_load_explicit(&root->vfs.ref, memory_order_acquire) > tree_refs_locked(root))
		return true;
	at = root->dir.children.next;
	for (;;) {
		if (at == &cur->dir.children) {
			struct ramfs_inode *child = cur;
			struct ramfs_dirent *d;

			if (cur == root)
				return false;
			cur = cur->dir.parent; /* continue after child's entry */
			at = NULL;
			list_for_each_entry(d, &cur->dir.children, node)
				if (d->inode == &child->vfs) {
					at = d->node.next;
					break;
				}
			if (!at)
				return true; /* cannot be: be safe */
			continue;
		}
		struct ramfs_dirent *d = container_of(at, struct ramfs_dirent, node);
		struct ramfs_inode *ri = RI(d->inode);

		if (atomic_load_explicit(&ri->vfs.ref, memory_order_acquire) > tree_refs_locked(ri))
			return true;
		if (S_ISDIR(ri->vfs.mode)) {
			cur = ri;
			at = ri->dir.children.next;
		} else {
			at = at->next;
		}
	}
}

int ramfs_kill(struct inode *root)
{
	struct ramfs_inode *r = RI(root), *cur = r;
	irqflags_t fl = spin_lock_irqsave(&ramfs_lock);

	if (busy_locked(r)) {
		spin_unlock_irqrestore(&ramfs_lock, fl);
		return -EBUSY;
	}
	/* Remove names leaves first: an empty directory or a non-directory
	 * goes, a non-empty directory is entered, an emptied one left. */
	for (;;) {
		if (list_empty(&cur->dir.children)) {
			if (cur == r)
				break;
			cur = cur->dir.parent;
			continue;
		}
		struct ramfs_dirent *d =
			container_of(cur->dir.children.next, struct ramfs_dirent, node);
		struct ramfs_inode *ri = RI(d->inode);

		if (S_ISDIR(ri->vfs.mode) && !list_empty(&ri->dir.children)) {
			cur = ri;
			continue;
		}
		struct inode *victim = remove_locked(cur, d);

		spin_unlock_irqrestore(&ramfs_lock, fl);
		kfree(d);
		inode_put(victim); /* cur stays: its own name still holds it */
		fl = spin_lock_irqsave(&ramfs_lock);
	}
	spin_unlock_irqrestore(&ramfs_lock, fl);
	inode_put(root);
	return 0;
}
