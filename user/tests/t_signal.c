// SPDX-License-Identifier: MIT
/* Signal handlers: delivery, masks, return, interrupted syscalls, bad stacks. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

static volatile sig_atomic_t got, got_sig, nested_seen, order[4], norder;

static void on_sig(int sig)
{
	got++;
	got_sig = sig;
	if (norder < 4)
		order[norder++] = sig;
}

static void install(int sig, void (*fn)(int), int flags, const sigset_t *mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	if (mask)
		sa.sa_mask = *mask;
	sigaction(sig, &sa, NULL);
}

/* A handler runs on kill() to self, gets the signal number, and returns to
 * the instruction after the kill with every register intact. */
UT_CASE(sig_handler_runs_and_returns, 0, 30)
{
	long before = 0x1234567890abcdefL, after;

	got = 0;
	install(SIGUSR1, on_sig, 0, NULL);
	EXPECT(kill(getpid(), SIGUSR1) == 0);
	after = before;
	EXPECT(got == 1);
	EXPECT(got_sig == SIGUSR1);
	EXPECT(after == 0x1234567890abcdefL);
	/* Twice: the frame was popped and the mask restored. */
	EXPECT(raise(SIGUSR1) == 0);
	EXPECT(got == 2);
	signal(SIGUSR1, SIG_DFL);
}

static volatile sig_atomic_t info_ok;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	info_ok = sig == SIGUSR2 && si->si_signo == SIGUSR2 && uc != NULL;
}

UT_CASE(sig_siginfo, 0, 30)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	ASSERT(sigaction(SIGUSR2, &sa, NULL) == 0);
	info_ok = 0;
	raise(SIGUSR2);
	EXPECT(info_ok == 1);
	signal(SIGUSR2, SIG_DFL);
}

/* While a handler runs its signal and sa_mask are blocked; what arrives
 * meanwhile is delivered after it returns, in order. */
static void on_usr1_raises_usr2(int sig)
{
	on_sig(sig);
	raise(SIGUSR2);		/* blocked by sa_mask: not yet */
	nested_seen = norder;	/* still 1 if USR2 waited */
}

UT_CASE(sig_mask_during_handler, 0, 30)
{
	sigset_t m, cur;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	norder = 0;
	got = 0;
	install(SIGUSR2, on_sig, 0, NULL);
	install(SIGUSR1, on_usr1_raises_usr2, 0, &m);
	raise(SIGUSR1);
	EXPECT(nested_seen == 1);
	EXPECT(norder == 2 && order[0] == SIGUSR1 && order[1] == SIGUSR2);
	/* The mask is back to what it was (nothing blocked). */
	sigprocmask(SIG_BLOCK, NULL, &cur);
	EXPECT(!sigismember(&cur, SIGUSR1) && !sigismember(&cur, SIGUSR2));
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* FP registers of the interrupted code survive a handler that uses FP. */
static volatile double fp_sink;

static void on_fp(int sig)
{
	double x = sig;

	for (int i = 0; i < 10; i++)
		x = x * 1.5 + 0.25;
	fp_sink = x;
	/* Clobber the interrupted code's FP registers behind the compiler's
	 * back (as an asynchronous signal's handler may clobber any
	 * caller-saved one): only the frame's restore brings them back. */
	__asm__ volatile("fmv.d.x fs0, zero\n"
			 "fmv.d.x fs1, zero\n"
			 "fsflags zero" ::: "memory");
}

UT_CASE(sig_preserves_fp, 0, 30)
{
	register double a __asm__("fs0") = 3.25;
	register double b __asm__("fs1") = -7.5;

	install(SIGUSR1, on_fp, 0, NULL);
	__asm__ volatile("" : "+f"(a), "+f"(b));
	raise(SIGUSR1);
	__asm__ volatile("" : "+f"(a), "+f"(b));
	EXPECT(a == 3.25 && b == -7.5);
	EXPECT(fp_sink != 0);
	signal(SIGUSR1, SIG_DFL);
}

/* SA_RESETHAND: the first one runs the handler, the second kills. */
static void resethand_child(void *arg)
{
	(void)arg;
	got = 0;
	install(SIGUSR1, on_sig, SA_RESETHAND, NULL);
	raise(SIGUSR1);
	if (got != 1)
		_exit(3);
	raise(SIGUSR1);
	_exit(4);	/* not reached */
}

UT_CASE(sig_resethand, 0, 30)
{
	int st = ut_in_child(resethand_child, NULL);

	EXPECT(ut_killed_by(st, SIGUSR1));
}

/* A read blocked on an empty pipe: without SA_RESTART the handler runs and
 * read fails with EINTR; with it, read goes on and gets the data. */
static void blocked_read_child(void *arg)
{
	int *fds = arg;
	char c = 0;
	ssize_t r;

	got = 0;
	install(SIGUSR1, on_sig, 0, NULL);
	install(SIGUSR2, on_sig, SA_RESTART, NULL);
	close(fds[1]);
	if (write(fds[3], "r", 1) != 1)	/* ready */
		_exit(10);
	r = read(fds[0], &c, 1);	/* SIGUSR1 interrupts */
	if (r != -1 || errno != EINTR || got != 1)
		_exit(11);
	if (write(fds[3], "s", 1) != 1)
		_exit(12);
	r = read(fds[0], &c, 1);	/* SIGUSR2 restarts, then 'x' arrives */
	if (r != 1 || c != 'x' || got != 2)
		_exit(13);
	_exit(0);
}

UT_CASE(sig_interrupts_blocked_read, 0, 30)
{
	int fds[4];
	char c;
	pid_t pid;

	ASSERT(pipe(fds) == 0 && pipe(fds + 2) == 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0)
		blocked_read_child(fds);	/* never returns */
	close(fds[3]);
	ASSERT(read(fds[2], &c, 1) == 1 && c == 'r');
	usleep(20000);			/* let it block in read */
	kill(pid, SIGUSR1);
	ASSERT(read(fds[2], &c, 1) == 1 && c == 's');
	usleep(20000);
	kill(pid, SIGUSR2);
	usleep(20000);
	ASSERT(write(fds[1], "x", 1) == 1);
	int st = ut_wait(pid);

	EXPECT(ut_exited_with(st, 0));
	if (!ut_exited_with(st, 0))
		ut_diag("sig_interrupts_blocked_read: status %#x", st);
	close(fds[0]);
	close(fds[1]);
	close(fds[2]);
}

/* A handler with nowhere to put its frame (sp is garbage): SIGSEGV, and the
 * kernel carries on. */
static void bad_stack_child(void *arg)
{
	long pid;

	(void)arg;
	install(SIGUSR1, on_sig, 0, NULL);
	pid = getpid();
	/* Assigned right before the asm: a call in between would clobber a0. */
	register long a0 __asm__("a0") = pid;
	__asm__ volatile("mv t0, sp\n"
			 "li sp, 0x20\n"	/* unmapped, below any mapping */
			 "li a1, 10\n"		/* SIGUSR1 */
			 "li a7, 129\n"		/* kill(getpid(), SIGUSR1) */
			 "ecall\n"
			 "mv sp, t0\n"
			 : "+r"(a0) : : "t0", "a1", "a7", "memory");
	_exit(5);
}

UT_CASE(sig_bad_stack_is_sigsegv, 0, 30)
{
	int st = ut_in_child(bad_stack_child, NULL);

	EXPECT(ut_killed_by(st, SIGSEGV));
}

/* A SIGSEGV handler sees the faulting address and can leave with siglongjmp-
 * free means: here, by _exit from the handler. */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	_exit(sig == SIGSEGV && si->si_addr == (void *)0x40 ? 42 : 43);
}

static void segv_child(void *arg)
{
	struct sigaction sa;

	(void)arg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	volatile uintptr_t where = 0x40;	/* hidden from the compiler's bounds checks */

	*(volatile int *)where = 1;
	_exit(6);
}

UT_CASE(sig_segv_handler_gets_address, 0, 30)
{
	int st = ut_in_child(segv_child, NULL);

	EXPECT(ut_exited_with(st, 42));
}

/* An explicit rt_sigreturn with a garbage frame kills with SIGSEGV. */
static void bad_sigreturn_child(void *arg)
{
	(void)arg;
	__asm__ volatile("li sp, 0x30\n"
			 "li a7, 139\n"
			 "ecall\n" ::: "a7", "memory");
	_exit(7);
}

UT_CASE(sig_bad_sigreturn_is_sigsegv, 0, 30)
{
	int st = ut_in_child(bad_sigreturn_child, NULL);

	EXPECT(ut_killed_by(st, SIGSEGV));
}
