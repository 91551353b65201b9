// SPDX-License-Identifier: MIT
/*
 * printf formatting: a single pass over the format that hands literal runs,
 * padding and converted numbers to an emit callback, plus snprintf on top.
 */
#include <stdbool.h>
#include <stdint.h>

#include "lib/printf.h"

/* <limits.h> is not on the kernel's -nostdinc include path. */
#define INT_MAX __INT_MAX__
#define INT_MIN (-__INT_MAX__ - 1)

enum {
	F_LEFT = 1 << 0,	/* '-' */
	F_ZERO = 1 << 1,	/* '0' */
	F_PLUS = 1 << 2,	/* '+' */
	F_SPACE = 1 << 3,	/* ' ' */
	F_ALT = 1 << 4,		/* '#' */
};

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE,
	      LEN_PTRDIFF, LEN_INTMAX };

struct out {
	fmt_emit_fn emit;
	void *ctx;
	size_t count;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n) {
		o->emit(o->ctx, s, n);
		o->count += n;
	}
}

/* Padding comes from these read-only runs, a chunk at a time. */
static const char spaces[16] = "                ";
static const char zeros[16] = "0000000000000000";

static void pad(struct out *o, const char run[16], size_t n)
{
	while (n) {
		size_t k = n < 16 ? n : 16;

		put(o, run, k);
		n -= k;
	}
}

/* Saturating decimal parse of a width or precision. */
static int parse_num(const char **fmtp)
{
	const char *f = *fmtp;
	int v = 0;

	while (*f >= '0' && *f <= '9') {
		int d = *f++ - '0';

		v = v > (INT_MAX - d) / 10 ? INT_MAX : v * 10 + d;
	}
	*fmtp = f;
	return v;
}

/*
 * Emit one field: [left spaces][sign/prefix][zeros][body][right spaces].
 * @zeros_n covers both precision and the '0' flag; the caller works it out.
 */
static void field(struct out *o, int flags, size_t width, const char *prefix, size_t plen,
		  size_t zeros_n, const char *body, size_t blen)
{
	size_t len = plen + zeros_n + blen;
	size_t fill = width > len ? width - len : 0;

	if (!(flags & F_LEFT))
		pad(o, spaces, fill);
	put(o, prefix, plen);
	pad(o, zeros, zeros_n);
	put(o, body, blen);
	if (flags & F_LEFT)
		pad(o, spaces, fill);
}

static void format_int(struct out *o, char conv, int flags, int width, int prec,
		       uintmax_t v, bool negative)
{
	/* 64-bit octal needs 22 digits. */
	char buf[24];
	char *end = buf + sizeof(buf), *p = end;
	const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
	char prefix[2];
	size_t plen = 0, blen, zeros_n = 0;

	while (v) {
		*--p = digits[v % base];
		v /= base;
	}
	/* Value 0 with precision 0 prints no digits (but "%#o" still prints 0). */
	if (p == end && prec != 0)
		*--p = '0';
	blen = (size_t)(end - p);

	if (conv == 'd' || conv == 'i') {
		if (negative)
			prefix[plen++] = '-';
		else if (flags & F_PLUS)
			prefix[plen++] = '+';
		else if (flags & F_SPACE)
			prefix[plen++] = ' ';
	} else if (conv == 'o' && (flags & F_ALT)) {
		/* '#' raises the precision so that the first digit is a 0. */
		if ((p == end || *p != '0') && (prec < 0 || (size_t)prec <= blen))
			zeros_n = 1;
	} else if (conv == 'p' || ((conv == 'x' || conv == 'X') && (flags & F_ALT) && blen &&
				   !(blen == 1 && *p == '0'))) {
		prefix[plen++] = '0';
		prefix[plen++] = conv == 'X' ? 'X' : 'x';
	}

	if (prec >= 0) {
		if ((size_t)prec > blen)
			zeros_n = (size_t)prec - blen;
	} else if ((flags & (F_ZERO | F_LEFT)) == F_ZERO && width > 0 &&
		   (size_t)width > plen + blen + zeros_n) {
		zeros_n = (size_t)width - plen - blen;
	}
	field(o, flags, width > 0 ? (size_t)width : 0, prefix, plen, zeros_n, p, blen);
}

static uintmax_t get_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_PTRDIFF:
		return (uintmax_t)va_arg(*ap, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static intmax_t get_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		/* The signed type matching size_t: same width as ptrdiff_t here. */
		return va_arg(*ap, ptrdiff_t);
	case LEN_PTRDIFF:
		return va_arg(*ap, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static void format_str(struct out *o, int flags, int width, int prec, const char *s)
{
	size_t n = 0;

	if (!s)
		s = "(null)";
	/* Never read past the precision: the string need not be terminated. */
	while ((prec < 0 || n < (size_t)prec) && s[n])
		n++;
	field(o, flags, width > 0 ? (size_t)width : 0, NULL, 0, 0, s, n);
}

int fmt_vformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap_in)
{
	struct out o = { .emit = emit, .ctx = ctx, .count = 0 };
	va_list ap;

	/* A copy, so helpers can take it by pointer on every ABI. */
	va_copy(ap, ap_in);
	while (*fmt) {
		const char *start = fmt;
		int flags = 0, width = 0, prec = -1;
		enum length len = LEN_INT;
		char conv;

		while (*fmt && *fmt != '%')
			fmt++;
		put(&o, start, (size_t)(fmt - start));
		if (!*fmt)
			break;
		start = fmt++;

		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			fmt++;
			width = va_arg(ap, int);
			if (width < 0) {
				/* A negative width is a '-' flag and a positive width. */
				flags |= F_LEFT;
				width = width == INT_MIN ? INT_MAX : -width;
			}
		} else {
			width = parse_num(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				fmt++;
				prec = va_arg(ap, int);
				if (prec < 0)
					prec = -1;	/* as if omitted */
			} else {
				prec = parse_num(&fmt);
			}
		}
		switch (*fmt) {
		case 'h':
			len = LEN_SHORT;
			if (*++fmt == 'h') {
				len = LEN_CHAR;
				fmt++;
			}
			break;
		case 'l':
			len = LEN_LONG;
			if (*++fmt == 'l') {
				len = LEN_LLONG;
				fmt++;
			}
			break;
		case 'z':
			len = LEN_SIZE;
			fmt++;
			break;
		case 't':
			len = LEN_PTRDIFF;
			fmt++;
			break;
		case 'j':
			len = LEN_INTMAX;
			fmt++;
			break;
		default:
			break;
		}

		conv = *fmt;
		switch (conv) {
		case 'd':
		case 'i': {
			intmax_t v = get_signed(&ap, len);
			/* Negate in unsigned arithmetic: INTMAX_MIN has no positive twin. */
			uintmax_t mag = v < 0 ? -(uintmax_t)v : (uintmax_t)v;

			format_int(&o, conv, flags, width, prec, mag, v < 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			format_int(&o, conv, flags, width, prec, get_unsigned(&ap, len), false);
			break;
		case 'p':
			format_int(&o, 'p', flags & ~F_ALT, width, prec,
				   (uintptr_t)va_arg(ap, void *), false);
			break;
		case 's':
			format_str(&o, flags, width, prec, va_arg(ap, const char *));
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);

			field(&o, flags, width > 0 ? (size_t)width : 0, NULL, 0, 0, &c, 1);
			break;
		}
		case '%':
			put(&o, "%", 1);
			break;
		case '\0':
			/* A lone '%' at the end: print what we have and stop. */
			put(&o, start, (size_t)(fmt - start));
			goto out;
		default:
			put(&o, start, (size_t)(fmt + 1 - start));
			break;
		}
		fmt++;
	}
out:
	va_end(ap);
	return o.count > INT_MAX ? INT_MAX : (int)o.count;
}

struct snbuf {
	char *buf;
	size_t size;	/* bytes available for characters, excluding the NUL */
	size_t pos;
};

static void snbuf_emit(void *ctx, const char *s, size_t n)
{
	struct snbuf *b = ctx;

	if (b->pos < b->size) {
		size_t room = b->size - b->pos;
		size_t k = n < room ? n : room;

		for (size_t i = 0; i < k; i++)
			b->buf[b->pos + i] = s[i];
	}
	b->pos += n;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct snbuf b = { .buf = buf, .size = size ? size - 1 : 0, .pos = 0 };
	int ret = fmt_vformat(snbuf_emit, &b, fmt, ap);

	if (size)
		buf[b.pos < b.size ? b.pos : b.size] = '\0';
	return ret;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
