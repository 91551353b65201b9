// SPDX-License-Identifier: MIT
/*
 * vfat directories: where entry i lives (the fixed FAT12/16 root or a
 * cluster chain), the scan that assembles long names and finds free runs,
 * lookup (by long name or 8.3 alias, case-insensitively as vfat), readdir.
 */
#include "kernel/fs/vfat/vfat_int.h"

#include "kernel/block/bcache.h"
#include "kernel/fs/ioctx.h"
#include "kernel/mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

int vfat_dent_off(struct vfat_fs *fs, struct vfat_inode *dir, uint32_t idx, uint64_t *off)
{
	uint64_t byte = (uint64_t)idx * FAT_DENT_SIZE;
	uint32_t c;
	int r;

	if (vfat_is_fixed_root(fs, dir)) {
		if (byte >= fs->g.root_bytes)
			return -ENOSPC;
		*off = fs->g.root_off + byte;
		return 0;
	}
	r = vfat_chain_nth(fs, dir, dir->start, (uint32_t)(byte / fs->g.csize), &c);
	if (r < 0)
		return r;
	if (r == 1)
		return -ENOSPC;
	*off = vfat_clus_off(fs, c) + byte % fs->g.csize;
	return 0;
}

/* Start reading the blocks after off in its cluster (or the root area). */
static void prefetch_run(struct vfat_fs *fs, struct vfat_inode *dir, uint64_t off)
{
	uint64_t end = vfat_is_fixed_root(fs, dir) ? fs->g.root_off + fs->g.root_bytes
						  : off + fs->g.csize;

	if (end > off + 32 * VFAT_BSIZE)
		end = off + 32 * VFAT_BSIZE;
	for (uint64_t b = off / VFAT_BSIZE + 1; b * VFAT_BSIZE < end; b++)
		bcache_prefetch(fs->dev, b, VFAT_BSIZE);
}

static bool is_dot(const uint8_t *de)
{
	return de[0] == '.' && (de[1] == ' ' || (de[1] == '.' && de[2] == ' '));
}

static void run_note(struct vscan *s, uint32_t idx, uint32_t *run, uint32_t *run_start)
{
	if (!(*run)++)
		*run_start = idx;
	for (int i = 0; i < 2; i++)
		if (s->want[i] && s->run_at[i] == UINT32_MAX && *run >= s->want[i])
			s->run_at[i] = *run_start;
}

int vfat_scan(struct vfat_fs *fs, struct vfat_inode *dir, struct vscan *s)
{
	struct fat_lfn *l = kmalloc(sizeof(*l));
	uint16_t sname[13];
	struct bcache_buf *b = NULL;
	uint64_t bno = UINT64_MAX, off;
	uint32_t idx, run = 0, run_start = 0, set_first = 0;
	bool ended = false;
	int err = 0;

	if (!l)
		return -ENOMEM;
	fat_lfn_reset(l);
	s->run_at[0] = s->run_at[1] = UINT32_MAX;
	/* Free runs need the whole directory; names only what is after from. */
	idx = s->want[0] || s->want[1] ? 0 : s->from;
	for (; idx < VFAT_MAX_DIR_ENTRIES; idx++) {
		err = vfat_dent_off(fs, dir, idx, &off);
		if (err == -ENOSPC) {
			err = 0;
			break;
		}
		if (err)
			goto out;
		if (ended && !s->want[0] && !s->want[1])
			break; /* nothing after the end marker is wanted */
		if (off / VFAT_BSIZE != bno) {
			if (b)
				bcache_put(b);
			b = NULL;
			/* The block first, then read-ahead on a miss: a prefetch may
			 * take the only clean buffer, which must not be this one. */
			err = bcache_get(fs->dev, off / VFAT_BSIZE, VFAT_BSIZE, &b);
			if (err == -EIOWAIT)
				prefetch_run(fs, dir, off);
			if (err)
				goto out;
			ioctx_pin(b); /* a rerun of this syscall finds it (ioctx.h) */
			bno = off / VFAT_BSIZE;
		}
		const uint8_t *de = (const uint8_t *)bcache_data(b) + off % VFAT_BSIZE;

		if (ended || de[0] == 0 || de[0] == FAT_DELETED) {
			ended |= de[0] == 0;
			run_note(s, idx, &run, &run_start);
			fat_lfn_reset(l);
			continue;
		}
		run = 0;
		if (idx < s->from) {
			fat_lfn_reset(l);
			continue;
		}
		if (de[DE_ATTR] == FAT_ATTR_LFN) {
			if (de[LFN_ORD] & FAT_LFN_LAST)
				set_first = idx;
			fat_lfn_feed(l, de);
			continue;
		}
		if ((de[DE_ATTR] & FAT_ATTR_VOLUME) || is_dot(de)) {
			fat_lfn_reset(l);
			continue;
		}
		unsigned len, slen = fat_short_display(de, de[DE_LCASE], sname);
		bool has = fat_lfn_take(l, de, &len);
		struct vdent d = {
			.first = has ? set_first : idx,
			.idx = idx,
			.off = off,
			.de = de,
			.buf = b,
			.name = has ? l->name : sname,
			.len = has ? len : slen,
			.sname = sname,
			.slen = slen,
		};

		if (s->fn && s->fn(s, &d)) {
			s->stop_idx = idx + 1;
			err = 1;
			goto out;
		}
	}
	s->nent = idx;
	s->tail_free = run;
	s->stop_idx = idx;
out:
	if (b)
		bcache_put(b);
	kfree(l);
	return err;
}

static bool any_name(struct vscan *s, const struct vdent *d)
{
	(void)s;
	(void)d;
	return true;
}

struct subdirs {
	struct vscan s;
	uint32_t n;
};

static bool subdir_fn(struct vscan *s, const struct vdent *d)
{
	if (d->de[DE_ATTR] & FAT_ATTR_DIR)
		container_of(s, struct subdirs, s)->n++;
	return false;
}

int vfat_count_subdirs(struct vfat_fs *fs, struct vfat_inode *dir, uint32_t *n)
{
	struct subdirs c = { .s = { .fn = subdir_fn } };
	int r = vfat_scan(fs, dir, &c.s);

	*n = c.n;
	return r < 0 ? r : 0;
}

int vfat_dir_empty(struct vfat_fs *fs, struct vfat_inode *dir)
{
	struct vscan s = { .fn = any_name };
	int r = vfat_scan(fs, dir, &s);

	return r == 1 ? -ENOTEMPTY : r;
}

/* ---- lookup ------------------------------------------------------------------------- */

struct find {
	struct vscan s;
	const uint16_t *want;
	unsigned len;
	uint64_t off;
	uint8_t de[FAT_DENT_SIZE];
	struct bcache_buf *buf;	/* held when found */
};

static bool find_fn(struct vscan *s, const struct vdent *d)
{
	struct find *f = container_of(s, struct find, s);

	if (!fat_name_eq(d->name, d->len, f->want, f->len) &&
	    !fat_name_eq(d->sname, d->slen, f->want, f->len))
		return false;
	f->off = d->off;
	memcpy(f->de, d->de, FAT_DENT_SIZE);
	f->buf = d->buf;
	bcache_hold(d->buf);
	return true;
}

int vfat_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct vfat_inode *vd = VI(dir);
	struct vfat_fs *fs = VFSI(dir);
	uint16_t *u;
	struct find f = { .s = { .fn = find_fn } };
	irqflags_t fl;
	int n, err;

	if (len == 1 && name[0] == '.') {
		*out = inode_get(dir);
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = inode_get(&vd->parent->vfs);
		return 0;
	}
	u = kmalloc(sizeof(uint16_t) * (FAT_LFN_MAX + 1));
	if (!u)
		return -ENOMEM;
	n = fat_name_from_utf8(name, len, u);
	if (n < 0) {
		kfree(u);
		return n == -ENAMETOOLONG ? n : -ENOENT;
	}
	f.want = u;
	f.len = (unsigned)n;
	fl = spin_lock_irqsave(&fs->lock);
	err = dir->nlink ? vfat_scan(fs, vd, &f.s) : 0;
	if (err == 1)
		err = vfat_iget(fs, f.off, f.de, f.buf, vd, false, out);
	else if (!err)
		err = -ENOENT;
	spin_unlock_irqrestore(&fs->lock, fl);
	if (f.buf)
		bcache_put(f.buf);
	kfree(u);
	return err;
}

/* ---- readdir ------------------------------------------------------------------------ */

struct rd {
	struct vscan s;
	struct vfat_fs *fs;
	vfs_filldir_t fill;
	void *ctx;
	uint64_t *pos;
	unsigned emitted;
	char utf8[3 * FAT_LFN_MAX + 1];
};

static bool rd_fn(struct vscan *s, const struct vdent *d)
{
	struct rd *r = container_of(s, struct rd, s);
	struct vfat_inode *vi = vfat_find_inode(r->fs, d->off);
	size_t n = fat_name_to_utf8(d->name, d->len, r->utf8);
	uint64_t ino = vi ? vi->vfs.ino : d->off / FAT_DENT_SIZE;
	unsigned dt = (d->de[DE_ATTR] & FAT_ATTR_DIR) ? DT_DIR : DT_REG;

	if (!r->fill(r->ctx, r->utf8, n, ino, dt, (uint64_t)d->idx + 3))
		return true;
	*r->pos = (uint64_t)d->idx + 3;
	r->emitted++;
	return false;
}

int vfat_readdir(struct inode *dir, uint64_t *pos, vfs_filldir_t fill, void *ctx)
{
	struct vfat_inode *vd = VI(dir);
	struct vfat_fs *fs = VFSI(dir);
	struct rd *r;
	irqflags_t fl;
	int err = 0;

	if (*pos == 0) {
		if (!fill(ctx, ".", 1, dir->ino, DT_DIR, 1))
			return 0;
		*pos = 1;
	}
	if (*pos == 1) {
		if (!fill(ctx, "..", 2, vd->parent->vfs.ino, DT_DIR, 2))
			return 0;
		*pos = 2;
	}
	if (*pos - 2 >= VFAT_MAX_DIR_ENTRIES)
		return 0;
	r = kmalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	memset(&r->s, 0, sizeof(r->s));
	r->s.fn = rd_fn;
	r->s.from = (uint32_t)(*pos - 2);
	r->fs = fs;
	r->fill = fill;
	r->ctx = ctx;
	r->pos = pos;
	r->emitted = 0;
	fl = spin_lock_irqsave(&fs->lock);
	if (dir->nlink)
		err = vfat_scan(fs, vd, &r->s);
	if (err == 1 || (err == 0 && dir->nlink))
		*pos = err == 1 ? *pos : (uint64_t)r->s.stop_idx + 2;
	spin_unlock_irqrestore(&fs->lock, fl);
	/* Entries already given are kept: a miss after them ends this call short. */
	if (err == -EIOWAIT && r->emitted) {
		vfat_discard_io_wait();
		err = 0;
	}
	if (err == 1)
		err = 0;
	kfree(r);
	return err;
}
