// SPDX-License-Identifier: MIT
/*
 * fsload: file-system workloads for the reliability tests (tests/qemu/test_reliability.py).
 *
 *   fsload shutdown [poweroff|restart] [bomb]
 *                              leave deferred work behind and power off without sync: big
 *                              files written and synced, then unlinked (their blocks are
 *                              freed by deferred work), one of them held open, unlinked,
 *                              by a child that never exits, clean caches dropped (so that
 *                              free is deferred), and /var/tmp/fsload_kept written, not
 *                              synced, and chains of processes forking on (with "bomb" also
 *                              a fork bomb). Then exit (init exits and the kernel shuts
 *                              down), or call reboot(2) POWER_OFF or RESTART.
 *                              A clean shutdown must leave a clean disk.
 *
 * Every subcommand prints "fsload: <what> done" before it ends the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsload.h"

static void die(const char *what)
{
	dprintf(2, "fsload: %s: %s\n", what, strerror(errno));
	exit(2);
}

int fsload_write_file(const char *path, size_t size, uint64_t seed)
{
	static uint8_t b[65536];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < size; off += sizeof(b)) {
		size_t n = size - off < sizeof(b) ? size - off : sizeof(b);

		fsload_fill(b, n, seed, off);
		if (write(fd, b, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	return close(fd);
}

void fsload_fill(uint8_t *b, size_t n, uint64_t seed, uint64_t off)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t x = ((off + i) >> 3) * 0x9E3779B97F4A7C15ULL ^ seed;

		x ^= x >> 29;
		b[i] = (uint8_t)(x >> (((off + i) & 7) * 8));
	}
}

#define BIG (8u << 20)
#define NBIG 4
#define NCHAIN 8
#define BOMB_NPROC 400
#define BOMB_WORKERS 64
#define KEPT_LINES 20000 /* tests/qemu/test_reliability.py reads them back */

static int cmd_shutdown(int argc, char **argv)
{
	int how = argc < 2 ? 0 : !strcmp(argv[1], "poweroff") ? RB_POWER_OFF
			       : !strcmp(argv[1], "restart") ? RB_AUTOBOOT : 0;
	bool bomb = argc >= 2 && !strcmp(argv[argc - 1], "bomb");
	char path[64];
	int fds[2];

	for (int i = 0; i < NBIG; i++) {
		snprintf(path, sizeof(path), "/var/tmp/fsload_big%d", i);
		if (fsload_write_file(path, BIG, (uint64_t)i))
			die(path);
	}
	sync();
	/* A child holds the last one open, unlinked, stopped, until the shutdown kills it. */
	if (pipe(fds))
		die("pipe");
	pid_t c = fork();
	if (c < 0)
		die("fork");
	if (c == 0) {
		int fd = open("/var/tmp/fsload_big3", O_RDONLY);

		if (fd < 0 || unlink("/var/tmp/fsload_big3"))
			_exit(3);
		write(fds[1], "k", 1);
		raise(SIGSTOP); /* a stopped process must die at the shutdown too */
		for (;;)
			pause();
	}
	char k;
	if (read(fds[0], &k, 1) != 1)
		die("child");
	for (int i = 0; i < NBIG - 1; i++) {
		snprintf(path, sizeof(path), "/var/tmp/fsload_big%d", i);
		if (unlink(path))
			die(path);
	}
	/* Data written and never synced: the shutdown must write it back too. */
	FILE *kept = fopen("/var/tmp/fsload_kept", "w");
	if (!kept)
		die("fsload_kept");
	for (int i = 0; i < KEPT_LINES; i++)
		fprintf(kept, "kept line %d\n", i);
	if (fclose(kept))
		die("fsload_kept");
	/* Clean cached metadata dropped: the free of the held-open file, when the shutdown's
	 * kill closes it, misses the cache and is deferred to ext2's orphan list, which only
	 * the shutdown's sync finishes. */
	int dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (dc < 0 || write(dc, "3", 1) != 1)
		die("drop_caches");
	close(dc);
	/* Process chains that fork on and on (each forks, then exits), each holding an
	 * unlinked file: the shutdown must end them all, though their pids keep moving. */
	for (int i = 0; i < NCHAIN; i++) {
		pid_t ch = fork();

		if (ch < 0)
			die("fork");
		if (ch == 0) {
			snprintf(path, sizeof(path), "/var/tmp/fsload_chain%d", i);
			if (open(path, O_WRONLY | O_CREAT, 0644) < 0 || unlink(path))
				_exit(3);
			for (;;)
				if (fork() > 0)
					_exit(0);
		}
	}
	/* No sync: the kernel's shutdown must finish the frees and write them back. */
	printf("fsload: shutdown done\n");
	fflush(stdout);
	if (bomb) {
		/* A fork bomb of an unprivileged user (capped by RLIMIT_NPROC, so it does
		 * not take all memory) holding an unlinked file, going on as the shutdown
		 * starts: the shutdown must end it. Its processes fork, reap and fork
		 * again, so processes are made while others count them for the limit. */
		pid_t b = fork();

		if (b < 0)
			die("fork");
		if (b == 0) {
			struct rlimit rl = { BOMB_NPROC, BOMB_NPROC };

			if (open("/var/tmp/fsload_bomb", O_WRONLY | O_CREAT, 0666) < 0 ||
			    unlink("/var/tmp/fsload_bomb") || setgid(65534) || setuid(65534) ||
			    setrlimit(RLIMIT_NPROC, &rl))
				_exit(3);
			for (int i = 0; i < BOMB_WORKERS && fork() > 0; i++)
				;
			for (;;) {
				if (fork() == 0)
					_exit(0);
				while (waitpid(-1, NULL, WNOHANG) > 0)
					;
			}
		}
		usleep(300000);
	}
	if (how) {
		syscall(SYS_reboot, 0xfee1dead, 672274793, how, NULL);
		die("reboot");
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "shutdown", cmd_shutdown },
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	dprintf(2, "usage: fsload shutdown [poweroff|restart] [bomb]\n");
	return 2;
}
