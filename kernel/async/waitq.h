/* SPDX-License-Identifier: MIT */
/*
 * Async wait queues: futures park on a queue; wake_one / wake_all wake them
 * in FIFO order. Like a condition variable, a wait queue carries no state of
 * its own: the waiter re-checks its condition. The lost-wakeup-free pattern
 * inside a poll is: poll the wait future (it registers), then check the
 * condition; if it holds, drop the wait future and go on.
 *
 * A waiter woken by wake_one that is dropped before it sees the wakeup
 * passes it on to the next waiter, so wake_one is never lost to a cancel.
 *
 * Wakers are woken under the queue's lock (like Linux's wake_up): a waker
 * must not take a wait-queue lock (task and block_on wakers do not).
 * Any context; the lock is taken with interrupts off.
 */
#ifndef KERNEL_ASYNC_WAITQ_H
#define KERNEL_ASYNC_WAITQ_H

#include <stdbool.h>

#include "kernel/async/future.h"
#include "kernel/spinlock.h"
#include "lib/list.h"

struct waitq {
	struct spinlock lock;
	struct list_head waiters;	/* L:lock, of waitq_wait_future.node */
};

void waitq_init(struct waitq *wq);
/* Wake the oldest waiter; false if there was none. */
bool waitq_wake_one(struct waitq *wq);
/* Wake every waiter queued now; returns how many. */
unsigned waitq_wake_all(struct waitq *wq);

/*
 *   INIT --(queue)--> WAITING --(woken)--> DONE
 *                        \--(drop)-------> DONE (passing a wake_one on)
 */
enum waitq_wait_state {
	WAITQ_INIT,
	WAITQ_WAITING,
	WAITQ_DONE,
};

enum waitq_woken {
	WAITQ_NOT_WOKEN,
	WAITQ_WOKEN_ONE,
	WAITQ_WOKEN_ALL,
};

struct waitq_wait_future {
	struct future base;
	struct waitq *wq;
	enum waitq_wait_state state;	/* L:wq->lock once queued */
	enum waitq_woken woken;		/* L:wq->lock */
	struct list_head node;		/* L:wq->lock */
	struct waker waker;		/* L:wq->lock */
};

void waitq_wait_init(struct waitq_wait_future *w, struct waitq *wq);

#endif
