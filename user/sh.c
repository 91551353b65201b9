// SPDX-License-Identifier: MIT
/*
 * sh: a small POSIX-flavoured shell. Reads commands from the terminal (prompt "$ "), a
 * script (`sh file args...`) or a string (`sh -c 'cmd' [name args...]`), and runs them.
 * Pipelines of any length, < > >> N>&M redirections, & ; && ||, builtins cd exit wait
 * export unset exec, and job control on a terminal (jobs fg bg kill %n, ^Z; sh_jobs.c).
 * Commands are looked up in $PATH (default /bin).
 *
 * Exit status of a pipeline is that of its last command; a command killed by signal N has
 * status 128 + N. Background jobs are reaped before each prompt (and each script line).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "box.h"
#include "sh.h"

struct input {
	int fd;		 /* -1: read from str */
	const char *str; /* -c string */
	char buf[4096];
	size_t pos, len;
	bool eof;
};

static bool interactive;

/* Append the next line (with its '\n', if any) to *line. Returns false at EOF. */
static bool read_line(struct input *in, char **line, size_t *len)
{
	bool got = false;

	for (;;) {
		if (in->pos == in->len) {
			if (in->eof)
				return got;
			if (in->fd < 0) {
				in->eof = true;
				size_t n = strlen(in->str);
				*line = realloc(*line, *len + n + 1);
				memcpy(*line + *len, in->str, n + 1);
				*len += n;
				return n > 0 || got;
			}
			ssize_t n = read(in->fd, in->buf, sizeof(in->buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				in->eof = true;
				return got;
			}
			in->pos = 0;
			in->len = (size_t)n;
		}
		char *nl = memchr(in->buf + in->pos, '\n', in->len - in->pos);
		size_t n = nl ? (size_t)(nl - (in->buf + in->pos)) + 1 : in->len - in->pos;
		*line = realloc(*line, *len + n + 1);
		if (!*line)
			abort();
		memcpy(*line + *len, in->buf + in->pos, n);
		*len += n;
		(*line)[*len] = 0;
		in->pos += n;
		got = true;
		if (nl)
			return true;
	}
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGKILL:
		return "Killed";
	case SIGSEGV:
		return "Segmentation fault";
	case SIGILL:
		return "Illegal instruction";
	case SIGBUS:
		return "Bus error";
	case SIGFPE:
		return "Floating point exception";
	case SIGABRT:
		return "Aborted";
	case SIGTERM:
		return "Terminated";
	case SIGALRM:
		return "Alarm clock";
	}
	return NULL;
}

static int decode_status(int status, bool report)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *name = signame(sig);
		if (report && sig != SIGINT && sig != SIGPIPE) {
			if (name)
				dprintf(2, "%s\n", name);
			else
				dprintf(2, "Signal %d\n", sig);
		}
		return 128 + sig;
	}
	return WEXITSTATUS(status);
}

static void reap_jobs(void)
{
	int status;
	pid_t pid;

	if (sh_jobctl) {
		sh_jobs_reap();
		return;
	}
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (!interactive)
			continue;
		if (WIFSIGNALED(status))
			dprintf(2, "[%d] signal %d\n", pid, WTERMSIG(status));
		else
			dprintf(2, "[%d] Done %d\n", pid, WEXITSTATUS(status));
	}
}

/* argv of a command after expansion; leading NAME=value words are split off. */
struct expanded {
	char **argv;
	int argc;
	char **assigns;
	int nassigns;
};

static void expand_cmd(struct cmd *c, struct expanded *e)
{
	int n = 0;

	for (struct word *w = c->words; w; w = w->next)
		n++;
	e->argv = calloc((size_t)n + 1, sizeof(char *));
	e->assigns = calloc((size_t)n + 1, sizeof(char *));
	e->argc = e->nassigns = 0;
	for (struct word *w = c->words; w; w = w->next) {
		bool dropped;
		if (e->argc == 0 && sh_assignment_len(w->raw)) {
			e->assigns[e->nassigns++] = sh_expand(w->raw, NULL);
			continue;
		}
		char *s = sh_expand(w->raw, &dropped);
		if (dropped)
			free(s);
		else
			e->argv[e->argc++] = s;
	}
}

static void free_expanded(struct expanded *e)
{
	for (int i = 0; i < e->argc; i++)
		free(e->argv[i]);
	for (int i = 0; i < e->nassigns; i++)
		free(e->assigns[i]);
	free(e->argv);
	free(e->assigns);
}

static void apply_assigns(struct expanded *e)
{
	for (int i = 0; i < e->nassigns; i++) {
		char *eq = strchr(e->assigns[i], '=');
		*eq = 0;
		setenv(e->assigns[i], eq + 1, 1);
		*eq = '=';
	}
}

/*
 * Apply @c's redirections. With @saved (an array of 10 fds initialised to -1), the old fds
 * 0-9 are saved there first so restore_redirs() can undo them (builtins in the shell).
 */
static int apply_redirs(struct cmd *c, int *saved)
{
	for (struct redir *r = c->redirs; r; r = r->next) {
		char *target = sh_expand(r->raw, NULL);
		int fd;

		if (saved && r->fd < 10 && saved[r->fd] == -1)
			saved[r->fd] = fcntl(r->fd, F_DUPFD_CLOEXEC, 10); /* -2: was closed */
		if (saved && r->fd < 10 && saved[r->fd] == -1)
			saved[r->fd] = -2;
		if (r->kind == REDIR_DUP) {
			if (strcmp(target, "-") == 0) {
				close(r->fd);
				free(target);
				continue;
			}
			fd = atoi(target);
			if (fd != r->fd && dup2(fd, r->fd) < 0) {
				dprintf(2, "sh: %s: %s\n", target, strerror(errno));
				free(target);
				return -1;
			}
			free(target);
			continue;
		}
		int flags = r->kind == REDIR_IN ? O_RDONLY
			    : r->kind == REDIR_OUT ? O_WRONLY | O_CREAT | O_TRUNC
						   : O_WRONLY | O_CREAT | O_APPEND;
		fd = open(target, flags | O_CLOEXEC, 0666);
		if (fd < 0) {
			dprintf(2, "sh: %s: %s\n", target, strerror(errno));
			free(target);
			return -1;
		}
		free(target);
		if (fd != r->fd) {
			if (dup2(fd, r->fd) < 0) {
				close(fd);
				return -1;
			}
			close(fd);
		} else {
			fcntl(fd, F_SETFD, 0);
		}
	}
	return 0;
}

static void restore_redirs(int *saved)
{
	for (int fd = 0; fd < 10; fd++) {
		if (saved[fd] >= 0) {
			dup2(saved[fd], fd);
			close(saved[fd]);
		} else if (saved[fd] == -2) {
			close(fd);
		}
	}
}

/* exec @argv, searching $PATH when argv[0] has no '/'. Returns only on failure (status). */
static int exec_path(char **argv)
{
	extern char **environ;
	int err = ENOENT;

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, environ);
		err = errno;
	} else {
		const char *path = getenv("PATH");
		if (!path)
			path = "/bin";
		while (*path) {
			const char *end = strchr(path, ':');
			size_t dl = end ? (size_t)(end - path) : strlen(path);
			char full[512];
			snprintf(full, sizeof(full), "%.*s/%s", (int)dl, dl ? path : ".", argv[0]);
			execve(full, argv, environ);
			if (errno != ENOENT && errno != ENOTDIR)
				err = errno;
			if (errno == ENOEXEC) {
				/* A script without #!: run it with the shell. */
				int n = 0;
				while (argv[n])
					n++;
				char **sargv = calloc((size_t)n + 2, sizeof(char *));
				sargv[0] = "sh";
				sargv[1] = full;
				memcpy(sargv + 2, argv + 1, (size_t)n * sizeof(char *));
				execve("/bin/sh", sargv, environ);
			}
			path += dl;
			if (*path == ':')
				path++;
		}
	}
	if (err == ENOENT) {
		dprintf(2, "sh: %s: not found\n", argv[0]);
		return 127;
	}
	dprintf(2, "sh: %s: %s\n", argv[0], strerror(err));
	return 126;
}

static int run_builtin(struct expanded *e, bool *found);

static bool is_builtin(const char *name)
{
	static const char *const names[] = { "cd", "exit", "wait", ":", "export", "unset",
					     "jobs", "fg", "bg" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static void child_signals(bool background, pid_t pgid)
{
	/* With job control a background job has a group of its own, which
	 * the terminal's keys never reach; without, it ignores them. */
	bool ignore = background && interactive && !sh_jobctl;

	signal(SIGINT, ignore ? SIG_IGN : SIG_DFL);
	signal(SIGQUIT, ignore ? SIG_IGN : SIG_DFL);
	sh_jobs_child(pgid, !background);
}

/* "cmd args | cmd args": a job's name for jobs and fg. */
static char *job_text(struct expanded *ex, int n)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		for (int j = 0; j < ex[i].argc; j++)
			len += strlen(ex[i].argv[j]) + 3;
	s = calloc(1, len);
	for (int i = 0; s && i < n; i++) {
		if (i)
			strcat(s, " | ");
		for (int j = 0; j < ex[i].argc; j++) {
			if (j)
				strcat(s, " ");
			strcat(s, ex[i].argv[j]);
		}
	}
	return s;
}

static int run_pipeline(struct pipeline *pl, bool background)
{
	struct expanded *ex = calloc((size_t)pl->ncmds, sizeof(*ex));
	pid_t *pids = calloc((size_t)pl->ncmds, sizeof(pid_t));
	pid_t pgid = 0;
	int status = 0, infd = -1, i = 0;
	struct cmd *c;

	for (c = pl->cmds; c; c = c->next)
		expand_cmd(c, &ex[i++]);

	/* A lone foreground builtin or assignment runs in the shell itself. */
	if (pl->ncmds == 1 && !background) {
		int saved[10];
		bool found;
		if (ex[0].argc == 0) {
			apply_assigns(&ex[0]);
			memset(saved, -1, sizeof(saved));
			status = apply_redirs(pl->cmds, saved) < 0 ? 1 : 0;
			restore_redirs(saved);
			goto out;
		}
		if (strcmp(ex[0].argv[0], "exec") == 0) {
			if (apply_redirs(pl->cmds, NULL) < 0) {
				status = 1;
				goto out;
			}
			if (ex[0].argc == 1)
				goto out;
			apply_assigns(&ex[0]);
			status = exec_path(ex[0].argv + 1);
			goto out;
		}
		if (is_builtin(ex[0].argv[0]) ||
		    (!strcmp(ex[0].argv[0], "kill") && sh_is_job_kill(ex[0].argc, ex[0].argv))) {
			memset(saved, -1, sizeof(saved));
			if (apply_redirs(pl->cmds, saved) < 0)
				status = 1;
			else
				status = run_builtin(&ex[0], &found);
			restore_redirs(saved);
			goto out;
		}
	}

	i = 0;
	for (c = pl->cmds; c; c = c->next, i++) {
		int pfd[2] = { -1, -1 };
		if (c->next && pipe2(pfd, O_CLOEXEC) < 0) {
			dprintf(2, "sh: pipe: %s\n", strerror(errno));
			status = 1;
			break;
		}
		pids[i] = fork();
		if (pids[i] == 0) {
			child_signals(background, pgid);
			if (infd >= 0)
				dup2(infd, 0);
			if (pfd[1] >= 0)
				dup2(pfd[1], 1);
			if (apply_redirs(c, NULL) < 0)
				_exit(1);
			if (ex[i].argc == 0)
				_exit(0);
			apply_assigns(&ex[i]);
			bool found;
			int st = run_builtin(&ex[i], &found);
			if (found)
				_exit(st);
			_exit(exec_path(ex[i].argv));
		}
		if (pids[i] < 0) {
			dprintf(2, "sh: fork: %s\n", strerror(errno));
			status = 1;
		} else {
			sh_jobs_started(pids[i], &pgid);
		}
		if (infd >= 0)
			close(infd);
		if (pfd[1] >= 0)
			close(pfd[1]);
		infd = pfd[0];
		if (pids[i] < 0)
			break;
	}
	if (infd >= 0)
		close(infd);

	int n = i < pl->ncmds ? i : pl->ncmds;
	if (sh_jobctl && n > 0 && pids[n - 1] > 0) {
		char *text = job_text(ex, n);

		if (background)
			sh_vars.last_bg = pids[n - 1];
		status = sh_jobs_run(pgid, pids, n, text ? text : "?", background);
		free(text);
		goto out;
	}
	if (background) {
		if (n > 0 && pids[n - 1] > 0) {
			sh_vars.last_bg = pids[n - 1];
			if (interactive)
				dprintf(2, "[%d]\n", pids[n - 1]);
		}
		goto out;
	}
	for (int j = 0; j < n; j++) {
		int st;
		if (pids[j] <= 0)
			continue;
		while (waitpid(pids[j], &st, 0) < 0 && errno == EINTR)
			;
		if (j == pl->ncmds - 1)
			status = decode_status(st, true);
	}
out:
	for (i = 0; i < pl->ncmds; i++)
		free_expanded(&ex[i]);
	free(ex);
	free(pids);
	return status;
}

static void run_list(struct pipeline *pl)
{
	enum connector prev = CONN_SEQ;

	for (; pl; pl = pl->next) {
		bool run = prev == CONN_SEQ || prev == CONN_BG ||
			   (prev == CONN_AND && sh_vars.status == 0) ||
			   (prev == CONN_OR && sh_vars.status != 0);
		if (run)
			sh_vars.status = run_pipeline(pl, pl->conn == CONN_BG);
		prev = pl->conn;
	}
}

static int builtin_cd(struct expanded *e)
{
	const char *dir = e->argc > 1 ? e->argv[1] : getenv("HOME");
	char cwd[512];

	if (!dir)
		dir = "/";
	if (chdir(dir) < 0) {
		dprintf(2, "sh: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (getcwd(cwd, sizeof(cwd)))
		setenv("PWD", cwd, 1);
	return 0;
}

static int builtin_wait(struct expanded *e)
{
	int st, status = 0;

	if (e->argc == 1) {
		pid_t pid;

		while ((pid = wait(&st)) > 0 || errno == EINTR)
			if (pid > 0 && sh_jobctl)
				sh_jobs_note(pid, st);
		return 0;
	}
	for (int i = 1; i < e->argc; i++) {
		pid_t pid = atoi(e->argv[i]);
		while (waitpid(pid, &st, 0) < 0) {
			if (errno != EINTR) {
				st = 127 << 8;
				break;
			}
		}
		if (sh_jobctl)
			sh_jobs_note(pid, st);
		status = decode_status(st, false);
	}
	return status;
}

/* Returns the builtin's status with *found set, or 0 with *found clear. */
static int run_builtin(struct expanded *e, bool *found)
{
	const char *name = e->argv[0];

	*found = true;
	if (strcmp(name, "cd") == 0)
		return builtin_cd(e);
	if (strcmp(name, "exit") == 0)
		exit(e->argc > 1 ? atoi(e->argv[1]) : sh_vars.status);
	if (strcmp(name, "wait") == 0)
		return builtin_wait(e);
	if (strcmp(name, ":") == 0)
		return 0;
	if (strcmp(name, "export") == 0) {
		for (int i = 1; i < e->argc; i++) {
			char *eq = strchr(e->argv[i], '=');
			if (eq) {
				*eq = 0;
				setenv(e->argv[i], eq + 1, 1);
				*eq = '=';
			}
		}
		return 0;
	}
	if (strcmp(name, "unset") == 0) {
		for (int i = 1; i < e->argc; i++)
			unsetenv(e->argv[i]);
		return 0;
	}
	if (strcmp(name, "exec") == 0)
		return e->argc > 1 ? exec_path(e->argv + 1) : 0;
	if (strcmp(name, "jobs") == 0)
		return sh_builtin_jobs(e->argc, e->argv);
	if (strcmp(name, "fg") == 0)
		return sh_builtin_fg(e->argc, e->argv);
	if (strcmp(name, "bg") == 0)
		return sh_builtin_bg(e->argc, e->argv);
	if (strcmp(name, "kill") == 0 && sh_is_job_kill(e->argc, e->argv))
		return sh_builtin_kill(e->argc, e->argv);
	*found = false;
	return 0;
}

static void prompt(const char *p)
{
	if (interactive)
		box_write_all(2, p, strlen(p));
}

static int run_input(struct input *in)
{
	struct arena arena = { 0 };

	for (;;) {
		char *text = NULL;
		size_t len = 0;
		struct pipeline *pl;
		const char *err = "syntax error";
		enum parse_result r;

		reap_jobs();
		prompt("$ ");
		if (!read_line(in, &text, &len)) {
			free(text);
			if (interactive)
				box_write_all(2, "\n", 1);
			break;
		}
		while ((r = sh_parse(&arena, text, &pl, &err)) == PARSE_INCOMPLETE) {
			arena_free(&arena);
			prompt("> ");
			if (!read_line(in, &text, &len)) {
				r = PARSE_ERROR;
				err = "syntax error: unexpected end of file";
				break;
			}
		}
		if (r == PARSE_ERROR) {
			dprintf(2, "sh: %s\n", err);
			sh_vars.status = 2;
			if (!interactive)
				exit(2);
		} else {
			run_list(pl);
		}
		arena_free(&arena);
		free(text);
	}
	return sh_vars.status;
}

int sh_main(int argc, char **argv)
{
	struct input *in = calloc(1, sizeof(*in));
	int i = 1;
	bool force_interactive = false;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			in->fd = -1;
			in->str = argv[++i];
			i++;
			break;
		} else if (strcmp(argv[i], "-i") == 0) {
			force_interactive = true;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			dprintf(2, "usage: sh [-i] [-c cmd [name args...] | file [args...]]\n");
			return 2;
		}
	}
	if (in->str) {
		/* $0 is the name after the string, or "sh" */
		if (i < argc) {
			sh_vars.argv = argv + i;
			sh_vars.argc = argc - i;
		} else {
			sh_vars.argv = argv;
			sh_vars.argc = 1;
		}
	} else if (i < argc) {
		in->fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			dprintf(2, "sh: %s: %s\n", argv[i], strerror(errno));
			return 127;
		}
		sh_vars.argv = argv + i;
		sh_vars.argc = argc - i;
	} else {
		in->fd = 0;
		sh_vars.argv = argv;
		sh_vars.argc = 1;
		interactive = force_interactive || isatty(0);
	}
	if (!getenv("PATH"))
		setenv("PATH", "/bin", 1);
	if (interactive) {
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		sh_jobs_init();
	}
	return run_input(in);
}
