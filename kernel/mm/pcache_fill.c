// SPDX-License-Identifier: MIT
/*
 * The page cache's fills: tasks that read a read-ahead window of pages with
 * scatter-gather requests, the windows themselves, and the wait future a
 * miss parks. read(2) and the pages for writes and mappings are
 * pcache_read.c, write-back pcache_wb.c. See pcache.h.
 *
 * Lock legend (pcache.h): L pc->lock. A fill owns its FILLING pages: nobody
 * else changes or removes them until it clears the flag.
 */
#include "kernel/mm/pcache.h"
#include "kernel/mm/pcache_int.h"

#include "kernel/arch.h"
#include "kernel/async/task.h"
#include "kernel/async/waitq.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- building scatter-gather requests -------------------------------------------------- */

void pcache_rb_add(struct pcache_rb *b, uint64_t sector, void *buf, uint32_t len)
{
	struct pcache_ioreq *r = b->reqs && b->n ? &b->reqs[b->n - 1] : NULL;

	if (b->n && sector == b->next_sector && b->len + len <= BLK_MAX_BYTES) {
		if (b->last_end == buf) {
			if (r)
				r->segs[b->nsegs - 1].len += len;
			goto grown;
		}
		if (b->nsegs < BLK_MAX_SEGS) {
			if (r)
				r->segs[b->nsegs] = (struct blk_seg){ .buf = buf, .len = len };
			b->nsegs++;
			goto grown;
		}
	}
	/* A new request. */
	if (b->reqs && b->n == b->max)
		return; /* cannot happen: the counting pass sized reqs */
	b->n++;
	r = b->reqs ? &b->reqs[b->n - 1] : NULL;
	if (r) {
		r->sector = sector;
		r->segs[0] = (struct blk_seg){ .buf = buf, .len = len };
	}
	b->nsegs = 1;
	b->len = 0;
grown:
	b->len += len;
	if (r)
		r->nsegs = b->nsegs;
	b->next_sector = sector + len / BLK_SECTOR_SIZE;
	b->last_end = (char *)buf + len;
}

void pcache_rb_start(struct pcache_rb *b, struct pcache_ioreq *reqs, unsigned max)
{
	b->reqs = reqs;
	b->max = max;
	b->n = 0;
	b->nsegs = 0;
	b->len = 0;
	b->next_sector = 0;
	b->last_end = NULL;
}

void pcache_rb_init_reqs(struct pcache_rb *b, struct blkdev *dev, enum blk_op op)
{
	for (unsigned i = 0; i < b->n; i++)
		blk_req_init_sg(&b->reqs[i].req, dev, op, b->reqs[i].sector, b->reqs[i].segs,
				b->reqs[i].nsegs);
	atomic_fetch_add_explicit(&pcache_ctr.reqs, b->n, memory_order_relaxed);
}

/* ---- the wait future -------------------------------------------------------------------- */

/*
 *   WAIT_INIT --register--> WAIT_WAITING --(condition holds)--> WAIT_DONE
 *                               ^   |  (woken, not yet)
 *                               '---'
 */
enum wait_state {
	WAIT_INIT,
	WAIT_WAITING,
	WAIT_DONE,
};

struct pcache_wait_future {
	struct future base;
	enum wait_state state;
	struct pcache *pc;		/* counted until DONE */
	uint64_t idx;
	unsigned mask;			/* wait while page idx has one of these flags;
					 * 0: while pc has pages under write-back */
	struct waitq_wait_future w;
};

static bool wait_over(struct pcache_wait_future *pw)
{
	struct pcache *pc = pw->pc;
	irqflags_t fl = spin_lock_irqsave(&pc->lock);
	bool over;

	if (pw->mask) {
		struct pcpage *pg = radix_lookup(&pc->tree, pw->idx);

		over = !pg || !(pg->flags & pw->mask);
	} else {
		over = pc->nwb == 0;
	}
	spin_unlock_irqrestore(&pc->lock, fl);
	return over;
}

static void pwait_drop(struct future *f)
{
	struct pcache_wait_future *pw = (struct pcache_wait_future *)f;

	if (pw->state == WAIT_WAITING)
		future_drop(&pw->w.base);
	f->awaiting = NULL;
	if (pw->state != WAIT_DONE) {
		pw->state = WAIT_DONE;
		pcache_put_ref(pw->pc);
	}
}

static enum poll pwait_poll(struct future *f, struct context *cx)
{
	struct pcache_wait_future *pw = (struct pcache_wait_future *)f;

	for (;;) {
		switch (pw->state) {
		case WAIT_INIT:
			waitq_wait_init(&pw->w, &pw->pc->wq);
			pw->state = WAIT_WAITING;
			continue;
		case WAIT_WAITING: {
			/* Register first, then check: no lost wake. */
			enum poll r = future_poll(&pw->w.base, cx);

			if (wait_over(pw)) {
				pwait_drop(f);
				f->result = 0;
				return POLL_READY;
			}
			if (r == POLL_READY) {
				future_drop(&pw->w.base);
				pw->state = WAIT_INIT;
				continue;
			}
			f->awaiting = &pw->w.base;
			return POLL_PENDING;
		}
		case WAIT_DONE:
			return POLL_READY;
		}
	}
}

static void pwait_release(struct future *f)
{
	kfree(f);
}

static const char *pwait_state_name(const struct future *f)
{
	static const char *const names[] = { "init", "waiting", "done" };

	return names[((const struct pcache_wait_future *)f)->state];
}

static const struct future_ops pwait_ops = {
	.name = "pcache_wait",
	.type = "pcache_wait_future",
	.poll = pwait_poll,
	.drop = pwait_drop,
	.release = pwait_release,
	.state_name = pwait_state_name,
};

struct future *pcache_wait_new(struct pcache *pc, uint64_t idx, unsigned mask)
{
	struct pcache_wait_future *pw = kmalloc(sizeof(*pw));

	if (!pw)
		return NULL;
	future_init(&pw->base, &pwait_ops);
	pw->state = WAIT_INIT;
	pw->pc = pc;
	pw->idx = idx;
	pw->mask = mask;
	pcache_get_ref(pc);
	return &pw->base;
}

int pcache_park_wait(struct pcache *pc, uint64_t idx, unsigned mask)
{
	struct future *f = pcache_wait_new(pc, idx, mask);

	if (!f)
		return -ENOMEM;
	vfs_set_io_wait(f);
	return -EIOWAIT;
}

/* ---- fills ------------------------------------------------------------------------------ */

/*
 *   FILL_MAP --(metadata not cached)--> FILL_MAP_IO --(read)--> FILL_MAP
 *      \--(mapped, requests built)--> FILL_READ --(all done)--> FILL_FINISH --> FILL_DONE
 *   (an error anywhere: FILL_FINISH, the pages marked ERROR)
 */
enum fill_state {
	FILL_MAP,
	FILL_MAP_IO,
	FILL_READ,
	FILL_FINISH,
	FILL_DONE,
};

struct pcache_fill {
	struct future base;
	enum fill_state state;
	struct pcache *pc;		/* counted */
	struct inode *ino;		/* counted: ops->map needs it */
	uint64_t start;			/* first page of the window */
	uint64_t size;			/* the file's size when the window was made */
	unsigned n;			/* pages in the window */
	unsigned ra_mark;		/* window index of the read-ahead marker, or n */
	struct future *io;		/* FILL_MAP_IO: the metadata read (owned) */
	struct pcache_ioreq *reqs;	/* FILL_READ: kmalloc'd */
	unsigned nreq;
	int err;
	/* pages[i] is page start + i when this fill owns it, NULL when it was
	 * cached already (its blocks are mapped along, unused). */
	struct pcpage *pages[PCACHE_RA_MAX];
	uint32_t blks[PCACHE_RA_MAX * PCACHE_MAX_BPP];
};

/* Zero the holes and the bytes past the end of the file; queue the rest. */
static int fill_build(struct pcache_fill *f)
{
	struct pcache *pc = f->pc;
	unsigned bpp = pcache_bpp(pc), bsz = 1u << pc->bshift, spb = bsz / BLK_SECTOR_SIZE;
	struct pcache_rb b;

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (!b.n)
				break;
			f->reqs = kmalloc(b.n * sizeof(*f->reqs));
			if (!f->reqs)
				return -ENOMEM;
			f->nreq = b.n;
			pcache_rb_start(&b, f->reqs, f->nreq);
		} else {
			pcache_rb_start(&b, NULL, 0);
		}
		for (unsigned i = 0; i < f->n; i++) {
			struct pcpage *pg = f->pages[i];

			if (!pg)
				continue;
			for (unsigned j = 0; j < bpp; j++) {
				uint32_t blk = f->blks[i * bpp + j];
				char *buf = (char *)pg->data + j * bsz;

				if (!blk) {
					if (pass == 0)
						memset(buf, 0, bsz);
					continue;
				}
				pcache_rb_add(&b, (uint64_t)blk * spb, buf, bsz);
			}
		}
	}
	pcache_rb_init_reqs(&b, pc->dev, BLK_READ);
	return 0;
}

static void fill_finish(struct pcache_fill *f)
{
	struct pcache *pc = f->pc;
	unsigned bpp = pcache_bpp(pc), got = 0;
	int err = f->err;
	irqflags_t fl;

	for (unsigned k = 0; k < f->nreq && !err; k++)
		if (f->reqs[k].req.base.result)
			err = -EIO;
	fl = spin_lock_irqsave(&pc->lock);
	for (unsigned i = 0; i < f->n; i++) {
		struct pcpage *pg = f->pages[i];
		uint64_t at = (f->start + i) << PAGE_SHIFT;

		if (!pg)
			continue;
		if (err == -ECANCELED) {
			/* Never started (no task): as if never asked for. */
			pcache_remove_locked(pc, pg);
			continue;
		} else if (err) {
			pg->flags = PGC_ERROR;
		} else {
			/* Past the end of the file a page holds zeros (a mapping sees them). */
			if (f->size < at + PAGE_SIZE && f->size > at)
				memset((char *)pg->data + (f->size - at), 0, at + PAGE_SIZE - f->size);
			memcpy(pg->blk, &f->blks[i * bpp], bpp * sizeof(uint32_t));
			pg->flags = PGC_UPTODATE | PGC_MAPPED | (i == f->ra_mark ? PGC_READAHEAD : 0);
			got++;
		}
		pcache_lru_add_locked(pg);
	}
	spin_unlock_irqrestore(&pc->lock, fl);
	atomic_fetch_add_explicit(&pcache_ctr.fill_pages, got, memory_order_relaxed);
	waitq_wake_all(&pc->wq);
}

static void fill_drop_io(struct pcache_fill *f)
{
	if (f->io) {
		future_drop(f->io);
		future_release(f->io);
		f->io = NULL;
	}
	f->base.awaiting = NULL;
}

static enum poll fill_poll(struct future *fut, struct context *cx)
{
	struct pcache_fill *f = (struct pcache_fill *)fut;

	for (;;) {
		switch (f->state) {
		case FILL_MAP: {
			int err = f->pc->ops->map(f->ino, f->start, f->n, f->blks);

			if (err == -EIOWAIT) {
				f->io = vfs_take_io_wait();
				if (f->io) {
					fut->awaiting = f->io;
					f->state = FILL_MAP_IO;
					continue;
				}
				err = -EIO;
			}
			if (!err)
				err = fill_build(f);
			f->err = err;
			f->state = err ? FILL_FINISH : FILL_READ;
			continue;
		}
		case FILL_MAP_IO:
			if (future_poll(f->io, cx) == POLL_PENDING)
				return POLL_PENDING;
			fill_drop_io(f);
			f->state = FILL_MAP;
			continue;
		case FILL_READ: {
			bool pending = false;

			/* Polling a request submits it the first time. */
			for (unsigned k = 0; k < f->nreq; k++)
				if (!blk_req_is_done(&f->reqs[k].req) &&
				    future_poll(&f->reqs[k].req.base, cx) == POLL_PENDING)
					pending = true;
			if (pending)
				return POLL_PENDING;
			f->state = FILL_FINISH;
			continue;
		}
		case FILL_FINISH:
			fill_finish(f);
			f->state = FILL_DONE;
			inode_put(f->ino);
			f->ino = NULL;
			pcache_put_ref(f->pc);
			fut->result = f->err;
			return POLL_READY;
		case FILL_DONE:
			return POLL_READY;
		}
	}
}

/* Fills are detached tasks nobody cancels; a cancel while requests are in
 * flight would leave the device writing into freed pages, so it leaks. */
static void fill_drop(struct future *fut)
{
	struct pcache_fill *f = (struct pcache_fill *)fut;

	if (f->state == FILL_MAP || f->state == FILL_MAP_IO) {
		fill_drop_io(f);
		f->err = -ECANCELED;
		fill_finish(f);
		f->state = FILL_DONE;
		if (f->ino)
			inode_put(f->ino);
		f->ino = NULL;
		pcache_put_ref(f->pc);
	} else if (f->state == FILL_READ) {
		f->state = FILL_DONE;
		f->reqs = NULL; /* leaked with the pages: the device owns them */
	}
}

static void fill_release(struct future *fut)
{
	struct pcache_fill *f = (struct pcache_fill *)fut;

	if (f->state == FILL_DONE && !f->ino) {
		kfree(f->reqs);
		kfree(f);
	}
}

static const char *fill_state_name(const struct future *fut)
{
	static const char *const names[] = { "map", "map_io", "read", "finish", "done" };

	return names[((const struct pcache_fill *)fut)->state];
}

static const struct future_ops fill_ops = {
	.name = "pcache_fill",
	.type = "pcache_fill",
	.poll = fill_poll,
	.drop = fill_drop,
	.release = fill_release,
	.state_name = fill_state_name,
};

/*
 * A fill of the missing pages of [start, start + n), clipped to the file's
 * size; the read-ahead marker goes on page start + mark (>= n: none). NULL
 * when nothing is missing or memory is short. L held; the caller spawns it
 * with fill_spawn() after dropping L.
 */
struct pcache_fill *pcache_window_locked(struct pcache *pc, uint64_t start, unsigned n,
					 uint64_t size, unsigned mark)
{
	uint64_t end = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct pcache_fill *f;
	unsigned made = 0;

	if (n > PCACHE_RA_MAX)
		n = PCACHE_RA_MAX;
	if (start >= end)
		return NULL;
	if (n > end - start)
		n = (unsigned)(end - start);
	f = kmalloc(sizeof(*f));
	if (!f)
		return NULL;
	pcache_low_memory_check();
	for (unsigned i = 0; i < n; i++) {
		struct pcpage *pg = radix_lookup(&pc->tree, start + i);

		f->pages[i] = NULL;
		if (pg)
			continue;
		f->pages[i] = pcache_page_new_locked(pc, start + i, PGC_FILLING, false);
		if (!f->pages[i]) {
			n = i;
			break;
		}
		made++;
	}
	if (!made) {
		kfree(f);
		return NULL;
	}
	future_init(&f->base, &fill_ops);
	f->state = FILL_MAP;
	f->pc = pc;
	f->ino = NULL;
	f->start = start;
	f->size = size;
	f->n = n;
	f->ra_mark = mark < n && f->pages[mark] ? mark : n;
	f->io = NULL;
	f->reqs = NULL;
	f->nreq = 0;
	f->err = 0;
	pcache_get_ref(pc);
	atomic_fetch_add_explicit(&pcache_ctr.fills, 1, memory_order_relaxed);
	return f;
}

/* Run the fill as a task (L not held). On failure its pages are dropped. */
int pcache_fill_spawn(struct pcache_fill *f, struct inode *ino)
{
	task_id_t id;

	f->ino = inode_get(ino);
	id = task_spawn(&f->base, (int)hart_id(), "pcache_fill");
	if (id != TASK_ID_NONE) {
		task_detach(id);
		return 0;
	}
	fill_drop(&f->base);
	fill_release(&f->base);
	return -ENOMEM;
}

/* A synchronous miss at idx by a reader that wants `want` pages from there. */
struct pcache_fill *pcache_miss_window_locked(struct pcache *pc, uint64_t idx, uint64_t want,
					      uint64_t size)
{
	unsigned win;
	struct pcache_fill *f;

	if (pc->ra_win && idx == pc->ra_next)
		win = pc->ra_win * 2; /* sequential, and read-ahead fell behind */
	else
		win = PCACHE_RA_MIN;
	if (win < want)
		win = want > PCACHE_RA_MAX ? PCACHE_RA_MAX : (unsigned)want;
	f = pcache_window_locked(pc, idx, win, size, win / 2);
	if (f) {
		pc->ra_next = idx + f->n;
		pc->ra_win = f->n;
	}
	return f;
}

/* The reader reached a read-ahead marker: the next window, twice as big. */
struct pcache_fill *pcache_async_window_locked(struct pcache *pc, uint64_t size)
{
	unsigned win = pc->ra_win ? pc->ra_win * 2 : PCACHE_RA_MIN;
	struct pcache_fill *f = pcache_window_locked(pc, pc->ra_next, win, size, 0);

	if (f) {
		f->ra_mark = 0;
		pc->ra_next += f->n;
		pc->ra_win = f->n;
	}
	return f;
}
