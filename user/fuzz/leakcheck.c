// SPDX-License-Identifier: MIT
/*
 * The leak check (issue 16): `fuzz leak CMD [ARGS] [-- CMD [ARGS]]...`
 *
 * Drops the caches and reads the kernel's figures (MemFree of /proc/meminfo, active_objs of
 * every cache in /proc/slabinfo), runs each command to its end, reaps every orphan, then
 * syncs, drops the caches again and reads the figures again, a few times while deferred work
 * finishes. They must be equal: a page or an object the workload took and did not give back
 * is a leak. Prints what differs and one line for the test:
 *
 *   LEAK: free_kb_before=B free_kb_after=A allowed_kb=X slab_changed=K tries=T result=ok|leak
 *
 * Exit status 0 when equal, 1 when not. The one allowance, X: pages of the task table that
 * grew (it never shrinks; see allowed_kb). Best run as init (it then reaps the orphans); this
 * process allocates nothing between the two readings (static buffers, the same code paths
 * run once before the first), so its own memory does not move.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_CACHES 64

struct figures {
	long free_kb, buffers_kb, cached_kb, dirty_kb;
	unsigned n;
	char name[MAX_CACHES][24];
	long inuse[MAX_CACHES];
	long task_segs; /* the task table's pages (its slabdata num_slabs) */
};

static char buf[16384];

static ssize_t read_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, len = 0;

	if (fd < 0)
		return -1;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return len;
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		write(fd, "3\n", 2);
		close(fd);
	}
}

static int measure(struct figures *f)
{
	char *p;

	memset(f, 0, sizeof(*f));
	if (read_file("/proc/meminfo") < 0 || !(p = strstr(buf, "MemFree:")))
		return -1;
	f->free_kb = strtol(p + 8, NULL, 10);
	if ((p = strstr(buf, "Buffers:")))
		f->buffers_kb = strtol(p + 8, NULL, 10);
	if ((p = strstr(buf, "Cached:")))
		f->cached_kb = strtol(p + 7, NULL, 10);
	if ((p = strstr(buf, "Dirty:")))
		f->dirty_kb = strtol(p + 6, NULL, 10);
	if (read_file("/proc/slabinfo") < 0)
		return -1;
	p = strchr(buf, '\n');
	while (p && (p = strchr(p + 1, '\n')) && p[1] && f->n < MAX_CACHES) {
		long objs;

		char *sd = strstr(p + 1, "slabdata");

		if (sscanf(p + 1, "%23s %ld", f->name[f->n], &objs) != 2)
			continue;
		if (!strcmp(f->name[f->n], "task_table") && sd)
			f->task_segs = strtol(sd + 8, NULL, 10);
		f->inuse[f->n++] = objs;
	}
	return 0;
}

static long inuse_of(const struct figures *f, const char *name)
{
	for (unsigned i = 0; i < f->n; i++)
		if (!strcmp(f->name[i], name))
			return f->inuse[i];
	return 0;
}

/* How many caches differ (printing them when loud), counting those only in one. */
static unsigned compare(const struct figures *a, const struct figures *b, bool loud)
{
	unsigned diff = 0;

	for (unsigned i = 0; i < b->n; i++) {
		long x = inuse_of(a, b->name[i]);

		if (x != b->inuse[i]) {
			diff++;
			if (loud)
				printf("leak: slab %-16s %ld -> %ld objects\n", b->name[i], x,
				       b->inuse[i]);
		}
	}
	for (unsigned i = 0; i < a->n; i++) {
		bool found = false;

		for (unsigned k = 0; k < b->n; k++)
			found |= !strcmp(a->name[i], b->name[k]);
		if (!found && a->inuse[i]) {
			diff++;
			if (loud)
				printf("leak: slab %-16s %ld -> gone\n", a->name[i], a->inuse[i]);
		}
	}
	return diff;
}

/*
 * The one allowance, exactly: the task table's segments (a page each) are never freed, since
 * a task id names its slot for good; a workload with more tasks alive at once than ever before
 * makes more. /proc/slabinfo's task_table line counts them.
 */
static long allowed_kb(const struct figures *a, const struct figures *b)
{
	long grew = b->task_segs - a->task_segs;

	return grew > 0 ? grew * 4 : 0;
}

static void reap(void)
{
	int st;

	while (waitpid(-1, &st, WNOHANG) > 0)
		;
}

/* The processes still in /proc besides this one (a leak of proc objects may be one). */
static void list_processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		char path[64];
		ssize_t n;

		if (pid <= 1)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		n = read_file(path);
		printf("leak: process %d: %.*s\n", pid, n > 0 ? (int)strcspn(buf, "\n") : 0, buf);
	}
	if (d)
		closedir(d);
}

static void settle(void)
{
	struct timespec t = { 0, 200 * 1000000 };

	nanosleep(&t, NULL);
}

int fz_leak_main(int argc, char **argv)
{
	static struct figures before, after;
	unsigned diff = 0;
	int tries = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: fuzz leak CMD [ARGS] [-- CMD [ARGS]]...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("leak: measuring\n");
	/* Run every path once before the first figures count (the first open of a /proc file,
	 * the first printf). */
	drop_caches();
	measure(&after);
	compare(&after, &after, false);
	settle();
	drop_caches();
	if (measure(&before)) {
		printf("leak: cannot read /proc/meminfo or /proc/slabinfo\n");
		return 2;
	}
	printf("leak: MemFree %ld kB, %u slab caches\n", before.free_kb, before.n);
	for (int i = 1; i < argc;) {
		int k = i;

		while (k < argc && strcmp(argv[k], "--") && strcmp(argv[k], "++"))
			k++;
		argv[k < argc ? k : argc] = NULL;
		pid_t p = fork();
		if (p == 0) {
			execv(argv[i], argv + i);
			_exit(127);
		}
		int st = 0;
		while (p > 0 && waitpid(p, &st, 0) < 0 && errno == EINTR)
			;
		printf("leak: %s ended, status %d\n", argv[i], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		i = k + 1;
	}
	/* Deferred work (frees, write-back, exits) finishes in its own time: a few tries. */
	for (tries = 1; tries <= 15; tries++) {
		reap();
		settle();
		drop_caches();
		measure(&after);
		diff = compare(&before, &after, false);
		if (!diff && after.free_kb + allowed_kb(&before, &after) == before.free_kb)
			break;
	}
	if (tries > 15)
		tries = 15;
	compare(&before, &after, true);
	list_processes();
	printf("leak: Buffers %ld -> %ld kB, Cached %ld -> %ld kB, Dirty %ld -> %ld kB\n",
	       before.buffers_kb, after.buffers_kb, before.cached_kb, after.cached_kb,
	       before.dirty_kb, after.dirty_kb);
	long allowed = allowed_kb(&before, &after);
	bool ok = !diff && after.free_kb + allowed == before.free_kb;
	if (allowed)
		printf("leak: the task table grew by %ld pages (allowed: kept for good)\n",
		       allowed / 4);
	printf("LEAK: free_kb_before=%ld free_kb_after=%ld allowed_kb=%ld slab_changed=%u tries=%d "
	       "result=%s\n",
	       before.free_kb, after.free_kb, allowed, diff, tries, ok ? "ok" : "leak");
	return ok ? 0 : 1;
}
