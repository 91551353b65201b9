/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the async in-kernel tests and benchmarks (kernel only):
 * blocking on a future with a timeout, and a future that waits for a
 * counter to reach a target. Not for use outside *_ktest.c / *_kbench.c.
 */
#ifndef KERNEL_ASYNC_ASYNC_KTEST_H
#define KERNEL_ASYNC_ASYNC_KTEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/async/future.h"
#include "kernel/async/waitq.h"

#define MS(x) ((uint64_t)(x) * 1000000ull)

/* Run @f on this hart's executor for at most @timeout_ns. True if it
 * completed; on timeout it has been dropped (not released). */
bool ktest_block_on_timeout(struct future *f, uint64_t timeout_ns);

/* Sleep the calling (boot) hart's block_on for @ns, running tasks meanwhile. */
void ktest_sleep(uint64_t ns);

/*
 * Ready once *ctr >= target. Whoever increments the counter calls
 * waitq_wake_all(wq) after the increment.
 *
 *   INIT --(register, re-check)--> WAITING --(counter reached)--> DONE
 */
enum count_wait_state {
	COUNT_WAIT_INIT,
	COUNT_WAIT_WAITING,
	COUNT_WAIT_DONE,
};

struct count_wait_future {
	struct future base;
	enum count_wait_state state;
	_Atomic uint32_t *ctr;
	uint32_t target;
	struct waitq *wq;
	struct waitq_wait_future w;
};

void count_wait_init(struct count_wait_future *c, _Atomic uint32_t *ctr, uint32_t target,
		     struct waitq *wq);

/*
 * Pending forever, counting polls: the target of wake benchmarks and stale
 * waker checks. ->polls is written by the polling hart.
 */
struct pending_future {
	struct future base;
	_Atomic uint32_t polls;
	int last_hart;
};
void pending_init(struct pending_future *p);

/* A GDB breakpoint target: the gdbfixture ktest calls it once its tasks wait. */
void ktest_gdb_checkpoint(unsigned ntasks);

#endif
