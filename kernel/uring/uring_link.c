// SPDX-License-Identifier: MIT
/*
 * io_uring: a request's waker and the pump that polls the woken requests;
 * chains (IOSQE_IO_LINK, IOSQE_IO_HARDLINK, LINK_TIMEOUT) and drains
 * (IOSQE_IO_DRAIN); cancelling everything (close, exit); counting timeouts.
 *
 * A chain is the SQEs from one flagged IOSQE_IO_LINK or _HARDLINK through
 * the first that is not (or the end of the batch, as Linux). Its members
 * are copied once (struct ulink) and checked before any runs: a bad one
 * gets its error and every other member -ECANCELED, as Linux. Then the head
 * is issued; the rest hangs off it (ureq.after) and the next member is
 * issued when it completes. A result < 0, or a short read or write, breaks
 * a LINK chain: the rest complete -ECANCELED; after a HARDLINK member the
 * chain goes on whatever its result. Members that complete at once are
 * followed in a loop, never by recursion, so a chain of any length runs in
 * constant kernel stack.
 *
 *   QUEUED (copies) --(the previous member completes, not broken)--> issued
 *   QUEUED --(the previous member failed, or was cancelled)--> CQE -ECANCELED
 *
 * A LINK_TIMEOUT right after a member bounds it: its timer is armed with the
 * member's first poll, in the member's own future (uring_lt_fired); if it
 * fires first the member is dropped (-ECANCELED) and the timeout posts
 * -ETIME; if the member completes first the timeout posts -ECANCELED.
 *
 * IOSQE_IO_DRAIN: a chain with a drained member waits on r->drainq until
 * nothing is in flight; chains submitted after it wait behind it, and once
 * it runs, until everything it started has completed (r->drain_wait). All
 * of this runs in the submitter's context (io_uring_enter: submission and
 * the pump), like the requests themselves.
 */
#include "kernel/arch.h"
#include "kernel/fs/poll.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/uring/uring_req.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- a request's waker -------------------------------------------------------------------- */

/*
 * Lock order: a source queue's (or the timer's) context -> cell->lock ->
 * r->lock. The request clears cell->q before it is freed; the cell itself
 * lives while any waker copy holds a reference.
 */
struct ucell {
	atomic_uint refs;
	struct spinlock lock;
	struct ureq *q;			/* lock: NULL once the request is gone */
};

void ucell_put(struct ucell *c)
{
	if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
		kfree(c);
}

static void ready_locked(struct uring *r, struct ureq *q)
{
	if (!list_is_linked(&q->rnode))
		list_add_tail(&q->rnode, &r->ready);
	waker_wake_by_ref(&r->owner_waker);
}

static void cell_wake_by_ref(const struct waker *w)
{
	struct ucell *c = (struct ucell *)w->data;
	irqflags_t fl = spin_lock_irqsave(&c->lock);

	if (c->q) {
		struct uring *r = c->q->r;
		irqflags_t fl2 = spin_lock_irqsave(&r->lock);

		if (uring_waking[hart_id()])
			c->q->uring_woken = true;	/* by a CQ post (uring.h) */
		ready_locked(r, c->q);
		spin_unlock_irqrestore(&r->lock, fl2);
	}
	spin_unlock_irqrestore(&c->lock, fl);
}

static struct waker cell_clone(const struct waker *w)
{
	atomic_fetch_add_explicit(&((struct ucell *)w->data)->refs, 1, memory_order_relaxed);
	return *w;
}

static void cell_drop(struct waker *w)
{
	ucell_put((struct ucell *)w->data);
}

static void cell_wake(struct waker *w)
{
	cell_wake_by_ref(w);
	cell_drop(w);
}

static const struct waker_ops cell_waker_ops = {
	.clone = cell_clone,
	.wake = cell_wake,
	.wake_by_ref = cell_wake_by_ref,
	.drop = cell_drop,
};

struct ucell *ucell_new(struct ureq *q)
{
	struct ucell *c = kmalloc(sizeof(*c));

	if (!c)
		return NULL;
	atomic_init(&c->refs, 1);
	spin_init(&c->lock, "uring_cell");
	c->q = q;
	return c;
}

void ucell_detach(struct ucell *c)
{
	irqflags_t fl = spin_lock_irqsave(&c->lock);

	c->q = NULL;
	spin_unlock_irqrestore(&c->lock, fl);
}

/* ---- the pump, cancel all, counting timeouts ------------------------------------------- */

bool uring_pump(struct uring *r, struct context *cx)
{
	bool any = false;
	irqflags_t fl = spin_lock_irqsave(&r->lock);

	if (!waker_will_wake(&r->owner_waker, cx->waker)) {
		waker_drop(&r->owner_waker);
		r->owner_waker = waker_clone(cx->waker);
	}
	while (!list_empty(&r->ready)) {
		struct ureq *q = list_first_entry(&r->ready, struct ureq, rnode);
		struct waker w = { .ops = &cell_waker_ops, .data = (uintptr_t)q->cell };
		struct context qcx = { .waker = &w };

		list_del(&q->rnode);
		spin_unlock_irqrestore(&r->lock, fl);
		/* Polled with its own waker: only what woke comes back. */
		if (future_poll(&q->base, &qcx) == POLL_READY) {
			uring_req_finished(q);	/* and its chain, the drain queue */
			any = true;
		}
		fl = spin_lock_irqsave(&r->lock);
	}
	spin_unlock_irqrestore(&r->lock, fl);
	return any;
}
void uring_cancel_all(struct uring *r)
{
	r->cancelling = true;	/* no chain goes on from here */
	while (!list_empty(&r->drainq)) {
		struct ulink *c = list_first_entry(&r->drainq, struct ulink, qnode);

		list_del(&c->qnode);
		uring_chain_cancel(r, c, r->closing);
	}
	for (;;) {
		struct ureq *q = NULL;
		irqflags_t fl = spin_lock_irqsave(&r->lock);

		if (!list_empty(&r->inflight)) {
			q = list_first_entry(&r->inflight, struct ureq, node);
			list_del(&q->node);
		}
		spin_unlock_irqrestore(&r->lock, fl);
		if (!q)
			return;
		ureq_free(q);
	}
}

void uring_timeouts_on_post_locked(struct uring *r)
{
	struct ureq *q, *n;

	list_for_each_entry_safe(q, n, &r->timeouts, tnode) {
		if (q->count && --q->count == 0) {
			q->count_hit = true;
			list_del(&q->tnode);
			ready_locked(r, q);	/* the pump completes it */
		}
	}
}

/* ---- chains and drains ----------------------------------------------------------------- */

void uring_chain_cancel(struct uring *r, struct ulink *c, bool quiet)
{
	while (c) {
		struct ulink *n = c->next;

		if (!quiet)
			uring_post(r, c->sqe.user_data, -ECANCELED, 0);
		kfree(c);
		c = n;
	}
}

/* Run a chain from c (brk: the member before it broke the chain), in a loop. */
static void run_chain(struct uring *r, struct proc *p, struct ulink *c, bool brk)
{
	while (c) {
		struct ulink *n = c->next, *lt = NULL;
		uint64_t dl = 0, ns;
		bool failed, hard = c->sqe.flags & IOSQE_IO_HARDLINK;

		if (brk || r->cancelling) {
			uring_chain_cancel(r, c, r->closing);
			return;
		}
		if (n && n->sqe.opcode == IORING_OP_LINK_TIMEOUT) {
			/* c's bound (a LINK_TIMEOUT heading a chain gets -EINVAL at issue). */
			lt = n;
			n = n->next;
			lt->next = NULL;
			long e = poll_timespec_from_user(proc_as(p), lt->sqe.addr, &ns);

			if (e) {
				uring_post(r, lt->sqe.user_data, (int32_t)e, 0);
				kfree(lt);
				lt = NULL;
			} else {
				dl = (lt->sqe.op_flags & IORING_TIMEOUT_ABS) ? ns : poll_deadline(ns);
			}
		}
		if (!uring_issue(r, p, &c->sqe, n, lt, dl, &failed)) {
			kfree(c);
			return;	/* in flight: it owns the rest of the chain */
		}
		if (lt) {	/* done at once: its timeout never ran */
			uring_post(r, lt->sqe.user_data, -ECANCELED, 0);
			kfree(lt);
		}
		kfree(c);
		brk = failed && !hard;
		c = n;
	}
}

static bool nothing_in_flight(struct uring *r)
{
	irqflags_t fl = spin_lock_irqsave(&r->lock);
	bool e = list_empty(&r->inflight);

	spin_unlock_irqrestore(&r->lock, fl);
	return e;
}

/* Start the chains on the drain queue whose turn it is (never re-entered). */
static void drain_kick(struct uring *r, struct proc *p)
{
	if (r->kicking)
		return;
	r->kicking = true;
	while (!r->cancelling && (!list_empty(&r->drainq) || r->drain_wait)) {
		bool idle = nothing_in_flight(r);

		if (idle)
			r->drain_wait = false;
		if (list_empty(&r->drainq))
			break;
		struct ulink *c = list_first_entry(&r->drainq, struct ulink, qnode);

		if ((c->drain || r->drain_wait) && !idle)
			break;
		list_del(&c->qnode);
		if (c->drain)
			r->drain_wait = true;	/* later chains wait for it to complete */
		run_chain(r, p, c, false);
	}
	r->kicking = false;
}

int uring_sq_add(struct uring *r, struct proc *p, struct uchain *ch,
		 const struct io_uring_sqe *sqe)
{
	bool linked = sqe->flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK), failed;
	struct ulink *l;

	if (!ch->head && !linked && !(sqe->flags & IOSQE_IO_DRAIN) && list_empty(&r->drainq) &&
	    !r->drain_wait) {
		int e = uring_sqe_check(r, sqe);	/* alone: no copy needed */

		if (e)
			uring_post(r, sqe->user_data, e, 0);
		else
			uring_issue(r, p, sqe, NULL, NULL, 0, &failed);
		return e;
	}
	l = kmalloc(sizeof(*l));
	if (!l) {
		uring_post(r, sqe->user_data, -ENOMEM, 0);
		return -ENOMEM;
	}
	memcpy(&l->sqe, sqe, sizeof(*sqe));
	l->next = NULL;
	l->drain = false;
	list_init(&l->qnode);
	if (ch->tail)
		ch->tail->next = l;
	else
		ch->head = l;
	ch->tail = l;
	return linked ? 0 : uring_sq_end(r, p, ch);
}

int uring_sq_end(struct uring *r, struct proc *p, struct uchain *ch)
{
	struct ulink *c = ch->head, *bad = NULL, *prev = NULL;
	bool drain = false;
	int err = 0;

	if (!c)
		return 0;
	ch->head = ch->tail = NULL;
	for (struct ulink *l = c; l; prev = l, l = l->next) {
		drain |= (l->sqe.flags & IOSQE_IO_DRAIN) != 0;
		if (bad)
			continue;
		err = uring_sqe_check(r, &l->sqe);
		/* A LINK_TIMEOUT bounds the request before it: not another one, not nothing. */
		if (!err && l->sqe.opcode == IORING_OP_LINK_TIMEOUT &&
		    (!prev || prev->sqe.opcode == IORING_OP_LINK_TIMEOUT))
			err = -EINVAL;
		if (err)
			bad = l;
	}
	if (bad) {	/* as Linux: the bad member its error, every other -ECANCELED */
		while (c) {
			struct ulink *n = c->next;

			uring_post(r, c->sqe.user_data, c == bad ? err : -ECANCELED, 0);
			kfree(c);
			c = n;
		}
		return err;
	}
	c->drain = drain;
	if (drain || !list_empty(&r->drainq) || r->drain_wait) {
		list_add_tail(&c->qnode, &r->drainq);
		drain_kick(r, p);
		return 0;
	}
	run_chain(r, p, c, false);
	return 0;
}

void uring_req_finished(struct ureq *q)
{
	struct uring *r = q->r;
	struct proc *p = q->p;
	struct ulink *after = q->after;
	bool brk;

	atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
	q->after = NULL;
	brk = ureq_free(q);
	if (after)
		run_chain(r, p, after, brk);
	drain_kick(r, p);
	uring_put(r);
}

bool uring_lt_fired(struct ureq *q, struct context *cx)
{
	if (!q->lt_timed) {
		timerq_add(&q->lt_te, q->lt_deadline, cx->waker);
		q->lt_timed = true;
	}
	if (!timerq_check(&q->lt_te, cx->waker) && clock_now_ns() < q->lt_deadline)
		return false;
	uring_post(q->r, q->lt->sqe.user_data, -ETIME, 0);
	kfree(q->lt);
	q->lt = NULL;
	return true;
}

void uring_lt_done(struct ureq *q)
{
	timerq_cancel(&q->lt_te);
	uring_post(q->r, q->lt->sqe.user_data, -ECANCELED, 0);
	kfree(q->lt);
	q->lt = NULL;
}

/*
 * TIMEOUT_REMOVE with IORING_TIMEOUT_UPDATE, and IORING_LINK_TIMEOUT_UPDATE for a link
 * timeout (Linux's io_timeout_remove_prep and the updates): the TIMEOUT, or the LINK_TIMEOUT of a request in
 * flight, whose user_data is sqe->addr gets the deadline of the timespec at sqe->off
 * (IORING_TIMEOUT_ABS: absolute). 0, -ENOENT when there is none, -EINVAL, -EFAULT. In the
 * submitter's context, so the request found stays (only that context frees requests).
 */
int uring_timeout_update(struct uring *r, struct proc *p, const struct io_uring_sqe *sqe)
{
	uint32_t fl = sqe->op_flags;
	bool link = fl & IORING_LINK_TIMEOUT_UPDATE;
	struct ureq *q, *found = NULL;
	uint64_t ns, dl;
	irqflags_t f;

	if (sqe->buf_index || sqe->len || !(fl & (IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE)))
		return -EINVAL;
	if (fl & ~(IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE | IORING_TIMEOUT_ABS))
		return -EINVAL;	/* BOOTTIME, REALTIME clocks: not here */
	if (poll_timespec_from_user(proc_as(p), sqe->off, &ns))
		return -EFAULT;
	dl = (fl & IORING_TIMEOUT_ABS) ? ns : poll_deadline(ns);
	f = spin_lock_irqsave(&r->lock);
	list_for_each_entry(q, &r->inflight, node) {
		if (link ? (q->lt && q->lt->sqe.user_data == sqe->addr)
			 : (q->op == IORING_OP_TIMEOUT && q->user_data == sqe->addr)) {
			found = q;
			break;
		}
	}
	spin_unlock_irqrestore(&r->lock, f);
	if (!found)
		return -ENOENT;
	if (link) {
		timerq_cancel(&found->lt_te);
		found->lt_deadline = dl;
		found->lt_timed = false;
	} else {
		timerq_cancel(&found->te);
		found->deadline = dl;
		found->interval = ns;
		found->timed = false;
	}
	f = spin_lock_irqsave(&r->lock);
	ready_locked(r, found);	/* its next poll arms the new deadline */
	spin_unlock_irqrestore(&r->lock, f);
	return 0;
}
