// SPDX-License-Identifier: MIT
/*
 * Identity applets: id and su. /etc/passwd and /etc/group are read directly
 * (static glibc's getpwnam needs NSS modules the image does not have).
 *
 *   id [USER]                     uid=1000(user) gid=1000(user) groups=1000(user),100(users)
 *   su [-|-l] [-c CMD] [USER]     run a shell (or sh -c CMD) as USER (default root)
 *
 * su: root may become anyone; anyone else only a user whose password field
 * (in /etc/shadow, else /etc/passwd) is empty, since this su has no crypt
 * and never prompts. busybox's su replaces it once busybox is the userland.
 */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../box.h"

#define MAX_GROUPS 64

struct user {
	char line[512];
	char *name, *pass, *gecos, *home, *shell;
	uid_t uid;
	gid_t gid;
};

/* Split a colon-separated line in place into at most n fields. */
static int fields(char *line, char **f, int n)
{
	int k = 0;

	line[strcspn(line, "\n")] = '\0';
	f[k++] = line;
	for (char *p = line; *p && k < n; p++)
		if (*p == ':') {
			*p = '\0';
			f[k++] = p + 1;
		}
	return k;
}

/* The passwd entry named name (or, with name NULL, with uid uid). */
static bool find_user(const char *name, uid_t uid, struct user *u)
{
	FILE *f = fopen("/etc/passwd", "r");
	char *fl[7];

	if (!f)
		return false;
	while (fgets(u->line, sizeof(u->line), f)) {
		if (fields(u->line, fl, 7) != 7)
			continue;
		if (name ? strcmp(fl[0], name) != 0 : (uid_t)strtoul(fl[2], NULL, 10) != uid)
			continue;
		u->name = fl[0];
		u->pass = fl[1];
		u->uid = (uid_t)strtoul(fl[2], NULL, 10);
		u->gid = (gid_t)strtoul(fl[3], NULL, 10);
		u->gecos = fl[4];
		u->home = fl[5];
		u->shell = fl[6];
		fclose(f);
		return true;
	}
	fclose(f);
	return false;
}

/* The name of group gid into buf, or NULL. */
static const char *group_name(gid_t gid, char *buf, size_t n)
{
	FILE *f = fopen("/etc/group", "r");
	char line[512], *fl[4];
	const char *r = NULL;

	if (!f)
		return NULL;
	while (!r && fgets(line, sizeof(line), f))
		if (fields(line, fl, 4) >= 3 && (gid_t)strtoul(fl[2], NULL, 10) == gid) {
			snprintf(buf, n, "%s", fl[0]);
			r = buf;
		}
	fclose(f);
	return r;
}

/* initgroups: the primary group and every group that lists user. */
static int member_groups(const char *user, gid_t primary, gid_t *out, int max)
{
	FILE *f = fopen("/etc/group", "r");
	char line[512], *fl[4];
	int n = 0;

	out[n++] = primary;
	if (!f)
		return n;
	while (n < max && fgets(line, sizeof(line), f)) {
		if (fields(line, fl, 4) < 4)
			continue;
		for (char *m = strtok(fl[3], ","); m; m = strtok(NULL, ","))
			if (!strcmp(m, user) && (gid_t)strtoul(fl[2], NULL, 10) != primary) {
				out[n++] = (gid_t)strtoul(fl[2], NULL, 10);
				break;
			}
	}
	fclose(f);
	return n;
}

static void print_id(const char *label, unsigned id, bool group)
{
	char buf[64];
	struct user u;
	const char *name = NULL;

	if (group)
		name = group_name(id, buf, sizeof(buf));
	else if (find_user(NULL, id, &u))
		name = u.name;
	if (*label)
		printf("%s=", label);
	printf(name ? "%u(%s)" : "%u", id, name);
}

int id_main(int argc, char **argv)
{
	gid_t groups[MAX_GROUPS];
	uid_t uid = getuid(), euid = geteuid();
	gid_t gid = getgid(), egid = getegid();
	int n;

	if (argc > 1) {
		struct user u;

		if (!find_user(argv[1], 0, &u)) {
			dprintf(2, "id: '%s': no such user\n", argv[1]);
			return 1;
		}
		uid = euid = u.uid;
		gid = egid = u.gid;
		n = member_groups(u.name, u.gid, groups, MAX_GROUPS);
	} else {
		n = getgroups(MAX_GROUPS, groups);
		if (n < 0) {
			box_perror("id", "getgroups");
			return 1;
		}
	}
	print_id("uid", uid, false);
	putchar(' ');
	print_id("gid", gid, true);
	if (euid != uid) {
		putchar(' ');
		print_id("euid", euid, false);
	}
	if (egid != gid) {
		putchar(' ');
		print_id("egid", egid, true);
	}
	/* As coreutils: the effective group first, then the others in order. */
	putchar(' ');
	print_id("groups", egid, true);
	for (int i = 0; i < n; i++)
		if (groups[i] != egid) {
			putchar(',');
			print_id("", groups[i], true);
		}
	putchar('\n');
	return 0;
}

/* The password field from /etc/shadow when readable, else passwd's. */
static bool password_is_empty(const struct user *u)
{
	FILE *f = fopen("/etc/shadow", "r");
	char line[512], *fl[9];

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (fields(line, fl, 9) >= 2 && !strcmp(fl[0], u->name)) {
				fclose(f);
				return fl[1][0] == '\0';
			}
		fclose(f);
	}
	return u->pass[0] == '\0';
}

int su_main(int argc, char **argv)
{
	const char *name = "root", *cmd = NULL;
	bool login = false;
	gid_t groups[MAX_GROUPS];
	struct user u;
	int i, n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-") || !strcmp(argv[i], "-l") || !strcmp(argv[i], "--login"))
			login = true;
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cmd = argv[++i];
		else if (argv[i][0] == '-') {
			dprintf(2, "usage: su [-] [-c CMD] [USER]\n");
			return 1;
		} else
			name = argv[i];
	}
	if (!find_user(name, 0, &u)) {
		dprintf(2, "su: unknown user %s\n", name);
		return 1;
	}
	if (getuid() != 0 && !password_is_empty(&u)) {
		dprintf(2, "su: Authentication failure\n");
		return 1;
	}
	n = member_groups(u.name, u.gid, groups, MAX_GROUPS);
	if (setgroups((size_t)n, groups) != 0 || setgid(u.gid) != 0 || setuid(u.uid) != 0) {
		box_perror("su", "cannot set user id");
		return 1;
	}
	setenv("HOME", u.home, 1);
	setenv("SHELL", u.shell, 1);
	if (u.uid != 0 || login) {
		setenv("USER", u.name, 1);
		setenv("LOGNAME", u.name, 1);
	}
	if (login && chdir(u.home) != 0)
		dprintf(2, "su: cannot change directory to %s: %s\n", u.home, strerror(errno));
	const char *shell = u.shell[0] ? u.shell : "/bin/sh";
	if (cmd)
		execl(shell, shell, "-c", cmd, (char *)NULL);
	else
		execl(shell, login ? "-sh" : shell, (char *)NULL);
	box_perror("su", shell);
	return 127;
}
