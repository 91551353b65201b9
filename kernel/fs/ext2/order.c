// SPDX-License-Identifier: MIT
/*
 * ext2: what the ordered write-back (osync.c) needs to know about the blocks and inodes an
 * epoch (the time since the last sync began) changed. Recorded by the ops as they commit,
 * in memory only, never waiting: per-group bitmaps of
 *   dirs    directory blocks changed (entries added, removed, retargeted)
 *   fresh   metadata blocks allocated (indirect blocks, new directory / symlink blocks)
 *   newino  inodes allocated (not yet named on the disk)
 *   quar    blocks freed: not handed out again until a sync has written the inodes and
 *           indirect blocks that no longer point at them (two generations: freed in this
 *           epoch, and freed in the epoch a running sync is writing)
 * All under fs->lock. A bitmap that cannot be allocated loses its member (ord->lost), and
 * that sync is as unordered as before, never wrong otherwise.
 */
#include "kernel/block/bcache.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

static void gset_free(struct ext2_gset *s)
{
	if (!s->g)
		return;
	for (uint32_t i = 0; i < s->ngroups; i++)
		kfree(s->g[i]);
	kfree(s->g);
	s->g = NULL;
}

static bool gset_init(struct ext2_gset *s, uint32_t ngroups, uint32_t bits)
{
	s->ngroups = ngroups;
	s->bits = bits;
	s->g = kzalloc(ngroups * sizeof(*s->g));
	return s->g != NULL;
}

static bool gset_add(struct ext2_gset *s, uint32_t g, uint32_t bit)
{
	if (!s->g || g >= s->ngroups || bit >= s->bits)
		return false;
	if (!s->g[g] && !(s->g[g] = kzalloc(s->bits / 8 + 1)))
		return false;
	s->g[g][bit / 8] |= (uint8_t)(1u << (bit % 8));
	return true;
}

bool ext2_gset_test(const struct ext2_gset *s, uint32_t g, uint32_t bit)
{
	if (!s->g || g >= s->ngroups || bit >= s->bits || !s->g[g])
		return false;
	return s->g[g][bit / 8] & (1u << (bit % 8));
}

static bool blk_loc(struct ext2_fs *fs, uint32_t blk, uint32_t *g, uint32_t *bit)
{
	if (blk < fs->first_data_block || blk >= fs->blocks_count)
		return false;
	*g = (blk - fs->first_data_block) / fs->bpg;
	*bit = (blk - fs->first_data_block) % fs->bpg;
	return true;
}

bool ext2_gset_test_blk(struct ext2_fs *fs, const struct ext2_gset *s, uint32_t blk)
{
	uint32_t g, bit;

	return blk_loc(fs, blk, &g, &bit) && ext2_gset_test(s, g, bit);
}

static void add_blk(struct ext2_fs *fs, struct ext2_gset *s, uint32_t blk)
{
	uint32_t g, bit;

	if (!fs->ord || !blk_loc(fs, blk, &g, &bit))
		return;
	if (!gset_add(s, g, bit))
		fs->ord->lost = true;
}

int ext2_order_init(struct ext2_fs *fs)
{
	struct ext2_order *o = kzalloc(sizeof(*o));

	if (!o)
		return -ENOMEM;
	if (!gset_init(&o->dirs, fs->ngroups, fs->bpg) ||
	    !gset_init(&o->rsrc, fs->ngroups, fs->bpg) ||
	    !gset_init(&o->fresh, fs->ngroups, fs->bpg) ||
	    !gset_init(&o->newino, fs->ngroups, fs->ipg) ||
	    !gset_init(&o->quar[0], fs->ngroups, fs->bpg)) {
		fs->ord = o;
		ext2_order_free(fs);
		return -ENOMEM;
	}
	waitq_init(&o->idle);
	fs->ord = o;
	return 0;
}

void ext2_order_free(struct ext2_fs *fs)
{
	struct ext2_order *o = fs->ord;

	if (!o)
		return;
	gset_free(&o->dirs);
	gset_free(&o->rsrc);
	gset_free(&o->fresh);
	gset_free(&o->newino);
	gset_free(&o->quar[0]);
	gset_free(&o->quar[1]);
	kfree(o->late);
	kfree(o);
	fs->ord = NULL;
}

/* Find the block number of data held in tx (the op's gathered blocks). */
static uint32_t tx_blk(struct ext2_tx *tx, const uint8_t *data)
{
	for (unsigned i = 0; i < tx->n; i++) {
		const uint8_t *d = bcache_data(tx->e[i].b);

		if (data >= d && data < d + tx->fs->bsize)
			return tx->e[i].blk;
	}
	return 0;
}

void ext2_order_dir(struct ext2_tx *tx, const uint8_t *data)
{
	if (tx->fs->ord)
		add_blk(tx->fs, &tx->fs->ord->dirs, tx_blk(tx, data));
}

void ext2_order_rename_src(struct ext2_tx *tx, const uint8_t *data)
{
	if (tx->fs->ord)
		add_blk(tx->fs, &tx->fs->ord->rsrc, tx_blk(tx, data));
}

void ext2_order_fresh(struct ext2_fs *fs, uint32_t blk)
{
	if (fs->ord)
		add_blk(fs, &fs->ord->fresh, blk);
}

void ext2_order_newino(struct ext2_fs *fs, uint32_t ino)
{
	if (fs->ord && ino >= 1 && !gset_add(&fs->ord->newino, (ino - 1) / fs->ipg,
					      (ino - 1) % fs->ipg))
		fs->ord->lost = true;
}

void ext2_order_freed(struct ext2_fs *fs, uint32_t blk)
{
	if (fs->ord)
		add_blk(fs, &fs->ord->quar[0], blk);
}

void ext2_order_late(struct ext2_fs *fs, uint32_t ino, const uint8_t *raw)
{
	struct ext2_order *o = fs->ord;

	if (!o)
		return;
	for (unsigned i = 0; i < o->nlate; i++)
		if (o->late[i].ino == ino)
			return; /* the older state is the one on the disk */
	if (!o->late && !(o->late = kmalloc(EXT2_ORDER_LATE_MAX * sizeof(*o->late)))) {
		o->lost = true;
		return;
	}
	if (o->nlate == EXT2_ORDER_LATE_MAX) {
		o->lost = true;
		return;
	}
	o->late[o->nlate].ino = ino;
	memcpy(o->late[o->nlate].raw, raw, EXT2_GOOD_OLD_INODE_SIZE);
	o->nlate++;
}

bool ext2_order_quarantined(struct ext2_fs *fs, uint32_t blk)
{
	struct ext2_order *o = fs->ord;

	return o && (ext2_gset_test_blk(fs, &o->quar[0], blk) ||
		     ext2_gset_test_blk(fs, &o->quar[1], blk));
}

/* Move the epoch's sets into @snap and start new ones (fs->lock held). */
int ext2_order_take(struct ext2_fs *fs, struct ext2_order_snap *snap)
{
	struct ext2_order *o = fs->ord;
	struct ext2_order_snap n = { 0 };

	memset(snap, 0, sizeof(*snap));
	if (!o)
		return -ENOMEM;
	if (!gset_init(&n.dirs, fs->ngroups, fs->bpg) ||
	    !gset_init(&n.rsrc, fs->ngroups, fs->bpg) ||
	    !gset_init(&n.fresh, fs->ngroups, fs->bpg) ||
	    !gset_init(&n.newino, fs->ngroups, fs->ipg)) {
		gset_free(&n.dirs);
		gset_free(&n.rsrc);
		gset_free(&n.fresh);
		gset_free(&n.newino);
		return -ENOMEM;
	}
	snap->dirs = o->dirs;
	snap->rsrc = o->rsrc;
	o->rsrc = n.rsrc;
	snap->fresh = o->fresh;
	snap->newino = o->newino;
	snap->lost = o->lost;
	snap->late = o->late;
	snap->nlate = o->nlate;
	o->late = NULL;
	o->nlate = 0;
	o->dirs = n.dirs;
	o->fresh = n.fresh;
	o->newino = n.newino;
	o->lost = false;
	/* Blocks freed so far are safe to reuse once this sync has written the inodes
	 * that let go of them; only one sync at a time moves that generation. */
	if (!o->quar[1].g) {
		struct ext2_gset q;

		if (gset_init(&q, fs->ngroups, fs->bpg)) {
			o->quar[1] = o->quar[0];
			o->quar[0] = q;
			snap->moved_quar = true;
		}
	}
	return 0;
}

/* The sync that took @snap ended (fs->lock held). */
void ext2_order_done(struct ext2_fs *fs, struct ext2_order_snap *snap)
{
	gset_free(&snap->dirs);
	gset_free(&snap->rsrc);
	gset_free(&snap->fresh);
	gset_free(&snap->newino);
	kfree(snap->late);
	snap->late = NULL;
	if (snap->moved_quar && fs->ord)
		gset_free(&fs->ord->quar[1]);
	snap->moved_quar = false;
}
