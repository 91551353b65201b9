/* SPDX-License-Identifier: MIT */
/*
 * Linux signal numbers, the kernel's struct sigaction, the information a
 * signal carries (struct ksiginfo, what siginfo_t, waitid and signalfd are
 * built from), and the wait-status encoding.
 */
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
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define SIGRTMIN 32
#define NSIG 64

#include <stdbool.h>
#include <stdint.h>

#define SIG_BIT(sig) (1ull << ((sig)-1))

/* The kernel's struct sigaction on riscv64 (asm-generic, no sa_restorer). */
struct k_sigaction {
	uintptr_t handler;	/* SIG_DFL 0, SIG_IGN 1, or a user address */
	unsigned long flags;	/* SA_* */
	uint64_t mask;		/* blocked while the handler runs */
};
#define SIG_DFL 0
#define SIG_IGN 1
#define SA_NOCLDSTOP 0x00000001ul
#define SA_NOCLDWAIT 0x00000002ul
#define SA_SIGINFO 0x00000004ul
#define SA_UNSUPPORTED 0x00000400ul
#define SA_EXPOSE_TAGBITS 0x00000800ul
#define SA_ONSTACK 0x08000000ul
#define SA_RESTART 0x10000000ul
#define SA_NODEFER 0x40000000ul
#define SA_RESETHAND 0x80000000ul

/* si_code values (Linux). */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_QUEUE (-1)
#define SI_TIMER (-2)
#define SI_MESGQ (-3)
#define SI_ASYNCIO (-4)
#define SI_SIGIO (-5)
#define SI_TKILL (-6)
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2

/*
 * What a signal carries, whichever way it was sent. Which fields mean
 * something depends on signo and code, as for siginfo_t (siginfo_to_user()
 * lays it out): kill/tkill/sigqueue fill pid and uid (and value), a POSIX
 * timer timerid, overrun and value, SIGCHLD pid, uid, status and the
 * child's times in clock ticks, a fault addr.
 */
struct ksiginfo {
	int32_t signo, code, err;
	int32_t pid;		/* sender, or the child of a SIGCHLD */
	uint32_t uid;
	int32_t status;		/* SIGCHLD: exit code, or the signal */
	int32_t timerid, overrun;
	uint64_t value;		/* union sigval (SI_QUEUE, SI_TIMER) */
	uint64_t addr;		/* faults: the address */
	int64_t utime, stime;	/* SIGCHLD */
};

/* siginfo_t as a riscv64 (asm-generic) program sees it: 128 bytes. */
struct user_siginfo {
	uint8_t bytes[128];
};
void siginfo_to_user(const struct ksiginfo *ki, struct user_siginfo *out);

/* wait4 status words, as Linux encodes them. */
#define WSTATUS_EXITED(code) (((code)&0xff) << 8)
#define WSTATUS_SIGNALED(sig) ((sig)&0x7f)
#define WSTATUS_COREDUMP 0x80
#define WSTATUS_STOPPED(sig) ((((sig)&0xff) << 8) | 0x7f)
#define WSTATUS_CONTINUED 0xffff

#endif
