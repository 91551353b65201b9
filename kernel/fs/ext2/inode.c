// SPDX-License-Identifier: MIT
/*
 * ext2 inodes: the in-memory inode table (one struct inode per inode number,
 * so links and open files agree), reading and writing on-disk inodes,
 * freeing blocks on truncate and delete, and eviction. The block map is
 * bmap.c.
 *
 * Freeing runs in steps, each a complete gather-then-mutate transaction
 * that frees up to FREE_BATCH blocks from the end of the file and leaves
 * a consistent file system behind; a step that would wait returns -EIOWAIT
 * and the restarted op carries on where the last step stopped. i_size only
 * changes after the blocks past it are gone.
 */
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/devfs.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/ipc/fifo.h"
#include "kernel/async/future.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/pcache.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define FREE_BATCH 32

static const struct file_ops *fops_of(uint32_t mode, uint32_t rdev)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return &ext2_dir_fops;
	case S_IFREG:
		return &ext2_file_fops;
	case S_IFCHR:
		return devfs_fops(rdev);
	case S_IFBLK:
		return &blkdev_fops;
	case S_IFIFO:
		return &fifo_fops;
	default:
		return NULL;
	}
}

static bool is_fast_symlink(struct ext2_fs *fs, struct ext2_inode *ei)
{
	uint32_t acl = ei->file_acl ? fs->bsize / 512 : 0;

	return S_ISLNK(ei->vfs.mode) && ei->blocks512 == acl;
}

/*
 * Whether i_block is a block map. Only regular files, directories and slow symlinks have
 * one: a device node keeps its device number there, a fast symlink its target, a FIFO or
 * socket nothing. Freeing those words as blocks freed random blocks (`mknod c 1 3` named
 * a group-descriptor block) and corrupted the fs.
 */
static bool has_block_map(struct ext2_fs *fs, struct ext2_inode *ei)
{
	uint32_t fmt = ei->vfs.mode & S_IFMT;

	return fmt == S_IFREG || fmt == S_IFDIR || (fmt == S_IFLNK && !is_fast_symlink(fs, ei));
}

void ext2_forget_io(void)
{
	struct future *f = vfs_take_io_wait();

	if (f) {
		future_drop(f);
		future_release(f);
	}
}

/* ---- the on-disk inode -------------------------------------------------- */

static int itable_loc(struct ext2_fs *fs, uint32_t ino, uint32_t *blk, unsigned *off)
{
	uint32_t g, idx;
	uint64_t byte;

	if (ino < 1 || ino > fs->inodes_count)
		return -EIO;
	g = (ino - 1) / fs->ipg;
	idx = (ino - 1) % fs->ipg;
	byte = (uint64_t)idx * fs->inode_size;
	*blk = ld32(ext2_gd(fs, g) + GD_INODE_TABLE) + (uint32_t)(byte / fs->bsize);
	*off = (unsigned)(byte % fs->bsize);
	return 0;
}

int ext2_itable_gather(struct ext2_tx *tx, uint32_t ino, uint8_t **raw)
{
	uint32_t blk;
	unsigned off;
	uint8_t *d;
	int err = itable_loc(tx->fs, ino, &blk, &off);

	if (!err)
		err = tx_get(tx, blk, &d);
	if (!err && raw)
		*raw = d + off;
	return err;
}

static int64_t ns(uint32_t s)
{
	return (int64_t)s * 1000000000;
}

static uint32_t secs(int64_t t)
{
	return t > 0 ? (uint32_t)(t / 1000000000) : 0;
}

void ext2_iwrite(struct ext2_tx *tx, struct ext2_inode *ei, bool fresh)
{
	struct ext2_fs *fs = tx->fs;
	struct inode *v = &ei->vfs;
	uint8_t *raw;

	ext2_itable_gather(tx, (uint32_t)v->ino, &raw); /* gathered earlier: cannot miss */
	if (fresh) {
		memset(raw, 0, fs->inode_size);
		if (fs->inode_size > EXT2_GOOD_OLD_INODE_SIZE)
			st16(raw + DI_EXTRA_ISIZE, 32); /* as mke2fs writes its inodes */
	}
	st16(raw + DI_MODE, (uint16_t)v->mode);
	st16(raw + DI_UID, (uint16_t)v->uid);
	st16(raw + DI_UID_HIGH, (uint16_t)(v->uid >> 16));
	st16(raw + DI_GID, (uint16_t)v->gid);
	st16(raw + DI_GID_HIGH, (uint16_t)(v->gid >> 16));
	st32(raw + DI_SIZE, (uint32_t)v->size);
	st32(raw + DI_SIZE_HIGH, S_ISREG(v->mode) ? (uint32_t)(v->size >> 32) : 0);
	st32(raw + DI_ATIME, secs(v->atime_ns));
	st32(raw + DI_CTIME, secs(v->ctime_ns));
	st32(raw + DI_MTIME, secs(v->mtime_ns));
	st16(raw + DI_LINKS, (uint16_t)v->nlink);
	st32(raw + DI_BLOCKS, ei->blocks512);
	st16(raw + DI_BLOCKS_HI, 0);
	st32(raw + DI_FLAGS, ei->flags);
	for (int i = 0; i < EXT2_N_BLOCKS; i++)
		st32(raw + DI_BLOCK + 4 * i, ei->iblock[i]);
	st32(raw + DI_FILE_ACL, ei->file_acl);
	tx_dirty(tx, raw);
}

static struct ext2_inode *ialloc_mem(struct ext2_fs *fs, uint32_t ino, uint32_t mode,
				     uint32_t rdev)
{
	struct ext2_inode *ei = kzalloc(sizeof(*ei));

	if (!ei)
		return NULL;
	inode_init(&ei->vfs, &fs->vsb, mode, &ext2_iops, fops_of(mode, rdev));
	ei->vfs.ino = ino;
	ei->vfs.rdev = rdev;
	list_init(&ei->node);
	list_init(&ei->hnode);
	if (S_ISREG(mode) && pcache_attach(&ei->vfs, &ext2_pcache_ops, fs->dev, fs->bsize)) {
		kfree(ei);
		return NULL;
	}
	return ei;
}

struct ext2_inode *ext2_inew(struct ext2_fs *fs, uint32_t ino, uint32_t mode)
{
	struct ext2_inode *ei = ialloc_mem(fs, ino, mode, 0);

	if (ei && S_ISDIR(mode))
		ei->vfs.nlink = 2;
	return ei;
}

void ext2_ilist(struct ext2_fs *fs, struct ext2_inode *ei)
{
	list_add(&ei->node, &fs->inodes);
	list_add(&ei->hnode, ext2_ihead(fs, ei->vfs.ino));
	fs->live++;
}

void ext2_ifree_mem(struct ext2_inode *ei)
{
	pcache_detach(&ei->vfs);
	kfree(ei);
}

int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct inode **out)
{
	struct ext2_inode *ei;
	struct bcache_buf *b;
	uint8_t *d, *raw;
	uint32_t blk, mode, rdev = 0;
	unsigned off;
	int err;

	list_for_each_entry(ei, ext2_ihead(fs, ino), hnode) {
		if (ei->vfs.ino != ino)
			continue;
		/* acquire pairs with inode_put's release: see the fields the last
		 * holder wrote. A zero count means its evict is on the way. */
		if (atomic_fetch_add_explicit(&ei->vfs.ref, 1, memory_order_acquire) == 0)
			ei->resurrect++;
		*out = &ei->vfs;
		return 0;
	}
	err = itable_loc(fs, ino, &blk, &off);
	if (err)
		return err;
	err = ext2_peek(fs, blk, &b, &d);
	if (err)
		return err;
	raw = d + off;
	mode = ld16(raw + DI_MODE);
	if (!ld16(raw + DI_LINKS) || !(mode & S_IFMT)) {
		ext2_unpeek(b);
		kprintf("ext2: directory entry names free inode %u\n", ino);
		return -EIO;
	}
	if (S_ISCHR(mode) || (mode & S_IFMT) == S_IFBLK) {
		/* old encoding in i_block[0], new in i_block[1] */
		uint32_t o = ld32(raw + DI_BLOCK), n = ld32(raw + DI_BLOCK + 4);

		if (o)
			rdev = MKDEV((o >> 8) & 0xff, o & 0xff);
		else
			rdev = MKDEV((n & 0xfff00) >> 8, (n & 0xff) | ((n >> 12) & 0xfff00));
	}
	ei = ialloc_mem(fs, ino, mode, rdev);
	if (!ei) {
		ext2_unpeek(b);
		return -ENOMEM;
	}
	ei->vfs.uid = ld16(raw + DI_UID) | (uint32_t)ld16(raw + DI_UID_HIGH) << 16;
	ei->vfs.gid = ld16(raw + DI_GID) | (uint32_t)ld16(raw + DI_GID_HIGH) << 16;
	ei->vfs.size = ld32(raw + DI_SIZE);
	if (S_ISREG(mode))
		ei->vfs.size |= (uint64_t)ld32(raw + DI_SIZE_HIGH) << 32;
	ei->vfs.atime_ns = ns(ld32(raw + DI_ATIME));
	ei->vfs.ctime_ns = ns(ld32(raw + DI_CTIME));
	ei->vfs.mtime_ns = ns(ld32(raw + DI_MTIME));
	ei->vfs.nlink = ld16(raw + DI_LINKS);
	ei->blocks512 = ld32(raw + DI_BLOCKS);
	ei->flags = ld32(raw + DI_FLAGS);
	for (int i = 0; i < EXT2_N_BLOCKS; i++)
		ei->iblock[i] = ld32(raw + DI_BLOCK + 4 * i);
	ei->file_acl = ld32(raw + DI_FILE_ACL);
	ext2_unpeek(b);
	ext2_ilist(fs, ei);
	*out = &ei->vfs;
	return 0;
}

/* ---- freeing ---------------------------------------------------------------- */

struct victim {
	uint32_t blk;
	uint8_t *parent;	/* the indirect block holding the pointer, NULL: the inode */
	uint32_t idx;
};

struct free_step {
	struct ext2_tx tx;
	struct victim v[FREE_BATCH];
	unsigned n;
};

static int add_victim(struct free_step *s, uint32_t blk, uint8_t *parent, uint32_t idx)
{
	int err = ext2_bfree_gather(&s->tx, blk);

	if (err)
		return err;
	s->v[s->n].blk = blk;
	s->v[s->n].parent = parent;
	s->v[s->n].idx = idx;
	s->n++;
	return 0;
}

static bool step_full(const struct free_step *s)
{
	return s->n == FREE_BATCH || tx_full(&s->tx, 2);
}

/* Walk down from the indirect block blk (level lvl, first lbn base) to the
 * last mapped block at or past keep, collecting victims. 0: nothing past
 * keep under blk; 1: victims collected; <0: error. */
static int subtree_step(struct free_step *s, uint32_t blk, unsigned lvl, uint64_t base,
			uint64_t keep, uint8_t *parent, uint32_t pidx)
{
	struct ext2_fs *fs = s->tx.fs;

	for (;;) {
		uint64_t span = 1;
		uint8_t *d;
		int err, last = -1;

		for (unsigned i = 1; i < lvl; i++)
			span *= fs->apb;
		err = tx_get(&s->tx, blk, &d);
		if (err)
			return err;
		for (int j = (int)fs->apb - 1; j >= 0; j--) {
			if (ld32(d + 4 * j)) {
				last = j;
				break;
			}
		}
		if (last < 0) {
			if (base < keep)
				return 0;
			err = add_victim(s, blk, parent, pidx);
			return err ? err : 1;
		}
		if (base + (uint64_t)(last + 1) * span <= keep)
			return 0;
		if (lvl == 1) {
			for (int j = last; j >= 0 && base + (uint64_t)j >= keep && !step_full(s);
			     j--) {
				uint32_t c = ld32(d + 4 * j);

				if (c && (err = add_victim(s, c, d, (uint32_t)j)))
					return err;
			}
			return s->n ? 1 : 0;
		}
		parent = d;
		pidx = (uint32_t)last;
		blk = ld32(d + 4 * last);
		base += (uint64_t)last * span;
		lvl--;
	}
}

/* One step; 1: freed some, 0: nothing left past keep. */
static int free_step(struct ext2_fs *fs, struct ext2_inode *ei, uint64_t keep)
{
	struct free_step *s = kmalloc(sizeof(*s));
	uint64_t a = fs->apb;
	uint64_t start[EXT2_N_BLOCKS];
	int r = 0;

	if (!s)
		return -ENOMEM;
	tx_init(&s->tx, fs);
	s->n = 0;
	for (int i = 0; i < EXT2_NDIR; i++)
		start[i] = (uint64_t)i;
	start[EXT2_IND] = EXT2_NDIR;
	start[EXT2_DIND] = EXT2_NDIR + a;
	start[EXT2_TIND] = EXT2_NDIR + a + a * a;
	r = ext2_itable_gather(&s->tx, (uint32_t)ei->vfs.ino, NULL);
	for (int slot = EXT2_TIND; slot >= 0 && !r; slot--) {
		uint64_t end = slot < EXT2_NDIR ? start[slot] + 1
			       : slot == EXT2_TIND ? start[slot] + a * a * a
						   : start[slot + 1];

		if (!ei->iblock[slot] || end <= keep)
			continue;
		if (slot < EXT2_NDIR) {
			for (int j = slot; j >= 0 && (uint64_t)j >= keep && !step_full(s) && !r;
			     j--)
				if (ei->iblock[j])
					r = add_victim(s, ei->iblock[j], NULL, (uint32_t)j);
			if (!r)
				r = 1;
			break;
		}
		r = subtree_step(s, ei->iblock[slot], (unsigned)(slot - EXT2_NDIR + 1), start[slot],
				 keep, NULL, (uint32_t)slot);
	}
	if (r == 1) {
		for (unsigned i = 0; i < s->n; i++) {
			struct victim *v = &s->v[i];

			ext2_bfree_commit(&s->tx, v->blk);
			if (v->parent) {
				st32(v->parent + 4 * v->idx, 0);
				tx_dirty(&s->tx, v->parent);
			} else {
				ei->iblock[v->idx] = 0;
			}
			ei->blocks512 -= fs->bsize / 512;
		}
		ei->hint = 0;
		ext2_iwrite(&s->tx, ei, false);
	}
	tx_end(&s->tx);
	kfree(s);
	return r;
}

int ext2_free_from(struct ext2_fs *fs, struct ext2_inode *ei, uint64_t keep)
{
	int r;

	if (!has_block_map(fs, ei))
		return 0;
	while ((r = free_step(fs, ei, keep)) == 1)
		;
	return r;
}

/* Free the blocks, the xattr block and the inode number of an inode with no
 * links left. */
static int release_locked(struct ext2_fs *fs, struct ext2_inode *ei)
{
	struct ext2_tx tx;
	uint8_t *raw, *x = NULL;
	uint32_t ino = (uint32_t)ei->vfs.ino;
	int err = ei->vfs.pcache ? pcache_truncate(ei->vfs.pcache, 0) : 0;

	if (!err)
		err = ext2_free_from(fs, ei, 0);
	if (err)
		return err;
	tx_init(&tx, fs);
	err = ext2_itable_gather(&tx, ino, &raw);
	if (!err)
		err = ext2_ifree_gather(&tx, ino);
	if (!err && ei->file_acl) {
		err = tx_get(&tx, ei->file_acl, &x);
		if (!err)
			err = ext2_bfree_gather(&tx, ei->file_acl);
	}
	if (err) {
		tx_end(&tx);
		return err;
	}
	if (x) {
		uint32_t refs = ld32(x + 4);

		if (ld32(x) == EXT2_XATTR_MAGIC && refs > 1) {
			st32(x + 4, refs - 1);
			tx_dirty(&tx, x);
		} else {
			ext2_bfree_commit(&tx, ei->file_acl);
		}
		ei->blocks512 -= fs->bsize / 512;
		ei->file_acl = 0;
	}
	ei->vfs.nlink = 0;
	if (has_block_map(fs, ei))
		ei->vfs.size = 0;
	ei->vfs.ctime_ns = ei->vfs.mtime_ns = ext2_now_ns(fs);
	ext2_iwrite(&tx, ei, false);
	st32(raw + DI_DTIME, ext2_now(fs));
	ext2_ifree_commit(&tx, ino, S_ISDIR(ei->vfs.mode));
	tx_end(&tx);
	return 0;
}

int ext2_orphans_locked(struct ext2_fs *fs)
{
	while (!list_empty(&fs->orphans)) {
		struct ext2_inode *ei = list_first_entry(&fs->orphans, struct ext2_inode, node);
		int err = release_locked(fs, ei);

		if (err)
			return err;
		list_del(&ei->node);
		fs->live--;
		ext2_ifree_mem(ei);
	}
	return 0;
}

static void ext2_evict(struct inode *ino)
{
	struct ext2_inode *ei = EI(ino);
	struct ext2_fs *fs = EFS(ino);
	irqflags_t fl = spin_lock_irqsave(&fs->lock);

	if (ei->resurrect) {
		/* A lookup revived it after the count hit zero; that holder's
		 * last put calls evict again. */
		ei->resurrect--;
		spin_unlock_irqrestore(&fs->lock, fl);
		return;
	}
	if (ino->nlink == 0 && !fs->ro) {
		int err = release_locked(fs, ei);

		if (err == -EIOWAIT) {
			/* Nobody can wait here: let the read run, free the inode
			 * in the next op that may wait (ext2_orphans_locked). */
			ext2_forget_io();
			list_del(&ei->node);
			list_del(&ei->hnode);
			list_add_tail(&ei->node, &fs->orphans);
			ei->orphan = true;
			spin_unlock_irqrestore(&fs->lock, fl);
			return;
		}
		if (err)
			kprintf("ext2: inode %lu: lost while freeing (%d)\n", (unsigned long)ino->ino,
				err);
	}
	list_del(&ei->node);
	list_del(&ei->hnode);
	fs->live--;
	spin_unlock_irqrestore(&fs->lock, fl);
	ext2_ifree_mem(ei);
}

/* ---- truncate --------------------------------------------------------------- */

/* Largest size: what the triple-indirect map reaches, and i_blocks (in
 * 512-byte units, 32 bits) must count it. */
static uint64_t max_size(struct ext2_fs *fs)
{
	uint64_t a = fs->apb, blocks = EXT2_NDIR + a + a * a + a * a * a;
	uint64_t by_map = blocks * fs->bsize, by_iblocks = ((1ull << 32) - 1) * 512 / 2;

	return by_map < by_iblocks ? by_map : by_iblocks;
}

uint64_t ext2_max_size(struct ext2_fs *fs)
{
	return max_size(fs);
}

static int ext2_truncate(struct inode *ino, uint64_t size)
{
	struct ext2_inode *ei = EI(ino);
	struct ext2_fs *fs = EFS(ino);
	struct pcache *pc = ino->pcache;
	struct pcpage *tail = NULL;
	struct ext2_tx tx;
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	int err = ext2_writable(fs);

	if (!err && size > max_size(fs))
		err = -EFBIG;
	if (!err)
		err = ext2_orphans_locked(fs);
	if (!err && pc && size < ino->size && (size % fs->bsize)) {
		/* The block holding the new end keeps a zeroed tail on the
		 * disk: its page must be cached (and stay so) to zero it. */
		uint32_t p = 0;

		tail = pcache_find_page(pc, size >> PAGE_SHIFT);
		if (!tail)
			err = ext2_bmap(fs, ei, size / fs->bsize, &p);
		if (!err && p) {
			spin_unlock_irqrestore(&fs->lock, fl);
			err = pcache_get_page(ino, size >> PAGE_SHIFT, &tail);
			if (err)
				return err; /* -EIOWAIT: run again once it is read */
			fl = spin_lock_irqsave(&fs->lock);
		}
	}
	/* Pages past the end go before their blocks do (both steps restart
	 * cleanly after a wait: the first is idempotent). */
	if (!err && pc && size < ino->size)
		err = pcache_truncate(pc, size);
	if (tail)
		pcache_page_put(tail);
	if (!err && size < ino->size)
		err = ext2_free_from(fs, ei, (size + fs->bsize - 1) / fs->bsize);
	if (err)
		goto out;
	tx_init(&tx, fs);
	err = ext2_itable_gather(&tx, (uint32_t)ino->ino, NULL);
	if (!err) {
		ino->size = size;
		ino->mtime_ns = ino->ctime_ns = ext2_now_ns(fs);
		ext2_iwrite(&tx, ei, false);
	}
	tx_end(&tx);
out:
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

/* ---- attributes ---------------------------------------------------------------- */

/* Gather the inode's table block, then change it (the restart contract). */
static int ext2_setattr(struct inode *ino, const struct iattr *ia)
{
	struct ext2_fs *fs = EFS(ino);
	struct ext2_tx tx;
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	int err;

	tx_init(&tx, fs);
	err = ext2_writable(fs);
	if (!err)
		err = ext2_itable_gather(&tx, (uint32_t)ino->ino, NULL);
	if (!err) {
		inode_setattr_mem(ino, ia, ext2_now_ns(fs));
		ext2_iwrite(&tx, EI(ino), false);
	}
	tx_end(&tx);
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

/* ---- ops table (the directory ops live in dir.c) ------------------------------- */

const struct inode_ops ext2_iops = {
	.lookup = ext2_dir_lookup,
	.create = ext2_dir_create,
	.symlink = ext2_dir_symlink,
	.link = ext2_dir_link,
	.unlink = ext2_dir_unlink,
	.rename = ext2_dir_rename,
	.readlink = ext2_readlink,
	.readdir = ext2_dir_readdir,
	.truncate = ext2_truncate,
	.setattr = ext2_setattr,
	.evict = ext2_evict,
};
