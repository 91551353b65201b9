// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the procfs and sysfs generators (suite `procfs`): each
 * case mounts them on a fresh ramfs root, reads files through the VFS with
 * no process, and checks the numbers against the kernel's own counters.
 */
#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/fs/proc/procfs.h"
#include "kernel/fs/sysfs/sysfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/ktest_io.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define BUF 16384

/* A fresh root with /proc and /sys mounted; undone by unmount_all(). */
static bool mount_all(void)
{
	ktest_fresh_root();
	return vfs_mknod(NULL, NULL, "/proc", S_IFDIR | 0555, 0) == 0 &&
	       vfs_mknod(NULL, NULL, "/sys", S_IFDIR | 0555, 0) == 0 &&
	       procfs_mount_at("/proc") == 0 && sysfs_mount_at("/sys") == 0;
}

static void unmount(const char *path)
{
	struct inode *root, *r, *c;

	if (vfs_lookup(NULL, NULL, path, 0, &root))
		return;
	if (vfs_mount_remove(root, &r, &c) == 0) {
		inode_put(r);
		inode_put(c);
	}
	inode_put(root);
}

static void unmount_all(void)
{
	unmount("/proc");
	unmount("/sys");
}

/* lib/string has no strstr: the kernel never needs one outside tests. */
static char *find(const char *h, const char *n)
{
	size_t nl = strlen(n);

	for (; *h; h++)
		if (!strncmp(h, n, nl))
			return (char *)h;
	return NULL;
}

static long num_after(const char *text, const char *key)
{
	const char *p = find(text, key);

	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ' || *p == '\t' || *p == ':')
		p++;
	long v = 0;

	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	return v;
}

KTEST(procfs, meminfo_matches_the_page_allocator)
{
	char *buf = kmalloc(BUF);
	long n;

	ASSERT(buf);
	ASSERT(mount_all());
	size_t before = page_free_count();

	n = ktest_readall("/proc/meminfo", buf, BUF - 1);
	size_t after = page_free_count();

	ASSERT(n > 0);
	buf[n] = '\0';
	EXPECT(num_after(buf, "MemTotal:") == (long)(page_total_count() * 4));
	long free_kb = num_after(buf, "MemFree:");
	long lo = (long)(before < after ? before : after) * 4, hi = (long)(before > after ? before : after) * 4;

	/* within a page of the allocator's count, taken around the read */
	EXPECT(free_kb >= lo - 4 && free_kb <= hi + 4);
	EXPECT(!strncmp(buf, "MemTotal:       ", 16));
	EXPECT(find(buf, "\nSwapTotal:             0 kB\n") != NULL);
	kfree(buf);
	unmount_all();
}

KTEST(procfs, cpuinfo_stat_and_sysfs_count_the_harts)
{
	char *buf = kmalloc(BUF);
	long n;
	unsigned procs = 0, cpus = 0;

	ASSERT(buf);
	ASSERT(mount_all());
	n = ktest_readall("/proc/cpuinfo", buf, BUF - 1);
	ASSERT(n > 0);
	buf[n] = '\0';
	for (char *p = buf; (p = find(p, "processor\t: ")) != NULL; p++)
		procs++;
	EXPECT(procs == hart_count());
	n = ktest_readall("/proc/stat", buf, BUF - 1);
	ASSERT(n > 0);
	buf[n] = '\0';
	for (char *p = buf; (p = find(p, "\ncpu")) != NULL; p++)
		cpus++;
	EXPECT(cpus == hart_count());
	n = ktest_readall("/sys/devices/system/cpu/online", buf, BUF - 1);
	ASSERT(n > 0);
	buf[n] = '\0';
	if (hart_count() == 1)
		EXPECT(!strcmp(buf, "0\n"));
	else
		EXPECT(buf[0] == '0' && buf[1] == '-' && num_after(buf, "0-") == (long)hart_count() - 1);
	kfree(buf);
	unmount_all();
}

struct names {
	char seen[512];
	size_t len;
};

static bool collect(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
		    uint64_t next)
{
	struct names *nm = ctx;

	(void)ino;
	(void)dtype;
	(void)next;
	if (nm->len + len + 2 >= sizeof(nm->seen))
		return false;
	memcpy(nm->seen + nm->len, name, len);
	nm->len += len;
	nm->seen[nm->len++] = ' ';
	nm->seen[nm->len] = '\0';
	return true;
}

KTEST(procfs, root_lists_its_files_and_readdir_ends)
{
	struct names nm = { .len = 0 };
	struct inode *root;
	uint64_t pos = 0;

	ASSERT(mount_all());
	ASSERT(vfs_lookup(NULL, NULL, "/proc", 0, &root) == 0);
	EXPECT(root->iops->readdir(root, &pos, collect, &nm) == 0);
	EXPECT(!strncmp(nm.seen, ". .. meminfo cpuinfo stat ", 26));
	EXPECT(find(nm.seen, " self thread-self sys ") != NULL);
	/* a second call at the end position adds nothing */
	size_t len = nm.len;

	EXPECT(root->iops->readdir(root, &pos, collect, &nm) == 0);
	EXPECT(nm.len == len);
	inode_put(root);
	/* no process here: self has nothing to name */
	EXPECT(ktest_lookup_err("/proc/self", WALK_NOFOLLOW) == 0);
	EXPECT(ktest_lookup_err("/proc/self/stat", 0) == -ENOENT);
	EXPECT(ktest_lookup_err("/proc/nosuch", 0) == -ENOENT);
	EXPECT(ktest_lookup_err("/proc/sys/kernel/random/boot_id", 0) == 0);
	EXPECT(ktest_lookup_err("/proc/sys/kernel/random/..", WALK_DIRECTORY) == 0);
	EXPECT(ktest_ino_of("/proc/sys/kernel/random/../../..", 0) == ktest_ino_of("/proc", 0));
	unmount_all();
}

KTEST(procfs, async_lists_every_hart)
{
	char *buf = kmalloc(BUF);
	long n;
	char want[16];

	ASSERT(buf);
	ASSERT(mount_all());
	n = ktest_readall("/proc/async", buf, BUF - 1);
	ASSERT(n > 0);
	buf[n] = '\0';
	for (unsigned h = 0; h < exec_hart_count(); h++) {
		fmt_snprintf(want, sizeof(want), "\nhart %u:", h);
		EXPECT(find(buf, want) != NULL);
	}
	EXPECT(find(buf, "\ntasks\n") != NULL);
	kfree(buf);
	unmount_all();
}

KTEST(procfs, drop_caches_and_hostname_accept_what_linux_does)
{
	struct file *f;
	char buf[80];

	ASSERT(mount_all());
	EXPECT(vfs_open_kernel(NULL, "/proc/sys/vm/drop_caches", O_RDONLY, &f) == -EACCES);
	ASSERT(vfs_open_kernel(NULL, "/proc/sys/vm/drop_caches", O_WRONLY, &f) == 0);
	EXPECT(ktest_rw_now(f, "3\n", 2, true) == 2);
	EXPECT(ktest_rw_now(f, "9", 1, true) == -EINVAL);
	file_put(f);
	ASSERT(vfs_open_kernel(NULL, "/proc/sys/kernel/hostname", O_RDWR, &f) == 0);
	EXPECT(ktest_rw_now(f, "kt\n", 3, true) == 3);
	file_put(f);
	EXPECT(ktest_readall("/proc/sys/kernel/hostname", buf, sizeof(buf)) == 3);
	EXPECT(!memcmp(buf, "kt\n", 3));
	ASSERT(vfs_open_kernel(NULL, "/proc/sys/kernel/hostname", O_WRONLY, &f) == 0);
	EXPECT(ktest_rw_now(f, "asyncrv", 7, true) == 7);
	file_put(f);
	unmount_all();
}
