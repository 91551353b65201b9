// SPDX-License-Identifier: MIT
/* Spinlock with holder recording; see spinlock.h. */
#include "kernel/spinlock.h"

#include <stddef.h>

#include "kernel/compiler.h"
#include "kernel/panic.h"

void spin_init(struct spinlock *l, const char *name)
{
	atomic_store_explicit(&l->next, 0, memory_order_relaxed);
	atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
	l->name = name;
	atomic_store_explicit(&l->holder_hart, -1, memory_order_relaxed);
	atomic_store_explicit(&l->paused, 0, memory_order_relaxed);
	l->holder_pc = 0;
}

static bool is_locked(const struct spinlock *l)
{
	return atomic_load_explicit(&l->next, memory_order_relaxed) !=
	       atomic_load_explicit(&l->owner, memory_order_relaxed);
}

/*
 * Spins without progress between pauses, the longest pause, and how long
 * a wait may last before it is reported. The pause matters under QEMU -icount, where harts
 * take turns: a hart that spins keeps the holder from running until its
 * slice ends, one that pauses (wfi) lets it run at once. But a fair lock
 * hands over to one waiter only, and if that one sits out a timed pause the
 * lock lies idle while everyone else waits (a convoy: cancelling 1,000,000
 * sleepers went from 857 to 9,451 instructions each). So a paused waiter
 * says on which lock and for which ticket, and the unlocker that serves the
 * ticket kicks it out of its pause; the timer only bounds a pause.
 */
#define SPIN_BEFORE_PAUSE 64
#define SPIN_PAUSE_NS 100000ull
static _Atomic uint64_t spin_pause_ns = SPIN_PAUSE_NS;	/* a test makes it long */

uint64_t spin_set_pause_ns(uint64_t ns)
{
	return atomic_exchange_explicit(&spin_pause_ns, ns ? ns : SPIN_PAUSE_NS,
					memory_order_relaxed);
}
#define SPIN_REPORT_NS (30ull * 1000000000ull)

/* What each hart is paused on, if anything (this hart writes its own). */
static struct {
	_Atomic(struct spinlock *) lock;
	atomic_uint ticket;
} spin_paused[MAX_HARTS];

/*
 * Pause until @ticket's turn on @l (or the pause's timer). The Dekker pair
 * with spin_unlock_irqrestore(), all four accesses seq_cst: we publish the
 * record, count ourselves in ->paused (RMW) and re-read owner; the unlocker
 * moves owner (RMW) and reads ->paused with an RMW too. In the single order
 * of seq_cst operations either our count comes first, and the unlocker's
 * RMW, reading the latest value, sees it and kicks; or its owner move comes
 * first, and our read sees our turn and we do not pause. A kick that lands
 * before our wfi leaves an interrupt pending that ends it at once. The
 * record is written before our count, so a kicker that sees the count
 * (through the same order) sees the record.
 */
static __attribute__((noinline)) void spin_pause_for(struct spinlock *l, unsigned ticket)
{
	unsigned self = hart_id();

	atomic_store_explicit(&spin_paused[self].ticket, ticket, memory_order_relaxed);
	atomic_store_explicit(&spin_paused[self].lock, l, memory_order_release);
	atomic_fetch_add_explicit(&l->paused, 1, memory_order_seq_cst);
	if (atomic_load_explicit(&l->owner, memory_order_seq_cst) != ticket)
		arch_spin_pause(atomic_load_explicit(&spin_pause_ns, memory_order_relaxed));
	atomic_store_explicit(&spin_paused[self].lock, NULL, memory_order_relaxed);
	atomic_fetch_sub_explicit(&l->paused, 1, memory_order_relaxed);
}

/* Someone is paused on @l: kick the hart whose ticket is now served. */
static __attribute__((noinline)) void spin_kick(struct spinlock *l, unsigned served)
{
	for (unsigned h = 0; h < MAX_HARTS; h++)
		if (atomic_load_explicit(&spin_paused[h].lock, memory_order_relaxed) == l &&
		    atomic_load_explicit(&spin_paused[h].ticket, memory_order_relaxed) == served)
			arch_spin_kick(h);
}

/*
 * Wait for @ticket to be served, then finish spin_lock_irqsave() for the
 * caller at @pc. acquire: pairs with the release in spin_unlock_irqrestore(),
 * so the previous holder's writes are visible.
 */
static __attribute__((noinline)) irqflags_t spin_lock_slow(struct spinlock *l, unsigned ticket,
							   irqflags_t flags, const void *pc)
{
	uint64_t start = clock_now_ns();
	unsigned spins = 0, seen = ticket - 1, now;

	/*
	 * Spin while the line moves; pause after SPIN_BEFORE_PAUSE spins in
	 * which it did not. Under -icount (harts in turns) nothing moves while
	 * we spin, so we pause at once and let the holder run; on parallel
	 * harts a queue that keeps moving is worth spinning on, and a pause
	 * costs a wake-up.
	 */
	while ((now = atomic_load_explicit(&l->owner, memory_order_acquire)) != ticket) {
		arch_cpu_relax();
		if (now != seen) {
			seen = now;
			spins = 0;
			continue;
		}
		if (++spins < SPIN_BEFORE_PAUSE)
			continue;
		spins = 0;
		spin_pause_for(l, ticket);
		if (clock_now_ns() - start > SPIN_REPORT_NS)
			panic("spinlock %s: waiter from %p waited 30 s (held now by hart %d from %p)",
			      l->name, pc, atomic_load_explicit(&l->holder_hart, memory_order_relaxed),
			      l->holder_pc);
	}
	atomic_store_explicit(&l->holder_hart, (int)hart_id(), memory_order_relaxed);
	l->holder_pc = pc;
	return flags;
}

static __attribute__((noinline, noreturn)) void spin_recursive(struct spinlock *l, const void *pc)
{
	panic("spinlock %s: recursive lock on hart %u from %p (held from %p)", l->name, hart_id(),
	      pc, l->holder_pc);
}

/* No frame: its calls are a tail call and a panic (see KERNEL_NO_FRAME);
 * the slow path and the panic name the caller instead. */
KERNEL_NO_FRAME irqflags_t spin_lock_irqsave(struct spinlock *l)
{
	irqflags_t flags = arch_irq_save();
	int self = (int)hart_id();
	unsigned ticket;

	if (atomic_load_explicit(&l->holder_hart, memory_order_relaxed) == self && is_locked(l))
		spin_recursive(l, __builtin_return_address(0));
	/* relaxed: drawing a ticket orders nothing; waiting for it does. */
	ticket = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);
	if (atomic_load_explicit(&l->owner, memory_order_acquire) != ticket)
		return spin_lock_slow(l, ticket, flags, __builtin_return_address(0));
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

KERNEL_NO_FRAME void spin_unlock_irqrestore(struct spinlock *l, irqflags_t flags)
{
	/* Only the holder writes owner. */
	unsigned owner = atomic_load_explicit(&l->owner, memory_order_relaxed), paused;

	atomic_store_explicit(&l->holder_hart, -1, memory_order_relaxed);
	l->holder_pc = 0;
	/*
	 * Only the holder writes owner, so an add is a store; seq_cst (it
	 * includes release: publishes the critical section to the next
	 * ticket) and the RMW read of ->paused are the unlocker's half of the
	 * pair in spin_pause_for(). On RISC-V: two amoadd.w.aqrl, no fence.
	 */
	atomic_fetch_add_explicit(&l->owner, 1, memory_order_seq_cst);
	paused = atomic_fetch_add_explicit(&l->paused, 0, memory_order_seq_cst);
	arch_irq_restore(flags);
	if (paused)
		spin_kick(l, owner + 1);	/* a tail call: no frame here */
}

bool spin_is_held_by_me(const struct spinlock *l)
{
	return is_locked(l) &&
	       atomic_load_explicit(&l->holder_hart, memory_order_relaxed) == (int)hart_id();
}
