/* SPDX-License-Identifier: MIT */
/*
 * The buffer cache: a bounded set of cached disk blocks, shared by every
 * file system and hart.
 *
 *  - Size: BCACHE_NBUF buffers of one page each (4 MiB of 4 KiB blocks; a
 *    block size of 1024..4096, a multiple of 512, uses the start of its
 *    page). A block is named by (device, block number); asking for a cached
 *    block with another block size is -EINVAL.
 *  - Misses follow the VFS -EIOWAIT contract (vfs.h): bcache_get starts the
 *    read, parks a future with vfs_set_io_wait() and returns -EIOWAIT;
 *    the caller changes nothing, awaits the future, and starts over. The
 *    future holds a reference on the buffer it waits for, so the block stays
 *    cached until the restarted operation finds it. Concurrent getters of a
 *    block that is being read share the one request.
 *  - Eviction: least recently released first, among unreferenced buffers
 *    that are clean and have no I/O in flight. Dirty candidates met on the
 *    way are written back (asynchronously) and reused once clean. When no
 *    buffer can be reused now, bcache_get returns -EIOWAIT with a future that
 *    completes once one may be (a release or an I/O completion).
 *  - Write-back: bcache_mark_dirty only marks; blocks reach the disk on
 *    eviction, bcache_sync() (then a device flush) and at power-off.
 *  - A read error: the getter (and every sharer) gets -EIO and the block is
 *    forgotten, so a later get retries. A write error: the block stays
 *    cached and clean, and the next bcache_sync of its device returns -EIO.
 *
 * Every function may be called from any hart with interrupts on or off,
 * except bcache_sync_block_on (outside any task, see executor.h).
 */
#ifndef KERNEL_BLOCK_BCACHE_H
#define KERNEL_BLOCK_BCACHE_H

#include <stdbool.h>
#include <stdint.h>

struct blkdev;
struct future;
struct bcache_buf;

#define BCACHE_NBUF 1024
#define BCACHE_MIN_BSIZE 1024
#define BCACHE_MAX_BSIZE 4096

/*
 * Block @blockno (of @bsize bytes) of @dev. Cached: *out gets a reference,
 * 0. Not cached: -EIOWAIT after starting the read and parking its future
 * with vfs_set_io_wait(). Also -EIO (read failed; the device said so, or
 * the block is beyond the device's end), -EINVAL (bad bsize, or the block
 * is cached with another size), -ENOMEM.
 */
int bcache_get(struct blkdev *dev, uint64_t blockno, unsigned bsize, struct bcache_buf **out);
/* For a block about to be overwritten whole (a newly allocated one): no
 * read; the contents are zeroed. May still return -EIOWAIT when the block
 * is being read or written or the cache is full of busy buffers. */
int bcache_get_noread(struct blkdev *dev, uint64_t blockno, unsigned bsize,
		      struct bcache_buf **out);
/* The block's bytes (bsize of them), valid while the reference is held.
 * Concurrent users of one block coordinate through their own locks. */
/*
 * The block if it is cached and valid now (a reference taken, as
 * bcache_get), else -EAGAIN: never starts I/O, never waits. For read-ahead,
 * which must not block on its own bookkeeping.
 */
int bcache_get_cached(struct blkdev *dev, uint64_t blockno, unsigned bsize,
		      struct bcache_buf **out);
/*
 * Read-ahead: start reading the block into the cache unless it is cached or
 * being read. Never waits; takes only a free buffer or the least recently
 * used clean idle one (never writes back to make room); holds no reference,
 * so the block waits on the LRU like a released one. True if a read started.
 */
bool bcache_prefetch(struct blkdev *dev, uint64_t blockno, unsigned bsize);
void *bcache_data(struct bcache_buf *b);
uint64_t bcache_blockno(const struct bcache_buf *b);
/* The contents changed and must reach the disk. */
void bcache_mark_dirty(struct bcache_buf *b);
/* Drop the reference from bcache_get*. */
void bcache_put(struct bcache_buf *b);
/* One more reference to a buffer the caller holds (put it with bcache_put). */
void bcache_hold(struct bcache_buf *b);

/*
 * A kmalloc'd future (release op frees it) that writes back every block of
 * @dev dirty when it is polled (and any dirtied again while it runs, until
 * none is left), waits for them, then issues a device flush (if the device
 * has one). Result 0 or -EIO (a write or the flush failed since the sync
 * started). NULL on ENOMEM.
 */
struct future *bcache_sync(struct blkdev *dev);
/* The same, run with exec_block_on: boot hart, outside any task. */
int bcache_sync_block_on(struct blkdev *dev);
/* Write back everything of every device, then flush, by polling the devices
 * (interrupts may be off); gives up after a few seconds. For power-off. */
void bcache_flush_all_on_poweroff(void);

struct bcache_stats {
	uint64_t hits;		/* get found the block valid */
	uint64_t misses;	/* get started a read */
	uint64_t shared;	/* get joined a read already in flight */
	uint64_t reads;		/* read requests issued (prefetches included) */
	uint64_t prefetches;	/* reads started by bcache_prefetch */
	uint64_t full_waits;	/* gets that found no buffer to reuse and waited */
	uint64_t writes;	/* write requests issued */
	uint64_t evictions;	/* valid blocks dropped to make room */
	uint64_t forgotten;	/* stale copies dropped by bcache_forget */
	uint64_t forget_busy;	/* bcache_forget found the block in use */
	unsigned dirty;		/* blocks dirty now */
	unsigned cached;	/* buffers holding a block now */
};
void bcache_stats(struct bcache_stats *out);

/*
 * Block @blockno of @dev was freed and now holds file data, which the page
 * cache writes: a stale cached copy (metadata from before, dirty or not) is
 * dropped so that it can never be written over the data. One in use or in
 * flight is left (it cannot be: the block was free), and counted in
 * bcache_stats.forget_busy.
 */
void bcache_forget(struct blkdev *dev, uint64_t blockno);

/* Tests and drop_caches: forget every clean unreferenced block (of @dev, or
 * all for NULL), so the next get reads the disk, and free the pages of the
 * buffers left free. Returns how many blocks were dropped. */
unsigned bcache_invalidate_clean(struct blkdev *dev);

#endif
