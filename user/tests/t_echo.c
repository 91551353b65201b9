// SPDX-License-Identifier: MIT
/* usertests: an epoll echo server over AF_UNIX with 1,000 clients connected at once. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

enum { CLIENTS = 1000 };

static socklen_t echo_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));	/* abstract */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/* Accept, echo and close until `clients` connections have come and gone. */
static int epoll_echo_server(int lfd, int clients)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd }, evs[64];
	int ep = epoll_create1(EPOLL_CLOEXEC), closed = 0;
	char buf[256];

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		return 2;
	while (closed < clients) {
		int n = epoll_wait(ep, evs, 64, 10000);

		if (n <= 0)
			return 3;	/* stuck: 10 s without an event */
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd) {
				int c;

				while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					ev = (struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP,
								   .data.fd = c };
					if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev))
						return 4;
				}
				if (errno != EAGAIN)
					return 5;
				continue;
			}
			ssize_t r;
			while ((r = read(fd, buf, sizeof(buf))) > 0)
				if (write(fd, buf, (size_t)r) != r)
					return 6;
			if (r == 0) {
				close(fd);	/* the item goes with the last close */
				closed++;
			} else if (errno != EAGAIN) {
				return 7;
			}
		}
	}
	return 0;
}

UT_CASE(unix_epoll_echo_1000_clients, UT_SLOW, 120)
{
	static int cfd[CLIENTS];
	struct sockaddr_un a;
	socklen_t alen = echo_addr(&a, "ut-epoll-echo");
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ASSERT(lfd >= 0);
	ASSERT(bind(lfd, (struct sockaddr *)&a, alen) == 0 && listen(lfd, 128) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0)
		_exit(epoll_echo_server(lfd, CLIENTS));
	close(lfd);
	/* Every client connects (blocking while the backlog is full), then all talk. */
	int ok = 1;
	for (int i = 0; i < CLIENTS && ok; i++) {
		cfd[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		ok = cfd[i] >= 0 && connect(cfd[i], (struct sockaddr *)&a, alen) == 0;
	}
	EXPECT(ok);
	for (int i = 0; i < CLIENTS && ok; i++) {
		char msg[32];
		int len = snprintf(msg, sizeof(msg), "client %d", i);
		ok = write(cfd[i], msg, (size_t)len) == len;
	}
	EXPECT(ok);
	int good = 0;
	for (int i = 0; i < CLIENTS && ok; i++) {
		char msg[32], back[32];
		int len = snprintf(msg, sizeof(msg), "client %d", i);
		ssize_t got = 0, r;
		while (got < len && (r = read(cfd[i], back + got, sizeof(back) - (size_t)got)) > 0)
			got += r;
		good += got == len && memcmp(msg, back, (size_t)len) == 0;
	}
	EXPECT(good == CLIENTS);
	for (int i = 0; i < CLIENTS; i++)
		if (cfd[i] >= 0)
			close(cfd[i]);
	int st = ut_wait(pid);
	if (!EXPECT(ut_exited_with(st, 0)))
		ut_diag("server status %#x", st);
}

/* ---- the same over io_uring: ACCEPT, RECV and SEND requests ------------------------------- */

#include "uring_raw.h"

enum { UD_ACCEPT = 1, UD_RECV = 2, UD_SEND = 3 };

static int uring_echo_server(int lfd, int clients)
{
	static char bufs[1100][64];
	struct uraw u;
	struct io_uring_cqe c;
	struct io_uring_sqe *s;
	int closed = 0;

	if (uraw_setup(&u, 2048))
		return 2;
	s = uraw_sqe(&u);
	s->opcode = IORING_OP_ACCEPT;
	s->fd = lfd;
	s->user_data = (uint64_t)UD_ACCEPT << 32;
	while (closed < clients) {
		if (uraw_submit_wait(&u, 1) < 0 && errno != EINTR)
			return 3;
		while (uraw_peek(&u, &c)) {
			int kind = (int)(c.user_data >> 32), fd = (int)(uint32_t)c.user_data;

			if (kind == UD_ACCEPT) {
				if (c.res < 0 || c.res >= 1100)
					return 4;
				s = uraw_sqe(&u);	/* the next connection */
				s->opcode = IORING_OP_ACCEPT;
				s->fd = lfd;
				s->user_data = (uint64_t)UD_ACCEPT << 32;
				fd = c.res;
			} else if (kind == UD_SEND) {
				if (c.res <= 0)
					return 5;
			} else if (c.res > 0) {
				s = uraw_sqe(&u);	/* echo what came */
				s->opcode = IORING_OP_SEND;
				s->fd = fd;
				s->addr = (uintptr_t)bufs[fd];
				s->len = (unsigned)c.res;
				s->user_data = (uint64_t)UD_SEND << 32 | (unsigned)fd;
			} else if (c.res == 0) {
				close(fd);
				closed++;
				continue;
			} else {
				return 6;
			}
			s = uraw_sqe(&u);	/* and wait for more */
			if (!s)
				return 7;
			s->opcode = IORING_OP_RECV;
			s->fd = fd;
			s->addr = (uintptr_t)bufs[fd];
			s->len = sizeof(bufs[fd]);
			s->user_data = (uint64_t)UD_RECV << 32 | (unsigned)fd;
		}
	}
	uraw_exit(&u);
	return 0;
}

UT_CASE(unix_uring_echo_1000_clients, UT_SLOW, 120)
{
	static int cfd[CLIENTS];
	struct sockaddr_un a;
	socklen_t alen = echo_addr(&a, "ut-uring-echo");
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (ut_qemu_user) {
		ut_diag("skip: qemu-user has no io_uring");
		close(lfd);
		return;
	}
	ASSERT(lfd >= 0);
	ASSERT(bind(lfd, (struct sockaddr *)&a, alen) == 0 && listen(lfd, 128) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0)
		_exit(uring_echo_server(lfd, CLIENTS));
	close(lfd);
	int ok = 1;
	for (int i = 0; i < CLIENTS && ok; i++) {
		cfd[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		ok = cfd[i] >= 0 && connect(cfd[i], (struct sockaddr *)&a, alen) == 0;
	}
	EXPECT(ok);
	for (int i = 0; i < CLIENTS && ok; i++) {
		char msg[32];
		int len = snprintf(msg, sizeof(msg), "uring %d", i);
		ok = write(cfd[i], msg, (size_t)len) == len;
	}
	EXPECT(ok);
	int good = 0;
	for (int i = 0; i < CLIENTS && ok; i++) {
		char msg[32], back[32];
		int len = snprintf(msg, sizeof(msg), "uring %d", i);
		ssize_t got = 0, r;
		while (got < len && (r = read(cfd[i], back + got, sizeof(back) - (size_t)got)) > 0)
			got += r;
		good += got == len && memcmp(msg, back, (size_t)len) == 0;
	}
	EXPECT(good == CLIENTS);
	for (int i = 0; i < CLIENTS; i++)
		if (cfd[i] >= 0)
			close(cfd[i]);
	int st = ut_wait(pid);
	if (!EXPECT(ut_exited_with(st, 0)))
		ut_diag("server status %#x", st);
}
