/* SPDX-License-Identifier: MIT */
/*
 * The pipe ring, shared by the anonymous pipes of pipe2 (pipe.c) and the
 * named FIFOs of the file systems (fifo.c): an open file of either has
 * f->priv = its struct pipe and reads, writes, waits and polls through the
 * same ops. Private to kernel/ipc.
 *
 * Lock legend: lock (irqsave) guards head, tail, readers, writers and the
 * FIFO fields; the wait queues have their own locks and are woken after
 * lock is dropped. Lock order: fifo_lock -> pipe->lock -> as->lock (user
 * copies).
 */
#ifndef KERNEL_IPC_PIPE_INT_H
#define KERNEL_IPC_PIPE_INT_H

#include <stdint.h>

#include "kernel/async/waitq.h"
#include "kernel/spinlock.h"

struct file;
struct uio;

struct pipe {
	struct spinlock lock;
	char *ring;		/* I */
	uint32_t mask;		/* I: ring size - 1 */
	unsigned order;		/* I: page order of ring */
	uint32_t head, tail;	/* L: bytes ever written / read (wrap at 2^32) */
	unsigned readers;	/* L: open read ends */
	unsigned writers;	/* L: open write ends */
	/* A FIFO's (fifo.c): its open files, and how many read and write opens
	 * it has ever seen (an open waiting for its other end waits for the
	 * other counter to move, as Linux's r_counter / w_counter). */
	unsigned files;		/* L, and fifo_lock to reach 0 */
	unsigned r_counter, w_counter;	/* L */
	struct waitq rd_wq;	/* readers wait here for data or EOF */
	struct waitq wr_wq;	/* writers wait here for room or no reader */
};

/* A ring with no ends (64 KiB when a block that size is free, down to one
 * page), or NULL. */
struct pipe *pipe_ring_new(void);
void pipe_ring_free(struct pipe *p);
/* Give up f's end: readers/writers down, everyone woken (EOF, EPIPE). */
void pipe_end_release(struct pipe *p, const struct file *f);

/* The file ops of an end, for f->priv = its pipe. */
long pipe_read(struct file *f, struct uio *u, uint64_t *pos);
long pipe_write(struct file *f, struct uio *u, uint64_t *pos);
struct waitq *pipe_waitq(struct file *f, bool write);
unsigned pipe_ready(struct file *f);

#endif
