// SPDX-License-Identifier: MIT
/*
 * getcwd: the name of a directory, built upwards (".." of each directory, then its name in
 * the parent's entries) into the end of the buffer. A restarted syscall resumes where the
 * last cache miss stopped it (struct cwd_ckpt, ioctx.h): 1,100 directories deep the walk up
 * needs more blocks than the cache holds, and starting from the bottom at every miss never
 * reached the root.
 */
#include "kernel/fs/ioctx.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

struct find_name {
	uint64_t ino;
	char *name;	/* NAME_MAX + 1 */
	size_t len;
	bool found;
};

static bool find_name_fill(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
			   uint64_t next_pos)
{
	struct find_name *fn = ctx;

	(void)dtype;
	(void)next_pos;
	if (ino != fn->ino || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	memcpy(fn->name, name, len);
	fn->len = len;
	fn->found = true;
	return false;
}

/* A cache miss at cur (with the parent's entries read up to off): remember it all. */
static void cwd_stop(struct cwd_ckpt *ck, struct inode *dir, struct inode *cur, const char *buf,
		     size_t n, size_t pos, uint64_t off)
{
	if (!ck->valid || ck->n != n) {
		cwd_ckpt_clear(ck);
		ck->buf = kmalloc(n);
		if (!ck->buf) {
			inode_put(cur);
			return;
		}
		ck->start = inode_get(dir);
		ck->n = n;
		ck->valid = true;
	}
	inode_put(ck->cur);
	ck->cur = cur;
	memcpy(ck->buf + pos, buf + pos, n - pos);
	ck->pos = pos;
	ck->off = off;
}

long vfs_getcwd_in(struct inode *dir, struct inode *top, char *buf, size_t n)
{
	struct ioctx *ctx = ioctx_current();
	struct cwd_ckpt *ck = ctx ? &ctx->cwd : NULL;
	char name[NAME_MAX + 1];
	struct inode *cur;
	size_t pos = n; /* the path is built backwards from buf[n] */
	uint64_t off = 0;
	long err = 0;

	if (!n)
		return -ERANGE;
	dir = dir ? dir : vfs_root;
	top = top ? top : vfs_root;
	if (ck && ck->valid && ck->start == dir && ck->n == n && ck->cur) {
		/* An earlier run of this syscall got this far up. */
		cur = ck->cur;
		ck->cur = NULL;
		pos = ck->pos;
		memcpy(buf + pos, ck->buf + pos, n - pos);
		off = ck->off;
	} else {
		cur = inode_get(dir);
		buf[--pos] = '\0';
	}
	while (cur != top && cur != vfs_root) {
		struct find_name fn = { .name = name };
		struct inode *parent, *under = vfs_mount_covered(cur);

		if (under) {
			/* A mounted root is named by the directory it covers. */
			inode_put(cur);
			cur = under;
		}
		fn.ino = cur->ino;
		err = vfs_lookup_child(cur, "..", 2, &parent);
		if (err == -EIOWAIT && ck) {
			cwd_stop(ck, dir, cur, buf, n, pos, off);
			return err;
		}
		if (err)
			break;
		if (parent == cur) {
			inode_put(parent);
			break;
		}
		/* The name may be in any block of the parent: read on until found or the end
		 * (a readdir may stop early at a miss after returning some entries). */
		while (!err && !fn.found) {
			uint64_t before = off;

			if (!parent->iops || !parent->iops->readdir)
				break;
			err = parent->iops->readdir(parent, &off, find_name_fill, &fn);
			if (!err && off == before)
				break; /* the end */
		}
		if (err == -EIOWAIT && ck) {
			inode_put(parent);
			cwd_stop(ck, dir, cur, buf, n, pos, off);
			return err;
		}
		inode_put(cur);
		cur = parent;
		off = 0;
		if (err)
			break;
		if (!fn.found) {
			err = -ENOENT; /* the directory was removed */
			break;
		}
		if (fn.len + 1 > pos) {
			err = -ERANGE;
			break;
		}
		pos -= fn.len;
		memcpy(buf + pos, name, fn.len);
		buf[--pos] = '/';
	}
	if (!err && cur != top) {
		/* Outside the chroot: Linux's mark (glibc's getcwd says ENOENT). */
		static const char mark[] = "(unreachable)";

		if (sizeof(mark) - 1 + (pos == n - 1) > pos)
			err = -ERANGE;
		else {
			if (pos == n - 1)
				buf[--pos] = '/';
			pos -= sizeof(mark) - 1;
			memcpy(buf + pos, mark, sizeof(mark) - 1);
		}
	}
	inode_put(cur);
	if (err)
		return err;
	if (pos == n - 1) {
		if (pos < 1)
			return -ERANGE;
		buf[--pos] = '/';
	}
	memmove(buf, buf + pos, n - pos);
	return (long)(n - pos);
}

long vfs_getcwd(struct inode *dir, char *buf, size_t n)
{
	return vfs_getcwd_in(dir, NULL, buf, n);
}
