// SPDX-License-Identifier: MIT
/* Async wait queues; see waitq.h. */
#include "kernel/async/waitq.h"

void waitq_init(struct waitq *wq)
{
	spin_init(&wq->lock, "waitq");
	list_init(&wq->waiters);
}

static void wake_first_locked(struct waitq *wq, enum waitq_woken how)
{
	struct waitq_wait_future *w =
		list_first_entry(&wq->waiters, struct waitq_wait_future, node);

	list_del(&w->node);
	w->woken = how;
	waker_wake(&w->waker);
	w->waker = waker_noop();
}

bool waitq_wake_one(struct waitq *wq)
{
	irqflags_t fl = spin_lock_irqsave(&wq->lock);
	bool any = !list_empty(&wq->waiters);

	if (any)
		wake_first_locked(wq, WAITQ_WOKEN_ONE);
	spin_unlock_irqrestore(&wq->lock, fl);
	return any;
}

unsigned waitq_wake_all(struct waitq *wq)
{
	irqflags_t fl = spin_lock_irqsave(&wq->lock);
	unsigned n = 0;

	for (; !list_empty(&wq->waiters); n++)
		wake_first_locked(wq, WAITQ_WOKEN_ALL);
	spin_unlock_irqrestore(&wq->lock, fl);
	return n;
}

static enum poll waitq_wait_poll(struct future *f, struct context *cx)
{
	struct waitq_wait_future *w = (struct waitq_wait_future *)f;
	enum poll r = POLL_PENDING;
	irqflags_t fl;

	if (w->state == WAITQ_DONE)
		return POLL_READY;
	fl = spin_lock_irqsave(&w->wq->lock);
	switch (w->state) {
	case WAITQ_INIT:
		w->waker = waker_clone(cx->waker);
		w->woken = WAITQ_NOT_WOKEN;
		list_add_tail(&w->node, &w->wq->waiters);
		w->state = WAITQ_WAITING;
		break;
	case WAITQ_WAITING:
		if (w->woken != WAITQ_NOT_WOKEN) {
			w->state = WAITQ_DONE;
			r = POLL_READY;
		} else if (!waker_will_wake(&w->waker, cx->waker)) {
			waker_drop(&w->waker);
			w->waker = waker_clone(cx->waker);
		}
		break;
	case WAITQ_DONE:
		r = POLL_READY;
		break;
	}
	spin_unlock_irqrestore(&w->wq->lock, fl);
	return r;
}

static void waitq_wait_drop(struct future *f)
{
	struct waitq_wait_future *w = (struct waitq_wait_future *)f;
	irqflags_t fl;

	if (w->state != WAITQ_WAITING)
		return;
	fl = spin_lock_irqsave(&w->wq->lock);
	if (list_is_linked(&w->node)) {
		list_del(&w->node);
		waker_drop(&w->waker);
	} else if (w->woken == WAITQ_WOKEN_ONE && !list_empty(&w->wq->waiters)) {
		/* We took a wake_one and will never act on it: pass it on. */
		wake_first_locked(w->wq, WAITQ_WOKEN_ONE);
	}
	w->state = WAITQ_DONE;
	spin_unlock_irqrestore(&w->wq->lock, fl);
}

static const char *waitq_wait_state_name(const struct future *f)
{
	static const char *const names[] = {
		[WAITQ_INIT] = "WAITQ_INIT",
		[WAITQ_WAITING] = "WAITQ_WAITING",
		[WAITQ_DONE] = "WAITQ_DONE",
	};

	return names[((const struct waitq_wait_future *)f)->state];
}

static const struct future_ops waitq_wait_ops = {
	.name = "waitq_wait",
	.type = "waitq_wait_future",
	.poll = waitq_wait_poll,
	.drop = waitq_wait_drop,
	.state_name = waitq_wait_state_name,
};

void waitq_wait_init(struct waitq_wait_future *w, struct waitq *wq)
{
	future_init(&w->base, &waitq_wait_ops);
	w->wq = wq;
	w->state = WAITQ_INIT;
	w->woken = WAITQ_NOT_WOKEN;
	list_init(&w->node);
	w->waker = waker_noop();
}
