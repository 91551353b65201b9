// SPDX-License-Identifier: MIT
/* cat [file|-]...: copy files (or stdin) to stdout. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "../box.h"

static char buf[65536];

static int copy(int fd, const char *name)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			box_perror("cat", name);
			return 1;
		}
		if (box_write_all(1, buf, (size_t)n) < 0) {
			box_perror("cat", "write");
			return 1;
		}
	}
}

int cat_main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return copy(0, "stdin");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			status |= copy(0, "stdin");
			continue;
		}
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			box_perror("cat", argv[i]);
			status = 1;
			continue;
		}
		status |= copy(fd, argv[i]);
		close(fd);
	}
	return status;
}
