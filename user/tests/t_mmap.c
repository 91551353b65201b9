// SPDX-License-Identifier: MIT
/*
 * usertests: file mappings and the rest of the memory calls — MAP_PRIVATE and MAP_SHARED
 * of files (one page cache for read/write and mappings), SIGBUS past the end of a file and
 * after ftruncate, shared anonymous memory across fork, msync, mremap, madvise, mincore,
 * the mlock family, MAP_POPULATE, and the errors Linux gives. Files go in /tmp.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

#define PAGE 4096UL

/* A file of n bytes, byte i = (i * 7 + seed) & 0xff; its fd (O_RDWR) or -1. */
static int make_file(const char *path, size_t n, unsigned seed)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	unsigned char buf[1024];

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < n;) {
		size_t k = n - off < sizeof(buf) ? n - off : sizeof(buf);

		for (size_t i = 0; i < k; i++)
			buf[i] = (unsigned char)((off + i) * 7 + seed);
		if (write(fd, buf, k) != (ssize_t)k) {
			close(fd);
			return -1;
		}
		off += k;
	}
	return fd;
}

static bool matches(const unsigned char *p, size_t off, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)((off + i) * 7 + seed))
			return false;
	return true;
}

static void touch_read(void *arg)
{
	(void)*(volatile char *)arg;
}

static void touch_write(void *arg)
{
	*(volatile char *)arg = 1;
}

UT_CASE(mmap_file_private, 0, 30)
{
	const char *path = "/tmp/ut_mmap_priv";
	size_t size = 3 * PAGE + 100;
	int fd = make_file(path, size, 1);
	unsigned char buf[16];

	ASSERT(fd >= 0);
	unsigned char *p = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT(p != MAP_FAILED);
	EXPECT(matches(p, 0, size, 1));
	/* Past the end of the file in its last page: zeros. */
	for (size_t i = size; i < 4 * PAGE; i += 97)
		EXPECT(p[i] == 0);
	/* A private store: the mapping sees it, the file does not. */
	p[10] = 0xee;
	EXPECT(p[10] == 0xee);
	EXPECT(pread(fd, buf, 1, 10) == 1 && buf[0] == (unsigned char)(10 * 7 + 1));
	/* Changes to the file show through pages not stored into. */
	buf[0] = 0x77;
	EXPECT(pwrite(fd, buf, 1, PAGE + 5) == 1);
	EXPECT(p[PAGE + 5] == 0x77);
	/* A page wholly past the end: SIGBUS, reading or writing. */
	EXPECT(ut_killed_by(ut_in_child(touch_read, p + 4 * PAGE), SIGBUS));
	EXPECT(ut_killed_by(ut_in_child(touch_write, p + 4 * PAGE + 8), SIGBUS));
	EXPECT(munmap(p, 5 * PAGE) == 0);
	/* An offset into the file. */
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
	ASSERT(p != MAP_FAILED);
	EXPECT(matches(p, 2 * PAGE, PAGE, 1));
	EXPECT(munmap(p, PAGE) == 0);
	close(fd);
	unlink(path);
}

UT_CASE(mmap_file_shared, 0, 30)
{
	const char *path = "/tmp/ut_mmap_shared";
	size_t size = 2 * PAGE;
	int fd = make_file(path, size, 2);
	unsigned char buf[PAGE];

	ASSERT(fd >= 0);
	unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT(p != MAP_FAILED);
	/* A store through the mapping is the file's at once (one page cache)... */
	memset(p + 100, 0xab, 50);
	EXPECT(pread(fd, buf, 50, 100) == 50);
	EXPECT(buf[0] == 0xab && buf[49] == 0xab);
	/* ...and a write() shows in the mapping. */
	memset(buf, 0xcd, 20);
	EXPECT(pwrite(fd, buf, 20, PAGE + 7) == 20);
	EXPECT(p[PAGE + 7] == 0xcd && p[PAGE + 26] == 0xcd);
	EXPECT(msync(p, size, MS_SYNC) == 0);
	EXPECT(msync(p, size, MS_ASYNC) == 0);
	EXPECT(msync(p + 1, size, MS_SYNC) == -1 && errno == EINVAL);
	EXPECT(msync(p, size, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL);
	/* A store after msync still reaches the file. */
	p[3] = 0x5e;
	EXPECT(munmap(p, size) == 0);
	close(fd);
	fd = open(path, O_RDONLY);
	ASSERT(fd >= 0);
	EXPECT(read(fd, buf, PAGE) == (ssize_t)PAGE);
	EXPECT(buf[3] == 0x5e && buf[100] == 0xab && buf[150] == (unsigned char)(150 * 7 + 2));
	close(fd);
	unlink(path);
}

UT_CASE(mmap_shared_fills_holes, 0, 30)
{
	const char *path = "/tmp/ut_mmap_holes";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct stat st;
	unsigned char c;

	ASSERT(fd >= 0);
	/* A sparse file: every page a hole until stored into through the mapping. */
	ASSERT(ftruncate(fd, 8 * PAGE) == 0);
	unsigned char *p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT(p != MAP_FAILED);
	EXPECT(p[5 * PAGE] == 0);
	for (int i = 0; i < 8; i += 2)
		p[i * PAGE + i] = (unsigned char)(0x40 + i);
	EXPECT(msync(p, 8 * PAGE, MS_SYNC) == 0);
	EXPECT(munmap(p, 8 * PAGE) == 0);
	for (int i = 0; i < 8; i++) {
		EXPECT(pread(fd, &c, 1, i * PAGE + i) == 1);
		EXPECT(c == (i % 2 ? 0 : (unsigned char)(0x40 + i)));
	}
	EXPECT(fstat(fd, &st) == 0 && st.st_size == (off_t)(8 * PAGE));
	close(fd);
	unlink(path);
}

UT_CASE(mmap_truncate_sigbus, 0, 30)
{
	const char *path = "/tmp/ut_mmap_trunc";
	int fd = make_file(path, 4 * PAGE, 3);

	ASSERT(fd >= 0);
	unsigned char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT(p != MAP_FAILED);
	EXPECT(p[3 * PAGE] == (unsigned char)(3 * PAGE * 7 + 3)); /* mapped in */
	ASSERT(ftruncate(fd, PAGE + 10) == 0);
	/* The page past the new end is gone from the mapping: SIGBUS. */
	EXPECT(ut_killed_by(ut_in_child(touch_read, p + 3 * PAGE), SIGBUS));
	EXPECT(ut_killed_by(ut_in_child(touch_read, p + 2 * PAGE), SIGBUS));
	/* In the last page, past the end: zeros now. */
	EXPECT(p[PAGE + 9] == (unsigned char)((PAGE + 9) * 7 + 3));
	EXPECT(p[PAGE + 10] == 0 && p[PAGE + 4000] == 0);
	/* Grown again: the pages come back as zeros. */
	ASSERT(ftruncate(fd, 4 * PAGE) == 0);
	EXPECT(p[3 * PAGE + 1] == 0);
	EXPECT(munmap(p, 4 * PAGE) == 0);
	close(fd);
	unlink(path);
}

UT_CASE(mmap_shared_anon_fork, 0, 30)
{
	volatile unsigned char *s =
		mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile unsigned char *q =
		mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT(s != MAP_FAILED && q != MAP_FAILED);
	EXPECT(s[0] == 0 && s[PAGE] == 0);
	s[1] = 1;
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		s[0] = 42;		/* the parent sees it */
		s[PAGE + 3] = 43;	/* a page the parent never touched yet */
		q[0] = 9;		/* private: the parent does not */
		_exit(s[1] == 1 ? 0 : 1);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	EXPECT(s[0] == 42 && s[PAGE + 3] == 43);
	EXPECT(q[0] == 0);
	EXPECT(munmap((void *)s, 2 * PAGE) == 0);
	EXPECT(munmap((void *)q, PAGE) == 0);
}

UT_CASE(mmap_errors, 0, 30)
{
	const char *path = "/tmp/ut_mmap_err";
	int fd = make_file(path, PAGE, 4), ro, p[2];

	ASSERT(fd >= 0);
	ro = open(path, O_RDONLY);
	ASSERT(ro >= 0);
	/* A shared writable mapping needs a writable fd; private ones do not. */
	EXPECT(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED &&
	       errno == EACCES);
	void *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	EXPECT(m != MAP_FAILED);
	if (m != MAP_FAILED)
		munmap(m, PAGE);
	EXPECT(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, 999, 0) == MAP_FAILED && errno == EBADF);
	EXPECT(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 100) == MAP_FAILED && errno == EINVAL);
	EXPECT(mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EINVAL);
	ASSERT(pipe(p) == 0);
	EXPECT(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, p[0], 0) == MAP_FAILED && errno == ENODEV);
	close(p[0]);
	close(p[1]);
	/* MAP_FIXED_NOREPLACE over a mapping: EEXIST; MAP_FIXED replaces it. */
	unsigned char *a = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(a != MAP_FAILED);
	a[0] = 5;
	/* (qemu-user 7.2 emulates mmap itself and does not know NOREPLACE.) */
	if (!ut_qemu_user)
		EXPECT(mmap(a, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1, 0) == MAP_FAILED &&
		       errno == EEXIST);
	EXPECT(mmap(a, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == a);
	EXPECT(a[0] == 4); /* the file's first byte now */
	EXPECT(munmap(a, 2 * PAGE) == 0);
	close(ro);
	close(fd);
	unlink(path);
}

UT_CASE(mmap_io_through_mappings, 0, 30)
{
	const char *src = "/tmp/ut_mmap_src", *dst = "/tmp/ut_mmap_dst";
	int a = make_file(src, 3 * PAGE, 5), b = make_file(dst, 3 * PAGE, 6);
	unsigned char tmp[16];

	ASSERT(a >= 0 && b >= 0);
	unsigned char *pa = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, a, 0);
	unsigned char *pb = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, b, 0);
	ASSERT(pa != MAP_FAILED && pb != MAP_FAILED);
	/* write() from one mapped file into another file through its mapping... */
	EXPECT(pwrite(b, pa + PAGE - 8, 16, 0) == 16);
	EXPECT(matches(pb, PAGE - 8, 16, 5));
	/* ...and read() into a shared mapping lands in the file. */
	EXPECT(pread(a, pb + 2 * PAGE, 100, 50) == 100);
	EXPECT(pread(b, tmp, 16, 2 * PAGE) == 16 && matches(tmp, 50, 16, 5));
	munmap(pa, 3 * PAGE);
	munmap(pb, 3 * PAGE);
	close(a);
	close(b);
	unlink(src);
	unlink(dst);
}

UT_CASE(mremap_grow_move_shrink, 0, 30)
{
	unsigned char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT(p != MAP_FAILED);
	p[0] = 1;
	p[PAGE] = 2;
	/* A guard mapping right after it, so growing in place is impossible. */
	void *g = mmap(p + 2 * PAGE, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	EXPECT(g == p + 2 * PAGE);
	EXPECT(mremap(p, 2 * PAGE, 4 * PAGE, 0) == MAP_FAILED && errno == ENOMEM);
	unsigned char *q = mremap(p, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE);
	ASSERT(q != MAP_FAILED);
	EXPECT(q != p);
	EXPECT(q[0] == 1 && q[PAGE] == 2 && q[3 * PAGE] == 0);
	q[3 * PAGE] = 3;
	/* Shrink in place. */
	EXPECT(mremap(q, 4 * PAGE, PAGE, 0) == q);
	EXPECT(q[0] == 1);
	EXPECT(mremap(q + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL);
	EXPECT(mremap(q, PAGE, 2 * PAGE, MREMAP_FIXED) == MAP_FAILED && errno == EINVAL);
	/* Moved to a fixed place. */
	unsigned char *r = mremap(q, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p);
	EXPECT(r == p);
	if (r == p)
		EXPECT(p[0] == 1);
	munmap(p, 2 * PAGE);
	munmap(g, PAGE);
}

UT_CASE(madvise_mincore_mlock, 0, 30)
{
	const char *path = "/tmp/ut_mmap_madv";
	int fd = make_file(path, 2 * PAGE, 7);
	unsigned char vec[4];

	ASSERT(fd >= 0);
	unsigned char *a = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *f = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT(a != MAP_FAILED && f != MAP_FAILED);
	memset(a, 0x11, 2 * PAGE);
	EXPECT(mincore(a, 4 * PAGE, vec) == 0);
	EXPECT(vec[0] == 1 && vec[1] == 1 && vec[3] == 0);
	/* DONTNEED: anonymous memory reads zeros again, a private file page the file. */
	f[0] = 0xff;
	EXPECT(madvise(a, 4 * PAGE, MADV_DONTNEED) == 0);
	EXPECT(madvise(f, 2 * PAGE, MADV_DONTNEED) == 0);
	EXPECT(a[0] == 0 && a[PAGE + 5] == 0);
	EXPECT(f[0] == (unsigned char)7);
	EXPECT(madvise(a + 1, PAGE, MADV_DONTNEED) == -1 && errno == EINVAL);
	EXPECT(madvise(a, PAGE, MADV_WILLNEED) == 0);
	EXPECT(mincore(a + 1, PAGE, vec) == -1 && errno == EINVAL);
	/* The mlock family: accepted on mapped memory, ENOMEM past it. */
	EXPECT(mlock(a, 2 * PAGE) == 0);
	EXPECT(munlock(a, 2 * PAGE) == 0);
	EXPECT(mlockall(MCL_CURRENT) == 0);
	EXPECT(munlockall() == 0);
	EXPECT(mlockall(0) == -1 && errno == EINVAL);
	munmap(a, 4 * PAGE);
	EXPECT(mlock(a, PAGE) == -1 && errno == ENOMEM);
	EXPECT(mincore(a, PAGE, vec) == -1 && errno == ENOMEM);
	/* MAP_POPULATE: resident at once. */
	a = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		 -1, 0);
	ASSERT(a != MAP_FAILED);
	/* (qemu-user's mincore looks at its host pages, which differ.) */
	if (!ut_qemu_user)
		EXPECT(mincore(a, 2 * PAGE, vec) == 0 && vec[0] == 1 && vec[1] == 1);
	munmap(a, 2 * PAGE);
	munmap(f, 2 * PAGE);
	close(fd);
	unlink(path);
}

static void touch_below(void *arg)
{
	volatile unsigned char *p = arg;

	p[-1] = 7;		/* just below: the area grows */
	p[-3 * (long)PAGE] = 8;	/* further down, still inside the stack limit */
	_exit(p[-1] == 7 && p[-3 * (long)PAGE] == 8 ? 0 : 1);
}

UT_CASE(mmap_growsdown_grows, 0, 30)
{
	/* Placed with room below it (nothing in the 16 MiB under it). */
	unsigned char *hole = mmap(NULL, 32 * PAGE + (16UL << 20), PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT(hole != MAP_FAILED);
	unsigned char *top = hole + (16UL << 20) + 16 * PAGE;
	EXPECT(munmap(hole, 32 * PAGE + (16UL << 20)) == 0);
	unsigned char *g = mmap(top, PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0);
	ASSERT(g == top);
	g[0] = 1;
	/* (qemu-user 7.2 does not grow MAP_GROWSDOWN areas.) */
	if (!ut_qemu_user)
		EXPECT(ut_exited_with(ut_in_child(touch_below, g), 0));
	munmap(top - 8 * PAGE, 9 * PAGE);
}
