/* SPDX-License-Identifier: MIT */
/*
 * AF_UNIX sockets: SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, as Linux.
 *
 * A socket is an inode of the socket pseudo file system (S_IFSOCK) with
 * its own state; its files, its peer, the messages it sent and the accept
 * queue that holds it count references on that inode, and the last one
 * frees it. Data moves as messages (struct unix_skb) queued on the
 * receiver: a stream reads across them, a datagram or seqpacket socket one
 * at a time. Every operation is a "try" that returns -EAGAIN when it would
 * block and names the queue to wait on; the syscalls (sys_socket.c) turn
 * that into a future that registers on the queue and tries again, and
 * io_uring can run the very same tries.
 *
 * Readiness (unix.c, unix_ready) as Linux's unix_poll / unix_dgram_poll.
 * Queues: rd_wq is woken when the socket gains something to read (data, a
 * connection to accept, a shutdown, its peer closing); wr_wq when its sent
 * bytes are consumed (room to send) or the peer goes; peer_wq when its
 * receive queue shrinks (datagram senders to it wait there).
 *
 * Lock legend: I = set at creation; L = sk->lock (irqsave); A = atomic.
 * Two socket locks are never held together: a sender takes the receiver's
 * lock only, and wakes outside it. Binding tables have their own lock
 * (unix_bind.c), taken before no socket lock.
 */
#ifndef KERNEL_IPC_UNIX_H
#define KERNEL_IPC_UNIX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/async/waitq.h"
#include "kernel/fs/vfs.h"
#include "kernel/spinlock.h"
#include "lib/list.h"

struct proc;

#define AF_UNIX 1
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC O_CLOEXEC

#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_CTRUNC 0x8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2

#define UNIX_PATH_MAX 108
#define UNIX_ADDR_MAX (2 + UNIX_PATH_MAX)	/* sizeof(struct sockaddr_un) */
#define UNIX_MAX_DGRAM_QLEN 10			/* net.unix.max_dgram_qlen */
#define UNIX_DEFAULT_BUF 212992			/* net.core.[rw]mem_default */
#define SCM_MAX_FD 253

struct ucred {
	int32_t pid;
	uint32_t uid, gid;
};

/* A bound name: the sockaddr_un bytes as Linux keeps them. */
struct unix_addr {
	uint32_t len;			/* family + path (+ NUL for a path name) */
	uint8_t abstract;		/* sun_path[0] == 0 */
	uint32_t dev;			/* path names: the socket inode's (dev, ino) */
	uint64_t ino;
	char name[UNIX_ADDR_MAX + 1];	/* the whole sockaddr_un, NUL-terminated */
};

/* One message (or a piece of a stream) on the receiver's queue. */
struct unix_skb {
	struct list_head node;		/* L: on the receiver's rcvq */
	struct unix_sock *from;		/* counted: the sender (wmem, its address) */
	uint32_t len, off;		/* bytes, and those already read (streams) */
	uint16_t nfds;			/* SCM_RIGHTS files, counted */
	bool has_cred;			/* SCM_CREDENTIALS were sent explicitly */
	struct ucred cred;		/* the sender's credentials (or those sent) */
	struct file **fds;		/* kmalloc'd, nfds entries */
	char data[];
};

enum unix_state {
	UNIX_UNCONNECTED,
	UNIX_LISTEN,
	UNIX_CONNECTED,		/* stream/seqpacket with a peer; dgram with a default peer */
};

struct unix_sock {
	struct inode inode;		/* the socket inode; evict frees the socket */
	struct spinlock lock;
	int type;			/* I: SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	uint8_t state;			/* L: enum unix_state */
	uint8_t shutdown;		/* L: RCV_SHUTDOWN | SEND_SHUTDOWN */
	bool passcred;			/* L: SO_PASSCRED */
	bool dead;			/* L: its last file is closed */
	int err;			/* L: SO_ERROR */
	struct unix_sock *peer;		/* L: counted */
	struct list_head rcvq;		/* L: of unix_skb.node */
	size_t rcv_bytes;		/* L */
	unsigned rcv_msgs;		/* L */
	atomic_size_t wmem;		/* A: bytes sent and not yet consumed */
	int sndbuf, rcvbuf;		/* L: SO_SNDBUF, SO_RCVBUF */
	struct list_head acceptq;	/* L (listening): of unix_sock.acc_node */
	struct list_head acc_node;	/* L of the listener: on its acceptq */
	unsigned nacc;			/* L: entries on acceptq */
	int backlog;			/* L */
	struct unix_addr *addr;		/* bound name (set once, under the bind lock), or NULL */
	struct inode *bind_inode;	/* path names: the S_IFSOCK inode (counted) */
	struct list_head bind_node;	/* on the bind table, under its lock */
	struct ucred peercred;		/* L: SO_PEERCRED */
	bool has_peercred;		/* L */
	struct waitq rd_wq, wr_wq, peer_wq;
};

/* What a send or receive moves, filled by the syscall layer (sys_socket.c). */
struct unix_msg {
	struct uio *uio;
	unsigned flags;			/* MSG_* */
	bool has_to;			/* a destination was named */
	struct unix_sock *to_sk;	/* datagrams: that destination (not counted here) */
	struct file **fds;		/* send: SCM_RIGHTS (counted; consumed on success) */
	unsigned nfds;
	bool has_cred;
	struct ucred cred;
	size_t done;			/* bytes moved so far (a blocking stream send goes on) */
	/* receive results */
	unsigned out_flags;		/* MSG_TRUNC, MSG_CTRUNC ... */
	struct unix_addr from;		/* the sender's name (from.len 0: none) */
	struct file **rfds;		/* received files (counted, kmalloc'd) */
	unsigned nrfds;
	bool rcred;			/* a credential came (SO_PASSCRED) */
	struct ucred rcv_cred;
};

/* ---- unix.c ---------------------------------------------------------------------- */

extern const struct file_ops unix_fops;
bool unix_is_socket(const struct file *f);
static inline struct unix_sock *unix_sk(const struct file *f)
{
	return (struct unix_sock *)f->priv;
}
/* A new socket (one reference: the caller's). type without flags. */
struct unix_sock *unix_sock_new(int type);
void unix_sock_put(struct unix_sock *sk);
static inline struct unix_sock *unix_sock_get(struct unix_sock *sk)
{
	inode_get(&sk->inode);
	return sk;
}
/* Wake all three queues of sk. */
void unix_wake_all(struct unix_sock *sk);
/* Free a message taken off a queue (no lock held): its sender gets the room back. */
void unix_skb_free(struct unix_skb *skb);
void unix_skb_free_list(struct list_head *l);
/* A file on sk (takes a reference), O_RDWR | (flags & O_NONBLOCK). */
int unix_file_new(struct unix_sock *sk, unsigned flags, struct file **out);
/* Connect a fresh pair (socketpair). */
void unix_pair(struct unix_sock *a, struct unix_sock *b, const struct ucred *cred);
unsigned unix_ready(struct file *f);

/*
 * The tries (unix_msg.c: send, receive; unix.c: accept, connect). Each returns its result, or -EAGAIN with *wq set to the queue
 * that will be woken when trying again may succeed. p is the caller (its
 * credentials, its fd table, its SIGPIPE).
 */
long unix_try_send(struct unix_sock *sk, struct unix_msg *m, struct proc *p, struct waitq **wq);
long unix_try_recv(struct unix_sock *sk, struct unix_msg *m, struct proc *p, struct waitq **wq);
/* Listen; a connection's server end out of the accept queue (counted). */
int unix_listen(struct unix_sock *sk, int backlog, const struct ucred *cred);
long unix_try_accept(struct unix_sock *sk, struct unix_sock **out, struct waitq **wq);
/* Connect sk to other (a listener, or a datagram socket). */
long unix_try_connect(struct unix_sock *sk, struct unix_sock *other, const struct ucred *cred,
		      struct waitq **wq);
int unix_shutdown(struct unix_sock *sk, int how);
void unix_msg_free_fds(struct file **fds, unsigned n);

/* ---- unix_bind.c ----------------------------------------------------------------- */

/*
 * A user sockaddr_un (addr, len) as a name: -EINVAL for a bad family or
 * length. len == 2 (family only) gives an empty name (autobind).
 */
int unix_addr_from_user(struct proc *p, uintptr_t uaddr, uint32_t len, struct unix_addr *a);
/* Bind sk to a (a path name makes an S_IFSOCK inode: -EADDRINUSE if it
 * exists; may return -EIOWAIT, before changing anything). */
int unix_bind(struct proc *p, struct unix_sock *sk, struct unix_addr *a);
/* The live socket bound at a, counted: -ENOENT, -ECONNREFUSED, -EIOWAIT... */
int unix_lookup(struct proc *p, const struct unix_addr *a, struct unix_sock **out);
/* Forget sk's binding (its last file closed). */
void unix_unbind(struct unix_sock *sk);
/* Copy a name out as getsockname does: *ulen in/out. */
int unix_addr_to_user(struct proc *p, const struct unix_addr *a, uintptr_t uaddr,
		      uintptr_t ulen);

#endif
