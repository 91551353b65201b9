// SPDX-License-Identifier: MIT
/* Spinlock with holder recording; see spinlock.h. */
#include "kernel/spinlock.h"

#include "kernel/panic.h"

void spin_init(struct spinlock *l, const char *name)
{
	atomic_store_explicit(&l->next, 0, memory_order_relaxed);
	atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
	l->name = name;
	atomic_store_explicit(&l->holder_hart, -1, memory_order_relaxed);
	l->holder_pc = 0;
}

static bool is_locked(const struct spinlock *l)
{
	return atomic_load_explicit(&l->next, memory_order_relaxed) !=
	       atomic_load_explicit(&l->owner, memory_order_relaxed);
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

/* Wait for @ticket to be served. acquire: pairs with the release in
 * spin_unlock_irqrestore(), so the previous holder's writes are visible. */
static __attribute__((noinline)) void spin_slow(struct spinlock *l, unsigned ticket)
{
	uint64_t start = clock_now_ns();
	unsigned spins = 0;

	while (atomic_load_explicit(&l->owner, memory_order_acquire) != ticket) {
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
	unsigned ticket;

	if (atomic_load_explicit(&l->holder_hart, memory_order_relaxed) == self && is_locked(l))
		panic("spinlock %s: recursive lock on hart %d (held from %p)",
		      l->name, self, l->holder_pc);
	/* relaxed: drawing a ticket orders nothing; waiting for it does. */
	ticket = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);
	if (atomic_load_explicit(&l->owner, memory_order_acquire) != ticket)
		spin_slow(l, ticket);
	atomic_store_explicit(&l->holder_hart, self, memory_order_relaxed);
	l->holder_pc = __builtin_return_address(0);
	return flags;
}

bool spin_trylock_irqsave(struct spinlock *l, irqflags_t *flags)
{
	unsigned owner;

	*flags = arch_irq_save();
	owner = atomic_load_explicit(&l->owner, memory_order_relaxed);
	/* Free means next == owner: draw that ticket, or give up. acquire:
	 * as in spin_slow(). */
	if (!atomic_compare_exchange_strong_explicit(&l->next, &owner, owner + 1,
						     memory_order_acquire, memory_order_relaxed)) {
		arch_irq_restore(*flags);
		return false;
	}
	atomic_store_explicit(&l->holder_hart, (int)hart_id(), memory_order_relaxed);
	l->holder_pc = __builtin_return_address(0);
	return true;
}

void spin_unlock_irqrestore(struct spinlock *l, irqflags_t flags)
{
	/* Only the holder writes owner. */
	unsigned owner = atomic_load_explicit(&l->owner, memory_order_relaxed);

	atomic_store_explicit(&l->holder_hart, -1, memory_order_relaxed);
	l->holder_pc = 0;
	/* release: publishes the critical section to the next ticket. */
	atomic_store_explicit(&l->owner, owner + 1, memory_order_release);
	arch_irq_restore(flags);
}

bool spin_is_held_by_me(const struct spinlock *l)
{
	return is_locked(l) &&
	       atomic_load_explicit(&l->holder_hart, memory_order_relaxed) == (int)hart_id();
}
