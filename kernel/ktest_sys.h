/* SPDX-License-Identifier: MIT */
/*
 * Helpers for in-kernel tests of syscall handlers: a bare process (proc_alloc
 * + a fresh address space with KTEST_UBUF mapped) that never runs, and a
 * call of a handler through its SYSCALL descriptor, as the userloop makes it.
 */
#ifndef KERNEL_KTEST_SYS_H
#define KERNEL_KTEST_SYS_H

#include <stdbool.h>
#include <stdint.h>

struct future;
struct proc;

#define KTEST_UBUF 0x400000UL /* 4 pages RW in every test process */

struct proc *ktest_proc(void);
void ktest_proc_free(struct proc *p);
/* Call syscall nr for p; *pending (if given) receives a blocking future,
 * else one is dropped at once. -ENOSYS for an unknown nr. */
long ktest_syscall(struct proc *p, unsigned nr, unsigned long a0, unsigned long a1,
		   unsigned long a2, unsigned long a3, struct future **pending);
#define SYS0(p, nr) ktest_syscall(p, nr, 0, 0, 0, 0, NULL)
#define SYS(p, nr, ...) ktest_syscall(p, nr, __VA_ARGS__, NULL)
/* Poll with a no-op waker until READY; false after limit_ns. */
bool ktest_poll_until_ready(struct future *f, uint64_t limit_ns);
void ktest_future_finish(struct future *f);

#endif
