// SPDX-License-Identifier: MIT
/*
 * File-system cases (fs_*): big random I/O with checksums, many files, deep
 * directories, unlink while open, concurrent writers, the errno cases, ENOSPC
 * (ext2 only), rename, symlinks, holes, sync, utimensat, and mount of a
 * second disk (when /dev/vdb exists). They run on whatever "/" is: the ext2
 * disk root or the initramfs. Scratch files live under /var/tmp (on the root fs;
 * /tmp is a tmpfs).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

#define EXT2_MAGIC 0xEF53

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: a reproducible stream per seed. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* The expected byte at offset off of a pattern file with seed. */
static uint8_t pat(uint64_t seed, uint64_t off)
{
	uint64_t x = (off >> 3) * 0x9E3779B97F4A7C15ULL ^ seed;

	x ^= x >> 29;
	return (uint8_t)(x >> ((off & 7) * 8));
}

static void fill_pat(uint8_t *b, size_t n, uint64_t seed, uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		b[i] = pat(seed, off + i);
}

static uint32_t cksum(const uint8_t *b, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static bool root_is_ext2(void)
{
	struct statfs sf;

	return statfs("/", &sf) == 0 && sf.f_type == EXT2_MAGIC;
}

#define BIG (16u << 20)
#define CHUNK (64u << 10)

/* 16 MiB written sequentially, then rewritten and read back at random
 * offsets and sizes; every read checked against the pattern's checksum.
 * On the disk root this is four times the buffer cache. */
UT_CASE(fs_bigrand, UT_SLOW, 600)
{
	const char *path = "/var/tmp/fs_big";
	uint8_t *buf = malloc(CHUNK), *want = malloc(CHUNK);
	uint64_t seed = 0x1234567ULL ^ (uint64_t)getpid(), rs = seed | 1;
	struct stat st;
	int fd;

	ASSERT(buf && want);
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT(fd >= 0);
	for (uint64_t off = 0; off < BIG; off += CHUNK) {
		fill_pat(buf, CHUNK, seed, off);
		if (!EXPECT(pwrite(fd, buf, CHUNK, (off_t)off) == CHUNK))
			goto out;
	}
	EXPECT(fstat(fd, &st) == 0 && st.st_size == BIG);
	/* Rewrite 64 random ranges with a second pattern... */
	uint64_t seed2 = seed ^ 0xabcdef;
	struct {
		uint64_t off;
		size_t n;
	} rw[64];
	for (int i = 0; i < 64; i++) {
		rw[i].n = 1 + rng_next(&rs) % CHUNK;
		rw[i].off = rng_next(&rs) % (BIG - rw[i].n);
		fill_pat(buf, rw[i].n, seed2, rw[i].off);
		EXPECT(pwrite(fd, buf, rw[i].n, (off_t)rw[i].off) == (ssize_t)rw[i].n);
	}
	/* ...then read 256 random ranges and compare checksums. */
	for (int i = 0; i < 256; i++) {
		size_t n = 1 + rng_next(&rs) % CHUNK;
		uint64_t off = rng_next(&rs) % (BIG - n);

		fill_pat(want, n, seed, off);
		/* Later rewrites win: overlay them in order. */
		for (int j = 0; j < 64; j++) {
			uint64_t a = rw[j].off > off ? rw[j].off : off;
			uint64_t e = rw[j].off + rw[j].n < off + n ? rw[j].off + rw[j].n : off + n;

			for (uint64_t o = a; o < e; o++)
				want[o - off] = pat(seed2, o);
		}
		ssize_t r = pread(fd, buf, n, (off_t)off);

		if (!EXPECT(r == (ssize_t)n) || !EXPECT(cksum(buf, n) == cksum(want, n))) {
			ut_diag("range %d: off %llu n %zu got %zd", i, (unsigned long long)off, n, r);
			goto out;
		}
	}
	/* A sequential read through read() sees the same bytes. */
	EXPECT(lseek(fd, 0, SEEK_SET) == 0);
	uint64_t total = 0;
	for (;;) {
		ssize_t r = read(fd, buf, CHUNK);
		if (r <= 0)
			break;
		total += (uint64_t)r;
	}
	EXPECT(total == BIG);
out:
	close(fd);
	EXPECT(unlink(path) == 0);
	free(buf);
	free(want);
}

UT_CASE(fs_small_files, 0, 300)
{
	char path[64], buf[64];
	int n = 300;

	EXPECT(mkdir("/var/tmp/fs_small", 0755) == 0);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/var/tmp/fs_small/f%d", i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (!EXPECT(fd >= 0))
			break;
		int len = snprintf(buf, sizeof(buf), "file %d says %d\n", i, i * 7);
		EXPECT(write(fd, buf, (size_t)len) == len);
		close(fd);
	}
	int seen = 0;
	DIR *d = opendir("/var/tmp/fs_small");
	ASSERT(d);
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] == 'f')
			seen++;
	closedir(d);
	EXPECT(seen == n);
	for (int i = 0; i < n; i++) {
		char want[64];
		snprintf(path, sizeof(path), "/var/tmp/fs_small/f%d", i);
		int len = snprintf(want, sizeof(want), "file %d says %d\n", i, i * 7);
		int fd = open(path, O_RDONLY);
		if (!EXPECT(fd >= 0))
			continue;
		EXPECT(read(fd, buf, sizeof(buf)) == len && memcmp(buf, want, (size_t)len) == 0);
		close(fd);
		EXPECT(unlink(path) == 0);
	}
	EXPECT(rmdir("/var/tmp/fs_small") == 0);
}

#define DEPTH 40

UT_CASE(fs_deep_dirs, 0, 120)
{
	char cwd[PATH_MAX], orig[PATH_MAX];

	ASSERT(getcwd(orig, sizeof(orig)));
	ASSERT(chdir("/var/tmp") == 0);
	for (int i = 0; i < DEPTH; i++) {
		if (!EXPECT(mkdir("d", 0755) == 0 && chdir("d") == 0))
			break;
	}
	ASSERT(getcwd(cwd, sizeof(cwd)));
	EXPECT(strlen(cwd) == 8 + 2 * DEPTH && !strncmp(cwd, "/var/tmp/d/d/", 13));
	int fd = open("leaf", O_WRONLY | O_CREAT, 0644);
	EXPECT(fd >= 0 && write(fd, "x", 1) == 1);
	close(fd);
	/* The same file by its absolute path. */
	struct stat st;
	strcat(cwd, "/leaf");
	EXPECT(stat(cwd, &st) == 0 && st.st_size == 1);
	EXPECT(unlink("leaf") == 0);
	for (int i = 0; i < DEPTH; i++) {
		EXPECT(chdir("..") == 0);
		EXPECT(rmdir("d") == 0);
	}
	EXPECT(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/var/tmp"));
	EXPECT(chdir(orig) == 0);
}

UT_CASE(fs_unlink_open, 0, 60)
{
	const char *path = "/var/tmp/fs_unl";
	char buf[8192], back[8192];
	struct stat st;

	fill_pat((uint8_t *)buf, sizeof(buf), 77, 0);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT(fd >= 0);
	EXPECT(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	EXPECT(unlink(path) == 0);
	errno = 0;
	EXPECT(stat(path, &st) == -1 && errno == ENOENT);
	EXPECT(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == (off_t)sizeof(buf));
	EXPECT(pread(fd, back, sizeof(back), 0) == (ssize_t)sizeof(back));
	EXPECT(memcmp(buf, back, sizeof(buf)) == 0);
	/* Still writable too. */
	EXPECT(pwrite(fd, "tail", 4, sizeof(buf)) == 4);
	EXPECT(fstat(fd, &st) == 0 && st.st_size == (off_t)sizeof(buf) + 4);
	EXPECT(close(fd) == 0);
}

#define NWRITERS 4
#define WSIZE (512u << 10)

static void writer(void *arg)
{
	int id = (int)(intptr_t)arg;
	char path[64];
	static uint8_t b[16384];

	snprintf(path, sizeof(path), "/var/tmp/fs_conc%d", id);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		_exit(2);
	for (uint64_t off = 0; off < WSIZE; off += sizeof(b)) {
		fill_pat(b, sizeof(b), (uint64_t)id, off);
		if (write_all(fd, b, sizeof(b)))
			_exit(3);
	}
	_exit(close(fd) ? 4 : 0);
}

UT_CASE(fs_concurrent, UT_SLOW, 300)
{
	pid_t pids[NWRITERS];
	static uint8_t b[16384], w[16384];
	char path[64];

	for (int i = 0; i < NWRITERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			writer((void *)(intptr_t)i);
		ASSERT(pids[i] > 0);
	}
	for (int i = 0; i < NWRITERS; i++)
		EXPECT(ut_exited_with(ut_wait(pids[i]), 0));
	for (int i = 0; i < NWRITERS; i++) {
		snprintf(path, sizeof(path), "/var/tmp/fs_conc%d", i);
		int fd = open(path, O_RDONLY);
		if (!EXPECT(fd >= 0))
			continue;
		for (uint64_t off = 0; off < WSIZE; off += sizeof(b)) {
			fill_pat(w, sizeof(w), (uint64_t)i, off);
			if (!EXPECT(read(fd, b, sizeof(b)) == (ssize_t)sizeof(b) &&
				    memcmp(b, w, sizeof(b)) == 0))
				break;
		}
		EXPECT(read(fd, b, 1) == 0);
		close(fd);
		EXPECT(unlink(path) == 0);
	}
}

#define EXPECT_ERR(call, e) (errno = 0, EXPECT((call) == -1 && errno == (e)))

UT_CASE(fs_errors, 0, 60)
{
	char longname[300];

	memset(longname, 'n', sizeof(longname));
	strcpy(longname, "/var/tmp/");
	memset(longname + 5, 'n', 256);
	longname[5 + 256] = '\0';
	EXPECT_ERR(open(longname, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
	EXPECT_ERR(mkdir(longname, 0755), ENAMETOOLONG);
	EXPECT_ERR(open("/var/tmp/fs_none/x", O_RDONLY), ENOENT);
	EXPECT_ERR(open("/var/tmp/fs_none", O_RDONLY), ENOENT);
	EXPECT_ERR(unlink("/var/tmp/fs_none"), ENOENT);
	int fd = open("/var/tmp/fs_file", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	EXPECT(fd >= 0);
	close(fd);
	EXPECT_ERR(open("/var/tmp/fs_file/x", O_RDONLY), ENOTDIR);
	EXPECT_ERR(mkdir("/var/tmp/fs_file/x", 0755), ENOTDIR);
	EXPECT_ERR(rmdir("/var/tmp/fs_file"), ENOTDIR);
	EXPECT_ERR(mkdir("/var/tmp/fs_file", 0755), EEXIST);
	EXPECT_ERR(open("/var/tmp/fs_file", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	EXPECT(mkdir("/var/tmp/fs_dir", 0755) == 0);
	EXPECT_ERR(mkdir("/var/tmp/fs_dir", 0755), EEXIST);
	EXPECT_ERR(open("/var/tmp/fs_dir", O_WRONLY), EISDIR);
	EXPECT_ERR(unlink("/var/tmp/fs_dir"), EISDIR);
	fd = open("/var/tmp/fs_dir/in", O_WRONLY | O_CREAT, 0644);
	EXPECT(fd >= 0);
	close(fd);
	EXPECT_ERR(rmdir("/var/tmp/fs_dir"), ENOTEMPTY);
	EXPECT(unlink("/var/tmp/fs_dir/in") == 0);
	EXPECT(rmdir("/var/tmp/fs_dir") == 0);
	EXPECT(unlink("/var/tmp/fs_file") == 0);
}

/* Fill the disk until ENOSPC, delete, and check the counts come back. */
UT_CASE(fs_enospc, UT_SLOW, 600)
{
	struct statfs before, full, after;
	static uint8_t b[65536];
	char path[64];
	int nfiles = 0;
	bool hit = false;

	if (!root_is_ext2()) {
		ut_diag("skip: / is not ext2");
		return;
	}
	sync();
	ASSERT(statfs("/", &before) == 0);
	memset(b, 0x5a, sizeof(b));
	for (nfiles = 0; nfiles < 64 && !hit; nfiles++) {
		snprintf(path, sizeof(path), "/var/tmp/fs_fill%d", nfiles);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ASSERT(fd >= 0);
		for (int i = 0; i < 64; i++) { /* 4 MiB per file */
			ssize_t w = write(fd, b, sizeof(b));
			if (w < 0) {
				EXPECT(errno == ENOSPC);
				hit = true;
				break;
			}
			if (w < (ssize_t)sizeof(b)) {
				hit = true; /* a short write at the end; the next says ENOSPC */
				errno = 0;
				EXPECT(write(fd, b, sizeof(b)) == -1 && errno == ENOSPC);
				break;
			}
		}
		close(fd);
	}
	EXPECT(hit);
	EXPECT(statfs("/", &full) == 0 && full.f_bfree <= full.f_blocks / 16 + 16);
	/* Nothing can be created with no blocks for a directory entry, but an
	 * empty file may still fit: just do not crash. */
	for (int i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "/var/tmp/fs_fill%d", i);
		EXPECT(unlink(path) == 0);
	}
	sync();
	EXPECT(statfs("/", &after) == 0);
	EXPECT(after.f_bfree == before.f_bfree);
	EXPECT(after.f_ffree == before.f_ffree);
	if (after.f_bfree != before.f_bfree)
		ut_diag("free blocks %llu before, %llu after", (unsigned long long)before.f_bfree,
			(unsigned long long)after.f_bfree);
}

UT_CASE(fs_rename, 0, 60)
{
	char buf[16];
	struct stat st;

	int fd = open("/var/tmp/fs_ra", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	EXPECT(fd >= 0 && write(fd, "aaa", 3) == 3);
	close(fd);
	fd = open("/var/tmp/fs_rb", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	EXPECT(fd >= 0 && write(fd, "bbbbb", 5) == 5);
	close(fd);
	EXPECT(rename("/var/tmp/fs_ra", "/var/tmp/fs_rb") == 0); /* replaces */
	EXPECT_ERR(stat("/var/tmp/fs_ra", &st), ENOENT);
	fd = open("/var/tmp/fs_rb", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, sizeof(buf)) == 3 && !memcmp(buf, "aaa", 3));
	close(fd);
	EXPECT(mkdir("/var/tmp/fs_rd", 0755) == 0);
	EXPECT(rename("/var/tmp/fs_rb", "/var/tmp/fs_rd/moved") == 0);
	EXPECT(rename("/var/tmp/fs_rd", "/var/tmp/fs_rd2") == 0);
	EXPECT(stat("/var/tmp/fs_rd2/moved", &st) == 0 && st.st_size == 3);
	EXPECT(mkdir("/var/tmp/fs_rd3", 0755) == 0);
	EXPECT_ERR(rename("/var/tmp/fs_rd3", "/var/tmp/fs_rd2"), ENOTEMPTY);
	EXPECT_ERR(rename("/var/tmp/fs_rd2", "/var/tmp/fs_rd2/sub"), EINVAL);
	EXPECT(unlink("/var/tmp/fs_rd2/moved") == 0);
	EXPECT(rmdir("/var/tmp/fs_rd2") == 0 && rmdir("/var/tmp/fs_rd3") == 0);
}

UT_CASE(fs_symlink, 0, 60)
{
	char buf[128], longt[200];
	struct stat st;

	int fd = open("/var/tmp/fs_target", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	EXPECT(fd >= 0 && write(fd, "target!", 7) == 7);
	close(fd);
	EXPECT(symlink("fs_target", "/var/tmp/fs_link") == 0);
	EXPECT(readlink("/var/tmp/fs_link", buf, sizeof(buf)) == 9 && !memcmp(buf, "fs_target", 9));
	EXPECT(lstat("/var/tmp/fs_link", &st) == 0 && S_ISLNK(st.st_mode));
	EXPECT(stat("/var/tmp/fs_link", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 7);
	fd = open("/var/tmp/fs_link", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, sizeof(buf)) == 7 && !memcmp(buf, "target!", 7));
	close(fd);
	/* A long (slow, block-stored) target. */
	memset(longt, 'L', sizeof(longt) - 1);
	longt[sizeof(longt) - 1] = '\0';
	memcpy(longt, "/var/tmp/", 5);
	EXPECT(symlink(longt, "/var/tmp/fs_llink") == 0);
	EXPECT(readlink("/var/tmp/fs_llink", buf, sizeof(buf)) == sizeof(buf));
	EXPECT_ERR(stat("/var/tmp/fs_llink", &st), ENOENT);
	EXPECT(symlink("fs_loop", "/var/tmp/fs_loop") == 0);
	EXPECT_ERR(stat("/var/tmp/fs_loop", &st), ELOOP);
	EXPECT(unlink("/var/tmp/fs_link") == 0 && unlink("/var/tmp/fs_llink") == 0);
	EXPECT(unlink("/var/tmp/fs_loop") == 0 && unlink("/var/tmp/fs_target") == 0);
}

UT_CASE(fs_holes, 0, 60)
{
	static uint8_t buf[8192];
	struct stat st;
	struct statfs s0, s1;
	const off_t far = 40 << 20; /* past the double-indirect start at 4 KiB blocks */

	EXPECT(statfs("/var/tmp", &s0) == 0);
	int fd = open("/var/tmp/fs_hole", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT(fd >= 0);
	EXPECT(pwrite(fd, "head", 4, 0) == 4);
	EXPECT(pwrite(fd, "tail", 4, far) == 4);
	EXPECT(fstat(fd, &st) == 0 && st.st_size == far + 4);
	/* The hole takes no blocks (st_blocks is derived from the size by the
	 * VFS, so ask the fs's free count). */
	if (root_is_ext2() && EXPECT(statfs("/var/tmp", &s1) == 0))
		EXPECT(s0.f_bfree - s1.f_bfree < 8);
	memset(buf, 0xff, sizeof(buf));
	EXPECT(pread(fd, buf, sizeof(buf), 1 << 20) == (ssize_t)sizeof(buf));
	bool zero = true;
	for (size_t i = 0; i < sizeof(buf); i++)
		zero &= buf[i] == 0;
	EXPECT(zero);
	EXPECT(pread(fd, buf, 8, far - 4) == 8 && !memcmp(buf, "\0\0\0\0tail", 8));
	EXPECT(ftruncate(fd, 2) == 0);
	EXPECT(fstat(fd, &st) == 0 && st.st_size == 2);
	EXPECT(ftruncate(fd, 8192) == 0);
	EXPECT(pread(fd, buf, 8, 0) == 8 && !memcmp(buf, "he\0\0\0\0\0\0", 8));
	close(fd);
	EXPECT(unlink("/var/tmp/fs_hole") == 0);
}

UT_CASE(fs_sync, 0, 60)
{
	struct statfs sf;
	int fd = open("/var/tmp/fs_sync", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ASSERT(fd >= 0);
	EXPECT(write(fd, "durable", 7) == 7);
	EXPECT(fsync(fd) == 0);
	EXPECT(fdatasync(fd) == 0);
	sync();
	EXPECT(fstatfs(fd, &sf) == 0 && sf.f_bsize > 0 && sf.f_namelen == 255);
	EXPECT(sf.f_type == EXT2_MAGIC || sf.f_type == 0x858458f6);
	if (sf.f_type == EXT2_MAGIC)
		EXPECT(sf.f_blocks > sf.f_bfree && sf.f_files > sf.f_ffree && sf.f_bfree > 0);
	close(fd);
	int p[2];
	EXPECT(pipe(p) == 0);
	EXPECT_ERR(fsync(p[0]), EINVAL);
	close(p[0]);
	close(p[1]);
	EXPECT(unlink("/var/tmp/fs_sync") == 0);
}

UT_CASE(fs_utimens, 0, 60)
{
	struct timespec ts[2] = { { 1000000000, 5 }, { 1200000000, 0 } };
	struct stat st;
	int fd = open("/var/tmp/fs_ut", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ASSERT(fd >= 0);
	EXPECT(utimensat(AT_FDCWD, "/var/tmp/fs_ut", ts, 0) == 0);
	EXPECT(stat("/var/tmp/fs_ut", &st) == 0 && st.st_atime == 1000000000 &&
	       st.st_mtime == 1200000000);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 1300000000;
	EXPECT(futimens(fd, ts) == 0);
	EXPECT(stat("/var/tmp/fs_ut", &st) == 0 && st.st_atime == 1000000000 &&
	       st.st_mtime == 1300000000);
	EXPECT_ERR(utimensat(AT_FDCWD, "/var/tmp/fs_none", ts, 0), ENOENT);
	close(fd);
	EXPECT(unlink("/var/tmp/fs_ut") == 0);
}

/* A second ext2 disk (tests/qemu/test_fs.py makes it with /hello.txt and
 * /sub/deep.txt): mount, read, "..", busy, umount. Skipped without vdb. */
UT_CASE(fs_mount, 0, 60)
{
	char buf[128];
	struct statfs sf;

	mkdir("/mnt", 0755);
	errno = 0;
	if (mount("/dev/vdb", "/mnt", "ext2", 0, NULL) == -1 && errno == ENOENT) {
		ut_diag("skip: no /dev/vdb");
		return;
	}
	ASSERT(errno == 0);
	EXPECT_ERR(mount("vdb", "/mnt", "ext2", 0, NULL), EBUSY);
	int fd = open("/mnt/hello.txt", O_RDONLY);
	EXPECT(fd >= 0);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	EXPECT(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	EXPECT(!strcmp(buf, "hello from vdb\n"));
	if (n > 0)
		ut_diag("read: %s", buf);
	EXPECT(statfs("/mnt", &sf) == 0 && sf.f_type == EXT2_MAGIC);
	/* Busy while a file is open. */
	EXPECT_ERR(umount2("/mnt", 0), EBUSY);
	close(fd);
	EXPECT(chdir("/mnt/sub") == 0);
	EXPECT(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/mnt/sub"));
	EXPECT(chdir("../..") == 0);
	EXPECT(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"));
	fd = open("/mnt/sub/deep.txt", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, 4) == 4 && !memcmp(buf, "deep", 4));
	close(fd);
	fd = open("/mnt/new.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	EXPECT(fd >= 0 && write(fd, "written\n", 8) == 8);
	close(fd);
	EXPECT(umount2("/mnt", 0) == 0);
	EXPECT_ERR(open("/mnt/hello.txt", O_RDONLY), ENOENT);
	EXPECT_ERR(umount2("/mnt", 0), EINVAL);
}
