// SPDX-License-Identifier: MIT
/* usertests: processes — fork, exit and wait statuses, exec, orphans, kill, scheduling, FP state. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
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

/* ---- FP state across preemption, fork and exec ----------------------------------------- */

/*
 * All 32 FP registers and fcsr go through one asm statement, so nothing the compiler
 * generates can touch them in between. Layout of a state: f0..f31, then fcsr.
 */
#define FP_N 33
#define FP_L(n) "fld f" #n ", " #n "*8(%[in])\n\t"
#define FP_S(n) "fsd f" #n ", " #n "*8(%[out])\n\t"
#define FP_EACH(X)                                                                          \
	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) \
	X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29)  \
	X(30) X(31)
#define FP_LOAD FP_EACH(FP_L) "ld t0, 256(%[in])\n\tfscsr t0\n\t"
#define FP_STORE FP_EACH(FP_S) "frcsr t0\n\tsd t0, 256(%[out])\n\t"
#define FP_SPIN "mv t1, %[spins]\n1:\taddi t1, t1, -1\n\tbnez t1, 1b\n\t"
#define FP_CLOBBERS                                                                           \
	"t0", "t1", "t2", "a0", "a1", "a2", "a3", "a4", "a7", "memory", "f0", "f1", "f2", "f3",   \
		"f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "f13", "f14", "f15", \
		"f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23", "f24", "f25", "f26",  \
		"f27", "f28", "f29", "f30", "f31"

/* A state no other process uses: distinct per (seed, register); a valid rounding mode. */
static void fp_pattern(uint64_t s[FP_N], unsigned seed)
{
	for (unsigned k = 0; k < 32; k++)
		s[k] = 0x4000000000000000ull ^ ((uint64_t)(seed + 1) << 40) ^ ((uint64_t)k << 16) ^ 0xa5;
	s[32] = (seed % 5) << 5 | ((seed * 7 + 3) & 0x1f); /* frm, fflags */
}

/* Load `in`, spin, sched_yield (a trap that reschedules), spin, store into `out`. */
static void fp_hold(const uint64_t *in, uint64_t *out, long spins)
{
	__asm__ volatile(FP_LOAD FP_SPIN "li a7, %[yield]\n\tecall\n\t" FP_SPIN FP_STORE
			 :
			 : [in] "r"(in), [out] "r"(out), [spins] "r"(spins),
			   [yield] "i"(SYS_sched_yield)
			 : FP_CLOBBERS);
}

/* Same, but sleeping 200 us in the middle (the waking hart may not be the last one). */
static void fp_hold_sleep(const uint64_t *in, uint64_t *out, long spins)
{
	static const struct timespec ts = { 0, 200000 };

	__asm__ volatile(FP_LOAD FP_SPIN "mv a0, %[ts]\n\tli a1, 0\n\tli a7, %[nanosleep]\n\t"
			 "ecall\n\t" FP_SPIN FP_STORE
			 :
			 : [in] "r"(in), [out] "r"(out), [spins] "r"(spins), [ts] "r"(&ts),
			   [nanosleep] "i"(SYS_nanosleep)
			 : FP_CLOBBERS);
}

static bool fp_equal(const uint64_t *a, const uint64_t *b)
{
	return memcmp(a, b, FP_N * sizeof(uint64_t)) == 0;
}

/* Hold pattern `seed` for ms, checking it after every stretch; exit 0 if it never changed. */
static void fp_spinner(unsigned seed, int ms)
{
	uint64_t in[FP_N], out[FP_N];
	int64_t end = ut_now_ns() + (int64_t)ms * 1000000;

	fp_pattern(in, seed);
	do {
		(seed & 1 ? fp_hold_sleep : fp_hold)(in, out, 200000);
		if (!fp_equal(in, out))
			_exit(1);
	} while (ms < 0 || ut_now_ns() < end);
	_exit(0);
}

/*
 * More FP processes than harts, each with its own registers, preempted, sleeping and
 * woken, migrated between harts; beside them processes that never use FP (a hart's
 * registers may then still hold the state of a process that has since run elsewhere).
 */
UT_CASE(fp_preempt, 0, 60)
{
	enum { N = 6, M = 4 };
	pid_t pid[N], other[M];

	for (int i = 0; i < N; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			fp_spinner((unsigned)i, 500);
	}
	for (int i = 0; i < M; i++) {
		other[i] = fork();
		if (other[i] == 0)
			for (;;)
				usleep(100);
	}
	for (int i = 0; i < N; i++)
		EXPECT(pid[i] > 0 && ut_exited_with(ut_wait(pid[i]), 0));
	for (int i = 0; i < M; i++) {
		EXPECT(other[i] > 0 && kill(other[i], SIGKILL) == 0);
		EXPECT(ut_killed_by(ut_wait(other[i]), SIGKILL));
	}
}

/*
 * clone inside one asm statement: the child must see the parent's registers, and the
 * parent's must survive the child loading others (the parent waits inside the statement).
 */
UT_CASE(fp_fork, 0, 60)
{
	uint64_t p[FP_N], q[FP_N], after[FP_N], end[FP_N];
	uint64_t *cur; /* the asm's scratch pointer */
	int status = -1;
	long pid;

	fp_pattern(p, 10);
	fp_pattern(q, 11);
	__asm__ volatile(FP_LOAD
			 "li a0, %[sigchld]\n\tli a1, 0\n\tli a2, 0\n\tli a3, 0\n\tli a4, 0\n\t"
			 "li a7, %[clone]\n\tecall\n\tmv t2, a0\n\t"
			 "mv %[out], %[after]\n\t" FP_STORE
			 "blez t2, 2f\n\t"
			 "mv a0, t2\n\tmv a1, %[status]\n\tli a2, 0\n\tli a3, 0\n\t"
			 "li a7, %[wait4]\n\tecall\n\t" FP_SPIN
			 "mv %[out], %[end]\n\t" FP_STORE
			 "2:\tmv %[pid], t2\n\t"
			 : [pid] "=&r"(pid), [out] "=&r"(cur)
			 : [in] "r"(p), [after] "r"(after), [end] "r"(end), [status] "r"(&status),
			   [spins] "r"(200000L), [sigchld] "i"(SIGCHLD), [clone] "i"(SYS_clone),
			   [wait4] "i"(SYS_wait4)
			 : FP_CLOBBERS);
	if (pid == 0) {
		uint64_t out[FP_N];
		bool ok = fp_equal(after, p);

		fp_hold(q, out, 200000);
		_exit(ok && fp_equal(out, q) ? 0 : 1);
	}
	ASSERT(pid > 0);
	EXPECT(fp_equal(after, p));
	EXPECT(fp_equal(end, p));
	EXPECT(ut_exited_with(status, 0));
}

/* The exec helper's check, at the top of main: no register holds a value some other
 * program put there (the caller's, or the spinners' beside it). */
int ut_fp_exec_helper(void)
{
	uint64_t out[FP_N], pat[FP_N];
	int zero = 0;

	__asm__ volatile(FP_STORE : : [out] "r"(out) : "t0", "memory");
	for (unsigned seed = 20; seed < 26; seed++) {
		fp_pattern(pat, seed);
		for (int k = 0; k < 32; k++)
			if (out[k] == pat[k])
				return 1;
		if (out[32] == pat[32] && out[32])
			return 2;
	}
	for (int k = 0; k < FP_N; k++)
		zero += out[k] == 0;
	return zero == FP_N ? 0 : 3;
}

/* exec starts with clean FP state, even right after the caller and other programs used FP. */
UT_CASE(fp_exec, 0, 60)
{
	enum { N = 4 };
	pid_t spin[N], pid;
	uint64_t p[FP_N];

	for (int i = 0; i < N; i++) {
		spin[i] = fork();
		if (spin[i] == 0)
			fp_spinner(21 + (unsigned)i, -1);
	}
	ut_sleep_ms(30);
	fp_pattern(p, 20);
	for (int round = 0; round < 4; round++) {
		char *argv[] = { (char *)ut_self, "--fp-exec-helper", NULL };

		pid = fork();
		ASSERT(pid >= 0);
		if (pid == 0) {
			__asm__ volatile(FP_LOAD "mv a0, %[path]\n\tmv a1, %[argv]\n\tli a2, 0\n\t"
					 "li a7, %[execve]\n\tecall\n\t"
					 :
					 : [in] "r"(p), [path] "r"(ut_self), [argv] "r"(argv),
					   [execve] "i"(SYS_execve)
					 : FP_CLOBBERS);
			_exit(99);
		}
		int st = ut_wait(pid);
		if (!EXPECT(ut_exited_with(st, 0)))
			ut_diag("fp exec helper: status %#x (exit 1/2: a leaked value, 3: not zero)",
				st);
	}
	for (int i = 0; i < N; i++) {
		EXPECT(spin[i] > 0 && kill(spin[i], SIGKILL) == 0);
		EXPECT(ut_killed_by(ut_wait(spin[i]), SIGKILL));
	}
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

/* ---- signal dispositions: the handler table (allocated at the first handler) ---- */

static void ut_handler_a(int sig)
{
	(void)sig;
}

static void ut_handler_b(int sig)
{
	(void)sig;
}

/* The handler sig has now (SIG_DFL, SIG_IGN or an address); SIG_ERR on error. */
static void (*disposition(int sig))(int)
{
	struct sigaction old;

	if (sigaction(sig, NULL, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

static int set_disposition(int sig, void (*h)(int))
{
	struct sigaction act;

	memset(&act, 0, sizeof(act));
	act.sa_handler = h;
	return sigaction(sig, &act, NULL);
}

/* `usertests --sig-exec-helper`: exec made caught signals default, kept ignored ones. */
int ut_sig_exec_helper(void)
{
	if (disposition(SIGUSR1) != SIG_DFL)
		return 1;
	if (disposition(SIGUSR2) != SIG_IGN)
		return 2;
	if (disposition(SIGTERM) != SIG_DFL)
		return 3;
	/* The table can be made again after exec dropped it. */
	if (set_disposition(SIGUSR1, ut_handler_a) || disposition(SIGUSR1) != ut_handler_a)
		return 4;
	return 0;
}

static void sigaction_child(void *arg)
{
	(void)arg;
	/* fork copied the table and the ignored set. */
	if (disposition(SIGUSR1) != ut_handler_a || disposition(SIGHUP) != ut_handler_b)
		_exit(11);
	if (disposition(SIGUSR2) != SIG_IGN || disposition(SIGTERM) != SIG_DFL)
		_exit(12);
	/* The child's copy is its own. */
	if (set_disposition(SIGHUP, SIG_DFL) || disposition(SIGHUP) != SIG_DFL)
		_exit(13);
	char *argv[] = { (char *)ut_self, "--sig-exec-helper", NULL };
	execve(ut_self, argv, NULL);
	_exit(99);
}

UT_CASE(sigaction_table, 0, 30)
{
	pid_t pid = fork();

	ASSERT(pid >= 0);
	if (pid == 0) {
		/* A fresh process: everything default until a handler is set. */
		if (disposition(SIGUSR1) != SIG_DFL || disposition(SIGINT) != SIG_DFL)
			_exit(1);
		if (set_disposition(SIGUSR1, ut_handler_a) || set_disposition(SIGHUP, ut_handler_b))
			_exit(2);
		if (disposition(SIGUSR1) != ut_handler_a || disposition(SIGHUP) != ut_handler_b)
			_exit(3);
		/* Handler -> ignore -> default -> handler round trips. */
		if (set_disposition(SIGUSR2, ut_handler_a) || set_disposition(SIGUSR2, SIG_IGN) ||
		    disposition(SIGUSR2) != SIG_IGN)
			_exit(4);
		if (set_disposition(SIGTERM, ut_handler_b) || set_disposition(SIGTERM, SIG_DFL) ||
		    disposition(SIGTERM) != SIG_DFL)
			_exit(5);
		/* SIGKILL cannot be caught; the query still works. */
		errno = 0;
		if (set_disposition(SIGKILL, ut_handler_a) != -1 || errno != EINVAL ||
		    disposition(SIGKILL) != SIG_DFL)
			_exit(6);
		int st = ut_in_child(sigaction_child, NULL);
		if (!WIFEXITED(st))
			_exit(7);
		if (WEXITSTATUS(st) != 0)
			_exit(20 + WEXITSTATUS(st));
		/* The parent's table is untouched by the child's changes. */
		if (disposition(SIGHUP) != ut_handler_b || disposition(SIGUSR1) != ut_handler_a)
			_exit(8);
		_exit(0);
	}
	int st = ut_wait(pid);
	if (!EXPECT(ut_exited_with(st, 0)))
		ut_diag("sigaction_table: status %#x (exit 1-8: parent side; 20+n: child/exec "
			"helper n: 11-13 fork copy, 1-4 exec reset, 99 execve failed)", st);
}
