// SPDX-License-Identifier: MIT
/* usertests: epoll — level and edge triggered, one-shot, ctl rules, nesting, lifetime, waits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

/* Opaque to the compiler, which would otherwise refuse the calls below. */
static void *volatile badptr = (void *)8;
#define BADPTR badptr

static int wait1(int ep, int ms, struct epoll_event *ev)
{
	return epoll_wait(ep, ev, 1, ms);
}

UT_CASE(epoll_level_triggered, 0, 30)
{
	int ep = epoll_create1(0), p[2];
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ull }, out[4];

	ASSERT(ep >= 0 && pipe(p) == 0);
	ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	EXPECT(epoll_wait(ep, out, 4, 0) == 0);
	EXPECT(write(p[1], "ab", 2) == 2);
	EXPECT(epoll_wait(ep, out, 4, 0) == 1);
	EXPECT(out[0].events == EPOLLIN && out[0].data.u64 == 0x1122334455667788ull);
	/* Still readable: reported again. */
	EXPECT(epoll_wait(ep, out, 4, 0) == 1);
	char b[2];
	EXPECT(read(p[0], b, 2) == 2);
	EXPECT(epoll_wait(ep, out, 4, 0) == 0);
	/* Writer closed: EPOLLHUP without asking. */
	close(p[1]);
	EXPECT(epoll_wait(ep, out, 4, 0) == 1 && out[0].events == EPOLLHUP);
	close(p[0]);
	close(ep);
}

UT_CASE(epoll_edge_triggered, 0, 30)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), p[2];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = 7 }, out;

	ASSERT(ep >= 0 && pipe(p) == 0);
	EXPECT(fcntl(ep, F_GETFD) == FD_CLOEXEC);
	ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	EXPECT(write(p[1], "a", 1) == 1);
	EXPECT(wait1(ep, 0, &out) == 1 && out.events == EPOLLIN && out.data.fd == 7);
	/* No new edge: nothing, though data is still there. */
	EXPECT(wait1(ep, 0, &out) == 0);
	/* A new write is a new edge. */
	EXPECT(write(p[1], "b", 1) == 1);
	EXPECT(wait1(ep, 0, &out) == 1);
	EXPECT(wait1(ep, 0, &out) == 0);
	close(p[0]);
	close(p[1]);
	close(ep);
}

UT_CASE(epoll_oneshot_rearm, 0, 30)
{
	int ep = epoll_create1(0), fd = eventfd(1, 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u32 = 5 }, out;

	ASSERT(ep >= 0 && fd >= 0);
	ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
	EXPECT(wait1(ep, 0, &out) == 1 && out.data.u32 == 5);
	EXPECT(wait1(ep, 0, &out) == 0);	/* disarmed */
	uint64_t v = 1;
	EXPECT(write(fd, &v, 8) == 8);
	EXPECT(wait1(ep, 0, &out) == 0);	/* still disarmed */
	ev.data.u32 = 6;
	EXPECT(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) == 0);
	EXPECT(wait1(ep, 0, &out) == 1 && out.data.u32 == 6);
	EXPECT(wait1(ep, 0, &out) == 0);
	close(fd);
	close(ep);
}

UT_CASE(epoll_ctl_errors, 0, 30)
{
	int ep = epoll_create1(0), p[2], reg = open(ut_self, O_RDONLY);
	struct epoll_event ev = { .events = EPOLLIN };

	ASSERT(ep >= 0 && pipe(p) == 0 && reg >= 0);
	errno = 0;
	EXPECT(epoll_create1(1) == -1 && errno == EINVAL);
	EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev) == -1 && errno == EPERM);
	EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev) == -1 && errno == EINVAL);
	EXPECT(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev) == -1 && errno == EINVAL);
	EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev) == -1 && errno == EBADF);
	EXPECT(epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev) == -1 && errno == EBADF);
	EXPECT(epoll_ctl(ep, 99, p[0], &ev) == -1 && errno == EINVAL);
	EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], BADPTR) == -1 && errno == EFAULT);
	EXPECT(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == -1 && errno == ENOENT);
	EXPECT(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == -1 && errno == ENOENT);
	EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == -1 && errno == EEXIST);
	/* EPOLLEXCLUSIVE: ADD only, not with ONESHOT, not on an epoll file. */
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE;
	EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
	EXPECT(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev) == -1 && errno == EINVAL);
	ev.events = EPOLLOUT;
	EXPECT(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev) == -1 && errno == EINVAL);
	int ep2 = epoll_create1(0);
	ASSERT(ep2 >= 0);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	EXPECT(epoll_ctl(ep2, EPOLL_CTL_ADD, p[0], &ev) == -1 && errno == EINVAL);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	EXPECT(epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev) == -1 && errno == EINVAL);
	EXPECT(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], BADPTR) == 0);	/* DEL ignores event */
	/* epoll_wait's own errors. */
	struct epoll_event out;
	EXPECT(epoll_wait(ep, &out, 0, 0) == -1 && errno == EINVAL);
	EXPECT(epoll_wait(p[0], &out, 1, 0) == -1 && errno == EINVAL);
	EXPECT(epoll_wait(999, &out, 1, 0) == -1 && errno == EBADF);
	EXPECT(epoll_wait(ep, BADPTR, 1, 0) == -1 && errno == EFAULT);
	EXPECT(syscall(SYS_epoll_pwait, ep, &out, 1, 0, &ev, 4) == -1 && errno == EINVAL);
	close(ep2);
	close(reg);
	close(p[0]);
	close(p[1]);
	close(ep);
}

UT_CASE(epoll_nested_and_loops, 0, 30)
{
	int a = epoll_create1(0), b = epoll_create1(0), c = epoll_create1(0), fd = eventfd(0, 0);
	struct epoll_event ev = { .events = EPOLLIN }, out;

	ASSERT(a >= 0 && b >= 0 && c >= 0 && fd >= 0);
	ASSERT(epoll_ctl(b, EPOLL_CTL_ADD, fd, &ev) == 0);
	ev.data.u32 = 42;
	ASSERT(epoll_ctl(a, EPOLL_CTL_ADD, b, &ev) == 0);
	EXPECT(wait1(a, 0, &out) == 0);
	struct pollfd pfd = { .fd = b, .events = POLLIN };
	EXPECT(poll(&pfd, 1, 0) == 0);
	uint64_t v = 1;
	EXPECT(write(fd, &v, 8) == 8);
	EXPECT(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
	EXPECT(wait1(a, 0, &out) == 1 && out.events == EPOLLIN && out.data.u32 == 42);
	EXPECT(read(fd, &v, 8) == 8);
	/* Drained below: the epoll file is not readable any more. */
	EXPECT(wait1(a, 0, &out) == 0);
	EXPECT(poll(&pfd, 1, 0) == 0);
	/* Loops are refused. */
	errno = 0;
	EXPECT(epoll_ctl(b, EPOLL_CTL_ADD, a, &ev) == -1 && errno == ELOOP);
	ASSERT(epoll_ctl(b, EPOLL_CTL_ADD, c, &ev) == 0);
	EXPECT(epoll_ctl(c, EPOLL_CTL_ADD, a, &ev) == -1 && errno == ELOOP);
	/* A wake two levels down reaches a waiter at the top. */
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		ut_sleep_ms(50);
		uint64_t one = 1;
		_exit(write(fd, &one, 8) == 8 ? 0 : 1);
	}
	EXPECT(wait1(a, 5000, &out) == 1 && out.data.u32 == 42);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(a);
	close(b);
	close(c);
	close(fd);
}

UT_CASE(epoll_registration_follows_the_open_file, 0, 30)
{
	int ep = epoll_create1(0), p[2];
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 1 }, out;

	ASSERT(ep >= 0 && pipe(p) == 0);
	int dup_fd = dup(p[0]);
	ASSERT(dup_fd >= 0);
	ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	/* Closing the registered fd while a dup keeps the file open keeps the item. */
	close(p[0]);
	EXPECT(write(p[1], "x", 1) == 1);
	EXPECT(wait1(ep, 0, &out) == 1 && out.data.u32 == 1);
	/* The same file under the dup is a new (file, fd) pair. */
	ev.data.u32 = 2;
	EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, dup_fd, &ev) == 0);
	struct epoll_event two[2];
	EXPECT(epoll_wait(ep, two, 2, 0) == 2);
	/* The last close removes every item of the file. */
	close(dup_fd);
	EXPECT(wait1(ep, 0, &out) == 0);
	ASSERT(pipe(p) == 0);
	close(p[1]);
	close(p[0]);
	close(ep);
}

static volatile int got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

UT_CASE(epoll_wait_blocks_timeout_and_signals, 0, 30)
{
	int ep = epoll_create1(0), p[2];
	struct epoll_event ev = { .events = EPOLLIN }, out;

	ASSERT(ep >= 0 && pipe(p) == 0);
	ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	int64_t t0 = ut_now_ns();
	EXPECT(wait1(ep, 50, &out) == 0);
	EXPECT(ut_now_ns() - t0 >= 50000000);
	/* epoll_pwait2 (qemu-user 7.2 does not have it). */
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 30000000 };
	if (!ut_qemu_user) {
		t0 = ut_now_ns();
		EXPECT(syscall(SYS_epoll_pwait2, ep, &out, 1, &ts, NULL, 8) == 0);
		EXPECT(ut_now_ns() - t0 >= 30000000);
		ts.tv_nsec = -1;
		errno = 0;
		EXPECT(syscall(SYS_epoll_pwait2, ep, &out, 1, &ts, NULL, 8) == -1 &&
		       errno == EINVAL);
	}

	/* Woken by a child's write. */
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		ut_sleep_ms(50);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	EXPECT(wait1(ep, -1, &out) == 1 && out.events == EPOLLIN);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	char c;
	EXPECT(read(p[0], &c, 1) == 1);

	/* A signal unblocked only for the wait: EINTR, even with SA_RESTART. */
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigset_t block, empty, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	ASSERT(sigaction(SIGUSR1, &sa, NULL) == 0);
	ASSERT(sigprocmask(SIG_BLOCK, &block, NULL) == 0);
	got_usr1 = 0;
	pid_t parent = getpid();
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		ut_sleep_ms(50);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	errno = 0;
	EXPECT(epoll_pwait(ep, &out, 1, -1, &empty) == -1 && errno == EINTR);
	EXPECT(got_usr1 == 1);
	ASSERT(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
	EXPECT(sigismember(&now, SIGUSR1));
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	ASSERT(sigprocmask(SIG_UNBLOCK, &block, NULL) == 0);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
	close(ep);
}

UT_CASE(epoll_many_items_and_maxevents, 0, 30)
{
	enum { N = 100 };
	int ep = epoll_create1(0), fds[N];
	struct epoll_event ev, out[N];

	ASSERT(ep >= 0);
	for (int i = 0; i < N; i++) {
		fds[i] = eventfd(i & 1, EFD_NONBLOCK);
		ASSERT(fds[i] >= 0);
		ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = (uint32_t)i };
		ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == 0);
	}
	/* Half are ready; maxevents bounds each call, every ready one comes in turn. */
	int seen[N] = { 0 }, total = 0;
	for (int round = 0; round < 5; round++) {
		int n = epoll_wait(ep, out, 10, 0);
		EXPECT(n == 10);
		for (int i = 0; i < n; i++) {
			uint64_t v;
			int k = (int)out[i].data.u32;
			EXPECT(k & 1);
			EXPECT(read(fds[k], &v, 8) == 8);
			seen[k]++;
			total++;
		}
	}
	EXPECT(total == N / 2);
	for (int i = 1; i < N; i += 2)
		EXPECT(seen[i] == 1);
	EXPECT(epoll_wait(ep, out, N, 0) == 0);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	close(ep);
}
