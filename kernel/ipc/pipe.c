// SPDX-License-Identifier: MIT
/*
 * Pipes; see pipe.h. Bytes move straight between the user's pages and the
 * ring (uio copies, word-sized memcpy), at most two copies per call (the
 * ring wraps once), with the pipe lock held.
 *
 * Lock legend: pipe->lock (irqsave) guards head, tail, readers, writers.
 * Wait queues are woken after the lock is dropped. Lock order: pipe->lock ->
 * as->lock (user copies).
 */
#include "kernel/ipc/pipe.h"

#include "kernel/async/waitq.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

struct pipe {
	struct inode inode;	/* anonymous S_IFIFO inode; evict frees the pipe */
	struct spinlock lock;
	char *ring;		/* I */
	uint32_t mask;		/* I: ring size - 1 */
	unsigned order;		/* I: page order of ring */
	uint32_t head, tail;	/* L: bytes ever written / read (wrap at 2^32) */
	unsigned readers;	/* L: open read ends */
	unsigned writers;	/* L: open write ends */
	struct waitq rd_wq;	/* readers wait here for data or EOF */
	struct waitq wr_wq;	/* writers wait here for room or no reader */
};

static struct superblock pipe_sb = { .dev = 2, .name = "pipefs", .next_ino = 1 };

static struct pipe *P(struct file *f)
{
	return f->priv;
}

/* LAB(pipe) BEGIN */
/* Copy n bytes between the uio and the ring at counter position at. */
static long ring_copy(struct pipe *p, struct uio *u, uint32_t at, size_t n, bool to_user)
{
	size_t off = at & p->mask;
	size_t first = p->mask + 1 - off;
	long r1, r2;

	if (first > n)
		first = n;
	r1 = to_user ? uio_copy_to(u, p->ring + off, first) : uio_copy_from(u, p->ring + off, first);
	if (r1 < 0 || (size_t)r1 < first || first == n)
		return r1;
	r2 = to_user ? uio_copy_to(u, p->ring, n - first) : uio_copy_from(u, p->ring, n - first);
	return r2 < 0 ? r1 : r1 + r2;
}
/* LAB(pipe) END */

static long pipe_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct pipe *p = P(f);
	/* LAB(pipe) BEGIN stub:
	 * (void)p, (void)u, (void)pos;
	 * return -ENOSYS;
	 */
	long r;
	irqflags_t fl;

	(void)pos;
	fl = spin_lock_irqsave(&p->lock);
	uint32_t avail = p->head - p->tail;

	if (!avail) {
		r = p->writers ? -EAGAIN : 0;
		spin_unlock_irqrestore(&p->lock, fl);
		return r;
	}
	r = ring_copy(p, u, p->tail, avail < u->resid ? avail : u->resid, true);
	if (r > 0)
		p->tail += (uint32_t)r;
	spin_unlock_irqrestore(&p->lock, fl);
	if (r > 0)
		waitq_wake_all(&p->wr_wq);
	return r;
	/* LAB(pipe) END */
}

static long pipe_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct pipe *p = P(f);
	/* LAB(pipe) BEGIN stub:
	 * (void)p, (void)u, (void)pos;
	 * return -ENOSYS;
	 */
	long r;
	irqflags_t fl;

	(void)pos;
	fl = spin_lock_irqsave(&p->lock);
	uint32_t room = p->mask + 1 - (p->head - p->tail);

	if (!p->readers)
		r = -EPIPE;
	else if (!room || (u->resid <= PIPE_BUF && room < u->resid))
		r = -EAGAIN; /* small writes go in whole or not at all */
	else
		r = ring_copy(p, u, p->head, room < u->resid ? room : u->resid, false);
	if (r > 0)
		p->head += (uint32_t)r;
	spin_unlock_irqrestore(&p->lock, fl);
	if (r > 0)
		waitq_wake_all(&p->rd_wq);
	return r;
	/* LAB(pipe) END */
}

static void pipe_release(struct file *f)
{
	struct pipe *p = P(f);
	irqflags_t fl = spin_lock_irqsave(&p->lock);

	if (file_readable(f))
		p->readers--;
	if (file_writable(f))
		p->writers--;
	spin_unlock_irqrestore(&p->lock, fl);
	/* Readers see EOF, writers see EPIPE. */
	waitq_wake_all(&p->rd_wq);
	waitq_wake_all(&p->wr_wq);
}

static struct waitq *pipe_waitq(struct file *f, bool write)
{
	return write ? &P(f)->wr_wq : &P(f)->rd_wq;
}

/* As Linux's pipe_poll: each end reports its own side; an O_RDWR end both.
 * Writable means a PIPE_BUF write would go in whole. */
static unsigned pipe_ready(struct file *f)
{
	struct pipe *p = P(f);
	irqflags_t fl = spin_lock_irqsave(&p->lock);
	uint32_t used = p->head - p->tail, room = p->mask + 1 - used;
	unsigned ev = 0;

	if (file_readable(f)) {
		if (used)
			ev |= POLLIN | POLLRDNORM;
		if (!p->writers)
			ev |= POLLHUP;
	}
	if (file_writable(f)) {
		if (room >= PIPE_BUF)
			ev |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			ev |= POLLERR;
	}
	spin_unlock_irqrestore(&p->lock, fl);
	return ev;
}

static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.release = pipe_release,
	.waitq = pipe_waitq,
	.ready = pipe_ready,
};

static void pipe_evict(struct inode *ino)
{
	struct pipe *p = container_of(ino, struct pipe, inode);

	page_free_order(p->ring, p->order);
	kfree(p);
}

static const struct inode_ops pipe_iops = {
	.evict = pipe_evict,
};

static struct file *pipe_file(struct pipe *p, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	atomic_init(&f->ref, 1);
	f->flags = flags;
	f->inode = inode_get(&p->inode);
	f->ops = &pipe_fops;
	f->priv = p;
	return f;
}

int pipe_create(struct file **rd, struct file **wr, unsigned flags)
{
	struct pipe *p = kzalloc(sizeof(*p));
	struct file *r = NULL, *w = NULL;

	if (!p)
		return -ENOMEM;
	/* 64 KiB if a block that size is free, else smaller, down to one page. */
	for (int order = PIPE_RING_ORDER; order >= 0 && !p->ring; order--) {
		p->ring = page_alloc_order_nozero((unsigned)order);
		p->order = (unsigned)order;
	}
	if (!p->ring) {
		kfree(p);
		return -ENOMEM;
	}
	p->mask = (uint32_t)(PAGE_SIZE << p->order) - 1;
	spin_init(&p->lock, "pipe");
	waitq_init(&p->rd_wq);
	waitq_init(&p->wr_wq);
	inode_init(&p->inode, &pipe_sb, S_IFIFO | 0600, &pipe_iops, &pipe_fops);
	p->inode.priv = p;
	flags &= O_NONBLOCK;
	r = pipe_file(p, O_RDONLY | flags);
	w = pipe_file(p, O_WRONLY | flags);
	if (!r || !w) {
		kfree(r);
		kfree(w);
		inode_put(&p->inode); /* frees p: no file took a reference that stays */
		if (r)
			inode_put(&p->inode);
		if (w)
			inode_put(&p->inode);
		return -ENOMEM;
	}
	p->readers = 1;
	p->writers = 1;
	inode_put(&p->inode); /* the files hold it now */
	*rd = r;
	*wr = w;
	return 0;
}
