// SPDX-License-Identifier: MIT
/*
 * procbench: /proc, registered in bench.c's table as "proc". Lines are `BENCH name value unit`:
 *  - proc_stat_status: stat("/proc/self/status") (a lookup of self, the pid directory and
 *    the file: three inodes made and freed);
 *  - proc_read_status: open, read and close /proc/self/status (its text generated once);
 *  - proc_ps_1000: a ps-like walk with 1,000 more processes (blocked children): readdir of
 *    /proc, then for every pid its stat, status and cmdline read whole, as procps's ps does;
 *    ns per walk and per process listed;
 *  - proc_busybox_ps_1000: Debian's busybox `ps -o pid,ppid,stat,vsz,rss,comm,args` run
 *    (fork, exec, its walk of /proc, output to /dev/null, exit, wait) with the same 1,000.
 * Time is CLOCK_MONOTONIC: instructions under -icount shift=0.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void bench_proc(void);

static int64_t pb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char pbuf[8192];

static long read_whole(const char *path)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, pbuf, sizeof(pbuf))) > 0)
		n += r;
	close(fd);
	return n;
}

/* One walk: returns the processes listed, or -1. */
static long ps_walk(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300];
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (read_whole(path) <= 0)
			continue; /* exited meanwhile */
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		read_whole(path);
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		read_whole(path);
		n++;
	}
	closedir(d);
	return n;
}

void bench_proc(void)
{
	const long n = 2000, kids = 1000;
	struct stat st;
	int64_t t0;
	int p[2];
	pid_t *pids;
	long got = 0, listed = 0;

	t0 = pb_now_ns();
	for (long i = 0; i < n; i++)
		if (stat("/proc/self/status", &st) != 0)
			return;
	printf("BENCH proc_stat_status %lld ns/op\n", (long long)((pb_now_ns() - t0) / n));
	t0 = pb_now_ns();
	for (long i = 0; i < n; i++)
		if (read_whole("/proc/self/status") <= 0)
			return;
	printf("BENCH proc_read_status %lld ns/op\n", (long long)((pb_now_ns() - t0) / n));
	fflush(stdout);

	pids = calloc((size_t)kids, sizeof(*pids));
	if (!pids || pipe(p) < 0)
		return;
	for (; got < kids; got++) {
		pids[got] = fork();
		if (pids[got] < 0)
			break;
		if (pids[got] == 0) {
			char c;

			close(p[1]);
			(void)!read(p[0], &c, 1);
			_exit(0);
		}
	}
	close(p[0]);
	ps_walk(); /* once untimed: the listing's own first-time costs */
	t0 = pb_now_ns();
	for (int w = 0; w < 3; w++)
		listed = ps_walk();
	int64_t ns = (pb_now_ns() - t0) / 3;

	printf("BENCH proc_ps_1000 %lld ns/walk (%ld processes listed, %ld forked)\n",
	       (long long)ns, listed, got);
	printf("BENCH proc_ps_per_process %lld ns/process\n",
	       (long long)(listed > 0 ? ns / listed : 0));
	fflush(stdout);
	if (access("/bin/ps", X_OK) == 0) {
		int64_t best = 0;
		int ok = 1;

		for (int r = 0; r < 3 && ok; r++) {
			int st;
			pid_t c;

			t0 = pb_now_ns();
			c = fork();
			if (c == 0) {
				int null = open("/dev/null", O_WRONLY);

				close(p[1]);
				dup2(null, 1);
				execl("/bin/ps", "ps", "-o", "pid,ppid,stat,vsz,rss,comm,args",
				      (char *)NULL);
				_exit(127);
			}
			ok = c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st);
			if (r > 0 && ok) /* the first run fills the caches */
				best += pb_now_ns() - t0;
		}
		if (ok)
			printf("BENCH proc_busybox_ps_1000 %lld ns/run\n", (long long)(best / 2));
		fflush(stdout);
	}
	close(p[1]); /* every child's read ends */
	for (long i = 0; i < got; i++)
		waitpid(pids[i], NULL, 0);
	free(pids);
}
