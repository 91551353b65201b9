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
#include "lib/errno.h"

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
			s->state = bcache_writeback(s->dev, &s->seen) ? BSYNC_WAIT : BSYNC_FLUSH;
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
			if (!s->dev->has_flush) {
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

struct future *bcache_sync(struct blkdev *dev)
{
	struct bcache_sync_future *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
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
