// SPDX-License-Identifier: MIT
/*
 * Named FIFOs over the pipe ring; see fifo.h.
 *
 * Lock legend: fifo_lock (irqsave) guards inode->priv of every FIFO inode
 * (its pipe, or NULL while nothing has it open) and a pipe's files count
 * reaching 0, so an open never finds a pipe that the last close is
 * freeing. Lock order: fifo_lock -> pipe->lock.
 */
#include "kernel/ipc/fifo.h"
#include "kernel/ipc/pipe_int.h"

#include "kernel/async/waitq.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

static struct spinlock fifo_lock = SPINLOCK_INIT("fifo");

/*
 * What an open decided, kept in the file's otherwise unused offset: the
 * other side's open counter at the open (low 32 bits) and one of
 *  - FIFO_MUST_WAIT: a blocking open found no other end; open_wait waits
 *    for that counter to move (decided under the lock, with the count, as
 *    Linux: the other end may come and go before open_wait runs);
 *  - FIFO_HUP_AFTER: a reader opened O_NONBLOCK before any writer, which
 *    does not see POLLHUP until a writer has come (and gone), as Linux.
 */
#define FIFO_HUP_AFTER (1ull << 63)
#define FIFO_MUST_WAIT (1ull << 62)

/* Attach f to ino's pipe, making one if none; count f's ends. */
static int fifo_open(struct inode *ino, struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;
	bool rd = acc != O_WRONLY, wr = acc != O_RDONLY;
	struct pipe *fresh = NULL, *p;
	bool wake_readers = false, wake_writers = false;
	int err = 0;
	irqflags_t fl, pl;

	for (;;) {
		fl = spin_lock_irqsave(&fifo_lock);
		p = ino->priv;
		if (p || fresh)
			break;
		spin_unlock_irqrestore(&fifo_lock, fl);
		fresh = pipe_ring_new();
		if (!fresh)
			return -ENOMEM;
	}
	if (!p) {
		p = ino->priv = fresh;
		fresh = NULL;
	}
	pl = spin_lock_irqsave(&p->lock);
	if (wr && !rd && (f->flags & O_NONBLOCK) && !p->readers) {
		err = -ENXIO;
	} else {
		p->files++;
		if (rd) {
			wake_writers = p->readers++ == 0;
			p->r_counter++;
			if (!wr && !p->writers)
				f->pos = (f->flags & O_NONBLOCK ? FIFO_HUP_AFTER : FIFO_MUST_WAIT) |
					 p->w_counter;
		}
		if (wr) {
			wake_readers = p->writers++ == 0;
			p->w_counter++;
			if (!rd && !p->readers)
				f->pos = FIFO_MUST_WAIT | p->r_counter; /* O_NONBLOCK: ENXIO above */
		}
		f->priv = p;
	}
	if (!p->files)
		ino->priv = NULL; /* a failed first open leaves nothing behind */
	spin_unlock_irqrestore(&p->lock, pl);
	spin_unlock_irqrestore(&fifo_lock, fl);
	if (err && !ino->priv)
		pipe_ring_free(p);
	if (fresh)
		pipe_ring_free(fresh);
	/* Opens waiting for this end, and readers waiting on EOF-or-data. */
	if (wake_readers)
		waitq_wake_all(&p->rd_wq);
	if (wake_writers && !err)
		waitq_wake_all(&p->wr_wq);
	return err;
}

static void fifo_release(struct file *f)
{
	struct pipe *p = f->priv;
	bool last;
	irqflags_t fl = spin_lock_irqsave(&fifo_lock), pl = spin_lock_irqsave(&p->lock);

	last = --p->files == 0;
	if (last)
		f->inode->priv = NULL;
	spin_unlock_irqrestore(&p->lock, pl);
	spin_unlock_irqrestore(&fifo_lock, fl);
	pipe_end_release(p, f);
	/* The last file: nothing can wait on or reach the ring any more. */
	if (last)
		pipe_ring_free(p);
}

static unsigned fifo_ready(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned ev = pipe_ready(f);

	if ((ev & POLLHUP) && (f->pos & FIFO_HUP_AFTER)) {
		irqflags_t pl = spin_lock_irqsave(&p->lock);

		if ((uint32_t)f->pos == p->w_counter)
			ev &= ~(unsigned)POLLHUP; /* no writer seen since the open */
		spin_unlock_irqrestore(&p->lock, pl);
	}
	return ev;
}

/* ---- waiting for the other end ----------------------------------------------- */

/*
 *   WAIT --(the other side's open counter moved)--> READY (0)
 *   WAIT --(drop: a signal)--> done; the open's file is put by its owner
 */
struct fifo_wait {
	struct future base;
	struct pipe *p;
	bool reader;		/* I: waits for a writer (else for a reader) */
	bool registered;
	unsigned seen;		/* I: the other side's counter at the open */
	struct waitq_wait_future w;
};

static unsigned other_counter(struct fifo_wait *fw)
{
	irqflags_t pl = spin_lock_irqsave(&fw->p->lock);
	unsigned c = fw->reader ? fw->p->w_counter : fw->p->r_counter;

	spin_unlock_irqrestore(&fw->p->lock, pl);
	return c;
}

static void fifo_wait_unregister(struct fifo_wait *fw)
{
	if (fw->registered) {
		future_drop(&fw->w.base);
		fw->registered = false;
	}
	fw->base.awaiting = NULL;
}

static enum poll fifo_wait_poll(struct future *f, struct context *cx)
{
	struct fifo_wait *fw = container_of(f, struct fifo_wait, base);

	for (;;) {
		enum poll wr;

		/* Register first, then look: an open in between wakes us. */
		if (!fw->registered) {
			waitq_wait_init(&fw->w, fw->reader ? &fw->p->rd_wq : &fw->p->wr_wq);
			fw->registered = true;
			f->awaiting = &fw->w.base;
		}
		wr = future_poll(&fw->w.base, cx);
		if (other_counter(fw) != fw->seen) {
			fifo_wait_unregister(fw);
			f->result = 0;
			return POLL_READY;
		}
		if (wr == POLL_PENDING)
			return POLL_PENDING;
		fifo_wait_unregister(fw); /* woken for something else: look again */
	}
}

static void fifo_wait_drop(struct future *f)
{
	fifo_wait_unregister(container_of(f, struct fifo_wait, base));
}

static void fifo_wait_release(struct future *f)
{
	kfree(container_of(f, struct fifo_wait, base));
}

static const struct future_ops fifo_wait_ops = {
	.name = "fifo_open",
	.poll = fifo_wait_poll,
	.drop = fifo_wait_drop,
	.release = fifo_wait_release,
};

/* A blocking O_RDONLY open that found no writer, or O_WRONLY no reader, waits
 * (fifo_open decided it). */
static int fifo_open_wait(struct file *f, struct future **out)
{
	struct fifo_wait *fw;

	*out = NULL;
	if (!(f->pos & FIFO_MUST_WAIT))
		return 0;
	fw = kzalloc(sizeof(*fw));
	if (!fw)
		return -ENOMEM;
	future_init(&fw->base, &fifo_wait_ops);
	fw->p = f->priv;
	fw->reader = (f->flags & O_ACCMODE) == O_RDONLY;
	fw->seen = (uint32_t)f->pos;
	f->pos = 0;
	*out = &fw->base;
	return 0;
}

const struct file_ops fifo_fops = {
	.open = fifo_open,
	.release = fifo_release,
	.read = pipe_read,
	.write = pipe_write,
	.waitq = pipe_waitq,
	.ready = fifo_ready,
	.open_wait = fifo_open_wait,
};
