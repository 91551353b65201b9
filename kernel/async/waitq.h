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
 * must not take a wait-queue lock (task and block_on wakers do not), with
 * one exception below.
 * Any context; the lock is taken with interrupts off.
 *
 * Watchers (readiness, DESIGN.md 9): an epoll item is a long-lived entry
 * that stays queued across wakes (waitq_watch / waitq_unwatch). Every wake,
 * wake_one included, wakes every watcher (they observe, they take nothing)
 * and the one-shot waiters as asked; of the watchers marked exclusive
 * (EPOLLEXCLUSIVE) only the oldest. A watcher's waker may take its epoll
 * instance's lock and wake that instance's own queue: lock order is this
 * queue -> the instance -> the instance's queue, acyclic because epoll
 * refuses loops (kernel/ipc/epoll.c).
 */
#ifndef KERNEL_ASYNC_WAITQ_H
#define KERNEL_ASYNC_WAITQ_H

#include <stdbool.h>
#include <stdint.h>

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
	uint8_t woken;			/* L:wq->lock: enum waitq_woken */
	uint8_t flags;			/* I: WAITQ_WATCH* (0: a one-shot waiter) */
	struct list_head node;		/* L:wq->lock */
	struct waker waker;		/* L:wq->lock */
};

void waitq_wait_init(struct waitq_wait_future *w, struct waitq *wq);

#define WAITQ_WATCH 0x1		/* a watcher: stays queued, woken by every wake */
#define WAITQ_WATCH_EXCL 0x2	/* ... and only the oldest such one per wake */

/*
 * Queue w on wq as a watcher whose waker is (a clone of) *wk: woken by
 * every wake until waitq_unwatch. w is not a future to poll; only its
 * node, waker and flags are used. exclusive: WAITQ_WATCH_EXCL.
 */
void waitq_watch(struct waitq_wait_future *w, struct waitq *wq, const struct waker *wk,
		 bool exclusive);
/* Dequeue a watcher (no-op if not queued); after it returns its waker
 * is never called again. */
void waitq_unwatch(struct waitq_wait_future *w);

#endif
