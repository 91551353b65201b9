/* SPDX-License-Identifier: MIT */
/*
 * Shared by the path walk (path.c) and the namespace ops on it (namei.c); nothing else
 * includes this.
 */
#ifndef KERNEL_FS_PATH_INT_H
#define KERNEL_FS_PATH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/spinlock.h"

struct inode;
struct proc;

/* The creation mask: the process's, or Linux's default (022) for kernel callers. */
uint32_t path_umask(struct proc *p);
/* "", "." or "..": never a name an op may add or remove. */
bool path_is_dot_or_empty(const char *name);
/* dir's ->lookup through the name cache, without crossing mounts. */
int path_lookup_raw(struct inode *dir, const char *name, size_t len, struct inode **out);

/*
 * Namespace ops on a dir whose fs takes part in the name cache run under its namespace
 * lock, with the cache update after a success (dcache.h): path_ns_begin, the op,
 * path_ns_end.
 */
struct path_ns {
	struct inode *dir;
	bool on;
	irqflags_t fl;
};
void path_ns_begin(struct path_ns *n, struct inode *dir);
/* err == 0: name in n->dir names ino now (NULL: nothing); always unlocks. */
void path_ns_end(struct path_ns *n, int err, const char *name, struct inode *ino);

#endif
