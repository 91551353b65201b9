// SPDX-License-Identifier: MIT
/* usertests: AF_UNIX sockets — pairs, names, connections, messages, SCM_RIGHTS, options, errors. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

/* Opaque to the compiler, which would otherwise refuse the calls below. */
static void *volatile badptr = (void *)8;
#define BADPTR badptr

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

UT_CASE(unix_socketpair_stream, 0, 30)
{
	int sv[2];
	char buf[64];
	struct pollfd pfd;

	ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	EXPECT(write(sv[0], "hello", 5) == 5);
	EXPECT(send(sv[0], " world", 6, 0) == 6);
	/* A stream reads across the writes. */
	EXPECT(read(sv[1], buf, sizeof(buf)) == 11 && memcmp(buf, "hello world", 11) == 0);
	EXPECT(write(sv[1], "back", 4) == 4);
	EXPECT(recv(sv[0], buf, 2, 0) == 2 && memcmp(buf, "ba", 2) == 0);
	EXPECT(recv(sv[0], buf, sizeof(buf), MSG_PEEK) == 2 && memcmp(buf, "ck", 2) == 0);
	EXPECT(recv(sv[0], buf, sizeof(buf), 0) == 2 && memcmp(buf, "ck", 2) == 0);
	errno = 0;
	EXPECT(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
	pfd = (struct pollfd){ .fd = sv[1], .events = POLLIN | POLLOUT | POLLRDHUP };
	EXPECT(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT);
	/* shutdown(SHUT_WR): the peer reads EOF, sees POLLRDHUP; we get EPIPE. */
	EXPECT(shutdown(sv[0], SHUT_WR) == 0);
	EXPECT(poll(&pfd, 1, 0) == 1 && pfd.revents == (POLLIN | POLLOUT | POLLRDHUP));
	EXPECT(read(sv[1], buf, sizeof(buf)) == 0);
	EXPECT(send(sv[0], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE);
	/* The other way still works. */
	EXPECT(write(sv[1], "ok", 2) == 2);
	EXPECT(read(sv[0], buf, sizeof(buf)) == 2);
	/* The peer closing: POLLHUP, EOF, EPIPE with SIGPIPE. */
	close(sv[0]);
	EXPECT(poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLIN)) == (POLLHUP | POLLIN));
	EXPECT(read(sv[1], buf, sizeof(buf)) == 0);
	signal(SIGPIPE, SIG_IGN);
	EXPECT(write(sv[1], "x", 1) == -1 && errno == EPIPE);
	signal(SIGPIPE, SIG_DFL);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		(void)write(sv[1], "x", 1);
		_exit(0);
	}
	EXPECT(ut_killed_by(ut_wait(pid), SIGPIPE));
	close(sv[1]);
}

UT_CASE(unix_stream_blocking_and_big, 0, 60)
{
	enum { TOTAL = 1 << 20 };
	int sv[2];
	static char buf[65536];

	ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	EXPECT(fcntl(sv[0], F_GETFD) == FD_CLOEXEC);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		memset(buf, 'z', sizeof(buf));
		for (size_t sent = 0; sent < TOTAL;) {
			ssize_t n = write(sv[1], buf, sizeof(buf));
			if (n <= 0)
				_exit(1);
			sent += (size_t)n;
		}
		_exit(0);
	}
	close(sv[1]);
	size_t got = 0;
	bool all_z = true;
	for (;;) {
		ssize_t n = read(sv[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			all_z &= buf[i] == 'z';
		got += (size_t)n;
	}
	EXPECT(got == TOTAL && all_z);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(sv[0]);
	/* A non-blocking sender fills the buffer, then EAGAIN. */
	ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	size_t queued = 0;
	ssize_t n;
	while ((n = write(sv[0], buf, sizeof(buf))) > 0)
		queued += (size_t)n;
	EXPECT(n == -1 && errno == EAGAIN && queued >= 65536);
	struct pollfd pfd = { .fd = sv[0], .events = POLLOUT };
	EXPECT(poll(&pfd, 1, 0) == 0);
	while (read(sv[1], buf, sizeof(buf)) > 0)
		;
	EXPECT(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT);
	close(sv[0]);
	close(sv[1]);
}

UT_CASE(unix_dgram_and_seqpacket_messages, 0, 30)
{
	int types[2] = { SOCK_DGRAM, SOCK_SEQPACKET };
	char buf[16];

	for (int t = 0; t < 2; t++) {
		int sv[2];

		ASSERT(socketpair(AF_UNIX, types[t], 0, sv) == 0);
		EXPECT(send(sv[0], "one", 3, 0) == 3);
		EXPECT(send(sv[0], "twotwo", 6, 0) == 6);
		EXPECT(send(sv[0], "", 0, 0) == 0);
		/* Boundaries kept; a short buffer truncates (MSG_TRUNC gives the length). */
		EXPECT(recv(sv[1], buf, sizeof(buf), 0) == 3 && memcmp(buf, "one", 3) == 0);
		EXPECT(recv(sv[1], buf, 3, MSG_PEEK) == 3);
		EXPECT(recv(sv[1], buf, 3, MSG_TRUNC) == 6 && memcmp(buf, "two", 3) == 0);
		EXPECT(recv(sv[1], buf, sizeof(buf), 0) == 0);	/* the empty message */
		struct msghdr mh = { 0 };
		struct iovec iov = { buf, 2 };
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		EXPECT(send(sv[0], "abc", 3, 0) == 3);
		EXPECT(recvmsg(sv[1], &mh, 0) == 2 && (mh.msg_flags & MSG_TRUNC));
		errno = 0;
		EXPECT(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
		close(sv[0]);
		if (types[t] == SOCK_SEQPACKET)
			EXPECT(recv(sv[1], buf, sizeof(buf), 0) == 0);
		close(sv[1]);
	}
}

UT_CASE(unix_path_bind_listen_connect, 0, 30)
{
	const char *path = "/tmp/ut_unix_sock";
	struct sockaddr_un a, got;
	socklen_t alen = path_addr(&a, path), glen;
	struct stat st;
	char buf[16];

	unlink(path);
	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT(srv >= 0);
	ASSERT(bind(srv, (struct sockaddr *)&a, alen) == 0);
	EXPECT(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	/* Bound already: the name exists (EADDRINUSE, checked first, as Linux)... */
	errno = 0;
	EXPECT(bind(srv, (struct sockaddr *)&a, alen) == -1 && errno == EADDRINUSE);
	/* ...or not: EINVAL, and the node made on the way is gone again. */
	struct sockaddr_un a2;
	socklen_t a2len = path_addr(&a2, "/tmp/ut_unix_sock2");
	unlink(a2.sun_path);
	EXPECT(bind(srv, (struct sockaddr *)&a2, a2len) == -1 && errno == EINVAL);
	EXPECT(unlink(a2.sun_path) == -1 && errno == ENOENT);
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT(bind(other, (struct sockaddr *)&a, alen) == -1 && errno == EADDRINUSE);
	/* Not listening yet. */
	EXPECT(connect(other, (struct sockaddr *)&a, alen) == -1 && errno == ECONNREFUSED);
	ASSERT(listen(srv, 4) == 0);
	glen = sizeof(got);
	EXPECT(getsockname(srv, (struct sockaddr *)&got, &glen) == 0 && glen == alen &&
	       strcmp(got.sun_path, path) == 0);
	/* A connect completes before the accept (it queues). */
	int cli = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT(cli >= 0);
	ASSERT(connect(cli, (struct sockaddr *)&a, alen) == 0);
	EXPECT(connect(cli, (struct sockaddr *)&a, alen) == -1 && errno == EISCONN);
	struct pollfd pfd = { .fd = srv, .events = POLLIN };
	EXPECT(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
	glen = sizeof(got);
	int conn = accept4(srv, (struct sockaddr *)&got, &glen, SOCK_CLOEXEC | SOCK_NONBLOCK);
	ASSERT(conn >= 0);
	EXPECT(glen == sizeof(sa_family_t) && got.sun_family == AF_UNIX);	/* unbound client */
	EXPECT(fcntl(conn, F_GETFD) == FD_CLOEXEC && (fcntl(conn, F_GETFL) & O_NONBLOCK));
	EXPECT(write(cli, "ping", 4) == 4);
	EXPECT(read(conn, buf, sizeof(buf)) == 4 && memcmp(buf, "ping", 4) == 0);
	/* Names: the accepted socket has the listener's, the client's peer is it. */
	glen = sizeof(got);
	EXPECT(getpeername(cli, (struct sockaddr *)&got, &glen) == 0 &&
	       strcmp(got.sun_path, path) == 0);
	glen = sizeof(got);
	EXPECT(getsockname(conn, (struct sockaddr *)&got, &glen) == 0 &&
	       strcmp(got.sun_path, path) == 0);
	glen = sizeof(got);
	EXPECT(getpeername(srv, (struct sockaddr *)&got, &glen) == -1 && errno == ENOTCONN);
	/* SO_PEERCRED: the other end's process. */
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	EXPECT(getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &crl) == 0 && crl == sizeof(cr) &&
	       cr.pid == getpid());
	/* A blocking accept waits for a child's connect. */
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		ut_sleep_ms(30);
		if (connect(c, (struct sockaddr *)&a, alen) != 0 || write(c, "k", 1) != 1)
			_exit(1);
		_exit(0);
	}
	int c2 = accept(srv, NULL, NULL);
	EXPECT(c2 >= 0 && read(c2, buf, 1) == 1 && buf[0] == 'k');
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(c2);
	close(conn);
	close(cli);
	close(srv);
	/* The name stays on disk; nobody listens there now. */
	int late = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT(connect(late, (struct sockaddr *)&a, alen) == -1 && errno == ECONNREFUSED);
	EXPECT(unlink(path) == 0);
	EXPECT(connect(late, (struct sockaddr *)&a, alen) == -1 && errno == ENOENT);
	/* A regular file is no socket. */
	struct sockaddr_un f;
	socklen_t flen = path_addr(&f, ut_self);
	EXPECT(connect(late, (struct sockaddr *)&f, flen) == -1 && errno == ECONNREFUSED);
	close(late);
	close(other);
}

UT_CASE(unix_abstract_autobind_dgram, 0, 30)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX }, from;
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 1 + 9, flen;
	char buf[16];

	memcpy(a.sun_path, "\0ut-abstr", 10);
	int srv = socket(AF_UNIX, SOCK_DGRAM, 0), cli = socket(AF_UNIX, SOCK_DGRAM, 0);
	ASSERT(srv >= 0 && cli >= 0);
	ASSERT(bind(srv, (struct sockaddr *)&a, alen) == 0);
	int dup_name = socket(AF_UNIX, SOCK_DGRAM, 0);
	errno = 0;
	EXPECT(bind(dup_name, (struct sockaddr *)&a, alen) == -1 && errno == EADDRINUSE);
	close(dup_name);
	/* Autobind: five hex digits in the abstract namespace. */
	struct sockaddr_un me = { .sun_family = AF_UNIX };
	ASSERT(bind(cli, (struct sockaddr *)&me, sizeof(sa_family_t)) == 0);
	flen = sizeof(me);
	EXPECT(getsockname(cli, (struct sockaddr *)&me, &flen) == 0 && flen == 8 &&
	       me.sun_path[0] == 0);
	EXPECT(sendto(cli, "dg", 2, 0, (struct sockaddr *)&a, alen) == 2);
	flen = sizeof(from);
	EXPECT(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 2);
	EXPECT(flen == 8 && memcmp(from.sun_path, me.sun_path, 6) == 0);
	/* Reply to the sender's name. */
	EXPECT(sendto(srv, "re", 2, 0, (struct sockaddr *)&from, flen) == 2);
	EXPECT(recv(cli, buf, sizeof(buf), 0) == 2 && memcmp(buf, "re", 2) == 0);
	/* connect sets the default peer; AF_UNSPEC forgets it. */
	ASSERT(connect(cli, (struct sockaddr *)&a, alen) == 0);
	EXPECT(send(cli, "c", 1, 0) == 1);
	EXPECT(recv(srv, buf, sizeof(buf), 0) == 1);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	EXPECT(connect(cli, &unspec, sizeof(unspec)) == 0);
	EXPECT(send(cli, "c", 1, 0) == -1 && errno == ENOTCONN);
	/* A full receiver: the sender would block. */
	int n = 0;
	while (sendto(cli, "f", 1, MSG_DONTWAIT, (struct sockaddr *)&a, alen) == 1 && n < 100000)
		n++;
	EXPECT(errno == EAGAIN && n >= 1);
	close(srv);
	/* Nobody bound there any more. */
	EXPECT(sendto(cli, "x", 1, 0, (struct sockaddr *)&a, alen) == -1 && errno == ECONNREFUSED);
	close(cli);
}

UT_CASE(unix_scm_rights_and_credentials, 0, 30)
{
	int sv[2], p[2];
	char buf[16];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct msghdr mh = { 0 };
	struct iovec iov = { buf, 1 };

	ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(p) == 0);
	/* Send the pipe's read end. */
	buf[0] = 'F';
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.b;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[0], sizeof(int));
	EXPECT(sendmsg(sv[0], &mh, 0) == 1);
	close(p[0]);
	/* Receive it, close-on-exec, and read through it. */
	memset(&ctl, 0, sizeof(ctl));
	mh.msg_controllen = sizeof(ctl.b);
	EXPECT(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC) == 1 && buf[0] == 'F');
	c = CMSG_FIRSTHDR(&mh);
	int got = -1;
	if (EXPECT(c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		   c->cmsg_len == CMSG_LEN(sizeof(int))))
		memcpy(&got, CMSG_DATA(c), sizeof(int));
	EXPECT(got >= 0 && fcntl(got, F_GETFD) == FD_CLOEXEC);
	EXPECT(write(p[1], "via", 3) == 3);
	EXPECT(got >= 0 && read(got, buf, sizeof(buf)) == 3 && memcmp(buf, "via", 3) == 0);
	close(got);
	/* No room for the files: MSG_CTRUNC, and they are closed. */
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[1], sizeof(int));
	EXPECT(sendmsg(sv[0], &mh, 0) == 1);
	mh.msg_controllen = 0;
	mh.msg_control = NULL;
	EXPECT(recvmsg(sv[1], &mh, 0) == 1 && (mh.msg_flags & MSG_CTRUNC));
	/* Bad control data. */
	mh.msg_control = ctl.b;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	int bad = 999;
	memcpy(CMSG_DATA(c), &bad, sizeof(int));
	errno = 0;
	EXPECT(sendmsg(sv[0], &mh, 0) == -1 && errno == EBADF);
	c->cmsg_type = 77;
	EXPECT(sendmsg(sv[0], &mh, 0) == -1 && errno == EINVAL);
	EXPECT(sendmsg(sv[0], BADPTR, 0) == -1 && errno == EFAULT);
	/* SCM_CREDENTIALS with SO_PASSCRED on the receiver. */
	int on = 1;
	EXPECT(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0);
	EXPECT(write(sv[0], "c", 1) == 1);
	memset(&ctl, 0, sizeof(ctl));
	mh.msg_controllen = sizeof(ctl.b);
	EXPECT(recvmsg(sv[1], &mh, 0) == 1);
	c = CMSG_FIRSTHDR(&mh);
	struct ucred cr = { 0 };
	if (EXPECT(c && c->cmsg_type == SCM_CREDENTIALS &&
		   c->cmsg_len == CMSG_LEN(sizeof(struct ucred))))
		memcpy(&cr, CMSG_DATA(c), sizeof(cr));
	EXPECT(cr.pid == getpid() && cr.uid == getuid() && cr.gid == getgid());
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

UT_CASE(unix_sockopts_and_errors, 0, 30)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0), p[2], v;
	socklen_t l = sizeof(v);

	ASSERT(s >= 0 && d >= 0 && pipe(p) == 0);
	EXPECT(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_STREAM);
	l = sizeof(v);
	EXPECT(getsockopt(d, SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_DGRAM);
	l = sizeof(v);
	EXPECT(getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &l) == 0 && v == 0);
	l = sizeof(v);
	EXPECT(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0 && v == 212992);
	v = 10000;
	EXPECT(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	l = sizeof(v);
	EXPECT(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l) == 0 && v == 20000);
	v = 1;
	EXPECT(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	l = sizeof(v);
	EXPECT(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0 && v == 4608);
	errno = 0;
	EXPECT(getsockopt(s, SOL_SOCKET, 9999, &v, &l) == -1 && errno == ENOPROTOOPT);
	EXPECT(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, 2) == -1 && errno == EINVAL);
	EXPECT(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &l) == -1 && errno == ENOTSOCK);
	EXPECT(getsockopt(999, SOL_SOCKET, SO_TYPE, &v, &l) == -1 && errno == EBADF);
	EXPECT(getsockopt(s, SOL_SOCKET, SO_TYPE, BADPTR, &l) == -1 && errno == EFAULT);
	/* socket() arguments. */
	EXPECT(socket(200, SOCK_STREAM, 0) == -1 && errno == EAFNOSUPPORT);
	EXPECT(socket(AF_UNIX, 9, 0) == -1 && errno == ESOCKTNOSUPPORT);
	EXPECT(socket(AF_UNIX, SOCK_STREAM, 7) == -1 && errno == EPROTONOSUPPORT);
	/* Unknown flag bits (qemu-user drops them first). */
	EXPECT(ut_qemu_user || (socket(AF_UNIX, SOCK_STREAM | 0x100000, 0) == -1 && errno == EINVAL));
	/* Operations in the wrong state. */
	char b[4];
	EXPECT(listen(d, 1) == -1 && errno == EOPNOTSUPP);
	EXPECT(listen(s, 1) == -1 && errno == EINVAL);	/* not bound */
	EXPECT(accept(s, NULL, NULL) == -1 && errno == EINVAL);
	EXPECT(recv(s, b, 4, MSG_DONTWAIT) == -1 && errno == EINVAL);
	EXPECT(send(s, "x", 1, MSG_DONTWAIT) == -1 && errno == ENOTCONN);
	EXPECT(send(d, "x", 1, 0) == -1 && errno == ENOTCONN);
	EXPECT(shutdown(s, 7) == -1 && errno == EINVAL);
	EXPECT(shutdown(s, SHUT_RDWR) == 0);
	EXPECT(accept4(s, NULL, NULL, 0x1) == -1 && errno == EINVAL);
	EXPECT(send(p[1], "x", 1, 0) == -1 && errno == ENOTSOCK);
	struct sockaddr_un a = { .sun_family = AF_INET };
	EXPECT(bind(d, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EINVAL);
	EXPECT(bind(d, (struct sockaddr *)&a, 1) == -1 && errno == EINVAL);
	EXPECT(bind(d, BADPTR, sizeof(a)) == -1 && errno == EFAULT);
	struct sockaddr_un nowhere;
	socklen_t nl = path_addr(&nowhere, "/tmp/ut_no_such_socket");
	EXPECT(connect(s, (struct sockaddr *)&nowhere, nl) == -1 && errno == ENOENT);
	/* A stream socket cannot connect to a datagram one. */
	struct sockaddr_un ab = { .sun_family = AF_UNIX };
	memcpy(ab.sun_path, "\0ut-dg", 6);
	socklen_t abl = offsetof(struct sockaddr_un, sun_path) + 6;
	EXPECT(bind(d, (struct sockaddr *)&ab, abl) == 0);
	int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT(connect(s2, (struct sockaddr *)&ab, abl) == -1 &&
	       (errno == ECONNREFUSED || errno == EPROTOTYPE));
	close(s2);
	struct stat st;
	EXPECT(fstat(s, &st) == 0 && S_ISSOCK(st.st_mode));
	close(s);
	close(d);
	close(p[0]);
	close(p[1]);
}
