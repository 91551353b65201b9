// SPDX-License-Identifier: MIT
/*
 * The load averages of sysinfo (and /proc/loadavg): Linux's calc_load, a
 * fixed-point exponential average over 1, 5 and 15 minutes of the number of
 * processes that can run (not waiting in a syscall), sampled every 5 s by a
 * kernel task of its own.
 *
 * Lock legend: loads[] A (written by the sampler task only, read anywhere).
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "kernel/mm/kmalloc.h"

#define FSHIFT 11			/* bits of precision (Linux's) */
#define FIXED_1 (1UL << FSHIFT)
#define LOAD_FREQ_NS 5000000000ull	/* 5 s */
/* FIXED_1 / exp(5 s / 1 min), / exp(5 s / 5 min), / exp(5 s / 15 min) */
static const unsigned long exp_of[3] = { 1884, 2014, 2037 };

static _Atomic unsigned long loads[3];	/* A */

static unsigned long runnable(void)
{
	unsigned long n = 0;
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_lookup_locked(pid);

		/* ustate is the process's own; a racy read is fine for a statistic. */
		if (p && p->state == PROC_ALIVE && p->ustate != ULOOP_AWAIT_SYSCALL)
			n++;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return n;
}

static void sample(void)
{
	unsigned long active = runnable() * FIXED_1;

	for (int i = 0; i < 3; i++) {
		unsigned long l = atomic_load_explicit(&loads[i], memory_order_relaxed);

		/* Linux's calc_load, rounding up while the load grows. */
		l = l * exp_of[i] + active * (FIXED_1 - exp_of[i]);
		if (active >= atomic_load_explicit(&loads[i], memory_order_relaxed))
			l += FIXED_1 - 1;
		atomic_store_explicit(&loads[i], l / FIXED_1, memory_order_relaxed);
	}
}

void proc_loadavg(unsigned long out[3], unsigned shift)
{
	for (int i = 0; i < 3; i++) {
		unsigned long l = atomic_load_explicit(&loads[i], memory_order_relaxed);

		out[i] = shift >= FSHIFT ? l << (shift - FSHIFT) : l >> (FSHIFT - shift);
	}
}

/*
 *   SLEEP --(5 s)--> sample --> SLEEP ... (for ever)
 */
struct load_sampler {
	struct future base;
	struct sleep_future sleep;
	bool sleeping;
};

static enum poll sampler_poll(struct future *f, struct context *cx)
{
	struct load_sampler *s = container_of(f, struct load_sampler, base);

	for (;;) {
		if (!s->sleeping) {
			sleep_for_init(&s->sleep, LOAD_FREQ_NS);
			s->sleeping = true;
			f->awaiting = &s->sleep.base;
		}
		if (future_poll(&s->sleep.base, cx) == POLL_PENDING)
			return POLL_PENDING;
		future_drop(&s->sleep.base);
		s->sleeping = false;
		f->awaiting = NULL;
		sample();
	}
}

static void sampler_drop(struct future *f)
{
	struct load_sampler *s = container_of(f, struct load_sampler, base);

	if (s->sleeping)
		future_drop(&s->sleep.base);
	s->sleeping = false;
	f->awaiting = NULL;
}

static void sampler_release(struct future *f)
{
	kfree(container_of(f, struct load_sampler, base));
}

static const struct future_ops sampler_ops = {
	.name = "loadavg",
	.poll = sampler_poll,
	.drop = sampler_drop,
	.release = sampler_release,
};

int proc_loadavg_start(void)
{
	struct load_sampler *s = kzalloc(sizeof(*s));

	if (!s)
		return -1;
	future_init(&s->base, &sampler_ops);
	if (task_spawn(&s->base, 0, "loadavg") == TASK_ID_NONE) {
		kfree(s);
		return -1;
	}
	return 0;
}
