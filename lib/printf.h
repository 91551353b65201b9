/* SPDX-License-Identifier: MIT */
/*
 * The printf formatting core shared by kprintf, panic and user-facing text.
 * No allocation, no static mutable state and a small fixed stack frame, so it
 * may be called from interrupt context and on any hart concurrently.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%; length modifiers hh h l ll z t j;
 * flags - 0 + space #; width and precision, either may be '*'. %p prints
 * "0x" and lowercase hex ("0x0" for NULL); a NULL %s prints "(null)" (cut to
 * the precision). An unknown conversion such as %q (or %n, on purpose) is
 * copied to the output as written and consumes no argument.
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Receives the output in pieces; @s is not NUL-terminated. */
typedef void (*fmt_emit_fn)(void *ctx, const char *s, size_t n);

/* Format to @emit; returns the number of characters emitted. */
int fmt_vformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap);

/*
 * C99 snprintf semantics: writes at most @size bytes including the NUL,
 * always NUL-terminates when size > 0, and returns the length the whole
 * output would have had (so ret >= size means it was truncated).
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4)))
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...);

#endif /* LIB_PRINTF_H */
