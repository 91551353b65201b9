// SPDX-License-Identifier: MIT
/* Async wait queues; see waitq.h. */
#include "kernel/async/waitq.h"

void waitq_init(struct waitq *wq)
{
	spin_init(&wq->lock, "waitq");
	list_init(&wq->waiters);
}

static void wake_waiter_locked(struct waitq_wait_future *w, enum waitq_woken how)
{
	list_del(&w->node);
	w->woken = how;
	waker_wake(&w->waker);
	w->waker = waker_noop();
}

/*
 * One pass over the queue: every watcher (the oldest exclusive one only),
 * and the one-shot waiters, all of them or the oldest. Returns how many
 * one-shot waiters were woken. Entries woken are unlinked before their
 * waker runs, watchers stay, so the walk keeps its next pointer.
 */
static unsigned wake_locked(struct waitq *wq, bool all)
{
	struct waitq_wait_future *w, *n;
	bool excl_done = false;
	unsigned woken = 0;

	list_for_each_entry_safe(w, n, &wq->waiters, node) {
		if (w->flags & WAITQ_WATCH) {
			if (w->flags & WAITQ_WATCH_EXCL) {
				if (excl_done)
					continue;
				excl_done = true;
			}
			waker_wake_by_ref(&w->waker);
			continue;
		}
		if (!all && woken)
			continue;
		wake_waiter_locked(w, all ? WAITQ_WOKEN_ALL : WAITQ_WOKEN_ONE);
		woken++;
	}
	return woken;
}

/* Pass an unused wake_one on to the oldest one-shot waiter, if any. */
static void pass_one_locked(struct waitq *wq)
{
	struct waitq_wait_future *w;

	list_for_each_entry(w, &wq->waiters, node) {
		if (!(w->flags & WAITQ_WATCH)) {
			wake_waiter_locked(w, WAITQ_WOKEN_ONE);
			return;
		}
	}
}

bool waitq_wake_one(struct waitq *wq)
{
	irqflags_t fl = spin_lock_irqsave(&wq->lock);
	bool any = wake_locked(wq, false) != 0;

	spin_unlock_irqrestore(&wq->lock, fl);
	return any;
}

unsigned waitq_wake_all(struct waitq *wq)
{
	irqflags_t fl = spin_lock_irqsave(&wq->lock);
	unsigned n = wake_locked(wq, true);

	spin_unlock_irqrestore(&wq->lock, fl);
	return n;
}

void waitq_watch(struct waitq_wait_future *w, struct waitq *wq, const struct waker *wk,
		 bool exclusive)
{
	irqflags_t fl;

	waitq_wait_init(w, wq);
	w->flags = WAITQ_WATCH | (exclusive ? WAITQ_WATCH_EXCL : 0);
	w->waker = waker_clone(wk);
	fl = spin_lock_irqsave(&wq->lock);
	list_add_tail(&w->node, &wq->waiters);
	w->state = WAITQ_WAITING;
	spin_unlock_irqrestore(&wq->lock, fl);
}

void waitq_unwatch(struct waitq_wait_future *w)
{
	irqflags_t fl;

	if (w->state != WAITQ_WAITING)
		return;
	fl = spin_lock_irqsave(&w->wq->lock);
	list_del(&w->node);
	w->state = WAITQ_DONE;
	spin_unlock_irqrestore(&w->wq->lock, fl);
	waker_drop(&w->waker);
	w->waker = waker_noop();
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
	} else if (w->woken == WAITQ_WOKEN_ONE) {
		/* We took a wake_one and will never act on it: pass it on. */
		pass_one_locked(w->wq);
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
	w->flags = 0;
	list_init(&w->node);
	w->waker = waker_noop();
}
