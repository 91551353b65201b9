// SPDX-License-Identifier: MIT
/*
 * sh: lexer and parser. Grammar (no control flow, no subshells):
 *   list     := pipeline ((';' | '&' | '&&' | '||' | NL) pipeline)*
 *   pipeline := command ('|' command)*
 *   command  := (word | redir)+
 *   redir    := [digits] ('<' | '>' | '>>' | '>&' | '<&') word
 * Words are kept raw; sh_expand() handles quotes and parameters when the command runs.
 */
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->chunks;

	size = (size + 15) & ~(size_t)15;
	if (!c || c->size - c->used < size) {
		size_t cap = size > 4000 ? size : 4000;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			abort();
		c->size = cap;
		c->used = 0;
		c->next = a->chunks;
		a->chunks = c;
	}
	void *p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void arena_free(struct arena *a)
{
	while (a->chunks) {
		struct arena_chunk *next = a->chunks->next;
		free(a->chunks);
		a->chunks = next;
	}
}

enum tok_kind {
	T_WORD,
	T_REDIR,
	T_PIPE,
	T_OR,
	T_AND,
	T_BG,
	T_SEMI,
	T_NL,
	T_EOF,
};

struct lexer {
	const char *p;
	bool incomplete;
	/* The current token. */
	enum tok_kind kind;
	const char *start;
	size_t len;
	int redir_fd;
	enum redir_kind redir_kind;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_meta(char c)
{
	return c == 0 || is_blank(c) || c == '\n' || c == '|' || c == '&' || c == ';' ||
	       c == '<' || c == '>';
}

/* Scan a word starting at l->p; quotes and escapes are skipped over, not interpreted. */
static void lex_word(struct lexer *l)
{
	const char *p = l->p;

	while (!is_meta(*p)) {
		char c = *p++;
		if (c == '\\') {
			if (!*p) {
				l->incomplete = true;
				break;
			}
			p++;
		} else if (c == '\'') {
			while (*p && *p != '\'')
				p++;
			if (!*p) {
				l->incomplete = true;
				break;
			}
			p++;
		} else if (c == '"') {
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (!*p) {
				l->incomplete = true;
				break;
			}
			p++;
		}
	}
	l->kind = T_WORD;
	l->start = l->p;
	l->len = (size_t)(p - l->p);
	l->p = p;
}

static void lex_redir(struct lexer *l, int fd)
{
	const char *p = l->p;
	char c = *p++;

	if (c == '<') {
		l->redir_kind = REDIR_IN;
		if (*p == '&') {
			l->redir_kind = REDIR_DUP;
			p++;
		}
		l->redir_fd = fd < 0 ? 0 : fd;
	} else {
		l->redir_kind = REDIR_OUT;
		if (*p == '>') {
			l->redir_kind = REDIR_APPEND;
			p++;
		} else if (*p == '&') {
			l->redir_kind = REDIR_DUP;
			p++;
		}
		l->redir_fd = fd < 0 ? 1 : fd;
	}
	l->kind = T_REDIR;
	l->p = p;
}

static void lex_next(struct lexer *l)
{
	const char *p = l->p;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '\\' && p[1] == '\n') {
			p += 2;
			continue;
		}
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
		}
		break;
	}
	l->p = p;
	l->start = p;
	switch (*p) {
	case 0:
		l->kind = T_EOF;
		return;
	case '\n':
		l->kind = T_NL;
		l->p++;
		return;
	case ';':
		l->kind = T_SEMI;
		l->p++;
		return;
	case '|':
		l->kind = p[1] == '|' ? T_OR : T_PIPE;
		l->p += p[1] == '|' ? 2 : 1;
		return;
	case '&':
		l->kind = p[1] == '&' ? T_AND : T_BG;
		l->p += p[1] == '&' ? 2 : 1;
		return;
	case '<':
	case '>':
		lex_redir(l, -1);
		return;
	}
	/* An io number: digits immediately followed by < or >. */
	const char *d = p;
	int fd = 0;
	while (*d >= '0' && *d <= '9' && fd < 1000)
		fd = fd * 10 + (*d++ - '0');
	if (d != p && (*d == '<' || *d == '>')) {
		l->p = d;
		lex_redir(l, fd);
		return;
	}
	lex_word(l);
}

struct parser {
	struct lexer lex;
	struct arena *arena;
	const char *err;
};

/* Returns the command, NULL with p->err set on a syntax error, or NULL without on EOF. */
static struct cmd *parse_cmd(struct parser *p)
{
	struct cmd *cmd = arena_alloc(p->arena, sizeof(*cmd));
	struct word **wtail = &cmd->words;
	struct redir **rtail = &cmd->redirs;
	bool any = false;

	for (;; lex_next(&p->lex)) {
		if (p->lex.kind == T_WORD) {
			struct word *w = arena_alloc(p->arena, sizeof(*w));
			w->raw = arena_strndup(p->arena, p->lex.start, p->lex.len);
			*wtail = w;
			wtail = &w->next;
		} else if (p->lex.kind == T_REDIR) {
			struct redir *r = arena_alloc(p->arena, sizeof(*r));
			r->fd = p->lex.redir_fd;
			r->kind = p->lex.redir_kind;
			lex_next(&p->lex);
			if (p->lex.kind != T_WORD) {
				if (p->lex.kind == T_EOF)
					p->lex.incomplete = true;
				p->err = "redirection without a file name";
				return NULL;
			}
			r->raw = arena_strndup(p->arena, p->lex.start, p->lex.len);
			*rtail = r;
			rtail = &r->next;
		} else {
			break;
		}
		any = true;
	}
	if (!any) {
		p->err = "syntax error: missing command";
		return NULL;
	}
	return cmd;
}

enum parse_result sh_parse(struct arena *a, const char *text, struct pipeline **out,
			   const char **err)
{
	struct parser p = { .lex = { .p = text }, .arena = a };
	struct pipeline **tail = out;

	*out = NULL;
	lex_next(&p.lex);
	for (;;) {
		while (p.lex.kind == T_NL || p.lex.kind == T_SEMI) {
			if (p.lex.kind == T_SEMI && !*out && tail == out) {
				*err = "syntax error near ';'";
				return PARSE_ERROR;
			}
			lex_next(&p.lex);
		}
		if (p.lex.kind == T_EOF)
			return p.lex.incomplete ? PARSE_INCOMPLETE : PARSE_OK;

		struct pipeline *pl = arena_alloc(a, sizeof(*pl));
		struct cmd **ctail = &pl->cmds;
		for (;;) {
			struct cmd *c = parse_cmd(&p);
			if (!c) {
				*err = p.err;
				return p.lex.incomplete ? PARSE_INCOMPLETE : PARSE_ERROR;
			}
			*ctail = c;
			ctail = &c->next;
			pl->ncmds++;
			if (p.lex.kind != T_PIPE)
				break;
			do
				lex_next(&p.lex);
			while (p.lex.kind == T_NL);
			if (p.lex.kind == T_EOF)
				return PARSE_INCOMPLETE;
		}
		*tail = pl;
		tail = &pl->next;

		switch (p.lex.kind) {
		case T_BG:
			pl->conn = CONN_BG;
			break;
		case T_AND:
		case T_OR:
			pl->conn = p.lex.kind == T_AND ? CONN_AND : CONN_OR;
			do
				lex_next(&p.lex);
			while (p.lex.kind == T_NL);
			if (p.lex.kind == T_EOF)
				return PARSE_INCOMPLETE;
			continue;
		case T_SEMI:
		case T_NL:
		case T_EOF:
			pl->conn = CONN_SEQ;
			break;
		default:
			*err = "syntax error";
			return PARSE_ERROR;
		}
		if (p.lex.kind == T_EOF)
			return p.lex.incomplete ? PARSE_INCOMPLETE : PARSE_OK;
		lex_next(&p.lex);
	}
}
