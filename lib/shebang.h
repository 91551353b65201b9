/* SPDX-License-Identifier: MIT */
/*
 * The "#!" line of an interpreter script, read as Linux's binfmt_script
 * reads it: from the first SHEBANG_BUF bytes of the file, the interpreter
 * path after "#!" and optional spaces or tabs, then at most one argument:
 * everything after the separating blanks up to the end of the line, with
 * trailing blanks trimmed (inner blanks kept: "#!/bin/sh -e -x" passes
 * "-e -x" as one argument). Freestanding.
 */
#ifndef LIB_SHEBANG_H
#define LIB_SHEBANG_H

#include <stddef.h>

/* Linux's BINPRM_BUF_SIZE: how much of the file is looked at. */
#define SHEBANG_BUF 256

/*
 * buf holds the file's first bytes, zero-filled up to SHEBANG_BUF. On
 * success (0) the interpreter and the argument are NUL-terminated in place:
 * *name points at the path, *arg at the argument or is NULL. -ENOEXEC when
 * buf does not start with "#!", names no interpreter, or the line does not
 * end within the buffer while the interpreter's name would be cut short.
 */
int shebang_parse(char buf[SHEBANG_BUF], char **name, char **arg);

#endif
