/* SPDX-License-Identifier: MIT */
/* Buffer-cache internals shared by bcache.c and bcache_sync.c. */
#ifndef KERNEL_BLOCK_BCACHE_INT_H
#define KERNEL_BLOCK_BCACHE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "lib/list.h"

struct blkdev;
struct waitq;
struct spinlock;

enum {
	BUF_VALID = 1u << 0,	/* data holds the block */
	BUF_DIRTY = 1u << 1,	/* data newer than the disk */
	BUF_READING = 1u << 2,	/* read in flight (not VALID yet) */
	BUF_WRITING = 1u << 3,	/* write-back in flight */
	BUF_ERROR = 1u << 4,	/* the read failed */
};

struct bcache_buf {
	struct list_head hnode;		/* L: hash chain while keyed */
	struct list_head lnode;		/* L: LRU (keyed, ref 0) or free list */
	struct list_head wb_node;	/* L: a collector's local write-back list */
	struct blkdev *dev;		/* L */
	uint64_t blockno;		/* L */
	unsigned bsize;			/* L */
	unsigned ref;			/* L */
	unsigned flags;			/* L */
	uint64_t dirty_gen;		/* L: bcache_mark_dirty calls so far */
	void *data;			/* L: one page, allocated at first use */
	struct blk_req req;		/* owned by the device while READING/WRITING */
};

/* The cache (bcache.c), for bcache_sync.c's write-back starters. All under bcache_lock. */
extern struct spinlock bcache_lock;
extern struct bcache_buf bcache_bufs[BCACHE_NBUF];
extern struct list_head bcache_lru;
extern struct bcache_stats bcache_st;
extern uint64_t bcache_nevents;
void bcache_init_locked(void);
void bcache_take_ref_locked(struct bcache_buf *b);
/* Dirty, idle -> WRITING, on wbs; bcache_submit_wbs submits them after the unlock. */
void bcache_start_wb_locked(struct bcache_buf *b, struct list_head *wbs);
void bcache_submit_wbs(struct list_head *wbs);


/*
 * Start write-back of every dirty idle block of dev (all devices if NULL);
 * true if any block of it is still dirty or being written. *seen (if not
 * NULL) receives the event count at the scan.
 */
bool bcache_writeback(struct blkdev *dev, uint64_t *seen);
/* The same for the blocks sel picks (bcache_sync_sel). */
bool bcache_writeback_sel(struct blkdev *dev, bcache_sel_fn sel, void *arg, uint64_t *seen);
/* I/O completions and releases so far (compare with *seen: did one happen?). */
uint64_t bcache_events(void);
/* Woken on every I/O completion and every release to ref 0. */
struct waitq *bcache_io_waitq(void);

#endif
