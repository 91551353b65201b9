// SPDX-License-Identifier: MIT
/*
 * fsbench: file-system benchmarks on the root fs (the ext2 root on vda when it is mounted),
 * registered in bench.c's table as "fs". Lines are `BENCH name value unit`:
 *  - fs_write_{4k,64k}: sequential write of a 16 MiB file at that request size, fsync included
 *    (the cache is 4 MiB, so most of it goes to the disk during the writes anyway);
 *  - fs_read_cold_{4k,64k}: sequential read of that file with nothing of it cached: after
 *    sync and `echo 3 > /proc/sys/vm/drop_caches` (the same on Linux, whose page cache holds
 *    all free memory), or, without that file, after 8 MiB of another file was written and
 *    fsynced (twice this kernel's old 4 MiB buffer cache);
 *  - fs_read_warm_{4k,64k}: a 2 MiB file, read once untimed, then read twice, timed;
 *  - fs_create, fs_unlink: 1000 empty files in one new directory, per second of guest time;
 *    between them fs_stat (each name stat'ed twice) and fs_stat_absent (absent names, twice).
 * Throughput is bytes per ns of CLOCK_MONOTONIC (guest) time, printed with 3 decimals.
 * Files go in BENCH_FS_DIR (default /fsbench.d), removed at the end.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void bench_fs(void);

static char fsbuf[65536];

static int64_t fs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void report_bpns(const char *name, long bytes, int64_t ns)
{
	if (ns <= 0)
		ns = 1;
	long long milli = (long long)bytes * 1000 / ns; /* bytes < 2^25: no overflow */
	printf("BENCH %s %lld.%03lld B/ns\n", name, milli / 1000, milli % 1000);
	fflush(stdout);
}

/* Write `size` bytes to path in rs-byte requests, fsync; ns taken, or -1. */
static int64_t write_file(const char *path, long size, size_t rs)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		printf("# fsbench: open %s failed\n", path);
		return -1;
	}
	int64_t t0 = fs_now_ns();
	for (long off = 0; off < size; off += rs) {
		fsbuf[0] = (char)(off >> 12);
		if (write(fd, fsbuf, rs) != (ssize_t)rs) {
			printf("# fsbench: write %s failed at %ld\n", path, off);
			close(fd);
			return -1;
		}
	}
	if (fsync(fd) < 0)
		printf("# fsbench: fsync %s failed\n", path);
	int64_t ns = fs_now_ns() - t0;
	close(fd);
	return ns;
}

/* Read path to the end in rs-byte requests `passes` times; ns taken, or -1. */
static int64_t read_file(const char *path, long size, size_t rs, int passes)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	int64_t t0 = fs_now_ns();
	for (int p = 0; p < passes; p++) {
		long got = 0;
		ssize_t r;
		lseek(fd, 0, SEEK_SET);
		while ((r = read(fd, fsbuf, rs)) > 0)
			got += r;
		if (got != size) {
			printf("# fsbench: read %s got %ld of %ld\n", path, got, size);
			close(fd);
			return -1;
		}
	}
	int64_t ns = fs_now_ns() - t0;
	close(fd);
	return ns;
}

/* Nothing of any file cached: drop the caches, or (no drop_caches) push them out. */
static int drop_caches(const char *flush_path, long flush)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		sync();
		int ok = write(fd, "3\n", 2) == 2;

		close(fd);
		if (ok)
			return 0;
	}
	return write_file(flush_path, flush, 65536) < 0 ? -1 : 0;
}

void bench_fs(void)
{
	const char *dir = getenv("BENCH_FS_DIR") ? getenv("BENCH_FS_DIR") : "/fsbench.d";
	const long big = 16L << 20, flush = 8L << 20, small = 2L << 20;
	static const size_t sizes[] = { 4096, 65536 };
	char a[128], b[128], c[128], name[160];

	if (mkdir(dir, 0755) < 0) {
		printf("# fsbench: mkdir %s failed (read-only root?)\n", dir);
		return;
	}
	snprintf(a, sizeof(a), "%s/big", dir);
	snprintf(b, sizeof(b), "%s/flush", dir);
	snprintf(c, sizeof(c), "%s/small", dir);
	memset(fsbuf, 0xa5, sizeof(fsbuf));

	for (size_t i = 0; i < 2; i++) {
		size_t rs = sizes[i];
		const char *sfx = rs == 4096 ? "4k" : "64k";
		int64_t ns;

		if ((ns = write_file(a, big, rs)) < 0)
			break;
		snprintf(name, sizeof(name), "fs_write_%s", sfx);
		report_bpns(name, big, ns);

		if (drop_caches(b, flush) < 0)
			break;
		if ((ns = read_file(a, big, rs, 1)) < 0)
			break;
		snprintf(name, sizeof(name), "fs_read_cold_%s", sfx);
		report_bpns(name, big, ns);

		if (write_file(c, small, 65536) < 0 || read_file(c, small, rs, 1) < 0)
			break;
		if ((ns = read_file(c, small, rs, 2)) < 0)
			break;
		snprintf(name, sizeof(name), "fs_read_warm_%s", sfx);
		report_bpns(name, 2 * small, ns);
		unlink(a);
		unlink(b);
		unlink(c);
		sync();
	}
	unlink(a);
	unlink(b);
	unlink(c);

	const int n = 1000;
	char sub[140];
	snprintf(sub, sizeof(sub), "%s/many", dir);
	/* The big files' frees and write-back done first, so that the creates below do
	 * not pay for them (nor wait for the disk on the icount clock). */
	sync();
	if (mkdir(sub, 0755) == 0) {
		int made = 0;
		int64_t t0 = fs_now_ns();
		for (; made < n; made++) {
			snprintf(name, sizeof(name), "%s/f%04d", sub, made);
			int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd < 0)
				break;
			close(fd);
		}
		int64_t ns = fs_now_ns() - t0;
		if (made != n)
			printf("# fsbench: created %d of %d\n", made, n);
		printf("BENCH fs_create %lld creates/s\n",
		       (long long)(ns > 0 ? (int64_t)made * 1000000000 / ns : 0));
		/* lookups of the names just made, and of names that are not there */
		struct stat st;
		int found = 0, absent = 0;
		t0 = fs_now_ns();
		for (int r = 0; r < 2; r++)
			for (int k = 0; k < made; k++) {
				snprintf(name, sizeof(name), "%s/f%04d", sub, (k * 7) % made);
				found += stat(name, &st) == 0;
			}
		ns = fs_now_ns() - t0;
		printf("BENCH fs_stat %lld lookups/s\n",
		       (long long)(ns > 0 ? (int64_t)found * 1000000000 / ns : 0));
		t0 = fs_now_ns();
		for (int r = 0; r < 2; r++)
			for (int k = 0; k < made; k++) {
				snprintf(name, sizeof(name), "%s/g%04d", sub, k);
				absent += stat(name, &st) != 0;
			}
		ns = fs_now_ns() - t0;
		printf("BENCH fs_stat_absent %lld lookups/s\n",
		       (long long)(ns > 0 ? (int64_t)absent * 1000000000 / ns : 0));
		if (found != 2 * made || absent != 2 * made)
			printf("# fsbench: stat found %d, absent %d of %d\n", found, absent, 2 * made);
		t0 = fs_now_ns();
		int gone = 0;
		for (int k = 0; k < made; k++) {
			snprintf(name, sizeof(name), "%s/f%04d", sub, k);
			gone += unlink(name) == 0;
		}
		ns = fs_now_ns() - t0;
		if (gone != made)
			printf("# fsbench: unlinked %d of %d\n", gone, made);
		printf("BENCH fs_unlink %lld unlinks/s\n",
		       (long long)(ns > 0 ? (int64_t)gone * 1000000000 / ns : 0));
		fflush(stdout);
		rmdir(sub);
	}
	rmdir(dir);
	sync();
}
