// SPDX-License-Identifier: MIT
/*
 * The name cache: a chained hash table of dentries keyed by (directory inode, name), an
 * LRU list bounding it, per-bucket sequence numbers against racing fills. What it is for,
 * who keeps it right and the lock rules: dcache.h.
 *
 * Lock legend: L = dcache_lock (irqsave, a leaf lock).
 */
#include "kernel/fs/dcache.h"

#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"

#define DCACHE_BUCKETS 4096 /* a power of two */

struct dentry {
	struct dentry *hnext;		/* L: the bucket's chain */
	struct list_head lru;		/* L: on lru, most recent first */
	struct list_head sib;		/* L: on dir->d_children */
	struct inode *dir;		/* L: counted */
	struct inode *ino;		/* L: counted; NULL: a negative entry */
	uint32_t hash;			/* L */
	uint8_t len;			/* L */
	char name[];			/* L: len bytes, not NUL-terminated */
};

static struct spinlock dcache_lock = SPINLOCK_INIT("dcache");
static struct dentry *buckets[DCACHE_BUCKETS];	/* L */
static unsigned seqs[DCACHE_BUCKETS];		/* L: bumped by every update of the bucket */
static LIST_HEAD(lru);				/* L */
static unsigned nentries;			/* L */
static struct dcache_stats stats;		/* L */

/* The namespace locks (dcache.h), striped by superblock. */
#define NS_LOCKS 8
static struct spinlock ns_locks[NS_LOCKS] = {
	SPINLOCK_INIT("dcache_ns"), SPINLOCK_INIT("dcache_ns"), SPINLOCK_INIT("dcache_ns"),
	SPINLOCK_INIT("dcache_ns"), SPINLOCK_INIT("dcache_ns"), SPINLOCK_INIT("dcache_ns"),
	SPINLOCK_INIT("dcache_ns"), SPINLOCK_INIT("dcache_ns"),
};

static struct spinlock *ns_lock_of(const struct inode *dir)
{
	return &ns_locks[((uintptr_t)dir->sb >> 6) % NS_LOCKS];
}

irqflags_t dcache_ns_lock(const struct inode *dir)
{
	return spin_lock_irqsave(ns_lock_of(dir));
}

void dcache_ns_unlock(const struct inode *dir, irqflags_t fl)
{
	spin_unlock_irqrestore(ns_lock_of(dir), fl);
}

bool dcache_enabled(const struct inode *dir)
{
	return dir->sb && (dir->sb->fs_flags & SB_DCACHE);
}

/* FNV-1a over the name, mixed with the directory's address. */
static uint32_t dhash(const struct inode *dir, const char *name, size_t len)
{
	uint64_t d = (uint64_t)(uintptr_t)dir;
	uint32_t h = 2166136261u ^ (uint32_t)(d >> 4) ^ (uint32_t)(d >> 32);

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

static struct dentry *find_locked(struct inode *dir, const char *name, size_t len, uint32_t h,
				  struct dentry ***pprev)
{
	struct dentry **pp = &buckets[h & (DCACHE_BUCKETS - 1)];

	for (struct dentry *d = *pp; d; pp = &d->hnext, d = d->hnext) {
		if (d->hash == h && d->dir == dir && d->len == len && !memcmp(d->name, name, len)) {
			if (pprev)
				*pprev = pp;
			return d;
		}
	}
	return NULL;
}

/* Unlink d from everything; it goes onto the caller's list of dentries to free. */
static void unhash_locked(struct dentry *d, struct dentry ***pprev, struct dentry **dead)
{
	struct dentry **pp = pprev ? *pprev : NULL;

	if (!pp) {
		pp = &buckets[d->hash & (DCACHE_BUCKETS - 1)];
		while (*pp != d)
			pp = &(*pp)->hnext;
	}
	*pp = d->hnext;
	list_del(&d->lru);
	list_del(&d->sib);
	nentries--;
	d->hnext = *dead;
	*dead = d;
}

/* Free what unhash_locked collected (with the lock released: puts may evict). */
static void free_dead(struct dentry *dead)
{
	while (dead) {
		struct dentry *next = dead->hnext;

		inode_put(dead->ino);
		inode_put(dead->dir);
		kfree(dead);
		dead = next;
	}
}

int dcache_lookup(struct inode *dir, const char *name, size_t len, struct inode **out,
		  unsigned *seq)
{
	uint32_t h = dhash(dir, name, len);
	irqflags_t fl = spin_lock_irqsave(&dcache_lock);
	struct dentry *d = find_locked(dir, name, len, h, NULL);
	int r = 1;

	if (d) {
		list_del(&d->lru);
		list_add(&d->lru, &lru);
		if (d->ino) {
			*out = inode_get(d->ino);
			stats.hits++;
			r = 0;
		} else {
			stats.neg_hits++;
			r = -ENOENT;
		}
	} else {
		stats.misses++;
		*seq = seqs[h & (DCACHE_BUCKETS - 1)];
	}
	spin_unlock_irqrestore(&dcache_lock, fl);
	return r;
}

/*
 * Make (dir, name) -> ino the entry (ino NULL: a negative one; forget: no entry), reusing
 * an entry already there. check: a fill, done only if the bucket's sequence is still seq;
 * otherwise an update, which bumps it. Returns the inode the entry named before, counted,
 * or NULL.
 */
static struct inode *set_entry(struct inode *dir, const char *name, size_t len,
			       struct inode *ino, bool forget, bool check, unsigned seq)
{
	uint32_t h = dhash(dir, name, len);
	unsigned b = h & (DCACHE_BUCKETS - 1);
	struct dentry *nd = NULL, *dead = NULL, *d;
	struct inode *old = NULL;
	struct dentry **pp;
	irqflags_t fl;

	for (;;) {
		fl = spin_lock_irqsave(&dcache_lock);
		if (check && seqs[b] != seq) {
			stats.raced++;
			spin_unlock_irqrestore(&dcache_lock, fl);
			kfree(nd);
			return NULL;
		}
		d = find_locked(dir, name, len, h, &pp);
		if (d || nd || forget)
			break;
		spin_unlock_irqrestore(&dcache_lock, fl);
		nd = kmalloc(sizeof(*nd) + len);
		if (!nd) {
			if (check)
				return NULL;
			forget = true; /* no memory: the stale entry must still go */
		}
	}
	if (!check)
		seqs[b]++;
	if (d && forget) {
		old = d->ino;
		d->ino = NULL;
		unhash_locked(d, &pp, &dead);
	} else if (d) {
		old = d->ino;
		d->ino = ino ? inode_get(ino) : NULL;
		list_del(&d->lru);
		list_add(&d->lru, &lru);
	} else if (nd) {
		nd->dir = inode_get(dir);
		nd->ino = ino ? inode_get(ino) : NULL;
		nd->hash = h;
		nd->len = (uint8_t)len;
		memcpy(nd->name, name, len);
		nd->hnext = buckets[b];
		buckets[b] = nd;
		list_add(&nd->lru, &lru);
		list_add(&nd->sib, &dir->d_children);
		nentries++;
		stats.fills++;
		nd = NULL;
		while (nentries > DCACHE_MAX)
			unhash_locked(list_last_entry(&lru, struct dentry, lru), NULL, &dead);
	}
	spin_unlock_irqrestore(&dcache_lock, fl);
	kfree(nd);
	free_dead(dead);
	return old;
}

void dcache_fill(struct inode *dir, const char *name, size_t len, struct inode *ino,
		 unsigned seq)
{
	if (len <= NAME_MAX && dir->nlink) /* nothing under a removed dir: it would pin it */
		inode_put(set_entry(dir, name, len, ino, false, true, seq));
}

struct inode *dcache_update(struct inode *dir, const char *name, size_t len, struct inode *ino)
{
	return len <= NAME_MAX ? set_entry(dir, name, len, ino, false, false, 0) : NULL;
}

struct inode *dcache_forget(struct inode *dir, const char *name, size_t len)
{
	return len <= NAME_MAX ? set_entry(dir, name, len, NULL, true, false, 0) : NULL;
}

void dcache_forget_dir(struct inode *dir)
{
	struct dentry *dead = NULL;
	irqflags_t fl = spin_lock_irqsave(&dcache_lock);

	while (!list_empty(&dir->d_children)) {
		struct dentry *d = list_first_entry(&dir->d_children, struct dentry, sib);

		seqs[d->hash & (DCACHE_BUCKETS - 1)]++;
		unhash_locked(d, NULL, &dead);
	}
	spin_unlock_irqrestore(&dcache_lock, fl);
	free_dead(dead);
}

/* Drop the entries of sb (NULL: all); how many went. */
static unsigned drop_where(struct superblock *sb)
{
	struct dentry *dead = NULL, *d, *t;
	unsigned n = 0;
	irqflags_t fl = spin_lock_irqsave(&dcache_lock);

	list_for_each_entry_safe(d, t, &lru, lru)
	{
		if (sb && d->dir->sb != sb)
			continue;
		seqs[d->hash & (DCACHE_BUCKETS - 1)]++;
		unhash_locked(d, NULL, &dead);
		n++;
	}
	spin_unlock_irqrestore(&dcache_lock, fl);
	free_dead(dead);
	return n;
}

void dcache_drop_sb(struct superblock *sb)
{
	drop_where(sb);
}

unsigned dcache_drop_all(void)
{
	return drop_where(NULL);
}

void dcache_get_stats(struct dcache_stats *st)
{
	irqflags_t fl = spin_lock_irqsave(&dcache_lock);

	*st = stats;
	st->entries = nentries;
	spin_unlock_irqrestore(&dcache_lock, fl);
}
