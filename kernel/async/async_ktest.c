// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the executor (suite `async`): tokens relayed through
 * wait queues by 10,000 tasks on every hart, a wake from an interrupt
 * handler, idle harts in wfi woken by an IPI, and cancellation with poisoned
 * memory behind a stale waker. Run with CPUS=4: make ktest APPEND=ktest=async
 */
#include <stdatomic.h>

#include "kernel/arch.h"
#include "kernel/async/async_ktest.h"
#include "kernel/async/executor.h"
#include "kernel/async/task.h"
#include "kernel/async/task_internal.h"
#include "kernel/async/timer.h"
#include "kernel/async/waitq.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/slab.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- relay: 10,000 tasks pass 100 tokens along chains of 100 -------------------- */

#define RELAY_TASKS 10000
#define RELAY_CHAIN 100		/* tasks per chain; one token per chain */
#define RELAY_TOKENS (RELAY_TASKS / RELAY_CHAIN)

struct mailbox {
	_Atomic uint32_t token;	/* 0: empty; else chain + 1 */
	struct waitq wq;
};

struct relay_run {
	struct mailbox *mb;
	_Atomic uint32_t *arrivals;	/* per task: tokens received */
	_Atomic uint32_t *delivered;	/* per chain: tokens out of its last task */
	_Atomic uint32_t finished;	/* tasks that returned READY */
	_Atomic uint32_t bad;		/* wrong token, or a full mailbox */
	_Atomic uint32_t crossings;	/* hops that crossed harts */
	_Atomic uint32_t hart_mask;	/* harts that received a token */
	_Atomic uint32_t *sender_hart;	/* per task: hart that passed the token */
	struct waitq done_wq;
};

static struct relay_run relay;

/*
 *   WAIT --(token in my mailbox)--> DONE (token passed on)
 *     ^ \--(woken, no token)--'
 */
enum relay_state {
	RELAY_INIT,
	RELAY_WAITING,
	RELAY_DONE,
};

struct relay_future {
	struct future base;
	enum relay_state state;
	uint32_t idx;
	struct waitq_wait_future w;
};

static void relay_pass(struct relay_future *r, uint32_t token)
{
	uint32_t i = r->idx, chain = i / RELAY_CHAIN;
	unsigned self = hart_id();

	if (token != chain + 1)
		atomic_fetch_add_explicit(&relay.bad, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&relay.arrivals[i], 1, memory_order_relaxed);
	atomic_fetch_or_explicit(&relay.hart_mask, 1u << self, memory_order_relaxed);
	if (i % RELAY_CHAIN && atomic_load_explicit(&relay.sender_hart[i], memory_order_relaxed) != self)
		atomic_fetch_add_explicit(&relay.crossings, 1, memory_order_relaxed);
	if (i % RELAY_CHAIN == RELAY_CHAIN - 1) {
		atomic_fetch_add_explicit(&relay.delivered[chain], 1, memory_order_relaxed);
		return;
	}
	atomic_store_explicit(&relay.sender_hart[i + 1], self, memory_order_relaxed);
	/* release: the stores above happen before the next task takes it. */
	if (atomic_exchange_explicit(&relay.mb[i + 1].token, token, memory_order_release))
		atomic_fetch_add_explicit(&relay.bad, 1, memory_order_relaxed);
	waitq_wake_all(&relay.mb[i + 1].wq);
}

static enum poll relay_poll(struct future *f, struct context *cx)
{
	struct relay_future *r = (struct relay_future *)f;
	struct mailbox *mb = &relay.mb[r->idx];

	for (;;) {
		switch (r->state) {
		case RELAY_INIT:
			waitq_wait_init(&r->w, &mb->wq);
			r->state = RELAY_WAITING;
			continue;
		case RELAY_WAITING: {
			enum poll p = future_poll(&r->w.base, cx);
			/* acquire: pairs with the sender's release exchange. */
			uint32_t token = atomic_exchange_explicit(&mb->token, 0, memory_order_acquire);

			if (token) {
				future_drop(&r->w.base);
				r->base.awaiting = NULL;
				relay_pass(r, token);
				r->state = RELAY_DONE;
				continue;
			}
			if (p == POLL_READY) {
				r->state = RELAY_INIT;
				continue;
			}
			r->base.awaiting = &r->w.base;
			return POLL_PENDING;
		}
		case RELAY_DONE:
			/* release: the counters above before the test reads them. */
			atomic_fetch_add_explicit(&relay.finished, 1, memory_order_release);
			waitq_wake_all(&relay.done_wq);
			return POLL_READY;
		}
	}
}

static void relay_drop(struct future *f)
{
	struct relay_future *r = (struct relay_future *)f;

	if (r->state == RELAY_WAITING)
		future_drop(&r->w.base);
	r->state = RELAY_DONE;
}

static void relay_release(struct future *f)
{
	kfree(f);
}

static const struct future_ops relay_ops = {
	.name = "relay",
	.type = "relay_future",
	.poll = relay_poll,
	.drop = relay_drop,
	.release = relay_release,
};

KTEST(async, relay_10k_tasks_tokens_arrive_once)
{
	unsigned nharts = exec_hart_count(), spawned = 0, bad_count = 0;
	size_t mbsz = RELAY_TASKS * sizeof(struct mailbox);
	struct count_wait_future cw;
	bool ok;

	memset(&relay, 0, sizeof(relay));
	relay.mb = kzalloc(mbsz);
	relay.arrivals = kzalloc(RELAY_TASKS * sizeof(relay.arrivals[0]));
	relay.sender_hart = kzalloc(RELAY_TASKS * sizeof(relay.sender_hart[0]));
	relay.delivered = kzalloc(RELAY_TOKENS * sizeof(relay.delivered[0]));
	ASSERT(relay.mb && relay.arrivals && relay.delivered && relay.sender_hart);
	waitq_init(&relay.done_wq);
	for (unsigned i = 0; i < RELAY_TASKS; i++)
		waitq_init(&relay.mb[i].wq);

	/* Neighbours on different harts: every hop is a cross-hart wake. */
	for (unsigned i = 0; i < RELAY_TASKS; i++) {
		struct relay_future *r = kmalloc(sizeof(*r));
		task_id_t id;

		ASSERT(r);
		future_init(&r->base, &relay_ops);
		r->state = RELAY_INIT;
		r->idx = i;
		id = task_spawn(&r->base, (int)(i % nharts), "relay");
		if (id == TASK_ID_NONE) {
			kfree(r);
			break;
		}
		task_detach(id);
		spawned++;
	}
	ASSERT(spawned == RELAY_TASKS);
	/* Start every chain: the token goes into the first mailbox. */
	for (unsigned c = 0; c < RELAY_TOKENS; c++) {
		atomic_store_explicit(&relay.mb[c * RELAY_CHAIN].token, c + 1, memory_order_release);
		waitq_wake_all(&relay.mb[c * RELAY_CHAIN].wq);
	}
	count_wait_init(&cw, &relay.finished, RELAY_TASKS, &relay.done_wq);
	ok = ktest_block_on_timeout(&cw.base, MS(60000));
	EXPECT(ok);
	EXPECT(atomic_load(&relay.finished) == RELAY_TASKS);
	EXPECT(atomic_load(&relay.bad) == 0);
	for (unsigned i = 0; i < RELAY_TASKS; i++)
		if (atomic_load(&relay.arrivals[i]) != 1)
			bad_count++;
	for (unsigned c = 0; c < RELAY_TOKENS; c++)
		if (atomic_load(&relay.delivered[c]) != 1)
			bad_count++;
	EXPECT(bad_count == 0);
	EXPECT(atomic_load(&relay.hart_mask) == (1u << nharts) - 1);
	if (nharts > 1)
		EXPECT(atomic_load(&relay.crossings) > 0);
	kprintf("    relay: %u tasks, %u tokens, %u cross-hart hops, hart mask %#x\n", spawned,
		RELAY_TOKENS, atomic_load(&relay.crossings), atomic_load(&relay.hart_mask));
	if (!ok)
		return;	/* tasks may still use the arrays: leak them */
	kfree(relay.mb);
	kfree(relay.arrivals);
	kfree(relay.sender_hart);
	kfree(relay.delivered);
}

/* ---- a task woken from the timer interrupt ----------------------------------------- */

/* A waker that records the context of its wake, then wakes the task. */
struct irq_probe {
	struct waker inner;
	_Atomic uint32_t wakes;
	bool irqs_off;		/* interrupts were off: the trap handler */
	int hart;
};

static void probe_wake_by_ref(const struct waker *w)
{
	struct irq_probe *p = (struct irq_probe *)w->data;

	p->irqs_off = !arch_irq_enabled();
	p->hart = (int)hart_id();
	atomic_fetch_add_explicit(&p->wakes, 1, memory_order_release);
	waker_wake_by_ref(&p->inner);
}

static void probe_wake(struct waker *w)
{
	probe_wake_by_ref(w);
}

static struct waker probe_clone(const struct waker *w)
{
	return *w;
}

static void probe_drop(struct waker *w)
{
	(void)w;
}

static const struct waker_ops probe_waker_ops = {
	.clone = probe_clone,
	.wake = probe_wake,
	.wake_by_ref = probe_wake_by_ref,
	.drop = probe_drop,
};

struct irq_sleeper {
	struct future base;
	struct sleep_future s;
	struct irq_probe probe;
	int polled_hart;
	int timer_hart;
};

static enum poll irq_sleeper_poll(struct future *f, struct context *cx)
{
	struct irq_sleeper *z = (struct irq_sleeper *)f;
	struct waker pw = { .ops = &probe_waker_ops, .data = (uintptr_t)&z->probe };
	struct context pcx = { .waker = &pw };

	z->probe.inner = *cx->waker;	/* task wakers need no clone/drop */
	z->polled_hart = (int)hart_id();
	z->base.awaiting = &z->s.base;
	if (future_poll(&z->s.base, &pcx) == POLL_PENDING) {
		z->timer_hart = z->s.te.hart;
		return POLL_PENDING;
	}
	z->base.awaiting = NULL;
	return POLL_READY;
}

static void irq_sleeper_drop(struct future *f)
{
	future_drop(&((struct irq_sleeper *)f)->s.base);
}

static const struct future_ops irq_sleeper_ops = {
	.name = "irq_sleeper",
	.type = "irq_sleeper",
	.poll = irq_sleeper_poll,
	.drop = irq_sleeper_drop,
};

KTEST(async, task_woken_from_timer_interrupt_runs)
{
	static struct irq_sleeper z;
	unsigned target = exec_hart_count() > 1 ? (hart_id() + 1) % exec_hart_count() : 0;
	struct task_join j;
	task_id_t id;

	memset(&z, 0, sizeof(z));
	future_init(&z.base, &irq_sleeper_ops);
	sleep_for_init(&z.s, MS(3));
	z.polled_hart = z.timer_hart = z.probe.hart = -1;
	id = task_spawn(&z.base, (int)target, "irq_sleeper");
	ASSERT(id != TASK_ID_NONE);
	task_join_init(&j, id);
	ASSERT(ktest_block_on_timeout(&j.base, MS(2000)));
	EXPECT(j.base.result == 0);
	EXPECT(atomic_load(&z.probe.wakes) == 1);
	/* Timer entries are woken only by timerq_on_interrupt(), from the
	 * trap handler of the hart whose queue holds them: interrupts off. */
	EXPECT(z.probe.irqs_off);
	EXPECT(z.timer_hart >= 0 && z.probe.hart == z.timer_hart);
	EXPECT(z.polled_hart >= 0);
	EXPECT(z.s.state == SLEEP_DONE);
}

/* ---- idle harts sleep in wfi; an IPI wakes them ------------------------------------- */

struct stamp_future {
	struct future base;
	uint64_t first_poll_ns;
	int hart;
};

static enum poll stamp_poll(struct future *f, struct context *cx)
{
	struct stamp_future *s = (struct stamp_future *)f;

	(void)cx;
	s->first_poll_ns = clock_now_ns();
	s->hart = (int)hart_id();
	return POLL_READY;
}

static const struct future_ops stamp_ops = {
	.name = "stamp",
	.type = "stamp_future",
	.poll = stamp_poll,
};

/* Wait up to @ns for @hart to be inside sleep_if_idle's wfi window. */
static bool wait_idle(unsigned hart, uint64_t ns)
{
	uint64_t end = clock_now_ns() + ns;

	while (clock_now_ns() < end) {
		if (atomic_load(&exec_harts[hart].idle) && exec_queue_len(hart) == 0)
			return true;
		ktest_sleep(MS(1));
	}
	return false;
}

KTEST(async, idle_harts_wfi_and_ipi_wakes_them)
{
	unsigned n = exec_hart_count(), self = hart_id(), target = (self + 1) % n;
	uint64_t w0, w1, p0, t0;
	static struct stamp_future st;
	struct task_join j;
	task_id_t id;

	if (n < 2) {
		kprintf("    # skipped: needs 2 harts (make ktest CPUS=4 runs it)\n");
		return;
	}
	ktest_sleep(MS(20));
	for (unsigned h = 0; h < n; h++)
		if (h != self)
			EXPECT(exec_wfi_count(h) > 0);
	ASSERT(wait_idle(target, MS(1000)));

	/* A quiet hart stays in wfi: no tick, no spurious wake-ups. */
	w0 = exec_wfi_count(target);
	ktest_sleep(MS(50));
	w1 = exec_wfi_count(target);
	EXPECT(w1 - w0 <= 1);
	ASSERT(wait_idle(target, MS(1000)));

	/* A spawn onto it: only the pusher's IPI can end that wfi. */
	w0 = exec_wfi_count(target);
	p0 = exec_poll_count(target);
	future_init(&st.base, &stamp_ops);
	st.hart = -1;
	t0 = clock_now_ns();
	id = task_spawn(&st.base, (int)target, "stamp");
	ASSERT(id != TASK_ID_NONE);
	task_join_init(&j, id);
	ASSERT(ktest_block_on_timeout(&j.base, MS(2000)));
	EXPECT(st.hart == (int)target);
	kprintf("    ipi: spawn to first poll on hart %u: %lu us\n", target,
		(unsigned long)((st.first_poll_ns - t0) / 1000));
	EXPECT(st.first_poll_ns - t0 < MS(20));
	EXPECT(exec_poll_count(target) > p0);
	/* ...and it went back to sleep afterwards. */
	EXPECT(wait_idle(target, MS(1000)));
	EXPECT(exec_wfi_count(target) > w0);
}

/* ---- cancel drops the future; a stale waker touches nothing ----------------------- */

#define POISON 0x6b

struct victim_future {
	struct future base;
	struct waitq_wait_future w;
	uint8_t pad[64];	/* more bytes to find poisoned */
};

static struct victim_state {
	struct slab_cache *cache;
	struct waitq wq;
	struct waker stale;	/* a clone of the victim's waker, kept past its end */
	_Atomic uint32_t polls, drops, releases;
} vs;

static enum poll victim_poll(struct future *f, struct context *cx)
{
	struct victim_future *v = (struct victim_future *)f;

	if (atomic_fetch_add(&vs.polls, 1) == 0) {
		waitq_wait_init(&v->w, &vs.wq);
		vs.stale = waker_clone(cx->waker);
	}
	v->base.awaiting = &v->w.base;
	return future_poll(&v->w.base, cx);	/* never woken by the test */
}

static void victim_drop(struct future *f)
{
	struct victim_future *v = (struct victim_future *)f;

	future_drop(&v->w.base);
	atomic_fetch_add(&vs.drops, 1);
}

static void victim_release(struct future *f)
{
	memset(f, POISON, sizeof(struct victim_future));
	slab_free(vs.cache, f);
	atomic_fetch_add(&vs.releases, 1);
}

static const struct future_ops victim_ops = {
	.name = "victim",
	.type = "victim_future",
	.poll = victim_poll,
	.drop = victim_drop,
	.release = victim_release,
};

/* Poison intact past the slab's free-list word? */
static bool still_poisoned(const void *p)
{
	const uint8_t *b = p;

	for (size_t i = sizeof(void *); i < sizeof(struct victim_future); i++)
		if (b[i] != POISON)
			return false;
	return true;
}

static bool wait_polls(_Atomic uint32_t *polls, uint32_t n, task_id_t id)
{
	struct task_stats st;

	for (int i = 0; i < 1000; i++) {
		if (atomic_load(polls) >= n && task_get_stats(id, &st) == 0 &&
		    st.state == TASK_IDLE)
			return true;
		ktest_sleep(MS(1));
	}
	return false;
}

KTEST(async, cancel_drops_future_and_stale_waker_is_noop)
{
	unsigned target = exec_hart_count() > 1 ? (hart_id() + 1) % exec_hart_count() : 0;
	static struct pending_future other;
	struct victim_future *v;
	struct task_join j;
	task_id_t id, id2;

	memset(&vs, 0, sizeof(vs));
	waitq_init(&vs.wq);
	vs.cache = slab_cache_create("ktest_victim", sizeof(struct victim_future), 0);
	ASSERT(vs.cache);
	v = slab_alloc(vs.cache);
	ASSERT(v);
	future_init(&v->base, &victim_ops);
	id = task_spawn(&v->base, (int)target, "victim");
	ASSERT(id != TASK_ID_NONE);
	ASSERT(wait_polls(&vs.polls, 1, id));
	EXPECT(!list_empty(&vs.wq.waiters));

	EXPECT(task_cancel(id) == 0);
	task_join_init(&j, id);
	ASSERT(ktest_block_on_timeout(&j.base, MS(2000)));
	EXPECT(j.base.result == -ECANCELED);
	EXPECT(atomic_load(&vs.drops) == 1);
	EXPECT(atomic_load(&vs.releases) == 1);
	EXPECT(atomic_load(&vs.polls) == 1);	/* dropped, never polled again */
	/* drop unregistered the waiter: a wake of the queue finds nobody. */
	ASSERT(list_empty(&vs.wq.waiters));
	EXPECT(!waitq_wake_one(&vs.wq));
	EXPECT(still_poisoned(v));
	EXPECT(task_cancel(id) == -ESRCH);
	EXPECT(task_is_done(id));

	/* A new task, most likely in the same slot (the free list is LIFO). */
	pending_init(&other);
	id2 = task_spawn(&other.base, (int)target, "stale_target");
	ASSERT(id2 != TASK_ID_NONE);
	ASSERT(wait_polls(&other.polls, 1, id2));
	kprintf("    cancel: victim slot %u gen %u, next task slot %u gen %u\n", task_id_slot(id),
		task_id_gen(id), task_id_slot(id2), task_id_gen(id2));
	for (int i = 0; i < 3; i++) {
		waker_wake_by_ref(&vs.stale);
		task_wake(id);
	}
	waker_drop(&vs.stale);
	ktest_sleep(MS(10));
	EXPECT(atomic_load(&other.polls) == 1);
	EXPECT(still_poisoned(v));
	EXPECT(slab_cache_inuse(vs.cache) == 0);

	EXPECT(task_cancel(id2) == 0);
	task_join_init(&j, id2);
	ASSERT(ktest_block_on_timeout(&j.base, MS(2000)));
	slab_cache_destroy(vs.cache);
}
