// SPDX-License-Identifier: MIT
/*
 * sysfs: the part of /sys that user programs read. The harts
 * (/sys/devices/system/cpu/{online,possible,present}: glibc's
 * sysconf(_SC_NPROCESSORS_ONLN) reads online; cpu<N>/online) and the block devices
 * (/sys/block/<dev>/{size,stat,dev,ro}). Built on genfs (kernel/fs/proc/genfs.h).
 */
#include "kernel/fs/sysfs/sysfs.h"

#include "kernel/arch.h"
#include "kernel/block/blkdev.h"
#include "kernel/fs/proc/genfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* "0" or "0-3": the cpulist format of Documentation/ABI (hart indices). */
static void cpu_list(struct seqbuf *s, unsigned n)
{
	if (n <= 1)
		seq_printf(s, "0\n");
	else
		seq_printf(s, "0-%u\n", n - 1);
}

static int show_online(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	cpu_list(s, hart_count());
	return 0;
}

static int show_kernel_max(struct seqbuf *s, const struct gen_ctx *c)
{
	(void)c;
	seq_printf(s, "%d\n", MAX_HARTS - 1);
	return 0;
}

/* cpu<N>/: one per hart (busybox `nproc --all` counts them). */
static int next_cpu(const struct gen_ctx *c, int after)
{
	(void)c;
	return after + 1 < (int)hart_count() ? after + 1 : -1;
}

static int cpu_name(int id, char *buf, size_t n)
{
	if (id < 0 || id >= (int)hart_count())
		return -ENOENT;
	fmt_snprintf(buf, n, "cpu%d", id);
	return 0;
}

static int show_cpu_online(struct seqbuf *s, const struct gen_ctx *c)
{
	seq_printf(s, "%d\n", c->id >= 0 && c->id < (int)hart_count());
	return 0;
}

static int next_blk(const struct gen_ctx *c, int after)
{
	(void)c;
	/* /sys/block lists whole disks only, as Linux does. */
	for (unsigned i = after < 0 ? 0 : (unsigned)after + 1; i < blkdev_count(); i++)
		if (blkdev_get(i) && !blkdev_get(i)->parent)
			return (int)i;
	return -1;
}

static int blk_name(int id, char *buf, size_t n)
{
	struct blkdev *d = id >= 0 ? blkdev_get((unsigned)id) : NULL;

	if (!d)
		return -ENOENT;
	strlcpy(buf, d->name, n);
	return 0;
}

static int show_size(struct seqbuf *s, const struct gen_ctx *c)
{
	struct blkdev *d = blkdev_get((unsigned)c->id);

	if (!d)
		return -ENODEV;
	seq_printf(s, "%llu\n", (unsigned long long)d->sectors);
	return 0;
}

/* "254:16": the device number, as udev and lsblk read it. */
static int show_dev(struct seqbuf *s, const struct gen_ctx *c)
{
	struct blkdev *d = blkdev_get((unsigned)c->id);

	if (!d)
		return -ENODEV;
	seq_printf(s, "%u:%u\n", d->devt >> 8 & 0xfff, (d->devt & 0xff) | (d->devt >> 12 & 0xfff00));
	return 0;
}

static int show_ro(struct seqbuf *s, const struct gen_ctx *c)
{
	struct blkdev *d = blkdev_get((unsigned)c->id);

	if (!d)
		return -ENODEV;
	seq_printf(s, "%d\n", d->read_only ? 1 : 0);
	return 0;
}

static unsigned long long ld(atomic_ullong *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

/* Documentation/block/stat.rst: 17 fields, times in ms. */
static int show_stat(struct seqbuf *s, const struct gen_ctx *c)
{
	struct blkdev *d = blkdev_get((unsigned)c->id);
	const unsigned long long ms = 1000000;

	if (!d)
		return -ENODEV;
	unsigned long long rt = ld(&d->stats.ns[BLK_READ]) / ms, wt = ld(&d->stats.ns[BLK_WRITE]) / ms,
			   ft = ld(&d->stats.ns[BLK_FLUSH]) / ms;

	seq_printf(s, "%8llu %8u %8llu %8llu %8llu %8u %8llu %8llu %8u %8llu %8llu %8u %8u %8u %8u "
		      "%8llu %8llu\n",
		   ld(&d->stats.ios[BLK_READ]), 0u, ld(&d->stats.sectors[BLK_READ]), rt,
		   ld(&d->stats.ios[BLK_WRITE]), 0u, ld(&d->stats.sectors[BLK_WRITE]), wt,
		   atomic_load_explicit(&d->stats.in_flight, memory_order_relaxed),
		   ld(&d->stats.busy_ns) / ms, rt + wt + ft, 0u, 0u, 0u, 0u,
		   ld(&d->stats.ios[BLK_FLUSH]), ft);
	return 0;
}

enum {
	S_ROOT, S_DEVICES, S_SYSTEM, S_CPU, S_ONLINE, S_POSSIBLE, S_PRESENT, S_KERNEL_MAX,
	S_CPUN, S_CPUN_ONLINE,
	S_BLOCK, S_DEV, S_SIZE, S_STAT, S_DEVNO, S_RO, S_COUNT
};

#define DIR_(nm, par) { .name = nm, .parent = par, .mode = S_IFDIR | 0755 }
#define FILE_(nm, par, fn) { .name = nm, .parent = par, .mode = S_IFREG | 0444, .show = fn }

static const struct gen_node sys_nodes[S_COUNT] = {
	[S_ROOT] = { .name = "", .mode = S_IFDIR | 0555 },
	[S_DEVICES] = DIR_("devices", S_ROOT),
	[S_SYSTEM] = DIR_("system", S_DEVICES),
	[S_CPU] = DIR_("cpu", S_SYSTEM),
	/* Every hart the device tree lists is started and stays on. */
	[S_ONLINE] = FILE_("online", S_CPU, show_online),
	[S_POSSIBLE] = FILE_("possible", S_CPU, show_online),
	[S_PRESENT] = FILE_("present", S_CPU, show_online),
	[S_KERNEL_MAX] = FILE_("kernel_max", S_CPU, show_kernel_max),
	[S_CPUN] = { .parent = S_CPU, .mode = S_IFDIR | 0755, .dyn = GEN_DYN_ID,
		     .next = next_cpu, .name_of = cpu_name },
	[S_CPUN_ONLINE] = FILE_("online", S_CPUN, show_cpu_online),
	[S_BLOCK] = DIR_("block", S_ROOT),
	[S_DEV] = { .parent = S_BLOCK, .mode = S_IFDIR | 0755, .dyn = GEN_DYN_ID,
		    .next = next_blk, .name_of = blk_name },
	[S_SIZE] = FILE_("size", S_DEV, show_size),
	[S_STAT] = FILE_("stat", S_DEV, show_stat),
	[S_DEVNO] = FILE_("dev", S_DEV, show_dev),
	[S_RO] = FILE_("ro", S_DEV, show_ro),
};

#define SYSFS_MAGIC 0x62656572

static void sysfs_statfs(struct superblock *sb, struct vfs_statfs *st)
{
	(void)sb;
	*st = (struct vfs_statfs){ .magic = SYSFS_MAGIC, .bsize = 4096 };
}

static const struct super_ops sysfs_super_ops = {
	.statfs = sysfs_statfs,
	.unmount = genfs_unmount,
};

static struct superblock sys_sb = {
	.dev = MKDEV(0, 21), .name = "sysfs", .ops = &sysfs_super_ops, .next_ino = 1,
};

static const struct gen_fs sys_fs = { .nodes = sys_nodes, .nr_nodes = S_COUNT, .sb = &sys_sb };

static int sysfs_mount(struct blkdev *dev, const struct mount_opts *o, struct inode **root)
{
	(void)dev;
	(void)o;
	*root = genfs_root(&sys_fs);
	return *root ? 0 : -ENOMEM;
}

static const struct fs_type sysfs_type = {
	.name = "sysfs",
	.needs_dev = false,
	.mount = sysfs_mount,
};
FS_TYPE(sysfs_type);

int sysfs_mount_at(const char *path)
{
	return genfs_mount_at(&sysfs_type, path);
}
