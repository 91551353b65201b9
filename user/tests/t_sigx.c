// SPDX-License-Identifier: MIT
/*
 * Signals beyond delivery (t_signal.c): sigpending, sigsuspend, sigtimedwait,
 * queued realtime signals and their siginfo, sigaltstack, SA_RESETHAND,
 * interrupted and restarted calls, core-dump status, SIGCHLD, and the
 * errors Linux gives. Each case also passes under qemu-riscv64.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

static volatile sig_atomic_t hits, last_sig;
static volatile int last_code, last_pid, last_status;

static void on_sig(int sig)
{
	hits++;
	last_sig = sig;
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	last_pid = si->si_pid;
	last_status = si->si_status;
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

static void handle_info(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

/* A child that sends @sig to the caller after @ms, then exits. */
static pid_t send_later(int sig, long ms)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		ut_sleep_ms(ms);
		kill(parent, sig);
		_exit(0);
	}
	return pid;
}

/* A blocked signal is pending (and reported so) until unblocked. */
UT_CASE(sigx_sigpending, 0, 30)
{
	sigset_t set;
	uint64_t raw;

	hits = 0;
	handle(SIGUSR1, on_sig, 0);
	block(SIGUSR1, SIG_BLOCK);
	raise(SIGUSR1);
	EXPECT(hits == 0);
	ASSERT(sigpending(&set) == 0);
	EXPECT(sigismember(&set, SIGUSR1));
	EXPECT(!sigismember(&set, SIGUSR2));
	/* A smaller set size copies fewer bytes; a larger one is EINVAL. */
	raw = 0;
	EXPECT(syscall(SYS_rt_sigpending, &raw, 4) == 0 && raw == 1u << (SIGUSR1 - 1));
	EXPECT(syscall(SYS_rt_sigpending, &raw, 9) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_rt_sigpending, (void *)8, 8) == -1 && errno == EFAULT);
	block(SIGUSR1, SIG_UNBLOCK);
	EXPECT(hits == 1);
	ASSERT(sigpending(&set) == 0);
	EXPECT(!sigismember(&set, SIGUSR1));
	signal(SIGUSR1, SIG_DFL);
}

/* sigsuspend: waits under its own mask, runs the handler, fails with EINTR
 * and puts the old mask back. */
UT_CASE(sigx_sigsuspend, 0, 30)
{
	sigset_t none, cur;
	pid_t kid;

	hits = 0;
	handle(SIGUSR1, on_sig, SA_RESTART); /* EINTR anyway */
	block(SIGUSR1, SIG_BLOCK);
	kid = send_later(SIGUSR1, 50);
	sigemptyset(&none);
	EXPECT(sigsuspend(&none) == -1 && errno == EINTR);
	EXPECT(hits == 1);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	EXPECT(sigismember(&cur, SIGUSR1));
	ut_wait(kid);
	/* Already pending and unblocked by the call's mask: at once. */
	raise(SIGUSR1);
	EXPECT(hits == 1);
	EXPECT(sigsuspend(&none) == -1 && errno == EINTR);
	EXPECT(hits == 2);
	EXPECT(syscall(SYS_rt_sigsuspend, &none, 4) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_rt_sigsuspend, (void *)8, 8) == -1 && errno == EFAULT);
	block(SIGUSR1, SIG_UNBLOCK);
	signal(SIGUSR1, SIG_DFL);
}

/* A shell's wait: SIGCHLD blocked, fork, sigsuspend until the child's
 * SIGCHLD handler has run, with the child's information. */
UT_CASE(sigx_sigsuspend_sigchld, 0, 30)
{
	sigset_t orig;
	pid_t pid;

	hits = 0;
	last_code = 0;
	handle_info(SIGCHLD, 0);
	block(SIGCHLD, SIG_BLOCK);
	sigprocmask(SIG_BLOCK, NULL, &orig);
	sigdelset(&orig, SIGCHLD);
	pid = fork();
	if (pid == 0) {
		ut_sleep_ms(30);
		_exit(7);
	}
	while (!hits)
		EXPECT(sigsuspend(&orig) == -1 && errno == EINTR);
	EXPECT(last_sig == SIGCHLD);
	EXPECT(last_code == CLD_EXITED);
	EXPECT(last_pid == pid);
	EXPECT(last_status == 7);
	EXPECT(ut_exited_with(ut_wait(pid), 7));
	block(SIGCHLD, SIG_UNBLOCK);
	signal(SIGCHLD, SIG_DFL);
}

UT_CASE(sigx_sigtimedwait, 0, 30)
{
	struct timespec zero = { 0, 0 }, t50 = { 0, 50000000 }, bad = { 0, 1000000000 };
	sigset_t set;
	siginfo_t si;
	int64_t t0;
	pid_t kid;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	block(SIGUSR2, SIG_BLOCK);
	raise(SIGUSR2); /* glibc: tgkill */
	memset(&si, 0, sizeof(si));
	EXPECT(sigtimedwait(&set, &si, &zero) == SIGUSR2);
	/* raise() is tgkill, SI_TKILL, which glibc's sigtimedwait folds into
	 * SI_USER. */
	if (!EXPECT(si.si_signo == SIGUSR2 && si.si_code == SI_USER))
		ut_diag("signo %d code %d", si.si_signo, si.si_code);
	if (!EXPECT(si.si_pid == getpid()))
		ut_diag("si_pid %d, pid %d", si.si_pid, getpid());
	EXPECT(sigtimedwait(&set, &si, &zero) == -1 && errno == EAGAIN);
	t0 = ut_now_ns();
	EXPECT(sigtimedwait(&set, &si, &t50) == -1 && errno == EAGAIN);
	EXPECT(ut_now_ns() - t0 >= 50000000);
	EXPECT(sigtimedwait(&set, &si, &bad) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_rt_sigtimedwait, &set, NULL, NULL, 4) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_rt_sigtimedwait, (void *)8, NULL, NULL, 8) == -1 && errno == EFAULT);
	/* Waiting with no timeout, for a kill() from a child. */
	kid = send_later(SIGUSR2, 30);
	memset(&si, 0, sizeof(si));
	EXPECT(sigwaitinfo(&set, &si) == SIGUSR2);
	EXPECT(si.si_code == SI_USER && si.si_pid == kid);
	ut_wait(kid);
	block(SIGUSR2, SIG_UNBLOCK);
}

/* A handler for a signal outside the set interrupts sigtimedwait. */
UT_CASE(sigx_sigtimedwait_eintr, 0, 30)
{
	struct timespec t5 = { 5, 0 };
	sigset_t set;
	pid_t kid;

	hits = 0;
	handle(SIGUSR1, on_sig, SA_RESTART);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	block(SIGUSR2, SIG_BLOCK);
	kid = send_later(SIGUSR1, 30);
	EXPECT(sigtimedwait(&set, NULL, &t5) == -1 && errno == EINTR);
	EXPECT(hits == 1);
	ut_wait(kid);
	block(SIGUSR2, SIG_UNBLOCK);
	signal(SIGUSR1, SIG_DFL);
}

/* Realtime signals queue, in order, with their values; standard ones merge. */
UT_CASE(sigx_rt_queue, 0, 30)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;
	siginfo_t si;
	int rt = SIGRTMIN + 2;

	sigemptyset(&set);
	sigaddset(&set, rt);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 1; i <= 3; i++)
		EXPECT(sigqueue(getpid(), rt, (union sigval){ .sival_int = i * 10 }) == 0);
	raise(SIGUSR1);
	raise(SIGUSR1);
	/* Standard signals come first. */
	EXPECT(sigtimedwait(&set, &si, &zero) == SIGUSR1);
	for (int i = 1; i <= 3; i++) {
		memset(&si, 0, sizeof(si));
		EXPECT(sigtimedwait(&set, &si, &zero) == rt);
		EXPECT(si.si_code == SI_QUEUE && si.si_value.sival_int == i * 10);
		EXPECT(si.si_pid == getpid());
	}
	EXPECT(sigtimedwait(&set, &si, &zero) == -1 && errno == EAGAIN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* rt_sigqueueinfo may not pretend to be kill() towards another process. */
UT_CASE(sigx_sigqueueinfo_perm, 0, 30)
{
	siginfo_t si;
	pid_t kid = fork();

	if (kid == 0) {
		for (;;)
			ut_sleep_ms(1000);
	}
	memset(&si, 0, sizeof(si));
	si.si_code = SI_USER;
	EXPECT(syscall(SYS_rt_sigqueueinfo, kid, SIGUSR1, &si) == -1 && errno == EPERM);
	si.si_code = SI_QUEUE;
	EXPECT(syscall(SYS_rt_sigqueueinfo, kid, 0, &si) == 0);
	EXPECT(syscall(SYS_rt_sigqueueinfo, kid, SIGTERM, (void *)8) == -1 && errno == EFAULT);
	EXPECT(syscall(SYS_rt_sigqueueinfo, kid, SIGTERM, &si) == 0);
	EXPECT(ut_killed_by(ut_wait(kid), SIGTERM));
}

static volatile uintptr_t handler_sp;
static volatile int handler_ss_flags;

static void on_alt(int sig)
{
	stack_t cur;
	char here;

	(void)sig;
	handler_sp = (uintptr_t)&here;
	if (sigaltstack(NULL, &cur) == 0)
		handler_ss_flags = cur.ss_flags;
	/* Changing it while on it is EPERM. */
	stack_t ss = { .ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE };
	if (cur.ss_flags == SS_ONSTACK && (sigaltstack(&ss, NULL) == 0 || errno != EPERM))
		handler_ss_flags = -1;
}

UT_CASE(sigx_sigaltstack, 0, 30)
{
	static char alt[16384];
	stack_t ss, old;

	ASSERT(sigaltstack(NULL, &old) == 0);
	EXPECT(old.ss_flags == SS_DISABLE && old.ss_size == 0);
	ss.ss_sp = alt;
	ss.ss_size = sizeof(alt);
	ss.ss_flags = 0;
	ASSERT(sigaltstack(&ss, NULL) == 0);
	ASSERT(sigaltstack(NULL, &old) == 0);
	EXPECT(old.ss_sp == alt && old.ss_size == sizeof(alt) && old.ss_flags == 0);
	handle(SIGUSR1, on_alt, SA_ONSTACK);
	raise(SIGUSR1);
	EXPECT(handler_sp > (uintptr_t)alt && handler_sp < (uintptr_t)alt + sizeof(alt));
	EXPECT(handler_ss_flags == SS_ONSTACK);
	/* Without SA_ONSTACK the handler runs on the normal stack. */
	handle(SIGUSR1, on_alt, 0);
	raise(SIGUSR1);
	EXPECT(!(handler_sp > (uintptr_t)alt && handler_sp < (uintptr_t)alt + sizeof(alt)));
	EXPECT(handler_ss_flags == 0);
	/* Errors. */
	ss.ss_size = 1024;
	EXPECT(sigaltstack(&ss, NULL) == -1 && errno == ENOMEM);
	ss.ss_size = sizeof(alt);
	ss.ss_flags = 0x10;
	EXPECT(sigaltstack(&ss, NULL) == -1 && errno == EINVAL);
	EXPECT(sigaltstack((void *)8, NULL) == -1 && errno == EFAULT);
	EXPECT(sigaltstack(NULL, (void *)8) == -1 && errno == EFAULT);
	ss.ss_flags = SS_DISABLE;
	EXPECT(sigaltstack(&ss, NULL) == 0);
	ASSERT(sigaltstack(NULL, &old) == 0);
	EXPECT(old.ss_flags == SS_DISABLE);
	signal(SIGUSR1, SIG_DFL);
}

/* The classic use: a stack overflow's SIGSEGV handled on the alternate
 * stack (the normal one has no room left). */
static void on_segv_alt(int sig)
{
	_exit(sig == SIGSEGV ? 42 : 43);
}

static volatile int recurse_on = 1;

static int recurse(volatile char *prev)
{
	volatile char buf[1024];

	buf[0] = prev ? prev[0] + 1 : 0;
	return (recurse_on ? recurse(buf) : 0) + buf[0];
}

static void overflow_child(void *arg)
{
	static char alt[16384];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0 };

	(void)arg;
	sigaltstack(&ss, NULL);
	handle(SIGSEGV, on_segv_alt, SA_ONSTACK);
	recurse(NULL);
	_exit(5);
}

UT_CASE(sigx_overflow_on_altstack, 0, 60)
{
	EXPECT(ut_exited_with(ut_in_child(overflow_child, NULL), 42));
}

/* SA_RESETHAND puts the handler back to SIG_DFL; the flags stay. */
static void resethand_child(void *arg)
{
	struct sigaction sa, old;

	(void)arg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGUSR2, &sa, NULL);
	hits = 0;
	raise(SIGUSR2);
	if (hits != 1)
		_exit(3);
	sigaction(SIGUSR2, NULL, &old);
	if (old.sa_handler != SIG_DFL)
		_exit(4);
	if (!(old.sa_flags & SA_SIGINFO))
		_exit(5);
	raise(SIGUSR2);
	_exit(6);
}

UT_CASE(sigx_resethand_keeps_siginfo, 0, 30)
{
	EXPECT(ut_killed_by(ut_in_child(resethand_child, NULL), SIGUSR2));
}

/* nanosleep interrupted by a handler: EINTR (SA_RESTART or not) with the
 * time left. */
UT_CASE(sigx_nanosleep_eintr_rem, 0, 30)
{
	struct timespec req = { 2, 0 }, rem = { 0, 0 };
	pid_t kid;

	handle(SIGUSR1, on_sig, SA_RESTART);
	kid = send_later(SIGUSR1, 100);
	EXPECT(nanosleep(&req, &rem) == -1 && errno == EINTR);
	EXPECT(rem.tv_sec == 1 && rem.tv_nsec > 0); /* about 1.9 s left */
	ut_wait(kid);
	/* clock_nanosleep reports it as its return value. */
	kid = send_later(SIGUSR1, 50);
	EXPECT(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem) == EINTR);
	EXPECT(rem.tv_sec >= 1);
	ut_wait(kid);
	signal(SIGUSR1, SIG_DFL);
}

/* wait4 interrupted: EINTR without SA_RESTART, carries on with it. */
UT_CASE(sigx_wait_eintr_and_restart, 0, 30)
{
	pid_t slow, kid;
	int st;

	handle(SIGUSR1, on_sig, 0);
	slow = fork();
	if (slow == 0) {
		ut_sleep_ms(300);
		_exit(9);
	}
	kid = send_later(SIGUSR1, 50);
	EXPECT(waitpid(slow, &st, 0) == -1 && errno == EINTR);
	ut_wait(kid);
	handle(SIGUSR1, on_sig, SA_RESTART);
	kid = send_later(SIGUSR1, 50);
	hits = 0;
	EXPECT(waitpid(slow, &st, 0) == slow && WIFEXITED(st) && WEXITSTATUS(st) == 9);
	EXPECT(hits == 1);
	ut_wait(kid);
	signal(SIGUSR1, SIG_DFL);
}

/* Core-dumping default actions set WCOREDUMP (no core file is written). */
static void abort_child(void *arg)
{
	(void)arg;
	abort();
}

static void quit_child(void *arg)
{
	(void)arg;
	raise(SIGQUIT);
	_exit(1);
}

static void term_child(void *arg)
{
	(void)arg;
	raise(SIGTERM);
	_exit(1);
}

UT_CASE(sigx_coredump_status, 0, 30)
{
	int st;

	/* qemu-user dumps the guest's core itself, by the host's RLIMIT_CORE. */
	st = ut_in_child(abort_child, NULL);
	EXPECT(ut_killed_by(st, SIGABRT) && (WCOREDUMP(st) || ut_qemu_user));
	st = ut_in_child(quit_child, NULL);
	EXPECT(ut_killed_by(st, SIGQUIT) && (WCOREDUMP(st) || ut_qemu_user));
	st = ut_in_child(term_child, NULL);
	EXPECT(ut_killed_by(st, SIGTERM) && !WCOREDUMP(st));
}

/* SIGCHLD ignored: children are reaped at once; wait then finds none. */
static void nocldwait_child(void *arg)
{
	(void)arg;
	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < 3; i++)
		if (fork() == 0)
			_exit(0);
	/* Linux: wait blocks until all have exited, then ECHILD. */
	if (wait(NULL) != -1 || errno != ECHILD)
		_exit(2);
	_exit(0);
}

UT_CASE(sigx_sigchld_ignored_autoreaps, 0, 30)
{
	EXPECT(ut_exited_with(ut_in_child(nocldwait_child, NULL), 0));
}

/* Errors, in Linux's order. */
UT_CASE(sigx_errors, 0, 30)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	EXPECT(kill(getpid(), 65) == -1 && errno == EINVAL);
	EXPECT(kill(30000, 65) == -1 && errno == ESRCH);	/* no such pid first */
	EXPECT(kill(30000, 0) == -1 && errno == ESRCH);
	EXPECT(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL);
	EXPECT(sigaction(SIGSTOP, &sa, NULL) == -1 && errno == EINVAL);
	EXPECT(sigaction(SIGKILL, NULL, &sa) == 0);		/* asking is fine */
	EXPECT(syscall(SYS_rt_sigaction, 0, NULL, NULL, 8) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_rt_sigaction, 65, NULL, NULL, 8) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_rt_sigaction, SIGUSR1, (void *)8, NULL, 8) == -1 && errno == EFAULT);
	EXPECT(syscall(SYS_rt_sigaction, SIGUSR1, NULL, (void *)8, 8) == -1 && errno == EFAULT);
	sigemptyset(&set);
	EXPECT(syscall(SYS_rt_sigprocmask, 7, &set, NULL, 8) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_rt_sigprocmask, 7, NULL, NULL, 8) == 0); /* how unused */
	EXPECT(syscall(SYS_tgkill, getpid(), 30001, 0) == -1 && errno == ESRCH);
	EXPECT(syscall(SYS_tgkill, 0, getpid(), 0) == -1 && errno == EINVAL);
	/* SIGKILL and SIGSTOP cannot be blocked. */
	sigaddset(&set, SIGKILL);
	sigaddset(&set, SIGSTOP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigprocmask(SIG_BLOCK, NULL, &set);
	EXPECT(!sigismember(&set, SIGKILL) && !sigismember(&set, SIGSTOP));
}

/* Unknown sa_flags bits are dropped, so a program can see they are not
 * supported (Linux 5.11's SA_UNSUPPORTED). */
UT_CASE(sigx_unknown_flags_cleared, 0, 30)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sa.sa_flags = SA_RESTART | 0x400;
	ASSERT(sigaction(SIGUSR2, &sa, NULL) == 0);
	ASSERT(sigaction(SIGUSR2, NULL, &old) == 0);
	if (!ut_qemu_user) /* qemu-user keeps them */
		EXPECT(old.sa_flags == SA_RESTART);
	signal(SIGUSR2, SIG_DFL);
}

/* A blocked signal is queued even when ignored, so sigwait can take it;
 * ignoring it while pending discards it. */
UT_CASE(sigx_blocked_ignored_signal, 0, 30)
{
	struct timespec zero = { 0, 0 };
	sigset_t set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	sigpending(&pend);
	EXPECT(sigismember(&pend, SIGUSR1));
	EXPECT(sigtimedwait(&set, NULL, &zero) == SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigpending(&pend);
	EXPECT(!sigismember(&pend, SIGUSR1));
	/* SIGCHLD's default is to ignore: SIG_DFL discards it as well. */
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGCHLD);
	sigpending(&pend);
	EXPECT(sigismember(&pend, SIGCHLD));
	signal(SIGCHLD, SIG_DFL);
	sigpending(&pend);
	EXPECT(!sigismember(&pend, SIGCHLD));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGUSR1, SIG_DFL);
}

/* pause (glibc: ppoll) returns -1 EINTR after a handler, SA_RESTART or not. */
UT_CASE(sigx_pause_eintr, 0, 30)
{
	pid_t kid;

	hits = 0;
	handle(SIGUSR1, on_sig, SA_RESTART);
	kid = send_later(SIGUSR1, 50);
	EXPECT(pause() == -1 && errno == EINTR);
	EXPECT(hits == 1);
	ut_wait(kid);
	signal(SIGUSR1, SIG_DFL);
}
