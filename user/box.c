// SPDX-License-Identifier: MIT
/* Multi-call entry point: dispatches to an applet by the name it was invoked as. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "box.h"

struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
};

static const struct applet applets[] = {
	{ "init", init_main },	 { "sh", sh_main },	  { "echo", echo_main },
	{ "cat", cat_main },	 { "ls", ls_main },	  { "mkdir", mkdir_main },
	{ "rmdir", rmdir_main }, { "rm", rm_main },	  { "kill", kill_main },
	{ "sleep", sleep_main }, { "true", true_main },	  { "false", false_main },
	{ "pwd", pwd_main },	 { "wc", wc_main },	  { "uname", uname_main },
	{ "env", env_main },	 { "yes", yes_main },	  { "head", head_main },
	{ "touch", touch_main },
	{ "su", su_main },	 { "id", id_main },
};

void box_perror(const char *prog, const char *what)
{
	dprintf(2, "%s: %s: %s\n", prog, what, strerror(errno));
}

int box_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const struct applet *find(const char *name)
{
	const char *slash = strrchr(name, '/');

	if (slash)
		name = slash + 1;
	/* A login-style "-sh" is still the shell. */
	if (name[0] == '-')
		name++;
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++)
		if (strcmp(applets[i].name, name) == 0)
			return &applets[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct applet *a = argc > 0 ? find(argv[0]) : NULL;

	if (!a && argc > 1) {
		a = find(argv[1]);
		argc--;
		argv++;
	}
	if (!a) {
		dprintf(2, "box: applets:");
		for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++)
			dprintf(2, " %s", applets[i].name);
		dprintf(2, "\n");
		return 127;
	}
	return a->main(argc, argv);
}
