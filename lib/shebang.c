// SPDX-License-Identifier: MIT
/* The "#!" line of a script, as Linux reads it; see shebang.h. */
#include "lib/shebang.h"

#include <stdbool.h>

#include "lib/errno.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The first non-blank in [p, last], or NULL. */
static char *skip_blanks(char *p, const char *last)
{
	for (; p <= last; p++)
		if (!blank(*p))
			return p;
	return NULL;
}

/* The first blank or NUL in [p, last], or NULL. */
static char *find_end_of_word(char *p, const char *last)
{
	for (; p <= last; p++)
		if (blank(*p) || !*p)
			return p;
	return NULL;
}

/* The first newline before any NUL in the buffer, or NULL. */
static char *find_newline(char *p, size_t n)
{
	for (; n && *p; n--, p++)
		if (*p == '\n')
			return p;
	return NULL;
}

int shebang_parse(char buf[SHEBANG_BUF], char **name, char **arg)
{
	char *last = buf + SHEBANG_BUF - 1, *end, *start, *sep;

	if (buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	end = find_newline(buf, SHEBANG_BUF);
	if (!end) {
		/* No end of line in view: usable only if the interpreter's name
		 * visibly ends (a blank or NUL after it) before the buffer does. */
		end = skip_blanks(buf + 2, last);
		if (!end || !find_end_of_word(end, last))
			return -ENOEXEC;
		end = last;
	}
	while (blank(end[-1]))
		end--;
	start = skip_blanks(buf + 2, end);
	if (!start || start == end)
		return -ENOEXEC;
	*arg = NULL;
	sep = find_end_of_word(start, end);
	if (sep && *sep)
		*arg = skip_blanks(sep, end);
	*end = '\0';
	if (sep)
		*sep = '\0';
	*name = start;
	return 0;
}
