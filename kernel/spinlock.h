/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks that disable interrupts on the local hart while held, and record
 * their holder (hart and caller) so that a deadlock report names it.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdatomic.h>
#include <stdbool.h>

#include "kernel/arch.h"

struct spinlock {
	atomic_uint locked;     /* A: 0 free, 1 held */
	const char *name;       /* I */
	atomic_int holder_hart; /* A (relaxed): hart holding it, -1 when free; read
				 * unlocked by the recursion check */
	const void *holder_pc;  /* L: return address of the spin_lock() call */
};

#define SPINLOCK_INIT(n) { .locked = 0, .name = (n), .holder_hart = -1, .holder_pc = 0 }

void spin_init(struct spinlock *l, const char *name);
/* Disable interrupts, take the lock; returns the interrupt state to restore. */
irqflags_t spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, irqflags_t flags);
/* Try once; on success *flags holds the interrupt state to restore. */
bool spin_trylock_irqsave(struct spinlock *l, irqflags_t *flags);
bool spin_is_held_by_me(const struct spinlock *l);

#endif
