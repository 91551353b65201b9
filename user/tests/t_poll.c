// SPDX-License-Identifier: MIT
/* usertests: readiness — poll/ppoll, select/pselect6 (with the signal mask swap), eventfd. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

/* Opaque to the compiler, which would otherwise refuse the calls below. */
static void *volatile badptr = (void *)8;
#define BADPTR badptr

UT_CASE(poll_pipe_events, 0, 30)
{
	int p[2];
	struct pollfd fds[2];

	ASSERT(pipe(p) == 0);
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	EXPECT(poll(fds, 2, 0) == 1);
	EXPECT(fds[0].revents == 0 && fds[1].revents == POLLOUT);
	EXPECT(write(p[1], "x", 1) == 1);
	EXPECT(poll(fds, 2, 0) == 2);
	EXPECT(fds[0].revents == POLLIN);
	/* POLLRDNORM is reported when asked. */
	fds[0].events = POLLRDNORM;
	EXPECT(poll(fds, 1, 0) == 1 && fds[0].revents == POLLRDNORM);
	fds[0].events = POLLIN;
	close(p[1]);
	/* Data still there and the writer gone: POLLIN | POLLHUP. */
	EXPECT(poll(fds, 1, 0) == 1 && fds[0].revents == (POLLIN | POLLHUP));
	char c;
	EXPECT(read(p[0], &c, 1) == 1);
	/* HUP is reported even when not asked for. */
	fds[0].events = 0;
	EXPECT(poll(fds, 1, 0) == 1 && fds[0].revents == POLLHUP);
	close(p[0]);

	/* A write end whose reader is gone: POLLERR (and still POLLOUT). */
	ASSERT(pipe(p) == 0);
	close(p[0]);
	fds[0] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	EXPECT(poll(fds, 1, 0) == 1 && fds[0].revents == (POLLOUT | POLLERR));
	close(p[1]);
}

UT_CASE(poll_full_pipe_not_writable, 0, 30)
{
	int p[2];
	char buf[4096];
	struct pollfd fd;

	ASSERT(pipe2(p, O_NONBLOCK) == 0);
	memset(buf, 'a', sizeof(buf));
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	fd = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	EXPECT(poll(&fd, 1, 0) == 0 && fd.revents == 0);
	EXPECT(read(p[0], buf, sizeof(buf)) == sizeof(buf));
	EXPECT(poll(&fd, 1, 0) == 1 && fd.revents == POLLOUT);
	close(p[0]);
	close(p[1]);
}

UT_CASE(poll_nval_and_negative_fd, 0, 30)
{
	struct pollfd fds[3] = {
		{ .fd = -1, .events = POLLIN, .revents = 0x55 },
		{ .fd = 999, .events = POLLIN },
		{ .fd = 1, .events = 0 },
	};

	EXPECT(poll(fds, 3, 0) == 1);
	EXPECT(fds[0].revents == 0);
	EXPECT(fds[1].revents == POLLNVAL);
	EXPECT(fds[2].revents == 0);
	/* A regular file is always readable and writable. */
	int fd = open(ut_self, O_RDONLY);
	ASSERT(fd >= 0);
	fds[0] = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	EXPECT(poll(fds, 1, -1) == 1 && fds[0].revents == (POLLIN | POLLOUT));
	close(fd);
}

UT_CASE(poll_bad_args, 0, 30)
{
	struct pollfd fd = { .fd = 0, .events = POLLIN };
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 1000000000 };
	sigset_t set;

	errno = 0;
	EXPECT(poll(BADPTR, 1, 0) == -1 && errno == EFAULT);
	/* More fds than RLIMIT_NOFILE (qemu-user copies the array first: EFAULT). */
	EXPECT(ut_qemu_user || (syscall(SYS_ppoll, &fd, 100000, NULL, NULL, 8) == -1 && errno == EINVAL));
	EXPECT(syscall(SYS_ppoll, &fd, 1, &ts, NULL, 8) == -1 && errno == EINVAL);
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	EXPECT(syscall(SYS_ppoll, &fd, 1, &ts, NULL, 8) == -1 && errno == EINVAL);
	ts.tv_sec = 0;
	sigemptyset(&set);
	EXPECT(syscall(SYS_ppoll, &fd, 1, &ts, &set, 4) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_ppoll, &fd, 1, &ts, BADPTR, 8) == -1 && errno == EFAULT);
	EXPECT(syscall(SYS_ppoll, &fd, 1, BADPTR, NULL, 8) == -1 && errno == EFAULT);
	/* No fds at all: just a sleep. */
	int64_t t0 = ut_now_ns();
	EXPECT(poll(NULL, 0, 30) == 0);
	EXPECT(ut_now_ns() - t0 >= 30000000);
}

UT_CASE(poll_blocks_until_ready, 0, 30)
{
	int p[2];
	struct pollfd fd;

	ASSERT(pipe(p) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		ut_sleep_ms(50);
		_exit(write(p[1], "y", 1) == 1 ? 0 : 1);
	}
	fd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	int64_t t0 = ut_now_ns();
	EXPECT(poll(&fd, 1, -1) == 1 && fd.revents == POLLIN);
	EXPECT(ut_now_ns() - t0 >= 40000000);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	/* And a timeout that expires. */
	char c;
	EXPECT(read(p[0], &c, 1) == 1);
	t0 = ut_now_ns();
	EXPECT(poll(&fd, 1, 50) == 0 && fd.revents == 0);
	EXPECT(ut_now_ns() - t0 >= 50000000);
	close(p[0]);
	close(p[1]);
}

UT_CASE(ppoll_time_left_written_back, 0, 30)
{
	int p[2];
	struct pollfd fd;
	struct timespec ts = { .tv_sec = 5, .tv_nsec = 0 };

	ASSERT(pipe(p) == 0);
	EXPECT(write(p[1], "z", 1) == 1);
	fd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	EXPECT(syscall(SYS_ppoll, &fd, 1, &ts, NULL, 8) == 1);
	EXPECT(ts.tv_sec <= 5 && ts.tv_sec >= 4 && (ts.tv_sec < 5 || ts.tv_nsec == 0));
	close(p[0]);
	close(p[1]);
}

static volatile int got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

/* A child that sends SIGUSR1 to its parent after ms. */
static pid_t kick_later(int ms)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		ut_sleep_ms(ms);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	return pid;
}

UT_CASE(ppoll_sigmask_swapped_atomically, 0, 30)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigset_t block, empty, now;
	int p[2];
	struct pollfd fd;

	ASSERT(pipe(p) == 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	ASSERT(sigaction(SIGUSR1, &sa, NULL) == 0);
	ASSERT(sigprocmask(SIG_BLOCK, &block, NULL) == 0);
	got_usr1 = 0;

	/* A signal already pending, blocked outside: delivered by the swap. */
	kill(getpid(), SIGUSR1);
	EXPECT(got_usr1 == 0);
	fd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	errno = 0;
	EXPECT(ppoll(&fd, 1, NULL, &empty) == -1 && errno == EINTR);
	EXPECT(got_usr1 == 1);
	/* The old mask is back. */
	ASSERT(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
	EXPECT(sigismember(&now, SIGUSR1));

	/* One arriving while waiting; SA_RESTART does not restart ppoll. */
	pid_t pid = kick_later(50);
	errno = 0;
	EXPECT(ppoll(&fd, 1, NULL, &empty) == -1 && errno == EINTR);
	EXPECT(got_usr1 == 2);
	EXPECT(ut_exited_with(ut_wait(pid), 0));

	/* Blocked by the ppoll mask: it does not interrupt; the timeout ends it. */
	pid = kick_later(10);
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 100000000 };
	EXPECT(ppoll(&fd, 1, &ts, &block) == 0);
	EXPECT(got_usr1 == 2);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	/* ...and is still pending, delivered once unblocked. */
	ASSERT(sigprocmask(SIG_UNBLOCK, &block, NULL) == 0);
	EXPECT(got_usr1 == 3);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

UT_CASE(select_pipe_sets, 0, 30)
{
	int p[2];
	fd_set rd, wr, ex;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 0 };

	ASSERT(pipe(p) == 0);
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	FD_SET(p[0], &ex);
	int n = (p[0] > p[1] ? p[0] : p[1]) + 1;
	EXPECT(select(n, &rd, &wr, &ex, &tv) == 1);
	EXPECT(!FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr) && !FD_ISSET(p[0], &ex));
	EXPECT(write(p[1], "a", 1) == 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &rd); /* a write end is never readable */
	tv.tv_sec = 5;
	EXPECT(select(n, &rd, NULL, NULL, &tv) == 1);
	EXPECT(FD_ISSET(p[0], &rd) && !FD_ISSET(p[1], &rd));
	/* The time left is written back. */
	EXPECT(tv.tv_sec == 4 || tv.tv_sec == 5);
	/* The same fd in two sets counts twice. */
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	int fd = open(ut_self, O_RDONLY);
	ASSERT(fd >= 0);
	FD_SET(fd, &rd);
	FD_SET(fd, &wr);
	EXPECT(select(fd + 1, &rd, &wr, NULL, NULL) == 2);
	close(fd);
	/* A closed fd in a set: EBADF. */
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	errno = 0;
	EXPECT(select(fd + 1, &rd, NULL, NULL, NULL) == -1 && errno == EBADF);
	EXPECT(select(-1, NULL, NULL, NULL, NULL) == -1 && errno == EINVAL);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	EXPECT(select(n, BADPTR, NULL, NULL, &tv) == -1 && errno == EFAULT);
	/* A timeout that passes. */
	FD_ZERO(&rd);
	char c;
	EXPECT(read(p[0], &c, 1) == 1);
	FD_SET(p[0], &rd);
	tv.tv_usec = 50000;
	int64_t t0 = ut_now_ns();
	EXPECT(select(n, &rd, NULL, NULL, &tv) == 0 && !FD_ISSET(p[0], &rd));
	EXPECT(ut_now_ns() - t0 >= 50000000);
	EXPECT(tv.tv_sec == 0 && tv.tv_usec == 0);
	close(p[0]);
	close(p[1]);
}

UT_CASE(pselect_sigmask_swapped, 0, 30)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block, empty, now;
	int p[2];
	fd_set rd;

	ASSERT(pipe(p) == 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	ASSERT(sigaction(SIGUSR1, &sa, NULL) == 0);
	ASSERT(sigprocmask(SIG_BLOCK, &block, NULL) == 0);
	got_usr1 = 0;
	pid_t pid = kick_later(50);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	errno = 0;
	EXPECT(pselect(p[0] + 1, &rd, NULL, NULL, NULL, &empty) == -1 && errno == EINTR);
	EXPECT(got_usr1 == 1);
	ASSERT(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
	EXPECT(sigismember(&now, SIGUSR1));
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	ASSERT(sigprocmask(SIG_UNBLOCK, &block, NULL) == 0);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

UT_CASE(eventfd_counter, 0, 30)
{
	uint64_t v;
	int fd = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT(fd >= 0);
	EXPECT(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	EXPECT(read(fd, &v, 8) == 8 && v == 3);
	errno = 0;
	EXPECT(read(fd, &v, 8) == -1 && errno == EAGAIN);
	v = 5;
	EXPECT(write(fd, &v, 8) == 8);
	v = 7;
	EXPECT(write(fd, &v, 8) == 8);
	EXPECT(read(fd, &v, sizeof(v)) == 8 && v == 12);
	/* Short buffers, the forbidden value, bad pointers. */
	EXPECT(read(fd, &v, 4) == -1 && errno == EINVAL);
	EXPECT(write(fd, &v, 7) == -1 && errno == EINVAL);
	v = UINT64_MAX;
	EXPECT(write(fd, &v, 8) == -1 && errno == EINVAL);
	EXPECT(write(fd, BADPTR, 8) == -1 && errno == EFAULT);
	v = 1;
	EXPECT(write(fd, &v, 8) == 8);
	EXPECT(read(fd, BADPTR, 8) == -1 && errno == EFAULT);
	/* A write is exactly 8 bytes (Linux 6.x); a longer read gives 8. */
	uint64_t two[2] = { 4, 100 };
	EXPECT(write(fd, two, 16) == -1 && errno == EINVAL);
	EXPECT(write(fd, two, 8) == 8);
	EXPECT(read(fd, two, 16) == 8 && two[0] == 5);
	/* Full: a write that would pass 2^64 - 2 would block. */
	v = UINT64_MAX - 1;
	EXPECT(write(fd, &v, 8) == 8);
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	EXPECT(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
	v = 1;
	EXPECT(write(fd, &v, 8) == -1 && errno == EAGAIN);
	EXPECT(read(fd, &v, 8) == 8 && v == UINT64_MAX - 1);
	EXPECT(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT);
	close(fd);
	EXPECT(eventfd(0, 0x10) == -1 && errno == EINVAL);
}

UT_CASE(eventfd_semaphore_and_blocking, 0, 30)
{
	uint64_t v;
	int fd = eventfd(2, EFD_SEMAPHORE);

	ASSERT(fd >= 0);
	EXPECT(read(fd, &v, 8) == 8 && v == 1);
	EXPECT(read(fd, &v, 8) == 8 && v == 1);
	/* Now 0: a blocking read waits for a child's write. */
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		ut_sleep_ms(50);
		uint64_t one = 9;
		_exit(write(fd, &one, 8) == 8 ? 0 : 1);
	}
	int64_t t0 = ut_now_ns();
	EXPECT(read(fd, &v, 8) == 8 && v == 1);
	EXPECT(ut_now_ns() - t0 >= 40000000);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	struct stat st;
	EXPECT(fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == 0 && (st.st_mode & 0777) == 0600);
	close(fd);
}
