// SPDX-License-Identifier: MIT
/*
 * Per-hart executors: wake queues, the run loop, stealing, sleep_if_idle and
 * block_on. Sizing and policies are explained in executor.h; the task state
 * machine in task_internal.h.
 */
#include "kernel/async/executor.h"

#include "kernel/arch.h"
#include "kernel/async/task_internal.h"
#include "kernel/async/timer.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/errno.h"

struct exec_hart exec_harts[MAX_HARTS];
unsigned exec_nharts;

#ifdef EXEC_TRACE
void (*exec_trace_hook)(enum exec_event ev, task_id_t id, unsigned hart);
#endif

#ifdef EXEC_HOST
static _Atomic bool host_stop;
__attribute__((noreturn)) void shim_hart_exit(void);
#endif

static uint32_t pow2_ceil(uint32_t x)
{
	uint32_t p = 2;

	while (p < x)
		p <<= 1;
	return p;
}

int exec_init_sized(unsigned nharts, uint32_t max_tasks)
{
	uint32_t cap, total;
	int err;

	if (nharts == 0 || nharts > MAX_HARTS || max_tasks == 0 || max_tasks > (1u << 28))
		return -EINVAL;
	cap = pow2_ceil((max_tasks + nharts - 1) / nharts);
	total = cap * nharts;
	err = task_table_init(total);
	if (err)
		return err;
	for (unsigned i = 0; i < nharts; i++) {
		struct exec_hart *h = &exec_harts[i];

		h->qslots = kmalloc(arrayq_storage_size(cap));
		if (!h->qslots)
			goto out_free_queues;
		arrayq_init(&h->q, h->qslots, cap);
		h->cap = cap;
		atomic_init(&h->nhomed, 0);
		atomic_init(&h->idle, 0);
		atomic_init(&h->online, i == hart_id());
		atomic_init(&h->blockon_woken, 0);
		atomic_init(&h->wfi_count, 0);
		atomic_init(&h->polls, 0);
		atomic_init(&h->steals, 0);
		h->blockon_depth = 0;
		h->current = TASK_ID_NONE;
		h->move_to = -1;
		atomic_init(&h->next, NULL);
		h->next_runs = 0;
	}
	/* Every hart, even one beyond nharts, knows its index: a wake there
	 * compares it with the task's home. */
	for (unsigned i = 0; i < MAX_HARTS; i++) {
		exec_harts[i].index = i;
		arch_set_hart_exec(i, &exec_harts[i]);
	}
	exec_nharts = nharts;
	timerq_init(nharts);
	return 0;

out_free_queues:
	for (unsigned i = 0; i < nharts; i++) {
		kfree(exec_harts[i].qslots);
		exec_harts[i].qslots = NULL;
	}
	task_table_fini();
	return -ENOMEM;
}

void exec_init(unsigned nharts)
{
	int err = exec_init_sized(nharts, EXEC_MAX_TASKS_DEFAULT);

	if (err)
		panic("exec_init(%u): %d", nharts, err);
}

/* ---- placement -------------------------------------------------------------- */

static bool reserve_on(struct exec_hart *h)
{
	uint32_t n = atomic_load_explicit(&h->nhomed, memory_order_relaxed);

	/* relaxed: a counter; the queue and state word order the rest. */
	do {
		if (n >= h->cap)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&h->nhomed, &n, n + 1,
							memory_order_relaxed,
							memory_order_relaxed));
	return true;
}

/* Reserve room for one more task homed on @hart (-1: the least loaded). */
int exec_reserve(int hart)
{
	if (hart >= 0) {
		if ((unsigned)hart >= exec_nharts)
			return -1;
		return reserve_on(&exec_harts[hart]) ? hart : -1;
	}
	for (;;) {
		uint32_t best_n = UINT32_MAX;
		int best = -1;

		for (unsigned i = 0; i < exec_nharts; i++) {
			uint32_t n = atomic_load_explicit(&exec_harts[i].nhomed,
							  memory_order_relaxed);

			if (!atomic_load_explicit(&exec_harts[i].online, memory_order_relaxed))
				continue;
			if (n < exec_harts[i].cap && n < best_n) {
				best_n = n;
				best = (int)i;
			}
		}
		if (best < 0)
			return -1;
		if (reserve_on(&exec_harts[best]))
			return best;
	}
}

void exec_unreserve(unsigned hart)
{
	atomic_fetch_sub_explicit(&exec_harts[hart].nhomed, 1, memory_order_relaxed);
}

/* ---- the queue -------------------------------------------------------------- */

void exec_fence_seq_cst(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}

void exec_push_stuck(unsigned hart)
{
	panic("exec: wake queue of hart %u stuck full", hart);
}

/* LAB(executor) BEGIN */
static bool pop_local(struct exec_hart *h, uint32_t *slot)
{
	irqflags_t fl = arch_irq_save();
	bool ok = arrayq_pop(&h->q, slot);

	arch_irq_restore(fl);
	return ok;
}
/* LAB(executor) END */

/* Take the task in the next slot, or NULL (owner hart). */
static inline struct task *take_next(struct exec_hart *h)
{
	/* relaxed: see struct exec_hart; a handler here may fill it any time,
	 * so take it with one swap (no load first: a swap of a line this hart
	 * owns costs what the load would). */
	return atomic_exchange_explicit(&h->next, NULL, memory_order_relaxed);
}

/* The queue's part of a batch: at most the tasks queued now (and EXEC_BATCH). */
static __attribute__((noinline)) unsigned run_queue(struct exec_hart *h)
{
	unsigned n = arrayq_len(&h->q), done = 0;
	uint32_t slot;

	h->next_runs = 0;
	if (n > EXEC_BATCH)
		n = EXEC_BATCH;
	while (done < n && arrayq_pop(&h->q, &slot)) {
		EXEC_TRACE_EV(EXEC_EV_POP, task_slot_id(slot));
		task_run(h, slot);
		done++;
	}
	return done;
}

/*
 * The next slot had its EXEC_NEXT_MAX turns: its task queues behind the
 * rest. With nobody queued there is no one to be fair to: it runs, and the
 * count starts again (a push that lands after this look gets its turn within
 * EXEC_NEXT_MAX more).
 */
static __attribute__((noinline)) unsigned next_to_queue(struct exec_hart *h, struct task *t)
{
	if (arrayq_is_empty(&h->q)) {
		h->next_runs = 1;
		return task_poll(h, t);
	}
	exec_push_here(h, task_id_slot((task_id_t)t->waker.data));
	return run_queue(h);
}

/*
 * One fair batch: the next slot's task (EXEC_NEXT_MAX in a row at most, then
 * it queues like the rest), else the queue's batch. The owner pops with
 * interrupts on; see exec_push() for why that is safe.
 */
static inline __attribute__((always_inline)) unsigned run_batch(struct exec_hart *h)
{
	struct task *t = take_next(h);

	if (t) {
		if (h->next_runs++ < EXEC_NEXT_MAX) {
			EXEC_TRACE_EV(EXEC_EV_POP, (task_id_t)t->waker.data);
			return task_poll(h, t);	/* 1: a tail call */
		}
		return next_to_queue(h, t);
	}
	return run_queue(h);	/* only tail calls: no frame on the next-slot path */
}

/* Only tail calls: no frame needed, and none made (see KERNEL_NO_FRAME). */
KERNEL_NO_FRAME unsigned exec_run_pending(void)
{
	return run_batch(arch_hart_exec());
}

/* LAB(executor) BEGIN stub:
 * static bool exec_steal(struct exec_hart *me)
 * {
 * 	(void)me;
 * 	return false;
 * }
 */
/*
 * Steal from the busiest other hart: half its queue, at most EXEC_STEAL_MAX,
 * only if it holds at least 2 (a lone queued task stays home, so a task that
 * yields does not ping-pong between idle harts). Each stolen task is
 * re-homed here after reserving room, then queued locally.
 */
static __attribute__((noinline)) bool steal_from(struct exec_hart *me, unsigned victim,
						 unsigned best)
{
	unsigned self = me->index, n, got = 0;

	n = best / 2;
	if (n > EXEC_STEAL_MAX)
		n = EXEC_STEAL_MAX;
	for (; got < n; got++) {
		struct exec_hart *v = &exec_harts[victim];
		struct task *t;
		uint32_t slot;

		if (!reserve_on(me))
			break;
		if (!pop_local(v, &slot)) {
			exec_unreserve(self);
			break;
		}
		/* The task is SCHEDULED and in no queue: we own ->home. */
		t = task_lookup(slot);
		t->home = self;
		atomic_fetch_sub_explicit(&v->nhomed, 1, memory_order_relaxed);
		EXEC_TRACE_EV(EXEC_EV_STEAL, task_slot_id(slot));
		exec_push(self, slot);
	}
	if (got)
		atomic_fetch_add_explicit(&me->steals, got, memory_order_relaxed);
	return got > 0;
}

/* The look for a victim, run on every turn to idle, is a leaf; the steal
 * itself (and its frame of saved registers) only when there is one. */
static KERNEL_NO_FRAME bool exec_steal(struct exec_hart *me)
{
	unsigned self = me->index, nharts = exec_nharts, victim = 0, best = 1;

	for (unsigned i = 0; i < nharts; i++) {
		unsigned len;

		if (i == self)
			continue;
		len = arrayq_len(&exec_harts[i].q);
		if (len > best) {
			best = len;
			victim = i;
		}
	}
	if (best < 2)
		return false;
	return steal_from(me, victim, best);
}
/* LAB(executor) END */

/* ---- idle ------------------------------------------------------------------- */

static KERNEL_NO_FRAME bool has_work(struct exec_hart *h)
{
	return atomic_load_explicit(&h->next, memory_order_relaxed) ||
	       !arrayq_is_empty(&h->q) ||
	       (h->blockon_depth &&
		atomic_load_explicit(&h->blockon_woken, memory_order_relaxed));
}

/*
 * Sleep until an interrupt if there is nothing to do. Fast check; interrupts
 * off; publish ->idle; check again; wfi; interrupts back on, which runs the
 * handler of whatever woke us. A push between the checks and the wfi leaves
 * an IPI (or, for a push from this hart's own interrupt handler, a pending
 * interrupt) that makes the wfi return at once.
 */
static void sleep_if_idle(struct exec_hart *h)
{
	irqflags_t fl;

	if (has_work(h))
		return;
	fl = arch_irq_save();
	/* seq_cst store + fence: the sleeper side of the Dekker pair with
	 * exec_push() (and the block_on waker); see there. */
	atomic_store_explicit(&h->idle, 1, memory_order_seq_cst);
	atomic_thread_fence(memory_order_seq_cst);
	if (!has_work(h)) {
		/* Idle time (for /proc): the last sleep, ended at woke_at, is
		 * added here, at the next one, so that after wfi the woken hart
		 * only stamps the time on its way to the task it was woken for. */
		uint64_t since = atomic_load_explicit(&h->idle_since, memory_order_relaxed);
		uint64_t woke = atomic_load_explicit(&h->woke_at, memory_order_relaxed);

		if (woke > since)
			atomic_store_explicit(&h->idle_ticks,
					      atomic_load_explicit(&h->idle_ticks,
								   memory_order_relaxed) +
						      (woke - since),
					      memory_order_relaxed);
		atomic_store_explicit(&h->idle_since, clock_ticks(), memory_order_relaxed);
		atomic_store_explicit(&h->wfi_count,
				      atomic_load_explicit(&h->wfi_count, memory_order_relaxed) + 1,
				      memory_order_relaxed);
		arch_wait_for_interrupt();
		atomic_store_explicit(&h->woke_at, clock_ticks(), memory_order_relaxed);
	}
	/* relaxed: a stale true only costs a pusher a spurious IPI. */
	atomic_store_explicit(&h->idle, 0, memory_order_relaxed);
	arch_irq_restore(fl);
}

void exec_run(void)
{
	struct exec_hart *h = &exec_harts[hart_id()];

	atomic_store_explicit(&h->online, 1, memory_order_relaxed);
	for (;;) {
#ifdef EXEC_HOST
		if (atomic_load_explicit(&host_stop, memory_order_acquire))
			shim_hart_exit();
#endif
		if (run_batch(h))
			continue;
		if (exec_steal(h))
			continue;
		sleep_if_idle(h);
	}
}

/* ---- block_on --------------------------------------------------------------- */

static struct waker hart_waker_clone(const struct waker *w)
{
	return *w;
}

static void hart_waker_wake_by_ref(const struct waker *w)
{
	unsigned hart = (unsigned)w->data;
	struct exec_hart *h = &exec_harts[hart];

	/* release: the waker's writes happen before the poll that follows;
	 * pairs with the acquire exchange in exec_block_on(). */
	atomic_store_explicit(&h->blockon_woken, 1, memory_order_release);
	/* The same Dekker pairing with sleep_if_idle() as exec_push(). */
	atomic_thread_fence(memory_order_seq_cst);
	if (hart != hart_id() && atomic_load_explicit(&h->idle, memory_order_relaxed))
		arch_send_ipi(hart);
}

static void hart_waker_wake(struct waker *w)
{
	hart_waker_wake_by_ref(w);
}

static void hart_waker_drop(struct waker *w)
{
	(void)w;
}

static const struct waker_ops hart_waker_ops = {
	.clone = hart_waker_clone,
	.wake = hart_waker_wake,
	.wake_by_ref = hart_waker_wake_by_ref,
	.drop = hart_waker_drop,
};

int exec_block_on(struct future *f)
{
	unsigned self = hart_id();
	struct exec_hart *h = &exec_harts[self];
	struct waker w = { .ops = &hart_waker_ops, .data = self };
	struct context cx = { .waker = &w };

	BUG_ON(h->blockon_depth != 0 || h->current != TASK_ID_NONE);
	atomic_store_explicit(&h->online, 1, memory_order_relaxed);
	h->blockon_depth = 1;
	atomic_store_explicit(&h->blockon_woken, 1, memory_order_relaxed);
	for (;;) {
		/* acquire: pairs with the release in hart_waker_wake_by_ref(). */
		if (atomic_exchange_explicit(&h->blockon_woken, 0, memory_order_acquire) &&
		    future_poll(f, &cx) == POLL_READY)
			break;
		/* Tasks get a batch after every poll of f, so f cannot starve them. */
		if (run_batch(h))
			continue;
		if (atomic_load_explicit(&h->blockon_woken, memory_order_relaxed))
			continue;
		if (exec_steal(h))
			continue;
		sleep_if_idle(h);
	}
	h->blockon_depth = 0;
	return 0;
}

/* ---- counters and dumps ----------------------------------------------------- */

uint64_t exec_wfi_count(unsigned hart)
{
	return atomic_load_explicit(&exec_harts[hart].wfi_count, memory_order_relaxed);
}

uint64_t exec_poll_count(unsigned hart)
{
	return atomic_load_explicit(&exec_harts[hart].polls, memory_order_relaxed);
}

uint64_t exec_steal_count(unsigned hart)
{
	return atomic_load_explicit(&exec_harts[hart].steals, memory_order_relaxed);
}

unsigned exec_queue_len(unsigned hart)
{
	return arrayq_len(&exec_harts[hart].q);
}

unsigned exec_task_count(unsigned hart)
{
	return atomic_load_explicit(&exec_harts[hart].nhomed, memory_order_relaxed);
}

unsigned exec_hart_count(void)
{
	return exec_nharts;
}

uint64_t exec_idle_ns(unsigned hart)
{
	if (hart >= exec_nharts)
		return 0;
	/* A hart asleep now counts the time since it went to sleep too. The
	 * loads may straddle a wake-up or a sleep: off by that moment at most. */
	const struct exec_hart *h = &exec_harts[hart];
	uint64_t since = atomic_load_explicit(&h->idle_since, memory_order_relaxed);
	uint64_t woke = atomic_load_explicit(&h->woke_at, memory_order_relaxed);
	uint64_t idle = atomic_load_explicit(&h->idle_ticks, memory_order_relaxed);
	uint64_t now = clock_ticks();

	if (!since)
		return clock_ticks_to_ns(idle);		/* never slept */
	if (woke > since)
		return clock_ticks_to_ns(idle + (woke - since)); /* awake: the last sleep not yet added */
	return clock_ticks_to_ns(idle + (now > since ? now - since : 0)); /* asleep now */
}

void exec_lat_hist(unsigned hart, uint32_t out[EXEC_LAT_BUCKETS])
{
	for (unsigned i = 0; i < EXEC_LAT_BUCKETS; i++)
		out[i] = hart < exec_nharts ? atomic_load_explicit(&exec_harts[hart].lat_hist[i],
								   memory_order_relaxed) : 0;
}

void exec_dump_tasks(void)
{
	uint32_t nr = task_table.nr_slots;	/* racy snapshot: debug only */

	kprintf("tasks: %u live\n", atomic_load_explicit(&task_table.live, memory_order_relaxed));
	for (uint32_t i = 0; i < nr; i++) {
		uint32_t slot = task_slot_of_index(i);
		struct task *t = task_lookup(slot);
		uint64_t s;

		if (!t)
			break;
		s = atomic_load_explicit(&t->state, memory_order_acquire);
		if (ts_run(s) == TASK_FREE)
			continue;
		kprintf("  task %u:%u %s hart %u %s polls %u wakes %u: ", ts_gen(s), slot,
			t->name ? t->name : "?", t->home, task_state_name(ts_run(s)),
			atomic_load_explicit(&t->polls, memory_order_relaxed),
			atomic_load_explicit(&t->wakes, memory_order_relaxed));
		if (t->fut)
			future_print_chain(t->fut);
		else
			kprintf("(finished)\n");
	}
}

#ifdef EXEC_HOST
void exec_host_stop(void)
{
	atomic_store_explicit(&host_stop, true, memory_order_release);
	for (unsigned i = 0; i < exec_nharts; i++)
		arch_send_ipi(i);
}

void exec_host_fini(void)
{
	for (unsigned i = 0; i < exec_nharts; i++) {
		kfree(exec_harts[i].qslots);
		exec_harts[i].qslots = NULL;
	}
	task_table_fini();
	exec_nharts = 0;
	atomic_store_explicit(&host_stop, false, memory_order_relaxed);
}
#endif
