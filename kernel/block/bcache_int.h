/* SPDX-License-Identifier: MIT */
/* Buffer-cache internals shared by bcache.c and bcache_sync.c. */
#ifndef KERNEL_BLOCK_BCACHE_INT_H
#define KERNEL_BLOCK_BCACHE_INT_H

#include <stdbool.h>
#include <stdint.h>

struct blkdev;
struct waitq;

/*
 * Start write-back of every dirty idle block of dev (all devices if NULL);
 * true if any block of it is still dirty or being written. *seen (if not
 * NULL) receives the event count at the scan.
 */
bool bcache_writeback(struct blkdev *dev, uint64_t *seen);
/* I/O completions and releases so far (compare with *seen: did one happen?). */
uint64_t bcache_events(void);
/* Woken on every I/O completion and every release to ref 0. */
struct waitq *bcache_io_waitq(void);

#endif
