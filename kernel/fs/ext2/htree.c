// SPDX-License-Identifier: MIT
/*
 * ext2 hashed directories, the reading half: hashing a name as the directory does, walking
 * the index from the root to the leaf a hash selects (checking every field on the way, so a
 * corrupt index falls back to the linear search instead of trusting it), lookup, and the
 * plan of an insertion. Layout and locking: htree.h.
 */
#include "kernel/fs/ext2/htree.h"
#include "lib/dirhash.h"
#include "lib/errno.h"
#include "lib/string.h"

uint32_t dx_hash(struct ext2_fs *fs, unsigned version, const char *name, size_t len)
{
	uint32_t seed[4], h = 0;

	for (int i = 0; i < 4; i++)
		seed[i] = ld32(fs->sb + SB_HASH_SEED + 4 * i);
	dirhash(version, name, len, seed, &h, NULL);
	return h;
}

static bool dx_feature(struct ext2_fs *fs)
{
	return ld32(fs->sb + SB_FEATURE_COMPAT) & EXT2_FEATURE_COMPAT_DIR_INDEX;
}

bool ext2_htree_wanted(struct ext2_fs *fs, struct ext2_inode *dir)
{
	return dx_feature(fs) && !(dir->flags & EXT2_INDEX_FL) &&
	       dir->vfs.size == fs->bsize;
}

/* Read index block lbn, check it and follow the entry for p->hash into f. */
static int dx_frame_read(struct ext2_fs *fs, struct ext2_inode *dir, uint32_t lbn, bool root,
			 struct dx_path *p, struct dx_frame *f)
{
	struct bcache_buf *bb;
	uint8_t *b;
	int err = ext2_bmap(fs, dir, lbn, &f->pblk);

	if (err)
		return err;
	if (!f->pblk)
		return 1;
	err = ext2_peek(fs, f->pblk, &bb, &b);
	if (err)
		return err;
	f->lbn = lbn;
	f->eoff = root ? 32 : 8;
	if (root) {
		/* ".", "..", the info: anything else is not an index we know */
		unsigned v = b[28];

		if (ld16(b + 4) != 12 || b[6] != 1 || b[8] != '.' ||
		    ld16(b + 12 + 4) != fs->bsize - 12 || b[12 + 6] != 2 || ld32(b + 24) != 0 ||
		    b[29] != 8 || b[30] > 1 || v > DIRHASH_TEA) {
			ext2_unpeek(bb);
			return 1;
		}
		if (ld32(fs->sb + SB_FLAGS) & EXT2_FLAGS_UNSIGNED_HASH)
			v += DIRHASH_LEGACY_UNSIGNED;
		p->version = v;
		p->levels = b[30];
	} else if (ld32(b) != 0 || ld16(b + 4) != fs->bsize) {
		ext2_unpeek(bb);
		return 1;
	}
	f->limit = ld16(b + f->eoff);
	f->count = ld16(b + f->eoff + 2);
	if (f->limit != (fs->bsize - f->eoff) / 8 || !f->count || f->count > f->limit) {
		ext2_unpeek(bb);
		return 1;
	}
	ext2_unpeek(bb);
	return 0;
}

/* The entry of f (block b) whose range holds hash: the last one not above it. */
static unsigned dx_search(const uint8_t *b, const struct dx_frame *f, uint32_t hash)
{
	unsigned lo = 1, hi = f->count; /* entries [lo, hi) are candidates */

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (dx_ent_hash(b, f->eoff, mid) > hash)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo - 1;
}

/* Follow f's entry for p->hash: f->at, and the child's logical block (checked). */
static int dx_follow(struct ext2_fs *fs, struct ext2_inode *dir, struct dx_path *p,
		     struct dx_frame *f, uint32_t *child)
{
	struct bcache_buf *bb;
	uint8_t *b;
	int err = ext2_peek(fs, f->pblk, &bb, &b);

	if (err)
		return err;
	f->at = dx_search(b, f, p->hash);
	*child = dx_ent_block(b, f->eoff, f->at);
	ext2_unpeek(bb);
	if (*child == 0 || *child >= dir->vfs.size / fs->bsize)
		return 1;
	return 0;
}

int dx_walk(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len,
	    struct dx_path *p)
{
	uint32_t child;
	int err;

	if (!(dir->flags & EXT2_INDEX_FL) || !dx_feature(fs))
		return 1;
	err = dx_frame_read(fs, dir, 0, true, p, &p->f[0]);
	if (err)
		return err;
	p->hash = dx_hash(fs, p->version, name, len);
	err = dx_follow(fs, dir, p, &p->f[0], &child);
	if (err)
		return err;
	if (p->levels) {
		err = dx_frame_read(fs, dir, child, false, p, &p->f[1]);
		if (!err)
			err = dx_follow(fs, dir, p, &p->f[1], &child);
		if (err)
			return err;
	}
	p->leaf_lbn = child;
	return 0;
}

/*
 * After a leaf of p missed: if the next leaf continues the run of p->hash (its index hash is
 * p->hash with the low bit set), move p there and return 1; 0 if not; or an error.
 */
static int dx_next_leaf(struct ext2_fs *fs, struct ext2_inode *dir, struct dx_path *p)
{
	struct bcache_buf *bb;
	uint8_t *b;
	int lvl = (int)p->levels;
	uint32_t h, child;
	int err;

	/* Climb to the lowest index block that has an entry after the one taken. */
	while (lvl >= 0 && p->f[lvl].at + 1 >= p->f[lvl].count)
		lvl--;
	if (lvl < 0)
		return 0;
	err = ext2_peek(fs, p->f[lvl].pblk, &bb, &b);
	if (err)
		return err;
	h = dx_ent_hash(b, p->f[lvl].eoff, p->f[lvl].at + 1);
	child = dx_ent_block(b, p->f[lvl].eoff, p->f[lvl].at + 1);
	ext2_unpeek(bb);
	if (!(h & 1) || (h & ~1u) != p->hash)
		return 0;
	if (child == 0 || child >= dir->vfs.size / fs->bsize)
		return -EIO;
	p->f[lvl].at++;
	if ((unsigned)lvl < p->levels) {
		/* Down again, to entry 0 of the next node. */
		err = dx_frame_read(fs, dir, child, false, p, &p->f[1]);
		if (err)
			return err < 0 ? err : -EIO;
		err = ext2_peek(fs, p->f[1].pblk, &bb, &b);
		if (err)
			return err;
		p->f[1].at = 0;
		child = dx_ent_block(b, p->f[1].eoff, 0);
		ext2_unpeek(bb);
		if (child == 0 || child >= dir->vfs.size / fs->bsize)
			return -EIO;
	}
	p->leaf_lbn = child;
	return 1;
}

/*
 * Entries are 4-byte aligned in a block buffer that is itself aligned, so the scan loads
 * the header as one little-endian word pair instead of byte by byte (RISC-V and the
 * host tests' x86 are both little-endian).
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "leaf_scan loads LE words");

/*
 * One pass over a leaf: the entry named name (*found), and the first slot with need bytes
 * of room (*room: its offset, *live: it splits a live entry). -EIO on a corrupt block.
 */
static int leaf_scan(struct ext2_fs *fs, const uint8_t *b, const char *name, size_t len,
		     unsigned need, int *found, int *room, bool *live)
{
	const unsigned bsize = fs->bsize;
	const uint32_t want = name ? (uint32_t)len << 16 : 1u << 24; /* 1 << 24: never */
	const char last = name && len ? name[len - 1] : 0;
	int fnd = -1, rm = need ? -1 : 0; /* rm >= 0: no more room wanted */
	bool lv = false;

	for (unsigned off = 0, rec; off < bsize; off += rec) {
		const uint32_t *w = (const uint32_t *)(const void *)(b + off);
		uint32_t ino = w[0], w1 = w[1];
		unsigned nlen = (w1 >> 16) & 0xff;

		rec = w1 & 0xffff;
		if (rec < DE_HDR || (rec & 3) || rec > bsize - off || DE_LEN(nlen) > rec)
			return -EIO;
		/* the last byte first: names in one directory often share a prefix */
		if ((w1 & 0xff0000) == want && ino && b[off + DE_HDR + len - 1] == last &&
		    !memcmp(b + off + DE_HDR, name, len)) {
			fnd = (int)off;
			break;
		}
		if (rm < 0 && (ino ? rec - DE_LEN(nlen) : rec) >= need) {
			rm = (int)off;
			lv = ino != 0;
			if (!name)
				break;
		}
	}
	*found = fnd;
	*room = need ? rm : -1;
	*live = lv;
	return 0;
}

int ext2_htree_find(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len,
		    struct dloc *loc)
{
	struct dx_path p;
	int err;

	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return 1; /* in block 0: the linear search finds them at once */
	err = dx_walk(fs, dir, name, len, &p);
	if (err)
		return err;
	for (;;) {
		struct bcache_buf *bb;
		uint8_t *b;
		uint32_t pblk;
		int found, room;
		bool live;

		err = ext2_bmap(fs, dir, p.leaf_lbn, &pblk);
		if (!err && !pblk)
			err = -EIO;
		if (!err)
			err = ext2_peek(fs, pblk, &bb, &b);
		if (err)
			return err;
		err = leaf_scan(fs, b, name, len, 0, &found, &room, &live);
		if (!err && found >= 0) {
			loc->pblk = pblk;
			loc->off = (unsigned)found;
			loc->ino = ld32(b + found);
			loc->ftype = fs->filetype ? b[found + 7] : 0;
		}
		ext2_unpeek(bb);
		if (err)
			return err;
		if (found >= 0)
			return 0;
		err = dx_next_leaf(fs, dir, &p);
		if (err <= 0)
			return err ? err : -ENOENT;
	}
}

/* Index maintenance before a leaf split can add an entry (htree_split.c). */
int dx_grow(struct ext2_fs *fs, struct ext2_inode *dir, struct dx_path *p);

int ext2_htree_plan(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len,
		    struct dslot *s)
{
	unsigned need = DE_LEN(len);

	for (int tries = 0; tries < 4; tries++) {
		struct dx_path p;
		struct bcache_buf *bb;
		const struct dx_frame *bot;
		uint8_t *b;
		uint32_t pblk;
		int found, room;
		bool live = false;
		int err = dx_walk(fs, dir, name, len, &p);

		if (err)
			return err;
		err = ext2_bmap(fs, dir, p.leaf_lbn, &pblk);
		if (!err && !pblk)
			err = -EIO;
		if (!err)
			err = ext2_peek(fs, pblk, &bb, &b);
		if (err)
			return err;
		err = leaf_scan(fs, b, name, len, need, &found, &room, &live);
		ext2_unpeek(bb);
		if (err)
			return err;
		if (found >= 0)
			return -EEXIST;
		if (tries == 0) {
			/* The name may sit in a leaf continuing this hash's run. */
			struct dx_path q = p;

			err = dx_next_leaf(fs, dir, &q);
			if (err == 1) {
				struct dloc loc;

				err = ext2_htree_find(fs, dir, name, len, &loc);
				if (!err)
					return -EEXIST;
				if (err != -ENOENT)
					return err < 0 ? err : -EIO;
			} else if (err) {
				return err;
			}
		}
		memset(s, 0, sizeof(*s));
		s->pblk = pblk;
		s->hash = p.hash;
		s->dx_version = p.version;
		if (room >= 0) {
			s->off = (unsigned)room;
			s->split = live;
			return 0;
		}
		bot = &p.f[p.levels];
		if (bot->count < bot->limit) {
			s->dx_split = true;
			s->node_pblk = bot->pblk;
			s->node_eoff = bot->eoff;
			s->node_at = bot->at;
			s->new_lbn = dir->vfs.size / fs->bsize;
			return 0;
		}
		err = dx_grow(fs, dir, &p);
		if (err)
			return err;
	}
	return -ENOSPC;
}
