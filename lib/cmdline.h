/* SPDX-License-Identifier: MIT */
/*
 * Splitting the kernel command line into words as Linux does (its
 * next_arg): words are separated by blanks; a double quote at the start of
 * a word or of its value (after the first '=') starts a quoted stretch in
 * which blanks do not split, and those quotes, with a closing one at the
 * end of the word, are removed: `init="/bin/my prog"` is the word
 * `init=/bin/my prog`, `"a b"` is `a b`; quotes inside a word stay.
 * Freestanding.
 */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

/*
 * Split the next word off s (changed in place; s must not start with a
 * blank). *word gets the word, NUL-terminated, its quotes removed and its
 * first '=' kept; *val points after that '=' or is NULL. Returns where the
 * rest starts (after the blanks that follow), "" at the end.
 */
char *cmdline_next_word(char *s, char **word, char **val);
/* s after any leading blanks. */
char *cmdline_skip_blanks(char *s);

#endif
