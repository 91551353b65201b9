/* SPDX-License-Identifier: MIT */
/*
 * The name cache (dentries): (directory inode, name) -> the inode it names,
 * or "absent" (a negative entry), so that a path walk over cached names
 * never calls the file system, let alone reads the disk.
 *
 * What an entry holds: a counted reference to its directory (the key stays
 * valid while the entry lives) and, when positive, one to the inode it
 * names. Entries themselves are never handed out: a lookup copies the answer
 * (a counted inode) under the cache's lock, so any entry can be evicted at
 * any time. The cache is bounded (DCACHE_MAX_* below, from the memory size)
 * and evicts the least recently used entries first (a clock: a hit only sets
 * a bit; the hand gives a set entry a second chance). Removing entries drops
 * their inode references, which is what frees an ext2 inode's memory.
 *
 * Coherence. The file system is the truth; the cache is only ever changed
 * together with it, under the namespace lock (dcache_ns_lock): every op that
 * adds, removes or moves a name (create, mknod, mkdir, symlink, link,
 * unlink, rmdir, rename) and every fill after a miss runs "file system op,
 * then cache update" under that lock, so no fill can put back an answer an
 * op has just made stale. Lookups of cached names take only the cache's own
 * lock. Mount points are crossed after the lookup (the cache holds the
 * covered directory), so mounting changes nothing here; unmounting drops
 * every entry of the file system first (dcache_forget_sb), or its inodes
 * would stay referenced. A directory that was removed caches nothing under
 * it, and rmdir and rename over a directory drop what was cached under it,
 * so its inode is freed at once. File systems whose names change behind the
 * VFS (generated directories: /proc) set superblock.dcache_off.
 *
 * Lock order: dcache_ns_lock -> the file system's locks; dcache_ns_lock ->
 * dcache_lock. Inode references are dropped after dcache_lock is released
 * (an evict takes the file system's lock), never under it.
 */
#ifndef KERNEL_FS_DCACHE_H
#define KERNEL_FS_DCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/arch.h"

struct inode;
struct superblock;

/* A name being looked up: its bytes (not NUL-terminated) and their hash. */
struct qname {
	const char *name;
	size_t len;
	uint32_t hash;
};

static inline struct qname qname_of(const char *name, size_t len)
{
	/* FNV-1a: a few instructions per byte, and short names spread well. */
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return (struct qname){ .name = name, .len = len, .hash = h };
}

/* The cached answer for q under dir: 0 and *out (counted) for a positive
 * entry, -ENOENT for a negative one, 1 when nothing is cached. */
int dcache_lookup(struct inode *dir, const struct qname *q, struct inode **out);

/* The namespace lock (see the top). */
irqflags_t dcache_ns_lock(void);
void dcache_ns_unlock(irqflags_t fl);

/*
 * Record what the file system just said: q names ino under dir (ino NULL:
 * q is absent). Replaces an entry already there. Caller holds the
 * namespace lock. Does nothing when dir was removed, its file system opted
 * out, or memory is short (the cache is only a cache).
 */
void dcache_add(struct inode *dir, const struct qname *q, struct inode *ino);
/* Drop the entry for q under dir, if any. Namespace lock held. */
void dcache_forget(struct inode *dir, const struct qname *q);
/* Drop every entry under dir (rmdir, a directory replaced by rename). */
void dcache_forget_children(struct inode *dir);
/* Drop every entry of the file system sb (unmount). */
void dcache_forget_sb(struct superblock *sb);
/* Drop every entry (tests; dropping caches). */
void dcache_forget_all(void);

/*
 * The name of child in dir, from a positive entry (getcwd): its length
 * with the name copied into buf (NAME_MAX + 1 bytes), or 0 if no entry
 * names child there.
 */
size_t dcache_name_of(struct inode *dir, struct inode *child, char *buf);

struct dcache_stats {
	uint64_t hits;		/* lookups answered with an inode */
	uint64_t neg_hits;	/* lookups answered "absent" */
	uint64_t misses;	/* lookups that had to ask the file system */
	uint64_t evictions;	/* entries dropped to stay within the bound */
	unsigned entries;	/* now */
	unsigned negative;	/* of which negative */
	unsigned max;		/* the bound */
};
void dcache_get_stats(struct dcache_stats *st);
/* Lower (or restore: 0) the bound, for tests of eviction; returns the old. */
unsigned dcache_set_max(unsigned max);

#endif
