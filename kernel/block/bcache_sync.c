// SPDX-License-Identifier: MIT
/*
 * Writing a device's cached blocks back: the bcache_sync future (fsync,
 * sync, umount), its blocking form, and the last write-back at power-off.
 */
#include "kernel/block/bcache.h"
#include "kernel/block/bcache_int.h"

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/async/timer.h"
#include "kernel/async/waitq.h"
#include "kernel/block/blkdev.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

/* ---- starting write-backs (the cache's internals: bcache_int.h) ------------- */

bool bcache_writeback(struct blkdev *dev, uint64_t *seen)
{
	return bcache_writeback_sel(dev, NULL, NULL, seen);
}

bool bcache_writeback_sel(struct blkdev *dev, bcache_sel_fn sel, void *arg, uint64_t *seen)
{
	struct list_head wbs;
	bool busy = false;
	irqflags_t fl;

	list_init(&wbs);
	fl = spin_lock_irqsave(&bcache_lock);
	bcache_init_locked();
	for (unsigned i = 0; i < BCACHE_NBUF; i++) {
		struct bcache_buf *b = &bcache_bufs[i];

		if (!b->dev || (dev && b->dev != dev))
			continue;
		if (sel && !(b->flags & (BUF_DIRTY | BUF_WRITING)))
			continue;
		if (sel && !sel(arg, b->blockno))
			continue;
		if ((b->flags & BUF_DIRTY) && !(b->flags & (BUF_WRITING | BUF_READING)))
			bcache_start_wb_locked(b, &wbs);
		if (b->flags & (BUF_DIRTY | BUF_WRITING))
			busy = true;
	}
	if (seen)
		*seen = bcache_nevents;
	spin_unlock_irqrestore(&bcache_lock, fl);
	bcache_submit_wbs(&wbs);
	return busy;
}

void bcache_write_start(struct bcache_buf *b)
{
	struct list_head wbs;
	irqflags_t fl;

	list_init(&wbs);
	fl = spin_lock_irqsave(&bcache_lock);
	if ((b->flags & BUF_DIRTY) && !(b->flags & (BUF_WRITING | BUF_READING)))
		bcache_start_wb_locked(b, &wbs);
	spin_unlock_irqrestore(&bcache_lock, fl);
	bcache_submit_wbs(&wbs);
}

unsigned bcache_dirty_snapshot(struct blkdev *dev, struct bcache_dirty *out, unsigned max)
{
	unsigned n = 0;
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);

	bcache_init_locked();
	for (unsigned i = 0; i < BCACHE_NBUF; i++) {
		struct bcache_buf *b = &bcache_bufs[i];

		if (b->dev != dev || !(b->flags & BUF_DIRTY))
			continue;
		if (n < max) {
			bcache_take_ref_locked(b);
			out[n].b = b;
			out[n].blockno = b->blockno;
			out[n].gen = b->dirty_gen;
		}
		n++;
	}
	if (n > max) { /* all or nothing */
		for (unsigned i = 0; i < max; i++)
			if (--out[i].b->ref == 0)
				list_add_tail(&out[i].b->lnode, &bcache_lru);
	}
	spin_unlock_irqrestore(&bcache_lock, fl);
	return n;
}

void bcache_clean_if(struct bcache_buf *b, uint64_t gen)
{
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);

	if ((b->flags & BUF_DIRTY) && b->dirty_gen == gen) {
		b->flags &= ~BUF_DIRTY;
		bcache_st.dirty--;
	}
	spin_unlock_irqrestore(&bcache_lock, fl);
}

/* ---- the sync future -------------------------------------------------------- */

/*
 *   SCAN --nothing dirty or in flight--> FLUSH --> FLUSHING --> DONE
 *    ^  \--writes started/in flight--> WAIT --(an I/O completed)--'
 *    '--------------------------------------'
 */
enum bsync_state {
	BSYNC_SCAN,
	BSYNC_WAIT,
	BSYNC_FLUSH,
	BSYNC_FLUSHING,
	BSYNC_DONE,
};

struct bcache_sync_future {
	struct future base;
	enum bsync_state state;
	struct blkdev *dev;
	unsigned errors0;	/* dev->write_errors when the sync began */
	bcache_sel_fn sel;	/* NULL: every block; else only those it picks */
	void *sel_arg;
	bool wrote;		/* a scan found something to write (sel: flush only then) */
	bool failed;
	bool waiting;		/* w is registered */
	uint64_t seen;		/* events at the last scan */
	struct waitq_wait_future w;
	struct blk_req flush;
};

static void bsync_drop(struct future *f)
{
	struct bcache_sync_future *s = (struct bcache_sync_future *)f;

	if (s->waiting)
		future_drop(&s->w.base);
	s->waiting = false;
	/* A flush in flight stays the device's: it has no hook and no buffer,
	 * but it lives in this struct, so wait for it (a flush is short and
	 * drop is rare: unmount paths await sync to the end). */
	if (s->state == BSYNC_FLUSHING && !blk_req_is_done(&s->flush)) {
		future_drop(&s->flush.base);
		blk_req_poll_wait(&s->flush, 5000000000ull);
	}
	s->base.awaiting = NULL;
	s->state = BSYNC_DONE;
}

static enum poll bsync_poll(struct future *f, struct context *cx)
{
	struct bcache_sync_future *s = (struct bcache_sync_future *)f;

	for (;;) {
		switch (s->state) {
		case BSYNC_SCAN:
			if (bcache_writeback_sel(s->dev, s->sel, s->sel_arg, &s->seen)) {
				s->wrote = true;
				s->state = BSYNC_WAIT;
			} else {
				s->state = BSYNC_FLUSH;
			}
			continue;
		case BSYNC_WAIT: {
			if (!s->waiting) {
				waitq_wait_init(&s->w, bcache_io_waitq());
				s->waiting = true;
			}
			enum poll r = future_poll(&s->w.base, cx);
			bool moved = bcache_events() != s->seen;

			if (moved || r == POLL_READY) {
				future_drop(&s->w.base);
				s->waiting = false;
				s->base.awaiting = NULL;
				s->state = BSYNC_SCAN;
				continue;
			}
			s->base.awaiting = &s->w.base;
			return POLL_PENDING;
		}
		case BSYNC_FLUSH:
			if (!s->dev->has_flush || (s->sel && !s->wrote)) {
				s->state = BSYNC_DONE;
				continue;
			}
			blk_req_init(&s->flush, s->dev, BLK_FLUSH, 0, NULL, 0);
			s->state = BSYNC_FLUSHING;
			continue;
		case BSYNC_FLUSHING:
			if (future_poll(&s->flush.base, cx) == POLL_PENDING) {
				s->base.awaiting = &s->flush.base;
				return POLL_PENDING;
			}
			s->base.awaiting = NULL;
			if (s->flush.base.result < 0)
				s->failed = true;
			s->state = BSYNC_DONE;
			continue;
		case BSYNC_DONE:
			if (atomic_load_explicit(&s->dev->write_errors, memory_order_relaxed) !=
			    s->errors0)
				s->failed = true;
			s->base.result = s->failed ? -EIO : 0;
			return POLL_READY;
		}
	}
}

static void bsync_release(struct future *f)
{
	kfree(f);
}

static const char *bsync_state_name(const struct future *f)
{
	static const char *const names[] = { "scan", "wait", "flush", "flushing", "done" };

	return names[((const struct bcache_sync_future *)f)->state];
}

static const struct future_ops bsync_ops = {
	.name = "bcache_sync",
	.type = "bcache_sync_future",
	.poll = bsync_poll,
	.drop = bsync_drop,
	.release = bsync_release,
	.state_name = bsync_state_name,
};

bool bcache_sync_wrote(struct future *f)
{
	return ((struct bcache_sync_future *)f)->wrote;
}

void bcache_sync_force_flush(struct future *f)
{
	((struct bcache_sync_future *)f)->wrote = true;
}

struct future *bcache_sync(struct blkdev *dev)
{
	return bcache_sync_sel(dev, NULL, NULL);
}

struct future *bcache_sync_sel(struct blkdev *dev, bcache_sel_fn sel, void *arg)
{
	struct bcache_sync_future *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	s->sel = sel;
	s->sel_arg = arg;
	future_init(&s->base, &bsync_ops);
	s->state = BSYNC_SCAN;
	s->dev = dev;
	s->errors0 = atomic_load_explicit(&dev->write_errors, memory_order_relaxed);
	return &s->base;
}

int bcache_sync_block_on(struct blkdev *dev)
{
	struct future *f = bcache_sync(dev);
	int ret;

	if (!f)
		return -ENOMEM;
	exec_block_on(f);
	ret = (int)f->result;
	future_drop(f);
	future_release(f);
	return ret;
}

void bcache_flush_all_on_poweroff(void)
{
	uint64_t deadline = clock_now_ns() + 5000000000ull;

	for (unsigned i = 0; i < blkdev_count(); i++) {
		struct blkdev *dev = blkdev_get(i);
		struct blk_req flush;

		while (bcache_writeback(dev, NULL)) {
			if (clock_now_ns() > deadline) {
				kprintf("bcache: %s: write-back timed out at power-off\n",
					dev->name);
				break;
			}
			dev->ops->poll(dev);
			arch_cpu_relax();
		}
		if (dev->has_flush) {
			blk_req_init(&flush, dev, BLK_FLUSH, 0, NULL, 0);
			if (blk_req_poll_wait(&flush, 2000000000ull) == -ETIMEDOUT)
				kprintf("bcache: %s: flush timed out at power-off\n", dev->name);
		}
	}
}
