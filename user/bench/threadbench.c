// SPDX-License-Identifier: MIT
/*
 * threadbench: threads, futexes, the vDSO clock, file-mapping faults and exec variants, for
 * bench.c's table ("thread" and "execs"). Figures are guest ns, so instructions under
 * `-icount shift=0`.
 *  - thread_create_join: pthread_create + pthread_join of a thread that returns at once.
 *  - futex_pingpong[_cross]: two threads of one process hand a turn back and forth through
 *    two private futex words (FUTEX_WAIT / FUTEX_WAKE, raw syscalls): one round trip is two
 *    waits and two wakes; compare pipe_pingpong (two processes, two pipes).
 *  - clock_gettime_vdso / clock_gettime_syscall: glibc's clock_gettime (the vDSO, no trap)
 *    and the raw syscall.
 *  - mmap_fault_file: a 4 MiB file already in the page cache mapped MAP_PRIVATE read-only and
 *    each 4 KiB page touched once: the cost per page fault (mmap and munmap included).
 *  - exec_{static,dyn}_true, exec_busybox_true, exec_busybox_sh_c_exit: fork + execve + exit +
 *    wait of /bin/true-static, /bin/true-dyn (one program, static and dynamically linked),
 *    busybox `true` and busybox `sh -c exit`.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

void bench_thread(long scale);
void bench_execs(long scale);

static void *nothing(void *arg)
{
	return arg;
}

static void thread_create_join(long scale)
{
	long n = 1000 * scale;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pthread_t t;
		void *r;

		if (pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, &r)) {
			fprintf(stderr, "bench: pthread_create failed\n");
			return;
		}
	}
	report("thread_create_join", now_ns() - t0, n, "ns/op");
}

/* The turn: 0 the main thread's, 1 the partner's; each waits on its own word. */
static atomic_int turn_word[2];
static long pp_rounds;
static int partner_cpu = -1;

static void futex_wait_for(int side)
{
	while (atomic_load_explicit(&turn_word[side], memory_order_acquire) == 0)
		syscall(SYS_futex, &turn_word[side], FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	atomic_store_explicit(&turn_word[side], 0, memory_order_relaxed);
}

static void futex_give(int side)
{
	atomic_store_explicit(&turn_word[side], 1, memory_order_release);
	syscall(SYS_futex, &turn_word[side], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *partner(void *arg)
{
	(void)arg;
	for (long i = 0; i < pp_rounds; i++) {
		futex_wait_for(1);
		futex_give(0);
	}
	partner_cpu = cur_cpu();
	return NULL;
}

static void futex_pingpong(long scale)
{
	pthread_t t;
	int me;

	pp_rounds = 10000 * scale;
	if (pthread_create(&t, NULL, partner, NULL))
		return;
	int64_t t0 = now_ns();
	for (long i = 0; i < pp_rounds; i++) {
		futex_give(1);
		futex_wait_for(0);
	}
	int64_t t1 = now_ns();
	me = cur_cpu();
	pthread_join(t, NULL);
	printf("# futex pingpong: main thread on hart %d, partner on %d (at the end)\n", me,
	       partner_cpu);
	report(me == partner_cpu ? "futex_pingpong" : "futex_pingpong_cross", t1 - t0,
		  pp_rounds, "ns/roundtrip");
}

static void clocks(long scale)
{
	long n = 100000 * scale;
	struct timespec ts;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t t1 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	int64_t t2 = now_ns();
	report("clock_gettime_vdso", t1 - t0, n, "ns/call");
	report("clock_gettime_syscall", t2 - t1, n, "ns/call");
}

static void mmap_fault_file(long scale)
{
	const size_t size = 4u << 20;
	const char *path = "/tmp/bench_mapfault";
	static char chunk[65536];
	long rounds = 4 * scale, pages = 0;
	volatile char sink = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return;
	for (size_t off = 0; off < size; off += sizeof(chunk))
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			goto out;
	int64_t t0 = now_ns();
	for (long r = 0; r < rounds; r++) {
		char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m == MAP_FAILED)
			goto out;
		for (size_t off = 0; off < size; off += 4096, pages++)
			sink += m[off];
		munmap(m, size);
	}
	report("mmap_fault_file", now_ns() - t0, pages, "ns/page");
out:
	(void)sink;
	close(fd);
	unlink(path);
}

void bench_thread(long scale)
{
	thread_create_join(scale);
	futex_pingpong(scale);
	clocks(scale);
	mmap_fault_file(scale);
}

static void exec_one(const char *name, char *const argv[], long n)
{
	char *envp[] = { NULL };
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			execve(argv[0], argv, envp);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench: %s: exec %s failed\n", name, argv[0]);
			return;
		}
	}
	report(name, now_ns() - t0, n, "ns/op");
}

void bench_execs(long scale)
{
	long n = 100 * scale;

	exec_one("exec_static_true", (char *[]){ "/bin/true-static", NULL }, n);
	exec_one("exec_dyn_true", (char *[]){ "/bin/true-dyn", NULL }, n);
	exec_one("exec_busybox_true", (char *[]){ "/bin/busybox", "true", NULL }, n);
	exec_one("exec_busybox_sh_c_exit", (char *[]){ "/bin/sh", "-c", "exit", NULL }, n);
}
