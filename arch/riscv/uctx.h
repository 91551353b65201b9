/* SPDX-License-Identifier: MIT */
/*
 * A user context: the registers of a user program while the kernel runs,
 * and the one call that runs it: arch_user_run() enters user mode and returns
 * when the program traps back, saying why. There is no per-process kernel
 * stack: entering user mode saves the caller's callee-saved registers on the
 * hart's stack, and the trap returns into arch_user_run() as if from a call.
 *
 * Floating point is lazy: the kernel never uses FP registers (it is built
 * rv64imac), so they keep the user's values across traps; they are saved only
 * when the program dirtied them, and reloaded only when a different context
 * than the last one runs on this hart.
 */
#ifndef ARCH_RISCV_UCTX_H
#define ARCH_RISCV_UCTX_H

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

struct user_context {
	unsigned long x[32];    /* x[n] = register xn; x[0] unused */
	unsigned long pc;       /* where the program resumes */
	unsigned long scause;   /* of the last trap */
	unsigned long stval;    /* of the last trap */
	uint64_t fp_gen;        /* identity of this FP state (0 = never used) */
	uint64_t f[32];         /* FP registers, valid when saved */
	uint32_t fcsr;
};

enum user_event {
	USER_EVENT_SYSCALL,     /* ecall: number and arguments in the context */
	USER_EVENT_INTERRUPT,   /* an interrupt is pending; it is NOT yet handled */
	USER_EVENT_PAGE_FAULT,  /* *fault_addr, *fault_access (AS_PROT_* bit) */
	USER_EVENT_SIGNAL,      /* a fault that maps to a signal: *signal */
};

struct user_trap {
	enum user_event event;
	uintptr_t fault_addr;
	unsigned fault_access;  /* 1 read, 2 write, 4 exec (the Linux PROT_* bits) */
	int signal;             /* SIGILL, SIGBUS, SIGSEGV, SIGTRAP */
};

/* A fresh context that starts at pc with stack sp, all else zero. */
void uctx_init(struct user_context *uc, uintptr_t pc, uintptr_t sp);
/* The child of fork: the parent's registers (FP included), a0 = 0. */
void uctx_fork(struct user_context *child, const struct user_context *parent);

/*
 * Run the context in user mode until it traps. Called with interrupts off;
 * returns with interrupts off. An interrupt that stopped the program stays
 * pending: the caller enables interrupts briefly to let it be handled.
 * On a syscall, pc has already been moved past the ecall.
 */
void arch_user_run(struct user_context *uc, struct user_trap *trap);

/* Install a user page table (physical address of its root) on this hart,
 * flushing the TLB; arch_user_space_leave() goes back to the kernel's own. */
void arch_user_space_enter(uint64_t root_pa);
void arch_user_space_leave(void);

static inline unsigned long uctx_syscall_nr(const struct user_context *uc)
{
	return uc->x[17]; /* a7 */
}

static inline unsigned long uctx_arg(const struct user_context *uc, int i)
{
	return uc->x[10 + i]; /* a0.. */
}

/* a0..a5 in place, as the syscall arguments. */
static inline const unsigned long *uctx_args(const struct user_context *uc)
{
	return &uc->x[10];
}

static inline void uctx_set_return(struct user_context *uc, long v)
{
	uc->x[10] = (unsigned long)v;
}

static inline uintptr_t uctx_pc(const struct user_context *uc)
{
	return uc->pc;
}

static inline uintptr_t uctx_sp(const struct user_context *uc)
{
	return uc->x[2];
}

/*
 * Called by the user trap vector for every ecall, on the hart stack with
 * interrupts off, before the program's callee-saved registers are stored
 * (only a0-a7, t*, ra, sp, gp, tp and pc are valid in uc). Returns true if
 * it completed the syscall (result in a0, pc advanced); the vector then
 * returns straight to the program. Implemented by kernel/proc/uloop.c.
 */
bool uloop_fast_syscall(struct user_context *uc);

/* Low-level entry (uentry.S); use arch_user_run(). */
void arch_user_enter_raw(struct user_context *uc);
void arch_fp_save(struct user_context *uc);
void arch_fp_restore(const struct user_context *uc);
#endif

#endif
