// SPDX-License-Identifier: MIT
/*
 * Unpack the initrd (cpio newc) into a fresh ramfs and make it the root.
 * Two passes: the first checks the whole archive (every header, every name,
 * the trailer) so a malformed archive is refused before anything is built;
 * the second creates the tree. Hard links are joined by c_ino: the first
 * entry of a group makes the inode, later ones add names, and whichever
 * entry carries data fills it (GNU cpio puts it on the last one).
 */
#include "kernel/fs/devfs.h"
#include "kernel/fs/ramfs/ramfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/printk.h"
#include "lib/cpio_newc.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Next non-empty, non-"." component of *s; false at the end. */
static bool next_comp(const char **s, const char **c, size_t *len)
{
	for (;;) {
		while (**s == '/')
			(*s)++;
		if (!**s)
			return false;
		*c = *s;
		while (**s && **s != '/')
			(*s)++;
		*len = (size_t)(*s - *c);
		if (!(*len == 1 && (*c)[0] == '.'))
			return true;
	}
}

static bool name_ok(const char *name, size_t namelen)
{
	const char *s = name, *c;
	size_t len;

	if (namelen >= PATH_MAX)
		return false;
	while (next_comp(&s, &c, &len))
		if (len > NAME_MAX || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
	return true;
}

static int validate(const void *data, size_t len)
{
	struct cpio_newc_entry e;
	size_t off = 0;
	int r;

	while ((r = cpio_newc_next(data, len, &off, &e)) == 1) {
		if (!name_ok(e.name, e.namelen)) {
			kprintf("initrd: bad name \"%s\" at offset %lu\n", e.name,
				(unsigned long)off);
			return -EINVAL;
		}
		if (S_ISLNK(e.mode) && (e.filesize == 0 || e.filesize >= PATH_MAX)) {
			kprintf("initrd: bad symlink \"%s\"\n", e.name);
			return -EINVAL;
		}
	}
	if (r < 0)
		kprintf("initrd: malformed cpio archive at offset %lu of %lu\n", (unsigned long)off,
			(unsigned long)len);
	return r;
}

/* Walk to the directory holding the last component (making missing
 * directories), returning it counted and the last component. */
static int parent_of(struct inode *root, const char *path, struct inode **dir, const char **last,
		     size_t *lastlen)
{
	const char *s = path, *c, *nc;
	size_t len, nlen;
	struct inode *cur = inode_get(root);
	int err;

	if (!next_comp(&s, &c, &len)) {
		*dir = cur;
		*last = NULL; /* the root itself */
		return 0;
	}
	while (next_comp(&s, &nc, &nlen)) {
		struct inode *child;

		err = cur->iops->lookup(cur, c, len, &child);
		if (err == -ENOENT)
			err = cur->iops->create(cur, c, len, S_IFDIR | 0755, 0, &child);
		inode_put(cur);
		if (err)
			return err;
		if (!S_ISDIR(child->mode)) {
			inode_put(child);
			return -ENOTDIR;
		}
		cur = child;
		c = nc;
		len = nlen;
	}
	*dir = cur;
	*last = c;
	*lastlen = len;
	return 0;
}

struct link_slot {
	uint32_t ino;
	struct inode *inode;	/* counted */
};

struct links {
	struct link_slot *v;
	size_t n, cap;
};

static struct inode *links_find(struct links *l, uint32_t ino)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].ino == ino)
			return l->v[i].inode;
	return NULL;
}

static int links_add(struct links *l, uint32_t ino, struct inode *inode)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct link_slot *v = kmalloc(cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		if (l->n)
			memcpy(v, l->v, l->n * sizeof(*v));
		kfree(l->v);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].ino = ino;
	l->v[l->n].inode = inode_get(inode);
	l->n++;
	return 0;
}

static void links_free(struct links *l)
{
	for (size_t i = 0; i < l->n; i++)
		inode_put(l->v[i].inode);
	kfree(l->v);
}

static int fill_data(struct inode *ino, const void *data, size_t n)
{
	struct file *f;
	struct iovec iov;
	struct uio u;
	uint64_t pos = 0;
	long r;
	int err = file_open_inode(ino, O_WRONLY, &f);

	if (err)
		return err;
	err = vfs_truncate(ino, 0);
	uio_init_kernel(&u, &iov, (void *)data, n);
	while (!err && u.resid) {
		r = f->ops->write(f, &u, &pos);
		if (r <= 0)
			err = r ? (int)r : -EIO;
	}
	file_put(f);
	return err;
}

static int unpack_one(struct inode *root, const struct cpio_newc_entry *e, struct links *links)
{
	struct inode *dir, *ino = NULL;
	const char *last;
	size_t len;
	uint32_t type = e->mode & S_IFMT;
	int err = parent_of(root, e->name, &dir, &last, &len);

	if (err)
		return err;
	if (!last) {
		/* "." : the root's own mode */
		root->mode = S_IFDIR | (e->mode & 07777);
		inode_put(dir);
		return 0;
	}
	err = dir->iops->lookup(dir, last, len, &ino);
	if (!err) {
		if (type == S_IFDIR && S_ISDIR(ino->mode)) {
			ino->mode = e->mode; /* made early as a parent: fix the mode */
			goto out_set;
		}
		inode_put(ino);
		ino = NULL;
		/* A later entry replaces an earlier one, as cpio -i does. */
		err = dir->iops->unlink(dir, last, len, S_ISDIR(type));
		if (err)
			goto out_dir;
	} else if (err != -ENOENT) {
		goto out_dir;
	}
	if (type != S_IFDIR && e->nlink > 1 && (ino = links_find(links, e->ino))) {
		err = dir->iops->link(dir, last, len, ino);
		ino = inode_get(ino);
		if (!err && e->filesize)
			err = fill_data(ino, e->data, e->filesize);
		goto out_put;
	}
	switch (type) {
	case S_IFDIR:
	case S_IFREG:
	case S_IFCHR:
	case S_IFIFO:
		err = dir->iops->create(dir, last, len, e->mode, MKDEV(e->rdevmajor, e->rdevminor),
					&ino);
		if (!err && type == S_IFREG && e->filesize)
			err = fill_data(ino, e->data, e->filesize);
		break;
	case S_IFLNK: {
		char *t = kmalloc(e->filesize + 1);

		if (!t) {
			err = -ENOMEM;
			break;
		}
		memcpy(t, e->data, e->filesize);
		t[e->filesize] = '\0';
		err = dir->iops->symlink(dir, last, len, t, &ino);
		kfree(t);
		break;
	}
	default:
		kprintf("initrd: skipping \"%s\" (mode %o)\n", e->name, e->mode);
		goto out_dir;
	}
	if (!err && type != S_IFDIR && e->nlink > 1)
		err = links_add(links, e->ino, ino);
out_set:
	if (!err) {
		ino->uid = e->uid;
		ino->gid = e->gid;
		ino->mtime_ns = ino->ctime_ns = ino->atime_ns = (int64_t)e->mtime * 1000000000;
	}
out_put:
	inode_put(ino);
out_dir:
	inode_put(dir);
	return err;
}

int ramfs_mount_root_from_cpio(const void *data, size_t len)
{
	struct links links = { 0 };
	struct cpio_newc_entry e;
	struct inode *root;
	size_t off = 0;
	unsigned files = 0;
	int err = 0;

	if (data && len) {
		err = validate(data, len);
		if (err)
			return err;
	}
	root = ramfs_create_fs();
	if (!root)
		return -ENOMEM;
	while (data && len && cpio_newc_next(data, len, &off, &e) == 1) {
		err = unpack_one(root, &e, &links);
		if (err) {
			kprintf("initrd: \"%s\": error %d\n", e.name, err);
			break;
		}
		files++;
	}
	links_free(&links);
	if (!err)
		err = devfs_populate(root);
	if (err) {
		kprintf("initrd: unpacking failed (%d); the partial tree is kept\n", err);
	}
	vfs_set_root(root);
	inode_put(root);
	kprintf("initrd: %u entries unpacked into ramfs (%lu pages of file data)\n", files,
		(unsigned long)ramfs_pages_in_use());
	return err;
}
