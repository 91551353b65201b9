/* SPDX-License-Identifier: MIT */
/*
 * A minimal io_uring client over the raw syscalls (Linux's ABI from
 * <linux/io_uring.h>), for the usertests and the benchmarks: set up, map
 * the rings, get an SQE, submit, wait for and consume CQEs.
 */
#ifndef USER_TESTS_URING_RAW_H
#define USER_TESTS_URING_RAW_H

#include <errno.h>
#include <linux/io_uring.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct uraw {
	int fd;
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *sq_dropped;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned sq_entries, cq_entries, sq_local_tail;
	void *ring;
	size_t ring_sz, sqes_sz;
	struct io_uring_params p;
};

static inline int uraw_setup_params(struct uraw *u, unsigned entries, struct io_uring_params *p)
{
	memset(u, 0, sizeof(*u));
	u->fd = (int)syscall(__NR_io_uring_setup, entries, p);
	if (u->fd < 0)
		return -1;
	u->p = *p;
	u->sq_entries = p->sq_entries;
	u->cq_entries = p->cq_entries;
	size_t sq_sz = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	size_t cq_sz = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	u->ring_sz = sq_sz > cq_sz ? sq_sz : cq_sz;
	u->ring = mmap(NULL, u->ring_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
		       IORING_OFF_SQ_RING);
	if (u->ring == MAP_FAILED)
		return -1;
	u->sqes_sz = p->sq_entries * sizeof(struct io_uring_sqe);
	u->sqes = mmap(NULL, u->sqes_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
		       IORING_OFF_SQES);
	if (u->sqes == MAP_FAILED)
		return -1;
	char *r = u->ring;
	u->sq_head = (unsigned *)(r + p->sq_off.head);
	u->sq_tail = (unsigned *)(r + p->sq_off.tail);
	u->sq_mask = (unsigned *)(r + p->sq_off.ring_mask);
	u->sq_array = (unsigned *)(r + p->sq_off.array);
	u->sq_dropped = (unsigned *)(r + p->sq_off.dropped);
	u->cq_head = (unsigned *)(r + p->cq_off.head);
	u->cq_tail = (unsigned *)(r + p->cq_off.tail);
	u->cq_mask = (unsigned *)(r + p->cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)(r + p->cq_off.cqes);
	u->sq_local_tail = *u->sq_tail;
	return 0;
}

static inline int uraw_setup(struct uraw *u, unsigned entries)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	return uraw_setup_params(u, entries, &p);
}

static inline void uraw_exit(struct uraw *u)
{
	munmap(u->ring, u->ring_sz);
	munmap(u->sqes, u->sqes_sz);
	close(u->fd);
}

/* The next free SQE (zeroed), or NULL when the SQ ring is full. */
static inline struct io_uring_sqe *uraw_sqe(struct uraw *u)
{
	unsigned head = __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE);

	if (u->sq_local_tail - head >= u->sq_entries)
		return NULL;
	unsigned idx = u->sq_local_tail & *u->sq_mask;
	struct io_uring_sqe *s = &u->sqes[idx];

	memset(s, 0, sizeof(*s));
	u->sq_array[idx] = idx;
	u->sq_local_tail++;
	return s;
}

/* Publish the SQEs taken so far; returns how many are pending. */
static inline unsigned uraw_flush(struct uraw *u)
{
	unsigned old = *u->sq_tail;

	__atomic_store_n(u->sq_tail, u->sq_local_tail, __ATOMIC_RELEASE);
	return u->sq_local_tail - old;
}

static inline int uraw_enter(struct uraw *u, unsigned submit, unsigned wait, unsigned flags)
{
	return (int)syscall(__NR_io_uring_enter, u->fd, submit, wait, flags, NULL, 0);
}

/* Submit everything taken and wait for `wait` completions. */
static inline int uraw_submit_wait(struct uraw *u, unsigned wait)
{
	unsigned n = uraw_flush(u);

	return uraw_enter(u, n, wait, wait ? IORING_ENTER_GETEVENTS : 0);
}

/* Take the oldest CQE into *out: 1, or 0 when there is none. */
static inline int uraw_peek(struct uraw *u, struct io_uring_cqe *out)
{
	unsigned head = *u->cq_head;

	if (head == __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE))
		return 0;
	*out = u->cqes[head & *u->cq_mask];
	__atomic_store_n(u->cq_head, head + 1, __ATOMIC_RELEASE);
	return 1;
}

/* Wait for and take one CQE: 0, or -1 with errno. */
static inline int uraw_wait(struct uraw *u, struct io_uring_cqe *out)
{
	while (!uraw_peek(u, out)) {
		if (uraw_enter(u, 0, 1, IORING_ENTER_GETEVENTS) < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}

#endif
