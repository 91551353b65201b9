// SPDX-License-Identifier: MIT
/*
 * The terminal's ioctls (termios, termios2, the window size and SIGWINCH,
 * FIONREAD, TCFLSH), on the console here and on a fresh pty under
 * qemu-riscv64. Also `usertests --tty-helper MODE`, the program the
 * console tests (tests/qemu/test_tty.py) drive: it sets a terminal mode on
 * fd 0, reads, and says what it got.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

/* struct termios2 (asm-generic/termbits.h): glibc 2.36 has no TCGETS2 user. */
struct ut_termios2 {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_line;
	cc_t c_cc[19];
	speed_t c_ispeed, c_ospeed;
};
#define UT_TCGETS2 0x802c542a

static int open_tty(void)
{
	if (ut_qemu_user) {
		int m = posix_openpt(O_RDWR | O_NOCTTY);

		if (m < 0 || grantpt(m) || unlockpt(m))
			return -1;
		return open(ptsname(m), O_RDWR | O_NOCTTY);
	}
	return open("/dev/console", O_RDWR | O_NOCTTY);
}

UT_CASE(tty_termios_ioctls, 0, 30)
{
	struct termios t, saved, back;
	struct ut_termios2 t2;
	int fd = open_tty(), n = -1;

	if (fd < 0) {
		ut_diag("skip: no terminal");
		return;
	}
	ASSERT(tcgetattr(fd, &saved) == 0);
	t = saved;
	t.c_cc[VMIN] = 7;
	t.c_cc[VTIME] = 3;
	t.c_lflag &= ~(tcflag_t)ECHOK;
	EXPECT(tcsetattr(fd, TCSANOW, &t) == 0);
	EXPECT(tcgetattr(fd, &back) == 0);
	EXPECT(back.c_cc[VMIN] == 7 && back.c_cc[VTIME] == 3 && !(back.c_lflag & ECHOK));
	EXPECT(tcsetattr(fd, TCSADRAIN, &saved) == 0);
	EXPECT(tcsetattr(fd, TCSAFLUSH, &saved) == 0);
	EXPECT(tcgetattr(fd, &back) == 0 && back.c_lflag == saved.c_lflag);
	/* The defaults a terminal starts with (Linux's tty_std_termios). */
	EXPECT(saved.c_cc[VINTR] == 3 && saved.c_cc[VQUIT] == 034 && saved.c_cc[VERASE] == 0177);
	EXPECT(saved.c_cc[VKILL] == 025 && saved.c_cc[VEOF] == 4 && saved.c_cc[VSUSP] == 032);
	/* termios2 adds the speeds (qemu-user does not know it). */
	if (!ut_qemu_user) {
		EXPECT(ioctl(fd, UT_TCGETS2, &t2) == 0 && t2.c_lflag == saved.c_lflag);
		EXPECT(t2.c_ospeed > 0);
	}
	EXPECT(ioctl(fd, FIONREAD, &n) == 0 && n >= 0);
	EXPECT(tcflush(fd, TCIFLUSH) == 0);
	EXPECT(ioctl(fd, TCFLSH, 9) == -1 && errno == EINVAL);
	EXPECT(tcdrain(fd) == 0);
	/* qemu-user answers ioctls it does not know with ENOSYS. */
	EXPECT(ioctl(fd, 0x54ff, 0) == -1 && (errno == ENOTTY || ut_qemu_user));
	EXPECT(ioctl(fd, TCGETS, (void *)8) == -1 && errno == EFAULT);
	EXPECT(ioctl(fd, TCSETS, (void *)8) == -1 && errno == EFAULT);
	/* A file that is not a terminal. */
	int pfd[2];

	ASSERT(pipe(pfd) == 0);
	EXPECT(tcgetattr(pfd[0], &t) == -1 && errno == ENOTTY);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
}

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
	(void)sig;
	winch++;
}

/* A new size sends SIGWINCH to the foreground group; the same size not. */
static void winch_child(void *arg)
{
	int fd = *(int *)arg;
	struct winsize old, ws, got;

	if (setsid() < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		_exit(77);
	signal(SIGWINCH, on_winch);
	if (ioctl(fd, TIOCGWINSZ, &old))
		_exit(1);
	ws = old;
	ws.ws_row = 31;
	ws.ws_col = 101;
	if (ioctl(fd, TIOCSWINSZ, &ws) || ioctl(fd, TIOCGWINSZ, &got))
		_exit(2);
	if (got.ws_row != 31 || got.ws_col != 101)
		_exit(3);
	if (winch != 1)
		_exit(4);
	ioctl(fd, TIOCSWINSZ, &ws);
	if (winch != 1)
		_exit(5);
	ioctl(fd, TIOCSWINSZ, &old);
	_exit(winch == 2 ? 0 : 6);
}

UT_CASE(tty_winsize_sigwinch, 0, 30)
{
	int fd = open_tty(), st;

	if (fd < 0) {
		ut_diag("skip: no terminal");
		return;
	}
	st = ut_in_child(winch_child, &fd);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		ut_diag("skip: the terminal belongs to another session");
	else
		EXPECT(ut_exited_with(st, 0));
	close(fd);
}

/* A group whose only member has exited but is not reaped yet still exists: the
 * terminal's foreground group may be set to it (as Linux; a shell running `ps | wc`
 * does exactly that when ps is quick). */
static void zombie_group_child(void *arg)
{
	int fd = *(int *)arg;
	pid_t z;
	char path[64], buf[256];

	if (setsid() < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		_exit(77);
	signal(SIGTTOU, SIG_IGN);
	z = fork();
	if (z == 0) {
		setpgid(0, 0);
		_exit(0);
	}
	setpgid(z, z); /* either side may win the race: both set it */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)z);
	for (int i = 0; i < 2000; i++) {
		int f = open(path, O_RDONLY);
		ssize_t n = f >= 0 ? read(f, buf, sizeof(buf) - 1) : -1;
		char *r;

		if (f >= 0)
			close(f);
		if (n > 0 && (buf[n] = '\0', r = strrchr(buf, ')')) && r[2] == 'Z')
			break;
		usleep(1000);
	}
	if (tcsetpgrp(fd, z) != 0)
		_exit(1);
	if (tcgetpgrp(fd) != z)
		_exit(2);
	if (tcsetpgrp(fd, getpgrp()) != 0)
		_exit(3);
	waitpid(z, NULL, 0);
	/* Reaped: the group is gone. */
	_exit(tcsetpgrp(fd, z) == -1 && errno == ESRCH ? 0 : 4);
}

UT_CASE(tty_foreground_group_of_a_zombie, 0, 30)
{
	int fd = open_tty(), st;

	if (fd < 0) {
		ut_diag("skip: no terminal");
		return;
	}
	st = ut_in_child(zombie_group_child, &fd);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		ut_diag("skip: the terminal belongs to another session");
	else
		EXPECT(ut_exited_with(st, 0));
	close(fd);
}

/* ---- the helper of tests/qemu/test_tty.py ---------------------------------------- */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	(void)!write(1, buf, (size_t)n);
}

/*
 * raw: no ICANON, no ECHO, VMIN 3: one read, its bytes in hex.
 * vtime: no ICANON, VMIN 0, VTIME 5: a read with nothing typed ends after
 *        half a second with 0 bytes.
 * noecho: canonical without ECHO: a line, not shown as it is typed.
 * line: one canonical line: its length.
 */
int ut_tty_helper(int argc, char **argv)
{
	struct termios saved, t;
	char buf[8192];
	ssize_t n;

	if (argc < 3 || tcgetattr(0, &saved))
		return 2;
	t = saved;
	if (!strcmp(argv[2], "raw")) {
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 3;
		t.c_cc[VTIME] = 0;
	} else if (!strcmp(argv[2], "vtime")) {
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 5;
	} else if (!strcmp(argv[2], "noecho")) {
		t.c_lflag &= ~(tcflag_t)ECHO;
	}
	tcsetattr(0, TCSAFLUSH, &t);
	say("ready\n");
	int64_t t0 = ut_now_ns();

	n = read(0, buf, sizeof(buf));
	int ms = (int)((ut_now_ns() - t0) / 1000000);

	tcsetattr(0, TCSANOW, &saved);
	if (!strcmp(argv[2], "raw")) {
		say("got %zd:", n);
		for (ssize_t i = 0; i < n; i++)
			say(" %02x", (unsigned char)buf[i]);
		say("\n");
	} else if (!strcmp(argv[2], "vtime")) {
		say("vtime read %zd after %d ms\n", n, ms);
	} else if (!strcmp(argv[2], "noecho")) {
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		say("secret was [%.*s]\n", (int)n, buf);
	} else {
		say("line of %zd bytes, last %02x\n", n, n > 0 ? (unsigned char)buf[n - 1] : 0);
	}
	return 0;
}
