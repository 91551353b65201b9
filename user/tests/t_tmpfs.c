// SPDX-License-Identifier: MIT
/*
 * tmpfs cases (tmpfs_*): the boot mounts of /tmp and /dev/shm, mount(2) with
 * size=, nr_inodes=, mode=, uid=, gid= and bad options, ENOSPC at the size
 * limit (a short write, then ENOSPC), pages and MemFree back on unlink and
 * truncate, names (rename, link, symlink), mmap, and EBUSY on a busy umount.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "ut.h"

#define TMPFS_MAGIC 0x01021994
#define MNT "/tmp/ut_tmpfs_mnt"

static long meminfo_free_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char buf[128];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Mount a tmpfs with opts on MNT (made if needed); false if mount failed. */
static bool mnt(const char *opts)
{
	mkdir(MNT, 0755);
	return mount("none", MNT, "tmpfs", 0, opts) == 0;
}

static void unmnt(void)
{
	EXPECT(umount2(MNT, 0) == 0);
	rmdir(MNT);
}

UT_CASE(tmpfs_boot_mounts, 0, 30)
{
	struct statfs sf;
	struct stat st;

	EXPECT(statfs("/tmp", &sf) == 0 && sf.f_type == TMPFS_MAGIC && sf.f_bsize == 4096);
	EXPECT(sf.f_blocks > 0 && sf.f_bfree <= sf.f_blocks && sf.f_files > 0);
	EXPECT(statfs("/dev/shm", &sf) == 0 && sf.f_type == TMPFS_MAGIC);
	EXPECT(stat("/tmp", &st) == 0 && (st.st_mode & 07777) == 01777);
	EXPECT(stat("/dev/shm", &st) == 0 && (st.st_mode & 07777) == 01777);
	/* Default size: half of RAM, as Linux. */
	struct sysinfo si;
	EXPECT(sysinfo(&si) == 0);
	EXPECT(statfs("/tmp", &sf) == 0);
	uint64_t half = (uint64_t)si.totalram * si.mem_unit / 2 / 4096;
	EXPECT(sf.f_blocks + 2 >= half && sf.f_blocks <= half + 2);
}

UT_CASE(tmpfs_size_enospc, 0, 60)
{
	static char b[80 << 10];
	struct statfs sf;

	ASSERT(mnt("size=64k"));
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_type == TMPFS_MAGIC);
	EXPECT(sf.f_blocks == 16 && sf.f_bfree == 16 && sf.f_bavail == 16);
	int fd = open(MNT "/f", O_RDWR | O_CREAT, 0644);
	ASSERT(fd >= 0);
	memset(b, 'x', sizeof(b));
	/* 80 KiB into 64 KiB: a short write of 64 KiB, then ENOSPC. */
	EXPECT(write(fd, b, sizeof(b)) == 65536);
	errno = 0;
	EXPECT(write(fd, b, 1) == -1 && errno == ENOSPC);
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_bfree == 0);
	/* Rewriting pages the file has needs no new space. */
	EXPECT(pwrite(fd, b, 4096, 0) == 4096);
	/* A second file cannot get a page either. */
	int fd2 = open(MNT "/g", O_RDWR | O_CREAT, 0644);
	EXPECT(fd2 >= 0 && write(fd2, b, 1) == -1 && errno == ENOSPC);
	close(fd2);
	/* Truncate gives pages back. */
	EXPECT(ftruncate(fd, 8192) == 0);
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_bfree == 14);
	/* Holes are free: a sparse 1 MiB file takes one page. */
	EXPECT(pwrite(fd, "e", 1, 1 << 20) == 1);
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_bfree == 13);
	close(fd);
	EXPECT(unlink(MNT "/f") == 0 && unlink(MNT "/g") == 0);
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_bfree == 16);
	unmnt();
}

/* 4 MiB written and unlinked: MemFree comes back (within slack). */
UT_CASE(tmpfs_memory_back, 0, 60)
{
	static char b[64 << 10];
	const long mb4 = 4096; /* kB */

	ASSERT(mnt("size=8m"));
	long before = meminfo_free_kb();
	int fd = open(MNT "/big", O_WRONLY | O_CREAT, 0644);
	ASSERT(fd >= 0 && before > 0);
	memset(b, 7, sizeof(b));
	for (int i = 0; i < 64; i++)
		EXPECT(write(fd, b, sizeof(b)) == (ssize_t)sizeof(b));
	close(fd);
	long full = meminfo_free_kb();
	EXPECT(before - full >= mb4 - 256);
	EXPECT(unlink(MNT "/big") == 0);
	long after = meminfo_free_kb();
	ut_diag("MemFree %ld -> %ld -> %ld kB", before, full, after);
	EXPECT(after - full >= mb4 - 256);
	EXPECT(before - after < 512);
	unmnt();
}

UT_CASE(tmpfs_nr_inodes, 0, 30)
{
	struct statfs sf;

	ASSERT(mnt("nr_inodes=3"));
	/* The root is one of the three. */
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_files == 3 && sf.f_ffree == 2);
	int a = open(MNT "/a", O_WRONLY | O_CREAT, 0644);
	EXPECT(a >= 0);
	EXPECT(mkdir(MNT "/d", 0755) == 0);
	errno = 0;
	EXPECT(open(MNT "/c", O_WRONLY | O_CREAT, 0644) == -1 && errno == ENOSPC);
	EXPECT(symlink("x", MNT "/s") == -1 && errno == ENOSPC);
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_ffree == 0);
	close(a);
	EXPECT(unlink(MNT "/a") == 0);
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_ffree == 1);
	EXPECT(rmdir(MNT "/d") == 0);
	unmnt();
}

UT_CASE(tmpfs_options, 0, 30)
{
	struct stat st;
	struct statfs sf;
	struct sysinfo si;

	ASSERT(mnt("mode=0710,uid=5,gid=6,size=1m"));
	EXPECT(stat(MNT, &st) == 0 && (st.st_mode & 07777) == 0710 && st.st_uid == 5 &&
	       st.st_gid == 6 && S_ISDIR(st.st_mode));
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_blocks == 256);
	unmnt();
	ASSERT(mnt("size=25%"));
	EXPECT(sysinfo(&si) == 0 && statfs(MNT, &sf) == 0);
	uint64_t q = (uint64_t)si.totalram * si.mem_unit / 4 / 4096;
	EXPECT(sf.f_blocks + 2 >= q && sf.f_blocks <= q + 2);
	unmnt();
	ASSERT(mnt("nr_blocks=10"));
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_blocks == 10);
	unmnt();
	mkdir(MNT, 0755);
	errno = 0;
	EXPECT(mount("none", MNT, "tmpfs", 0, "bogus=1") == -1 && errno == EINVAL);
	EXPECT(mount("none", MNT, "tmpfs", 0, "size=12q") == -1 && errno == EINVAL);
	EXPECT(mount("none", MNT, "tmpfs", 0, "mode=99") == -1 && errno == EINVAL);
	EXPECT(mount("none", MNT, "tmpfs", 0, "size") == -1 && errno == EINVAL);
	rmdir(MNT);
}

UT_CASE(tmpfs_names, 0, 30)
{
	char buf[64];
	struct stat st, st2;

	ASSERT(mnt("size=1m"));
	int fd = open(MNT "/a", O_WRONLY | O_CREAT, 0644);
	ASSERT(fd >= 0);
	EXPECT(write(fd, "hello", 5) == 5);
	close(fd);
	EXPECT(mkdir(MNT "/d", 0755) == 0);
	EXPECT(rename(MNT "/a", MNT "/d/b") == 0);
	EXPECT(access(MNT "/a", F_OK) == -1 && errno == ENOENT);
	EXPECT(link(MNT "/d/b", MNT "/c") == 0);
	EXPECT(stat(MNT "/c", &st) == 0 && st.st_nlink == 2 && st.st_size == 5);
	EXPECT(stat(MNT "/d/b", &st2) == 0 && st2.st_ino == st.st_ino);
	EXPECT(symlink("d/b", MNT "/s") == 0);
	ssize_t n = readlink(MNT "/s", buf, sizeof(buf));
	EXPECT(n == 3 && !memcmp(buf, "d/b", 3));
	fd = open(MNT "/s", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5));
	close(fd);
	EXPECT(rmdir(MNT "/d") == -1 && errno == ENOTEMPTY);
	/* st_dev differs from the fs below. */
	struct stat up;
	EXPECT(stat("/", &up) == 0 && stat(MNT "/c", &st) == 0 && up.st_dev != st.st_dev);
	EXPECT(unlink(MNT "/d/b") == 0 && unlink(MNT "/c") == 0 && unlink(MNT "/s") == 0);
	EXPECT(rmdir(MNT "/d") == 0);
	unmnt();
}

UT_CASE(tmpfs_mmap_shared, 0, 30)
{
	char buf[16];

	ASSERT(mnt("size=64k"));
	int fd = open(MNT "/m", O_RDWR | O_CREAT, 0644);
	ASSERT(fd >= 0 && ftruncate(fd, 8192) == 0);
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT(p != MAP_FAILED);
	memcpy(p + 4096, "mapped", 6);
	EXPECT(pread(fd, buf, 6, 4096) == 6 && !memcmp(buf, "mapped", 6));
	EXPECT(pwrite(fd, "viawr", 5, 0) == 5 && !memcmp(p, "viawr", 5));
	munmap(p, 8192);
	close(fd);
	EXPECT(unlink(MNT "/m") == 0);
	struct statfs sf;
	EXPECT(statfs(MNT, &sf) == 0 && sf.f_bfree == 16);
	unmnt();
}

UT_CASE(tmpfs_umount_busy, 0, 30)
{
	ASSERT(mnt("size=64k"));
	EXPECT(mkdir(MNT "/x", 0755) == 0 && mkdir(MNT "/x/y", 0755) == 0);
	int fd = open(MNT "/x/y/f", O_WRONLY | O_CREAT, 0644);
	ASSERT(fd >= 0);
	errno = 0;
	EXPECT(umount2(MNT, 0) == -1 && errno == EBUSY);
	/* Open but unlinked is still busy. */
	EXPECT(unlink(MNT "/x/y/f") == 0);
	EXPECT(umount2(MNT, 0) == -1 && errno == EBUSY);
	close(fd);
	/* A cwd inside is busy too. */
	char cwd[256];
	ASSERT(getcwd(cwd, sizeof(cwd)));
	ASSERT(chdir(MNT "/x") == 0);
	EXPECT(umount2(MNT, 0) == -1 && errno == EBUSY);
	ASSERT(chdir(cwd) == 0);
	/* Now free: the tree (with its files) goes with the mount. */
	fd = open(MNT "/x/y/g", O_WRONLY | O_CREAT, 0644);
	EXPECT(fd >= 0 && write(fd, "z", 1) == 1);
	close(fd);
	EXPECT(umount2(MNT, 0) == 0);
	EXPECT(access(MNT "/x", F_OK) == -1 && errno == ENOENT);
	rmdir(MNT);
}
