// SPDX-License-Identifier: MIT
/* pthread implementation of kernel/arch.h and friends for host tests. */
#include "tests/unit/shim/shim.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

struct shim_hart {
	pthread_mutex_t m;
	pthread_cond_t c;
	bool ipi_pending;	/* under m */
	uint64_t deadline;	/* under m: timer deadline, UINT64_MAX = disarmed */
	atomic_ullong ipis, timer_irqs;
};

static struct shim_hart harts[MAX_HARTS];
static unsigned nharts = 1;
static void (*timer_handler)(void);
static void (*ipi_handler)(void);
static __thread unsigned tls_hart;
static __thread bool tls_irq_on = true;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

void shim_init(unsigned n)
{
	nharts = n;
	for (unsigned i = 0; i < MAX_HARTS; i++) {
		pthread_mutex_init(&harts[i].m, NULL);
		pthread_cond_init(&harts[i].c, NULL);
		harts[i].ipi_pending = false;
		harts[i].deadline = UINT64_MAX;
		atomic_store(&harts[i].ipis, 0);
		atomic_store(&harts[i].timer_irqs, 0);
	}
	timer_handler = NULL;
	ipi_handler = NULL;
	shim_become_hart(0);
}

void shim_become_hart(unsigned id)
{
	tls_hart = id;
	tls_irq_on = true;
}

struct start_arg {
	unsigned id;
	void *(*fn)(void *);
	void *arg;
};

static void *hart_main(void *p)
{
	struct start_arg a = *(struct start_arg *)p;

	free(p);
	shim_become_hart(a.id);
	return a.fn(a.arg);
}

pthread_t shim_start_hart(unsigned id, void *(*fn)(void *), void *arg)
{
	struct start_arg *a = malloc(sizeof(*a));
	pthread_t t;

	a->id = id;
	a->fn = fn;
	a->arg = arg;
	if (pthread_create(&t, NULL, hart_main, a))
		abort();
	return t;
}

static void *exec_main(void *arg)
{
	(void)arg;
	exec_run();
}

pthread_t shim_start_exec_hart(unsigned id)
{
	return shim_start_hart(id, exec_main, NULL);
}

void shim_hart_exit(void)
{
	pthread_exit(NULL);
}

void shim_set_handlers(void (*timer)(void), void (*ipi)(void))
{
	timer_handler = timer;
	ipi_handler = ipi;
}

uint64_t shim_ipis_sent(unsigned hart)
{
	return atomic_load(&harts[hart].ipis);
}

uint64_t shim_timer_irqs(unsigned hart)
{
	return atomic_load(&harts[hart].timer_irqs);
}

unsigned hart_id(void)
{
	return tls_hart;
}

static void *hart_exec[MAX_HARTS];

void arch_set_hart_exec(unsigned hart, void *exec)
{
	hart_exec[hart] = exec;
}

void *arch_hart_exec(void)
{
	return hart_exec[tls_hart];
}

unsigned hart_count(void)
{
	return nharts;
}

uint64_t clock_ticks(void)
{
	return clock_now_ns();
}

uint64_t clock_ticks_to_ns(uint64_t ticks)
{
	return ticks;
}

uint64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Take pending interrupts of this hart, as the hardware would on enable. */
static void take_interrupts(void)
{
	struct shim_hart *h = &harts[tls_hart];

	for (;;) {
		bool ipi, timer;

		pthread_mutex_lock(&h->m);
		ipi = h->ipi_pending;
		h->ipi_pending = false;
		timer = h->deadline != UINT64_MAX && clock_now_ns() >= h->deadline;
		if (timer)
			h->deadline = UINT64_MAX;	/* one-shot; the handler re-arms */
		pthread_mutex_unlock(&h->m);
		if (!ipi && !timer)
			return;
		tls_irq_on = false;
		if (timer) {
			atomic_fetch_add(&h->timer_irqs, 1);
			if (timer_handler)
				timer_handler();
		}
		if (ipi && ipi_handler)
			ipi_handler();
		tls_irq_on = true;
	}
}

irqflags_t arch_irq_save(void)
{
	irqflags_t was = tls_irq_on;

	tls_irq_on = false;
	return was;
}

void arch_irq_restore(irqflags_t flags)
{
	tls_irq_on = flags != 0;
	if (tls_irq_on)
		take_interrupts();
}

void arch_irq_enable(void)
{
	tls_irq_on = true;
	take_interrupts();
}

void arch_irq_disable(void)
{
	tls_irq_on = false;
}

bool arch_irq_enabled(void)
{
	return tls_irq_on;
}

void arch_wait_for_interrupt(void)
{
	struct shim_hart *h = &harts[tls_hart];

	if (tls_irq_on)
		panic("arch_wait_for_interrupt with interrupts on");
	pthread_mutex_lock(&h->m);
	while (!h->ipi_pending &&
	       (h->deadline == UINT64_MAX || clock_now_ns() < h->deadline)) {
		if (h->deadline == UINT64_MAX) {
			pthread_cond_wait(&h->c, &h->m);
		} else {
			struct timespec ts;
			uint64_t d = h->deadline, now = clock_now_ns();
			/* CLOCK_REALTIME for the default condattr. */
			clock_gettime(CLOCK_REALTIME, &ts);
			uint64_t abs = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec +
				       (d - now);
			ts.tv_sec = (time_t)(abs / 1000000000u);
			ts.tv_nsec = (long)(abs % 1000000000u);
			pthread_cond_timedwait(&h->c, &h->m, &ts);
		}
	}
	pthread_mutex_unlock(&h->m);
}

void arch_send_ipi(unsigned hart)
{
	struct shim_hart *h = &harts[hart];

	atomic_fetch_add(&h->ipis, 1);
	pthread_mutex_lock(&h->m);
	h->ipi_pending = true;
	pthread_cond_signal(&h->c);
	pthread_mutex_unlock(&h->m);
}

void arch_timer_set(uint64_t deadline_ns)
{
	struct shim_hart *h = &harts[tls_hart];

	pthread_mutex_lock(&h->m);
	h->deadline = deadline_ns;
	pthread_mutex_unlock(&h->m);
}

void arch_cpu_relax(void)
{
	sched_yield();
}

void arch_spin_pause(uint64_t ns)
{
	(void)ns;
	sched_yield();
}

void arch_spin_kick(unsigned hart)
{
	(void)hart;	/* the pause above ends by itself */
}

/* ---- printk, panic, kmalloc ---------------------------------------------------- */

int kvprintf(const char *fmt, va_list ap)
{
	int n;

	pthread_mutex_lock(&print_lock);
	n = vfprintf(stderr, fmt, ap);
	pthread_mutex_unlock(&print_lock);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "panic (hart %u): ", tls_hart);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

void *kmalloc(size_t size)
{
	return malloc(size);
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

/* A data race fails the test binary (test-host counts a crash as a failure)
 * instead of scrolling past between PASSED lines. Unused without TSan. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "halt_on_error=1:abort_on_error=1";
}
