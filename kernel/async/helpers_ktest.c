// SPDX-License-Identifier: MIT
/* Helpers of the async in-kernel tests and benchmarks; see async_ktest.h. */
#include "kernel/async/async_ktest.h"

#include "kernel/arch.h"
#include "kernel/async/combinators.h"
#include "kernel/async/executor.h"
#include "kernel/async/timer.h"

bool ktest_block_on_timeout(struct future *f, uint64_t timeout_ns)
{
	struct sleep_future s;
	struct select2_future sel;

	sleep_for_init(&s, timeout_ns);
	select2_init(&sel, f, &s.base);
	exec_block_on(&sel.base);
	future_drop(&s.base);
	return sel.winner == 0;
}

void ktest_sleep(uint64_t ns)
{
	struct sleep_future s;

	sleep_for_init(&s, ns);
	exec_block_on(&s.base);
	future_drop(&s.base);
}

/* ---- count_wait ---------------------------------------------------------------- */

static enum poll count_wait_poll(struct future *f, struct context *cx)
{
	struct count_wait_future *c = (struct count_wait_future *)f;

	for (;;) {
		switch (c->state) {
		case COUNT_WAIT_INIT:
			waitq_wait_init(&c->w, c->wq);
			c->state = COUNT_WAIT_WAITING;
			continue;
		case COUNT_WAIT_WAITING: {
			/* Register first, then re-check: no lost wakeup. */
			enum poll r = future_poll(&c->w.base, cx);

			/* acquire: pairs with the incrementer's release. */
			if (atomic_load_explicit(c->ctr, memory_order_acquire) >= c->target) {
				future_drop(&c->w.base);
				c->base.awaiting = NULL;
				c->state = COUNT_WAIT_DONE;
				continue;
			}
			if (r == POLL_READY) {
				c->state = COUNT_WAIT_INIT;
				continue;
			}
			c->base.awaiting = &c->w.base;
			return POLL_PENDING;
		}
		case COUNT_WAIT_DONE:
			return POLL_READY;
		}
	}
}

static void count_wait_drop(struct future *f)
{
	struct count_wait_future *c = (struct count_wait_future *)f;

	if (c->state == COUNT_WAIT_WAITING)
		future_drop(&c->w.base);
	c->state = COUNT_WAIT_DONE;
	c->base.awaiting = NULL;
}

static const struct future_ops count_wait_ops = {
	.name = "count_wait",
	.type = "count_wait_future",
	.poll = count_wait_poll,
	.drop = count_wait_drop,
};

void count_wait_init(struct count_wait_future *c, _Atomic uint32_t *ctr, uint32_t target,
		     struct waitq *wq)
{
	future_init(&c->base, &count_wait_ops);
	c->state = COUNT_WAIT_INIT;
	c->ctr = ctr;
	c->target = target;
	c->wq = wq;
}

/* ---- pending forever ------------------------------------------------------------- */

static enum poll pending_poll(struct future *f, struct context *cx)
{
	struct pending_future *p = (struct pending_future *)f;

	(void)cx;	/* woken only from outside, by id: never registers */
	atomic_store_explicit(&p->polls,
			      atomic_load_explicit(&p->polls, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	p->last_hart = (int)hart_id();
	return POLL_PENDING;
}

static const struct future_ops pending_ops = {
	.name = "pending",
	.type = "pending_future",
	.poll = pending_poll,
};

void pending_init(struct pending_future *p)
{
	future_init(&p->base, &pending_ops);
	atomic_init(&p->polls, 0);
	p->last_hart = -1;
}

/* What the last checkpoint reported, for GDB to read back. */
volatile unsigned ktest_gdb_ntasks;

__attribute__((noinline)) void ktest_gdb_checkpoint(unsigned ntasks)
{
	/* A volatile store keeps the call from being folded away. */
	ktest_gdb_ntasks = ntasks;
}
