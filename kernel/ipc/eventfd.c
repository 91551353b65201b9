// SPDX-License-Identifier: MIT
/*
 * eventfd2: a 64-bit counter behind a file. A write of exactly 8 bytes adds to it (blocking,
 * or -EAGAIN, while it would pass 2^64 - 2); a read takes all of it, or 1
 * with EFD_SEMAPHORE (blocking, or -EAGAIN, while it is 0). Readable while
 * non-zero, writable while a write of 1 would go in, as Linux.
 *
 * Lock legend: efd->lock (irqsave) guards count; one wait queue for both
 * sides, woken after the lock is dropped.
 */
#include "kernel/async/waitq.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/anon.h"
#include "kernel/ipc/eventfd.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/spinlock.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC O_CLOEXEC
#define EFD_NONBLOCK O_NONBLOCK
#define EFD_MAX 0xfffffffffffffffeull	/* the largest count */

struct eventfd {
	struct spinlock lock;
	uint64_t count;		/* L */
	bool semaphore;		/* I */
	struct waitq wq;	/* readers and writers */
};

static long eventfd_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	long r;

	(void)pos;
	if (u->resid < sizeof(v))
		return -EINVAL;
	irqflags_t fl = spin_lock_irqsave(&e->lock);

	if (!e->count) {
		spin_unlock_irqrestore(&e->lock, fl);
		return -EAGAIN;
	}
	v = e->semaphore ? 1 : e->count;
	r = uio_copy_to(u, &v, sizeof(v));
	if (r == sizeof(v))
		e->count -= v;
	spin_unlock_irqrestore(&e->lock, fl);
	if (r != sizeof(v))
		return -EFAULT;
	waitq_wake_all(&e->wq);
	return r;
}

static long eventfd_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	struct uio peek = *u;	/* consumed only when the value goes in */
	uint64_t v;

	(void)pos;
	if (u->resid != sizeof(v))
		return -EINVAL;	/* exactly 8, as Linux (a read may be longer) */
	if (uio_copy_from(&peek, &v, sizeof(v)) != sizeof(v))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	irqflags_t fl = spin_lock_irqsave(&e->lock);

	if (EFD_MAX - e->count < v) {
		spin_unlock_irqrestore(&e->lock, fl);
		return -EAGAIN;
	}
	e->count += v;
	/* Only 8 bytes are ever taken: end the uio, or file_rw would loop. */
	*u = peek;
	u->resid = 0;
	spin_unlock_irqrestore(&e->lock, fl);
	if (v)
		waitq_wake_all(&e->wq);
	return sizeof(v);
}

static unsigned eventfd_ready(struct file *f)
{
	struct eventfd *e = f->priv;
	unsigned ev = 0;
	irqflags_t fl = spin_lock_irqsave(&e->lock);

	if (e->count)
		ev |= POLLIN | POLLRDNORM;
	if (e->count < EFD_MAX)
		ev |= POLLOUT | POLLWRNORM;
	spin_unlock_irqrestore(&e->lock, fl);
	return ev;
}

static struct waitq *eventfd_waitq(struct file *f, bool write)
{
	(void)write;
	return &((struct eventfd *)f->priv)->wq;
}

static void eventfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_fops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.release = eventfd_release,
	.waitq = eventfd_waitq,
	.ready = eventfd_ready,
	.anon_name = "eventfd",
};

bool eventfd_is(const struct file *f)
{
	return f->ops == &eventfd_fops;
}

/* eventfd2(initval, flags) */
SYSCALL(19, eventfd2)
{
	unsigned flags = (unsigned)sc->arg[1];
	struct eventfd *e;

	if (flags & ~(unsigned)(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	spin_init(&e->lock, "eventfd");
	waitq_init(&e->wq);
	e->count = (uint32_t)sc->arg[0];
	e->semaphore = flags & EFD_SEMAPHORE;
	return anon_fd_new(sc->proc, &eventfd_fops, e, flags);
}
