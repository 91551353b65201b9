// SPDX-License-Identifier: MIT
/*
 * What user space sees of block devices: the open file of /dev/vda (read,
 * write and lseek through the buffer cache, the BLK* ioctls; fsync is
 * sys_sync.c's, over bcache_sync) and /proc/partitions.
 *
 * Raw access shares the cache with a file system mounted on the same device
 * (both use blkdev_bsize), so the two see each other's writes, as on Linux. A
 * disk and its partitions are cached apart: writing /dev/vda over vda1's
 * range while vda1 is in use is not seen through vda1's cached blocks.
 */
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/proc/genfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"

static int bdev_open(struct inode *ino, struct file *f)
{
	struct blkdev *d = blkdev_find_devt(ino->rdev);

	if (!d)
		return -ENXIO;
	if (file_writable(f) && d->read_only)
		return -EACCES; /* Linux: a read-only device refuses FMODE_WRITE */
	f->priv = d;
	return 0;
}

static uint64_t bdev_bytes(const struct blkdev *d)
{
	return d->sectors * BLK_SECTOR_SIZE;
}

/* The cache's answer was -EIOWAIT after some bytes moved: report those and
 * let the next call wait (it finds the read in flight and joins it). */
static void drop_parked_io(void)
{
	struct future *io = vfs_take_io_wait();

	if (io) {
		future_drop(io);
		future_release(io);
	}
}

static long bdev_rw(struct file *f, struct uio *u, uint64_t *pos, bool write)
{
	struct blkdev *d = f->priv;
	unsigned bs = blkdev_bsize(d);
	uint64_t size = bdev_bytes(d);
	long done = 0;

	if (*pos >= size)
		return write && u->resid ? -ENOSPC : 0;
	while (u->resid && *pos < size) {
		uint64_t blk = *pos / bs;
		unsigned off = (unsigned)(*pos % bs);
		size_t n = bs - off;
		struct bcache_buf *b;
		long c;
		int err;

		if (n > u->resid)
			n = u->resid;
		if (n > size - *pos)
			n = (size_t)(size - *pos);
		/* Always read first: a copy that faults halfway must leave the
		 * rest of the block as it was. */
		err = bcache_get(d, blk, bs, &b);
		if (err) {
			if (!done)
				return err;
			if (err == -EIOWAIT)
				drop_parked_io();
			break;
		}
		uint8_t *data = (uint8_t *)bcache_data(b) + off;

		c = write ? uio_copy_from(u, data, n) : uio_copy_to(u, data, n);
		if (c > 0 && write) {
			bcache_mark_dirty(b);
			atomic_store_explicit(&d->raw_dirty, 1, memory_order_relaxed);
		}
		bcache_put(b);
		if (c < 0)
			return done ? done : c;
		*pos += (uint64_t)c;
		done += c;
		if ((size_t)c < n)
			break;
	}
	return done;
}

static long bdev_read(struct file *f, struct uio *u, uint64_t *pos)
{
	return bdev_rw(f, u, pos, false);
}

static long bdev_write(struct file *f, struct uio *u, uint64_t *pos)
{
	return bdev_rw(f, u, pos, true);
}

/* <linux/fs.h>: _IO(0x12, n) and _IOR(0x12, n, size_t) */
#define BLKROGET 0x125e
#define BLKGETSIZE 0x1260
#define BLKSSZGET 0x1268
#define BLKIOMIN 0x1278
#define BLKIOOPT 0x1279
#define BLKPBSZGET 0x127b
#define BLKBSZGET 0x80081270
#define BLKGETSIZE64 0x80081272

static long bdev_ioctl(struct file *f, struct proc *p, unsigned cmd, uintptr_t arg)
{
	struct blkdev *d = f->priv;
	uint64_t v64;
	unsigned long vl;
	int vi;

	switch (cmd) {
	case BLKGETSIZE64:
		v64 = bdev_bytes(d);
		return copy_to_user(proc_as(p), arg, &v64, sizeof(v64));
	case BLKGETSIZE:
		vl = (unsigned long)d->sectors;
		return copy_to_user(proc_as(p), arg, &vl, sizeof(vl));
	case BLKSSZGET:
	case BLKPBSZGET:
	case BLKIOMIN:
		vi = BLK_SECTOR_SIZE;
		return copy_to_user(proc_as(p), arg, &vi, sizeof(vi));
	case BLKIOOPT:
		vi = 0;
		return copy_to_user(proc_as(p), arg, &vi, sizeof(vi));
	case BLKBSZGET:
		vi = (int)blkdev_bsize(d);
		return copy_to_user(proc_as(p), arg, &vi, sizeof(vi));
	case BLKROGET:
		vi = d->read_only;
		return copy_to_user(proc_as(p), arg, &vi, sizeof(vi));
	default:
		return -ENOTTY;
	}
}

const struct file_ops blkdev_fops = {
	.open = bdev_open,
	.read = bdev_read,
	.write = bdev_write,
	.seekable = true,
	.ioctl = bdev_ioctl,
};

uint64_t blkdev_file_size(const struct file *f)
{
	return f->ops == &blkdev_fops && f->priv ? bdev_bytes(f->priv) : 0;
}

struct blkdev *blkdev_of_file(const struct file *f)
{
	return f->ops == &blkdev_fops ? f->priv : NULL;
}

static void show_one(struct seqbuf *s, const struct blkdev *d)
{
	unsigned minor = (d->devt & 0xff) | ((d->devt >> 12) & 0xfff00);

	seq_printf(s, "%4u  %7u %10llu %s\n", d->devt >> 8 & 0xfff, minor,
		   (unsigned long long)(d->sectors / 2), d->name);
}

void blkdev_show_partitions(struct seqbuf *s)
{
	unsigned n = blkdev_count();

	seq_printf(s, "major minor  #blocks  name\n\n");
	for (unsigned i = 0; i < n; i++) {
		struct blkdev *disk = blkdev_get(i);

		if (!disk || disk->parent)
			continue;
		show_one(s, disk);
		for (unsigned k = 0; k < n; k++) {
			struct blkdev *p = blkdev_get(k);

			if (p && p->parent == disk)
				show_one(s, p);
		}
	}
}
