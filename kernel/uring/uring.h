/* SPDX-License-Identifier: MIT */
/*
 * io_uring with Linux's structures and mmap offsets (DESIGN.md 9: "a
 * syscall awaits one future; io_uring spawns many"). Each submission is a
 * request: an op that completes at once posts its CQE inline; one that
 * would block builds the very future the syscall would await (the file's
 * read/write future, a socket try, a timer, a readiness wait), which the
 * ring's owner polls while in io_uring_enter; its completion posts the CQE
 * (uring_ops.c says why the owner polls them). No worker threads.
 *
 * Files: uring.c (setup, the rings and their mmap, CQE posting, enter,
 * register, close and the owner's exit), uring_ops.c (the request future
 * and the opcodes). docs/io_uring.md has the state machine of a request.
 *
 * The rings are pages shared with the program (VMA_SHARED): it may write
 * any head, tail, index, flag, opcode, fd or address at any time, so every
 * SQE is copied once into the kernel before it is looked at, indices are
 * masked or checked, and bad input becomes a CQE error, never a fault.
 *
 * Lock legend: I = set at setup; L = ring->lock (irqsave): the in-flight
 * list, CQ posting, the overflow list, timeouts, deferred completions;
 * S = ring->sq_lock: submission; A = atomic.
 */
#ifndef KERNEL_URING_URING_H
#define KERNEL_URING_URING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/async/task.h"
#include "kernel/async/waitq.h"
#include "kernel/spinlock.h"
#include "lib/list.h"

struct file;
struct proc;

/* ---- the ABI (include/uapi/linux/io_uring.h values) ------------------------------------- */

struct io_uring_sqe {
	uint8_t opcode;
	uint8_t flags;
	uint16_t ioprio;
	int32_t fd;
	uint64_t off;		/* also addr2 */
	uint64_t addr;		/* also splice_off_in */
	uint32_t len;
	uint32_t op_flags;	/* rw_flags, poll32_events, timeout_flags, msg_flags, ... */
	uint64_t user_data;
	uint16_t buf_index;
	uint16_t personality;
	uint32_t file_index;
	uint64_t addr3;
	uint64_t pad2;
};
_Static_assert(sizeof(struct io_uring_sqe) == 64, "io_uring_sqe is 64 bytes");

struct io_uring_cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
};

struct io_sqring_offsets {
	uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
	uint64_t user_addr;
};
struct io_cqring_offsets {
	uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
	uint64_t user_addr;
};
struct io_uring_params {
	uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd;
	uint32_t resv[3];
	struct io_sqring_offsets sq_off;
	struct io_cqring_offsets cq_off;
};
_Static_assert(sizeof(struct io_uring_params) == 120, "io_uring_params is 120 bytes");

#define IORING_SETUP_IOPOLL (1u << 0)
#define IORING_SETUP_SQPOLL (1u << 1)
#define IORING_SETUP_SQ_AFF (1u << 2)
#define IORING_SETUP_CQSIZE (1u << 3)
#define IORING_SETUP_CLAMP (1u << 4)
#define IORING_SETUP_SUBMIT_ALL (1u << 7)
#define IORING_SETUP_COOP_TASKRUN (1u << 8)
#define IORING_SETUP_TASKRUN_FLAG (1u << 9)
#define IORING_SETUP_SINGLE_ISSUER (1u << 12)
#define IORING_SETUP_DEFER_TASKRUN (1u << 13)

#define IORING_FEAT_SINGLE_MMAP (1u << 0)
#define IORING_FEAT_NODROP (1u << 1)
#define IORING_FEAT_SUBMIT_STABLE (1u << 2)
#define IORING_FEAT_RW_CUR_POS (1u << 3)
#define IORING_FEAT_CUR_PERSONALITY (1u << 4)
#define IORING_FEAT_SQPOLL_NONFIXED (1u << 7)
#define IORING_FEAT_EXT_ARG (1u << 8)

#define IORING_OFF_SQ_RING 0ull
#define IORING_OFF_CQ_RING 0x8000000ull
#define IORING_OFF_SQES 0x10000000ull

#define IORING_ENTER_GETEVENTS (1u << 0)
#define IORING_ENTER_SQ_WAKEUP (1u << 1)
#define IORING_ENTER_SQ_WAIT (1u << 2)
#define IORING_ENTER_EXT_ARG (1u << 3)

#define IOSQE_FIXED_FILE (1u << 0)
#define IOSQE_IO_DRAIN (1u << 1)
#define IOSQE_IO_LINK (1u << 2)
#define IOSQE_IO_HARDLINK (1u << 3)
#define IOSQE_ASYNC (1u << 4)

#define IORING_SQ_NEED_WAKEUP (1u << 0)
#define IORING_SQ_CQ_OVERFLOW (1u << 1)
#define IORING_CQ_EVENTFD_DISABLED (1u << 0)

enum {
	IORING_OP_NOP = 0,
	IORING_OP_READV = 1,
	IORING_OP_WRITEV = 2,
	IORING_OP_FSYNC = 3,
	IORING_OP_READ_FIXED = 4,
	IORING_OP_WRITE_FIXED = 5,
	IORING_OP_POLL_ADD = 6,
	IORING_OP_POLL_REMOVE = 7,
	IORING_OP_SYNC_FILE_RANGE = 8,
	IORING_OP_SENDMSG = 9,
	IORING_OP_RECVMSG = 10,
	IORING_OP_TIMEOUT = 11,
	IORING_OP_TIMEOUT_REMOVE = 12,
	IORING_OP_ACCEPT = 13,
	IORING_OP_ASYNC_CANCEL = 14,
	IORING_OP_LINK_TIMEOUT = 15,
	IORING_OP_CONNECT = 16,
	IORING_OP_OPENAT = 18,
	IORING_OP_CLOSE = 19,
	IORING_OP_FILES_UPDATE = 20,
	IORING_OP_STATX = 21,
	IORING_OP_READ = 22,
	IORING_OP_WRITE = 23,
	IORING_OP_SEND = 26,
	IORING_OP_RECV = 27,
	IORING_OP_PROVIDE_BUFFERS = 31,
	IORING_OP_REMOVE_BUFFERS = 32,
	IORING_OP_RENAMEAT = 35,
	IORING_OP_UNLINKAT = 36,
	IORING_OP_MKDIRAT = 37,
	IORING_OP_SYMLINKAT = 38,
	IORING_OP_LINKAT = 39,
	IORING_OP_LAST = 58,
};

#define IORING_REGISTER_BUFFERS 0
#define IORING_UNREGISTER_BUFFERS 1
#define IORING_REGISTER_FILES 2
#define IORING_UNREGISTER_FILES 3
#define IORING_REGISTER_EVENTFD 4
#define IORING_UNREGISTER_EVENTFD 5
#define IORING_REGISTER_FILES_UPDATE 6
#define IORING_REGISTER_PROBE 8
#define IORING_REGISTER_FILES2 13
#define IORING_REGISTER_FILES_UPDATE2 14
#define IORING_RSRC_REGISTER_SPARSE (1u << 0)
#define IORING_REGISTER_FILES_SKIP (-2)
#define IORING_FILE_INDEX_ALLOC (~0u)

#define IORING_TIMEOUT_ABS (1u << 0)
#define IORING_TIMEOUT_UPDATE (1u << 1)
#define IORING_LINK_TIMEOUT_UPDATE (1u << 4)
#define IORING_TIMEOUT_MULTISHOT (1u << 6)
#define IORING_CQE_F_MORE (1u << 1)
#define IORING_POLL_ADD_MULTI (1u << 0)
#define IORING_NOP_INJECT_RESULT (1u << 0)

#define URING_MAX_ENTRIES 32768u
#define URING_MAX_CQ_ENTRIES (2 * URING_MAX_ENTRIES)
#define URING_MAX_FILES 32768u
#define URING_MAX_BUFS 1024u

/* ---- the ring ------------------------------------------------------------------------------ */

/* Where the shared fields live in the rings region (the offsets reported). */
#define RING_SQ_HEAD 0
#define RING_SQ_TAIL 64
#define RING_CQ_HEAD 128
#define RING_CQ_TAIL 192
#define RING_SQ_MASK 256
#define RING_CQ_MASK 260
#define RING_SQ_ENTRIES 264
#define RING_CQ_ENTRIES 268
#define RING_SQ_DROPPED 272
#define RING_SQ_FLAGS 276
#define RING_CQ_FLAGS 280
#define RING_CQ_OVERFLOW 284
#define RING_CQES 320

struct uring_ovf {
	struct list_head node;
	struct io_uring_cqe cqe;
};

struct iovec;

struct uring {
	atomic_uint refs;		/* A: the file and every request in flight */
	struct spinlock lock;
	struct spinlock sq_lock;
	uint32_t flags;			/* I: IORING_SETUP_* */
	uint32_t sq_entries, cq_entries;	/* I */
	uint32_t sq_array_off;		/* I: the SQ index array in the rings region */
	void **rpages;			/* I: the rings region, page by page */
	unsigned nrpages;		/* I */
	void **spages;			/* I: the SQEs */
	unsigned nspages;		/* I */
	/* I: when an array lies in one page (rings of up to 64 SQEs and 128
	 * CQEs), its kernel address, so an entry is base + index; else NULL. */
	uint32_t *sq_array1;
	struct io_uring_sqe *sqes1;
	struct io_uring_cqe *cqes1;
	uint32_t sq_head;		/* S: the kernel's own copy (the ring's is for the program) */
	struct list_head inflight;	/* L: of ureq.node */
	struct list_head ready;		/* L: of ureq.rnode: woken, to be polled */
	struct waker owner_waker;	/* L: the owner's task, set by each pump */
	struct list_head overflow;	/* L: CQEs that found the CQ ring full */
	unsigned noverflow;		/* L */
	struct list_head timeouts;	/* L: counting TIMEOUTs (ureq.tnode) */
	bool tm_expiry;			/* L: the CQE being posted is a TIMEOUT's (expired, counted) */
	uint32_t cq_timeouts;		/* A: TIMEOUTs ended so far (a waiting enter returns at one) */
	struct proc *owner;		/* L: the process that set it up; NULL once it exited */
	bool closing;			/* L */
	struct waitq cq_wq;		/* woken at every CQE (io_uring_enter waits here) */
	struct file *eventfd;		/* L: IORING_REGISTER_EVENTFD, counted */
	struct file **files;		/* S: IORING_REGISTER_FILES, counted entries or NULL */
	unsigned nfiles;		/* S */
	struct iovec *bufs;		/* S: IORING_REGISTER_BUFFERS */
	unsigned nbufs;			/* S */
	struct list_head all;		/* under the global list's lock: every ring */
	/* chains and drains (uring_link.c); the submitter's context only */
	struct list_head drainq;	/* of ulink.qnode: chains waiting for a drain */
	bool drain_wait;		/* a drained chain runs: later ones wait for idle */
	bool kicking;			/* the drain queue is being run */
	bool cancelling;		/* close or exit: chains go no further */
};

/* uring.c */
void uring_put(struct uring *r);
bool uring_is_ring(const struct file *f);
/* The ring at fd, its file counted in *out: NULL with *err -EBADF or -EOPNOTSUPP. */
struct uring *uring_of(struct proc *p, int fd, struct file **out, long *err);
/* Post a CQE (to the overflow list when the ring is full); wakes waiters. Any context. */
void uring_post(struct uring *r, uint64_t user_data, int32_t res, uint32_t flags);
/* A pointer into the rings region at byte off (within it, 4-aligned). */
/* Kernel addresses of the rings region (off: its mmap offset) and of SQE idx:
 * both regions are arrays of pages, each mapped at its kernel address. */
static inline void *uring_rptr(struct uring *r, uint32_t off)
{
	return (char *)r->rpages[off / 4096u] + off % 4096u;
}
/* The rings' header fields, all in the first page. */
static inline uint32_t *uring_u32(struct uring *r, uint32_t off)
{
	return (uint32_t *)((char *)r->rpages[0] + off);
}
static inline struct io_uring_sqe *uring_sqe(struct uring *r, uint32_t idx)
{
	uint32_t off = idx * 64u; /* sizeof(struct io_uring_sqe) */

	return (struct io_uring_sqe *)((char *)r->spages[off / 4096u] + off % 4096u);
}
/* CQEs (uring.c), cq_lock held for the _locked ones: post one (to the
 * overflow list when the CQ ring is full), move overflowed ones in as room
 * comes, count the ready ones; uring_posted wakes waiters after n posts. */
void uring_post_locked(struct uring *r, uint64_t user_data, int32_t res, uint32_t flags);
void uring_flush_overflow_locked(struct uring *r);
void uring_posted(struct uring *r, unsigned n);
/*
 * Set on a hart while uring_posted wakes the ring's waiters and its eventfd: a request
 * woken within that (a multishot POLL_ADD of a ring fd, of an epoll watching one, of a
 * registered eventfd) was woken by io_uring itself, Linux's EPOLL_URING_WAKE, and a
 * multishot poll ends there rather than feed on its own CQEs. H: that hart only.
 */
extern bool uring_waking[];
uint32_t uring_cq_ready(struct uring *r);
/* The process exits or execs: cancel what it has in flight on every ring. */
void uring_proc_gone(struct proc *p);

/* uring_link.c */
/* The chain being gathered by one submission (the SQEs since an IOSQE_IO_LINK). */
struct ulink;
struct uchain {
	struct ulink *head, *tail;
};
/*
 * Submit one SQE from process p (a stable copy). 0, or the error of an SQE that failed
 * before it could run (an unknown opcode or flag, bad fields: Linux's io_init_req and prep
 * errors), alone or ending its chain: Linux stops the submission there, unless
 * IORING_SETUP_SUBMIT_ALL.
 */
int uring_sq_add(struct uring *r, struct proc *p, struct uchain *ch,
		 const struct io_uring_sqe *sqe);
/* The batch ends: a chain still open is submitted as it is (as Linux); as uring_sq_add. */
int uring_sq_end(struct uring *r, struct proc *p, struct uchain *ch);
/* May a plain NOP be answered straight away (no drain pending)? */
static inline bool uring_sq_direct(const struct uring *r, const struct uchain *ch)
{
	return !ch->head && !r->drain_wait && r->drainq.next == &r->drainq;
}
/* Cancel every request in flight (close, exit): their futures are dropped. */
void uring_cancel_all(struct uring *r);
/* Poll every request in flight with cx (the owner's context); true if any completed. */
struct context;
bool uring_pump(struct uring *r, struct context *cx);
/* A CQE was posted: count down the counting timeouts (L held). */
void uring_timeouts_on_post_locked(struct uring *r);
/* uring_register.c: FILES_UPDATE, the register call's and the op's (op: off may be
 * IORING_FILE_INDEX_ALLOC). How many slots were updated, or the first error. */
long uring_files_update(struct uring *r, struct proc *p, uint32_t off, uintptr_t ufds,
			unsigned nr, bool op);
/* IORING_REGISTER_PROBE: is op implemented? */
bool uring_op_supported(unsigned op);

#endif
