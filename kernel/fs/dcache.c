// SPDX-License-Identifier: MIT
/*
 * The name cache (dcache.h): a hash table of entries keyed by (directory,
 * name), each directory's list of its entries, and a clock over all of them
 * for eviction.
 *
 * Lock legend: dcache_lock (irqsave) guards the table, every list here, the
 * L fields of struct dentry, inode.d_children of every inode and the
 * counters. ns_lock (irqsave) is the namespace lock of dcache.h; nothing
 * here takes it.
 */
#include "kernel/fs/dcache.h"

#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"

struct dentry {
	struct dentry *hnext;		/* L: the bucket's chain */
	struct list_head lru;		/* L: on dcache_lru, oldest first */
	struct list_head sib;		/* L: on dir->d_children */
	struct inode *dir;		/* L: counted */
	struct inode *inode;		/* L: counted; NULL: the name is absent */
	uint32_t hash;			/* I: qname hash of the name */
	uint8_t len;			/* I */
	bool referenced;		/* L: hit since the clock hand last passed */
	char name[];			/* I: len bytes, no NUL */
};

/*
 * The bound: about 1/16 of memory, counting an entry as 256 bytes (a
 * 96-byte entry plus the inode it keeps in memory, when positive). Under
 * memory pressure (free pages below 1/16 of memory) the cache stops
 * growing: each new entry evicts old ones.
 */
#define DCACHE_ENTRY_COST 256
#define DCACHE_MIN_MAX 512u
#define DCACHE_MAX_MAX (1u << 20)
#define DCACHE_EVICT_BATCH 8

static struct spinlock dcache_lock = SPINLOCK_INIT("dcache");
static struct spinlock ns_lock = SPINLOCK_INIT("namespace");
static struct dentry **table;		/* L: NULL until the first add */
static unsigned table_shift;		/* L: buckets = 1 << (32 - table_shift) */
static struct list_head lru = LIST_HEAD_INIT(lru); /* L */
static unsigned max_entries;		/* L: 0 until sized */
static unsigned max_default;		/* L */
static struct dcache_stats stats;	/* L */

irqflags_t dcache_ns_lock(void)
{
	return spin_lock_irqsave(&ns_lock);
}

void dcache_ns_unlock(irqflags_t fl)
{
	spin_unlock_irqrestore(&ns_lock, fl);
}

static inline unsigned bucket(const struct inode *dir, uint32_t hash)
{
	/* Fibonacci hashing of the name's hash mixed with the directory. */
	uint64_t k = ((uint64_t)(uintptr_t)dir >> 4) ^ hash;

	return (unsigned)((k * 0x9E3779B97F4A7C15ull) >> 32 >> table_shift);
}

static bool same(const struct dentry *d, const struct inode *dir, const struct qname *q)
{
	return d->hash == q->hash && d->dir == dir && d->len == q->len &&
	       !memcmp(d->name, q->name, q->len);
}

/* The entry for q under dir, or NULL; *link is where it hangs. */
static struct dentry *find_locked(const struct inode *dir, const struct qname *q,
				  struct dentry ***link)
{
	struct dentry **l = &table[bucket(dir, q->hash)];

	for (struct dentry *d = *l; d; l = &d->hnext, d = *l) {
		if (same(d, dir, q)) {
			if (link)
				*link = l;
			return d;
		}
	}
	return NULL;
}

int dcache_lookup(struct inode *dir, const struct qname *q, struct inode **out)
{
	irqflags_t fl = spin_lock_irqsave(&dcache_lock);
	struct dentry *d = table ? find_locked(dir, q, NULL) : NULL;
	int r = 1;

	if (!d) {
		stats.misses++;
	} else if (d->inode) {
		d->referenced = true;
		*out = inode_get(d->inode);
		stats.hits++;
		r = 0;
	} else {
		d->referenced = true;
		stats.neg_hits++;
		r = -ENOENT;
	}
	spin_unlock_irqrestore(&dcache_lock, fl);
	return r;
}

/* ---- removal: entries are unhooked under the lock, freed after it --------- */

/* Unhook d from the table and lists and chain it on *dead; the caller frees
 * the chain after dropping the lock (free_dead). */
static void unhook_locked(struct dentry *d, struct dentry **link, struct dentry **dead)
{
	if (!link) {
		link = &table[bucket(d->dir, d->hash)];
		while (*link != d)
			link = &(*link)->hnext;
	}
	*link = d->hnext;
	list_del(&d->lru);
	list_del(&d->sib);
	stats.entries--;
	if (!d->inode)
		stats.negative--;
	d->hnext = *dead;
	*dead = d;
}

static void free_dead(struct dentry *dead)
{
	while (dead) {
		struct dentry *d = dead;

		dead = d->hnext;
		inode_put(d->inode);
		inode_put(d->dir);
		kfree(d);
	}
}

/* The clock: evict up to n entries not hit since the hand last passed. */
static void evict_locked(unsigned n, struct dentry **dead)
{
	for (unsigned steps = 0; n && steps < 2 * DCACHE_EVICT_BATCH + stats.entries / 8 &&
				 !list_empty(&lru);
	     steps++) {
		struct dentry *d = list_first_entry(&lru, struct dentry, lru);

		if (d->referenced) {
			d->referenced = false;
			list_move_tail(&d->lru, &lru);
			continue;
		}
		unhook_locked(d, NULL, dead);
		stats.evictions++;
		n--;
	}
}

/* ---- adding ------------------------------------------------------------------ */

static bool size_locked(void)
{
	size_t pages = page_total_count();
	size_t want = pages * PAGE_SIZE / 16 / DCACHE_ENTRY_COST;
	unsigned buckets = 1, shift = 32;

	if (want < DCACHE_MIN_MAX)
		want = DCACHE_MIN_MAX;
	if (want > DCACHE_MAX_MAX)
		want = DCACHE_MAX_MAX;
	/* About two entries per bucket at the bound. */
	while (buckets < want / 2) {
		buckets <<= 1;
		shift--;
	}
	table = kzalloc(buckets * sizeof(*table));
	if (!table)
		return false;
	table_shift = shift;
	max_default = (unsigned)want;
	if (!max_entries)
		max_entries = max_default;
	stats.max = max_entries;
	return true;
}

static bool under_pressure(void)
{
	return page_free_count() < page_total_count() / 16;
}

void dcache_add(struct inode *dir, const struct qname *q, struct inode *ino)
{
	struct dentry *d, **link, *dead = NULL, *fresh = NULL;
	irqflags_t fl;

	if (!dir->nlink || (dir->sb && dir->sb->dcache_off) || q->len > NAME_MAX)
		return; /* removed: nothing may be cached under it */
	for (;;) {
		fl = spin_lock_irqsave(&dcache_lock);
		if (!table && !size_locked()) {
			spin_unlock_irqrestore(&dcache_lock, fl);
			kfree(fresh);
			return;
		}
		d = find_locked(dir, q, &link);
		if (d || fresh)
			break;
		/* Allocate outside the lock, then look again. */
		spin_unlock_irqrestore(&dcache_lock, fl);
		fresh = kmalloc(sizeof(*fresh) + q->len);
		if (!fresh)
			return;
	}
	if (d) {
		/* Replace the answer; the entry keeps its place. */
		struct inode *old = d->inode;

		if (!old != !ino)
			stats.negative += ino ? -1u : 1u;
		d->inode = inode_get(ino);
		d->referenced = true;
		spin_unlock_irqrestore(&dcache_lock, fl);
		kfree(fresh);
		inode_put(old);
		return;
	}
	if (stats.entries >= max_entries)
		evict_locked(stats.entries - max_entries + DCACHE_EVICT_BATCH, &dead);
	else if (stats.entries > DCACHE_MIN_MAX && under_pressure())
		evict_locked(2, &dead);
	d = fresh;
	d->dir = inode_get(dir);
	d->inode = inode_get(ino);
	d->hash = q->hash;
	d->len = (uint8_t)q->len;
	d->referenced = false;
	memcpy(d->name, q->name, q->len);
	link = &table[bucket(dir, q->hash)];
	d->hnext = *link;
	*link = d;
	list_add_tail(&d->lru, &lru);
	if (!dir->d_children.next)
		list_init(&dir->d_children);
	list_add_tail(&d->sib, &dir->d_children);
	stats.entries++;
	if (!ino)
		stats.negative++;
	spin_unlock_irqrestore(&dcache_lock, fl);
	free_dead(dead);
}

/* ---- forgetting ---------------------------------------------------------------- */

void dcache_forget(struct inode *dir, const struct qname *q)
{
	struct dentry *d, **link, *dead = NULL;
	irqflags_t fl = spin_lock_irqsave(&dcache_lock);

	if (table && (d = find_locked(dir, q, &link)))
		unhook_locked(d, link, &dead);
	spin_unlock_irqrestore(&dcache_lock, fl);
	free_dead(dead);
}

void dcache_forget_children(struct inode *dir)
{
	struct dentry *dead = NULL;
	irqflags_t fl = spin_lock_irqsave(&dcache_lock);

	if (dir->d_children.next) {
		while (!list_empty(&dir->d_children))
			unhook_locked(list_first_entry(&dir->d_children, struct dentry, sib), NULL,
				      &dead);
	}
	spin_unlock_irqrestore(&dcache_lock, fl);
	free_dead(dead);
}

/* Drop every entry whose directory is in sb (NULL: every entry). Freeing
 * may cascade (a dropped inode was itself a key), hence the rounds. */
static void forget_where(struct superblock *sb, bool all)
{
	for (;;) {
		struct dentry *d, *n, *dead = NULL;
		irqflags_t fl = spin_lock_irqsave(&dcache_lock);

		list_for_each_entry_safe(d, n, &lru, lru)
			if (all || d->dir->sb == sb)
				unhook_locked(d, NULL, &dead);
		spin_unlock_irqrestore(&dcache_lock, fl);
		if (!dead)
			return;
		free_dead(dead);
	}
}

void dcache_forget_sb(struct superblock *sb)
{
	forget_where(sb, false);
}

void dcache_forget_all(void)
{
	forget_where(NULL, true);
}

size_t dcache_name_of(struct inode *dir, struct inode *child, char *buf)
{
	struct dentry *d;
	size_t len = 0;
	irqflags_t fl = spin_lock_irqsave(&dcache_lock);

	if (dir->d_children.next) {
		list_for_each_entry(d, &dir->d_children, sib) {
			if (d->inode == child && !(d->len <= 2 && d->name[0] == '.' &&
						   (d->len == 1 || d->name[1] == '.'))) {
				memcpy(buf, d->name, d->len);
				buf[d->len] = '\0';
				len = d->len;
				break;
			}
		}
	}
	spin_unlock_irqrestore(&dcache_lock, fl);
	return len;
}

/* ---- statistics and tests -------------------------------------------------------- */

void dcache_get_stats(struct dcache_stats *st)
{
	irqflags_t fl = spin_lock_irqsave(&dcache_lock);

	*st = stats;
	st->max = max_entries ? max_entries : max_default;
	spin_unlock_irqrestore(&dcache_lock, fl);
}

unsigned dcache_set_max(unsigned max)
{
	struct dentry *dead = NULL;
	irqflags_t fl = spin_lock_irqsave(&dcache_lock);
	unsigned old = max_entries;

	if (!table)
		size_locked();
	max_entries = max ? max : max_default;
	stats.max = max_entries;
	while (stats.entries > max_entries) {
		unsigned before = stats.entries;

		evict_locked(stats.entries - max_entries, &dead);
		if (stats.entries == before)
			break;
	}
	spin_unlock_irqrestore(&dcache_lock, fl);
	free_dead(dead);
	return old;
}
