// SPDX-License-Identifier: MIT
/* Spinlock with holder recording; see spinlock.h. */
#include "kernel/spinlock.h"

#include "kernel/panic.h"

void spin_init(struct spinlock *l, const char *name)
{
	atomic_store_explicit(&l->locked, 0, memory_order_relaxed);
	l->name = name;
	atomic_store_explicit(&l->holder_hart, -1, memory_order_relaxed);
	l->holder_pc = 0;
}

static bool try_take(struct spinlock *l)
{
	/* acquire: pairs with the release in spin_unlock_irqrestore(), so the
	 * previous holder's writes are visible to us. */
	return atomic_exchange_explicit(&l->locked, 1, memory_order_acquire) == 0;
}

/*
 * Spins between pauses, the pause, and how long a wait may last before it is
 * reported. The pause matters under QEMU -icount, where harts take turns: a
 * hart that spins keeps the holder from running until its slice ends, one
 * that pauses (wfi) lets it run at once. See arch_spin_pause().
 */
#define SPIN_BEFORE_PAUSE 1024
#define SPIN_PAUSE_NS 5000ull
#define SPIN_REPORT_NS (30ull * 1000000000ull)

static __attribute__((noinline)) void spin_slow(struct spinlock *l)
{
	uint64_t start = clock_now_ns();
	unsigned spins = 0;

	while (atomic_load_explicit(&l->locked, memory_order_relaxed)) {
		arch_cpu_relax();
		if (++spins % SPIN_BEFORE_PAUSE)
			continue;
		arch_spin_pause(SPIN_PAUSE_NS);
		if (clock_now_ns() - start > SPIN_REPORT_NS)
			panic("spinlock %s: waited 30 s (held now by hart %d from %p)", l->name,
			      atomic_load_explicit(&l->holder_hart, memory_order_relaxed),
			      l->holder_pc);
	}
}

irqflags_t spin_lock_irqsave(struct spinlock *l)
{
	irqflags_t flags = arch_irq_save();
	int self = (int)hart_id();

	if (atomic_load_explicit(&l->holder_hart, memory_order_relaxed) == self &&
	    atomic_load_explicit(&l->locked, memory_order_relaxed))
		panic("spinlock %s: recursive lock on hart %d (held from %p)",
		      l->name, self, l->holder_pc);
	while (!try_take(l))
		spin_slow(l);	/* spin on a plain load so the line stays shared */
	atomic_store_explicit(&l->holder_hart, self, memory_order_relaxed);
	l->holder_pc = __builtin_return_address(0);
	return flags;
}

bool spin_trylock_irqsave(struct spinlock *l, irqflags_t *flags)
{
	*flags = arch_irq_save();
	if (!try_take(l)) {
		arch_irq_restore(*flags);
		return false;
	}
	atomic_store_explicit(&l->holder_hart, (int)hart_id(), memory_order_relaxed);
	l->holder_pc = __builtin_return_address(0);
	return true;
}

void spin_unlock_irqrestore(struct spinlock *l, irqflags_t flags)
{
	atomic_store_explicit(&l->holder_hart, -1, memory_order_relaxed);
	l->holder_pc = 0;
	/* release: publishes the critical section to the next acquirer. */
	atomic_store_explicit(&l->locked, 0, memory_order_release);
	arch_irq_restore(flags);
}

bool spin_is_held_by_me(const struct spinlock *l)
{
	return atomic_load_explicit(&l->locked, memory_order_relaxed) &&
	       atomic_load_explicit(&l->holder_hart, memory_order_relaxed) == (int)hart_id();
}
