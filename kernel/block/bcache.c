// SPDX-License-Identifier: MIT
/*
 * The buffer cache; see bcache.h for the contract. Whole-device write-back: bcache_sync.c.
 *
 * Lock legend: L bcache_lock (interrupts off; taken by the I/O completion
 * hooks in interrupt context too); I set once. Lock order: bcache_lock, then
 * a driver's lock (blkdev_submit is called with bcache_lock dropped anyway)
 * or io_wq's lock.
 *
 * Buffer life:   FREE --grab--> keyed (READING | VALID [DIRTY] [WRITING] | ERROR)
 *                  ^-----evict / read error / invalidate------'
 * A keyed buffer is on its hash chain; a keyed buffer with ref == 0 is also
 * on the LRU list (oldest release first), a free one on the free list.
 * READING and WRITING mean buf->req belongs to the device.
 */
#include "kernel/block/bcache.h"
#include "kernel/block/bcache_int.h"

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/async/waitq.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"

enum {
	BUF_VALID = 1u << 0,	/* data holds the block */
	BUF_DIRTY = 1u << 1,	/* data newer than the disk */
	BUF_READING = 1u << 2,	/* read in flight (not VALID yet) */
	BUF_WRITING = 1u << 3,	/* write-back in flight */
	BUF_ERROR = 1u << 4,	/* the read failed */
};

struct bcache_buf {
	struct list_head hnode;		/* L: hash chain while keyed */
	struct list_head lnode;		/* L: LRU (keyed, ref 0) or free list */
	struct list_head wb_node;	/* L: a collector's local write-back list */
	struct blkdev *dev;		/* L */
	uint64_t blockno;		/* L */
	unsigned bsize;			/* L */
	unsigned ref;			/* L */
	unsigned flags;			/* L */
	void *data;			/* L: one page, allocated at first use */
	struct blk_req req;		/* owned by the device while READING/WRITING */
};

#define NHASH 256
/* Most write-backs one bcache_get starts while looking for a victim. */
#define EVICT_WB_MAX 16

static struct spinlock bcache_lock = SPINLOCK_INIT("bcache");
static bool inited;				/* L */
static struct bcache_buf bufs[BCACHE_NBUF];	/* L */
static struct list_head hash[NHASH];		/* L */
static struct list_head lru;			/* L: oldest first */
static struct list_head freel;			/* L */
static struct bcache_stats st;			/* L */
/* Woken on every I/O completion and every release to ref 0; `events`
 * counts them so a waiter that registered late still sees what it missed. */
static struct waitq io_wq;
static uint64_t events;				/* L */
/* Times a buffer became reusable by grab (clean, idle, unreferenced): what a
 * getter that found none waits for. Its own releases of dirty buffers do not
 * count, so it sleeps until a write-back completes instead of retrying. */
static uint64_t reusable;			/* L */

static void note_if_reusable_locked(const struct bcache_buf *b)
{
	if (b->ref == 0 && !(b->flags & (BUF_DIRTY | BUF_READING | BUF_WRITING)))
		reusable++;
}

static void init_locked(void)
{
	if (inited)
		return;
	inited = true;
	list_init(&lru);
	list_init(&freel);
	for (unsigned i = 0; i < NHASH; i++)
		list_init(&hash[i]);
	for (unsigned i = 0; i < BCACHE_NBUF; i++) {
		list_init(&bufs[i].hnode);
		list_init(&bufs[i].wb_node);
		list_add_tail(&bufs[i].lnode, &freel);
	}
	waitq_init(&io_wq);
}

static struct list_head *chain(struct blkdev *dev, uint64_t blockno)
{
	uint64_t h = blockno ^ ((uintptr_t)dev >> 6);

	h ^= h >> 17;
	return &hash[(h * 0x9e3779b97f4a7c15ull) >> 56];
}

static struct bcache_buf *lookup_locked(struct blkdev *dev, uint64_t blockno)
{
	struct bcache_buf *b;

	list_for_each_entry(b, chain(dev, blockno), hnode)
		if (b->dev == dev && b->blockno == blockno)
			return b;
	return NULL;
}

/* Keyed, ref 0 -> free. */
static void unkey_locked(struct bcache_buf *b)
{
	if (b->flags & BUF_DIRTY)
		st.dirty--;
	list_del(&b->hnode);
	list_del(&b->lnode);
	list_add(&b->lnode, &freel);
	b->flags = 0;
	b->dev = NULL;
	st.cached--;
	reusable++;
}

static void take_ref_locked(struct bcache_buf *b)
{
	if (b->ref++ == 0)
		list_del(&b->lnode);	/* off the LRU */
}

static void wake_io_waiters(void)
{
	waitq_wake_all(&io_wq);
}

/* ---- I/O ------------------------------------------------------------------ */

static void read_done(struct blk_req *r)
{
	struct bcache_buf *b = container_of(r, struct bcache_buf, req);
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);

	b->flags &= ~BUF_READING;
	if (r->base.result == 0) {
		b->flags |= BUF_VALID;
	} else {
		b->flags |= BUF_ERROR;
		if (b->ref == 0)
			unkey_locked(b);
	}
	note_if_reusable_locked(b);
	events++;
	spin_unlock_irqrestore(&bcache_lock, fl);
	wake_io_waiters();
}

static void write_done(struct blk_req *r)
{
	struct bcache_buf *b = container_of(r, struct bcache_buf, req);
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);

	b->flags &= ~BUF_WRITING;
	if (r->base.result < 0)
		kprintf("bcache: %s: write of block %lu failed\n", b->dev->name,
			(unsigned long)b->blockno);
	note_if_reusable_locked(b);
	events++;
	spin_unlock_irqrestore(&bcache_lock, fl);
	wake_io_waiters();
}

static uint64_t sector_of(const struct bcache_buf *b)
{
	return b->blockno * (b->bsize / BLK_SECTOR_SIZE);
}

/* Dirty, idle -> WRITING, on @wbs; submitted by submit_wbs after unlock. */
static void start_wb_locked(struct bcache_buf *b, struct list_head *wbs)
{
	b->flags = (b->flags & ~BUF_DIRTY) | BUF_WRITING;
	st.dirty--;
	st.writes++;
	blk_req_init(&b->req, b->dev, BLK_WRITE, sector_of(b), b->data, b->bsize);
	b->req.done = write_done;
	list_add_tail(&b->wb_node, wbs);
}

static void submit_wbs(struct list_head *wbs)
{
	struct bcache_buf *b, *n;

	/* _safe: once submitted, a buffer may be reused by anyone. */
	list_for_each_entry_safe(b, n, wbs, wb_node) {
		list_del(&b->wb_node);
		blkdev_submit(&b->req);
	}
}

/*
 * A buffer to key anew, off every list, or NULL (none reusable now; *nomem
 * if the free list also had no page to give). Dirty idle candidates on the
 * way are put on @wbs for write-back, unless @wbs is NULL (read-ahead must
 * not cause writes).
 */
static struct bcache_buf *grab_locked(struct list_head *wbs, bool *nomem)
{
	struct bcache_buf *b, *n;
	unsigned started = 0;

	*nomem = false;
	if (!list_empty(&freel)) {
		b = list_first_entry(&freel, struct bcache_buf, lnode);
		if (b->data || (b->data = page_alloc())) {
			list_del(&b->lnode);
			return b;
		}
		/* No page for a new buffer: reuse a cached one instead. Giving up
		 * here left a writer retrying (yield, retry) for as long as the
		 * allocator said no, with 700+ clean buffers on the LRU. */
		*nomem = true;
	}
	list_for_each_entry_safe(b, n, &lru, lnode) {
		if (b->flags & (BUF_READING | BUF_WRITING))
			continue;
		if (b->flags & BUF_DIRTY) {
			if (wbs && started < EVICT_WB_MAX) {
				start_wb_locked(b, wbs);
				started++;
			}
			continue;
		}
		if (b->flags & BUF_VALID)
			st.evictions++;
		unkey_locked(b);
		list_del(&b->lnode);
		return b;
	}
	return NULL;
}

static void key_locked(struct bcache_buf *b, struct blkdev *dev, uint64_t blockno,
		       unsigned bsize, unsigned flags)
{
	b->dev = dev;
	b->blockno = blockno;
	b->bsize = bsize;
	b->flags = flags;
	b->ref = 0;
	list_add(&b->hnode, chain(dev, blockno));
	list_init(&b->lnode);
	st.cached++;
}

/* ---- the wait future handed to vfs_set_io_wait ----------------------------- */

/*
 *   INIT --register on io_wq--> WAITING --condition holds--> DONE
 *                                 ^  |  (woken, condition not yet true)
 *                                 '--'
 */
enum bwait_state {
	BWAIT_INIT,
	BWAIT_WAITING,
	BWAIT_DONE,
};

struct bcache_wait_future {
	struct future base;
	enum bwait_state state;
	struct bcache_buf *buf;	/* referenced; wait for !READING; or NULL: */
	uint64_t seen;		/* no buffer: wait for reusable != seen */
	struct waitq_wait_future w;
};

/*
 * A getter waiting for any buffer, with none reusable yet: start the write-back of the
 * dirty idle ones on the LRU (as grab does for its victims). A buffer released dirty
 * after the getter's scan is reusable only once written, and the getter's own wake does
 * not rerun the scan: without this it would sleep until some other get started a write.
 */
static void start_starved_wbs_locked(struct list_head *wbs)
{
	struct bcache_buf *b;
	unsigned started = 0;

	list_for_each_entry(b, &lru, lnode) {
		if (started == EVICT_WB_MAX)
			break;
		if ((b->flags & BUF_DIRTY) && !(b->flags & (BUF_READING | BUF_WRITING))) {
			start_wb_locked(b, wbs);
			started++;
		}
	}
}

static bool wait_cond(struct bcache_wait_future *bw)
{
	struct list_head wbs;
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);
	bool ok = bw->buf ? !(bw->buf->flags & BUF_READING) : reusable != bw->seen;

	list_init(&wbs);
	if (!ok && !bw->buf)
		start_starved_wbs_locked(&wbs);
	spin_unlock_irqrestore(&bcache_lock, fl);
	submit_wbs(&wbs);
	return ok;
}

static void bwait_drop(struct future *f)
{
	struct bcache_wait_future *bw = (struct bcache_wait_future *)f;

	if (bw->state == BWAIT_WAITING)
		future_drop(&bw->w.base);
	bw->base.awaiting = NULL;
	bw->state = BWAIT_DONE;
	if (bw->buf) {
		bcache_put(bw->buf);
		bw->buf = NULL;
	}
}

static enum poll bwait_poll(struct future *f, struct context *cx)
{
	struct bcache_wait_future *bw = (struct bcache_wait_future *)f;

	for (;;) {
		switch (bw->state) {
		case BWAIT_INIT:
			waitq_wait_init(&bw->w, &io_wq);
			bw->state = BWAIT_WAITING;
			continue;
		case BWAIT_WAITING: {
			/* Register first, then re-check: no lost wakeup. */
			enum poll r = future_poll(&bw->w.base, cx);

			if (wait_cond(bw)) {
				bwait_drop(f);	/* -> DONE, reference given back */
				bw->base.result = 0;
				return POLL_READY;
			}
			if (r == POLL_READY) {
				future_drop(&bw->w.base);
				bw->state = BWAIT_INIT;
				continue;
			}
			bw->base.awaiting = &bw->w.base;
			return POLL_PENDING;
		}
		case BWAIT_DONE:
			return POLL_READY;
		}
	}
}

static void bwait_release(struct future *f)
{
	kfree(f);
}

static const char *bwait_state_name(const struct future *f)
{
	static const char *const names[] = { "init", "waiting", "done" };

	return names[((const struct bcache_wait_future *)f)->state];
}

static const struct future_ops bwait_ops = {
	.name = "bcache_wait",
	.type = "bcache_wait_future",
	.poll = bwait_poll,
	.drop = bwait_drop,
	.release = bwait_release,
	.state_name = bwait_state_name,
};

/* A wait for @b to be read (taking a reference), or, @b NULL, for any
 * release or I/O completion. NULL on ENOMEM. */
static struct bcache_wait_future *new_wait_locked(struct bcache_buf *b)
{
	struct bcache_wait_future *bw = kmalloc(sizeof(*bw));

	if (!bw)
		return NULL;
	future_init(&bw->base, &bwait_ops);
	bw->state = BWAIT_INIT;
	bw->buf = b;
	bw->seen = reusable;
	if (b)
		take_ref_locked(b);
	return bw;
}

/* ---- get / put ------------------------------------------------------------ */

static int check_args(struct blkdev *dev, uint64_t blockno, unsigned bsize)
{
	if (!dev || bsize < BCACHE_MIN_BSIZE || bsize > BCACHE_MAX_BSIZE ||
	    bsize % BLK_SECTOR_SIZE)
		return -EINVAL;
	uint64_t spb = bsize / BLK_SECTOR_SIZE;

	if (blockno >= dev->sectors / spb)
		return -EIO;
	return 0;
}

static int get(struct blkdev *dev, uint64_t blockno, unsigned bsize, bool noread,
	       struct bcache_buf **out)
{
	struct bcache_wait_future *bw = NULL;
	struct bcache_buf *b;
	struct list_head wbs;
	bool nomem, read = false;
	int err = check_args(dev, blockno, bsize);
	irqflags_t fl;

	if (err)
		return err;
	list_init(&wbs);
	fl = spin_lock_irqsave(&bcache_lock);
	init_locked();
	b = lookup_locked(dev, blockno);
	if (b) {
		if (b->bsize != bsize) {
			err = -EINVAL;
		} else if (b->flags & BUF_READING) {
			st.shared++;
			bw = new_wait_locked(b);
			err = bw ? -EIOWAIT : -ENOMEM;
		} else if (noread) {
			memset(b->data, 0, bsize);
			b->flags = (b->flags & ~BUF_ERROR) | BUF_VALID;
			take_ref_locked(b);
			*out = b;
		} else if (b->flags & BUF_VALID) {
			st.hits++;
			take_ref_locked(b);
			*out = b;
		} else {
			/* A failed read: report it once, then forget the block. */
			if (b->ref == 0)
				unkey_locked(b);
			err = -EIO;
		}
		goto out_unlock;
	}
	b = grab_locked(&wbs, &nomem);
	if (!b) {
		if (nomem && list_empty(&lru)) {
			err = -ENOMEM;
		} else {
			st.full_waits++;
			bw = new_wait_locked(NULL);
			err = bw ? -EIOWAIT : -ENOMEM;
		}
		goto out_unlock;
	}
	if (noread) {
		key_locked(b, dev, blockno, bsize, BUF_VALID);
		memset(b->data, 0, bsize);
		take_ref_locked(b);
		*out = b;
		goto out_unlock;
	}
	key_locked(b, dev, blockno, bsize, BUF_READING);
	bw = new_wait_locked(b);
	if (!bw) {
		unkey_locked(b);
		err = -ENOMEM;
		goto out_unlock;
	}
	st.misses++;
	st.reads++;
	blk_req_init(&b->req, dev, BLK_READ, sector_of(b), b->data, bsize);
	b->req.done = read_done;
	read = true;
	err = -EIOWAIT;
out_unlock:
	spin_unlock_irqrestore(&bcache_lock, fl);
	submit_wbs(&wbs);
	if (read)
		blkdev_submit(&b->req);
	if (bw)
		vfs_set_io_wait(&bw->base);
	return err;
}

int bcache_get(struct blkdev *dev, uint64_t blockno, unsigned bsize, struct bcache_buf **out)
{
	return get(dev, blockno, bsize, false, out);
}

int bcache_get_noread(struct blkdev *dev, uint64_t blockno, unsigned bsize,
		      struct bcache_buf **out)
{
	return get(dev, blockno, bsize, true, out);
}

int bcache_get_cached(struct blkdev *dev, uint64_t blockno, unsigned bsize,
		      struct bcache_buf **out)
{
	int err = check_args(dev, blockno, bsize);
	struct bcache_buf *b;
	irqflags_t fl;

	if (err)
		return err;
	fl = spin_lock_irqsave(&bcache_lock);
	init_locked();
	b = lookup_locked(dev, blockno);
	if (b && b->bsize == bsize && (b->flags & (BUF_VALID | BUF_READING)) == BUF_VALID) {
		st.hits++;
		take_ref_locked(b);
		*out = b;
	} else {
		err = -EAGAIN;
	}
	spin_unlock_irqrestore(&bcache_lock, fl);
	return err;
}

bool bcache_prefetch(struct blkdev *dev, uint64_t blockno, unsigned bsize)
{
	struct bcache_buf *b;
	bool nomem;
	irqflags_t fl;

	if (check_args(dev, blockno, bsize))
		return false;
	fl = spin_lock_irqsave(&bcache_lock);
	init_locked();
	if (lookup_locked(dev, blockno) || !(b = grab_locked(NULL, &nomem))) {
		spin_unlock_irqrestore(&bcache_lock, fl);
		return false;
	}
	key_locked(b, dev, blockno, bsize, BUF_READING);
	/* Unreferenced: on the LRU at once (grab skips it while READING); a
	 * read error forgets it in read_done(). */
	list_add_tail(&b->lnode, &lru);
	st.reads++;
	st.prefetches++;
	blk_req_init(&b->req, dev, BLK_READ, sector_of(b), b->data, bsize);
	b->req.done = read_done;
	spin_unlock_irqrestore(&bcache_lock, fl);
	blkdev_submit(&b->req);
	return true;
}

void *bcache_data(struct bcache_buf *b)
{
	return b->data;
}

uint64_t bcache_blockno(const struct bcache_buf *b)
{
	return b->blockno;
}

void bcache_mark_dirty(struct bcache_buf *b)
{
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);

	if (!(b->flags & BUF_DIRTY)) {
		b->flags |= BUF_DIRTY;
		st.dirty++;
	}
	spin_unlock_irqrestore(&bcache_lock, fl);
}

void bcache_put(struct bcache_buf *b)
{
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);

	if (b->ref == 0)
		panic("bcache_put: block %lu has no reference", (unsigned long)b->blockno);
	if (--b->ref == 0) {
		list_add_tail(&b->lnode, &lru);
		if ((b->flags & BUF_ERROR) && !(b->flags & BUF_READING))
			unkey_locked(b);
		note_if_reusable_locked(b);
		events++;
	}
	spin_unlock_irqrestore(&bcache_lock, fl);
	wake_io_waiters();
}

void bcache_hold(struct bcache_buf *b)
{
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);

	if (b->ref == 0)
		panic("bcache_hold: block %lu has no reference", (unsigned long)b->blockno);
	b->ref++;
	spin_unlock_irqrestore(&bcache_lock, fl);
}

/* ---- sync ----------------------------------------------------------------- */

bool bcache_writeback(struct blkdev *dev, uint64_t *seen)
{
	struct list_head wbs;
	bool busy = false;
	irqflags_t fl;

	list_init(&wbs);
	fl = spin_lock_irqsave(&bcache_lock);
	init_locked();
	for (unsigned i = 0; i < BCACHE_NBUF; i++) {
		struct bcache_buf *b = &bufs[i];

		if (!b->dev || (dev && b->dev != dev))
			continue;
		if ((b->flags & BUF_DIRTY) && !(b->flags & (BUF_WRITING | BUF_READING)))
			start_wb_locked(b, &wbs);
		if (b->flags & (BUF_DIRTY | BUF_WRITING))
			busy = true;
	}
	if (seen)
		*seen = events;
	spin_unlock_irqrestore(&bcache_lock, fl);
	submit_wbs(&wbs);
	return busy;
}

uint64_t bcache_events(void)
{
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);
	uint64_t e = events;

	spin_unlock_irqrestore(&bcache_lock, fl);
	return e;
}

struct waitq *bcache_io_waitq(void)
{
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);

	init_locked();
	spin_unlock_irqrestore(&bcache_lock, fl);
	return &io_wq;
}

void bcache_stats(struct bcache_stats *out)
{
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);

	*out = st;
	spin_unlock_irqrestore(&bcache_lock, fl);
}

void bcache_forget(struct blkdev *dev, uint64_t blockno)
{
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);
	struct bcache_buf *b;

	init_locked();
	b = lookup_locked(dev, blockno);
	if (b) {
		if (b->ref || (b->flags & (BUF_READING | BUF_WRITING))) {
			st.forget_busy++;
		} else {
			unkey_locked(b);
			st.forgotten++;
		}
	}
	spin_unlock_irqrestore(&bcache_lock, fl);
}

unsigned bcache_invalidate_clean(struct blkdev *dev)
{
	unsigned n = 0;
	irqflags_t fl = spin_lock_irqsave(&bcache_lock);
	struct bcache_buf *b, *t;

	init_locked();
	list_for_each_entry_safe(b, t, &lru, lnode) {
		if ((dev && b->dev != dev) ||
		    (b->flags & (BUF_DIRTY | BUF_READING | BUF_WRITING)))
			continue;
		unkey_locked(b);
		n++;
	}
	/* A free buffer keeps its page for the next key; a drop gives those back too, so
	 * the free memory after one does not depend on how many buffers were ever in use
	 * (the leak check). grab_locked allocates the page again. */
	list_for_each_entry(b, &freel, lnode) {
		if (b->data && !(b->flags & (BUF_READING | BUF_WRITING))) {
			page_free(b->data);
			b->data = NULL;
		}
	}
	spin_unlock_irqrestore(&bcache_lock, fl);
	return n;
}
