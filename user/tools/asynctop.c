// SPDX-License-Identifier: MIT
/*
 * asynctop: the async kernel, live. Every refresh reads /proc/async (per-hart executor
 * figures, every task and its await chain) and /proc/<pid>/future of each process, and
 * shows, top-like: each hart's queue, polls per second, steals, share of time idle in wfi,
 * the wake->poll latency of sampled polls; each process with the future it is blocked on;
 * the kernel's own tasks.
 *
 * usage: asynctop [-b] [-n count] [-d seconds]
 *   -b          batch: no screen clearing (for logs and tests)
 *   -n count    refreshes, then exit (default: until interrupted)
 *   -d seconds  delay between refreshes (default 1; fractions allowed)
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_HARTS 8

static char buf[1 << 17];

static long slurp(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	long r;

	if (fd < 0)
		return -1;
	while (n < cap - 1 && (r = read(fd, out + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	out[n] = '\0';
	return (long)n;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct hart {
	unsigned queue, tasks;
	unsigned long long polls, steals, wfi, idle_ms;
};

/* The per-hart table of /proc/async; returns how many harts. */
static int parse_harts(const char *t, struct hart *h)
{
	const char *p = strchr(t, '\n');
	int n = 0;

	while (p && n < MAX_HARTS) {
		unsigned idx;
		struct hart x;

		p++;
		if (sscanf(p, "%u %u %u %llu %llu %llu %llu", &idx, &x.queue, &x.tasks, &x.polls,
			   &x.steals, &x.wfi, &x.idle_ms) != 7)
			break;
		h[n++] = x;
		p = strchr(p, '\n');
	}
	return n;
}

/* A line of t starting with prefix, copied into out (without the newline). */
static bool line_of(const char *t, const char *prefix, char *out, size_t n)
{
	size_t pl = strlen(prefix);

	for (const char *p = t; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, prefix, pl))
			continue;
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len >= n)
			len = n - 1;
		memcpy(out, p, len);
		out[len] = '\0';
		return true;
	}
	return false;
}

/* "key:\tvalue" of a /proc/<pid>/future text. */
static const char *value_of(const char *t, const char *key, char *out, size_t n)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "%s:\t", key);
	if (!line_of(t, prefix, out, n))
		return "";
	memmove(out, out + strlen(prefix), strlen(out) - strlen(prefix) + 1);
	return out;
}

static void show_processes(void)
{
	static char fut[4096], stat[1024];
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	printf("\n  PID COMM            S HART    POLLS    WAKES     SELF  BLOCKED ON\n");
	while ((e = readdir(d)) != NULL) {
		char path[300], comm[32] = "?", st = '?', state[32], hart[16], polls[16], wakes[16],
							    self[16], chain[512];
		int pid = atoi(e->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (slurp(path, stat, sizeof(stat)) > 0) {
			char *l = strchr(stat, '('), *r = strrchr(stat, ')');

			if (l && r && r > l) {
				snprintf(comm, sizeof(comm), "%.*s", (int)(r - l - 1), l + 1);
				st = r[2];
			}
		}
		snprintf(path, sizeof(path), "/proc/%d/future", pid);
		if (slurp(path, fut, sizeof(fut)) <= 0)
			continue; /* gone */
		value_of(fut, "state", state, sizeof(state));
		printf("%5d %-15.15s %c %4s %8s %8s %8s  %s\n", pid, comm, st,
		       value_of(fut, "hart", hart, sizeof(hart)),
		       value_of(fut, "polls", polls, sizeof(polls)),
		       value_of(fut, "wakes", wakes, sizeof(wakes)),
		       value_of(fut, "self_wakes", self, sizeof(self)),
		       value_of(fut, "chain", chain, sizeof(chain)));
	}
	closedir(d);
}

/* The task lines of /proc/async that are not processes (the kernel's own tasks). */
static void show_kernel_tasks(const char *t)
{
	const char *p = strstr(t, "\ntasks\n");
	char line[512];
	int shown = 0;

	if (!p)
		return;
	for (p += 7; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (len && !strstr(line, " userloop hart ")) {
			if (!shown++)
				printf("\n  KERNEL TASKS\n");
			printf("%s\n", line);
		}
		p += len + (e ? 1 : 0);
	}
}

int main(int argc, char **argv)
{
	bool batch = false;
	long count = -1;
	double delay = 1.0;
	struct hart prev[MAX_HARTS] = { 0 }, cur[MAX_HARTS];
	int64_t prev_t = 0;
	int opt;

	while ((opt = getopt(argc, argv, "bn:d:")) != -1) {
		switch (opt) {
		case 'b':
			batch = true;
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'd':
			delay = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: asynctop [-b] [-n count] [-d seconds]\n");
			return 2;
		}
	}
	for (long it = 0; count < 0 || it < count; it++) {
		static char up[128], load[128], mem[4096];
		char total[64] = "", freem[64] = "";

		if (slurp("/proc/async", buf, sizeof(buf)) < 0) {
			fprintf(stderr, "asynctop: /proc/async: not mounted?\n");
			return 1;
		}
		int64_t t = now_ns();
		int n = parse_harts(buf, cur);

		slurp("/proc/uptime", up, sizeof(up));
		slurp("/proc/loadavg", load, sizeof(load));
		slurp("/proc/meminfo", mem, sizeof(mem));
		line_of(mem, "MemTotal:", total, sizeof(total));
		line_of(mem, "MemFree:", freem, sizeof(freem));
		if (!batch)
			printf("\033[H\033[J");
		up[strcspn(up, " \n")] = '\0';
		load[strcspn(load, "\n")] = '\0';
		printf("asynctop - up %s s, load %s\n%s  %s\n\n", up, load, total, freem);
		printf("HART  QUEUE  TASKS     POLLS/s   STEALS   IDLE%%  WAKE->POLL (sampled)\n");
		for (int h = 0; h < n; h++) {
			double secs = prev_t ? (double)(t - prev_t) / 1e9 : 0;
			double pps = secs > 0 ? (double)(cur[h].polls - prev[h].polls) / secs : 0;
			double idle = secs > 0 ? (double)(cur[h].idle_ms - prev[h].idle_ms) / (secs * 10)
					       : 0;
			char hist[256] = "", key[16];

			snprintf(key, sizeof(key), "hart %d:", h);
			line_of(buf, key, hist, sizeof(hist));
			printf("%4d %6u %6u %11.0f %8llu %6.1f %s\n", h, cur[h].queue, cur[h].tasks, pps,
			       cur[h].steals, idle > 100 ? 100 : idle, hist + strlen(key));
			prev[h] = cur[h];
		}
		prev_t = t;
		show_processes();
		show_kernel_tasks(buf);
		fflush(stdout);
		if (count < 0 || it + 1 < count) {
			struct timespec ts = { (time_t)delay, (long)((delay - (time_t)delay) * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	return 0;
}
