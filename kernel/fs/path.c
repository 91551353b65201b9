// SPDX-License-Identifier: MIT
/*
 * Path lookup and the namespace operations built on it (open, mknod/mkdir,
 * unlink/rmdir, symlink, link, rename, getcwd). Lookup is iterative: a
 * symlink is expanded by splicing its target in front of the rest of the
 * path in a work buffer, so there is no recursion and the loop limit is a
 * counter. A walk inside a restarted syscall leaves a checkpoint where a
 * cache miss stopped it, and its result once it ends, so the rerun goes on
 * from there (ioctx.h): a path deeper than the cache holds still resolves.
 */
#include "kernel/fs/vfs.h"
#include "kernel/mm/pcache.h"

#include "kernel/fs/ioctx.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

/* The creation mask: the process's, or Linux's default for kernel callers. */
static uint32_t umask_of(struct proc *p)
{
	return p ? proc_umask(p) : 022;
}

/* The directory "/" names for p: its chroot(2) directory, or the real root. */
static struct inode *root_of(struct proc *p)
{
	struct inode *r = p ? proc_root(p) : NULL;

	return inode_get(r ? r : vfs_root);
}

/* The same for a walk, counted, or NULL for the real root (which lives as
 * long as the system: no reference to take on the common path). */
static struct inode *walk_top(struct proc *p)
{
	struct inode *r = p ? proc_root(p) : NULL;

	return r ? inode_get(r) : NULL;
}

static struct inode *start_dir(struct proc *p, struct inode *base, const char *path)
{
	if (path[0] == '/' || (!base && !p))
		return root_of(p);
	if (base)
		return inode_get(base);
	struct inode *cwd = proc_cwd(p);

	return inode_get(cwd ? cwd : vfs_root);
}

/* One child of dir by name: ".", ".." at the root and the rest through
 * ->lookup; crossing mount points both ways (vfs.h). */
static int lookup_one(struct inode *dir, const char *name, size_t len, struct inode **out);

int vfs_lookup_child(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	return lookup_one(dir, name, len, out);
}

static int lookup_one(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct inode *under = NULL, *over;
	int err;

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (len == 1 && name[0] == '.') {
		*out = inode_get(dir);
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (dir == vfs_root) {
			*out = inode_get(dir);
			return 0;
		}
		/* ".." of a mounted root is the covered directory's "..". */
		under = vfs_mount_covered(dir);
		if (under)
			dir = under;
	}
	if (!dir->iops || !dir->iops->lookup) {
		inode_put(under);
		return -ENOTDIR;
	}
	err = dir->iops->lookup(dir, name, len, out);
	inode_put(under);
	if (!err && S_ISDIR((*out)->mode) && (over = vfs_mount_cross(*out))) {
		inode_put(*out);
		*out = over;
	}
	return err;
}

struct walk {
	struct inode *cur;	/* counted: the directory we are in */
	char *buf;		/* work buffer once a symlink was expanded, else NULL */
	char *tbuf;		/* symlink target buffer */
	const char *s;		/* the rest of the path */
	unsigned links;
	struct inode *top;	/* counted: "/" of the walking process (chroot), NULL: vfs_root */
};

static void walk_done(struct walk *w)
{
	inode_put(w->top);
	kfree(w->buf);
	kfree(w->tbuf);
}

/* Replace the path with target + rest (rest is empty or starts with '/', so a
 * trailing slash survives); w->cur is the link's directory. */
static int expand_link(struct walk *w, struct inode *link, const char *rest)
{
	long tlen;
	size_t rlen = strlen(rest);

	if (w->links + 1 > SYMLOOP_MAX)
		return -ELOOP;
	if (!w->buf && !(w->buf = kmalloc(PATH_MAX)))
		return -ENOMEM;
	if (!w->tbuf && !(w->tbuf = kmalloc(PATH_MAX)))
		return -ENOMEM;
	if (!link->iops || !link->iops->readlink)
		return -EINVAL;
	tlen = link->iops->readlink(link, w->tbuf, PATH_MAX);
	if (tlen < 0)
		return (int)tlen;
	w->links++;
	if (tlen == 0)
		return -ENOENT;
	if ((size_t)tlen + rlen >= PATH_MAX)
		return -ENAMETOOLONG;
	/* rest may live in w->buf itself: move it first. */
	memmove(w->buf + tlen, rest, rlen + 1);
	memcpy(w->buf, w->tbuf, (size_t)tlen);
	w->s = w->buf;
	if (w->buf[0] == '/') {
		inode_put(w->cur);
		w->cur = inode_get(w->top ? w->top : vfs_root);
	}
	return 0;
}

/* ---- checkpoints (ioctx.h) -------------------------------------------------- */

static bool ckpt_matches(const struct walk_ckpt *ck, struct inode *base, const char *path,
			 unsigned flags, bool parent)
{
	return ck->valid && ck->base == base && ck->flags == flags && ck->parent == parent &&
	       !strcmp(ck->path, path);
}

/* Make ck describe this walk (a fresh slot, or one that did not match). */
static bool ckpt_claim(struct walk_ckpt *ck, struct inode *base, const char *path,
		       unsigned flags, bool parent)
{
	if (ckpt_matches(ck, base, path, flags, parent))
		return true;
	walk_ckpt_clear(ck);
	size_t len = strlen(path) + 1;

	ck->path = kmalloc(len);
	if (!ck->path)
		return false;
	memcpy(ck->path, path, len);
	ck->base = base ? inode_get(base) : NULL;
	ck->flags = flags;
	ck->parent = parent;
	ck->valid = true;
	return true;
}

/* A miss at component c: the rerun starts at w->cur with c (the walk's
 * directory, its work buffer and symlink count move into ck). */
static void ckpt_stop(struct walk_ckpt *ck, struct walk *w, const char *path, const char *c)
{
	const char *str = w->buf && w->s >= w->buf && w->s < w->buf + PATH_MAX ? w->buf : path;

	inode_put(ck->cur);
	kfree(ck->buf);
	ck->cur = w->cur;
	w->cur = NULL;
	ck->buf = str == w->buf ? w->buf : NULL;
	if (ck->buf)
		w->buf = NULL;
	ck->off = (size_t)(c - str);
	ck->links = w->links;
	ck->done = false;
}

/* The walk finished: its result, for the rerun (counted again by ck). */
static void ckpt_done(struct walk_ckpt *ck, struct inode *res, const char *name, bool trailing)
{
	inode_put(ck->cur);
	kfree(ck->buf);
	ck->buf = NULL;
	ck->cur = inode_get(res);
	kfree(ck->name);
	ck->name = NULL;
	if (name) {
		size_t len = strlen(name) + 1;

		ck->name = kmalloc(len);
		if (!ck->name) {
			walk_ckpt_clear(ck); /* no room: the rerun walks again */
			return;
		}
		memcpy(ck->name, name, len);
	}
	ck->trailing = trailing;
	ck->done = true;
}

/*
 * The walk. In parent mode it stops before the last component and copies it
 * to name; otherwise it resolves everything into *out.
 */
static int walk(struct proc *p, struct inode *base, const char *path, unsigned flags,
		bool parent, struct inode **out, char *name, bool *trailing_slash)
{
	struct walk w = { 0 };
	struct walk_ckpt *ck;
	size_t plen;
	int err = 0;

	if (!vfs_root)
		return -ENOENT;
	plen = strnlen(path, PATH_MAX);
	if (plen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (plen == 0)
		return -ENOENT;
	w.top = walk_top(p);
	ck = ioctx_next_walk();
	if (ck && ckpt_matches(ck, base, path, flags, parent) && ck->cur) {
		if (ck->done) {
			/* An earlier run of this syscall finished this walk. */
			if (parent) {
				memcpy(name, ck->name, strlen(ck->name) + 1);
				*trailing_slash = ck->trailing;
			}
			*out = inode_get(ck->cur);
			return 0;
		}
		/* Go on from where the miss stopped an earlier run. */
		w.cur = ck->cur;
		ck->cur = NULL;
		w.buf = ck->buf;
		ck->buf = NULL;
		w.s = (w.buf ? w.buf : path) + ck->off;
		w.links = ck->links;
	} else {
		if (ck && !ckpt_claim(ck, base, path, flags, parent))
			ck = NULL;
		w.cur = start_dir(p, base, path);
		w.s = path;
	}
	for (;;) {
		const char *c = w.s, *e, *after;
		struct inode *child;
		size_t len;
		bool last, trailing;

		while (*c == '/')
			c++;
		if (!*c) {
			/* Only slashes left ("/", or a link to "/"). */
			if (parent) {
				name[0] = '\0';
				*trailing_slash = true;
			}
			break;
		}
		for (e = c; *e && *e != '/'; e++)
			;
		len = (size_t)(e - c);
		for (after = e; *after == '/'; after++)
			;
		last = !*after;
		trailing = after != e;
		/* Search permission on every directory a name is looked up in,
		 * the last one's included (Linux's may_lookup). */
		if (S_ISDIR(w.cur->mode) && (err = inode_permission(w.cur, MAY_EXEC)))
			goto out;
		if (len > NAME_MAX) {
			err = -ENAMETOOLONG;
			goto out;
		}
		if (last && parent) {
			if (!S_ISDIR(w.cur->mode)) {
				err = -ENOTDIR;
				goto out;
			}
			memcpy(name, c, len);
			name[len] = '\0';
			*trailing_slash = trailing;
			break;
		}
		if (len == 2 && c[0] == '.' && c[1] == '.' && w.top && w.cur == w.top)
			child = inode_get(w.cur); /* ".." of a chroot stays in it */
		else
			err = lookup_one(w.cur, c, len, &child);
		if (err == -EIOWAIT && ck) {
			ckpt_stop(ck, &w, path, c);
			goto out;
		}
		if (err)
			goto out;
		if (S_ISLNK(child->mode) && (!last || trailing || !(flags & WALK_NOFOLLOW))) {
			err = expand_link(&w, child, e);
			inode_put(child);
			if (err == -EIOWAIT && ck) {
				ckpt_stop(ck, &w, path, c);
				goto out;
			}
			if (err)
				goto out;
			continue;
		}
		inode_put(w.cur);
		w.cur = child;
		if (last) {
			if (trailing && !S_ISDIR(child->mode))
				err = -ENOTDIR;
			break;
		}
		w.s = after;
	}
	if (!err && !parent && (flags & WALK_DIRECTORY) && !S_ISDIR(w.cur->mode))
		err = -ENOTDIR;
	if (!err && ck)
		ckpt_done(ck, w.cur, parent ? name : NULL, parent && *trailing_slash);
out:
	walk_done(&w);
	if (err) {
		inode_put(w.cur);
		return err;
	}
	*out = w.cur;
	return 0;
}

int vfs_lookup(struct proc *p, struct inode *base, const char *path, unsigned flags,
	       struct inode **out)
{
	return walk(p, base, path, flags, false, out, NULL, NULL);
}

int vfs_lookup_parent(struct proc *p, struct inode *base, const char *path,
		      struct inode **dir, char *name, bool *trailing_slash)
{
	return walk(p, base, path, 0, true, dir, name, trailing_slash);
}

static bool is_dot_or_empty(const char *name)
{
	return !name[0] || !strcmp(name, ".") || !strcmp(name, "..");
}

int vfs_truncate(struct inode *ino, uint64_t size)
{
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode))
		return -EINVAL;
	if (!ino->iops || !ino->iops->truncate)
		return -EPERM;
	inode_remove_privs(ino); /* truncating drops set-id bits too (Linux) */
	int err = ino->iops->truncate(ino, size);

	/* Mappings lose the pages past the new end (the cache did already). */
	if (!err && ino->pcache)
		pcache_unmap_from(ino->pcache, size);
	return err;
}

void inode_setattr_mem(struct inode *ino, const struct iattr *ia, int64_t now)
{
	if (ia->valid & ATTR_ATIME)
		ino->atime_ns = ia->valid & ATTR_ATIME_NOW ? now : ia->atime_ns;
	if (ia->valid & ATTR_MTIME)
		ino->mtime_ns = ia->valid & ATTR_MTIME_NOW ? now : ia->mtime_ns;
	if (ia->valid & ATTR_MODE)
		ino->mode = (ino->mode & S_IFMT) | (ia->mode & 07777);
	if (ia->valid & ATTR_UID)
		ino->uid = ia->uid;
	if (ia->valid & ATTR_GID)
		ino->gid = ia->gid;
	ino->ctime_ns = now;
}

int vfs_setattr(struct inode *ino, const struct iattr *ia)
{
	if (ino->iops && ino->iops->setattr)
		return ino->iops->setattr(ino, ia);
	inode_setattr_mem(ino, ia, vfs_now_ns());
	return 0;
}

/*
 * The last step of open(O_CREAT): the inode named name in dir, made if it is
 * not there (*created says which). Without O_EXCL a create that finds the
 * name taken lost a race with another creator between our lookup and its
 * create, so we look again and open what it made: never -EEXIST.
 */
static int lookup_or_create(struct inode *dir, const char *name, bool trailing, int flags,
			    uint32_t mode, struct inode **out, bool *created)
{
	size_t len = strlen(name);
	int err;

	*created = false;
	for (;;) {
		err = lookup_one(dir, name, len, out);
		if (err != -ENOENT)
			return err;
		if (trailing)
			return -EISDIR;
		if (!dir->iops || !dir->iops->create)
			return -EPERM;
		err = vfs_may_create(dir);
		if (err)
			return err;
		/* mode has the creator's umask applied already (vfs_open). */
		err = dir->iops->create(dir, name, len, S_IFREG | (mode & 07777), 0, out);
		if (err != -EEXIST || (flags & O_EXCL)) {
			*created = !err;
			return err;
		}
	}
}

int vfs_open(struct proc *p, struct inode *base, const char *path, int flags, uint32_t mode,
	     struct file **out)
{
	struct inode *ino = NULL;
	unsigned acc = (unsigned)flags & O_ACCMODE;
	bool created = false;
	int err;

	if (acc == 3)
		return -EINVAL;
	if (flags & O_CREAT) {
		char name[NAME_MAX + 1];
		struct inode *dir;
		bool trailing, created;

		err = vfs_lookup_parent(p, base, path, &dir, name, &trailing);
		if (err)
			return err;
		if (is_dot_or_empty(name)) {
			inode_put(dir);
			return -EISDIR;
		}
		err = lookup_or_create(dir, name, trailing, flags, mode & ~umask_of(p), &ino, &created);
		if (err) {
			inode_put(dir);
			return err;
		} else if (created) {
			inode_put(dir);
		} else if (flags & O_EXCL) {
			inode_put(dir);
			inode_put(ino);
			return -EEXIST;
		} else if (S_ISLNK(ino->mode)) {
			inode_put(ino);
			ino = NULL;
			if (flags & O_NOFOLLOW) {
				inode_put(dir);
				return -ELOOP;
			}
			/* Follow it from its directory; a dangling link is ENOENT. */
			err = vfs_lookup(p, dir, name, 0, &ino);
			inode_put(dir);
			if (err)
				return err;
		} else {
			inode_put(dir);
		}
	} else {
		unsigned wf = 0;

		if (flags & (O_NOFOLLOW | O_PATH))
			wf |= WALK_NOFOLLOW;
		err = vfs_lookup(p, base, path, wf, &ino);
		if (err)
			return err;
		if (S_ISLNK(ino->mode) && !(flags & O_PATH)) {
			inode_put(ino);
			return -ELOOP;
		}
	}
	if ((flags & O_CREAT) && S_ISDIR(ino->mode)) {
		err = -EISDIR;
		goto out_put;
	}
	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode)) {
		err = -ENOTDIR;
		goto out_put;
	}
	if (S_ISDIR(ino->mode) && (acc != O_RDONLY || (flags & O_TRUNC)) && !(flags & O_PATH)) {
		err = -EISDIR;
		goto out_put;
	}
	if (flags & O_PATH) {
		struct file *f = kzalloc(sizeof(*f));

		err = -ENOMEM;
		if (!f)
			goto out_put;
		atomic_init(&f->ref, 1);
		f->flags = O_PATH | ((unsigned)flags & O_DIRECTORY);
		f->inode = ino;
		*out = f;
		return 0;
	}
	if (!created && (err = vfs_may_open(ino, flags)))
		goto out_put;
	if (!ino->fops) {
		err = -ENXIO;
		goto out_put;
	}
	/* Opened first, truncated after (as Linux): the open takes the write
	 * access that a running program denies (-ETXTBSY). */
	err = file_open_inode(ino, (unsigned)flags, out);
	if (!err && !created && (flags & O_TRUNC) && acc != O_RDONLY && S_ISREG(ino->mode)) {
		err = vfs_truncate(ino, 0);
		if (err) {
			file_put(*out);
			*out = NULL;
		}
	}
out_put:
	inode_put(ino);
	return err;
}

int vfs_open_kernel(struct proc *p, const char *path, int flags, struct file **out)
{
	return vfs_open(p, NULL, path, flags, 0, out);
}

int vfs_mknod(struct proc *p, struct inode *base, const char *path, uint32_t mode, uint32_t rdev)
{
	struct inode *ino;
	int err = vfs_mknod_inode(p, base, path, mode, rdev, &ino);

	if (!err)
		inode_put(ino);
	return err;
}

int vfs_mknod_inode(struct proc *p, struct inode *base, const char *path, uint32_t mode,
		    uint32_t rdev, struct inode **out)
{
	char name[NAME_MAX + 1];
	struct inode *dir, *ino;
	bool trailing;
	int err;

	err = vfs_lookup_parent(p, base, path, &dir, name, &trailing);
	if (err)
		return err;
	if (is_dot_or_empty(name))
		err = -EEXIST;
	else if (trailing && !S_ISDIR(mode))
		err = -ENOENT;
	else if (!dir->iops || !dir->iops->create)
		err = -EPERM;
	else if ((err = vfs_may_create_name(dir, name)))
		;
	else if ((S_ISCHR(mode) || (mode & S_IFMT) == S_IFBLK) && !vfs_caller_privileged())
		err = -EPERM; /* device nodes need CAP_MKNOD */
	else
		err = dir->iops->create(dir, name, strlen(name),
					(mode & S_IFMT) | (mode & 07777 & ~umask_of(p)), rdev, &ino);
	if (!err)
		*out = ino;
	inode_put(dir);
	return err;
}

int vfs_unlink(struct proc *p, struct inode *base, const char *path, bool rmdir)
{
	char name[NAME_MAX + 1];
	struct inode *dir;
	bool trailing;
	int err;

	err = vfs_lookup_parent(p, base, path, &dir, name, &trailing);
	if (err)
		return err;
	if (!name[0]) {
		err = rmdir ? -EBUSY : -EISDIR;
	} else if (!strcmp(name, ".")) {
		err = rmdir ? -EINVAL : -EISDIR;
	} else if (!strcmp(name, "..")) {
		err = rmdir ? -ENOTEMPTY : -EISDIR;
	} else if (trailing && !rmdir) {
		struct inode *child;

		err = lookup_one(dir, name, strlen(name), &child);
		if (!err) {
			err = S_ISDIR(child->mode) ? -EISDIR : -ENOTDIR;
			inode_put(child);
		}
	} else if (!dir->iops || !dir->iops->unlink) {
		err = -EPERM;
	} else if (!(err = vfs_may_delete_name(dir, name)) &&
		   !(err = rmdir ? vfs_mount_busy(dir, name) : 0)) {
		err = dir->iops->unlink(dir, name, strlen(name), rmdir);
	}
	inode_put(dir);
	return err;
}

int vfs_symlink(struct proc *p, struct inode *base, const char *target, const char *path)
{
	char name[NAME_MAX + 1];
	struct inode *dir, *ino;
	bool trailing;
	int err;

	if (!target[0])
		return -ENOENT;
	if (strnlen(target, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	err = vfs_lookup_parent(p, base, path, &dir, name, &trailing);
	if (err)
		return err;
	if (is_dot_or_empty(name))
		err = -EEXIST;
	else if (trailing)
		err = -ENOENT;
	else if (!dir->iops || !dir->iops->symlink)
		err = -EPERM;
	else if (!(err = vfs_may_create_name(dir, name)))
		err = dir->iops->symlink(dir, name, strlen(name), target, &ino);
	if (!err)
		inode_put(ino);
	inode_put(dir);
	return err;
}

int vfs_link(struct proc *p, struct inode *obase, const char *opath, struct inode *nbase,
	     const char *npath, bool follow)
{
	char name[NAME_MAX + 1];
	struct inode *old, *dir;
	bool trailing;
	int err;

	err = vfs_lookup(p, obase, opath, follow ? 0 : WALK_NOFOLLOW, &old);
	if (err)
		return err;
	err = vfs_lookup_parent(p, nbase, npath, &dir, name, &trailing);
	if (err)
		goto out_old;
	if (S_ISDIR(old->mode))
		err = -EPERM;
	else if (is_dot_or_empty(name))
		err = -EEXIST;
	else if (trailing)
		err = -ENOENT;
	else if (dir->sb != old->sb)
		err = -EXDEV;
	else if (!dir->iops || !dir->iops->link)
		err = -EPERM;
	else if (!(err = vfs_may_create_name(dir, name)) && !(err = vfs_may_link(old)))
		err = dir->iops->link(dir, name, strlen(name), old);
	inode_put(dir);
out_old:
	inode_put(old);
	return err;
}

int vfs_rename(struct proc *p, struct inode *obase, const char *opath, struct inode *nbase,
	       const char *npath, unsigned flags)
{
	char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
	struct inode *odir, *ndir;
	bool otr, ntr;
	int err;

	err = vfs_lookup_parent(p, obase, opath, &odir, oname, &otr);
	if (err)
		return err;
	err = vfs_lookup_parent(p, nbase, npath, &ndir, nname, &ntr);
	if (err)
		goto out_odir;
	if (is_dot_or_empty(oname) || is_dot_or_empty(nname))
		err = -EBUSY;
	else if (odir->sb != ndir->sb)
		err = -EXDEV;
	else if (!odir->iops || !odir->iops->rename)
		err = -EPERM;
	else if (!(err = vfs_may_rename(odir, oname, ndir, nname)) &&
		 !(err = vfs_mount_busy(odir, oname)) &&
		 !(err = vfs_mount_busy(ndir, nname)))
		err = odir->iops->rename(odir, oname, strlen(oname), ndir, nname, strlen(nname),
					 flags);
	inode_put(ndir);
out_odir:
	inode_put(odir);
	return err;
}
