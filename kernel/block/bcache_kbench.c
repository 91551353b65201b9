// SPDX-License-Identifier: MIT
/*
 * Buffer cache reads (kbench bcache_read): 512 blocks of 4 KiB from vda,
 * cold (each a miss: read, wait, restart) then warm (each a hit), one get
 * and put per block. Run: make bench-disk (tools/disk.mk).
 */
#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/block/blkdev.h"
#include "kernel/block/bcache.h"
#include "kernel/fs/vfs.h"
#include "kernel/kbench.h"
#include "kernel/printk.h"
#include "lib/errno.h"

#define NBLK 512

static int read_all(struct blkdev *d)
{
	for (uint64_t i = 0; i < NBLK; i++) {
		struct bcache_buf *b;
		int r;

		while ((r = bcache_get(d, i, 4096, &b)) == -EIOWAIT) {
			struct future *f = vfs_take_io_wait();

			exec_block_on(f);
			future_drop(f);
			future_release(f);
		}
		if (r)
			return r;
		bcache_put(b);
	}
	return 0;
}

KBENCH(bcache_read)
{
	struct blkdev *d = blkdev_find("vda");

	if (!d || d->sectors < NBLK * 8) {
		kprintf("# skipped: no disk\n");
		return;
	}
	bcache_sync_block_on(d);
	bcache_invalidate_clean(d);
	uint64_t t0 = clock_now_ns();

	if (read_all(d))
		return;
	uint64_t t1 = clock_now_ns();

	if (read_all(d))
		return;
	uint64_t t2 = clock_now_ns();

	kbench_report("bcache_read_cold_4k", t1 - t0, NBLK, "ns/block");
	kbench_report("bcache_read_warm_4k", t2 - t1, NBLK, "ns/block");
	kbench_report("bcache_read_cold_4k_bw", (uint64_t)NBLK * 4096, t1 - t0, "B/ns");
	kbench_report("bcache_read_warm_4k_bw", (uint64_t)NBLK * 4096, t2 - t1, "B/ns");
}
