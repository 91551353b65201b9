/* SPDX-License-Identifier: MIT */
/*
 * The page cache: file pages cached per file by page index, serving read,
 * write and mmap alike (DESIGN.md 9, "One page cache"). The buffer cache
 * keeps metadata only.
 *
 *  - One struct pcache per regular file, found by (superblock, inode
 *    number) in a registry, so the pages outlive the in-memory inode: a
 *    file read, closed and opened again (an executable run twice) is still
 *    cached. The fs attaches a cache when it makes an in-memory inode
 *    (pcache_attach) and detaches it when it evicts it; a deleted file's
 *    pages are dropped (pcache_truncate to 0) before its blocks are freed.
 *  - Pages are filled by futures: a read that misses starts a fill task
 *    for a read-ahead window of pages (they sit in the tree as FILLING, so
 *    a second reader waits for the same I/O), and waits for its page
 *    (-EIOWAIT with a wait future parked, vfs.h). The fill maps the blocks
 *    through the fs (pcache_ops.map, which may itself wait for metadata)
 *    and reads them with large scatter-gather requests, one per run of
 *    consecutive disk blocks. The read-ahead window doubles while a file is
 *    read sequentially and starts again small after a seek.
 *  - Memory: the cache grows into free memory. Clean pages nobody maps
 *    are reclaimed (second chance, oldest first) when an allocation would
 *    fail, when free memory runs low, and by pcache_drop_clean()
 *    (/proc/sys/vm/drop_caches). Dirty pages are written back by futures:
 *    on fsync, sync and unmount (pcache_sync), in the background once a
 *    file holds many, and at power-off (pcache_flush_all_on_poweroff).
 *  - A cache without ops (ramfs, tmpfs) is memory only: its pages are the
 *    file, never reclaimed or written back; a missing page is a hole.
 *
 * A page's disk blocks are recorded in it (pcpage.blk) when it is filled
 * or written, so write-back needs neither the inode nor the block map.
 *
 * Lock legend: L pc->lock (irqsave; never held across a user copy, never
 * taken in interrupt context); R the registry lock; G the LRU lock; I set
 * at creation; A atomic. Order: R -> L -> G. The reclaimer takes G and
 * then only trylocks L, so page allocation may reclaim under any lock.
 * The fs's own lock is never taken under L (the fill calls ops->map
 * unlocked).
 */
#ifndef KERNEL_MM_PCACHE_H
#define KERNEL_MM_PCACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/async/waitq.h"
#include "kernel/spinlock.h"
#include "lib/list.h"
#include "lib/radix.h"

struct as;
struct blkdev;
struct future;
struct page;
struct pcpage;
struct inode;
struct superblock;
struct uio;

/* Blocks per page at most: block sizes from 1024 to the page size. */
#define PCACHE_MAX_BPP 4
/* Read-ahead windows, in pages: the first one after a miss, and the most. */
#define PCACHE_RA_MIN 4
#define PCACHE_RA_MAX 64

struct pcache_ops {
	/*
	 * The disk blocks of pages [idx, idx + n): blks[i * bpp + j] is block j
	 * of page idx + i (bpp = pages' blocks), 0 for a hole. Metadata comes
	 * through the buffer cache; when a block of it is not cached, return
	 * -EIOWAIT with its read parked (vfs_set_io_wait): the caller awaits
	 * it and calls again. Also -EIO. Called without any page-cache lock.
	 */
	int (*map)(struct inode *ino, uint64_t idx, unsigned n, uint32_t *blks);
	/*
	 * A store through a shared mapping is about to land in pg (uptodate,
	 * referenced): give the blocks of the page that lie inside the file
	 * (its holes) disk blocks, and record them (pcache_set_blocks). 0,
	 * -ENOSPC, -EIO, or -EIOWAIT (parked; call again). May be NULL: the
	 * file's pages always have their blocks.
	 */
	int (*mkwrite)(struct inode *ino, struct pcpage *pg);
};

enum pcpage_flag {
	PGC_UPTODATE = 1u << 0,		/* data holds the file's bytes */
	PGC_FILLING = 1u << 1,		/* a fill task owns it until UPTODATE or gone */
	PGC_DIRTY = 1u << 2,		/* newer than the disk; on pc->dirty */
	PGC_WRITEBACK = 1u << 3,	/* a write of it is in flight */
	PGC_MAPPED = 1u << 4,		/* blk[] holds the disk blocks (0: hole) */
	PGC_READAHEAD = 1u << 5,	/* reaching it starts the next window */
	PGC_GONE = 1u << 6,		/* removed from the tree (truncate, reclaim) */
	PGC_ERROR = 1u << 7,		/* the fill failed: the next reader gets -EIO */
};

struct pcache;

struct pcpage {
	struct list_head lru;		/* G: the LRU, backed caches' pages */
	struct list_head dnode;		/* L: on pc->dirty while DIRTY */
	struct pcache *pc;		/* I */
	void *data;			/* I: the page (direct map); one reference is the cache's */
	struct page *meta;		/* I: page_meta(data), for cheap reference counting */
	uint64_t index;			/* I */
	uint32_t blk[PCACHE_MAX_BPP];	/* L */
	uint16_t flags;			/* L: enum pcpage_flag */
	atomic_uchar referenced;	/* A relaxed: used since the reclaimer last looked */
};

struct pcache {
	struct spinlock lock;
	struct radix_tree tree;		/* L: index -> struct pcpage */
	struct list_head dirty;		/* L: dirty pages */
	struct waitq wq;		/* woken when a fill or a write-back of a page ends */
	struct list_head hnode;		/* R: registry chain */
	struct superblock *sb;		/* I: key */
	uint64_t ino;			/* I: key */
	const struct pcache_ops *ops;	/* I: NULL: memory only */
	struct blkdev *dev;		/* I */
	uint8_t bshift;			/* I: log2 of the block size (backed caches) */
	atomic_uint refs;		/* A: attached inodes, running tasks, waiters */
	uint32_t nrpages;		/* L */
	uint32_t ndirty;		/* L */
	uint32_t nwb;			/* L: pages under write-back */
	uint64_t ra_next;		/* L: first page after the last window */
	uint32_t ra_win;		/* L: that window's size */
	bool wb_running;		/* L: a background write-back task works on it */
	/* The address spaces with mmap(2) mappings of the file (struct
	 * pcache_mapper), so truncation can unmap what lies past the new end.
	 * Order: as->lock -> maps_lock; the truncation side only trylocks an
	 * address space while it holds maps_lock. */
	struct spinlock maps_lock;
	struct list_head maps;		/* M: of struct pcache_mapper */
};

/* Counters, for /proc/meminfo and tests (racy snapshot). */
struct pcache_stats {
	uint64_t pages;			/* pages cached (memory-only caches included) */
	uint64_t dirty;			/* dirty ones */
	uint64_t clean_lru;		/* reclaimable candidates on the LRU */
	uint64_t hits, misses;		/* page lookups of reads and faults */
	uint64_t fills, fill_pages;	/* fill tasks and the pages they read */
	uint64_t reqs;			/* disk requests issued (reads and writes) */
	uint64_t writes;		/* pages written back */
	uint64_t reclaimed;		/* pages reclaimed */
	uint64_t caches;		/* struct pcache in the registry */
	uint64_t mem_pages;		/* pages of memory-only caches (ramfs files) */
};
void pcache_stats(struct pcache_stats *out);

/* Boot: hook reclaim into the page allocator. */
void pcache_init(void);

/*
 * Attach the cache of ino (finding the one its (sb, ino) already has, or
 * making it) to ino->pcache: ops NULL for a memory-only file, else dev and
 * the block size (1024..PAGE_SIZE) say where its blocks are. 0 or -ENOMEM.
 */
int pcache_attach(struct inode *ino, const struct pcache_ops *ops, struct blkdev *dev,
		  unsigned bsize);
/* The in-memory inode goes: the cache (and its pages) stay for the next one. */
void pcache_detach(struct inode *ino);
void pcache_get_ref(struct pcache *pc);
void pcache_put_ref(struct pcache *pc);

/*
 * read(2) of a file through its cache at *pos (advanced): copies what is
 * cached, starting fills and read-ahead as it goes. Returns bytes copied
 * (short when it reached a page that is not ready yet: the next call waits
 * for it), 0 at end of file, -EIOWAIT with a wait parked when nothing could
 * be copied yet, -EFAULT, -ENOMEM.
 */
long pcache_read(struct inode *ino, struct uio *u, uint64_t *pos);

/*
 * A page to write bytes [poff, poff + len) of page idx into, referenced:
 * taken from the cache, or made (zeroed, no read) when those bytes cover
 * the whole page or the page holds nothing of the file yet (at or past
 * size, or a memory-only hole). Otherwise the page is read first:
 * -EIOWAIT with the wait parked. -ENOMEM.
 */
int pcache_write_begin(struct inode *ino, uint64_t idx, unsigned poff, unsigned len,
		       uint64_t size, struct pcpage **out);
/* The bytes of the page (valid while it is referenced). */
static inline void *pcpage_data(struct pcpage *pg)
{
	return pg->data;
}
/* The page changed and must reach the disk (no-op for memory-only caches). */
void pcache_mark_dirty(struct pcpage *pg);
/* Record the page's disk blocks (bpp of them; 0: a hole). */
void pcache_set_blocks(struct pcpage *pg, const uint32_t *blks);
/* Is the page still the cache's (not truncated away meanwhile)? */
bool pcache_page_live(struct pcpage *pg);
/* Drop a reference from pcache_write_begin / pcache_get_page. */
void pcache_page_put(struct pcpage *pg);

/*
 * For a mapping: the uptodate page idx, referenced (the caller's reference,
 * e.g. a PTE's), or -EIOWAIT after starting its fill (wait parked), -ENOMEM.
 * A memory-only cache makes a missing page (zeroed) when the file reaches it.
 * -EFAULT at or past the end of the file.
 */
int pcache_get_page(struct inode *ino, uint64_t idx, struct pcpage **out);
/*
 * A store through a shared mapping will change pg (a page of ino's cache,
 * referenced): its blocks are allocated (ops->mkwrite) and it is dirtied.
 * 0, or -EIOWAIT (parked), -ENOSPC, -EIO.
 */
int pcache_page_mkwrite(struct inode *ino, struct pcpage *pg);
/* The page at idx was stored into through a mapping: dirty it if cached. */
void pcache_mark_dirty_idx(struct pcache *pc, uint64_t idx);
/* The same, never filling or waiting: NULL unless cached and uptodate. */
struct pcpage *pcache_find_page(struct pcache *pc, uint64_t idx);

/*
 * Drop every page at or past byte `size` (dirty ones too: the fs frees
 * their blocks next) and zero the cached bytes past size in the page that
 * holds it (marked dirty when size is inside an allocated block). Blocks
 * past size in that page are forgotten. -EIOWAIT (a wait parked, nothing
 * changed) while a page to drop is being written back or filled.
 */
int pcache_truncate(struct pcache *pc, uint64_t size);

/* A future writing back every dirty page of the caches on sb (NULL: all),
 * or of one cache (pc != NULL), and waiting for them. Result 0 or -EIO.
 * NULL when out of memory. */
struct future *pcache_sync(struct superblock *sb, struct pcache *pc);
/* The same, then next (owned, may be NULL; its result counts if the pages'
 * was 0): a file system's sync, pages first, then its metadata. NULL when
 * out of memory (next is released). */
struct future *pcache_sync_then(struct superblock *sb, struct pcache *pc, struct future *next);
/* An address space gained / lost a tracked mapping of pc (as.c). 0 or -ENOMEM. */
int pcache_mapper_add(struct pcache *pc, struct as *as);
void pcache_mapper_del(struct pcache *pc, struct as *as);
/* The file was truncated to size: unmap its pages at or past the new end
 * from every address space that maps them (a later access is SIGBUS). Call
 * with no lock held. */
void pcache_unmap_from(struct pcache *pc, uint64_t size);

/* Unmount: drop every (clean) page and cache of sb. */
void pcache_forget_sb(struct superblock *sb);
/* Power-off: write every dirty page by polling the devices. */
void pcache_flush_all_on_poweroff(void);

/* Drop every clean page nobody maps (drop_caches); returns how many. */
size_t pcache_drop_clean(void);
/* Reclaim up to want clean pages (trylocks only: any context); returns how many. */
size_t pcache_reclaim(size_t want);
/* Pages that reclaim could free now (clean, unmapped): for fork's reserve. */
size_t pcache_reclaimable(void);

#endif
