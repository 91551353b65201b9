// SPDX-License-Identifier: MIT
/*
 * init, pid 1: sets up the console, runs /etc/rc then a shell forever, or runs the program
 * named by `init=` and exits with its status. Reaps every orphan meanwhile.
 *
 * Contract with the kernel (what the kernel must do to start user space):
 *   - exec /sbin/init as pid 1 with
 *         argv = { "/sbin/init", PROG, ARG1, ..., NULL }
 *     where the kernel command line contains `init=PROG` and ARG1... are every
 *     whitespace-separated word that follows it on the command line ("init=/bin/prog a b" ->
 *     { "/sbin/init", "/bin/prog", "a", "b" }). Without `init=`, argv = { "/sbin/init", NULL }.
 *     (For robustness init also accepts argv[1] = "init=PROG" and strips the prefix.)
 *   - envp: anything, possibly empty; init adds PATH=/sbin:/usr/sbin:/bin:/usr/bin,
 *     HOME=/root and TERM=vt100 when
 *     they are missing and passes the environment on.
 *   - fds 0-2 may be open already (on the console); any that is not is opened on
 *     /dev/console, so the kernel need not open them.
 *   - when pid 1 exits, the kernel powers the machine off with pid 1's exit status as QEMU's
 *     exit status. init exits only in `init=` mode, with PROG's exit status, or 128 + signal
 *     number when PROG was killed (the shell's convention), or 127 when it could not be run.
 *   - orphans must be re-parented to pid 1; init reaps them with wait4(-1).
 *   - the interactive shell leads its own session with the console as its controlling
 *     terminal (setsid, TIOCSCTTY), so the terminal's signals reach its foreground group;
 *     `init=` programs get no controlling terminal, as on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RC_PATH "/etc/rc"
#define SHELL_PATH "/bin/sh"

/* Signals init itself ignores; its children get them back at their defaults. */
static const int ignored[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTERM, SIGHUP, SIGPIPE };

static void set_ignored(void (*handler)(int))
{
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], handler); /* may fail with ENOSYS early on: harmless */
}

static void open_console(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int c = open("/dev/console", O_RDWR);
		if (c < 0)
			return; /* nowhere to print: go on silently */
		if (c != fd) {
			dup2(c, fd);
			close(c);
		}
	}
}

/*
 * Start path with argv in a child. With @ctty the child leads a new session whose
 * controlling terminal is the console (as a getty would set it up), so
 * the terminal's ^C, ^Z and ^\ reach its foreground process group and a
 * shell can do job control.
 */
static pid_t spawn(const char *path, char **argv, bool ctty)
{
	pid_t pid = fork();

	if (pid != 0) {
		if (pid < 0)
			dprintf(2, "init: fork: %s\n", strerror(errno));
		return pid;
	}
	if (ctty && (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0))
		dprintf(2, "init: no controlling terminal for %s: %s\n", argv[0], strerror(errno));
	set_ignored(SIG_DFL);
	execvp(path, argv);
	dprintf(2, "init: %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* Wait for @pid, reaping every other child (orphans) that exits meanwhile. */
static int wait_for(pid_t pid)
{
	int status;

	for (;;) {
		pid_t w = wait4(-1, &status, 0, NULL);
		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR) {
			dprintf(2, "init: wait4: %s\n", strerror(errno));
			return 127 << 8;
		}
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* `init=` mode: run argv, exit with its status. */
static int run_once(char **argv)
{
	pid_t pid = spawn(argv[0], argv, false);

	if (pid < 0)
		return 127;
	int status = wait_for(pid);
	if (WIFSIGNALED(status)) {
		dprintf(2, "init: %s killed by signal %d\n", argv[0], WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

/*
 * Default mode: /etc/rc once, then an interactive login shell on the console (argv[0] "-sh",
 * so it reads /etc/profile, as a getty's login would start it), respawned forever.
 */
static int __attribute__((noreturn)) run_forever(void)
{
	char *rc[] = { SHELL_PATH, RC_PATH, NULL };
	char *sh[] = { "-sh", NULL };

	struct stat st;

	if (stat(RC_PATH, &st) == 0) {
		pid_t pid = spawn(SHELL_PATH, rc, false);
		if (pid > 0)
			wait_for(pid);
	}
	for (;;) {
		pid_t pid = spawn(SHELL_PATH, sh, true);
		if (pid < 0) {
			sleep_ms(1000);
			continue;
		}
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		wait_for(pid);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* A shell that dies at once (cannot exec, no console) must not spin the machine. */
		if (t1.tv_sec - t0.tv_sec < 1)
			sleep_ms(1000);
	}
}

int main(int argc, char **argv)
{
	open_console();
	set_ignored(SIG_IGN);
	setenv("PATH", "/sbin:/usr/sbin:/bin:/usr/bin", 0);
	setenv("HOME", "/root", 0);
	setenv("TERM", "vt100", 0);

	if (argc > 1) {
		if (strncmp(argv[1], "init=", 5) == 0)
			argv[1] += 5;
		if (argv[1][0])
			return run_once(argv + 1);
	}
	run_forever();
}
