// SPDX-License-Identifier: MIT
/*
 * Byte-at-a-time string and memory functions, plus word-sized fast paths for
 * memcpy/memset when both pointers are (or can be brought) word aligned: the
 * common case, and the one page copies, file reads and pipes spend their
 * time in, so its loop moves 64 bytes per turn (8 loads, then 8 stores:
 * about 2.4 instructions per 8 bytes instead of 6).
 */
#include <stdbool.h>
#include <stdint.h>

#include "lib/string.h"

/* <limits.h> is not on the kernel's -nostdinc include path. */
#define ULONG_MAX (__LONG_MAX__ * 2UL + 1UL)
#define INT_MAX __INT_MAX__

/*
 * GCC recognises the loops below as memcpy/memset idioms and would compile
 * them into calls to memcpy/memset, i.e. into themselves. Forbid that here.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif

#define WORD sizeof(unsigned long)
#define ALIGNED(p) (((uintptr_t)(p) & (WORD - 1)) == 0)

/*
 * Word accesses through a may_alias type: the kernel copies objects of every
 * type through these, and strict aliasing must not let the compiler reorder.
 */
typedef unsigned long __attribute__((may_alias)) word_t;

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) & (WORD - 1)) == 0 && n >= WORD) {
		/* Same offset in a word: bytes up to the boundary, then words. */
		while (!ALIGNED(d)) {
			*d++ = *s++;
			n--;
		}
		for (; n >= 8 * WORD; n -= 8 * WORD, d += 8 * WORD, s += 8 * WORD) {
			const word_t *sw = (const word_t *)s;
			word_t *dw = (word_t *)d;
			word_t w0 = sw[0], w1 = sw[1], w2 = sw[2], w3 = sw[3];
			word_t w4 = sw[4], w5 = sw[5], w6 = sw[6], w7 = sw[7];

			dw[0] = w0;
			dw[1] = w1;
			dw[2] = w2;
			dw[3] = w3;
			dw[4] = w4;
			dw[5] = w5;
			dw[6] = w6;
			dw[7] = w7;
		}
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
			*(word_t *)d = *(const word_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	/* Comparing unrelated pointers as integers is well defined. */
	if ((uintptr_t)d < (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n)
		return memcpy(dst, src, n);
	/* Overlap with dst above src: copy backwards. */
	d += n;
	s += n;
	while (n--)
		*--d = *--s;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)c;

	if (n >= WORD) {
		word_t w = (word_t)-1 / 0xff * b;

		while (!ALIGNED(d)) {
			*d++ = b;
			n--;
		}
		for (; n >= 8 * WORD; n -= 8 * WORD, d += 8 * WORD) {
			word_t *dw = (word_t *)d;

			dw[0] = w;
			dw[1] = w;
			dw[2] = w;
			dw[3] = w;
			dw[4] = w;
			dw[5] = w;
			dw[6] = w;
			dw[7] = w;
		}
		for (; n >= WORD; n -= WORD, d += WORD)
			*(word_t *)d = w;
	}
	while (n--)
		*d++ = b;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t i = 0;

	while (i < max && s[i])
		i++;
	return i;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (*x > *y) - (*x < *y);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
		if (!*x)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	char ch = (char)c;
	const char *last = NULL;

	for (;; s++) {
		if (*s == ch)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

size_t strlcat(char *restrict dst, const char *restrict src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	/* No terminator within @size: nothing can be appended. */
	if (dlen == size)
		return size + strlen(src);
	return dlen + strlcpy(dst + dlen, src, size - dlen);
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return INT_MAX;
}

unsigned long str_to_ulong(const char *s, const char **end, int base)
{
	const char *p = s;
	const char *digits;
	unsigned long v = 0;
	bool overflow = false;

	if (end)
		*end = s;
	if (base < 0 || base == 1 || base > 36)
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+')
		p++;
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	digits = p;
	for (; digit_value(*p) < base; p++) {
		unsigned int d = (unsigned int)digit_value(*p);

		if (v > (ULONG_MAX - d) / (unsigned long)base)
			overflow = true;
		else
			v = v * (unsigned long)base + d;
	}
	if (p == digits)
		return 0;
	if (end)
		*end = p;
	return overflow ? ULONG_MAX : v;
}
