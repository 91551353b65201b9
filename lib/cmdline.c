// SPDX-License-Identifier: MIT
/* The kernel command line's words, as Linux splits them; see cmdline.h. */
#include "lib/cmdline.h"

#include <stdbool.h>
#include <stddef.h>

#include "lib/string.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char *cmdline_skip_blanks(char *s)
{
	while (blank(*s))
		s++;
	return s;
}

char *cmdline_next_word(char *s, char **word, char **val)
{
	bool in_quote = false, quoted = false, val_quoted = false;
	size_t i, eq = 0;
	char *rest;

	if (*s == '"') {
		s++;
		in_quote = quoted = true;
	}
	for (i = 0; s[i]; i++) {
		if (blank(s[i]) && !in_quote)
			break;
		if (!eq && s[i] == '=')
			eq = i;
		if (s[i] == '"')
			in_quote = !in_quote;
	}
	/* Where the rest starts, before the word is shortened in place. */
	rest = s[i] ? s + i + 1 : s + i;
	s[i] = '\0';
	if (eq && s[eq + 1] == '"') {
		/* A quoted value: drop its opening quote (shift the value left). */
		memmove(s + eq + 1, s + eq + 2, i - eq - 1);
		i--;
		val_quoted = true;
	}
	if ((quoted || val_quoted) && i > 0 && s[i - 1] == '"')
		s[i - 1] = '\0';
	*word = s;
	*val = eq ? s + eq + 1 : NULL;
	return cmdline_skip_blanks(rest);
}
