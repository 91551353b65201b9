/* SPDX-License-Identifier: MIT */
/* Compiler attributes the kernel uses on its hot paths. */
#ifndef KERNEL_COMPILER_H
#define KERNEL_COMPILER_H

/*
 * For a function whose only calls are tail calls or calls that never return
 * (exec_run_pending, the spinlock's fast paths): the kernel keeps frame
 * pointers for its backtraces, but a function with no frame of its own
 * leaves the chain intact (its callee's frame record names its caller, as
 * for any tail call; a backtrace just does not show it). Saves the five
 * instructions of a frame. Host builds keep their flags.
 */
#if defined(__riscv) && !defined(EXEC_HOST)
#define KERNEL_NO_FRAME __attribute__((optimize("omit-frame-pointer")))
#else
#define KERNEL_NO_FRAME
#endif

#endif
