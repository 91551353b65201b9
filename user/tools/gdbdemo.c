// SPDX-License-Identifier: MIT
/*
 * gdbdemo: a small program to debug from GDB (docs/debugging.md, tests/gdb/test_user_gdb.py):
 * main -> gdbdemo_middle -> gdbdemo_leaf makes one write (a syscall that finishes at once)
 * and one read of an empty pipe (a syscall that waits: its future stays pending until a
 * child writes, 100 ms later). Exits 0 once the byte arrived.
 *
 * usage: gdbdemo
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* noinline: each is a frame of its own in the backtrace. */
__attribute__((noinline)) int gdbdemo_leaf(int fd, int depth)
{
	static const char msg[] = "gdbdemo: waiting for the child\n";
	char c = 0;

	/* glibc's syscall(): one ecall, easy to find with x/20i syscall. */
	if (syscall(SYS_write, 1, msg, sizeof(msg) - 1) != (long)sizeof(msg) - 1)
		return -1;
	if (read(fd, &c, 1) != 1)
		return -1;
	return c == '!' ? depth : -1;
}

__attribute__((noinline)) int gdbdemo_middle(int fd)
{
	int r = gdbdemo_leaf(fd, 2);

	return r < 0 ? r : r + 1;
}

int main(void)
{
	int p[2];
	pid_t pid;
	int st, r;

	if (pipe(p) != 0)
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		_exit(write(p[1], "!", 1) == 1 ? 0 : 1);
	}
	r = gdbdemo_middle(p[0]);
	waitpid(pid, &st, 0);
	printf("gdbdemo: read through %d frames, child status %d\n", r, st);
	return r == 3 && st == 0 ? 0 : 1;
}
