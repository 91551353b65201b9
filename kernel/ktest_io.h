/* SPDX-License-Identifier: MIT */
/*
 * Helpers for in-kernel tests that drive files with kernel buffers and no
 * process: a waker that counts its wakes, one poll by hand, and a read or
 * write through file_rw(); a fresh ramfs root and paths on it. Used by the
 * pipe, tty, vfs and cpio suites.
 */
#ifndef KERNEL_KTEST_IO_H
#define KERNEL_KTEST_IO_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/async/future.h"

struct file;

/* Wakes seen by the counting waker of ktest_poll_once. */
extern atomic_uint ktest_wakes;

/* Poll f once with the counting waker. */
enum poll ktest_poll_once(struct future *f);
/* Drop and release a future the test owns. */
void ktest_finish(struct future *f);
/* One read or write through file_rw on a kernel buffer; *pend as file_rw. */
long ktest_rw(struct file *f, void *buf, size_t n, bool write, struct future **pend);
/* The same, for a call that must not block: -EINPROGRESS if it would. */
long ktest_rw_now(struct file *f, void *buf, size_t n, bool write);

/* Make a fresh ramfs the root (tests of paths run with p == NULL). */
void ktest_fresh_root(void);
/* vfs_lookup(NULL, NULL, path, flags): its error / the inode number (0: none). */
int ktest_lookup_err(const char *path, unsigned flags);
uint64_t ktest_ino_of(const char *path, unsigned flags);
/* Create (or truncate) path holding data. */
int ktest_mkfile(const char *path, const char *data);
/* Read up to n bytes of path from offset 0. */
long ktest_readall(const char *path, char *buf, size_t n);

#endif
