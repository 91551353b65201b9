// SPDX-License-Identifier: MIT
/*
 * tmpfs: a ramfs instance per mount with Linux's limits and options
 * (size=, nr_inodes=, mode=, uid=, gid=), statfs, and unmount. The tree,
 * the file pages and the accounting are ramfs's (kernel/fs/ramfs, struct
 * ramfs_sb); this file owns the options, the superblock and the boot mounts
 * of /tmp and /dev/shm.
 *
 * Lock legend: the limits and counters of struct ramfs_sb are ramfs_lock's;
 * a tmpfs_sb is owned by its mount (freed by unmount once ramfs_kill said the
 * tree is gone).
 */
#include "kernel/fs/tmpfs/tmpfs.h"

#include "kernel/async/executor.h"
#include "kernel/async/future.h"
#include "kernel/fs/ramfs/ramfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pcache.h"
#include "kernel/printk.h"
#include "kernel/proc/cred.h"
#include "lib/errno.h"
#include "lib/string.h"

#define TMPFS_MAGIC 0x01021994

static const struct super_ops tmpfs_super_ops;

/* Anonymous device numbers (Linux's get_anon_bdev): major 0, minors from 40. */
static atomic_uint tmpfs_next_minor = 40;

/* "64k", "1m", "2g", "50%": bytes (or a share of RAM); false if malformed. */
static bool parse_size(const char *v, uint64_t *out)
{
	const char *end;
	uint64_t n = str_to_ulong(v, &end, 0);

	if (end == v)
		return false;
	switch (*end) {
	case 'k': case 'K':
		n <<= 10;
		end++;
		break;
	case 'm': case 'M':
		n <<= 20;
		end++;
		break;
	case 'g': case 'G':
		n <<= 30;
		end++;
		break;
	case '%':
		n = (uint64_t)page_total_count() * PAGE_SIZE / 100 * n;
		end++;
		break;
	}
	if (*end)
		return false;
	*out = n;
	return true;
}

static bool parse_num(const char *v, int base, uint64_t *out)
{
	const char *end;

	*out = str_to_ulong(v, &end, base);
	return end != v && !*end;
}

int tmpfs_parse_opts(const char *data, struct tmpfs_opts *o)
{
	char buf[128];
	const char *p = data;

	while (p && *p) {
		size_t len = 0;
		char *eq, *val;
		uint64_t n;

		while (p[len] && p[len] != ',')
			len++;
		if (len >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (p[len] == ',');
		if (!len)
			continue;
		eq = strchr(buf, '=');
		val = eq ? eq + 1 : NULL;
		if (eq)
			*eq = '\0';
		if (!val) {
			return -EINVAL;
		} else if (!strcmp(buf, "size")) {
			if (!parse_size(val, &n))
				return -EINVAL;
			o->max_pages = (n + PAGE_SIZE - 1) / PAGE_SIZE;
		} else if (!strcmp(buf, "nr_blocks")) {
			if (!parse_size(val, &n) || strchr(val, '%'))
				return -EINVAL;
			o->max_pages = n;
		} else if (!strcmp(buf, "nr_inodes")) {
			if (!parse_size(val, &n) || strchr(val, '%'))
				return -EINVAL;
			o->max_inodes = n;
		} else if (!strcmp(buf, "mode")) {
			if (!parse_num(val, 8, &n) || n > 07777)
				return -EINVAL;
			o->mode = (uint32_t)n;
		} else if (!strcmp(buf, "uid")) {
			if (!parse_num(val, 10, &n) || n >= 0xffffffffu)
				return -EINVAL;
			o->uid = (uint32_t)n;
		} else if (!strcmp(buf, "gid")) {
			if (!parse_num(val, 10, &n) || n >= 0xffffffffu)
				return -EINVAL;
			o->gid = (uint32_t)n;
		} else {
			return -EINVAL; /* Linux: "tmpfs: Unknown parameter" */
		}
	}
	return 0;
}

static int tmpfs_mount(struct blkdev *dev, const struct mount_opts *mo, struct inode **root)
{
	/* Linux's defaults: half of RAM, as many inodes as half of RAM has pages. */
	uint64_t half = page_total_count() / 2;
	struct tmpfs_opts o = { .max_pages = half, .max_inodes = half, .mode = 01777 };
	struct ramfs_sb *rsb;
	int err;

	(void)dev;
	err = tmpfs_parse_opts(mo ? mo->data : NULL, &o);
	if (err)
		return err;
	rsb = kmalloc(sizeof(*rsb));
	if (!rsb)
		return -ENOMEM;
	memset(rsb, 0, sizeof(*rsb));
	rsb->vsb.dev = MKDEV(0, atomic_fetch_add_explicit(&tmpfs_next_minor, 1,
							  memory_order_relaxed));
	rsb->vsb.name = "tmpfs";
	rsb->vsb.ops = &tmpfs_super_ops;
	atomic_init(&rsb->vsb.next_ino, 1);
	rsb->max_pages = o.max_pages;
	rsb->max_inodes = o.max_inodes;
	*root = ramfs_create_fs_on(rsb, o.mode);
	if (!*root) {
		kfree(rsb);
		return -ENOMEM;
	}
	(*root)->uid = o.uid;
	(*root)->gid = o.gid;
	return 0;
}

static void tmpfs_statfs(struct superblock *sb, struct vfs_statfs *st)
{
	struct tmpfs_usage u;

	tmpfs_usage(sb, &u);
	*st = (struct vfs_statfs){ .magic = TMPFS_MAGIC, .bsize = PAGE_SIZE };
	/* Linux: a limit of 0 reports zeros (no fixed size). */
	if (u.max_pages) {
		st->blocks = u.max_pages;
		st->bfree = st->bavail = u.pages < u.max_pages ? u.max_pages - u.pages : 0;
	}
	if (u.max_inodes) {
		st->files = u.max_inodes;
		st->ffree = u.inodes < u.max_inodes ? u.max_inodes - u.inodes : 0;
	}
}

void tmpfs_usage(struct superblock *sb, struct tmpfs_usage *u)
{
	struct ramfs_sb *rsb = container_of(sb, struct ramfs_sb, vsb);

	/* Racy snapshot: statfs is advisory, as on Linux. */
	u->max_pages = __atomic_load_n(&rsb->max_pages, __ATOMIC_RELAXED);
	u->pages = __atomic_load_n(&rsb->pages, __ATOMIC_RELAXED);
	u->max_inodes = __atomic_load_n(&rsb->max_inodes, __ATOMIC_RELAXED);
	u->inodes = __atomic_load_n(&rsb->inodes, __ATOMIC_RELAXED);
}

static int tmpfs_unmount(struct superblock *sb, struct inode *root)
{
	struct ramfs_sb *rsb = container_of(sb, struct ramfs_sb, vsb);
	int err = ramfs_kill(root);

	if (err)
		return err;
	pcache_forget_sb(sb); /* the files' (empty) caches */
	kfree(rsb);
	return 0;
}

static const struct super_ops tmpfs_super_ops = {
	.statfs = tmpfs_statfs,
	.unmount = tmpfs_unmount,
};

static const struct fs_type tmpfs_type = {
	.name = "tmpfs",
	.needs_dev = false,
	.mount = tmpfs_mount,
};
FS_TYPE(tmpfs_type);

void tmpfs_boot(void)
{
	static const char *const paths[] = { "/tmp", "/dev/shm" };

	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int err = vfs_mount_boot(&tmpfs_type, paths[i], "mode=1777");

		if (err && err != -ENOENT)
			kprintf("tmpfs: mounting %s failed (%d)\n", paths[i], err);
	}
}
