// SPDX-License-Identifier: MIT
/* usertests: timerfd and signalfd — expirations, periods, absolute times, errors; signals as data. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

/* Opaque to the compiler, which would otherwise refuse the calls below. */
static void *volatile badptr = (void *)8;
#define BADPTR badptr

static int64_t ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000ll + ts->tv_nsec;
}

UT_CASE(timerfd_oneshot_and_periodic, 0, 30)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	struct itimerspec its = { .it_value = { 0, 50000000 } }, cur;
	uint64_t n;

	ASSERT(fd >= 0);
	EXPECT(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	EXPECT(timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	       cur.it_value.tv_nsec == 0);
	int64_t t0 = ut_now_ns();
	ASSERT(timerfd_settime(fd, 0, &its, NULL) == 0);
	EXPECT(timerfd_gettime(fd, &cur) == 0 && ts_ns(&cur.it_value) > 0 &&
	       ts_ns(&cur.it_value) <= 50000000);
	/* A blocking read waits for the expiry. */
	EXPECT(read(fd, &n, 8) == 8 && n == 1);
	EXPECT(ut_now_ns() - t0 >= 50000000);
	EXPECT(timerfd_gettime(fd, &cur) == 0 && ts_ns(&cur.it_value) == 0);
	/* Periodic: 20 ms; after ~110 ms about 5 expirations in one read. */
	its.it_value.tv_nsec = 20000000;
	its.it_interval.tv_nsec = 20000000;
	int64_t t_set0 = ut_now_ns();
	ASSERT(timerfd_settime(fd, 0, &its, NULL) == 0);
	int64_t t_set1 = ut_now_ns();
	ut_sleep_ms(110);
	/* The count is the periods that ended by the read, whatever the host's
	 * load made of the 110 ms: bounded by the clock read on either side. */
	int64_t t_rd0 = ut_now_ns();
	EXPECT(read(fd, &n, 8) == 8);
	int64_t t_rd1 = ut_now_ns();
	EXPECT(n >= 4 && (int64_t)n >= (t_rd0 - t_set1) / 20000000 &&
	       (int64_t)n <= (t_rd1 - t_set0) / 20000000);
	/* Each further read waits for the next period. */
	t0 = ut_now_ns();
	EXPECT(read(fd, &n, 8) == 8 && n >= 1);
	EXPECT(timerfd_gettime(fd, &cur) == 0 && ts_ns(&cur.it_interval) == 20000000);
	/* Disarm, with the old setting given back. */
	struct itimerspec zero = { 0 }, old;
	EXPECT(timerfd_settime(fd, 0, &zero, &old) == 0 && ts_ns(&old.it_interval) == 20000000);
	EXPECT(timerfd_gettime(fd, &cur) == 0 && ts_ns(&cur.it_value) == 0);
	close(fd);
}

UT_CASE(timerfd_abstime_poll_epoll, 0, 30)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	struct itimerspec its = { 0 };
	struct timespec now;
	uint64_t n;

	ASSERT(fd >= 0);
	EXPECT(read(fd, &n, 8) == -1 && errno == EAGAIN);
	EXPECT(read(fd, &n, 4) == -1 && errno == EINVAL);
	EXPECT(write(fd, &n, 8) == -1 && errno == EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &now);
	its.it_value = now;
	its.it_value.tv_nsec += 40000000;
	if (its.it_value.tv_nsec >= 1000000000) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000000000;
	}
	ASSERT(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) == 0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	EXPECT(poll(&pfd, 1, 0) == 0);
	EXPECT(poll(&pfd, 1, 5000) == 1 && pfd.revents == POLLIN);
	EXPECT(read(fd, &n, 8) == 8 && n == 1);
	/* An absolute time already past fires at once. */
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = 1;
	ASSERT(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) == 0);
	EXPECT(read(fd, &n, 8) == 8 && n == 1);
	/* Through epoll, periodic: woken again after every read. */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN }, out;
	ASSERT(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = 10000000;
	its.it_interval = its.it_value;
	ASSERT(timerfd_settime(fd, 0, &its, NULL) == 0);
	for (int i = 0; i < 3; i++) {
		EXPECT(epoll_wait(ep, &out, 1, 5000) == 1 && out.events == EPOLLIN);
		EXPECT(read(fd, &n, 8) == 8 && n >= 1);
	}
	close(ep);
	close(fd);
}

UT_CASE(timerfd_errors, 0, 30)
{
	struct itimerspec its = { .it_value = { 0, 1000000000 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, 0), p[2];

	ASSERT(fd >= 0 && pipe(p) == 0);
	errno = 0;
	EXPECT(timerfd_create(99, 0) == -1 && errno == EINVAL);
	EXPECT(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0) == -1 && errno == EINVAL);
	EXPECT(timerfd_create(CLOCK_MONOTONIC, 0x1) == -1 && errno == EINVAL);
	EXPECT(timerfd_settime(fd, 0, &its, NULL) == -1 && errno == EINVAL);
	its.it_value.tv_nsec = 0;
	its.it_value.tv_sec = -1;
	EXPECT(timerfd_settime(fd, 0, &its, NULL) == -1 && errno == EINVAL);
	its.it_value.tv_sec = 1;
	EXPECT(timerfd_settime(fd, 0x10, &its, NULL) == -1 && errno == EINVAL);
	EXPECT(timerfd_settime(fd, 0, BADPTR, NULL) == -1 && errno == EFAULT);
	EXPECT(timerfd_settime(999, 0, &its, NULL) == -1 && errno == EBADF);
	EXPECT(timerfd_settime(p[0], 0, &its, NULL) == -1 && errno == EINVAL);
	EXPECT(timerfd_gettime(p[0], &its) == -1 && errno == EINVAL);
	EXPECT(timerfd_gettime(fd, BADPTR) == -1 && errno == EFAULT);
	close(p[0]);
	close(p[1]);
	close(fd);
}

UT_CASE(signalfd_reads_blocked_signals, 0, 30)
{
	sigset_t set;
	struct signalfd_siginfo si[2];

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	ASSERT(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	ASSERT(fd >= 0);
	EXPECT(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	EXPECT(read(fd, si, sizeof(si[0])) == -1 && errno == EAGAIN);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	EXPECT(poll(&pfd, 1, 0) == 0);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	EXPECT(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
	/* Both in one read, lowest number first. */
	EXPECT(read(fd, si, sizeof(si)) == 2 * (long)sizeof(si[0]));
	EXPECT(si[0].ssi_signo == SIGUSR1 && si[1].ssi_signo == SIGUSR2);
	EXPECT(read(fd, si, sizeof(si)) == -1 && errno == EAGAIN);
	EXPECT(read(fd, si, 100) == -1 && errno == EINVAL);
	/* The mask can be changed through the fd. */
	sigset_t only2;
	sigemptyset(&only2);
	sigaddset(&only2, SIGUSR2);
	EXPECT(signalfd(fd, &only2, 0) == fd);
	kill(getpid(), SIGUSR1);
	EXPECT(read(fd, si, sizeof(si[0])) == -1 && errno == EAGAIN);
	/* ...but it is still pending: another signalfd for it reads it. */
	sigset_t only1;
	sigemptyset(&only1);
	sigaddset(&only1, SIGUSR1);
	int fd1 = signalfd(-1, &only1, SFD_NONBLOCK);
	EXPECT(read(fd1, si, sizeof(si[0])) == sizeof(si[0]) && si[0].ssi_signo == SIGUSR1);
	close(fd1);
	/* A blocking read (a fresh fd without O_NONBLOCK) waits for a child's signal. */
	int bfd = signalfd(-1, &only2, 0);
	ASSERT(bfd >= 0);
	pid_t parent = getpid(), pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		ut_sleep_ms(50);
		kill(parent, SIGUSR2);
		_exit(0);
	}
	EXPECT(read(bfd, si, sizeof(si[0])) == sizeof(si[0]) && si[0].ssi_signo == SIGUSR2);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	/* Errors. */
	/* A sigset size other than 8 (qemu-user does not check it). */
	EXPECT(ut_qemu_user || (syscall(SYS_signalfd4, -1, &set, 4, 0) == -1 && errno == EINVAL));
	EXPECT(signalfd(-1, &set, 0x1) == -1 && errno == EINVAL);
	EXPECT(signalfd(-1, BADPTR, 0) == -1 && errno == EFAULT);
	EXPECT(signalfd(999, &set, 0) == -1 && errno == EBADF);
	EXPECT(signalfd(0, &set, 0) == -1 && errno == EINVAL);
	close(bfd);
	close(fd);
	ASSERT(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
}
