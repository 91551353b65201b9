// SPDX-License-Identifier: MIT
/*
 * io_uring reads and writes (READ, WRITE, READV, WRITEV, READ_FIXED,
 * WRITE_FIXED): the file's own future through file_rw(), as read(2) and
 * write(2) would build it, awaited by the request (uring_ops.c).
 *
 * O_NONBLOCK on a stream (a pipe, a FIFO, a socket, the tty) does not make
 * the request fail with -EAGAIN: as on Linux, whose io_uring arms a poll
 * for a file that can say "not now" and retries when it is ready, the
 * request waits for the file's readiness (POLLIN or POLLOUT on its queues,
 * as POLL_ADD does) and then tries again:
 *
 *   ISSUE --(file_rw: done)--> CQE
 *     |--(file_rw: a future to await)--> AWAIT --(its result)--> CQE
 *     \--(-EAGAIN, an O_NONBLOCK stream)--> READY_WAIT
 *   READY_WAIT --(ready: file_rw again)--> CQE | AWAIT | READY_WAIT
 */
#include "kernel/fs/poll.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/uring/uring_req.h"
#include "lib/errno.h"
#include "lib/string.h"

bool uring_op_is_rw(unsigned op)
{
	return op == IORING_OP_READ || op == IORING_OP_WRITE || op == IORING_OP_READV ||
	       op == IORING_OP_WRITEV || op == IORING_OP_READ_FIXED || op == IORING_OP_WRITE_FIXED;
}

static bool is_write(unsigned op)
{
	return op == IORING_OP_WRITE || op == IORING_OP_WRITEV || op == IORING_OP_WRITE_FIXED;
}

/* One try: the result, or with *waiting the future to await in q->inner. */
/* One try: the result, or with *waiting the future to await in q->inner. */
static long rw_issue(struct ureq *q, const struct io_uring_sqe *sqe, bool *waiting)
{
	struct uring *r = q->r;
	bool write = is_write(sqe->opcode);
	struct iovec *owned = NULL;
	struct uio u;
	long res;

	q->want = 0;
	if (sqe->op_flags)
		return -EINVAL;	/* RWF_* flags are not supported */
	/* IOPOLL: no file here has polled (O_DIRECT, f_op->iopoll) I/O, so every read and
	 * write is refused as Linux refuses one on such a file. */
	if (r->flags & IORING_SETUP_IOPOLL)
		return -EOPNOTSUPP;
	if (write ? !file_writable(q->file) : !file_readable(q->file))
		return -EBADF;
	if (sqe->opcode == IORING_OP_READV || sqe->opcode == IORING_OP_WRITEV) {
		if (sqe->len > IOV_MAX)
			return -EINVAL;
		owned = kmalloc((sqe->len ? sqe->len : 1) * sizeof(struct iovec));
		if (!owned)
			return -ENOMEM;
		if (copy_from_user(proc_as(q->p), owned, sqe->addr, sqe->len * sizeof(struct iovec))) {
			kfree(owned);
			return -EFAULT;
		}
		for (unsigned i = 0; i < sqe->len; i++) {
			if ((int64_t)owned[i].len < 0) {
				kfree(owned);
				return -EINVAL;
			}
			q->want += owned[i].len;
		}
		uio_init_user(&u, proc_as(q->p), owned, sqe->len);
	} else {
		if (sqe->opcode == IORING_OP_READ_FIXED || sqe->opcode == IORING_OP_WRITE_FIXED) {
			if (sqe->buf_index >= r->nbufs)
				return -EFAULT;
			const struct iovec *b = &r->bufs[sqe->buf_index];

			if (sqe->addr < b->base || sqe->addr + sqe->len > b->base + b->len ||
			    sqe->addr + sqe->len < sqe->addr)
				return -EFAULT;
		}
		q->iov = (struct iovec){ .base = sqe->addr, .len = sqe->len };
		uio_init_user(&u, proc_as(q->p), &q->iov, 1);
		q->want = sqe->len;
	}
	/* off == -1: the file's own position (IORING_FEAT_RW_CUR_POS). */
	if (sqe->off == UINT64_MAX || !q->file->ops->seekable)
		res = file_rw(q->p, q->file, &u, owned, write, &q->inner);
	else
		res = file_rw_at(q->p, q->file, &u, owned, write, sqe->off, &q->inner);
	*waiting = q->inner != NULL;
	return res;
}

long uring_rw_prep(struct ureq *q, const struct io_uring_sqe *sqe, bool *waiting)
{
	long res = rw_issue(q, sqe, waiting);

	if (res != -EAGAIN || *waiting || !(q->file->flags & O_NONBLOCK) || !q->file->ops->waitq)
		return res;
	/* Wait for readiness and try again: the SQE is needed then (a stable copy). */
	q->rw_sqe = kmalloc(sizeof(*sqe));
	if (!q->rw_sqe)
		return -ENOMEM;
	memcpy(q->rw_sqe, sqe, sizeof(*sqe));
	q->events = is_write(sqe->opcode) ? POLLOUT : POLLIN;
	*waiting = true;
	return 0;
}

enum poll uring_rw_poll(struct ureq *q, struct context *cx, long *res)
{
	/* Bounded: a file that says ready and then -EAGAIN every time waits for a wake. */
	for (unsigned tries = 0;; tries++) {
		if (q->inner) {
			q->base.awaiting = q->inner;
			if (future_poll(q->inner, cx) == POLL_PENDING)
				return POLL_PENDING;
			*res = q->inner->result;
			return POLL_READY;
		}
		/* READY_WAIT: register first, then look (no lost wake). */
		bool waiting = false;

		if (!uring_wait_ready(q, cx) || tries == 4)
			return POLL_PENDING;
		*res = rw_issue(q, q->rw_sqe, &waiting);
		if (*res == -EAGAIN && !waiting)
			continue;	/* someone else took it: wait again */
		if (!waiting)
			return POLL_READY;
	}
}
