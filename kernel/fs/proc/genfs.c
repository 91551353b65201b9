// SPDX-License-Identifier: MIT
/*
 * genfs: inodes, lookup, readdir, readlink and the generated-file reads and
 * writes for the node tables of procfs and sysfs (genfs.h).
 *
 * An inode is (node, ctx) and is made fresh by every lookup: its number is
 * a function of the two, so stat and getdents agree across lookups. It is
 * freed at its last reference (evict). A dynamic entry that has gone (a
 * process that exited) is still an inode while someone holds it; its
 * generators then find nothing and return -ESRCH or empty text.
 *
 * Lock legend: nothing here is shared and mutable. An open file's snapshot
 * (f->priv) belongs to the syscalls on that file; file_rw serialises them
 * per file offset as for any regular file.
 */
#include "kernel/fs/proc/genfs.h"

#include "kernel/async/executor.h"
#include "kernel/async/future.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

struct gen_inode {
	struct inode vfs;
	const struct gen_fs *fs;	/* I */
	unsigned node;			/* I */
	struct gen_ctx ctx;		/* I */
	/* I: the root of the mount this inode was found under: counted,
	 * except in the root itself. ".." up to the root returns it, so the
	 * VFS (getcwd, the mount table) sees the mounted root, not a copy. */
	struct inode *mroot;
};

#define GI(ino) ((struct gen_inode *)(ino))

static const struct inode_ops gen_iops;
static const struct file_ops gen_dir_fops, gen_file_fops;

static uint64_t gen_ino(unsigned node, const struct gen_ctx *c)
{
	return (uint64_t)node + 1 + ((uint64_t)c->pid << 12) + ((uint64_t)(c->tid != 0) << 27) +
	       ((uint64_t)(c->id + 1) << 28);
}

static unsigned dtype_of(uint16_t mode)
{
	if (S_ISDIR(mode))
		return DT_DIR;
	if (S_ISLNK(mode))
		return DT_LNK;
	return DT_REG;
}

static struct inode *gen_make(const struct gen_fs *fs, unsigned node, const struct gen_ctx *c,
			      struct inode *mroot)
{
	struct gen_inode *gi = kmalloc(sizeof(*gi));
	const struct gen_node *n = &fs->nodes[node];

	if (!gi)
		return NULL;
	inode_init(&gi->vfs, fs->sb, n->mode, &gen_iops,
		   S_ISDIR(n->mode) ? &gen_dir_fops : S_ISREG(n->mode) ? &gen_file_fops : NULL);
	gi->fs = fs;
	gi->node = node;
	gi->ctx = *c;
	gi->vfs.ino = gen_ino(node, c);
	gi->vfs.nlink = S_ISDIR(n->mode) ? 2 : 1;
	if (c->pid && fs->owner)
		fs->owner(c, &gi->vfs.uid, &gi->vfs.gid);
	if (n->perm_of)
		gi->vfs.mode = (n->mode & S_IFMT) | (n->perm_of(c) & 07777);
	gi->vfs.priv = gi;
	gi->mroot = mroot ? inode_get(mroot) : &gi->vfs;
	return &gi->vfs;
}

struct inode *genfs_root(const struct gen_fs *fs)
{
	const struct gen_ctx c = { .id = -1 };

	return gen_make(fs, 0, &c, NULL);
}

int genfs_mount_at(const struct fs_type *t, const char *path)
{
	return vfs_mount_boot(t, path, NULL);
}

int genfs_unmount(struct superblock *sb, struct inode *root)
{
	(void)sb;
	/* acquire: the other holders' puts happened before we free. */
	if (atomic_load_explicit(&root->ref, memory_order_acquire) != 1)
		return -EBUSY;
	inode_put(root);
	return 0;
}

/* The node whose children dir lists. */
static unsigned listed(const struct gen_fs *fs, unsigned dir)
{
	return fs->nodes[dir].alias ? (unsigned)fs->nodes[dir].alias : dir;
}

/* Does a child node appear in this directory instance? */
static bool child_visible(const struct gen_node *n, const struct gen_ctx *c)
{
	return !(c->tid && (n->flags & GEN_PID_ONLY));
}

static void bind(const struct gen_node *n, struct gen_ctx *c, int id)
{
	switch (n->dyn) {
	case GEN_DYN_PID:
		c->pid = id;
		c->tid = 0;
		break;
	case GEN_DYN_TID:
		c->tid = id;
		break;
	case GEN_DYN_ID:
		c->id = id;
		break;
	}
}

static void dyn_name(const struct gen_node *n, int id, char *buf, size_t sz)
{
	if (n->name_of && n->name_of(id, buf, sz) == 0)
		return;
	fmt_snprintf(buf, sz, "%d", id);
}

/* Does dynamic entry n exist with this id under c? */
static bool dyn_exists(const struct gen_node *n, const struct gen_ctx *c, int id)
{
	if (id >= 0 && n->exists)
		return n->exists(c, id);
	return id >= 0 && n->next && n->next(c, id - 1) == id;
}

static int parse_id(const struct gen_node *n, const struct gen_ctx *c, const char *name,
		    size_t len)
{
	char buf[32];

	if (n->name_of) {
		for (int id = n->next(c, -1); id >= 0; id = n->next(c, id)) {
			dyn_name(n, id, buf, sizeof(buf));
			if (strlen(buf) == len && !memcmp(buf, name, len))
				return id;
		}
		return -1;
	}
	if (len > 9 || (len > 1 && name[0] == '0'))
		return -1;
	int id = 0;

	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		id = id * 10 + (name[i] - '0');
	}
	return id;
}

/* The parent directory of (node, c): its node, and c without node's id. */
static unsigned parent_of(const struct gen_fs *fs, unsigned node, struct gen_ctx *c)
{
	const struct gen_node *n = &fs->nodes[node];
	unsigned p = node ? (unsigned)n->parent : 0;

	switch (n->dyn) {
	case GEN_DYN_PID:
		c->pid = 0;
		break;
	case GEN_DYN_TID:
		c->tid = 0;
		break;
	case GEN_DYN_ID:
		c->id = -1;
		break;
	default:
		break;
	}
	/* Entries of <pid>/ seen through task/<tid>/ go back up to it. */
	for (unsigned i = 0; i < fs->nr_nodes && c->tid; i++)
		if (fs->nodes[i].alias == (int16_t)p && p) {
			p = i;
			break;
		}
	return p;
}

static int gen_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	const struct gen_inode *gd = GI(dir);
	const struct gen_fs *fs = gd->fs;
	struct gen_ctx c = gd->ctx;
	unsigned node = gd->node, list = listed(fs, node);

	if (len == 1 && name[0] == '.') {
		*out = inode_get(dir);
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		unsigned p = parent_of(fs, node, &c);

		if (p == 0) {
			*out = inode_get(gd->mroot);
			return 0;
		}
		*out = gen_make(fs, p, &c, gd->mroot);
		return *out ? 0 : -ENOMEM;
	}
	for (unsigned i = 1; i < fs->nr_nodes; i++) {
		const struct gen_node *n = &fs->nodes[i];

		if ((unsigned)n->parent != list || !child_visible(n, &c))
			continue;
		if (n->dyn) {
			int id = parse_id(n, &c, name, len);

			if (!dyn_exists(n, &c, id))
				continue;
			bind(n, &c, id);
		} else if (strlen(n->name) != len || memcmp(n->name, name, len)) {
			continue;
		}
		*out = gen_make(fs, i, &c, gd->mroot);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

/*
 * Positions: 0 ".", 1 "..", then static child i at 2 + i, then the
 * dynamic children at (1 << 20) + id (one dynamic kind per directory).
 */
#define DYN_POS (1u << 20)
#define END_POS ((uint64_t)1 << 40)

static int gen_readdir(struct inode *dir, uint64_t *pos, vfs_filldir_t fill, void *ctx)
{
	const struct gen_inode *gd = GI(dir);
	const struct gen_fs *fs = gd->fs;
	unsigned list = listed(fs, gd->node);
	char name[32];

	if (*pos >= END_POS)
		return 0;
	if (*pos == 0) {
		if (!fill(ctx, ".", 1, dir->ino, DT_DIR, 1))
			return 0;
		*pos = 1;
	}
	if (*pos == 1) {
		struct gen_ctx pc = gd->ctx;
		unsigned p = parent_of(fs, gd->node, &pc);

		if (!fill(ctx, "..", 2, gen_ino(p, &pc), DT_DIR, 2))
			return 0;
		*pos = 2;
	}
	for (unsigned i = 1; i < fs->nr_nodes; i++) {
		const struct gen_node *n = &fs->nodes[i];

		if ((unsigned)n->parent != list || !child_visible(n, &gd->ctx))
			continue;
		if (!n->dyn) {
			if (*pos > 2 + i)
				continue;
			if (!fill(ctx, n->name, strlen(n->name), gen_ino(i, &gd->ctx),
				  dtype_of(n->mode), 3 + i))
				return 0;
			*pos = 3 + i;
			continue;
		}
		int id = *pos >= DYN_POS ? (int)(*pos - DYN_POS) : -1;

		while ((id = n->next(&gd->ctx, id)) >= 0) {
			struct gen_ctx c = gd->ctx;

			bind(n, &c, id);
			dyn_name(n, id, name, sizeof(name));
			if (!fill(ctx, name, strlen(name), gen_ino(i, &c), dtype_of(n->mode),
				  DYN_POS + (uint64_t)id))
				return 0;
			*pos = DYN_POS + (uint64_t)id;
		}
		*pos = END_POS;	/* the end */
	}
	if (*pos < DYN_POS)
		*pos = END_POS;
	return 0;
}

static long gen_readlink(struct inode *ino, char *buf, size_t n)
{
	const struct gen_inode *gi = GI(ino);
	const struct gen_node *node = &gi->fs->nodes[gi->node];

	return node->link ? node->link(&gi->ctx, buf, n) : -EINVAL;
}

/* Nothing can be made here: Linux answers ENOENT (unlink and the rest: EPERM). */
static int gen_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
		      uint32_t rdev, struct inode **out)
{
	(void)dir;
	(void)name;
	(void)len;
	(void)mode;
	(void)rdev;
	(void)out;
	return -ENOENT;
}

/* O_TRUNC on open of a writable file (echo 3 > drop_caches): nothing to cut. */
static int gen_truncate(struct inode *ino, uint64_t size)
{
	const struct gen_inode *gi = GI(ino);

	(void)size;
	return gi->fs->nodes[gi->node].store ? 0 : -EIO;
}

static void gen_evict(struct inode *ino)
{
	struct gen_inode *gi = GI(ino);

	if (gi->mroot != ino)
		inode_put(gi->mroot);
	kfree(gi);
}

static const struct inode_ops gen_iops = {
	.lookup = gen_lookup,
	.create = gen_create,
	.readlink = gen_readlink,
	.readdir = gen_readdir,
	.truncate = gen_truncate,
	.evict = gen_evict,
};

/* ---- files ----------------------------------------------------------------- */

static int gen_dir_readdir(struct file *f, uint64_t *pos, vfs_filldir_t fill, void *ctx)
{
	return gen_readdir(f->inode, pos, fill, ctx);
}

static long gen_dir_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return -EISDIR;
}

static const struct file_ops gen_dir_fops = {
	.read = gen_dir_read,
	.seekable = true,
	.readdir = gen_dir_readdir,
};

static int gen_open(struct inode *ino, struct file *f)
{
	const struct gen_inode *gi = GI(ino);
	const struct gen_node *n = &gi->fs->nodes[gi->node];

	/* As Linux: a file without a reader (drop_caches) refuses to open for
	 * reading; one without a writer opens (for root) and fails writes. */
	if (file_readable(f) && !n->show)
		return -EACCES;
	f->priv = kzalloc(sizeof(struct seqbuf));
	return f->priv ? 0 : -ENOMEM;
}

static void gen_release(struct file *f)
{
	seq_free(f->priv);
	kfree(f->priv);
}

static long gen_read(struct file *f, struct uio *u, uint64_t *pos)
{
	const struct gen_inode *gi = GI(f->inode);
	const struct gen_node *n = &gi->fs->nodes[gi->node];
	struct seqbuf *s = f->priv;
	long r;

	if (!n->show)
		return -EINVAL;
	if (*pos == 0 || !s->buf) {
		/* A read from the start takes a new snapshot. */
		seq_free(s);
		int err = n->show(s, &gi->ctx);

		if (err) {
			seq_free(s);
			return err;
		}
		if (s->overflow && !s->len) {
			seq_free(s);
			return -ENOMEM;
		}
	}
	if (*pos >= s->len)
		return 0;
	r = uio_copy_to(u, s->buf + *pos, s->len - *pos);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

static long gen_write(struct file *f, struct uio *u, uint64_t *pos)
{
	const struct gen_inode *gi = GI(f->inode);
	const struct gen_node *n = &gi->fs->nodes[gi->node];
	char *buf;
	long r;

	if (!n->store)
		return -EIO;
	if (u->resid > PAGE_SIZE)
		return -EINVAL;
	buf = kmalloc(u->resid + 1);
	if (!buf)
		return -ENOMEM;
	r = uio_copy_from(u, buf, u->resid);
	if (r >= 0) {
		buf[r] = '\0';
		int err = n->store(&gi->ctx, buf, (size_t)r);

		if (err)
			r = err;
		else
			*pos += (uint64_t)r;
	}
	kfree(buf);
	return r;
}

static const struct file_ops gen_file_fops = {
	.open = gen_open,
	.release = gen_release,
	.read = gen_read,
	.write = gen_write,
	.seekable = true,
};
