/* SPDX-License-Identifier: MIT */
/*
 * Per-process file descriptor tables: slot -> struct file (counted) plus a
 * close-on-exec bit. The table starts with FDT_INLINE slots inside itself and
 * doubles on demand up to FDT_MAX (RLIMIT_NOFILE).
 */
#ifndef KERNEL_FS_FDTABLE_H
#define KERNEL_FS_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/spinlock.h"

struct file;
struct proc;

#define FDT_INLINE 8
#define FDT_MAX 1024

/* Legend: L:lock. A table belongs to one process, but fork and the process's
 * death may touch it from other harts, hence the lock. */
struct fdtable {
	struct spinlock lock;
	unsigned cap;			/* L: slots in fd[] */
	struct file **fd;		/* L: inline_fd or a kmalloc'd array */
	uint64_t *cloexec;		/* L: bitmap of cap bits */
	struct file *inline_fd[FDT_INLINE];
	uint64_t inline_cloexec;
};

/* For the process code (fork/exec/exit). */
struct fdtable *fdtable_create(void);
/* A copy sharing every open file; NULL on ENOMEM. */
struct fdtable *fdtable_fork(struct fdtable *t);
void fdtable_close_on_exec(struct fdtable *t);
/* Close everything and free the table. */
void fdtable_destroy(struct fdtable *t);

/* Install f (the caller's reference moves into the table) in the lowest free
 * slot >= min; flags may hold O_CLOEXEC. Returns the fd, -EMFILE, -ENOMEM. */
int fdtable_install(struct fdtable *t, struct file *f, int min, unsigned flags);
/* Same on p's table from slot 0. */
int fd_install(struct proc *p, struct file *f, int flags);
/* A counted reference to the file at fd, or NULL. */
struct file *fdtable_get(struct fdtable *t, int fd);
struct file *fd_get(struct proc *p, int fd);
/* Remove fd; the file is put. 0 or -EBADF. */
int fdtable_close(struct fdtable *t, int fd);
/* dup3: make newfd refer to oldfd's file (closing what newfd held). */
int fdtable_dup3(struct fdtable *t, int oldfd, int newfd, unsigned flags);
/* Close-on-exec bit: 0/1, or -EBADF. */
int fdtable_get_cloexec(struct fdtable *t, int fd);
int fdtable_set_cloexec(struct fdtable *t, int fd, bool on);
/* Open descriptors (for tests). */
unsigned fdtable_count(struct fdtable *t);

#endif
