// SPDX-License-Identifier: MIT
/*
 * Memory disks for the corrupted-image tests (tests/qemu/test_corrupt.py): a disk whose
 * first sector is a memdisk header holds many small file-system images back to back;
 * at boot each becomes a block device of its own ("vdc", "vdd", ...: the next free
 * names), its bytes copied into memory, so one boot can mount image after image and
 * whatever an image's file system writes never reaches the disk.
 *
 * Header (sector 0, little-endian): "ASYNCRV-MEMDISK\0", u32 count, u32 slot sectors
 * (each image starts at sector 8 + i * slot), then u32 sectors per image (count of
 * them, at most MEMDISK_MAX_HDR): an image may be shorter than its slot (a truncated
 * image). Images are registered in order until the device table is full; the kernel
 * log says which name is which image ("memdisk: vdc is image 0 (512 KiB)").
 *
 * Requests complete inside submit (a copy under the disk's lock). Lock legend:
 * I set before registration; M memdisk lock.
 */
#include "kernel/block/memdisk.h"

#include "kernel/block/blkdev.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MEMDISK_MAGIC "ASYNCRV-MEMDISK"
#define MEMDISK_MAX_HDR ((BLK_SECTOR_SIZE * 8 - 24) / 4)
#define MEMDISK_DATA_SECTOR 8
#define MEMDISK_MAX_BYTES (8u << 20)	/* per image */
#define PAGE_SECTORS (4096 / BLK_SECTOR_SIZE)

struct memdisk {
	struct blkdev dev;
	struct spinlock lock;
	void **pages;			/* I: the image, one page per 8 sectors */
	unsigned npages;		/* I */
};

static void md_copy(struct memdisk *m, uint64_t sector, uint8_t *buf, uint32_t len, bool write)
{
	while (len) {
		uint64_t pg = sector / PAGE_SECTORS;
		uint32_t off = (uint32_t)(sector % PAGE_SECTORS) * BLK_SECTOR_SIZE;
		uint32_t n = 4096 - off < len ? 4096 - off : len;
		uint8_t *p = (uint8_t *)m->pages[pg] + off;

		if (write)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		buf += n;
		len -= n;
		sector += n / BLK_SECTOR_SIZE;
	}
}

static void md_submit(struct blkdev *dev, struct blk_req *r)
{
	struct memdisk *m = (struct memdisk *)dev;
	struct blk_fin fin;
	irqflags_t fl = spin_lock_irqsave(&m->lock);

	/* The range was checked against dev->sectors by blkdev_submit. */
	if (r->op != BLK_FLUSH) {
		bool wr = r->op == BLK_WRITE;

		if (r->nsegs) {
			uint64_t s = r->sector;

			for (uint32_t i = 0; i < r->nsegs; i++) {
				md_copy(m, s, r->segs[i].buf, r->segs[i].len, wr);
				s += r->segs[i].len / BLK_SECTOR_SIZE;
			}
		} else {
			md_copy(m, r->sector, r->buf, r->len, wr);
		}
	}
	atomic_store_explicit(&r->state, BLK_REQ_INFLIGHT, memory_order_relaxed);
	blk_req_complete_locked(r, 0, &fin);
	spin_unlock_irqrestore(&m->lock, fl);
	blk_fin_run(&fin);
}

static bool md_set_waker(struct blkdev *dev, struct blk_req *r, const struct waker *w)
{
	(void)dev;
	(void)w;
	return blk_req_is_done(r); /* always: requests complete in submit */
}

static void md_cancel(struct blkdev *dev, struct blk_req *r)
{
	(void)dev;
	(void)r;
}

static void md_poll(struct blkdev *dev)
{
	(void)dev;
}

static const struct blkdev_ops md_ops = {
	.submit = md_submit,
	.set_waker = md_set_waker,
	.cancel = md_cancel,
	.poll = md_poll,
};

static long read_sectors(struct blkdev *src, uint64_t sector, void *buf, uint32_t len)
{
	struct blk_req r;

	blk_req_init(&r, src, BLK_READ, sector, buf, len);
	return blk_req_poll_wait(&r, 10000000000ull);
}

static void md_free(struct memdisk *m)
{
	for (unsigned i = 0; i < m->npages; i++)
		if (m->pages[i])
			page_free(m->pages[i]);
	kfree(m->pages);
	kfree(m);
}

/* Image i of src (sectors long, at sector `at`) as a new device; 0 or -errno. */
static int md_load(struct blkdev *src, unsigned i, uint64_t at, uint32_t sectors)
{
	struct memdisk *m = kzalloc(sizeof(*m));
	int err = -ENOMEM;

	if (!m)
		return -ENOMEM;
	m->npages = (sectors + PAGE_SECTORS - 1) / PAGE_SECTORS;
	m->pages = kzalloc(m->npages * sizeof(*m->pages));
	if (!m->pages)
		goto out_free;
	for (unsigned p = 0; p < m->npages; p++) {
		uint32_t n = sectors - p * PAGE_SECTORS;

		if (n > PAGE_SECTORS)
			n = PAGE_SECTORS;
		m->pages[p] = page_alloc();
		err = -ENOMEM;
		if (!m->pages[p])
			goto out_free;
		err = (int)read_sectors(src, at + p * PAGE_SECTORS, m->pages[p],
					n * BLK_SECTOR_SIZE);
		if (err)
			goto out_free;
	}
	spin_init(&m->lock, "memdisk");
	m->dev.sectors = sectors;
	m->dev.ops = &md_ops;
	m->dev.priv = m;
	err = blkdev_register(&m->dev);
	if (err)
		goto out_free;
	kprintf("memdisk: %s is image %u (%u sectors)\n", m->dev.name, i, sectors);
	return 0;
out_free:
	md_free(m);
	return err;
}

void memdisk_probe(void)
{
	unsigned ndisks = blkdev_count();
	uint8_t *hdr = page_alloc();

	if (!hdr)
		return;
	for (unsigned d = 0; d < ndisks; d++) {
		struct blkdev *src = blkdev_get(d);
		uint32_t count, slot;

		if (!src || src->sectors < MEMDISK_DATA_SECTOR ||
		    read_sectors(src, 0, hdr, MEMDISK_DATA_SECTOR * BLK_SECTOR_SIZE) ||
		    memcmp(hdr, MEMDISK_MAGIC, sizeof(MEMDISK_MAGIC)))
			continue;
		count = *(uint32_t *)(hdr + 16);
		slot = *(uint32_t *)(hdr + 20);
		if (count > MEMDISK_MAX_HDR)
			count = MEMDISK_MAX_HDR;
		for (unsigned i = 0; i < count; i++) {
			uint32_t len = *(uint32_t *)(hdr + 24 + 4 * i);
			uint64_t at = MEMDISK_DATA_SECTOR + (uint64_t)i * slot;
			int err;

			if (!len || len > slot || len > MEMDISK_MAX_BYTES / BLK_SECTOR_SIZE ||
			    at + len > src->sectors) {
				kprintf("memdisk: %s: image %u: bad length %u\n", src->name, i, len);
				continue;
			}
			err = md_load(src, i, at, len);
			if (err == -ENOSPC) {
				kprintf("memdisk: %s: device table full: images %u.. of %u left out\n",
					src->name, i, count);
				break;
			}
			if (err)
				kprintf("memdisk: %s: image %u: %d\n", src->name, i, err);
		}
	}
	page_free(hdr);
}
