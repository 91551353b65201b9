// SPDX-License-Identifier: MIT
/*
 * crashload: the write / rename / unlink / fsync workload that tests/qemu/test_crash.py kills
 * QEMU in the middle of (issue 16, crash consistency).
 *
 *   crashload DEV SEED [OPS [PROCS]]
 *                              mount DEV (ext2) on /mnt and run OPS (default 0: forever)
 *                              random operations from SEED, in PROCS processes at once (1);
 *                              process i names its files p<i>dNN, p<i>tN, /mnt/w<i>/...
 *
 * Two kinds of files:
 *  - durable ones, /mnt/dNN: written under a temporary name, fsync'd, renamed over dNN, the
 *    directory fsync'd; or unlinked and the directory fsync'd. Before each change the program
 *    prints "PENDING dNN CRC SIZE" (or "PENDINGDEL dNN"), after the fsync returns
 *    "FSYNCED dNN CRC SIZE" (or "DELETED dNN"): from then on that is what the disk must
 *    hold, whatever happens later. A durable file is never changed in place.
 *  - volatile ones under /mnt/w: created, appended to, renamed, unlinked, directories made
 *    and removed, never fsync'd: the metadata churn a kill lands in the middle of.
 *
 * CRC is CRC-32 (zlib's, as Python's zlib.crc32) of the file's bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NDURABLE 24
#define NVOLATILE 24
#define NSUBDIR 4
#define MAXSIZE 40000

static uint64_t rng;
static unsigned me; /* this process's number: the prefix of its names */

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xEDB88320u & -(crc & 1));
	}
	return ~crc;
}

static void die(const char *what)
{
	printf("crashload: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(2);
}

static uint8_t buf[MAXSIZE];

static size_t fill(void)
{
	size_t n = rnd() % MAXSIZE;
	uint64_t x = rnd();

	for (size_t i = 0; i < n; i++) {
		if (i % 8 == 0)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(x >> (8 * (i % 8)));
	}
	return n;
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

static void fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);

	if (fd < 0 || fsync(fd) < 0)
		die("fsync dir");
	close(fd);
}

static void durable_put(unsigned seq)
{
	char tmp[32], name[32], dst[40];
	unsigned k = (unsigned)(rnd() % NDURABLE);
	size_t n = fill();
	uint32_t crc = crc32(0, buf, n);
	int fd;

	snprintf(tmp, sizeof(tmp), "/mnt/p%ut%u", me, seq);
	snprintf(name, sizeof(name), "p%ud%02u", me, k);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		die("create");
	write_all(fd, buf, n);
	if (fsync(fd) < 0)
		die("fsync");
	close(fd);
	printf("PENDING %s %08x %zu\n", name, crc, n);
	fflush(stdout);
	snprintf(dst, sizeof(dst), "/mnt/%s", name);
	if (rename(tmp, dst) < 0)
		die("rename");
	fsync_dir("/mnt");
	printf("FSYNCED %s %08x %zu\n", name, crc, n);
	fflush(stdout);
}

static void durable_del(void)
{
	char path[40];
	unsigned k = (unsigned)(rnd() % NDURABLE);

	snprintf(path, sizeof(path), "/mnt/p%ud%02u", me, k);
	printf("PENDINGDEL p%ud%02u\n", me, k);
	fflush(stdout);
	if (unlink(path) < 0 && errno != ENOENT)
		die("unlink");
	fsync_dir("/mnt");
	printf("DELETED p%ud%02u\n", me, k);
	fflush(stdout);
}

/* A volatile path: /mnt/w/vN or /mnt/w/sM/vN. */
static void vpath(char *p, size_t len)
{
	unsigned d = (unsigned)(rnd() % (NSUBDIR + 2));

	if (d < NSUBDIR)
		snprintf(p, len, "/mnt/w%u/s%u/v%u", me, d, (unsigned)(rnd() % NVOLATILE));
	else
		snprintf(p, len, "/mnt/w%u/v%u", me, (unsigned)(rnd() % NVOLATILE));
}

static void volatile_op(void)
{
	char a[48], b[56];
	unsigned op = (unsigned)(rnd() % 6);
	int fd;

	vpath(a, sizeof(a));
	switch (op) {
	case 0: /* create or truncate and write */
	case 1: /* append */
		fd = open(a, O_WRONLY | O_CREAT | (op ? O_APPEND : O_TRUNC), 0644);
		if (fd < 0)
			return; /* its directory may be gone */
		write_all(fd, buf, fill() / (op ? 4 : 1));
		close(fd);
		break;
	case 2:
		vpath(b, sizeof(b));
		rename(a, b);
		break;
	case 3:
		unlink(a);
		break;
	case 4: /* a subdirectory made or removed (only when empty) */
		snprintf(a, sizeof(a), "/mnt/w%u/s%u", me, (unsigned)(rnd() % NSUBDIR));
		if (mkdir(a, 0755) < 0 && errno == EEXIST)
			rmdir(a);
		break;
	case 5: /* a small file of its own, a new inode every time */
		snprintf(b, sizeof(b), "%s.n", a);
		fd = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			write_all(fd, buf, fill() % 3000);
			close(fd);
		}
		break;
	}
}

int main(int argc, char **argv)
{
	unsigned long ops = argc > 3 ? strtoul(argv[3], NULL, 0) : 0;
	unsigned procs = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 0) : 1;
	char dev[32], w[16];

	if (argc < 3) {
		fprintf(stderr, "usage: crashload DEV SEED [OPS]\n");
		return 2;
	}
	snprintf(dev, sizeof(dev), "/dev/%s", argv[1]);
	mkdir("/mnt", 0755);
	if (mount(dev, "/mnt", "ext2", 0, NULL) < 0)
		die("mount");
	printf("crashload: start seed %s\n", argv[2]);
	fflush(stdout);
	for (me = 1; me < procs; me++) /* me 0 is this process */
		if (fork() == 0)
			break;
	if (me == procs)
		me = 0;
	rng = (strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ull + me * 0x632BE59BD9B4E019ull) | 1;
	snprintf(w, sizeof(w), "/mnt/w%u", me);
	mkdir(w, 0755);
	for (unsigned long i = 0; !ops || i < ops; i++) {
		unsigned r = (unsigned)(rnd() % 10);

		if (r < 3)
			durable_put((unsigned)i);
		else if (r == 3)
			durable_del();
		else
			volatile_op();
	}
	if (me)
		return 0;
	while (wait(NULL) > 0)
		;
	if (umount("/mnt") < 0)
		die("umount");
	printf("crashload: done\n");
	fflush(stdout);
	return 0;
}
