// SPDX-License-Identifier: MIT
/*
 * Name cases (namei_*): open(O_CREAT) racing on one name from several processes, and
 * what a name cache must keep true from user space: a name that was just created,
 * removed, renamed or linked is seen that way at once by every process, absent names
 * stay absent, and a directory holds thousands of names. They run on whatever "/" is
 * (the ext2 disk root or the initramfs); scratch names live under /tmp.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

#define RACERS 4
#define ROUNDS 3000

/*
 * One racer: open(O_CREAT) without O_EXCL on the shared name, over and over, while the
 * others do the same and one in two rounds someone unlinks it. open must succeed every
 * time (one of the racers creates, the others open what is there): never EEXIST. Exit
 * status: 0, or 1 + the number of failures (capped), so the parent can say what went wrong.
 */
static void racer(const char *path, int id)
{
	int eexist = 0, other = 0;

	for (int i = 0; i < ROUNDS; i++) {
		if ((i + id) % 2 == 0)
			unlink(path); /* ENOENT when another racer was first: fine */
		int fd = open(path, O_CREAT | O_WRONLY, 0644);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (errno == EEXIST)
			eexist++;
		else
			other++;
	}
	if (eexist || other)
		dprintf(1, "#   racer %d: %d EEXIST, %d other failures in %d opens\n", id, eexist,
			other, ROUNDS);
	_exit(eexist + other ? 1 + (eexist + other > 100 ? 100 : eexist + other) : 0);
}

UT_CASE(namei_creat_race, 0, 300)
{
	const char *path = "/tmp/namei_race";
	pid_t pids[RACERS];

	unlink(path);
	for (int i = 0; i < RACERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			racer(path, i);
		ASSERT(pids[i] > 0);
	}
	for (int i = 0; i < RACERS; i++)
		EXPECT(ut_exited_with(ut_wait(pids[i]), 0));
	unlink(path);
}

/* The same with O_EXCL: exactly one creator per round trip of the name. Each racer
 * counts its successes; every success but the first needs an unlink before it, so
 * successes <= unlinks + 1, and there is never an error but EEXIST or ENOENT. */
UT_CASE(namei_excl_race, 0, 300)
{
	const char *path = "/tmp/namei_excl";
	int pfd[2];
	pid_t pids[RACERS];

	unlink(path);
	ASSERT(pipe(pfd) == 0);
	for (int i = 0; i < RACERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int made = 0, gone = 0, bad = 0;

			close(pfd[0]);
			for (int k = 0; k < ROUNDS / 2; k++) {
				int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
				if (fd >= 0) {
					made++;
					close(fd);
				} else if (errno != EEXIST) {
					bad++;
				}
				if (unlink(path) == 0)
					gone++;
				else if (errno != ENOENT)
					bad++;
			}
			int rec[3] = { made, gone, bad };
			(void)!write(pfd[1], rec, sizeof(rec));
			_exit(0);
		}
		ASSERT(pids[i] > 0);
	}
	close(pfd[1]);
	int made = 0, gone = 0, bad = 0, rec[3];
	while (read(pfd[0], rec, sizeof(rec)) == (ssize_t)sizeof(rec)) {
		made += rec[0];
		gone += rec[1];
		bad += rec[2];
	}
	close(pfd[0]);
	for (int i = 0; i < RACERS; i++)
		EXPECT(ut_exited_with(ut_wait(pids[i]), 0));
	bool present = access(path, F_OK) == 0;
	ut_diag("%d exclusive creates, %d unlinks, %d unexpected errors", made, gone, bad);
	EXPECT(bad == 0);
	/* every create is undone by exactly one unlink, except a file left at the end */
	EXPECT(made == gone + (present ? 1 : 0));
	unlink(path);
}
