// SPDX-License-Identifier: MIT
/*
 * ext2: the ordered write-back of a sync (fsync, sync, umount), so that a crash at any
 * moment of it leaves a disk `e2fsck -p` repairs on its own (docs/reliability.md).
 * ext2 has no journal; what makes a crash state need a manual fsck is a live inode with
 * data that no directory entry names, a block two inodes claim, or an inode pointing at
 * an indirect or directory block the disk never got. So the blocks the epoch changed go
 * out in phases, each on the disk (written, then a device flush) before the next starts:
 *
 *   FRESH   new indirect / directory / symlink blocks: before anything points at them
 *   COPIES  inode-table blocks holding inodes allocated this epoch, from a copy in which
 *           those inodes are still free (all zero): an inode reaches the disk only after
 *           its name (entry to a free inode: e2fsck -p clears it), while the inodes that
 *           unlink dropped to 0 links in the same blocks go out now, before their entries
 *           go away (an entry to a deleted inode: cleared; an unnamed live one: manual)
 *   META    everything else but directory blocks and the blocks of COPIES: bitmaps, group
 *           descriptors, superblock, the other inode-table and indirect blocks
 *   DIRS    the directory blocks changed: names added and removed (a rename within one
 *           block is one write)
 *   DIRS2   the blocks a rename took an old name out of when its new name went to another
 *           block: after the new name is on the disk
 *   REST    all that is still dirty (the real inode-table blocks of COPIES)
 *
 * Freed blocks are not reused until the sync after they were freed ends (order.c), so no
 * two inodes on the disk ever claim one block. File pages were written before (pcache).
 * Gaps, written down in docs/reliability.md: two renames crossing between the same two
 * directory blocks in one epoch (each block is the other's source) share phase DIRS2; evicting a dirty metadata block writes it out of order (a cache
 * under pressure); a sync that could not record its sets (out of memory) is unordered.
 */
#include "kernel/async/waitq.h"
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pcache.h"
#include "lib/errno.h"
#include "lib/string.h"

#define OSYNC_BATCH 16

/*
 *   START -> FRESH -> COPIES (batches) -> META -> DIRS -> DIRS2 -> REST -> DONE
 * each of FRESH, META, DIRS, DIRS2, REST awaits one bcache_sync_sel future (child).
 */
enum osync_state {
	OS_START,
	OS_BUSY,	/* another ordered sync runs: their phases must not interleave */
	OS_FRESH,
	OS_COPIES,
	OS_COPIES_WAIT,
	OS_META,
	OS_DIRS,
	OS_DIRS2,
	OS_REST,
	OS_DONE,
};

struct osync_copy {
	uint8_t *data;		/* kmalloc'd copy of the block */
	struct blk_req req;
};

struct osync {
	struct future base;
	enum osync_state state;
	struct ext2_fs *fs;
	struct ext2_order_snap snap;
	bool have_snap;
	struct future *child;		/* owned: the phase being awaited */
	uint32_t cur_g, cur_blk;	/* COPIES: the next inode-table block to consider */
	unsigned ncopies;
	struct osync_copy copies[OSYNC_BATCH];
	bool flushed;			/* a phase wrote, then flushed the device */
	bool copied;			/* COPIES wrote: META must flush */
	bool owner;			/* this one set ord->syncing */
	bool waiting;			/* idle is registered */
	struct waitq_wait_future idle;
	int err;
};

/* Inode-table blocks of group g: [itable, itable + n). */
static uint32_t itable_blocks(struct ext2_fs *fs)
{
	return (uint32_t)(((uint64_t)fs->ipg * fs->inode_size + fs->bsize - 1) / fs->bsize);
}

/*
 * Every phase honours the epoch this sync took and the one that began since (the ops go
 * on while it writes, and what is dirty now includes their changes): the live sets stay
 * put while it runs, since ordered syncs run one at a time (ord->syncing) and only a
 * sync's start moves them. The selectors read them under the cache's lock without
 * fs->lock: bits only appear, and a group map only goes from NULL to allocated.
 */
static bool in_sets(struct osync *s, const struct ext2_gset *snap, const struct ext2_gset *live,
		    uint32_t blk)
{
	return ext2_gset_test_blk(s->fs, snap, blk) ||
	       (s->fs->ord && ext2_gset_test_blk(s->fs, live, blk));
}

static bool late_in(const struct ext2_late *late, unsigned n, uint32_t lo, uint32_t hi)
{
	for (unsigned i = 0; i < n; i++)
		if (late[i].ino >= lo && late[i].ino < hi)
			return true;
	return false;
}

/* Does inode-table block k of group g hold a new or a renamed-over inode? */
static bool itb_has_new(struct osync *s, uint32_t g, uint32_t k, bool live)
{
	struct ext2_fs *fs = s->fs;
	uint32_t ipb = fs->bsize / fs->inode_size;
	uint32_t lo = g * fs->ipg + k * ipb + 1, hi = lo + ipb; /* inode numbers [lo, hi) */

	(void)live;
	for (uint32_t i = k * ipb; i < (k + 1) * ipb && i < fs->ipg; i++)
		if (ext2_gset_test(&s->snap.newino, g, i) ||
		    (fs->ord && ext2_gset_test(&fs->ord->newino, g, i)))
			return true;
	return late_in(s->snap.late, s->snap.nlate, lo, hi) ||
	       (fs->ord && late_in(fs->ord->late, fs->ord->nlate, lo, hi));
}

/* Freed this epoch: only a renamed-over inode (still live on the disk) points there, and
 * what freeing wrote into an indirect block must wait as long as the inode does. The
 * generation is this sync's own (moved_quar): nothing else changes or frees it. */
static bool freed_now(struct osync *s, uint32_t blk)
{
	return s->fs->ord && ((s->snap.moved_quar && ext2_gset_test_blk(s->fs, &s->fs->ord->quar[1], blk)) ||
			      ext2_gset_test_blk(s->fs, &s->fs->ord->quar[0], blk));
}

static bool sel_fresh(void *arg, uint64_t blk)
{
	struct osync *s = arg;

	return in_sets(s, &s->snap.fresh, &s->fs->ord->fresh, (uint32_t)blk) &&
	       !freed_now(s, (uint32_t)blk);
}

static bool is_copied(struct osync *s, uint32_t blk)
{
	struct ext2_fs *fs = s->fs;
	uint32_t n = itable_blocks(fs);

	for (uint32_t g = 0; g < fs->ngroups; g++) {
		uint32_t it = ld32(ext2_gd(fs, g) + GD_INODE_TABLE);

		if (blk >= it && blk < it + n)
			return itb_has_new(s, g, blk - it, false);
	}
	return false;
}

static bool sel_meta(void *arg, uint64_t blk)
{
	struct osync *s = arg;

	return !freed_now(s, (uint32_t)blk) &&
	       !in_sets(s, &s->snap.dirs, &s->fs->ord->dirs, (uint32_t)blk) &&
	       !in_sets(s, &s->snap.rsrc, &s->fs->ord->rsrc, (uint32_t)blk) &&
	       !is_copied(s, (uint32_t)blk);
}

static bool sel_dirs(void *arg, uint64_t blk)
{
	struct osync *s = arg;

	return in_sets(s, &s->snap.dirs, &s->fs->ord->dirs, (uint32_t)blk) &&
	       !in_sets(s, &s->snap.rsrc, &s->fs->ord->rsrc, (uint32_t)blk) &&
	       !freed_now(s, (uint32_t)blk);
}

/* REST after a phase flushed: everything, and no second flush when nothing is left (the
 * pages written before that flush are on the disk already). */
static bool sel_all(void *arg, uint64_t blk)
{
	(void)arg;
	(void)blk;
	return true;
}

static bool sel_dirs2(void *arg, uint64_t blk)
{
	struct osync *s = arg;

	return in_sets(s, &s->snap.rsrc, &s->fs->ord->rsrc, (uint32_t)blk) &&
	       !freed_now(s, (uint32_t)blk);
}

static void restore_late(struct osync *s, uint8_t *data, const struct ext2_late *late, unsigned n)
{
	struct ext2_fs *fs = s->fs;
	uint32_t ipb = fs->bsize / fs->inode_size;

	for (unsigned i = 0; i < n; i++) {
		uint32_t idx = late[i].ino - 1 - s->cur_g * fs->ipg;

		if ((late[i].ino - 1) / fs->ipg == s->cur_g && idx / ipb == s->cur_blk)
			memcpy(data + (idx % ipb) * fs->inode_size, late[i].raw,
			       EXT2_GOOD_OLD_INODE_SIZE);
	}
}

/* Copy up to OSYNC_BATCH inode-table blocks with new inodes, zeroing those (fs->lock). */
static void make_copies(struct osync *s)
{
	struct ext2_fs *fs = s->fs;
	uint32_t n = itable_blocks(fs), ipb = fs->bsize / fs->inode_size;

	s->ncopies = 0;
	for (; s->cur_g < fs->ngroups; s->cur_g++, s->cur_blk = 0) {
		if ((!s->snap.newino.g || !s->snap.newino.g[s->cur_g]) && !s->snap.nlate &&
		    !fs->ord->newino.g[s->cur_g] && !fs->ord->nlate)
			continue;
		uint32_t it = ld32(ext2_gd(fs, s->cur_g) + GD_INODE_TABLE);

		for (; s->cur_blk < n; s->cur_blk++) {
			struct bcache_buf *b;
			struct osync_copy *c;

			if (s->ncopies == OSYNC_BATCH)
				return;
			if (!itb_has_new(s, s->cur_g, s->cur_blk, true))
				continue;
			/* Not cached: not dirty, the disk has no new inode there. */
			if (bcache_get_cached(fs->dev, it + s->cur_blk, fs->bsize, &b))
				continue;
			c = &s->copies[s->ncopies];
			c->data = kmalloc(fs->bsize);
			if (!c->data) {
				bcache_put(b);
				continue; /* written in REST only: the same order, later */
			}
			memcpy(c->data, bcache_data(b), fs->bsize);
			bcache_put(b);
			/* Renamed-over inodes as they were: still named on the disk (the
			 * snapshot's state last: it is the older one). */
			restore_late(s, c->data, fs->ord->late, fs->ord->nlate);
			restore_late(s, c->data, s->snap.late, s->snap.nlate);
			for (uint32_t i = 0; i < ipb; i++) {
				uint32_t idx = s->cur_blk * ipb + i;

				if (idx < fs->ipg &&
				    (ext2_gset_test(&s->snap.newino, s->cur_g, idx) ||
				     ext2_gset_test(&fs->ord->newino, s->cur_g, idx)))
					memset(c->data + i * fs->inode_size, 0, fs->inode_size);
			}
			blk_req_init(&c->req, fs->dev, BLK_WRITE,
				     (uint64_t)(it + s->cur_blk) * (fs->bsize / BLK_SECTOR_SIZE),
				     c->data, fs->bsize);
			s->ncopies++;
		}
	}
}

static void free_copies(struct osync *s)
{
	for (unsigned i = 0; i < s->ncopies; i++)
		kfree(s->copies[i].data);
	s->ncopies = 0;
}

static void end_snap(struct osync *s)
{
	bool wake = false;

	if (!s->have_snap && !s->owner)
		return;
	irqflags_t fl = spin_lock_irqsave(&s->fs->lock);

	if (s->have_snap)
		ext2_order_done(s->fs, &s->snap);
	if (s->owner && s->fs->ord) {
		s->fs->ord->syncing = false;
		wake = true;
	}
	spin_unlock_irqrestore(&s->fs->lock, fl);
	if (wake)
		waitq_wake_all(&s->fs->ord->idle);
	s->have_snap = s->owner = false;
}

/* Start the phase after @st: its child future, or DONE. */
static void start_phase(struct osync *s, enum osync_state st)
{
	bcache_sel_fn sel = st == OS_FRESH  ? sel_fresh
			    : st == OS_META ? sel_meta
			    : st == OS_DIRS ? sel_dirs
			    : st == OS_DIRS2 ? sel_dirs2
			    : s->flushed     ? sel_all : NULL;

	s->state = st;
	s->child = sel ? bcache_sync_sel(s->fs->dev, sel, s) : bcache_sync(s->fs->dev);
	if (s->child && st == OS_META && s->copied)
		bcache_sync_force_flush(s->child);
	if (!s->child) {
		s->err = -ENOMEM;
		s->state = OS_DONE;
	}
}

static enum poll osync_poll(struct future *f, struct context *cx)
{
	struct osync *s = (struct osync *)f;
	irqflags_t fl;

	for (;;) {
		switch (s->state) {
		case OS_START:
			fl = spin_lock_irqsave(&s->fs->lock);
			if (s->fs->ord && s->fs->ord->syncing) {
				spin_unlock_irqrestore(&s->fs->lock, fl);
				s->state = OS_BUSY;
				continue;
			}
			if (s->fs->ord)
				s->owner = s->fs->ord->syncing = true;
			s->have_snap = ext2_order_take(s->fs, &s->snap) == 0;
			spin_unlock_irqrestore(&s->fs->lock, fl);
			start_phase(s, s->have_snap ? OS_FRESH : OS_REST);
			continue;
		case OS_BUSY: {
			enum poll r;
			bool busy;

			if (!s->waiting) {
				waitq_wait_init(&s->idle, &s->fs->ord->idle);
				s->waiting = true;
			}
			r = future_poll(&s->idle.base, cx); /* registered: now look */
			fl = spin_lock_irqsave(&s->fs->lock);
			busy = s->fs->ord->syncing;
			spin_unlock_irqrestore(&s->fs->lock, fl);
			if (busy && r == POLL_PENDING) {
				s->base.awaiting = &s->idle.base;
				return POLL_PENDING;
			}
			future_drop(&s->idle.base);
			s->waiting = false;
			s->base.awaiting = NULL;
			s->state = OS_START;
			continue;
		}
		case OS_COPIES:
			fl = spin_lock_irqsave(&s->fs->lock);
			make_copies(s);
			spin_unlock_irqrestore(&s->fs->lock, fl);
			if (!s->ncopies) {
				start_phase(s, OS_META);
				continue;
			}
			for (unsigned i = 0; i < s->ncopies; i++)
				blkdev_submit(&s->copies[i].req);
			s->state = OS_COPIES_WAIT;
			continue;
		case OS_COPIES_WAIT:
			for (unsigned i = 0; i < s->ncopies; i++) {
				if (future_poll(&s->copies[i].req.base, cx) == POLL_PENDING) {
					s->base.awaiting = &s->copies[i].req.base;
					return POLL_PENDING;
				}
			}
			s->base.awaiting = NULL;
			for (unsigned i = 0; i < s->ncopies; i++)
				if (s->copies[i].req.base.result < 0)
					s->err = -EIO;
			s->copied = true; /* META flushes, even with nothing of its own */
			free_copies(s);
			s->state = OS_COPIES; /* the next batch; META once none is left */
			continue;
		case OS_FRESH:
		case OS_META:
		case OS_DIRS:
		case OS_DIRS2:
		case OS_REST:
			if (future_poll(s->child, cx) == POLL_PENDING) {
				s->base.awaiting = s->child;
				return POLL_PENDING;
			}
			s->base.awaiting = NULL;
			if (s->child->result < 0)
				s->err = (int)s->child->result;
			if (s->state != OS_COPIES_WAIT && bcache_sync_wrote(s->child))
				s->flushed = true;
			future_drop(s->child);
			future_release(s->child);
			s->child = NULL;
			if (s->state == OS_FRESH) {
				s->state = OS_COPIES;
				s->cur_g = s->cur_blk = 0;
			} else if (s->state == OS_META) {
				start_phase(s, OS_DIRS);
			} else if (s->state == OS_DIRS) {
				start_phase(s, OS_DIRS2);
			} else if (s->state == OS_DIRS2) {
				start_phase(s, OS_REST);
			} else {
				s->state = OS_DONE;
			}
			continue;
		case OS_DONE:
			end_snap(s);
			s->base.result = s->err;
			return POLL_READY;
		}
	}
}

static void osync_drop(struct future *f)
{
	struct osync *s = (struct osync *)f;

	if (s->waiting) {
		future_drop(&s->idle.base);
		s->waiting = false;
	}
	if (s->child) {
		future_drop(s->child);
		future_release(s->child);
		s->child = NULL;
	}
	if (s->state == OS_COPIES_WAIT) {
		/* The device owns the copies until they complete: wait (short, rare). */
		for (unsigned i = 0; i < s->ncopies; i++) {
			future_drop(&s->copies[i].req.base);
			blk_req_poll_wait(&s->copies[i].req, 5000000000ull);
		}
	}
	free_copies(s);
	end_snap(s);
	s->base.awaiting = NULL;
	s->state = OS_DONE;
}

static void osync_release(struct future *f)
{
	kfree(f);
}

static const char *osync_state_name(const struct future *f)
{
	static const char *const names[] = { "start", "busy", "fresh", "copies", "copies_wait",
					     "meta", "dirs", "dirs2", "rest", "done" };

	return names[((const struct osync *)f)->state];
}

static const struct future_ops osync_ops = {
	.name = "ext2_osync",
	.type = "osync",
	.poll = osync_poll,
	.drop = osync_drop,
	.release = osync_release,
	.state_name = osync_state_name,
};

struct future *ext2_osync_future(struct ext2_fs *fs)
{
	struct osync *s;

	s = kzalloc(sizeof(*s));
	if (!s)
		return NULL;
	future_init(&s->base, &osync_ops);
	s->fs = fs;
	s->state = OS_START;
	return &s->base;
}
