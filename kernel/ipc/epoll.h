/* SPDX-License-Identifier: MIT */
/*
 * epoll: an instance watches open files through long-lived wakers (DESIGN.md
 * 9 "Readiness is a waker"). Each item is a watcher (waitq_watch) on the
 * queues its file names for the events asked; its wake moves the item to the
 * instance's ready list and wakes the instance's queue, where epoll_pwait
 * and whoever polls the epoll file itself wait. epoll_pwait checks each ready
 * item's file (file_poll_ready): level-triggered items stay on the list while
 * they are ready, edge-triggered ones leave it until their next wake,
 * one-shot ones are disarmed until EPOLL_CTL_MOD.
 *
 * Registration belongs to the open file description, as on Linux: an item
 * names (file, fd) and holds no reference; the last file_put of the file
 * removes it (epoll_file_gone), so closing one of two dup'ed fds keeps it.
 */
#ifndef KERNEL_IPC_EPOLL_H
#define KERNEL_IPC_EPOLL_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct proc;
struct eventpoll;

#define EPOLLIN 0x001u
#define EPOLLPRI 0x002u
#define EPOLLOUT 0x004u
#define EPOLLERR 0x008u
#define EPOLLHUP 0x010u
#define EPOLLRDNORM 0x040u
#define EPOLLRDBAND 0x080u
#define EPOLLWRNORM 0x100u
#define EPOLLWRBAND 0x200u
#define EPOLLMSG 0x400u
#define EPOLLRDHUP 0x2000u
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

/* struct epoll_event of riscv64 (not packed there: 16 bytes). */
struct epoll_event {
	uint32_t events;
	uint64_t data;
};

/* The file was released for the last time: drop every item watching it. */
void epoll_file_gone(struct file *f);

/* For sys_epoll.c. */
bool epoll_is_epoll(const struct file *f);
int epoll_create(struct proc *p, unsigned flags);
/* EPOLL_CTL_* on the instance of epf for (tf, fd); ev NULL for DEL. */
int epoll_ctl(struct file *epf, int op, struct file *tf, int fd, const struct epoll_event *ev);
/*
 * Move up to max ready events to the user array at uevents in p's memory.
 * Returns how many (0: none ready), or -EFAULT when the first copy failed.
 */
long epoll_harvest(struct file *epf, struct proc *p, uintptr_t uevents, int max);
struct waitq *epoll_waitq(struct file *epf);

#endif
