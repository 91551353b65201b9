/* SPDX-License-Identifier: MIT */
/*
 * Per-hart executors.
 *
 * Each hart owns a lock-free wake queue (an ArrayQueue of task slots) that any
 * hart or interrupt handler may push onto and that only the owner pops
 * (and an idle thief, to steal). The run loop polls in fair batches: each
 * batch polls at most the tasks queued when it began, so a task that keeps
 * waking itself cannot starve the others. Before sleeping, an idle hart steals
 * half of the busiest queue (if it holds at least 2), then sleeps with the
 * check / interrupts off / check again / wfi sequence, so a wake in between is
 * never lost. Pushers IPI a hart only when it is idle.
 *
 * Sizing: the task table is global and grows one 4 KiB segment at a time up
 * to max_tasks. Hart h accepts at most cap(h) live tasks homed on it, where
 * cap(h) is its queue's capacity, a power of two >= max_tasks / nharts. A
 * task is in its home hart's queue at most once (task_internal.h), so no
 * push can ever find the queue full; spawning on a hart that is at its cap
 * fails instead, and stealing moves a task only after reserving room on the
 * thief. Queue memory is 8 bytes x max_tasks in total (8 MiB for 2^20 tasks).
 */
#ifndef KERNEL_ASYNC_EXECUTOR_H
#define KERNEL_ASYNC_EXECUTOR_H

#include <stdint.h>

#include "kernel/async/future.h"
#include "kernel/async/task.h"

/* Default task limit of exec_init(): 1,000,000 sleeping tasks fit in 512 MiB. */
#define EXEC_MAX_TASKS_DEFAULT (1u << 20)
/* Most tasks one run-loop batch polls before looking around again. */
#define EXEC_BATCH 64
/* Most tasks one steal takes. */
#define EXEC_STEAL_MAX 32
/*
 * Most tasks run in a row from a hart's "next" slot (a wake from the task's
 * own hart) before the wake queue gets its batch; then the waiting one is
 * moved to the queue's tail. Keeps a pair of tasks that wake each other
 * from starving the rest.
 */
#define EXEC_NEXT_MAX 16

/* Once, on the boot hart, after kmalloc works and before other harts start.
 * Panics if the queues cannot be allocated. */
void exec_init(unsigned nharts);
/* The same with an explicit task limit; returns 0, -EINVAL or -ENOMEM. */
int exec_init_sized(unsigned nharts, uint32_t max_tasks);

/* Each hart's run loop: poll, steal, sleep; forever. Interrupts on. */
__attribute__((noreturn)) void exec_run(void);

/*
 * Run this hart's executor until @f is ready (its ->result holds the
 * output); other tasks keep running meanwhile. @f is polled on this hart and
 * is not a task. Not from inside a poll. Returns 0.
 */
int exec_block_on(struct future *f);

/* Poll the tasks queued on this hart now (one fair batch); returns how many. */
unsigned exec_run_pending(void);

/* Counters, readable from anywhere. */
uint64_t exec_wfi_count(unsigned hart);
uint64_t exec_poll_count(unsigned hart);
uint64_t exec_steal_count(unsigned hart);
unsigned exec_queue_len(unsigned hart);
unsigned exec_task_count(unsigned hart);	/* live tasks homed on @hart */
unsigned exec_hart_count(void);

/* Print every live task with its await chain (racy; for panics and debug). */
void exec_dump_tasks(void);

/* Per-hart figures for /proc: time spent in wfi, and the wake-to-poll
 * latency histogram of sampled polls (bucket i: [2^i, 2^(i+1)) ns). */
#define EXEC_LAT_BUCKETS 24
uint64_t exec_idle_ns(unsigned hart);
void exec_lat_hist(unsigned hart, uint32_t out[EXEC_LAT_BUCKETS]);

/* What the test trace hook sees (compiled in with -DEXEC_TRACE). */
enum exec_event {
	EXEC_EV_SPAWN,		/* task created (then PUSH) */
	EXEC_EV_PUSH,		/* id about to be pushed onto its home queue */
	EXEC_EV_POP,		/* id popped (by owner or thief) */
	EXEC_EV_POLL,		/* about to call poll() */
	EXEC_EV_PENDING,	/* poll returned PENDING */
	EXEC_EV_READY,		/* poll returned READY, task done */
	EXEC_EV_WAKE,		/* wake moved IDLE -> SCHEDULED (then PUSH or NEXT) */
	EXEC_EV_NOTIFY,		/* wake moved RUNNING -> NOTIFIED */
	EXEC_EV_REQUEUE,	/* NOTIFIED -> SCHEDULED after the poll (then PUSH) */
	EXEC_EV_CANCEL,		/* cancelled task's future dropped */
	EXEC_EV_STEAL,		/* popped from another hart's queue, now homed here */
	EXEC_EV_FREE,		/* slot freed (generation moves on) */
	EXEC_EV_STALE,		/* wake of a stale id ignored */
	EXEC_EV_NEXT,		/* woken on its home hart: put in the next slot, no PUSH */
};

#ifdef EXEC_TRACE
extern void (*exec_trace_hook)(enum exec_event ev, task_id_t id, unsigned hart);
#endif

#ifdef EXEC_HOST
/* Host tests: make every exec_run() loop exit its thread, and free all. */
void exec_host_stop(void);
void exec_host_fini(void);
#endif

#endif
