/* SPDX-License-Identifier: MIT */
/*
 * genfs: the machinery of file systems whose files are generated from
 * kernel objects (procfs, sysfs). A file system is a const table of nodes;
 * a node is a directory, a generated file or a symlink, and a node with
 * `dyn` set stands for many entries named by an id (a pid, an fd, a
 * device). Inodes are made per lookup and freed at their last reference:
 * nothing is kept in sync by hand (DESIGN.md 9).
 *
 * A generated file's text is built by its `show` into a seqbuf when a
 * read starts at offset 0 (and at the first read), and later reads go on
 * from that snapshot, so every read from the start sees one consistent
 * snapshot, made under the objects' own locks.
 */
#ifndef KERNEL_FS_PROC_GENFS_H
#define KERNEL_FS_PROC_GENFS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/vfs.h"

/* The ids a path binds on its way down: /proc/<pid>/task/<tid>/fd/<id>. */
struct gen_ctx {
	int pid;	/* 0: none */
	int tid;	/* 0: not under task/ */
	int id;		/* an fd or a device index; -1: none */
};

/* Growable text buffer: a show function appends to it. */
struct seqbuf {
	char *buf;
	size_t len, cap;
	bool overflow;	/* an allocation failed: the text is cut short */
};

#define SEQ_MAX (4u << 20)

void seq_write(struct seqbuf *s, const void *p, size_t n);
__attribute__((format(printf, 2, 3))) void seq_printf(struct seqbuf *s, const char *fmt, ...);
void seq_putc(struct seqbuf *s, char c);
void seq_free(struct seqbuf *s);

enum gen_dyn {
	GEN_STATIC = 0,
	GEN_DYN_PID,	/* binds ctx.pid */
	GEN_DYN_TID,	/* binds ctx.tid */
	GEN_DYN_ID,	/* binds ctx.id */
};

#define GEN_PID_ONLY 0x1	/* not listed under task/<tid>/ (task itself) */

struct gen_node {
	const char *name;	/* static entries; NULL when dyn */
	int16_t parent;		/* node index of the directory; the root is 0 */
	int16_t alias;		/* a directory listing another's children, or 0 */
	uint16_t mode;		/* S_IFDIR | 0555, S_IFREG | 0444, S_IFLNK | 0777 */
	uint8_t dyn;		/* enum gen_dyn */
	uint8_t flags;
	/* Regular files: append the text. 0, or -errno (read fails with it). */
	int (*show)(struct seqbuf *s, const struct gen_ctx *c);
	/* Writable files: the bytes written (at most a page). 0 or -errno. */
	int (*store)(const struct gen_ctx *c, const char *buf, size_t n);
	/* Symlinks: the target into buf; its length or -errno. */
	long (*link)(const struct gen_ctx *c, char *buf, size_t n);
	/* Dynamic entries: the next id above after (-1 starts), or -1. */
	int (*next)(const struct gen_ctx *c, int after);
	/* Dynamic entries that can be looked up without being listed (a
	 * thread's /proc/<tid>), or NULL: those next lists. */
	bool (*exists)(const struct gen_ctx *c, int id);
	/* The permission bits of this entry when they depend on it (an fd
	 * link: its access mode), or NULL: mode's. */
	uint16_t (*perm_of)(const struct gen_ctx *c);
	/* Dynamic entries named otherwise than in decimal (devices). */
	int (*name_of)(int id, char *buf, size_t n);
};

struct gen_fs {
	const struct gen_node *nodes;
	unsigned nr_nodes;
	struct superblock *sb;
	/* The owner of the entries under a pid (c->pid != 0), or NULL: root. */
	void (*owner)(const struct gen_ctx *c, uint32_t *uid, uint32_t *gid);
};

/* The root inode of a mount of fs (counted), or NULL on ENOMEM. */
struct inode *genfs_root(const struct gen_fs *fs);
/* super_ops.unmount of a genfs mount: -EBUSY while any inode under it is
 * held (each holds the mount's root), else the root goes. */
int genfs_unmount(struct superblock *sb, struct inode *root);

/* Boot: mount a file system of type t on the directory path, if it exists. */
int genfs_mount_at(const struct fs_type *t, const char *path);

#endif
