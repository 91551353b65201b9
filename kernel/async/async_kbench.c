// SPDX-License-Identifier: MIT
/*
 * Benchmarks of the executor (KBENCH; see kernel/kbench.h). Under
 * `-icount shift=0` one guest instruction is 1 ns of guest time, so the
 * "ns" figures are instruction counts (summed over every hart that ran in
 * the interval; the other harts sit in wfi and count nothing). The clock
 * ticks every 100 ns, hence loops of thousands of operations.
 *
 *   $(make -s qemu-cmd MEM=512M) -icount shift=0 -append kbench=NAME
 */
#include <stdatomic.h>

#include "kernel/arch.h"
#include "kernel/async/async_ktest.h"
#include "kernel/async/combinators.h"
#include "kernel/async/executor.h"
#include "kernel/async/task.h"
#include "kernel/async/task_internal.h"
#include "kernel/async/timer.h"
#include "kernel/kbench.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "kernel/printk.h"
#include "lib/printf.h"

#define N_OPS 20000

static enum poll ready_poll(struct future *f, struct context *cx)
{
	(void)f;
	(void)cx;
	return POLL_READY;
}

static const struct future_ops ready_ops = {
	.name = "ready",
	.poll = ready_poll,
};

/* Spawn an empty task on this hart, detach it, run it to completion. */
KBENCH(spawn_empty)
{
	static struct future f;
	uint64_t t0, t1;

	future_init(&f, &ready_ops);
	t0 = clock_now_ns();
	for (unsigned i = 0; i < N_OPS; i++) {
		task_detach(task_spawn(&f, (int)hart_id(), "empty"));
		exec_run_pending();
	}
	t1 = clock_now_ns();
	kbench_report("spawn_empty", t1 - t0, N_OPS, "ns/task");
}

/* task_wake() of an idle task homed here, then the run loop's pop and poll. */
KBENCH(wake_poll_same)
{
	static struct pending_future p;
	uint64_t t0, t1;
	task_id_t id;

	pending_init(&p);
	id = task_spawn(&p.base, (int)hart_id(), "pending");
	exec_run_pending();
	t0 = clock_now_ns();
	for (unsigned i = 0; i < N_OPS; i++) {
		task_wake(id);
		exec_run_pending();
	}
	t1 = clock_now_ns();
	kbench_report("wake_poll_same", t1 - t0, N_OPS, "ns/wake+poll");
	if (atomic_load(&p.polls) != N_OPS + 1)
		kprintf("wake_poll_same: %u polls, expected %u\n", atomic_load(&p.polls), N_OPS + 1);
	task_cancel(id);
	task_detach(id);
	exec_run_pending();
}

/*
 * Latency from the wake to the start of the poll it causes, same hart: the
 * bench reads the clock, wakes the task and runs the loop; the task's poll
 * reads the clock first thing. The cost of the clock read itself (two
 * back-to-back reads) is measured the same way and subtracted.
 *
 * The clock ticks every 100 instructions here, so one reading is a floor
 * to a multiple of 100 and only the average means anything; it is exact
 * only if the samples start at every phase of a tick equally often. A loop
 * of fixed length does not ensure that (a 20-instruction loop starts at 5
 * phases only, which biased the clock cost by ~10), so each sample is
 * preceded by a pseudo-random delay, outside the measured interval.
 */
static uint32_t dither_state = 12345;

static void dither(void)
{
	/* xorshift32; a delay of 0..63 spins of a few instructions each */
	uint32_t x = dither_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	dither_state = x;
	for (volatile uint32_t i = x & 63; i; i--)
		;
}

static struct {
	struct future base;
	uint64_t woke_at;	/* clock just before task_wake */
	uint64_t sum;		/* of poll start - woke_at */
	uint32_t polls;
} lat;

static enum poll lat_poll(struct future *f, struct context *cx)
{
	uint64_t now = clock_now_ns();

	(void)f;
	(void)cx;
	if (lat.polls++)
		lat.sum += now - lat.woke_at;
	return POLL_PENDING;
}

static const struct future_ops lat_ops = { .name = "latency", .poll = lat_poll };

KBENCH(wake_to_poll_same)
{
	uint64_t clock_cost = 0, a, b;
	task_id_t id;

	for (unsigned i = 0; i < N_OPS; i++) {
		dither();
		a = clock_now_ns();
		b = clock_now_ns();
		clock_cost += b - a;
	}
	future_init(&lat.base, &lat_ops);
	lat.sum = 0;
	lat.polls = 0;
	id = task_spawn(&lat.base, (int)hart_id(), "latency");
	exec_run_pending();
	for (unsigned i = 0; i < N_OPS; i++) {
		dither();
		lat.woke_at = clock_now_ns();
		task_wake(id);
		exec_run_pending();
	}
	kprintf("clock cost %lu/1000 per read pair, raw %lu/1000\n", (unsigned long)(clock_cost * 1000 / N_OPS), (unsigned long)(lat.sum * 1000 / N_OPS));
	kbench_report("wake_to_poll_same", lat.sum - clock_cost, N_OPS,
		      "ns from task_wake to poll start (clock cost taken off)");
	if (lat.polls != N_OPS + 1)
		kprintf("wake_to_poll_same: %u polls, expected %u\n", lat.polls, N_OPS + 1);
	task_cancel(id);
	task_detach(id);
	exec_run_pending();
}

/* ---- cross-hart ping-pong --------------------------------------------------------- */

#define PINGS 2000

static struct {
	task_id_t pong;
	struct waker boot;		/* block_on's waker on the boot hart */
	_Atomic uint32_t pongs;		/* polls of the pong task */
	uint32_t pings;			/* wakes sent (boot hart only) */
} pp;

static enum poll pong_poll(struct future *f, struct context *cx)
{
	(void)f;
	(void)cx;
	/* release: pairs with the pinger's acquire. */
	atomic_fetch_add_explicit(&pp.pongs, 1, memory_order_release);
	waker_wake_by_ref(&pp.boot);
	return POLL_PENDING;
}

static const struct future_ops pong_ops = { .name = "pong", .poll = pong_poll };

static enum poll ping_poll(struct future *f, struct context *cx)
{
	(void)f;
	pp.boot = *cx->waker;
	if (atomic_load_explicit(&pp.pongs, memory_order_acquire) < pp.pings)
		return POLL_PENDING;	/* the pong's wake will poll us again */
	if (pp.pings == PINGS)
		return POLL_READY;
	pp.pings++;
	task_wake(pp.pong);
	return POLL_PENDING;
}

static const struct future_ops ping_ops = { .name = "ping", .poll = ping_poll };

/* A wake across harts with the IPI, there and back: half a round trip. */
KBENCH(wake_poll_cross)
{
	static struct future pong, ping;
	unsigned other = (hart_id() + 1) % exec_hart_count();
	uint64_t t0, t1;

	future_init(&pong, &pong_ops);
	future_init(&ping, &ping_ops);
	pp.pings = 0;
	atomic_store(&pp.pongs, 0);
	pp.boot = waker_noop();
	pp.pong = task_spawn(&pong, (int)other, "pong");
	while (atomic_load(&pp.pongs) == 0)	/* its first poll */
		;
	atomic_store(&pp.pongs, 0);
	ktest_sleep(1000000);	/* let the other hart reach wfi */
	t0 = clock_now_ns();
	exec_block_on(&ping);
	t1 = clock_now_ns();
	kbench_report("wake_poll_cross", t1 - t0, 2 * PINGS, "ns/wake+poll (with IPI)");
	task_cancel(pp.pong);
	task_detach(pp.pong);
}

/* ---- yield_now ------------------------------------------------------------------- */

struct yielder {
	struct future base;
	unsigned left;
	bool armed;
	struct yield_future y;
};

static enum poll yielder_poll(struct future *f, struct context *cx)
{
	struct yielder *y = (struct yielder *)f;

	for (;;) {
		if (!y->left)
			return POLL_READY;
		if (!y->armed) {
			yield_now_init(&y->y);
			y->armed = true;
		}
		if (future_poll(&y->y.base, cx) == POLL_PENDING)
			return POLL_PENDING;
		y->armed = false;
		y->left--;
	}
}

static const struct future_ops yielder_ops = { .name = "yielder", .poll = yielder_poll };

KBENCH(yield_now)
{
	static struct yielder y;
	uint64_t t0, t1;
	task_id_t id;

	future_init(&y.base, &yielder_ops);
	y.left = N_OPS;
	y.armed = false;
	t0 = clock_now_ns();
	id = task_spawn(&y.base, (int)hart_id(), "yielder");
	while (!task_is_done(id))
		exec_run_pending();
	t1 = clock_now_ns();
	task_detach(id);
	kbench_report("yield_now", t1 - t0, N_OPS, "ns/yield round trip");
}

/* ---- timer lateness ---------------------------------------------------------------- */

struct stamped_sleep {
	struct future base;
	struct sleep_future s;
	uint64_t woke;
};

static enum poll stamped_poll(struct future *f, struct context *cx)
{
	struct stamped_sleep *z = (struct stamped_sleep *)f;

	if (future_poll(&z->s.base, cx) == POLL_PENDING)
		return POLL_PENDING;
	z->woke = clock_now_ns();
	return POLL_READY;
}

static const struct future_ops stamped_ops = { .name = "stamped_sleep", .poll = stamped_poll };

/* A task sleeping 10..1000 us: deadline to the poll that sees it passed. */
KBENCH(timer_lateness)
{
	static struct stamped_sleep z;
	uint64_t sum = 0, worst = 0, seed = 1;
	unsigned n = 200;

	for (unsigned i = 0; i < n; i++) {
		struct task_join j;
		uint64_t late;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		future_init(&z.base, &stamped_ops);
		sleep_for_init(&z.s, 10000 + (seed >> 33) % 990000);
		task_join_init(&j, task_spawn(&z.base, (int)hart_id(), "sleeper"));
		exec_block_on(&j.base);
		late = z.woke - z.s.deadline;
		sum += late;
		if (late > worst)
			worst = late;
	}
	kbench_report("timer_lateness_avg", sum, n, "ns");
	kbench_report("timer_lateness_max", worst, 1, "ns");
}

KBENCH(calib)
{
	uint64_t t0, t1, x = 0;

	t0 = clock_now_ns();
	for (unsigned i = 0; i < N_OPS; i++)
		x += hart_id();
	t1 = clock_now_ns();
	kbench_report("calib_hart_id", t1 - t0, N_OPS, "ns/hart_id");
	t0 = clock_now_ns();
	for (unsigned i = 0; i < N_OPS; i++)
		x += clock_now_ns();
	t1 = clock_now_ns();
	kbench_report("calib_clock", t1 - t0, N_OPS, "ns/clock");
	t0 = clock_now_ns();
	for (unsigned i = 0; i < N_OPS; i++)
		exec_run_pending();
	t1 = clock_now_ns();
	kbench_report("calib_run_pending_empty", t1 - t0, N_OPS, "ns");
	if (x == 1)
		kprintf("x");
}

/* ---- memory -------------------------------------------------------------------------- */

static size_t settled_free_pages(void)
{
	slab_shrink_all();
	page_drain_caches();
	return page_free_count();
}

static uint32_t live_tasks(void)
{
	return atomic_load_explicit(&task_table.live, memory_order_relaxed);
}

static uint32_t timers_queued(void)
{
	uint32_t n = 0;

	for (unsigned h = 0; h < exec_hart_count(); h++)
		n += timerq_count(h);
	return n;
}

/* Spawn @n detached tasks sleeping an hour; ids in @ids (may be NULL).
 * Returns how many were spawned; waits until all are parked in a timer. */
static uint32_t spawn_sleepers(uint32_t n, task_id_t **ids, uint32_t chunk)
{
	uint32_t got = 0, base = timers_queued();

	for (; got < n; got++) {
		struct sleep_future *s = sleep_for_new(3600ull * 1000000000ull);
		task_id_t id;

		if (!s)
			break;
		id = task_spawn(&s->base, -1, "sleeper");
		if (id == TASK_ID_NONE) {
			kfree(s);
			break;
		}
		task_detach(id);
		if (ids)
			ids[got / chunk][got % chunk] = id;
	}
	while (timers_queued() - base < got)
		ktest_sleep(1000000);
	return got;
}

static void cancel_all(task_id_t **ids, uint32_t n, uint32_t chunk, uint32_t live0)
{
	for (uint32_t i = 0; i < n; i++)
		task_cancel(ids[i / chunk][i % chunk]);
	while (live_tasks() > live0)
		ktest_sleep(1000000);
}

#define ID_CHUNK (512u * 1024u)	/* ids per 4 MiB block */

static task_id_t **alloc_ids(uint32_t n)
{
	uint32_t nchunks = (n + ID_CHUNK - 1) / ID_CHUNK;
	task_id_t **ids = kzalloc(nchunks * sizeof(*ids));

	for (uint32_t c = 0; ids && c < nchunks; c++)
		if (!(ids[c] = kmalloc(ID_CHUNK * sizeof(task_id_t))))
			return NULL;	/* a benchmark: leak on failure */
	return ids;
}

static void free_ids(task_id_t **ids, uint32_t n)
{
	for (uint32_t c = 0; c < (n + ID_CHUNK - 1) / ID_CHUNK; c++)
		kfree(ids[c]);
	kfree(ids);
}

/*
 * Bytes per sleeping task: free pages before and after 10,000 of them,
 * minus what the same number of bare sleep futures take; plus the 8-byte
 * wake-queue slot every task slot has reserved since exec_init().
 */
KBENCH(task_bytes)
{
	const uint32_t n = 10000;
	task_id_t **ids = alloc_ids(n);
	static struct sleep_future *bare[10000];
	size_t p0, p1, p2;
	uint32_t live0 = live_tasks(), got;
	uint64_t fut_bytes, all_bytes;

	p0 = settled_free_pages();
	for (uint32_t i = 0; i < n; i++)
		bare[i] = sleep_for_new(1);
	p1 = settled_free_pages();
	for (uint32_t i = 0; i < n; i++)
		kfree(bare[i]);
	p0 = settled_free_pages();
	got = spawn_sleepers(n, ids, ID_CHUNK);
	p2 = settled_free_pages();
	fut_bytes = (uint64_t)(p0 - p1) * PAGE_SIZE;
	all_bytes = (uint64_t)(p0 - p2) * PAGE_SIZE;
	kbench_report("sleep_future_bytes", fut_bytes, n, "bytes/future (kmalloc)");
	kbench_report("task_bytes_total", all_bytes, got, "bytes/sleeping task");
	kbench_report("task_exec_bytes", all_bytes - fut_bytes + (uint64_t)got * sizeof(struct arrayq_slot),
		      got, "bytes/task of executor state (table + queue slot)");
	kprintf("task_bytes: sizeof(struct task) %u, %u per 4 KiB segment, sizeof(sleep_future) %u\n",
		(unsigned)sizeof(struct task), (unsigned)TASKS_PER_SEG,
		(unsigned)sizeof(struct sleep_future));
	cancel_all(ids, got, ID_CHUNK, live0);
	free_ids(ids, n);
}

/* kbench_report() under the name @tag@suffix. */
static void report2(const char *tag, const char *suffix, uint64_t num, uint64_t den,
		    const char *unit)
{
	char name[48];

	fmt_snprintf(name, sizeof(name), "%s%s", tag, suffix);
	kbench_report(name, num, den, unit);
}

/*
 * 1,000,000 concurrent sleeping tasks (run with MEM=512M): spawned from
 * this hart onto the least loaded harts, each polled once and parked in
 * its hart's timer queue; then all cancelled.
 */
static void sleepers_bench(const char *tag, uint32_t n, bool cancel)
{
	task_id_t **ids = alloc_ids(n);
	uint32_t live0 = live_tasks(), got;
	size_t p0, p1;
	uint64_t t0, t1, t2;

	if (!ids) {
		kprintf("%s: no memory for the id array\n", tag);
		return;
	}
	p0 = settled_free_pages();
	t0 = clock_now_ns();
	got = spawn_sleepers(n, ids, ID_CHUNK);
	t1 = clock_now_ns();
	p1 = settled_free_pages();
	report2(tag, "_tasks", got, 1, "tasks sleeping at once");
	report2(tag, "_spawn", t1 - t0, got, "ns/task spawned and parked");
	report2(tag, "_used", (uint64_t)(p0 - p1) * PAGE_SIZE, 1 << 20, "MiB");
	report2(tag, "_free_left", (uint64_t)p1 * PAGE_SIZE, 1 << 20, "MiB");
	report2(tag, "_max_tasks_fit", (uint64_t)p0 * got, p0 - p1,
		      "tasks (free memory / bytes per sleeping task)");
	if (!cancel)
		return;	/* leaves them sleeping: see sleep_1m */
	cancel_all(ids, got, ID_CHUNK, live0);
	t2 = clock_now_ns();
	report2(tag, "_cancel", t2 - t1, got, "ns/task cancelled");
	free_ids(ids, n);
}

KBENCH(sleep_100k)
{
	sleepers_bench("sleep_100k", 100000, true);
}

/* 1,000,000 sleepers for the memory figures, left asleep (tools/bench.sh
 * boots once per benchmark). */
KBENCH(sleep_1m)
{
	sleepers_bench("sleep_1m", 1000000, false);
}

/*
 * The same, then all cancelled. Many sleepers are dropped by a hart other
 * than the one whose timer queue holds them; this once ended in "spinlock
 * timerq: deadlock?" (the timer was programmed under the queue's lock, see
 * kernel/async/timer.c).
 */
KBENCH(sleep_1m_cancel)
{
	sleepers_bench("sleep_1m_cancel", 1000000, true);
}
