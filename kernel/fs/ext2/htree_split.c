// SPDX-License-Identifier: MIT
/*
 * ext2 hashed directories, the writing half: splitting a full leaf (its entries sorted by
 * hash, the upper half by size moved to a new block, an index entry added for it), growing
 * the index (a full root moves its entries to a new interior node; a full node gives half of
 * its entries to a new one), and turning a one-block linear directory into an indexed one
 * when it outgrows its block, as Linux does. Layout and locking: htree.h.
 *
 * A leaf split is gathered and committed inside the caller's transaction (make_node, link,
 * rename): it and the insertion are one step. Growing the index and indexing a directory are
 * transactions of their own, run while the insertion is planned and before the caller
 * gathers anything; each leaves a complete, valid index behind, so an insertion that then
 * waits for the disk and restarts finds the index grown and goes on.
 */
#include "kernel/fs/ext2/htree.h"
#include "kernel/mm/kmalloc.h"
#include "lib/dirhash.h"
#include "lib/errno.h"
#include "lib/string.h"

struct dx_ent {
	uint32_t hash;
	uint16_t off, size;
};

/* Shell sort of m[0..n) by hash (by_off false) or by offset. */
static void dx_sort(struct dx_ent *m, unsigned n, bool by_off)
{
	static const unsigned gaps[] = { 109, 41, 19, 5, 1 };

	for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		unsigned gap = gaps[g];

		for (unsigned i = gap; i < n; i++) {
			struct dx_ent t = m[i];
			uint32_t k = by_off ? t.off : t.hash;
			unsigned j = i;

			for (; j >= gap && (by_off ? m[j - gap].off : m[j - gap].hash) > k; j -= gap)
				m[j] = m[j - gap];
			m[j] = t;
		}
	}
}

/* The live entries of leaf b with their hashes, sorted by hash; their count. */
static unsigned dx_make_map(struct ext2_fs *fs, unsigned version, const uint8_t *b,
			    struct dx_ent *m)
{
	unsigned n = 0;

	for (unsigned off = 0, rec; off < fs->bsize; off += rec) {
		rec = ld16(b + off + 4);
		if (rec < DE_HDR || off + rec > fs->bsize)
			break; /* checked by the plan's scan; never here */
		if (!ld32(b + off))
			continue;
		m[n].hash = dx_hash(fs, version, (const char *)b + off + DE_HDR, b[off + 6]);
		m[n].off = (uint16_t)off;
		m[n].size = (uint16_t)DE_LEN(b[off + 6]);
		n++;
	}
	dx_sort(m, n, false);
	return n;
}

/* Where a sorted map of n entries splits: about half the bytes move (Linux's rule). */
static unsigned dx_split_at(const struct dx_ent *m, unsigned n, unsigned bsize)
{
	unsigned moved = 0, i = n;

	while (i > 1 && moved + m[i - 1].size / 2u <= bsize / 2) {
		moved += m[i - 1].size;
		i--;
	}
	if (i >= n)
		i = n - 1;
	return i ? i : 1;
}

static unsigned dx_bytes(const struct dx_ent *m, unsigned from, unsigned to)
{
	unsigned s = 0;

	for (unsigned i = from; i < to; i++)
		s += m[i].size;
	return s;
}

int ext2_htree_split_gather(struct ext2_tx *tx, struct ext2_inode *dir, struct dslot *s,
			    struct ext2_map *m, uint8_t **leaf)
{
	struct ext2_fs *fs = tx->fs;
	unsigned n, at, used;
	uint32_t ih;
	struct dx_ent *map;
	int err;

	if (!fs->dx_scratch && !(fs->dx_scratch = kmalloc(fs->bsize)))
		return -ENOMEM;
	map = fs->dx_scratch;
	err = tx_get(tx, s->pblk, leaf);
	if (!err)
		err = tx_get(tx, s->node_pblk, &s->node);
	if (err)
		return err;
	if (ld16(s->node + s->node_eoff + 2) >= ld16(s->node + s->node_eoff))
		return -EIO; /* planned with room: cannot change under fs->lock */
	n = dx_make_map(fs, s->dx_version, *leaf, map);
	if (n < 2)
		return -ENOSPC; /* nothing to split (cannot happen with names <= 255) */
	at = dx_split_at(map, n, fs->bsize);
	ih = map[at].hash | (map[at].hash == map[at - 1].hash);
	used = s->hash >= ih ? dx_bytes(map, at, n) : dx_bytes(map, 0, at);
	if (used + DE_LEN(NAME_MAX) > fs->bsize) /* room for any new name after the split */
		return -ENOSPC;
	if ((s->new_lbn + 1) * fs->bsize > ext2_max_size(fs))
		return -EFBIG;
	return ext2_map_gather(tx, dir, s->new_lbn, true, m);
}

/* Write the entries m[from..to) of src compacted into dst from offset 0, the last one
 * reaching the end of the block; dst may be src (m sorted by offset then). */
static void dx_pack(struct ext2_fs *fs, uint8_t *dst, const uint8_t *src, const struct dx_ent *m,
		    unsigned from, unsigned to)
{
	unsigned pos = 0, last = 0;

	for (unsigned i = from; i < to; i++) {
		memmove(dst + pos, src + m[i].off, m[i].size);
		st16(dst + pos + 4, m[i].size);
		last = pos;
		pos += m[i].size;
	}
	if (pos == 0) {
		st32(dst, 0);
		st16(dst + 4, (uint16_t)fs->bsize);
		dst[6] = dst[7] = 0;
		return;
	}
	st16(dst + last + 4, (uint16_t)(fs->bsize - last));
	memset(dst + pos, 0, fs->bsize - pos);
}

/* Insert {hash, block} as entry at of the index block b (count < limit). */
static void dx_insert_entry(uint8_t *b, unsigned eoff, unsigned at, uint32_t hash, uint32_t blk)
{
	unsigned count = ld16(b + eoff + 2);

	memmove(b + eoff + 8 * (at + 1), b + eoff + 8 * at, 8 * (count - at));
	st32(b + eoff + 8 * at, hash);
	st32(b + eoff + 8 * at + 4, blk);
	st16(b + eoff + 2, (uint16_t)(count + 1));
}

/* The first slot of block b with room for need bytes (there is one). */
static void dx_put(struct ext2_fs *fs, uint8_t *b, uint32_t ino, const char *name, size_t len,
		   unsigned ft)
{
	unsigned need = DE_LEN(len);

	for (unsigned off = 0, rec; off < fs->bsize; off += rec) {
		unsigned used = ld32(b + off) ? DE_LEN(b[off + 6]) : 0;

		rec = ld16(b + off + 4);
		if (rec - used < need)
			continue;
		if (used) {
			st16(b + off + 4, (uint16_t)used);
			off += used;
			rec -= used;
		}
		ext2_de_fill(fs, b + off, ino, name, len, ft, rec);
		return;
	}
}

void ext2_htree_split_commit(struct ext2_tx *tx, struct ext2_inode *dir, struct dslot *s,
			     struct ext2_map *m, uint8_t *leaf, uint32_t ino, const char *name,
			     size_t len, unsigned ft)
{
	struct ext2_fs *fs = tx->fs;
	struct dx_ent *map = fs->dx_scratch;
	unsigned n = dx_make_map(fs, s->dx_version, leaf, map);
	unsigned at = dx_split_at(map, n, fs->bsize);
	uint32_t ih = map[at].hash | (map[at].hash == map[at - 1].hash);
	uint8_t *nb;

	ext2_map_commit(tx, dir, m);
	nb = m->data;
	dir->vfs.size += fs->bsize;
	dx_pack(fs, nb, leaf, map, at, n);
	dx_sort(map, at, true);
	dx_pack(fs, leaf, leaf, map, 0, at);
	dx_insert_entry(s->node, s->node_eoff, s->node_at + 1, ih, (uint32_t)s->new_lbn);
	dx_put(fs, s->hash >= ih ? nb : leaf, ino, name, len, ft);
	tx_dirty(tx, leaf);
	tx_dirty(tx, nb);
	tx_dirty(tx, s->node);
}

/* A new empty interior node in b holding the entries src[from..to) of an index block. */
static void dx_node_init(struct ext2_fs *fs, uint8_t *b, const uint8_t *src, unsigned seoff,
			 unsigned from, unsigned to)
{
	memset(b, 0, fs->bsize);
	st16(b + 4, (uint16_t)fs->bsize);
	memcpy(b + 8, src + seoff + 8 * from, 8 * (to - from));
	st16(b + 8, (uint16_t)((fs->bsize - 8) / 8));
	st16(b + 8 + 2, (uint16_t)(to - from));
}

int dx_grow(struct ext2_fs *fs, struct ext2_inode *dir, struct dx_path *p)
{
	uint64_t lbn = dir->vfs.size / fs->bsize;
	struct ext2_tx tx;
	struct ext2_map m;
	uint8_t *root, *node = NULL;
	int err;

	if (p->levels && p->f[0].count >= p->f[0].limit)
		return -ENOSPC; /* both levels full: Linux's limit without large_dir */
	if ((lbn + 1) * fs->bsize > ext2_max_size(fs))
		return -EFBIG;
	tx_init(&tx, fs);
	err = ext2_itable_gather(&tx, (uint32_t)dir->vfs.ino, NULL);
	if (!err)
		err = tx_get(&tx, p->f[0].pblk, &root);
	if (!err && p->levels)
		err = tx_get(&tx, p->f[1].pblk, &node);
	if (!err)
		err = ext2_map_gather(&tx, dir, lbn, true, &m);
	if (err) {
		tx_end(&tx);
		return err;
	}
	ext2_map_commit(&tx, dir, &m);
	dir->vfs.size += fs->bsize;
	if (!p->levels) {
		/* The root's entries move down into one node; the root points at it. */
		dx_node_init(fs, m.data, root, 32, 0, p->f[0].count);
		root[30] = 1;
		st16(root + 32 + 2, 1);
		st32(root + 32 + 4, (uint32_t)lbn);
	} else {
		/* The upper half of the node's entries go to a new node after it. */
		unsigned cnt = p->f[1].count, half = cnt / 2;
		uint32_t h = dx_ent_hash(node, 8, half);

		dx_node_init(fs, m.data, node, 8, half, cnt);
		st16(node + 8 + 2, (uint16_t)half);
		dx_insert_entry(root, 32, p->f[0].at + 1, h, (uint32_t)lbn);
		tx_dirty(&tx, node);
	}
	tx_dirty(&tx, m.data);
	tx_dirty(&tx, root);
	ext2_iwrite(&tx, dir, false);
	tx_end(&tx);
	fs->dx_steps++;
	return 0;
}

int ext2_htree_make(struct ext2_fs *fs, struct ext2_inode *dir)
{
	struct ext2_tx tx;
	struct ext2_map m;
	uint8_t *b;
	uint32_t p0;
	unsigned v = fs->sb[SB_DEF_HASH_VERSION];
	int err = ext2_bmap(fs, dir, 0, &p0);

	if (err)
		return err;
	if (!p0 || v > DIRHASH_TEA)
		return 1;
	tx_init(&tx, fs);
	err = ext2_itable_gather(&tx, (uint32_t)dir->vfs.ino, NULL);
	if (!err)
		err = tx_get(&tx, p0, &b);
	if (!err && (ld16(b + 4) != 12 || b[6] != 1 || b[8] != '.' || b[12 + 6] != 2 ||
		     ld16(b + 12 + 4) < 12))
		err = 1; /* not the usual "." and ".." first: stay linear */
	if (!err)
		err = ext2_map_gather(&tx, dir, 1, true, &m);
	if (err) {
		tx_end(&tx);
		return err;
	}
	ext2_map_commit(&tx, dir, &m);
	dir->vfs.size += fs->bsize;
	/* Every entry after ".." moves, compacted, to the new block 1: the one leaf. */
	{
		unsigned n = 0, pos = 0, last = 0;
		uint8_t *nb = m.data;

		for (unsigned off = 12 + ld16(b + 12 + 4), rec; off < fs->bsize; off += rec) {
			unsigned size;

			rec = ld16(b + off + 4);
			if (rec < DE_HDR || off + rec > fs->bsize)
				break;
			if (!ld32(b + off))
				continue;
			size = DE_LEN(b[off + 6]);
			memcpy(nb + pos, b + off, size);
			st16(nb + pos + 4, (uint16_t)size);
			last = pos;
			pos += size;
			n++;
		}
		if (!n) {
			st32(nb, 0);
			st16(nb + 4, (uint16_t)fs->bsize);
		} else {
			st16(nb + last + 4, (uint16_t)(fs->bsize - last));
		}
	}
	/* Block 0 becomes the root. */
	st16(b + 12 + 4, (uint16_t)(fs->bsize - 12));
	memset(b + 24, 0, fs->bsize - 24);
	b[28] = (uint8_t)v;
	b[29] = 8;
	st16(b + 32, (uint16_t)((fs->bsize - 32) / 8));
	st16(b + 32 + 2, 1);
	st32(b + 32 + 4, 1);
	dir->flags |= EXT2_INDEX_FL;
	tx_dirty(&tx, b);
	tx_dirty(&tx, m.data);
	ext2_iwrite(&tx, dir, false);
	tx_end(&tx);
	fs->dx_steps++;
	return 0;
}
