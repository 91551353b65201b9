// SPDX-License-Identifier: MIT
/*
 * Block device registry and the request future shared by every driver; see
 * blkdev.h. Lock legend: R registry_lock.
 */
#include "kernel/block/blkdev.h"

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/boot.h"
#include "kernel/drivers/virtio_blk.h"
#include "kernel/drivers/virtio_mmio.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct spinlock registry_lock = SPINLOCK_INIT("blkdev_registry");
static struct blkdev *registry[BLKDEV_MAX];	/* R (written once per slot) */
static atomic_uint registered;			/* A: release pairs with readers */
static unsigned ndisks;				/* R */

/* Linux's new_encode_dev. */
static uint32_t encode_dev(unsigned major, unsigned minor)
{
	return (major << 8) | (minor & 0xff) | ((minor & ~0xffu) << 12);
}

/* Publish dev in the next slot. Under registry_lock. */
static int add_locked(struct blkdev *dev)
{
	unsigned n = atomic_load_explicit(&registered, memory_order_relaxed);

	if (n >= BLKDEV_MAX)
		return -ENOSPC;
	if (!atomic_load_explicit(&dev->bsize, memory_order_relaxed)) {
		/* The largest cache block size that tiles the device (1 KiB at least:
		 * an odd last sector is then out of reach). */
		unsigned bs = 4096;

		while (bs > 1024 && (dev->sectors * BLK_SECTOR_SIZE) % bs)
			bs /= 2;
		atomic_store_explicit(&dev->bsize, bs, memory_order_relaxed);
	}
	registry[n] = dev;
	/* release: the entry before the count (pairs with blkdev_get's acquire). */
	atomic_store_explicit(&registered, n + 1, memory_order_release);
	return 0;
}

int blkdev_register(struct blkdev *dev)
{
	irqflags_t fl = spin_lock_irqsave(&registry_lock);
	int err = ndisks < 26 ? 0 : -ENOSPC;

	if (!err) {
		dev->name[0] = 'v';
		dev->name[1] = 'd';
		dev->name[2] = (char)('a' + ndisks);
		dev->name[3] = 0;
		dev->devt = encode_dev(BLKDEV_MAJOR, ndisks * BLKDEV_MINORS);
		dev->parent = NULL;
		dev->partno = 0;
		err = add_locked(dev);
	}
	if (!err)
		ndisks++;
	spin_unlock_irqrestore(&registry_lock, fl);
	return err;
}

unsigned blkdev_count(void)
{
	return atomic_load_explicit(&registered, memory_order_acquire);
}

struct blkdev *blkdev_get(unsigned i)
{
	return i < blkdev_count() ? registry[i] : NULL;
}

struct blkdev *blkdev_find(const char *name)
{
	unsigned n = blkdev_count();

	for (unsigned i = 0; i < n; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

struct blkdev *blkdev_find_devt(uint32_t devt)
{
	unsigned n = blkdev_count();

	for (unsigned i = 0; i < n; i++)
		if (registry[i]->devt == devt)
			return registry[i];
	return NULL;
}

unsigned blkdev_bsize(struct blkdev *dev)
{
	return atomic_load_explicit(&dev->bsize, memory_order_relaxed);
}

void blkdev_set_bsize(struct blkdev *dev, unsigned bsize)
{
	atomic_store_explicit(&dev->bsize, bsize, memory_order_relaxed);
}

/* ---- partitions: requests forwarded to the disk ------------------------------ */

static void part_submit(struct blkdev *dev, struct blk_req *r)
{
	dev->parent->ops->submit(dev->parent, r);
}

static bool part_set_waker(struct blkdev *dev, struct blk_req *r, const struct waker *w)
{
	return dev->parent->ops->set_waker(dev->parent, r, w);
}

static void part_cancel(struct blkdev *dev, struct blk_req *r)
{
	dev->parent->ops->cancel(dev->parent, r);
}

static void part_poll(struct blkdev *dev)
{
	dev->parent->ops->poll(dev->parent);
}

static const struct blkdev_ops part_ops = {
	.submit = part_submit,
	.set_waker = part_set_waker,
	.cancel = part_cancel,
	.poll = part_poll,
};

int blkdev_add_partition(struct blkdev *disk, unsigned partno, uint64_t start, uint64_t sectors)
{
	struct blkdev *p;
	int err;

	if (!partno || partno >= BLKDEV_MINORS || disk->parent || start >= disk->sectors ||
	    sectors > disk->sectors - start || !sectors)
		return -EINVAL;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	fmt_snprintf(p->name, sizeof(p->name), "%s%u", disk->name, partno);
	p->devt = encode_dev(BLKDEV_MAJOR,
			     ((disk->devt & 0xff) | ((disk->devt >> 12) & 0xfff00)) + partno);
	p->parent = disk;
	p->start = start;
	p->partno = partno;
	p->sectors = sectors;
	p->read_only = disk->read_only;
	p->has_flush = disk->has_flush;
	p->ops = &part_ops;
	irqflags_t fl = spin_lock_irqsave(&registry_lock);

	err = add_locked(p);
	spin_unlock_irqrestore(&registry_lock, fl);
	if (err)
		kfree(p);
	return err;
}

void blkdev_probe_all(const struct boot_info *bi)
{
	static bool probed;
	const struct fdt_info *fi = bi->fdt;

	if (probed)
		return;
	probed = true;
	/* QEMU gives the first -device the highest slot: walk downwards. */
	for (int i = fi->virtio_count - 1; i >= 0; i--) {
		struct virtio_mmio_dev d;
		int err = virtio_mmio_probe(fi->virtio_base[i], fi->virtio_irq[i], &d);

		if (err == -EPROTO) {
			kprintf("virtio-mmio@%#lx: legacy transport (version 1) not supported\n",
				(unsigned long)fi->virtio_base[i]);
			continue;
		}
		if (err)
			continue;
		if (d.device_id == VIRTIO_ID_BLOCK) {
			err = vblk_attach(&d);
			if (err)
				kprintf("virtio-blk@%#lx: not attached (%d)\n",
					(unsigned long)d.base_pa, err);
		} else {
			kprintf("virtio-mmio@%#lx: device id %u ignored\n",
				(unsigned long)d.base_pa, d.device_id);
		}
	}
	for (unsigned i = 0, n = blkdev_count(); i < n; i++)
		if (!registry[i]->parent)
			blkdev_scan_partitions(registry[i]);
}

/* ---- requests ------------------------------------------------------------- */

static enum poll blk_req_poll(struct future *f, struct context *cx)
{
	struct blk_req *r = (struct blk_req *)f;

	if (atomic_load_explicit(&r->state, memory_order_relaxed) == BLK_REQ_IDLE)
		blkdev_submit(r);
	/* Registers the waker unless the request is already done (then the
	 * acquire in blk_req_is_done orders the result and data before us). */
	if (r->dev->ops->set_waker(r->dev, r, cx->waker) || blk_req_is_done(r))
		return POLL_READY;
	return POLL_PENDING;
}

static void blk_req_drop(struct future *f)
{
	struct blk_req *r = (struct blk_req *)f;
	int st = atomic_load_explicit(&r->state, memory_order_acquire);

	if (st == BLK_REQ_QUEUED || st == BLK_REQ_INFLIGHT)
		r->dev->ops->cancel(r->dev, r);
}

static const char *blk_req_state_name(const struct future *f)
{
	static const char *const names[] = { "idle", "queued", "inflight", "done" };
	const struct blk_req *r = (const struct blk_req *)f;

	return names[atomic_load_explicit(&r->state, memory_order_relaxed) & 3];
}

static const struct future_ops blk_req_ops = {
	.name = "blk_req",
	.type = "blk_req",
	.poll = blk_req_poll,
	.drop = blk_req_drop,
	.state_name = blk_req_state_name,
};

void blk_req_init(struct blk_req *r, struct blkdev *dev, enum blk_op op, uint64_t sector,
		  void *buf, uint32_t len)
{
	future_init(&r->base, &blk_req_ops);
	r->dev = dev;
	r->op = op;
	r->sector = sector;
	r->buf = buf;
	r->len = len;
	r->nsegs = 0;
	r->segs = NULL;
	r->done = NULL;
	r->done_arg = NULL;
	r->has_waker = false;
	r->submit_ns = 0;
	list_init(&r->wait_node);
	atomic_store_explicit(&r->state, BLK_REQ_IDLE, memory_order_relaxed);
}

void blk_req_init_sg(struct blk_req *r, struct blkdev *dev, enum blk_op op, uint64_t sector,
		     const struct blk_seg *segs, uint32_t nsegs)
{
	uint64_t len = 0;

	for (uint32_t i = 0; i < nsegs; i++)
		len += segs[i].len;
	blk_req_init(r, dev, op, sector, NULL, len > UINT32_MAX ? 0 : (uint32_t)len);
	r->nsegs = nsegs;
	r->segs = segs;
}

static void blk_account_done(struct blk_req *r);

void blk_req_complete_locked(struct blk_req *r, long result, struct blk_fin *fin)
{
	fin->r = r;
	fin->done = r->done;
	fin->has_waker = r->has_waker;
	fin->w = r->waker;
	r->has_waker = false;
	if (result < 0 && r->op == BLK_WRITE)
		atomic_fetch_add_explicit(&r->dev->write_errors, 1, memory_order_relaxed);
	if (r->submit_ns)
		blk_account_done(r);
	r->base.result = result;
	/* release: result and the device's data before DONE (pairs with the
	 * acquire in blk_req_is_done). */
	atomic_store_explicit(&r->state, BLK_REQ_DONE, memory_order_release);
}

void blk_fin_run(struct blk_fin *fin)
{
	if (fin->has_waker)
		waker_wake(&fin->w);
	if (fin->done)
		fin->done(fin->r);
}

static long check_req(const struct blk_req *r)
{
	if (r->op == BLK_FLUSH)
		return 0;
	if (r->len == 0 || r->len % BLK_SECTOR_SIZE || r->len > BLK_MAX_BYTES)
		return -EINVAL;
	if (r->nsegs > BLK_MAX_SEGS)
		return -EINVAL;
	for (uint32_t i = 0; i < r->nsegs; i++)
		if (r->segs[i].len == 0 || r->segs[i].len % BLK_SECTOR_SIZE)
			return -EINVAL;
	/* Beyond the end: -EIO, as Linux fails a bio past the device's end. */
	if (r->sector >= r->dev->sectors ||
	    r->len / BLK_SECTOR_SIZE > r->dev->sectors - r->sector)
		return -EIO;
	return 0;
}

/* Statistics (relaxed: counters, read for /sys only). */
static void blk_account_done(struct blk_req *r)
{
	uint64_t now = clock_now_ns();

	/* A partition's I/O counts for its disk too (as Linux's disk stat). */
	for (struct blkdev *d = r->dev; d; d = d->parent) {
		atomic_fetch_add_explicit(&d->stats.ios[r->op], 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&d->stats.sectors[r->op], r->len / BLK_SECTOR_SIZE,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&d->stats.ns[r->op], now - r->submit_ns,
					  memory_order_relaxed);
		if (atomic_fetch_sub_explicit(&d->stats.in_flight, 1, memory_order_relaxed) == 1)
			atomic_fetch_add_explicit(
				&d->stats.busy_ns,
				now - atomic_load_explicit(&d->stats.busy_since, memory_order_relaxed),
				memory_order_relaxed);
	}
	r->submit_ns = 0;
}

static void blk_account_submit(struct blk_req *r)
{
	r->submit_ns = clock_now_ns();
	for (struct blkdev *d = r->dev; d; d = d->parent)
		if (atomic_fetch_add_explicit(&d->stats.in_flight, 1, memory_order_relaxed) == 0)
			atomic_store_explicit(&d->stats.busy_since, r->submit_ns,
					      memory_order_relaxed);
}

void blkdev_submit(struct blk_req *r)
{
	long err = check_req(r);

	if (err) {
		struct blk_fin fin;

		/* Nobody else can see an IDLE request: no lock needed. */
		blk_req_complete_locked(r, err, &fin);
		blk_fin_run(&fin);
		return;
	}
	blk_account_submit(r);
	/* Checked against the partition; the disk sees its own sector numbers.
	 * (r->sector is the caller's: each use re-initialises the request.) */
	if (r->dev->parent && r->op != BLK_FLUSH)
		r->sector += r->dev->start;
	r->dev->ops->submit(r->dev, r);
}

long blk_req_block_on(struct blk_req *r)
{
	exec_block_on(&r->base);
	return r->base.result;
}

long blk_req_poll_wait(struct blk_req *r, uint64_t timeout_ns)
{
	uint64_t deadline = clock_now_ns() + timeout_ns;

	if (atomic_load_explicit(&r->state, memory_order_relaxed) == BLK_REQ_IDLE)
		blkdev_submit(r);
	while (!blk_req_is_done(r)) {
		if (clock_now_ns() > deadline)
			return -ETIMEDOUT;
		r->dev->ops->poll(r->dev);
		arch_cpu_relax();
	}
	return r->base.result;
}
