// SPDX-License-Identifier: MIT
/*
 * Process groups, sessions and job control: setpgid / setsid / getsid with
 * Linux's errors, stopping and continuing (wait4 WUNTRACED / WCONTINUED,
 * waitid, SIGCHLD), orphaned process groups, and the controlling terminal
 * (TIOCSCTTY, TIOCGPGRP / TIOCSPGRP, TIOCGSID, SIGTTIN, SIGTTOU). The
 * terminal cases use the console here and a fresh pty under qemu-riscv64,
 * so they run against Linux too.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

static void forever(void)
{
	for (;;)
		ut_sleep_ms(1000);
}

static pid_t spawn_forever(void)
{
	pid_t pid = fork();

	if (pid == 0)
		forever();
	return pid;
}

static void kill_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	ut_wait(pid);
}

/* One byte over a pipe: the parent waits for a child to reach a point. */
static void sync_put(int fd, char c)
{
	(void)!write(fd, &c, 1);
}

static char sync_get(int fd)
{
	char c = 0;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	return c;
}

UT_CASE(jc_getsid_setsid, 0, 30)
{
	int fds[2];
	pid_t pid;

	EXPECT(getsid(0) == getsid(getpid()));
	EXPECT(getpgid(0) == getpgrp());
	EXPECT(getsid(30000) == -1 && errno == ESRCH);
	EXPECT(getpgid(30000) == -1 && errno == ESRCH);
	ASSERT(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		pid_t me = getpid();
		char r = 'k';

		/* Not a group leader: a new session, led by us, no terminal. */
		if (setsid() != me || getsid(0) != me || getpgrp() != me)
			r = '1';
		else if (setsid() != -1 || errno != EPERM) /* now a leader */
			r = '2';
		else if (setpgid(0, 0) != -1 || errno != EPERM) /* session leader */
			r = '3';
		else if (open("/dev/tty", O_RDWR) != -1 || errno != ENXIO)
			r = '4';
		sync_put(fds[1], r);
		_exit(0);
	}
	EXPECT(sync_get(fds[0]) == 'k');
	EXPECT(getsid(pid) == pid || ut_wait(pid) < 0);
	ut_wait(pid);
	close(fds[0]);
	close(fds[1]);
}

UT_CASE(jc_setpgid_rules, 0, 30)
{
	pid_t a, b, other;
	int fds[2];

	EXPECT(setpgid(0, -1) == -1 && errno == EINVAL);
	EXPECT(setpgid(30000, 0) == -1 && errno == ESRCH);	/* not a child */
	EXPECT(setpgid(1, 0) == -1 && errno == ESRCH);
	a = spawn_forever();
	ASSERT(a > 0);
	/* The parent puts the child in a group of its own, then moves it
	 * back into the parent's. */
	EXPECT(setpgid(a, a) == 0 && getpgid(a) == a);
	EXPECT(setpgid(a, getpgrp()) == 0 && getpgid(a) == getpgrp());
	EXPECT(setpgid(a, 0) == 0 && getpgid(a) == a);
	/* A group that does not exist (in this session): EPERM. */
	EXPECT(setpgid(a, 30000) == -1 && errno == EPERM);
	/* A second child joins the first one's group. */
	b = spawn_forever();
	EXPECT(setpgid(b, a) == 0 && getpgid(b) == a);
	/* A child in another session: EPERM. */
	ASSERT(pipe(fds) == 0);
	other = fork();
	if (other == 0) {
		setsid();
		sync_put(fds[1], 's');
		forever();
	}
	EXPECT(sync_get(fds[0]) == 's');
	EXPECT(setpgid(other, 0) == -1 && errno == EPERM);
	EXPECT(setpgid(b, other) == -1 && errno == EPERM);
	kill_wait(a);
	kill_wait(b);
	kill_wait(other);
	close(fds[0]);
	close(fds[1]);
}

/* A group whose members have all exited but are not reaped still exists: a
 * pipeline's second process joins the first's group even when that one has
 * already finished (Linux keeps zombies in their group until they are reaped). */
UT_CASE(jc_setpgid_joins_a_zombies_group, 0, 30)
{
	pid_t z = fork(), b;
	siginfo_t si;

	ASSERT(z >= 0);
	if (z == 0) {
		setpgid(0, 0);
		_exit(0);
	}
	setpgid(z, z);
	/* Exited, not reaped (WNOWAIT). */
	ASSERT(waitid(P_PID, (id_t)z, &si, WEXITED | WNOWAIT) == 0);
	b = spawn_forever();
	ASSERT(b > 0);
	EXPECT(setpgid(b, z) == 0 && getpgid(b) == z);
	EXPECT(setpgid(b, 0) == 0);
	waitpid(z, NULL, 0);
	/* Reaped: the group is gone. */
	EXPECT(setpgid(b, z) == -1 && errno == EPERM);
	kill_wait(b);
}

/* Once the child has called execve, its parent may not move it: EACCES. */
UT_CASE(jc_setpgid_after_exec, 0, 30)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "sleep", "10", NULL };

		execv("/bin/sleep", argv);
		_exit(127);
	}
	ASSERT(pid > 0);
	/* Wait for the exec itself, not for a while: /proc/<pid>/stat names the
	 * new image once it has happened (a fixed sleep raced under host load). */
	char path[32], buf[256];
	bool execed = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 1000 && !execed; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = '\0';
		execed = strstr(buf, "(sleep)") != NULL;
		if (!execed)
			ut_sleep_ms(10);
	}
	EXPECT(execed);
	EXPECT(setpgid(pid, pid) == -1 && errno == EACCES);
	kill_wait(pid);
}

/* kill(0) and kill(-pgid) reach the whole group and nobody else. */
UT_CASE(jc_kill_group, 0, 30)
{
	pid_t a = spawn_forever(), b = spawn_forever(), c = spawn_forever();

	ASSERT(a > 0 && b > 0 && c > 0);
	setpgid(a, a);
	setpgid(b, a);
	EXPECT(kill(-a, SIGTERM) == 0);
	EXPECT(ut_killed_by(ut_wait(a), SIGTERM));
	EXPECT(ut_killed_by(ut_wait(b), SIGTERM));
	EXPECT(waitpid(c, NULL, WNOHANG) == 0); /* still alive */
	EXPECT(kill(-a, SIGTERM) == -1 && errno == ESRCH); /* group gone */
	kill_wait(c);
}

/* The state letter of /proc/PID/stat, or 0. */
static char proc_state(pid_t pid)
{
	char path[32], buf[256], *close_paren;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' ? close_paren[2] : 0;
}

UT_CASE(jc_stop_continue_wait4, 0, 30)
{
	pid_t pid = spawn_forever();
	int st;

	ASSERT(pid > 0);
	/* A group of its own, tied to the session by us: not orphaned, so
	 * SIGTSTP stops it too (usertests may run in init's orphaned one). */
	setpgid(pid, pid);
	EXPECT(kill(pid, SIGSTOP) == 0);
	EXPECT(waitpid(pid, &st, WUNTRACED) == pid);
	EXPECT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	EXPECT(proc_state(pid) == 'T'); /* /proc/PID/stat says stopped */
	/* Reported once. */
	EXPECT(waitpid(pid, &st, WUNTRACED | WNOHANG) == 0);
	/* Without WUNTRACED a stop is not reported. */
	EXPECT(kill(pid, SIGCONT) == 0);
	EXPECT(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st));
	EXPECT(kill(pid, SIGTSTP) == 0);
	EXPECT(waitpid(pid, &st, WUNTRACED) == pid);
	EXPECT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	/* SIGKILL ends a stopped process. */
	EXPECT(kill(pid, SIGKILL) == 0);
	EXPECT(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

UT_CASE(jc_waitid, 0, 30)
{
	pid_t pid = spawn_forever();
	siginfo_t si;

	ASSERT(pid > 0);
	kill(pid, SIGSTOP);
	memset(&si, 0xff, sizeof(si));
	EXPECT(waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT) == 0);
	EXPECT(si.si_signo == SIGCHLD && si.si_code == CLD_STOPPED && si.si_pid == pid);
	EXPECT(si.si_status == SIGSTOP && si.si_errno == 0);
	/* WNOWAIT left it to report again. */
	memset(&si, 0, sizeof(si));
	EXPECT(waitid(P_PGID, getpgrp(), &si, WSTOPPED) == 0 && si.si_pid == pid);
	memset(&si, 0xff, sizeof(si));
	EXPECT(waitid(P_ALL, 0, &si, WSTOPPED | WNOHANG) == 0 && si.si_pid == 0);
	EXPECT(si.si_signo == 0);
	kill(pid, SIGCONT);
	EXPECT(waitid(P_PID, pid, &si, WCONTINUED) == 0);
	EXPECT(si.si_code == CLD_CONTINUED && si.si_status == SIGCONT);
	kill(pid, SIGTERM);
	EXPECT(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0);
	EXPECT(si.si_code == CLD_KILLED && si.si_status == SIGTERM);
	EXPECT(waitid(P_PID, pid, &si, WEXITED) == 0 && si.si_pid == pid); /* reaped */
	EXPECT(waitid(P_PID, pid, &si, WEXITED) == -1 && errno == ECHILD);
	pid = fork();
	if (pid == 0)
		_exit(5);
	EXPECT(waitid(P_ALL, 0, &si, WEXITED) == 0);
	EXPECT(si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 5);
	/* Errors. */
	EXPECT(waitid(P_ALL, 0, &si, 0) == -1 && errno == EINVAL);
	EXPECT(waitid(P_ALL, 0, &si, WEXITED | 0x100) == -1 && errno == EINVAL);
	EXPECT(waitid(P_PID, 0, &si, WEXITED) == -1 && errno == EINVAL);
	EXPECT(waitid(7, 0, &si, WEXITED) == -1 && errno == EINVAL);
	EXPECT(waitid(P_ALL, 0, &si, WEXITED | WNOHANG) == -1 && errno == ECHILD);
	EXPECT(waitpid(-1, NULL, WNOWAIT) == -1 && errno == EINVAL); /* not for wait4 */
}

static volatile sig_atomic_t chld_hits;
static volatile int chld_code, chld_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	chld_hits++;
	chld_code = si->si_code;
	chld_status = si->si_status;
}

/* SIGCHLD comes for a stop and a continue too, unless SA_NOCLDSTOP. */
UT_CASE(jc_sigchld_on_stop, 0, 30)
{
	struct sigaction sa;
	pid_t pid;
	int st;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	pid = spawn_forever();
	chld_hits = 0;
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	EXPECT(chld_hits == 1 && chld_code == CLD_STOPPED && chld_status == SIGSTOP);
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	EXPECT(chld_hits == 2 && chld_code == CLD_CONTINUED && chld_status == SIGCONT);
	sa.sa_flags |= SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	EXPECT(chld_hits == 2 || ut_qemu_user); /* qemu-user ignores SA_NOCLDSTOP */
	chld_hits = 2;
	kill(pid, SIGKILL);
	ut_wait(pid);
	EXPECT(chld_hits == 3 && chld_code == CLD_KILLED && chld_status == SIGKILL);
	signal(SIGCHLD, SIG_DFL);
}

/* A stopped process goes on with its syscall once continued: a sleep ends
 * (not EINTR), a read gets what arrived meanwhile. */
UT_CASE(jc_stopped_syscall_resumes, 0, 30)
{
	int res[2], data[2], st;
	pid_t pid;
	char c;

	ASSERT(pipe(res) == 0 && pipe(data) == 0);
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 200000000 };
		char b = 0;

		sync_put(res[1], nanosleep(&ts, NULL) == 0 ? 's' : 'S');
		sync_put(res[1], read(data[0], &b, 1) == 1 && b == 'x' ? 'r' : 'R');
		_exit(0);
	}
	ut_sleep_ms(50);
	kill(pid, SIGSTOP);
	EXPECT(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st));
	ut_sleep_ms(300); /* past the sleep's end, while stopped */
	kill(pid, SIGCONT);
	EXPECT(sync_get(res[0]) == 's');
	ut_sleep_ms(50); /* now in read */
	kill(pid, SIGSTOP);
	EXPECT(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st));
	EXPECT(write(data[1], "x", 1) == 1);
	ut_sleep_ms(50);
	EXPECT(waitpid(pid, &st, WNOHANG) == 0); /* still stopped */
	kill(pid, SIGCONT);
	c = sync_get(res[0]);
	EXPECT(c == 'r');
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(res[0]);
	close(res[1]);
	close(data[0]);
	close(data[1]);
}

static volatile sig_atomic_t cont_seen;

static void on_cont(int sig)
{
	(void)sig;
	cont_seen = 1;
}

/* SIGCONT resumes even when blocked; a handler for it runs when unblocked. */
UT_CASE(jc_sigcont_handler_and_blocked, 0, 30)
{
	int fds[2], st;
	pid_t pid;

	ASSERT(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		sigset_t s;

		signal(SIGCONT, on_cont);
		sigemptyset(&s);
		sigaddset(&s, SIGCONT);
		sigprocmask(SIG_BLOCK, &s, NULL);
		sync_put(fds[1], 'b');
		raise(SIGSTOP);
		/* Continued with SIGCONT blocked: the handler waits. */
		sync_put(fds[1], cont_seen ? 'X' : 'c');
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		sync_put(fds[1], cont_seen ? 'h' : 'H');
		_exit(0);
	}
	EXPECT(sync_get(fds[0]) == 'b');
	EXPECT(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st));
	kill(pid, SIGCONT);
	EXPECT(sync_get(fds[0]) == 'c');
	EXPECT(sync_get(fds[0]) == 'h');
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(fds[0]);
	close(fds[1]);
}

/* Stop signals cancel a pending SIGCONT and SIGCONT pending stops: a
 * process stopped by SIGSTOP while SIGTSTP is blocked... keeps running
 * after SIGCONT drops the blocked SIGTSTP. */
UT_CASE(jc_sigcont_drops_pending_stops, 0, 30)
{
	int fds[2], st;
	pid_t pid;

	ASSERT(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		sigset_t s, pend;

		sigemptyset(&s);
		sigaddset(&s, SIGTSTP);
		sigprocmask(SIG_BLOCK, &s, NULL);
		raise(SIGTSTP);
		sigpending(&pend);
		sync_put(fds[1], sigismember(&pend, SIGTSTP) ? 'p' : 'P');
		ut_sleep_ms(300); /* the parent sends SIGCONT */
		sigpending(&pend);
		sync_put(fds[1], sigismember(&pend, SIGTSTP) ? 'D' : 'd');
		_exit(0);
	}
	EXPECT(sync_get(fds[0]) == 'p');
	kill(pid, SIGCONT);
	EXPECT(sync_get(fds[0]) == 'd');
	EXPECT(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	close(fds[0]);
	close(fds[1]);
}

/*
 * Orphaned process groups. A grandchild in a group of its own, whose
 * parent (the only link to the session) exits: the group is orphaned.
 * SIGTSTP to it is then dropped (nobody would continue it); a group that
 * is already stopped when it becomes orphaned gets SIGHUP and SIGCONT.
 */
static volatile sig_atomic_t hup_seen;

static void on_hup(int sig)
{
	(void)sig;
	hup_seen = 1;
}

UT_CASE(jc_orphaned_group, 0, 30)
{
	int fds[2];
	pid_t mid;

	ASSERT(pipe(fds) == 0);
	mid = fork();
	if (mid == 0) {
		pid_t g = fork();

		if (g == 0) {
			setpgid(0, 0);
			signal(SIGHUP, on_hup);
			sync_put(fds[1], 'g');
			raise(SIGSTOP);	/* the parent is still there: we stop */
			/* Woken by SIGHUP + SIGCONT when the group was orphaned. */
			sync_put(fds[1], hup_seen ? 'h' : 'H');
			raise(SIGTSTP);	/* orphaned: dropped */
			sync_put(fds[1], 't');
			_exit(0);
		}
		setpgid(g, g);
		(void)sync_get(fds[0]);	/* 'g' */
		ut_sleep_ms(100);	/* let it stop */
		_exit(0);		/* and orphan its group */
	}
	EXPECT(ut_exited_with(ut_wait(mid), 0));
	EXPECT(sync_get(fds[0]) == 'h');
	EXPECT(sync_get(fds[0]) == 't');
	close(fds[0]);
	close(fds[1]);
}

/* ---- the controlling terminal ----------------------------------------------- */

/*
 * A terminal this test may make its own: the console here (unless another
 * session holds it: then the cases skip), a new pty on Linux.
 */
static int test_tty(void)
{
	if (ut_qemu_user) {
		int m = posix_openpt(O_RDWR | O_NOCTTY);

		if (m < 0 || grantpt(m) || unlockpt(m))
			return -1;
		return open(ptsname(m), O_RDWR | O_NOCTTY); /* the master stays open */
	}
	return open("/dev/console", O_RDWR | O_NOCTTY);
}

/* In a child: a new session with @fd as its controlling terminal. */
static bool take_tty(int fd)
{
	return setsid() > 0 && ioctl(fd, TIOCSCTTY, 0) == 0;
}

struct ttyjob {
	int fd;
	int res[2];
};

static void tty_child(void *arg)
{
	struct ttyjob *j = arg;
	int fd = j->fd, pg = 0, sid = 0, st;
	pid_t bg;
	char r = 'k';

	if (!take_tty(fd)) {
		sync_put(j->res[1], 'S'); /* skip */
		_exit(0);
	}
	if (ioctl(fd, TIOCGPGRP, &pg) || pg != getpgrp())
		r = 'a';
	else if (ioctl(fd, TIOCGSID, &sid) || (sid != getpid() && !ut_qemu_user))
		r = 'b'; /* qemu-user returns 0 without writing the sid */
	else if (tcgetpgrp(fd) != getpid())
		r = 'c';
	else if (ioctl(fd, TIOCSCTTY, 0) != 0) /* already ours: fine */
		r = 'd';
	sync_put(j->res[1], r);

	/* A background job reading the terminal stops with SIGTTIN. */
	bg = fork();
	if (bg == 0) {
		char c;

		setpgid(0, 0);
		(void)!read(fd, &c, 1);
		_exit(3);
	}
	setpgid(bg, bg);
	r = waitpid(bg, &st, WUNTRACED) == bg && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN
		? 'i' : 'I';
	sync_put(j->res[1], r);
	kill(bg, SIGKILL);
	waitpid(bg, &st, 0);

	/* With SIGTTIN ignored the read fails with EIO instead. */
	bg = fork();
	if (bg == 0) {
		char c;

		setpgid(0, 0);
		signal(SIGTTIN, SIG_IGN);
		_exit(read(fd, &c, 1) == -1 && errno == EIO ? 0 : 4);
	}
	setpgid(bg, bg);
	sync_put(j->res[1], waitpid(bg, &st, 0) == bg && WIFEXITED(st) &&
		 WEXITSTATUS(st) == 0 ? 'e' : 'E');

	/* Writes go through unless TOSTOP; then SIGTTOU stops the writer. */
	bg = fork();
	if (bg == 0) {
		struct termios t;

		setpgid(0, 0);
		if (write(fd, "\r", 1) != 1)
			_exit(5);
		tcgetattr(fd, &t);	/* reading the modes is fine */
		_exit(0);
	}
	setpgid(bg, bg);
	sync_put(j->res[1], waitpid(bg, &st, 0) == bg && WIFEXITED(st) &&
		 WEXITSTATUS(st) == 0 ? 'w' : 'W');
	bg = fork();
	if (bg == 0) {
		struct termios t;

		setpgid(0, 0);
		tcgetattr(fd, &t);
		t.c_lflag |= TOSTOP;
		tcsetattr(fd, TCSANOW, &t);	/* a change: SIGTTOU */
		_exit(6);
	}
	setpgid(bg, bg);
	r = waitpid(bg, &st, WUNTRACED) == bg && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU
		? 'o' : 'O';
	sync_put(j->res[1], r);
	/* Made the foreground group, it goes on. */
	signal(SIGTTOU, SIG_IGN); /* we are about to be in the background */
	r = tcsetpgrp(fd, bg) == 0 && tcgetpgrp(fd) == bg ? 'f' : 'F';
	kill(bg, SIGCONT);
	if (!(waitpid(bg, &st, 0) == bg && WIFEXITED(st) && WEXITSTATUS(st) == 6))
		r = 'G';
	sync_put(j->res[1], r);
	/* Its group is gone: setting it again fails; back to ours. */
	r = tcsetpgrp(fd, getpgrp()) == 0 ? 'b' : 'B';
	if (tcsetpgrp(fd, 30000) != -1 || errno != ESRCH)
		r = 'Q';
	sync_put(j->res[1], r);
	_exit(0);
}

UT_CASE(jc_controlling_tty, 0, 60)
{
	struct ttyjob j;
	const char *want = "kiewofb", *p;
	pid_t pid;
	char c;

	j.fd = test_tty();
	if (j.fd < 0) {
		ut_diag("skip: no terminal to test with");
		return;
	}
	ASSERT(pipe(j.res) == 0);
	pid = fork();
	if (pid == 0)
		tty_child(&j);
	c = sync_get(j.res[0]);
	if (c == 'S') {
		ut_diag("skip: the terminal belongs to another session");
		ut_wait(pid);
		return;
	}
	for (p = want; *p; p++) {
		if (p != want)
			c = sync_get(j.res[0]);
		if (!EXPECT(c == *p))
			ut_diag("step %d: got '%c', wanted '%c'", (int)(p - want), c, *p);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(j.fd);
	close(j.res[0]);
	close(j.res[1]);
}

/* Not one's controlling terminal: the job-control ioctls say ENOTTY. */
UT_CASE(jc_tty_errors, 0, 30)
{
	int fd = test_tty(), pg = 0;
	pid_t pid;

	if (fd < 0) {
		ut_diag("skip: no terminal to test with");
		return;
	}
	pid = fork();
	if (pid == 0) {
		int r = 0;

		setsid();
		if (ioctl(fd, TIOCGPGRP, &pg) != -1 || errno != ENOTTY)
			r |= 1;
		if (ioctl(fd, TIOCGSID, &pg) != -1 || errno != ENOTTY)
			r |= 2;
		pg = getpid();
		if (ioctl(fd, TIOCSPGRP, &pg) != -1 || errno != ENOTTY)
			r |= 4;
		if (ioctl(fd, TIOCNOTTY) != -1 || errno != ENOTTY)
			r |= 8;
		/* Not a session leader: TIOCSCTTY is EPERM. */
		if (fork() == 0) {
			_exit(ioctl(fd, TIOCSCTTY, 0) == -1 && errno == EPERM ? 0 : 1);
		}
		int st;

		wait(&st);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			r |= 16;
		_exit(r);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	close(fd);
}
