// SPDX-License-Identifier: MIT
/* usertests: system calls — bad pointers, time and sleep, uname, ENOSYS, cwd, a tmp file. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

#define KERNEL_ADDR 0xffffffc080200000UL

static bool efault(long ret, const char *call, uintptr_t ptr)
{
	if (ret == -1 && errno == EFAULT)
		return true;
	ut_diag("%s with pointer %#lx: ret %ld errno %d, wanted EFAULT", call,
		(unsigned long)ptr, ret, errno);
	return false;
}

#define EXPECT_EFAULT(call, ptr) (errno = 0, EXPECT(efault((call), #call, (uintptr_t)(ptr))))

/* Calls that read user memory: unmapped and kernel addresses fault. */
static void check_reads(uintptr_t bad, int pipe_r, int pipe_w)
{
	void *b = (void *)bad;
	struct iovec iov = { b, 8 };
	struct stat st;
	struct timespec ts;

	EXPECT_EFAULT(syscall(SYS_write, pipe_w, b, 10), bad);
	EXPECT_EFAULT(syscall(SYS_openat, AT_FDCWD, b, O_RDONLY), bad);
	EXPECT_EFAULT(syscall(SYS_newfstatat, AT_FDCWD, b, &st, 0), bad);
	EXPECT_EFAULT(syscall(SYS_chdir, b), bad);
	EXPECT_EFAULT(syscall(SYS_writev, pipe_w, b, 1), bad);
	EXPECT_EFAULT(syscall(SYS_readv, pipe_r, b, 1), bad);
	EXPECT_EFAULT(syscall(SYS_writev, pipe_w, &iov, 1), bad);
	if (!ut_qemu_user) /* qemu-user: EINVAL */
		EXPECT_EFAULT(syscall(SYS_nanosleep, b, NULL), bad);
	EXPECT_EFAULT(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, b, NULL), bad);
	EXPECT_EFAULT(syscall(SYS_rt_sigaction, SIGUSR1, b, NULL, 8), bad);
	EXPECT_EFAULT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, b, NULL, 8), bad);
	if (!ut_qemu_user) /* qemu-user ignores a new RLIMIT_STACK without reading it */
		EXPECT_EFAULT(syscall(SYS_prlimit64, 0, RLIMIT_STACK, b, NULL), bad);
	(void)ts;

	/* execve: bad path, bad argv array, bad argv string. In a grandchild, in case the
	 * kernel wrongly goes ahead with the exec. */
	char *argv_bad_str[] = { b, NULL };
	const void *paths[] = { b, ut_self, ut_self };
	const void *argvs[] = { NULL, b, argv_bad_str };
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			errno = 0;
			long r = syscall(SYS_execve, paths[i], argvs[i], NULL);
			_exit(r == -1 && errno == EFAULT ? 0 : 1);
		}
		if (!EXPECT(ut_exited_with(ut_wait(pid), 0)))
			ut_diag("execve bad pointer case %d, pointer %#lx", i, (unsigned long)bad);
	}
}

/* Calls that write user memory: also read-only (text) addresses fault. */
static void check_writes(uintptr_t bad, int pipe_r, int pipe_w)
{
	void *b = (void *)bad;
	struct iovec iov = { b, 8 };
	char buf[8];

	EXPECT(write(pipe_w, "12345678", 8) == 8);
	EXPECT_EFAULT(syscall(SYS_read, pipe_r, b, 8), bad);
	EXPECT_EFAULT(syscall(SYS_readv, pipe_r, &iov, 1), bad);
	/* The data is still there for a good read: a faulting read consumed nothing... or
	 * at most what Linux does (nothing for a fault on the first byte). */
	EXPECT(read(pipe_r, buf, 8) == 8);
	EXPECT_EFAULT(syscall(SYS_pipe2, b, 0), bad);
	EXPECT_EFAULT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, b), bad);
	if (!ut_qemu_user) /* qemu-user does not check the pointer */
		EXPECT_EFAULT(syscall(SYS_clock_getres, CLOCK_MONOTONIC, b), bad);
	EXPECT_EFAULT(syscall(SYS_gettimeofday, b, NULL), bad);
	EXPECT_EFAULT(syscall(SYS_getcwd, b, 256), bad);
	EXPECT_EFAULT(syscall(SYS_uname, b), bad);
	EXPECT_EFAULT(syscall(SYS_fstat, pipe_r, b), bad);
	EXPECT_EFAULT(syscall(SYS_newfstatat, AT_FDCWD, "/", b, 0), bad);
	EXPECT_EFAULT(syscall(SYS_getrandom, b, 16, 0), bad);
	EXPECT_EFAULT(syscall(SYS_rt_sigaction, SIGUSR1, NULL, b, 8), bad);
	EXPECT_EFAULT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, b, 8), bad);
	EXPECT_EFAULT(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, b), bad);
	EXPECT_EFAULT(syscall(SYS_times, b), bad);

	int dfd = open("/", O_RDONLY | O_DIRECTORY);
	if (EXPECT(dfd >= 0)) {
		EXPECT_EFAULT(syscall(SYS_getdents64, dfd, b, 4096), bad);
		close(dfd);
	}
	/* A zombie child whose status cannot be stored. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	ut_sleep_ms(20);
	EXPECT_EFAULT(syscall(SYS_wait4, pid, b, 0, NULL), bad);
	waitpid(pid, NULL, 0); /* reaped or not by the failed call, it is gone after this */
}

UT_CASE(efault, 0, 60)
{
	int p[2];
	const uintptr_t unmapped = 1, kernel = KERNEL_ADDR;
	const uintptr_t text = (uintptr_t)&check_writes;

	ASSERT(pipe(p) == 0);
	check_reads(unmapped, p[0], p[1]);
	check_reads(kernel, p[0], p[1]);
	check_writes(unmapped, p[0], p[1]);
	check_writes(kernel, p[0], p[1]);
	check_writes(text, p[0], p[1]);
	close(p[0]);
	close(p[1]);
}

UT_CASE(uname, 0, 30)
{
	struct utsname u;

	ASSERT(uname(&u) == 0);
	EXPECT(u.sysname[0] != 0);
	EXPECT(u.release[0] != 0);
	EXPECT(strcmp(u.machine, "riscv64") == 0);
	ut_diag("%s %s %s %s", u.sysname, u.nodename, u.release, u.machine);
}

UT_CASE(clock, 0, 30)
{
	struct timespec a, b, res;
	struct timeval tv;

	ASSERT(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	for (int i = 0; i < 10000; i++) {
		ASSERT(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
		if (!EXPECT(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec)))
			break;
		EXPECT(b.tv_nsec >= 0 && b.tv_nsec < 1000000000);
		a = b;
	}
	int64_t t0 = ut_now_ns();
	ut_sleep_ms(10);
	EXPECT(ut_now_ns() - t0 >= 10000000);
	EXPECT(clock_getres(CLOCK_MONOTONIC, &res) == 0);
	EXPECT(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000);
	EXPECT(clock_gettime(CLOCK_REALTIME, &a) == 0);
	EXPECT(gettimeofday(&tv, NULL) == 0);
	EXPECT(tv.tv_sec >= a.tv_sec && tv.tv_sec <= a.tv_sec + 1);
	errno = 0;
	EXPECT(clock_gettime((clockid_t)12345, &a) == -1 && errno == EINVAL);
}

static void check_sleep(int how)
{
	struct timespec req = { 0, 100000000 }, now;
	int64_t t0 = ut_now_ns();

	if (how == 0) {
		EXPECT(syscall(SYS_nanosleep, &req, NULL) == 0);
	} else if (how == 1) {
		EXPECT(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0);
	} else {
		clock_gettime(CLOCK_MONOTONIC, &now);
		now.tv_nsec += 100000000;
		if (now.tv_nsec >= 1000000000) {
			now.tv_sec++;
			now.tv_nsec -= 1000000000;
		}
		EXPECT(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, NULL) == 0);
	}
	int64_t ms = (ut_now_ns() - t0) / 1000000;
	if (!EXPECT(ms >= 100 && ms < 300))
		ut_diag("sleep %d of 100 ms took %lld ms", how, (long long)ms);
}

UT_CASE(sleep, 0, 30)
{
	check_sleep(0);
	check_sleep(1);
	check_sleep(2);
	struct timespec bad = { 0, 1000000000 };
	errno = 0;
	EXPECT(syscall(SYS_nanosleep, &bad, NULL) == -1 && errno == EINVAL);
}

UT_CASE(enosys, 0, 30)
{
	static const long nrs[] = { 1000, 5000, 0x7fffffff };

	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		errno = 0;
		EXPECT(syscall(nrs[i], 1, 2, 3) == -1 && errno == ENOSYS);
	}
}

UT_CASE(getrandom, 0, 30)
{
	unsigned char a[32], b[32], zero[32] = { 0 };

	EXPECT(getrandom(a, sizeof(a), 0) == sizeof(a));
	EXPECT(getrandom(b, sizeof(b), 0) == sizeof(b));
	EXPECT(memcmp(a, b, sizeof(a)) != 0);
	EXPECT(memcmp(a, zero, sizeof(a)) != 0);
}

UT_CASE(cwd, 0, 30)
{
	char buf[256], orig[256];

	ASSERT(getcwd(orig, sizeof(orig)) != NULL);
	EXPECT(orig[0] == '/');
	EXPECT(chdir("/") == 0);
	EXPECT(getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0);
	EXPECT(chdir("/tmp") == 0);
	EXPECT(getcwd(buf, sizeof(buf)) && strcmp(buf, "/tmp") == 0);
	errno = 0;
	EXPECT(getcwd(buf, 2) == NULL && errno == ERANGE);
	errno = 0;
	EXPECT(chdir("/nonexistent") == -1 && errno == ENOENT);
	EXPECT(chdir(orig) == 0);
}

UT_CASE(tmpfile, 0, 30)
{
	char path[64], buf[16];
	struct stat st;

	snprintf(path, sizeof(path), "/tmp/ut.%d", getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT(fd >= 0);
	EXPECT(write(fd, "hello world", 11) == 11);
	EXPECT(lseek(fd, 6, SEEK_SET) == 6);
	EXPECT(read(fd, buf, sizeof(buf)) == 5 && memcmp(buf, "world", 5) == 0);
	EXPECT(fstat(fd, &st) == 0 && st.st_size == 11 && S_ISREG(st.st_mode));
	EXPECT(stat(path, &st) == 0 && st.st_size == 11);
	errno = 0;
	EXPECT(open(path, O_RDWR | O_CREAT | O_EXCL, 0600) == -1 && errno == EEXIST);
	close(fd);
	EXPECT(unlink(path) == 0);
	errno = 0;
	EXPECT(stat(path, &st) == -1 && errno == ENOENT);
}

UT_CASE(ids, 0, 30)
{
	EXPECT((int)getuid() >= 0 && (int)geteuid() >= 0);
	EXPECT((int)getgid() >= 0 && (int)getegid() >= 0);
	EXPECT(sched_yield() == 0);
	struct rlimit rl;
	EXPECT(getrlimit(RLIMIT_STACK, &rl) == 0);
}
