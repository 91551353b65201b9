/* SPDX-License-Identifier: MIT */
/*
 * The name cache (dentries): (directory, name) -> the inode it names, or "no such name"
 * (a negative entry), so that a path walk that hits it does not enter the file system,
 * and a create after a miss does not look twice. Only file systems whose names change
 * through the VFS alone take part (struct superblock's SB_DCACHE: ext2); procfs and the
 * other generated trees never do.
 *
 * Who keeps it right: path.c, the only caller of the namespace ops of such file systems,
 * fills it from ->lookup results and updates it after each create, link, symlink, mknod,
 * unlink, rmdir and rename that succeeded. Each such op and its update run under the
 * namespace lock of the file system (dcache_ns_lock), so updates land in the order the
 * ops took effect (a later unlink's "gone" is never overwritten by an earlier create's
 * "here"); ext2 serialises its ops on fs->lock anyway, taken inside it. A fill that
 * raced with an update of the same bucket is dropped (per-bucket sequence numbers), so
 * a lookup's stale answer is never inserted.
 *
 * An entry holds a reference on its directory and on its inode: cached inodes stay in
 * memory, as Linux's dentries keep theirs. It is bounded (DCACHE_MAX entries, least
 * recently used out first), dropped per superblock before an unmount and as a whole by
 * /proc/sys/vm/drop_caches (2 or 3), so the memory comes back.
 *
 * Locking: the namespace locks (irqsave, striped by superblock) are taken before the file
 * system's own (ext2's fs->lock) and never inside it. One more spinlock (irqsave) over the table, the LRU list, the sequence numbers and
 * every inode's d_children list; it is a leaf lock: nothing is called under it but
 * inode_get, kfree and list operations. inode_put of dropped entries runs after it is
 * released. Callable from any hart in syscall context, never from interrupt handlers.
 */
#ifndef KERNEL_FS_DCACHE_H
#define KERNEL_FS_DCACHE_H

#include <stdbool.h>

#include "kernel/spinlock.h"
#include <stddef.h>
#include <stdint.h>

struct inode;
struct superblock;

#define DCACHE_MAX 8192

/* Around a namespace op on dir and the dcache update after it (dir's fs takes part). */
irqflags_t dcache_ns_lock(const struct inode *dir);
void dcache_ns_unlock(const struct inode *dir, irqflags_t fl);
/* Does dir's file system take part? */
bool dcache_enabled(const struct inode *dir);
/*
 * Look name up: 0 with *out counted (hit), -ENOENT (a negative hit), or 1 (miss; *seq is
 * what to hand dcache_fill with the file system's answer).
 */
int dcache_lookup(struct inode *dir, const char *name, size_t len, struct inode **out,
		  unsigned *seq);
/* Insert the file system's answer to a lookup that missed (ino NULL: no such name),
 * unless the bucket changed since seq. */
void dcache_fill(struct inode *dir, const char *name, size_t len, struct inode *ino,
		 unsigned seq);
/*
 * name in dir changed and now names ino (NULL: nothing). Returns the inode the entry
 * named before when it was cached positive (counted: the caller puts it), else NULL.
 */
struct inode *dcache_update(struct inode *dir, const char *name, size_t len, struct inode *ino);
/* The same, but nothing is known of name now: no entry. */
struct inode *dcache_forget(struct inode *dir, const char *name, size_t len);
/* Drop every entry under dir (it was removed). */
void dcache_forget_dir(struct inode *dir);
/* Drop every entry of sb (before unmounting it). */
void dcache_drop_sb(struct superblock *sb);
/* Drop everything; returns how many entries went. */
unsigned dcache_drop_all(void);

struct dcache_stats {
	uint64_t hits, neg_hits, misses, fills, raced;
	unsigned entries;
};
void dcache_get_stats(struct dcache_stats *st);

#endif
