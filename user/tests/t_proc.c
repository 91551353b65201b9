// SPDX-License-Identifier: MIT
/* usertests: processes — fork, exit and wait statuses, exec, orphans, kill, scheduling. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

UT_CASE(exit_status, 0, 30)
{
	static const int codes[] = { 0, 1, 2, 42, 127, 128, 255, 256 + 7 };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid_t pid = fork();
		ASSERT(pid >= 0);
		if (pid == 0)
			_exit(codes[i]);
		int st;
		EXPECT(waitpid(pid, &st, 0) == pid);
		/* Linux encoding: (code & 0xff) << 8 for a normal exit. */
		if (!EXPECT(st == (codes[i] & 0xff) << 8))
			ut_diag("exit(%d) gave status 0x%x", codes[i], (unsigned)st);
	}
}

static void die_kill(void *arg)
{
	signal((int)(long)arg, SIG_DFL);
	kill(getpid(), (int)(long)arg);
}

static void die_segv(void *arg)
{
	(void)arg;
	*(volatile int *)0 = 1;
}

UT_CASE(signal_status, 0, 30)
{
	static const int sigs[] = { SIGKILL, SIGTERM, SIGUSR1, SIGINT, SIGSEGV };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int st = ut_in_child(die_kill, (void *)(long)sigs[i]);
		EXPECT(ut_killed_by(st, sigs[i]));
		/* Linux encoding: the signal number in the low 7 bits (0x80 = core dumped). */
		EXPECT((st & 0x7f) == sigs[i] && (st & ~0xff) == 0);
	}
	EXPECT(ut_killed_by(ut_in_child(die_segv, NULL), SIGSEGV));
}

UT_CASE(wait_nohang, 0, 30)
{
	int p[2], st;

	ASSERT(pipe(p) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		char c;
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 3 : 4);
	}
	close(p[0]);
	EXPECT(waitpid(pid, &st, WNOHANG) == 0);
	close(p[1]);
	EXPECT(ut_exited_with(ut_wait(pid), 3));
	errno = 0;
	EXPECT(waitpid(-1, &st, 0) == -1 && errno == ECHILD);
	errno = 0;
	EXPECT(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
	errno = 0;
	EXPECT(waitpid(getpid(), &st, 0) == -1 && errno == ECHILD);
}

UT_CASE(wait_specific, 0, 30)
{
	pid_t pids[3];
	int st;

	for (int i = 0; i < 3; i++) {
		pids[i] = fork();
		ASSERT(pids[i] >= 0);
		if (pids[i] == 0) {
			ut_sleep_ms((3 - i) * 20);
			_exit(10 + i);
		}
	}
	EXPECT(ut_exited_with(ut_wait(pids[1]), 11));
	for (int k = 0; k < 2; k++) {
		pid_t w = wait(&st);
		EXPECT(w == pids[0] || w == pids[2]);
		EXPECT(ut_exited_with(st, w == pids[0] ? 10 : 12));
	}
}

#define NCHILDREN 1000

UT_CASE(thousand_children, UT_SLOW, 120)
{
	static pid_t pids[NCHILDREN];
	static bool seen[NCHILDREN];
	int n = 0, st;

	for (; n < NCHILDREN; n++) {
		pids[n] = fork();
		if (pids[n] < 0)
			break;
		if (pids[n] == 0)
			_exit(n & 0xff);
	}
	if (!EXPECT(n == NCHILDREN))
		ut_diag("fork %d failed", n);
	for (int k = 0; k < n; k++) {
		pid_t w = wait(&st);
		int i = 0;
		while (i < n && pids[i] != w)
			i++;
		if (!EXPECT(i < n && !seen[i]))
			break;
		seen[i] = true;
		if (!EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == (i & 0xff)))
			break;
	}
	errno = 0;
	EXPECT(wait(&st) == -1 && errno == ECHILD);
}

UT_CASE(getpid, 0, 30)
{
	pid_t me = getpid();
	int p[2];

	EXPECT(me > 0);
	EXPECT(getppid() > 0 && getppid() != me);
	EXPECT(syscall(SYS_gettid) == me);
	ASSERT(pipe(p) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		pid_t ids[2] = { getpid(), getppid() };
		write(p[1], ids, sizeof(ids));
		_exit(0);
	}
	pid_t ids[2] = { 0, 0 };
	EXPECT(read(p[0], ids, sizeof(ids)) == sizeof(ids));
	EXPECT(ids[0] == pid);
	EXPECT(ids[1] == me);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(p[0]);
	close(p[1]);
}

UT_CASE(exec, 0, 30)
{
	char *argv[] = { (char *)ut_self, "--exec-helper", "two words", "", "x", NULL };
	char *envp[] = { "UT_A=1", "UT_B=two words", "UT_EMPTY=", NULL };

	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		execve(ut_self, argv, envp);
		_exit(99);
	}
	int st = ut_wait(pid);
	if (!EXPECT(ut_exited_with(st, 77)))
		ut_diag("exec helper %s: 99 = execve failed, 10-22 = argv/envp mismatch", ut_self);
}

UT_CASE(exec_errors, 0, 30)
{
	char *argv[] = { "x", NULL };

	errno = 0;
	EXPECT(execve("/nonexistent/prog", argv, NULL) == -1 && errno == ENOENT);
	errno = 0;
	EXPECT(execve("/", argv, NULL) == -1 && errno == EACCES);
}

UT_CASE(orphan_reparent, 0, 30)
{
	int p[2];

	ASSERT(pipe(p) == 0);
	pid_t mid = fork();
	ASSERT(mid >= 0);
	if (mid == 0) {
		pid_t gc = fork();
		if (gc == 0) {
			pid_t parent = getppid();
			for (int i = 0; i < 200 && parent == getppid(); i++)
				ut_sleep_ms(10);
			pid_t now = getppid();
			write(p[1], &now, sizeof(now));
			_exit(0);
		}
		_exit(gc < 0 ? 1 : 0);
	}
	EXPECT(ut_exited_with(ut_wait(mid), 0));
	close(p[1]);
	pid_t newparent = 0;
	EXPECT(read(p[0], &newparent, sizeof(newparent)) == sizeof(newparent));
	/* Linux may pick a subreaper; our kernel must pick init (pid 1). */
	EXPECT(newparent != mid && newparent > 0);
	if (newparent != 1)
		ut_diag("orphan re-parented to %d (1 expected on our kernel)", newparent);
	close(p[0]);
}

static void block_read(void *arg)
{
	int *p = arg;
	char c;

	close(p[1]);
	read(p[0], &c, 1);
	_exit(5);
}

static void block_write(void *arg)
{
	int *p = arg;
	static char buf[4096];

	for (;;)
		write(p[1], buf, sizeof(buf));
}

static void block_sleep(void *arg)
{
	(void)arg;
	ut_sleep_ms(20000);
	_exit(5);
}

/* Start fn in a child, let it block, kill it with sig and check that it died of sig. */
static void kill_blocked(void (*fn)(void *), int sig)
{
	int p[2];

	ASSERT(pipe(p) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		fn(p);
		_exit(6);
	}
	ut_sleep_ms(50);
	EXPECT(kill(pid, sig) == 0);
	EXPECT(ut_killed_by(ut_wait(pid), sig));
	close(p[0]);
	close(p[1]);
}

UT_CASE(kill_blocked, 0, 30)
{
	kill_blocked(block_read, SIGKILL);
	kill_blocked(block_read, SIGTERM);
	kill_blocked(block_write, SIGKILL);
	kill_blocked(block_sleep, SIGKILL);
	errno = 0;
	EXPECT(kill(0x3ffffff0, SIGKILL) == -1 && errno == ESRCH);
}

UT_CASE(signal_ignore, 0, 30)
{
	pid_t pid = fork();

	ASSERT(pid >= 0);
	if (pid == 0) {
		signal(SIGUSR1, SIG_IGN);
		kill(getpid(), SIGUSR1);
		/* An ignored disposition is inherited by fork. */
		pid_t gc = fork();
		if (gc == 0) {
			kill(getpid(), SIGUSR1);
			_exit(8);
		}
		int st = ut_wait(gc);
		_exit(WIFEXITED(st) && WEXITSTATUS(st) == 8 ? 7 : 1);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 7));
	EXPECT(ut_killed_by(ut_in_child(die_kill, (void *)(long)SIGUSR1), SIGUSR1));
	/* kill(pid, 0) probes a live process without hurting it. */
	int p[2];
	ASSERT(pipe(p) == 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0)
		block_read(p);
	EXPECT(kill(pid, 0) == 0);
	close(p[1]);
	EXPECT(ut_exited_with(ut_wait(pid), 5));
	close(p[0]);
}

UT_CASE(spin_no_starve, UT_SLOW, 60)
{
	pid_t spinner = fork();

	ASSERT(spinner >= 0);
	if (spinner == 0)
		for (;;)
			__asm__ volatile("" ::: "memory");
	int64_t t0 = ut_now_ns();
	/* Sleep-wake cycles and a forked worker must all make progress beside the spinner. */
	for (int i = 0; i < 10; i++)
		ut_sleep_ms(5);
	pid_t worker = fork();
	if (worker == 0) {
		volatile unsigned long sum = 0;
		for (unsigned long i = 0; i < 1000000; i++)
			sum += i;
		_exit(sum == 499999500000UL ? 0 : 1);
	}
	EXPECT(worker > 0 && ut_exited_with(ut_wait(worker), 0));
	int64_t ms = (ut_now_ns() - t0) / 1000000;
	EXPECT(ms < 20000);
	ut_diag("work beside a spinner took %lld ms", (long long)ms);
	EXPECT(kill(spinner, SIGKILL) == 0);
	EXPECT(ut_killed_by(ut_wait(spinner), SIGKILL));
}

UT_CASE(fork_limit, UT_SLOW, 300)
{
	const char *env = getenv("USERTESTS_FORK_LIMIT");
	int limit = env ? atoi(env) : 10000, n = 0, p[2], err = 0;
	pid_t pid;

	ASSERT(pipe(p) == 0);
	for (; n < limit; n++) {
		pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			char c;
			close(p[1]);
			_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
		}
	}
	ut_diag("%d children alive before %s", n, err ? strerror(err) : "the limit");
	EXPECT(n == limit || err == EAGAIN || err == ENOMEM);
	EXPECT(n > 0);
	/* EOF to every child at once: they all exit 0. */
	close(p[1]);
	int bad = 0, st;
	for (int k = 0; k < n; k++) {
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	EXPECT(bad == 0);
	close(p[0]);
	/* Full recovery: fork works again, many times. */
	for (int k = 0; k < 100; k++) {
		pid = fork();
		if (pid == 0)
			_exit(5);
		if (!EXPECT(pid > 0 && ut_exited_with(ut_wait(pid), 5)))
			break;
	}
}
