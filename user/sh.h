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

/* Expand parameters ($? $$ $! $# $0-$9 $NAME ${NAME}), ~, quotes and escapes. malloc'd.
 * *dropped is set when the word was unquoted and expanded to nothing (it yields no field). */
char *sh_expand(const char *raw, bool *dropped);

/* If @raw is NAME=value with an unquoted NAME, return the length of NAME, else 0. */
size_t sh_assignment_len(const char *raw);

#endif
