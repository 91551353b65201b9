/* SPDX-License-Identifier: MIT */
/*
 * Readiness, the one mechanism every waiter shares (DESIGN.md 9 "Readiness
 * is a waker"): a file reports the events true now (file_ops.ready) and
 * names the wait queues woken when they change (file_ops.waitq). ppoll,
 * pselect6 and epoll_wait register wakers on those queues and re-check;
 * epoll items are watchers (waitq_watch) that stay queued. The blocking
 * read/write futures (file_rw.c) park on the same queues.
 */
#ifndef KERNEL_FS_POLL_H
#define KERNEL_FS_POLL_H

#include <stdint.h>

struct file;
struct waitq;

/* The poll(2) and epoll events of Linux (asm-generic; the same bits). */
#define POLLIN 0x0001
#define POLLPRI 0x0002
#define POLLOUT 0x0004
#define POLLERR 0x0008
#define POLLHUP 0x0010
#define POLLNVAL 0x0020
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200
#define POLLMSG 0x0400
#define POLLRDHUP 0x2000

/* What a file without a ready op is (Linux's DEFAULT_POLLMASK). */
#define POLL_DEFAULT_MASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
/* Events on the input side and on the output side (which queue wakes them). */
#define POLL_INPUT_SIDE (POLLIN | POLLRDNORM | POLLRDBAND | POLLPRI | POLLRDHUP)
#define POLL_OUTPUT_SIDE (POLLOUT | POLLWRNORM | POLLWRBAND)

/* The events f reports now (its ready op, or POLL_DEFAULT_MASK). */
unsigned file_poll_ready(struct file *f);

/*
 * The wait queues to register on to learn when any of events (or POLLERR,
 * POLLHUP, always reported) changes on f: the read queue for input-side
 * events, the write queue for output-side ones, both when events names
 * neither. Fills q[0..n) without duplicates and returns n (0: the file's
 * readiness never changes, there is nothing to wait for).
 */
unsigned file_poll_queues(struct file *f, unsigned events, struct waitq *q[2]);

/* ---- shared by the waiting syscalls (sys_poll.c, epoll, timerfd) ---------------- */

struct as;

/* struct timespec of the riscv64 ABI. */
struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

/* A user timespec as ns (saturating): 0, -EFAULT, or -EINVAL for a negative
 * time or tv_nsec outside [0, 1e9). */
int poll_timespec_from_user(struct as *as, uintptr_t u, uint64_t *ns);
/* ns as a timespec. */
struct linux_timespec poll_ns_to_timespec(uint64_t ns);
/* now + ns, saturating at UINT64_MAX ("never"). */
uint64_t poll_deadline(uint64_t ns);

#endif
