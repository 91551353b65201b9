// SPDX-License-Identifier: MIT
/*
 * io_uring POLL_ADD, one-shot and multishot (IORING_POLL_ADD_MULTI): the
 * request waits on the file's readiness queues (file_poll_queues, as poll(2)
 * and epoll do), registering before it looks, so no wake is lost.
 *
 *   ARMED --(ready at a poll: one-shot)--> CQE (the mask), done
 *   ARMED --(ready at a poll: multishot)--> CQE (mask, IORING_CQE_F_MORE), ARMED
 *      \--(the CQ ring full: the last CQE, without F_MORE, as Linux)--> done
 *   ARMED --(POLL_REMOVE, ASYNC_CANCEL, close, exit)--> -ECANCELED (uring_ops.c)
 *   ARMED --(ready, woken by an io_uring CQ post: multishot)--> the last CQE, done
 *
 * A multishot request is polled again only when a queue it waits on wakes it
 * (the pump polls only woken requests), so it posts once per wake, not for as
 * long as the file stays ready: the edge-like behaviour of Linux's
 * multishot poll, which re-checks the mask at each wake-up.
 */
#include "kernel/fs/poll.h"
#include "kernel/uring/uring_req.h"

/* Register on the file's queues for q->events, then the events ready now. */
unsigned uring_wait_ready(struct ureq *q, struct context *cx)
{
	struct waitq *qs[2];

	for (unsigned i = 0; i < q->nq; i++)
		future_drop(&q->w[i].base);
	q->nq = file_poll_queues(q->file, q->events, qs);
	for (unsigned i = 0; i < q->nq; i++) {
		waitq_wait_init(&q->w[i], qs[i]);
		future_poll(&q->w[i].base, cx);
	}
	return file_poll_ready(q->file) & (q->events | POLLERR | POLLHUP);
}

/* A multishot CQE with F_MORE; false (and the CQE without it) when the CQ ring is full. */
static bool post_more(struct ureq *q, int32_t res)
{
	struct uring *r = q->r;
	irqflags_t fl = spin_lock_irqsave(&r->lock);
	uint32_t head = __atomic_load_n(uring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
	bool room = !r->noverflow && *uring_u32(r, RING_CQ_TAIL) - head < r->cq_entries;

	uring_post_locked(r, q->user_data, res, room ? IORING_CQE_F_MORE : 0);
	spin_unlock_irqrestore(&r->lock, fl);
	uring_posted(r, 1);
	return room;
}

enum poll uring_poll_add_poll(struct ureq *q, struct context *cx, long *res)
{
	unsigned ready = uring_wait_ready(q, cx);

	if (!ready)
		return POLL_PENDING;
	/*
	 * Woken by a CQ post (uring_waking): a multishot poll of a ring fd, of an epoll
	 * watching one or of a registered eventfd would feed on its own CQEs; Linux ends
	 * it there (EPOLL_URING_WAKE), so does this.
	 */
	irqflags_t fl = spin_lock_irqsave(&q->r->lock);
	bool self = q->uring_woken;

	q->uring_woken = false;
	spin_unlock_irqrestore(&q->r->lock, fl);
	if (!q->poll_multi || self) {
		*res = ready;
		return POLL_READY;
	}
	if (post_more(q, (int32_t)ready))
		return POLL_PENDING;	/* armed again: registered above */
	q->posted = true;	/* that was its last CQE */
	*res = ready;
	return POLL_READY;
}
