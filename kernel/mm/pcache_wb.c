// SPDX-License-Identifier: MIT
/*
 * Page-cache write-back: a task that writes the dirty pages of one cache,
 * of a file system or of everything, in batches of scatter-gather requests
 * (one per run of consecutive disk blocks), and waits for them. fsync, sync
 * and unmount join such a task (dropping the join, as a signal does, leaves
 * the task to finish: I/O is never abandoned halfway); a file with many
 * dirty pages gets one in the background; power-off writes by polling.
 *
 * Lock legend (pcache.h): L pc->lock. A page under WRITEBACK stays in its
 * tree (truncate waits for it, reclaim skips it); written again meanwhile,
 * it is DIRTY as well and goes out in a later batch, never twice at once.
 */
#include "kernel/mm/pcache.h"
#include "kernel/mm/pcache_int.h"

#include "kernel/arch.h"
#include "kernel/async/task.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define WB_BATCH 64
/* A file with this many dirty pages (1 MiB) starts writing them back. */
#define WB_KICK_PAGES 256

bool pcache_has_writeback(struct pcache *pc)
{
	return pc->nwb != 0;
}

/* Take up to max dirty pages not in flight, as WRITEBACK, sorted by index. L held. */
static unsigned gather_locked(struct pcache *pc, struct pcpage **out, unsigned max)
{
	struct pcpage *pg, *t;
	unsigned n = 0;

	list_for_each_entry_safe(pg, t, &pc->dirty, dnode) {
		if (n == max)
			break;
		if (pg->flags & PGC_WRITEBACK)
			continue;
		list_del(&pg->dnode);
		list_init(&pg->dnode);
		pg->flags = (uint16_t)((pg->flags & ~PGC_DIRTY) | PGC_WRITEBACK);
		pc->ndirty--;
		pc->nwb++;
		atomic_fetch_sub_explicit(&pcache_ctr.dirty, 1, memory_order_relaxed);
		/* Insertion sort: batches are small and mostly in order already. */
		unsigned k = n++;

		while (k > 0 && out[k - 1]->index > pg->index) {
			out[k] = out[k - 1];
			k--;
		}
		out[k] = pg;
	}
	return n;
}

/* The requests writing pages[0..n) (kmalloc'd into *reqs); how many, or -ENOMEM. */
static int build_writes(struct pcache *pc, struct pcpage **pages, unsigned n,
			struct pcache_ioreq **reqs)
{
	unsigned bpp = pcache_bpp(pc), bsz = 1u << pc->bshift, spb = bsz / BLK_SECTOR_SIZE;
	struct pcache_rb b;

	*reqs = NULL;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (!b.n)
				return 0;
			*reqs = kmalloc(b.n * sizeof(**reqs));
			if (!*reqs)
				return -ENOMEM;
			pcache_rb_start(&b, *reqs, b.n);
		} else {
			pcache_rb_start(&b, NULL, 0);
		}
		for (unsigned i = 0; i < n; i++)
			for (unsigned j = 0; j < bpp; j++)
				if (pages[i]->blk[j])
					pcache_rb_add(&b, (uint64_t)pages[i]->blk[j] * spb,
						      (char *)pages[i]->data + j * bsz, bsz);
	}
	pcache_rb_init_reqs(&b, pc->dev, BLK_WRITE);
	return (int)b.n;
}

/* The batch is on the disk (or failed): the pages leave WRITEBACK. */
static void batch_done(struct pcache *pc, struct pcpage **pages, unsigned n)
{
	irqflags_t fl = spin_lock_irqsave(&pc->lock);

	for (unsigned i = 0; i < n; i++) {
		pages[i]->flags &= ~PGC_WRITEBACK;
		pc->nwb--;
	}
	spin_unlock_irqrestore(&pc->lock, fl);
	atomic_fetch_add_explicit(&pcache_ctr.writes, n, memory_order_relaxed);
	waitq_wake_all(&pc->wq);
}

/*
 *   WB_NEXT --(a cache left)--> WB_GATHER --(a batch)--> WB_WRITE --(written)--> WB_GATHER
 *      ^                           |  \--(others' writes in flight)--> WB_WAIT --> WB_GATHER
 *      '------(nothing left)-------'
 *   WB_NEXT --(no cache left)--> WB_DONE
 */
enum wb_state {
	WB_NEXT,
	WB_GATHER,
	WB_WRITE,
	WB_WAIT,
	WB_DONE,
};

struct pcache_wb {
	struct future base;
	enum wb_state state;
	struct superblock *sb;		/* with !single: the caches of sb (NULL: all) */
	bool single;			/* only caches[0] */
	bool collected;			/* caches[] was filled (once) */
	bool background;		/* a kick: clears pc->wb_running at the end */
	unsigned ncaches, ci;
	struct pcache **caches;		/* counted; kmalloc'd unless single */
	struct pcache *one[1];		/* caches when single */
	struct pcache *pc;		/* caches[ci - 1] */
	uint64_t budget;		/* pages this cache may still take (no livelock) */
	unsigned npages, nreq;
	struct pcache_ioreq *reqs;	/* WB_WRITE, kmalloc'd */
	struct future *wait;		/* WB_WAIT (owned) */
	int err;
	struct pcpage *pages[WB_BATCH];
};

static void wb_end_cache(struct pcache_wb *w)
{
	if (w->background) {
		irqflags_t fl = spin_lock_irqsave(&w->pc->lock);

		w->pc->wb_running = false;
		spin_unlock_irqrestore(&w->pc->lock, fl);
	}
	pcache_put_ref(w->pc);
	w->caches[w->ci - 1] = NULL;
	w->pc = NULL;
}

static enum poll wb_poll(struct future *fut, struct context *cx)
{
	struct pcache_wb *w = (struct pcache_wb *)fut;

	for (;;) {
		switch (w->state) {
		case WB_NEXT:
			if (!w->collected) {
				w->collected = true;
				w->ncaches = pcache_collect(w->sb, &w->caches, true);
			}
			if (w->ci == w->ncaches) {
				w->state = WB_DONE;
				fut->result = w->err;
				return POLL_READY;
			}
			w->pc = w->caches[w->ci++];
			w->budget = w->pc->ndirty + WB_BATCH;
			w->state = WB_GATHER;
			continue;
		case WB_GATHER: {
			struct pcache *pc = w->pc;
			irqflags_t fl = spin_lock_irqsave(&pc->lock);
			bool others;
			int nr;

			w->npages = w->budget ? gather_locked(pc, w->pages, w->budget < WB_BATCH
									     ? (unsigned)w->budget
									     : WB_BATCH)
					      : 0;
			others = pc->nwb > w->npages;
			spin_unlock_irqrestore(&pc->lock, fl);
			if (!w->npages) {
				if (others && !w->background) {
					/* fsync: writes someone else started count too. */
					w->wait = pcache_wait_new(pc, 0, 0);
					if (w->wait) {
						fut->awaiting = w->wait;
						w->state = WB_WAIT;
						continue;
					}
				}
				wb_end_cache(w);
				w->state = WB_NEXT;
				continue;
			}
			w->budget -= w->npages;
			nr = build_writes(pc, w->pages, w->npages, &w->reqs);
			if (nr < 0) {
				/* No memory for the requests: the pages stay dirty. */
				fl = spin_lock_irqsave(&pc->lock);
				for (unsigned i = 0; i < w->npages; i++) {
					struct pcpage *pg = w->pages[i];

					pg->flags &= ~PGC_WRITEBACK;
					pc->nwb--;
					if (!(pg->flags & PGC_DIRTY)) {
						pg->flags |= PGC_DIRTY;
						list_add_tail(&pg->dnode, &pc->dirty);
						pc->ndirty++;
						atomic_fetch_add_explicit(&pcache_ctr.dirty, 1,
									  memory_order_relaxed);
					}
				}
				spin_unlock_irqrestore(&pc->lock, fl);
				w->err = -ENOMEM;
				wb_end_cache(w);
				w->state = WB_NEXT;
				continue;
			}
			w->nreq = (unsigned)nr;
			w->state = WB_WRITE;
			continue;
		}
		case WB_WRITE: {
			bool pending = false;

			for (unsigned k = 0; k < w->nreq; k++)
				if (!blk_req_is_done(&w->reqs[k].req) &&
				    future_poll(&w->reqs[k].req.base, cx) == POLL_PENDING)
					pending = true;
			if (pending)
				return POLL_PENDING;
			for (unsigned k = 0; k < w->nreq; k++)
				if (w->reqs[k].req.base.result && !w->err)
					w->err = -EIO;
			kfree(w->reqs);
			w->reqs = NULL;
			batch_done(w->pc, w->pages, w->npages);
			w->npages = 0;
			w->state = WB_GATHER;
			continue;
		}
		case WB_WAIT:
			if (future_poll(w->wait, cx) == POLL_PENDING)
				return POLL_PENDING;
			future_drop(w->wait);
			future_release(w->wait);
			w->wait = NULL;
			fut->awaiting = NULL;
			w->state = WB_GATHER;
			continue;
		case WB_DONE:
			return POLL_READY;
		}
	}
}

/* Write-back tasks are never cancelled (see the top); should one be, a batch
 * in flight is leaked with its requests rather than freed under the device. */
static void wb_drop(struct future *fut)
{
	struct pcache_wb *w = (struct pcache_wb *)fut;

	if (w->state == WB_WRITE)
		return;
	if (w->wait) {
		future_drop(w->wait);
		future_release(w->wait);
		w->wait = NULL;
	}
	if (w->pc)
		wb_end_cache(w);
	for (unsigned i = w->ci; i < w->ncaches; i++)
		pcache_put_ref(w->caches[i]);
	w->ci = w->ncaches = 0;
	w->state = WB_DONE;
}

static void wb_release(struct future *fut)
{
	struct pcache_wb *w = (struct pcache_wb *)fut;

	if (w->state != WB_DONE)
		return;
	if (!w->single)
		kfree(w->caches);
	kfree(w);
}

static const char *wb_state_name(const struct future *fut)
{
	static const char *const names[] = { "next", "gather", "write", "wait", "done" };

	return names[((const struct pcache_wb *)fut)->state];
}

static const struct future_ops wb_ops = {
	.name = "pcache_wb",
	.type = "pcache_wb",
	.poll = wb_poll,
	.drop = wb_drop,
	.release = wb_release,
	.state_name = wb_state_name,
};

/* A write-back future (not yet a task); pc counted by the caller's reference. */
static struct pcache_wb *wb_new(struct superblock *sb, struct pcache *pc, bool background)
{
	struct pcache_wb *w = kzalloc(sizeof(*w));

	if (!w)
		return NULL;
	future_init(&w->base, &wb_ops);
	w->state = WB_NEXT;
	w->sb = sb;
	w->background = background;
	if (pc) {
		w->single = w->collected = true;
		w->caches = w->one;
		w->one[0] = pc;
		w->ncaches = 1;
	}
	return w;
}

void pcache_kick_writeback(struct pcache *pc)
{
	struct pcache_wb *w;
	irqflags_t fl = spin_lock_irqsave(&pc->lock);
	bool start = !pc->wb_running && pc->ndirty;
	task_id_t id;

	if (start)
		pc->wb_running = true;
	spin_unlock_irqrestore(&pc->lock, fl);
	if (!start)
		return;
	pcache_get_ref(pc);
	w = wb_new(NULL, pc, true);
	id = w ? task_spawn(&w->base, -1, "pcache_wb") : TASK_ID_NONE;
	if (id != TASK_ID_NONE) {
		task_detach(id);
		return;
	}
	if (w)
		kfree(w);
	fl = spin_lock_irqsave(&pc->lock);
	pc->wb_running = false;
	spin_unlock_irqrestore(&pc->lock, fl);
	pcache_put_ref(pc);
}

void pcache_dirty_check(struct pcache *pc)
{
	/* Racy reads: a kick too many is harmless (it finds one running). */
	if (pc->ndirty >= WB_KICK_PAGES && !pc->wb_running)
		pcache_kick_writeback(pc);
}

/* ---- the sync future: join a write-back task --------------------------------------------- */

struct pcache_sync_future {
	struct future base;
	bool joined;			/* the write-back task is done */
	struct task_join join;
	struct future *next;		/* owned: awaited after it, or NULL */
};

static enum poll psync_poll(struct future *fut, struct context *cx)
{
	struct pcache_sync_future *s = (struct pcache_sync_future *)fut;

	if (!s->joined) {
		fut->awaiting = &s->join.base;
		if (future_poll(&s->join.base, cx) == POLL_PENDING)
			return POLL_PENDING;
		s->joined = true;
		fut->result = s->join.base.result;
	}
	if (s->next) {
		fut->awaiting = s->next;
		if (future_poll(s->next, cx) == POLL_PENDING)
			return POLL_PENDING;
		if (!fut->result)
			fut->result = s->next->result;
	}
	fut->awaiting = NULL;
	return POLL_READY;
}

static void psync_drop(struct future *fut)
{
	struct pcache_sync_future *s = (struct pcache_sync_future *)fut;

	if (!s->joined)
		future_drop(&s->join.base); /* detaches: the write-back goes on */
	if (s->next)
		future_drop(s->next);
}

static void psync_release(struct future *fut)
{
	struct pcache_sync_future *s = (struct pcache_sync_future *)fut;

	if (s->next)
		future_release(s->next);
	kfree(fut);
}

static const struct future_ops psync_ops = {
	.name = "pcache_sync",
	.poll = psync_poll,
	.drop = psync_drop,
	.release = psync_release,
};

struct future *pcache_sync_then(struct superblock *sb, struct pcache *pc, struct future *next)
{
	struct pcache_sync_future *s = kmalloc(sizeof(*s));
	struct pcache_wb *w;
	task_id_t id;

	if (!s) {
		if (next)
			future_release(next);
		return NULL;
	}
	if (pc)
		pcache_get_ref(pc);
	w = wb_new(sb, pc, false);
	id = w ? task_spawn(&w->base, -1, "pcache_wb") : TASK_ID_NONE;
	if (id == TASK_ID_NONE) {
		kfree(w);
		if (pc)
			pcache_put_ref(pc);
		kfree(s);
		if (next)
			future_release(next);
		return NULL;
	}
	future_init(&s->base, &psync_ops);
	s->joined = false;
	s->next = next;
	task_join_init(&s->join, id);
	return &s->base;
}

struct future *pcache_sync(struct superblock *sb, struct pcache *pc)
{
	return pcache_sync_then(sb, pc, NULL);
}

/* ---- power-off -------------------------------------------------------------------------- */

void pcache_flush_all_on_poweroff(void)
{
	struct pcpage *pages[WB_BATCH];
	uint64_t deadline = clock_now_ns() + 5000000000ull;
	struct pcache **caches;
	unsigned n;

	/* Written caches drop out of the next collection; one whose pages are
	 * all in flight already (a task's write) stays in, hence `wrote`. */
	for (bool wrote = true; wrote && (n = pcache_collect(NULL, &caches, true));) {
		wrote = false;
		for (unsigned c = 0; c < n; c++) {
			struct pcache *pc = caches[c];
			unsigned got;

			do {
				struct pcache_ioreq *reqs;
				irqflags_t fl = spin_lock_irqsave(&pc->lock);
				int nr;

				got = gather_locked(pc, pages, WB_BATCH);
				spin_unlock_irqrestore(&pc->lock, fl);
				if (!got)
					break;
				wrote = true;
				nr = build_writes(pc, pages, got, &reqs);
				for (int k = 0; k < nr; k++) {
					uint64_t now = clock_now_ns();

					if (blk_req_poll_wait(&reqs[k].req,
							      now < deadline ? deadline - now : 0) ==
					    -ETIMEDOUT) {
						kprintf("pcache: write-back timed out at power-off\n");
						return; /* the device still owns reqs */
					}
				}
				if (nr < 0)
					kprintf("pcache: no memory to write back at power-off\n");
				kfree(reqs);
				batch_done(pc, pages, got);
			} while (got);
			pcache_put_ref(pc);
		}
		kfree(caches);
		if (clock_now_ns() > deadline)
			break;
	}
}
