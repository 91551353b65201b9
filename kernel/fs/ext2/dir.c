// SPDX-License-Identifier: MIT
/*
 * ext2 directories: linear entries (inode, rec_len, name_len, file_type,
 * name), finding, inserting and removing them, and the read-only ops on them
 * (lookup, readdir). The ops that change names are namei.c.
 *
 * Entry rules (as e2fsck checks them): rec_len is a multiple of 4, at least
 * 8 + name_len rounded up, and the entries of a block tile it exactly. An
 * insert reuses a free entry or splits the slack off a live one, else adds
 * a block; a delete merges the entry into the one before it, or frees it in
 * place when it starts the block. Indexed (htree) directories are searched
 * and grown through their index (htree.c); a one-block directory that
 * outgrows its block gets one when the fs has dir_index. An index we cannot
 * read (a corrupt one, more levels than we keep) is searched linearly and
 * dropped (EXT2_INDEX_FL cleared) at the first insertion.
 */
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/fs/ext2/htree.h"
#include "kernel/mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

#ifndef S_ISBLK
#define S_ISBLK(m) (((m)&S_IFMT) == S_IFBLK)
#endif

unsigned ext2_ft_of(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return EXT2_FT_REG;
	case S_IFDIR:
		return EXT2_FT_DIR;
	case S_IFCHR:
		return EXT2_FT_CHR;
	case S_IFBLK:
		return EXT2_FT_BLK;
	case S_IFIFO:
		return EXT2_FT_FIFO;
	case S_IFSOCK:
		return EXT2_FT_SOCK;
	case S_IFLNK:
		return EXT2_FT_LNK;
	default:
		return EXT2_FT_UNKNOWN;
	}
}

static unsigned dt_of_ft(unsigned ft)
{
	static const unsigned char map[] = {DT_UNKNOWN, DT_REG,	 DT_DIR, DT_CHR,
					    6,		DT_FIFO, 12,	 DT_LNK};

	return ft < sizeof(map) ? map[ft] : DT_UNKNOWN;
}

/* Check the entry at off; false on a corrupt one. */
static bool de_ok(struct ext2_fs *fs, const uint8_t *b, unsigned off, unsigned *rec, unsigned *nlen)
{
	*rec = ld16(b + off + 4);
	*nlen = b[off + 6];
	return *rec >= DE_HDR && !(*rec & 3) && off + *rec <= fs->bsize && DE_LEN(*nlen) <= *rec;
}

static uint64_t dir_blocks(struct ext2_fs *fs, struct inode *dir)
{
	return dir->size / fs->bsize;
}

/*
 * Visit every live entry of dir. fn returns 0 to go on, 1 to stop (found),
 * <0 for an error. Reads only.
 */
typedef int (*dir_fn)(void *ctx, struct ext2_fs *fs, uint32_t pblk, const uint8_t *b, unsigned off,
		      unsigned rec, unsigned nlen);

static int dir_walk(struct ext2_fs *fs, struct ext2_inode *dir, dir_fn fn, void *ctx)
{
	uint64_t n = dir_blocks(fs, &dir->vfs);

	for (uint64_t l = 0; l < n; l++) {
		struct bcache_buf *bb;
		uint8_t *b;
		uint32_t p;
		int err = ext2_bmap(fs, dir, l, &p);

		if (err)
			return err;
		if (!p)
			continue;
		err = ext2_peek(fs, p, &bb, &b);
		if (err)
			return err;
		for (unsigned off = 0, rec, nlen; off < fs->bsize; off += rec) {
			if (!de_ok(fs, b, off, &rec, &nlen)) {
				err = -EIO;
				break;
			}
			err = fn(ctx, fs, p, b, off, rec, nlen);
			if (err)
				break;
		}
		ext2_unpeek(bb);
		if (err)
			return err;
	}
	return 0;
}

struct find_ctx {
	const char *name;
	size_t len;
	struct dloc *loc;
	unsigned live; /* for the emptiness check */
};

static int find_fn(void *ctx, struct ext2_fs *fs, uint32_t pblk, const uint8_t *b, unsigned off,
		   unsigned rec, unsigned nlen)
{
	struct find_ctx *c = ctx;

	(void)rec;
	if (!ld32(b + off) || nlen != c->len || b[off + DE_HDR + nlen - 1] != c->name[nlen - 1] ||
	    memcmp(b + off + DE_HDR, c->name, nlen))
		return 0;
	c->loc->pblk = pblk;
	c->loc->off = off;
	c->loc->ino = ld32(b + off);
	c->loc->ftype = fs->filetype ? b[off + 7] : 0;
	return 1;
}

int ext2_dir_find(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len,
		  struct dloc *loc)
{
	struct find_ctx c = {.name = name, .len = len, .loc = loc};
	int err = dir->flags & EXT2_INDEX_FL ? ext2_htree_find(fs, dir, name, len, loc) : 1;

	if (err != 1)
		return err;
	err = dir_walk(fs, dir, find_fn, &c);

	if (err == 1)
		return 0;
	return err ? err : -ENOENT;
}

static int empty_fn(void *ctx, struct ext2_fs *fs, uint32_t pblk, const uint8_t *b, unsigned off,
		    unsigned rec, unsigned nlen)
{
	struct find_ctx *c = ctx;

	(void)fs;
	(void)pblk;
	(void)rec;
	if (!ld32(b + off))
		return 0;
	if ((nlen == 1 && b[off + DE_HDR] == '.') ||
	    (nlen == 2 && b[off + DE_HDR] == '.' && b[off + DE_HDR + 1] == '.'))
		return 0;
	c->live++;
	return 1;
}

/* 0 if dir holds only "." and "..", -ENOTEMPTY, or an error. */
int ext2_dir_check_empty(struct ext2_fs *fs, struct ext2_inode *dir)
{
	struct find_ctx c = {0};
	int err = dir_walk(fs, dir, empty_fn, &c);

	if (err < 0)
		return err;
	return c.live ? -ENOTEMPTY : 0;
}

struct plan_ctx {
	unsigned need;
	struct dslot *s;
};

static int plan_fn(void *ctx, struct ext2_fs *fs, uint32_t pblk, const uint8_t *b, unsigned off,
		   unsigned rec, unsigned nlen)
{
	struct plan_ctx *c = ctx;
	bool live = ld32(b + off) != 0;

	(void)fs;
	if ((!live && rec >= c->need) || (live && rec - DE_LEN(nlen) >= c->need)) {
		c->s->newblock = false;
		c->s->pblk = pblk;
		c->s->off = off;
		c->s->split = live;
		return 1;
	}
	return 0;
}

/*
 * Find room for name (len bytes); -EEXIST when an indexed dir has it already
 * (the index finds it on the way, so add_name_checks does not look first).
 * Reads only, except that indexing a directory or growing its index are
 * complete transactions of their own (htree.h).
 */
int ext2_dir_plan_insert(struct ext2_fs *fs, struct ext2_inode *dir, const char *name,
			 size_t len, struct dslot *s)
{
	struct plan_ctx c = {.need = DE_LEN(len), .s = s};
	bool unindex = false;
	int err;

	if (dir->flags & EXT2_INDEX_FL) {
		struct dloc loc;

		err = ext2_htree_plan(fs, dir, name, len, s);
		if (err != 1)
			return err;
		/* An index we cannot use: the existence check is ours (see ext2_dir_exists). */
		err = ext2_dir_find(fs, dir, name, len, &loc);
		if (!err)
			return -EEXIST;
		if (err != -ENOENT)
			return err;
		unindex = true;
	}
	memset(s, 0, sizeof(*s));
	err = dir_walk(fs, dir, plan_fn, &c);
	if (err < 0)
		return err;
	if (err == 0) {
		if (ext2_htree_wanted(fs, dir)) {
			err = ext2_htree_make(fs, dir);
			if (!err)
				err = ext2_htree_plan(fs, dir, name, len, s);
			if (err <= 0)
				return err;
			if (dir->flags & EXT2_INDEX_FL)
				return -EIO; /* indexed just now, yet unreadable */
		}
		memset(s, 0, sizeof(*s));
		s->newblock = true;
		s->lbn = dir_blocks(fs, &dir->vfs);
	}
	s->unindex = unindex;
	return 0;
}

/* Hold what the insert planned: the block, or a new mapped block. */
int ext2_dir_insert_gather(struct ext2_tx *tx, struct ext2_inode *dir, struct dslot *s,
			   struct ext2_map *m, uint8_t **b)
{
	int err;

	if (s->dx_split)
		return ext2_htree_split_gather(tx, dir, s, m, b);
	if (!s->newblock)
		return tx_get(tx, s->pblk, b);
	if (s->lbn * tx->fs->bsize + tx->fs->bsize > ext2_max_size(tx->fs))
		return -EFBIG;
	err = ext2_map_gather(tx, dir, s->lbn, true, m);
	if (!err)
		*b = m->data;
	return err;
}

void ext2_de_fill(struct ext2_fs *fs, uint8_t *e, uint32_t ino, const char *name, size_t len,
		  unsigned ft, unsigned rec)
{
	st32(e, ino);
	st16(e + 4, (uint16_t)rec);
	e[6] = (uint8_t)len;
	e[7] = fs->filetype ? (uint8_t)ft : 0;
	memcpy(e + DE_HDR, name, len);
	/* zero the padding: e2fsck does not mind, but images stay reproducible */
	memset(e + DE_HDR + len, 0, DE_LEN(len) - DE_HDR - len);
}

void ext2_dir_insert_commit(struct ext2_tx *tx, struct ext2_inode *dir, struct dslot *s,
			    struct ext2_map *m, uint8_t *b, uint32_t ino, const char *name,
			    size_t len, unsigned ft)
{
	struct ext2_fs *fs = tx->fs;

	if (s->unindex)
		dir->flags &= ~(uint32_t)EXT2_INDEX_FL;
	if (s->dx_split) {
		ext2_htree_split_commit(tx, dir, s, m, b, ino, name, len, ft);
		return;
	}
	if (s->newblock) {
		ext2_map_commit(tx, dir, m);
		ext2_de_fill(fs, b, ino, name, len, ft, fs->bsize);
		dir->vfs.size += fs->bsize;
	} else if (s->split) {
		unsigned rec = ld16(b + s->off + 4), used = DE_LEN(b[s->off + 6]);

		st16(b + s->off + 4, (uint16_t)used);
		ext2_de_fill(fs, b + s->off + used, ino, name, len, ft, rec - used);
	} else {
		ext2_de_fill(fs, b + s->off, ino, name, len, ft, ld16(b + s->off + 4));
	}
	tx_dirty(tx, b);
}

/* Remove the entry at off of block b (held and checked). */
void ext2_dir_remove(struct ext2_tx *tx, uint8_t *b, unsigned off)
{
	unsigned prev = 0, cur = 0;

	if (off == 0) {
		st32(b, 0);
	} else {
		while (cur < off) {
			prev = cur;
			cur += ld16(b + cur + 4);
		}
		st16(b + prev + 4, (uint16_t)(ld16(b + prev + 4) + ld16(b + off + 4)));
	}
	tx_dirty(tx, b);
}

/* A directory changed: its times. */
void ext2_dir_touch(struct ext2_inode *dir, int64_t now)
{
	dir->vfs.mtime_ns = dir->vfs.ctime_ns = now;
}

/* ---- ops ----------------------------------------------------------------- */

int ext2_dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ext2_fs *fs = EFS(dir);
	struct dloc loc;
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	int err = dir->nlink ? ext2_dir_find(fs, EI(dir), name, len, &loc) : -ENOENT;

	if (!err)
		err = ext2_iget(fs, loc.ino, out);
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

int ext2_dir_readdir(struct inode *dir, uint64_t *pos, vfs_filldir_t fill, void *ctx)
{
	struct ext2_fs *fs = EFS(dir);
	bool any = false;
	int err = 0;
	irqflags_t fl = spin_lock_irqsave(&fs->lock);

	if (!dir->nlink)
		goto out; /* removed: empty, not even . and .. (as Linux) */
	for (uint64_t l = *pos / fs->bsize; l < dir_blocks(fs, dir); l++) {
		struct bcache_buf *bb;
		uint8_t *b;
		uint32_t p;
		bool stop = false;

		err = ext2_bmap(fs, EI(dir), l, &p);
		if (!err && p)
			err = ext2_peek(fs, p, &bb, &b);
		if (err)
			break;
		if (!p) {
			*pos = (l + 1) * fs->bsize;
			continue;
		}
		for (unsigned off = 0, rec, nlen; off < fs->bsize; off += rec) {
			uint64_t here = l * fs->bsize + off;

			if (!de_ok(fs, b, off, &rec, &nlen)) {
				err = -EIO;
				break;
			}
			if (here < *pos || !ld32(b + off))
				continue;
			if (!fill(ctx, (const char *)b + off + DE_HDR, nlen, ld32(b + off),
				  dt_of_ft(fs->filetype ? b[off + 7] : 0), here + rec)) {
				stop = true;
				break;
			}
			any = true;
			*pos = here + rec;
		}
		ext2_unpeek(bb);
		if (err || stop)
			break;
		*pos = (l + 1) * fs->bsize;
	}
	if (err == -EIOWAIT && any) {
		ext2_forget_io(); /* return what we have; the next call reads on */
		err = 0;
	}
out:
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}
