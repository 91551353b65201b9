// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the initrd unpacker (suite `cpio`): archives built in
 * memory, unpacked into a fresh ramfs root, walked with no process.
 */
#include "kernel/fs/devfs.h"
#include "kernel/fs/ramfs/ramfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/ktest_io.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* ---- cpio ------------------------------------------------------------------ */

struct ar {
	char *buf;
	size_t len, cap;
};

static void ar_add(struct ar *a, const char *name, unsigned ino, unsigned mode, unsigned nlink,
		   const char *data, size_t dlen)
{
	size_t nsz = strlen(name) + 1;

	a->len += (size_t)fmt_snprintf(a->buf + a->len, a->cap - a->len,
				       "070701%08x%08x%08x%08x%08x%08x%08lx%08x%08x%08x%08x%08lx%08x",
				       ino, mode, 0, 0, nlink, 0, (unsigned long)dlen, 0, 0, 0, 0,
				       (unsigned long)nsz, 0);
	memcpy(a->buf + a->len, name, nsz);
	a->len += nsz;
	while (a->len & 3)
		a->buf[a->len++] = 0;
	memcpy(a->buf + a->len, data, dlen);
	a->len += dlen;
	while (a->len & 3)
		a->buf[a->len++] = 0;
}

static void build_archive(struct ar *a)
{
	a->len = 0;
	ar_add(a, ".", 1, 040755, 4, "", 0);
	ar_add(a, "bin", 2, 040755, 2, "", 0);
	/* Hard-link group as GNU cpio writes it: data on the last entry. */
	ar_add(a, "bin/sh", 3, 0100755, 3, "", 0);
	ar_add(a, "bin/ls", 3, 0100755, 3, "", 0);
	ar_add(a, "sbin/init", 3, 0100755, 3, "BOXDATA", 7); /* sbin made implicitly */
	ar_add(a, "etc/rc", 4, 0100644, 1, "echo hi\n", 8);
	ar_add(a, "bin/link", 5, 0120777, 1, "sh", 2);
	ar_add(a, "tmp", 6, 041777, 2, "", 0);
	ar_add(a, "TRAILER!!!", 0, 0, 1, "", 0);
}

KTEST(cpio, unpacks_tree_links_and_dev)
{
	struct ar a = { .cap = 4096 };
	struct inode *ino;
	char buf[16];

	a.buf = kmalloc(a.cap);
	ASSERT(a.buf);
	build_archive(&a);
	ASSERT(ramfs_mount_root_from_cpio(a.buf, a.len) == 0);
	kfree(a.buf);
	uint64_t sh = ktest_ino_of("/bin/sh", 0);

	EXPECT(sh != 0);
	EXPECT(ktest_ino_of("/bin/ls", 0) == sh);
	EXPECT(ktest_ino_of("/sbin/init", 0) == sh);
	EXPECT(ktest_ino_of("/bin/link", 0) == sh);
	ASSERT(vfs_lookup(NULL, NULL, "/bin/ls", 0, &ino) == 0);
	EXPECT(ino->nlink == 3);
	EXPECT(ino->mode == (S_IFREG | 0755));
	EXPECT(ino->size == 7);
	inode_put(ino);
	EXPECT(ktest_readall("/bin/sh", buf, sizeof(buf)) == 7);
	EXPECT(memcmp(buf, "BOXDATA", 7) == 0);
	EXPECT(ktest_readall("/etc/rc", buf, sizeof(buf)) == 8);
	EXPECT(memcmp(buf, "echo hi\n", 8) == 0);
	ASSERT(vfs_lookup(NULL, NULL, "/tmp", 0, &ino) == 0);
	EXPECT(ino->mode == (S_IFDIR | 01777));
	inode_put(ino);
	ASSERT(vfs_lookup(NULL, NULL, "/dev/console", 0, &ino) == 0);
	EXPECT(S_ISCHR(ino->mode));
	EXPECT(ino->rdev == MKDEV(5, 1));
	inode_put(ino);
	EXPECT(ktest_lookup_err("/dev/null", 0) == 0);
	EXPECT(ktest_lookup_err("/dev/zero", 0) == 0);
}

KTEST(cpio, rejects_malformed_archives)
{
	struct ar a = { .cap = 4096 };
	struct inode *before;

	a.buf = kmalloc(a.cap);
	ASSERT(a.buf);
	ktest_fresh_root();
	before = vfs_root;
	build_archive(&a);
	/* Every truncation that cuts the trailer is refused and keeps the root. */
	for (size_t cut = 1; cut < a.len - 12; cut += 7) {
		int r = ramfs_mount_root_from_cpio(a.buf, cut);

		if (r != -EINVAL) {
			kprintf("# cut %lu: %d\n", (unsigned long)cut, r);
			EXPECT(r == -EINVAL);
			break;
		}
	}
	EXPECT(vfs_root == before);
	a.buf[3] = 'X'; /* bad magic */
	EXPECT(ramfs_mount_root_from_cpio(a.buf, a.len) == -EINVAL);
	build_archive(&a);
	memcpy(a.buf + 110 + 4 + 6 + 8 * 6, "zzzzzzzz", 8); /* bin's c_filesize */
	EXPECT(ramfs_mount_root_from_cpio(a.buf, a.len) == -EINVAL);
	build_archive(&a);
	a.len = 0;
	ar_add(&a, "../escape", 1, 0100644, 1, "", 0);
	ar_add(&a, "TRAILER!!!", 0, 0, 1, "", 0);
	EXPECT(ramfs_mount_root_from_cpio(a.buf, a.len) == -EINVAL);
	EXPECT(vfs_root == before);
	kfree(a.buf);
	/* An empty initrd still gives a root with /dev. */
	EXPECT(ramfs_mount_root_from_cpio(NULL, 0) == 0);
	EXPECT(ktest_lookup_err("/dev/console", 0) == 0);
}
