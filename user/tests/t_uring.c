// SPDX-License-Identifier: MIT
/* usertests: io_uring over the raw syscalls — setup, rings, NOP, read/write, poll, timeouts,
 * cancel, registered files and buffers, hostile ring contents, close and exit in flight. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uring_raw.h"
#include "ut.h"

/* qemu-user has no io_uring: these cases run on this kernel only. */
#define NEED_URING()                                                                      \
	do {                                                                              \
		if (ut_qemu_user) {                                                       \
			ut_diag("skip: qemu-user has no io_uring");                      \
			return;                                                           \
		}                                                                         \
	} while (0)

static volatile unsigned long bad_addr = 8;

UT_CASE(uring_setup_and_errors, 0, 30)
{
	struct io_uring_params p;
	struct uraw u;

	NEED_URING();
	memset(&p, 0, sizeof(p));
	errno = 0;
	EXPECT(syscall(__NR_io_uring_setup, 0, &p) == -1 && errno == EINVAL);
	EXPECT(syscall(__NR_io_uring_setup, 100000, &p) == -1 && errno == EINVAL);
	EXPECT(syscall(__NR_io_uring_setup, 4, (void *)bad_addr) == -1 && errno == EFAULT);
	p.flags = 1u << 31;	/* no such flag */
	EXPECT(syscall(__NR_io_uring_setup, 4, &p) == -1 && errno == EINVAL);
	memset(&p, 0, sizeof(p));
	p.resv[1] = 1;
	EXPECT(syscall(__NR_io_uring_setup, 4, &p) == -1 && errno == EINVAL);
	/* CLAMP, CQSIZE and the sizes reported. */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CLAMP | IORING_SETUP_CQSIZE;
	p.cq_entries = 1000000;
	ASSERT(uraw_setup_params(&u, 100000, &p) == 0);
	EXPECT(u.sq_entries == 32768 && u.cq_entries == 65536);
	uraw_exit(&u);
	/* A CQ smaller than the SQ is refused. */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 2;
	EXPECT(syscall(__NR_io_uring_setup, 8, &p) == -1 && errno == EINVAL);
	memset(&p, 0, sizeof(p));
	ASSERT(uraw_setup_params(&u, 5, &p) == 0);
	EXPECT(u.sq_entries == 8 && u.cq_entries == 16);
	EXPECT(p.features & IORING_FEAT_SINGLE_MMAP && p.features & IORING_FEAT_NODROP &&
	       p.features & IORING_FEAT_EXT_ARG);
	EXPECT(fcntl(u.fd, F_GETFD) == FD_CLOEXEC);
	/* mmap at an offset that is none of the three. */
	EXPECT(mmap(NULL, 4096, PROT_READ, MAP_SHARED, u.fd, 0x4000000) == MAP_FAILED &&
	       errno == EINVAL);
	/* io_uring_enter: bad flags, bad fd, not a ring. */
	EXPECT(syscall(__NR_io_uring_enter, u.fd, 0, 0, 0x100, NULL, 0) == -1 && errno == EINVAL);
	EXPECT(syscall(__NR_io_uring_enter, 999, 0, 0, 0, NULL, 0) == -1 && errno == EBADF);
	EXPECT(syscall(__NR_io_uring_enter, 0, 0, 0, 0, NULL, 0) == -1 && errno == EOPNOTSUPP);
	/* register: unknown op, probe. */
	EXPECT(syscall(__NR_io_uring_register, u.fd, 9999, NULL, 0) == -1 && errno == EINVAL);
	struct {
		struct io_uring_probe h;
		struct io_uring_probe_op ops[64];
	} probe;
	memset(&probe, 0, sizeof(probe));
	EXPECT(syscall(__NR_io_uring_register, u.fd, IORING_REGISTER_PROBE, &probe, 64) == 0);
	EXPECT(probe.h.ops_len == 58 || probe.h.ops_len == 64);
	EXPECT(probe.ops[IORING_OP_NOP].flags & IO_URING_OP_SUPPORTED);
	EXPECT(probe.ops[IORING_OP_READ].flags & IO_URING_OP_SUPPORTED);
	EXPECT(!(probe.ops[IORING_OP_SPLICE].flags & IO_URING_OP_SUPPORTED));
	uraw_exit(&u);
}

UT_CASE(uring_nop_batches_and_hostile_sqes, 0, 30)
{
	struct io_uring_cqe c;
	struct uraw u;

	NEED_URING();
	ASSERT(uraw_setup(&u, 32) == 0);
	for (int i = 0; i < 32; i++) {
		struct io_uring_sqe *s = uraw_sqe(&u);
		ASSERT(s);
		s->opcode = IORING_OP_NOP;
		s->user_data = 1000 + (unsigned)i;
	}
	EXPECT(!uraw_sqe(&u));	/* the SQ ring is full */
	EXPECT(uraw_submit_wait(&u, 32) == 32);
	int n = 0, in_order = 1;
	while (uraw_peek(&u, &c)) {
		in_order &= c.user_data == 1000 + (unsigned)n && c.res == 0;
		n++;
	}
	EXPECT(n == 32 && in_order);
	/* Garbage: an unknown opcode, a bad fd, a bad buffer, bad flags. */
	struct io_uring_sqe *s = uraw_sqe(&u);
	s->opcode = 200;
	s->user_data = 1;
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_READ;
	s->fd = 999;
	s->user_data = 2;
	int p[2];
	ASSERT(pipe(p) == 0);
	EXPECT(write(p[1], "abc", 3) == 3);
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_READ;
	s->fd = p[0];
	s->addr = bad_addr;
	s->len = 3;
	s->user_data = 3;
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_NOP;
	s->flags = 0x80;
	s->user_data = 4;
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_READV;
	s->fd = p[0];
	s->addr = bad_addr;
	s->len = 1;
	s->user_data = 5;
	/* As Linux: an SQE that cannot even start (unknown opcode, bad flags) gets its CQE
	 * and ends the submission there; a bad fd or buffer is found when it runs. */
	unsigned pend = uraw_flush(&u);
	EXPECT(pend == 5);
	EXPECT(uraw_enter(&u, pend, 0, 0) == 1);
	EXPECT(uraw_enter(&u, 4, 0, 0) == 3);
	EXPECT(uraw_enter(&u, 1, 0, 0) == 1);
	int res[6] = { 0 };
	while (uraw_peek(&u, &c))
		if (c.user_data >= 1 && c.user_data <= 5)
			res[c.user_data] = c.res;
	EXPECT(res[1] == -EINVAL);
	EXPECT(res[2] == -EBADF);
	EXPECT(res[3] == -EFAULT);
	EXPECT(res[4] == -EINVAL);
	EXPECT(res[5] == -EFAULT);
	/* An index out of range in the SQ array is dropped and counted, no CQE. */
	unsigned dropped = *u.sq_dropped;
	unsigned idx = u.sq_local_tail & *u.sq_mask;
	u.sq_array[idx] = 12345;
	u.sq_local_tail++;
	EXPECT(uraw_enter(&u, uraw_flush(&u), 0, 0) == 0);
	EXPECT(*u.sq_dropped == dropped + 1 && !uraw_peek(&u, &c));
	/* A tail far ahead of the head: only what was asked is consumed. */
	__atomic_store_n(u.sq_tail, *u.sq_tail + 1000000, __ATOMIC_RELEASE);
	EXPECT(uraw_enter(&u, 2, 0, 0) == 2);
	u.sq_local_tail = *u.sq_tail = *u.sq_head;
	while (uraw_peek(&u, &c))
		;
	close(p[0]);
	close(p[1]);
	uraw_exit(&u);
}

UT_CASE(uring_read_write_files_and_pipes, 0, 30)
{
	struct io_uring_cqe c;
	struct uraw u;
	char buf[64];
	int p[2];

	NEED_URING();
	ASSERT(uraw_setup(&u, 8) == 0 && pipe(p) == 0);
	/* WRITE then READ on a pipe. */
	struct io_uring_sqe *s = uraw_sqe(&u);
	s->opcode = IORING_OP_WRITE;
	s->fd = p[1];
	s->addr = (uintptr_t)"hello";
	s->len = 5;
	s->off = (uint64_t)-1;
	EXPECT(uraw_submit_wait(&u, 1) == 1 && uraw_wait(&u, &c) == 0 && c.res == 5);
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_READ;
	s->fd = p[0];
	s->addr = (uintptr_t)buf;
	s->len = sizeof(buf);
	s->off = (uint64_t)-1;
	EXPECT(uraw_submit_wait(&u, 1) == 1 && uraw_wait(&u, &c) == 0 && c.res == 5 &&
	       memcmp(buf, "hello", 5) == 0);
	/* A READ that must wait: a child writes later. */
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_READ;
	s->fd = p[0];
	s->addr = (uintptr_t)buf;
	s->len = sizeof(buf);
	s->user_data = 77;
	EXPECT(uraw_submit_wait(&u, 0) == 1);
	EXPECT(!uraw_peek(&u, &c));
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		ut_sleep_ms(30);
		_exit(write(p[1], "later", 5) == 5 ? 0 : 1);
	}
	EXPECT(uraw_wait(&u, &c) == 0 && c.user_data == 77 && c.res == 5 &&
	       memcmp(buf, "later", 5) == 0);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	/* READV / WRITEV at an offset of a regular file. */
	int fd = open(ut_self, O_RDONLY);
	ASSERT(fd >= 0);
	char a[4], b[4], want[8];
	EXPECT(pread(fd, want, 8, 1) == 8);
	struct iovec iov[2] = { { a, 4 }, { b, 4 } };
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_READV;
	s->fd = fd;
	s->addr = (uintptr_t)iov;
	s->len = 2;
	s->off = 1;
	EXPECT(uraw_submit_wait(&u, 1) == 1 && uraw_wait(&u, &c) == 0 && c.res == 8 &&
	       memcmp(a, want, 4) == 0 && memcmp(b, want + 4, 4) == 0);
	/* Registered files and buffers: READ_FIXED through IOSQE_FIXED_FILE. */
	EXPECT(syscall(__NR_io_uring_register, u.fd, IORING_REGISTER_FILES, &fd, 1) == 0);
	struct iovec reg = { buf, sizeof(buf) };
	EXPECT(syscall(__NR_io_uring_register, u.fd, IORING_REGISTER_BUFFERS, &reg, 1) == 0);
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_READ_FIXED;
	s->fd = 0;	/* index 0 of the registered files */
	s->flags = IOSQE_FIXED_FILE;
	s->addr = (uintptr_t)buf;
	s->len = 8;
	s->off = 1;
	s->buf_index = 0;
	s->user_data = 1;
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_READ_FIXED;
	s->fd = 0;
	s->flags = IOSQE_FIXED_FILE;
	s->addr = (uintptr_t)buf + 60;	/* runs past the registered buffer */
	s->len = 8;
	s->user_data = 2;
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_READ;
	s->fd = 5;	/* no such registered file */
	s->flags = IOSQE_FIXED_FILE;
	s->addr = (uintptr_t)buf;
	s->len = 8;
	s->user_data = 3;
	EXPECT(uraw_submit_wait(&u, 3) == 3);
	int res[4] = { 0 };
	while (uraw_peek(&u, &c))
		if (c.user_data <= 3)
			res[c.user_data] = c.res;
	EXPECT(res[1] == 8 && memcmp(buf, want, 8) == 0);
	EXPECT(res[2] == -EFAULT);
	EXPECT(res[3] == -EBADF);
	EXPECT(syscall(__NR_io_uring_register, u.fd, IORING_UNREGISTER_FILES, NULL, 0) == 0);
	EXPECT(syscall(__NR_io_uring_register, u.fd, IORING_UNREGISTER_FILES, NULL, 0) == -1 &&
	       errno == ENXIO);
	/* CLOSE through the ring. */
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_CLOSE;
	s->fd = fd;
	EXPECT(uraw_submit_wait(&u, 1) == 1 && uraw_wait(&u, &c) == 0 && c.res == 0);
	EXPECT(fcntl(fd, F_GETFD) == -1 && errno == EBADF);
	close(p[0]);
	close(p[1]);
	uraw_exit(&u);
}

UT_CASE(uring_poll_timeouts_cancel_eventfd, 0, 30)
{
	struct io_uring_cqe c;
	struct uraw u;
	int p[2];

	NEED_URING();
	ASSERT(uraw_setup(&u, 16) == 0 && pipe(p) == 0);
	/* A TIMEOUT alone: -ETIME after the time. */
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 40000000 };
	struct io_uring_sqe *s = uraw_sqe(&u);
	s->opcode = IORING_OP_TIMEOUT;
	s->addr = (uintptr_t)&ts;
	s->len = 1;
	s->user_data = 9;
	int64_t t0 = ut_now_ns();
	EXPECT(uraw_submit_wait(&u, 1) == 1 && uraw_wait(&u, &c) == 0 && c.user_data == 9 &&
	       c.res == -ETIME);
	EXPECT(ut_now_ns() - t0 >= 40000000);
	/* A counting TIMEOUT ends with 0 when one other CQE comes first. */
	ts.tv_sec = 5;
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_TIMEOUT;
	s->addr = (uintptr_t)&ts;
	s->len = 1;
	s->off = 1;
	s->user_data = 10;
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_NOP;
	s->user_data = 11;
	EXPECT(uraw_submit_wait(&u, 2) == 2);
	int got10 = 99, got11 = 99;
	while (uraw_peek(&u, &c)) {
		if (c.user_data == 10)
			got10 = c.res;
		if (c.user_data == 11)
			got11 = c.res;
	}
	EXPECT(got10 == 0 && got11 == 0);
	/* POLL_ADD: pending until the pipe is readable. */
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_POLL_ADD;
	s->fd = p[0];
	s->poll32_events = POLLIN;
	s->user_data = 20;
	EXPECT(uraw_submit_wait(&u, 0) == 1);
	EXPECT(write(p[1], "x", 1) == 1);
	EXPECT(uraw_wait(&u, &c) == 0 && c.user_data == 20 && c.res == POLLIN);
	/* Cancel a pending POLL_ADD by ASYNC_CANCEL, another by POLL_REMOVE; a miss. */
	char ch;
	EXPECT(read(p[0], &ch, 1) == 1);
	for (int k = 0; k < 2; k++) {
		s = uraw_sqe(&u);
		s->opcode = IORING_OP_POLL_ADD;
		s->fd = p[0];
		s->poll32_events = POLLIN;
		s->user_data = 30 + (unsigned)k;
	}
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_ASYNC_CANCEL;
	s->addr = 30;
	s->user_data = 40;
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_POLL_REMOVE;
	s->addr = 31;
	s->user_data = 41;
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_ASYNC_CANCEL;
	s->addr = 12345;
	s->user_data = 42;
	EXPECT(uraw_submit_wait(&u, 5) == 5);
	int r[5] = { 9, 9, 9, 9, 9 };
	while (uraw_peek(&u, &c)) {
		if (c.user_data == 30) r[0] = c.res;
		if (c.user_data == 31) r[1] = c.res;
		if (c.user_data == 40) r[2] = c.res;
		if (c.user_data == 41) r[3] = c.res;
		if (c.user_data == 42) r[4] = c.res;
	}
	EXPECT(r[0] == -ECANCELED && r[1] == -ECANCELED && r[2] == 0 && r[3] == 0 &&
	       r[4] == -ENOENT);
	/* io_uring_enter with an EXT_ARG timeout: -ETIME when nothing comes. */
	struct io_uring_getevents_arg ga = { 0 };
	struct __kernel_timespec wt = { .tv_sec = 0, .tv_nsec = 20000000 };
	ga.ts = (uintptr_t)&wt;
	t0 = ut_now_ns();
	errno = 0;
	EXPECT(syscall(__NR_io_uring_enter, u.fd, 0, 1,
		       IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &ga, sizeof(ga)) == -1 &&
	       errno == ETIME);
	EXPECT(ut_now_ns() - t0 >= 20000000);
	EXPECT(syscall(__NR_io_uring_enter, u.fd, 0, 1,
		       IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &ga, 8) == -1 &&
	       errno == EINVAL);
	/* A registered eventfd counts the CQEs. */
	int efd = eventfd(0, EFD_NONBLOCK);
	ASSERT(efd >= 0);
	EXPECT(syscall(__NR_io_uring_register, u.fd, IORING_REGISTER_EVENTFD, &p[0], 1) == -1 &&
	       errno == EINVAL);
	EXPECT(syscall(__NR_io_uring_register, u.fd, IORING_REGISTER_EVENTFD, &efd, 1) == 0);
	for (int k = 0; k < 3; k++) {
		s = uraw_sqe(&u);
		s->opcode = IORING_OP_NOP;
	}
	EXPECT(uraw_submit_wait(&u, 3) == 3);
	uint64_t v = 0;
	EXPECT(read(efd, &v, 8) == 8 && v == 3);
	EXPECT(syscall(__NR_io_uring_register, u.fd, IORING_UNREGISTER_EVENTFD, NULL, 0) == 0);
	while (uraw_peek(&u, &c))
		;
	/* The ring fd polls readable while CQEs wait. */
	struct pollfd pf = { .fd = u.fd, .events = POLLIN };
	EXPECT(poll(&pf, 1, 0) == 0);
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_NOP;
	EXPECT(uraw_submit_wait(&u, 0) == 1);
	EXPECT(poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN));
	close(efd);
	close(p[0]);
	close(p[1]);
	uraw_exit(&u);
}

UT_CASE(uring_close_and_exit_with_requests_in_flight, 0, 30)
{
	NEED_URING();
	for (int round = 0; round < 2; round++) {
		pid_t pid = fork();
		ASSERT(pid >= 0);
		if (pid == 0) {
			struct uraw u;
			int p[2];
			static char buf[64];
			struct __kernel_timespec ts = { .tv_sec = 100 };

			if (uraw_setup(&u, 64) || pipe(p))
				_exit(1);
			for (int i = 0; i < 20; i++) {
				struct io_uring_sqe *s = uraw_sqe(&u);
				s->opcode = i % 2 ? IORING_OP_READ : IORING_OP_TIMEOUT;
				s->fd = p[0];
				s->addr = i % 2 ? (uintptr_t)buf : (uintptr_t)&ts;
				s->len = i % 2 ? sizeof(buf) : 1;
			}
			if (uraw_submit_wait(&u, 0) != 20)
				_exit(2);
			if (round == 0)
				uraw_exit(&u);	/* close with them in flight */
			_exit(0);	/* or exit with them in flight */
		}
		EXPECT(ut_exited_with(ut_wait(pid), 0));
	}
	/* A child that inherits a ring may not submit to it. */
	struct uraw u;
	ASSERT(uraw_setup(&u, 4) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0)
		_exit(uraw_enter(&u, 0, 0, 0) == -1 && errno == EEXIST ? 0 : 1);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	uraw_exit(&u);
}

UT_CASE(uring_sendmsg_recvmsg_connect, 0, 30)
{
	struct io_uring_cqe c;
	struct io_uring_sqe *s;
	struct uraw u;
	int sv[2], p[2];
	char buf[16] = "m", rbuf[16];

	NEED_URING();
	ASSERT(uraw_setup(&u, 8) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 &&
	       pipe(p) == 0);
	/* RECVMSG first (it waits), then SENDMSG with a file attached. */
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} sctl, rctl;
	struct iovec siov = { buf, 1 }, riov = { rbuf, sizeof(rbuf) };
	struct msghdr sm = { .msg_iov = &siov, .msg_iovlen = 1, .msg_control = sctl.b,
			     .msg_controllen = sizeof(sctl.b) };
	struct msghdr rm = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = rctl.b,
			     .msg_controllen = sizeof(rctl.b) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&sm);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &p[1], sizeof(int));
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_RECVMSG;
	s->fd = sv[1];
	s->addr = (uintptr_t)&rm;
	s->user_data = 1;
	EXPECT(uraw_submit_wait(&u, 0) == 1 && !uraw_peek(&u, &c));
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_SENDMSG;
	s->fd = sv[0];
	s->addr = (uintptr_t)&sm;
	s->user_data = 2;
	EXPECT(uraw_submit_wait(&u, 2) == 1);
	int res[3] = { 9, 9, 9 };
	for (int k = 0; k < 2 && uraw_wait(&u, &c) == 0; k++)
		if (c.user_data <= 2)
			res[c.user_data] = c.res;
	EXPECT(res[1] == 1 && res[2] == 1 && rbuf[0] == 'm');
	h = CMSG_FIRSTHDR(&rm);
	int got = -1;
	if (EXPECT(h && h->cmsg_type == SCM_RIGHTS))
		memcpy(&got, CMSG_DATA(h), sizeof(int));
	EXPECT(got >= 0 && write(got, "z", 1) == 1 && read(p[0], rbuf, 1) == 1 && rbuf[0] == 'z');
	if (got >= 0)
		close(got);
	/* CONNECT to an abstract listener; a name nobody has. */
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	memcpy(a.sun_path, "\0ut-uring-conn", 15);
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 15;
	int l = socket(AF_UNIX, SOCK_STREAM, 0), cl = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT(l >= 0 && cl >= 0 && bind(l, (struct sockaddr *)&a, alen) == 0 && listen(l, 1) == 0);
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_CONNECT;
	s->fd = cl;
	s->addr = (uintptr_t)&a;
	s->off = alen;
	EXPECT(uraw_submit_wait(&u, 1) == 1 && uraw_wait(&u, &c) == 0 && c.res == 0);
	int acc = accept(l, NULL, NULL);
	EXPECT(acc >= 0);
	a.sun_path[3] = 'X';
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_CONNECT;
	s->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	s->addr = (uintptr_t)&a;
	s->off = alen;
	EXPECT(uraw_submit_wait(&u, 1) == 1 && uraw_wait(&u, &c) == 0 && c.res == -ECONNREFUSED);
	close(acc);
	close(cl);
	close(l);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	uraw_exit(&u);
}
