// SPDX-License-Identifier: MIT
/*
 * Limits and information (limits_*): RLIMIT_NOFILE, NPROC, STACK, AS and CPU where
 * Linux enforces them, prlimit64 on another process, getrusage, sysinfo,
 * sched_getaffinity/sched_setaffinity really pinning, getpriority/setpriority,
 * personality, syslog.
 *
 * All pass under qemu-riscv64 run as root (USERTESTS_QEMU_USER=1), except what
 * qemu-user cannot show, as marked: it accepts RLIMIT_AS and RLIMIT_STACK
 * without applying them (they would limit qemu itself), and it cannot exec a
 * riscv64 program here. syslog there is the host's: only harmless actions.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

#define BAD ((void *)0xffffffc080200000UL)
#define LONELY_UID 54321 /* a uid no other process on the test machine has */

static bool err_is(long r, int e)
{
	if (r == -1 && errno == e)
		return true;
	ut_diag("ret %ld errno %d (%s), wanted %d (%s)", r, errno, strerror(errno), e,
		strerror(e));
	return false;
}

#define EXPECT_ERR(call, e) (errno = 0, EXPECT(err_is((long)(call), (e))))

static bool drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		ut_diag("cannot become %u: %s", uid, strerror(errno));
		return false;
	}
	return true;
}

/* ---- resource limits ------------------------------------------------------------ */

static void nofile_child(void *arg)
{
	struct rlimit rl = { 10, 10 };
	int fd, last = -1, p[2];

	(void)arg;
	for (int i = 3; i < 64; i++)
		close(i);
	ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	while ((fd = open("/dev/null", O_RDONLY)) >= 0)
		last = fd;
	EXPECT(errno == EMFILE && last == 9);
	EXPECT_ERR(pipe(p), EMFILE);
	EXPECT_ERR(dup(0), EMFILE);
	EXPECT_ERR(dup2(0, 10), EBADF);
	close(9);
	EXPECT_ERR(fcntl(0, F_DUPFD, 10), EINVAL);
	EXPECT(fcntl(0, F_DUPFD, 5) == 9);
	/* Lowering the limit below open descriptors keeps them; new ones stay below. */
	rl.rlim_cur = 5;
	EXPECT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	EXPECT(fcntl(9, F_GETFD) == 0);
	close(4);
	EXPECT(open("/dev/null", O_RDONLY) == 4);
	EXPECT_ERR(open("/dev/null", O_RDONLY), EMFILE);
	/* The soft limit may not pass the hard one; the hard one goes up only with
	 * privilege, and never past fs.nr_open. */
	rl.rlim_cur = 11;
	EXPECT_ERR(setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
	rl.rlim_cur = rl.rlim_max = 2u << 20;
	EXPECT_ERR(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
	rl.rlim_cur = rl.rlim_max = 20;
	EXPECT(setrlimit(RLIMIT_NOFILE, &rl) == 0); /* root may raise it */
	ASSERT(drop_to(LONELY_UID));
	rl.rlim_cur = rl.rlim_max = 30;
	EXPECT_ERR(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
	rl.rlim_cur = rl.rlim_max = 15;
	EXPECT(setrlimit(RLIMIT_NOFILE, &rl) == 0); /* lowering: anyone */
	EXPECT(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 15 && rl.rlim_max == 15);
	EXPECT_ERR(syscall(SYS_getrlimit, 16, &rl), EINVAL);
	EXPECT_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, BAD), EFAULT);
	EXPECT_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, BAD), EFAULT);
}

UT_CASE(limits_nofile, 0, 30)
{
	EXPECT(ut_exited_with(ut_in_child(nofile_child, NULL), 0));
}

static void nproc_child(void *arg)
{
	struct rlimit rl = { 3, 3 };
	pid_t kids[4];
	int n = 0, p[2];

	(void)arg;
	ASSERT(pipe(p) == 0);
	ASSERT(drop_to(LONELY_UID));
	ASSERT(setrlimit(RLIMIT_NPROC, &rl) == 0);
	/* This process is one of the user's three. */
	for (; n < 4; n++) {
		kids[n] = fork();
		if (kids[n] == 0) {
			char c;

			close(p[1]);
			read(p[0], &c, 1); /* wait for the parent to finish */
			_exit(0);
		}
		if (kids[n] < 0)
			break;
	}
	EXPECT(n == 2 && errno == EAGAIN);
	close(p[1]);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	/* With the children reaped there is room again. */
	pid_t k = fork();
	if (k == 0)
		_exit(0);
	EXPECT(k > 0 && ut_exited_with(ut_wait(k), 0));
}

UT_CASE(limits_nproc, 0, 30)
{
	EXPECT(ut_exited_with(ut_in_child(nproc_child, NULL), 0));
	/* Root is not held to it. */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 1, 1 };

		setrlimit(RLIMIT_NPROC, &rl);
		pid_t k = fork();
		if (k == 0)
			_exit(0);
		_exit(k > 0 && waitpid(k, NULL, 0) == k ? 0 : 1);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 0));
}

/* `usertests --stack-helper`: 0 if 2 MiB of stack cannot be used (it dies of SIGSEGV). */
int ut_limits_stack_helper(void)
{
	volatile char *p = __builtin_alloca(2u << 20);

	for (size_t i = 0; i < (2u << 20); i += 4096)
		p[(2u << 20) - 1 - i] = 1;
	return 3; /* it fit: the limit was not applied */
}

static void stack_child(void *arg)
{
	struct rlimit rl = { 1u << 20, RLIM_INFINITY };
	char *av[] = { (char *)ut_self, "--stack-helper", NULL };

	(void)arg;
	ASSERT(setrlimit(RLIMIT_STACK, &rl) == 0);
	execv(ut_self, av);
	_exit(99);
}

static void args_child(void *arg)
{
	struct rlimit rl = { 512u << 10, RLIM_INFINITY };
	static char big[60u << 10];
	char *av[] = { "x", big, big, big, big, NULL }; /* 240 KiB, no string over 128 */

	(void)arg;
	memset(big, 'a', sizeof(big) - 1);
	ASSERT(setrlimit(RLIMIT_STACK, &rl) == 0);
	/* The argument limit is a quarter of the stack limit, at least 128 KiB. */
	execv(ut_self, av);
	_exit(errno == E2BIG ? 0 : 1);
}

UT_CASE(limits_stack, 0, 30)
{
	if (ut_qemu_user) {
		ut_diag("skip: qemu-user does not apply RLIMIT_STACK, nor run riscv64 programs");
		return;
	}
	EXPECT(ut_exited_with(ut_in_child(args_child, NULL), 0));
	int st = ut_in_child(stack_child, NULL);
	EXPECT(ut_killed_by(st, SIGSEGV));
}

static void as_child(void *arg)
{
	struct rlimit rl = { 64u << 20, RLIM_INFINITY };

	(void)arg;
	ASSERT(setrlimit(RLIMIT_AS, &rl) == 0);
	void *p = mmap(NULL, 100u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(p == MAP_FAILED && errno == ENOMEM);
	p = mmap(NULL, 1u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(p != MAP_FAILED);
	/* brk cannot pass it either: the break stays. */
	void *b0 = sbrk(0);
	EXPECT(sbrk(80u << 20) == (void *)-1 && errno == ENOMEM && sbrk(0) == b0);
	EXPECT(malloc(80u << 20) == NULL);
}

UT_CASE(limits_as, 0, 30)
{
	if (ut_qemu_user) {
		ut_diag("skip: qemu-user does not apply RLIMIT_AS");
		return;
	}
	EXPECT(ut_exited_with(ut_in_child(as_child, NULL), 0));
}

static void prlimit_child(void *arg)
{
	pid_t parent = *(pid_t *)arg;
	struct rlimit rl;

	ASSERT(drop_to(LONELY_UID));
	EXPECT_ERR(prlimit(parent, RLIMIT_NOFILE, NULL, &rl), EPERM);
	EXPECT(prlimit(0, RLIMIT_NOFILE, NULL, &rl) == 0);
}

UT_CASE(limits_prlimit, 0, 30)
{
	struct rlimit rl, old, now;
	int p[2];

	ASSERT(pipe(p) == 0);
	pid_t kid = fork();
	if (kid == 0) {
		char c;

		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	/* Root sets another process's limit and gets the old one back. */
	EXPECT(prlimit(kid, RLIMIT_CORE, NULL, &old) == 0);
	rl.rlim_cur = 4096;
	rl.rlim_max = old.rlim_max;
	EXPECT(prlimit(kid, RLIMIT_CORE, &rl, &old) == 0);
	EXPECT(prlimit(kid, RLIMIT_CORE, NULL, &now) == 0 && now.rlim_cur == 4096);
	EXPECT_ERR(prlimit(kid, 16, NULL, &now), EINVAL);
	EXPECT_ERR(syscall(SYS_prlimit64, kid, RLIMIT_CORE, NULL, BAD), EFAULT);
	EXPECT_ERR(syscall(SYS_prlimit64, kid, RLIMIT_CORE, BAD, NULL), EFAULT);
	close(p[1]);
	EXPECT(ut_exited_with(ut_wait(kid), 0));
	EXPECT_ERR(prlimit(kid, RLIMIT_CORE, NULL, &now), ESRCH);
	/* The limits are inherited. */
	rl.rlim_cur = rl.rlim_max = 77;
	pid_t c = fork();
	if (c == 0) {
		struct rlimit in;

		setrlimit(RLIMIT_NOFILE, &rl);
		pid_t g = fork();
		if (g == 0)
			_exit(getrlimit(RLIMIT_NOFILE, &in) == 0 && in.rlim_cur == 77 ? 0 : 1);
		_exit(ut_exited_with(ut_wait(g), 0) ? 0 : 1);
	}
	EXPECT(ut_exited_with(ut_wait(c), 0));
	pid_t me = getpid();
	EXPECT(ut_exited_with(ut_in_child(prlimit_child, &me), 0));
}

/* ---- information ------------------------------------------------------------------- */

static int64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Use ns of CPU time (not of wall time: a loaded host steals it). */
static void burn(int64_t ns)
{
	int64_t end = cpu_ns() + ns;
	volatile unsigned long x = 0;

	while (cpu_ns() < end)
		for (int i = 0; i < 10000; i++)
			x++;
}

static long tv_us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000 + tv->tv_usec;
}

UT_CASE(limits_getrusage, 0, 30)
{
	struct rusage ru, ch;

	EXPECT_ERR(getrusage(5, &ru), EINVAL);
	EXPECT_ERR(syscall(SYS_getrusage, RUSAGE_SELF, BAD), EFAULT);
	burn(50000000);
	EXPECT(getrusage(RUSAGE_SELF, &ru) == 0);
	EXPECT(tv_us(&ru.ru_utime) + tv_us(&ru.ru_stime) >= 50000);
	EXPECT(tv_us(&ru.ru_utime) > 10000);
	EXPECT(ru.ru_maxrss > 0);
	EXPECT(getrusage(RUSAGE_THREAD, &ru) == 0);
	/* A child's time counts once it is reaped. */
	EXPECT(getrusage(RUSAGE_CHILDREN, &ch) == 0);
	long before = tv_us(&ch.ru_utime) + tv_us(&ch.ru_stime);
	pid_t pid = fork();
	if (pid == 0) {
		burn(100000000);
		_exit(0);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	EXPECT(getrusage(RUSAGE_CHILDREN, &ch) == 0);
	EXPECT(tv_us(&ch.ru_utime) + tv_us(&ch.ru_stime) >= before + 100000);
}

/* RLIMIT_CPU: SIGXCPU at the soft limit and each second after it, SIGKILL at the hard
 * limit; the limit crosses fork (the CPU time starts again in the child). */
static int xcpu_pipe[2];

static void on_xcpu(int sig)
{
	char c = (char)sig;

	if (write(xcpu_pipe[1], &c, 1) != 1)
		_exit(5);
}

static void cpu_child(void *arg)
{
	struct rlimit rl = { 1, 3 };

	(void)arg;
	signal(SIGXCPU, on_xcpu);
	if (setrlimit(RLIMIT_CPU, &rl))
		_exit(2);
	burn(10000000000LL); /* 10 s: the hard limit ends it first */
	_exit(3);
}

static void cpu_default_child(void *arg)
{
	struct rlimit rl = { 1, RLIM_INFINITY };

	(void)arg;
	if (setrlimit(RLIMIT_CPU, &rl))
		_exit(2);
	pid_t pid = fork(); /* the grandchild inherits the limit, not the parent's time */
	if (pid == 0) {
		burn(5000000000LL);
		_exit(3);
	}
	int st = ut_wait(pid);
	_exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGXCPU ? 0 : 4);
}

UT_CASE(limits_cpu, 0, 60)
{
	char got[8];
	int n;

	ASSERT(pipe(xcpu_pipe) == 0);
	int st = ut_in_child(cpu_child, NULL);
	EXPECT(ut_killed_by(st, SIGKILL));
	close(xcpu_pipe[1]);
	n = (int)read(xcpu_pipe[0], got, sizeof(got));
	if (n != 2)
		ut_diag("%d SIGXCPU before the SIGKILL, wanted 2 (at 1 s and 2 s)", n);
	EXPECT(n == 2 && got[0] == SIGXCPU && got[1] == SIGXCPU);
	close(xcpu_pipe[0]);
	EXPECT(ut_exited_with(ut_in_child(cpu_default_child, NULL), 0));
}

UT_CASE(limits_sysinfo, 0, 30)
{
	struct sysinfo si;

	EXPECT_ERR(syscall(SYS_sysinfo, BAD), EFAULT);
	ASSERT(sysinfo(&si) == 0);
	EXPECT(si.uptime > 0);
	EXPECT(si.mem_unit >= 1);
	EXPECT(si.totalram > 0 && si.freeram > 0 && si.freeram <= si.totalram);
	EXPECT(si.procs >= 2); /* this one and its parent at least */
	EXPECT(si.totalswap >= si.freeswap);
}

static void affinity_child(void *arg)
{
	cpu_set_t all, set;
	int me = -1;

	(void)arg;
	ASSERT(sched_getaffinity(0, sizeof(all), &all) == 0);
	/* Pinned to each allowed CPU in turn, it is there at once (the call returns
	 * there) and stays there through sleeps and yields. */
	for (int c = 0; c < 8 && c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &all))
			continue;
		me = c;
		CPU_ZERO(&set);
		CPU_SET(me, &set);
		ASSERT(sched_setaffinity(0, sizeof(set), &set) == 0);
		EXPECT(sched_getcpu() == me);
		for (int i = 0; i < 40; i++) {
			if (i % 10 == 0)
				ut_sleep_ms(1);
			else
				sched_yield();
			if (!EXPECT(sched_getcpu() == me))
				break;
		}
	}
	ASSERT(me >= 0);
	/* Inherited by a child. */
	pid_t pid = fork();
	if (pid == 0) {
		cpu_set_t in;

		ut_sleep_ms(5);
		_exit(sched_getaffinity(0, sizeof(in), &in) == 0 && CPU_COUNT(&in) == 1 &&
			      CPU_ISSET(me, &in) && sched_getcpu() == me ? 0 : 1);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 0));
}

UT_CASE(limits_affinity, 0, 30)
{
	unsigned long mask[16];
	cpu_set_t set;

	/* The kernel's mask size comes back; shorter than that, or odd: EINVAL. */
	long n = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
	EXPECT(n >= 8 && n % 8 == 0);
	EXPECT_ERR(syscall(SYS_sched_getaffinity, 0, 4, mask), EINVAL);
	EXPECT_ERR(syscall(SYS_sched_getaffinity, 0, sizeof(mask), BAD), EFAULT);
	EXPECT_ERR(syscall(SYS_sched_getaffinity, 999999, sizeof(mask), mask), ESRCH);
	/* No CPU at all, or only ones that do not exist: EINVAL. */
	memset(mask, 0, sizeof(mask));
	EXPECT_ERR(syscall(SYS_sched_setaffinity, 0, sizeof(mask), mask), EINVAL);
	mask[0] = 1ul << 63;
	EXPECT_ERR(syscall(SYS_sched_setaffinity, 0, 8, mask), EINVAL);
	EXPECT_ERR(syscall(SYS_sched_setaffinity, 0, 8, BAD), EFAULT);
	EXPECT(ut_exited_with(ut_in_child(affinity_child, NULL), 0));
	/* The parent was not pinned by its child. */
	EXPECT(sched_getaffinity(0, sizeof(set), &set) == 0);
}

static void nice_child(void *arg)
{
	pid_t parent = *(pid_t *)arg;
	int base;

	errno = 0;
	base = getpriority(PRIO_PROCESS, 0);
	ASSERT(errno == 0);
	EXPECT(setpriority(PRIO_PROCESS, 0, base + 5) == 0);
	EXPECT(getpriority(PRIO_PROCESS, 0) == base + 5);
	EXPECT(getpriority(PRIO_PROCESS, getpid()) == base + 5);
	EXPECT(setpriority(PRIO_PROCESS, 0, 100) == 0); /* clamped */
	EXPECT(getpriority(PRIO_PROCESS, 0) == 19);
	EXPECT(setpriority(PRIO_PROCESS, 0, base + 5) == 0); /* root may lower it again */
	ASSERT(drop_to(LONELY_UID));
	EXPECT_ERR(setpriority(PRIO_PROCESS, 0, base + 4), EACCES); /* only up */
	EXPECT(setpriority(PRIO_PROCESS, 0, base + 6) == 0);
	EXPECT(getpriority(PRIO_USER, 0) == base + 6);
	EXPECT_ERR(setpriority(PRIO_PROCESS, parent, 10), EPERM);
	EXPECT_ERR(setpriority(3, 0, 0), EINVAL);
	EXPECT_ERR(getpriority(3, 0), EINVAL);
	EXPECT_ERR(setpriority(PRIO_PROCESS, 999999, 0), ESRCH);
	errno = 0;
	EXPECT(getpriority(PRIO_PROCESS, 999999) == -1 && errno == ESRCH);
}

UT_CASE(limits_priority, 0, 30)
{
	pid_t me = getpid();

	EXPECT(ut_exited_with(ut_in_child(nice_child, &me), 0));
	/* Inherited across fork. */
	pid_t pid = fork();
	if (pid == 0) {
		setpriority(PRIO_PROCESS, 0, 7);
		pid_t g = fork();
		if (g == 0)
			_exit(getpriority(PRIO_PROCESS, 0) == 7 ? 0 : 1);
		_exit(ut_exited_with(ut_wait(g), 0) ? 0 : 1);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 0));
}

UT_CASE(limits_personality, 0, 30)
{
	pid_t pid = fork();

	if (pid == 0) {
		int old = personality(0xffffffff);

		if (personality(PER_LINUX | ADDR_NO_RANDOMIZE) != old)
			_exit(1);
		if (personality(0xffffffff) != (PER_LINUX | ADDR_NO_RANDOMIZE))
			_exit(2);
		pid_t g = fork();
		if (g == 0)
			_exit(personality(0xffffffff) == (PER_LINUX | ADDR_NO_RANDOMIZE) ? 0 : 3);
		_exit(ut_exited_with(ut_wait(g), 0) ? 0 : 4);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 0));
}

static void syslog_child(void *arg)
{
	char buf[64];

	(void)arg;
	ASSERT(drop_to(LONELY_UID));
	/* kernel.dmesg_restrict = 1: nothing without CAP_SYSLOG. */
	EXPECT_ERR(klogctl(3, buf, sizeof(buf)), EPERM);
	EXPECT_ERR(klogctl(10, NULL, 0), EPERM);
}

UT_CASE(limits_syslog, 0, 30)
{
	int size = klogctl(10, NULL, 0);
	static char buf[1 << 16];

	EXPECT(size > 0);
	EXPECT(klogctl(9, NULL, 0) >= 0);
	int n = klogctl(3, buf, sizeof(buf) - 1);
	EXPECT(n > 0);
	if (n > 0) {
		buf[n] = '\0';
		/* Records as Linux's syslog reads them back: "<level>[  seconds] text". */
		EXPECT(buf[0] == '<' && strchr(buf, ']') && buf[n - 1] == '\n');
		if (!ut_qemu_user)
			EXPECT(strstr(buf, "harts online") != NULL);
	}
	EXPECT(klogctl(3, buf, 0) == 0);
	EXPECT_ERR(klogctl(8, NULL, 9), EINVAL);
	EXPECT_ERR(klogctl(99, NULL, 0), EINVAL);
	/* qemu-user 7.2 takes the buffer address for the length here (its bug;
	 * Linux's do_syslog checks the buffer, then the length, then access). */
	if (!ut_qemu_user) {
		EXPECT_ERR(klogctl(3, NULL, 10), EINVAL);
		EXPECT_ERR(klogctl(3, buf, -1), EINVAL);
		EXPECT_ERR(klogctl(3, BAD, 16), EFAULT);
	}
	EXPECT(ut_exited_with(ut_in_child(syslog_child, NULL), 0));
	if (ut_qemu_user)
		return; /* the rest would change the host's log */
	/* A small read gets the newest whole lines. */
	n = klogctl(3, buf, 200);
	EXPECT(n > 0 && n <= 200 && buf[n - 1] == '\n');
	/* READ takes unread bytes; CLEAR empties what READ_ALL shows. */
	n = klogctl(2, buf, 16);
	EXPECT(n == 16);
	EXPECT(klogctl(5, NULL, 0) == 0);
	EXPECT(klogctl(3, buf, sizeof(buf)) == 0);
}
