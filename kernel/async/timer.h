/* SPDX-License-Identifier: MIT */
/*
 * Per-hart timer queues of (deadline, waker), and the sleep futures.
 *
 * Each hart keeps its pending timers in an intrusive red-black tree ordered
 * by deadline, equal deadlines in the order they were added (lib/rbtree:
 * insert and removal of the earliest or of any entry O(log n) in the worst
 * case, the earliest read in O(1), no allocation), under a spinlock taken
 * with interrupts off. The hardware
 * timer is programmed for the earliest deadline only. An entry is added to
 * the queue of the hart that polls it first and stays there; cancelling it
 * from another hart is allowed (the other hart may then take one early,
 * spurious timer interrupt).
 */
#ifndef KERNEL_ASYNC_TIMER_H
#define KERNEL_ASYNC_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/async/future.h"
#include "lib/rbtree.h"

struct timer_entry {
	uint64_t deadline;		/* L: set when added */
	struct waker waker;		/* L */
	struct rb_node node;		/* L: in the queue's tree while queued */
	int hart;			/* which hart's queue; -1 before the first add */
	bool queued;			/* L */
	bool fired;			/* L: removed by expiry, waker woken */
};

void timer_entry_init(struct timer_entry *e);
/* Queue @e on this hart with a clone of @w. Any context. */
void timerq_add(struct timer_entry *e, uint64_t deadline_ns, const struct waker *w);
/* True if @e fired; otherwise make @w the waker it will wake. */
bool timerq_check(struct timer_entry *e, const struct waker *w);
/* Dequeue @e if queued and drop its waker. Safe twice, from any hart. */
void timerq_cancel(struct timer_entry *e);

/*
 * The timer interrupt, on this hart, interrupts off: wake every expired
 * entry and program the timer for the next one (or disarm it).
 */
void timerq_on_interrupt(void);
/* Entries queued on @hart (racy; tests and stats). */
unsigned timerq_count(unsigned hart);
/* Called by exec_init(). */
void timerq_init(unsigned nharts);

/*
 * sleep_until / sleep_for: ready once clock_now_ns() >= deadline.
 *
 *   INIT --(deadline passed)--------------------> DONE
 *     \--(queue entry)--> WAITING --(fired)----> DONE
 */
enum sleep_state {
	SLEEP_INIT,
	SLEEP_WAITING,
	SLEEP_DONE,
};

struct sleep_future {
	struct future base;
	enum sleep_state state;
	uint64_t deadline;
	struct timer_entry te;
};

void sleep_until_init(struct sleep_future *s, uint64_t deadline_ns);
/* The deadline is counted from this call, not from the first poll. */
void sleep_for_init(struct sleep_future *s, uint64_t ns);

/*
 * A sleep_for future of its own (kmalloc'd) for task_spawn(), which frees
 * it through its release op when the task ends. NULL when out of memory.
 */
struct sleep_future *sleep_for_new(uint64_t ns);

#endif
