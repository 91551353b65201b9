// SPDX-License-Identifier: MIT
/*
 * Raw virtio-blk throughput (kbench vblk_seq_read): sequential reads of the
 * first 8 MiB of vda, one request at a time, at 4 KiB and 64 KiB. Under
 * -icount shift=0, B/ns is bytes per guest instruction.
 * Run: make bench-disk (tools/disk.mk).
 */
#include "kernel/arch.h"
#include "kernel/block/blkdev.h"
#include "kernel/kbench.h"
#include "kernel/mm/page.h"
#include "kernel/printk.h"

static void seq_read(struct blkdev *d, uint8_t *buf, uint32_t rsize, const char *name)
{
	const uint64_t total = 8u << 20;
	uint64_t t0 = clock_now_ns();

	for (uint64_t off = 0; off < total; off += rsize) {
		struct blk_req r;

		blk_req_init(&r, d, BLK_READ, off / BLK_SECTOR_SIZE, buf, rsize);
		if (blk_req_block_on(&r) != 0) {
			kprintf("# %s: read failed\n", name);
			return;
		}
	}
	uint64_t ns = clock_now_ns() - t0;

	kbench_report(name, total, ns, "B/ns");
	kbench_report(name, ns, total / rsize, "ns/request");
}

KBENCH(vblk_seq_read)
{
	struct blkdev *d = blkdev_find("vda");
	uint8_t *buf = page_alloc_order(4);	/* 64 KiB */

	if (!d || !buf || d->sectors < (8u << 20) / BLK_SECTOR_SIZE) {
		kprintf("# skipped: no disk of 8 MiB or more\n");
		return;
	}
	seq_read(d, buf, 4096, "vblk_seq_read_4k");
	seq_read(d, buf, 65536, "vblk_seq_read_64k");
	page_free_order(buf, 4);
}
