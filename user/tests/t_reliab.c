// SPDX-License-Identifier: MIT
/*
 * Reliability cases (reliab_*), one per defect of issue 16 that a user program can show:
 * device nodes, FIFOs and sockets that free "blocks" when unlinked, lost writes through a
 * shared file offset and O_APPEND, O_CREAT that creates a file and then fails with EMFILE,
 * deep directories (getcwd, stat and *at() at any depth). They run on whatever "/" is;
 * tests/qemu/test_reliability.py runs them on a writable ext2 root and checks it with
 * e2fsck afterwards. Scratch files live under /tmp.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

static long free_blocks(void)
{
	struct statfs s;

	return statfs("/tmp", &s) == 0 ? (long)s.f_bfree : -1;
}

/* Write a small file, so a corrupt block bitmap shows at the allocation. */
static bool write_some(const char *path)
{
	static char b[16384];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool ok = fd >= 0;

	memset(b, 'x', sizeof(b));
	for (int i = 0; ok && i < 8; i++)
		ok = write(fd, b, sizeof(b)) == (ssize_t)sizeof(b);
	if (fd >= 0)
		close(fd);
	return ok && unlink(path) == 0;
}

/*
 * Defect 1: the i_block of a device node holds its device number, of a FIFO or socket
 * nothing, of a fast symlink the target. Unlinking one freed those words as block
 * numbers (a group-descriptor block for `c 1 3`): the free count changed and the next
 * allocation panicked. None of them may change the free-block count.
 */
UT_CASE(reliab_special_unlink, 0, 120)
{
	static const struct {
		mode_t mode;
		unsigned ma, mi;
	} nodes[] = {
		{ S_IFCHR | 0600, 0, 1 },    { S_IFCHR | 0600, 1, 3 },     { S_IFBLK | 0600, 8, 0 },
		{ S_IFCHR | 0600, 4095, 0 }, { S_IFCHR | 0600, 1, 65535 }, { S_IFIFO | 0600, 0, 0 },
		{ S_IFSOCK | 0600, 0, 0 },
	};
	const char *path = "/tmp/reliab_node";
	long before = free_blocks();

	for (unsigned i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		struct stat st;

		if (!EXPECT(mknod(path, nodes[i].mode, makedev(nodes[i].ma, nodes[i].mi)) == 0))
			continue;
		EXPECT(lstat(path, &st) == 0 && st.st_mode == nodes[i].mode);
		if (S_ISCHR(nodes[i].mode) || S_ISBLK(nodes[i].mode))
			EXPECT(major(st.st_rdev) == nodes[i].ma && minor(st.st_rdev) == nodes[i].mi);
		/* Truncation is for regular files only (Linux: EINVAL); it must not reach
		 * the block map either. */
		errno = 0;
		EXPECT(truncate(path, 0) == -1 && errno == EINVAL);
		EXPECT(free_blocks() == before);
		EXPECT(unlink(path) == 0);
		if (!EXPECT(free_blocks() == before))
			ut_diag("node %u (mode %o %u:%u): free blocks %ld -> %ld", i,
				(unsigned)nodes[i].mode, nodes[i].ma, nodes[i].mi, before,
				free_blocks());
		EXPECT(write_some("/tmp/reliab_after"));
	}
	/* A fast symlink: its target lives in i_block too. */
	EXPECT(symlink("/tmp/some/where/else", path) == 0);
	EXPECT(unlink(path) == 0);
	EXPECT(free_blocks() == before);
	/* An open device node unlinked, then closed: the evict path frees it. */
	EXPECT(mknod(path, S_IFCHR | 0666, makedev(1, 3)) == 0);
	int fd = open(path, O_WRONLY | O_TRUNC); /* O_TRUNC: ignored for a device */
	EXPECT(fd >= 0 && write(fd, "x", 1) == 1);
	EXPECT(ftruncate(fd, 0) == -1 && errno == EINVAL);
	EXPECT(free_blocks() == before);
	EXPECT(unlink(path) == 0);
	close(fd);
	EXPECT(free_blocks() == before);
	EXPECT(write_some("/tmp/reliab_after"));
	/* The root's own /dev/null (made at boot on a disk root), then put back; never
	 * the host's under qemu-user. */
	struct stat st;
	if (!ut_qemu_user && EXPECT(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode))) {
		dev_t rdev = st.st_rdev;

		EXPECT(unlink("/dev/null") == 0);
		EXPECT(mknod("/dev/null", S_IFCHR | 0666, rdev) == 0);
		EXPECT(chmod("/dev/null", 0666) == 0 || errno == ENOSYS);
		EXPECT(free_blocks() == before);
		EXPECT(write_some("/tmp/reliab_after"));
	}
}

#define NWRITERS 4
#define RECORD 10240		/* the 10 KB writes */
#define BIG_RECORD (256 << 10)	/* writes that span many cache misses */

static char rec_buf[BIG_RECORD];

/* One record: len bytes of the writer's letter, a newline at the end. */
static void fill_record(char *b, size_t len, int id, int n)
{
	memset(b, 'a' + id, len - 1);
	snprintf(b, 16, "%c%05d", 'a' + id, n);
	b[6] = 'a' + id;
	b[len - 1] = '\n';
}

/* The file holds exactly nwriters * per records of len bytes, each whole. */
static bool check_records(const char *path, size_t len, int nwriters, int per)
{
	char *b = rec_buf;
	int fd = open(path, O_RDONLY), seen[NWRITERS] = { 0 };
	struct stat st;
	bool ok = fd >= 0 && fstat(fd, &st) == 0;

	if (ok && st.st_size != (off_t)(nwriters * per * len)) {
		ut_diag("%s: %ld bytes, want %ld", path, (long)st.st_size,
			(long)(nwriters * per * len));
		ok = false;
	}
	for (int r = 0; ok && r < nwriters * per; r++) {
		int id;

		ok = read(fd, b, len) == (ssize_t)len;
		id = b[0] - 'a';
		ok = ok && id >= 0 && id < nwriters && b[len - 1] == '\n';
		for (size_t i = 7; ok && i < len - 1; i++)
			ok = b[i] == 'a' + id;
		if (!ok)
			ut_diag("%s: record %d is torn", path, r);
		else
			seen[id]++;
	}
	for (int i = 0; ok && i < nwriters; i++)
		ok = seen[i] == per;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void record_writer(int fd, size_t len, int id, int per)
{
	for (int n = 0; n < per; n++) {
		fill_record(rec_buf, len, id, n);
		if (write(fd, rec_buf, len) != (ssize_t)len)
			_exit(2);
	}
	_exit(0);
}

/*
 * Defect 3: processes sharing one open file (after fork) each write whole records at the
 * shared offset. Each write must move the offset atomically: 20 KB written is a 20 KB
 * file, never 14-19 KB, and no record is torn.
 */
UT_CASE(reliab_shared_offset, 0, 120)
{
	const char *path = "/tmp/reliab_shared";
	pid_t pids[NWRITERS];
	int per = 8;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	ASSERT(fd >= 0);
	for (int i = 0; i < NWRITERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			record_writer(fd, RECORD, i, per);
		ASSERT(pids[i] > 0);
	}
	for (int i = 0; i < NWRITERS; i++)
		EXPECT(ut_exited_with(ut_wait(pids[i]), 0));
	EXPECT(lseek(fd, 0, SEEK_CUR) == (off_t)NWRITERS * per * RECORD);
	close(fd);
	EXPECT(check_records(path, RECORD, NWRITERS, per));
	EXPECT(unlink(path) == 0);
}

/*
 * Defect 3 as the issue met it: two processes after fork, 10 KB each in small writes
 * (64 bytes), through one shared offset: exactly 20 KB. Then two processes sharing one
 * read offset read it back in records: each record is read once, whole, by one of them.
 */
#define SMALL 64
#define SMALL_PER (10240 / SMALL)

static void small_reader(int fd, int out, int go, int cpu)
{
	char b[SMALL];
	int n = 0;
	ssize_t r;
	cpu_set_t set;

	/* On harts of their own where there are several, so the reads really overlap. */
	CPU_ZERO(&set);
	CPU_SET(cpu % (int)sysconf(_SC_NPROCESSORS_ONLN), &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (read(go, b, 1) != 1) /* both start together */
		_exit(4);
	while ((r = read(fd, b, SMALL)) == SMALL) {
		int id = b[0] - 'a';
		bool whole = id >= 0 && id < 2 && b[SMALL - 1] == '\n';

		for (int i = 7; whole && i < SMALL - 1; i++)
			whole = b[i] == 'a' + id;
		if (!whole)
			_exit(3);
		n++;
	}
	if (r != 0 || write(out, &n, sizeof(n)) != sizeof(n))
		_exit(2);
	_exit(0);
}

UT_CASE(reliab_shared_offset_small, 0, 120)
{
	const char *path = "/tmp/reliab_shared_small";
	pid_t pids[2];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), p[2], go[2];

	ASSERT(fd >= 0);
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			record_writer(fd, SMALL, i, SMALL_PER);
		ASSERT(pids[i] > 0);
	}
	for (int i = 0; i < 2; i++)
		EXPECT(ut_exited_with(ut_wait(pids[i]), 0));
	EXPECT(lseek(fd, 0, SEEK_CUR) == 2 * SMALL_PER * SMALL);
	EXPECT(check_records(path, SMALL, 2, SMALL_PER));
	/* Two readers through the same (shared) offset, from the start; a few rounds, as
	 * each race is short. */
	ASSERT(pipe(p) == 0 && pipe(go) == 0);
	for (int round = 0; round < 16; round++) {
		int total = 0;

		ASSERT(lseek(fd, 0, SEEK_SET) == 0);
		for (int i = 0; i < 2; i++) {
			pids[i] = fork();
			if (pids[i] == 0)
				small_reader(fd, p[1], go[0], i + 1);
			ASSERT(pids[i] > 0);
		}
		EXPECT(write(go[1], "gg", 2) == 2);
		for (int i = 0; i < 2; i++) {
			int n = 0;

			EXPECT(ut_exited_with(ut_wait(pids[i]), 0));
			EXPECT(read(p[0], &n, sizeof(n)) == sizeof(n));
			total += n;
		}
		if (!EXPECT(total == 2 * SMALL_PER))
			ut_diag("round %d: the two readers got %d records of %d", round, total,
				2 * SMALL_PER);
	}
	close(p[0]);
	close(p[1]);
	close(go[0]);
	close(go[1]);
	close(fd);
	EXPECT(unlink(path) == 0);
}

/*
 * Defect 3's other half: O_APPEND writes through separate opens are atomic: none
 * overwrites or splits another, even when each spans many cache misses (8 MiB in all, twice
 * the buffer cache, so writers wait for write-backs in the middle of their records).
 */
UT_CASE(reliab_append_atomic, UT_SLOW, 300)
{
	const char *path = "/tmp/reliab_append";
	pid_t pids[NWRITERS];
	int per = 8;

	close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	for (int i = 0; i < NWRITERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int fd = open(path, O_WRONLY | O_APPEND);

			if (fd < 0)
				_exit(3);
			record_writer(fd, BIG_RECORD, i, per);
		}
		ASSERT(pids[i] > 0);
	}
	for (int i = 0; i < NWRITERS; i++)
		EXPECT(ut_exited_with(ut_wait(pids[i]), 0));
	EXPECT(check_records(path, BIG_RECORD, NWRITERS, per));
	EXPECT(unlink(path) == 0);
}

/*
 * Defect 5: with every descriptor in use, open(O_CREAT) fails with EMFILE before it
 * creates anything (Linux reserves the descriptor first).
 */
static void emfile_child(void *arg)
{
	const char *path = arg;
	struct rlimit rl = { 64, 64 };
	struct stat st;
	int fd;

	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		rl.rlim_cur = 1024; /* no setrlimit: fill the whole table */
	while ((fd = open("/dev/null", O_RDONLY)) >= 0)
		;
	if (errno != EMFILE)
		_exit(2);
	errno = 0;
	if (open(path, O_WRONLY | O_CREAT, 0644) != -1 || errno != EMFILE)
		_exit(3);
	if (mkdir("/tmp/reliab_emfile_d", 0755) != 0) /* unrelated to fds: still works */
		_exit(4);
	rmdir("/tmp/reliab_emfile_d");
	errno = 0;
	if (stat(path, &st) != -1 || errno != ENOENT)
		_exit(5);
	/* One slot free again: the same open succeeds and creates it. */
	close(3);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd != 3)
		_exit(6);
	_exit(0);
}

UT_CASE(reliab_creat_emfile, 0, 60)
{
	const char *path = "/tmp/reliab_emfile";

	unlink(path);
	int st = ut_in_child(emfile_child, (void *)path);
	if (!EXPECT(ut_exited_with(st, 0)))
		ut_diag("child status %#x", st);
	EXPECT(unlink(path) == 0);
}

/*
 * open(O_CREAT) of a new file checks no permission on the file it made (Linux skips
 * may_open for a file it created): a user may create a mode-0444 file and get a writable
 * descriptor. Opening it for writing again is EACCES, with or without O_CREAT.
 */
static void creat_ro_child(void *arg)
{
	const char *path = arg;
	int fd;

	if (setgid(65534) || setuid(65534))
		_exit(2);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0444);
	if (fd < 0)
		_exit(3);
	if (write(fd, "ro", 2) != 2)
		_exit(4);
	close(fd);
	errno = 0;
	if (open(path, O_WRONLY | O_CREAT, 0444) != -1 || errno != EACCES)
		_exit(5);
	errno = 0;
	if (open(path, O_WRONLY) != -1 || errno != EACCES)
		_exit(6);
	_exit(0);
}

UT_CASE(reliab_creat_readonly, 0, 60)
{
	const char *path = "/tmp/reliab_creat_ro";
	struct stat st;

	unlink(path);
	int status = ut_in_child(creat_ro_child, (void *)path);
	if (!EXPECT(ut_exited_with(status, 0)))
		ut_diag("child status %#x", status);
	EXPECT(stat(path, &st) == 0 && st.st_size == 2 && (st.st_mode & 0777) == 0444 &&
	       st.st_uid == 65534);
	EXPECT(unlink(path) == 0);
}

/*
 * Defect 6: deep trees. getcwd and stat hung at ~1,100 nested directories (more
 * directories in use than buffer-cache entries, and a restart that never made progress).
 * Now: getcwd works while the path fits PATH_MAX and gives ENAMETOOLONG past it, *at()
 * calls work at any depth, and the whole tree comes down again.
 */
/* On the root fs (ext2 on the disk root; /tmp is a tmpfs): the cache-pressure case. */
#define DEEP_BASE "/var/tmp"
#define DEEP 2100   /* "/var/tmp" + 2100 * "/d" = 4208 bytes > PATH_MAX */
#define DEEP_CWD 1100
/* The deepest cwd whose name fits one page with its NUL (under /var/tmp: 8 + 2 * 2043 + 1 =
 * 4095 bytes); one more level is past PATH_MAX (Linux: ENAMETOOLONG). */
#define DEEP_FITS ((4096 - 1 - (int)(sizeof(DEEP_BASE) - 1)) / 2) /* the base, then "/d"s, and the NUL */

static bool deep_abs_path(char *buf, size_t n, int depth)
{
	size_t len = strlen(DEEP_BASE);

	if (len + 2 * (size_t)depth + 1 > n)
		return false;
	strcpy(buf, DEEP_BASE);
	for (int i = 0; i < depth; i++)
		memcpy(buf + len + 2 * i, "/d", 2);
	buf[len + 2 * depth] = '\0';
	return true;
}

UT_CASE(reliab_deep_dirs, UT_SLOW, 900)
{
	static char cwd[PATH_MAX + 8], want[PATH_MAX + 8];
	char orig[PATH_MAX];
	struct stat st;
	int depth = 0;

	ASSERT(getcwd(orig, sizeof(orig)));
	ASSERT(chdir(DEEP_BASE) == 0);
	for (; depth < DEEP; depth++) {
		if (!EXPECT(mkdir("d", 0755) == 0 && chdir("d") == 0)) {
			ut_diag("mkdir/chdir failed at depth %d", depth);
			break;
		}
		if (depth + 1 == DEEP_CWD) {
			/* getcwd and stat by the absolute path, near the old hang. */
			EXPECT(deep_abs_path(want, sizeof(want), DEEP_CWD));
			if (EXPECT(getcwd(cwd, sizeof(cwd)) != NULL))
				EXPECT(strcmp(cwd, want) == 0);
			EXPECT(stat(want, &st) == 0 && S_ISDIR(st.st_mode));
			EXPECT(stat(".", &st) == 0);
		}
		if (depth + 1 == DEEP_FITS || depth + 1 == DEEP_FITS + 1) {
			/* The syscall itself at the PATH_MAX boundary. */
			long r;

			EXPECT(deep_abs_path(want, sizeof(want), depth + 1));
			errno = 0;
			r = syscall(SYS_getcwd, cwd, sizeof(cwd));
			if (depth + 1 == DEEP_FITS) {
				if (EXPECT(r == (long)strlen(want) + 1))
					EXPECT(strcmp(cwd, want) == 0);
				EXPECT(stat(want, &st) == 0 && S_ISDIR(st.st_mode));
			} else {
				if (!EXPECT(r == -1 && errno == ENAMETOOLONG))
					ut_diag("getcwd at depth %d: %ld (errno %d)", depth + 1, r,
						errno);
			}
		}
	}
	if (depth == DEEP) {
		/* The syscall says ENAMETOOLONG past PATH_MAX (Linux's prepend_path into one
		 * page); glibc then falls back to walking ".." itself, which works with a
		 * buffer big enough and gives ERANGE with a smaller one. */
		static char big[2 * PATH_MAX];
		errno = 0;
		EXPECT(syscall(SYS_getcwd, big, sizeof(big)) == -1 && errno == ENAMETOOLONG);
		if (EXPECT(getcwd(big, sizeof(big)) != NULL))
			EXPECT(strlen(big) == strlen(DEEP_BASE) + 2 * DEEP &&
			       !strncmp(big, DEEP_BASE "/d/d/", strlen(DEEP_BASE) + 5));
		errno = 0;
		EXPECT(getcwd(cwd, PATH_MAX) == NULL && errno == ERANGE);
		/* *at() relative to the cwd at any depth. */
		int fd = openat(AT_FDCWD, "leaf", O_RDWR | O_CREAT | O_EXCL, 0644);
		EXPECT(fd >= 0 && write(fd, "deep", 4) == 4);
		EXPECT(fstatat(AT_FDCWD, "leaf", &st, 0) == 0 && st.st_size == 4);
		int dfd = open(".", O_RDONLY | O_DIRECTORY);
		EXPECT(dfd >= 0 && mkdirat(dfd, "sub", 0755) == 0);
		EXPECT(fstatat(dfd, "sub", &st, 0) == 0 && S_ISDIR(st.st_mode));
		EXPECT(unlinkat(dfd, "sub", AT_REMOVEDIR) == 0);
		EXPECT(unlinkat(dfd, "leaf", 0) == 0);
		/* A long relative path up the tree: 1000 components of "..". */
		static char up[3 * 1000 + 1];
		for (int i = 0; i < 1000; i++)
			memcpy(up + 3 * i, "../", 3);
		up[3 * 1000 - 1] = '\0';
		EXPECT(fstatat(dfd, up, &st, 0) == 0 && S_ISDIR(st.st_mode));
		close(fd);
		close(dfd);
	}
	for (; depth > 0; depth--) {
		if (!EXPECT(chdir("..") == 0 && rmdir("d") == 0)) {
			ut_diag("rmdir failed at depth %d", depth);
			break;
		}
	}
	EXPECT(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, DEEP_BASE));
	EXPECT(chdir(orig) == 0);
}

/*
 * getcwd's edges, as Linux: a buffer one byte short is ERANGE, exactly long enough works,
 * a bad buffer is EFAULT, and a cwd that was removed is ENOENT.
 */
UT_CASE(reliab_getcwd_edges, 0, 60)
{
	char orig[PATH_MAX], buf[64];
	const char *dir = "/tmp/reliab_cwd";
	size_t need = strlen(dir) + 1;

	ASSERT(getcwd(orig, sizeof(orig)));
	rmdir(dir);
	ASSERT(mkdir(dir, 0755) == 0 && chdir(dir) == 0);
	errno = 0;
	EXPECT(syscall(SYS_getcwd, buf, need - 1) == -1 && errno == ERANGE);
	errno = 0;
	EXPECT(syscall(SYS_getcwd, buf, 0) == -1 && errno == ERANGE);
	EXPECT(syscall(SYS_getcwd, buf, need) == (long)need && !strcmp(buf, dir));
	errno = 0;
	EXPECT(syscall(SYS_getcwd, (char *)8, sizeof(buf)) == -1 && errno == EFAULT);
	/* Removed while it is the cwd. */
	EXPECT(rmdir(dir) == 0);
	errno = 0;
	EXPECT(syscall(SYS_getcwd, buf, sizeof(buf)) == -1 && errno == ENOENT);
	struct stat st;
	EXPECT(stat(".", &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 0);
	errno = 0;
	EXPECT(mkdir("sub", 0755) == -1 && errno == ENOENT);
	EXPECT(chdir(orig) == 0);
}
