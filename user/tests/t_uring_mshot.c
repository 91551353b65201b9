// SPDX-License-Identifier: MIT
/* usertests: io_uring multishot requests (POLL_ADD with IORING_POLL_ADD_MULTI, TIMEOUT with
 * IORING_TIMEOUT_MULTISHOT) and the hostile loops they allow: a multishot poll of the ring's
 * own fd and a multishot timeout of 0 ns for ever must end, not spin in the kernel. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "uring_raw.h"
#include "ut.h"

#ifndef IORING_TIMEOUT_MULTISHOT
#define IORING_TIMEOUT_MULTISHOT (1U << 6)
#endif
#ifndef IORING_POLL_ADD_MULTI
#define IORING_POLL_ADD_MULTI (1U << 0)
#endif
#ifndef IORING_CQE_F_MORE
#define IORING_CQE_F_MORE (1U << 1)
#endif

static struct io_uring_sqe *poll_sqe(struct uraw *u, int fd, uint64_t ud, unsigned multi)
{
	struct io_uring_sqe *s = uraw_sqe(u);

	s->opcode = IORING_OP_POLL_ADD;
	s->fd = fd;
	s->user_data = ud;
	s->poll32_events = POLLIN;
	s->len = multi;
	return s;
}

UT_CASE(uring_multishot_poll_and_timeout, 0, 30)
{
	struct io_uring_cqe c;
	struct uraw u;
	int p[2];
	char buf[4];

	if (ut_qemu_user) {
		ut_diag("skip: qemu-user has no io_uring");
		return;
	}
	ASSERT(uraw_setup(&u, 8) == 0);
	ASSERT(pipe(p) == 0);

	/* A multishot poll of a pipe: one CQE with F_MORE per write, still armed. */
	poll_sqe(&u, p[0], 1, IORING_POLL_ADD_MULTI);
	EXPECT(uraw_submit_wait(&u, 0) == 1);
	for (int k = 0; k < 2; k++) {
		EXPECT(write(p[1], "x", 1) == 1);
		ASSERT(uraw_wait(&u, &c) == 0);
		EXPECT(c.user_data == 1 && (c.res & POLLIN) && (c.flags & IORING_CQE_F_MORE));
		EXPECT(read(p[0], buf, 1) == 1);
	}
	/* POLL_REMOVE: its own CQE first, then the poll's last, -ECANCELED without F_MORE. */
	struct io_uring_sqe *s = uraw_sqe(&u);
	s->opcode = IORING_OP_POLL_REMOVE;
	s->addr = 1;
	s->user_data = 2;
	EXPECT(uraw_submit_wait(&u, 2) == 1);
	ASSERT(uraw_peek(&u, &c) == 1);
	EXPECT(c.user_data == 2 && c.res == 0);
	ASSERT(uraw_peek(&u, &c) == 1);
	EXPECT(c.user_data == 1 && c.res == -ECANCELED && !(c.flags & IORING_CQE_F_MORE));
	/* A one-shot poll rejects unknown len flags (updates, level mode). */
	poll_sqe(&u, p[0], 3, 1U << 3);
	EXPECT(uraw_submit_wait(&u, 1) == 1);
	ASSERT(uraw_peek(&u, &c) == 1);
	EXPECT(c.user_data == 3 && c.res == -EINVAL);

	/* A multishot poll of the ring's own fd, woken by its own CQEs: it ends (as Linux,
	 * EPOLL_URING_WAKE) instead of feeding on them; the NOP makes the ring readable. */
	poll_sqe(&u, u.fd, 4, IORING_POLL_ADD_MULTI);
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_NOP;
	s->user_data = 5;
	EXPECT(uraw_submit_wait(&u, 2) == 2);
	int n = 0, last = 0;

	for (int k = 0; k < 20 && uraw_peek(&u, &c); k++) {
		n++;
		if (c.user_data == 4 && !(c.flags & IORING_CQE_F_MORE))
			last = 1;
	}
	EXPECT(last && n <= 8);	/* bounded: at most a ring's worth */

	/* A multishot TIMEOUT of 0 ns for ever: bounded by the CQ ring, then its last CQE
	 * without F_MORE (the ring full), and the kernel goes on. */
	struct __kernel_timespec zero = { 0 };

	s = uraw_sqe(&u);
	s->opcode = IORING_OP_TIMEOUT;
	s->addr = (uintptr_t)&zero;
	s->len = 1;
	s->timeout_flags = IORING_TIMEOUT_MULTISHOT;
	s->user_data = 6;
	EXPECT(uraw_submit_wait(&u, 1) == 1);
	n = 0;
	last = 0;
	while (n < 100 && uraw_wait(&u, &c) == 0) {	/* the last may wait in the overflow */
		n++;
		EXPECT(c.user_data == 6 && c.res == -ETIME);
		if (!(c.flags & IORING_CQE_F_MORE)) {
			last = 1;
			break;
		}
	}
	EXPECT(last && n >= 2 && n <= 17);	/* the CQ ring's 16, then the last */
	/* A multishot timeout with 3 expiries: two with F_MORE, the third without. */
	struct __kernel_timespec ms = { .tv_nsec = 1000000 };

	s = uraw_sqe(&u);
	s->opcode = IORING_OP_TIMEOUT;
	s->addr = (uintptr_t)&ms;
	s->len = 1;
	s->off = 3;
	s->timeout_flags = IORING_TIMEOUT_MULTISHOT;
	s->user_data = 7;
	EXPECT(uraw_submit_wait(&u, 1) == 1);
	for (int k = 0; k < 3; k++) {
		ASSERT(uraw_wait(&u, &c) == 0);
		EXPECT(c.user_data == 7 && c.res == -ETIME &&
		       !!(c.flags & IORING_CQE_F_MORE) == (k < 2));
	}
	close(p[0]);
	close(p[1]);
	uraw_exit(&u);
}
