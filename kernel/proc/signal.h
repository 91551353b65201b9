/* SPDX-License-Identifier: MIT */
/* Linux signal numbers and the wait-status encoding. */
#ifndef KERNEL_PROC_SIGNAL_H
#define KERNEL_PROC_SIGNAL_H

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGWINCH 28
#define NSIG 64

#include <stdint.h>

/* The kernel's struct sigaction on riscv64 (asm-generic, no sa_restorer). */
struct k_sigaction {
	uintptr_t handler;	/* SIG_DFL 0, SIG_IGN 1, or a user address */
	unsigned long flags;	/* SA_* */
	uint64_t mask;		/* blocked while the handler runs */
};
#define SIG_DFL 0
#define SIG_IGN 1
#define SA_SIGINFO 0x00000004ul
#define SA_ONSTACK 0x08000000ul
#define SA_RESTART 0x10000000ul
#define SA_NODEFER 0x40000000ul
#define SA_RESETHAND 0x80000000ul

/* wait4 status words, as Linux encodes them. */
#define WSTATUS_EXITED(code) (((code)&0xff) << 8)
#define WSTATUS_SIGNALED(sig) ((sig)&0x7f)

#endif
