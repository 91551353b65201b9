/* SPDX-License-Identifier: MIT */
/*
 * A user context: the registers of a user program while the kernel runs,
 * and the one call that runs it: arch_user_run() enters user mode and returns
 * when the program traps back, saying why. There is no per-process kernel
 * stack: entering user mode saves the caller's callee-saved registers on the
 * hart's stack, and the trap returns into arch_user_run() as if from a call.
 *
 * Floating point is lazy twice over. A context has no FP state at all until
 * the program first writes an FP register: it runs with sstatus.FS = Initial
 * on zeroed registers, and only when a trap finds FS = Dirty is a struct
 * user_fp allocated (reading the registers, as glibc's setjmp does, costs
 * nothing). Once it has one, the kernel never touches the FP registers (it is
 * built rv64imac), so they keep the user's values across traps; they are
 * saved only when the program dirtied them, and reloaded only when this hart
 * last ran another FP context, or this context last ran on another hart.
 */
#ifndef ARCH_RISCV_UCTX_H
#define ARCH_RISCV_UCTX_H

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The FP registers of a context that has used FP (uctx.c's slab cache). */
struct user_fp {
	uint64_t f[32];         /* valid when saved (see the note above) */
	uint32_t fcsr;
	int32_t hart;           /* hart whose registers were last loaded from, or
				 * saved into, this state; -1 = none */
};

struct user_context {
	union {
		unsigned long x[32]; /* x[n] = register xn, n >= 1 */
		unsigned long pc;    /* where the program resumes: x0's slot is
				      * free, as in Linux's pt_regs.epc */
	};
	unsigned long scause;   /* of the last trap */
	unsigned long stval;    /* of the last trap */
	struct user_fp *f;      /* NULL until the first FP register write */
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

/*
 * A fresh context that starts at pc with stack sp, all else zero and no FP
 * state. uc is either zeroed memory or a context to reuse (execve): its FP
 * state, if any, is freed (the new image starts with clean FP, as on Linux).
 */
void uctx_init(struct user_context *uc, uintptr_t pc, uintptr_t sp);
/* The child of fork: the parent's registers (FP state copied if it has one),
 * a0 = 0. 0, or -ENOMEM when the FP copy cannot be allocated. */
int uctx_fork(struct user_context *child, const struct user_context *parent);
/* Free the FP state (exit, and before the context's memory goes); the
 * integer registers stay. Safe to call twice. */
void uctx_release(struct user_context *uc);
/* Bytes the allocator hands out for one FP state (for kbench). */
size_t uctx_fp_alloc_size(void);

/*
 * Run the context in user mode until it traps. Called with interrupts off;
 * returns with interrupts off. An interrupt that stopped the program stays
 * pending: the caller enables interrupts briefly to let it be handled.
 * On a syscall, pc has already been moved past the ecall. If the program
 * wrote FP registers for the first time and no FP state can be allocated,
 * the trap reports USER_EVENT_SIGNAL with SIGKILL instead.
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

/*
 * Signal frames (sigframe.c). USER_SIGRETURN_PC is where a handler returns
 * to: in page 0, which is never mapped (ELF segments start at 4096, mmap
 * refuses page 0: AS_MAP_MIN_ADDR), so its fetch fault means "return from
 * the handler".
 */
#define USER_SIGRETURN_PC 0xff0UL
/* Bytes a signal frame takes on the stack (siginfo_t, then ucontext_t):
 * AT_MINSIGSTKSZ of the initial stack. */
#define USER_SIGFRAME_BYTES (128 + 960)
struct as;
/* stack_t: the alternate signal stack a frame records in uc_stack. */
struct uctx_stack {
	uintptr_t sp;
	uint32_t flags;
	uint64_t size;
};
/* Push a frame below @sp (the program's stack pointer, or the top of its
 * alternate stack) and point the context at @handler with (signo, &info,
 * &ucontext). @info is the 128-byte siginfo_t as the program sees it,
 * @old_mask what rt_sigreturn restores, @stack what uc_stack records.
 * -EFAULT if the stack cannot take it, -ENOMEM. */
int uctx_signal_push(struct user_context *uc, struct as *as, const void *info,
		     uint64_t old_mask, const struct uctx_stack *stack, uintptr_t sp,
		     uintptr_t handler);
/* Whether an instruction fetch fault at @pc is a handler returning: pc is
 * USER_SIGRETURN_PC or the rt_sigreturn trampoline a frame put above
 * itself. */
bool uctx_is_sigreturn_fetch(struct as *as, uintptr_t pc);
/* Restore the context from the frame at the stack pointer; *mask gets the
 * saved signal mask, *stack the frame's uc_stack. -EFAULT on a bad frame,
 * -ENOMEM. */
int uctx_signal_pop(struct user_context *uc, struct as *as, uint64_t *mask,
		    struct uctx_stack *stack);
/* Set the FP registers (all-zero with no state yet needs none). */
int uctx_set_fp(struct user_context *uc, const uint64_t f[32], uint32_t fcsr);

/* Low-level entry (uentry.S); use arch_user_run(). */
void arch_user_enter_raw(struct user_context *uc);
void arch_fp_save(struct user_fp *fp);
void arch_fp_restore(const struct user_fp *fp);
void arch_fp_zero(void);
#endif

#endif
