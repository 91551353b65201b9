// SPDX-License-Identifier: MIT
/*
 * asyncbench: io_uring and epoll figures for `make bench` (issue 15), `BENCH name value unit`:
 *   uring_nop_batch1 / uring_nop_batch32   ns (= instructions under -icount) per NOP, submitted
 *                                          and reaped 1 or 32 at a time
 *   uring_read_4k / read_4k                a cached 4 KiB file read through io_uring, and read(2)
 *   epoll_wake_roundtrip                   a pipe write waking a peer in epoll_wait, which
 *                                          answers through another pipe (one round trip)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tests/uring_raw.h"

static int64_t ab_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void nop_batch(struct uraw *u, unsigned batch, long rounds, const char *name)
{
	struct io_uring_cqe c;
	int64_t t0 = ab_now();

	for (long r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < batch; i++) {
			/* What liburing's prep does for a NOP: the fields, no memset. */
			unsigned idx = u->sq_local_tail++ & *u->sq_mask;
			struct io_uring_sqe *s = &u->sqes[idx];

			s->opcode = IORING_OP_NOP;
			s->flags = 0;
			s->user_data = i;
			u->sq_array[idx] = idx;
		}
		uraw_submit_wait(u, batch);
		while (uraw_peek(u, &c))
			;
	}
	printf("BENCH %s %lld ns/op\n", name, (long long)((ab_now() - t0) / (rounds * batch)));
}

void bench_uring(void);
void bench_uring(void)
{
	static char buf[4096];
	struct io_uring_cqe c;
	struct uraw u;
	long n = 2000;

	if (uraw_setup(&u, 64)) {
		printf("# bench: no io_uring\n");
		return;
	}
	nop_batch(&u, 1, n, "uring_nop_batch1");
	nop_batch(&u, 32, n / 4, "uring_nop_batch32");
	/* A cached 4 KiB read: the bench binary itself, read twice over first. */
	int fd = open("/bin/bench", O_RDONLY);

	if (fd >= 0 && pread(fd, buf, sizeof(buf), 0) == sizeof(buf)) {
		int64_t t0 = ab_now();

		for (long i = 0; i < n; i++) {
			struct io_uring_sqe *s = uraw_sqe(&u);

			s->opcode = IORING_OP_READ;
			s->fd = fd;
			s->addr = (uintptr_t)buf;
			s->len = sizeof(buf);
			s->off = 0;
			uraw_submit_wait(&u, 1);
			uraw_peek(&u, &c);
		}
		printf("BENCH uring_read_4k %lld ns/op\n", (long long)((ab_now() - t0) / n));
		t0 = ab_now();
		for (long i = 0; i < n; i++)
			(void)pread(fd, buf, sizeof(buf), 0);
		printf("BENCH read_4k %lld ns/op\n", (long long)((ab_now() - t0) / n));
		close(fd);
	}
	uraw_exit(&u);
}

void bench_epoll(void);
void bench_epoll(void)
{
	int a[2], b[2];
	long n = 2000;
	char c = 0;

	if (pipe(a) || pipe(b))
		return;
	pid_t pid = fork();

	if (pid == 0) {
		int ep = epoll_create1(0);
		struct epoll_event ev = { .events = EPOLLIN }, out;

		epoll_ctl(ep, EPOLL_CTL_ADD, a[0], &ev);
		for (;;) {
			if (epoll_wait(ep, &out, 1, -1) != 1 || read(a[0], &c, 1) != 1)
				_exit(0);
			if (write(b[1], &c, 1) != 1)
				_exit(1);
		}
	}
	close(a[0]);
	close(b[1]);
	int64_t t0 = ab_now();

	for (long i = 0; i < n; i++) {
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			break;
	}
	printf("BENCH epoll_wake_roundtrip %lld ns/op\n", (long long)((ab_now() - t0) / n));
	close(a[1]);
	waitpid(pid, NULL, 0);
	close(b[0]);
}
