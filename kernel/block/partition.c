// SPDX-License-Identifier: MIT
/*
 * Finding a disk's partitions at boot: lib/partition.c parses, this file
 * reads the sectors it asks for (polling the device, so it works before
 * interrupts are on) and registers each partition as a block device.
 */
#include "kernel/block/blkdev.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/partition.h"

#define SCAN_TIMEOUT_NS 2000000000ull
/* Room for the usual 128 entries of 128 bytes and a good margin. */
#define SCAN_SCRATCH (64u << 10)

/* One sector per request: the scratch buffer need not be physically
 * contiguous beyond a sector (kmalloc gives pages above its size classes). */
static int read_sectors(void *ctx, uint64_t lba, void *buf, unsigned count)
{
	struct blkdev *disk = ctx;

	struct blk_req *r = kmalloc(sizeof(*r));
	long err = 0;

	if (!r)
		return -ENOMEM;
	for (unsigned i = 0; i < count && !err; i++) {
		blk_req_init(r, disk, BLK_READ, lba + i, (uint8_t *)buf + (size_t)i * PART_SECTOR,
			     PART_SECTOR);
		err = blk_req_poll_wait(r, SCAN_TIMEOUT_NS);
	}
	if (err == -ETIMEDOUT)
		return -EIO; /* r (and the buffer) stay the device's: leaked on purpose */
	kfree(r);
	return (int)err;
}

unsigned blkdev_scan_partitions(struct blkdev *disk)
{
	struct part_info parts[PART_MAX];
	unsigned n = 0, added = 0;
	uint8_t *scratch = kmalloc(SCAN_SCRATCH);
	int kind;

	if (!scratch)
		return 0;
	kind = part_scan(read_sectors, disk, disk->sectors, scratch, SCAN_SCRATCH, parts, &n);
	if (kind != -EIO)
		kfree(scratch); /* after a timeout the device may still write into it */
	if (kind < 0) {
		kprintf("blkdev: %s: partition table unreadable (%d)\n", disk->name, kind);
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		if (blkdev_add_partition(disk, parts[i].partno, parts[i].start, parts[i].sectors) == 0)
			added++;
	if (added)
		kprintf("blkdev: %s: %s, %u partition%s\n", disk->name,
			kind == PART_GPT ? "gpt" : "mbr", added, added == 1 ? "" : "s");
	return added;
}
