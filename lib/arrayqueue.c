// SPDX-License-Identifier: MIT
/*
 * Vyukov's bounded MPMC queue; see arrayqueue.h for the contract and the
 * stamp rules. Only init lives here: push, pop and len are inline in the
 * header, being the executor's hot path.
 */
#include "lib/arrayqueue.h"

#include "lib/errno.h"

int arrayq_init(struct arrayq *q, struct arrayq_slot *slots, uint32_t capacity)
{
	if (capacity < 2 || capacity > (1u << 30) || (capacity & (capacity - 1)))
		return -EINVAL;
	q->mask = capacity - 1;
	q->slots = slots;
	for (uint32_t i = 0; i < capacity; i++) {
		atomic_init(&slots[i].seq, i);
		slots[i].val = 0;
	}
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	return 0;
}
