// SPDX-License-Identifier: MIT
/*
 * fuzz: a syscall fuzzer (issue 16; docs/reliability.md).
 *
 *   fuzz [-s SEED] [-n CALLS] [-p PROCS] [-c CALL,...] [-x CALL,...] [-q] [-v]
 *   fuzz leak CMD [ARGS] [-- CMD [ARGS]]...     (leakcheck.c)
 *
 * The supervisor (this process; init under `make fuzz`) starts PROCS workers (fuzz_calls.c),
 * each in its own session, and replaces each one that ends (they end after a few thousand
 * calls, or when a call kills them) until CALLS calls were made. Meanwhile it sends them
 * signals at random moments, and a watchdog kills a worker that made no call for 3 s (a call
 * that blocks for good is not a bug; one SIGKILL does not end is: "HANG"). Then it kills what
 * is left, reaps everything, removes the scratch dirs (/var/tmp/fz) and prints the calls made and
 * failed per syscall, and one line for the test:
 *
 *   FUZZ: seed=S calls=C errors=E syscalls=K workers=W watchdog=D sigdeaths=X secs=T result=ok
 *
 * -v prints every call before it is made (with the worker's pid), to find the one a panic
 * follows; -q leaves out the per-syscall table; -c makes only the calls named, -x all but
 * them (to narrow a finding down).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

struct fz_shared *fz_sh;

static const char *const errname[FUZZ_NERRNO] = {
	[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR",
	[EIO] = "EIO", [ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC",
	[EBADF] = "EBADF", [ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY", [EEXIST] = "EEXIST",
	[EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR",
	[EINVAL] = "EINVAL", [ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",
	[ETXTBSY] = "ETXTBSY", [EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE",
	[EROFS] = "EROFS", [EMLINK] = "EMLINK", [EPIPE] = "EPIPE", [EDOM] = "EDOM",
	[ERANGE] = "ERANGE", [ENAMETOOLONG] = "ENAMETOOLONG", [ENOSYS] = "ENOSYS",
	[ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP", [EOVERFLOW] = "EOVERFLOW",
	[ENOTSOCK] = "ENOTSOCK", [EDESTADDRREQ] = "EDESTADDRREQ", [EMSGSIZE] = "EMSGSIZE",
	[EPROTOTYPE] = "EPROTOTYPE", [ENOPROTOOPT] = "ENOPROTOOPT",
	[EPROTONOSUPPORT] = "EPROTONOSUPPORT", [EOPNOTSUPP] = "EOPNOTSUPP",
	[EAFNOSUPPORT] = "EAFNOSUPPORT", [EADDRINUSE] = "EADDRINUSE",
	[ECONNRESET] = "ECONNRESET", [EISCONN] = "EISCONN", [ENOTCONN] = "ENOTCONN",
	[ECONNREFUSED] = "ECONNREFUSED", [ETIMEDOUT] = "ETIMEDOUT", [ENOTBLK] = "ENOTBLK",
	[EUCLEAN] = "EUCLEAN", [ESOCKTNOSUPPORT] = "ESOCKTNOSUPPORT",
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };

	nanosleep(&t, NULL);
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP || type == FTW_D) {
		if (rmdir(p) && errno == EBUSY) {
			umount2(p, 0);
			rmdir(p);
		}
	} else {
		unlink(p);
	}
	return 0;
}

/* Unmount what the workers mounted on the scratch dirs (the last mounted first). */
static void umount_scratch(void)
{
	static char buf[16384];

	for (int round = 0; round < 8; round++) {
		int fd = open("/proc/mounts", O_RDONLY), found = 0;
		ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);
		char *last = NULL;

		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = 0;
		for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
			char *sp = strchr(l, ' ');
			if (sp && !strncmp(sp + 1, "/var/tmp/fz/", 12))
				last = sp + 1;
		}
		if (!last)
			return;
		char *end = strchr(last, ' ');
		if (end)
			*end = 0;
		found = umount2(last, 0) == 0 || umount2(last, MNT_DETACH) == 0;
		if (!found)
			printf("fuzz: umount %s: %s\n", last, strerror(errno));
	}
}

/* Remove /var/tmp/fz (mounts on it first): what a run leaves must not count as a leak. */
static bool rm_scratch(void)
{
	umount_scratch();
	for (int i = 0; i < 4; i++) {
		chmod("/var/tmp/fz", 0777);
		nftw("/var/tmp/fz", rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
		if (access("/var/tmp/fz", F_OK))
			return true;
		nftw("/var/tmp/fz", rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (rmdir("/var/tmp/fz") == 0)
		return true;
	printf("fuzz: /var/tmp/fz not removed (%s; uid %d euid %d)\n", strerror(errno),
	       (int)getuid(), (int)geteuid());
	return false;
}

/*
 * Kill the run's processes still in /proc once every child was killed and reaped: those that
 * left their worker's group and are no child of ours (orphans, reparented to init). Every pid
 * above ours is the run's (pids grow). How many were left; each printed when loud.
 */
static unsigned kill_leftovers(bool loud)
{
	static char buf[2048];
	unsigned n = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		char path[64];

		if (pid <= getpid())
			continue;
		n++;
		kill(pid, SIGKILL);
		if (!loud)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		int fd = open(path, O_RDONLY);
		ssize_t k = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		buf[k > 0 ? k : 0] = 0;
		char *st = strstr(buf, "State:"), *pp = strstr(buf, "PPid:");
		printf("fuzz: left: pid %d %.*s %.*s\n", pid, st ? (int)strcspn(st, "\n") : 0,
		       st ? st : "", pp ? (int)strcspn(pp, "\n") : 0, pp ? pp : "");
	}
	if (d)
		closedir(d);
	return n;
}

static pid_t spawn(int slot)
{
	struct fz_slot *s = &fz_sh->slot[slot];
	unsigned gen = s->gen++;
	pid_t p = fork();

	if (p == 0)
		fz_worker(slot, gen);
	if (p > 0)
		atomic_store(&s->pid, p);
	return p;
}

static void report(double secs, unsigned workers, unsigned watchdog, bool quiet, bool hang)
{
	unsigned long calls = 0, errs = 0, deaths = 0;
	unsigned kinds = 0;

	for (int nr = 0; nr < FUZZ_MAX_NR; nr++) {
		unsigned long c = fz_sh->count[nr].calls, e = fz_sh->count[nr].errs;

		if (!c)
			continue;
		calls += c;
		errs += e;
		kinds++;
		if (quiet)
			continue;
		const char *name = "?";
		for (unsigned i = 0; i < fz_ncalls; i++)
			if (fz_calls[i].nr == nr)
				name = fz_calls[i].name;
		int top = 0, top2 = 0;
		for (int k = 1; k < FUZZ_NERRNO; k++) {
			if (fz_sh->err_by_nr[nr][k] > fz_sh->err_by_nr[nr][top]) {
				top2 = top;
				top = k;
			} else if (fz_sh->err_by_nr[nr][k] > fz_sh->err_by_nr[nr][top2]) {
				top2 = k;
			}
		}
		printf("  %-18s %8lu calls %8lu failed", name, c, e);
		for (int k = 0; k < 2; k++) {
			int x = k ? top2 : top;
			if (x && fz_sh->err_by_nr[nr][x])
				printf("  %s %u", errname[x] ? errname[x] : "errno",
				       (unsigned)fz_sh->err_by_nr[nr][x]);
		}
		printf("\n");
	}
	for (int s = 1; s < 65; s++)
		deaths += fz_sh->deaths[s];
	if (!quiet) {
		printf("  arena faults survived: %lu; ended by signal:",
		       (unsigned long)fz_sh->deaths[0]);
		for (int s = 1; s < 65; s++)
			if (fz_sh->deaths[s])
				printf(" %d:%lu", s, (unsigned long)fz_sh->deaths[s]);
		printf("\n");
	}
	printf("FUZZ: seed=%llu calls=%lu errors=%lu syscalls=%u workers=%u watchdog=%u "
	       "sigdeaths=%lu secs=%.1f result=%s\n",
	       (unsigned long long)fz_sh->seed, calls, errs, kinds, workers, watchdog, deaths,
	       secs, hang ? "hang" : "ok");
	fflush(stdout);
}

static const int storm[] = { SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGWINCH, SIGURG, SIGCONT,
			     SIGSTOP, SIGTSTP, SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGIO, 34, 40,
			     50, 64, SIGQUIT, SIGKILL };

int main(int argc, char **argv)
{
	uint64_t seed = 1, limit = 20000;
	int procs = 6, opt;
	bool quiet = false, verbose = false;

	if (argc > 1 && !strcmp(argv[1], "leak"))
		return fz_leak_main(argc - 1, argv + 1);
	while ((opt = getopt(argc, argv, "s:n:p:c:x:qv")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			limit = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			procs = atoi(optarg);
			break;
		case 'c':
		case 'x':
			if (fz_select(optarg, opt == 'c')) {
				fprintf(stderr, "fuzz: no such call in %s\n", optarg);
				return 2;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "usage: fuzz [-s seed] [-n calls] [-p procs] [-c call,...] [-x call,...] "
					"[-q] [-v]\n");
			return 2;
		}
	}
	if (procs < 1 || procs > FUZZ_MAX_SLOTS)
		procs = 6;
	fz_sh = mmap(NULL, sizeof(*fz_sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	if (fz_sh == MAP_FAILED) {
		perror("fuzz: mmap");
		return 2;
	}
	fz_sh->limit = limit;
	fz_sh->seed = seed;
	fz_sh->super_pid = getpid();
	fz_sh->verbose = verbose;

	/* Workers may send anything to anyone their pid rules allow, and set the console's
	 * modes: the supervisor ignores what it can, and puts the console back at the end. */
	for (int s = 1; s < 65; s++)
		if (s != SIGCHLD && s != SIGKILL && s != SIGSTOP && s != SIGSEGV && s != SIGBUS)
			signal(s, SIG_IGN);
	struct termios tio;
	bool tty = tcgetattr(1, &tio) == 0;

	rm_scratch();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("fuzz: seed %llu, %llu calls, %d workers\n", (unsigned long long)seed,
	       (unsigned long long)limit, procs);

	struct rng r = { fz_mix(seed ^ 0x5eed) };
	unsigned long last_calls[FUZZ_MAX_SLOTS] = { 0 };
	double last_move[FUZZ_MAX_SLOTS] = { 0 }, killed_at[FUZZ_MAX_SLOTS] = { 0 };
	pid_t stopped = 0;
	unsigned workers = 0, watchdog = 0;
	double t0 = now_s(), next_note = t0 + 10;
	bool hang = false;

	for (;;) {
		int st;
		pid_t p;
		double t = now_s();

		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			if (WIFSIGNALED(st))
				fz_sh->deaths[WTERMSIG(st) & 63]++;
			for (int i = 0; i < procs; i++)
				if (fz_sh->slot[i].pid == p) {
					fz_sh->slot[i].pid = 0;
					killed_at[i] = 0;
				}
			if (p == stopped)
				stopped = 0;
		}
		bool done = fz_sh->issued >= limit, busy = false;
		for (int i = 0; i < procs; i++) {
			struct fz_slot *s = &fz_sh->slot[i];

			if (s->pid) {
				busy = true;
			} else if (!done && spawn(i) > 0) {
				workers++;
				last_move[i] = t;
				killed_at[i] = 0;
			}
		}
		if (done && !busy)
			break;
		/* The watchdog: no call for 3 s is a stuck worker; unkillable in 20 s a hang. */
		for (int i = 0; i < procs; i++) {
			struct fz_slot *s = &fz_sh->slot[i];

			if (!s->pid)
				continue;
			if (s->calls != last_calls[i]) {
				last_calls[i] = s->calls;
				last_move[i] = t;
			} else if (!killed_at[i] && t - last_move[i] > 3) {
				kill(-s->pid, SIGKILL);
				kill(s->pid, SIGKILL);
				killed_at[i] = t;
				watchdog++;
			} else if (killed_at[i] && t - killed_at[i] > 20 && !hang) {
				printf("fuzz: HANG: worker %d (pid %d) survives SIGKILL in call %ld "
				       "(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n",
				       i, (int)s->pid, (long)s->cur_nr, s->cur_args[0],
				       s->cur_args[1], s->cur_args[2], s->cur_args[3],
				       s->cur_args[4], s->cur_args[5]);
				hang = true;
			}
		}
		if (hang)
			break;
		/* Signals at random moments. */
		if (stopped) {
			kill(stopped, SIGCONT);
			stopped = 0;
		} else if (one_in(&r, 2)) {
			int i = (int)rnd_below(&r, (uint64_t)procs);
			pid_t p2 = fz_sh->slot[i].pid;
			int sig = storm[rnd_below(&r, sizeof(storm) / sizeof(storm[0]) -
							      (one_in(&r, 50) ? 0 : 1))];

			if (p2 > 0) {
				kill(p2, sig);
				if (sig == SIGSTOP || sig == SIGTSTP)
					stopped = p2;
			}
		}
		if (t > next_note) {
			printf("fuzz: %lu calls issued, %.0f s\n", (unsigned long)fz_sh->issued,
			       t - t0);
			next_note = t + 10;
		}
		sleep_ms(2 + (long)rnd_below(&r, 8));
	}
	/* What is left: children of workers that changed group, orphans. */
	if (getpid() == 1)
		kill(-1, SIGKILL);
	for (int i = 0; i < procs; i++)
		if (fz_sh->slot[i].pid)
			kill(-fz_sh->slot[i].pid, SIGKILL);
	double until = now_s() + 20;
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p < 0 && errno == ECHILD)
			break;
		if (p > 0) {
			if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
				fz_sh->deaths[WTERMSIG(st) & 63]++;
			continue;
		}
		if (now_s() > until) {
			if (getpid() == 1) {
				printf("fuzz: HANG: processes survive SIGKILL for 20 s\n");
				hang = true;
			}
			break;
		}
		if (getpid() == 1)
			kill(-1, SIGKILL);
		sleep_ms(10);
	}
	/* Orphans outside the workers' groups, and (not init) no children of ours. */
	until = now_s() + 20;
	unsigned left = 0;
	while ((left = kill_leftovers(false)) && now_s() < until) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		sleep_ms(20);
	}
	if (left) {
		kill_leftovers(true);
		printf("fuzz: HANG: %u processes survive SIGKILL for 20 s\n", left);
		hang = true;
	}
	bool clean = rm_scratch();
	if (tty) {
		tcflow(1, TCOON);
		tcsetattr(1, TCSANOW, &tio);
	}
	report(now_s() - t0, workers, watchdog, quiet, hang);
	if (!clean) /* why: the mounts, the dirs left */
		system("cat /proc/mounts; ls -laR /var/tmp/fz | head -60");
	return hang ? 3 : 0;
}
