// SPDX-License-Identifier: MIT
/* Kernel command line lookup: space-separated `name` or `name=value` words. */
#include "kernel/boot.h"

#include "lib/string.h"

static const char *cmdline = "";

void bootarg_set_cmdline(const char *s)
{
	cmdline = s ? s : "";
}

const char *bootarg(const char *name, char *buf, unsigned long size)
{
	size_t nlen = strlen(name);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - w);

		if (wlen >= nlen && strncmp(w, name, nlen) == 0 &&
		    (wlen == nlen || w[nlen] == '=')) {
			const char *v = wlen == nlen ? w + nlen : w + nlen + 1;
			size_t vlen = (size_t)(p - v);

			if (size == 0)
				return buf;
			if (vlen >= size)
				vlen = size - 1;
			memcpy(buf, v, vlen);
			buf[vlen] = 0;
			return buf;
		}
	}
	return NULL;
}
