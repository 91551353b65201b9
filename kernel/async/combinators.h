/* SPDX-License-Identifier: MIT */
/*
 * Small futures the rest of the kernel builds with: yield_now, get_waker,
 * join_all and select2. Combinators poll their children with the caller's
 * context, record the child they wait on in ->awaiting, and drop (never
 * release) children: children usually live inside the parent's struct.
 */
#ifndef KERNEL_ASYNC_COMBINATORS_H
#define KERNEL_ASYNC_COMBINATORS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/async/future.h"

/* Pending once (after waking itself, so the task goes to the back of its
 * hart's queue), then ready. */
struct yield_future {
	struct future base;
	bool yielded;
};
void yield_now_init(struct yield_future *y);

/* Ready at once with a clone of the polling task's waker in ->waker, which
 * then belongs to the caller (waker_drop it when done). */
struct get_waker_future {
	struct future base;
	struct waker waker;
};
void get_waker_init(struct get_waker_future *g);

/* Ready when every child is; ->result is 0. At most 64 children. */
#define JOIN_ALL_MAX 64
struct join_all_future {
	struct future base;
	struct future **children;
	unsigned n;
	uint64_t done;		/* bit i: children[i] is ready */
};
void join_all_init(struct join_all_future *j, struct future **children, unsigned n);

/*
 * Ready when either child is; the other is dropped at once. ->winner is 0
 * for a, 1 for b (-1 before); ->base.result is the winner's result. a is
 * polled first, so it wins a tie.
 */
struct select2_future {
	struct future base;
	struct future *a, *b;
	int winner;
};
void select2_init(struct select2_future *s, struct future *a, struct future *b);

#endif
