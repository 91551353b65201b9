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
#include "kernel/compiler.h"
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
/* The next poll is timed (task_poll_is_timed): its waker stamps wake_ns.
 * Written by the poller only, with the same add that ends its poll, so a
 * wake and a poll test one bit of a word they have anyway. A low bit, so
 * that masks with it fit an immediate. */
#define TS_TIMED	(1ull << 4)
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
	struct context cx;		/* I at spawn: { &waker }, what every poll gets */
	struct waker join_waker;	/* joiner while TS_JOIN_WAKER clear, then the task */
	long result;			/* S: written before DONE/CANCELLED (release) */
	union {
		uint32_t home;		/* S: hart whose queue it is pushed onto */
		uint32_t next_free;	/* L:table.lock while FREE */
	};
	/* Counters, written by the poller only (the hart that owns the task
	 * while it is RUNNING), so plain adds; atomic for readers. */
	_Atomic uint32_t wakes;		/* polls caused by a wake (or self-wake) */
	_Atomic uint32_t polls;
	_Atomic uint32_t self_wakes;	/* wakes during the task's own poll */
	uint64_t wake_ns;		/* when last scheduled, if the next poll is timed */
	_Atomic uint64_t wake_to_poll_ns; /* A: over timed polls; polling hart only */
	_Atomic uint64_t poll_ns;	/* A: over timed polls; polling hart only */
};

/*
 * Poll timing is sampled: polls number 1, 1 + EXEC_TIME_SAMPLE, ... of each
 * task are timed (wake-to-poll and time in poll), the rest are not, which
 * keeps two of the three clock reads off the wake-to-poll path.
 * The waker stamps wake_ns only when the poll it causes will be timed.
 */
static inline bool task_poll_is_timed(uint32_t poll_number)
{
	return (poll_number & (EXEC_TIME_SAMPLE - 1)) == 1;
}
static inline uint32_t task_timed_polls(uint32_t polls)
{
	return (polls + EXEC_TIME_SAMPLE - 1) / EXEC_TIME_SAMPLE;
}

/*
 * Tasks per table segment: a segment fits one 4 KiB page. Slot numbers
 * leave room for SEG_STRIDE per segment, so that finding a slot's task is a
 * shift and a mask rather than a division: slot = seg * TASK_SEG_STRIDE + i,
 * i < TASKS_PER_SEG. Slots i >= TASKS_PER_SEG of a stride never exist.
 */
#define TASKS_PER_SEG (4096 / sizeof(struct task))
#define TASK_SEG_SHIFT 6
#define TASK_SEG_STRIDE (1u << TASK_SEG_SHIFT)
_Static_assert(TASKS_PER_SEG <= TASK_SEG_STRIDE, "a segment's slots fit its stride");
#define TASK_SLOT_NONE UINT32_MAX

/* The slot of the @n-th task slot ever handed out (dense numbering). */
static inline uint32_t task_slot_of_index(uint32_t n)
{
	return (uint32_t)(n / TASKS_PER_SEG) << TASK_SEG_SHIFT | (uint32_t)(n % TASKS_PER_SEG);
}

/* The global task table: segments that are allocated as needed, never freed. */
struct task_table {
	struct spinlock lock;
	_Atomic(struct task *) *segs;	/* I: directory; entries A, set once under lock */
	uint32_t max_segs;		/* I */
	uint32_t max_tasks;		/* I */
	uint32_t nr_slots;		/* L: slots handed out so far (dense count;
					 * task_slot_of_index() maps to slots) */
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
	/* A: this hart runs its loop (exec_run/block_on entered, or it is the
	 * hart that initialised the executor). Least-loaded placement picks
	 * online harts only, so a hart that never came up gets no tasks. */
	_Atomic uint32_t online;
	_Atomic uint32_t blockon_woken;	/* A: exec_block_on's future was woken */
	int blockon_depth;		/* H */
	task_id_t current;		/* H: task being polled */
	/*
	 * A, this hart only: a SCHEDULED task woken on its own home hart (by
	 * a task or an interrupt handler here), polled before the queue, or
	 * NULL. A same-hart wake fills it with one swap, skipping the queue,
	 * the fence and the IPI check (a task it displaces goes to the queue);
	 * the run loop empties it with one swap. Atomic only against this
	 * hart's interrupt handlers, so relaxed. Not stealable; holds one
	 * task. A pointer, so its poll needs no lookup.
	 */
	_Atomic(struct task *) next;
	unsigned next_runs;		/* H: tasks run from next since the last batch */
	_Atomic uint64_t wfi_count;	/* A: written by the owner only */
	_Atomic uint64_t polls;		/* A: written by the owner only */
	_Atomic uint64_t steals;	/* A: tasks this hart stole */
	uint32_t index;			/* I: this hart's index in exec_harts */
	int32_t move_to;		/* H: task_move_current()'s hart for the task
					 * being polled, or -1 */
	/* For /proc/async and /proc/stat, off the wake-to-poll path: time in
	 * wfi (added when a wfi returns), and the wake-to-poll latency of the
	 * sampled (timed) polls by powers of two: bucket i counts [2^i, 2^(i+1))
	 * ns, the last everything above. A, written by the owner only. Idle
	 * time is kept in raw clock ticks, and after a wfi the woken hart
	 * only stores the time: the sleep is added up at the next one. */
	_Atomic uint64_t idle_ticks;	/* clock_ticks() spent in wfi, but the last sleep */
	_Atomic uint64_t idle_since;	/* clock_ticks() when the last wfi began (0: never) */
	_Atomic uint64_t woke_at;	/* clock_ticks() when it ended (< idle_since: asleep) */
	_Atomic uint32_t lat_hist[EXEC_LAT_BUCKETS];
} __attribute__((aligned(512)));	/* a power of two: &exec_harts[i] is a shift */

extern struct exec_hart exec_harts[MAX_HARTS];
extern unsigned exec_nharts;

/* task.c */
void task_table_free(struct task *t, uint32_t slot);
int task_table_init(uint32_t max_tasks);
void task_table_fini(void);
/* Poll the popped task @slot on hart @h (executor.c calls; task.c owns it). */
void task_run(struct exec_hart *h, uint32_t slot);
/* The same for a task taken from the next slot; returns 1 (tasks polled). */
unsigned task_poll(struct exec_hart *h, struct task *t);

/* The header of @slot, or NULL if its segment was never allocated. */
static inline struct task *task_lookup(uint32_t slot)
{
	uint32_t seg = slot >> TASK_SEG_SHIFT;
	struct task *s;

	if (seg >= task_table.max_segs)
		return NULL;
	/* acquire: pairs with the release that published the segment in
	 * table_alloc(), so its initialised headers are visible. An id that
	 * reached us through proper synchronisation would not need it (the
	 * spawn that issued it came after the publication), but ids also
	 * come from places that have none (TASK_ID_NONE, a racy read of a
	 * stale id), and one fence is cheap insurance. */
	s = atomic_load_explicit(&task_table.segs[seg], memory_order_acquire);
	return s ? &s[slot & (TASK_SEG_STRIDE - 1)] : NULL;
}

/* The id of the live task in @slot (for tracing; the caller owns the task). */
static inline task_id_t task_slot_id(uint32_t slot)
{
	struct task *t = task_lookup(slot);
	uint64_t s = atomic_load_explicit(&t->state, memory_order_relaxed);

	return ((task_id_t)ts_gen(s) << 32) | slot;
}

/* executor.c */
int exec_reserve(int hart);
void exec_unreserve(unsigned hart);
__attribute__((noreturn)) void exec_push_stuck(unsigned hart);
void exec_fence_seq_cst(void);

#ifdef EXEC_TRACE
#define EXEC_TRACE_EV(ev, id)                                              \
	do {                                                               \
		if (exec_trace_hook)                                       \
			exec_trace_hook((ev), (id), hart_id());            \
	} while (0)
#else
#define EXEC_TRACE_EV(ev, id) do { } while (0)
#endif

/*
 * Push a SCHEDULED task's slot onto its home queue and make sure the home
 * hart will look. Any context, interrupts on or off.
 *
 * Why interrupts may stay on here and in the owner's pop, although the
 * ArrayQueue contract asks for them off: the danger is a push (from an
 * interrupt handler) that spins on "full" because the slot one lap back is
 * held by a pop (or push) that the same interrupt suspended. For a wake
 * queue that cannot happen: at most cap tasks are homed on a hart and each
 * is in its queue at most once, so positions tail - cap .. tail would have
 * to name cap + 1 distinct SCHEDULED tasks. A push that finds the queue
 * "full" is therefore racing a pop on another hart that is about to release
 * the slot, and a half-done push only makes consumers see the queue shorter
 * for a moment. Leaving interrupts alone saves four calls per wake.
 */
/*
 * Push onto the queue of @h. Alone, for the calling hart's own queue: it is
 * awake (it is running this), so neither the fence nor the IPI check of
 * exec_push() is needed. Requeues and next-slot overflow use it.
 */
static inline void exec_push_here(struct exec_hart *h, uint32_t slot)
{
	unsigned long spins = 0;

	EXEC_TRACE_EV(EXEC_EV_PUSH, task_slot_id(slot));
	while (!arrayq_push(&h->q, slot)) {
		arch_cpu_relax();
		if (++spins == (1ul << 32))
			exec_push_stuck(h->index);
	}
}

static inline void exec_push(unsigned hart, uint32_t slot)
{
	struct exec_hart *h = &exec_harts[hart];

	exec_push_here(h, slot);	/* the push itself is the same */
	/*
	 * The lost-wakeup window, pusher side. seq_cst fence between our push
	 * and our read of ->idle; sleep_if_idle() has the mirror fence between
	 * its store of ->idle and its queue check. Of the two, at least one
	 * sees the other: either it sees our item and does not sleep, or we
	 * see it idle and send the IPI. A busy hart is never interrupted.
	 */
#ifdef __SANITIZE_THREAD__
	exec_fence_seq_cst();	/* GCC's TSan refuses the fence once inlined */
#else
	atomic_thread_fence(memory_order_seq_cst);
#endif
	if (atomic_load_explicit(&h->idle, memory_order_relaxed) && hart != hart_id())
		arch_send_ipi(hart);
}

#endif
