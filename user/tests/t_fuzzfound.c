// SPDX-License-Identifier: MIT
/*
 * The defects the syscall fuzzer and the leak check found (user/fuzz/, docs/reliability.md),
 * each as the smallest sequence that shows it.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

/* rmdir and rename of a mount point are EBUSY (Linux): the fuzzer removed mounted scratch
 * dirs, and the mounts kept the deleted directories alive to power-off, where e2fsck found
 * them deleted with no dtime and their blocks still marked in use. */
UT_CASE(fuzzfound_mountpoint_busy, 0, 60)
{
	const char *mp = "/tmp/ff_mp", *other = "/tmp/ff_other";

	umount2(mp, MNT_DETACH);
	rmdir(mp);
	rmdir(other);
	ASSERT(mkdir(mp, 0755) == 0);
	ASSERT(mkdir(other, 0755) == 0);
	if (mount("proc", mp, "proc", 0, NULL)) {
		ut_diag("mount: %s: not root, skipped", strerror(errno));
		rmdir(mp);
		rmdir(other);
		return;
	}
	EXPECT(rmdir(mp) == -1 && errno == EBUSY);
	EXPECT(rename(mp, "/tmp/ff_moved") == -1 && errno == EBUSY);
	EXPECT(rename(other, mp) == -1 && errno == EBUSY);
	EXPECT(access("/tmp/ff_mp/self", F_OK) == 0); /* still mounted, still there */
	EXPECT(umount2(mp, 0) == 0);
	EXPECT(rmdir(mp) == 0);
	EXPECT(rmdir(other) == 0);
}

static long slab_objects(const char *cache)
{
	static char buf[8192];
	int fd = open("/proc/slabinfo", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	char name[32];
	long objs = -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (sscanf(p, "%31s %ld", name, &objs) == 2 && !strcmp(name, cache))
			return objs;
	return 0;
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		write(fd, "3", 1);
		close(fd);
	}
}

/* The first fetch from a text page not yet read: the fault path asked whether the fetch was
 * a signal handler's return by reading the code at pc, which parked a read of that page that
 * nobody awaited: one leaked wait and one reference on the file's page cache per such page,
 * so the cache of every program ever run stayed in memory. */
UT_CASE(fuzzfound_text_fault_leaks_nothing, 0, 60)
{
	const char *exe = "/var/tmp/ff_exe"; /* on the disk: a tmpfs file's pages are not dropped */
	static char buf[65536];
	int in, out;
	ssize_t n;

	if (slab_objects("pcache") < 0) {
		ut_diag("no /proc/slabinfo: skipped");
		return;
	}
	/* A fresh copy: its pages are cached only as written, dropped below before it runs. */
	in = open(ut_self, O_RDONLY);
	out = open(exe, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ASSERT(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ASSERT(write(out, buf, (size_t)n) == n);
	close(in);
	ASSERT(close(out) == 0);
	drop_caches();
	long before = slab_objects("pcache");

	pid_t p = fork();
	if (p == 0) {
		execl(exe, exe, "--fp-exec-helper", (char *)NULL);
		_exit(127);
	}
	ASSERT(p > 0);
	EXPECT(ut_exited_with(ut_wait(p), 0));
	EXPECT(unlink(exe) == 0);
	drop_caches();
	long after = slab_objects("pcache");
	EXPECT(after == before);
	if (after != before)
		ut_diag("page caches: %ld before, %ld after", before, after);
}

/* readv and writev whose segments are all empty return 0; they kept the kernel's copy of the
 * iovec array (found by the leak check, with fuzz -c readv,writev). */
UT_CASE(fuzzfound_empty_iovecs_leak_nothing, 0, 60)
{
	struct iovec v[4] = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
	int fds[2];

	if (slab_objects("kmalloc-64") < 0) {
		ut_diag("no /proc/slabinfo: skipped");
		return;
	}
	ASSERT(pipe(fds) == 0);
	long before = slab_objects("kmalloc-64");
	for (int i = 0; i < 500; i++) {
		EXPECT(readv(fds[0], v, 4) == 0);
		EXPECT(writev(fds[1], v, 4) == 0);
	}
	long after = slab_objects("kmalloc-64");
	close(fds[0]);
	close(fds[1]);
	/* 1,000 calls: a leak is 1,000 objects; anything else on the system moves a few. */
	EXPECT(after - before < 32);
	if (after - before >= 32)
		ut_diag("kmalloc-64 objects: %ld before, %ld after", before, after);
}

static void *sleeps(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void exits_group_with_sleepers(void *arg)
{
	pthread_t t;

	(void)arg;
	for (int i = 0; i < 3; i++)
		pthread_create(&t, NULL, sleeps, NULL);
	ut_sleep_ms(20);
	syscall(SYS_exit_group, 4);
}

/* exit_group ended the other threads of the group without waking their userloops: a thread
 * parked in pause() was never polled again, and its task kept its proc for good (found by
 * the leak check: three procs per such exit). */
UT_CASE(fuzzfound_exit_group_frees_sleeping_threads, 0, 60)
{
	if (slab_objects("proc") < 0) {
		ut_diag("no /proc/slabinfo: skipped");
		return;
	}
	long before = slab_objects("proc");
	for (int i = 0; i < 4; i++)
		EXPECT(ut_exited_with(ut_in_child(exits_group_with_sleepers, NULL), 4));
	long after = 0;
	for (int tries = 0; tries < 50 && (after = slab_objects("proc")) != before; tries++)
		ut_sleep_ms(20); /* the last tasks finish on their harts */
	EXPECT(after == before);
	if (after != before)
		ut_diag("proc objects: %ld before, %ld after", before, after);
}
