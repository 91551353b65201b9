/* SPDX-License-Identifier: MIT */
/*
 * Pipes: a power-of-two ring (64 KiB when memory allows, 4 KiB at least)
 * with free-running head/tail counters, a wait queue for readers and one for
 * writers. Reads and writes never block here: they return -EAGAIN and the
 * caller parks on file_ops.waitq (see vfs.h). EOF once every write end is
 * closed; -EPIPE once every read end is (the syscall layer adds SIGPIPE).
 * Writes of at most PIPE_BUF bytes are atomic.
 */
#ifndef KERNEL_IPC_PIPE_H
#define KERNEL_IPC_PIPE_H

struct file;

#define PIPE_RING_ORDER 4	/* 2^4 pages = 64 KiB, as Linux */

/* A new pipe: *rd (O_RDONLY) and *wr (O_WRONLY), flags may hold O_NONBLOCK.
 * 0 or -ENOMEM. */
int pipe_create(struct file **rd, struct file **wr, unsigned flags);

#endif
