// SPDX-License-Identifier: MIT
/*
 * mmbench: memory and file-cache benchmarks of bench.c's table.
 *  - fsread (named only, for profiles): a 2 MiB file read warm 8*scale times in 64 KiB and
 *    in 4 KiB requests: fs_read_warm_{64k,4k}_only, bytes per ns of guest time.
 *  - creat (named only): 200*scale files created then unlinked (below).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void bench_fsread(long scale);
void bench_creat(long scale);

static char buf[65536];

static int64_t mm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void report_bpns(const char *name, long long bytes, int64_t ns)
{
	if (ns <= 0)
		ns = 1;
	long long milli = bytes * 1000 / ns;
	printf("BENCH %s %lld.%03lld B/ns\n", name, milli / 1000, milli % 1000);
	fflush(stdout);
}

static long read_all(int fd, size_t rs)
{
	long got = 0;
	ssize_t r;

	lseek(fd, 0, SEEK_SET);
	while ((r = read(fd, buf, rs)) > 0)
		got += r;
	return got;
}

void bench_fsread(long scale)
{
	const char *path = "/tmp/mmbench.read";
	const long size = 2L << 20;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		printf("# mmbench: cannot create %s\n", path);
		return;
	}
	memset(buf, 0x5a, sizeof(buf));
	for (long off = 0; off < size; off += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			break;
	read_all(fd, sizeof(buf));
	for (int k = 0; k < 2; k++) {
		size_t rs = k ? 4096 : 65536;
		long long bytes = 0;
		int64_t t0 = mm_now_ns();

		for (long i = 0; i < 8 * scale; i++)
			bytes += read_all(fd, rs);
		report_bpns(k ? "fs_read_warm_4k_only" : "fs_read_warm_64k_only", bytes,
			    mm_now_ns() - t0);
	}
	close(fd);
	unlink(path);
}

/* creat (named only, for profiles): 200*scale empty files made (open O_CREAT|O_EXCL, close)
 * in a fresh directory, then unlinked: fs_create_only, fs_unlink_only per second. */
void bench_creat(long scale)
{
	const char *dir = "/mmbench.d";
	char name[64];
	long n = 200 * scale, made = 0;
	int64_t t0, t1;

	if (mkdir(dir, 0755) < 0) {
		printf("# mmbench: mkdir %s failed\n", dir);
		return;
	}
	t0 = mm_now_ns();
	for (; made < n; made++) {
		snprintf(name, sizeof(name), "%s/f%05ld", dir, made);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			break;
		close(fd);
	}
	t1 = mm_now_ns();
	printf("BENCH fs_create_only %lld creates/s\n",
	       (long long)(t1 > t0 ? made * 1000000000LL / (t1 - t0) : 0));
	t0 = mm_now_ns();
	for (long k = 0; k < made; k++) {
		snprintf(name, sizeof(name), "%s/f%05ld", dir, k);
		unlink(name);
	}
	t1 = mm_now_ns();
	printf("BENCH fs_unlink_only %lld unlinks/s\n",
	       (long long)(t1 > t0 ? made * 1000000000LL / (t1 - t0) : 0));
	fflush(stdout);
	rmdir(dir);
}
