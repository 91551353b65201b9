// SPDX-License-Identifier: MIT
/*
 * Page-cache tests (suite `pcache`). A fake file whose page i is disk block
 * BASE + i of vda (4 KiB blocks, 10 MiB into the disk: the scratch disk of
 * `make ktest-disk`, or fs.img under snapshot=on), so fills, read-ahead,
 * write-back and reclaim run against the real virtio-blk device; and a
 * memory-only file (as ramfs's). Without a disk the disk cases print
 * `# skipped: no disk` and pass.
 */
#include "kernel/async/executor.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pcache.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define BASE 2560u		/* first block: 10 MiB into the disk */
#define FILE_PAGES 1024u	/* 4 MiB of file at most */

static struct superblock fake_sb = { .name = "pcache_ktest" };
static const struct inode_ops fake_iops;
static unsigned map_calls;
static bool map_fails;

static int fake_map(struct inode *ino, uint64_t idx, unsigned n, uint32_t *blks)
{
	(void)ino;
	map_calls++;
	if (map_fails)
		return -EIO;
	for (unsigned i = 0; i < n; i++)
		blks[i] = BASE + (uint32_t)(idx + i);
	return 0;
}

static const struct pcache_ops fake_ops = { .map = fake_map };

static struct blkdev *test_disk(void)
{
	struct blkdev *d = blkdev_find("vda");

	if (!d)
		kprintf("# skipped: no disk\n");
	return d;
}

/* A fresh file of size bytes on d (NULL: memory only), inode number ino. */
static void file_init(struct inode *f, struct blkdev *d, uint64_t ino, uint64_t size)
{
	memset(f, 0, sizeof(*f));
	inode_init(f, &fake_sb, S_IFREG | 0644, &fake_iops, NULL);
	f->ino = ino;
	f->size = size;
	pcache_attach(f, d ? &fake_ops : NULL, d, 4096);
}

static void file_fini(struct inode *f)
{
	if (f->pcache) {
		(void)pcache_truncate(f->pcache, 0);
		pcache_detach(f);
	}
}

/* read n bytes at off through the cache, waiting out misses; bytes read. */
static long cache_read(struct inode *f, void *buf, size_t n, uint64_t off, unsigned *waits)
{
	size_t got = 0;

	while (got < n) {
		struct iovec iov;
		struct uio u;
		uint64_t pos = off + got;
		long r;

		uio_init_kernel(&u, &iov, (char *)buf + got, n - got);
		r = pcache_read(f, &u, &pos);
		if (r == -EIOWAIT) {
			if (!vfs_wait_io_here())
				return -EFAULT;
			if (waits)
				++*waits;
			continue;
		}
		if (r <= 0)
			return got ? (long)got : r;
		got += (size_t)r;
	}
	return (long)got;
}

static uint64_t pattern(uint64_t blk, unsigned i, uint64_t tag)
{
	return (blk * 0x9e3779b97f4a7c15ull) ^ i ^ tag;
}

/* Write pages [0, n) of the fake file straight to the disk, tagged. */
static int raw_write(struct blkdev *d, unsigned n, uint64_t tag)
{
	uint64_t *buf = page_alloc();
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (unsigned p = 0; p < n && !err; p++) {
		struct blk_req r;

		for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
			buf[i] = pattern(BASE + p, i, tag);
		blk_req_init(&r, d, BLK_WRITE, (uint64_t)(BASE + p) * 8, buf, PAGE_SIZE);
		err = (int)blk_req_block_on(&r);
	}
	page_free(buf);
	return err;
}

static bool page_matches(const uint64_t *p, uint64_t blk, uint64_t tag)
{
	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		if (p[i] != pattern(blk, i, tag))
			return false;
	return true;
}

KTEST(pcache, memory_only_holes_writes_truncate)
{
	struct inode f;
	struct pcpage *pg;
	char buf[64];

	file_init(&f, NULL, 1, 3 * PAGE_SIZE);
	ASSERT(f.pcache);
	/* A hole reads as zeros and stays a hole. */
	memset(buf, 'x', sizeof(buf));
	EXPECT(cache_read(&f, buf, sizeof(buf), PAGE_SIZE, NULL) == (long)sizeof(buf));
	for (unsigned i = 0; i < sizeof(buf); i++)
		EXPECT(buf[i] == 0);
	EXPECT(f.pcache->nrpages == 0);
	/* A write makes the page; a read sees it at once. */
	ASSERT(pcache_write_begin(&f, 1, 100, 5, f.size, &pg) == 0);
	memcpy((char *)pcpage_data(pg) + 100, "hello", 5);
	pcache_mark_dirty(pg); /* a no-op: memory-only pages are the file */
	pcache_page_put(pg);
	EXPECT(f.pcache->ndirty == 0);
	EXPECT(cache_read(&f, buf, 5, PAGE_SIZE + 100, NULL) == 5);
	EXPECT(memcmp(buf, "hello", 5) == 0);
	/* Truncating inside the page zeroes its tail; growing again reads zeros. */
	ASSERT(pcache_truncate(f.pcache, PAGE_SIZE + 102) == 0);
	f.size = 3 * PAGE_SIZE;
	EXPECT(cache_read(&f, buf, 5, PAGE_SIZE + 100, NULL) == 5);
	EXPECT(buf[0] == 'h' && buf[1] == 'e' && buf[2] == 0 && buf[3] == 0 && buf[4] == 0);
	/* Reclaim never takes a memory-only page. */
	pcache_drop_clean();
	EXPECT(f.pcache->nrpages == 1);
	file_fini(&f);
}

KTEST(pcache, cold_read_is_one_request_per_window)
{
	struct blkdev *d = test_disk();
	struct pcache_stats a, b;
	struct inode f;
	unsigned waits = 0;
	uint64_t *buf;

	if (!d)
		return;
	buf = kmalloc(16 * PAGE_SIZE);
	ASSERT(buf);
	ASSERT(raw_write(d, 16, 1) == 0);
	file_init(&f, d, 2, 16 * PAGE_SIZE);
	pcache_stats(&a);
	/* One 64 KiB read: one fill of its 16 pages, one request, one wait. */
	EXPECT(cache_read(&f, buf, 16 * PAGE_SIZE, 0, &waits) == 16 * PAGE_SIZE);
	pcache_stats(&b);
	for (unsigned p = 0; p < 16; p++)
		EXPECT(page_matches(buf + p * (PAGE_SIZE / 8), BASE + p, 1));
	EXPECT(b.fills - a.fills == 1);
	EXPECT(b.fill_pages - a.fill_pages == 16);
	EXPECT(b.reqs - a.reqs == 1);
	EXPECT(waits == 1);
	/* Warm: no request, no wait, the same bytes. */
	waits = 0;
	memset(buf, 0, 16 * PAGE_SIZE);
	EXPECT(cache_read(&f, buf, 16 * PAGE_SIZE, 0, &waits) == 16 * PAGE_SIZE);
	pcache_stats(&a);
	EXPECT(a.reqs == b.reqs);
	EXPECT(waits == 0);
	EXPECT(page_matches(buf + 15 * (PAGE_SIZE / 8), BASE + 15, 1));
	kfree(buf);
	file_fini(&f);
}

KTEST(pcache, sequential_reads_grow_the_window)
{
	struct blkdev *d = test_disk();
	struct pcache_stats a, b;
	struct inode f;
	unsigned waits = 0;
	const unsigned n = 256;	/* 1 MiB in 4 KiB reads */
	uint64_t *buf;

	if (!d)
		return;
	buf = page_alloc();
	ASSERT(buf);
	ASSERT(raw_write(d, n, 2) == 0);
	file_init(&f, d, 3, (uint64_t)n * PAGE_SIZE);
	pcache_stats(&a);
	for (unsigned p = 0; p < n; p++) {
		ASSERT(cache_read(&f, buf, PAGE_SIZE, (uint64_t)p * PAGE_SIZE, &waits) == PAGE_SIZE);
		EXPECT(page_matches(buf, BASE + p, 2));
	}
	pcache_stats(&b);
	kprintf("# 256 pages read 4 KiB at a time: %lu fills, %lu requests, %u waits\n",
		(unsigned long)(b.fills - a.fills), (unsigned long)(b.reqs - a.reqs), waits);
	/* Windows 4, 8, 16, 32, 64, 64, ...: about 7 fills (not 64 of 4), and
	 * the reader waits only while read-ahead is behind. */
	EXPECT(b.fills - a.fills <= 9);
	EXPECT(b.fill_pages - a.fill_pages == n);
	EXPECT(waits <= 9);
	page_free(buf);
	file_fini(&f);
}

KTEST(pcache, dirty_pages_reach_the_disk_on_sync_and_poweroff_flush)
{
	struct blkdev *d = test_disk();
	struct inode f;
	struct future *s;
	uint64_t *buf;

	if (!d)
		return;
	buf = page_alloc();
	ASSERT(buf);
	ASSERT(raw_write(d, 8, 3) == 0);
	file_init(&f, d, 4, 0);
	/* Past the end: made without a read, dirtied with the blocks known. */
	for (unsigned p = 0; p < 8; p++) {
		struct pcpage *pg;
		uint32_t blk = BASE + p;

		ASSERT(pcache_write_begin(&f, p, 0, PAGE_SIZE, f.size, &pg) == 0);
		for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
			((uint64_t *)pcpage_data(pg))[i] = pattern(BASE + p, i, 4);
		pcache_set_blocks(pg, &blk);
		pcache_mark_dirty(pg);
		pcache_page_put(pg);
		f.size += PAGE_SIZE;
		if (p == 3) {
			/* Half of them by sync (fs-wide), half by the power-off path. */
			s = pcache_sync(&fake_sb, NULL);
			ASSERT(s);
			exec_block_on(s);
			EXPECT(s->result == 0);
			future_drop(s);
			future_release(s);
			EXPECT(f.pcache->ndirty == 0 && f.pcache->nwb == 0);
		}
	}
	EXPECT(f.pcache->ndirty == 4);
	pcache_flush_all_on_poweroff();
	EXPECT(f.pcache->ndirty == 0);
	for (unsigned p = 0; p < 8; p++) {
		struct blk_req r;

		blk_req_init(&r, d, BLK_READ, (uint64_t)(BASE + p) * 8, buf, PAGE_SIZE);
		ASSERT(blk_req_block_on(&r) == 0);
		EXPECT(page_matches(buf, BASE + p, 4));
	}
	page_free(buf);
	file_fini(&f);
}

KTEST(pcache, drop_keeps_dirty_and_mapped_pages)
{
	struct blkdev *d = test_disk();
	struct pcpage *mapped, *dirty;
	struct inode f;
	uint64_t *buf;

	if (!d)
		return;
	buf = kmalloc(8 * PAGE_SIZE);
	ASSERT(buf);
	ASSERT(raw_write(d, 8, 5) == 0);
	file_init(&f, d, 5, 8 * PAGE_SIZE);
	ASSERT(cache_read(&f, buf, 8 * PAGE_SIZE, 0, NULL) == 8 * PAGE_SIZE);
	ASSERT(f.pcache->nrpages == 8);
	mapped = pcache_find_page(f.pcache, 2); /* as a mapping holds one */
	dirty = pcache_find_page(f.pcache, 5);
	ASSERT(mapped && dirty);
	pcache_mark_dirty(dirty);
	pcache_page_put(dirty);
	pcache_drop_clean();
	EXPECT(f.pcache->nrpages == 2);
	EXPECT(pcache_find_page(f.pcache, 1) == NULL);
	/* The mapped page is still the cache's and still right. */
	EXPECT(pcache_page_live(mapped));
	EXPECT(page_matches(pcpage_data(mapped), BASE + 2, 5));
	pcache_page_put(mapped);
	/* Once unmapped and written back, both go. */
	pcache_flush_all_on_poweroff();
	pcache_drop_clean();
	EXPECT(f.pcache->nrpages == 0);
	kfree(buf);
	file_fini(&f);
}

KTEST(pcache, allocation_under_pressure_reclaims_the_cache)
{
	struct blkdev *d = test_disk();
	const unsigned n = 1024; /* 4 MiB cached */
	size_t free0, got = 0;
	struct inode f;
	void **pages, *buf;

	if (!d)
		return;
	buf = page_alloc();
	pages = kmalloc(sizeof(void *) * (page_free_count() + 64));
	ASSERT(buf && pages);
	file_init(&f, d, 6, (uint64_t)n * PAGE_SIZE);
	for (unsigned p = 0; p < n; p += 64)
		ASSERT(cache_read(&f, buf, PAGE_SIZE, (uint64_t)p * PAGE_SIZE, NULL) == PAGE_SIZE);
	for (unsigned p = 0; p < n; p++)
		ASSERT(cache_read(&f, buf, PAGE_SIZE, (uint64_t)p * PAGE_SIZE, NULL) == PAGE_SIZE);
	ASSERT(f.pcache->nrpages == n);
	free0 = page_free_count();
	/* Take every page there is: the cache's must come back on demand. */
	while ((pages[got] = page_alloc_order_nozero(0)))
		got++;
	kprintf("# %lu pages free with %u cached; %lu allocated until refusal\n",
		(unsigned long)free0, n, (unsigned long)got);
	EXPECT(got >= free0 + n - 64);
	EXPECT(f.pcache->nrpages < 64);
	while (got)
		page_free(pages[--got]);
	kfree(pages);
	page_free(buf);
	file_fini(&f);
}

KTEST(pcache, failed_fill_is_reported_once_then_retried)
{
	struct blkdev *d = test_disk();
	struct inode f;
	char buf[16];

	if (!d)
		return;
	file_init(&f, d, 7, PAGE_SIZE);
	map_fails = true;
	EXPECT(cache_read(&f, buf, sizeof(buf), 0, NULL) == -EIO);
	map_fails = false;
	EXPECT(cache_read(&f, buf, sizeof(buf), 0, NULL) == (long)sizeof(buf));
	file_fini(&f);
}
