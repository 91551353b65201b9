/* SPDX-License-Identifier: MIT */
/*
 * Private to kernel/async: the task header, its state word, and the per-hart
 * executor state shared by task.c and executor.c. GDB scripts read these
 * structs too; keep field names stable.
 *
 * Locking legend: I set at init, H owner hart only, L:lock under that lock,
 * A atomic, S owned by whoever moved the task to SCHEDULED/RUNNING (the
 * state word hands the field over with release/acquire).
 */
#ifndef KERNEL_ASYNC_TASK_INTERNAL_H
#define KERNEL_ASYNC_TASK_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/async/future.h"
#include "kernel/async/task.h"
#include "kernel/spinlock.h"
#include "lib/arrayqueue.h"

/*
 * The state word: generation in bits 63..32, run state in bits 3..0, and
 * three flags. One CAS changes run state and flags together and fails when
 * the generation moved on, which is what makes stale ids harmless.
 *
 *              spawn
 *                |
 *                v        pop (owner or thief)
 *   +------> SCHEDULED ------------------------> RUNNING --- READY ---> DONE
 *   |            ^   \                          |  |  ^                   |
 *   | wake       |    \ pop with CANCEL_REQ     |  |  | wake (sets         |
 *   | (push once)|     \                        |  |  |  NOTIFIED)        |
 *   |            |      `----> CANCELLED        |  |  |                   |
 *   |            |  PENDING, requeue            |  v  |                   |
 *   |            +------------------------- NOTIFIED  |                   |
 *   |                                           |                         |
 *  IDLE <------------------ PENDING ------------+                         |
 *                                                                         v
 *  FREE <-- last of (task ended, join right given up); generation + 1 ----+
 *
 * Who frees the slot: the last to clear its claim among TS_JOIN_HANDLE (the
 * joiner's) and TS_FINISHING (the executor's, held from the terminal CAS
 * until it has copied and woken join_waker). A joiner that sees DONE can thus
 * complete while the executor still reads the slot, without freeing it
 * under the executor's feet.
 *
 * Only a wake that sees IDLE pushes the id; SCHEDULED and NOTIFIED absorb
 * further wakes, RUNNING turns them into NOTIFIED. So an id is in at most one
 * queue at a time, and is in its home hart's queue only.
 */
enum task_run_state {
	TASK_FREE = 0,
	TASK_IDLE = 1,
	TASK_SCHEDULED = 2,
	TASK_RUNNING = 3,
	TASK_NOTIFIED = 4,
	TASK_DONE = 5,
	TASK_CANCELLED = 6,
};

#define TS_RUN_MASK	0xfull
#define TS_CANCEL_REQ	(1ull << 8)	/* cancel asked; honoured at the next pop */
#define TS_JOIN_HANDLE	(1ull << 9)	/* the join right is held (not detached/joined) */
#define TS_JOIN_WAKER	(1ull << 10)	/* join_waker is set; the task wakes it at the end */
#define TS_FINISHING	(1ull << 11)	/* ended, but the executor still reads join_waker */
#define TS_GEN_SHIFT	32

static inline unsigned ts_run(uint64_t s)
{
	return (unsigned)(s & TS_RUN_MASK);
}

static inline uint32_t ts_gen(uint64_t s)
{
	return (uint32_t)(s >> TS_GEN_SHIFT);
}

static inline bool ts_is_terminal(uint64_t s)
{
	return ts_run(s) == TASK_DONE || ts_run(s) == TASK_CANCELLED;
}

static inline uint64_t ts_with_run(uint64_t s, unsigned run)
{
	return (s & ~TS_RUN_MASK) | run;
}

/*
 * 112 bytes; with the 8-byte wake-queue slot reserved per task this stays
 * within the 128 bytes of executor state per task the design allows.
 */
struct task {
	_Atomic uint64_t state;		/* A: see above */
	struct future *fut;		/* S: the top-level future, NULL once finished */
	const char *name;		/* S */
	struct waker waker;		/* S: the cached waker handed to every poll */
	struct waker join_waker;	/* joiner while TS_JOIN_WAKER clear, then the task */
	long result;			/* S: written before DONE/CANCELLED (release) */
	uint32_t home;			/* S: hart whose queue it is pushed onto */
	uint32_t next_free;		/* L:table.lock while FREE */
	_Atomic uint32_t wakes;		/* A */
	_Atomic uint32_t polls;		/* A: written by the polling hart only */
	_Atomic uint32_t self_wakes;	/* A */
	uint32_t pad;
	uint64_t wake_ns;		/* when last scheduled: by the waker that pushed */
	_Atomic uint64_t wake_to_poll_ns; /* A: written by the polling hart only */
	_Atomic uint64_t poll_ns;	/* A: written by the polling hart only */
};

/* Tasks per table segment: a segment fits one 4 KiB page. */
#define TASKS_PER_SEG (4096 / sizeof(struct task))
#define TASK_SLOT_NONE UINT32_MAX

/* The global task table: segments that are allocated as needed, never freed. */
struct task_table {
	struct spinlock lock;
	_Atomic(struct task *) *segs;	/* I: directory; entries A, set once under lock */
	uint32_t max_segs;		/* I */
	uint32_t max_tasks;		/* I */
	uint32_t nr_slots;		/* L: slots handed out so far (segments filled) */
	uint32_t free_head;		/* L: freed slots, linked by next_free */
	_Atomic uint32_t live;		/* A: tasks spawned and not yet freed */
};
extern struct task_table task_table;

/* Per-hart executor state. */
struct exec_hart {
	struct arrayq q;		/* A: ids (slots) of SCHEDULED tasks homed here */
	struct arrayq_slot *qslots;	/* I */
	uint32_t cap;			/* I: queue capacity = most tasks homed here */
	_Atomic uint32_t nhomed;	/* A: live, unfinished tasks homed here */
	/* 32-bit, not bool: RV64 has no sub-word AMOs for the exchange. */
	_Atomic uint32_t idle;		/* A: about to or in wfi; pushers send an IPI */
	_Atomic uint32_t blockon_woken;	/* A: exec_block_on's future was woken */
	int blockon_depth;		/* H */
	task_id_t current;		/* H: task being polled */
	_Atomic uint64_t wfi_count;	/* A: written by the owner only */
	_Atomic uint64_t polls;		/* A: written by the owner only */
	_Atomic uint64_t steals;	/* A: tasks this hart stole */
} __attribute__((aligned(64)));

extern struct exec_hart exec_harts[MAX_HARTS];
extern unsigned exec_nharts;

/* task.c */
struct task *task_lookup(uint32_t slot);
void task_table_free(struct task *t, uint32_t slot);
int task_table_init(uint32_t max_tasks);
void task_table_fini(void);
/* Poll the popped task @slot on hart @h (executor.c calls; task.c owns it). */
void task_run(struct exec_hart *h, uint32_t slot);

/* The id of the live task in @slot (for tracing; the caller owns the task). */
static inline task_id_t task_slot_id(uint32_t slot)
{
	struct task *t = task_lookup(slot);
	uint64_t s = atomic_load_explicit(&t->state, memory_order_relaxed);

	return ((task_id_t)ts_gen(s) << 32) | slot;
}

/* executor.c */
void exec_push(unsigned hart, uint32_t slot);
int exec_reserve(int hart);
void exec_unreserve(unsigned hart);

#ifdef EXEC_TRACE
#define EXEC_TRACE_EV(ev, id)                                              \
	do {                                                               \
		if (exec_trace_hook)                                       \
			exec_trace_hook((ev), (id), hart_id());            \
	} while (0)
#else
#define EXEC_TRACE_EV(ev, id) do { } while (0)
#endif

#endif
