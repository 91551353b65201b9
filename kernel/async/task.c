// SPDX-License-Identifier: MIT
/*
 * Tasks: the generational slot table, the wake protocol, spawn, poll of one
 * task, cancel, detach and join (the queries that change nothing are in
 * task_query.c). The state machine is drawn in
 * task_internal.h; every transition is one CAS on the state word.
 */
#include "kernel/async/task.h"

#include "kernel/arch.h"
#include "kernel/async/task_internal.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/panic.h"
#include "lib/errno.h"

/* The memory budget: <= 128 B of executor state per task, counting the
 * 8 B wake-queue slot each task reserves. */
_Static_assert(sizeof(struct task) + sizeof(struct arrayq_slot) <= 128,
	       "struct task outgrew its budget");

struct task_table task_table = { .lock = SPINLOCK_INIT("task_table") };

static const char *const run_state_names[] = {
	[TASK_FREE] = "free",		[TASK_IDLE] = "idle",
	[TASK_SCHEDULED] = "scheduled", [TASK_RUNNING] = "running",
	[TASK_NOTIFIED] = "notified",	[TASK_DONE] = "done",
	[TASK_CANCELLED] = "cancelled",
};

const char *task_state_name(unsigned state)
{
	if (state < sizeof(run_state_names) / sizeof(run_state_names[0]))
		return run_state_names[state];
	return "?";
}

static inline task_id_t make_id(uint32_t gen, uint32_t slot)
{
	return ((task_id_t)gen << 32) | slot;
}

/* ---- the table ------------------------------------------------------------ */

int task_table_init(uint32_t max_tasks)
{
	uint32_t nsegs = (uint32_t)((max_tasks + TASKS_PER_SEG - 1) / TASKS_PER_SEG);

	if ((uint64_t)nsegs << TASK_SEG_SHIFT > UINT32_MAX)
		return -EINVAL;	/* slot numbers must stay below TASK_SLOT_NONE */

	task_table.segs = kzalloc(nsegs * sizeof(task_table.segs[0]));
	if (!task_table.segs)
		return -ENOMEM;
	task_table.max_segs = nsegs;
	task_table.max_tasks = max_tasks;
	task_table.nr_slots = 0;
	task_table.free_head = TASK_SLOT_NONE;
	atomic_store_explicit(&task_table.live, 0, memory_order_relaxed);
	return 0;
}

void task_table_fini(void)
{
	for (uint32_t i = 0; i < task_table.max_segs; i++)
		kfree(atomic_load_explicit(&task_table.segs[i], memory_order_relaxed));
	kfree(task_table.segs);
	task_table.segs = NULL;
	task_table.max_segs = 0;
}

/* A free slot in state FREE, or TASK_SLOT_NONE. */
static uint32_t table_alloc(void)
{
	irqflags_t fl = spin_lock_irqsave(&task_table.lock);
	uint32_t slot = task_table.free_head;

	if (slot != TASK_SLOT_NONE) {
		task_table.free_head = task_lookup(slot)->next_free;
		goto out;
	}
	if (task_table.nr_slots >= task_table.max_tasks)
		goto out;	/* slot stays TASK_SLOT_NONE */
	slot = task_slot_of_index(task_table.nr_slots);
	if (task_table.nr_slots % TASKS_PER_SEG == 0) {
		struct task *seg = kzalloc(TASKS_PER_SEG * sizeof(struct task));

		if (!seg) {
			slot = TASK_SLOT_NONE;
			goto out;
		}
		for (uint32_t i = 0; i < TASKS_PER_SEG; i++)
			atomic_init(&seg[i].state, (uint64_t)1 << TS_GEN_SHIFT | TASK_FREE);
		/* release: publishes the initialised headers to task_lookup(). */
		atomic_store_explicit(&task_table.segs[slot >> TASK_SEG_SHIFT], seg,
				      memory_order_release);
	}
	task_table.nr_slots++;
out:
	spin_unlock_irqrestore(&task_table.lock, fl);
	return slot;
}

/* The task ended and nobody holds the join right: recycle the slot. */
void task_table_free(struct task *t, uint32_t slot)
{
	uint64_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
	uint32_t gen = ts_gen(s) + 1;
	irqflags_t fl;

	EXEC_TRACE_EV(EXEC_EV_FREE, make_id(ts_gen(s), slot));
	if (gen == 0)
		gen = 1;	/* id 0 is TASK_ID_NONE */
	/* release: a stale waker's CAS now fails on the generation; pairs with
	 * the acquire in the next spawn of this slot through the lock too. */
	atomic_store_explicit(&t->state, (uint64_t)gen << TS_GEN_SHIFT | TASK_FREE,
			      memory_order_release);
	atomic_fetch_sub_explicit(&task_table.live, 1, memory_order_relaxed);
	fl = spin_lock_irqsave(&task_table.lock);
	t->next_free = task_table.free_head;
	task_table.free_head = slot;
	spin_unlock_irqrestore(&task_table.lock, fl);
}

/* ---- wakers ---------------------------------------------------------------- */

static struct waker task_waker_clone(const struct waker *w)
{
	return *w;
}

/* Every wake through a waker comes here: a load and a jump, no frame. */
static KERNEL_NO_FRAME void task_waker_wake_by_ref(const struct waker *w)
{
	task_wake((task_id_t)w->data);
}

static KERNEL_NO_FRAME void task_waker_wake(struct waker *w)
{
	task_wake((task_id_t)w->data);
}

static void task_waker_drop(struct waker *w)
{
	(void)w;	/* generational ids hold no reference */
}

static const struct waker_ops task_waker_ops = {
	.clone = task_waker_clone,
	.wake = task_waker_wake,
	.wake_by_ref = task_waker_wake_by_ref,
	.drop = task_waker_drop,
};

/* A wake of a task being polled (it is NOTIFIED now): count a self-wake.
 * No frame: a yield comes through here on every round trip. */
static __attribute__((noinline)) KERNEL_NO_FRAME void wake_running(struct task *t, task_id_t id)
{
	/* The poller re-queues it after the poll returns, and counts the wake:
	 * it may end the task (and the slot be reused) as soon as our CAS is
	 * done, so we touch nothing else of it, unless we are that poll. */
	if (((struct exec_hart *)arch_hart_exec())->current == id)
		atomic_store_explicit(&t->self_wakes,
				      atomic_load_explicit(&t->self_wakes, memory_order_relaxed) + 1,
				      memory_order_relaxed);
	EXEC_TRACE_EV(EXEC_EV_NOTIFY, id);
}

/* LAB(executor) BEGIN stub:
 * static inline void wake_schedule(struct task *t, task_id_t id)
 * {
 * 	exec_push(t->home, task_id_slot(id));
 * }
 */
/*
 * Queue a task we just moved IDLE -> SCHEDULED. On its own home hart it goes
 * into the next slot with one swap (no queue, no fence, no IPI: this hart is
 * awake); a task the swap displaces goes to the queue's tail, as it would
 * have without the slot. relaxed: only this hart (tasks and its interrupt
 * handlers) touches the slot, and the state word carries the ordering.
 */
static __attribute__((noinline)) void next_displaced(struct exec_hart *h, struct task *t)
{
	/* The displaced task, SCHEDULED and homed here: ours now. */
	exec_push_here(h, task_id_slot((task_id_t)t->waker.data));
}

static inline void wake_schedule(struct task *t, task_id_t id)
{
	struct exec_hart *h = arch_hart_exec();

	if (t->home == h->index) {
		EXEC_TRACE_EV(EXEC_EV_NEXT, id);
		t = atomic_exchange_explicit(&h->next, t, memory_order_relaxed);
		if (!t)
			return;
		next_displaced(h, t);
		return;
	}
	exec_push(t->home, task_id_slot(id));
}
/* LAB(executor) END */

/* A wake whose poll is timed: stamp the time, then queue as usual. */
static __attribute__((noinline)) void wake_timed(struct task *t, task_id_t id)
{
	EXEC_TRACE_EV(EXEC_EV_WAKE, id);
	/* Published to the poller by the queue's (or the slot's) handover. */
	t->wake_ns = clock_now_ns();
	wake_schedule(t, id);
}

/*
 * The wake protocol. Everything the waker wrote before the wake happens
 * before the poll it causes: the CAS is a release, and the executor's
 * acquire of the state (directly, or through the queue's stamps) pairs
 * with it. The common path (an idle task, an untimed poll) calls nothing.
 */
void task_wake(task_id_t id)
{
	struct task *t = task_lookup(task_id_slot(id));
	uint64_t s;

	if (!t)
		return;
	_Static_assert(TASK_IDLE + 1 == TASK_SCHEDULED && TASK_RUNNING + 1 == TASK_NOTIFIED,
		       "a wake adds 1 to the run state");
	s = atomic_load_explicit(&t->state, memory_order_relaxed);
	do {
		if (ts_gen(s) != task_id_gen(id)) {
			EXEC_TRACE_EV(EXEC_EV_STALE, id);
			return;
		}
		/* IDLE -> SCHEDULED or RUNNING -> NOTIFIED. SCHEDULED and
		 * NOTIFIED already owe a poll after this point (the wake is
		 * absorbed); DONE/CANCELLED/FREE need nothing. */
		if (ts_run(s) != TASK_IDLE && ts_run(s) != TASK_RUNNING)
			return;
		/* acq_rel on success: release publishes the waker's writes
		 * (pairs with the executor's acquire when it next moves the
		 * state); acquire makes ->home, written by a thief before its
		 * RUNNING -> IDLE release, visible to us. Failure reloads s. */
	} while (!atomic_compare_exchange_weak_explicit(&t->state, &s, s + 1, memory_order_acq_rel,
							 memory_order_relaxed));
	/* The rare outcomes, out of line: the task was RUNNING (3; IDLE is 1,
	 * so bit 1 tells them apart), now NOTIFIED; or its poll is timed. */
	if (s & (TS_TIMED | 2)) {
		if (s & 2)
			wake_running(t, id);
		else
			wake_timed(t, id);
		return;
	}
	/* We moved it IDLE -> SCHEDULED: we alone own queueing it, and it
	 * cannot end before it is polled. */
	EXEC_TRACE_EV(EXEC_EV_WAKE, id);
	wake_schedule(t, id);
}

/* ---- spawn ----------------------------------------------------------------- */

task_id_t task_spawn(struct future *f, int hart, const char *name)
{
	int h = exec_reserve(hart);
	uint32_t slot, gen;
	struct task *t;
	task_id_t id;

	if (h < 0)
		return TASK_ID_NONE;
	slot = table_alloc();
	if (slot == TASK_SLOT_NONE) {
		exec_unreserve((unsigned)h);
		return TASK_ID_NONE;
	}
	t = task_lookup(slot);
	gen = ts_gen(atomic_load_explicit(&t->state, memory_order_relaxed));
	id = make_id(gen, slot);
	t->fut = f;
	t->name = name;
	t->waker = (struct waker){ .ops = &task_waker_ops, .data = (uintptr_t)id };
	t->cx.waker = &t->waker;
	t->join_waker = waker_noop();
	t->result = 0;
	t->home = (uint32_t)h;
	atomic_store_explicit(&t->wakes, 0, memory_order_relaxed);
	atomic_store_explicit(&t->polls, 0, memory_order_relaxed);
	atomic_store_explicit(&t->self_wakes, 0, memory_order_relaxed);
	atomic_store_explicit(&t->wake_to_poll_ns, 0, memory_order_relaxed);
	atomic_store_explicit(&t->poll_ns, 0, memory_order_relaxed);
	t->wake_ns = clock_now_ns();
	atomic_fetch_add_explicit(&task_table.live, 1, memory_order_relaxed);
	/* release: publishes the fields above to anyone who acquires the
	 * state (wakers, joiners, stats) and, through the push, the poller.
	 * The first poll is timed (TS_TIMED). */
	_Static_assert(EXEC_TIME_SAMPLE > 1, "task_polled() flips TS_TIMED on and off");
	atomic_store_explicit(&t->state,
			      (uint64_t)gen << TS_GEN_SHIFT | TS_JOIN_HANDLE | TS_TIMED |
				      TASK_SCHEDULED,
			      memory_order_release);
	EXEC_TRACE_EV(EXEC_EV_SPAWN, id);
	exec_push((unsigned)h, slot);
	return id;
}

/* ---- end of a task --------------------------------------------------------- */

/*
 * Move a task we own (popped or polled) to its terminal state; wake the
 * joiner; free the slot if nobody holds the join right. The result was
 * written before.
 */
static void task_finish(struct exec_hart *h, struct task *t, uint32_t slot, unsigned final)
{
	uint64_t s = atomic_load_explicit(&t->state, memory_order_relaxed), n;

	/* acq_rel: release publishes ->result and the end of the future to
	 * the joiner's acquire; acquire pairs with the joiner's release of
	 * TS_JOIN_WAKER so we read the waker it stored. If there is a waker
	 * to read, TS_FINISHING keeps the slot ours until we have. */
	do {
		n = ts_with_run(s, final);
		if (s & TS_JOIN_WAKER)
			n |= TS_FINISHING;
	} while (!atomic_compare_exchange_weak_explicit(&t->state, &s, n, memory_order_acq_rel,
							memory_order_relaxed));
	atomic_fetch_sub_explicit(&h->nhomed, 1, memory_order_relaxed);
	if (s & TS_JOIN_WAKER) {
		/* The joiner cannot touch join_waker now: the state is terminal. */
		struct waker w = t->join_waker;

		/* acq_rel: our read of join_waker happens before a free by
		 * the joiner (release); acquire its clearing of JOIN_HANDLE
		 * if we are the one to free. */
		s = atomic_fetch_and_explicit(&t->state, ~TS_FINISHING, memory_order_acq_rel);
		if (!(s & TS_JOIN_HANDLE))
			task_table_free(t, slot);
		waker_wake(&w);
		return;
	}
	if (!(s & TS_JOIN_HANDLE))
		task_table_free(t, slot);
}

/* Give up the join right of a task of generation @gen. */
static void release_join_right(struct task *t, task_id_t id)
{
	uint64_t s = atomic_load_explicit(&t->state, memory_order_relaxed);

	for (;;) {
		if (ts_gen(s) != task_id_gen(id) || !(s & TS_JOIN_HANDLE))
			return;	/* already given up: a bug, but harmless here */
		/* acq_rel: as in task_finish(), the other side of the race of
		 * who frees the slot. */
		if (atomic_compare_exchange_weak_explicit(
			    &t->state, &s, s & ~(TS_JOIN_HANDLE | TS_JOIN_WAKER),
			    memory_order_acq_rel, memory_order_relaxed))
			break;
	}
	if (ts_is_terminal(s)) {
		/* Still finishing: the executor frees it when done. */
		if (!(s & TS_FINISHING))
			task_table_free(t, task_id_slot(id));
	} else if (s & TS_JOIN_WAKER) {
		/* The task will not wake it now: it is ours to drop. */
		waker_drop(&t->join_waker);
	}
}

void task_detach(task_id_t id)
{
	struct task *t = task_lookup(task_id_slot(id));

	if (t)
		release_join_right(t, id);
}

int task_cancel(task_id_t id)
{
	struct task *t = task_lookup(task_id_slot(id));
	uint64_t s;

	if (!t)
		return -ESRCH;
	s = atomic_load_explicit(&t->state, memory_order_relaxed);
	for (;;) {
		if (ts_gen(s) != task_id_gen(id) || ts_is_terminal(s) || ts_run(s) == TASK_FREE)
			return -ESRCH;
		if (s & TS_CANCEL_REQ)
			return 0;
		/* relaxed: the wake below orders it before the next poll. */
		if (atomic_compare_exchange_weak_explicit(&t->state, &s, s | TS_CANCEL_REQ,
							  memory_order_relaxed,
							  memory_order_relaxed))
			break;
	}
	task_wake(id);
	return 0;
}

/* ---- one poll --------------------------------------------------------------- */

/* The owner of a RUNNING task counts the wake that scheduled it: the only
 * writer, so a plain add (atomic for readers). */
static inline void task_count_wake(struct task *t)
{
	atomic_store_explicit(&t->wakes, atomic_load_explicit(&t->wakes, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* A popped task with a cancel request (now RUNNING): drop it, never poll. */
static __attribute__((noinline)) void run_cancelled(struct exec_hart *h, struct task *t,
						    uint32_t slot)
{
	EXEC_TRACE_EV(EXEC_EV_CANCEL, task_slot_id(slot));
	/* Polled before, so a wake (maybe the cancel's) scheduled it. */
	if (atomic_load_explicit(&t->polls, memory_order_relaxed))
		task_count_wake(t);
	future_drop(t->fut);
	future_release(t->fut);
	t->fut = NULL;
	t->result = -ECANCELED;
	task_finish(h, t, slot, TASK_CANCELLED);
}

/* The poll returned READY: keep the result, end the task. */
static __attribute__((noinline)) void run_ready(struct exec_hart *h, struct task *t,
						uint32_t slot)
{
	EXEC_TRACE_EV(EXEC_EV_READY, task_slot_id(slot));
	t->result = t->fut->result;
	future_release(t->fut);
	t->fut = NULL;
	task_finish(h, t, slot, TASK_DONE);
}

void task_move_current(unsigned hart)
{
	exec_harts[hart_id()].move_to = (int32_t)hart;
}

/* task_move_current()'s request: the new home, if it has room. */
static __attribute__((noinline)) void task_rehome(struct exec_hart *h, struct task *t)
{
	unsigned to = (unsigned)h->move_to;

	h->move_to = -1;
	if (to == h->index || to >= exec_nharts ||
	    !atomic_load_explicit(&exec_harts[to].online, memory_order_relaxed) ||
	    exec_reserve((int)to) < 0)
		return;
	t->home = to;
	exec_unreserve(h->index);
}

/*
 * Everything after a poll, off the wake-to-poll path: the counters, the end
 * of the task, or RUNNING -> IDLE / NOTIFIED -> SCHEDULED. @polls counts
 * this poll. The poll cannot have changed ->polls or ->home: only their
 * owner (us, the poller of a RUNNING task) writes them; a move the poll
 * asked for (task_move_current) is made here, before the state word
 * publishes ->home.
 */
static __attribute__((noinline)) unsigned task_polled(struct exec_hart *h, struct task *t,
						      enum poll r)
{
	task_id_t id = (task_id_t)t->waker.data;
	uint32_t slot = task_id_slot(id), polls;
	uint64_t s, delta;

	h->current = TASK_ID_NONE;
	polls = atomic_load_explicit(&t->polls, memory_order_relaxed) + 1;
	atomic_store_explicit(&t->polls, polls, memory_order_relaxed);
	if (polls > 1)	/* every poll but the first was caused by a wake */
		task_count_wake(t);
	atomic_store_explicit(&h->polls, atomic_load_explicit(&h->polls, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	BUG_ON(t->home != h->index);
	if (r == POLL_READY) {
		h->move_to = -1;
		run_ready(h, t, slot);
		return 1;
	}
	if (h->move_to >= 0)
		task_rehome(h, t);

	EXEC_TRACE_EV(EXEC_EV_PENDING, id);
	/*
	 * RUNNING -> IDLE and NOTIFIED -> SCHEDULED are both run state - 2:
	 * one subtraction, and the old value says which happened. The same
	 * subtraction sets TS_TIMED if the next poll is timed and clears it
	 * if this one was (never both: EXEC_TIME_SAMPLE > 1).
	 * acq_rel: release publishes the future's state written by this poll,
	 * and ->home, to the next waker's acquire and through it the next
	 * poller (maybe another hart); acquire takes a notifier's writes,
	 * which must precede the next poll.
	 */
	_Static_assert(TASK_RUNNING - 2 == TASK_IDLE && TASK_NOTIFIED - 2 == TASK_SCHEDULED,
		       "run states for the subtraction");
	delta = 2;
	if (task_poll_is_timed(polls))
		delta += TS_TIMED;
	if (task_poll_is_timed(polls + 1))
		delta -= TS_TIMED;
	s = atomic_fetch_sub_explicit(&t->state, delta, memory_order_acq_rel);
	BUG_ON(ts_run(s) != TASK_RUNNING && ts_run(s) != TASK_NOTIFIED);
	if (ts_run(s) == TASK_NOTIFIED) {
		/* Woken during its poll: to the queue's tail (a yield must let
		 * the others run), not the next slot. */
		if (task_poll_is_timed(polls + 1))
			t->wake_ns = clock_now_ns();
		EXEC_TRACE_EV(EXEC_EV_REQUEUE, id);
		if (t->home == h->index)
			exec_push_here(h, slot);
		else
			exec_push(t->home, slot);	/* moved (task_rehome) */
	}
	return 1;
}

/* A sampled poll: bracketed by clock reads for the counters. */
static __attribute__((noinline)) enum poll poll_timed(struct exec_hart *h, struct task *t)
{
	uint64_t t0 = clock_now_ns(), t1, lat = t0 - t->wake_ns;
	unsigned b = lat ? 63 - (unsigned)__builtin_clzll(lat) : 0;
	enum poll r;

	atomic_store_explicit(&t->wake_to_poll_ns,
			      atomic_load_explicit(&t->wake_to_poll_ns, memory_order_relaxed) + lat,
			      memory_order_relaxed);
	if (b >= EXEC_LAT_BUCKETS)
		b = EXEC_LAT_BUCKETS - 1;
	/* Sampled polls only (1 in EXEC_TIME_SAMPLE): off the common path. */
	atomic_store_explicit(&h->lat_hist[b],
			      atomic_load_explicit(&h->lat_hist[b], memory_order_relaxed) + 1,
			      memory_order_relaxed);
	r = future_poll(t->fut, &t->cx);
	t1 = clock_now_ns();
	atomic_store_explicit(&t->poll_ns,
			      atomic_load_explicit(&t->poll_ns, memory_order_relaxed) + (t1 - t0),
			      memory_order_relaxed);
	return r;
}

/* task_poll() of a task with a cancel request or a timed poll. */
static __attribute__((noinline)) unsigned task_poll_slow(struct exec_hart *h, struct task *t,
							 uint64_t s)
{
	task_id_t id = (task_id_t)t->waker.data;

	BUG_ON(ts_run(s) != TASK_SCHEDULED);
	if (s & TS_CANCEL_REQ) {
		run_cancelled(h, t, task_id_slot(id));
		return 1;
	}
	h->current = id;
	EXEC_TRACE_EV(EXEC_EV_POLL, id);
	return task_polled(h, t, poll_timed(h, t));
}

void task_run(struct exec_hart *h, uint32_t slot)
{
	struct task *t = task_lookup(slot);

	BUG_ON(!t);
	task_poll(h, t);
}

/*
 * Poll a task taken from a queue or the next slot: the wake-to-poll path.
 * SCHEDULED -> RUNNING is run state 2 -> 3: one add, whatever the flags are
 * doing. acquire: pairs with the release that made it SCHEDULED (spawn,
 * wake, requeue), so the waker's writes are visible. One test of the old
 * value sends everything unusual (a cancel request, a timed poll, a state
 * that is not SCHEDULED, which is a bug) out of line. Only t and h live
 * across the poll, so the frame is small; the cached waker and context
 * need no lookup.
 */
unsigned task_poll(struct exec_hart *h, struct task *t)
{
	uint64_t s = atomic_fetch_add_explicit(&t->state, TASK_RUNNING - TASK_SCHEDULED,
					       memory_order_acquire);

	if ((s & (TS_RUN_MASK | TS_CANCEL_REQ | TS_TIMED)) != TASK_SCHEDULED)
		return task_poll_slow(h, t, s);
	h->current = (task_id_t)t->waker.data;
	EXEC_TRACE_EV(EXEC_EV_POLL, h->current);
	return task_polled(h, t, future_poll(t->fut, &t->cx));
}

/* ---- join ------------------------------------------------------------------- */

static enum poll join_poll(struct future *f, struct context *cx)
{
	struct task_join *j = (struct task_join *)f;
	struct task *t = task_lookup(task_id_slot(j->id));
	uint64_t s;

	if (j->finished)
		return POLL_READY;
	BUG_ON(!t);
	/* acquire: pairs with task_finish()'s release, for ->result. */
	s = atomic_load_explicit(&t->state, memory_order_acquire);
	for (;;) {
		/* The join right keeps the slot ours: the generation cannot move. */
		BUG_ON(ts_gen(s) != task_id_gen(j->id) || !(s & TS_JOIN_HANDLE));
		if (ts_is_terminal(s)) {
			j->base.result = t->result;
			j->finished = true;
			release_join_right(t, j->id);
			return POLL_READY;
		}
		if (s & TS_JOIN_WAKER) {
			if (waker_will_wake(&t->join_waker, cx->waker))
				return POLL_PENDING;
			/* Take the old waker back before replacing it.
			 * acquire: on success we own join_waker again. */
			if (atomic_compare_exchange_weak_explicit(&t->state, &s, s & ~TS_JOIN_WAKER,
								  memory_order_acquire,
								  memory_order_acquire)) {
				waker_drop(&t->join_waker);
				s &= ~TS_JOIN_WAKER;
			}
			continue;
		}
		t->join_waker = waker_clone(cx->waker);
		/* release: publishes join_waker to task_finish()'s acquire.
		 * On failure (state moved) take it back and look again. */
		if (atomic_compare_exchange_weak_explicit(&t->state, &s, s | TS_JOIN_WAKER,
							  memory_order_release,
							  memory_order_acquire))
			return POLL_PENDING;
		waker_drop(&t->join_waker);
	}
}

static void join_drop(struct future *f)
{
	struct task_join *j = (struct task_join *)f;

	if (!j->finished) {
		j->finished = true;
		task_detach(j->id);
	}
}

static const char *join_state_name(const struct future *f)
{
	return ((const struct task_join *)f)->finished ? "finished" : "waiting";
}

static const struct future_ops task_join_ops = {
	.name = "task_join",
	.type = "task_join",
	.poll = join_poll,
	.drop = join_drop,
	.state_name = join_state_name,
};

void task_join_init(struct task_join *j, task_id_t id)
{
	future_init(&j->base, &task_join_ops);
	j->id = id;
	j->finished = false;
}
