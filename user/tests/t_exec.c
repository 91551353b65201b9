// SPDX-License-Identifier: MIT
/*
 * execve cases (exec_*): "#!" scripts (the interpreter's argv, nesting and its
 * limit, the errors), E2BIG for one string over MAX_ARG_STRLEN and for the whole
 * block, ETXTBSY both ways, a program loaded at 0x1000, and an empty argv.
 *
 * The programs run are this one: with UT_ARGV_FD set in its environment it writes
 * its argv (NUL-separated) to that fd and exits (ut_exec_argv_dump), so a case
 * sees exactly what the kernel passed. Under qemu-riscv64 (USERTESTS_QEMU_USER=1)
 * the host kernel does the exec, and cannot run a riscv64 program here (no
 * binfmt_misc): the cases that need a successful exec skip there; the failing
 * ones (E2BIG, ETXTBSY, ENOENT, EACCES) are checked against the host's Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

#define D "/tmp/ut_exec"

static char fdvar[32];

/* `UT_ARGV_FD=n usertests ...`: argv to fd n, then exit 0 (or pause with UT_ARGV_HOLD). */
int ut_exec_argv_dump(int argc, char **argv)
{
	int fd = atoi(getenv("UT_ARGV_FD"));
	char num[16];
	int n = snprintf(num, sizeof(num), "%d", argc);

	if (write(fd, num, (size_t)n + 1) != n + 1)
		return 3;
	for (int i = 0; i < argc; i++)
		if (write(fd, argv[i], strlen(argv[i]) + 1) != (ssize_t)strlen(argv[i]) + 1)
			return 3;
	if (getenv("UT_ARGV_HOLD") && !strcmp(getenv("UT_ARGV_HOLD"), "fork")) {
		/* A child goes on running this image after we exit; its pid last. */
		pid_t c = fork();

		if (c == 0) {
			close(fd);
			for (;;)
				pause();
		}
		n = snprintf(num, sizeof(num), "%d", (int)c);
		if (c < 0 || write(fd, num, (size_t)n + 1) != n + 1)
			return 3;
		close(fd);
		return 0;
	}
	close(fd);
	if (getenv("UT_ARGV_HOLD"))
		for (;;)
			pause();
	return 0;
}

struct got {
	int status;		/* the child's wait status */
	int err;		/* errno of a failed execve, or 0 */
	int argc;
	size_t total;		/* bytes the program wrote */
	char *argv[16];
	char buf[4096];
};

/*
 * execve(path, argv) in a child with UT_ARGV_FD pointing at a pipe; collect what the
 * program wrote, or the errno if execve failed (the child sends it as "!errno").
 */
static void run(const char *path, char *const argv[], struct got *g)
{
	int p[2];
	size_t used = 0;
	ssize_t n;

	memset(g, 0, sizeof(*g));
	if (pipe(p) != 0) {
		g->status = -1;
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		snprintf(fdvar, sizeof(fdvar), "UT_ARGV_FD=%d", p[1]);
		char *envp[] = { fdvar, NULL };
		execve(path, argv, envp);
		dprintf(p[1], "!%d", errno);
		_exit(99);
	}
	close(p[1]);
	while ((n = read(p[0], g->buf + used, sizeof(g->buf) - 1 - used)) > 0) {
		used += (size_t)n;
		g->total += (size_t)n;
		if (used == sizeof(g->buf) - 1) {
			/* Keep the start; count (and drain) the rest. */
			char sink[4096];

			while ((n = read(p[0], sink, sizeof(sink))) > 0)
				g->total += (size_t)n;
			break;
		}
	}
	close(p[0]);
	g->status = ut_wait(pid);
	if (g->buf[0] == '!') {
		g->err = atoi(g->buf + 1);
		return;
	}
	g->argc = atoi(g->buf);
	char *s = g->buf + strlen(g->buf) + 1;
	for (int i = 0; i < g->argc && i < 16 && s < g->buf + used; i++) {
		g->argv[i] = s;
		s += strlen(s) + 1;
	}
}

static bool argv_is(const struct got *g, const char *const *want)
{
	int n = 0;

	while (want[n])
		n++;
	if (g->err || g->argc != n)
		goto bad;
	for (int i = 0; i < n; i++)
		if (!g->argv[i] || strcmp(g->argv[i], want[i]) != 0)
			goto bad;
	return true;
bad:
	ut_diag("exec: err %d, argc %d, wanted %d:", g->err, g->argc, n);
	for (int i = 0; i < g->argc && i < 16; i++)
		ut_diag("  argv[%d] = \"%s\"%s", i, g->argv[i] ? g->argv[i] : "(null)",
			i < n && g->argv[i] && !strcmp(g->argv[i], want[i]) ? "" : "  <--");
	return false;
}

static bool failed_with(const struct got *g, int e)
{
	if (g->err == e)
		return true;
	ut_diag("exec: err %d (%s), wanted %d (%s); argc %d", g->err, strerror(g->err), e,
		strerror(e), g->argc);
	return false;
}

static bool write_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);

	if (fd < 0 || write(fd, data, n) != (ssize_t)n || fchmod(fd, mode) != 0) {
		ut_diag("write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	return close(fd) == 0;
}

static bool script(const char *path, const char *line, mode_t mode)
{
	return write_file(path, line, strlen(line), mode);
}

static bool copy_self(const char *to)
{
	int in = open(ut_self, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	char buf[4096];
	ssize_t n;
	bool ok = in >= 0 && out >= 0;

	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, (size_t)n) == n;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ok;
}

static void cleanup(void)
{
	static const char *const names[] = { "s1", "s2", "s3", "bare", "L0", "L1", "L2", "L3",
					     "L4", "L5", "noint", "noexec", "plain", "empty",
					     "prog", "low", "nox" };
	char p[64];

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), D "/%s", names[i]);
		unlink(p);
	}
	rmdir(D);
}

static bool fresh(void)
{
	cleanup();
	if (mkdir(D, 0755) != 0) {
		ut_diag("mkdir %s: %s", D, strerror(errno));
		return false;
	}
	return true;
}

/* ---- #! scripts ---------------------------------------------------------------------- */

UT_CASE(exec_script_argv, 0, 60)
{
	char line[256];
	struct got g;

	if (ut_qemu_user) {
		ut_diag("skip: the host cannot run this riscv64 interpreter");
		return;
	}
	ASSERT(fresh());
	/* One optional argument: everything after the name, inner blanks kept. */
	snprintf(line, sizeof(line), "#!  %s   -x  y  \n", ut_self);
	ASSERT(script(D "/s1", line, 0755));
	char *av[] = { "ignored-argv0", "a", "b c", NULL };
	run(D "/s1", av, &g);
	EXPECT(argv_is(&g, (const char *[]){ ut_self, "-x  y", D "/s1", "a", "b c", NULL }));
	/* No argument, trailing blanks and a tab. */
	snprintf(line, sizeof(line), "#!%s \t \nignored\n", ut_self);
	ASSERT(script(D "/bare", line, 0755));
	run(D "/bare", av, &g);
	EXPECT(argv_is(&g, (const char *[]){ ut_self, D "/bare", "a", "b c", NULL }));
	/* A script whose interpreter is a script: each level adds its own path. */
	ASSERT(script(D "/s2", "#!" D "/s1\n", 0755));
	run(D "/s2", av, &g);
	EXPECT(argv_is(&g, (const char *[]){ ut_self, "-x  y", D "/s1", D "/s2", "a", "b c",
					     NULL }));
	/* The script's path is the one it was run by: relative stays relative. */
	ASSERT(chdir(D) == 0);
	run("./s1", av, &g);
	EXPECT(argv_is(&g, (const char *[]){ ut_self, "-x  y", "./s1", "a", "b c", NULL }));
	/* An empty argv: the script still gets its path, nothing else. */
	char *none[] = { NULL };
	run("bare", none, &g);
	EXPECT(argv_is(&g, (const char *[]){ ut_self, "bare", NULL }));
	ASSERT(chdir("/") == 0);
	cleanup();
}

UT_CASE(exec_script_depth_limit, 0, 60)
{
	char line[256], path[64];
	struct got g;

	if (ut_qemu_user) {
		ut_diag("skip: the host cannot run this riscv64 interpreter");
		return;
	}
	ASSERT(fresh());
	/* L0 runs the program; Lk runs L(k-1). Linux follows five scripts, not six. */
	snprintf(line, sizeof(line), "#!%s\n", ut_self);
	ASSERT(script(D "/L0", line, 0755));
	for (int k = 1; k <= 5; k++) {
		snprintf(line, sizeof(line), "#!" D "/L%d\n", k - 1);
		snprintf(path, sizeof(path), D "/L%d", k);
		ASSERT(script(path, line, 0755));
	}
	char *av[] = { "x", NULL };
	run(D "/L4", av, &g);
	EXPECT(g.err == 0 && g.argc == 6 && g.argv[5] && !strcmp(g.argv[5], D "/L4"));
	run(D "/L5", av, &g);
	EXPECT(failed_with(&g, ELOOP));
	cleanup();
}

UT_CASE(exec_script_errors, 0, 60)
{
	struct got g;
	char *av[] = { "x", NULL };

	ASSERT(fresh());
	/* The interpreter is missing, or not executable, or not named. */
	ASSERT(script(D "/noint", "#!" D "/nothing\n", 0755));
	run(D "/noint", av, &g);
	EXPECT(failed_with(&g, ENOENT));
	ASSERT(script(D "/plain", "just text\n", 0644));
	ASSERT(script(D "/noexec", "#!" D "/plain\n", 0755));
	run(D "/noexec", av, &g);
	EXPECT(failed_with(&g, EACCES));
	ASSERT(script(D "/empty", "#!\n", 0755));
	run(D "/empty", av, &g);
	EXPECT(failed_with(&g, ENOEXEC));
	/* The script itself needs an x bit, as any program. */
	ASSERT(script(D "/nox", "#!/bin/sh\n", 0644));
	run(D "/nox", av, &g);
	EXPECT(failed_with(&g, EACCES));
	/* Neither ELF nor "#!": ENOEXEC (a shell would then run it itself). */
	ASSERT(chmod(D "/plain", 0755) == 0);
	run(D "/plain", av, &g);
	EXPECT(failed_with(&g, ENOEXEC));
	run(D, av, &g);
	EXPECT(failed_with(&g, EACCES));
	cleanup();
}

/* ---- E2BIG ------------------------------------------------------------------------------ */

UT_CASE(exec_e2big, 0, 60)
{
	const size_t max = 32 * 4096; /* MAX_ARG_STRLEN, the NUL included */
	char *big = malloc(max + 1);
	struct got g;

	ASSERT(big);
	memset(big, 'a', max);
	/* One string of max characters (max + 1 bytes): too long, however short the rest. */
	big[max] = '\0';
	char *one[] = { "x", big, NULL };
	run(ut_self, one, &g);
	EXPECT(failed_with(&g, E2BIG));
	/* As an environment string too. */
	pid_t pid = fork();
	if (pid == 0) {
		char *envp[] = { big, NULL };
		char *av[] = { "x", NULL };
		execve(ut_self, av, envp);
		_exit(errno == E2BIG ? 0 : 1);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	/* max - 1 characters: fits. */
	big[max - 1] = '\0';
	if (!ut_qemu_user) {
		run(ut_self, one, &g);
		/* "2", "x", the string, each with its NUL. */
		EXPECT(g.err == 0 && g.argc == 2 && g.total == 2 + 2 + max);
	}
	/* Sixteen of those: 2 MiB of strings plus pointers, over the limit (a quarter of
	 * the 8 MiB stack limit). */
	char *many[18] = { "x" };
	for (int i = 1; i <= 16; i++)
		many[i] = big;
	run(ut_self, many, &g);
	EXPECT(failed_with(&g, E2BIG));
	free(big);
}

/* ---- ETXTBSY ------------------------------------------------------------------------------ */

UT_CASE(exec_etxtbsy, 0, 60)
{
	struct got g;
	char *av[] = { "prog", NULL };

	ASSERT(fresh());
	ASSERT(copy_self(D "/prog"));
	/* A file open for writing cannot be run... */
	int fd = open(D "/prog", O_WRONLY);
	ASSERT(fd >= 0);
	run(D "/prog", av, &g);
	EXPECT(failed_with(&g, ETXTBSY));
	close(fd);
	if (ut_qemu_user) {
		/* The host does not know this program runs: the rest is ours to check. */
		cleanup();
		return;
	}
	/* ...and a running program cannot be opened for writing or truncated. */
	EXPECT(open(ut_self, O_WRONLY) == -1 && errno == ETXTBSY);
	int p[2];
	ASSERT(pipe(p) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		snprintf(fdvar, sizeof(fdvar), "UT_ARGV_FD=%d", p[1]);
		char *envp[] = { fdvar, "UT_ARGV_HOLD=1", NULL };
		execve(D "/prog", av, envp);
		_exit(99);
	}
	close(p[1]);
	char buf[64];
	/* It runs. (The read end stays open: its dump must not hit EPIPE.) */
	EXPECT(read(p[0], buf, sizeof(buf)) > 0);
	errno = 0;
	EXPECT(open(D "/prog", O_WRONLY) == -1 && errno == ETXTBSY);
	EXPECT(open(D "/prog", O_RDWR | O_TRUNC) == -1 && errno == ETXTBSY);
	EXPECT(truncate(D "/prog", 0) == -1 && errno == ETXTBSY);
	/* O_TRUNC truncates even a read-only open (Linux), so it is refused too. */
	errno = 0;
	EXPECT(open(D "/prog", O_RDONLY | O_TRUNC) == -1 && errno == ETXTBSY);
	struct stat st;
	EXPECT(stat(D "/prog", &st) == 0 && st.st_size > 0);
	fd = open(D "/prog", O_RDONLY);
	EXPECT(fd >= 0);
	close(fd);
	/* Once it is gone, the file may be written again. */
	kill(pid, SIGKILL);
	EXPECT(ut_killed_by(ut_wait(pid), SIGKILL));
	close(p[0]);
	fd = open(D "/prog", O_WRONLY);
	EXPECT(fd >= 0);
	close(fd);
	fd = open(D "/prog", O_RDONLY | O_TRUNC);
	EXPECT(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
	close(fd);
	cleanup();
}

/*
 * The image stays denied for writing while any process runs it: a forked child of the
 * program keeps the denial after the program itself has exited, and only its death
 * lifts it.
 */
UT_CASE(exec_etxtbsy_after_fork, 0, 60)
{
	char *av[] = { "prog", NULL };
	char buf[128];
	size_t used = 0;
	ssize_t n;
	int p[2], fd = -1;

	if (ut_qemu_user) /* needs a riscv64 exec */
		return;
	ASSERT(fresh());
	ASSERT(copy_self(D "/prog"));
	ASSERT(pipe(p) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		snprintf(fdvar, sizeof(fdvar), "UT_ARGV_FD=%d", p[1]);
		char *envp[] = { fdvar, "UT_ARGV_HOLD=fork", NULL };
		execve(D "/prog", av, envp);
		_exit(99);
	}
	close(p[1]);
	while (used < sizeof(buf) - 1 && (n = read(p[0], buf + used, sizeof(buf) - 1 - used)) > 0)
		used += (size_t)n;
	close(p[0]);
	buf[used] = '\0';
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	/* "1", "prog", then the grandchild's pid. */
	pid_t gc = used > 7 && !memcmp(buf, "1\0prog\0", 7) ? (pid_t)atoi(buf + 7) : 0;
	ASSERT(gc > 0);
	errno = 0;
	EXPECT(open(D "/prog", O_WRONLY) == -1 && errno == ETXTBSY);
	errno = 0;
	EXPECT(truncate(D "/prog", 0) == -1 && errno == ETXTBSY);
	kill(gc, SIGKILL);
	/* init reaps it; the denial goes with its exit. */
	for (int i = 0; i < 500 && (fd = open(D "/prog", O_WRONLY)) < 0; i++)
		ut_sleep_ms(10);
	EXPECT(fd >= 0);
	if (fd >= 0)
		close(fd);
	cleanup();
}

/* ---- where a program may load ----------------------------------------------------------- */

/* A minimal static riscv64 program: one PT_LOAD at va, code "exit(42)". */
static size_t tiny_elf(unsigned char *b, uint64_t va)
{
	static const uint32_t code[] = {
		0x02a00513, /* li a0, 42 */
		0x05d00893, /* li a7, 93 (exit) */
		0x00000073, /* ecall */
	};
	const size_t code_off = 64 + 56, size = code_off + sizeof(code);
	uint64_t entry = va + code_off;

	memset(b, 0, size);
	memcpy(b, "\177ELF\2\1\1", 7);
	b[16] = 2;     /* e_type ET_EXEC */
	b[18] = 243;   /* e_machine EM_RISCV */
	b[20] = 1;     /* e_version */
	memcpy(b + 24, &entry, 8);
	b[32] = 64;    /* e_phoff */
	b[52] = 64;    /* e_ehsize */
	b[54] = 56;    /* e_phentsize */
	b[56] = 1;     /* e_phnum */
	unsigned char *ph = b + 64;
	ph[0] = 1;     /* PT_LOAD */
	ph[4] = 5;     /* PF_R | PF_X */
	memcpy(ph + 16, &va, 8);	/* p_vaddr */
	memcpy(ph + 24, &va, 8);	/* p_paddr */
	uint64_t sz = size, align = 4096;
	memcpy(ph + 32, &sz, 8);	/* p_filesz */
	memcpy(ph + 40, &sz, 8);	/* p_memsz */
	memcpy(ph + 48, &align, 8);
	memcpy(b + code_off, code, sizeof(code));
	return size;
}

UT_CASE(exec_loads_at_page_one, 0, 60)
{
	unsigned char img[256];

	if (ut_qemu_user) {
		ut_diag("skip: the host cannot run a riscv64 program");
		return;
	}
	ASSERT(fresh());
	ASSERT(write_file(D "/low", img, tiny_elf(img, 0x1000), 0755));
	pid_t pid = fork();
	if (pid == 0) {
		char *av[] = { "low", NULL };
		execv(D "/low", av);
		_exit(99);
	}
	EXPECT(ut_exited_with(ut_wait(pid), 42));
	cleanup();
}
