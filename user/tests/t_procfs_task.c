// SPDX-License-Identifier: MIT
/*
 * usertests: /proc/<pid>/task/<tid>/ of a process with a second thread: task/
 * lists both, and each tid's stat, status and comm describe that thread (its
 * tid, its state, the group's id and parent), while /proc/<pid>/ stays the
 * leader's; /proc/<tid> is that thread, unlisted; thread-self names the calling thread;
 * /proc/<pid>/stat's times are the whole group's.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

static int pipefd[2];
static volatile pid_t thread_tid;

static void *blocker(void *arg)
{
	char c;

	(void)arg;
	thread_tid = (pid_t)syscall(SYS_gettid);
	(void)!read(pipefd[0], &c, 1); /* blocked until the test is done */
	return NULL;
}

static long read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	long n = fd >= 0 ? (long)read(fd, buf, cap - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* The value after "key:\t" in a status text, or -1. */
static long status_field(const char *t, const char *key)
{
	char want[32];
	const char *p;

	snprintf(want, sizeof(want), "\n%s:\t", key);
	p = strstr(t, want);
	return p ? strtol(p + strlen(want), NULL, 10) : -1;
}

UT_CASE(procfs_task_dirs_describe_each_thread, 0, 20)
{
	pthread_t th;
	char path[96], buf[2048], state;
	int pid = getpid(), tid, n;
	bool saw_leader = false, saw_thread = false;

	ASSERT(pipe(pipefd) == 0);
	ASSERT(pthread_create(&th, NULL, blocker, NULL) == 0);
	for (int i = 0; i < 1000 && !thread_tid; i++)
		usleep(1000);
	tid = thread_tid;
	ASSERT(tid > 0 && tid != pid);
	usleep(20000); /* let it block in its read */

	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	ASSERT(d != NULL);
	n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		saw_leader |= atoi(e->d_name) == pid;
		saw_thread |= atoi(e->d_name) == tid;
	}
	closedir(d);
	EXPECT(n == 2 && saw_leader && saw_thread);

	/* The thread's stat: its tid first, blocked, the group's parent. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	ASSERT(read_file(path, buf, sizeof(buf)) > 0);
	int f1 = 0, ppid = 0, threads = 0;
	char *rp = strrchr(buf, ')');

	ASSERT(sscanf(buf, "%d", &f1) == 1 && rp);
	ASSERT(sscanf(rp + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			      "%d", &state, &ppid, &threads) == 3);
	EXPECT(f1 == tid && state == 'S' && ppid == getppid() && threads == 2);

	/* Its status: Pid is the tid, Tgid the process. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	ASSERT(read_file(path, buf, sizeof(buf)) > 0);
	EXPECT(status_field(buf, "Pid") == tid && status_field(buf, "Tgid") == pid);
	EXPECT(status_field(buf, "PPid") == getppid() && status_field(buf, "Threads") == 2);
	EXPECT(strstr(buf, "State:\tS (sleeping)") != NULL);

	/* The leader's own view: running (it reads), its pid. */
	ASSERT(read_file("/proc/self/status", buf, sizeof(buf)) > 0);
	EXPECT(status_field(buf, "Pid") == pid && status_field(buf, "Tgid") == pid);
	EXPECT(strstr(buf, "State:\tR (running)") != NULL);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, pid);
	ASSERT(read_file(path, buf, sizeof(buf)) > 0);
	EXPECT(atoi(buf) == pid);

	/* /proc/<tid> is not listed, but is there, and is that thread. */
	bool listed = false;

	d = opendir("/proc");
	ASSERT(d != NULL);
	while ((e = readdir(d)))
		listed |= atoi(e->d_name) == tid;
	closedir(d);
	EXPECT(!listed);
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	ASSERT(read_file(path, buf, sizeof(buf)) > 0);
	EXPECT(status_field(buf, "Pid") == tid && status_field(buf, "Tgid") == pid);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", tid, pid);
	EXPECT(read_file(path, buf, sizeof(buf)) > 0 && atoi(buf) == pid);

	/* thread-self is the caller: pid/task/pid. */
	char link[64], want[64];
	ssize_t l = readlink("/proc/thread-self", link, sizeof(link) - 1);

	ASSERT(l > 0);
	link[l] = '\0';
	snprintf(want, sizeof(want), "%d/task/%d", pid, pid);
	EXPECT(!strcmp(link, want));

	/* The cmdline is the group's. */
	char c1[256], c2[256];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/cmdline", pid, tid);
	long n1 = read_file(path, c1, sizeof(c1)), n2 = read_file("/proc/self/cmdline", c2, sizeof(c2));

	EXPECT(n1 > 0 && n1 == n2 && !memcmp(c1, c2, (size_t)n1));

	ASSERT(write(pipefd[1], "x", 1) == 1);
	pthread_join(th, NULL);
	close(pipefd[0]);
	close(pipefd[1]);
}

static volatile int spin_done;

static void *spinner(void *arg)
{
	struct timespec ts;
	char c;

	(void)arg;
	thread_tid = (pid_t)syscall(SYS_gettid);
	do /* 300 ms of CPU time of its own */
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	while (ts.tv_sec == 0 && ts.tv_nsec < 300000000);
	spin_done = 1;
	(void)!read(pipefd[0], &c, 1);
	return NULL;
}

/* utime + stime of a stat file, in ticks. */
static long cpu_ticks(const char *path)
{
	char buf[1024], *p;
	unsigned long u, s;

	if (read_file(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return -1;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &u, &s) != 2)
		return -1;
	return (long)(u + s);
}

UT_CASE(procfs_stat_times_are_the_groups, 0, 20)
{
	pthread_t th;
	char path[96];

	thread_tid = 0;
	spin_done = 0;
	ASSERT(pipe(pipefd) == 0);
	ASSERT(pthread_create(&th, NULL, spinner, NULL) == 0);
	for (int i = 0; i < 5000 && !spin_done; i++)
		usleep(1000);
	ASSERT(spin_done);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)thread_tid);
	long thread = cpu_ticks(path);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", getpid());
	long leader = cpu_ticks(path), group = cpu_ticks("/proc/self/stat");

	/* The thread ran 30 ticks; the process's line counts them with the leader's. */
	EXPECT(thread >= 29 && leader >= 0 && leader < thread);
	EXPECT(group >= thread + leader && group <= thread + leader + 2);
	ASSERT(write(pipefd[1], "x", 1) == 1);
	pthread_join(th, NULL);
	close(pipefd[0]);
	close(pipefd[1]);
}
