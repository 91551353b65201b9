/* SPDX-License-Identifier: MIT */
/*
 * The I/O context of a restarted syscall (DESIGN.md 9, "Restart-on-miss must always make
 * progress"). A file-system syscall that misses the block cache parks one I/O future and
 * runs again from scratch once it is done (fs_call, fs_syscall.c; the contract is in
 * vfs.h). Before this context a syscall that needed more blocks than the cache could keep
 * between its runs never finished: a stat or getcwd 1,100 directories deep livelocked, each
 * run evicting what the next one needed. The restart future now owns one ioctx, current
 * on its hart while its handler reruns, and the context carries the progress of earlier
 * runs to the later ones:
 *
 *  - pins: every cache block the rerun gathers (ext2's tx_get, peek and block-map walks)
 *    gets one more reference, kept until the syscall completes or is cancelled, so a
 *    later run finds them cached. At most IOCTX_PINS per syscall (the oldest pin goes
 *    first) and IOCTX_PINS_TOTAL in all, so pins can never fill the cache.
 *  - walk checkpoints: a path walk that meets a miss records where it was (the directory
 *    reached, counted, and the rest of the path); the rerun's walk of the same path
 *    resumes there instead of walking from the root again. A walk that finished records
 *    its result, so the op after it does not redo it either. Walks are told apart by
 *    their order in the handler (rename walks twice).
 *  - a getcwd checkpoint: the directory reached going up and the name built so far.
 *
 * The first run of a handler has no context at all (nothing to carry yet), so a syscall
 * that never misses pays nothing. A context belongs to one syscall of one process and is
 * only touched by the hart running that syscall; the current pointer is per hart, set only
 * while a handler runs (interrupts are off in the userloop's poll, so it cannot move).
 */
#ifndef KERNEL_FS_IOCTX_H
#define KERNEL_FS_IOCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bcache_buf;
struct inode;

#define IOCTX_PINS 24
#define IOCTX_PINS_TOTAL 256	/* a quarter of the cache (BCACHE_NBUF) */
#define IOCTX_WALKS 3		/* walks of one handler that can resume (rename, link: 2) */

/* Where a path walk stopped, or what it found. */
struct walk_ckpt {
	bool valid;
	bool done;		/* the walk finished: cur is its result */
	bool parent;		/* vfs_lookup_parent's walk */
	unsigned flags;		/* WALK_* */
	struct inode *base;	/* counted: the walk's start as passed (NULL: cwd/root) */
	char *path;		/* kmalloc'd copy of the path walked (to recognise it) */
	struct inode *cur;	/* counted: the directory reached, or the result */
	char *buf;		/* owned: the path after symlink expansion, or NULL */
	size_t off;		/* where the rest starts, in buf or in path */
	unsigned links;		/* symlinks followed so far */
	bool trailing;		/* parent mode result: a slash followed the name */
	char *name;		/* parent mode result: kmalloc'd last component */
};

/* Where getcwd stopped on its way up. */
struct cwd_ckpt {
	bool valid;
	struct inode *start;	/* counted: the directory asked about */
	struct inode *cur;	/* counted: the directory being named */
	char *buf;		/* kmalloc'd: the name so far at buf[pos..n) */
	size_t n, pos;
	uint64_t off;		/* readdir offset in cur's parent */
};

struct ioctx {
	struct bcache_buf *pin[IOCTX_PINS];	/* oldest at pin_head */
	unsigned npins, pin_head;
	unsigned walk_seq;			/* walks started in this run */
	struct walk_ckpt walk[IOCTX_WALKS];
	struct cwd_ckpt cwd;
	uint64_t runs;				/* handler runs with this context */
};

void ioctx_init(struct ioctx *c);
/* Give back every pin and checkpoint (the syscall completed or was cancelled). */
void ioctx_release(struct ioctx *c);
/* Make c current on this hart for one run of the handler; then ioctx_leave(). */
void ioctx_enter(struct ioctx *c);
void ioctx_leave(void);
/* The context of the handler running on this hart, or NULL (a first run, or no syscall). */
struct ioctx *ioctx_current(void);

/* Keep b cached for the rest of the current syscall (no-op without a context). */
void ioctx_pin(struct bcache_buf *b);
/* The checkpoint slot of the next walk of this run, or NULL without a context. */
struct walk_ckpt *ioctx_next_walk(void);
/* Forget a checkpoint's contents (references put, memory freed). */
void walk_ckpt_clear(struct walk_ckpt *w);
void cwd_ckpt_clear(struct cwd_ckpt *w);

/* Pins held by all contexts now (tests). */
unsigned ioctx_pins_total(void);

#endif
