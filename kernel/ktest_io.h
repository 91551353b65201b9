/* SPDX-License-Identifier: MIT */
/*
 * Helpers for in-kernel tests that drive files with kernel buffers and no
 * process: a waker that counts its wakes, one poll by hand, and a read or
 * write through file_rw(). Used by the pipe and tty suites.
 */
#ifndef KERNEL_KTEST_IO_H
#define KERNEL_KTEST_IO_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

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

#endif
