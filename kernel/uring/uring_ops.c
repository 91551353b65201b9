// SPDX-License-Identifier: MIT
/*
 * io_uring requests: one per SQE. An op that can finish at once posts its
 * CQE inline (NOP, a cached read, a write to a pipe with room, a close);
 * one that would block becomes a request future on the ring's in-flight
 * list, polled by the ring's owner (uring_pump) whenever it is in
 * io_uring_enter (the model of Linux's IORING_SETUP_DEFER_TASKRUN). Each
 * request has a waker of its own (a small counted cell, so a wake that
 * comes late, after the timer queue let go of its lock, finds the request
 * gone rather than freed memory): its wake puts the request on the ring's
 * ready list and wakes the owner's task, and the pump polls only the ready
 * ones.
 *
 *   SUBMIT --(done at once)--------------------------------> CQE posted
 *     \--(would block)--> IN FLIGHT
 *   IN FLIGHT --(pumped: the inner future / try / timer completes)--> CQE, freed
 *   IN FLIGHT --(ASYNC_CANCEL, POLL_REMOVE, TIMEOUT_REMOVE)--> dropped, CQE -ECANCELED
 *   IN FLIGHT --(close of the last ring fd, the owner's exit or exec)--> dropped
 *
 * Polling only in the owner's context is what makes a request safe to run
 * against the owner's memory and fd table (accept installs its fd
 * directly), and to cancel synchronously when the owner exits, before its
 * address space goes; no lock is needed on a request's own fields.
 *
 * The inner futures are the syscalls' own: file_rw() for reads and writes
 * (uring_rw.c), the socket tries of unix.h, timer entries for timeouts, file
 * readiness for POLL_ADD (uring_poll.c). Lock legend as uring.h (T: task).
 */
#include "kernel/uring/uring.h"
#include "kernel/uring/uring_req.h"

#include "kernel/arch.h"
#include "kernel/async/timer.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/sockcall.h"
#include "kernel/ipc/unix.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

bool uring_op_supported(unsigned op)
{
	switch (op) {
	case IORING_OP_NOP:
	case IORING_OP_READV:
	case IORING_OP_WRITEV:
	case IORING_OP_READ_FIXED:
	case IORING_OP_WRITE_FIXED:
	case IORING_OP_POLL_ADD:
	case IORING_OP_POLL_REMOVE:
	case IORING_OP_TIMEOUT:
	case IORING_OP_TIMEOUT_REMOVE:
	case IORING_OP_ACCEPT:
	case IORING_OP_SENDMSG:
	case IORING_OP_RECVMSG:
	case IORING_OP_CONNECT:
	case IORING_OP_ASYNC_CANCEL:
	case IORING_OP_CLOSE:
	case IORING_OP_FILES_UPDATE:
	case IORING_OP_READ:
	case IORING_OP_WRITE:
	case IORING_OP_SEND:
	case IORING_OP_RECV:
	case IORING_OP_LINK_TIMEOUT:
		return true;
	default:
		return uring_sysop_supported(op);
	}
}

/* ---- the request future ------------------------------------------------------------------ */

static void unregister(struct ureq *q)
{
	for (unsigned i = 0; i < q->nq; i++)
		future_drop(&q->w[i].base);
	q->nq = 0;
}

/*
 * Post a CQE of q with L held. A TIMEOUT that expires or sees its count is not one of the
 * completions other TIMEOUTs count (Linux counts the CQ tail less those, cq_timeouts), and
 * ends a waiting enter; a removed one (-ECANCELED) counts.
 */
static void post_locked(struct ureq *q, int32_t res, uint32_t flags)
{
	struct uring *r = q->r;

	r->tm_expiry = q->op == IORING_OP_TIMEOUT && res != -ECANCELED;
	if (r->tm_expiry)	/* relaxed: the post's wake orders it for the waiter */
		__atomic_fetch_add(&r->cq_timeouts, 1, __ATOMIC_RELAXED);
	uring_post_locked(r, q->user_data, res, flags);
	r->tm_expiry = false;
}

/* A multishot TIMEOUT's expiry: with F_MORE, or, the CQ ring full, its last CQE (as Linux:
 * this also bounds a zero interval to one ring's worth). False: that was the last. */
static bool post_timeout(struct ureq *q, int32_t res)
{
	struct uring *r = q->r;
	irqflags_t fl = spin_lock_irqsave(&r->lock);
	uint32_t head = __atomic_load_n(uring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
	bool room = !r->noverflow && *uring_u32(r, RING_CQ_TAIL) - head < r->cq_entries;

	post_locked(q, res, room ? IORING_CQE_F_MORE : 0);
	spin_unlock_irqrestore(&r->lock, fl);
	uring_posted(r, 1);
	return room;
}

/* Post the CQE once and leave the in-flight list. */
static void complete(struct ureq *q, int32_t res)
{
	irqflags_t fl;

	if (q->posted)
		return;
	q->posted = true;
	q->failed = res < 0 || (q->want && (uint64_t)res != q->want);
	fl = spin_lock_irqsave(&q->r->lock);
	if (list_is_linked(&q->node))
		list_del(&q->node);
	if (list_is_linked(&q->tnode))
		list_del(&q->tnode);
	if (list_is_linked(&q->rnode))
		list_del(&q->rnode);
	post_locked(q, res, 0);
	spin_unlock_irqrestore(&q->r->lock, fl);
	uring_posted(q->r, 1);
}

static void ureq_drop(struct future *f)
{
	struct ureq *q = (struct ureq *)f;
	bool closing;
	irqflags_t fl;

	unregister(q);
	timerq_cancel(&q->te);
	timerq_cancel(&q->lt_te);
	if (q->inner) {
		future_drop(q->inner);
		future_release(q->inner);
		q->inner = NULL;
	}
	if (q->sc) {
		sockcall_free(q->sc);	/* puts the file it holds */
		q->sc = NULL;
	}
	kfree(q->rw_sqe);
	q->rw_sqe = NULL;
	fl = spin_lock_irqsave(&q->r->lock);
	closing = q->r->closing;
	spin_unlock_irqrestore(&q->r->lock, fl);
	if (!q->posted && !closing)
		complete(q, -ECANCELED);
	if (!q->posted)
		q->failed = true;
	q->posted = true;
	if (q->lt) {	/* the request went first: its LINK_TIMEOUT is cancelled */
		if (!closing)
			uring_post(q->r, q->lt->sqe.user_data, -ECANCELED, 0);
		kfree(q->lt);
		q->lt = NULL;
	}
	if (q->after) {	/* a chain that will not run (close, exit) */
		uring_chain_cancel(q->r, q->after, closing);
		q->after = NULL;
	}
	fl = spin_lock_irqsave(&q->r->lock);
	if (list_is_linked(&q->node))
		list_del(&q->node);
	if (list_is_linked(&q->tnode))
		list_del(&q->tnode);
	if (list_is_linked(&q->rnode))
		list_del(&q->rnode);
	spin_unlock_irqrestore(&q->r->lock, fl);
	if (q->file) {
		file_put(q->file);
		q->file = NULL;
	}
	q->state = UREQ_DONE;
}

/* Register on the queue(s), then try: the result, or -EAGAIN (registered). */
static long try_registered(struct ureq *q, struct context *cx)
{
	struct waitq *wq = q->wq;
	long r;

	for (;;) {
		unregister(q);
		if (wq) {	/* NULL at the first try: it names the queue */
			waitq_wait_init(&q->w[0], wq);
			q->nq = 1;
			future_poll(&q->w[0].base, cx);
		}
		switch (q->op) {
		case IORING_OP_SEND:
			r = unix_try_send(unix_sk(q->file), &q->m, q->p, &wq);
			if (r == -EAGAIN)
				break;
			return r;
		case IORING_OP_RECV:
			r = unix_try_recv(unix_sk(q->file), &q->m, q->p, &wq);
			if (r == -EAGAIN && !q->m.done)
				break;
			return r == -EAGAIN ? (long)q->m.done : r;
		case IORING_OP_ACCEPT: {
			struct unix_sock *e;
			struct file *f;

			if (q->sc) {	/* with the peer's name: accept4's own call */
				r = sockcall_try(q->sc, &wq);
				if (r == -EAGAIN)
					break;
				return sockcall_finish(q->sc, r);
			}
			r = unix_try_accept(unix_sk(q->file), &e, &wq);
			if (r == -EAGAIN)
				break;
			if (r)
				return r;
			/* The owner's context: its table is ours to change. */
			r = unix_file_new(e, q->aflags, &f);
			unix_sock_put(e);
			if (r)
				return r;
			r = fd_install(q->p, f, (int)(q->aflags & SOCK_CLOEXEC));
			if (r < 0)
				file_put(f);
			return r;
		}
		case IORING_OP_SENDMSG:
		case IORING_OP_RECVMSG:
		case IORING_OP_CONNECT:
			r = sockcall_try(q->sc, &wq);
			if (r == -EAGAIN)
				break;	/* (a send's SIGPIPE: sockcall_try sent it) */
			return sockcall_finish(q->sc, r);
		default:
			return -EINVAL;
		}
		if (q->wq && wq == q->wq)
			return -EAGAIN;	/* registered on the queue it names */
		q->wq = wq;
	}
}

static enum poll ureq_poll(struct future *f, struct context *cx)
{
	struct ureq *q = (struct ureq *)f;
	long res;

	if (q->state != UREQ_WAITING)
		return POLL_READY;
	if (q->lt && uring_lt_fired(q, cx)) {
		res = -ECANCELED;	/* its LINK_TIMEOUT went first (-ETIME posted) */
		goto done;
	}
	switch (q->op) {
	case IORING_OP_FSYNC:
	case IORING_OP_SYNC_FILE_RANGE:
	case IORING_OP_OPENAT:
	case IORING_OP_STATX:
	case IORING_OP_UNLINKAT:
	case IORING_OP_RENAMEAT:
	case IORING_OP_MKDIRAT:
	case IORING_OP_SYMLINKAT:
	case IORING_OP_LINKAT:
		f->awaiting = q->inner;
		if (future_poll(q->inner, cx) == POLL_PENDING)
			return POLL_PENDING;
		res = uring_sysop_result(q, q->inner->result);
		break;
	case IORING_OP_READ:
	case IORING_OP_WRITE:
	case IORING_OP_READV:
	case IORING_OP_WRITEV:
	case IORING_OP_READ_FIXED:
	case IORING_OP_WRITE_FIXED:
		if (uring_rw_poll(q, cx, &res) == POLL_PENDING)
			return POLL_PENDING;
		break;
	case IORING_OP_POLL_ADD:
		if (uring_poll_add_poll(q, cx, &res) == POLL_PENDING)
			return POLL_PENDING;
		break;
	case IORING_OP_TIMEOUT: {
		bool hit;
		irqflags_t fl = spin_lock_irqsave(&q->r->lock);

		hit = q->count_hit;
		spin_unlock_irqrestore(&q->r->lock, fl);
		if (hit) {
			res = 0;
			break;
		}
		for (;;) {
			if (!q->timed) {
				timerq_add(&q->te, q->deadline, cx->waker);
				q->timed = true;
			}
			if (!timerq_check(&q->te, cx->waker) && clock_now_ns() < q->deadline)
				return POLL_PENDING;
			/* IORING_TIMEOUT_MULTISHOT: every expiry but the last (none when
			 * repeats is 0) posts -ETIME with IORING_CQE_F_MORE and re-arms. */
			if (!q->multishot || (q->repeats && --q->repeats == 0))
				break;
			if (!post_timeout(q, -ETIME)) {
				q->posted = true;
				break;
			}
			timerq_cancel(&q->te);
			q->timed = false;
			q->deadline = poll_deadline(q->interval);
		}
		res = -ETIME;
		break;
	}
	default:
		res = try_registered(q, cx);
		if (res == -EAGAIN)
			return POLL_PENDING;
		if (res == -EPIPE && q->op == IORING_OP_SEND && !(q->m.flags & MSG_NOSIGNAL))
			proc_signal(q->p, SIGPIPE);
		break;
	}
done:
	f->awaiting = NULL;
	unregister(q);
	complete(q, (int32_t)res);
	if (q->lt)
		uring_lt_done(q);
	q->state = UREQ_DONE;
	return POLL_READY;
}

bool ureq_free(struct ureq *q)
{
	struct uring *r = q->r;
	bool brk;

	/* First: from now on a late wake finds nothing, and cannot put the
	 * request back on the ready list after the drop took it off. */
	if (q->cell)
		ucell_detach(q->cell);
	ureq_drop(&q->base);
	brk = q->failed && !q->hard;
	if (q->cell)
		ucell_put(q->cell);
	kfree(q);
	uring_put(r);
	return brk;
}

static const char *ureq_state_name(const struct future *f)
{
	static const char *const names[] = { "UREQ_WAITING", "UREQ_DONE" };

	return names[((const struct ureq *)f)->state];
}

static const struct future_ops ureq_ops = {
	.name = "io_uring_req",
	.type = "ureq",
	.poll = ureq_poll,
	.drop = ureq_drop,
	.state_name = ureq_state_name,
};

/* ---- submission ------------------------------------------------------------------------------ */

/* The file an SQE names (IOSQE_FIXED_FILE: the registered table), counted. */
static int sqe_file(struct uring *r, struct proc *p, const struct io_uring_sqe *sqe,
		    struct file **out)
{
	if (sqe->flags & IOSQE_FIXED_FILE) {
		if (sqe->fd < 0 || (unsigned)sqe->fd >= r->nfiles || !r->files[sqe->fd])
			return -EBADF;
		*out = file_get(r->files[sqe->fd]);
		return 0;
	}
	*out = fd_get(p, sqe->fd);
	return *out ? 0 : -EBADF;
}

/* Put a waiting request in flight, ready for its first poll by the owner's pump. */
static int start(struct ureq *q)
{
	struct ucell *c = ucell_new(q);
	irqflags_t fl;

	if (!c)
		return -ENOMEM;
	q->cell = c;
	fl = spin_lock_irqsave(&q->r->lock);
	list_add_tail(&q->node, &q->r->inflight);
	list_add_tail(&q->rnode, &q->r->ready);
	spin_unlock_irqrestore(&q->r->lock, fl);
	return 0;
}

/* Take the in-flight request with user_data (op 0: any) off the list, to be cancelled
 * once the canceller's own CQE went (Linux posts that first): 0 or -ENOENT. */
static int cancel_find(struct uring *r, uint64_t user_data, int op, struct ureq **victim)
{
	struct ureq *q;
	irqflags_t fl = spin_lock_irqsave(&r->lock);

	list_for_each_entry(q, &r->inflight, node) {
		if (q->user_data == user_data && (!op || q->op == op)) {
			*victim = q;
			list_del(&q->node);
			break;
		}
	}
	spin_unlock_irqrestore(&r->lock, fl);
	return *victim ? 0 : -ENOENT;
}

int uring_sqe_check(const struct uring *r, const struct io_uring_sqe *sqe)
{
	if (sqe->flags & ~(unsigned)(IOSQE_FIXED_FILE | IOSQE_IO_DRAIN | IOSQE_IO_LINK |
				     IOSQE_IO_HARDLINK | IOSQE_ASYNC))
		return -EINVAL;	/* BUFFER_SELECT, CQE_SKIP_SUCCESS: not here */
	if (!uring_op_supported(sqe->opcode))
		return -EINVAL;
	/* An IOPOLL ring takes only the ops Linux allows there: NOP, reads and writes,
	 * REMOVE_BUFFERS. */
	if ((r->flags & IORING_SETUP_IOPOLL) && sqe->opcode != IORING_OP_NOP &&
	    sqe->opcode != IORING_OP_REMOVE_BUFFERS && !uring_op_is_rw(sqe->opcode))
		return -EINVAL;
	/* ioprio: a priority for reads and writes (class NONE, RT, BE, IDLE and a level, as
	 * ioprio_check_cap), flags for Linux's net ops (none here), nothing for the rest. */
	if (sqe->ioprio) {
		unsigned cls = sqe->ioprio >> 13, lvl = sqe->ioprio & 7;

		if (!uring_op_is_rw(sqe->opcode))
			return -EINVAL;
		if (cls > 3 || (cls == 0 && lvl))
			return -EINVAL;
	}
	if (sqe->opcode == IORING_OP_LINK_TIMEOUT &&
	    (sqe->len != 1 || sqe->off || (sqe->op_flags & ~IORING_TIMEOUT_ABS) ||
	     (sqe->flags & IOSQE_FIXED_FILE)))
		return -EINVAL;
	return 0;
}

bool uring_issue(struct uring *r, struct proc *p, const struct io_uring_sqe *sqe,
		 struct ulink *after, struct ulink *lt, uint64_t lt_deadline, bool *failed)
{
	struct ureq *q, *victim = NULL;
	bool waiting = false;
	long res = 0;

	*failed = false;
	if (sqe->opcode == IORING_OP_NOP) {	/* no request at all */
		if (sqe->op_flags & ~IORING_NOP_INJECT_RESULT)
			res = -EINVAL;
		else if (sqe->op_flags)
			res = (int32_t)sqe->len;	/* the result asked for */
		*failed = res < 0;
		uring_post(r, sqe->user_data, (int32_t)res, 0);
		return true;
	}
	q = kzalloc(sizeof(*q));
	if (!q) {
		uring_post(r, sqe->user_data, -ENOMEM, 0);
		*failed = true;
		return true;
	}
	future_init(&q->base, &ureq_ops);
	atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
	q->r = r;
	q->p = p;
	q->user_data = sqe->user_data;
	q->op = sqe->opcode;
	list_init(&q->node);
	list_init(&q->tnode);
	list_init(&q->rnode);
	timer_entry_init(&q->te);
	timer_entry_init(&q->lt_te);
	switch (sqe->opcode) {
	case IORING_OP_FSYNC:
	case IORING_OP_SYNC_FILE_RANGE:
		res = sqe_file(r, p, sqe, &q->file);
		if (!res)
			res = uring_sysop(q, sqe);
		waiting = q->inner != NULL;
		break;
	case IORING_OP_OPENAT:
	case IORING_OP_STATX:
	case IORING_OP_UNLINKAT:
	case IORING_OP_RENAMEAT:
	case IORING_OP_MKDIRAT:
	case IORING_OP_SYMLINKAT:
	case IORING_OP_LINKAT:
	case IORING_OP_REMOVE_BUFFERS:
		res = uring_sysop(q, sqe);
		waiting = q->inner != NULL;
		break;
	case IORING_OP_READ:
	case IORING_OP_WRITE:
	case IORING_OP_READV:
	case IORING_OP_WRITEV:
	case IORING_OP_READ_FIXED:
	case IORING_OP_WRITE_FIXED:
		res = sqe_file(r, p, sqe, &q->file);
		if (!res)
			res = uring_rw_prep(q, sqe, &waiting);
		break;
	case IORING_OP_POLL_ADD:
		res = sqe_file(r, p, sqe, &q->file);
		if (res)
			break;
		if (sqe->len & ~IORING_POLL_ADD_MULTI) {
			res = -EINVAL;	/* updates, level mode: not here */
			break;
		}
		q->poll_multi = sqe->len & IORING_POLL_ADD_MULTI;
		q->events = sqe->op_flags & 0xffff;
		res = file_poll_ready(q->file) & (q->events | POLLERR | POLLHUP);
		waiting = !res || q->poll_multi;	/* multishot: its first poll posts */
		if (waiting)
			res = 0;
		break;
	case IORING_OP_POLL_REMOVE:
		res = cancel_find(r, sqe->addr, IORING_OP_POLL_ADD, &victim);
		break;
	case IORING_OP_TIMEOUT: {
		uint64_t ns;

		if (sqe->len != 1 || (sqe->op_flags & ~(IORING_TIMEOUT_ABS | IORING_TIMEOUT_MULTISHOT)) ||
		    (sqe->op_flags & IORING_TIMEOUT_ABS && sqe->op_flags & IORING_TIMEOUT_MULTISHOT)) {
			res = -EINVAL;	/* a multishot one is relative (Linux) */
			break;
		}
		res = poll_timespec_from_user(proc_as(p), sqe->addr, &ns);
		if (res)
			break;
		q->deadline = (sqe->op_flags & IORING_TIMEOUT_ABS) ? ns : poll_deadline(ns);
		q->interval = ns;
		if (sqe->op_flags & IORING_TIMEOUT_MULTISHOT) {
			q->multishot = true;	/* off: how many expiries, 0 for ever */
			q->repeats = (uint32_t)sqe->off;
		} else if (sqe->off) {
			irqflags_t fl = spin_lock_irqsave(&r->lock);

			q->count = (uint32_t)sqe->off;
			list_add_tail(&q->tnode, &r->timeouts);
			spin_unlock_irqrestore(&r->lock, fl);
		}
		waiting = true;
		break;
	}
	case IORING_OP_TIMEOUT_REMOVE:
		res = sqe->op_flags ? uring_timeout_update(r, p, sqe)
		      : sqe->len || sqe->buf_index ? -EINVAL : cancel_find(r, sqe->addr, IORING_OP_TIMEOUT, &victim);
		break;
	case IORING_OP_ASYNC_CANCEL:
		res = sqe->op_flags ? -EINVAL : cancel_find(r, sqe->addr, 0, &victim);
		break;
	case IORING_OP_CLOSE:
		if (sqe->addr || sqe->len || sqe->off || sqe->op_flags || sqe->buf_index) {
			res = -EINVAL;
			break;
		}
		if (sqe->flags & IOSQE_FIXED_FILE) {
			res = -EBADF;	/* a registered slot is named by file_index */
			break;
		}
		if (sqe->file_index) {	/* slot file_index - 1 of the registered table */
			res = sqe->fd ? -EINVAL : uring_close_fixed(r, sqe->file_index - 1);
			break;
		}
		{
			struct file *cf = fd_get(p, sqe->fd);

			/* A ring may not close itself through itself (Linux: -EBADF). */
			res = !cf ? -EBADF : uring_is_ring(cf) ? -EBADF : 0;
			if (cf)
				file_put(cf);
		}
		if (!res)
			res = fdtable_close(proc_files(p), sqe->fd);	/* the owner's context */
		break;
	case IORING_OP_FILES_UPDATE:	/* addr: the fds, len: how many, off: the first slot */
		res = sqe->op_flags || sqe->ioprio || (sqe->flags & IOSQE_FIXED_FILE) ? -EINVAL
		      : uring_files_update(r, p, (uint32_t)sqe->off, sqe->addr, sqe->len, true);
		break;
	case IORING_OP_SEND:
	case IORING_OP_RECV:
	case IORING_OP_ACCEPT:
		res = sqe_file(r, p, sqe, &q->file);
		if (res)
			break;
		if (!unix_is_socket(q->file)) {
			res = -ENOTSOCK;
			break;
		}
		if (sqe->opcode == IORING_OP_ACCEPT) {
			q->aflags = sqe->op_flags;
			if (q->aflags & ~(unsigned)(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
				res = -EINVAL;
				break;
			}
			if (sqe->addr) {	/* addr, addr2 (off): the peer's name, as accept4 */
				struct sys_ctx sys = { .proc = p };

				q->sc = sockcall_new(&sys, SK_ACCEPT, file_get(q->file));
				if (!q->sc) {
					res = -ENOMEM;
					break;
				}
				q->sc->aflags = q->aflags;
				q->sc->uname = sqe->addr;
				q->sc->unamelen = sqe->off;
			}
		} else {
			q->m.flags = sqe->op_flags;
			q->iov = (struct iovec){ .base = sqe->addr, .len = sqe->len };
			uio_init_user(&q->uio, proc_as(p), &q->iov, 1);
			q->m.uio = &q->uio;
		}
		waiting = true;	/* the task's first poll tries */
		break;
	case IORING_OP_SENDMSG:
	case IORING_OP_RECVMSG:
	case IORING_OP_CONNECT: {
		/* The syscall's own call, built in the owner's context now. */
		struct sys_ctx sys = { .proc = p };
		struct file *f;

		res = sqe_file(r, p, sqe, &f);
		if (res)
			break;
		if (!unix_is_socket(f)) {
			file_put(f);
			res = -ENOTSOCK;
			break;
		}
		q->sc = sockcall_new(&sys, sqe->opcode == IORING_OP_SENDMSG ? SK_SEND
					    : sqe->opcode == IORING_OP_RECVMSG ? SK_RECV : SK_CONNECT,
				     f);
		if (!q->sc) {
			res = -ENOMEM;
			break;
		}
		if (sqe->opcode == IORING_OP_CONNECT) {
			struct unix_addr a;

			res = unix_addr_from_user(p, sqe->addr, (uint32_t)sqe->off, &a);
			if (!res)
				res = unix_lookup(p, &a, &q->sc->other);
		} else {
			q->sc->m.flags = sqe->op_flags;
			res = sockcall_msghdr(q->sc, sqe->addr, sqe->opcode == IORING_OP_SENDMSG);
		}
		if (res == -EIOWAIT) {
			/* A cold path lookup: drop the parked I/O and say so. */
			struct future *io = vfs_take_io_wait();

			if (io) {
				future_drop(io);
				future_release(io);
			}
			res = -EAGAIN;
		}
		waiting = !res;
		break;
	}
	default:
		res = -EINVAL;
		break;
	}
	if (waiting) {
		q->hard = sqe->flags & IOSQE_IO_HARDLINK;
		q->after = after;
		q->lt = lt;
		q->lt_deadline = lt_deadline;
		res = start(q);
		if (!res)
			return false;
		q->after = NULL;
		q->lt = NULL;
	}
	complete(q, (int32_t)res);
	*failed = q->failed;
	ureq_free(q);
	if (victim)
		uring_req_finished(victim);	/* its drop posts -ECANCELED; its chain goes */
	return true;
}

