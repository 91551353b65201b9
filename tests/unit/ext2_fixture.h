// SPDX-License-Identifier: MIT
/*
 * The host fixture of the ext2 tests (ext2_fixture.c): kernel shims, a fake
 * buffer cache over an image file, a fake disk under the page cache, image
 * making and checking (mke2fs -d, e2fsck -fn), and VFS helpers. The tests
 * themselves are in test_ext2.c.
 */
#ifndef TESTS_UNIT_EXT2_FIXTURE_H
#define TESTS_UNIT_EXT2_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* not <fcntl.h>: its O_ and S_ names clash with vfs.h's (same Linux values) */
int open(const char *path, int flags, ...);

#include "kernel/async/future.h"
#include "kernel/async/task.h"
#include "kernel/block/bcache.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/ext2/ext2.h"
#include "kernel/fs/ext2/ext2_int.h"
#include "kernel/fs/ioctx.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pcache.h"
#include "kernel/mm/slab.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/proc.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

/* ---- the fake buffer cache (ext2_fixture.c) ------------------------------ */

struct bcache_buf {
	uint64_t blockno;
	unsigned bsize;
	int refs;
	bool dirty, valid;
	uint8_t *data;
};

#define CACHE_MAX 48
extern struct bcache_buf cache[CACHE_MAX];
extern struct blkdev thedev;
extern int dev_fd;		 /* the image file under thedev */
extern unsigned dirty_marks;	 /* since the current attempt started */
extern unsigned misses;		 /* cache misses so far */
extern unsigned page_reads, page_writes; /* pages the fake disk moved */
uint64_t rnd(void);		 /* the fixture's deterministic PRNG */
void cache_flush(bool drop);	 /* write back (and drop) every cached block */

/* ---- the mounted image --------------------------------------------------- */

extern struct ext2_fs *fs;
extern struct inode *root;
extern char tmpdir[256], img[300], src[300]; /* scratch dir, image, mke2fs -d tree */

void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void make_image(unsigned bsize, const char *size);
void mount_img(void);
void umount_img(void);
void fsck(void); /* e2fsck -fn must find the image clean */

/* ---- helpers over the VFS ------------------------------------------------- */

long kread(const char *path, void *buf, size_t n, uint64_t off);
long kwrite(const char *path, const void *buf, size_t n, uint64_t off, int flags);
void check_same(const char *rel); /* the file reads as the host's copy in src */
struct inode *lookup(const char *path, unsigned flags);
unsigned count_entries(const char *path);

/* ---- running ops with restarts ------------------------------------------- */

/* Run expr until it stops asking to wait; every wait must come before any
 * change (no dirty marks in that attempt). */

/* Freeing (truncate, deferred frees of closed unlinked files) commits in
 * steps, each consistent on its own: waits may follow committed steps. */
#define RUN_(expr, steps)                                                          \
	({                                                                         \
		long r_;                                                           \
		for (;;) {                                                         \
			bool strict_ = !(steps) && (!fs || list_empty(&fs->orphans)); \
			dirty_marks = 0;                                           \
			r_ = (long)(expr);                                         \
			if (r_ != -EIOWAIT)                                        \
				break;                                             \
			if (strict_)                                               \
				assert_int_equal(dirty_marks, 0);                  \
			struct future *f_ = vfs_take_io_wait();                    \
			assert_non_null(f_);                                       \
			future_drop(f_);                                           \
			future_release(f_);                                        \
		}                                                                  \
		r_;                                                                \
	})
#define RUN(expr) RUN_(expr, false)
#define RUN_STEPS(expr) RUN_(expr, true)

/* As RUN, the way fs_call runs a syscall: the reruns (not the first run) carry an
 * I/O context (ioctx.h); *runs counts every run. */
#define RUN_CTX(expr, runs)                                                        \
	({                                                                         \
		struct ioctx c_;                                                   \
		long r_;                                                           \
		ioctx_init(&c_);                                                   \
		for (bool first_ = true;; first_ = false) {                        \
			if (!first_)                                               \
				ioctx_enter(&c_);                                  \
			r_ = (long)(expr);                                         \
			ioctx_leave();                                             \
			(*(runs))++;                                               \
			if (r_ != -EIOWAIT)                                        \
				break;                                             \
			struct future *f_ = vfs_take_io_wait();                    \
			assert_non_null(f_);                                       \
			future_release(f_);                                        \
		}                                                                  \
		ioctx_release(&c_);                                                \
		r_;                                                                \
	})

#endif
