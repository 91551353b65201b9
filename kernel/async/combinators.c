// SPDX-License-Identifier: MIT
/* yield_now, get_waker, join_all, select2; see combinators.h. */
#include "kernel/async/combinators.h"

#include "kernel/panic.h"

/* ---- yield_now ------------------------------------------------------------------ */

static enum poll yield_poll(struct future *f, struct context *cx)
{
	struct yield_future *y = (struct yield_future *)f;

	if (y->yielded)
		return POLL_READY;
	y->yielded = true;
	waker_wake_by_ref(cx->waker);
	return POLL_PENDING;
}

static const char *yield_state_name(const struct future *f)
{
	return ((const struct yield_future *)f)->yielded ? "YIELDED" : "INIT";
}

static const struct future_ops yield_ops = {
	.name = "yield_now",
	.type = "yield_future",
	.poll = yield_poll,
	.state_name = yield_state_name,
};

void yield_now_init(struct yield_future *y)
{
	future_init(&y->base, &yield_ops);
	y->yielded = false;
}

/* ---- get_waker ------------------------------------------------------------------ */

static enum poll get_waker_poll(struct future *f, struct context *cx)
{
	struct get_waker_future *g = (struct get_waker_future *)f;

	g->waker = waker_clone(cx->waker);
	return POLL_READY;
}

static const struct future_ops get_waker_ops = {
	.name = "get_waker",
	.type = "get_waker_future",
	.poll = get_waker_poll,
};

void get_waker_init(struct get_waker_future *g)
{
	future_init(&g->base, &get_waker_ops);
	g->waker = waker_noop();
}

/* ---- join_all ------------------------------------------------------------------- */

static uint64_t all_mask(unsigned n)
{
	return n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

static enum poll join_all_poll(struct future *f, struct context *cx)
{
	struct join_all_future *j = (struct join_all_future *)f;

	j->base.awaiting = NULL;
	for (unsigned i = 0; i < j->n; i++) {
		uint64_t bit = UINT64_C(1) << i;

		if (j->done & bit)
			continue;
		if (future_poll(j->children[i], cx) == POLL_READY)
			j->done |= bit;
		else if (!j->base.awaiting)
			j->base.awaiting = j->children[i];
	}
	return j->done == all_mask(j->n) ? POLL_READY : POLL_PENDING;
}

static void join_all_drop(struct future *f)
{
	struct join_all_future *j = (struct join_all_future *)f;

	for (unsigned i = 0; i < j->n; i++)
		if (!(j->done & (UINT64_C(1) << i)))
			future_drop(j->children[i]);
	j->done = all_mask(j->n);
	j->base.awaiting = NULL;
}

static const struct future_ops join_all_ops = {
	.name = "join_all",
	.type = "join_all_future",
	.poll = join_all_poll,
	.drop = join_all_drop,
};

void join_all_init(struct join_all_future *j, struct future **children, unsigned n)
{
	BUG_ON(n > JOIN_ALL_MAX);
	future_init(&j->base, &join_all_ops);
	j->children = children;
	j->n = n;
	j->done = 0;
}

/* ---- select2 -------------------------------------------------------------------- */

static enum poll select2_poll(struct future *f, struct context *cx)
{
	struct select2_future *s = (struct select2_future *)f;
	/* LAB(future) BEGIN stub:
	 * if (future_poll(s->a, cx) != POLL_READY)	// b is never polled
	 * 	return POLL_PENDING;
	 * s->winner = 0;
	 * s->base.result = s->a->result;
	 * return POLL_READY;
	 */
	struct future *win, *lose;

	if (s->winner >= 0)
		return POLL_READY;
	if (future_poll(s->a, cx) == POLL_READY) {
		s->winner = 0;
		win = s->a;
		lose = s->b;
	} else if (future_poll(s->b, cx) == POLL_READY) {
		s->winner = 1;
		win = s->b;
		lose = s->a;
	} else {
		s->base.awaiting = s->a;
		return POLL_PENDING;
	}
	/* The loser may have registered wakers: unregister them now. */
	future_drop(lose);
	s->base.result = win->result;
	s->base.awaiting = NULL;
	return POLL_READY;
	/* LAB(future) END */
}

static void select2_drop(struct future *f)
{
	struct select2_future *s = (struct select2_future *)f;

	/* LAB(future) BEGIN stub: (void)s; */
	if (s->winner < 0) {
		future_drop(s->a);
		future_drop(s->b);
		s->winner = 2;	/* dropped: neither */
	}
	s->base.awaiting = NULL;
	/* LAB(future) END */
}

static const struct future_ops select2_ops = {
	.name = "select2",
	.type = "select2_future",
	.poll = select2_poll,
	.drop = select2_drop,
};

void select2_init(struct select2_future *s, struct future *a, struct future *b)
{
	future_init(&s->base, &select2_ops);
	s->a = a;
	s->b = b;
	s->winner = -1;
}
