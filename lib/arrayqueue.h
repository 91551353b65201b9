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

/* Append @val; false if the queue is full. Lock-free; never blocks. */
bool arrayq_push(struct arrayq *q, uint32_t val);

/* Remove the oldest value into *@val; false if the queue is empty. */
bool arrayq_pop(struct arrayq *q, uint32_t *val);

/* Values queued, a snapshot that may be stale by the time it is used. */
uint32_t arrayq_len(const struct arrayq *q);

static inline bool arrayq_is_empty(const struct arrayq *q)
{
	return arrayq_len(q) == 0;
}

static inline uint32_t arrayq_capacity(const struct arrayq *q)
{
	return q->mask + 1;
}

#endif
