/* SPDX-License-Identifier: MIT */
/*
 * Per-process file descriptor tables: slot -> struct file (counted) plus a
 * close-on-exec bit. The table starts with FDT_INLINE slots inside itself and
 * doubles on demand up to the process's RLIMIT_NOFILE (fd_limit), at most
 * FDT_MAX.
 */
#ifndef KERNEL_FS_FDTABLE_H
#define KERNEL_FS_FDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct proc;

#define FDT_INLINE 8
/* The most slots a table ever has (Linux's fs.nr_open here: the hard
 * RLIMIT_NOFILE may not go above it, kernel/proc/limits.h). */
#define FDT_MAX 4096

/*
 * Legend: P = only the owning process's userloop (one hart at a time), or
 * the code creating the process before it first runs (fork, exec of init).
 * The one other reader is /proc/<pid>/fd (fdtable_next_open): the owner's
 * changes to slots and the array swap of a growth take a hashed view lock
 * that it takes too; the owner's reads take none.
 *
 * Every process has one, so it is kept small (72 bytes, its own cache): the
 * first FDT_INLINE slots live in the table; past them one kmalloc'd block
 * holds the slot array followed by its close-on-exec bitmap.
 */
struct fdtable {
	unsigned cap;			/* P: slots; FDT_INLINE while inline */
	uint32_t inline_cloexec;	/* P: close-on-exec bits while inline */
	union {
		struct file *inline_fd[FDT_INLINE];	/* P: cap == FDT_INLINE */
		struct file **fd;	/* P: cap > FDT_INLINE: cap slots, then
					 * (cap + 63) / 64 bitmap words */
	};
};

/*
 * The current process's RLIMIT_NOFILE (at most FDT_MAX; 1024, the default,
 * with no process): no descriptor at or above it is handed out (-EMFILE,
 * -EBADF for dup3, -EINVAL for F_DUPFD). Only a table's own process fills
 * it, so the running one is the table's owner.
 */
unsigned fd_limit(void);

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
/* 0 if fdtable_install(t, f, min, ..) would succeed now (the table grown to
 * make room), else its error: for calls that must fail before acting (an
 * open that creates), as Linux reserves the descriptor first. */
int fdtable_room(struct fdtable *t, int min);
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
/* The first open fd >= from, with a counted reference to its file in *f and
 * its close-on-exec bit; -1 when none. Any hart, while the table cannot be
 * destroyed (the caller holds the process's view, kernel/proc). */
int fdtable_next_open(struct fdtable *t, int from, struct file **f, bool *cloexec);
/* Bytes the allocator hands out for one table (kbench=proc_state_bytes). */
size_t fdtable_alloc_size(void);
/* Open descriptors (for tests). */
unsigned fdtable_count(struct fdtable *t);

#endif
