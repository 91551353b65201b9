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

/* wait4 status words, as Linux encodes them. */
#define WSTATUS_EXITED(code) (((code)&0xff) << 8)
#define WSTATUS_SIGNALED(sig) ((sig)&0x7f)

#endif
