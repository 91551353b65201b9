// SPDX-License-Identifier: MIT
/* echo [-n] args...: one write(), so concurrent writers never interleave within a line. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../box.h"

int echo_main(int argc, char **argv)
{
	bool newline = true;
	size_t len = 1;
	int i = 1;

	if (i < argc && strcmp(argv[i], "-n") == 0) {
		newline = false;
		i++;
	}
	for (int j = i; j < argc; j++)
		len += strlen(argv[j]) + 1;
	char *out = malloc(len), *p = out;
	for (int j = i; j < argc; j++) {
		size_t n = strlen(argv[j]);
		memcpy(p, argv[j], n);
		p += n;
		if (j + 1 < argc)
			*p++ = ' ';
	}
	if (newline)
		*p++ = '\n';
	return box_write_all(1, out, (size_t)(p - out)) < 0 ? 1 : 0;
}
