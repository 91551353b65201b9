// SPDX-License-Identifier: MIT
/* seqbuf: the growable text buffer generated files are built in. */
#include "kernel/fs/proc/genfs.h"

#include "kernel/mm/kmalloc.h"
#include "lib/printf.h"
#include "lib/string.h"

static bool seq_reserve(struct seqbuf *s, size_t n)
{
	size_t cap = s->cap ? s->cap : 1024;
	char *nb;

	if (s->overflow)
		return false;
	if (s->len + n <= s->cap)
		return true;
	while (cap < s->len + n)
		cap *= 2;
	if (cap > SEQ_MAX) {
		s->overflow = true;
		return false;
	}
	nb = kmalloc(cap);
	if (!nb) {
		s->overflow = true;
		return false;
	}
	if (s->len)
		memcpy(nb, s->buf, s->len);
	kfree(s->buf);
	s->buf = nb;
	s->cap = cap;
	return true;
}

void seq_write(struct seqbuf *s, const void *p, size_t n)
{
	if (!seq_reserve(s, n))
		return;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

void seq_putc(struct seqbuf *s, char c)
{
	seq_write(s, &c, 1);
}

static void seq_emit(void *ctx, const char *p, size_t n)
{
	seq_write(ctx, p, n);
}

void seq_printf(struct seqbuf *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(seq_emit, s, fmt, ap);
	va_end(ap);
}

void seq_free(struct seqbuf *s)
{
	kfree(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
	s->overflow = false;
}
