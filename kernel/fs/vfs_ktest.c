// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the VFS over ramfs (suite `vfs`). Each case builds a
 * fresh ramfs root and walks it with no process (p == NULL: relative paths
 * start at the root).
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

KTEST(vfs, lookup_dots_and_slashes)
{
	ktest_fresh_root();
	ASSERT(vfs_mknod(NULL, NULL, "/a", S_IFDIR | 0755, 0) == 0);
	ASSERT(vfs_mknod(NULL, NULL, "/a/b", S_IFDIR | 0755, 0) == 0);
	ASSERT(ktest_mkfile("/a/b/f", "x") == 0);
	uint64_t f = ktest_ino_of("/a/b/f", 0);

	EXPECT(f != 0);
	EXPECT(ktest_ino_of("//a///b//f", 0) == f);
	EXPECT(ktest_ino_of("/a/./b/./f", 0) == f);
	EXPECT(ktest_ino_of("/a/b/../b/f", 0) == f);
	EXPECT(ktest_ino_of("/../../a/b/f", 0) == f); /* .. at the root stays there */
	EXPECT(ktest_ino_of("a/b/f", 0) == f);	     /* no process: relative to the root */
	EXPECT(ktest_ino_of("/a/b/", 0) == ktest_ino_of("/a/b", 0));
	EXPECT(ktest_ino_of("/", 0) == vfs_root->ino);
	EXPECT(ktest_lookup_err("/a/b/f/", 0) == -ENOTDIR);
	EXPECT(ktest_lookup_err("/a/b/f/x", 0) == -ENOTDIR);
	EXPECT(ktest_lookup_err("/a/b/f/..", 0) == -ENOTDIR);
	EXPECT(ktest_lookup_err("/a/nope", 0) == -ENOENT);
	EXPECT(ktest_lookup_err("/nope/x", 0) == -ENOENT);
	EXPECT(ktest_lookup_err("", 0) == -ENOENT);
	EXPECT(ktest_lookup_err("/a/b/f", WALK_DIRECTORY) == -ENOTDIR);
}

KTEST(vfs, name_and_path_length_limits)
{
	char *p = kmalloc(PATH_MAX + 8);

	ASSERT(p);
	ktest_fresh_root();
	memset(p, 'n', 256);
	p[256] = '\0';
	EXPECT(ktest_lookup_err(p, 0) == -ENAMETOOLONG);
	EXPECT(vfs_mknod(NULL, NULL, p, S_IFDIR | 0755, 0) == -ENAMETOOLONG);
	p[255] = '\0';
	EXPECT(ktest_lookup_err(p, 0) == -ENOENT);
	EXPECT(vfs_mknod(NULL, NULL, p, S_IFDIR | 0755, 0) == 0);
	EXPECT(ktest_lookup_err(p, 0) == 0);
	/* A 4096-byte path (no room for the NUL within PATH_MAX). */
	for (int i = 0; i < PATH_MAX; i++)
		p[i] = i % 2 ? '/' : 'x';
	p[PATH_MAX] = '\0';
	EXPECT(ktest_lookup_err(p, 0) == -ENAMETOOLONG);
	p[PATH_MAX - 2] = '\0'; /* 4094 bytes: fine length, x is missing */
	EXPECT(ktest_lookup_err(p, 0) == -ENOENT);
	kfree(p);
}

KTEST(vfs, symlinks_follow_and_loop)
{
	char name[16], target[16];
	struct inode *ino;

	ktest_fresh_root();
	ASSERT(vfs_mknod(NULL, NULL, "/a", S_IFDIR | 0755, 0) == 0);
	ASSERT(vfs_mknod(NULL, NULL, "/a/b", S_IFDIR | 0755, 0) == 0);
	ASSERT(ktest_mkfile("/a/b/f", "data") == 0);
	uint64_t f = ktest_ino_of("/a/b/f", 0);

	ASSERT(vfs_symlink(NULL, NULL, "/a/b", "/abs") == 0);
	ASSERT(vfs_symlink(NULL, NULL, "b", "/a/rel") == 0);
	ASSERT(vfs_symlink(NULL, NULL, "../b/f", "/a/b/up") == 0);
	ASSERT(vfs_symlink(NULL, NULL, "/a/b/f", "/tofile") == 0);
	EXPECT(ktest_ino_of("/abs/f", 0) == f);
	EXPECT(ktest_ino_of("/a/rel/f", 0) == f);
	EXPECT(ktest_ino_of("/a/rel/up", 0) == f);
	EXPECT(ktest_ino_of("/abs/", 0) == ktest_ino_of("/a/b", 0));
	EXPECT(ktest_lookup_err("/tofile/", 0) == -ENOTDIR);
	/* NOFOLLOW stops at the final link, not at inner ones. */
	ASSERT(vfs_lookup(NULL, NULL, "/abs", WALK_NOFOLLOW, &ino) == 0);
	EXPECT(S_ISLNK(ino->mode));
	inode_put(ino);
	EXPECT(ktest_ino_of("/abs/up", WALK_NOFOLLOW) != f);
	EXPECT(ktest_ino_of("/abs/up", 0) == f);
	/* Loops. */
	ASSERT(vfs_symlink(NULL, NULL, "/y", "/x") == 0);
	ASSERT(vfs_symlink(NULL, NULL, "/x", "/y") == 0);
	ASSERT(vfs_symlink(NULL, NULL, "self", "/self") == 0);
	EXPECT(ktest_lookup_err("/x", 0) == -ELOOP);
	EXPECT(ktest_lookup_err("/self/z", 0) == -ELOOP);
	EXPECT(ktest_lookup_err("/x", WALK_NOFOLLOW) == 0);
	/* A chain of 40 links resolves, 41 is a loop. l0 -> /a/b/f, lN -> lN-1. */
	ASSERT(vfs_symlink(NULL, NULL, "/a/b/f", "/l0") == 0);
	for (int i = 1; i <= 40; i++) {
		fmt_snprintf(name, sizeof(name), "/l%d", i);
		fmt_snprintf(target, sizeof(target), "l%d", i - 1);
		ASSERT(vfs_symlink(NULL, NULL, target, name) == 0);
	}
	EXPECT(ktest_ino_of("/l39", 0) == f); /* 40 links followed */
	EXPECT(ktest_lookup_err("/l40", 0) == -ELOOP);
	/* Dangling. */
	ASSERT(vfs_symlink(NULL, NULL, "/nowhere", "/dang") == 0);
	EXPECT(ktest_lookup_err("/dang", 0) == -ENOENT);
	EXPECT(vfs_symlink(NULL, NULL, "", "/empty") == -ENOENT);
}

KTEST(vfs, create_unlink_mkdir_rmdir_errors)
{
	struct file *f;

	ktest_fresh_root();
	ASSERT(vfs_mknod(NULL, NULL, "/d", S_IFDIR | 0755, 0) == 0);
	EXPECT(vfs_mknod(NULL, NULL, "/d", S_IFDIR | 0755, 0) == -EEXIST);
	EXPECT(vfs_mknod(NULL, NULL, "/", S_IFDIR | 0755, 0) == -EEXIST);
	EXPECT(vfs_mknod(NULL, NULL, "/d/.", S_IFDIR | 0755, 0) == -EEXIST);
	EXPECT(vfs_mknod(NULL, NULL, "/no/x", S_IFDIR | 0755, 0) == -ENOENT);
	ASSERT(ktest_mkfile("/d/f", "1") == 0);
	EXPECT(vfs_mknod(NULL, NULL, "/d/f/x", S_IFDIR | 0755, 0) == -ENOTDIR);
	EXPECT(vfs_open(NULL, NULL, "/d/f", O_CREAT | O_EXCL | O_WRONLY, 0644, &f) == -EEXIST);
	EXPECT(vfs_open(NULL, NULL, "/d/f", O_RDONLY | O_DIRECTORY, 0, &f) == -ENOTDIR);
	EXPECT(vfs_open(NULL, NULL, "/d", O_WRONLY, 0, &f) == -EISDIR);
	EXPECT(vfs_open(NULL, NULL, "/d", O_CREAT | O_RDONLY, 0644, &f) == -EISDIR);
	EXPECT(vfs_open(NULL, NULL, "/d/g/", O_CREAT | O_WRONLY, 0644, &f) == -EISDIR);
	EXPECT(vfs_open(NULL, NULL, "/d/none", O_RDONLY, 0, &f) == -ENOENT);
	EXPECT(vfs_unlink(NULL, NULL, "/d", false) == -EISDIR);
	EXPECT(vfs_unlink(NULL, NULL, "/d/f", true) == -ENOTDIR);
	EXPECT(vfs_unlink(NULL, NULL, "/d", true) == -ENOTEMPTY);
	EXPECT(vfs_unlink(NULL, NULL, "/d/f/", false) == -ENOTDIR);
	EXPECT(vfs_unlink(NULL, NULL, "/", true) == -EBUSY);
	EXPECT(vfs_unlink(NULL, NULL, "/d/.", true) == -EINVAL);
	EXPECT(vfs_unlink(NULL, NULL, "/d/missing", false) == -ENOENT);
	EXPECT(vfs_unlink(NULL, NULL, "/d/f", false) == 0);
	EXPECT(ktest_lookup_err("/d/f", 0) == -ENOENT);
	EXPECT(vfs_unlink(NULL, NULL, "/d/", true) == 0);
	EXPECT(ktest_lookup_err("/d", 0) == -ENOENT);
	/* link / rename */
	ASSERT(ktest_mkfile("/a", "A") == 0);
	ASSERT(vfs_mknod(NULL, NULL, "/dir", S_IFDIR | 0755, 0) == 0);
	ASSERT(vfs_mknod(NULL, NULL, "/dir/sub", S_IFDIR | 0755, 0) == 0);
	EXPECT(vfs_link(NULL, NULL, "/a", NULL, "/b", false) == 0);
	EXPECT(ktest_ino_of("/a", 0) == ktest_ino_of("/b", 0));
	EXPECT(vfs_link(NULL, NULL, "/a", NULL, "/b", false) == -EEXIST);
	EXPECT(vfs_link(NULL, NULL, "/dir", NULL, "/dir2", false) == -EPERM);
	EXPECT(vfs_rename(NULL, NULL, "/dir", NULL, "/dir/sub/x", 0) == -EINVAL);
	EXPECT(vfs_rename(NULL, NULL, "/a", NULL, "/dir", 0) == -EISDIR);
	EXPECT(vfs_rename(NULL, NULL, "/dir", NULL, "/a", 0) == -ENOTDIR);
	ASSERT(vfs_mknod(NULL, NULL, "/e", S_IFDIR | 0755, 0) == 0);
	EXPECT(vfs_rename(NULL, NULL, "/e", NULL, "/dir", 0) == -ENOTEMPTY);
	EXPECT(vfs_rename(NULL, NULL, "/e", NULL, "/dir/sub", 0) == 0);
	EXPECT(ktest_lookup_err("/e", 0) == -ENOENT);
	uint64_t bi = ktest_ino_of("/b", 0);

	EXPECT(vfs_rename(NULL, NULL, "/b", NULL, "/c", 1 /* NOREPLACE */) == 0);
	EXPECT(ktest_ino_of("/c", 0) == bi);
	EXPECT(vfs_rename(NULL, NULL, "/c", NULL, "/a", 1) == -EEXIST);
	EXPECT(vfs_rename(NULL, NULL, "/c", NULL, "/a", 0) == 0); /* same inode: no-op */
}

KTEST(vfs, file_holes_truncate_append)
{
	struct file *f;
	struct future *pend;
	struct iovec iov;
	struct uio u;
	char buf[64];
	static char big[9000];

	ktest_fresh_root();
	ASSERT(vfs_open(NULL, NULL, "/h", O_CREAT | O_RDWR, 0644, &f) == 0);
	/* A write far out leaves a hole that reads as zeros. */
	f->pos = 3 * 4096 + 100;
	uio_init_kernel(&u, &iov, "tail", 4);
	EXPECT(file_rw(NULL, f, &u, NULL, true, &pend) == 4);
	EXPECT(f->inode->size == 3 * 4096 + 104);
	memset(big, 0x55, sizeof(big));
	EXPECT(file_read_kernel(f, big, sizeof(big), 100) == (long)sizeof(big));
	bool zeros = true;

	for (size_t i = 0; i < sizeof(big); i++)
		zeros &= big[i] == 0;
	EXPECT(zeros);
	EXPECT(file_read_kernel(f, buf, sizeof(buf), 3 * 4096 + 100) == 4);
	EXPECT(memcmp(buf, "tail", 4) == 0);
	EXPECT(file_read_kernel(f, buf, sizeof(buf), 1 << 20) == 0);
	/* Shrink into a page, then grow: the cut part reads as zeros. */
	ASSERT(vfs_truncate(f->inode, 3 * 4096 + 102) == 0);
	ASSERT(vfs_truncate(f->inode, 3 * 4096 + 200) == 0);
	EXPECT(file_read_kernel(f, buf, 8, 3 * 4096 + 100) == 8);
	EXPECT(memcmp(buf, "ta\0\0\0\0\0\0", 8) == 0);
	ASSERT(vfs_truncate(f->inode, 0) == 0);
	EXPECT(file_read_kernel(f, buf, sizeof(buf), 0) == 0);
	file_put(f);
	/* O_APPEND writes land at the end whatever the offset. */
	ASSERT(ktest_mkfile("/ap", "abc") == 0);
	ASSERT(vfs_open(NULL, NULL, "/ap", O_WRONLY | O_APPEND, 0, &f) == 0);
	f->pos = 0;
	uio_init_kernel(&u, &iov, "def", 3);
	EXPECT(file_rw(NULL, f, &u, NULL, true, &pend) == 3);
	file_put(f);
	EXPECT(ktest_readall("/ap", buf, sizeof(buf)) == 6);
	EXPECT(memcmp(buf, "abcdef", 6) == 0);
	/* O_TRUNC */
	ASSERT(vfs_open(NULL, NULL, "/ap", O_WRONLY | O_TRUNC, 0, &f) == 0);
	file_put(f);
	EXPECT(ktest_readall("/ap", buf, sizeof(buf)) == 0);
	/* file_read_kernel refuses directories and devices. */
	ASSERT(vfs_mknod(NULL, NULL, "/dd", S_IFDIR | 0755, 0) == 0);
	ASSERT(vfs_open(NULL, NULL, "/dd", O_RDONLY, 0, &f) == 0);
	EXPECT(file_read_kernel(f, buf, 1, 0) == -EISDIR);
	file_put(f);
	ASSERT(devfs_populate(vfs_root) == 0);
	ASSERT(vfs_open(NULL, NULL, "/dev/null", O_RDONLY, 0, &f) == 0);
	EXPECT(file_read_kernel(f, buf, 1, 0) == -EACCES);
	file_put(f);
}

KTEST(vfs, unlinked_open_file_stays_readable)
{
	struct file *f;
	char buf[8];
	size_t inodes;

	ktest_fresh_root();
	inodes = ramfs_inodes_in_use();
	ASSERT(ktest_mkfile("/u", "keep") == 0);
	ASSERT(vfs_open_kernel(NULL, "/u", O_RDONLY, &f) == 0);
	ASSERT(vfs_unlink(NULL, NULL, "/u", false) == 0);
	EXPECT(f->inode->nlink == 0);
	EXPECT(file_read_kernel(f, buf, sizeof(buf), 0) == 4);
	EXPECT(memcmp(buf, "keep", 4) == 0);
	EXPECT(ramfs_inodes_in_use() == inodes + 1);
	file_put(f);
	EXPECT(ramfs_inodes_in_use() == inodes);
}

struct names {
	char all[256];
	size_t len;
};

static bool collect(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
		    uint64_t next)
{
	struct names *n = ctx;

	(void)ino;
	(void)dtype;
	(void)next;
	if (n->len + len + 2 > sizeof(n->all))
		return false;
	memcpy(n->all + n->len, name, len);
	n->len += len;
	n->all[n->len++] = ' ';
	n->all[n->len] = '\0';
	return true;
}

KTEST(vfs, readdir_and_getcwd)
{
	struct names n = { .len = 0 };
	struct inode *d;
	struct file *f;
	uint64_t pos = 0;
	char buf[64];

	ktest_fresh_root();
	ASSERT(vfs_mknod(NULL, NULL, "/x", S_IFDIR | 0755, 0) == 0);
	ASSERT(vfs_mknod(NULL, NULL, "/x/yy", S_IFDIR | 0755, 0) == 0);
	ASSERT(ktest_mkfile("/x/a", "") == 0);
	ASSERT(ktest_mkfile("/x/b", "") == 0);
	ASSERT(vfs_unlink(NULL, NULL, "/x/a", false) == 0);
	ASSERT(vfs_open(NULL, NULL, "/x", O_RDONLY | O_DIRECTORY, 0, &f) == 0);
	ASSERT(f->ops->readdir(f, &pos, collect, &n) == 0);
	EXPECT(strcmp(n.all, ". .. yy b ") == 0);
	file_put(f);
	ASSERT(vfs_lookup(NULL, NULL, "/x/yy", 0, &d) == 0);
	EXPECT(vfs_getcwd(d, buf, sizeof(buf)) == 6);
	EXPECT(strcmp(buf, "/x/yy") == 0);
	EXPECT(vfs_getcwd(d, buf, 5) == -ERANGE);
	inode_put(d);
	EXPECT(vfs_getcwd(vfs_root, buf, sizeof(buf)) == 2);
	EXPECT(strcmp(buf, "/") == 0);
}

KTEST(vfs, empty_file_and_dir_cost)
{
	size_t inodes;

	ktest_fresh_root();
	inodes = ramfs_inodes_in_use();
	ASSERT(ktest_mkfile("/e", "") == 0);
	EXPECT(ramfs_inodes_in_use() == inodes + 1);
	/* One inode plus one entry (kmalloc-48 for names up to 16 bytes). */
	kprintf("# ramfs: empty file = inode %lu + entry 48 bytes\n",
		(unsigned long)ramfs_inode_bytes());
	EXPECT(ramfs_inode_bytes() + 48 < 256);
	ASSERT(vfs_unlink(NULL, NULL, "/e", false) == 0);
	EXPECT(ramfs_inodes_in_use() == inodes);
}
