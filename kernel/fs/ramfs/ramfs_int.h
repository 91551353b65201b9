/* SPDX-License-Identifier: MIT */
/* ramfs internals shared by ramfs.c (inodes, directories) and file.c (data). */
#ifndef KERNEL_FS_RAMFS_RAMFS_INT_H
#define KERNEL_FS_RAMFS_RAMFS_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "kernel/fs/ramfs/ramfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/spinlock.h"
#include "lib/list.h"

/* Largest file: 2^20 pages = 4 GiB. Its pages are vfs.pcache's (memory only). */
#define RAMFS_MAX_PAGES (1u << 20)

struct ramfs_dirent {
	struct list_head node;	/* L: in the parent's children, in cookie order */
	struct inode *inode;	/* L: counted */
	uint32_t cookie;	/* I: getdents position, increasing within a dir */
	uint8_t namelen;	/* I */
	char name[];		/* I: NUL-terminated */
};

struct ramfs_inode {
	struct inode vfs;
	uint32_t acct_pages;	/* L: file pages counted in the sb's pages */
	union {
		struct {
			struct list_head children;	/* L: of ramfs_dirent */
			struct ramfs_inode *parent;	/* L: counted, self for the root */
			uint32_t next_cookie;		/* L */
		} dir;
		char *target;				/* I: symlink target */
	};
};

/* The one lock of the fs (see the legend in ramfs.c). */
extern struct spinlock ramfs_lock;

static inline struct ramfs_inode *RI(struct inode *ino)
{
	return container_of(ino, struct ramfs_inode, vfs);
}

static inline struct ramfs_sb *RSB(struct superblock *sb)
{
	return container_of(sb, struct ramfs_sb, vsb);
}

/* Bring the sb's page count up to date with ri's page cache (L held). */
void ramfs_account_locked(struct ramfs_inode *ri);

int ramfs_truncate(struct inode *ino, uint64_t size);
extern const struct file_ops ramfs_file_fops;

#endif
