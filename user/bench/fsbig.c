// SPDX-License-Identifier: MIT
/*
 * fsbig: creates in one big directory, registered in bench.c's table as "fsbig" (run only
 * when named: it needs an empty ext2 disk with inodes enough on /dev/vdb, which
 * tools/bench.sh attaches). 100,000 x scale empty files are made (open O_CREAT|O_EXCL +
 * close) in one new directory; every 10,000 the rate of that batch is printed, so a rate
 * that falls with the size of the directory shows (it should not: hashed directories and
 * the name cache make a create cost the same at any size). Then every name is looked up
 * (stat), absent names are asked for, and all are unlinked. Lines:
 *   BENCH fsbig_create_<n>k <creates/s>   the batch ending at n thousand names
 *   BENCH fsbig_create <creates/s>        all of them
 *   BENCH fsbig_stat, fsbig_stat_absent, fsbig_unlink <ops/s>
 * Without the disk it prints "# fsbig: skip".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void bench_fsbig(long scale);

static int64_t big_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void rate(const char *name, long ops, int64_t ns)
{
	printf("BENCH %s %lld ops/s\n", name, (long long)(ns > 0 ? ops * 1000000000LL / ns : 0));
	fflush(stdout);
}

void bench_fsbig(long scale)
{
	const char *mnt = "/fsbig.mnt", *dir = "/fsbig.mnt/d";
	const long n = 100000 * (scale > 0 ? scale : 1), batch = 10000;
	char name[64], label[48];
	struct stat st;
	int64_t t0, tb, t;
	long made = 0, ok = 0;

	mkdir(mnt, 0755);
	if (mount("/dev/vdb", mnt, "ext2", 0, NULL) != 0) {
		printf("# fsbig: skip (no ext2 disk on /dev/vdb: errno %d)\n", errno);
		return;
	}
	if (mkdir(dir, 0755) != 0) {
		printf("# fsbig: mkdir %s failed (errno %d)\n", dir, errno);
		goto out;
	}
	t0 = tb = big_now_ns();
	for (; made < n; made++) {
		snprintf(name, sizeof(name), "%s/f%06ld", dir, made);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0) {
			printf("# fsbig: create %s failed (errno %d)\n", name, errno);
			break;
		}
		close(fd);
		if ((made + 1) % batch == 0) {
			t = big_now_ns();
			snprintf(label, sizeof(label), "fsbig_create_%ldk", (made + 1) / 1000);
			rate(label, batch, t - tb);
			tb = t;
		}
	}
	rate("fsbig_create", made, big_now_ns() - t0);
	t0 = big_now_ns();
	for (long i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "%s/f%06ld", dir, (i * 7919) % made);
		ok += stat(name, &st) == 0;
	}
	rate("fsbig_stat", made, big_now_ns() - t0);
	if (ok != made)
		printf("# fsbig: stat found %ld of %ld\n", ok, made);
	t0 = big_now_ns();
	ok = 0;
	for (long i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "%s/g%06ld", dir, i);
		ok += stat(name, &st) != 0 && errno == ENOENT;
	}
	rate("fsbig_stat_absent", made, big_now_ns() - t0);
	if (ok != made)
		printf("# fsbig: absent names: %ld of %ld ENOENT\n", ok, made);
	t0 = big_now_ns();
	ok = 0;
	for (long i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "%s/f%06ld", dir, i);
		ok += unlink(name) == 0;
	}
	rate("fsbig_unlink", made, big_now_ns() - t0);
	if (ok != made)
		printf("# fsbig: unlinked %ld of %ld\n", ok, made);
	rmdir(dir);
out:
	sync();
	umount(mnt);
}
