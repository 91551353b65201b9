// SPDX-License-Identifier: MIT
/*
 * Buffer cache tests (suite `bcache`), on the scratch disk vda (they
 * overwrite it; tests/qemu/test_disk.py attaches build/scratch.img). Without
 * a disk each case prints `# skipped: no disk` and passes. Block numbers
 * stay above 4 MiB so the virtio suite's areas are not assumed either way.
 */
#include "kernel/arch.h"
#include "kernel/async/async_ktest.h"
#include "kernel/async/executor.h"
#include "kernel/async/combinators.h"
#include "kernel/block/blkdev.h"
#include "kernel/block/bcache.h"
#include "kernel/fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define BS 4096
#define BASE 1024	/* first 4 KiB block used here: 4 MiB into the disk */

static struct blkdev *test_disk(void)
{
	struct blkdev *d = blkdev_find("vda");

	if (!d)
		kprintf("# skipped: no disk\n");
	return d;
}

/* What a restarting syscall does: await the parked future, start over. */
static int get_wait(struct blkdev *d, uint64_t blk, unsigned bsize, bool noread,
		    struct bcache_buf **out, unsigned *waits)
{
	for (;;) {
		int r = noread ? bcache_get_noread(d, blk, bsize, out)
			       : bcache_get(d, blk, bsize, out);
		struct future *f;

		if (r != -EIOWAIT)
			return r;
		f = vfs_take_io_wait();
		if (!f)
			return -EFAULT;
		exec_block_on(f);
		future_drop(f);
		future_release(f);
		if (waits)
			++*waits;
	}
}

static void fill(uint8_t *p, unsigned n, uint64_t blk, uint64_t tag)
{
	uint64_t s = (blk + 1) * 0x9e3779b97f4a7c15ull ^ tag;

	for (unsigned i = 0; i < n; i += 8) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		memcpy(p + i, &s, 8);
	}
}

static long raw_read(struct blkdev *d, uint64_t sector, void *buf, uint32_t len)
{
	struct blk_req r;

	blk_req_init(&r, d, BLK_READ, sector, buf, len);
	return blk_req_block_on(&r);
}

KTEST(bcache, miss_then_hit)
{
	struct blkdev *d = test_disk();
	struct bcache_stats s0, s1;
	struct bcache_buf *b;
	unsigned waits = 0;

	if (!d)
		return;
	ASSERT(bcache_sync_block_on(d) == 0);
	bcache_invalidate_clean(d);
	bcache_stats(&s0);
	EXPECT(bcache_get(d, BASE, BS, &b) == -EIOWAIT);
	struct future *f = vfs_take_io_wait();

	ASSERT(f);
	exec_block_on(f);
	EXPECT(f->result == 0);
	future_release(f);
	ASSERT(get_wait(d, BASE, BS, false, &b, &waits) == 0);
	EXPECT(waits == 0);	/* cached now */
	bcache_put(b);
	ASSERT(bcache_get(d, BASE, BS, &b) == 0);
	bcache_put(b);
	bcache_stats(&s1);
	EXPECT(s1.misses - s0.misses == 1);
	EXPECT(s1.reads - s0.reads == 1);
	EXPECT(s1.hits - s0.hits == 2);
}

/* A prefetched block is read without a reference and without anyone
 * waiting; a later get finds it (joining the read if it is still running)
 * with its data intact, and a second prefetch of it does nothing. */
KTEST(bcache, prefetch_reads_without_a_waiter)
{
	struct blkdev *d = test_disk();
	struct bcache_stats s0, s1;
	struct bcache_buf *b;
	uint8_t *want;
	unsigned waits = 0;

	if (!d)
		return;
	want = page_alloc();
	ASSERT(want);
	ASSERT(bcache_sync_block_on(d) == 0);
	bcache_invalidate_clean(d);
	EXPECT(bcache_get_cached(d, BASE + 7, BS, &b) == -EAGAIN);
	bcache_stats(&s0);
	EXPECT(bcache_prefetch(d, BASE + 7, BS));
	EXPECT(!bcache_prefetch(d, BASE + 7, BS));	/* cached or in flight: nothing */
	EXPECT(!bcache_prefetch(d, d->sectors, BS));	/* past the end: refused */
	ASSERT(get_wait(d, BASE + 7, BS, false, &b, &waits) == 0);
	EXPECT(waits <= 1);	/* at most the one shared read */
	ASSERT(raw_read(d, (BASE + 7) * (BS / 512), want, BS) == 0);
	EXPECT(memcmp(bcache_data(b), want, BS) == 0);
	bcache_put(b);
	ASSERT(bcache_get_cached(d, BASE + 7, BS, &b) == 0);
	bcache_put(b);
	bcache_stats(&s1);
	EXPECT(s1.prefetches - s0.prefetches == 1);
	EXPECT(s1.reads - s0.reads == 1);
	EXPECT(s1.misses == s0.misses);
	page_free(want);
}

KTEST(bcache, concurrent_getters_share_one_read)
{
	struct blkdev *d = test_disk();
	struct bcache_stats s0, s1;
	struct bcache_buf *b;
	struct future *f[3];
	unsigned nf = 0, hits = 0;

	if (!d)
		return;
	bcache_invalidate_clean(d);
	bcache_stats(&s0);
	/* The read may complete (on another hart) between two gets: a later
	 * getter then hits instead of sharing. Either way, one read. */
	for (int i = 0; i < 3; i++) {
		int r = bcache_get(d, BASE + 1, BS, &b);

		if (r == 0) {
			hits++;
			bcache_put(b);
			continue;
		}
		EXPECT(r == -EIOWAIT);
		f[nf] = vfs_take_io_wait();
		ASSERT(f[nf]);
		nf++;
	}
	EXPECT(nf >= 1);
	struct join_all_future j;

	join_all_init(&j, f, nf);
	exec_block_on(&j.base);
	for (unsigned i = 0; i < nf; i++)
		future_release(f[i]);
	ASSERT(bcache_get(d, BASE + 1, BS, &b) == 0);
	bcache_put(b);
	bcache_stats(&s1);
	kprintf("# 3 getters: %u waited, %u hit\n", nf, hits);
	EXPECT(s1.reads - s0.reads == 1);
	EXPECT(s1.misses - s0.misses == 1);
	EXPECT(s1.shared - s0.shared == nf - 1);
}

KTEST(bcache, bad_arguments)
{
	struct blkdev *d = test_disk();
	struct bcache_buf *b;

	if (!d)
		return;
	EXPECT(bcache_get(d, d->sectors / 8, BS, &b) == -EIO);	/* past the end */
	EXPECT(bcache_get(d, 0, 1000, &b) == -EINVAL);
	EXPECT(bcache_get(d, 0, 8192, &b) == -EINVAL);
	EXPECT(bcache_get(d, 0, 512, &b) == -EINVAL);
	/* The same block with another size is refused while cached. */
	ASSERT(get_wait(d, BASE + 2, BS, false, &b, NULL) == 0);
	EXPECT(bcache_get(d, BASE + 2, 2048, &b) == -EINVAL);
	bcache_put(b);
}

KTEST(bcache, sync_then_device_matches)
{
	struct blkdev *d = test_disk();
	struct bcache_stats s0, s1;
	struct bcache_buf *b;
	uint8_t *want = page_alloc(), *got = page_alloc();

	if (!d)
		return;
	ASSERT(want && got);
	bcache_stats(&s0);
	for (unsigned i = 0; i < 8; i++) {
		ASSERT(get_wait(d, BASE + 10 + i, BS, true, &b, NULL) == 0);
		fill(bcache_data(b), BS, BASE + 10 + i, 5);
		bcache_mark_dirty(b);
		bcache_put(b);
	}
	/* A 1 KiB-block view of another area. */
	ASSERT(get_wait(d, (BASE + 20) * 4, 1024, true, &b, NULL) == 0);
	fill(bcache_data(b), 1024, 999, 5);
	bcache_mark_dirty(b);
	bcache_put(b);
	bcache_stats(&s1);
	EXPECT(s1.dirty >= 9);
	EXPECT(bcache_sync_block_on(d) == 0);
	bcache_stats(&s1);
	EXPECT(s1.dirty == 0);
	EXPECT(s1.writes - s0.writes >= 9);
	for (unsigned i = 0; i < 8; i++) {
		fill(want, BS, BASE + 10 + i, 5);
		memset(got, 0, BS);
		EXPECT(raw_read(d, (BASE + 10 + i) * 8, got, BS) == 0);
		EXPECT(memcmp(want, got, BS) == 0);
	}
	fill(want, 1024, 999, 5);
	EXPECT(raw_read(d, (BASE + 20) * 8, got, 1024) == 0);
	EXPECT(memcmp(want, got, 1024) == 0);
	page_free(want);
	page_free(got);
}

#define NPRESS (BCACHE_NBUF + 256)

KTEST(bcache, eviction_under_pressure_keeps_dirty_data)
{
	struct blkdev *d = test_disk();
	struct bcache_stats s0, s1;
	struct bcache_buf *b;
	unsigned waits = 0, bad = 0;
	uint8_t *want = page_alloc();

	if (!d)
		return;
	ASSERT(want);
	ASSERT((uint64_t)(BASE + 64 + NPRESS) * 8 <= d->sectors);
	bcache_stats(&s0);
	for (unsigned i = 0; i < NPRESS; i++) {
		uint64_t blk = BASE + 64 + i;

		ASSERT(get_wait(d, blk, BS, true, &b, &waits) == 0);
		fill(bcache_data(b), BS, blk, 9);
		bcache_mark_dirty(b);
		bcache_put(b);
	}
	bcache_stats(&s1);
	EXPECT(s1.writes - s0.writes >= NPRESS - BCACHE_NBUF);	/* evicted => written */
	EXPECT(s1.dirty <= BCACHE_NBUF);
	for (unsigned i = 0; i < NPRESS; i++) {
		uint64_t blk = BASE + 64 + i;

		ASSERT(get_wait(d, blk, BS, false, &b, &waits) == 0);
		fill(want, BS, blk, 9);
		bad += memcmp(want, bcache_data(b), BS) != 0;
		bcache_put(b);
	}
	EXPECT(bad == 0);
	bcache_stats(&s1);
	kprintf("# %u blocks through a %u-block cache: %lu evictions, %lu writes, %lu reads, "
		"%u waits\n", NPRESS, BCACHE_NBUF, (unsigned long)(s1.evictions - s0.evictions),
		(unsigned long)(s1.writes - s0.writes), (unsigned long)(s1.reads - s0.reads),
		waits);
	EXPECT(s1.evictions - s0.evictions >= NPRESS - BCACHE_NBUF);
	EXPECT(s1.reads - s0.reads >= NPRESS - BCACHE_NBUF);	/* some came back from disk */
	EXPECT(bcache_sync_block_on(d) == 0);
	page_free(want);
}

KTEST(bcache, poweroff_flush_writes_everything)
{
	struct blkdev *d = test_disk();
	struct bcache_stats s;
	struct bcache_buf *b;
	uint8_t *want = page_alloc(), *got = page_alloc();

	if (!d)
		return;
	ASSERT(want && got);
	for (unsigned i = 0; i < 4; i++) {
		ASSERT(get_wait(d, BASE + 40 + i, BS, true, &b, NULL) == 0);
		fill(bcache_data(b), BS, BASE + 40 + i, 13);
		bcache_mark_dirty(b);
		bcache_put(b);
	}
	irqflags_t fl = arch_irq_save();	/* as on the power-off path */

	bcache_flush_all_on_poweroff();
	arch_irq_restore(fl);
	bcache_stats(&s);
	EXPECT(s.dirty == 0);
	for (unsigned i = 0; i < 4; i++) {
		fill(want, BS, BASE + 40 + i, 13);
		EXPECT(raw_read(d, (BASE + 40 + i) * 8, got, BS) == 0);
		EXPECT(memcmp(want, got, BS) == 0);
	}
	page_free(want);
	page_free(got);
}

/* ---- a getter that finds the cache full sleeps until a buffer can be had ---- */

static _Atomic unsigned full_wakes;

static struct waker full_clone(const struct waker *w)
{
	return *w;
}

static void full_wake_by_ref(const struct waker *w)
{
	(void)w;
	atomic_fetch_add_explicit(&full_wakes, 1, memory_order_relaxed);
}

static void full_wake(struct waker *w)
{
	full_wake_by_ref(w);
}

static void full_drop(struct waker *w)
{
	(void)w;
}

static const struct waker_ops full_waker_ops = {
	.clone = full_clone,
	.wake = full_wake,
	.wake_by_ref = full_wake_by_ref,
	.drop = full_drop,
};

#define FULL_BASE (BASE + 1400)	/* past the pressure case's blocks */

static void forget_wait(void)
{
	struct future *f = vfs_take_io_wait();

	if (f) {
		future_drop(f);
		future_release(f);
	}
}

/* Hold every buffer the cache will give (blocks FULL_BASE.., no reads): how many. */
static unsigned hold_all(struct blkdev *d, struct bcache_buf **held)
{
	unsigned n = 0;

	for (; n < BCACHE_NBUF; n++) {
		int r = bcache_get_noread(d, FULL_BASE + n, BS, &held[n]);

		if (r) {
			forget_wait();
			break;
		}
	}
	return n;
}

static void put_all(struct bcache_buf **held, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (held[i])
			bcache_put(held[i]);
}

/* A getter's wait for a buffer of the full cache (a noread get of block n), or NULL. */
static struct future *full_get(struct blkdev *d, unsigned n)
{
	struct bcache_buf *b;
	int r = bcache_get_noread(d, FULL_BASE + n, BS, &b);

	if (r == 0)
		bcache_put(b);
	return r == -EIOWAIT ? vfs_take_io_wait() : NULL;
}

static void free_future(struct future *f)
{
	future_drop(f);
	future_release(f);
}

/*
 * Every buffer referenced: the getter's future sleeps (pending, and no wake of its own:
 * a retry loop would wake itself or be ready at once), stays asleep when polled again,
 * and is woken and ready once one clean buffer is released.
 */
KTEST(bcache, full_cache_getter_sleeps_until_a_release)
{
	struct blkdev *d = test_disk();
	struct waker w = { .ops = &full_waker_ops };
	struct context cx = { .waker = &w };
	struct bcache_buf **held, *b;
	struct future *f;
	unsigned n;

	if (!d)
		return;
	ASSERT((uint64_t)(FULL_BASE + BCACHE_NBUF + 1) * 8 <= d->sectors);
	ASSERT(bcache_sync_block_on(d) == 0);
	bcache_invalidate_clean(d);
	held = kmalloc(BCACHE_NBUF * sizeof(*held));
	ASSERT(held);
	n = hold_all(d, held);
	EXPECT(n > BCACHE_NBUF / 2);
	f = full_get(d, n);
	EXPECT(f);
	if (f) {
		atomic_store(&full_wakes, 0);
		EXPECT(future_poll(f, &cx) == POLL_PENDING);
		EXPECT(future_poll(f, &cx) == POLL_PENDING);
		ktest_sleep(MS(20));
		EXPECT(atomic_load(&full_wakes) == 0);
		EXPECT(future_poll(f, &cx) == POLL_PENDING);
		/* One clean buffer back: woken, ready, and the get succeeds now. */
		bcache_put(held[0]);
		held[0] = NULL;
		EXPECT(atomic_load(&full_wakes) >= 1);
		EXPECT(future_poll(f, &cx) == POLL_READY);
		free_future(f);
		int r = bcache_get_noread(d, FULL_BASE + n, BS, &b);
		EXPECT(r == 0);
		if (r == 0)
			bcache_put(b);
		else
			forget_wait();
	}
	put_all(held, n);
	kfree(held);
}

/*
 * Every buffer referenced, then one released dirty: it cannot be reused until it is
 * written, and nobody else will ask the cache for anything. The waiting getter must
 * still get its buffer (its wait starts the write-back), not sleep for ever.
 */
KTEST(bcache, full_cache_getter_gets_a_buffer_released_dirty)
{
	struct blkdev *d = test_disk();
	uint8_t *want = page_alloc(), *got = page_alloc();
	struct bcache_buf **held = kmalloc(BCACHE_NBUF * sizeof(*held)), *b;
	struct future *f;
	unsigned n;

	if (!d || !want || !got || !held)
		goto out;
	EXPECT(bcache_sync_block_on(d) == 0);
	bcache_invalidate_clean(d);
	n = hold_all(d, held);
	EXPECT(n > BCACHE_NBUF / 2);
	f = full_get(d, n);
	EXPECT(f);
	fill(bcache_data(held[0]), BS, FULL_BASE, 21);
	bcache_mark_dirty(held[0]);
	bcache_put(held[0]);
	held[0] = NULL;
	if (f) {
		bool done = ktest_block_on_timeout(f, MS(2000));

		EXPECT(done);
		EXPECT(!done || f->result == 0);
		future_release(f);
		if (done) {
			EXPECT(get_wait(d, FULL_BASE + n, BS, true, &b, NULL) == 0);
			bcache_put(b);
		}
	}
	put_all(held, n);
	/* The dirty block reached the disk. */
	fill(want, BS, FULL_BASE, 21);
	EXPECT(bcache_sync_block_on(d) == 0);
	EXPECT(raw_read(d, (uint64_t)FULL_BASE * 8, got, BS) == 0);
	EXPECT(memcmp(want, got, BS) == 0);
out:
	if (want)
		page_free(want);
	if (got)
		page_free(got);
	kfree(held);
}
