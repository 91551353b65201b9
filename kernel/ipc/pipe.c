// SPDX-License-Identifier: MIT
/*
 * Pipes; see pipe.h. Bytes move straight between the user's pages and the
 * ring (uio copies, word-sized memcpy), at most two copies per call (the
 * ring wraps once), with the pipe lock held. The ring and its ops are
 * shared with the named FIFOs (pipe_int.h, fifo.c); an anonymous pipe's
 * ring lives beside its inode (struct anon_pipe) and goes with it.
 *
 * Lock legend: see pipe_int.h.
 */
#include "kernel/ipc/pipe.h"
#include "kernel/ipc/pipe_int.h"

#include "kernel/async/waitq.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

/* pipe2's pipe: an anonymous S_IFIFO inode; its evict frees the ring. */
struct anon_pipe {
	struct inode inode;
	struct pipe *p;		/* I */
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

long pipe_read(struct file *f, struct uio *u, uint64_t *pos)
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

long pipe_write(struct file *f, struct uio *u, uint64_t *pos)
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

void pipe_end_release(struct pipe *p, const struct file *f)
{
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

static void pipe_release(struct file *f)
{
	pipe_end_release(P(f), f);
}

struct waitq *pipe_waitq(struct file *f, bool write)
{
	return write ? &P(f)->wr_wq : &P(f)->rd_wq;
}

/* As Linux's pipe_poll: each end reports its own side; an O_RDWR end both.
 * Writable means a PIPE_BUF write would go in whole. */
unsigned pipe_ready(struct file *f)
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

struct pipe *pipe_ring_new(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	/* 64 KiB if a block that size is free, else smaller, down to one page. */
	for (int order = PIPE_RING_ORDER; order >= 0 && !p->ring; order--) {
		p->ring = page_alloc_order_nozero((unsigned)order);
		p->order = (unsigned)order;
	}
	if (!p->ring) {
		kfree(p);
		return NULL;
	}
	p->mask = (uint32_t)(PAGE_SIZE << p->order) - 1;
	spin_init(&p->lock, "pipe");
	waitq_init(&p->rd_wq);
	waitq_init(&p->wr_wq);
	return p;
}

void pipe_ring_free(struct pipe *p)
{
	page_free_order(p->ring, p->order);
	kfree(p);
}

static void pipe_evict(struct inode *ino)
{
	struct anon_pipe *a = container_of(ino, struct anon_pipe, inode);

	pipe_ring_free(a->p);
	kfree(a);
}

static const struct inode_ops pipe_iops = {
	.evict = pipe_evict,
};

static struct file *pipe_file(struct anon_pipe *a, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	atomic_init(&f->ref, 1);
	f->flags = flags;
	f->inode = inode_get(&a->inode);
	f->ops = &pipe_fops;
	f->priv = a->p;
	return f;
}

int pipe_create(struct file **rd, struct file **wr, unsigned flags)
{
	struct anon_pipe *a = kzalloc(sizeof(*a));
	struct file *r = NULL, *w = NULL;

	if (!a)
		return -ENOMEM;
	a->p = pipe_ring_new();
	if (!a->p) {
		kfree(a);
		return -ENOMEM;
	}
	inode_init(&a->inode, &pipe_sb, S_IFIFO | 0600, &pipe_iops, &pipe_fops);
	a->inode.priv = a->p;
	flags &= O_NONBLOCK;
	r = pipe_file(a, O_RDONLY | flags);
	w = pipe_file(a, O_WRONLY | flags);
	if (!r || !w) {
		kfree(r);
		kfree(w);
		inode_put(&a->inode); /* frees a: no file took a reference that stays */
		if (r)
			inode_put(&a->inode);
		if (w)
			inode_put(&a->inode);
		return -ENOMEM;
	}
	a->p->readers = 1;
	a->p->writers = 1;
	inode_put(&a->inode); /* the files hold it now */
	*rd = r;
	*wr = w;
	return 0;
}
