/* SPDX-License-Identifier: MIT */
/*
 * The Linux riscv64 syscall ABI: number in a7, arguments in a0..a5, result
 * (or -errno) in a0. Handlers register themselves with SYSCALL(nr, name)
 * in a linker section; syscall_init() builds the dense dispatch table.
 *
 * A handler either returns its result at once, or, when it must wait, sets
 * sc->pending to a future whose ->result becomes the syscall's return value
 * when it is READY (its return value is then ignored). The userloop owns the
 * future from then on: it polls it, and calls future_drop() then
 * future_release() on it when done, or when the process is killed while
 * waiting, so drop must release everything the future holds (wakers, buffers,
 * references). Such futures are normally kmalloc'd with a release op that
 * kfree()s them.
 *
 * Unknown numbers return -ENOSYS. Handlers never trust a user pointer: they
 * go through kernel/mm/uaccess.h (-EFAULT on any bad address).
 */
#ifndef KERNEL_SYSCALL_SYSCALL_H
#define KERNEL_SYSCALL_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>

struct proc;
struct future;

struct sys_ctx {
	struct proc *proc;       /* the calling process */
	const unsigned long *arg; /* a0..a5 (points into the saved registers) */
	struct future *pending;  /* out: set by a handler that must wait */
};

typedef long (*sys_fn)(struct sys_ctx *sc);

/*
 * How a handler returns, as docs/syscalls.md lists it:
 *   SYSCALL_FAST   from the trap fast path, at once (below);
 *   SYSCALL        at once, from the userloop;
 *   SYSCALL_ASYNC  may instead set sc->pending to a future to await (the
 *                  userloop checks that only these do).
 */
enum syscall_kind {
	SYSCALL_KIND_NOW,
	SYSCALL_KIND_FAST,
	SYSCALL_KIND_ASYNC,
};

struct syscall_desc {
	unsigned nr;
	enum syscall_kind kind;
	const char *name;
	sys_fn fn;
};

#define SYSCALL_MAX 512

#define SYSCALL_DESC(nr_, name_, kind_)                                       \
	static long sys_##name_(struct sys_ctx *sc);                          \
	static const struct syscall_desc syscall_desc_##name_                 \
		__attribute__((used, section(".syscalls"), aligned(8))) = {   \
			.nr = (nr_),                                          \
			.kind = (kind_),                                      \
			.name = #name_,                                       \
			.fn = sys_##name_,                                    \
		};                                                            \
	static long sys_##name_(struct sys_ctx *sc)

#define SYSCALL(nr_, name_) SYSCALL_DESC(nr_, name_, SYSCALL_KIND_NOW)
#define SYSCALL_ASYNC(nr_, name_) SYSCALL_DESC(nr_, name_, SYSCALL_KIND_ASYNC)

/*
 * A fast syscall runs straight from the user trap vector, before the
 * program's callee-saved registers are even stored: it must return its
 * result at once (never set sc->pending), never exit or exec, and must not
 * read or change the process's saved registers other than a0..a5. Only
 * what is both hot and trivially short qualifies (getpid, clock_gettime).
 */
#define SYSCALL_FAST(nr_, name_) SYSCALL_DESC(nr_, name_, SYSCALL_KIND_FAST)

/* Dispatch a fast syscall for the process running on this hart; false if
 * nr is not a fast one (the userloop then handles the trap). Interrupts off. */
bool syscall_try_fast(unsigned long nr, struct sys_ctx *sc, long *ret);

/*
 * Run a handler that may hit a disk-cache miss (-EIOWAIT, kernel/fs/vfs.h):
 * if it does, hand the userloop a future that awaits the I/O and runs the
 * handler again from the start. Implemented in kernel/fs/fs_syscall.c.
 */
long fs_call(struct sys_ctx *sc, sys_fn fn);

/* Boot: fill the table from the .syscalls section; panics on a duplicate. */
void syscall_init(void);
/* The descriptor of nr, or NULL. */
const struct syscall_desc *syscall_lookup(unsigned long nr);
const char *syscall_name(unsigned long nr);

#endif
