// SPDX-License-Identifier: MIT
/*
 * sh: word expansion. Quotes: '...' is literal; "..." expands $ and honours \ before
 * $ ` " \ and newline; outside quotes \ escapes any character. Parameters: $? $$ $! $#
 * $0-$9 $NAME ${NAME}. A leading ~ is $HOME. No field splitting, no globbing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

struct sh_vars sh_vars;

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void putc_(struct buf *b, char c)
{
	put(b, &c, 1);
}

static void put_int(struct buf *b, long v)
{
	char tmp[24];

	put(b, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%ld", v));
}

static bool is_name_start(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Expand the parameter after a '$' at *pp; advances *pp past it. */
static void expand_param(struct buf *b, const char **pp)
{
	const char *p = *pp;
	char name[128];
	size_t n = 0;

	switch (*p) {
	case '?':
		put_int(b, sh_vars.status);
		*pp = p + 1;
		return;
	case '$':
		put_int(b, getpid());
		*pp = p + 1;
		return;
	case '!':
		if (sh_vars.last_bg)
			put_int(b, sh_vars.last_bg);
		*pp = p + 1;
		return;
	case '#':
		put_int(b, sh_vars.argc > 0 ? sh_vars.argc - 1 : 0);
		*pp = p + 1;
		return;
	}
	if (*p >= '0' && *p <= '9') {
		int i = *p - '0';
		if (i < sh_vars.argc)
			put(b, sh_vars.argv[i], strlen(sh_vars.argv[i]));
		*pp = p + 1;
		return;
	}
	if (*p == '{') {
		const char *end = strchr(p, '}');
		if (!end || (size_t)(end - p - 1) >= sizeof(name)) {
			putc_(b, '$');
			return;
		}
		n = (size_t)(end - p - 1);
		memcpy(name, p + 1, n);
		*pp = end + 1;
	} else if (is_name_start(*p)) {
		while (is_name_char(p[n]) && n < sizeof(name) - 1) {
			name[n] = p[n];
			n++;
		}
		*pp = p + n;
	} else {
		putc_(b, '$'); /* a lone $ is literal */
		return;
	}
	name[n] = 0;
	const char *v = getenv(name);
	if (v)
		put(b, v, strlen(v));
}

size_t sh_assignment_len(const char *raw)
{
	size_t n = 0;

	if (!is_name_start(raw[0]))
		return 0;
	while (is_name_char(raw[n]))
		n++;
	return raw[n] == '=' ? n : 0;
}

char *sh_expand(const char *raw, bool *dropped)
{
	struct buf b = { 0 };
	const char *p = raw;
	bool quoted = false;

	put(&b, "", 0);
	if (p[0] == '~' && (p[1] == '/' || p[1] == 0)) {
		const char *home = getenv("HOME");
		put(&b, home ? home : "/", strlen(home ? home : "/"));
		p++;
	}
	while (*p) {
		char c = *p++;
		if (c == '\\') {
			quoted = true;
			if (*p == '\n')
				p++;
			else if (*p)
				putc_(&b, *p++);
		} else if (c == '\'') {
			quoted = true;
			while (*p && *p != '\'')
				putc_(&b, *p++);
			if (*p)
				p++;
		} else if (c == '"') {
			quoted = true;
			while (*p && *p != '"') {
				if (*p == '\\' && strchr("$`\"\\\n", p[1]) && p[1]) {
					if (p[1] != '\n')
						putc_(&b, p[1]);
					p += 2;
				} else if (*p == '$') {
					p++;
					expand_param(&b, &p);
				} else {
					putc_(&b, *p++);
				}
			}
			if (*p)
				p++;
		} else if (c == '$') {
			expand_param(&b, &p);
		} else {
			putc_(&b, c);
		}
	}
	if (dropped)
		*dropped = !quoted && b.len == 0;
	return b.s;
}
