// SPDX-License-Identifier: MIT
/*
 * ext2: the block and inode bitmaps, with the free counts of the groups and the
 * superblock, in the gather/commit shape of the transaction (super.c).
 */
#include "kernel/block/bcache.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

static void add16(uint8_t *p, int d)
{
	st16(p, (uint16_t)(ld16(p) + d));
}

static void add32(uint8_t *p, int d)
{
	st32(p, (uint32_t)(ld32(p) + (uint32_t)d));
}

/* ---- bitmaps ---------------------------------------------------------------- */

static bool bit_test(const uint8_t *map, uint32_t i)
{
	return map[i / 8] & (1u << (i % 8));
}

static void bit_set(uint8_t *map, uint32_t i, bool v)
{
	if (v)
		map[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		map[i / 8] &= (uint8_t)~(1u << (i % 8));
}

static uint32_t group_of_block(struct ext2_fs *fs, uint32_t blk)
{
	return (blk - fs->first_data_block) / fs->bpg;
}

/* Blocks in group g (the last group is short). */
uint32_t ext2_group_blocks(struct ext2_fs *fs, uint32_t g)
{
	uint32_t start = fs->first_data_block + g * fs->bpg;
	uint32_t left = fs->blocks_count - start;

	return left < fs->bpg ? left : fs->bpg;
}

int ext2_balloc_gather(struct ext2_tx *tx, uint32_t goal, unsigned n, struct ext2_balloc *ba)
{
	struct ext2_fs *fs = tx->fs;
	uint32_t g0;

	ba->n = 0;
	if (!n)
		return 0;
	if (goal < fs->first_data_block || goal >= fs->blocks_count)
		goal = fs->first_data_block;
	g0 = group_of_block(fs, goal);
	for (uint32_t k = 0; k < fs->ngroups && ba->n < n; k++) {
		uint32_t g = (g0 + k) % fs->ngroups;
		uint8_t *gd = ext2_gd(fs, g), *map;
		uint32_t nb = ext2_group_blocks(fs, g), start = 0, avail = ld16(gd + GD_FREE_BLOCKS);
		int err;

		if (!avail)
			continue;
		err = tx_get(tx, ld32(gd + GD_BLOCK_BITMAP), &map);
		if (err)
			return err;
		if (k == 0)
			start = (goal - fs->first_data_block) % fs->bpg;
		for (uint32_t j = 0; j < nb && ba->n < n && avail; j++) {
			uint32_t bit = (start + j) % nb;
			uint32_t blk = fs->first_data_block + g * fs->bpg + bit;
			bool taken = false;

			if (bit_test(map, bit))
				continue;
			for (unsigned i = 0; i < tx->npicked; i++)
				taken |= tx->picked[i] == blk;
			if (taken)
				continue;
			if (tx->npicked == sizeof(tx->picked) / sizeof(tx->picked[0]))
				return -ENOSPC; /* never: at most 8 per op */
			tx->picked[tx->npicked++] = blk;
			ba->blk[ba->n++] = blk;
			avail--;
		}
	}
	return ba->n == n ? 0 : -ENOSPC;
}

void ext2_balloc_commit(struct ext2_tx *tx, const struct ext2_balloc *ba)
{
	struct ext2_fs *fs = tx->fs;

	for (unsigned i = 0; i < ba->n; i++) {
		uint32_t g = group_of_block(fs, ba->blk[i]);
		uint8_t *gd = ext2_gd(fs, g), *map;

		/* gathered by ext2_balloc_gather: cannot miss */
		tx_get(tx, ld32(gd + GD_BLOCK_BITMAP), &map);
		bit_set(map, (ba->blk[i] - fs->first_data_block) % fs->bpg, true);
		tx_dirty(tx, map);
		add16(gd + GD_FREE_BLOCKS, -1);
		ext2_gd_dirty(fs, g);
		add32(fs->sb + SB_FREE_BLOCKS, -1);
	}
	if (ba->n)
		ext2_sb_dirty(fs);
}

int ext2_bfree_gather(struct ext2_tx *tx, uint32_t blk)
{
	struct ext2_fs *fs = tx->fs;
	uint8_t *map;

	if (blk < fs->first_data_block || blk >= fs->blocks_count)
		return -EIO;
	return tx_get(tx, ld32(ext2_gd(fs, group_of_block(fs, blk)) + GD_BLOCK_BITMAP), &map);
}

void ext2_bfree_commit(struct ext2_tx *tx, uint32_t blk)
{
	struct ext2_fs *fs = tx->fs;
	uint32_t g = group_of_block(fs, blk);
	uint8_t *gd = ext2_gd(fs, g), *map;
	uint32_t bit = (blk - fs->first_data_block) % fs->bpg;

	tx_get(tx, ld32(gd + GD_BLOCK_BITMAP), &map);
	if (!bit_test(map, bit)) {
		kprintf("ext2: freeing free block %u\n", blk);
		return;
	}
	bit_set(map, bit, false);
	tx_dirty(tx, map);
	add16(gd + GD_FREE_BLOCKS, 1);
	ext2_gd_dirty(fs, g);
	add32(fs->sb + SB_FREE_BLOCKS, 1);
	ext2_sb_dirty(fs);
}

static int ialloc_in_group(struct ext2_tx *tx, uint32_t g, uint32_t *ino)
{
	struct ext2_fs *fs = tx->fs;
	uint8_t *gd = ext2_gd(fs, g), *map;
	int err;

	if (!ld16(gd + GD_FREE_INODES))
		return -ENOSPC;
	err = tx_get(tx, ld32(gd + GD_INODE_BITMAP), &map);
	if (err)
		return err;
	/* From the hint when it is in this group (all below it are taken), else from the
	 * start; whole bytes of taken inodes at a time. */
	uint32_t start = fs->ihint > g * fs->ipg && fs->ihint <= (g + 1) * fs->ipg
				 ? fs->ihint - 1 - g * fs->ipg : 0;
again:
	for (uint32_t i = start; i < fs->ipg; i++) {
		uint32_t n = g * fs->ipg + i + 1;

		if (!(i & 7) && i + 8 <= fs->ipg && map[i / 8] == 0xff) {
			i += 7;
			continue;
		}
		if (n < fs->first_ino || bit_test(map, i))
			continue;
		*ino = n;
		fs->ihint = n;
		return 0;
	}
	if (start) {
		start = 0; /* a stale hint: look at the whole group */
		goto again;
	}
	return -ENOSPC;
}

int ext2_ialloc_gather(struct ext2_tx *tx, uint32_t dir_ino, bool is_dir, uint32_t *ino)
{
	struct ext2_fs *fs = tx->fs;
	uint32_t g0 = (dir_ino - 1) / fs->ipg;

	if (is_dir) {
		/* Spread directories over the groups, as Linux's Orlov does roughly:
		 * the next group after the last one that got a directory. */
		g0 = (fs->last_alloc_group + 1) % fs->ngroups;
	}
	for (uint32_t k = 0; k < fs->ngroups; k++) {
		uint32_t g = (g0 + k) % fs->ngroups;
		int err = ialloc_in_group(tx, g, ino);

		if (err != -ENOSPC)
			return err;
	}
	return -ENOSPC;
}

void ext2_ialloc_commit(struct ext2_tx *tx, uint32_t ino, bool is_dir)
{
	struct ext2_fs *fs = tx->fs;
	uint32_t g = (ino - 1) / fs->ipg;
	uint8_t *gd = ext2_gd(fs, g), *map;

	tx_get(tx, ld32(gd + GD_INODE_BITMAP), &map);
	bit_set(map, (ino - 1) % fs->ipg, true);
	tx_dirty(tx, map);
	add16(gd + GD_FREE_INODES, -1);
	if (is_dir) {
		add16(gd + GD_USED_DIRS, 1);
		fs->last_alloc_group = g;
	}
	ext2_gd_dirty(fs, g);
	add32(fs->sb + SB_FREE_INODES, -1);
	ext2_sb_dirty(fs);
}

int ext2_ifree_gather(struct ext2_tx *tx, uint32_t ino)
{
	struct ext2_fs *fs = tx->fs;
	uint8_t *map;

	return tx_get(tx, ld32(ext2_gd(fs, (ino - 1) / fs->ipg) + GD_INODE_BITMAP), &map);
}

void ext2_ifree_commit(struct ext2_tx *tx, uint32_t ino, bool is_dir)
{
	struct ext2_fs *fs = tx->fs;
	uint32_t g = (ino - 1) / fs->ipg;
	uint8_t *gd = ext2_gd(fs, g), *map;

	tx_get(tx, ld32(gd + GD_INODE_BITMAP), &map);
	if (!bit_test(map, (ino - 1) % fs->ipg)) {
		kprintf("ext2: freeing free inode %u\n", ino);
		return;
	}
	bit_set(map, (ino - 1) % fs->ipg, false);
	tx_dirty(tx, map);
	if (ino < fs->ihint && (ino - 1) / fs->ipg == (fs->ihint - 1) / fs->ipg)
		fs->ihint = ino; /* still the lowest free one of the hint's group */
	add16(gd + GD_FREE_INODES, 1);
	if (is_dir)
		add16(gd + GD_USED_DIRS, -1);
	ext2_gd_dirty(fs, g);
	add32(fs->sb + SB_FREE_INODES, 1);
	ext2_sb_dirty(fs);
}
