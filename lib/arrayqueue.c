// SPDX-License-Identifier: MIT
/*
 * Vyukov's bounded MPMC queue; see arrayqueue.h for the contract.
 *
 * Positions are free-running 32-bit counters; a slot's stamp is compared with
 * a position by signed 32-bit difference, which stays correct across the
 * wrap because capacity <= 2^30 divides 2^32. For the slot of position pos:
 *   stamp == pos       free, a producer may claim pos
 *   stamp == pos + 1   holds the value pushed at pos, a consumer may claim it
 *   stamp == pos + cap freed by the consumer of pos, ready for the next lap
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

bool arrayq_push(struct arrayq *q, uint32_t val)
{
	/* relaxed: only a hint of where to start; the stamp decides. */
	uint32_t pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
	struct arrayq_slot *s;

	for (;;) {
		s = &q->slots[pos & q->mask];
		/* acquire: pairs with the consumer's release of the stamp in
		 * arrayq_pop(), so its read of the old value happens before our
		 * write of the new one. */
		uint32_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		int32_t diff = (int32_t)(seq - pos);

		if (diff == 0) {
			/* relaxed: winning the CAS only gives us the position;
			 * nothing is published through tail. On failure pos is
			 * reloaded with the current tail. */
			if (atomic_compare_exchange_weak_explicit(&q->tail, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed))
				break;
		} else if (diff < 0) {
			/* The slot still holds (or is being emptied of) the value
			 * from one lap back: full. */
			return false;
		} else {
			/* Another producer took pos; catch up. */
			pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
		}
	}
	s->val = val;
	/* release: publishes val; pairs with the acquire load in arrayq_pop(). */
	atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
	return true;
}

bool arrayq_pop(struct arrayq *q, uint32_t *val)
{
	uint32_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
	struct arrayq_slot *s;

	for (;;) {
		s = &q->slots[pos & q->mask];
		/* acquire: pairs with the producer's release in arrayq_push(),
		 * making the value written before it visible. */
		uint32_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		int32_t diff = (int32_t)(seq - (pos + 1));

		if (diff == 0) {
			/* relaxed: as in push, the CAS only allocates the position. */
			if (atomic_compare_exchange_weak_explicit(&q->head, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed))
				break;
		} else if (diff < 0) {
			/* Not yet filled for this lap: empty (or a push of pos is
			 * half done). */
			return false;
		} else {
			pos = atomic_load_explicit(&q->head, memory_order_relaxed);
		}
	}
	*val = s->val;
	/* release: our read of val happens before the producer of the next
	 * lap overwrites it; pairs with the acquire load in arrayq_push(). */
	atomic_store_explicit(&s->seq, pos + q->mask + 1, memory_order_release);
	return true;
}

uint32_t arrayq_len(const struct arrayq *q)
{
	/* relaxed: a snapshot. Load head first so that a concurrent pop seen
	 * here is also covered by tail (tail >= head at any instant); the
	 * result is clamped because the two loads are not one instant. */
	uint32_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	int32_t n = (int32_t)(tail - head);

	if (n < 0)
		return 0;
	if ((uint32_t)n > q->mask + 1)
		return q->mask + 1;
	return (uint32_t)n;
}
