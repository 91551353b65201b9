/* SPDX-License-Identifier: MIT */
/*
 * A socket call that may wait (sockcall.c): the arguments of a send,
 * receive, accept or connect, its try over unix.h, and the future that
 * retries it on the queue the last try named. The syscalls (sys_socket.c,
 * sys_sockopt.c) fill one and run it; io_uring can run the same tries.
 */
#ifndef KERNEL_IPC_SOCKCALL_H
#define KERNEL_IPC_SOCKCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/ipc/unix.h"
#include "kernel/syscall/syscall.h"

#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2

/* struct msghdr and struct cmsghdr of riscv64. */
struct kmsghdr {
	uintptr_t name;
	uint32_t namelen;
	uint32_t pad;
	uintptr_t iov;
	uint64_t iovlen;
	uintptr_t control;
	uint64_t controllen;
	int32_t flags;
	uint32_t pad2;
};
_Static_assert(sizeof(struct kmsghdr) == 56, "riscv64 struct msghdr");

struct kcmsghdr {
	uint64_t len;
	int32_t level;
	int32_t type;
};
#define CMSG_ALIGN(n) (((n) + 7) & ~(size_t)7)
#define CMSG_LEN(n) (sizeof(struct kcmsghdr) + (n))
#define CMSG_SPACE(n) (sizeof(struct kcmsghdr) + CMSG_ALIGN(n))

enum sock_kind {
	SK_SEND,
	SK_RECV,
	SK_ACCEPT,
	SK_CONNECT,
};

struct sockcall {
	enum sock_kind kind;
	struct proc *p;
	struct file *file;		/* counted */
	struct unix_sock *sk;
	struct unix_sock *other;	/* counted: connect's target, sendto's destination */
	unsigned aflags;		/* accept4's flags */
	struct unix_msg m;
	struct uio uio;
	struct iovec iov1;
	struct iovec *iov;		/* owned, or &iov1 */
	uintptr_t uname, unamelen;	/* accept/recvfrom: where the address goes */
	uintptr_t umsg;			/* recvmsg: the user's msghdr */
	struct kmsghdr msg;
};

struct ucred sock_caller_cred(struct proc *p);
/* The socket at fd, counted: -EBADF, -ENOTSOCK. */
int sock_fd_get(struct proc *p, int fd, struct file **out);
/* A call on the socket file f (the reference moves in); NULL (f put) on ENOMEM. */
struct sockcall *sockcall_new(struct sys_ctx *sc, enum sock_kind kind, struct file *f);
void sockcall_free(struct sockcall *c);
/* O_NONBLOCK on the file or MSG_DONTWAIT. */
bool sockcall_nonblock(struct sockcall *c);
/* One try: the result, or -EAGAIN with *wq the queue to wait on. */
long sockcall_try(struct sockcall *c, struct waitq **wq);
/* After the last try: copy out names, control messages and flags. */
long sockcall_finish(struct sockcall *c, long r);
/* sendmsg/recvmsg's msghdr at umsg into c: iovecs, and for a send the
 * control messages and the destination (may say -EIOWAIT); for a receive
 * where the results go. */
int sockcall_msghdr(struct sockcall *c, uintptr_t umsg, bool send);
/* Try once; hand sc a waiting future if it would block and may wait;
 * otherwise finish and free c. Returns the call's result (0 if pending). */
long sockcall_run(struct sys_ctx *sc, struct sockcall *c, bool nonblock);

#endif
