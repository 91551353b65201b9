/* SPDX-License-Identifier: MIT */
/*
 * Tasks: a top-level future run by the executors, named by a generational id.
 *
 * A task_id_t is (generation << 32 | slot). The slot's header stays in the
 * task table forever (the table only grows), and the generation moves on
 * whenever the slot is freed, so an id or a waker of a finished task can be
 * used at any time: it simply no longer matches. TASK_ID_NONE (0) is never a
 * valid id.
 *
 * Ownership: task_spawn() takes the future; the task calls its release op
 * once the future is finished with (after POLL_READY, or after drop() when
 * cancelled). The task's result is the future's ->result at POLL_READY, or
 * -ECANCELED.
 *
 * A task starts joinable: exactly one of task_join_init()+await or
 * task_detach() must follow, or the slot is never reused (as with
 * pthreads). Dropping an unfinished join future detaches.
 */
#ifndef KERNEL_ASYNC_TASK_H
#define KERNEL_ASYNC_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/async/future.h"

typedef uint64_t task_id_t;
#define TASK_ID_NONE ((task_id_t)0)

/*
 * Start @f as a task on hart @hart (dense index), or on the least loaded hart
 * when @hart is -1. @name must outlive the task (a string literal).
 * Returns the id, or TASK_ID_NONE if the hart (or every hart) already has as
 * many tasks as its wake queue holds, or memory ran out; then @f still
 * belongs to the caller. Any context, interrupts on or off.
 */
task_id_t task_spawn(struct future *f, int hart, const char *name);

/* Give up the right to join: the slot is freed as soon as the task ends. */
void task_detach(task_id_t id);

/*
 * Ask the task to stop: its future is dropped (then released) at the next
 * point where it is not being polled, and its result becomes -ECANCELED.
 * Returns 0, or -ESRCH if the task already ended (or the id is stale).
 */
int task_cancel(task_id_t id);

/* Wake the task (what its waker does). A stale id is a no-op. */
void task_wake(task_id_t id);

/*
 * From inside a task's poll: after this poll, make @hart the task's home (the
 * hart its wakes queue it on), if that hart is online and has room; else it
 * stays. To move at once the task wakes itself and returns PENDING (a
 * process pinned to harts does: sched_setaffinity, kernel/proc/affinity.c).
 */
void task_move_current(unsigned hart);

/* The task being polled on this hart, or TASK_ID_NONE. */
task_id_t task_current(void);

/* True if the task ended or @id is stale. */
bool task_is_done(task_id_t id);

/*
 * A future that completes when task @id ends; its ->result is the task's
 * result. Completing it consumes the join right; dropping it first detaches.
 */
struct task_join {
	struct future base;
	task_id_t id;
	bool finished;		/* the join right is consumed */
};
void task_join_init(struct task_join *j, task_id_t id);

/* One poll in EXEC_TIME_SAMPLE is timed (see task_internal.h). */
#define EXEC_TIME_SAMPLE 64u

struct task_stats {
	const char *name;
	unsigned home;		/* hart whose queue it is woken onto */
	unsigned state;		/* enum task_run_state value */
	uint32_t polls;
	/* Wakes that caused a poll, counted by that poll (so one lags while
	 * the task is scheduled); wakes absorbed by a poll already owed are
	 * not counted: that would put a shared atomic on the wake path. */
	uint32_t wakes;
	uint32_t self_wakes;	/* wakes during its own poll */
	/* Timing is sampled: polls 1, 1 + EXEC_TIME_SAMPLE (64), ... are timed. */
	uint32_t timed_polls;	/* polls that were timed */
	uint64_t wake_to_poll_ns;	/* summed over timed polls */
	uint64_t poll_ns;	/* time inside poll(), summed over timed polls */
	struct future *fut;	/* NULL once finished */
};
/* Snapshot of a live task's counters; -ESRCH if the id is stale. */
int task_get_stats(task_id_t id, struct task_stats *st);
/* task_stats.state of a task that waits for a wake (blocked, not queued). */
#define TASK_STATS_IDLE 1

/* The next live task after *cursor (start at 0): its id and stats. false
 * at the end. Racy by nature (tasks come and go); each entry is whole. */
bool task_next(uint32_t *cursor, task_id_t *id, struct task_stats *st);

/* The task table's size (/proc/slabinfo, the leak check): tasks live, slots made so far, the
 * segments (one page each, never freed: a slot's id must stay valid) holding them. */
struct task_table_figures {
	uint32_t live, slots, segs, per_seg, record;
};
void task_table_figures(struct task_table_figures *f);

/*
 * Call fn(fut, arg) with the task's top-level future while nobody can poll
 * it, so its await chain holds still: an idle task is taken as a poller
 * takes it (IDLE -> RUNNING, without polling); a wake meanwhile is kept
 * (NOTIFIED) and the task queued afterwards, as after a poll. The calling
 * task may inspect itself (it is the poller). fn runs with interrupts off
 * and must be short and not block. 0, -ESRCH (gone), -EBUSY (queued or
 * running elsewhere: its chain is moving).
 */
int task_inspect(task_id_t id, void (*fn)(struct future *f, void *arg), void *arg);

/* Name of a task_run_state value ("idle", "scheduled", ...). */
const char *task_state_name(unsigned state);

static inline uint32_t task_id_slot(task_id_t id)
{
	return (uint32_t)id;
}

static inline uint32_t task_id_gen(task_id_t id)
{
	return (uint32_t)(id >> 32);
}

#endif
