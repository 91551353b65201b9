// SPDX-License-Identifier: MIT
/*
 * usertests: /proc and /sys, each file checked against what the process knows
 * of itself (its pid, parent, memory, fds, arguments, children) and against
 * the other interfaces that report the same thing (uname, sysconf, statm).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

/* The whole of a file, NUL-terminated, in a static buffer; its length or -1. */
static char text[65536];

static long slurp_into(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	long r;

	if (fd < 0)
		return -1;
	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return (long)n;
}

static long slurp(const char *path)
{
	return slurp_into(path, text, sizeof(text));
}

/* The number after "key:" in text (status, meminfo style), or -1. */
static long field(const char *t, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = t; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ':')
			return strtol(p + kl + 1, NULL, 10);
	return -1;
}

/* /proc/<pid>/stat split into its fields (1-based; comm without parentheses). */
static int stat_fields(int pid, char f[64][32])
{
	char path[64], *p, *end;
	int n = 1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (slurp(path) <= 0)
		return -1;
	p = text;
	end = strchr(p, ' ');
	if (!end)
		return -1;
	snprintf(f[n++], 32, "%.*s", (int)(end - p), p);
	p = strchr(text, '(');
	end = strrchr(text, ')');
	if (!p || !end)
		return -1;
	snprintf(f[n++], 32, "%.*s", (int)(end - p - 1), p + 1);
	p = end + 2;
	while (*p && n < 64) {
		end = strpbrk(p, " \n");
		if (!end)
			end = p + strlen(p);
		snprintf(f[n++], 32, "%.*s", (int)(end - p), p);
		p = *end ? end + 1 : end;
	}
	return n - 1;
}

UT_CASE(procfs_self_stat, 0, 10)
{
	char f[64][32];
	int n = stat_fields(getpid(), f);

	if (ut_qemu_user) {
		/* qemu-user emulates /proc/self itself (a threaded host process,
		 * 44 stat fields) and has no /bin/usertests to exec */
		ut_diag("skip under qemu-user");
		return;
	}
	ASSERT(n == 52);
	EXPECT(atoi(f[1]) == getpid());
	EXPECT(!strcmp(f[2], "usertests"));
	EXPECT(!strcmp(f[3], "R"));
	EXPECT(atoi(f[4]) == getppid());
	EXPECT(atoi(f[5]) == getpgrp());
	EXPECT(atoi(f[20]) == 1);		/* num_threads */
	EXPECT(strtoull(f[23], NULL, 10) > 0);	/* vsize */
	EXPECT(strtoull(f[24], NULL, 10) > 0);	/* rss */
	EXPECT(atoi(f[38]) == 17);		/* exit_signal: SIGCHLD */
	/* starttime (ticks since boot) is no later than now */
	double up = 0;

	ASSERT(slurp("/proc/uptime") > 0);
	ASSERT(sscanf(text, "%lf", &up) == 1);
	EXPECT(strtoull(f[22], NULL, 10) <= (unsigned long long)(up * sysconf(_SC_CLK_TCK)) + 1);
	/* /proc/self names the same process */
	char link[32];
	ssize_t l = readlink("/proc/self", link, sizeof(link) - 1);

	ASSERT(l > 0);
	link[l] = '\0';
	EXPECT(atoi(link) == getpid());
}

UT_CASE(procfs_status_matches_statm, 0, 10)
{
	long size, res, rss_kb, vm_kb;
	char st[4096];

	if (ut_qemu_user) {
		/* qemu-user emulates /proc/self itself (a threaded host process,
		 * 44 stat fields) and has no /bin/usertests to exec */
		ut_diag("skip under qemu-user");
		return;
	}
	ASSERT(slurp_into("/proc/self/status", st, sizeof(st)) > 0);
	ASSERT(slurp("/proc/self/statm") > 0);
	ASSERT(sscanf(text, "%ld %ld", &size, &res) == 2);
	EXPECT(field(st, "Pid") == getpid());
	EXPECT(field(st, "Tgid") == getpid());
	EXPECT(field(st, "PPid") == getppid());
	EXPECT(field(st, "Threads") == 1);
	EXPECT(field(st, "Uid") == (long)getuid() && field(st, "Gid") == (long)getgid());
	mode_t um = umask(027);

	umask(um);
	EXPECT(strtol(strstr(st, "Umask:\t") + 7, NULL, 8) == (long)um);
	struct stat ps;

	EXPECT(stat("/proc/self/status", &ps) == 0 && ps.st_uid == geteuid() && ps.st_size == 0);
	EXPECT(strstr(st, "Name:\tusertests\n") != NULL);
	EXPECT(strstr(st, "State:\tR (running)\n") != NULL);
	rss_kb = field(st, "VmRSS");
	vm_kb = field(st, "VmSize");
	/* Taken a moment apart: the same within a few pages. */
	EXPECT(labs(rss_kb - res * 4) <= 16);
	EXPECT(labs(vm_kb - size * 4) <= 16);
	EXPECT(rss_kb > 0 && vm_kb >= rss_kb);
}

/* Is there a line for [lo, hi) with these permissions in /proc/self/maps? */
static bool maps_has(unsigned long lo, unsigned long hi, const char *perms)
{
	char want[64];

	snprintf(want, sizeof(want), "%08lx-%08lx %s ", lo, hi, perms);
	if (slurp("/proc/self/maps") <= 0)
		return false;
	for (char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, want, strlen(want)))
			return true;
	return false;
}

UT_CASE(procfs_maps_follow_mmap, 0, 10)
{
	size_t pg = 4096;
	char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long a = (unsigned long)m;

	ASSERT(m != MAP_FAILED);
	EXPECT(maps_has(a, a + 4 * pg, "rw-p"));
	ASSERT(mprotect(m + pg, pg, PROT_READ) == 0);
	EXPECT(maps_has(a, a + pg, "rw-p"));
	EXPECT(maps_has(a + pg, a + 2 * pg, "r--p"));
	EXPECT(maps_has(a + 2 * pg, a + 4 * pg, "rw-p"));
	ASSERT(munmap(m, 4 * pg) == 0);
	EXPECT(!maps_has(a, a + pg, "rw-p"));
	slurp("/proc/self/maps");
	EXPECT(strstr(text, "[stack]\n") != NULL);
	EXPECT(strstr(text, "r-xp") != NULL);
}

UT_CASE(procfs_fd_and_fdinfo, 0, 10)
{
	char path[64], link[256];
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd2 = open("/proc/self/status", O_RDONLY);
	ssize_t l;

	ASSERT(fd >= 0 && fd2 >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	l = readlink(path, link, sizeof(link) - 1);
	ASSERT(l > 0);
	link[l] = '\0';
	EXPECT(!strcmp(link, "/tmp"));
	l = readlink("/proc/self/fd/0", link, sizeof(link) - 1);
	EXPECT(l > 0);
	ASSERT(lseek(fd2, 7, SEEK_SET) == 7);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd2);
	ASSERT(slurp(path) > 0);
	EXPECT(field(text, "pos") == 7);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	ASSERT(slurp(path) > 0);
	/* flags in octal: O_DIRECTORY | O_CLOEXEC (| O_LARGEFILE) */
	char *fl = strstr(text, "flags:\t");

	ASSERT(fl != NULL);
	unsigned long flags = strtoul(fl + 7, NULL, 8);

	EXPECT((flags & O_CLOEXEC) && (flags & O_DIRECTORY) && (flags & O_ACCMODE) == O_RDONLY);
	/* fd/ lists exactly the open descriptors */
	DIR *d = opendir("/proc/self/fd");
	int listed = 0, open_fds = 0;
	struct dirent *e;

	ASSERT(d != NULL);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			listed++;
	for (int i = 0; i < 1024; i++)
		open_fds += fcntl(i, F_GETFD) >= 0;
	closedir(d);
	EXPECT(listed == open_fds); /* the DIR's own fd was open while listing, and is closed now */
	close(fd);
	errno = 0;
	EXPECT(readlink(path, link, sizeof(link)) < 0 && errno == ENOENT);
	close(fd2);
	/* pipes, sockets and anonymous files are named as Linux names them */
	int pp[2], sv[2], ev = eventfd(0, 0);
	struct stat pst;

	ASSERT(pipe(pp) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && ev >= 0);
	ASSERT(fstat(pp[0], &pst) == 0);
	char want[64];
	struct { int fd; const char *fmt; } kinds[] = {
		{ pp[0], "pipe:[%llu]" }, { sv[0], "socket:[%llu]" }, { ev, "anon_inode:[eventfd]" },
	};

	for (unsigned i = 0; i < 3; i++) {
		struct stat ks;

		ASSERT(fstat(kinds[i].fd, &ks) == 0);
		snprintf(want, sizeof(want), kinds[i].fmt, (unsigned long long)ks.st_ino);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", kinds[i].fd);
		l = readlink(path, link, sizeof(link) - 1);
		ASSERT(l > 0);
		link[l] = '\0';
		if (!EXPECT(!strcmp(link, want)))
			ut_diag("fd %d: %s, wanted %s", kinds[i].fd, link, want);
	}
	close(pp[0]);
	close(pp[1]);
	close(sv[0]);
	close(sv[1]);
	close(ev);
}

/* The child half of procfs_other_process: blocks until the parent is done looking. */
int ut_procfs_helper(int argc, char **argv)
{
	char c;

	(void)argc;
	(void)argv;
	if (chdir("/tmp") != 0)
		return 3;
	if (write(1, "r", 1) != 1)
		return 4;
	return read(0, &c, 1) == 1 ? 0 : 5;
}

UT_CASE(procfs_other_process, 0, 20)
{
	int to_child[2], from_child[2];
	char path[64], link[256], c, f[64][32];
	pid_t pid;
	ssize_t l;

	if (ut_qemu_user) {
		/* qemu-user emulates /proc/self itself (a threaded host process,
		 * 44 stat fields) and has no /bin/usertests to exec */
		ut_diag("skip under qemu-user");
		return;
	}
	ASSERT(pipe(to_child) == 0 && pipe(from_child) == 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		char *const argv[] = { (char *)ut_self, "--procfs-helper", "two words", "", NULL };
		char *const envp[] = { "UT_PROCFS=1", "UT_B=b b", NULL };

		dup2(to_child[0], 0);
		dup2(from_child[1], 1);
		execve(ut_self, argv, envp);
		_exit(99);
	}
	close(to_child[0]);
	close(from_child[1]);
	ASSERT(read(from_child[0], &c, 1) == 1);
	/* cmdline and environ: the exact NUL-separated vectors */
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	l = slurp(path);
	static const char want_cmd[] = "/bin/usertests\0--procfs-helper\0two words\0";
	EXPECT(l == (long)sizeof(want_cmd) && !memcmp(text, want_cmd, sizeof(want_cmd)));
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	l = slurp(path);
	static const char want_env[] = "UT_PROCFS=1\0UT_B=b b";
	EXPECT(l == (long)sizeof(want_env) && !memcmp(text, want_env, sizeof(want_env)));
	/* exe, cwd, comm, stat */
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	l = readlink(path, link, sizeof(link) - 1);
	ASSERT(l > 0);
	link[l] = '\0';
	EXPECT(!strcmp(link, ut_self));
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	l = readlink(path, link, sizeof(link) - 1);
	ASSERT(l > 0);
	link[l] = '\0';
	EXPECT(!strcmp(link, "/tmp"));
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	slurp(path);
	EXPECT(!strcmp(text, "usertests\n"));
	for (int i = 0; i < 500; i++) { /* it is on its way into read() */
		ASSERT(stat_fields(pid, f) == 52);
		if (!strcmp(f[3], "S"))
			break;
		ut_sleep_ms(2);
	}
	EXPECT(!strcmp(f[3], "S")); /* blocked in read */
	EXPECT(atoi(f[4]) == getpid());
	/* its task, as /proc/<pid>/task/<tid> */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, pid);
	EXPECT(access(path, R_OK) == 0);
	if (!ut_qemu_user) {
		snprintf(path, sizeof(path), "/proc/%d/future", pid);
		ASSERT(slurp(path) > 0);
		EXPECT(strstr(text, "state:\tidle\n") != NULL);
		EXPECT(strstr(text, "userloop[AWAIT_SYSCALL] -> stream_read") != NULL);
	}
	/* it exits: a zombie until reaped, then gone */
	ASSERT(write(to_child[1], "x", 1) == 1);
	for (int i = 0; i < 500; i++) { /* not waitid(WNOWAIT): the zombie must stay */
		ASSERT(stat_fields(pid, f) == 52);
		if (!strcmp(f[3], "Z"))
			break;
		ut_sleep_ms(2);
	}
	EXPECT(!strcmp(f[3], "Z"));
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	errno = 0;
	EXPECT(open(path, O_RDONLY) < 0 && errno == ENOENT);
	close(to_child[1]);
	close(from_child[0]);
}

UT_CASE(procfs_lists_processes, 0, 10)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool self = false, me = false, init = false;
	int tasks = 0;

	if (ut_qemu_user) {
		/* qemu-user emulates /proc/self itself (a threaded host process,
		 * 44 stat fields) and has no /bin/usertests to exec */
		ut_diag("skip under qemu-user");
		return;
	}
	ASSERT(d != NULL);
	while ((e = readdir(d)) != NULL) {
		self |= !strcmp(e->d_name, "self");
		me |= atoi(e->d_name) == getpid();
		init |= !strcmp(e->d_name, "1");
	}
	closedir(d);
	EXPECT(self && me && init);
	d = opendir("/proc/self/task");
	ASSERT(d != NULL);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			tasks++;
			EXPECT(atoi(e->d_name) == getpid());
		}
	closedir(d);
	EXPECT(tasks == 1);
	errno = 0;
	EXPECT(open("/proc/99999/stat", O_RDONLY) < 0 && errno == ENOENT);
	errno = 0;
	EXPECT(open("/proc/self/nosuch", O_RDONLY) < 0 && errno == ENOENT);
	errno = 0;
	EXPECT(mkdir("/proc/x", 0755) < 0 && errno == ENOENT);
}

UT_CASE(procfs_system_files, 0, 10)
{
	long total, free_kb, nproc = sysconf(_SC_NPROCESSORS_ONLN);
	int procs = 0, a, b, c;
	double l1, l5, l15, up1, up2;

	ASSERT(slurp("/proc/meminfo") > 0);
	total = field(text, "MemTotal");
	free_kb = field(text, "MemFree");
	EXPECT(total > 0 && free_kb > 0 && free_kb < total);
	EXPECT(field(text, "MemAvailable") >= free_kb);
	EXPECT(field(text, "SwapTotal") >= 0);
	ASSERT(slurp("/proc/cpuinfo") > 0);
	for (char *p = text; (p = strstr(p, "processor\t: ")) != NULL; p++)
		procs++;
	EXPECT(procs == nproc);
	EXPECT(ut_qemu_user || strstr(text, "isa\t\t: rv64") != NULL);
	ASSERT(slurp("/sys/devices/system/cpu/online") > 0);
	int lo = -1, hi = -1;
	int got = sscanf(text, "%d-%d", &lo, &hi);

	EXPECT(lo == 0 && (got == 2 ? hi + 1 : 1) == nproc);
	if (!ut_qemu_user) { /* qemu-user shows the host's */
		ASSERT(slurp("/proc/interrupts") > 0);
		int cols = 0;

		for (char *p = text; p < strchr(text, '\n'); p++)
			cols += !strncmp(p, "CPU", 3);
		EXPECT(cols == nproc);
		EXPECT(strstr(text, " riscv-timer\n") != NULL);
		EXPECT(strstr(text, "\nIPI0:") != NULL);
	}
	ASSERT(slurp("/proc/loadavg") > 0);
	EXPECT(sscanf(text, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &a, &b, &c) == 6);
	EXPECT(a >= 1 && b >= a && c > 0);
	ASSERT(slurp("/proc/uptime") > 0);
	ASSERT(sscanf(text, "%lf", &up1) == 1);
	ut_sleep_ms(20);
	ASSERT(slurp("/proc/uptime") > 0);
	ASSERT(sscanf(text, "%lf", &up2) == 1);
	EXPECT(up2 > up1);
	ASSERT(slurp("/proc/version") > 0);
	EXPECT(!strncmp(text, "Linux version ", 14));
	ASSERT(slurp("/proc/stat") > 0);
	EXPECT(!strncmp(text, "cpu  ", 5) && strstr(text, "\ncpu0 ") != NULL);
	ASSERT(slurp("/proc/filesystems") > 0);
	EXPECT(strstr(text, "nodev\tproc\n") != NULL);
	ASSERT(slurp("/proc/mounts") > 0);
	EXPECT(strstr(text, " /proc proc ") != NULL);
	ASSERT(slurp("/proc/self/mountinfo") > 0);
	EXPECT(strstr(text, " /proc rw") != NULL);
	ASSERT(slurp("/proc/sys/kernel/pid_max") > 0);
	EXPECT(atoi(text) >= 32768);
	ASSERT(slurp("/proc/sys/kernel/ostype") > 0);
	EXPECT(!strcmp(text, "Linux\n"));
	char id1[64], id2[64];

	ASSERT(slurp_into("/proc/sys/kernel/random/boot_id", id1, sizeof(id1)) == 37);
	ASSERT(slurp_into("/proc/sys/kernel/random/boot_id", id2, sizeof(id2)) == 37);
	EXPECT(!strcmp(id1, id2) && id1[14] == '4');
	ASSERT(slurp_into("/proc/sys/kernel/random/uuid", id2, sizeof(id2)) == 37);
	EXPECT(strcmp(id1, id2) != 0);
}

UT_CASE(procfs_osrelease_and_hostname_match_uname, 0, 10)
{
	struct utsname u;
	char want[80];

	ASSERT(uname(&u) == 0);
	ASSERT(slurp("/proc/sys/kernel/osrelease") > 0);
	snprintf(want, sizeof(want), "%s\n", u.release);
	EXPECT(!strcmp(text, want));
	ASSERT(slurp("/proc/sys/kernel/hostname") > 0);
	snprintf(want, sizeof(want), "%s\n", u.nodename);
	EXPECT(!strcmp(text, want));
	if (ut_qemu_user)
		return; /* would rename the host */
	int fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_TRUNC);

	ASSERT(fd >= 0);
	EXPECT(write(fd, "procfs-test\n", 12) == 12);
	close(fd);
	ASSERT(uname(&u) == 0);
	EXPECT(!strcmp(u.nodename, "procfs-test"));
	fd = open("/proc/sys/kernel/hostname", O_WRONLY);
	ASSERT(fd >= 0);
	EXPECT(write(fd, want, strlen(want)) == (ssize_t)strlen(want)); /* put it back */
	close(fd);
}

UT_CASE(procfs_drop_caches, 0, 10)
{
	int fd;

	if (ut_qemu_user)
		return;
	errno = 0;
	EXPECT(open("/proc/sys/vm/drop_caches", O_RDONLY) < 0 && errno == EACCES);
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	ASSERT(fd >= 0);
	EXPECT(write(fd, "3\n", 2) == 2);
	errno = 0;
	EXPECT(write(fd, "x", 1) < 0 && errno == EINVAL);
	close(fd);
	/* files still read back after the cache was dropped */
	EXPECT(slurp("/proc/self/status") > 0);
	EXPECT(slurp("/etc/rc") > 0);
	/* a file without a writer opens for root and fails the write */
	fd = open("/proc/meminfo", O_WRONLY);
	ASSERT(fd >= 0);
	errno = 0;
	EXPECT(write(fd, "x", 1) < 0 && errno == EIO);
	close(fd);
}

/* A read that goes on from the middle continues the first snapshot; a read from 0 makes a new one. */
UT_CASE(procfs_read_is_one_snapshot, 0, 10)
{
	static char first[4096], fresh[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	size_t n = 0;
	long r;

	ASSERT(fd >= 0);
	ASSERT(read(fd, first, 10) == 10);
	n = 10;
	/* grow RSS by 1 MiB between the pieces */
	char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT(m != MAP_FAILED);
	memset(m, 1, 1 << 20);
	while ((r = read(fd, first + n, sizeof(first) - 1 - n)) > 0)
		n += (size_t)r;
	first[n] = '\0';
	r = pread(fd, fresh, sizeof(fresh) - 1, 0);
	ASSERT(r > 0);
	fresh[r] = '\0';
	close(fd);
	munmap(m, 1 << 20);
	EXPECT(field(fresh, "VmRSS") >= field(first, "VmRSS") + 1000);
	EXPECT(field(first, "Pid") == getpid());
}

UT_CASE(procfs_async_view, 0, 10)
{
	if (ut_qemu_user)
		return;
	ut_sleep_ms(1); /* block once: the task has been polled at least once since */
	ASSERT(slurp("/proc/self/future") > 0);
	EXPECT(strstr(text, "state:\trunning\n") != NULL);
	EXPECT(strstr(text, "chain:\tuserloop[ENTER_USER]") != NULL);
	EXPECT(field(text, "polls") >= 1);
	ASSERT(slurp("/proc/async") > 0);
	EXPECT(!strncmp(text, "hart  queue", 11));
	EXPECT(strstr(text, "\ntasks\n") != NULL);
	EXPECT(strstr(text, " userloop hart ") != NULL);
	EXPECT(strstr(text, "running polls") != NULL); /* this very process */
}

UT_CASE(sysfs_block_size, 0, 10)
{
	struct stat st;

	if (ut_qemu_user || stat("/sys/block/vda", &st) != 0) {
		ut_diag("skip: no /sys/block/vda");
		return;
	}
	ASSERT(slurp("/sys/block/vda/size") > 0);
	EXPECT(strtoull(text, NULL, 10) > 0);
	ASSERT(slurp("/sys/block/vda/stat") > 0);
	unsigned long long v[17];
	int n = sscanf(text, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
			     "%llu %llu",
		       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10],
		       &v[11], &v[12], &v[13], &v[14], &v[15], &v[16]);

	EXPECT(n == 17);
	EXPECT(v[0] > 0 && v[2] >= v[0] * 8); /* the root was read, 4 KiB at a time */
}

UT_CASE(procfs_exe_reexecs, 0, 10)
{
	char link[256];
	ssize_t l = readlink("/proc/self/exe", link, sizeof(link) - 1);

	if (ut_qemu_user) {
		/* qemu-user emulates /proc/self itself (a threaded host process,
		 * 44 stat fields) and has no /bin/usertests to exec */
		ut_diag("skip under qemu-user");
		return;
	}
	ASSERT(l > 0);
	link[l] = '\0';
	EXPECT(!strcmp(link, ut_self));
	/* busybox re-executes itself through /proc/self/exe */
	pid_t pid = fork();

	ASSERT(pid >= 0);
	if (pid == 0) {
		char *const argv[] = { "x", "--procfs-exit-helper", NULL };

		execve("/proc/self/exe", argv, (char *const[]){ NULL });
		_exit(99);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 42));
}

UT_CASE(procfs_mount_elsewhere, 0, 10)
{
	char comm[32];

	if (ut_qemu_user)
		return; /* mount needs a kernel */
	rmdir("/tmp/ut_proc2");
	rmdir("/tmp/ut_sys2");
	ASSERT(mkdir("/tmp/ut_proc2", 0755) == 0 && mkdir("/tmp/ut_sys2", 0755) == 0);
	ASSERT(mount("proc", "/tmp/ut_proc2", "proc", 0, NULL) == 0);
	ASSERT(mount("sysfs", "/tmp/ut_sys2", "sysfs", 0, NULL) == 0);
	EXPECT(slurp_into("/tmp/ut_proc2/self/comm", comm, sizeof(comm)) > 0 &&
	       !strcmp(comm, "usertests\n"));
	EXPECT(slurp("/tmp/ut_sys2/devices/system/cpu/online") > 0 && text[0] == '0');
	ASSERT(slurp("/proc/mounts") > 0);
	EXPECT(strstr(text, "proc /tmp/ut_proc2 proc rw") != NULL);
	EXPECT(strstr(text, "sysfs /tmp/ut_sys2 sysfs rw") != NULL);
	struct statfs sf;

	EXPECT(statfs("/tmp/ut_proc2", &sf) == 0 && sf.f_type == 0x9fa0);
	EXPECT(statfs("/tmp/ut_sys2/block", &sf) == 0 && sf.f_type == 0x62656572);
	int busy = open("/tmp/ut_proc2/self/status", O_RDONLY);

	errno = 0;
	EXPECT(busy >= 0 && umount2("/tmp/ut_proc2", 0) < 0 && errno == EBUSY);
	close(busy);
	EXPECT(umount2("/tmp/ut_proc2", 0) == 0);
	EXPECT(umount2("/tmp/ut_sys2", 0) == 0);
	ASSERT(slurp("/proc/mounts") > 0);
	EXPECT(strstr(text, "/tmp/ut_proc2") == NULL);
	EXPECT(rmdir("/tmp/ut_proc2") == 0 && rmdir("/tmp/ut_sys2") == 0);
}

/* As an unprivileged user: /proc/<pid> belongs to the process's effective uid. */
static void as_user(void *arg)
{
	char path[64];

	(void)arg;
	if (setgid(1000) != 0 || setuid(1000) != 0)
		_exit(10);
	struct stat st;

	if (stat("/proc/self", &st) != 0 || st.st_uid != 1000 || st.st_gid != 1000)
		_exit(11);
	if (stat("/proc/1/stat", &st) != 0 || st.st_uid != 0)
		_exit(12);
	if (slurp("/proc/self/environ") < 0)
		_exit(13);
	snprintf(path, sizeof(path), "/proc/%d/environ", 1);
	errno = 0;
	if (open(path, O_RDONLY) >= 0 || errno != EACCES)
		_exit(14);
	if (slurp("/proc/1/stat") <= 0) /* 0444: anyone reads it */
		_exit(15);
	_exit(0);
}

UT_CASE(procfs_owned_by_the_process, 0, 10)
{
	if (ut_qemu_user || getuid() != 0) {
		ut_diag("skip: needs root on our kernel");
		return;
	}
	EXPECT(ut_exited_with(ut_in_child(as_user, NULL), 0));
}
