// SPDX-License-Identifier: MIT
/*
 * Copy-on-write fork seen from user space (the page-table lab, docs/labs/05-cow.md): a
 * child shares its parent's 16 MiB until one of them writes, a written page costs one page,
 * and everything comes back when the child is gone. Measured in /proc/meminfo's MemFree.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

#define MIB (1024L * 1024L)

static long memfree_kb(void)
{
	char buf[4096];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

UT_CASE(cow_fork_shares_until_written, 0, 60)
{
	const size_t n = 16 * MIB, touched = 4 * MIB;
	long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2], ready[2];
	char c;

	ASSERT(m != MAP_FAILED);
	memset(m, 'p', n);
	ASSERT(pipe(go) == 0 && pipe(ready) == 0);
	long before = memfree_kb();
	ASSERT(before > 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		bool same = true;

		for (size_t i = 0; i < n; i += (size_t)page)
			same &= m[i] == 'p';
		if (write(ready[1], "1", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		for (size_t i = 0; i < touched; i += (size_t)page)
			m[i] = 'c';
		if (write(ready[1], "2", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(same ? 0 : 1);
	}
	EXPECT(read(ready[0], &c, 1) == 1);
	/* The child read all 16 MiB: shared, it costs its page tables only. */
	long forked = memfree_kb();
	if (!EXPECT(before - forked < 2048))
		ut_diag("the child took %ld KiB before writing anything", before - forked);
	EXPECT(write(go[1], "g", 1) == 1 && read(ready[0], &c, 1) == 1);
	/* 4 MiB written by the child: 4 MiB of copies, the rest still shared. */
	long written = memfree_kb();
	if (!EXPECT(forked - written >= 4096 - 256 && forked - written < 4096 + 1024))
		ut_diag("4 MiB written cost %ld KiB", forked - written);
	/* The parent still sees its own bytes. */
	bool mine = true;
	for (size_t i = 0; i < n; i += (size_t)page)
		mine &= m[i] == 'p';
	EXPECT(mine);
	EXPECT(write(go[1], "g", 1) == 1);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	/* Everything the child had is back (frees may finish a moment later). */
	long after = memfree_kb();
	for (int i = 0; i < 100 && before - after > 256; i++) {
		ut_sleep_ms(10);
		after = memfree_kb();
	}
	if (!EXPECT(before - after <= 256))
		ut_diag("%ld KiB not back after the child exited", before - after);
	/* Alone again, the parent's writes take its pages over: nothing more is needed. */
	memset(m, 'q', n);
	EXPECT(memfree_kb() >= after - 256);
	munmap(m, n);
}
