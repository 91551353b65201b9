// SPDX-License-Identifier: MIT
/*
 * vfat: mounting (the boot sector, the FAT read into memory, FSInfo),
 * writing the FAT and FSInfo back (flush), sync, statfs, unmount, the
 * `vfat` fs_type, and the block gathering every op uses (vfat_int.h).
 */
#include "kernel/fs/vfat/vfat_int.h"

#include "kernel/async/future.h"
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/ioctx.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pcache.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MS_RDONLY 1
#define FSI_LEAD 0x41615252
#define FSI_STRUC 0x61417272
#define FSI_TRAIL 0xaa550000

/* ---- gathering blocks ------------------------------------------------------------- */

static int vg_take(struct vfat_fs *fs, struct vgather *vg, uint64_t off, uint8_t **p, bool fresh)
{
	uint64_t blk = off / VFAT_BSIZE;
	int err;

	for (unsigned i = 0; i < vg->n; i++)
		if (vg->blk[i] == blk) {
			*p = (uint8_t *)bcache_data(vg->b[i]) + off % VFAT_BSIZE;
			return 0;
		}
	if (vg->n == VG_MAX)
		return -ENOMEM; /* cannot be with the sizes allowed; be safe */
	if (off + VFAT_BSIZE > fs->dev->sectors * 512)
		return -EIO;
	err = fresh ? bcache_get_noread(fs->dev, blk, VFAT_BSIZE, &vg->b[vg->n])
		    : bcache_get(fs->dev, blk, VFAT_BSIZE, &vg->b[vg->n]);
	if (err)
		return err;
	ioctx_pin(vg->b[vg->n]); /* a rerun of this syscall finds it (ioctx.h) */
	vg->blk[vg->n] = blk;
	*p = (uint8_t *)bcache_data(vg->b[vg->n]) + off % VFAT_BSIZE;
	vg->n++;
	return 0;
}

int vg_get(struct vfat_fs *fs, struct vgather *vg, uint64_t off, uint8_t **p)
{
	return vg_take(fs, vg, off, p, false);
}

int vg_get_new(struct vfat_fs *fs, struct vgather *vg, uint64_t off, uint8_t **p)
{
	return vg_take(fs, vg, off, p, true);
}

struct bcache_buf *vg_buf(struct vgather *vg, uint64_t off)
{
	for (unsigned i = 0; i < vg->n; i++)
		if (vg->blk[i] == off / VFAT_BSIZE)
			return vg->b[i];
	return NULL;
}

void vg_dirty(struct vgather *vg, uint64_t off)
{
	struct bcache_buf *b = vg_buf(vg, off);

	if (b)
		bcache_mark_dirty(b);
}

void vg_put(struct vgather *vg)
{
	for (unsigned i = 0; i < vg->n; i++)
		bcache_put(vg->b[i]);
	vg->n = 0;
}

void vfat_discard_io_wait(void)
{
	struct future *io = vfs_take_io_wait();

	if (io) {
		future_drop(io);
		future_release(io);
	}
}

/* ---- the FAT in memory -------------------------------------------------------------- */

/*
 * A FAT being read at mount, kept across the mount's restarts so a FAT
 * larger than the buffer cache still loads (each run copies what is cached
 * and goes on from there). One at a time; another device's load starts over.
 */
static struct {
	struct spinlock lock;
	struct blkdev *dev;	/* L */
	uint64_t fat_off;	/* L */
	uint32_t bytes, done;	/* L */
	uint8_t *fat;		/* L: owned */
} loading = { .lock = SPINLOCK_INIT("vfat_load") };

/* Copy FAT #1 of g on dev into memory: 0 with *out (owned), or -EIOWAIT. */
static int load_fat(struct blkdev *dev, const struct fat_geom *g, uint8_t **out)
{
	irqflags_t fl = spin_lock_irqsave(&loading.lock);
	int err = 0;

	if (loading.dev != dev || loading.fat_off != g->fat_off || loading.bytes != g->fat_bytes) {
		kfree(loading.fat);
		loading.fat = kmalloc(g->fat_bytes);
		loading.dev = loading.fat ? dev : NULL;
		loading.fat_off = g->fat_off;
		loading.bytes = g->fat_bytes;
		loading.done = 0;
		if (!loading.fat) {
			spin_unlock_irqrestore(&loading.lock, fl);
			return -ENOMEM;
		}
		/* Start every read at once; the loop below waits for them in turn. */
		for (uint64_t b = g->fat_off / VFAT_BSIZE;
		     b * VFAT_BSIZE < g->fat_off + g->fat_bytes && b < BCACHE_NBUF / 2 + g->fat_off / VFAT_BSIZE;
		     b++)
			bcache_prefetch(dev, b, VFAT_BSIZE);
	}
	while (loading.done < loading.bytes) {
		uint64_t off = g->fat_off + loading.done;
		uint32_t in = (uint32_t)(off % VFAT_BSIZE), n = VFAT_BSIZE - in;
		struct bcache_buf *b;

		if (n > loading.bytes - loading.done)
			n = loading.bytes - loading.done;
		err = bcache_get(dev, off / VFAT_BSIZE, VFAT_BSIZE, &b);
		if (err)
			break;
		memcpy(loading.fat + loading.done, (uint8_t *)bcache_data(b) + in, n);
		bcache_put(b);
		loading.done += n;
		/* Keep the reads ahead of the copy. */
		if (loading.done % (64 * VFAT_BSIZE) < n)
			for (unsigned k = 0; k < 256; k++)
				bcache_prefetch(dev, (off + n) / VFAT_BSIZE + BCACHE_NBUF / 2 + k,
						VFAT_BSIZE);
	}
	if (!err) {
		*out = loading.fat;
		loading.fat = NULL;
		loading.dev = NULL;
	} else if (err != -EIOWAIT) {
		kfree(loading.fat);
		loading.fat = NULL;
		loading.dev = NULL;
	}
	spin_unlock_irqrestore(&loading.lock, fl);
	return err;
}

/* Copy FAT chunk c (VFAT_BSIZE bytes of the FAT) into every FAT copy on disk. */
static int write_chunk(struct vfat_fs *fs, uint32_t c)
{
	uint32_t start = c * VFAT_BSIZE, end = start + VFAT_BSIZE;
	struct vgather vg;
	int err = 0;

	if (end > fs->g.fat_bytes)
		end = fs->g.fat_bytes;
	vg_init(&vg);
	for (uint32_t k = 0; k < fs->g.nfats && !err; k++) {
		uint64_t base = fs->g.fat_off + (uint64_t)k * fs->g.fat_bytes;

		for (uint32_t at = start; at < end && !err;) {
			uint64_t off = base + at;
			uint32_t n = VFAT_BSIZE - (uint32_t)(off % VFAT_BSIZE);
			uint8_t *p;

			if (n > end - at)
				n = end - at;
			err = vg_get(fs, &vg, off, &p);
			if (!err) {
				memcpy(p, fs->fat + at, n);
				vg_dirty(&vg, off);
			}
			at += n;
		}
		if (vg.n > VG_MAX - 4)
			vg_put(&vg);
	}
	vg_put(&vg);
	return err;
}

static int vfat_flush(struct superblock *sb)
{
	struct vfat_fs *fs = VFS_OF(sb);
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	int err = 0;

	for (uint32_t c = 0; c < fs->nfatchunks && !err; c++) {
		if (!(fs->fat_dirty[c / 8] & (1u << (c % 8))))
			continue;
		err = write_chunk(fs, c);
		if (!err)
			fs->fat_dirty[c / 8] &= (uint8_t)~(1u << (c % 8));
	}
	if (!err && fs->fsinfo_dirty && fs->fsinfo_ok) {
		struct vgather vg;
		uint8_t *p;

		vg_init(&vg);
		err = vg_get(fs, &vg, (uint64_t)fs->g.fsinfo_sec * fs->g.bps, &p);
		if (!err) {
			fat_put32(p + 488, fs->free_count);
			fat_put32(p + 492, fs->next_free);
			vg_dirty(&vg, (uint64_t)fs->g.fsinfo_sec * fs->g.bps);
			fs->fsinfo_dirty = false;
		}
		vg_put(&vg);
	}
	spin_unlock_irqrestore(&fs->lock, fl);
	return err;
}

static struct future *vfat_sync(struct superblock *sb)
{
	return bcache_sync(VFS_OF(sb)->dev);
}

static void vfat_statfs(struct superblock *sb, struct vfs_statfs *st)
{
	struct vfat_fs *fs = VFS_OF(sb);
	irqflags_t fl = spin_lock_irqsave(&fs->lock);

	*st = (struct vfs_statfs){
		.magic = MSDOS_SUPER_MAGIC,
		.bsize = fs->g.csize,
		.blocks = fs->g.nclusters,
		.bfree = fs->free_count,
		.bavail = fs->free_count,
		.ro = fs->ro,
	};
	spin_unlock_irqrestore(&fs->lock, fl);
}

static int vfat_unmount(struct superblock *sb, struct inode *root)
{
	struct vfat_fs *fs = VFS_OF(sb);
	irqflags_t fl = spin_lock_irqsave(&fs->lock);
	bool busy = fs->live != 1 || atomic_load(&root->ref) != 1;

	spin_unlock_irqrestore(&fs->lock, fl);
	if (busy)
		return -EBUSY;
	inode_put(root); /* evicts the root */
	pcache_forget_sb(sb);
	kfree(fs->fat);
	kfree(fs->fat_dirty);
	kfree(fs);
	return 0;
}

static const struct super_ops vfat_super_ops = {
	.flush = vfat_flush,
	.sync = vfat_sync,
	.statfs = vfat_statfs,
	.unmount = vfat_unmount,
};

/* FAT32's FSInfo sector: are its signatures there? 0, or -EIOWAIT to wait for it. */
static int check_fsinfo(struct blkdev *dev, const struct fat_geom *g, bool *ok)
{
	uint64_t off = (uint64_t)g->fsinfo_sec * g->bps;
	struct bcache_buf *b;
	const uint8_t *p;
	int err;

	*ok = false;
	if (g->type != 32 || !g->fsinfo_sec)
		return 0;
	err = bcache_get(dev, off / VFAT_BSIZE, VFAT_BSIZE, &b);
	if (err)
		return err == -EIOWAIT ? err : 0; /* unreadable: do without it */
	p = (const uint8_t *)bcache_data(b) + off % VFAT_BSIZE;
	*ok = fat_le32(p) == FSI_LEAD && fat_le32(p + 484) == FSI_STRUC &&
	      fat_le32(p + 508) == FSI_TRAIL;
	bcache_put(b);
	return 0;
}

static atomic_uint vfat_next_minor = 80;

static int vfat_mount(struct blkdev *dev, const struct mount_opts *o, struct inode **root)
{
	struct fat_geom g;
	struct bcache_buf *b;
	struct vfat_fs *fs;
	uint8_t *fat = NULL;
	int err;

	if (!dev)
		return -ENOTBLK;
	err = bcache_get(dev, 0, VFAT_BSIZE, &b);
	if (err)
		return err;
	err = fat_parse_bpb(bcache_data(b), dev->sectors * 512, &g);
	bcache_put(b);
	if (err) {
		kprintf("vfat: %s: not a valid FAT file system\n", dev->name);
		return -EINVAL;
	}
	if (g.fat_bytes > VFAT_MAX_FAT) {
		kprintf("vfat: %s: FAT of %u bytes is over this kernel's %u\n", dev->name,
			g.fat_bytes, VFAT_MAX_FAT);
		return -EINVAL;
	}
	bool fsinfo_ok;

	err = check_fsinfo(dev, &g, &fsinfo_ok);
	if (!err)
		err = load_fat(dev, &g, &fat);
	if (err)
		return err;
	fs = kzalloc(sizeof(*fs));
	if (!fs)
		goto out_nomem;
	fs->nfatchunks = (g.fat_bytes + VFAT_BSIZE - 1) / VFAT_BSIZE;
	fs->fat_dirty = kzalloc((fs->nfatchunks + 7) / 8);
	if (!fs->fat_dirty)
		goto out_nomem;
	spin_init(&fs->lock, "vfat");
	fs->dev = dev;
	fs->g = g;
	fs->fat = fat;
	fs->ro = (o && (o->flags & MS_RDONLY)) || dev->read_only;
	list_init(&fs->inodes);
	fs->next_free = 2;
	for (uint32_t c = 2; c < g.nclusters + 2; c++)
		if (fat_get(&g, fat, c) == 0)
			fs->free_count++;
	fs->fsinfo_ok = fsinfo_ok;
	if (g.type == 32 && vfat_chain_len(fs, g.root_clus) < 0) {
		kprintf("vfat: %s: the root directory's cluster chain is broken\n", dev->name);
		err = -EUCLEAN;
		goto out_free;
	}
	fs->vsb.dev = MKDEV(0, atomic_fetch_add_explicit(&vfat_next_minor, 1,
							 memory_order_relaxed));
	fs->vsb.name = "vfat";
	fs->vsb.ops = &vfat_super_ops;
	fs->vsb.bdev = dev;
	atomic_init(&fs->vsb.next_ino, 1);
	struct vfat_inode *r = vfat_make_root(fs);

	if (!r)
		goto out_nomem;
	uint32_t nsub;

	err = vfat_count_subdirs(fs, r, &nsub);
	if (err) {
		kfree(r); /* -EIOWAIT: the rerun reads the FAT again, from the cache */
		goto out_free;
	}
	r->vfs.nlink = 2 + nsub;
	*root = &r->vfs;
	return 0;
out_nomem:
	err = -ENOMEM;
out_free:
	if (fs)
		kfree(fs->fat_dirty);
	kfree(fs);
	kfree(fat);
	return err;
}

static const struct fs_type vfat_type = {
	.name = "vfat",
	.needs_dev = true,
	.mount = vfat_mount,
};
FS_TYPE(vfat_type);
