// SPDX-License-Identifier: MIT
/*
 * The ext2 block map: logical block -> disk block through 12 direct
 * pointers and the indirect, double and triple indirect blocks; lookups
 * and the gather/commit of the blocks a write needs.
 */
#include "kernel/block/bcache.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/fs/ioctx.h"
#include "lib/errno.h"
#include "lib/string.h"

/* The path to lbn: off[0] is the i_block slot, off[1..depth] the indices in
 * the indirect blocks. Returns depth (0..3) or -EFBIG. */
static int block_path(struct ext2_fs *fs, uint64_t lbn, uint32_t off[4])
{
	uint64_t a = fs->apb;

	if (lbn < EXT2_NDIR) {
		off[0] = (uint32_t)lbn;
		return 0;
	}
	lbn -= EXT2_NDIR;
	if (lbn < a) {
		off[0] = EXT2_IND;
		off[1] = (uint32_t)lbn;
		return 1;
	}
	/* LAB(fs) BEGIN */
	lbn -= a;
	if (lbn < a * a) {
		off[0] = EXT2_DIND;
		off[1] = (uint32_t)(lbn / a);
		off[2] = (uint32_t)(lbn % a);
		return 2;
	}
	lbn -= a * a;
	if (lbn < a * a * a) {
		off[0] = EXT2_TIND;
		off[1] = (uint32_t)(lbn / (a * a));
		off[2] = (uint32_t)((lbn / a) % a);
		off[3] = (uint32_t)(lbn % a);
		return 3;
	}
	/* LAB(fs) END */
	return -EFBIG;
}

/*
 * Walk the block map of @ei to logical block @lbn: *pblk = its physical
 * block (0: a hole). On an error, *pblk is the indirect block that could
 * not be had.
 */
static int bmap_walk(struct ext2_fs *fs, struct ext2_inode *ei, uint64_t lbn, uint32_t *pblk)
{
	uint32_t off[4], p;
	int depth = block_path(fs, lbn, off);

	if (depth < 0)
		return depth;
	p = ei->iblock[off[0]];
	for (int l = 1; l <= depth && p; l++) {
		struct bcache_buf *b;
		int err = -EIO;

		if (p < fs->blocks_count)
			err = bcache_get(fs->dev, p, fs->bsize, &b);
		if (err) {
			*pblk = p;
			return err;
		}
		ioctx_pin(b);
		p = ld32((uint8_t *)bcache_data(b) + 4 * off[l]);
		bcache_put(b);
	}
	*pblk = p;
	return 0;
}

int ext2_bmap(struct ext2_fs *fs, struct ext2_inode *ei, uint64_t lbn, uint32_t *pblk)
{
	return bmap_walk(fs, ei, lbn, pblk);
}

static int map_gather(struct ext2_tx *tx, struct ext2_inode *ei, uint64_t lbn, bool data,
		      struct ext2_map *m)
{
	struct ext2_fs *fs = tx->fs;
	int depth = block_path(fs, lbn, m->off);
	uint32_t p, goal;
	unsigned missing = 0;
	int err;

	if (depth < 0)
		return depth;
	m->depth = (unsigned)depth;
	m->have = 0;
	m->ba.n = 0;
	p = ei->iblock[m->off[0]];
	for (unsigned l = 1; l <= m->depth; l++) {
		if (!p) {
			missing = m->depth - l + 1;
			break;
		}
		err = tx_get(tx, p, &m->ind[l - 1]);
		if (err)
			return err;
		m->have = l;
		p = ld32(m->ind[l - 1] + 4 * m->off[l]);
	}
	m->data = NULL;
	if (p) {
		m->pblk = p;
		return data ? tx_get(tx, p, &m->data) : 0;
	}
	goal = ei->hint ? ei->hint + 1
			: fs->first_data_block + ((uint32_t)ei->vfs.ino - 1) / fs->ipg * fs->bpg;
	err = ext2_balloc_gather(tx, goal, missing + 1, &m->ba);
	if (err)
		return err;
	for (unsigned i = 0; i < m->ba.n; i++) {
		uint8_t *d;

		if (i >= missing && !data)
			break; /* file data: the page cache holds it, not the tx */
		err = tx_new(tx, m->ba.blk[i], &d);
		if (err)
			return err;
		if (i >= missing)
			m->data = d;
		else
			m->ind[m->have + i] = d;
	}
	m->pblk = m->ba.blk[m->ba.n - 1];
	return 0;
}

int ext2_map_gather(struct ext2_tx *tx, struct ext2_inode *ei, uint64_t lbn, bool whole,
		    struct ext2_map *m)
{
	(void)whole; /* an existing block is read even when overwritten whole:
		      * zeroing it early would change it before the gather ends */
	return map_gather(tx, ei, lbn, true, m);
}

int ext2_map_gather_nodata(struct ext2_tx *tx, struct ext2_inode *ei, uint64_t lbn,
			   struct ext2_map *m)
{
	return map_gather(tx, ei, lbn, false, m);
}

void ext2_map_commit(struct ext2_tx *tx, struct ext2_inode *ei, struct ext2_map *m)
{
	struct ext2_fs *fs = tx->fs;
	unsigned idx = 0;

	if (!m->ba.n)
		return;
	ext2_balloc_commit(tx, &m->ba);
	/* Link each new block into its parent: the inode for level 1 (or the
	 * data block of a direct slot), else the indirect block above. */
	for (unsigned l = m->have + 1; l <= m->depth + 1; l++) {
		uint32_t nb = m->ba.blk[idx++];

		if (l == 1) {
			ei->iblock[m->off[0]] = nb;
		} else {
			st32(m->ind[l - 2] + 4 * m->off[l - 1], nb);
			tx_dirty(tx, m->ind[l - 2]);
		}
		if (l <= m->depth)
			tx_dirty(tx, m->ind[l - 1]); /* a new (zeroed) indirect block */
	}
	ei->blocks512 += m->ba.n * (fs->bsize / 512);
	ei->hint = m->pblk;
}
