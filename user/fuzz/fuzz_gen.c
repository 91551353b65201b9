// SPDX-License-Identifier: MIT
/*
 * The fuzzer's argument generators and a worker's environment: the arena (the memory every
 * valid pointer points into), the fd pool, the scratch paths.
 *
 * What the generators never produce, because it would end the run or spoil its verdict by
 * design rather than find a bug (docs/reliability.md lists them too):
 *   - a pid of the run's ancestors (the supervisor, init, the shell) or -1 for kill(): the
 *     supervisor must live to count, reap and report;
 *   - a path outside the scratch dirs (/var/tmp/fz) for a call that changes or removes what it
 *     names (unlink, rename, chmod, truncate, open for writing, link sources, mount points):
 *     the programs of the disk image must stay; /dev and /proc files may be opened for
 *     writing;
 *   - MAP_FIXED, munmap, mprotect, mremap, madvise on memory other than the arena: the
 *     worker's own code, stack and the shared counters stay mapped.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define PAGE 4096UL
#define ARENA_SIZE (FZ_ARENA_PAGES * PAGE)

/* Paths that calls may only look at (read, stat, open read-only, exec, list). */
static const char *const rpaths[] = {
	"/", ".", "..", "/dev", "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
	"/dev/urandom", "/dev/tty", "/dev/console", "/proc", "/proc/self", "/proc/self/fd",
	"/proc/self/fd/0", "/proc/self/fd/3", "/proc/self/fd/7", "/proc/self/maps",
	"/proc/self/status", "/proc/self/stat", "/proc/self/cmdline", "/proc/self/environ",
	"/proc/self/task", "/proc/self/fdinfo/3", "/proc/1/cmdline", "/proc/1/maps",
	"/proc/meminfo", "/proc/async", "/proc/stat", "/proc/mounts", "/proc/self/mountinfo",
	"/proc/sys/vm/drop_caches", "/proc/sys/kernel/hostname", "/proc/self/exe",
	"/proc/self/cwd", "/proc/self/root", "/proc/slabinfo", "/sys", "/sys/block",
	"/sys/devices/system/cpu", "/bin", "/bin/true", "/bin/fuzz", "/etc/passwd", "/sbin/init",
	"/nonexistent", "", "/var/tmp/fz", "/tmp", "/dev/null/x", "/proc/self/fd/0/x",
};

/* Names relative to the cwd or a dirfd: none of them is a name of the image's own files. */
static const char *const rel[] = {
	"a", "b", "c", "d", "d/e", "d/e/f", "g", "lnk", "loop", "fifo", "sock", "h/../a", "./b",
	"d/../../c", "mnt",
};

/* Names inside a scratch dir. */
static const char *const wnames[] = {
	"a", "b", "c", "d", "d/e", "d/e/f", "d/x", "g", "lnk", "loop", "dlnk", "fifo", "sock",
	"mnt", "mnt/a", "big", "dev", "lnk/x", "d/../a", "d/e/../../b", "nonexistent/a",
};

/* Writable system paths (devices and generated files). */
static const char *const wsys[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random",
	"/proc/sys/vm/drop_caches", "/proc/sys/kernel/hostname", "/proc/self/comm",
	"/proc/sys/kernel/randomize_va_space",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char long_name[300], long_path[4200];
static char pathbuf[8][4300];
static unsigned pathi;

uint64_t fz_bad_ptr(struct worker *w)
{
	static const uint64_t bad[] = {
		0, 1, 8, 0xfff, 0x1000, 0xffffffffffffffffULL, 0xffffffffffff0000ULL,
		0xffffffc000000000ULL, 0xffffffd000000000ULL, 0xffffffff80000000ULL,
		0xffffffff80200000ULL, 0x8000000000000000ULL, 0x0000004000000000ULL,
		0x0000003ffffff000ULL, 0x0000003ffffffff8ULL, 0x00007ffffffff000ULL,
		0x0000800000000000ULL, 0x80200000ULL, 0x80000000ULL,
	};

	switch (rnd_below(&w->r, 4)) {
	case 0:
		return bad[rnd_below(&w->r, N(bad))];
	case 1: /* the guard page, or straddling into it */
		return (uint64_t)(w->arena + ARENA_SIZE - rnd_below(&w->r, 64));
	case 2: /* the read-only page */
		return (uint64_t)(w->arena + ARENA_SIZE + PAGE + rnd_below(&w->r, PAGE));
	default: /* kernel half, anywhere */
		return 0xffffffc000000000ULL | (rnd(&w->r) & 0x3fffffff8ULL);
	}
}

/* A pointer into the arena (sometimes unaligned, sometimes near its end). */
static uint64_t arena_ptr(struct worker *w)
{
	if (one_in(&w->r, 4))
		return (uint64_t)(w->arena + ARENA_SIZE - 8 * (1 + rnd_below(&w->r, 16)));
	if (one_in(&w->r, 8))
		return (uint64_t)(w->arena + rnd_below(&w->r, ARENA_SIZE));
	return (uint64_t)(w->arena + 8 * rnd_below(&w->r, ARENA_SIZE / 16));
}

/* Fill `words` random words of the arena with values a kernel struct might hold. */
void fz_fill_arena(struct worker *w, unsigned words)
{
	uint64_t *a = (uint64_t *)w->arena;

	for (unsigned i = 0; i < words; i++) {
		uint64_t v;

		switch (rnd_below(&w->r, 8)) {
		case 0:
		case 1:
			v = rnd_below(&w->r, 64);
			break;
		case 2:
		case 3:
			v = arena_ptr(w);
			break;
		case 4:
			v = fz_bad_ptr(w);
			break;
		case 5: /* two small ints (iovec-ish len, timespec nsec, fd pairs) */
			v = rnd_below(&w->r, 4096) | rnd_below(&w->r, 32) << 32;
			break;
		default:
			v = rnd(&w->r);
		}
		a[rnd_below(&w->r, ARENA_SIZE / 8)] = v;
	}
}

static const char *join(struct worker *w, const char *a, const char *b)
{
	char *p = pathbuf[pathi++ % N(pathbuf)];

	snprintf(p, sizeof(pathbuf[0]), "%s/%s", a, b);
	(void)w;
	return p;
}

/* A path the call may change or remove: the worker's scratch dir, the shared one. */
const char *fz_wpath(struct worker *w)
{
	switch (rnd_below(&w->r, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		return join(w, w->dir, wnames[rnd_below(&w->r, N(wnames))]);
	case 4:
	case 5:
		return join(w, "/var/tmp/fz/s", wnames[rnd_below(&w->r, N(wnames))]);
	case 6:
		return rel[rnd_below(&w->r, N(rel))];
	case 7:
		return one_in(&w->r, 2) ? join(w, w->dir, long_name) : long_path;
	case 8: /* a sibling worker's dir */
		return join(w, "/var/tmp/fz", (const char *[]){ "0/a", "1/b", "2/d", "3/d/e",
							  "0/lnk", "1/fifo" }[rnd_below(&w->r, 6)]);
	default:
		return w->dir;
	}
}

/* A path to look at. */
const char *fz_rpath(struct worker *w)
{
	if (one_in(&w->r, 3))
		return fz_wpath(w);
	if (one_in(&w->r, 6))
		return wsys[rnd_below(&w->r, N(wsys))];
	return rpaths[rnd_below(&w->r, N(rpaths))];
}

static uint64_t path_arg(struct worker *w, const char *p)
{
	if (one_in(&w->r, 16))
		return fz_bad_ptr(w);
	if (one_in(&w->r, 32)) { /* unterminated, up to the guard page */
		char *e = w->arena + ARENA_SIZE;
		size_t n = 1 + rnd_below(&w->r, 64);

		memset(e - n, 'a', n);
		return (uint64_t)(e - n);
	}
	return (uint64_t)p;
}

static uint64_t fd_arg(struct worker *w, bool meta)
{
	switch (rnd_below(&w->r, 12)) {
	case 0:
		return (uint64_t)(int64_t)-1;
	case 1:
		return 1000 + rnd_below(&w->r, 100); /* closed */
	case 2:
		return meta ? 0x7fffffff : rnd_below(&w->r, 40);
	case 3:
		return (uint64_t)(meta ? -(int64_t)rnd_below(&w->r, 200) : (int64_t)rnd(&w->r));
	default: {
		int i = (int)rnd_below(&w->r, FZ_POOL);

		for (int k = 0; k < FZ_POOL; k++, i = (i + 1) % FZ_POOL)
			if (w->pool[i] >= 0 && (!meta || w->pool_scratch[i]))
				return (uint64_t)w->pool[i];
		return 1000;
	}
	}
}

static uint64_t len_arg(struct worker *w)
{
	static const uint64_t edge[] = {
		0, 1, 2, 7, 8, 15, 16, 64, 255, 256, 4095, 4096, 4097, 8192, 65536, 0x7fffffff,
		0x80000000ULL, 0xffffffffULL, 0x100000000ULL, 0x7fffffffffffffffULL,
		0xffffffffffffffffULL, 0xfffffffffffff000ULL, (uint64_t)-2, (uint64_t)-4096,
		1ULL << 40, 1ULL << 62,
	};

	if (one_in(&w->r, 3))
		return edge[rnd_below(&w->r, N(edge))];
	return rnd_below(&w->r, one_in(&w->r, 4) ? ARENA_SIZE : 512);
}

static uint64_t flags_arg(struct worker *w)
{
	switch (rnd_below(&w->r, 5)) {
	case 0:
		return 0;
	case 1:
		return 1ULL << rnd_below(&w->r, 32);
	case 2:
		return rnd(&w->r) & 0xffff;
	case 3:
		return rnd(&w->r) & 0xffffffff;
	default:
		return rnd(&w->r);
	}
}

static uint64_t oflags_arg(struct worker *w)
{
	static const int acc[] = { O_RDONLY, O_WRONLY, O_RDWR, 3 };
	uint64_t f = (uint64_t)acc[rnd_below(&w->r, 4)];
	static const int bits[] = { O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NONBLOCK, O_DIRECTORY,
				    O_NOFOLLOW, O_CLOEXEC, O_NOCTTY, O_SYNC, O_PATH, O_TMPFILE,
				    O_DSYNC, O_NOATIME, O_LARGEFILE };

	for (unsigned i = 0, n = (unsigned)rnd_below(&w->r, 4); i < n; i++)
		f |= (uint64_t)bits[rnd_below(&w->r, N(bits))];
	if (one_in(&w->r, 16))
		f |= rnd(&w->r) & 0xffffffff;
	/* Mostly non-blocking: a read on an empty pipe would stall the worker until the
	 * watchdog; some blocking calls stay, for signals to interrupt. */
	if (!one_in(&w->r, 8))
		f |= O_NONBLOCK;
	return f;
}

static uint64_t mode_arg(struct worker *w)
{
	static const unsigned types[] = { 0, S_IFREG, S_IFCHR, S_IFIFO, S_IFSOCK, S_IFDIR,
					  S_IFLNK, S_IFBLK, 0170000 };
	uint64_t m = rnd(&w->r) & 07777;

	if (one_in(&w->r, 2))
		m |= types[rnd_below(&w->r, N(types))];
	if (one_in(&w->r, 16))
		m = rnd(&w->r);
	return m;
}

/* Never an ancestor of the run (pid <= super_pid) nor -1 (kill(-1) would reach them). */
static uint64_t pid_arg(struct worker *w)
{
	pid_t lo = fz_sh->super_pid;

	switch (rnd_below(&w->r, 8)) {
	case 0:
		return 0;
	case 1:
		return (uint64_t)w->pid;
	case 2:
		return (uint64_t)getpid();
	case 3: { /* its own group (a worker leads one) */
		pid_t g = getpgid(0);
		return g > lo ? (uint64_t)(int64_t)-g : 0;
	}
	case 4:
		return (uint64_t)(lo + 1 + (pid_t)rnd_below(&w->r, 400)); /* the run's processes */
	case 5:
		return 0x7fffffff - rnd_below(&w->r, 3);
	case 6:
		return (uint64_t)(int64_t)(-0x7fffffff - 1);
	default: {
		pid_t k = w->kids[rnd_below(&w->r, N(w->kids))];
		return k > lo ? (uint64_t)k : (uint64_t)w->pid;
	}
	}
}

static uint64_t int_arg(struct worker *w)
{
	static const int64_t edge[] = { 0, 1, 2, 3, -1, -2, 0x7fffffff, -0x7fffffff - 1,
					0xffffffffLL, 0x80000000LL, 255, 256, 1024, 65535 };

	if (one_in(&w->r, 2))
		return (uint64_t)edge[rnd_below(&w->r, N(edge))];
	return rnd_below(&w->r, 64);
}

static uint64_t time_arg(struct worker *w)
{
	if (one_in(&w->r, 8))
		return one_in(&w->r, 2) ? 0 : fz_bad_ptr(w);
	/* a timespec (or itimerspec: two of them) of up to 2 ms, in the arena's last page */
	struct timespec *t = (struct timespec *)(w->arena + ARENA_SIZE - PAGE) +
			     rnd_below(&w->r, 8) * 2;
	for (int i = 0; i < 2; i++) {
		t[i].tv_sec = one_in(&w->r, 32) ? (time_t)rnd(&w->r) : 0;
		t[i].tv_nsec = one_in(&w->r, 16) ? (long)rnd(&w->r)
						 : (long)rnd_below(&w->r, 2000000);
	}
	return (uint64_t)t;
}

static uint64_t addr_arg(struct worker *w, bool hint)
{
	if (one_in(&w->r, 6))
		return fz_bad_ptr(w) & (one_in(&w->r, 2) ? ~0xfffULL : ~0ULL);
	if (hint && one_in(&w->r, 3))
		return rnd(&w->r) & 0x3ffffff000ULL;
	return (uint64_t)(w->arena + PAGE * rnd_below(&w->r, FZ_ARENA_PAGES)) +
	       (one_in(&w->r, 16) ? rnd_below(&w->r, PAGE) : 0);
}

static uint64_t mlen_arg(struct worker *w)
{
	static const uint64_t big[] = { 1ULL << 40, 1ULL << 63, (uint64_t)-1, (uint64_t)-4096,
					0x4000000000ULL };

	if (one_in(&w->r, 8))
		return big[rnd_below(&w->r, N(big))];
	if (one_in(&w->r, 8))
		return rnd_below(&w->r, 3 * PAGE);
	return PAGE * (1 + rnd_below(&w->r, 3));
}

static uint64_t cmd_arg(struct worker *w)
{
	static const uint64_t cmds[] = {
		0x5401, 0x5402, 0x5403, 0x5404, 0x540b, 0x540e, 0x540f, 0x5410, 0x5412, 0x5413,
		0x5414, 0x541b, 0x5421, 0x5422, 0x5429, 0x80045430, 0x5451, 0x5450, 0x5437,
		0x541c, 0x5422, 0x8912, 0x4004661e, 0x40086602, 0x80086601, 0x5441, 0x5427,
		0x540a, 0x5408, 0x5409, 0x5406, 0x5407,
	};

	switch (rnd_below(&w->r, 3)) {
	case 0:
		return cmds[rnd_below(&w->r, N(cmds))];
	case 1:
		return rnd_below(&w->r, 64);
	default:
		return rnd(&w->r) & 0xffffffff;
	}
}

uint64_t fz_arg(struct worker *w, enum arg k)
{
	switch (k) {
	case A_NONE:
		return one_in(&w->r, 4) ? rnd(&w->r) : 0;
	case A_FD:
		return fd_arg(w, false);
	case A_MFD:
		return fd_arg(w, true);
	case A_DIRFD:
		return one_in(&w->r, 3) ? (uint64_t)(int64_t)AT_FDCWD : fd_arg(w, false);
	case A_PATH:
		return path_arg(w, fz_rpath(w));
	case A_WPATH:
		return path_arg(w, fz_wpath(w));
	case A_TARGET: {
		static const char *const t[] = { "a", "d", "../a", "/var/tmp/fz/s/a", "loop",
						 "/dev/null", "/proc/self/exe", "/nonexistent",
						 "", "lnk/x", "/proc/self/cwd", "d/e/f" };
		return path_arg(w, t[rnd_below(&w->r, N(t))]);
	}
	case A_BUF:
		return one_in(&w->r, 5) ? fz_bad_ptr(w) : arena_ptr(w);
	case A_LEN:
		return len_arg(w);
	case A_OFF:
		return one_in(&w->r, 4) ? len_arg(w) : rnd_below(&w->r, 3 * 65536);
	case A_FLAGS:
		return flags_arg(w);
	case A_OFLAGS:
		return oflags_arg(w);
	case A_MODE:
		return mode_arg(w);
	case A_PID:
		return pid_arg(w);
	case A_SIG:
		return rnd_below(&w->r, 67);
	case A_ID: {
		static const uint64_t ids[] = { 0, 1, 1000, 65534, (uint64_t)-1, 0xffffffff, 2 };
		return one_in(&w->r, 8) ? rnd(&w->r) : ids[rnd_below(&w->r, N(ids))];
	}
	case A_ADDR:
		return addr_arg(w, false);
	case A_HINT:
		return addr_arg(w, true);
	case A_MLEN:
		return mlen_arg(w);
	case A_TIME:
		return time_arg(w);
	case A_INT:
		return int_arg(w);
	case A_CMD:
		return cmd_arg(w);
	case A_CLOCK:
		return one_in(&w->r, 4) ? rnd(&w->r) & 0xffffffff : rnd_below(&w->r, 12);
	}
	return 0;
}

/* Keep fd (closing the one it displaces, so a worker's fds stay bounded). */
void fz_pool_add(struct worker *w, int fd, bool scratch)
{
	if (fd < 0)
		return;
	int i = (int)rnd_below(&w->r, FZ_POOL);

	for (int k = 0; k < FZ_POOL; k++)
		if (w->pool[(i + k) % FZ_POOL] < 0) {
			i = (i + k) % FZ_POOL;
			break;
		}
	if (w->pool[i] >= 0 && w->pool[i] != fd)
		close(w->pool[i]);
	for (int k = 0; k < FZ_POOL; k++)
		if (w->pool[k] == fd)
			w->pool[k] = -1;
	w->pool[i] = fd;
	w->pool_scratch[i] = scratch;
}

static void on_signal(int sig)
{
	(void)sig;
	/* A syscall from the handler: nested in whatever call the signal interrupted. */
	syscall(SYS_getpid);
}

void fz_worker_setup(struct worker *w)
{
	char p[64];
	int fds[2];

	memset(long_name, 'n', sizeof(long_name) - 1);
	for (size_t i = 0; i + 2 < sizeof(long_path); i += 2)
		memcpy(long_path + i, "d/", 2);
	for (int i = 0; i < FZ_POOL; i++)
		w->pool[i] = -1;
	w->arena = mmap(NULL, ARENA_SIZE + 2 * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->arena == MAP_FAILED)
		_exit(100);
	mprotect(w->arena + ARENA_SIZE, PAGE, PROT_NONE);
	memset(w->arena + ARENA_SIZE + PAGE, 0x5a, PAGE);
	mprotect(w->arena + ARENA_SIZE + PAGE, PAGE, PROT_READ);
	fz_fill_arena(w, ARENA_SIZE / 8);
	/* The heap starts here: brk() never gets below (glibc keeps its TLS below it). */
	w->brk0 = (uintptr_t)sbrk(0);
	sbrk(65536);

	snprintf(w->dir, sizeof(w->dir), "/var/tmp/fz/%d", w->slot);
	mkdir("/var/tmp/fz", 0777);
	mkdir("/var/tmp/fz/s", 0777);
	mkdir(w->dir, 0777);
	chdir(w->dir);
	mkdir("d", 0777);
	mkdir("d/e", 0777);
	symlink("a", "lnk");
	symlink("loop", "loop");
	symlink("d", "dlnk");
	mkfifo("fifo", 0666);
	snprintf(p, sizeof(p), "%s/a", w->dir);
	fz_pool_add(w, open(p, O_RDWR | O_CREAT | O_NONBLOCK, 0644), true);
	fz_pool_add(w, open(w->dir, O_RDONLY | O_DIRECTORY), true);
	fz_pool_add(w, open("/var/tmp/fz/s/a", O_RDWR | O_CREAT | O_APPEND, 0644), true);
	fz_pool_add(w, open("/dev/null", O_RDWR), false);
	fz_pool_add(w, open("/proc/self/status", O_RDONLY), false);
	fz_pool_add(w, open("/", O_RDONLY | O_DIRECTORY), false);
	if (pipe2(fds, O_NONBLOCK) == 0) {
		fz_pool_add(w, fds[0], false);
		fz_pool_add(w, fds[1], false);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0) {
		fz_pool_add(w, fds[0], false);
		fz_pool_add(w, fds[1], false);
	}
	fz_pool_add(w, (int)syscall(SYS_eventfd2, 0, O_NONBLOCK), false);
	fz_pool_add(w, (int)syscall(SYS_epoll_create1, 0), false);

	struct sigaction sa = { .sa_handler = on_signal };
	for (int s = 1; s < 65; s++) {
		if (s == SIGKILL || s == SIGSTOP || s == SIGSEGV || s == SIGBUS || s == SIGILL)
			continue;
		sa.sa_flags = (s & 1) ? SA_RESTART : 0;
		sigaction(s, &sa, NULL);
	}
}
