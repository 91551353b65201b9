// SPDX-License-Identifier: MIT
/*
 * bench: micro-benchmarks printing `BENCH name value unit`. Time is CLOCK_MONOTONIC (the
 * `time` CSR on our kernel); under QEMU `-icount shift=0` one ns of guest time is one
 * instruction, so "ns/op" there reads as instructions per operation.
 *
 * usage: bench [-n scale] [name...]   (names: getpid pingpong fork exec pipe maxproc fs proc
 *        uring epoll thread execs; fsbig only when named)
 * `bench --exit` is the execve target: it exits at once. BENCH_MAXPROC_LIMIT=N bounds maxproc
 * (default 100000: forks until refusal; keep it small on Linux under qemu-user).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const char *self = "/bin/bench";
static long scale = 1;

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void report(const char *name, int64_t ns, long ops, const char *unit)
{
	printf("BENCH %s %lld %s\n", name, (long long)(ops ? ns / ops : ns), unit);
	fflush(stdout);
}

static void bench_getpid(void)
{
	long n = 100000 * scale;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		syscall(SYS_getpid); /* raw: no caching in glibc either way */
	report("getpid", now_ns() - t0, n, "ns/op");
}

int cur_cpu(void)
{
	unsigned cpu = 0;

	return syscall(SYS_getcpu, &cpu, NULL, NULL) == 0 ? (int)cpu : -1;
}

/*
 * One byte there and back through two pipes. When the parent closes its end
 * the child answers with the hart it ran on (getcpu), so the report says
 * whether the round trips crossed harts.
 */
static void bench_pingpong(void)
{
	long n = 10000 * scale;
	int a[2], b[2];
	char c = 0, child_cpu = -1;
	int me0, me1;

	if (pipe(a) < 0 || pipe(b) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1 && write(b[1], &c, 1) == 1)
			;
		c = (char)cur_cpu();
		(void)!write(b[1], &c, 1);
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	me0 = cur_cpu();
	int64_t t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			break;
	int64_t t1 = now_ns();
	me1 = cur_cpu();
	close(a[1]);
	if (read(b[0], &child_cpu, 1) != 1)
		child_cpu = -1;
	printf("# pingpong: parent on hart %d (start) %d (end), child %d (end)\n", me0, me1,
	       child_cpu);
	report(me0 == me1 && me1 == child_cpu ? "pipe_pingpong" : "pipe_pingpong_cross", t1 - t0,
	       n, "ns/roundtrip");
	close(b[0]);
	waitpid(pid, NULL, 0);
}

static void bench_fork(void)
{
	long n = 1000 * scale;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			break;
	}
	report("fork_exit_wait", now_ns() - t0, n, "ns/op");
}

static void bench_exec(void)
{
	long n = 200 * scale;
	char *argv[] = { (char *)self, "--exit", NULL };
	char *envp[] = { NULL };
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execve(self, argv, envp);
			_exit(127);
		}
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench: exec %s failed\n", self);
			return;
		}
	}
	report("fork_exec_exit_wait", now_ns() - t0, n, "ns/op");
}

static void bench_pipe(void)
{
	static char buf[65536];
	const long total = (16L << 20) * scale;
	int p[2];

	if (pipe(p) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (long sent = 0; sent < total;) {
			ssize_t w = write(p[1], buf, sizeof(buf));
			if (w <= 0)
				_exit(1);
			sent += w;
		}
		_exit(0);
	}
	close(p[1]);
	long got = 0;
	int64_t t0 = now_ns();
	for (ssize_t r; (r = read(p[0], buf, sizeof(buf))) > 0;)
		got += r;
	int64_t ns = now_ns() - t0;
	close(p[0]);
	waitpid(pid, NULL, 0);
	printf("BENCH pipe_throughput %lld ps/byte\n", (long long)(got ? ns * 1000 / got : 0));
	printf("BENCH pipe_bytes %ld bytes\n", got);
	fflush(stdout);
}

static void bench_maxproc(void)
{
	const char *env = getenv("BENCH_MAXPROC_LIMIT");
	const long limit = env ? atol(env) : 100000;
	long n = 0;
	int p[2];

	if (pipe(p) < 0)
		return;
	int64_t t0 = now_ns();
	for (; n < limit; n++) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			char c;
			close(p[1]);
			read(p[0], &c, 1);
			_exit(0);
		}
	}
	int64_t ns = now_ns() - t0;
	close(p[1]);
	for (long i = 0; i < n; i++)
		wait(NULL);
	close(p[0]);
	printf("BENCH max_live_processes %ld processes\n", n);
	report("fork_blocked_child", ns, n, "ns/op");
}

void bench_fs(void); /* fsbench.c */
void bench_fsread(long scale); /* mmbench.c */
void bench_creat(long scale);
void bench_fsbig(long scale); /* fsbig.c */
void bench_uring(void); /* asyncbench.c */
void bench_epoll(void);
void bench_proc(void); /* procbench.c */
void bench_thread(long scale); /* threadbench.c */
void bench_execs(long scale);

static void run_thread(void)
{
	bench_thread(scale);
}

static void run_execs(void)
{
	bench_execs(scale);
}

static void run_fsread(void)
{
	bench_fsread(scale);
}

static void run_creat(void)
{
	bench_creat(scale);
}

static void run_fsbig(void)
{
	bench_fsbig(scale);
}

/* named_only: run only when named (profiling helpers, not in the default set). */
static const struct {
	const char *name;
	void (*fn)(void);
	bool named_only;
} benches[] = {
	{ "getpid", bench_getpid, false }, { "pingpong", bench_pingpong, false },
	{ "fork", bench_fork, false },	   { "exec", bench_exec, false },
	{ "pipe", bench_pipe, false },	   { "maxproc", bench_maxproc, false },
	{ "fs", bench_fs, false },	   { "proc", bench_proc, false },
	{ "fsread", run_fsread, true },	   { "creat", run_creat, true },
	{ "uring", bench_uring, false },   { "epoll", bench_epoll, false },
	{ "thread", run_thread, false },   { "execs", run_execs, false },
	{ "fsbig", run_fsbig, true },
};

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > 1 && strcmp(argv[1], "--exit") == 0)
		return 0;
	if (argc > 0 && strchr(argv[0], '/'))
		self = argv[0];
	if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
		scale = atol(argv[i + 1]);
		i += 2;
	}
	for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
		bool run = i == argc && !benches[b].named_only;
		for (int j = i; j < argc; j++)
			run |= strcmp(argv[j], benches[b].name) == 0;
		if (run)
			benches[b].fn();
	}
	return 0;
}
