// SPDX-License-Identifier: MIT
/*
 * badfs: mount corrupted ext2 images and use them (tests/qemu/test_corrupt.py, issue 16).
 *
 *   badfs [DEV...]     each DEV (default: vdc, vdd, ... until one is missing) is mounted on
 *                      /mnt/badfs; a mount that works is walked (every directory listed,
 *                      every entry stat'd, files read, links read), written (a file made,
 *                      written, fsync'd, renamed, unlinked; a directory made and removed;
 *                      the first file found appended to and truncated) and unmounted.
 *
 * One line per image: "BADFS dev mount=OK|ERRNO walk=N err=M write=OK|ERRNO umount=..."
 * where ERRNO is the symbolic name of the first error of that step; then a file on the
 * root written before the first image is read back ("BADFS root intact"/"... changed").
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define MNT "/mnt/badfs"
#define MAX_DEPTH 24
#define MAX_ENTRIES 3000
#define MARK "/badfs.mark"
#define MARK_TEXT "the root file system must not change under a bad mount\n"

static unsigned entries, errors;
static int first_err;
static char first_file[512];
static char buf[65536];

static const char *ename(int e)
{
	static char other[16];

	switch (e) {
	case 0: return "OK";
	case EIO: return "EIO";
	case EUCLEAN: return "EUCLEAN";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case ENOSPC: return "ENOSPC";
	case EROFS: return "EROFS";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case EFBIG: return "EFBIG";
	case ELOOP: return "ELOOP";
	case EEXIST: return "EEXIST";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case EMLINK: return "EMLINK";
	case EOVERFLOW: return "EOVERFLOW";
	case ENODEV: return "ENODEV";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	}
	snprintf(other, sizeof(other), "E%d", e);
	return other;
}

static void note_err(void)
{
	errors++;
	if (!first_err)
		first_err = errno;
}

static void walk(const char *path, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > MAX_DEPTH)
		return;
	d = opendir(path);
	if (!d) {
		note_err();
		return;
	}
	while (entries < MAX_ENTRIES) {
		char p[512];
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				note_err();
			break;
		}
		entries++;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", path, de->d_name) >= (int)sizeof(p))
			continue;
		if (lstat(p, &st) < 0) {
			note_err();
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			/* getcwd climbs the ".." entries: a loop in them must not hang it */
			if (chdir(p) < 0 || !getcwd(buf, sizeof(buf)))
				note_err();
			chdir("/");
			walk(p, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			int fd = open(p, O_RDONLY);
			ssize_t n;
			size_t total = 0;

			if (fd < 0) {
				note_err();
				continue;
			}
			while (total < (1u << 20) && (n = read(fd, buf, sizeof(buf))) > 0)
				total += (size_t)n;
			if (n < 0)
				note_err();
			close(fd);
			if (!first_file[0])
				snprintf(first_file, sizeof(first_file), "%s", p);
		} else if (S_ISLNK(st.st_mode)) {
			if (readlink(p, buf, sizeof(buf)) < 0)
				note_err();
		}
	}
	closedir(d);
}

/* The writes; the errno of the first failing step, 0 if all worked. */
static int write_some(void)
{
	int fd, e = 0;

#define STEP(x)                          \
	do {                             \
		if ((x) < 0 && !e)       \
			e = errno;       \
	} while (0)
	fd = open(MNT "/badfs.new", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	STEP(fd);
	if (fd >= 0) {
		memset(buf, 'x', sizeof(buf));
		for (int i = 0; i < 3; i++)
			STEP(write(fd, buf, sizeof(buf)));
		STEP(fsync(fd));
		close(fd);
	}
	STEP(rename(MNT "/badfs.new", MNT "/badfs.renamed"));
	STEP(mkdir(MNT "/badfs.dir", 0755));
	fd = open(MNT "/badfs.dir/f", O_WRONLY | O_CREAT, 0644);
	STEP(fd);
	if (fd >= 0) {
		STEP(write(fd, buf, 100));
		close(fd);
	}
	STEP(unlink(MNT "/badfs.dir/f"));
	STEP(rmdir(MNT "/badfs.dir"));
	STEP(unlink(MNT "/badfs.renamed"));
	/* A directory moved under itself: EINVAL, found by climbing ".." from the target. */
	if (rename(MNT "/a", MNT "/a/b/c/inside") == 0 || errno != EINVAL)
		if (!e)
			e = errno ? errno : EEXIST;
	STEP(rename(MNT "/a/b", MNT "/big/b-moved"));
	if (first_file[0]) {
		fd = open(first_file, O_WRONLY | O_APPEND);
		STEP(fd);
		if (fd >= 0) {
			STEP(write(fd, buf, 5000));
			STEP(ftruncate(fd, 0));
			close(fd);
		}
		STEP(unlink(first_file));
	}
	sync();
#undef STEP
	return e;
}

static void one(const char *dev)
{
	char src[32];
	int w = 0, u;

	snprintf(src, sizeof(src), "/dev/%s", dev);
	entries = errors = 0;
	first_err = 0;
	first_file[0] = 0;
	printf("BADFS %s begin\n", dev);
	fflush(stdout);
	if (mount(src, MNT, "ext2", 0, NULL) < 0) {
		printf("BADFS %s mount=%s\n", dev, ename(errno));
		fflush(stdout);
		return;
	}
	walk(MNT, 0);
	w = write_some();
	u = umount(MNT) < 0 ? errno : 0;
	if (u == EBUSY) /* something of it still open or cached: try once more */
		u = umount(MNT) < 0 ? errno : 0;
	printf("BADFS %s mount=OK walk=%u err=%u first=%s write=%s umount=%s\n", dev, entries,
	       errors, ename(first_err), ename(w), ename(u));
	fflush(stdout);
}

static int mark(bool check)
{
	int fd = open(MARK, check ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	if (check) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
		return n == (ssize_t)strlen(MARK_TEXT) && !memcmp(buf, MARK_TEXT, (size_t)n) ? 0
											   : -1;
	}
	n = write(fd, MARK_TEXT, strlen(MARK_TEXT));
	fsync(fd);
	close(fd);
	return n == (ssize_t)strlen(MARK_TEXT) ? 0 : -1;
}

int main(int argc, char **argv)
{
	mkdir("/mnt", 0755);
	mkdir(MNT, 0755);
	if (mark(false) < 0)
		printf("BADFS root mark not written: %s\n", strerror(errno));
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			one(argv[i]);
	} else {
		for (char c = 'c'; c <= 'z'; c++) {
			char dev[8] = { 'v', 'd', c, 0 };
			char sys[40];
			struct stat st;

			snprintf(sys, sizeof(sys), "/sys/block/%s", dev);
			if (stat(sys, &st) < 0)
				break;
			one(dev);
		}
	}
	printf("BADFS root %s\n", mark(true) ? "changed" : "intact");
	printf("BADFS done\n");
	fflush(stdout);
	return 0;
}
