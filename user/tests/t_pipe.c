// SPDX-License-Identifier: MIT
/* usertests: pipes and file descriptors — ping-pong, EOF, EPIPE, dup, readv/writev, errors. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ut.h"

UT_CASE(pipe_pingpong, 0, 60)
{
	int a[2], b[2];

	ASSERT(pipe(a) == 0 && pipe(b) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		unsigned char c;
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1) {
			c++;
			if (write(b[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	unsigned char c = 0;
	for (int i = 0; i < 1000; i++) {
		unsigned char back;
		if (!EXPECT(write(a[1], &c, 1) == 1 && read(b[0], &back, 1) == 1))
			break;
		if (!EXPECT(back == (unsigned char)(c + 1)))
			break;
		c = back;
	}
	close(a[1]);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(b[0]);
}

UT_CASE(pipe_eof, 0, 30)
{
	int p[2];
	char buf[16];

	ASSERT(pipe(p) == 0);
	EXPECT(write(p[1], "hello", 5) == 5);
	close(p[1]);
	EXPECT(read(p[0], buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0);
	EXPECT(read(p[0], buf, sizeof(buf)) == 0);
	close(p[0]);

	/* The last of several writers (a dup and a child) closing gives EOF. */
	ASSERT(pipe(p) == 0);
	int d = dup(p[1]);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		write(p[1], "abc", 3);
		_exit(0);
	}
	close(p[1]);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	EXPECT(read(p[0], buf, sizeof(buf)) == 3 && memcmp(buf, "abc", 3) == 0);
	EXPECT(write(d, "z", 1) == 1);
	close(d);
	EXPECT(read(p[0], buf, sizeof(buf)) == 1 && buf[0] == 'z');
	EXPECT(read(p[0], buf, sizeof(buf)) == 0);
	close(p[0]);

	/* A reader blocked on an empty pipe wakes with EOF when the writer closes. */
	ASSERT(pipe(p) == 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], buf, 1) == 0 ? 0 : 1);
	}
	ut_sleep_ms(30);
	close(p[1]);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(p[0]);
}

static void write_to_closed(void *arg)
{
	int *p = arg;

	write(p[1], "x", 1);
	_exit(1);
}

UT_CASE(pipe_epipe, 0, 30)
{
	int p[2];

	ASSERT(pipe(p) == 0);
	close(p[0]);
	signal(SIGPIPE, SIG_DFL);
	EXPECT(ut_killed_by(ut_in_child(write_to_closed, p), SIGPIPE));
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	EXPECT(write(p[1], "x", 1) == -1 && errno == EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);

	/* A writer blocked on a full pipe gets EPIPE when the reader goes away. */
	ASSERT(pipe(p) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		static char buf[4096];
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		for (;;)
			if (write(p[1], buf, sizeof(buf)) < 0)
				_exit(errno == EPIPE ? 0 : 1);
	}
	close(p[1]);
	ut_sleep_ms(50);
	close(p[0]);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
}

#define BIG (1 << 20)

UT_CASE(pipe_big, 0, 60)
{
	static unsigned char buf[8192];
	int p[2];

	ASSERT(pipe(p) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		unsigned char out[7919];
		size_t sent = 0;
		while (sent < BIG) {
			size_t n = BIG - sent < sizeof(out) ? BIG - sent : sizeof(out);
			for (size_t i = 0; i < n; i++)
				out[i] = (unsigned char)((sent + i) * 7 + ((sent + i) >> 13));
			size_t done = 0;
			while (done < n) {
				ssize_t w = write(p[1], out + done, n - done);
				if (w <= 0)
					_exit(1);
				done += (size_t)w;
			}
			sent += n;
		}
		_exit(0);
	}
	close(p[1]);
	size_t got = 0, want = 1;
	bool same = true;
	for (;;) {
		ssize_t n = read(p[0], buf, want);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			same &= buf[i] == (unsigned char)((got + (size_t)i) * 7 + ((got + (size_t)i) >> 13));
		got += (size_t)n;
		want = want * 3 % sizeof(buf) + 1;
	}
	EXPECT(got == BIG);
	EXPECT(same);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(p[0]);
}

UT_CASE(pipe_nonblock, 0, 30)
{
	int p[2];
	char buf[4096];

	ASSERT(pipe2(p, O_NONBLOCK) == 0);
	EXPECT(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	EXPECT((fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY);
	EXPECT((fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
	errno = 0;
	EXPECT(read(p[0], buf, sizeof(buf)) == -1 && errno == EAGAIN);
	memset(buf, 'q', sizeof(buf));
	size_t total = 0;
	ssize_t n;
	while ((n = write(p[1], buf, sizeof(buf))) > 0)
		total += (size_t)n;
	EXPECT(n == -1 && errno == EAGAIN);
	EXPECT(total >= 512);
	ut_diag("pipe capacity %zu bytes", total);
	size_t back = 0;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		back += (size_t)n;
	EXPECT(back == total);
	/* Clearing O_NONBLOCK with F_SETFL makes the read end block again (checked via EOF). */
	EXPECT(fcntl(p[0], F_SETFL, 0) == 0);
	EXPECT(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	close(p[1]);
	EXPECT(read(p[0], buf, 1) == 0);
	close(p[0]);
}

UT_CASE(dup, 0, 30)
{
	int p[2];
	char buf[8];

	ASSERT(pipe(p) == 0);
	int lowest = dup(p[0]);
	close(lowest); /* the lowest free slot */
	int d = dup(p[1]);
	EXPECT(d == lowest);
	EXPECT(write(d, "ab", 2) == 2);
	EXPECT(read(p[0], buf, sizeof(buf)) == 2 && memcmp(buf, "ab", 2) == 0);
	EXPECT(dup3(p[1], 20, O_CLOEXEC) == 20);
	EXPECT(fcntl(20, F_GETFD) == FD_CLOEXEC);
	EXPECT(fcntl(d, F_GETFD) == 0);
	errno = 0;
	EXPECT(dup3(p[1], p[1], 0) == -1 && errno == EINVAL);
	int f = fcntl(p[1], F_DUPFD, 30);
	EXPECT(f >= 30);
	EXPECT(dup2(p[1], p[1]) == p[1]);
	/* dup2 onto an open fd closes it first. */
	int q[2];
	ASSERT(pipe(q) == 0);
	EXPECT(dup2(p[1], q[1]) == q[1]);
	EXPECT(read(q[0], buf, 1) == 0); /* q's only writer is gone */
	EXPECT(write(q[1], "c", 1) == 1);  /* q[1] now writes into p */
	EXPECT(read(p[0], buf, 1) == 1 && buf[0] == 'c');
	close(q[0]);
	close(q[1]);
	close(p[1]);
	close(d);
	close(20);
	close(f);
	EXPECT(read(p[0], buf, sizeof(buf)) == 0);
	close(p[0]);
}

UT_CASE(readv_writev, 0, 30)
{
	int p[2];
	char a[2], b[10];
	struct iovec out[3] = { { "ab", 2 }, { "", 0 }, { "cdef", 4 } };
	struct iovec in[2] = { { a, sizeof(a) }, { b, sizeof(b) } };

	ASSERT(pipe(p) == 0);
	EXPECT(writev(p[1], out, 3) == 6);
	EXPECT(readv(p[0], in, 2) == 6);
	EXPECT(memcmp(a, "ab", 2) == 0 && memcmp(b, "cdef", 4) == 0);
	close(p[0]);
	close(p[1]);
}

UT_CASE(lseek_pipe, 0, 30)
{
	int p[2];

	ASSERT(pipe(p) == 0);
	errno = 0;
	EXPECT(lseek(p[0], 0, SEEK_SET) == -1 && errno == ESPIPE);
	errno = 0;
	EXPECT(lseek(p[1], 0, SEEK_CUR) == -1 && errno == ESPIPE);
	close(p[0]);
	close(p[1]);
}

UT_CASE(bad_fd, 0, 30)
{
	int p[2];
	char c = 0;
	struct stat st;

#define EXPECT_EBADF(call) (errno = 0, EXPECT((call) == -1 && errno == EBADF))
	EXPECT_EBADF(close(-1));
	EXPECT_EBADF(close(999));
	EXPECT_EBADF(read(999, &c, 1));
	EXPECT_EBADF(write(999, &c, 1));
	EXPECT_EBADF(dup(999));
	EXPECT_EBADF(fstat(999, &st));
	EXPECT_EBADF(lseek(999, 0, SEEK_SET));
	EXPECT_EBADF(fcntl(999, F_GETFD));
	ASSERT(pipe(p) == 0);
	EXPECT_EBADF(write(p[0], &c, 1));
	EXPECT_EBADF(read(p[1], &c, 1));
	EXPECT(close(p[0]) == 0);
	EXPECT_EBADF(close(p[0]));
	close(p[1]);
}
