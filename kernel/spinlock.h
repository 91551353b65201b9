/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks that disable interrupts on the local hart while held, and record
 * their holder (hart and caller) so that a deadlock report names it. Fair
 * (tickets): waiters get the lock in the order they asked.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdatomic.h>
#include <stdbool.h>

#include "kernel/arch.h"

/*
 * A ticket lock: a taker draws next++ and waits until owner reaches its
 * ticket; the holder releases by owner++. First come, first served, so a
 * hart that keeps re-taking a lock cannot starve one that waits for it (an
 * interrupt handler's write-back completion, say).
 */
struct spinlock {
	atomic_uint next;       /* A: the next ticket to draw */
	atomic_uint owner;      /* A: the ticket being served; == next when free */
	const char *name;       /* I */
	atomic_int holder_hart; /* A (relaxed): hart holding it, -1 when free; read
				 * unlocked by the recursion check */
	atomic_uint paused;     /* A: waiters paused (wfi) on it; the unlocker
				 * kicks the one whose turn it is */
	const void *holder_pc;  /* L: return address of the spin_lock() call */
};

#define SPINLOCK_INIT(n)                                                          \
	{ .next = 0, .owner = 0, .name = (n), .holder_hart = -1, .paused = 0, .holder_pc = 0 }

void spin_init(struct spinlock *l, const char *name);
/* Disable interrupts, take the lock; returns the interrupt state to restore. */
irqflags_t spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, irqflags_t flags);
/* Try once; on success *flags holds the interrupt state to restore. */
bool spin_trylock_irqsave(struct spinlock *l, irqflags_t *flags);
bool spin_is_held_by_me(const struct spinlock *l);
/* For tests: the longest pause of a waiter (0: the default); returns the
 * previous value. */
uint64_t spin_set_pause_ns(uint64_t ns);

#endif
