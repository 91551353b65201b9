/* SPDX-License-Identifier: MIT */
/*
 * ArrayQueue: a bounded lock-free multi-producer multi-consumer FIFO of 32-bit
 * values, after Dmitry Vyukov's bounded MPMC queue (the design crossbeam's
 * ArrayQueue uses): every slot carries a sequence stamp that says whether it
 * is ready for the producer or the consumer of a given position.
 *
 * Concurrency legend: head, tail, slot stamps are A (atomic); slot values
 * are published by the stamp (release) and read after it (acquire).
 *
 * Context: callable from any thread or hart. In the kernel, call push and pop
 * with the local hart's interrupts off: a producer that has claimed a
 * position but not yet published it makes consumers see the queue as empty
 * (and a consumer that has claimed a slot but not yet freed it makes
 * producers see it as full) until it finishes; an interrupt handler that
 * spun on the same queue on top of it would wait forever.
 *
 * Transient results: push may report "full" while fewer than capacity values
 * are logically queued if a concurrent pop has claimed a slot one lap back
 * and not yet released it; pop may report "empty" while a concurrent push is
 * half done. Callers that can prove the queue cannot be full (the executor:
 * a queue as large as the set of tasks that can be in it) retry the push.
 */
#ifndef LIB_ARRAYQUEUE_H
#define LIB_ARRAYQUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arrayq_slot {
	atomic_uint seq;	/* A: pos when free for the push at pos, pos+1 when full */
	uint32_t val;		/* published by seq */
};

struct arrayq {
	/* Producers and consumers hammer different lines. */
	_Alignas(64) atomic_uint tail;	/* A: next position to push */
	_Alignas(64) atomic_uint head;	/* A: next position to pop */
	_Alignas(64) uint32_t mask;	/* I: capacity - 1 */
	struct arrayq_slot *slots;	/* I: capacity slots, caller-owned */
};

/* Bytes of slot storage for a queue of @capacity values. */
static inline size_t arrayq_storage_size(uint32_t capacity)
{
	return (size_t)capacity * sizeof(struct arrayq_slot);
}

/*
 * Initialise @q over @slots (arrayq_storage_size(capacity) bytes, owned by
 * the caller). capacity must be a power of two, 2 .. 2^30.
 * Returns 0 or -EINVAL.
 */
int arrayq_init(struct arrayq *q, struct arrayq_slot *slots, uint32_t capacity);

/*
 * Positions are free-running 32-bit counters; a slot's stamp is compared with
 * a position by signed 32-bit difference, which stays correct across the
 * wrap because capacity <= 2^30 divides 2^32. For the slot of position pos:
 *   stamp == pos       free, a producer may claim pos
 *   stamp == pos + 1   holds the value pushed at pos, a consumer may claim it
 *   stamp == pos + cap freed by the consumer of pos, ready for the next lap
 */

/* Append @val; false if the queue is full. Lock-free; never blocks. */
static inline bool arrayq_push(struct arrayq *q, uint32_t val)
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

/* Remove the oldest value into *@val; false if the queue is empty. */
static inline bool arrayq_pop(struct arrayq *q, uint32_t *val)
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

/* Values queued, a snapshot that may be stale by the time it is used. */
static inline uint32_t arrayq_len(const struct arrayq *q)
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

/* arrayq_len() == 0, without the clamp to the capacity. */
static inline bool arrayq_is_empty(const struct arrayq *q)
{
	/* relaxed, head first: as in arrayq_len(). */
	uint32_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);

	return (int32_t)(tail - head) <= 0;
}

static inline uint32_t arrayq_capacity(const struct arrayq *q)
{
	return q->mask + 1;
}

#endif
