/* SPDX-License-Identifier: MIT */
/*
 * vfat internals shared by the files of kernel/fs/vfat: the mounted fs, the
 * in-memory inodes, the FAT kept in memory, block access and gathering.
 *
 * How it fits the restart contract (kernel/fs/vfs.h):
 *  - The whole FAT is read at mount and kept in memory (fs->fat), so
 *    walking and changing cluster chains never waits. Changed parts are
 *    marked (fat_dirty, one bit per 1 KiB) and copied into every FAT on the
 *    disk by super_ops.flush (sync, umount), with the FAT32 FSInfo counts.
 *  - Directory entries and file data are read through the buffer cache in
 *    1 KiB blocks (any FAT sector size of 512..4096 maps onto them). An op
 *    gathers every block it will change first (struct vgather, references
 *    held), returning -EIOWAIT with nothing changed on a miss, then mutates.
 *  - Each in-memory inode holds a reference on the block of its short
 *    directory entry (dbuf), so its size, first cluster and times can be
 *    written back at any time without I/O.
 *
 * Identity: FAT has no inode numbers. An in-memory inode is named by the
 * device byte offset of its short entry (dpos; the root has none) and
 * numbered dpos / 32 when made; fs->inodes finds it again, so every open of
 * one file shares one inode. Each directory inode holds a reference on its
 * parent (the root on itself): ".." and rename's loop check need no I/O.
 *
 * Lock legend: fs->lock (irqsave) is held for the whole of every op,
 * gathering included; it guards every L field here, the F fields of this
 * fs's VFS inodes and the cached blocks of the volume. Order: fs->lock ->
 * bcache's locks -> as->lock (user copies run under it, as ext2's do).
 * inode_put is never called with fs->lock held.
 */
#ifndef KERNEL_FS_VFAT_VFAT_INT_H
#define KERNEL_FS_VFAT_VFAT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/fs/vfs.h"
#include "kernel/spinlock.h"
#include "lib/fat.h"
#include "lib/list.h"

struct bcache_buf;

#define VFAT_BSIZE 1024
#define VFAT_MAX_FAT (4u << 20)		/* in-memory FAT limit (bytes of one copy) */
#define VFAT_MAX_DIR_ENTRIES 65536	/* as the FAT specification */
#define MSDOS_SUPER_MAGIC 0x4d44

struct vfat_fs {
	struct superblock vsb;		/* I */
	struct spinlock lock;
	struct blkdev *dev;		/* I */
	struct fat_geom g;		/* I */
	bool ro;			/* I: MS_RDONLY */
	uint8_t *fat;			/* L: FAT #1 as it should be on disk */
	uint8_t *fat_dirty;		/* L: a bit per VFAT_BSIZE bytes of fat */
	uint32_t nfatchunks;		/* I */
	uint32_t free_count;		/* L */
	uint32_t next_free;		/* L: where the next allocation looks first */
	bool fsinfo_ok;			/* I: FAT32 FSInfo has valid signatures */
	bool fsinfo_dirty;		/* L */
	struct list_head inodes;	/* L: of struct vfat_inode */
	unsigned live;			/* L: in-memory inodes (the root included) */
	unsigned seed;			/* L: varies the hex short-name tails */
};

struct vfat_inode {
	struct inode vfs;
	struct list_head node;		/* L: on fs->inodes while it has a name */
	uint64_t dpos;			/* L: device offset of its short entry; 0: root/none */
	struct bcache_buf *dbuf;	/* L: held: the block of dpos, NULL if none */
	struct vfat_inode *parent;	/* L: counted (directories; the root: itself) */
	uint32_t start;			/* L: first cluster, 0: none */
	uint8_t attr;			/* L */
	uint32_t hint_idx, hint_clus;	/* L: the last chain position looked up */
};

static inline struct vfat_fs *VFS_OF(struct superblock *sb)
{
	return container_of(sb, struct vfat_fs, vsb);
}
static inline struct vfat_inode *VI(struct inode *ino)
{
	return container_of(ino, struct vfat_inode, vfs);
}
static inline struct vfat_fs *VFSI(struct inode *ino)
{
	return VFS_OF(ino->sb);
}
static inline uint64_t vfat_clus_off(const struct vfat_fs *fs, uint32_t c)
{
	return fs->g.data_off + (uint64_t)(c - 2) * fs->g.csize;
}
static inline bool vfat_is_fixed_root(const struct vfat_fs *fs, const struct vfat_inode *vi)
{
	return fs->g.type != 32 && vi->parent == vi;
}

/* ---- blocks (super.c) ---------------------------------------------------- */

/* Up to this many blocks gathered by one op. */
#define VG_MAX 160
struct vgather {
	unsigned n;
	uint64_t blk[VG_MAX];
	struct bcache_buf *b[VG_MAX];
};
static inline void vg_init(struct vgather *vg)
{
	vg->n = 0;
}
/* The bytes at device offset off (within one block), gathered (read if
 * need be): 0 and *p, or -EIOWAIT / -EIO / -ENOMEM (nothing changed). */
int vg_get(struct vfat_fs *fs, struct vgather *vg, uint64_t off, uint8_t **p);
/* The same for a block about to be overwritten whole (no read, zeroed). */
int vg_get_new(struct vfat_fs *fs, struct vgather *vg, uint64_t off, uint8_t **p);
/* The buffer holding off (gathered before), for a held reference. */
struct bcache_buf *vg_buf(struct vgather *vg, uint64_t off);
void vg_dirty(struct vgather *vg, uint64_t off);
void vg_put(struct vgather *vg);
/* A call that made progress returns it and not -EIOWAIT: the wait its last
 * miss parked must go (it holds a buffer reference). */
void vfat_discard_io_wait(void);

/* ---- the FAT (fat.c) ----------------------------------------------------- */

/* Cluster idx of the chain from start: 0 and *out; 1 when the chain ends
 * before it (*out = the last cluster, 0 for an empty chain; hint, if it is
 * the chain's, then names the last cluster and its index); -EIO for a bad
 * number or a loop. hint (may be NULL) speeds up walks of one file. */
int vfat_chain_nth(struct vfat_fs *fs, struct vfat_inode *hint, uint32_t start, uint32_t idx,
		   uint32_t *out);
/* Clusters in the chain from start, or -EIO. */
long vfat_chain_len(struct vfat_fs *fs, uint32_t start);
/* Find n free clusters (not taken yet): 0, or -ENOSPC. */
int vfat_find_free(struct vfat_fs *fs, unsigned n, uint32_t *out);
/* Make c the chain's end after prev (0: c starts a chain). */
void vfat_link(struct vfat_fs *fs, uint32_t prev, uint32_t c);
/* Free the chain from start (its first cluster too); 0 or -EIO (freed what it could). */
int vfat_free_chain(struct vfat_fs *fs, uint32_t start);
/* End the chain at c (what followed is freed). */
int vfat_cut_after(struct vfat_fs *fs, uint32_t c);

/* ---- inodes (inode.c) ---------------------------------------------------- */

extern const struct inode_ops vfat_iops;
extern const struct file_ops vfat_file_fops, vfat_dir_fops;
int64_t vfat_now_ns(void);
/* The in-memory inode of the short entry de at device offset off (its block
 * b, gathered), made if need be; counted. parent: the directory it is in.
 * A directory's subdirectories are counted for its nlink (I/O: -EIOWAIT)
 * unless fresh (just made: none). */
int vfat_iget(struct vfat_fs *fs, uint64_t off, const uint8_t *de, struct bcache_buf *b,
	      struct vfat_inode *parent, bool fresh, struct inode **out);
/* Subdirectories of dir (its entries with ATTR_DIR, not . and ..): Linux's
 * directory link count is 2 + this. 0, -EIOWAIT, -EIO. */
int vfat_count_subdirs(struct vfat_fs *fs, struct vfat_inode *dir, uint32_t *n);
struct vfat_inode *vfat_find_inode(struct vfat_fs *fs, uint64_t off);
/* Copy size, first cluster, attributes and times into its entry (no I/O). */
void vfat_write_inode(struct vfat_fs *fs, struct vfat_inode *vi);
/* Fill a fresh short entry's times with now. */
void vfat_stamp(uint8_t *de, int64_t now_ns, bool create);
/* The root's in-memory inode (mount). */
struct vfat_inode *vfat_make_root(struct vfat_fs *fs);
void vfat_evict(struct inode *ino);
int vfat_truncate(struct inode *ino, uint64_t size);
int vfat_setattr(struct inode *ino, const struct iattr *ia);

/* ---- directories (dir.c) ------------------------------------------------- */

/* One name found by a directory scan. */
struct vdent {
	uint32_t first, idx;	/* entry indexes: the name's first (a long-name entry) and short */
	uint64_t off;		/* device offset of the short entry */
	const uint8_t *de;	/* the short entry (valid during the callback) */
	struct bcache_buf *buf;	/* its block */
	const uint16_t *name;	/* the name shown: the long one, or the 8.3 one */
	unsigned len;
	const uint16_t *sname;	/* the 8.3 name as shown */
	unsigned slen;
};

struct vscan {
	/* A name: return true to stop. */
	bool (*fn)(struct vscan *s, const struct vdent *d);
	uint32_t from;		/* first entry index to look at */
	/* Free-slot runs wanted: the first run of want[i] free entries. */
	unsigned want[2];
	uint32_t run_at[2];	/* out: where it starts, or UINT32_MAX */
	uint32_t nent;		/* out: entries the directory holds (its clusters') */
	uint32_t tail_free;	/* out: free entries at its end */
	uint32_t stop_idx;	/* out: the entry after the last one looked at */
};

/* Walk dir's entries from s->from: names (not "." and "..", not volume
 * labels) to s->fn, free runs recorded. 0, 1 when fn stopped it, -EIOWAIT
 * (nothing changed), -EIO for a bad chain. */
int vfat_scan(struct vfat_fs *fs, struct vfat_inode *dir, struct vscan *s);
/* Device offset of entry idx of dir, or -EIO / -ENOSPC (past the end). */
int vfat_dent_off(struct vfat_fs *fs, struct vfat_inode *dir, uint32_t idx, uint64_t *off);
/* Is the directory empty (only "." and "..")? 0 yes, -ENOTEMPTY, -EIOWAIT, -EIO. */
int vfat_dir_empty(struct vfat_fs *fs, struct vfat_inode *dir);
int vfat_lookup(struct inode *dir, const char *name, size_t len, struct inode **out);
int vfat_readdir(struct inode *dir, uint64_t *pos, vfs_filldir_t fill, void *ctx);
/* The long-name set of a name found by a scan: entries [first, idx]. */

/* ---- names (namei.c) ----------------------------------------------------- */

int vfat_create(struct inode *dir, const char *name, size_t len, uint32_t mode, uint32_t rdev,
		struct inode **out);
int vfat_unlink(struct inode *dir, const char *name, size_t len, bool rmdir);
int vfat_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		const char *nname, size_t nlen, unsigned flags);

#endif
