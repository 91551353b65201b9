// SPDX-License-Identifier: MIT
/*
 * ext2: mount (superblock and feature checks, pinned group descriptors),
 * the gather/mutate transaction, statfs and unmount. The bitmaps are in
 * balloc.c.
 */
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/fs/ioctx.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pcache.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- transactions ---------------------------------------------------------- */

void tx_init(struct ext2_tx *tx, struct ext2_fs *fs)
{
	tx->fs = fs;
	tx->n = 0;
	tx->npicked = 0;
}

bool tx_full(const struct ext2_tx *tx, unsigned more)
{
	return tx->n + more > EXT2_TX_MAX;
}

static int tx_hold(struct ext2_tx *tx, uint32_t blk, uint8_t **data, bool noread)
{
	struct bcache_buf *b;
	int err;

	if (!blk || blk >= tx->fs->blocks_count)
		return -EIO; /* a corrupt pointer: never touch block 0 or past the end */
	for (unsigned i = 0; i < tx->n; i++) {
		if (tx->e[i].blk == blk) {
			*data = bcache_data(tx->e[i].b);
			if (noread)
				memset(*data, 0, tx->fs->bsize);
			return 0;
		}
	}
	if (tx->n == EXT2_TX_MAX)
		return -ENOSPC;
	err = noread ? bcache_get_noread(tx->fs->dev, blk, tx->fs->bsize, &b)
		     : bcache_get(tx->fs->dev, blk, tx->fs->bsize, &b);
	if (err)
		return err;
	ioctx_pin(b); /* a rerun of this syscall finds it (ioctx.h) */
	tx->e[tx->n].blk = blk;
	tx->e[tx->n].b = b;
	tx->n++;
	*data = bcache_data(b);
	if (noread)
		memset(*data, 0, tx->fs->bsize);
	return 0;
}

int tx_get(struct ext2_tx *tx, uint32_t blk, uint8_t **data)
{
	return tx_hold(tx, blk, data, false);
}

int tx_new(struct ext2_tx *tx, uint32_t blk, uint8_t **data)
{
	return tx_hold(tx, blk, data, true);
}

void tx_dirty(struct ext2_tx *tx, const uint8_t *data)
{
	for (unsigned i = 0; i < tx->n; i++) {
		const uint8_t *d = bcache_data(tx->e[i].b);

		if (data >= d && data < d + tx->fs->bsize) {
			bcache_mark_dirty(tx->e[i].b);
			return;
		}
	}
}

void tx_end(struct ext2_tx *tx)
{
	for (unsigned i = 0; i < tx->n; i++)
		bcache_put(tx->e[i].b);
	tx->n = 0;
}

int ext2_peek(struct ext2_fs *fs, uint32_t blk, struct bcache_buf **b, uint8_t **data)
{
	int err;

	if (!blk || blk >= fs->blocks_count)
		return -EIO;
	err = bcache_get(fs->dev, blk, fs->bsize, b);
	if (err)
		return err;
	ioctx_pin(*b);
	*data = bcache_data(*b);
	return 0;
}

void ext2_unpeek(struct bcache_buf *b)
{
	bcache_put(b);
}

/* ---- superblock and group descriptors ------------------------------------ */

uint8_t *ext2_gd(struct ext2_fs *fs, uint32_t group)
{
	uint32_t per = fs->bsize / GD_SIZE;

	return (uint8_t *)bcache_data(fs->gd_bufs[group / per]) + (group % per) * GD_SIZE;
}

void ext2_gd_dirty(struct ext2_fs *fs, uint32_t group)
{
	bcache_mark_dirty(fs->gd_bufs[group / (fs->bsize / GD_SIZE)]);
}

void ext2_sb_dirty(struct ext2_fs *fs)
{
	bcache_mark_dirty(fs->sb_buf);
}

int64_t ext2_now_ns(struct ext2_fs *fs)
{
	return fs->time_base * 1000000000 + vfs_now_ns();
}

uint32_t ext2_now(struct ext2_fs *fs)
{
	return (uint32_t)(ext2_now_ns(fs) / 1000000000);
}

int ext2_writable(struct ext2_fs *fs)
{
	/* Unknown read-only features, or mounted (or remounted) MS_RDONLY. */
	return fs->ro || sb_rdonly(&fs->vsb) ? -EROFS : 0;
}

/* ---- mount ----------------------------------------------------------------- */

static uint32_t next_dev = 0x800; /* st_dev: major 8 (sd), a minor per mount */

static void fs_release_bufs(struct ext2_fs *fs)
{
	if (fs->gd_bufs) {
		for (unsigned i = 0; i < fs->gd_nblocks; i++)
			if (fs->gd_bufs[i])
				bcache_put(fs->gd_bufs[i]);
		kfree(fs->gd_bufs);
	}
	if (fs->sb_buf)
		bcache_put(fs->sb_buf);
	kfree(fs->dx_scratch);
	kfree(fs->ihash);
	kfree(fs);
}

/* Check the superblock and fill the geometry; -EINVAL with a message. */
static int parse_super(struct ext2_fs *fs, const uint8_t *sb)
{
	uint32_t log = ld32(sb + SB_LOG_BLOCK_SIZE);
	uint32_t incompat, ro_compat;

	if (ld16(sb + SB_MAGIC) != EXT2_SUPER_MAGIC) {
		kprintf("ext2: no ext2 superblock (magic %#x)\n", ld16(sb + SB_MAGIC));
		return -EINVAL;
	}
	if (log > 2) {
		kprintf("ext2: block size %u unsupported (1024, 2048, 4096 are)\n", 1024u << log);
		return -EINVAL;
	}
	fs->bsize = 1024u << log;
	fs->apb = fs->bsize / 4;
	fs->blocks_count = ld32(sb + SB_BLOCKS_COUNT);
	fs->inodes_count = ld32(sb + SB_INODES_COUNT);
	fs->first_data_block = ld32(sb + SB_FIRST_DATA_BLOCK);
	fs->bpg = ld32(sb + SB_BLOCKS_PER_GROUP);
	fs->ipg = ld32(sb + SB_INODES_PER_GROUP);
	if (ld32(sb + SB_REV_LEVEL) == 0) {
		fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
		fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		incompat = ro_compat = 0;
	} else {
		fs->first_ino = ld32(sb + SB_FIRST_INO);
		fs->inode_size = ld16(sb + SB_INODE_SIZE);
		incompat = ld32(sb + SB_FEATURE_INCOMPAT);
		ro_compat = ld32(sb + SB_FEATURE_RO_COMPAT);
	}
	if (!fs->bpg || !fs->ipg || fs->bpg > fs->bsize * 8 || fs->ipg > fs->bsize * 8 ||
	    fs->inode_size < 128 || fs->inode_size > fs->bsize ||
	    (fs->inode_size & (fs->inode_size - 1)) || fs->blocks_count <= fs->first_data_block ||
	    fs->first_ino < EXT2_GOOD_OLD_FIRST_INO) {
		kprintf("ext2: corrupt superblock geometry\n");
		return -EINVAL;
	}
	if (incompat & ~(uint32_t)EXT2_INCOMPAT_SUPPORTED) {
		kprintf("ext2: refusing to mount: unsupported incompatible features %#x "
			"(only filetype is supported)\n",
			incompat & ~(uint32_t)EXT2_INCOMPAT_SUPPORTED);
		return -EINVAL;
	}
	if (ro_compat & ~(uint32_t)EXT2_RO_COMPAT_SUPPORTED) {
		kprintf("ext2: unknown read-only-compatible features %#x: mounting read-only\n",
			ro_compat & ~(uint32_t)EXT2_RO_COMPAT_SUPPORTED);
		fs->ro = true;
	}
	fs->filetype = incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
	fs->time_base = ld32(sb + SB_WTIME);
	if (fs->time_base < (int64_t)fs->inodes_count + 1)
		fs->time_base = (int64_t)fs->inodes_count + 1;
	fs->ngroups = (fs->blocks_count - fs->first_data_block + fs->bpg - 1) / fs->bpg;
	/* Linux's checks, each found by a corrupt-disk case (tests/qemu/test_corrupt.py,
	 * TARGETED): the inode count is exactly groups x inodes per group; the first
	 * ordinary inode exists; a 1 KiB fs starts at block 1, a larger one at 0. */
	if ((uint64_t)fs->ngroups * fs->ipg != fs->inodes_count) {
		kprintf("ext2: corrupt superblock: inode count\n");
		return -EINVAL;
	}
	if (fs->first_ino > fs->inodes_count ||
	    fs->first_data_block != (fs->bsize == 1024 ? 1u : 0u)) {
		kprintf("ext2: corrupt superblock geometry\n");
		return -EINVAL;
	}
	return 0;
}

/*
 * The superblock (bytes 1024..2047) is read through the cache as part of the
 * block that holds it at the fs's own block size, because the cache refuses
 * a block number cached with another size (a 1 KiB probe of block 1 would
 * collide with a 4 KiB fs's group descriptors in block 1). The size is a
 * guess (4096, the most common) until the superblock says otherwise; the
 * answer is remembered per device so a restart after -EIOWAIT does not
 * guess again.
 */
static struct {
	struct blkdev *dev;
	unsigned bsize;
} sb_size_memo; /* racy by design: a stale answer only costs a wrong guess */

/* Weak: the host test's fake cache (tests/unit/test_ext2.c) keys blocks by
 * size as well, needs no invalidation and has no such function. */
extern unsigned bcache_invalidate_clean(struct blkdev *dev) __attribute__((weak));

static unsigned sb_size_guess(struct blkdev *dev)
{
	return __atomic_load_n(&sb_size_memo.dev, __ATOMIC_RELAXED) == dev ? sb_size_memo.bsize
									 : 4096;
}

int ext2_mount(struct blkdev *dev, struct ext2_fs **out, struct inode **root)
{
	struct ext2_fs *fs;
	unsigned guess = sb_size_guess(dev);
	int err;

	fs = kzalloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
again:
	err = bcache_get(dev, guess == 1024 ? 1 : 0, guess, &fs->sb_buf);
	if (err)
		goto out_free;
	fs->sb = (uint8_t *)bcache_data(fs->sb_buf) + (guess == 1024 ? 0 : EXT2_SB_OFFSET);
	err = parse_super(fs, fs->sb);
	if (err)
		goto out_free;
	if (fs->bsize != guess) {
		/* Drop the wrong-size block (clean, unused) so it cannot collide. */
		bcache_put(fs->sb_buf);
		fs->sb_buf = NULL;
		if (bcache_invalidate_clean)
			bcache_invalidate_clean(dev);
		sb_size_memo.bsize = fs->bsize;
		__atomic_store_n(&sb_size_memo.dev, dev, __ATOMIC_RELAXED);
		guess = fs->bsize;
		goto again;
	}
	/* A file system larger than its device (a truncated image): Linux refuses it too.
	 * (0 sectors: a size nobody told, as the host test's fake device.) */
	if (dev->sectors && (uint64_t)fs->blocks_count * (fs->bsize / BLK_SECTOR_SIZE) > dev->sectors) {
		kprintf("ext2: %u blocks do not fit the device (%lu sectors)\n", fs->blocks_count,
			(unsigned long)dev->sectors);
		err = -EINVAL;
		goto out_free;
	}
	fs->gd_nblocks = (fs->ngroups * GD_SIZE + fs->bsize - 1) / fs->bsize;
	fs->gd_bufs = kzalloc(fs->gd_nblocks * sizeof(*fs->gd_bufs));
	err = -ENOMEM;
	if (!fs->gd_bufs)
		goto out_free;
	for (unsigned i = 0; i < fs->gd_nblocks; i++) {
		err = bcache_get(dev, fs->first_data_block + 1 + i, fs->bsize, &fs->gd_bufs[i]);
		if (err)
			goto out_free;
	}
	fs->dev = dev;
	spin_init(&fs->lock, "ext2");
	list_init(&fs->inodes);
	fs->ihash = kmalloc(EXT2_IHASH * sizeof(*fs->ihash));
	err = -ENOMEM;
	if (!fs->ihash)
		goto out_free;
	for (unsigned i = 0; i < EXT2_IHASH; i++)
		list_init(&fs->ihash[i]);
	list_init(&fs->orphans);
	fs->vsb.name = "ext2";
	fs->vsb.ops = &ext2_super_ops;
	fs->vsb.bdev = dev;
	fs->vsb.fs_flags = SB_DCACHE;
	fs->vsb.dev = __atomic_fetch_add(&next_dev, 1, __ATOMIC_RELAXED);
	/* As Linux's ext2_check_descriptors: each group's bitmaps and whole inode table lie
	 * inside that group, past the descriptors (corrupt-disk image "gdt" cases: a bitmap
	 * at block 0 mounted and turned every write into EIO; one inside another group's
	 * table would have been written over it). */
	uint32_t itb = (uint32_t)(((uint64_t)fs->ipg * fs->inode_size + fs->bsize - 1) / fs->bsize);

	for (uint32_t g = 0; g < fs->ngroups; g++) {
		uint8_t *gd = ext2_gd(fs, g);
		uint32_t lo = fs->first_data_block + g * fs->bpg, hi = lo + ext2_group_blocks(fs, g);
		uint32_t bb = ld32(gd + GD_BLOCK_BITMAP), ib = ld32(gd + GD_INODE_BITMAP);
		uint32_t it = ld32(gd + GD_INODE_TABLE);

		if (g == 0)
			lo = fs->first_data_block + 1 + fs->gd_nblocks;
		if (bb < lo || bb >= hi || ib < lo || ib >= hi || it < lo || it >= hi ||
		    itb > hi - it || bb == ib || (bb >= it && bb < it + itb) ||
		    (ib >= it && ib < it + itb)) {
			kprintf("ext2: group %u: descriptor out of range\n", g);
			err = -EINVAL;
			goto out_free;
		}
	}
	irqflags_t fl = spin_lock_irqsave(&fs->lock);

	err = ext2_iget(fs, EXT2_ROOT_INO, root);
	spin_unlock_irqrestore(&fs->lock, fl);
	if (err)
		goto out_free;
	if (!S_ISDIR((*root)->mode)) {
		kprintf("ext2: root inode is not a directory (mode %#o)\n", (*root)->mode);
		inode_put(*root);
		return -EINVAL; /* fs stays: the inode's evict needs it (a leak on a bad image) */
	}
	*out = fs;
	return 0;
out_free:
	fs_release_bufs(fs);
	return err;
}

struct ext2_fs *ext2_from_sb(struct superblock *sb)
{
	if (!sb || !sb->name || strcmp(sb->name, "ext2"))
		return NULL;
	return (struct ext2_fs *)sb;
}

struct blkdev *ext2_blkdev(struct ext2_fs *fs)
{
	return fs->dev;
}

/* Does group g hold a superblock backup (and the descriptors)? */
static bool group_has_super(struct ext2_fs *fs, uint32_t g)
{
	bool sparse = ld32(fs->sb + SB_REV_LEVEL) &&
		      (ld32(fs->sb + SB_FEATURE_RO_COMPAT) & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER);

	if (!sparse || g <= 1)
		return true;
	for (uint32_t p = 3; p <= 7; p += 2) { /* a power of 3, 5 or 7 */
		uint64_t v = p;

		while (v < g)
			v *= p;
		if (v == g)
			return true;
	}
	return false;
}

/*
 * The blocks that are the fs's own (Linux's ext2_statfs without minixdf):
 * the first data block, each superblock copy and its descriptor blocks,
 * and per group the two bitmaps and the inode table. df shows the rest.
 */
static uint64_t overhead_blocks(struct ext2_fs *fs)
{
	uint64_t itb = ((uint64_t)fs->ipg * fs->inode_size + fs->bsize - 1) / fs->bsize;
	uint64_t n = fs->first_data_block + (uint64_t)fs->ngroups * (2 + itb);

	for (uint32_t g = 0; g < fs->ngroups; g++)
		if (group_has_super(fs, g))
			n += 1 + fs->gd_nblocks;
	return n;
}

void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st)
{
	uint64_t over = overhead_blocks(fs); /* reads only what is set at mount */
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	uint32_t r = ld32(fs->sb + SB_R_BLOCKS_COUNT);

	st->bsize = fs->bsize;
	st->blocks = fs->blocks_count > over ? fs->blocks_count - over : 0;
	st->bfree = ld32(fs->sb + SB_FREE_BLOCKS);
	st->bavail = st->bfree > r ? st->bfree - r : 0;
	st->files = fs->inodes_count;
	st->ffree = ld32(fs->sb + SB_FREE_INODES);
	st->ro = fs->ro;
	spin_unlock_irqrestore(&fs->lock, fl);
}

int ext2_flush(struct ext2_fs *fs)
{
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	int err = ext2_orphans_locked(fs);

	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

int ext2_unmount(struct ext2_fs *fs, struct inode *root)
{
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	int err = ext2_orphans_locked(fs);

	if (!err && (fs->live != 1 || atomic_load(&root->ref) != 1))
		err = -EBUSY;
	spin_unlock_irqrestore(&fs->lock, fl);
	if (err)
		return err;
	inode_put(root); /* evicts the root: fs->live drops to 0 */
	pcache_forget_sb(&fs->vsb);
	fs_release_bufs(fs);
	return 0;
}

/* ---- the VFS's entry points ---------------------------------------------- */

static int sop_flush(struct superblock *sb)
{
	return ext2_flush(ext2_from_sb(sb));
}

/* File pages first, then the metadata they were allocated in. */
static struct future *sop_sync(struct superblock *sb)
{
	struct future *meta = bcache_sync(ext2_from_sb(sb)->dev);

	return meta ? pcache_sync_then(sb, NULL, meta) : NULL;
}

static void sop_statfs(struct superblock *sb, struct vfs_statfs *vs)
{
	struct ext2_statfs es;

	ext2_statfs(ext2_from_sb(sb), &es);
	vs->magic = EXT2_SUPER_MAGIC;
	vs->bsize = es.bsize;
	vs->blocks = es.blocks;
	vs->bfree = es.bfree;
	vs->bavail = es.bavail;
	vs->files = es.files;
	vs->ffree = es.ffree;
	vs->ro = es.ro;
}

static int sop_unmount(struct superblock *sb, struct inode *root)
{
	return ext2_unmount(ext2_from_sb(sb), root);
}

const struct super_ops ext2_super_ops = {
	.flush = sop_flush,
	.sync = sop_sync,
	.statfs = sop_statfs,
	.unmount = sop_unmount,
};

static int fst_mount(struct blkdev *dev, const struct mount_opts *o, struct inode **root)
{
	struct ext2_fs *fs;

	(void)o;
	return ext2_mount(dev, &fs, root);
}

static const struct fs_type ext2_fs_type = {
	.name = "ext2",
	.needs_dev = true,
	.mount = fst_mount,
};
FS_TYPE(ext2_fs_type);
