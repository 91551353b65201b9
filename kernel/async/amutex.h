/* SPDX-License-Identifier: MIT */
/*
 * Async mutex: a lock that is awaited instead of spun on, held across
 * POLL_PENDING. Unlock hands the lock straight to the oldest waiter (FIFO,
 * no barging), so a stream of new lockers cannot starve a waiter. A lock
 * future dropped after the lock was handed to it but before it saw it
 * passes the lock on. Wakers are woken under the internal spinlock.
 */
#ifndef KERNEL_ASYNC_AMUTEX_H
#define KERNEL_ASYNC_AMUTEX_H

#include <stdbool.h>

#include "kernel/async/future.h"
#include "kernel/spinlock.h"
#include "lib/list.h"

struct amutex {
	struct spinlock lock;
	bool locked;			/* L:lock */
	struct list_head waiters;	/* L:lock, of amutex_lock_future.node */
};

void amutex_init(struct amutex *m);
bool amutex_trylock(struct amutex *m);
void amutex_unlock(struct amutex *m);

/*
 *   INIT --(free)-------------------------------------> LOCKED
 *     \--(queue)--> WAITING --(poll sees ->granted)--> LOCKED
 *                      \--(drop)--> DROPPED (a granted lock is passed on)
 * The state is the owner's alone; the unlocker only sets ->granted.
 */
enum amutex_lock_state {
	AMUTEX_INIT,
	AMUTEX_WAITING,
	AMUTEX_LOCKED,
	AMUTEX_DROPPED,
};

struct amutex_lock_future {
	struct future base;
	struct amutex *m;
	enum amutex_lock_state state;	/* owner only */
	bool granted;			/* L:m->lock: the unlocker handed it to us */
	struct list_head node;		/* L:m->lock */
	struct waker waker;		/* L:m->lock */
};

/* Ready once the caller holds @m; release it with amutex_unlock(). */
void amutex_lock_init(struct amutex_lock_future *l, struct amutex *m);

#endif
