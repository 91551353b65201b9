/* SPDX-License-Identifier: MIT */
/*
 * ext2 internals shared by the files of kernel/fs/ext2: the on-disk layout (little-endian
 * offsets from the ext2 documentation), the mounted fs, in-memory inodes and
 * the gather-then-mutate transaction (struct ext2_tx).
 *
 * Lock legend: fs->lock (irqsave) is held for the whole of every op, the
 * gather phase included, so nothing another hart does can fall between the
 * gather and the mutation. It guards every field tagged L here, the F fields
 * of the VFS inodes of this fs and the cached metadata blocks. Lock order:
 * fs->lock -> bcache's locks -> as->lock (user copies run under fs->lock,
 * as ramfs does). inode_put is never called with fs->lock held.
 */
#ifndef KERNEL_FS_EXT2_EXT2_INT_H
#define KERNEL_FS_EXT2_EXT2_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/ext2/ext2.h"
#include "kernel/fs/vfs.h"
#include "kernel/spinlock.h"
#include "lib/list.h"

struct bcache_buf;
struct pcache_ops;

/* ---- on-disk layout ------------------------------------------------------ */

#define EXT2_SB_OFFSET 1024		/* bytes from the start of the device */
#define EXT2_ROOT_INO 2
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_NDIR 12
#define EXT2_IND 12
#define EXT2_DIND 13
#define EXT2_TIND 14
#define EXT2_N_BLOCKS 15
#define EXT2_LINK_MAX 32000
#define EXT2_FAST_LINK_MAX 59		/* a target this long or shorter lives in i_block */

/* Superblock fields (byte offsets). */
#define SB_INODES_COUNT 0
#define SB_BLOCKS_COUNT 4
#define SB_R_BLOCKS_COUNT 8
#define SB_FREE_BLOCKS 12
#define SB_FREE_INODES 16
#define SB_FIRST_DATA_BLOCK 20
#define SB_LOG_BLOCK_SIZE 24
#define SB_BLOCKS_PER_GROUP 32
#define SB_INODES_PER_GROUP 40
#define SB_WTIME 48
#define SB_MAGIC 56
#define SB_REV_LEVEL 76
#define SB_FIRST_INO 84
#define SB_INODE_SIZE 88
#define SB_FEATURE_COMPAT 92
#define SB_FEATURE_INCOMPAT 96
#define SB_FEATURE_RO_COMPAT 100

#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002
#define EXT2_INCOMPAT_SUPPORTED EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_SUPPORTED \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

/* Group descriptor: 32 bytes. */
#define GD_SIZE 32
#define GD_BLOCK_BITMAP 0
#define GD_INODE_BITMAP 4
#define GD_INODE_TABLE 8
#define GD_FREE_BLOCKS 12
#define GD_FREE_INODES 14
#define GD_USED_DIRS 16

/* Inode fields. */
#define DI_MODE 0
#define DI_UID 2
#define DI_SIZE 4
#define DI_ATIME 8
#define DI_CTIME 12
#define DI_MTIME 16
#define DI_DTIME 20
#define DI_GID 24
#define DI_LINKS 26
#define DI_BLOCKS 28
#define DI_FLAGS 32
#define DI_BLOCK 40
#define DI_GENERATION 100
#define DI_FILE_ACL 104
#define DI_SIZE_HIGH 108
#define DI_BLOCKS_HI 116
#define DI_UID_HIGH 120
#define DI_GID_HIGH 122
#define DI_EXTRA_ISIZE 128

#define EXT2_INDEX_FL 0x00001000	/* htree directory (htree.h) */

/* Directory entry: inode u32, rec_len u16, name_len u8, file_type u8, name. */
#define DE_HDR 8
#define DE_LEN(namelen) (((unsigned)(namelen) + DE_HDR + 3) & ~3u)
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG 1
#define EXT2_FT_DIR 2
#define EXT2_FT_CHR 3
#define EXT2_FT_BLK 4
#define EXT2_FT_FIFO 5
#define EXT2_FT_SOCK 6
#define EXT2_FT_LNK 7

#define EXT2_XATTR_MAGIC 0xEA020000u

static inline uint16_t ld16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t ld32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void st16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void st32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

/* ---- the mounted fs -------------------------------------------------------- */

struct ext2_fs {
	struct superblock vsb;		/* I: the VFS's view (dev, name) */
	struct blkdev *dev;		/* I */
	struct spinlock lock;
	unsigned bsize;			/* I: bytes per block */
	uint32_t apb;			/* I: block numbers per indirect block */
	uint32_t blocks_count;		/* I */
	uint32_t inodes_count;		/* I */
	uint32_t first_data_block;	/* I */
	uint32_t bpg, ipg;		/* I: blocks and inodes per group */
	uint32_t ngroups;		/* I */
	uint32_t first_ino;		/* I: first non-reserved inode */
	unsigned inode_size;		/* I */
	bool filetype;			/* I: dir entries carry a file type */
	bool ro;			/* I: unknown RO_COMPAT feature */
	struct bcache_buf *sb_buf;	/* I: pinned; the superblock is at sb_off */
	uint8_t *sb;			/* L: the cached superblock bytes */
	unsigned gd_nblocks;		/* I */
	struct bcache_buf **gd_bufs;	/* I: pinned group-descriptor blocks */
	struct list_head inodes;	/* L: in-memory ext2_inodes */
	struct list_head *ihash;	/* L: EXT2_IHASH lists of the same, by number */
	struct list_head orphans;	/* L: unlinked, closed, not yet freed */
	unsigned live;			/* L: in-memory inodes (incl. orphans) */
	uint32_t last_alloc_group;	/* L: where directories went last */
	uint32_t ihint;			/* L: inode allocations in its group start here, or 0 */
	int64_t time_base;		/* I: seconds added to the uptime */
	void *dx_scratch;		/* L: a block-sized buffer for htree splits */
	unsigned dx_steps;		/* L: index growth steps committed (htree.h) */
};

struct ext2_inode {
	struct inode vfs;
	struct list_head node;		/* L: fs->inodes or fs->orphans */
	struct list_head hnode;		/* L: on its fs->ihash list while on fs->inodes */
	uint32_t iblock[EXT2_N_BLOCKS];	/* L */
	uint32_t blocks512;		/* L: i_blocks */
	uint32_t flags;			/* L */
	uint32_t file_acl;		/* L */
	uint32_t hint;			/* L: last block allocated, the goal for the next */
	unsigned resurrect;		/* L: lookups that revived it while its evict was pending */
	bool orphan;			/* L: on fs->orphans */
};

/* The in-memory inode table is hashed: the name cache keeps thousands of inodes. */
#define EXT2_IHASH 1024

static inline struct list_head *ext2_ihead(struct ext2_fs *fs, uint64_t ino)
{
	return &fs->ihash[ino % EXT2_IHASH];
}

static inline struct ext2_inode *EI(struct inode *ino)
{
	return (struct ext2_inode *)ino;
}

static inline struct ext2_fs *EFS(struct inode *ino)
{
	return (struct ext2_fs *)ino->sb;
}

/* ---- transactions: gather, then mutate --------------------------------- */

#define EXT2_TX_MAX 40

struct ext2_tx {
	struct ext2_fs *fs;
	unsigned n;
	unsigned npicked;
	uint32_t picked[8];	/* blocks chosen by ext2_balloc_gather, not yet marked */
	struct {
		uint32_t blk;
		struct bcache_buf *b;
	} e[EXT2_TX_MAX];
};

void tx_init(struct ext2_tx *tx, struct ext2_fs *fs);
/* Hold block blk (read it if needed): 0, -EIOWAIT, -EIO, -ENOSPC (tx full). */
int tx_get(struct ext2_tx *tx, uint32_t blk, uint8_t **data);
/* Hold a block about to be fully overwritten (zeroed, no read). */
int tx_new(struct ext2_tx *tx, uint32_t blk, uint8_t **data);
void tx_dirty(struct ext2_tx *tx, const uint8_t *data);
void tx_end(struct ext2_tx *tx);
bool tx_full(const struct ext2_tx *tx, unsigned more);

/* Read one block for a look only (no mutation follows in this op's phase). */
int ext2_peek(struct ext2_fs *fs, uint32_t blk, struct bcache_buf **b, uint8_t **data);
void ext2_unpeek(struct bcache_buf *b);

uint8_t *ext2_gd(struct ext2_fs *fs, uint32_t group);
void ext2_gd_dirty(struct ext2_fs *fs, uint32_t group);
void ext2_sb_dirty(struct ext2_fs *fs);
/* Wall time: the superblock's last write time at mount plus the uptime
 * (there is no real-time clock). Never below s_inodes_count, so e2fsck never
 * reads a dtime as an orphan-list link. */
int64_t ext2_now_ns(struct ext2_fs *fs);
uint32_t ext2_now(struct ext2_fs *fs);
int ext2_writable(struct ext2_fs *fs);

/* Blocks in group g (the last group is short; balloc.c). */
uint32_t ext2_group_blocks(struct ext2_fs *fs, uint32_t g);

/*
 * Block allocation in two phases: ext2_balloc_gather picks n free blocks
 * near goal (holding their bitmaps in tx, nothing changed; -ENOSPC), then
 * ext2_balloc_commit marks them used. Freeing: ext2_bfree_gather holds the
 * bitmap of blk, ext2_bfree_commit clears it.
 */
struct ext2_balloc {
	unsigned n;
	uint32_t blk[4];
};
int ext2_balloc_gather(struct ext2_tx *tx, uint32_t goal, unsigned n, struct ext2_balloc *ba);
void ext2_balloc_commit(struct ext2_tx *tx, const struct ext2_balloc *ba);
int ext2_bfree_gather(struct ext2_tx *tx, uint32_t blk);
void ext2_bfree_commit(struct ext2_tx *tx, uint32_t blk);
/* Inodes: pick a free inode near dir's group (dir: spread directories). */
int ext2_ialloc_gather(struct ext2_tx *tx, uint32_t dir_ino, bool is_dir, uint32_t *ino);
void ext2_ialloc_commit(struct ext2_tx *tx, uint32_t ino, bool is_dir);
int ext2_ifree_gather(struct ext2_tx *tx, uint32_t ino);
void ext2_ifree_commit(struct ext2_tx *tx, uint32_t ino, bool is_dir);

/* ---- inodes (inode.c) and the block map (bmap.c) ------------------------ */

extern const struct inode_ops ext2_iops;
extern const struct file_ops ext2_file_fops;
extern const struct file_ops ext2_dir_fops;

/* The in-memory inode for ino (counted), reading it from disk if needed. */
int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct inode **out);
/* A fresh in-memory inode for a just-allocated number (counted, not listed
 * until ext2_ilist). */
struct ext2_inode *ext2_inew(struct ext2_fs *fs, uint32_t ino, uint32_t mode);
void ext2_ilist(struct ext2_fs *fs, struct ext2_inode *ei);
void ext2_ifree_mem(struct ext2_inode *ei);
/* Hold the inode-table block of ino; *raw points at its on-disk inode. */
int ext2_itable_gather(struct ext2_tx *tx, uint32_t ino, uint8_t **raw);
/* Write ei into its (gathered) on-disk inode and mark the block dirty. */
void ext2_iwrite(struct ext2_tx *tx, struct ext2_inode *ei, bool fresh);

/* Physical block of logical block lbn, 0 for a hole (reads only). */
int ext2_bmap(struct ext2_fs *fs, struct ext2_inode *ei, uint64_t lbn, uint32_t *pblk);
/*
 * Gather what making lbn mapped needs (indirect blocks, bitmaps, the data
 * block itself, read unless whole): afterwards ext2_map_commit maps it and
 * returns the data buffer.
 */
struct ext2_map {
	unsigned depth;
	uint32_t off[4];
	uint8_t *ind[3];		/* held indirect blocks along the path */
	unsigned have;			/* levels that exist (of depth) */
	struct ext2_balloc ba;		/* new blocks: missing indirects, then data */
	uint32_t pblk;			/* the data block (existing or new) */
	uint8_t *data;
};
int ext2_map_gather(struct ext2_tx *tx, struct ext2_inode *ei, uint64_t lbn, bool whole,
		    struct ext2_map *m);
/* The same for a block of file data, which the page cache holds: the data
 * block is found or allocated, but not read or held (m->data is NULL). */
int ext2_map_gather_nodata(struct ext2_tx *tx, struct ext2_inode *ei, uint64_t lbn,
			   struct ext2_map *m);
void ext2_map_commit(struct ext2_tx *tx, struct ext2_inode *ei, struct ext2_map *m);
/* Regular-file data through the page cache (file.c). */
extern const struct pcache_ops ext2_pcache_ops;
/* Free every block of ei mapped at lbn >= keep; size untouched. */
int ext2_free_from(struct ext2_fs *fs, struct ext2_inode *ei, uint64_t keep);
/* Run deferred frees of orphans; may return -EIOWAIT. */
int ext2_orphans_locked(struct ext2_fs *fs);

uint64_t ext2_max_size(struct ext2_fs *fs);
/* Forget a parked I/O future (an op that made progress returns that instead). */
void ext2_forget_io(void);

/* ---- directory entries (dir.c), for the namespace ops (namei.c) ---------- */

/* Where a name was found. */
struct dloc {
	uint32_t pblk;		/* the block holding the entry */
	unsigned off;		/* its offset there */
	uint32_t ino;
	uint8_t ftype;
};

/* Where a new entry goes. */
struct dslot {
	bool newblock;
	uint64_t lbn;
	uint32_t pblk;
	unsigned off;
	bool split;		/* split the live entry at off, else reuse the free one */
	/* hashed directories (htree.h) */
	bool dx_split;		/* split the leaf at pblk first, then insert */
	bool unindex;		/* a linear insert into an index we cannot keep: drop it */
	uint32_t hash;		/* the new name's hash */
	uint32_t node_pblk;	/* the index block holding the leaf's entry */
	unsigned node_eoff, node_at;
	uint8_t *node;		/* that block, once gathered */
	uint64_t new_lbn;	/* where the split's new leaf goes */
	unsigned dx_version;	/* the dirhash version of the dir */
};

/* Find name in dir: 0 and *loc, -ENOENT, or -EIOWAIT. */
int ext2_dir_find(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len,
		  struct dloc *loc);
/* 0 if dir holds only "." and "..", else -ENOTEMPTY. */
int ext2_dir_check_empty(struct ext2_fs *fs, struct ext2_inode *dir);
/* Insertion in two steps: plan the slot, gather its blocks, then commit. */
int ext2_dir_plan_insert(struct ext2_fs *fs, struct ext2_inode *dir, const char *name,
			 size_t len, struct dslot *s);
int ext2_dir_insert_gather(struct ext2_tx *tx, struct ext2_inode *dir, struct dslot *s,
			   struct ext2_map *m, uint8_t **b);
void ext2_dir_insert_commit(struct ext2_tx *tx, struct ext2_inode *dir, struct dslot *s,
			    struct ext2_map *m, uint8_t *b, uint32_t ino, const char *name,
			    size_t len, unsigned ft);
/* Remove the entry at off of directory block b (merging it into the one before). */
void ext2_dir_remove(struct ext2_tx *tx, uint8_t *b, unsigned off);
/* mtime and ctime of dir become now. */
void ext2_dir_touch(struct ext2_inode *dir, int64_t now);
/* The directory-entry file type of a mode; an entry written at e. */
unsigned ext2_ft_of(uint32_t mode);
void ext2_de_fill(struct ext2_fs *fs, uint8_t *e, uint32_t ino, const char *name, size_t len,
		  unsigned ft, unsigned rec);

/* ---- the VFS ops on directories (dir.c, namei.c) ------------------------- */

int ext2_dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out);
int ext2_dir_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
		    uint32_t rdev, struct inode **out);
int ext2_dir_symlink(struct inode *dir, const char *name, size_t len, const char *target,
		     struct inode **out);
int ext2_dir_link(struct inode *dir, const char *name, size_t len, struct inode *target);
int ext2_dir_unlink(struct inode *dir, const char *name, size_t len, bool rmdir);
int ext2_dir_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		    const char *nname, size_t nlen, unsigned flags);
long ext2_readlink(struct inode *ino, char *buf, size_t n);

extern const struct super_ops ext2_super_ops;
int ext2_dir_readdir(struct inode *dir, uint64_t *pos, vfs_filldir_t fill, void *ctx);

#endif
