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
