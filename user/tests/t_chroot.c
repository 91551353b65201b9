// SPDX-License-Identifier: MIT
/*
 * chroot(2) (chroot_*): "/" of a process and of its children becomes a directory, ".." and
 * absolute symlinks stay inside it, getcwd names the cwd from it ("(unreachable)/..." when
 * the cwd is outside), and the errors are Linux's (EFAULT, ENOENT, ENOTDIR, EPERM for a
 * non-root caller). Not run under qemu-riscv64: qemu-user would chroot the host process.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

#define BAD ((void *)0xffffffc080200000UL)
#define JAIL "/tmp/chroot_jail"

static bool reads(const char *path, const char *want)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0 || strcmp(buf, want)) {
		ut_diag("%s: read '%s' (%s), wanted '%s'", path, n < 0 ? "" : buf,
			n < 0 ? strerror(errno) : "ok", want);
		return false;
	}
	return true;
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ut_diag("cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void inside_child(void *arg)
{
	char cwd[256];

	(void)arg;
	if (chroot(JAIL) || chdir("/"))
		_exit(10);
	EXPECT(reads("/etc/id", "inside"));
	EXPECT(reads("/../../etc/id", "inside")); /* ".." of the new root is itself */
	EXPECT(reads("/a/../../etc/id", "inside"));
	EXPECT(reads("/link", "inside"));	  /* an absolute symlink resolves inside */
	EXPECT(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"));
	EXPECT(chdir("/a") == 0 && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/a"));
	EXPECT(chdir("..") == 0 && chdir("..") == 0 && getcwd(cwd, sizeof(cwd)) &&
	       !strcmp(cwd, "/"));
	pid_t pid = fork(); /* a child keeps its parent's root */
	if (pid == 0)
		_exit(reads("/etc/id", "inside") ? 0 : 1);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	_exit(ut_failures ? 1 : 0);
}

static void outside_cwd_child(void *arg)
{
	char cwd[256] = { 0 };

	(void)arg;
	if (chdir("/tmp") || chroot(JAIL))
		_exit(10);
	/* The raw syscall: glibc's getcwd turns "(unreachable)" into ENOENT. */
	long n = syscall(SYS_getcwd, cwd, sizeof(cwd));
	if (n <= 0 || strcmp(cwd, "(unreachable)/tmp"))
		ut_diag("getcwd outside the root: %ld '%s'", n, cwd);
	EXPECT(n == (long)sizeof("(unreachable)/tmp") && !strcmp(cwd, "(unreachable)/tmp"));
	EXPECT(reads("/etc/id", "inside"));
	_exit(ut_failures ? 1 : 0);
}

static void unprivileged_child(void *arg)
{
	(void)arg;
	if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
		_exit(10);
	errno = 0;
	EXPECT(chroot(JAIL) == -1 && errno == EPERM);
	_exit(ut_failures ? 1 : 0);
}

UT_CASE(chroot_basics, 0, 30)
{
	mkdir(JAIL, 0755);
	mkdir(JAIL "/a", 0755);
	mkdir(JAIL "/etc", 0755);
	put(JAIL "/etc/id", "inside");
	unlink(JAIL "/link");
	ASSERT(symlink("/etc/id", JAIL "/link") == 0);

	EXPECT(ut_exited_with(ut_in_child(inside_child, NULL), 0));
	EXPECT(ut_exited_with(ut_in_child(outside_cwd_child, NULL), 0));
	EXPECT(ut_exited_with(ut_in_child(unprivileged_child, NULL), 0));
	/* The caller's own root did not move. */
	EXPECT(access("/etc/id", F_OK) == -1 || !reads("/etc/id", "inside"));
	errno = 0;
	EXPECT(syscall(SYS_chroot, BAD) == -1 && errno == EFAULT);
	errno = 0;
	EXPECT(chroot(JAIL "/none") == -1 && errno == ENOENT);
	errno = 0;
	EXPECT(chroot(JAIL "/etc/id") == -1 && errno == ENOTDIR);
	EXPECT(chroot("/") == 0); /* root to the real root: no change */
	EXPECT(access("/tmp", F_OK) == 0);
	/* Leave nothing behind: /tmp is a tmpfs, its files are memory (the leak check). */
	EXPECT(unlink(JAIL "/link") == 0 && unlink(JAIL "/etc/id") == 0);
	EXPECT(rmdir(JAIL "/etc") == 0 && rmdir(JAIL "/a") == 0 && rmdir(JAIL) == 0);
}
