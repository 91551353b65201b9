// SPDX-License-Identifier: MIT
/* Process and system applets: kill, sleep, true, false, uname, env. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../box.h"

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },	  { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS },   { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
};

static int parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end)
		return (int)n;
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcmp(signals[i].name, s) == 0)
			return signals[i].sig;
	return -1;
}

/* kill [-SIG | -s SIG | -l] pid... */
int kill_main(int argc, char **argv)
{
	int sig = SIGTERM, i = 1, status = 0;

	if (i < argc && strcmp(argv[i], "-l") == 0) {
		for (size_t j = 0; j < sizeof(signals) / sizeof(signals[0]); j++)
			printf("%d %s\n", signals[j].sig, signals[j].name);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
		sig = parse_signal(argv[i + 1]);
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1]) {
		sig = parse_signal(argv[i] + 1);
		i++;
	}
	if (sig < 0 || i == argc) {
		dprintf(2, "usage: kill [-SIG] pid...\n");
		return 2;
	}
	for (; i < argc; i++) {
		if (kill(atoi(argv[i]), sig) < 0) {
			box_perror("kill", argv[i]);
			status = 1;
		}
	}
	return status;
}

/* sleep SECONDS (fractions allowed) */
int sleep_main(int argc, char **argv)
{
	if (argc != 2) {
		dprintf(2, "usage: sleep seconds\n");
		return 2;
	}
	double s = strtod(argv[1], NULL);
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

int true_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int false_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}

/* uname [-asnrvm] */
int uname_main(int argc, char **argv)
{
	struct utsname u;
	const char *opts = argc > 1 && argv[1][0] == '-' ? argv[1] + 1 : "s";
	const char *fields[5];
	int n = 0;

	if (uname(&u) < 0) {
		box_perror("uname", "uname");
		return 1;
	}
	if (strchr(opts, 'a'))
		opts = "snrvm";
	for (const char *o = "snrvm"; *o; o++) {
		if (!strchr(opts, *o))
			continue;
		fields[n++] = *o == 's' ? u.sysname : *o == 'n' ? u.nodename : *o == 'r' ? u.release
			      : *o == 'v' ? u.version : u.machine;
	}
	for (int i = 0; i < n; i++)
		printf("%s%s", fields[i], i + 1 < n ? " " : "\n");
	return 0;
}

/* env [NAME=value]... [cmd args...] */
int env_main(int argc, char **argv)
{
	extern char **environ;
	int i = 1;

	for (; i < argc && strchr(argv[i], '='); i++)
		putenv(argv[i]);
	if (i == argc) {
		for (char **e = environ; *e; e++)
			printf("%s\n", *e);
		return 0;
	}
	execvp(argv[i], argv + i);
	box_perror("env", argv[i]);
	return errno == ENOENT ? 127 : 126;
}
