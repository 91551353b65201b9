// SPDX-License-Identifier: MIT
/*
 * vfat: in-memory inodes made from directory entries, writing them back,
 * attributes (Linux's defaults: owner root, umask 022, ATTR_RO clears the
 * write bits of a file), eviction, and the ops tables.
 */
#include "kernel/fs/vfat/vfat_int.h"

#include "kernel/block/bcache.h"
#include "kernel/mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define VFAT_UMASK 022
#define NSEC 1000000000ll

int64_t vfat_now_ns(void)
{
	return vfs_now_ns();
}

static uint32_t mode_of(uint8_t attr)
{
	if (attr & FAT_ATTR_DIR)
		return S_IFDIR | (0777 & ~VFAT_UMASK);
	if (attr & FAT_ATTR_RO)
		return S_IFREG | (0555 & ~VFAT_UMASK);
	return S_IFREG | (0777 & ~VFAT_UMASK);
}

static int64_t de_time(const uint8_t *de, unsigned doff, unsigned toff, unsigned csoff)
{
	uint32_t ns = 0;
	int64_t s = fat_time_to_unix(fat_le16(de + doff), toff ? fat_le16(de + toff) : 0,
				     csoff ? de[csoff] : 0, &ns);

	return s * NSEC + ns;
}

void vfat_stamp(uint8_t *de, int64_t now_ns, bool create)
{
	uint16_t d, t;
	uint8_t cs;

	fat_time_from_unix(now_ns / NSEC, &d, &t, &cs);
	fat_put16(de + DE_TIME, t);
	fat_put16(de + DE_DATE, d);
	fat_put16(de + DE_ADATE, d);
	if (create) {
		fat_put16(de + DE_CTIME, t);
		fat_put16(de + DE_CDATE, d);
		de[DE_CTIME_CS] = (uint8_t)(cs + (now_ns % NSEC) / 10000000);
	}
}

struct vfat_inode *vfat_find_inode(struct vfat_fs *fs, uint64_t off)
{
	struct vfat_inode *vi;

	/* One whose last reference went is being evicted (it leaves the
	 * list under fs->lock, after inode_put): not to be revived. */
	list_for_each_entry(vi, &fs->inodes, node)
		if (vi->dpos == off && atomic_load_explicit(&vi->vfs.ref, memory_order_relaxed))
			return vi;
	return NULL;
}

/* A reference to vi unless its last one already went (then it is being evicted). */
static bool get_unless_zero(struct vfat_inode *vi)
{
	unsigned r = atomic_load_explicit(&vi->vfs.ref, memory_order_relaxed);

	while (r)
		if (atomic_compare_exchange_weak_explicit(&vi->vfs.ref, &r, r + 1,
							  memory_order_acquire,
							  memory_order_relaxed))
			return true;
	return false;
}

static struct vfat_inode *alloc_inode(struct vfat_fs *fs, uint8_t attr)
{
	struct vfat_inode *vi = kzalloc(sizeof(*vi));

	if (!vi)
		return NULL;
	inode_init(&vi->vfs, &fs->vsb, mode_of(attr), &vfat_iops,
		   (attr & FAT_ATTR_DIR) ? &vfat_dir_fops : &vfat_file_fops);
	list_init(&vi->node);
	vi->attr = attr;
	fs->live++;
	return vi;
}

int vfat_iget(struct vfat_fs *fs, uint64_t off, const uint8_t *de, struct bcache_buf *b,
	      struct vfat_inode *parent, bool fresh, struct inode **out)
{
	struct vfat_inode *vi = vfat_find_inode(fs, off);
	uint8_t attr = de[DE_ATTR];
	uint32_t start = fat_le16(de + DE_START);
	uint64_t size;

	if (vi && get_unless_zero(vi)) {
		*out = &vi->vfs;
		return 0;
	}
	if (fs->g.type == 32)
		start |= (uint32_t)fat_le16(de + DE_START_HI) << 16;
	if (start && !fat_valid_clus(&fs->g, start))
		return -EIO;
	if (attr & FAT_ATTR_DIR) {
		long n = vfat_chain_len(fs, start);

		if (n <= 0)
			return -EIO; /* a directory without clusters, or a bad chain */
		size = (uint64_t)n * fs->g.csize;
	} else {
		size = fat_le32(de + DE_SIZE);
	}
	vi = alloc_inode(fs, attr);
	if (!vi)
		return -ENOMEM;
	vi->start = start;
	if ((attr & FAT_ATTR_DIR) && !fresh) {
		uint32_t n;
		int err;

		vi->parent = parent; /* for the scan only: not counted yet */
		err = vfat_count_subdirs(fs, vi, &n);
		if (err) {
			fs->live--;
			kfree(vi);
			return err;
		}
		vi->vfs.nlink = 2 + n;
	} else if (attr & FAT_ATTR_DIR) {
		vi->vfs.nlink = 2;
	}
	vi->vfs.ino = off / FAT_DENT_SIZE;
	vi->vfs.size = size;
	vi->vfs.mtime_ns = vi->vfs.ctime_ns = de_time(de, DE_DATE, DE_TIME, 0);
	vi->vfs.atime_ns = de_time(de, DE_ADATE, 0, 0);
	vi->dpos = off;
	vi->dbuf = b;
	bcache_hold(b);
	if (attr & FAT_ATTR_DIR)
		vi->parent = VI(inode_get(&parent->vfs));
	list_add(&vi->node, &fs->inodes);
	*out = &vi->vfs;
	return 0;
}

struct vfat_inode *vfat_make_root(struct vfat_fs *fs)
{
	struct vfat_inode *r = alloc_inode(fs, FAT_ATTR_DIR);

	if (!r)
		return NULL;
	r->vfs.ino = 1; /* MSDOS_ROOT_INO */
	r->vfs.mtime_ns = r->vfs.atime_ns = r->vfs.ctime_ns = 0;
	r->parent = r; /* not counted */
	if (fs->g.type == 32) {
		r->start = fs->g.root_clus;
		r->vfs.size = (uint64_t)vfat_chain_len(fs, r->start) * fs->g.csize;
	} else {
		r->vfs.size = fs->g.root_bytes;
	}
	return r;
}

void vfat_write_inode(struct vfat_fs *fs, struct vfat_inode *vi)
{
	uint8_t *de;
	uint16_t d, t;

	if (!vi->dbuf || fs->ro)
		return;
	de = (uint8_t *)bcache_data(vi->dbuf) + vi->dpos % VFAT_BSIZE;
	de[DE_ATTR] = vi->attr;
	fat_put16(de + DE_START, (uint16_t)vi->start);
	fat_put16(de + DE_START_HI, fs->g.type == 32 ? (uint16_t)(vi->start >> 16) : 0);
	fat_put32(de + DE_SIZE, (vi->attr & FAT_ATTR_DIR) ? 0 : (uint32_t)vi->vfs.size);
	fat_time_from_unix(vi->vfs.mtime_ns / NSEC, &d, &t, NULL);
	fat_put16(de + DE_TIME, t);
	fat_put16(de + DE_DATE, d);
	fat_time_from_unix(vi->vfs.atime_ns / NSEC, &d, &t, NULL);
	fat_put16(de + DE_ADATE, d);
	bcache_mark_dirty(vi->dbuf);
}

void vfat_evict(struct inode *ino)
{
	struct vfat_inode *vi = VI(ino), *parent = NULL;
	struct vfat_fs *fs = VFSI(ino);
	struct bcache_buf *b;
	irqflags_t fl = spin_lock_irqsave(&fs->lock);

	if (ino->nlink == 0 && vi->start && !fs->ro)
		(void)vfat_free_chain(fs, vi->start); /* unlinked while open: now it goes */
	if (list_is_linked(&vi->node))
		list_del(&vi->node);
	b = vi->dbuf;
	vi->dbuf = NULL;
	if (vi->parent && vi->parent != vi)
		parent = vi->parent;
	fs->live--;
	spin_unlock_irqrestore(&fs->lock, fl);
	if (b)
		bcache_put(b);
	kfree(vi);
	if (parent)
		inode_put(&parent->vfs);
}

int vfat_setattr(struct inode *ino, const struct iattr *ia)
{
	struct vfat_inode *vi = VI(ino);
	struct vfat_fs *fs = VFSI(ino);
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	int err = 0;
	uint8_t attr = vi->attr;

	if (fs->ro) {
		err = -EROFS;
		goto out;
	}
	/* FAT stores no owners and only a read-only bit (Linux: EPERM otherwise). */
	if (((ia->valid & ATTR_UID) && ia->uid != ino->uid) ||
	    ((ia->valid & ATTR_GID) && ia->gid != ino->gid)) {
		err = -EPERM;
		goto out;
	}
	if (ia->valid & ATTR_MODE) {
		uint32_t want = ia->mode & 07777, rw = 0777 & ~VFAT_UMASK;

		if (S_ISDIR(ino->mode) ? want != rw : want != rw && want != (rw & ~0222u)) {
			err = -EPERM;
			goto out;
		}
		if (!S_ISDIR(ino->mode))
			attr = want == rw ? (uint8_t)(attr & ~FAT_ATTR_RO) : (uint8_t)(attr | FAT_ATTR_RO);
	}
	inode_setattr_mem(ino, ia, vfat_now_ns());
	vi->attr = attr;
	ino->mode = mode_of(attr);
	vfat_write_inode(fs, vi);
out:
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

static int vfat_dir_readdir(struct file *f, uint64_t *pos, vfs_filldir_t fill, void *ctx)
{
	return vfat_readdir(f->inode, pos, fill, ctx);
}

static long vfat_dir_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return -EISDIR;
}

const struct inode_ops vfat_iops = {
	.lookup = vfat_lookup,
	.create = vfat_create,
	.unlink = vfat_unlink,
	.rename = vfat_rename,
	.readdir = vfat_readdir,
	.truncate = vfat_truncate,
	.setattr = vfat_setattr,
	.evict = vfat_evict,
};

const struct file_ops vfat_dir_fops = {
	.read = vfat_dir_read,
	.seekable = true,
	.readdir = vfat_dir_readdir,
};
