/* SPDX-License-Identifier: MIT */
/*
 * The request of one SQE and what the files of kernel/uring/ share about it
 * (private to kernel/uring/). uring_ops.c: the request future and the
 * opcodes; uring_sysop.c: the opcodes run by a syscall's own handler
 * (OPENAT, STATX, the *at() calls, FSYNC); uring_link.c: chains
 * (IOSQE_IO_LINK, IOSQE_IO_HARDLINK, LINK_TIMEOUT), IOSQE_IO_DRAIN, the
 * pump, cancellation. Lock legend as uring.h; a request's own fields are
 * its owner's (polled only in the submitter's context, T).
 */
#ifndef KERNEL_URING_URING_REQ_H
#define KERNEL_URING_URING_REQ_H

#include "kernel/async/timer.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/unix.h"
#include "kernel/uring/uring.h"

/* An SQE waiting for its place in a chain or behind a drain: a stable copy. */
struct ulink {
	struct io_uring_sqe sqe;
	struct ulink *next;		/* the rest of its chain */
	struct list_head qnode;		/* L: a chain's head on r->drainq */
	bool drain;			/* the head: some member asked IOSQE_IO_DRAIN */
};

enum ureq_state {
	UREQ_WAITING,
	UREQ_DONE,
};

struct ucell;
struct sockcall;

struct ureq {
	struct future base;
	struct uring *r;		/* counted */
	struct proc *p;			/* the submitter (the ring's owner) */
	struct list_head node;		/* L: on r->inflight */
	struct list_head tnode;		/* L: on r->timeouts (counting TIMEOUT) */
	struct list_head rnode;		/* L: on r->ready */
	struct ucell *cell;		/* its waker's cell (one reference) */
	uint64_t user_data;
	uint8_t op;
	uint8_t state;			/* enum ureq_state */
	bool posted;			/* the CQE went */
	bool count_hit;			/* L: a counting TIMEOUT saw its count */
	bool failed;			/* its result breaks a link (res < 0, a short read/write) */
	bool hard;			/* IOSQE_IO_HARDLINK: the chain goes on even so */
	uint32_t count;			/* L: CQEs still to wait for (TIMEOUT) */
	uint64_t want;			/* READ/WRITE: the bytes asked (less breaks a link) */
	struct io_uring_sqe *rw_sqe;	/* owned: READ/WRITE waiting for readiness (uring_rw.c) */
	struct file *file;		/* counted, or NULL */
	struct future *inner;		/* owned: a read/write future, a syscall's future */
	/* readiness and socket tries */
	struct waitq *wq;
	struct waitq_wait_future w[2];
	unsigned nq;
	uint32_t events;		/* POLL_ADD, a read or write waiting for readiness */
	bool poll_multi;		/* POLL_ADD: IORING_POLL_ADD_MULTI */
	bool uring_woken;		/* L: woken by a CQ post (uring_waking, uring.h) */
	struct unix_msg m;		/* SEND, RECV */
	struct uio uio;
	struct iovec iov;
	unsigned aflags;		/* ACCEPT */
	struct sockcall *sc;		/* SENDMSG, RECVMSG, CONNECT: the syscall's own call */
	unsigned long sargs[6];		/* a syscall-run op's arguments (uring_sysop.c) */
	uint32_t file_index;		/* OPENAT: a registered slot + 1, or ALLOC */
	/* TIMEOUT */
	uint64_t deadline;
	uint64_t interval;		/* a relative one's (IORING_TIMEOUT_MULTISHOT re-arms it) */
	uint32_t repeats;		/* MULTISHOT: expiries still to come, 0: for ever */
	bool multishot;
	bool timed;
	struct timer_entry te;
	/* chains (uring_link.c) */
	struct ulink *after;		/* owned: what runs when this completes */
	struct ulink *lt;		/* owned: its LINK_TIMEOUT, or NULL */
	uint64_t lt_deadline;
	bool lt_timed;
	struct timer_entry lt_te;
};

/* uring_ops.c */
/*
 * Issue one SQE (a stable copy) with what follows it in its chain (after)
 * and its LINK_TIMEOUT (lt, already checked), both owned from here on.
 * Returns true if it completed at once (its CQE posted; *failed says
 * whether that breaks the chain, after and lt untouched: the caller's
 * again), false if it went in flight (the request owns after and lt).
 */
bool uring_issue(struct uring *r, struct proc *p, const struct io_uring_sqe *sqe,
		 struct ulink *after, struct ulink *lt, uint64_t lt_deadline, bool *failed);
/* Leave the lists, drop the inner futures, free (posting -ECANCELED if no CQE went);
 * true if its result breaks its chain. */
bool ureq_free(struct ureq *q);
/* 0, or the error a CQE of this SQE gets before anything runs (-EINVAL: unknown
 * opcode or flags, an op an IOPOLL ring does not take). */
int uring_sqe_check(const struct uring *r, const struct io_uring_sqe *sqe);

/* uring_register.c: CLOSE of registered slot slot (0, -ENXIO, -EINVAL, -EBADF). */
int uring_close_fixed(struct uring *r, uint32_t slot);
/* Put f (its reference passes) in slot file_index - 1, replacing what is there (0), or in
 * a free slot for IORING_FILE_INDEX_ALLOC (its index); -ENXIO, -EINVAL, -ENFILE. */
long uring_files_install(struct uring *r, struct file *f, uint32_t file_index);

/* uring_poll.c */
/* Register on q->file's queues for q->events, then the events ready now. */
unsigned uring_wait_ready(struct ureq *q, struct context *cx);
/* Poll a POLL_ADD: POLL_READY with the mask in *res (multishot: once it is over). */
enum poll uring_poll_add_poll(struct ureq *q, struct context *cx, long *res);

/* uring_rw.c */
bool uring_op_is_rw(unsigned op);
/* Issue a read or write: the result, or with *waiting the request awaits q->inner or,
 * on an O_NONBLOCK stream that would block, the file's readiness. */
long uring_rw_prep(struct ureq *q, const struct io_uring_sqe *sqe, bool *waiting);
/* Poll a waiting read or write; POLL_READY with its result in *res. */
enum poll uring_rw_poll(struct ureq *q, struct context *cx, long *res);

/* uring_sysop.c */
/* OPENAT, STATX, UNLINKAT, RENAMEAT, MKDIRAT, SYMLINKAT, LINKAT, FSYNC: the result,
 * or with q->inner set the syscall's future to await. */
long uring_sysop(struct ureq *q, const struct io_uring_sqe *sqe);
bool uring_sysop_supported(unsigned op);
/* The CQE result of a syscall-run op that returned res (OPENAT into a registered slot). */
long uring_sysop_result(struct ureq *q, long res);

/* uring_link.c */
/* A request in flight completed (polled READY, or cancelled): free it and go on with its
 * chain (the next link runs, or the rest is cancelled), then with the drain queue. */
void uring_req_finished(struct ureq *q);
/* The LINK_TIMEOUT of a request in flight: true if it fired (the request is then to be
 * cancelled: its CQE -ECANCELED, the timeout's -ETIME). Registers cx's waker. */
bool uring_lt_fired(struct ureq *q, struct context *cx);
/* A request with a LINK_TIMEOUT completed first: the timeout's CQE (-ECANCELED). */
void uring_lt_done(struct ureq *q);
/* TIMEOUT_REMOVE's updates of a TIMEOUT's or a LINK_TIMEOUT's deadline. */
int uring_timeout_update(struct uring *r, struct proc *p, const struct io_uring_sqe *sqe);
/* Free a chain that will not run, each member's CQE -ECANCELED unless quiet. */
void uring_chain_cancel(struct uring *r, struct ulink *c, bool quiet);
/* The waker cell of a request in flight (its wake puts it on r->ready). */
struct ucell *ucell_new(struct ureq *q);
void ucell_detach(struct ucell *c);	/* the request goes: later wakes find nothing */
void ucell_put(struct ucell *c);

#endif
