/* SPDX-License-Identifier: MIT */
/* Helpers shared by the file-system syscall files (sys_fs.c, sys_fs2.c). */
#ifndef KERNEL_FS_SYS_FS_UTIL_H
#define KERNEL_FS_SYS_FS_UTIL_H

#include <stdint.h>

struct sys_ctx;

/* Copy a user path into a kmalloc'd PATH_MAX buffer (*out, freed by the
 * caller); returns its length, or -EFAULT / -ENAMETOOLONG / -ENOMEM. */
long fs_get_user_path(struct sys_ctx *sc, uintptr_t upath, char **out);

#endif
