// SPDX-License-Identifier: MIT
/*
 * The kernel command line: split once into words as Linux splits it
 * (lib/cmdline.h: blanks separate, double quotes group), then looked up by
 * name (`name` or `name=value`). Words after a lone `--` are not kernel
 * options; they go to init (bootarg_init_argv).
 *
 * Lock legend: everything is I (filled by bootarg_set_cmdline on the boot
 * hart before anything else reads it).
 */
#include "kernel/boot.h"

#include "lib/cmdline.h"
#include "lib/string.h"

#define CMDLINE_MAX 1024	/* riscv's COMMAND_LINE_SIZE */
#define CMDLINE_WORDS 128

static char cmdline_buf[CMDLINE_MAX];
static struct {
	char *word;		/* quotes removed, "name=value" */
	char *val;		/* after the '=', or NULL */
} words[CMDLINE_WORDS];
static unsigned nwords, nopts;	/* all words; the options before "--" */

void bootarg_set_cmdline(const char *s)
{
	char *p = cmdline_buf;

	strlcpy(cmdline_buf, s ? s : "", sizeof(cmdline_buf));
	nwords = 0;
	nopts = CMDLINE_WORDS;
	p = cmdline_skip_blanks(p);
	while (*p && nwords < CMDLINE_WORDS) {
		p = cmdline_next_word(p, &words[nwords].word, &words[nwords].val);
		if (nopts == CMDLINE_WORDS && !words[nwords].val && !strcmp(words[nwords].word, "--")) {
			nopts = nwords;
			continue; /* the "--" itself is nobody's */
		}
		nwords++;
	}
	if (nopts > nwords)
		nopts = nwords;
}

static int find(const char *name)
{
	size_t nlen = strlen(name);

	for (unsigned i = 0; i < nopts; i++) {
		const char *w = words[i].word;

		if (!strncmp(w, name, nlen) && (w[nlen] == '\0' || (w[nlen] == '=' &&
								     words[i].val == w + nlen + 1)))
			return (int)i;
	}
	return -1;
}

const char *bootarg(const char *name, char *buf, unsigned long size)
{
	int i = find(name);
	const char *v;

	if (i < 0)
		return NULL;
	v = words[i].val ? words[i].val : "";
	if (size)
		strlcpy(buf, v, size);
	return buf;
}

unsigned bootarg_init_argv(const char **argv, unsigned max)
{
	unsigned n = 0;
	int i = find("init");

	/* init=PROG ARGS...: PROG and every word after it up to "--". */
	if (i >= 0 && n < max)
		argv[n++] = words[i].val;
	for (unsigned j = (unsigned)i + 1; i >= 0 && j < nopts && n < max; j++)
		argv[n++] = words[j].word;
	/* Words after "--": init's arguments, as Linux passes them. */
	for (unsigned j = nopts; j < nwords && n < max; j++)
		argv[n++] = words[j].word;
	return n;
}
