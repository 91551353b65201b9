// SPDX-License-Identifier: MIT
/*
 * The signal frame a handler runs on, in the Linux riscv64 layout (so glibc's
 * ucontext_t and siginfo_t read it right): struct rt_sigframe { siginfo;
 * ucontext } at the new stack pointer, 16-byte aligned. The ucontext holds
 * the interrupted pc and x1..x31 (pc in x0's slot, as Linux's sigcontext),
 * the FP registers, and the signal mask to restore.
 *
 * Return: Linux enters handlers with ra pointing at its vDSO's rt_sigreturn
 * (`li a7, 139; ecall`). This kernel has no vDSO; ra points at those two
 * instructions written just above the frame, on the stack: the unwinder of
 * libgcc (pthread_cancel, C++ exceptions through a handler) recognises a
 * signal frame by reading them there. The stack is not executable, so the
 * handler's `ret` faults on them, and the userloop treats that fetch fault
 * as rt_sigreturn (uctx_is_sigreturn_fetch); where the stack is executable
 * they run and make the call themselves. USER_SIGRETURN_PC, an address in
 * page 0, is still taken as a return too.
 */
#include "arch/riscv/uctx.h"

#include <stddef.h>

#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "lib/errno.h"
#include "lib/string.h"

struct rv_siginfo {		/* 128 bytes, as Linux's siginfo_t (filled by kernel/proc) */
	uint8_t bytes[128];
};

struct rv_fp_state {		/* union __riscv_fp_state: the Q layout's size */
	uint64_t f[32];
	uint32_t fcsr;
	uint32_t reserved[3 + 64];	/* the rest of __riscv_q_ext_state */
} __attribute__((aligned(16)));

struct rv_ucontext {
	uint64_t flags;
	uint64_t link;
	struct {
		uint64_t sp;
		int32_t flags;
		int32_t pad;
		uint64_t size;
	} stack;
	uint64_t sigmask;	/* Linux's 64-bit sigset_t ... */
	uint8_t unused[128 - 8];	/* ... padded to glibc's 1024 bits */
	struct {
		uint64_t regs[32];	/* [0] = pc, [n] = xn */
		struct rv_fp_state fp;
	} mcontext __attribute__((aligned(16)));
};

struct rv_sigframe {
	struct rv_siginfo info;
	struct rv_ucontext uc;
};

_Static_assert(sizeof(struct rv_siginfo) == 128, "siginfo_t is 128 bytes");
_Static_assert(sizeof(struct rv_sigframe) == USER_SIGFRAME_BYTES, "uctx.h's frame size");
_Static_assert(sizeof(struct rv_fp_state) == 528, "union __riscv_fp_state is 528 bytes");
_Static_assert(offsetof(struct rv_ucontext, mcontext) == 176, "uc_mcontext at 176");
_Static_assert(sizeof(struct rv_ucontext) == 960, "ucontext_t is 960 bytes");

/* li a7, 139 (rt_sigreturn); ecall: what Linux's __vdso_rt_sigreturn holds. */
static const uint32_t sigreturn_code[2] = { 0x08b00893u, 0x00000073u };
_Static_assert(sizeof(struct rv_sigframe) % 16 == 0, "the trampoline sits right above the frame");

bool uctx_is_sigreturn_fetch(struct as *as, uintptr_t pc)
{
	uint32_t code[2];

	if (pc == USER_SIGRETURN_PC)
		return true;
	if (pc & 1 || copy_from_user(as, code, pc, sizeof(code)))
		return false;
	return code[0] == sigreturn_code[0] && code[1] == sigreturn_code[1];
}

int uctx_signal_push(struct user_context *uc, struct as *as, const void *info,
		     uint64_t old_mask, const struct uctx_stack *stack, uintptr_t sp,
		     uintptr_t handler)
{
	/* LAB(signal) BEGIN stub:
	 * (void)uc, (void)as, (void)info, (void)old_mask, (void)stack, (void)sp, (void)handler;
	 * return -ENOSYS;
	 */
	struct rv_sigframe *f = kzalloc(sizeof(*f));
	int32_t signo;
	int err;

	if (!f)
		return -ENOMEM;
	memcpy(&signo, info, sizeof(signo)); /* si_signo comes first */
	/* A stack pointer below the frame's size would wrap: no room. The
	 * trampoline takes the 16 bytes above the frame. */
	sp = sp >= sizeof(*f) + 32 ? (sp - sizeof(*f) - 16) & ~(uintptr_t)15 : 0;
	memcpy(&f->info, info, sizeof(f->info));
	f->uc.stack.sp = stack->sp;
	f->uc.stack.flags = (int32_t)stack->flags;
	f->uc.stack.size = stack->size;
	f->uc.sigmask = old_mask;
	f->uc.mcontext.regs[0] = uc->pc;
	for (int i = 1; i < 32; i++)
		f->uc.mcontext.regs[i] = uc->x[i];
	if (uc->f) {	/* saved at the trap; NULL: all zero */
		memcpy(f->uc.mcontext.fp.f, uc->f->f, sizeof(f->uc.mcontext.fp.f));
		f->uc.mcontext.fp.fcsr = uc->f->fcsr;
	}
	err = sp ? copy_to_user(as, sp, f, sizeof(*f)) : -EFAULT;
	kfree(f);
	if (!err)
		err = copy_to_user(as, sp + sizeof(*f), sigreturn_code, sizeof(sigreturn_code));
	if (err)
		return err;
	/* The FP registers stay as they were: the handler inherits them. */
	uc->pc = handler;
	uc->x[1] = sp + sizeof(*f);				/* ra: the trampoline */
	uc->x[2] = sp;
	uc->x[10] = (unsigned long)signo;			/* a0 */
	uc->x[11] = sp + offsetof(struct rv_sigframe, info);	/* a1: siginfo_t * */
	uc->x[12] = sp + offsetof(struct rv_sigframe, uc);	/* a2: ucontext_t * */
	return 0;
	/* LAB(signal) END */
}

int uctx_signal_pop(struct user_context *uc, struct as *as, uint64_t *mask,
		    struct uctx_stack *stack)
{
	/* LAB(signal) BEGIN stub:
	 * (void)uc, (void)as, (void)mask, (void)stack;
	 * return -ENOSYS;
	 */
	struct rv_sigframe *f = kmalloc(sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	/* sp is where the push left it: handlers return with it restored. */
	err = copy_from_user(as, f, uc->x[2], sizeof(*f));
	if (!err)
		err = uctx_set_fp(uc, f->uc.mcontext.fp.f, f->uc.mcontext.fp.fcsr);
	if (!err) {
		uc->pc = f->uc.mcontext.regs[0];
		for (int i = 1; i < 32; i++)
			uc->x[i] = f->uc.mcontext.regs[i];
		*mask = f->uc.sigmask;
		stack->sp = f->uc.stack.sp;
		stack->flags = (uint32_t)f->uc.stack.flags;
		stack->size = f->uc.stack.size;
	}
	kfree(f);
	return err;
	/* LAB(signal) END */
}
