// SPDX-License-Identifier: MIT
/*
 * usertests: what /proc shows of a process's memory, against what the process
 * knows: maps names its executable (path, inode, offsets), a mapped file
 * (offset, inode) and the vDSO's two areas; stat's minflt counts the pages
 * it touches, and a child's faults reach cminflt once it is reaped; fd/ links name
 * open files by the path they were opened by, following a rename in the directory.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

static char maps[32768];

static void read_maps(void)
{
	int fd = open("/proc/self/maps", O_RDONLY);
	size_t n = 0;
	ssize_t r;

	maps[0] = '\0';
	if (fd < 0)
		return;
	while (n < sizeof(maps) - 1 && (r = read(fd, maps + n, sizeof(maps) - 1 - n)) > 0)
		n += (size_t)r;
	maps[n] = '\0';
	close(fd);
}

struct map_line {
	unsigned long lo, hi, off, ino;
	char perms[5];
	unsigned maj, min;
	char name[256];
};

/* The line of /proc/self/maps whose area holds addr. */
static bool map_of(unsigned long addr, struct map_line *m)
{
	read_maps();
	for (char *p = maps; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		int used = 0;

		memset(m, 0, sizeof(*m));
		if (sscanf(p, "%lx-%lx %4s %lx %x:%x %lu%n", &m->lo, &m->hi, m->perms, &m->off,
			   &m->maj, &m->min, &m->ino, &used) != 7)
			return false;
		if (addr < m->lo || addr >= m->hi)
			continue;
		const char *q = p + used, *end = strchr(q, '\n');

		while (*q == ' ')
			q++;
		if (!end)
			end = q + strlen(q);
		/* Linux pads the name to column 74 (73 characters before it). */
		if (end > q && q - p != 73)
			return false;
		snprintf(m->name, sizeof(m->name), "%.*s", (int)(end - q), q);
		return true;
	}
	return false;
}

extern char __executable_start[];

UT_CASE(procfs_maps_name_exe_file_and_vdso, 0, 10)
{
	char exe[256];
	struct map_line m;
	struct stat st;
	ssize_t l = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	unsigned long vdso = getauxval(AT_SYSINFO_EHDR);

	ASSERT(l > 0);
	exe[l] = '\0';
	ASSERT(stat(exe, &st) == 0);
	/* The text: the executable's path, inode and device, offset 0. */
	ASSERT(map_of((unsigned long)__executable_start, &m));
	EXPECT(!strcmp(m.perms, "r-xp") && m.off == 0 && m.ino == st.st_ino);
	EXPECT(m.maj == major(st.st_dev) && m.min == minor(st.st_dev));
	EXPECT(!strcmp(m.name, exe));
	/* The vDSO: its image read and run, the data page below it read only. */
	if (vdso) {
		ASSERT(map_of(vdso, &m));
		EXPECT(!strcmp(m.perms, "r-xp") && !strcmp(m.name, "[vdso]") && m.lo == vdso);
		ASSERT(map_of(vdso - 4096, &m));
		EXPECT(!strcmp(m.perms, "r--p") && !strcmp(m.name, "[vvar]"));
	}
	/* A file mapped from its third page: offset 0x2000, its inode. */
	int fd = open("/tmp/ut_maps_file", O_RDWR | O_CREAT | O_TRUNC, 0600);

	ASSERT(fd >= 0);
	ASSERT(ftruncate(fd, 4 * 4096) == 0 && fstat(fd, &st) == 0);
	char *p = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, fd, 2 * 4096);

	ASSERT(p != MAP_FAILED);
	ASSERT(map_of((unsigned long)p, &m));
	EXPECT(!strcmp(m.perms, "r--s") && m.off == 0x2000 && m.ino == st.st_ino);
	EXPECT(m.hi - m.lo == 2 * 4096);
	munmap(p, 2 * 4096);
	close(fd);
	unlink("/tmp/ut_maps_file");
	/* Anonymous memory has no inode and no name. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(p != MAP_FAILED);
	ASSERT(map_of((unsigned long)p, &m));
	EXPECT(m.ino == 0 && m.off == 0);
	munmap(p, 4096);
}

/* Fields 10 and 11 of /proc/<pid>/stat: minflt and cminflt (after the comm's ')'). */
static bool faults_of(const char *path, unsigned long *min, unsigned long *cmin)
{
	char buf[1024], *p;
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* ") S ppid pgrp session tty tpgid flags minflt cminflt" */
	return p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %lu %lu", min, cmin) == 2;
}

UT_CASE(procfs_stat_counts_page_faults, 0, 20)
{
	unsigned long min0, cmin0, min1, cmin1;
	struct rusage ru;
	const int pages = 64;
	char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	ASSERT(p != MAP_FAILED);
	ASSERT(faults_of("/proc/self/stat", &min0, &cmin0));
	for (int i = 0; i < pages; i++)
		p[i * 4096] = 1;
	ASSERT(faults_of("/proc/self/stat", &min1, &cmin1));
	/* One fault per page touched (and a few for the code and stack on the way). */
	EXPECT(min1 - min0 >= (unsigned long)pages && min1 - min0 < (unsigned long)pages + 16);
	EXPECT(getrusage(RUSAGE_SELF, &ru) == 0 && (unsigned long)ru.ru_minflt >= min1);
	/* A child's faults are its own, then its parent's cminflt once reaped. */
	pid_t c = fork();

	ASSERT(c >= 0);
	if (c == 0) {
		char *q = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		for (int i = 0; q != MAP_FAILED && i < pages; i++)
			q[i * 4096] = 1;
		_exit(0);
	}
	int st;

	ASSERT(waitpid(c, &st, 0) == c && WIFEXITED(st));
	ASSERT(faults_of("/proc/self/stat", &min1, &cmin1));
	EXPECT(cmin1 - cmin0 >= (unsigned long)pages);
	EXPECT(getrusage(RUSAGE_CHILDREN, &ru) == 0 && (unsigned long)ru.ru_minflt >= cmin1 - cmin0);
	munmap(p, pages * 4096);
}

static bool fd_link_is(int fd, const char *want)
{
	char path[64], got[512];
	ssize_t l;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	l = readlink(path, got, sizeof(got) - 1);
	if (l < 0)
		return false;
	got[l] = '\0';
	if (strcmp(got, want))
		ut_diag("fd %d -> %s, want %s", fd, got, want);
	return !strcmp(got, want);
}

static unsigned fd_link_perm(int fd)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return lstat(path, &st) ? 0 : st.st_mode & 0777;
}

UT_CASE(procfs_fd_links_name_open_files, 0, 10)
{
	int dir, a, b, c;

	mkdir("/tmp/ut_fdn", 0700);
	dir = open("/tmp/ut_fdn", O_RDONLY | O_DIRECTORY);
	ASSERT(dir >= 0);
	/* Absolute, relative to a directory fd, and with "." and ".." in the path. */
	a = open("/tmp/ut_fdn/a", O_RDWR | O_CREAT | O_TRUNC, 0600);
	b = openat(dir, "./b", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	c = open("/tmp/ut_fdn/../ut_fdn/a", O_RDONLY);
	ASSERT(a >= 0 && b >= 0 && c >= 0);
	EXPECT(fd_link_is(a, "/tmp/ut_fdn/a") && fd_link_is(b, "/tmp/ut_fdn/b"));
	EXPECT(fd_link_is(c, "/tmp/ut_fdn/a"));
	/* The link's permissions are the access mode (Linux's lrwx, l-wx, lr-x). */
	EXPECT(fd_link_perm(a) == 0700 && fd_link_perm(b) == 0300 && fd_link_perm(c) == 0500);
	/* Renamed in its directory: the new name; unlinked: " (deleted)". */
	ASSERT(rename("/tmp/ut_fdn/a", "/tmp/ut_fdn/renamed") == 0);
	EXPECT(fd_link_is(a, "/tmp/ut_fdn/renamed") && fd_link_is(c, "/tmp/ut_fdn/renamed"));
	ASSERT(unlink("/tmp/ut_fdn/b") == 0);
	EXPECT(fd_link_is(b, "/tmp/ut_fdn/b (deleted)"));
	/* Through a symlink: the path with the link resolved, as Linux shows it. */
	int st = open("/proc/self/status", O_RDONLY);
	char want[64];

	ASSERT(st >= 0);
	snprintf(want, sizeof(want), "/proc/%d/status", getpid());
	EXPECT(fd_link_is(st, want));
	close(st);
	/* A mapping of the renamed file is named the same way in maps. */
	ASSERT(ftruncate(a, 4096) == 0);
	char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, a, 0);
	struct map_line m;

	ASSERT(p != MAP_FAILED);
	EXPECT(map_of((unsigned long)p, &m) && !strcmp(m.name, "/tmp/ut_fdn/renamed"));
	munmap(p, 4096);
	/* Opened by absolute path inside a chroot: the real path from our "/". */
	int sync[2];
	char got[256], link[64];

	ASSERT(pipe(sync) == 0);
	pid_t kid = fork();

	ASSERT(kid >= 0);
	if (kid == 0) {
		int fd = chroot("/tmp/ut_fdn") == 0 ? open("/renamed", O_RDONLY) : -1;
		char ch = fd >= 0 ? (char)('0' + fd) : 'x';

		(void)!write(sync[1], &ch, 1);
		pause();
		_exit(0);
	}
	char ch = 'x';

	ASSERT(read(sync[0], &ch, 1) == 1 && ch != 'x');
	snprintf(link, sizeof(link), "/proc/%d/fd/%c", (int)kid, ch);
	ssize_t gl = readlink(link, got, sizeof(got) - 1);

	EXPECT(gl > 0 && (got[gl] = '\0', !strcmp(got, "/tmp/ut_fdn/renamed")));
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	close(sync[0]);
	close(sync[1]);
	close(a);
	close(b);
	close(c);
	unlink("/tmp/ut_fdn/renamed");
	close(dir);
	rmdir("/tmp/ut_fdn");
}

UT_CASE(procfs_maps_lists_many_areas, 0, 10)
{
	enum { N = 200 };
	char *base = mmap(NULL, 2 * N * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int found = 0;

	ASSERT(base != MAP_FAILED);
	/* Every other page readable: N areas that cannot merge, more than a first
	 * guess of the reader holds. */
	for (int i = 0; i < N; i++)
		ASSERT(mprotect(base + 2 * i * 4096, 4096, PROT_READ) == 0);
	read_maps();
	for (int i = 0; i < N; i++) {
		char want[64];

		snprintf(want, sizeof(want), "%08lx-%08lx r--p ",
			 (unsigned long)(base + 2 * i * 4096), (unsigned long)(base + (2 * i + 1) * 4096));
		found += strstr(maps, want) != NULL;
	}
	EXPECT(found == N);
	EXPECT(strstr(maps, "[stack]\n") != NULL); /* the last line too */
	munmap(base, 2 * N * 4096);
}
