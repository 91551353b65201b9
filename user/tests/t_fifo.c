// SPDX-License-Identifier: MIT
/*
 * Named FIFO cases (fifo_*): mkfifo and mknod S_IFIFO, Linux's open rules
 * (a blocking open waits for the other end, O_WRONLY|O_NONBLOCK without a
 * reader is ENXIO, O_RDONLY|O_NONBLOCK and O_RDWR never wait), data, EOF and
 * EPIPE, an open interrupted by a signal, poll, and the bad arguments. They
 * run on whatever "/" is (ext2 or the initramfs); all pass under
 * qemu-riscv64 against the host's Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ut.h"

#define D "/tmp/ut_fifo"
#define F D "/f"
#define BAD ((void *)0xffffffc080200000UL)

static bool err_is(long r, int e)
{
	if (r == -1 && errno == e)
		return true;
	ut_diag("ret %ld errno %d (%s), wanted %d (%s)", r, errno, strerror(errno), e,
		strerror(e));
	return false;
}

#define EXPECT_ERR(call, e) (errno = 0, EXPECT(err_is((long)(call), (e))))

static void cleanup(void)
{
	unlink(F);
	unlink(D "/g");
	unlink(D "/blk");
	rmdir(D);
}

static bool fresh(void)
{
	cleanup();
	if (mkdir(D, 0755) != 0 || mkfifo(F, 0666) != 0) {
		ut_diag("mkfifo %s: %s", F, strerror(errno));
		return false;
	}
	return true;
}

/*
 * fork, keeping in the child the write end of a pipe whose read end *alive
 * gets: the end closes when the child exits, so still_running() can ask
 * without reaping it.
 */
static pid_t fork_watched(int *alive)
{
	int p[2];

	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		return 0;
	}
	close(p[1]);
	*alive = p[0];
	return pid;
}

static bool still_running(int alive)
{
	struct pollfd pf = { .fd = alive, .events = POLLIN };

	return poll(&pf, 1, 0) == 0;
}

UT_CASE(fifo_mkfifo_and_mknod, 0, 30)
{
	struct stat st;
	mode_t old = umask(022);

	ASSERT(fresh());
	EXPECT(stat(F, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0644);
	EXPECT(st.st_size == 0);
	EXPECT_ERR(mkfifo(F, 0644), EEXIST);
	EXPECT(mknod(D "/g", S_IFIFO | 0600, 0) == 0);
	EXPECT(stat(D "/g", &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0600);
	EXPECT(unlink(D "/g") == 0);
	/* Bad arguments. */
	EXPECT_ERR(syscall(SYS_mknodat, AT_FDCWD, BAD, S_IFIFO | 0600, 0), EFAULT);
	EXPECT_ERR(mknod(D "/g", 0160000 | 0600, 0), EINVAL); /* no such file type */
	EXPECT_ERR(mknod(D "/g", S_IFDIR | 0700, 0), EPERM);
	EXPECT_ERR(mkfifo(D "/none/g", 0600), ENOENT);
	/* lseek on a FIFO: ESPIPE. */
	int fd = open(F, O_RDWR);
	if (EXPECT(fd >= 0)) {
		EXPECT_ERR(lseek(fd, 0, SEEK_SET), ESPIPE);
		EXPECT(fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode));
		close(fd);
	}
	umask(old);
	cleanup();
}

UT_CASE(fifo_nonblocking_opens, 0, 30)
{
	char buf[16];

	ASSERT(fresh());
	/* A writer with no reader: ENXIO, nothing waits. */
	EXPECT_ERR(open(F, O_WRONLY | O_NONBLOCK), ENXIO);
	/* A reader never waits when asked not to; then a writer may come. */
	int r = open(F, O_RDONLY | O_NONBLOCK);
	ASSERT(r >= 0);
	EXPECT(read(r, buf, sizeof(buf)) == 0); /* no writer yet: end of file */
	int w = open(F, O_WRONLY | O_NONBLOCK);
	ASSERT(w >= 0);
	EXPECT_ERR(read(r, buf, sizeof(buf)), EAGAIN); /* a writer, no data */
	EXPECT(write(w, "hello", 5) == 5);
	EXPECT(read(r, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5));
	/* Two openers share one pipe. */
	int w2 = open(F, O_WRONLY | O_NONBLOCK);
	ASSERT(w2 >= 0);
	EXPECT(write(w2, "x", 1) == 1 && write(w, "y", 1) == 1);
	EXPECT(read(r, buf, sizeof(buf)) == 2 && buf[0] == 'x' && buf[1] == 'y');
	close(w2);
	close(w);
	EXPECT(read(r, buf, sizeof(buf)) == 0); /* every writer gone: EOF */
	close(r);
	/* A writer whose reader left: EPIPE (SIGPIPE ignored here). */
	signal(SIGPIPE, SIG_IGN);
	r = open(F, O_RDONLY | O_NONBLOCK);
	w = open(F, O_WRONLY | O_NONBLOCK);
	ASSERT(r >= 0 && w >= 0);
	close(r);
	EXPECT_ERR(write(w, "z", 1), EPIPE);
	close(w);
	signal(SIGPIPE, SIG_DFL);
	cleanup();
}

UT_CASE(fifo_rdwr_never_waits_and_last_close_discards, 0, 30)
{
	char buf[8];

	ASSERT(fresh());
	int fd = open(F, O_RDWR);
	ASSERT(fd >= 0);
	EXPECT(write(fd, "abc", 3) == 3);
	EXPECT(read(fd, buf, 2) == 2 && buf[0] == 'a' && buf[1] == 'b');
	close(fd);
	/* What was left unread went with the last close. */
	fd = open(F, O_RDWR | O_NONBLOCK);
	ASSERT(fd >= 0);
	EXPECT_ERR(read(fd, buf, sizeof(buf)), EAGAIN);
	close(fd);
	cleanup();
}

static void reader_child(void)
{
	char buf[16];
	int fd = open(F, O_RDONLY); /* waits for the writer */

	if (fd < 0)
		_exit(10);
	ssize_t n = read(fd, buf, sizeof(buf));
	_exit(n == 4 && !memcmp(buf, "ping", 4) ? 0 : 11);
}

static void writer_child(void)
{
	int fd = open(F, O_WRONLY); /* waits for the reader */

	if (fd < 0)
		_exit(10);
	_exit(write(fd, "pong", 4) == 4 ? 0 : 11);
}

UT_CASE(fifo_blocking_open_waits_for_the_other_end, 0, 30)
{
	char buf[8];

	ASSERT(fresh());
	/* A reader waits for a writer... */
	int alive = -1;
	pid_t pid = fork_watched(&alive);
	if (pid == 0)
		reader_child();
	ut_sleep_ms(150);
	EXPECT(still_running(alive));
	close(alive);
	int w = open(F, O_WRONLY); /* a reader is there: no wait */
	ASSERT(w >= 0);
	EXPECT(write(w, "ping", 4) == 4);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(w);
	/* ...and a writer for a reader. */
	pid = fork_watched(&alive);
	if (pid == 0)
		writer_child();
	ut_sleep_ms(150);
	EXPECT(still_running(alive));
	close(alive);
	int r = open(F, O_RDONLY);
	ASSERT(r >= 0);
	EXPECT(read(r, buf, sizeof(buf)) == 4 && !memcmp(buf, "pong", 4));
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(r);
	cleanup();
}

static void on_usr1(int sig)
{
	(void)sig;
}

UT_CASE(fifo_waiting_open_counts_and_a_signal_interrupts_it, 0, 30)
{
	ASSERT(fresh());
	/* A reader waiting in open already counts: a non-blocking writer may open,
	 * and that lets the reader's open finish. */
	int alive = -1;
	pid_t pid = fork_watched(&alive);
	if (pid == 0) {
		int fd = open(F, O_RDONLY);
		_exit(fd >= 0 ? 0 : 1);
	}
	ut_sleep_ms(150);
	EXPECT(still_running(alive));
	close(alive);
	int w = open(F, O_WRONLY | O_NONBLOCK);
	EXPECT(w >= 0);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(w);
	/* A signal with a handler (no SA_RESTART) ends the wait with EINTR. */
	pid = fork_watched(&alive);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1 };

		sigaction(SIGUSR1, &sa, NULL);
		int fd = open(F, O_RDONLY);
		_exit(fd == -1 && errno == EINTR ? 0 : 1);
	}
	ut_sleep_ms(150);
	EXPECT(still_running(alive));
	close(alive);
	kill(pid, SIGUSR1);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	cleanup();
}

UT_CASE(fifo_interrupted_open_is_undone, 0, 30)
{
	ASSERT(fresh());
	int alive = -1;
	pid_t pid = fork_watched(&alive);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1 };

		sigaction(SIGUSR1, &sa, NULL);
		int fd = open(F, O_WRONLY); /* waits: no reader */
		if (fd != -1 || errno != EINTR)
			_exit(1);
		pause(); /* alive, but no longer a writer */
		_exit(0);
	}
	ut_sleep_ms(150);
	EXPECT(still_running(alive));
	close(alive);
	kill(pid, SIGUSR1);
	ut_sleep_ms(150);
	/* The interrupted writer is gone: a reader sees no writer (EOF at once). */
	int r = open(F, O_RDONLY | O_NONBLOCK);
	char c;
	EXPECT(r >= 0 && read(r, &c, 1) == 0);
	close(r);
	kill(pid, SIGKILL);
	EXPECT(ut_killed_by(ut_wait(pid), SIGKILL));
	cleanup();
}

UT_CASE(fifo_poll, 0, 30)
{
	ASSERT(fresh());
	int r = open(F, O_RDONLY | O_NONBLOCK);
	ASSERT(r >= 0);
	struct pollfd p = { .fd = r, .events = POLLIN };
	/* No writer has ever been there: not readable, and no POLLHUP yet (Linux). */
	EXPECT(poll(&p, 1, 0) == 0 && p.revents == 0);
	int w = open(F, O_WRONLY | O_NONBLOCK);
	ASSERT(w >= 0);
	struct pollfd q = { .fd = w, .events = POLLOUT };
	EXPECT(poll(&q, 1, 0) == 1 && q.revents == POLLOUT);
	EXPECT(write(w, "a", 1) == 1);
	EXPECT(poll(&p, 1, 0) == 1 && p.revents == POLLIN);
	close(w);
	/* Now the writer has come and gone: POLLHUP, with the byte still there. */
	EXPECT(poll(&p, 1, 0) == 1 && p.revents == (POLLIN | POLLHUP));
	close(r);
	cleanup();
}

/* ---- the other special files ------------------------------------------------------- */

static bool is_chr(const char *path, unsigned ma, unsigned mi)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == ma &&
	    minor(st.st_rdev) == mi && (st.st_mode & 0777) == 0666)
		return true;
	ut_diag("%s: not character device %u,%u mode 0666", path, ma, mi);
	return false;
}

UT_CASE(dev_full_random_urandom, 0, 30)
{
	unsigned char a[64], b[64], zero[64] = { 0 };
	int fd;

	EXPECT(is_chr("/dev/full", 1, 7));
	EXPECT(is_chr("/dev/random", 1, 8));
	EXPECT(is_chr("/dev/urandom", 1, 9));
	/* /dev/full: reads are zeros, writes fail with ENOSPC. */
	fd = open("/dev/full", O_RDWR);
	if (EXPECT(fd >= 0)) {
		memset(a, 0xff, sizeof(a));
		EXPECT(read(fd, a, sizeof(a)) == (ssize_t)sizeof(a) && !memcmp(a, zero, sizeof(a)));
		EXPECT_ERR(write(fd, "x", 1), ENOSPC);
		EXPECT(lseek(fd, 0, SEEK_SET) == 0);
		close(fd);
	}
	/* The generators: full reads of different bytes; writes are taken. */
	static const char *const rnd[] = { "/dev/random", "/dev/urandom" };
	for (int i = 0; i < 2; i++) {
		fd = open(rnd[i], O_RDWR);
		if (!EXPECT(fd >= 0))
			continue;
		EXPECT(read(fd, a, sizeof(a)) == (ssize_t)sizeof(a));
		EXPECT(read(fd, b, sizeof(b)) == (ssize_t)sizeof(b));
		EXPECT(memcmp(a, b, sizeof(a)) != 0 && memcmp(a, zero, sizeof(a)) != 0);
		EXPECT(write(fd, "seed", 4) == 4);
		EXPECT_ERR(read(fd, BAD, 16), EFAULT);
		/* Linux: /dev/random polls readable only, /dev/urandom has the default. */
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
		EXPECT(poll(&p, 1, 0) == 1 && p.revents == (i ? POLLIN | POLLOUT : POLLIN));
		close(fd);
	}
	/* /dev/tty: the controlling terminal, or ENXIO for a process without one. */
	EXPECT(is_chr("/dev/tty", 5, 0));
	fd = open("/dev/tty", O_RDWR);
	if (fd >= 0)
		EXPECT(isatty(fd));
	else
		EXPECT(errno == ENXIO);
	close(fd);
}
