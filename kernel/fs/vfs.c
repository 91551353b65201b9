// SPDX-License-Identifier: MIT
/*
 * VFS core: uio copies, inode and file reference counting, file_read_kernel,
 * the root and the per-hart I/O-wait slot. Path walking is in path.c, the
 * mount table and the file system types in mount.c.
 */
#include "kernel/fs/vfs.h"
#include "kernel/ipc/epoll.h"

#include "kernel/arch.h"
#include "kernel/async/future.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/uaccess.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "kernel/time/clock.h"
#include "lib/errno.h"
#include "lib/string.h"

struct inode *vfs_root;

/* ---- uio ------------------------------------------------------------------ */

void uio_init_user(struct uio *u, struct as *as, const struct iovec *iov, unsigned cnt)
{
	size_t total = 0;

	u->as = as;
	u->iov = iov;
	u->iovcnt = cnt;
	u->iov_off = 0;
	u->cur = (struct as_cursor){ 0 };
	for (unsigned i = 0; i < cnt; i++)
		total += iov[i].len; /* the caller bounded the sum */
	u->resid = total;
}

void uio_init_kernel(struct uio *u, struct iovec *iov, void *buf, size_t n)
{
	iov->base = (uintptr_t)buf;
	iov->len = n;
	u->as = NULL;
	u->iov = iov;
	u->iovcnt = 1;
	u->iov_off = 0;
	u->resid = n;
	u->cur = (struct as_cursor){ 0 };
}

/* The next contiguous run of the uio: at most n bytes (a user copy that
 * faults partway reports the bytes it moved, so counts stay exact). */
static size_t uio_span(struct uio *u, size_t n, uintptr_t *addr)
{
	while (u->iovcnt && u->iov_off == u->iov->len) {
		u->iov++;
		u->iovcnt--;
		u->iov_off = 0;
	}
	if (!u->iovcnt)
		return 0;
	*addr = u->iov->base + u->iov_off;
	size_t len = u->iov->len - u->iov_off;

	if (len > n)
		len = n;
	return len;
}

static void uio_advance(struct uio *u, size_t n)
{
	u->iov_off += n;
	u->resid -= n;
}

static long uio_copy(struct uio *u, void *kbuf, const void *ksrc, size_t n)
{
	size_t done = 0;

	if (n > u->resid)
		n = u->resid;
	while (done < n) {
		uintptr_t a;
		size_t len = uio_span(u, n - done, &a);
		long got = (long)len;

		if (!len)
			break;
		if (ksrc) {
			if (u->as)
				got = copy_to_user_part(u->as, a, (const char *)ksrc + done, len,
							&u->cur);
			else
				memcpy((void *)a, (const char *)ksrc + done, len);
		} else {
			if (u->as)
				got = copy_from_user_part(u->as, (char *)kbuf + done, a, len,
							  &u->cur);
			else
				memcpy((char *)kbuf + done, (const void *)a, len);
		}
		if (got < 0)
			return done ? (long)done : got;
		uio_advance(u, (size_t)got);
		done += (size_t)got;
		if ((size_t)got < len)
			break; /* a fault partway: the count is exact */
	}
	return (long)done;
}

long uio_copy_to(struct uio *u, const void *src, size_t n)
{
	return uio_copy(u, NULL, src, n);
}

long uio_copy_from(struct uio *u, void *dst, size_t n)
{
	return uio_copy(u, dst, NULL, n);
}

long uio_copy_to_vec(struct uio *u, const struct kvec *v, unsigned n)
{
	unsigned vi = 0;
	size_t voff = 0, done = 0;

	while (vi < n && u->resid) {
		uintptr_t a;
		size_t len = uio_span(u, u->resid, &a);
		long got;

		if (!len)
			break;
		if (u->as) {
			got = copy_to_user_vec(u->as, a, len, v, n, &vi, &voff, &u->cur);
		} else {
			got = 0;
			while ((size_t)got < len && vi < n) {
				size_t c = v[vi].len - voff;

				if (c > len - (size_t)got)
					c = len - (size_t)got;
				memcpy((char *)a + got, (const char *)v[vi].base + voff, c);
				got += (long)c;
				voff += c;
				if (voff == v[vi].len) {
					vi++;
					voff = 0;
				}
			}
		}
		if (got < 0)
			return done ? (long)done : got;
		uio_advance(u, (size_t)got);
		done += (size_t)got;
		if ((size_t)got < len && vi < n)
			break; /* a fault partway */
	}
	return (long)done;
}

long uio_zero(struct uio *u, size_t n)
{
	static const char zeros[256];
	size_t done = 0;

	while (done < n && u->resid) {
		size_t c = n - done < sizeof(zeros) ? n - done : sizeof(zeros);
		long r = uio_copy_to(u, zeros, c);

		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
		if ((size_t)r < c)
			break;
	}
	return (long)done;
}

/* ---- inodes --------------------------------------------------------------- */

int64_t vfs_now_ns(void)
{
	/* The wall clock (kernel/time/clock.h): timestamps are today's. */
	return (int64_t)clock_realtime_ns();
}

void inode_init(struct inode *ino, struct superblock *sb, uint32_t mode,
		const struct inode_ops *iops, const struct file_ops *fops)
{
	int64_t now = vfs_now_ns();

	ino->ino = sb ? atomic_fetch_add_explicit(&sb->next_ino, 1, memory_order_relaxed) : 0;
	ino->mode = mode;
	ino->nlink = 1;
	ino->uid = ino->gid = 0;
	ino->rdev = 0;
	atomic_init(&ino->ref, 1);
	atomic_init(&ino->writecount, 0);
	list_init(&ino->d_children);
	ino->size = 0;
	ino->atime_ns = ino->mtime_ns = ino->ctime_ns = now;
	ino->iops = iops;
	ino->fops = fops;
	ino->sb = sb;
	ino->priv = NULL;
	ino->pcache = NULL;
}

struct inode *inode_get(struct inode *ino)
{
	/* relaxed: taking a reference needs an existing one, nothing to order. */
	if (ino)
		atomic_fetch_add_explicit(&ino->ref, 1, memory_order_relaxed);
	return ino;
}

void inode_put(struct inode *ino)
{
	if (!ino)
		return;
	/* acq_rel: the last put must see every other holder's writes before
	 * evict frees (pairs with the release of the other puts). */
	unsigned old = atomic_fetch_sub_explicit(&ino->ref, 1, memory_order_acq_rel);

	BUG_ON(old == 0);
	if (old == 1 && ino->iops && ino->iops->evict)
		ino->iops->evict(ino);
}

void inode_fill_stat(const struct inode *ino, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ino->sb ? ino->sb->dev : 0;
	st->st_ino = ino->ino;
	st->st_mode = ino->mode;
	st->st_nlink = ino->nlink;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_rdev = ino->rdev;
	st->st_size = (int64_t)ino->size;
	st->st_blksize = PAGE_SIZE;
	st->st_blocks = (int64_t)((ino->size + 511) / 512);
	st->st_atime_sec = ino->atime_ns / 1000000000;
	st->st_atime_nsec = (uint64_t)(ino->atime_ns % 1000000000);
	st->st_mtime_sec = ino->mtime_ns / 1000000000;
	st->st_mtime_nsec = (uint64_t)(ino->mtime_ns % 1000000000);
	st->st_ctime_sec = ino->ctime_ns / 1000000000;
	st->st_ctime_nsec = (uint64_t)(ino->ctime_ns % 1000000000);
}

/* ---- files ---------------------------------------------------------------- */

/* A regular file open for writing counts against its being run (ETXTBSY). */
static bool holds_write_access(const struct file *f)
{
	return S_ISREG(f->inode->mode) && file_writable(f);
}

int file_open_inode(struct inode *ino, unsigned flags, struct file **out)
{
	struct file *f = kzalloc(sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	atomic_init(&f->ref, 1);
	f->flags = flags & ~(unsigned)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC);
	f->inode = inode_get(ino);
	f->ops = ino->fops;
	if (holds_write_access(f) && (err = inode_get_write_access(ino)))
		goto out_free;
	if (f->ops && f->ops->open) {
		err = f->ops->open(ino, f);
		if (err) {
			if (holds_write_access(f))
				inode_put_write_access(ino);
			goto out_free;
		}
	}
	/* Open for writing: a remount read-only waits for none (sys_mount.c). */
	if (holds_write_access(f) && ino->sb)
		atomic_fetch_add_explicit(&ino->sb->writers, 1, memory_order_acq_rel);
	*out = f;
	return 0;

out_free:
	inode_put(ino);
	kfree(f);
	return err;
}

struct file *file_get(struct file *f)
{
	if (f)
		atomic_fetch_add_explicit(&f->ref, 1, memory_order_relaxed);
	return f;
}

void file_put(struct file *f)
{
	if (!f)
		return;
	/* acq_rel: as inode_put. */
	unsigned old = atomic_fetch_sub_explicit(&f->ref, 1, memory_order_acq_rel);

	BUG_ON(old == 0);
	if (old != 1)
		return;
	if (f->ep_items)
		epoll_file_gone(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (holds_write_access(f)) {
		inode_put_write_access(f->inode);
		if (f->inode->sb)
			atomic_fetch_sub_explicit(&f->inode->sb->writers, 1, memory_order_acq_rel);
	}
	inode_put(f->inode);
	if (f->name) {
		inode_put(f->name->base);
		kfree(f->name);
	}
	kfree(f);
}

void file_set_name(struct file *f, struct inode *base, const char *path)
{
	size_t len = strlen(path);
	struct file_name *fn = f->name ? NULL : kmalloc(sizeof(*fn) + len + 1);

	if (!fn)
		return; /* unnamed: /proc shows its inode instead */
	fn->base = base == vfs_root ? NULL : inode_get(base);
	memcpy(fn->path, path, len + 1);
	f->name = fn;
}

bool file_readable(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH);
}

bool file_writable(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH);
}

long file_read_kernel(struct file *f, void *buf, size_t n, uint64_t off)
{
	struct iovec iov;
	struct uio u;
	size_t done = 0;

	if (!f)
		return -EBADF;
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!S_ISREG(f->inode->mode) || !f->ops || !f->ops->read)
		return -EACCES;
	if (!file_readable(f))
		return -EBADF;
	uio_init_kernel(&u, &iov, buf, n);
	while (done < n) {
		long r = f->ops->read(f, &u, &off);

		if (r < 0)
			return done ? (long)done : r;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (long)done;
}

/* ---- root and I/O waits --------------------------------------------------- */

void vfs_set_root(struct inode *root)
{
	struct inode *old = vfs_root;

	vfs_root = inode_get(root);
	inode_put(old);
}

/* H: each hart's slot is only touched by that hart, between an op's return
 * and its caller picking the future up, with no poll in between. */
static struct future *io_wait[MAX_HARTS];

void vfs_set_io_wait(struct future *f)
{
	io_wait[hart_id()] = f;
}

struct future *vfs_take_io_wait(void)
{
	struct future *f = io_wait[hart_id()];

	io_wait[hart_id()] = NULL;
	return f;
}
