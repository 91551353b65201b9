// SPDX-License-Identifier: MIT
/* File-system applets: mkdir [-p], rmdir, rm [-rf], touch, pwd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../box.h"

static int mkdir_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int r = mkdir(path, 0777);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -1;
	}
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int mkdir_main(int argc, char **argv)
{
	bool parents = argc > 1 && strcmp(argv[1], "-p") == 0;
	int status = 0;

	for (int i = parents ? 2 : 1; i < argc; i++) {
		if ((parents ? mkdir_parents(argv[i]) : mkdir(argv[i], 0777)) < 0) {
			box_perror("mkdir", argv[i]);
			status = 1;
		}
	}
	return status;
}

int rmdir_main(int argc, char **argv)
{
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (rmdir(argv[i]) < 0) {
			box_perror("rmdir", argv[i]);
			status = 1;
		}
	}
	return status;
}

static int remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char sub[1024];
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (remove_tree(sub) < 0) {
			box_perror("rm", sub);
			r = -1;
		}
	}
	closedir(d);
	if (rmdir(path) < 0)
		return -1;
	return r;
}

int rm_main(int argc, char **argv)
{
	bool recursive = false, force = false;
	int i = 1, status = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'r' || *o == 'R')
				recursive = true;
			else if (*o == 'f')
				force = true;
		}
	}
	for (; i < argc; i++) {
		if ((recursive ? remove_tree(argv[i]) : unlink(argv[i])) < 0 &&
		    !(force && errno == ENOENT)) {
			box_perror("rm", argv[i]);
			status = 1;
		}
	}
	return status;
}

int touch_main(int argc, char **argv)
{
	int status = 0;

	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_WRONLY | O_CREAT, 0666);
		if (fd < 0) {
			box_perror("touch", argv[i]);
			status = 1;
			continue;
		}
		close(fd);
	}
	return status;
}

int pwd_main(int argc, char **argv)
{
	char buf[4096];

	(void)argc;
	(void)argv;
	if (!getcwd(buf, sizeof(buf))) {
		box_perror("pwd", "getcwd");
		return 1;
	}
	printf("%s\n", buf);
	return 0;
}
