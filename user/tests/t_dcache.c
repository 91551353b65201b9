// SPDX-License-Identifier: MIT
/*
 * Name-cache cases (dcache_*) and big directories (bigdir_*). What the kernel's name
 * cache (kernel/fs/dcache.c) must keep true from user space: a name another process
 * creates is seen at once even by a process that just found it absent (a negative entry),
 * unlink, rename, rmdir and link are seen at once, and dropping the caches changes no
 * answer. bigdir_30k: 30,000 names in one directory of an ext2 disk on /dev/vdb (an
 * htree), looked up, half removed, some renamed, readdir checked name by name; the
 * pytest (tests/qemu/test_bigdir.py) runs e2fsck -fn on that disk afterwards.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

static ino_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static bool absent(const char *path)
{
	struct stat st;

	return stat(path, &st) == -1 && errno == ENOENT;
}

/* Run fn(arg) in a child and wait for it; true when it exited 0. */
static bool in_child(void (*fn)(void *), void *arg)
{
	return ut_exited_with(ut_in_child(fn, arg), 0);
}

static void child_create(void *p)
{
	int fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0644);

	_exit(fd >= 0 && write(fd, "new", 3) == 3 ? 0 : 1);
}

static void child_unlink(void *p)
{
	_exit(unlink(p) == 0 ? 0 : 1);
}

static void child_mkdir(void *p)
{
	_exit(mkdir(p, 0755) == 0 ? 0 : 1);
}

static void child_rmdir(void *p)
{
	_exit(rmdir(p) == 0 ? 0 : 1);
}

static const char *ren_from, *ren_to;
static void child_rename(void *p)
{
	(void)p;
	_exit(rename(ren_from, ren_to) == 0 ? 0 : 1);
}

UT_CASE(dcache_negative_then_create_elsewhere, 0, 60)
{
	const char *p = "/tmp/dc_neg";
	char buf[8] = { 0 };

	unlink(p);
	/* Absent, asked twice: the second answer is the cached negative one. */
	EXPECT(absent(p));
	EXPECT(absent(p));
	EXPECT(in_child(child_create, (void *)p));
	int fd = open(p, O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, sizeof(buf)) == 3 && !strcmp(buf, "new"));
	if (fd >= 0)
		close(fd);
	/* The same for a directory made elsewhere, and a name under it. */
	const char *d = "/tmp/dc_negdir", *f = "/tmp/dc_negdir/x";
	rmdir(d);
	EXPECT(absent(d));
	EXPECT(absent(f));
	EXPECT(in_child(child_mkdir, (void *)d));
	EXPECT(ino_of(d) != 0);
	EXPECT(absent(f));
	EXPECT(in_child(child_create, (void *)f));
	EXPECT(ino_of(f) != 0);
	EXPECT(unlink(f) == 0 && rmdir(d) == 0);
	EXPECT(unlink(p) == 0);
}

UT_CASE(dcache_unlink_rename_rmdir_seen_at_once, 0, 60)
{
	const char *a = "/tmp/dc_a", *b = "/tmp/dc_b", *c = "/tmp/dc_c";
	ino_t ia;

	unlink(a), unlink(b), unlink(c);
	ASSERT(close(open(a, O_CREAT | O_WRONLY, 0644)) == 0);
	ia = ino_of(a);
	EXPECT(ia != 0);
	EXPECT(in_child(child_unlink, (void *)a));
	EXPECT(absent(a));
	/* rename elsewhere: the old name goes, the new one names the same inode */
	ASSERT(close(open(a, O_CREAT | O_WRONLY, 0644)) == 0);
	ia = ino_of(a);
	EXPECT(absent(b));
	ren_from = a, ren_to = b;
	EXPECT(in_child(child_rename, NULL));
	EXPECT(absent(a));
	EXPECT(ino_of(b) == ia);
	/* rename over an existing name: it names the moved inode now */
	ASSERT(close(open(c, O_CREAT | O_WRONLY, 0644)) == 0);
	EXPECT(ino_of(c) != 0 && ino_of(c) != ia);
	ren_from = b, ren_to = c;
	EXPECT(in_child(child_rename, NULL));
	EXPECT(absent(b));
	EXPECT(ino_of(c) == ia);
	/* a hard link, then rename of one link onto the other: nothing changes (Linux) */
	EXPECT(link(c, a) == 0);
	EXPECT(ino_of(a) == ia);
	EXPECT(rename(a, c) == 0);
	EXPECT(ino_of(a) == ia && ino_of(c) == ia);
	EXPECT(unlink(a) == 0);
	EXPECT(absent(a) && ino_of(c) == ia);
	/* rmdir elsewhere of a dir with cached absent names under it, and made again */
	const char *d = "/tmp/dc_dir", *f = "/tmp/dc_dir/f";
	rmdir(d);
	ASSERT(mkdir(d, 0755) == 0);
	EXPECT(absent(f));
	EXPECT(in_child(child_rmdir, (void *)d));
	EXPECT(absent(d) && absent(f));
	EXPECT(mkdir(d, 0755) == 0);
	EXPECT(absent(f));
	EXPECT(close(open(f, O_CREAT | O_WRONLY, 0644)) == 0 && ino_of(f) != 0);
	EXPECT(unlink(f) == 0 && rmdir(d) == 0);
	EXPECT(unlink(c) == 0);
	EXPECT(absent(c));
}

/* Dropping the caches (dentries and inodes: 2) changes no answer. */
UT_CASE(dcache_drop_caches_keeps_answers, 0, 60)
{
	const char *a = "/tmp/dc_drop";
	ino_t ia;

	unlink(a);
	ASSERT(close(open(a, O_CREAT | O_WRONLY, 0644)) == 0);
	ia = ino_of(a);
	EXPECT(absent("/tmp/dc_drop_absent"));
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		EXPECT(write(fd, "2\n", 2) == 2);
		close(fd);
	}
	EXPECT(ino_of(a) == ia);
	EXPECT(absent("/tmp/dc_drop_absent"));
	EXPECT(unlink(a) == 0 && absent(a));
}

#define BIG_N 30000

static bool name_of(const char *s, char *kind, unsigned *i)
{
	char k;

	if (sscanf(s, "%c%u", &k, i) != 2 || *i >= BIG_N)
		return false;
	*kind = k;
	return true;
}

/* 30,000 names in one directory of the ext2 disk on /dev/vdb (skipped without it). */
UT_CASE(bigdir_30k, 0, 600)
{
	const char *mnt = "/bigmnt", *dir = "/bigmnt/d";
	static unsigned char seen[BIG_N];
	char p[64], q[64];
	struct stat st;

	mkdir(mnt, 0755);
	if (mount("/dev/vdb", mnt, "ext2", 0, NULL) != 0) {
		printf("# skip: no ext2 disk on /dev/vdb (errno %d)\n", errno);
		return;
	}
	ASSERT(mkdir(dir, 0755) == 0);
	for (unsigned i = 0; i < BIG_N; i++) {
		snprintf(p, sizeof(p), "%s/f%05u", dir, i);
		int fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (!EXPECT(fd >= 0)) {
			ut_diag("create %s: errno %d", p, errno);
			break;
		}
		close(fd);
	}
	for (unsigned i = 0; i < BIG_N; i += 13) {
		snprintf(p, sizeof(p), "%s/f%05u", dir, i);
		EXPECT(stat(p, &st) == 0 && S_ISREG(st.st_mode));
		snprintf(p, sizeof(p), "%s/g%05u", dir, i);
		EXPECT(absent(p));
		snprintf(p, sizeof(p), "%s/f%05u", dir, i);
		EXPECT(open(p, O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 && errno == EEXIST);
	}
	for (unsigned i = 1; i < BIG_N; i += 2) {
		snprintf(p, sizeof(p), "%s/f%05u", dir, i);
		if (!EXPECT(unlink(p) == 0))
			break;
	}
	for (unsigned i = 0; i < BIG_N; i += 10) {
		snprintf(p, sizeof(p), "%s/f%05u", dir, i);
		snprintf(q, sizeof(q), "%s/r%05u", dir, i);
		if (!EXPECT(rename(p, q) == 0))
			break;
	}
	DIR *dp = opendir(dir);
	ASSERT(dp != NULL);
	unsigned others = 0, dups = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		char k;
		unsigned i;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!name_of(de->d_name, &k, &i) || (k != 'f' && k != 'r')) {
			others++;
			continue;
		}
		dups += seen[i] != 0;
		seen[i] = (unsigned char)k;
	}
	closedir(dp);
	EXPECT(others == 0 && dups == 0);
	unsigned wrong = 0;
	for (unsigned i = 0; i < BIG_N; i++) {
		char want = i % 2 ? 0 : i % 10 == 0 ? 'r' : 'f';

		if (seen[i] != (unsigned char)want && wrong++ < 5)
			ut_diag("name %u: seen %c, want %c", i, seen[i] ? seen[i] : '-',
				want ? want : '-');
	}
	EXPECT(wrong == 0);
	/* the ones renamed are there under the new name only */
	for (unsigned i = 0; i < BIG_N; i += 30) {
		snprintf(p, sizeof(p), "%s/f%05u", dir, i);
		snprintf(q, sizeof(q), "%s/r%05u", dir, i);
		EXPECT(absent(p) && stat(q, &st) == 0);
	}
	sync();
	EXPECT(umount(mnt) == 0);
}
