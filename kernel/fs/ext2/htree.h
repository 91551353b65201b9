/* SPDX-License-Identifier: MIT */
/*
 * ext2 hashed (htree, dir_index) directories: lookup through the index and insertion that
 * splits leaf blocks and adds index blocks and a level as needed (htree.c, htree_split.c).
 *
 * Layout (the ext2 layout's "hash tree directories"): logical block 0 is the root: "." (rec
 * 12) and ".." (rec covering the rest of the block), then at byte 24 the root info {reserved
 * u32 0, hash version u8, info length u8 = 8, indirect levels u8, flags u8}, then at byte 32
 * the entries: {limit u16, count u16, block u32} and count - 1 of {hash u32, block u32} in
 * ascending hash order. An interior node is a block with one empty dirent covering it
 * (inode 0, rec = block size) and the same entries at byte 8. Entry i covers the names whose
 * hash is at least its hash (entry 0: from the node's lower bound) and below entry i + 1's;
 * a hash with its low bit set marks a leaf that continues the previous leaf's run of one
 * hash value. Leaves are ordinary directory blocks in any order. At most one interior level
 * here (Linux's limit without large_dir): with 4 KiB blocks, 508 x 511 leaves.
 *
 * Everything runs under fs->lock, as the rest of ext2 (ext2_int.h).
 */
#ifndef KERNEL_FS_EXT2_HTREE_H
#define KERNEL_FS_EXT2_HTREE_H

#include "kernel/fs/ext2/ext2_int.h"

#define EXT2_FEATURE_COMPAT_DIR_INDEX 0x0020
#define SB_HASH_SEED 236	/* 4 x u32 */
#define SB_DEF_HASH_VERSION 252	/* u8 */
#define SB_FLAGS 352		/* u32: 0x1 signed hash chars, 0x2 unsigned */
#define EXT2_FLAGS_UNSIGNED_HASH 0x2

/* Find name through dir's index: 0 and *loc, -ENOENT, -EIOWAIT, -EIO, or 1 when dir is not a
 * usable htree (the caller searches linearly). */
int ext2_htree_find(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len,
		    struct dloc *loc);
/*
 * Plan the insertion of name into an indexed dir (-EEXIST when it is there): a slot with room in the leaf its hash
 * selects, or a split of that leaf (s->dx_split; gathered and done in the caller's tx).
 * Growing the index (a new level, an interior node split) is its own complete transaction
 * here, before anything of the caller's is gathered. 1: not a usable htree.
 */
int ext2_htree_plan(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len,
		    struct dslot *s);
/* Make the one-block linear dir an htree (its own transaction): 0, 1 (cannot: the caller
 * adds a linear block), or an error. */
int ext2_htree_make(struct ext2_fs *fs, struct ext2_inode *dir);
/* Would dir get an index when it outgrows its one block? */
bool ext2_htree_wanted(struct ext2_fs *fs, struct ext2_inode *dir);
/* The gather and commit of a planned leaf split (s->dx_split). */
int ext2_htree_split_gather(struct ext2_tx *tx, struct ext2_inode *dir, struct dslot *s,
			    struct ext2_map *m, uint8_t **leaf);
void ext2_htree_split_commit(struct ext2_tx *tx, struct ext2_inode *dir, struct dslot *s,
			     struct ext2_map *m, uint8_t *leaf, uint32_t ino, const char *name,
			     size_t len, unsigned ft);

/* ---- shared by htree.c and htree_split.c ---- */

/* One index block on the way from the root to a leaf. */
struct dx_frame {
	uint32_t lbn, pblk;
	unsigned eoff;		/* byte offset of the entries: 32 in the root, 8 in a node */
	unsigned count, limit;
	unsigned at;		/* the entry followed */
};

struct dx_path {
	unsigned levels;	/* interior levels below the root: 0 or 1 */
	unsigned version;	/* the dirhash version in use (unsigned variant applied) */
	uint32_t hash;
	struct dx_frame f[2];	/* f[0] the root, f[levels] the bottom index block */
	uint32_t leaf_lbn;
};

int dx_walk(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len,
	    struct dx_path *p);
uint32_t dx_hash(struct ext2_fs *fs, unsigned version, const char *name, size_t len);

static inline uint32_t dx_ent_hash(const uint8_t *b, unsigned eoff, unsigned i)
{
	return ld32(b + eoff + 8 * i);
}

static inline uint32_t dx_ent_block(const uint8_t *b, unsigned eoff, unsigned i)
{
	return ld32(b + eoff + 8 * i + 4);
}

#endif
