// SPDX-License-Identifier: MIT
/*
 * ext2 namespace ops over the directory entries of dir.c: create / mkdir /
 * mknod, symlink (fast in i_block below 60 bytes, else one block), link,
 * unlink / rmdir, rename, readlink. Each gathers every block first and then
 * mutates (the restart contract, ext2_int.h).
 */
#include "kernel/fs/devfs.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

#ifndef S_ISBLK
#define S_ISBLK(m) (((m)&S_IFMT) == S_IFBLK)
#endif

/* Checks common to every op that adds a name. */
static int add_name_checks(struct ext2_fs *fs, struct inode *dir, const char *name, size_t len)
{
	struct dloc loc;
	int err = ext2_writable(fs);

	if (!err)
		err = ext2_orphans_locked(fs);
	if (err)
		return err;
	if (!dir->nlink)
		return -ENOENT;
	if (EI(dir)->flags & EXT2_INDEX_FL)
		return 0; /* the insertion's plan finds it (-EEXIST) on its way */
	err = ext2_dir_find(fs, EI(dir), name, len, &loc);
	if (!err)
		return -EEXIST;
	return err == -ENOENT ? 0 : err;
}

/*
 * The inode-table block of the new inode ino. When the bitmap says every inode in that
 * block is free, its old contents mean nothing: it is taken zeroed, not read (a create
 * in a fresh part of the table then never waits for the disk).
 */
static int itable_gather_fresh(struct ext2_tx *tx, uint32_t ino)
{
	struct ext2_fs *fs = tx->fs;
	uint32_t g = (ino - 1) / fs->ipg, idx = (ino - 1) % fs->ipg;
	uint32_t per = fs->bsize / fs->inode_size, first = idx - idx % per;
	uint8_t *gd = ext2_gd(fs, g), *map, *d;
	int err = tx_get(tx, ld32(gd + GD_INODE_BITMAP), &map);

	if (err)
		return err;
	for (uint32_t i = first; i < first + per && i < fs->ipg; i++)
		if (map[i / 8] & (1u << (i % 8)))
			return ext2_itable_gather(tx, ino, NULL);
	return tx_new(tx, ld32(gd + GD_INODE_TABLE) + first / per, &d);
}

static int make_node(struct inode *dir, const char *name, size_t len, uint32_t mode, uint32_t rdev,
		     const char *target, struct inode **out)
{
	struct ext2_fs *fs = EFS(dir);
	struct ext2_inode *d = EI(dir), *ei = NULL;
	size_t tlen = target ? strlen(target) : 0;
	bool is_dir = S_ISDIR(mode), slow_link = target && tlen > EXT2_FAST_LINK_MAX;
	struct ext2_balloc ba = {0};
	struct ext2_map m;
	struct dslot s;
	struct ext2_tx tx;
	uint8_t *b, *nb = NULL;
	uint32_t ino;
	int err;

	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFDIR:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFLNK:
		break;
	default:
		return -EINVAL;
	}
	if (target && tlen >= fs->bsize)
		return -ENAMETOOLONG;
	irqflags_t fl = spin_lock_irqsave(&fs->lock);

	tx_init(&tx, fs);
	err = add_name_checks(fs, dir, name, len);
	if (!err && is_dir && dir->nlink >= EXT2_LINK_MAX)
		err = -EMLINK;
	if (!err)
		err = ext2_dir_plan_insert(fs, d, name, len, &s);
	if (!err)
		err = ext2_ialloc_gather(&tx, (uint32_t)dir->ino, is_dir, &ino);
	if (!err)
		err = itable_gather_fresh(&tx, ino);
	if (!err)
		err = ext2_itable_gather(&tx, (uint32_t)dir->ino, NULL);
	if (!err)
		err = ext2_dir_insert_gather(&tx, d, &s, &m, &b);
	if (!err && (is_dir || slow_link)) {
		uint32_t goal = fs->first_data_block + (ino - 1) / fs->ipg * fs->bpg;

		err = ext2_balloc_gather(&tx, goal, 1, &ba);
		if (!err)
			err = tx_new(&tx, ba.blk[0], &nb);
	}
	if (!err) {
		ei = ext2_inew(fs, ino, mode);
		if (!ei)
			err = -ENOMEM;
	}
	if (err)
		goto out;
	/* ---- mutate: nothing below can fail ---- */
	int64_t now = ext2_now_ns(fs);

	ext2_ialloc_commit(&tx, ino, is_dir);
	inode_init_owner(&ei->vfs, dir);
	ei->vfs.atime_ns = ei->vfs.mtime_ns = ei->vfs.ctime_ns = now;
	if (nb) {
		ext2_balloc_commit(&tx, &ba);
		ei->iblock[0] = ba.blk[0];
		ei->blocks512 = fs->bsize / 512;
		tx_dirty(&tx, nb);
	}
	if (is_dir) {
		ext2_de_fill(fs, nb, ino, ".", 1, EXT2_FT_DIR, 12);
		ext2_de_fill(fs, nb + 12, (uint32_t)dir->ino, "..", 2, EXT2_FT_DIR, fs->bsize - 12);
		ei->vfs.size = fs->bsize;
		dir->nlink++;
	} else if (target) {
		if (slow_link) {
			memcpy(nb, target, tlen);
		} else {
			uint8_t raw[EXT2_N_BLOCKS * 4] = {0};

			memcpy(raw, target, tlen);
			for (int i = 0; i < EXT2_N_BLOCKS; i++)
				ei->iblock[i] = ld32(raw + 4 * i);
		}
		ei->vfs.size = tlen;
	} else if (S_ISCHR(mode) || S_ISBLK(mode)) {
		uint32_t ma = (rdev >> 8) & 0xfff, mi = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);

		ei->vfs.rdev = rdev;
		if (S_ISCHR(mode)) /* made for rdev 0; the name cache keeps this inode */
			ei->vfs.fops = devfs_fops(rdev);
		if (ma < 256 && mi < 256)
			ei->iblock[0] = ma << 8 | mi;
		else
			ei->iblock[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
	}
	ext2_dir_insert_commit(&tx, d, &s, &m, b, ino, name, len, ext2_ft_of(mode));
	ext2_dir_touch(d, now);
	ext2_iwrite(&tx, ei, true);
	ext2_iwrite(&tx, d, false);
	ext2_ilist(fs, ei);
	*out = &ei->vfs;
out:
	tx_end(&tx);
	spin_unlock_irqrestore(&fs->lock, fl);
	if (err && ei)
		ext2_ifree_mem(ei);
	return err;
}

int ext2_dir_create(struct inode *dir, const char *name, size_t len, uint32_t mode, uint32_t rdev,
		    struct inode **out)
{
	return make_node(dir, name, len, mode, rdev, NULL, out);
}

int ext2_dir_symlink(struct inode *dir, const char *name, size_t len, const char *target,
		     struct inode **out)
{
	return make_node(dir, name, len, S_IFLNK | 0777, 0, target, out);
}

int ext2_dir_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	struct ext2_fs *fs = EFS(dir);
	struct ext2_map m;
	struct dslot s;
	struct ext2_tx tx;
	uint8_t *b;
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	int err;

	tx_init(&tx, fs);
	err = add_name_checks(fs, dir, name, len);
	if (!err && !target->nlink)
		err = -ENOENT;
	if (!err && target->nlink >= EXT2_LINK_MAX)
		err = -EMLINK;
	if (!err)
		err = ext2_dir_plan_insert(fs, EI(dir), name, len, &s);
	if (!err)
		err = ext2_itable_gather(&tx, (uint32_t)dir->ino, NULL);
	if (!err)
		err = ext2_itable_gather(&tx, (uint32_t)target->ino, NULL);
	if (!err)
		err = ext2_dir_insert_gather(&tx, EI(dir), &s, &m, &b);
	if (!err) {
		int64_t now = ext2_now_ns(fs);

		ext2_dir_insert_commit(&tx, EI(dir), &s, &m, b, (uint32_t)target->ino, name, len,
				       ext2_ft_of(target->mode));
		ext2_dir_touch(EI(dir), now);
		target->nlink++;
		target->ctime_ns = now;
		ext2_iwrite(&tx, EI(dir), false);
		ext2_iwrite(&tx, EI(target), false);
	}
	tx_end(&tx);
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

int ext2_dir_unlink(struct inode *dir, const char *name, size_t len, bool rmdir)
{
	struct ext2_fs *fs = EFS(dir);
	struct inode *child = NULL;
	struct ext2_tx tx;
	struct dloc loc;
	uint8_t *b;
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	int err = ext2_writable(fs);

	tx_init(&tx, fs);
	if (!err)
		err = ext2_orphans_locked(fs);
	if (!err)
		err = dir->nlink ? ext2_dir_find(fs, EI(dir), name, len, &loc) : -ENOENT;
	if (!err)
		err = ext2_iget(fs, loc.ino, &child);
	if (err)
		goto out;
	if (rmdir && !S_ISDIR(child->mode))
		err = -ENOTDIR;
	else if (!rmdir && S_ISDIR(child->mode))
		err = -EISDIR;
	else if (rmdir && child == vfs_root)
		err = -EBUSY;
	else if (rmdir)
		err = ext2_dir_check_empty(fs, EI(child));
	if (!err)
		err = tx_get(&tx, loc.pblk, &b);
	if (!err)
		err = ext2_itable_gather(&tx, (uint32_t)dir->ino, NULL);
	if (!err)
		err = ext2_itable_gather(&tx, (uint32_t)child->ino, NULL);
	if (!err) {
		int64_t now = ext2_now_ns(fs);

		ext2_dir_remove(&tx, b, loc.off);
		if (S_ISDIR(child->mode)) {
			child->nlink = 0;
			dir->nlink--;
		} else {
			child->nlink--;
		}
		child->ctime_ns = now;
		ext2_dir_touch(EI(dir), now);
		ext2_iwrite(&tx, EI(dir), false);
		ext2_iwrite(&tx, EI(child), false);
	}
out:
	tx_end(&tx);
	spin_unlock_irqrestore(&fs->lock, fl);
	inode_put(child); /* may evict: outside the lock */
	return err;
}

/* A view of inode ino good enough to read its directory blocks. */
static int dir_view(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *v)
{
	struct ext2_inode *ei;
	struct bcache_buf *bb;
	uint8_t *raw;
	int err;

	list_for_each_entry(ei, ext2_ihead(fs, ino), hnode)
	{
		if (ei->vfs.ino == ino) {
			*v = *ei;
			return 0;
		}
	}
	{
		uint32_t g = (ino - 1) / fs->ipg, idx = (ino - 1) % fs->ipg;
		uint64_t byte = (uint64_t)idx * fs->inode_size;
		uint32_t blk = ld32(ext2_gd(fs, g) + GD_INODE_TABLE) + (uint32_t)(byte / fs->bsize);

		err = ext2_peek(fs, blk, &bb, &raw);
		if (err)
			return err;
		raw += byte % fs->bsize;
	}
	memset(v, 0, sizeof(*v));
	v->vfs.ino = ino;
	v->vfs.mode = ld16(raw + DI_MODE);
	v->vfs.size = ld32(raw + DI_SIZE);
	for (int i = 0; i < EXT2_N_BLOCKS; i++)
		v->iblock[i] = ld32(raw + DI_BLOCK + 4 * i);
	ext2_unpeek(bb);
	return 0;
}

/* Is directory a the same as, or an ancestor of, directory b? */
static int is_ancestor(struct ext2_fs *fs, uint32_t a, uint32_t b)
{
	struct ext2_inode *v = kmalloc(sizeof(*v));
	int err = 0;

	if (!v)
		return -ENOMEM;
	for (unsigned hops = 0; hops < 65536; hops++) {
		struct dloc loc;

		if (b == a) {
			err = 1;
			break;
		}
		if (b == EXT2_ROOT_INO)
			break;
		err = dir_view(fs, b, v);
		if (!err)
			err = ext2_dir_find(fs, v, "..", 2, &loc);
		if (err)
			break;
		b = loc.ino;
	}
	kfree(v);
	return err;
}

#define RENAME_NOREPLACE 1

int ext2_dir_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		    const char *nname, size_t nlen, unsigned flags)
{
	struct ext2_fs *fs = EFS(odir);
	struct inode *src = NULL, *tgt = NULL;
	struct dloc oloc, nloc, dotdot;
	struct ext2_map m;
	struct dslot s;
	struct ext2_tx tx;
	uint8_t *ob, *nbk = NULL, *db = NULL;
	bool found = false, removed = false, moved_dir;
	irqflags_t fl;
	int err;

	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	fl = spin_lock_irqsave(&fs->lock);
	tx_init(&tx, fs);
	err = ext2_writable(fs);
	if (!err)
		err = ext2_orphans_locked(fs);
	if (!err)
		err = odir->nlink ? ext2_dir_find(fs, EI(odir), oname, olen, &oloc) : -ENOENT;
	if (!err && !ndir->nlink)
		err = -ENOENT;
	if (!err)
		err = ext2_iget(fs, oloc.ino, &src);
	if (err)
		goto out;
	moved_dir = S_ISDIR(src->mode) && odir != ndir;
	if (S_ISDIR(src->mode)) {
		err = is_ancestor(fs, (uint32_t)src->ino, (uint32_t)ndir->ino);
		if (err == 1)
			err = -EINVAL;
		if (err)
			goto out;
	}
	err = ext2_dir_find(fs, EI(ndir), nname, nlen, &nloc);
	if (!err) {
		found = true;
		if (flags & RENAME_NOREPLACE) {
			err = -EEXIST;
			goto out;
		}
		if (nloc.ino == oloc.ino)
			goto out; /* the same file: nothing to do */
		err = ext2_iget(fs, nloc.ino, &tgt);
		if (err)
			goto out;
		if (S_ISDIR(src->mode) && !S_ISDIR(tgt->mode))
			err = -ENOTDIR;
		else if (!S_ISDIR(src->mode) && S_ISDIR(tgt->mode))
			err = -EISDIR;
		else if (S_ISDIR(tgt->mode))
			err = tgt == vfs_root ? -EBUSY : ext2_dir_check_empty(fs, EI(tgt));
	} else if (err == -ENOENT) {
		unsigned steps = fs->dx_steps;

		err = ext2_dir_plan_insert(fs, EI(ndir), nname, nlen, &s);
		/* Indexing ndir moved its entries (htree.h): find the old name again. */
		if (!err && fs->dx_steps != steps && odir == ndir)
			err = ext2_dir_find(fs, EI(odir), oname, olen, &oloc);
		if (!err && moved_dir && ndir->nlink >= EXT2_LINK_MAX)
			err = -EMLINK;
	}
	if (!err && moved_dir) {
		err = ext2_dir_find(fs, EI(src), "..", 2, &dotdot);
		if (!err)
			err = tx_get(&tx, dotdot.pblk, &db);
	}
	if (!err)
		err = tx_get(&tx, oloc.pblk, &ob);
	if (!err)
		err = found ? tx_get(&tx, nloc.pblk, &nbk)
			    : ext2_dir_insert_gather(&tx, EI(ndir), &s, &m, &nbk);
	if (!err)
		err = ext2_itable_gather(&tx, (uint32_t)odir->ino, NULL);
	if (!err)
		err = ext2_itable_gather(&tx, (uint32_t)ndir->ino, NULL);
	if (!err)
		err = ext2_itable_gather(&tx, (uint32_t)src->ino, NULL);
	if (!err && tgt)
		err = ext2_itable_gather(&tx, (uint32_t)tgt->ino, NULL);
	if (err)
		goto out;
	/* ---- mutate ---- */
	int64_t now = ext2_now_ns(fs);

	if (found) {
		st32(nbk + nloc.off, (uint32_t)src->ino);
		if (fs->filetype)
			nbk[nloc.off + 7] = (uint8_t)ext2_ft_of(src->mode);
		tx_dirty(&tx, nbk);
		if (S_ISDIR(tgt->mode)) {
			tgt->nlink = 0;
			ndir->nlink--;
		} else {
			tgt->nlink--;
		}
		tgt->ctime_ns = now;
	} else {
		/* A split of the leaf that holds the old name moves its entries: the old
		 * one goes first (the split then leaves it out). */
		removed = s.dx_split && s.pblk == oloc.pblk;
		if (removed)
			ext2_dir_remove(&tx, ob, oloc.off);
		ext2_dir_insert_commit(&tx, EI(ndir), &s, &m, nbk, (uint32_t)src->ino, nname, nlen,
				       ext2_ft_of(src->mode));
	}
	if (!removed)
		ext2_dir_remove(&tx, ob, oloc.off);
	if (moved_dir) {
		st32(db + dotdot.off, (uint32_t)ndir->ino);
		tx_dirty(&tx, db);
		odir->nlink--;
		ndir->nlink++;
	}
	src->ctime_ns = now;
	ext2_dir_touch(EI(odir), now);
	ext2_dir_touch(EI(ndir), now);
	ext2_iwrite(&tx, EI(odir), false);
	if (ndir != odir)
		ext2_iwrite(&tx, EI(ndir), false);
	ext2_iwrite(&tx, EI(src), false);
	if (tgt)
		ext2_iwrite(&tx, EI(tgt), false);
out:
	tx_end(&tx);
	spin_unlock_irqrestore(&fs->lock, fl);
	inode_put(src);
	inode_put(tgt);
	return err;
}

long ext2_readlink(struct inode *ino, char *buf, size_t n)
{
	/* LAB(fs) BEGIN stub:
	 * (void)ino;
	 * (void)buf;
	 * (void)n;
	 * return -EINVAL;
	 */
	struct ext2_fs *fs = EFS(ino);
	struct ext2_inode *ei = EI(ino);
	size_t len = ino->size < n ? (size_t)ino->size : n;
	irqflags_t fl;
	long r = (long)len;

	if (!S_ISLNK(ino->mode))
		return -EINVAL;
	fl = spin_lock_irqsave(&fs->lock);
	if (ei->blocks512 == (ei->file_acl ? fs->bsize / 512 : 0)) {
		uint8_t raw[EXT2_N_BLOCKS * 4];

		for (int i = 0; i < EXT2_N_BLOCKS; i++)
			st32(raw + 4 * i, ei->iblock[i]);
		if (len > sizeof(raw))
			len = sizeof(raw);
		memcpy(buf, raw, len);
		r = (long)len;
	} else {
		struct bcache_buf *bb;
		uint8_t *d;
		int err = ext2_peek(fs, ei->iblock[0], &bb, &d);

		if (err) {
			r = err;
		} else {
			if (len > fs->bsize)
				len = fs->bsize;
			memcpy(buf, d, len);
			r = (long)len;
			ext2_unpeek(bb);
		}
	}
	spin_unlock_irqrestore(&fs->lock, fl);
	return r;
	/* LAB(fs) END */
}
