// SPDX-License-Identifier: MIT
/* Helpers for in-kernel tests of syscall handlers; see ktest_sys.h. */
#include "kernel/ktest_sys.h"

#include "kernel/arch.h"
#include "kernel/async/future.h"
#include "kernel/async/timer.h"
#include "kernel/mm/as.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

#define RW (AS_PROT_READ | AS_PROT_WRITE)

struct proc *ktest_proc(void)
{
	struct proc *p = proc_alloc();

	if (!p)
		return NULL;
	p->as = as_create();
	if (!p->as || as_map(p->as, KTEST_UBUF, 4 * PAGE_SIZE, RW, VMA_ANON)) {
		if (p->as)
			as_destroy(p->as);
		proc_put(p);
		return NULL;
	}
	return p;
}

void ktest_proc_free(struct proc *p)
{
	as_destroy(p->as);
	proc_put(p);
}

long ktest_syscall(struct proc *p, unsigned nr, unsigned long a0, unsigned long a1,
		   unsigned long a2, unsigned long a3, struct future **pending)
{
	const unsigned long args[6] = { a0, a1, a2, a3, 0, 0 };
	struct sys_ctx sc = { .proc = p, .arg = args };

	const struct syscall_desc *d = syscall_lookup(nr);
	long r;

	if (!d)
		return -ENOSYS;
	r = d->fn(&sc);
	if (pending)
		*pending = sc.pending;
	else if (sc.pending)
		ktest_future_finish(sc.pending);
	return r;
}

/* The timer interrupt still fires the entry while this spins. */
bool ktest_poll_until_ready(struct future *f, uint64_t limit_ns)
{
	struct waker w = waker_noop();
	struct context cx = { .waker = &w };
	uint64_t start = clock_now_ns();

	while (future_poll(f, &cx) == POLL_PENDING) {
		if (clock_now_ns() - start > limit_ns)
			return false;
		arch_cpu_relax();
	}
	return true;
}

void ktest_future_finish(struct future *f)
{
	future_drop(f);
	future_release(f);
}
