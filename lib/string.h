/* SPDX-License-Identifier: MIT */
/*
 * Memory and string functions for the kernel, under their standard names
 * (GCC emits calls to memcpy/memset/memmove/memcmp on its own). Prototypes
 * match glibc's so that host code may include both headers.
 *
 * Host tests of this file build lib/string.c with -DLIB_STRING_PREFIXED,
 * which renames every function here to lib_<name>, so that the test
 * exercises our code rather than glibc's while still linking against glibc.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

#ifdef LIB_STRING_PREFIXED
#define memcpy lib_memcpy
#define memmove lib_memmove
#define memset lib_memset
#define memcmp lib_memcmp
#define memchr lib_memchr
#define strlen lib_strlen
#define strnlen lib_strnlen
#define strcmp lib_strcmp
#define strncmp lib_strncmp
#define strchr lib_strchr
#define strrchr lib_strrchr
#define strlcpy lib_strlcpy
#define strlcat lib_strlcat
#endif

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
/* Length of @s, but look at no more than @max bytes. */
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* First/last @c in @s; c == '\0' finds the terminator. */
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/*
 * Copy @src into @dst of @size bytes, truncating, always NUL-terminating
 * when size > 0. Returns strlen(src): truncation happened iff ret >= size.
 */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);
/* Append @src to @dst of @size bytes; returns the length it tried to make. */
size_t strlcat(char *restrict dst, const char *restrict src, size_t size);

/*
 * strtoul without errno or locale: skips leading spaces and tabs, takes an
 * optional '+', base 0 means auto (0x -> 16, leading 0 -> 8, else 10), base 16
 * accepts an optional 0x. Saturates at ULONG_MAX on overflow. *end (if @end)
 * is set past the last digit used, or to @s when there were no digits.
 * Bases outside 0 and 2..36 parse nothing.
 */
unsigned long str_to_ulong(const char *s, const char **end, int base);

#endif /* LIB_STRING_H */
