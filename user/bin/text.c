// SPDX-License-Identifier: MIT
/* Text applets: wc, head, yes. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../box.h"

static char buf[65536];

/* wc [-lwc] [file...] */
int wc_main(int argc, char **argv)
{
	bool l = false, w = false, c = false;
	int i = 1, status = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		l |= strchr(argv[i], 'l') != NULL;
		w |= strchr(argv[i], 'w') != NULL;
		c |= strchr(argv[i], 'c') != NULL;
	}
	if (!l && !w && !c)
		l = w = c = true;
	int first = i;
	do {
		const char *name = i < argc ? argv[i] : NULL;
		int fd = name ? open(name, O_RDONLY) : 0;
		long lines = 0, words = 0, bytes = 0;
		bool inword = false;
		ssize_t n;
		if (fd < 0) {
			box_perror("wc", name);
			status = 1;
			continue;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
			for (ssize_t k = 0; k < n; k++) {
				char ch = buf[k];
				lines += ch == '\n';
				bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
				words += !space && !inword;
				inword = !space;
			}
			bytes += n > 0 ? n : 0;
		}
		if (name)
			close(fd);
		if (l)
			printf("%ld%s", lines, w || c || name ? " " : "");
		if (w)
			printf("%ld%s", words, c || name ? " " : "");
		if (c)
			printf("%ld%s", bytes, name ? " " : "");
		printf("%s\n", name ? name : "");
	} while (++i < argc);
	(void)first;
	return status;
}

/* head [-n N] [file] */
int head_main(int argc, char **argv)
{
	long want = 10;
	int i = 1, fd = 0;

	if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
		want = atol(argv[i + 1]);
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9') {
		want = atol(argv[i] + 1);
		i++;
	}
	if (i < argc && (fd = open(argv[i], O_RDONLY)) < 0) {
		box_perror("head", argv[i]);
		return 1;
	}
	while (want > 0) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		ssize_t k = 0;
		while (k < n && want > 0)
			if (buf[k++] == '\n')
				want--;
		if (box_write_all(1, buf, (size_t)k) < 0)
			return 1;
	}
	return 0;
}

/* yes [string]: until the reader goes away (SIGPIPE). */
int yes_main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : "y";
	size_t n = strlen(s) + 1, len = 0;

	if (n > sizeof(buf) / 2)
		n = sizeof(buf) / 2;
	while (len + n <= sizeof(buf) / 2 || len == 0) {
		memcpy(buf + len, s, n - 1);
		buf[len + n - 1] = '\n';
		len += n;
	}
	while (box_write_all(1, buf, len) == 0)
		;
	return 1;
}
