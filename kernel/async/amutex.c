// SPDX-License-Identifier: MIT
/* Async mutex with FIFO hand-over; see amutex.h. */
#include "kernel/async/amutex.h"

#include "kernel/panic.h"

void amutex_init(struct amutex *m)
{
	spin_init(&m->lock, "amutex");
	m->locked = false;
	list_init(&m->waiters);
}

bool amutex_trylock(struct amutex *m)
{
	irqflags_t fl = spin_lock_irqsave(&m->lock);
	bool ok = !m->locked && list_empty(&m->waiters);

	if (ok)
		m->locked = true;
	spin_unlock_irqrestore(&m->lock, fl);
	return ok;
}

static void unlock_locked(struct amutex *m)
{
	struct amutex_lock_future *next;

	BUG_ON(!m->locked);
	if (list_empty(&m->waiters)) {
		m->locked = false;
		return;
	}
	/* Hand over: m stays locked, now on behalf of next. */
	next = list_first_entry(&m->waiters, struct amutex_lock_future, node);
	list_del(&next->node);
	next->granted = true;
	waker_wake(&next->waker);
	next->waker = waker_noop();
}

void amutex_unlock(struct amutex *m)
{
	irqflags_t fl = spin_lock_irqsave(&m->lock);

	unlock_locked(m);
	spin_unlock_irqrestore(&m->lock, fl);
}

static enum poll amutex_lock_poll(struct future *f, struct context *cx)
{
	struct amutex_lock_future *l = (struct amutex_lock_future *)f;
	enum poll r = POLL_PENDING;
	irqflags_t fl;

	if (l->state == AMUTEX_LOCKED)
		return POLL_READY;
	fl = spin_lock_irqsave(&l->m->lock);
	switch (l->state) {
	case AMUTEX_INIT:
		if (!l->m->locked && list_empty(&l->m->waiters)) {
			l->m->locked = true;
			l->state = AMUTEX_LOCKED;
			r = POLL_READY;
			break;
		}
		l->waker = waker_clone(cx->waker);
		list_add_tail(&l->node, &l->m->waiters);
		l->state = AMUTEX_WAITING;
		break;
	case AMUTEX_WAITING:
		if (l->granted) {
			l->state = AMUTEX_LOCKED;
			r = POLL_READY;
		} else if (!waker_will_wake(&l->waker, cx->waker)) {
			waker_drop(&l->waker);
			l->waker = waker_clone(cx->waker);
		}
		break;
	case AMUTEX_LOCKED:
		r = POLL_READY;
		break;
	case AMUTEX_DROPPED:
		panic("amutex: lock future polled after drop");
	}
	spin_unlock_irqrestore(&l->m->lock, fl);
	return r;
}

static void amutex_lock_drop(struct future *f)
{
	struct amutex_lock_future *l = (struct amutex_lock_future *)f;
	irqflags_t fl;

	if (l->state != AMUTEX_WAITING)
		return;
	fl = spin_lock_irqsave(&l->m->lock);
	if (!l->granted) {
		list_del(&l->node);
		waker_drop(&l->waker);
	} else {
		unlock_locked(l->m);	/* handed to us, never used */
	}
	l->state = AMUTEX_DROPPED;
	spin_unlock_irqrestore(&l->m->lock, fl);
}

static const char *amutex_lock_state_name(const struct future *f)
{
	static const char *const names[] = {
		[AMUTEX_INIT] = "AMUTEX_INIT",
		[AMUTEX_WAITING] = "AMUTEX_WAITING",
		[AMUTEX_LOCKED] = "AMUTEX_LOCKED",
		[AMUTEX_DROPPED] = "AMUTEX_DROPPED",
	};

	return names[((const struct amutex_lock_future *)f)->state];
}

static const struct future_ops amutex_lock_ops = {
	.name = "amutex_lock",
	.type = "amutex_lock_future",
	.poll = amutex_lock_poll,
	.drop = amutex_lock_drop,
	.state_name = amutex_lock_state_name,
};

void amutex_lock_init(struct amutex_lock_future *l, struct amutex *m)
{
	future_init(&l->base, &amutex_lock_ops);
	l->m = m;
	l->state = AMUTEX_INIT;
	l->granted = false;
	list_init(&l->node);
	l->waker = waker_noop();
}
