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

irqflags_t spin_lock_irqsave(struct spinlock *l)
{
	irqflags_t flags = arch_irq_save();
	int self = (int)hart_id();
	unsigned long spins = 0;

	if (atomic_load_explicit(&l->holder_hart, memory_order_relaxed) == self &&
	    atomic_load_explicit(&l->locked, memory_order_relaxed))
		panic("spinlock %s: recursive lock on hart %d (held from %p)",
		      l->name, self, l->holder_pc);
	while (!try_take(l)) {
		/* Spin on a plain load so the line stays shared while we wait. */
		while (atomic_load_explicit(&l->locked, memory_order_relaxed)) {
			arch_cpu_relax();
			if (++spins == (1ul << 32))
				panic("spinlock %s: deadlock? held by hart %d from %p",
				      l->name,
				      atomic_load_explicit(&l->holder_hart, memory_order_relaxed),
				      l->holder_pc);
		}
	}
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
