// SPDX-License-Identifier: MIT
/*
 * procfs: the node table of /proc and its file system type ("proc").
 * The files' text comes from proc_pid.c (per process), proc_sys.c (the
 * system) and proc_async.c (the executor and the futures).
 */
#include "kernel/fs/proc/procfs.h"
#include "kernel/fs/proc/procfs_int.h"

#include "kernel/fs/sysfs/sysfs.h"
#include "kernel/printk.h"
#include "lib/errno.h"

enum {
	N_ROOT,
	/* system-wide files */
	N_MEMINFO, N_CPUINFO, N_STAT, N_UPTIME, N_LOADAVG, N_VERSION, N_FILESYSTEMS,
	N_MOUNTS_LINK, N_PARTITIONS, N_INTERRUPTS, N_ASYNC, N_SELF, N_THREAD_SELF,
	N_SYS, N_SYS_KERNEL, N_PID_MAX, N_HOSTNAME, N_OSTYPE, N_OSRELEASE, N_RANDOM, N_BOOT_ID,
	N_UUID, N_SYS_VM, N_DROP_CACHES,
	N_RANDOMIZE_VA, /* mm: sys/kernel/randomize_va_space */
	N_SLABINFO,
	/* /proc/<pid> */
	N_PID,
	N_P_STAT, N_P_STATM, N_P_STATUS, N_P_CMDLINE, N_P_ENVIRON, N_P_COMM, N_P_EXE, N_P_CWD,
	N_P_ROOT, N_P_MAPS, N_P_MOUNTS, N_P_MOUNTINFO, N_P_FUTURE, N_P_FD, N_P_FD_N, N_P_FDINFO,
	N_P_FDINFO_N, N_P_TASK, N_TID,
	N_COUNT
};

#define DIR_(nm, par) { .name = nm, .parent = par, .mode = S_IFDIR | 0555 }
#define FILE_(nm, par, fn) { .name = nm, .parent = par, .mode = S_IFREG | 0444, .show = fn }
#define LINK_(nm, par, fn) { .name = nm, .parent = par, .mode = S_IFLNK | 0777, .link = fn }

static const struct gen_node proc_nodes[N_COUNT] = {
	[N_ROOT] = { .name = "", .mode = S_IFDIR | 0555 },
	[N_MEMINFO] = FILE_("meminfo", N_ROOT, procfs_show_meminfo),
	[N_CPUINFO] = FILE_("cpuinfo", N_ROOT, procfs_show_cpuinfo),
	[N_STAT] = FILE_("stat", N_ROOT, procfs_show_cpustat),
	[N_UPTIME] = FILE_("uptime", N_ROOT, procfs_show_uptime),
	[N_LOADAVG] = FILE_("loadavg", N_ROOT, procfs_show_loadavg),
	[N_VERSION] = FILE_("version", N_ROOT, procfs_show_version),
	[N_FILESYSTEMS] = FILE_("filesystems", N_ROOT, procfs_show_filesystems),
	[N_MOUNTS_LINK] = { .name = "mounts", .parent = N_ROOT, .mode = S_IFLNK | 0777,
			    .link = procfs_link_self_mounts },
	[N_PARTITIONS] = FILE_("partitions", N_ROOT, procfs_show_partitions),
	[N_INTERRUPTS] = FILE_("interrupts", N_ROOT, procfs_show_interrupts),
	[N_ASYNC] = FILE_("async", N_ROOT, procfs_show_async),
	[N_SELF] = LINK_("self", N_ROOT, procfs_link_self),
	[N_THREAD_SELF] = LINK_("thread-self", N_ROOT, procfs_link_thread_self),
	[N_SYS] = DIR_("sys", N_ROOT),
	[N_SYS_KERNEL] = DIR_("kernel", N_SYS),
	[N_PID_MAX] = FILE_("pid_max", N_SYS_KERNEL, procfs_show_pid_max),
	[N_HOSTNAME] = { .name = "hostname", .parent = N_SYS_KERNEL, .mode = S_IFREG | 0644,
			 .show = procfs_show_hostname, .store = procfs_store_hostname },
	[N_OSTYPE] = FILE_("ostype", N_SYS_KERNEL, procfs_show_ostype),
	[N_OSRELEASE] = FILE_("osrelease", N_SYS_KERNEL, procfs_show_osrelease),
	[N_RANDOM] = DIR_("random", N_SYS_KERNEL),
	[N_BOOT_ID] = FILE_("boot_id", N_RANDOM, procfs_show_boot_id),
	[N_UUID] = FILE_("uuid", N_RANDOM, procfs_show_uuid),
	[N_SYS_VM] = DIR_("vm", N_SYS),
	[N_DROP_CACHES] = { .name = "drop_caches", .parent = N_SYS_VM, .mode = S_IFREG | 0200,
			    .store = procfs_store_drop_caches },
	[N_RANDOMIZE_VA] = { .name = "randomize_va_space", .parent = N_SYS_KERNEL,
			     .mode = S_IFREG | 0644, .show = procfs_show_randomize_va_space,
			     .store = procfs_store_randomize_va_space },
	[N_SLABINFO] = { .name = "slabinfo", .parent = N_ROOT, .mode = S_IFREG | 0400,
			 .show = procfs_show_slabinfo },

	[N_PID] = { .parent = N_ROOT, .mode = S_IFDIR | 0555, .dyn = GEN_DYN_PID,
		    .next = procfs_next_pid, .exists = procfs_pid_exists },
	[N_P_STAT] = FILE_("stat", N_PID, procfs_show_stat),
	[N_P_STATM] = FILE_("statm", N_PID, procfs_show_statm),
	[N_P_STATUS] = FILE_("status", N_PID, procfs_show_status),
	[N_P_CMDLINE] = FILE_("cmdline", N_PID, procfs_show_cmdline),
	[N_P_ENVIRON] = { .name = "environ", .parent = N_PID, .mode = S_IFREG | 0400,
			  .show = procfs_show_environ },
	[N_P_COMM] = FILE_("comm", N_PID, procfs_show_comm),
	[N_P_EXE] = LINK_("exe", N_PID, procfs_link_exe),
	[N_P_CWD] = LINK_("cwd", N_PID, procfs_link_cwd),
	[N_P_ROOT] = LINK_("root", N_PID, procfs_link_root),
	[N_P_MAPS] = FILE_("maps", N_PID, procfs_show_maps),
	[N_P_MOUNTS] = FILE_("mounts", N_PID, procfs_show_mounts),
	[N_P_MOUNTINFO] = FILE_("mountinfo", N_PID, procfs_show_mountinfo),
	[N_P_FUTURE] = FILE_("future", N_PID, procfs_show_future),
	[N_P_FD] = { .name = "fd", .parent = N_PID, .mode = S_IFDIR | 0500 },
	[N_P_FD_N] = { .parent = N_P_FD, .mode = S_IFLNK | 0700, .dyn = GEN_DYN_ID,
		       .next = procfs_next_fd, .link = procfs_link_fd, .perm_of = procfs_fd_perm },
	[N_P_FDINFO] = { .name = "fdinfo", .parent = N_PID, .mode = S_IFDIR | 0500 },
	[N_P_FDINFO_N] = { .parent = N_P_FDINFO, .mode = S_IFREG | 0444, .dyn = GEN_DYN_ID,
			   .next = procfs_next_fd, .show = procfs_show_fdinfo },
	[N_P_TASK] = { .name = "task", .parent = N_PID, .mode = S_IFDIR | 0555,
		       .flags = GEN_PID_ONLY },
	[N_TID] = { .parent = N_P_TASK, .alias = N_PID, .mode = S_IFDIR | 0555,
		    .dyn = GEN_DYN_TID, .next = procfs_next_tid },
};

#define PROC_SUPER_MAGIC 0x9fa0

static void procfs_statfs(struct superblock *sb, struct vfs_statfs *st)
{
	(void)sb;
	*st = (struct vfs_statfs){ .magic = PROC_SUPER_MAGIC, .bsize = 4096 };
}

static const struct super_ops procfs_super_ops = {
	.statfs = procfs_statfs,
	.unmount = genfs_unmount,
};

static struct superblock proc_sb = {
	.dev = MKDEV(0, 20), .name = "proc", .ops = &procfs_super_ops, .next_ino = 1,
};

static const struct gen_fs proc_fs = {
	.nodes = proc_nodes,
	.nr_nodes = N_COUNT,
	.sb = &proc_sb,
	.owner = procfs_owner,
};

static int procfs_mount(struct blkdev *dev, const struct mount_opts *o, struct inode **root)
{
	(void)dev;
	(void)o;
	*root = genfs_root(&proc_fs);
	return *root ? 0 : -ENOMEM;
}

static const struct fs_type procfs_type = {
	.name = "proc",
	.needs_dev = false,
	.mount = procfs_mount,
};
FS_TYPE(procfs_type);

int procfs_mount_at(const char *path)
{
	return genfs_mount_at(&procfs_type, path);
}

void procfs_boot(const struct fdt_info *fi)
{
	int err;

	procfs_fdt = fi;
	err = procfs_mount_at("/proc");
	if (err && err != -ENOENT)
		kprintf("procfs: mounting /proc failed (%d)\n", err);
	err = sysfs_mount_at("/sys");
	if (err && err != -ENOENT)
		kprintf("sysfs: mounting /sys failed (%d)\n", err);
}
