// SPDX-License-Identifier: MIT
/* ls [-a] [-l] [path...]: one name per line, sorted; -l adds mode, links, size. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../box.h"

static bool all, longfmt;

static void mode_string(mode_t m, char *s)
{
	const char *rwx = "rwxrwxrwx";

	s[0] = S_ISDIR(m) ? 'd' : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : S_ISFIFO(m) ? 'p'
	       : S_ISLNK(m) ? 'l' : S_ISSOCK(m) ? 's' : '-';
	for (int i = 0; i < 9; i++)
		s[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	s[10] = 0;
}

static void show(int dirfd, const char *name, const char *label)
{
	struct stat st;
	char mode[11];

	if (!longfmt) {
		printf("%s\n", label);
		return;
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		printf("?????????? %s\n", label);
		return;
	}
	mode_string(st.st_mode, mode);
	printf("%s %3lu %8lld %s\n", mode, (unsigned long)st.st_nlink, (long long)st.st_size,
	       label);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(const char *path)
{
	DIR *d = opendir(path);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!d) {
		box_perror("ls", path);
		return 1;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && !all)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
		}
		names[n++] = strdup(de->d_name);
	}
	int status = 0;
	if (errno) {
		box_perror("ls", path);
		status = 1;
	}
	qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		show(dirfd(d), names[i], names[i]);
		free(names[i]);
	}
	free(names);
	closedir(d);
	return status;
}

int ls_main(int argc, char **argv)
{
	int i = 1, status = 0;
	struct stat st;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'a')
				all = true;
			else if (*o == 'l')
				longfmt = true;
			else if (*o != '1') {
				dprintf(2, "usage: ls [-al] [path...]\n");
				return 2;
			}
		}
	}
	if (i == argc)
		return list_dir(".");
	for (int j = i; j < argc; j++) {
		if (stat(argv[j], &st) < 0) {
			box_perror("ls", argv[j]);
			status = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (argc - i > 1)
				printf("%s:\n", argv[j]);
			status |= list_dir(argv[j]);
		} else {
			show(AT_FDCWD, argv[j], argv[j]);
		}
	}
	return status;
}
