// SPDX-License-Identifier: MIT
/*
 * ext2's block map past the single indirect block, and its symlinks (the file-system lab,
 * docs/labs/06-fs.md). Sparse files with blocks at the edges of each level of the map:
 * direct, indirect, double and triple indirect; read back, holes read as zeros, truncate
 * and unlink give every block back. Symlinks of each size class: fast (the target in the
 * inode, under 60 bytes) and slow (in a block). On the ext2 root; tests/qemu/test_ext2_big.py
 * runs them on a writable image and checks it with e2fsck.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "ut.h"

#define EXT2_MAGIC 0xEF53

/* The root must be ext2 for these cases to test ext2 at all. */
static bool on_ext2(const char *dir, long *bsize, unsigned long long *bfree)
{
	struct statfs s;

	if (statfs(dir, &s) != 0 || s.f_type != EXT2_MAGIC) {
		ut_diag("%s is not on ext2", dir);
		return false;
	}
	*bsize = s.f_bsize;
	*bfree = s.f_bfree;
	return true;
}

static unsigned long long free_blocks(const char *dir)
{
	struct statfs s;

	return statfs(dir, &s) == 0 ? s.f_bfree : 0;
}

/* A pattern that says which offset it was written at. */
static void pattern(char *buf, size_t n, unsigned long long off)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)((off >> (8 * (i % 8))) ^ i ^ 0x5a);
}

static bool put_at(int fd, unsigned long long off, size_t n)
{
	char buf[4096];

	pattern(buf, n, off);
	if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n) {
		ut_diag("pwrite of %zu at %llu: %s", n, off, strerror(errno));
		return false;
	}
	return true;
}

static bool check_at(int fd, unsigned long long off, size_t n)
{
	char buf[4096], want[4096];

	pattern(want, n, off);
	if (pread(fd, buf, n, (off_t)off) != (ssize_t)n || memcmp(buf, want, n) != 0) {
		ut_diag("read back %zu at %llu: wrong", n, off);
		return false;
	}
	return true;
}

static bool zeros_at(int fd, unsigned long long off, size_t n)
{
	char buf[4096];

	if (pread(fd, buf, n, (off_t)off) != (ssize_t)n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (buf[i])
			return false;
	return true;
}

/*
 * Write a block-sized pattern at each logical block of @lbns, read all back. @used: the
 * blocks that takes (data and map blocks), counted in the free-block count.
 */
static void map_case(const char *path, const unsigned long long *lbns, unsigned nl,
		     unsigned long long used)
{
	long bs;
	unsigned long long before, last = 0, first = lbns[0];
	struct stat st;

	ASSERT(on_ext2("/", &bs, &before));
	unlink(path);
	before = free_blocks("/");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT(fd >= 0);
	for (unsigned i = 0; i < nl; i++) {
		unsigned long long off = lbns[i] * (unsigned long long)bs;

		if (!EXPECT(put_at(fd, off, (size_t)bs)))
			break;
		if (off + (unsigned long long)bs > last)
			last = off + (unsigned long long)bs;
	}
	for (unsigned i = 0; i < nl; i++)
		EXPECT(check_at(fd, lbns[i] * (unsigned long long)bs, (size_t)bs));
	/* A hole in the middle of each level reads as zeros. */
	for (unsigned i = 0; i + 1 < nl; i++)
		if (lbns[i + 1] > lbns[i] + 2)
			EXPECT(zeros_at(fd, (lbns[i] + 1) * (unsigned long long)bs + 100, 512));
	ASSERT(fstat(fd, &st) == 0);
	EXPECT((unsigned long long)st.st_size == last);
	/* Sparse: the data blocks and the map blocks above them, nothing in between. */
	if (!EXPECT(before - free_blocks("/") == used))
		ut_diag("%llu blocks taken, %llu expected", before - free_blocks("/"), used);
	/* Cut back to the first block: everything past it goes, map blocks too. */
	EXPECT(ftruncate(fd, (off_t)((first + 1) * (unsigned long long)bs)) == 0);
	EXPECT(fstat(fd, &st) == 0 && (unsigned long long)st.st_size == (first + 1) * (unsigned long long)bs);
	EXPECT(check_at(fd, first * (unsigned long long)bs, (size_t)bs));
	EXPECT(before - free_blocks("/") == 1);
	close(fd);
	EXPECT(unlink(path) == 0);
	if (!EXPECT(free_blocks("/") == before))
		ut_diag("free blocks %llu before, %llu after", before, free_blocks("/"));
}

UT_CASE(fs_large_file_double_indirect, 0, 120)
{
	/* With 4 KiB blocks: 12 direct, 1024 per indirect block. */
	const unsigned long long d = 12, a = 1024;
	const unsigned long long lbns[] = {
		0, d - 1, d, d + a - 1,		/* direct, single indirect */
		d + a, d + a + 1, d + 2 * a,	/* double: first entries, second row */
		d + a + 700 * a + 33,		/* far into it */
		d + a + a * a - 1,		/* its last block */
	};
	long bs;
	unsigned long long fr;

	ASSERT(on_ext2("/", &bs, &fr));
	ASSERT(bs == 4096);
	/* 9 data blocks; the indirect block, the double one and 4 of its rows. */
	map_case("/lab_dind", lbns, sizeof(lbns) / sizeof(lbns[0]), 9 + 1 + 1 + 4);
}

UT_CASE(fs_large_file_triple_indirect, 0, 120)
{
	const unsigned long long d = 12, a = 1024, t = d + a + a * a;
	const unsigned long long lbns[] = {
		5, t, t + 1, t + a, t + a * a, t + a * a + a + 7,	/* the first triple entries */
		t + 200 * a * a + 3 * a + 9,			/* ~800 GiB */
	};
	long bs;
	unsigned long long fr;
	struct stat st;

	ASSERT(on_ext2("/", &bs, &fr));
	ASSERT(bs == 4096);
	/* 7 data blocks; the triple block, 3 double ones under it, 5 indirect ones. */
	map_case("/lab_tind", lbns, sizeof(lbns) / sizeof(lbns[0]), 7 + 1 + 3 + 5);
	/* Past what the map (and i_blocks) can reach: EFBIG, nothing changes. */
	int fd = open("/lab_tind2", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT(fd >= 0);
	errno = 0;
	EXPECT(pwrite(fd, "x", 1, (off_t)1 << 42) == -1 && errno == EFBIG);
	EXPECT(fstat(fd, &st) == 0 && st.st_size == 0);
	close(fd);
	EXPECT(unlink("/lab_tind2") == 0);
}

UT_CASE(fs_symlink_fast_and_slow, 0, 60)
{
	static const size_t lens[] = { 1, 59, 60, 61, 200, 4000 };
	char target[4100], buf[4100], path[64];
	struct stat st;

	ASSERT(mkdir("/lab_sl", 0755) == 0 || errno == EEXIST);
	int fd = open("/lab_sl/file", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT(fd >= 0 && write(fd, "through", 7) == 7);
	close(fd);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = lens[i];

		/* "file", "./file", ".//////file": all name the file. */
		memset(target, '/', n);
		target[0] = '.';
		memcpy(target + n - (n >= 5 ? 4 : 1), n >= 5 ? "file" : "f", n >= 5 ? 4 : 1);
		target[n] = '\0';
		snprintf(path, sizeof(path), "/lab_sl/l%zu", n);
		unlink(path);
		unsigned long long fr = free_blocks("/");

		if (!EXPECT(symlink(target, path) == 0))
			continue;
		/* Fast ones live in the inode: no block. */
		EXPECT(fr - free_blocks("/") == (n < 60 ? 0 : 1));
		memset(buf, 0, sizeof(buf));
		EXPECT(readlink(path, buf, sizeof(buf)) == (ssize_t)n && memcmp(buf, target, n) == 0);
		/* A short buffer: the first bytes, no NUL added. */
		memset(buf, 'z', sizeof(buf));
		EXPECT(readlink(path, buf, 3) == (n < 3 ? (ssize_t)n : 3));
		EXPECT(memcmp(buf, target, n < 3 ? n : 3) == 0 && buf[n < 3 ? n : 3] == 'z');
		EXPECT(lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (size_t)st.st_size == n);
		if (n >= 5) {
			fd = open(path, O_RDONLY);
			EXPECT(fd >= 0 && read(fd, buf, 7) == 7 && memcmp(buf, "through", 7) == 0);
			if (fd >= 0)
				close(fd);
		}
	}
	errno = 0;
	EXPECT(readlink("/lab_sl/file", buf, sizeof(buf)) == -1 && errno == EINVAL);
	errno = 0;
	EXPECT(readlink("/lab_sl", buf, sizeof(buf)) == -1 && errno == EINVAL);
	/* A symlink to a directory, followed in the middle of a path. */
	unlink("/lab_sl/dir");
	EXPECT(symlink("/lab_sl", "/lab_sl/dir") == 0);
	EXPECT(stat("/lab_sl/dir/dir/dir/file", &st) == 0 && st.st_size == 7);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		snprintf(path, sizeof(path), "/lab_sl/l%zu", lens[i]);
		unlink(path);
	}
	EXPECT(unlink("/lab_sl/dir") == 0 && unlink("/lab_sl/file") == 0);
	EXPECT(rmdir("/lab_sl") == 0);
}
