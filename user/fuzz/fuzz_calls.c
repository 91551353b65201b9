// SPDX-License-Identifier: MIT
/*
 * The fuzzer's call table and a worker's loop. Each entry names a syscall, how often to make
 * it, and the kind of each argument (fuzz.h: enum arg); `fix` rewrites the arguments a kind
 * cannot say (open flags by path, clone flags, a sockaddr).
 *
 * Left out or held back by design (they would end the run, not find a bug):
 *   reboot      only with a command that neither halts, restarts nor powers off
 *   syslog      not actions 6, 7, 8 (console off, on, level): a panic must stay visible
 *   exit, exit_group   made rarely: they end the worker, which is replaced
 *   clone, clone3      without CLONE_VM (a child on the parent's stack corrupts it)
 *   execve      of /bin/true, malformed ELF files, non-executables, bad pointers only
 *   mount, umount2     on the scratch dirs only; MS_MOVE and MS_BIND sources there too
 *   clock_settime, settimeofday   to the current time or invalid values only (a clock far in
 *               the future or past makes e2fsck complain about the superblock's times)
 *   ioctl       TCXONC never stops the console's output, TIOCSTI never sends ^S: the report
 *               must reach the console
 * and the pid, path and address rules of fuzz_gen.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

#define PAGE 4096UL


/* ---- fix-ups ------------------------------------------------------------------------ */

bool fz_is_scratch(const char *p)
{
	return p[0] != '/' || !strncmp(p, "/var/tmp/fz/", 12);
}

static bool is_wsys(const char *p)
{
	return !strncmp(p, "/dev/", 5) || !strncmp(p, "/proc/sys/", 10) ||
	       !strcmp(p, "/proc/self/comm");
}

static void fix_openat(struct worker *w, uint64_t a[6])
{
	const char *p = one_in(&w->r, 2) ? fz_wpath(w) : fz_rpath(w);

	if (one_in(&w->r, 16)) {
		a[1] = fz_bad_ptr(w);
		return;
	}
	a[1] = (uint64_t)p;
	/* Outside the scratch dirs (and the writable devices and sysctls) read-only. */
	if (!fz_is_scratch(p) || (p[0] != '/' && !one_in(&w->r, 2))) {
		if (!is_wsys(p) || !strcmp(p, "/dev/console") || !strcmp(p, "/dev/tty"))
			a[2] &= ~(uint64_t)(O_WRONLY | O_RDWR | O_TRUNC | O_CREAT | 020000000);
	}
}

static void fix_clone(struct worker *w, uint64_t a[6])
{
	a[0] &= ~(uint64_t)(CLONE_VM | CLONE_SETTLS);
	if (!one_in(&w->r, 4))
		a[0] = (a[0] & ~0xffULL & (rnd(&w->r) & 0x3f000000)) | SIGCHLD;
	a[1] = 0;
}

static void fix_clone3(struct worker *w, uint64_t a[6])
{
	uint64_t *ca = (uint64_t *)(w->arena + 4 * PAGE);

	memset(ca, 0, 88);
	ca[0] = (one_in(&w->r, 4) ? rnd(&w->r) : (rnd(&w->r) & 0x3f000000)) &
		~(uint64_t)(CLONE_VM | CLONE_SETTLS);
	ca[4] = one_in(&w->r, 4) ? rnd_below(&w->r, 70) : SIGCHLD;
	if (one_in(&w->r, 4)) { /* a set_tid array, a cgroup */
		ca[8] = (uint64_t)(w->arena + 8);
		ca[9] = rnd_below(&w->r, 40);
		ca[10] = rnd_below(&w->r, 100);
	}
	a[0] = one_in(&w->r, 8) ? fz_bad_ptr(w) : (uint64_t)ca;
	if (!one_in(&w->r, 4))
		a[1] = one_in(&w->r, 2) ? 64 : 88;
}

static void fix_execve(struct worker *w, uint64_t a[6])
{
	static const char *const p[] = { "/bin/true", "x.elf", "/var/tmp/fz/s/a", "a", "/dev/null",
					 "/var/tmp/fz", "/nonexistent", "lnk", "loop", "fifo" };
	static char *argv[] = { "true", "x", NULL };

	a[0] = one_in(&w->r, 8) ? fz_bad_ptr(w) : (uint64_t)p[rnd_below(&w->r, 10)];
	if (one_in(&w->r, 2))
		a[1] = (uint64_t)argv;
	if (one_in(&w->r, 2))
		a[2] = one_in(&w->r, 2) ? 0 : (uint64_t)(argv + 2);
}

static void fix_reboot(struct worker *w, uint64_t a[6])
{
	static const uint64_t stop[] = { 0x01234567, 0xcdef0123, 0x4321fedc, 0xa1b2c3d4,
					 0xd000fce2, 0x45584543 };

	if (one_in(&w->r, 2)) {
		a[0] = 0xfee1dead;
		a[1] = 672274793;
	}
	for (unsigned i = 0; i < 6; i++)
		if ((uint32_t)a[2] == stop[i])
			a[2] = 0x89abcdef; /* CAD on */
}

static void fix_syslog(struct worker *w, uint64_t a[6])
{
	(void)w;
	a[0] = (uint32_t)a[0] % 11;
	if (a[0] >= 6 && a[0] <= 8)
		a[0] = 3;
}

static void fix_mount(struct worker *w, uint64_t a[6])
{
	static const char *const types[] = { "proc", "sysfs", "ext2", "tmpfs", "ramfs", "",
					     "none", "devtmpfs" };
	static const char *const src[] = { "none", "proc", "/dev/null", "", "/dev/zero" };

	a[0] = (uint64_t)(one_in(&w->r, 2) ? fz_wpath(w) : src[rnd_below(&w->r, 5)]);
	a[1] = one_in(&w->r, 16) ? fz_bad_ptr(w) : (uint64_t)fz_wpath(w);
	a[2] = one_in(&w->r, 16) ? fz_bad_ptr(w) : (uint64_t)types[rnd_below(&w->r, 8)];
	if (one_in(&w->r, 2))
		a[3] &= (uint64_t)(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_REMOUNT |
				   MS_BIND | MS_MOVE | MS_REC | MS_SILENT | MS_PRIVATE);
	if (a[3] & (MS_MOVE | MS_BIND))
		a[0] = (uint64_t)fz_wpath(w);
}

static void fix_brk(struct worker *w, uint64_t a[6])
{
	if (!one_in(&w->r, 4))
		a[0] = w->brk0 + rnd_below(&w->r, 1 << 20);
	else if (one_in(&w->r, 2))
		a[0] = 0;
}

static void fix_mmap(struct worker *w, uint64_t a[6])
{
	uint64_t arena = (uint64_t)w->arena;

	a[3] = one_in(&w->r, 4) ? rnd(&w->r) & 0xfffff
				: (uint64_t)(one_in(&w->r, 2) ? MAP_PRIVATE : MAP_SHARED) |
					  (one_in(&w->r, 2) ? MAP_ANONYMOUS : 0) |
					  (one_in(&w->r, 4) ? MAP_FIXED : 0) |
					  (one_in(&w->r, 8) ? MAP_POPULATE : 0);
	if ((a[3] & (MAP_FIXED | 0x100000)) == MAP_FIXED &&
	    (a[0] < arena || a[0] >= arena + FZ_ARENA_PAGES * PAGE))
		a[3] &= ~(uint64_t)MAP_FIXED;
	if (one_in(&w->r, 2))
		a[2] &= 7;
	if (!one_in(&w->r, 8))
		a[5] &= ~0xfffULL;
	if (one_in(&w->r, 64)) /* a big one, for memory pressure */
		a[1] = (4 + rnd_below(&w->r, 12)) << 20;
}

static void fix_mremap(struct worker *w, uint64_t a[6])
{
	(void)w;
	a[3] &= 7; /* MAYMOVE, FIXED, DONTUNMAP: the new place is an A_ADDR too */
}

static void fix_settime(struct worker *w, uint64_t a[6])
{
	struct timespec *t = (struct timespec *)(w->arena + 5 * PAGE);

	/* The time it is (or an invalid one): never a jump. */
	clock_gettime(CLOCK_REALTIME, t);
	if (a[0] == CLOCK_REALTIME || one_in(&w->r, 2)) {
		if (one_in(&w->r, 4))
			t->tv_nsec = one_in(&w->r, 2) ? -1 : 1000000000;
		a[1] = one_in(&w->r, 8) ? fz_bad_ptr(w) : (uint64_t)t;
	}
}

static void fix_settimeofday(struct worker *w, uint64_t a[6])
{
	struct timespec now;
	uint64_t *tv = (uint64_t *)(w->arena + 5 * PAGE);

	clock_gettime(CLOCK_REALTIME, &now);
	tv[0] = (uint64_t)now.tv_sec;
	tv[1] = one_in(&w->r, 4) ? 1000000 : (uint64_t)now.tv_nsec / 1000;
	a[0] = one_in(&w->r, 8) ? fz_bad_ptr(w) : one_in(&w->r, 4) ? 0 : (uint64_t)tv;
}

static void fix_ioctl(struct worker *w, uint64_t a[6])
{
	if ((uint32_t)a[1] == 0x540a && a[2] == 0) /* TCXONC TCOOFF */
		a[2] = 1;
	if ((uint32_t)a[1] == 0x5412) {            /* TIOCSTI: a byte, never ^S */
		char *c = w->arena + 5 * PAGE;
		*c = "a\n\x03\x1a\x04\x7f"[rnd_below(&w->r, 6)];
		a[2] = (uint64_t)c;
	}
}

static void fix_sockaddr(struct worker *w, uint64_t a[6])
{
	struct sockaddr_un *u = (struct sockaddr_un *)(w->arena + 5 * PAGE + 256);

	if (one_in(&w->r, 4))
		return;
	memset(u, 0, sizeof(*u));
	u->sun_family = one_in(&w->r, 8) ? (sa_family_t)rnd(&w->r) : AF_UNIX;
	if (one_in(&w->r, 4)) /* abstract */
		snprintf(u->sun_path + 1, sizeof(u->sun_path) - 1, "fz%d", (int)rnd_below(&w->r, 4));
	else
		snprintf(u->sun_path, sizeof(u->sun_path), "%s", fz_wpath(w));
	a[1] = (uint64_t)u;
	a[2] = one_in(&w->r, 4) ? rnd_below(&w->r, 200) : sizeof(*u);
}

static void fix_socket(struct worker *w, uint64_t a[6])
{
	if (!one_in(&w->r, 4))
		a[0] = AF_UNIX;
	if (!one_in(&w->r, 4))
		a[1] = (uint64_t)(one_in(&w->r, 2) ? SOCK_STREAM : SOCK_DGRAM) |
		       (one_in(&w->r, 4) ? SOCK_SEQPACKET : 0) | SOCK_NONBLOCK;
	if (!one_in(&w->r, 4))
		a[2] = 0;
}

static void fix_socketpair(struct worker *w, uint64_t a[6])
{
	fix_socket(w, a);
	if (!one_in(&w->r, 4)) /* the pair lands in the arena's page 6, to be kept */
		a[3] = (uint64_t)(w->arena + 6 * PAGE);
}

static void fix_pipe2(struct worker *w, uint64_t a[6])
{
	if (!one_in(&w->r, 4))
		a[0] = (uint64_t)(w->arena + 6 * PAGE);
	if (!one_in(&w->r, 4))
		a[1] = O_NONBLOCK | (one_in(&w->r, 2) ? O_CLOEXEC : 0);
}

static void fix_wait(struct worker *w, uint64_t a[6])
{
	if (!one_in(&w->r, 4))
		a[2] = (a[2] & (WUNTRACED | WCONTINUED | 0x40000000)) | WNOHANG;
}

static void fix_waitid(struct worker *w, uint64_t a[6])
{
	a[0] = rnd_below(&w->r, 4);
	if (!one_in(&w->r, 4))
		a[3] |= WNOHANG;
}

static void fix_mknod(struct worker *w, uint64_t a[6])
{
	/* No block device with a real disk's number: writing it would be the fuzzer's corruption. */
	(void)w;
	if ((a[2] & 0170000) == 060000)
		a[3] &= 0xff;
}

static void fix_sigaction(struct worker *w, uint64_t a[6])
{
	uint64_t *k = (uint64_t *)(w->arena + 5 * PAGE + 512);

	k[0] = one_in(&w->r, 16) ? fz_bad_ptr(w) : one_in(&w->r, 3) ? rnd_below(&w->r, 2)
								     : (uint64_t)fz_handler;
	k[1] = one_in(&w->r, 2) ? rnd(&w->r) & 0xfc000004ULL : 0;
	k[2] = one_in(&w->r, 4) ? rnd(&w->r) : 0;
	if (!one_in(&w->r, 4))
		a[1] = (uint64_t)k;
	if (!one_in(&w->r, 4))
		a[3] = 8;
	/* Signals the supervisor sends keep a handler or the default: SIGSTOP, SIGCONT. */
}

static void fix_sigmask(struct worker *w, uint64_t a[6])
{
	uint64_t *m = (uint64_t *)(w->arena + 5 * PAGE + 640);

	*m = one_in(&w->r, 2) ? rnd(&w->r) : 1ULL << rnd_below(&w->r, 64);
	if (!one_in(&w->r, 4)) {
		a[1] = (uint64_t)m;
		a[0] = rnd_below(&w->r, 4);
	}
	if (!one_in(&w->r, 4))
		a[3] = 8;
}

static void fix_sigset(struct worker *w, uint64_t a[6])
{
	uint64_t *m = (uint64_t *)(w->arena + 5 * PAGE + 648);

	*m = rnd(&w->r);
	if (!one_in(&w->r, 4))
		a[0] = (uint64_t)m;
	if (!one_in(&w->r, 4))
		a[1] = 8;
}

static void fix_sigtimedwait(struct worker *w, uint64_t a[6])
{
	fix_sigset(w, a);
	a[3] = 8;
}

static void fix_epoll_wait(struct worker *w, uint64_t a[6])
{
	if (!one_in(&w->r, 4))
		a[3] = rnd_below(&w->r, 3);
	if (!one_in(&w->r, 4))
		a[5] = 8;
}

static void fix_futex(struct worker *w, uint64_t a[6])
{
	if (!one_in(&w->r, 3))
		a[1] = rnd_below(&w->r, 14) | (one_in(&w->r, 2) ? 128 : 0) |
		       (one_in(&w->r, 4) ? 256 : 0);
}

static void fix_fcntl(struct worker *w, uint64_t a[6])
{
	if (!one_in(&w->r, 4))
		a[1] = rnd_below(&w->r, 17);
	else if (one_in(&w->r, 2))
		a[1] = 1024 + rnd_below(&w->r, 20);
}

static void fix_setitimer(struct worker *w, uint64_t a[6])
{
	a[0] = rnd_below(&w->r, 4);
}

/* ---- the table ---------------------------------------------------------------------- */

#define S(nm, wt, rf, a0, a1, a2, a3, a4, a5, fx)                                     \
	{ .name = #nm, .nr = SYS_##nm, .weight = wt, .ret_fd = rf,                      \
	  .args = { a0, a1, a2, a3, a4, a5 }, .fix = fx }
#define _ A_NONE

const struct fz_call fz_calls[] = {
	S(getcwd, 2, 0, A_BUF, A_LEN, _, _, _, _, NULL),
	S(eventfd2, 2, 1, A_INT, A_FLAGS, _, _, _, _, NULL),
	S(epoll_create1, 2, 1, A_FLAGS, _, _, _, _, _, NULL),
	S(epoll_ctl, 6, 0, A_FD, A_INT, A_FD, A_BUF, _, _, NULL),
	S(epoll_pwait, 4, 0, A_FD, A_BUF, A_INT, A_INT, A_BUF, A_LEN, fix_epoll_wait),
	S(epoll_pwait2, 2, 0, A_FD, A_BUF, A_INT, A_TIME, A_BUF, A_LEN, NULL),
	S(dup, 4, 1, A_FD, _, _, _, _, _, NULL),
	S(dup3, 4, 1, A_FD, A_INT, A_FLAGS, _, _, _, NULL),
	S(fcntl, 8, 0, A_FD, A_INT, A_INT, _, _, _, fix_fcntl),
	S(ioctl, 10, 0, A_FD, A_CMD, A_BUF, _, _, _, fix_ioctl),
	S(mknodat, 4, 0, A_DIRFD, A_WPATH, A_MODE, A_INT, _, _, fix_mknod),
	S(mkdirat, 6, 0, A_DIRFD, A_WPATH, A_MODE, _, _, _, NULL),
	S(unlinkat, 8, 0, A_DIRFD, A_WPATH, A_FLAGS, _, _, _, NULL),
	S(symlinkat, 5, 0, A_TARGET, A_DIRFD, A_WPATH, _, _, _, NULL),
	S(linkat, 5, 0, A_DIRFD, A_WPATH, A_DIRFD, A_WPATH, A_FLAGS, _, NULL),
	S(umount2, 2, 0, A_WPATH, A_FLAGS, _, _, _, _, NULL),
	S(mount, 2, 0, A_PATH, A_WPATH, A_BUF, A_FLAGS, A_BUF, _, fix_mount),
	S(statfs, 2, 0, A_PATH, A_BUF, _, _, _, _, NULL),
	S(fstatfs, 2, 0, A_FD, A_BUF, _, _, _, _, NULL),
	S(truncate, 4, 0, A_WPATH, A_OFF, _, _, _, _, NULL),
	S(ftruncate, 4, 0, A_FD, A_OFF, _, _, _, _, NULL),
	S(faccessat, 3, 0, A_DIRFD, A_PATH, A_INT, _, _, _, NULL),
	S(faccessat2, 3, 0, A_DIRFD, A_PATH, A_INT, A_FLAGS, _, _, NULL),
	S(chdir, 3, 0, A_PATH, _, _, _, _, _, NULL),
	S(fchdir, 2, 0, A_FD, _, _, _, _, _, NULL),
	S(fchmod, 2, 0, A_MFD, A_MODE, _, _, _, _, NULL),
	S(fchmodat, 3, 0, A_DIRFD, A_WPATH, A_MODE, _, _, _, NULL),
	S(fchmodat2, 2, 0, A_DIRFD, A_WPATH, A_MODE, A_FLAGS, _, _, NULL),
	S(fchownat, 3, 0, A_DIRFD, A_WPATH, A_ID, A_ID, A_FLAGS, _, NULL),
	S(fchown, 2, 0, A_MFD, A_ID, A_ID, _, _, _, NULL),
	S(openat, 16, 1, A_DIRFD, A_PATH, A_OFLAGS, A_MODE, _, _, fix_openat),
	S(close, 6, 0, A_FD, _, _, _, _, _, NULL),
	S(pipe2, 4, 0, A_BUF, A_FLAGS, _, _, _, _, fix_pipe2),
	S(getdents64, 6, 0, A_FD, A_BUF, A_LEN, _, _, _, NULL),
	S(lseek, 4, 0, A_FD, A_OFF, A_INT, _, _, _, NULL),
	S(read, 12, 0, A_FD, A_BUF, A_LEN, _, _, _, NULL),
	S(write, 12, 0, A_FD, A_BUF, A_LEN, _, _, _, NULL),
	S(readv, 4, 0, A_FD, A_BUF, A_INT, _, _, _, NULL),
	S(writev, 4, 0, A_FD, A_BUF, A_INT, _, _, _, NULL),
	S(pread64, 4, 0, A_FD, A_BUF, A_LEN, A_OFF, _, _, NULL),
	S(pwrite64, 4, 0, A_FD, A_BUF, A_LEN, A_OFF, _, _, NULL),
	S(pselect6, 3, 0, A_INT, A_BUF, A_BUF, A_BUF, A_TIME, A_BUF, NULL),
	S(ppoll, 4, 0, A_BUF, A_INT, A_TIME, A_BUF, A_LEN, _, NULL),
	S(signalfd4, 2, 1, A_FD, A_BUF, A_LEN, A_FLAGS, _, _, NULL),
	S(readlinkat, 3, 0, A_DIRFD, A_PATH, A_BUF, A_LEN, _, _, NULL),
	S(newfstatat, 6, 0, A_DIRFD, A_PATH, A_BUF, A_FLAGS, _, _, NULL),
	S(fstat, 4, 0, A_FD, A_BUF, _, _, _, _, NULL),
	S(sync, 1, 0, _, _, _, _, _, _, NULL),
	S(fsync, 2, 0, A_FD, _, _, _, _, _, NULL),
	S(fdatasync, 2, 0, A_FD, _, _, _, _, _, NULL),
	S(timerfd_create, 2, 1, A_CLOCK, A_FLAGS, _, _, _, _, NULL),
	S(timerfd_settime, 3, 0, A_FD, A_FLAGS, A_TIME, A_BUF, _, _, NULL),
	S(timerfd_gettime, 2, 0, A_FD, A_BUF, _, _, _, _, NULL),
	S(utimensat, 3, 0, A_DIRFD, A_WPATH, A_TIME, A_FLAGS, _, _, NULL),
	S(personality, 1, 0, A_FLAGS, _, _, _, _, _, NULL),
	S(exit, 1, 0, A_INT, _, _, _, _, _, NULL),
	S(exit_group, 1, 0, A_INT, _, _, _, _, _, NULL),
	S(waitid, 3, 0, A_INT, A_PID, A_BUF, A_FLAGS, A_BUF, _, fix_waitid),
	S(set_tid_address, 1, 0, A_BUF, _, _, _, _, _, NULL),
	S(futex, 4, 0, A_BUF, A_INT, A_INT, A_TIME, A_BUF, A_INT, fix_futex),
	S(set_robust_list, 1, 0, A_BUF, A_LEN, _, _, _, _, NULL),
	S(get_robust_list, 1, 0, A_PID, A_BUF, A_BUF, _, _, _, NULL),
	S(nanosleep, 2, 0, A_TIME, A_BUF, _, _, _, _, NULL),
	S(getitimer, 1, 0, A_INT, A_BUF, _, _, _, _, NULL),
	S(setitimer, 2, 0, A_INT, A_TIME, A_BUF, _, _, _, fix_setitimer),
	S(timer_create, 2, 0, A_CLOCK, A_BUF, A_BUF, _, _, _, NULL),
	S(timer_gettime, 1, 0, A_INT, A_BUF, _, _, _, _, NULL),
	S(timer_getoverrun, 1, 0, A_INT, _, _, _, _, _, NULL),
	S(timer_settime, 2, 0, A_INT, A_FLAGS, A_TIME, A_BUF, _, _, NULL),
	S(timer_delete, 1, 0, A_INT, _, _, _, _, _, NULL),
	S(clock_settime, 1, 0, A_CLOCK, A_TIME, _, _, _, _, fix_settime),
	S(clock_gettime, 2, 0, A_CLOCK, A_BUF, _, _, _, _, NULL),
	S(clock_getres, 1, 0, A_CLOCK, A_BUF, _, _, _, _, NULL),
	S(clock_nanosleep, 2, 0, A_CLOCK, A_FLAGS, A_TIME, A_BUF, _, _, NULL),
	S(syslog, 2, 0, A_INT, A_BUF, A_LEN, _, _, _, fix_syslog),
	S(sched_setaffinity, 2, 0, A_PID, A_LEN, A_BUF, _, _, _, NULL),
	S(sched_getaffinity, 2, 0, A_PID, A_LEN, A_BUF, _, _, _, NULL),
	S(sched_yield, 1, 0, _, _, _, _, _, _, NULL),
	S(kill, 4, 0, A_PID, A_SIG, _, _, _, _, NULL),
	S(tkill, 2, 0, A_PID, A_SIG, _, _, _, _, NULL),
	S(tgkill, 2, 0, A_PID, A_PID, A_SIG, _, _, _, NULL),
	S(sigaltstack, 2, 0, A_BUF, A_BUF, _, _, _, _, NULL),
	S(rt_sigsuspend, 1, 0, A_BUF, A_LEN, _, _, _, _, fix_sigset),
	S(rt_sigaction, 5, 0, A_SIG, A_BUF, A_BUF, A_LEN, _, _, fix_sigaction),
	S(rt_sigprocmask, 4, 0, A_INT, A_BUF, A_BUF, A_LEN, _, _, fix_sigmask),
	S(rt_sigpending, 1, 0, A_BUF, A_LEN, _, _, _, _, NULL),
	S(rt_sigtimedwait, 2, 0, A_BUF, A_BUF, A_TIME, A_LEN, _, _, fix_sigtimedwait),
	S(rt_sigqueueinfo, 2, 0, A_PID, A_SIG, A_BUF, _, _, _, NULL),
	S(rt_sigreturn, 1, 0, _, _, _, _, _, _, NULL),
	S(setpriority, 1, 0, A_INT, A_PID, A_INT, _, _, _, NULL),
	S(getpriority, 1, 0, A_INT, A_PID, _, _, _, _, NULL),
	S(reboot, 1, 0, A_INT, A_INT, A_INT, A_BUF, _, _, fix_reboot),
	S(setregid, 1, 0, A_ID, A_ID, _, _, _, _, NULL),
	S(setgid, 1, 0, A_ID, _, _, _, _, _, NULL),
	S(setreuid, 1, 0, A_ID, A_ID, _, _, _, _, NULL),
	S(setuid, 1, 0, A_ID, _, _, _, _, _, NULL),
	S(setresuid, 1, 0, A_ID, A_ID, A_ID, _, _, _, NULL),
	S(getresuid, 1, 0, A_BUF, A_BUF, A_BUF, _, _, _, NULL),
	S(setresgid, 1, 0, A_ID, A_ID, A_ID, _, _, _, NULL),
	S(getresgid, 1, 0, A_BUF, A_BUF, A_BUF, _, _, _, NULL),
	S(setfsuid, 1, 0, A_ID, _, _, _, _, _, NULL),
	S(setfsgid, 1, 0, A_ID, _, _, _, _, _, NULL),
	S(times, 1, 0, A_BUF, _, _, _, _, _, NULL),
	S(setpgid, 2, 0, A_PID, A_PID, _, _, _, _, NULL),
	S(getpgid, 1, 0, A_PID, _, _, _, _, _, NULL),
	S(getsid, 1, 0, A_PID, _, _, _, _, _, NULL),
	S(setsid, 1, 0, _, _, _, _, _, _, NULL),
	S(getgroups, 1, 0, A_INT, A_BUF, _, _, _, _, NULL),
	S(setgroups, 1, 0, A_INT, A_BUF, _, _, _, _, NULL),
	S(uname, 1, 0, A_BUF, _, _, _, _, _, NULL),
	S(getrlimit, 1, 0, A_INT, A_BUF, _, _, _, _, NULL),
	S(setrlimit, 1, 0, A_INT, A_BUF, _, _, _, _, NULL),
	S(getrusage, 1, 0, A_INT, A_BUF, _, _, _, _, NULL),
	S(umask, 1, 0, A_MODE, _, _, _, _, _, NULL),
	S(getcpu, 1, 0, A_BUF, A_BUF, A_BUF, _, _, _, NULL),
	S(gettimeofday, 1, 0, A_BUF, A_BUF, _, _, _, _, NULL),
	S(settimeofday, 1, 0, A_BUF, A_BUF, _, _, _, _, fix_settimeofday),
	S(getpid, 1, 0, _, _, _, _, _, _, NULL),
	S(getppid, 1, 0, _, _, _, _, _, _, NULL),
	S(getuid, 1, 0, _, _, _, _, _, _, NULL),
	S(gettid, 1, 0, _, _, _, _, _, _, NULL),
	S(sysinfo, 1, 0, A_BUF, _, _, _, _, _, NULL),
	S(socket, 4, 1, A_INT, A_FLAGS, A_INT, _, _, _, fix_socket),
	S(socketpair, 3, 0, A_INT, A_FLAGS, A_INT, A_BUF, _, _, fix_socketpair),
	S(bind, 3, 0, A_FD, A_BUF, A_LEN, _, _, _, fix_sockaddr),
	S(listen, 2, 0, A_FD, A_INT, _, _, _, _, NULL),
	S(accept, 2, 1, A_FD, A_BUF, A_BUF, _, _, _, NULL),
	S(accept4, 2, 1, A_FD, A_BUF, A_BUF, A_FLAGS, _, _, NULL),
	S(connect, 3, 0, A_FD, A_BUF, A_LEN, _, _, _, fix_sockaddr),
	S(getsockname, 1, 0, A_FD, A_BUF, A_BUF, _, _, _, NULL),
	S(getpeername, 1, 0, A_FD, A_BUF, A_BUF, _, _, _, NULL),
	S(sendto, 3, 0, A_FD, A_BUF, A_LEN, A_FLAGS, A_BUF, A_LEN, NULL),
	S(recvfrom, 3, 0, A_FD, A_BUF, A_LEN, A_FLAGS, A_BUF, A_BUF, NULL),
	S(setsockopt, 2, 0, A_FD, A_INT, A_INT, A_BUF, A_LEN, _, NULL),
	S(getsockopt, 2, 0, A_FD, A_INT, A_INT, A_BUF, A_BUF, _, NULL),
	S(shutdown, 2, 0, A_FD, A_INT, _, _, _, _, NULL),
	S(sendmsg, 4, 0, A_FD, A_BUF, A_FLAGS, _, _, _, NULL),
	S(recvmsg, 4, 0, A_FD, A_BUF, A_FLAGS, _, _, _, NULL),
	S(brk, 2, 0, A_ADDR, _, _, _, _, _, fix_brk),
	S(munmap, 3, 0, A_ADDR, A_MLEN, _, _, _, _, NULL),
	S(mremap, 2, 0, A_ADDR, A_MLEN, A_MLEN, A_FLAGS, A_ADDR, _, fix_mremap),
	S(clone, 2, 0, A_FLAGS, _, A_BUF, A_BUF, A_BUF, _, fix_clone),
	S(execve, 2, 0, A_PATH, A_BUF, A_BUF, _, _, _, fix_execve),
	S(mmap, 6, 0, A_HINT, A_MLEN, A_FLAGS, A_FLAGS, A_FD, A_OFF, fix_mmap),
	S(mprotect, 3, 0, A_ADDR, A_MLEN, A_FLAGS, _, _, _, NULL),
	S(msync, 2, 0, A_ADDR, A_MLEN, A_FLAGS, _, _, _, NULL),
	S(mlock, 1, 0, A_ADDR, A_MLEN, _, _, _, _, NULL),
	S(munlock, 1, 0, A_ADDR, A_MLEN, _, _, _, _, NULL),
	S(mlockall, 1, 0, A_FLAGS, _, _, _, _, _, NULL),
	S(munlockall, 1, 0, _, _, _, _, _, _, NULL),
	S(mincore, 2, 0, A_ADDR, A_MLEN, A_BUF, _, _, _, NULL),
	S(madvise, 3, 0, A_ADDR, A_MLEN, A_INT, _, _, _, NULL),
	S(rt_tgsigqueueinfo, 1, 0, A_PID, A_PID, A_SIG, A_BUF, _, _, NULL),
	S(wait4, 3, 0, A_PID, A_BUF, A_FLAGS, A_BUF, _, _, fix_wait),
	S(prlimit64, 2, 0, A_PID, A_INT, A_BUF, A_BUF, _, _, NULL),
	S(renameat2, 6, 0, A_DIRFD, A_WPATH, A_DIRFD, A_WPATH, A_INT, _, NULL),
	S(getrandom, 2, 0, A_BUF, A_LEN, A_FLAGS, _, _, _, NULL),
	S(mlock2, 1, 0, A_ADDR, A_MLEN, A_FLAGS, _, _, _, NULL),
	S(statx, 4, 0, A_DIRFD, A_PATH, A_FLAGS, A_FLAGS, A_BUF, _, NULL),
	S(io_uring_setup, 1, 1, A_INT, A_BUF, _, _, _, _, NULL),
	S(io_uring_enter, 2, 0, A_FD, A_INT, A_INT, A_FLAGS, A_BUF, A_LEN, NULL),
	S(io_uring_register, 2, 0, A_FD, A_INT, A_BUF, A_INT, _, _, NULL),
	S(clone3, 2, 0, A_BUF, A_LEN, _, _, _, _, fix_clone3),
};
const unsigned fz_ncalls = sizeof(fz_calls) / sizeof(fz_calls[0]);
_Static_assert(sizeof(fz_calls) / sizeof(fz_calls[0]) <= FZ_MAX_CALLS, "FZ_MAX_CALLS");

