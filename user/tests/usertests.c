// SPDX-License-Identifier: MIT
/*
 * usertests: runs every UT_CASE (or those named on the command line), each in its own child,
 * printing "ok N name" / "not ok N name" and "usertests: P passed, F failed"; exits 1 if any
 * failed. `usertests -l` lists the cases. `usertests --exec-helper ...` is the target of the
 * exec case. Environment:
 *   USERTESTS_FORK_LIMIT=N  bounds fork_limit (default 10000; use a few hundred on Linux,
 *                           where each child is a whole qemu-riscv64 process)
 *   USERTESTS_QEMU_USER=1   tolerate the known places where qemu-riscv64 user emulation
 *                           differs from Linux (see ut_qemu_user); never set it on our kernel
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

extern const struct ut_case __start_ut_cases[], __stop_ut_cases[];

int ut_failures;
const char *ut_self = "/bin/usertests";
bool ut_qemu_user;

void ut_fail(const char *file, int line, const char *what)
{
	int e = errno;

	dprintf(1, "#   %s:%d: failed: %s (errno %d %s)\n", file, line, what, e, strerror(e));
	ut_failures++;
	errno = e;
}

void ut_diag(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "#   ");

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	write(1, buf, (size_t)n);
}

int ut_wait(pid_t pid)
{
	int st;

	for (;;) {
		pid_t w = waitpid(pid, &st, 0);
		if (w == pid)
			return st;
		if (w < 0 && errno != EINTR)
			return -1;
	}
}

int ut_in_child(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return ut_wait(pid);
}

bool ut_exited_with(int status, int code)
{
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code)
		return true;
	ut_diag("status 0x%x: wanted exit code %d", (unsigned)status, code);
	return false;
}

bool ut_killed_by(int status, int sig)
{
	if (status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig)
		return true;
	ut_diag("status 0x%x: wanted death by signal %d", (unsigned)status, sig);
	return false;
}

int64_t ut_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void ut_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Run one case in a child; poll for it so a hung case can be killed at its timeout. */
static bool run_case(const struct ut_case *c)
{
	pid_t pid = fork();

	if (pid < 0) {
		ut_diag("fork for %s: %s", c->name, strerror(errno));
		return false;
	}
	if (pid == 0) {
		ut_failures = 0;
		c->fn();
		_exit(ut_failures ? 1 : 0);
	}
	int64_t deadline = ut_now_ns() + (int64_t)c->timeout_s * 1000000000;
	long nap = 1;
	int st;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			ut_diag("waitpid: %s", strerror(errno));
			return false;
		}
		if (ut_now_ns() > deadline) {
			ut_diag("timeout after %d s: killing the case", c->timeout_s);
			kill(pid, SIGKILL);
			ut_wait(pid);
			return false;
		}
		ut_sleep_ms(nap);
		if (nap < 20)
			nap *= 2;
	}
	if (WIFSIGNALED(st))
		ut_diag("case died of signal %d", WTERMSIG(st));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* The target of the exec case: checks the exact argv and envp it was given. */
static int exec_helper(int argc, char **argv, char **envp)
{
	static const char *const want_argv[] = { "--exec-helper", "two words", "", "x" };
	static const char *const want_envp[] = { "UT_A=1", "UT_B=two words", "UT_EMPTY=" };
	int n = 0;

	if (argc != 5)
		return 10;
	for (int i = 0; i < 4; i++)
		if (strcmp(argv[i + 1], want_argv[i]) != 0)
			return 11 + i;
	if (argv[5] != NULL)
		return 20;
	/* As a set: qemu-user reverses the order of envp (Linux keeps it). */
	for (; envp[n]; n++) {
		int k = 0;
		while (k < 3 && strcmp(envp[n], want_envp[k]) != 0)
			k++;
		if (n >= 3 || k == 3)
			return 21;
	}
	return n == 3 ? 77 : 22;
}

int main(int argc, char **argv, char **envp)
{
	const struct ut_case *c;
	int passed = 0, failed = 0, n = 0;

	if (argc > 1 && strcmp(argv[1], "--fp-exec-helper") == 0)
		return ut_fp_exec_helper(); /* first: before main's own code runs */
	if (argc > 1 && strcmp(argv[1], "--sig-exec-helper") == 0)
		return ut_sig_exec_helper();
	if (argc > 1 && strcmp(argv[1], "--procfs-helper") == 0)
		return ut_procfs_helper(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--procfs-exit-helper") == 0)
		return 42; /* reached through execve("/proc/self/exe") */
	if (argc > 1 && strcmp(argv[1], "--exec-helper") == 0)
		return exec_helper(argc, argv, envp);
	if (argc > 1 && strcmp(argv[1], "--tty-helper") == 0)
		return ut_tty_helper(argc, argv); /* t_tty.c */
	if (argc > 1 && strcmp(argv[1], "--cred-helper") == 0)
		return ut_cred_exec_helper();
	if (argc > 1 && strcmp(argv[1], "--stack-helper") == 0)
		return ut_limits_stack_helper();
	if (getenv("UT_ARGV_FD"))
		return ut_exec_argv_dump(argc, argv); /* t_exec.c's exec target */
	ut_qemu_user = getenv("USERTESTS_QEMU_USER") != NULL;
	if (argc > 0 && strchr(argv[0], '/'))
		ut_self = argv[0];
	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		for (c = __start_ut_cases; c < __stop_ut_cases; c++)
			printf("%s\n", c->name);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		for (c = __start_ut_cases; c < __stop_ut_cases; c++)
			if (strcmp(c->name, argv[i]) == 0)
				break;
		if (c == __stop_ut_cases) {
			dprintf(2, "usertests: no case %s (-l lists them)\n", argv[i]);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_DFL);
	for (c = __start_ut_cases; c < __stop_ut_cases; c++) {
		bool selected = argc == 1;
		for (int i = 1; i < argc; i++)
			selected |= strcmp(c->name, argv[i]) == 0;
		if (!selected)
			continue;
		n++;
		if (run_case(c)) {
			dprintf(1, "ok %d %s\n", n, c->name);
			passed++;
		} else {
			dprintf(1, "not ok %d %s\n", n, c->name);
			failed++;
		}
	}
	dprintf(1, "usertests: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
