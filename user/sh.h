/* SPDX-License-Identifier: MIT */
/*
 * sh internals: the parsed form of a command line (parser -> executor) and word expansion.
 *
 * Words keep their raw source text (quotes included) until the executor expands them, so
 * `false; echo $?` sees the status of `false`.
 */
#ifndef USER_SH_H
#define USER_SH_H

#include <stdbool.h>
#include <stddef.h>

/* All nodes of one command line live in an arena freed in one go. */
struct arena {
	struct arena_chunk *chunks;
};
void *arena_alloc(struct arena *a, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

struct word {
	struct word *next;
	const char *raw; /* source text, quotes and escapes still in */
};

enum redir_kind {
	REDIR_IN,     /* N<file, N defaults to 0 */
	REDIR_OUT,    /* N>file, N defaults to 1 */
	REDIR_APPEND, /* N>>file */
	REDIR_DUP,    /* N>&M or N<&M; M may be "-" to close N */
};

struct redir {
	struct redir *next;
	int fd;
	enum redir_kind kind;
	const char *raw; /* target word */
};

struct cmd {
	struct cmd *next;
	struct word *words;
	struct redir *redirs;
};

/* How a pipeline is terminated, which decides whether and how the next one runs. */
enum connector {
	CONN_SEQ, /* ; or newline */
	CONN_BG,  /* & : this pipeline runs in the background */
	CONN_AND, /* && : run the next one only if this one succeeded */
	CONN_OR,  /* || : run the next one only if this one failed */
};

struct pipeline {
	struct pipeline *next;
	struct cmd *cmds;
	int ncmds;
	enum connector conn;
};

enum parse_result {
	PARSE_OK,
	PARSE_INCOMPLETE, /* open quote, trailing backslash, | && or ||: needs another line */
	PARSE_ERROR,
};

/* Parse @text (one or more lines). On PARSE_ERROR, *err says why. */
enum parse_result sh_parse(struct arena *a, const char *text, struct pipeline **out,
			   const char **err);

/* Shell state that expansion reads. */
struct sh_vars {
	int status;	/* $? */
	int last_bg;	/* $! */
	int argc;	/* $# + 1 */
	char **argv;	/* $0, $1, ... */
};
extern struct sh_vars sh_vars;

/*
 * Job control (sh_jobs.c): on when the shell is interactive on its controlling terminal.
 * A forked command calls sh_jobs_child (in the child) and sh_jobs_started (in the parent,
 * which keeps the job's group in *pgid: 0 before the first); then sh_jobs_run makes the
 * job and, in the foreground, waits for it to end or stop (its status).
 */
extern bool sh_jobctl;
void sh_jobs_init(void);
void sh_jobs_child(int pgid, bool foreground);
void sh_jobs_started(int pid, int *pgid);
int sh_jobs_run(int pgid, const int *pids, int n, const char *cmd, bool background);
void sh_jobs_reap(void);
/* A child the wait builtin reaped: its job learns it. */
void sh_jobs_note(int pid, int status);
int sh_builtin_jobs(int argc, char **argv);
int sh_builtin_fg(int argc, char **argv);
int sh_builtin_bg(int argc, char **argv);
/* kill with a %n argument is the builtin; otherwise the kill program runs. */
bool sh_is_job_kill(int argc, char **argv);
int sh_builtin_kill(int argc, char **argv);

/* Expand parameters ($? $$ $! $# $0-$9 $NAME ${NAME}), ~, quotes and escapes. malloc'd.
 * *dropped is set when the word was unquoted and expanded to nothing (it yields no field). */
char *sh_expand(const char *raw, bool *dropped);

/* If @raw is NAME=value with an unquoted NAME, return the length of NAME, else 0. */
size_t sh_assignment_len(const char *raw);

#endif
