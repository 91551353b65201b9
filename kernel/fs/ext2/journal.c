// SPDX-License-Identifier: MIT
/*
 * ext2 with a journal (an ext3 image: has_journal, the JBD2 log in inode 8): each sync
 * writes all the metadata it has to write as one transaction, so a crash at any moment
 * leaves either the old or the new state, which `e2fsck -p` (or Linux) replays on its own.
 * Without a journal an ordered write-back (osync.c) is the best ext2 can do, and a rename
 * over an existing name then has a window no order closes (docs/reliability.md).
 *
 * One transaction per sync, checkpointed at once, the log empty between syncs:
 *   LOG     journal superblock (s_start = s_first, s_sequence = seq), descriptor blocks
 *           tagging every dirty metadata block, the copies; then a device flush
 *   COMMIT  the commit block of seq; flush: from here a crash replays the transaction
 *   HOME    the copies at their own places; flush
 *   RESET   journal superblock s_start = 0, s_sequence = seq + 1; flush
 * Copies are taken under fs->lock, so a transaction is the state between two ops; a block
 * dirtied again since its copy stays dirty for the next sync. File pages are written
 * before (pcache), which is ext3's data=ordered. Freed blocks wait for the end of the
 * sync before reuse (order.c), so a replay never writes metadata over new file data.
 * One transaction at a time: a second sync waits for the first (a block written outside
 * the log meanwhile could be rolled back by the first one's replay).
 * Format (JBD2, no journal features): big-endian headers {magic 0xC03B3998, blocktype,
 * sequence}; 8-byte tags {blocknr, checksum 0, flags}, the first followed by the
 * 16-byte UUID; ESCAPE for a block that begins with the magic.
 */
#include "kernel/async/waitq.h"
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define JBD2_MAGIC 0xC03B3998u
#define JBD2_DESCRIPTOR 1
#define JBD2_COMMIT 2
#define JBD2_SB_V1 3
#define JBD2_SB_V2 4
#define JBD2_FLAG_ESCAPE 1
#define JBD2_FLAG_SAME_UUID 2
#define JBD2_FLAG_LAST_TAG 8
#define JSB_BLOCKSIZE 12
#define JSB_MAXLEN 16
#define JSB_FIRST 20
#define JSB_SEQUENCE 24
#define JSB_START 28
#define JSB_FEATURE_COMPAT 36
#define JSB_UUID 48
#define JTAG_BYTES 8
#define JBATCH 32

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void sbe32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void sbe16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- mount: find the log ------------------------------------------------- */

/* Physical block of logical block lbn of the raw inode's block map; 0 for a hole. */
static int raw_bmap(struct ext2_fs *fs, const uint32_t *iblock, uint32_t lbn, uint32_t *out)
{
	uint32_t apb = fs->apb, p, idx[2];
	unsigned depth;
	struct bcache_buf *b;
	uint8_t *d;
	int err;

	if (lbn < EXT2_NDIR) {
		*out = iblock[lbn];
		return 0;
	}
	lbn -= EXT2_NDIR;
	if (lbn < apb) {
		p = iblock[EXT2_IND];
		depth = 1;
		idx[0] = lbn;
	} else if ((lbn -= apb) < apb * apb) {
		p = iblock[EXT2_DIND];
		depth = 2;
		idx[0] = lbn / apb;
		idx[1] = lbn % apb;
	} else {
		return -EFBIG; /* a log past the double-indirect blocks: not used */
	}
	for (unsigned l = 0; l < depth && p; l++) {
		err = ext2_peek(fs, p, &b, &d);
		if (err)
			return err;
		p = ld32(d + 4 * idx[l]);
		ext2_unpeek(b);
	}
	*out = p;
	return 0;
}

/* 0 with fs->jnl set, 0 without one (no journal, or one we do not write), -EIOWAIT,
 * -EUCLEAN (the log holds a transaction to replay: e2fsck first), -EIO, -ENOMEM. */
int ext2_journal_load(struct ext2_fs *fs)
{
	uint32_t ino = ld32(fs->sb + SB_JOURNAL_INUM), iblock[EXT2_N_BLOCKS], blk, g, idx;
	uint64_t size, byte;
	struct ext2_journal *j;
	struct bcache_buf *b;
	uint8_t *d;
	int err;

	if (!(ld32(fs->sb + SB_FEATURE_COMPAT) & EXT2_FEATURE_COMPAT_HAS_JOURNAL) || !ino)
		return 0;
	if (ino > fs->inodes_count || ino >= fs->first_ino)
		return -EIO;
	g = (ino - 1) / fs->ipg;
	idx = (ino - 1) % fs->ipg;
	byte = (uint64_t)idx * fs->inode_size;
	err = ext2_peek(fs, ld32(ext2_gd(fs, g) + GD_INODE_TABLE) + (uint32_t)(byte / fs->bsize),
			&b, &d);
	if (err)
		return err;
	d += byte % fs->bsize;
	size = ld32(d + DI_SIZE) | (uint64_t)ld32(d + DI_SIZE_HIGH) << 32;
	for (int i = 0; i < EXT2_N_BLOCKS; i++)
		iblock[i] = ld32(d + DI_BLOCK + 4 * i);
	ext2_unpeek(b);
	if (size / fs->bsize < 16 || size / fs->bsize > (1u << 20))
		return -EIO;
	j = kzalloc(sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->len = (uint32_t)(size / fs->bsize);
	j->map = kmalloc(j->len * sizeof(*j->map));
	err = -ENOMEM;
	if (!j->map)
		goto out_free;
	for (uint32_t l = 0; l < j->len; l++) {
		err = raw_bmap(fs, iblock, l, &blk);
		if (!err && (!blk || blk >= fs->blocks_count))
			err = -EIO;
		if (err)
			goto out_free;
		j->map[l] = blk;
	}
	err = ext2_peek(fs, j->map[0], &b, &d);
	if (err)
		goto out_free;
	uint32_t type = be32(d + 4);

	if (be32(d) != JBD2_MAGIC || (type != JBD2_SB_V1 && type != JBD2_SB_V2) ||
	    be32(d + JSB_BLOCKSIZE) != fs->bsize || be32(d + JSB_MAXLEN) > j->len ||
	    be32(d + JSB_MAXLEN) < 16 || be32(d + JSB_FIRST) < 1 ||
	    be32(d + JSB_FIRST) >= be32(d + JSB_MAXLEN)) {
		kprintf("ext2: journal superblock unusable: writing without it\n");
		ext2_unpeek(b);
		err = 0;
		goto out_free;
	}
	if (be32(d + JSB_START)) {
		kprintf("ext2: the journal holds a transaction: run e2fsck to replay it\n");
		ext2_unpeek(b);
		err = -EUCLEAN;
		goto out_free;
	}
	if (type == JBD2_SB_V2 && (be32(d + JSB_FEATURE_COMPAT + 4) || be32(d + JSB_FEATURE_COMPAT + 8))) {
		kprintf("ext2: journal features %#x/%#x unsupported: writing without it\n",
			be32(d + JSB_FEATURE_COMPAT + 4), be32(d + JSB_FEATURE_COMPAT + 8));
		ext2_unpeek(b);
		err = 0;
		goto out_free;
	}
	j->len = be32(d + JSB_MAXLEN);
	j->first = be32(d + JSB_FIRST);
	j->seq = be32(d + JSB_SEQUENCE);
	memcpy(j->uuid, d + JSB_UUID, 16);
	j->jsb = kmalloc(fs->bsize);
	if (!j->jsb) {
		ext2_unpeek(b);
		err = -ENOMEM;
		goto out_free;
	}
	memcpy(j->jsb, d, fs->bsize); /* all of it: s_nr_users, s_users[] stay as mke2fs wrote */
	ext2_unpeek(b);
	/* Data blocks one transaction may hold: log = descriptors + copies + commit. */
	uint32_t per = (fs->bsize - 12 - 16) / JTAG_BYTES, room = j->len - j->first - 1;

	j->max_blocks = room - (room + per) / (per + 1);
	waitq_init(&j->idle);
	fs->jnl = j;
	return 0;
out_free:
	kfree(j->jsb);
	kfree(j->map);
	kfree(j);
	return err;
}

void ext2_journal_free(struct ext2_fs *fs)
{
	if (!fs->jnl)
		return;
	kfree(fs->jnl->jsb);
	kfree(fs->jnl->map);
	kfree(fs->jnl);
	fs->jnl = NULL;
}

/* ---- the commit future ---------------------------------------------------- */

/*
 *   START -> LOG -> COMMIT -> HOME -> RESET -> FINISH -> DONE
 *     ^  \--another sync is committing--> BUSY (until it ends)
 *     '----------------------------------------'
 * each of LOG..RESET submits its writes in batches (IO), then a flush (FLUSHING).
 */
enum jstate {
	J_START,
	J_BUSY,
	J_LOG,
	J_COMMIT,
	J_HOME,
	J_RESET,
	J_FINISH,
	J_DONE,
};

struct jwrite {
	uint32_t blk;			/* fs block */
	uint8_t *data;			/* owned by the future */
};

struct jcommit {
	struct future base;
	enum jstate state;
	struct ext2_fs *fs;
	struct ext2_order_snap snap;
	bool have_snap;
	unsigned n;			/* dirty blocks in the transaction */
	struct bcache_dirty *dirty;	/* n of them, referenced */
	uint8_t **copy;			/* n copies */
	struct jwrite *w;		/* the current stage's writes */
	unsigned nw, next, inflight;
	bool flushing;
	struct blk_req req[JBATCH];
	struct blk_req flush;
	uint32_t seq;
	uint32_t commit_pos;		/* log block of the commit */
	struct future *child;		/* owned: the fallback (osync) or the empty flush */
	struct waitq_wait_future idle;	/* BUSY: on jnl->idle */
	bool waiting;
	int err;
};

static void jc_free_writes(struct jcommit *c, bool data)
{
	if (c->w && data)
		for (unsigned i = 0; i < c->nw; i++)
			kfree(c->w[i].data);
	kfree(c->w);
	c->w = NULL;
	c->nw = c->next = 0;
}

static uint8_t *jblock(struct jcommit *c, uint32_t type)
{
	uint8_t *d = kzalloc(c->fs->bsize);

	if (d) {
		sbe32(d, JBD2_MAGIC);
		sbe32(d + 4, type);
		sbe32(d + 8, c->seq);
	}
	return d;
}

static uint8_t *jsb_with(struct jcommit *c, uint32_t start, uint32_t seq)
{
	uint8_t *d = kmalloc(c->fs->bsize);

	if (d) {
		memcpy(d, c->fs->jnl->jsb, c->fs->bsize);
		sbe32(d + JSB_START, start);
		sbe32(d + JSB_SEQUENCE, seq);
	}
	return d;
}

/* The LOG stage: the journal superblock, then descriptors and copies from s_first. */
static int build_log(struct jcommit *c)
{
	struct ext2_fs *fs = c->fs;
	struct ext2_journal *j = fs->jnl;
	uint32_t per = (fs->bsize - 12 - 16) / JTAG_BYTES, pos = j->first;
	unsigned ndesc = (c->n + per - 1) / per;

	c->w = kzalloc((1 + ndesc + c->n) * sizeof(*c->w));
	if (!c->w)
		return -ENOMEM;
	c->w[c->nw].blk = j->map[0];
	if (!(c->w[c->nw++].data = jsb_with(c, j->first, c->seq)))
		return -ENOMEM;
	for (unsigned i = 0; i < c->n; i += per) {
		uint8_t *desc = jblock(c, JBD2_DESCRIPTOR), *t;
		unsigned k = c->n - i < per ? c->n - i : per;

		if (!desc)
			return -ENOMEM;
		c->w[c->nw].blk = j->map[pos++];
		c->w[c->nw++].data = desc;
		t = desc + 12;
		for (unsigned x = 0; x < k; x++) {
			uint8_t *copy = c->copy[i + x], *logged = kmalloc(fs->bsize);
			uint16_t flags = 0;

			if (!logged)
				return -ENOMEM;
			memcpy(logged, copy, fs->bsize);
			if (be32(logged) == JBD2_MAGIC) {
				flags |= JBD2_FLAG_ESCAPE;
				memset(logged, 0, 4);
			}
			if (x)
				flags |= JBD2_FLAG_SAME_UUID;
			if (x == k - 1)
				flags |= JBD2_FLAG_LAST_TAG;
			sbe32(t, (uint32_t)c->dirty[i + x].blockno);
			sbe16(t + 4, 0);
			sbe16(t + 6, flags);
			t += JTAG_BYTES;
			if (!x) {
				memcpy(t, j->uuid, 16);
				t += 16;
			}
			c->w[c->nw].blk = j->map[pos++];
			c->w[c->nw++].data = logged;
		}
	}
	c->commit_pos = pos;
	return 0;
}

static int build_one(struct jcommit *c, uint32_t blk, uint8_t *data)
{
	c->w = kzalloc(sizeof(*c->w));
	if (!c->w || !data) {
		kfree(data);
		return -ENOMEM;
	}
	c->w[0].blk = blk;
	c->w[0].data = data;
	c->nw = 1;
	return 0;
}

static int build_home(struct jcommit *c)
{
	c->w = kzalloc(c->n * sizeof(*c->w));
	if (!c->w)
		return -ENOMEM;
	for (unsigned i = 0; i < c->n; i++) {
		c->w[i].blk = (uint32_t)c->dirty[i].blockno;
		c->w[i].data = c->copy[i];
	}
	c->nw = c->n;
	return 0;
}

static void jc_release_dirty(struct jcommit *c, bool clean)
{
	for (unsigned i = 0; i < c->n; i++) {
		if (clean)
			bcache_clean_if(c->dirty[i].b, c->dirty[i].gen);
		bcache_put(c->dirty[i].b);
		kfree(c->copy ? c->copy[i] : NULL);
	}
	kfree(c->dirty);
	kfree(c->copy);
	c->dirty = NULL;
	c->copy = NULL;
	c->n = 0;
}

/* Take the transaction under fs->lock: 0; -EBUSY while another commits (wait, then take
 * one: a write outside the log now could be rolled back by its replay); >0 for "no
 * journal this time": too much to log, out of memory (the ordered write-back instead). */
static int jc_start(struct jcommit *c)
{
	struct ext2_fs *fs = c->fs;
	struct ext2_journal *j = fs->jnl;
	unsigned max = j->max_blocks < BCACHE_NBUF ? j->max_blocks : BCACHE_NBUF;
	irqflags_t fl;
	int ret = 0;

	c->dirty = kmalloc(max * sizeof(*c->dirty));
	if (!c->dirty)
		return 1;
	fl = spin_lock_irqsave(&fs->lock);
	if (j->busy) {
		ret = -EBUSY; /* another sync is committing: wait for it (J_BUSY) */
		goto out_unlock;
	}
	c->n = bcache_dirty_snapshot(fs->dev, c->dirty, max);
	if (c->n > max) {
		c->n = 0;
		ret = 1;
		goto out_unlock;
	}
	c->copy = kzalloc((c->n ? c->n : 1) * sizeof(*c->copy));
	for (unsigned i = 0; c->copy && i < c->n; i++) {
		c->copy[i] = kmalloc(fs->bsize);
		if (!c->copy[i])
			break;
		memcpy(c->copy[i], bcache_data(c->dirty[i].b), fs->bsize);
	}
	if (!c->copy || (c->n && !c->copy[c->n - 1])) {
		jc_release_dirty(c, false);
		ret = 1;
		goto out_unlock;
	}
	c->have_snap = ext2_order_take(fs, &c->snap) == 0;
	j->busy = true;
	c->seq = j->seq;
out_unlock:
	spin_unlock_irqrestore(&fs->lock, fl);
	if (ret) {
		kfree(c->dirty);
		c->dirty = NULL;
	}
	return ret;
}

static void jc_finish(struct jcommit *c)
{
	struct ext2_fs *fs = c->fs;
	irqflags_t fl = spin_lock_irqsave(&fs->lock);

	jc_release_dirty(c, !c->err);
	if (c->have_snap)
		ext2_order_done(fs, &c->snap);
	c->have_snap = false;
	fs->jnl->seq = c->seq + 1;
	fs->jnl->busy = false;
	spin_unlock_irqrestore(&fs->lock, fl);
	waitq_wake_all(&fs->jnl->idle);
}

/* Run the current stage's writes, then a flush. POLL_READY when all are on the disk. */
static enum poll jc_io(struct jcommit *c, struct context *cx)
{
	struct ext2_fs *fs = c->fs;

	for (;;) {
		if (c->flushing) {
			if (future_poll(&c->flush.base, cx) == POLL_PENDING) {
				c->base.awaiting = &c->flush.base;
				return POLL_PENDING;
			}
			c->base.awaiting = NULL;
			if (c->flush.base.result < 0)
				c->err = -EIO;
			c->flushing = false;
			return POLL_READY;
		}
		if (c->inflight) {
			for (unsigned i = 0; i < c->inflight; i++) {
				if (future_poll(&c->req[i].base, cx) == POLL_PENDING) {
					c->base.awaiting = &c->req[i].base;
					return POLL_PENDING;
				}
			}
			c->base.awaiting = NULL;
			for (unsigned i = 0; i < c->inflight; i++)
				if (c->req[i].base.result < 0)
					c->err = -EIO;
			c->inflight = 0;
			continue;
		}
		if (c->next < c->nw) {
			while (c->next < c->nw && c->inflight < JBATCH) {
				struct jwrite *w = &c->w[c->next++];

				blk_req_init(&c->req[c->inflight], fs->dev, BLK_WRITE,
					     (uint64_t)w->blk * (fs->bsize / BLK_SECTOR_SIZE), w->data,
					     fs->bsize);
				blkdev_submit(&c->req[c->inflight++]);
			}
			continue;
		}
		if (!fs->dev->has_flush)
			return POLL_READY;
		blk_req_init(&c->flush, fs->dev, BLK_FLUSH, 0, NULL, 0);
		c->flushing = true;
	}
}

static enum poll jc_poll(struct future *f, struct context *cx)
{
	struct jcommit *c = (struct jcommit *)f;
	int err;

	for (;;) {
		switch (c->state) {
		case J_START:
			err = jc_start(c);
			if (err == -EBUSY) {
				c->state = J_BUSY;
				continue;
			}
			if (err) {
				c->child = ext2_osync_future(c->fs);
			} else if (!c->n) {
				jc_finish(c);
				c->child = bcache_sync(c->fs->dev); /* nothing dirty: the flush */
			} else {
				err = build_log(c);
				c->state = J_LOG;
				if (err) {
					c->err = err;
					c->state = J_FINISH;
				}
				continue;
			}
			if (!c->child) {
				c->err = -ENOMEM;
				c->state = J_DONE;
				continue;
			}
			c->state = J_FINISH; /* awaiting the child */
			continue;
		case J_BUSY: {
			irqflags_t fl;
			enum poll r;
			bool busy;

			if (!c->waiting) {
				waitq_wait_init(&c->idle, &c->fs->jnl->idle);
				c->waiting = true;
			}
			r = future_poll(&c->idle.base, cx); /* registered: now look */
			fl = spin_lock_irqsave(&c->fs->lock);
			busy = c->fs->jnl->busy;
			spin_unlock_irqrestore(&c->fs->lock, fl);
			if (busy && r == POLL_PENDING) {
				c->base.awaiting = &c->idle.base;
				return POLL_PENDING;
			}
			future_drop(&c->idle.base);
			c->waiting = false;
			c->base.awaiting = NULL;
			c->state = J_START;
			continue;
		}
		case J_LOG:
		case J_COMMIT:
		case J_HOME:
		case J_RESET:
			if (jc_io(c, cx) == POLL_PENDING)
				return POLL_PENDING;
			jc_free_writes(c, c->state != J_HOME);
			if (c->err) {
				c->state = J_FINISH;
				continue;
			}
			if (c->state == J_LOG) {
				err = build_one(c, c->fs->jnl->map[c->commit_pos], jblock(c, JBD2_COMMIT));
				c->state = J_COMMIT;
			} else if (c->state == J_COMMIT) {
				err = build_home(c);
				c->state = J_HOME;
			} else if (c->state == J_HOME) {
				err = build_one(c, c->fs->jnl->map[0], jsb_with(c, 0, c->seq + 1));
				c->state = J_RESET;
			} else {
				err = 0;
				c->state = J_FINISH;
			}
			if (err) {
				c->err = err;
				c->state = J_FINISH;
			}
			continue;
		case J_FINISH:
			if (c->child) {
				if (future_poll(c->child, cx) == POLL_PENDING) {
					c->base.awaiting = c->child;
					return POLL_PENDING;
				}
				c->base.awaiting = NULL;
				c->err = (int)c->child->result;
				future_drop(c->child);
				future_release(c->child);
				c->child = NULL;
			} else if (c->fs->jnl->busy && c->dirty) {
				jc_finish(c);
			}
			c->state = J_DONE;
			continue;
		case J_DONE:
			c->base.result = c->err;
			return POLL_READY;
		}
	}
}

static void jc_drop(struct future *f)
{
	struct jcommit *c = (struct jcommit *)f;

	if (c->child) {
		future_drop(c->child);
		future_release(c->child);
		c->child = NULL;
	}
	if (c->waiting) {
		future_drop(&c->idle.base);
		c->waiting = false;
	}
	/* The device owns requests in flight until they complete: wait (rare, short). */
	for (unsigned i = 0; i < c->inflight; i++) {
		future_drop(&c->req[i].base);
		blk_req_poll_wait(&c->req[i], 5000000000ull);
	}
	c->inflight = 0;
	if (c->flushing) {
		future_drop(&c->flush.base);
		blk_req_poll_wait(&c->flush, 5000000000ull);
		c->flushing = false;
	}
	if (c->state >= J_LOG && c->state <= J_RESET) {
		jc_free_writes(c, c->state != J_HOME);
		c->err = -EINTR; /* not committed or not home: nothing is cleaned */
		jc_finish(c);
	}
	c->base.awaiting = NULL;
	c->state = J_DONE;
}

static void jc_release(struct future *f)
{
	kfree(f);
}

static const char *jc_state_name(const struct future *f)
{
	static const char *const names[] = { "start", "busy", "log", "commit", "home", "reset",
					     "finish", "done" };

	return names[((const struct jcommit *)f)->state];
}

static const struct future_ops jc_ops = {
	.name = "ext2_journal",
	.type = "jcommit",
	.poll = jc_poll,
	.drop = jc_drop,
	.release = jc_release,
	.state_name = jc_state_name,
};

struct future *ext2_sync_future(struct ext2_fs *fs)
{
	struct jcommit *c;

	if (fs->ro)
		return bcache_sync(fs->dev);
	if (!fs->jnl)
		return ext2_osync_future(fs);
	c = kzalloc(sizeof(*c));
	if (!c)
		return NULL;
	future_init(&c->base, &jc_ops);
	c->fs = fs;
	c->state = J_START;
	return &c->base;
}
