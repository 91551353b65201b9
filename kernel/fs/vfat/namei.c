// SPDX-License-Identifier: MIT
/*
 * vfat names: create (files and directories), unlink, rmdir and rename.
 * Each op scans the directory (every short name, for the 8.3 alias of a new
 * name; the free runs; the name itself), gathers every block it will
 * change, then changes them: long-name entries with their checksum, the
 * short entry, directory growth by whole zeroed clusters, the FAT.
 */
#include "kernel/fs/vfat/vfat_int.h"

#include "kernel/block/bcache.h"
#include "kernel/mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define RENAME_NOREPLACE 1
#define MAX_NEW_CLUS 4

/* What a scan learns about a name and the short names of a directory. */
struct names {
	struct vscan s;
	const uint16_t *want;
	unsigned wlen;
	uint64_t skip_off;	/* an entry to ignore (the one being renamed), or 0 */
	bool collect;		/* record the short names */
	uint8_t (*tab)[11];
	unsigned n, cap;
	bool nomem;
	/* The entry called want, if any: */
	bool found;
	uint64_t off;
	uint32_t first, idx;
	uint8_t de[FAT_DENT_SIZE];
	struct bcache_buf *buf;	/* held */
};

static bool names_fn(struct vscan *s, const struct vdent *d)
{
	struct names *nm = container_of(s, struct names, s);

	if (d->off == nm->skip_off)
		return false;
	if (nm->collect) {
		if (nm->n == nm->cap) {
			unsigned cap = nm->cap ? nm->cap * 2 : 64;
			uint8_t (*t)[11] = kmalloc(sizeof(*t) * cap);

			if (!t) {
				nm->nomem = true;
				return true;
			}
			if (nm->tab)
				memcpy(t, nm->tab, sizeof(*t) * nm->n);
			kfree(nm->tab);
			nm->tab = t;
			nm->cap = cap;
		}
		memcpy(nm->tab[nm->n++], d->de, 11);
	}
	if (!nm->found && (fat_name_eq(d->name, d->len, nm->want, nm->wlen) ||
			   fat_name_eq(d->sname, d->slen, nm->want, nm->wlen))) {
		nm->found = true;
		nm->off = d->off;
		nm->first = d->first;
		nm->idx = d->idx;
		memcpy(nm->de, d->de, FAT_DENT_SIZE);
		nm->buf = d->buf;
		bcache_hold(d->buf);
		if (!nm->collect)
			return true;
	}
	return false;
}

static bool names_has(void *ctx, const uint8_t *n11)
{
	struct names *nm = ctx;

	for (unsigned i = 0; i < nm->n; i++)
		if (!memcmp(nm->tab[i], n11, 11))
			return true;
	return false;
}

static void names_done(struct names *nm)
{
	kfree(nm->tab);
	nm->tab = NULL;
	if (nm->buf)
		bcache_put(nm->buf);
	nm->buf = NULL;
}

/* Scan dir for want (and, with collect, every short name). 0, -EIOWAIT, -EIO, -ENOMEM. */
static int names_scan(struct vfat_fs *fs, struct vfat_inode *dir, struct names *nm,
		      unsigned want_slots)
{
	int r;

	nm->s.fn = names_fn;
	nm->s.want[0] = want_slots;
	nm->s.want[1] = 1;
	r = vfat_scan(fs, dir, &nm->s);
	if (nm->nomem)
		return -ENOMEM;
	return r < 0 ? r : 0;
}

/* Where and how a new name goes into a directory. */
struct addplan {
	uint16_t uname[FAT_LFN_MAX + 1];
	unsigned ulen;
	uint8_t n11[11], lcase;
	unsigned nlfn;		/* long-name entries (0: short only) */
	uint32_t at;		/* first slot */
	unsigned newclus;	/* clusters the directory grows by */
	uint32_t clus[MAX_NEW_CLUS + 1]; /* those, then one more if asked (mkdir's) */
	uint32_t dir_last;	/* the directory's last cluster */
	uint32_t nent;		/* entries the directory has now */
	uint64_t off;		/* out: the short entry's offset */
};

/*
 * After names_scan(collect) of dir for p->uname: choose the 8.3 alias and
 * the slots, pick the clusters (extra: one more for a new directory), and
 * gather every block the entries will be written to (new clusters zeroed).
 */
static int plan_add(struct vfat_fs *fs, struct vfat_inode *dir, struct names *nm,
		    struct addplan *p, bool extra, struct vgather *vg)
{
	uint32_t epc = fs->g.csize / FAT_DENT_SIZE, nslots, run;
	uint8_t *q;
	int r;

	r = fat_make_short(p->uname, p->ulen, p->n11, &p->lcase, names_has, nm, fs->seed);
	if (r < 0)
		return r;
	p->nlfn = r == 1 ? fat_lfn_entries(p->ulen) : 0;
	nslots = p->nlfn + 1;
	run = nm->s.run_at[p->nlfn ? 0 : 1];
	p->nent = nm->s.nent;
	p->newclus = 0;
	if (run != UINT32_MAX) {
		p->at = run;
	} else {
		uint32_t need = nslots - nm->s.tail_free;

		if (vfat_is_fixed_root(fs, dir))
			return -ENOSPC; /* the FAT12/16 root does not grow */
		p->at = p->nent - nm->s.tail_free;
		p->newclus = (need + epc - 1) / epc;
		if (p->newclus > MAX_NEW_CLUS ||
		    p->nent + (uint64_t)p->newclus * epc > VFAT_MAX_DIR_ENTRIES)
			return -ENOSPC;
		r = vfat_chain_nth(fs, dir, dir->start, UINT32_MAX, &p->dir_last);
		if (r != 1)
			return -EIO;
	}
	if (p->newclus + extra) {
		r = vfat_find_free(fs, p->newclus + extra, p->clus);
		if (r)
			return r;
	}
	/* Zero the new clusters (they are free: harmless if we stop here). */
	for (unsigned k = 0; k < p->newclus + extra; k++) {
		uint64_t base = vfat_clus_off(fs, p->clus[k]);

		for (uint64_t o = base; o < base + fs->g.csize;) {
			uint64_t b0 = o - o % VFAT_BSIZE, n = VFAT_BSIZE - o % VFAT_BSIZE;

			if (n > base + fs->g.csize - o)
				n = base + fs->g.csize - o;
			r = b0 >= base && b0 + VFAT_BSIZE <= base + fs->g.csize
				    ? vg_get_new(fs, vg, o, &q)
				    : vg_get(fs, vg, o, &q);
			if (r)
				return r;
			memset(q, 0, (size_t)n);
			o += n;
		}
	}
	for (uint32_t i = 0; i < nslots; i++) {
		uint32_t slot = p->at + i;
		uint64_t off;

		if (slot < p->nent) {
			r = vfat_dent_off(fs, dir, slot, &off);
			if (r)
				return r == -ENOSPC ? -EIO : r;
		} else {
			uint32_t k = (slot - p->nent) / epc;

			off = vfat_clus_off(fs, p->clus[k]) +
			      (uint64_t)((slot - p->nent) % epc) * FAT_DENT_SIZE;
		}
		r = vg_get(fs, vg, off, &q);
		if (r)
			return r;
		if (i == nslots - 1)
			p->off = off;
	}
	return 0;
}

/* Offset of slot i of a plan (its blocks are gathered). */
static uint64_t plan_slot(struct vfat_fs *fs, struct vfat_inode *dir, struct addplan *p,
			  uint32_t i)
{
	uint32_t slot = p->at + i, epc = fs->g.csize / FAT_DENT_SIZE;
	uint64_t off = 0;

	if (slot < p->nent) {
		(void)vfat_dent_off(fs, dir, slot, &off);
		return off;
	}
	return vfat_clus_off(fs, p->clus[(slot - p->nent) / epc]) +
	       (uint64_t)((slot - p->nent) % epc) * FAT_DENT_SIZE;
}

/* Write the planned entries: the long name, then tmpl as the short entry. */
static void commit_add(struct vfat_fs *fs, struct vfat_inode *dir, struct addplan *p,
		       const uint8_t *tmpl, struct vgather *vg)
{
	uint8_t csum = fat_lfn_csum(p->n11), *q;

	for (unsigned k = 0; k < p->newclus; k++) {
		vfat_link(fs, k ? p->clus[k - 1] : p->dir_last, p->clus[k]);
		dir->vfs.size += fs->g.csize;
	}
	for (unsigned k = 0; k < p->newclus; k++) {
		uint64_t base = vfat_clus_off(fs, p->clus[k]);

		for (uint64_t o = base; o < base + fs->g.csize; o += VFAT_BSIZE - o % VFAT_BSIZE)
			vg_dirty(vg, o);
	}
	for (uint32_t i = 0; i <= p->nlfn; i++) {
		uint64_t off = plan_slot(fs, dir, p, i);

		(void)vg_get(fs, vg, off, &q); /* gathered: cannot fail */
		if (i < p->nlfn) {
			fat_lfn_build(q, p->uname, p->ulen, p->nlfn - 1 - i, p->nlfn, csum);
		} else {
			memcpy(q, tmpl, FAT_DENT_SIZE);
			memcpy(q, p->n11, 11);
			q[DE_LCASE] = p->lcase;
		}
		vg_dirty(vg, off);
	}
	fs->seed += 11;
}

/* Mark entries [first, idx] of dir deleted (their blocks gathered first). */
static int gather_slots(struct vfat_fs *fs, struct vfat_inode *dir, uint32_t first, uint32_t idx,
			struct vgather *vg)
{
	for (uint32_t i = first; i <= idx; i++) {
		uint64_t off;
		uint8_t *q;
		int r = vfat_dent_off(fs, dir, i, &off);

		if (!r)
			r = vg_get(fs, vg, off, &q);
		if (r)
			return r == -ENOSPC ? -EIO : r;
	}
	return 0;
}

static void delete_slots(struct vfat_fs *fs, struct vfat_inode *dir, uint32_t first,
			 uint32_t idx, struct vgather *vg)
{
	for (uint32_t i = first; i <= idx; i++) {
		uint64_t off;
		uint8_t *q;

		if (vfat_dent_off(fs, dir, i, &off) || vg_get(fs, vg, off, &q))
			continue;
		q[0] = FAT_DELETED;
		vg_dirty(vg, off);
	}
}

static void touch_dir(struct vfat_fs *fs, struct vfat_inode *dir)
{
	dir->vfs.mtime_ns = dir->vfs.ctime_ns = vfat_now_ns();
	vfat_write_inode(fs, dir);
}

/* The inode's name is gone: it lives on (open) without an entry. Returns
 * the block reference to drop. */
static struct bcache_buf *orphan(struct vfat_inode *vi)
{
	struct bcache_buf *b = vi->dbuf;

	vi->vfs.nlink = 0;
	vi->dbuf = NULL;
	vi->dpos = 0;
	if (list_is_linked(&vi->node))
		list_del(&vi->node);
	return b;
}

struct nsctx {
	struct names nm;
	struct addplan p;
	struct vgather vg;
};

static struct nsctx *nsctx_new(void)
{
	struct nsctx *c = kzalloc(sizeof(*c));

	if (c)
		vg_init(&c->vg);
	return c;
}

static void nsctx_free(struct nsctx *c)
{
	names_done(&c->nm);
	vg_put(&c->vg);
	kfree(c);
}

int vfat_create(struct inode *dir, const char *name, size_t len, uint32_t mode, uint32_t rdev,
		struct inode **out)
{
	struct vfat_inode *vd = VI(dir);
	struct vfat_fs *fs = VFSI(dir);
	bool isdir = S_ISDIR(mode);
	uint8_t tmpl[FAT_DENT_SIZE] = { 0 }, *q;
	struct nsctx *c;
	irqflags_t fl;
	int n, err;

	(void)rdev;
	if (!S_ISREG(mode) && !isdir)
		return -EPERM; /* FAT has no device nodes, FIFOs or sockets */
	c = nsctx_new();
	if (!c)
		return -ENOMEM;
	n = fat_name_from_utf8(name, len, c->p.uname);
	if (n < 0) {
		kfree(c);
		return n;
	}
	c->p.ulen = (unsigned)n;
	c->nm.want = c->p.uname;
	c->nm.wlen = c->p.ulen;
	c->nm.collect = true;
	fl = spin_lock_irqsave(&fs->lock);
	if (fs->ro) {
		err = -EROFS;
		goto out;
	}
	if (!dir->nlink) {
		err = -ENOENT;
		goto out;
	}
	err = names_scan(fs, vd, &c->nm, fat_lfn_entries(c->p.ulen) + 1);
	if (!err && c->nm.found)
		err = -EEXIST;
	if (!err)
		err = plan_add(fs, vd, &c->nm, &c->p, isdir, &c->vg);
	if (err)
		goto out;
	int64_t now = vfat_now_ns();

	vfat_stamp(tmpl, now, true);
	tmpl[DE_ATTR] = isdir ? FAT_ATTR_DIR : FAT_ATTR_ARCH;
	if (isdir) {
		/* The new directory's cluster: ".", "..", zeros. */
		uint32_t m = c->p.clus[c->p.newclus], up = vd->parent == vd ? 0 : vd->start;
		uint64_t base = vfat_clus_off(fs, m);

		fat_put16(tmpl + DE_START, (uint16_t)m);
		if (fs->g.type == 32)
			fat_put16(tmpl + DE_START_HI, (uint16_t)(m >> 16));
		(void)vg_get(fs, &c->vg, base, &q); /* zeroed and gathered by plan_add */
		for (int k = 0; k < 2; k++) {
			uint8_t *e = q + k * FAT_DENT_SIZE;
			uint32_t cl = k ? up : m;

			memcpy(e, tmpl, FAT_DENT_SIZE);
			memcpy(e, k ? "..         " : ".          ", 11);
			fat_put16(e + DE_START, (uint16_t)cl);
			fat_put16(e + DE_START_HI, fs->g.type == 32 ? (uint16_t)(cl >> 16) : 0);
		}
		/* The whole cluster was zeroed: all of it goes to the disk. */
		for (uint64_t o = base; o < base + fs->g.csize; o += VFAT_BSIZE - o % VFAT_BSIZE)
			vg_dirty(&c->vg, o);
		vfat_link(fs, 0, m);
	}
	commit_add(fs, vd, &c->p, tmpl, &c->vg);
	if (isdir)
		dir->nlink++; /* the new directory's ".." */
	touch_dir(fs, vd);
	memcpy(tmpl, c->p.n11, 11);
	tmpl[DE_LCASE] = c->p.lcase;
	err = vfat_iget(fs, c->p.off, tmpl, vg_buf(&c->vg, c->p.off), vd, true, out);
out:
	spin_unlock_irqrestore(&fs->lock, fl);
	nsctx_free(c);
	return err;
}

int vfat_unlink(struct inode *dir, const char *name, size_t len, bool rmdir)
{
	struct vfat_inode *vd = VI(dir);
	struct vfat_fs *fs = VFSI(dir);
	struct inode *victim = NULL;
	struct bcache_buf *drop = NULL;
	struct nsctx *c = nsctx_new();
	irqflags_t fl;
	int n, err;

	if (!c)
		return -ENOMEM;
	n = fat_name_from_utf8(name, len, c->p.uname);
	if (n < 0) {
		kfree(c);
		return n == -ENAMETOOLONG ? n : -ENOENT;
	}
	c->nm.want = c->p.uname;
	c->nm.wlen = (unsigned)n;
	fl = spin_lock_irqsave(&fs->lock);
	err = fs->ro ? -EROFS : names_scan(fs, vd, &c->nm, 0);
	if (!err && !c->nm.found)
		err = -ENOENT;
	if (err)
		goto out;
	err = vfat_iget(fs, c->nm.off, c->nm.de, c->nm.buf, vd, false, &victim);
	if (err)
		goto out;
	if (rmdir && !S_ISDIR(victim->mode))
		err = -ENOTDIR;
	else if (!rmdir && S_ISDIR(victim->mode))
		err = -EISDIR;
	else if (rmdir)
		err = vfat_dir_empty(fs, VI(victim));
	if (!err)
		err = gather_slots(fs, vd, c->nm.first, c->nm.idx, &c->vg);
	if (err)
		goto out;
	delete_slots(fs, vd, c->nm.first, c->nm.idx, &c->vg);
	if (S_ISDIR(victim->mode) && dir->nlink > 2)
		dir->nlink--;
	drop = orphan(VI(victim)); /* its clusters go when the last user does */
	touch_dir(fs, vd);
out:
	spin_unlock_irqrestore(&fs->lock, fl);
	nsctx_free(c);
	if (drop)
		bcache_put(drop);
	inode_put(victim);
	return err;
}

int vfat_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		const char *nname, size_t nlen, unsigned flags)
{
	struct vfat_inode *vo = VI(odir), *vn = VI(ndir), *src;
	struct vfat_fs *fs = VFSI(odir);
	struct inode *srci = NULL, *victim = NULL, *old_parent = NULL;
	struct bcache_buf *drop[2] = { NULL, NULL };
	struct nsctx *o = nsctx_new(), *c = nsctx_new();
	uint8_t tmpl[FAT_DENT_SIZE], *q;
	uint64_t dotdot = 0;
	irqflags_t fl;
	int n, err;

	if (!o || !c) {
		err = -ENOMEM;
		goto out_free;
	}
	err = -EINVAL;
	if (flags & ~(unsigned)RENAME_NOREPLACE)
		goto out_free;
	n = fat_name_from_utf8(oname, olen, o->p.uname);
	if (n < 0) {
		err = n == -ENAMETOOLONG ? n : -ENOENT;
		goto out_free;
	}
	o->nm.want = o->p.uname;
	o->nm.wlen = (unsigned)n;
	n = fat_name_from_utf8(nname, nlen, c->p.uname);
	if (n < 0) {
		err = n;
		goto out_free;
	}
	c->p.ulen = (unsigned)n;
	c->nm.want = c->p.uname;
	c->nm.wlen = c->p.ulen;
	c->nm.collect = true;
	fl = spin_lock_irqsave(&fs->lock);
	err = fs->ro ? -EROFS : names_scan(fs, vo, &o->nm, 0);
	if (!err && !o->nm.found)
		err = -ENOENT;
	if (!err && !ndir->nlink)
		err = -ENOENT;
	if (!err)
		err = vfat_iget(fs, o->nm.off, o->nm.de, o->nm.buf, vo, false, &srci);
	if (err)
		goto out;
	src = VI(srci);
	if (S_ISDIR(srci->mode)) {
		/* Not into itself or below it: the parent chain is in memory. */
		for (struct vfat_inode *a = vn;; a = a->parent) {
			if (a == src) {
				err = -EINVAL;
				goto out;
			}
			if (a->parent == a)
				break;
		}
	}
	c->nm.skip_off = o->nm.off;
	err = names_scan(fs, vn, &c->nm, fat_lfn_entries(c->p.ulen) + 1);
	if (err)
		goto out;
	if (c->nm.found) {
		if (flags & RENAME_NOREPLACE) {
			err = -EEXIST;
			goto out;
		}
		err = vfat_iget(fs, c->nm.off, c->nm.de, c->nm.buf, vn, false, &victim);
		if (err)
			goto out;
		if (S_ISDIR(srci->mode) && !S_ISDIR(victim->mode))
			err = -ENOTDIR;
		else if (!S_ISDIR(srci->mode) && S_ISDIR(victim->mode))
			err = -EISDIR;
		else if (S_ISDIR(victim->mode))
			err = vfat_dir_empty(fs, VI(victim));
		if (!err)
			err = gather_slots(fs, vn, c->nm.first, c->nm.idx, &c->vg);
		if (err)
			goto out;
		/* The victim's 8.3 name is freed with it. */
		for (unsigned i = 0; i < c->nm.n; i++)
			if (!memcmp(c->nm.tab[i], c->nm.de, 11))
				memset(c->nm.tab[i], 0, 11);
	}
	err = plan_add(fs, vn, &c->nm, &c->p, false, &c->vg);
	if (!err)
		err = gather_slots(fs, vo, o->nm.first, o->nm.idx, &c->vg);
	if (!err && S_ISDIR(srci->mode) && vo != vn) {
		dotdot = vfat_clus_off(fs, src->start) + FAT_DENT_SIZE;
		err = vg_get(fs, &c->vg, dotdot, &q);
	}
	if (err)
		goto out;
	/* Everything is gathered: change it. */
	if (victim) {
		delete_slots(fs, vn, c->nm.first, c->nm.idx, &c->vg);
		if (S_ISDIR(victim->mode) && ndir->nlink > 2)
			ndir->nlink--;
		drop[0] = orphan(VI(victim));
	}
	memcpy(tmpl, o->nm.de, FAT_DENT_SIZE);
	commit_add(fs, vn, &c->p, tmpl, &c->vg);
	delete_slots(fs, vo, o->nm.first, o->nm.idx, &c->vg);
	drop[1] = src->dbuf;
	src->dpos = c->p.off;
	src->dbuf = vg_buf(&c->vg, c->p.off);
	bcache_hold(src->dbuf);
	if (dotdot) {
		uint32_t up = vn->parent == vn ? 0 : vn->start;

		(void)vg_get(fs, &c->vg, dotdot, &q);
		fat_put16(q + DE_START, (uint16_t)up);
		fat_put16(q + DE_START_HI, fs->g.type == 32 ? (uint16_t)(up >> 16) : 0);
		vg_dirty(&c->vg, dotdot);
		old_parent = &src->parent->vfs;
		src->parent = VI(inode_get(ndir));
		if (odir->nlink > 2)
			odir->nlink--;
		ndir->nlink++;
	}
	srci->ctime_ns = vfat_now_ns();
	vfat_write_inode(fs, src);
	touch_dir(fs, vo);
	if (vn != vo)
		touch_dir(fs, vn);
out:
	spin_unlock_irqrestore(&fs->lock, fl);
	for (int i = 0; i < 2; i++)
		if (drop[i])
			bcache_put(drop[i]);
	inode_put(victim);
	inode_put(srci);
	inode_put(old_parent);
out_free:
	if (o)
		nsctx_free(o);
	if (c)
		nsctx_free(c);
	return err;
}
