// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the VFS, ramfs and the initrd unpacker (suites `vfs`
 * and `cpio`). Each case builds a fresh ramfs root and walks it with no
 * process (p == NULL: relative paths start at the root).
 */
#include "kernel/fs/devfs.h"
#include "kernel/fs/ramfs/ramfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static void fresh_root(void)
{
	struct inode *r = ramfs_create_fs();

	vfs_set_root(r);
	inode_put(r);
}

static int lookup_err(const char *path, unsigned flags)
{
	struct inode *ino;
	int err = vfs_lookup(NULL, NULL, path, flags, &ino);

	if (!err)
		inode_put(ino);
	return err;
}

static uint64_t ino_of(const char *path, unsigned flags)
{
	struct inode *ino;
	uint64_t n;

	if (vfs_lookup(NULL, NULL, path, flags, &ino))
		return 0;
	n = ino->ino;
	inode_put(ino);
	return n;
}

static int mkfile(const char *path, const char *data)
{
	struct file *f;
	struct future *pend;
	struct iovec iov;
	struct uio u;
	int err = vfs_open(NULL, NULL, path, O_CREAT | O_WRONLY | O_TRUNC, 0644, &f);

	if (err)
		return err;
	uio_init_kernel(&u, &iov, (void *)data, strlen(data));
	long r = file_rw(NULL, f, &u, NULL, true, &pend);

	file_put(f);
	return r < 0 ? (int)r : 0;
}

static long readall(const char *path, char *buf, size_t n)
{
	struct file *f;
	long r;
	int err = vfs_open_kernel(NULL, path, O_RDONLY, &f);

	if (err)
		return err;
	r = file_read_kernel(f, buf, n, 0);
	file_put(f);
	return r;
}

KTEST(vfs, lookup_dots_and_slashes)
{
	fresh_root();
	ASSERT(vfs_mknod(NULL, NULL, "/a", S_IFDIR | 0755, 0) == 0);
	ASSERT(vfs_mknod(NULL, NULL, "/a/b", S_IFDIR | 0755, 0) == 0);
	ASSERT(mkfile("/a/b/f", "x") == 0);
	uint64_t f = ino_of("/a/b/f", 0);

	EXPECT(f != 0);
	EXPECT(ino_of("//a///b//f", 0) == f);
	EXPECT(ino_of("/a/./b/./f", 0) == f);
	EXPECT(ino_of("/a/b/../b/f", 0) == f);
	EXPECT(ino_of("/../../a/b/f", 0) == f); /* .. at the root stays there */
	EXPECT(ino_of("a/b/f", 0) == f);	     /* no process: relative to the root */
	EXPECT(ino_of("/a/b/", 0) == ino_of("/a/b", 0));
	EXPECT(ino_of("/", 0) == vfs_root->ino);
	EXPECT(lookup_err("/a/b/f/", 0) == -ENOTDIR);
	EXPECT(lookup_err("/a/b/f/x", 0) == -ENOTDIR);
	EXPECT(lookup_err("/a/b/f/..", 0) == -ENOTDIR);
	EXPECT(lookup_err("/a/nope", 0) == -ENOENT);
	EXPECT(lookup_err("/nope/x", 0) == -ENOENT);
	EXPECT(lookup_err("", 0) == -ENOENT);
	EXPECT(lookup_err("/a/b/f", WALK_DIRECTORY) == -ENOTDIR);
}

KTEST(vfs, name_and_path_length_limits)
{
	char *p = kmalloc(PATH_MAX + 8);

	ASSERT(p);
	fresh_root();
	memset(p, 'n', 256);
	p[256] = '\0';
	EXPECT(lookup_err(p, 0) == -ENAMETOOLONG);
	EXPECT(vfs_mknod(NULL, NULL, p, S_IFDIR | 0755, 0) == -ENAMETOOLONG);
	p[255] = '\0';
	EXPECT(lookup_err(p, 0) == -ENOENT);
	EXPECT(vfs_mknod(NULL, NULL, p, S_IFDIR | 0755, 0) == 0);
	EXPECT(lookup_err(p, 0) == 0);
	/* A 4096-byte path (no room for the NUL within PATH_MAX). */
	for (int i = 0; i < PATH_MAX; i++)
		p[i] = i % 2 ? '/' : 'x';
	p[PATH_MAX] = '\0';
	EXPECT(lookup_err(p, 0) == -ENAMETOOLONG);
	p[PATH_MAX - 2] = '\0'; /* 4094 bytes: fine length, x is missing */
	EXPECT(lookup_err(p, 0) == -ENOENT);
	kfree(p);
}

KTEST(vfs, symlinks_follow_and_loop)
{
	char name[16], target[16];
	struct inode *ino;

	fresh_root();
	ASSERT(vfs_mknod(NULL, NULL, "/a", S_IFDIR | 0755, 0) == 0);
	ASSERT(vfs_mknod(NULL, NULL, "/a/b", S_IFDIR | 0755, 0) == 0);
	ASSERT(mkfile("/a/b/f", "data") == 0);
	uint64_t f = ino_of("/a/b/f", 0);

	ASSERT(vfs_symlink(NULL, NULL, "/a/b", "/abs") == 0);
	ASSERT(vfs_symlink(NULL, NULL, "b", "/a/rel") == 0);
	ASSERT(vfs_symlink(NULL, NULL, "../b/f", "/a/b/up") == 0);
	ASSERT(vfs_symlink(NULL, NULL, "/a/b/f", "/tofile") == 0);
	EXPECT(ino_of("/abs/f", 0) == f);
	EXPECT(ino_of("/a/rel/f", 0) == f);
	EXPECT(ino_of("/a/rel/up", 0) == f);
	EXPECT(ino_of("/abs/", 0) == ino_of("/a/b", 0));
	EXPECT(lookup_err("/tofile/", 0) == -ENOTDIR);
	/* NOFOLLOW stops at the final link, not at inner ones. */
	ASSERT(vfs_lookup(NULL, NULL, "/abs", WALK_NOFOLLOW, &ino) == 0);
	EXPECT(S_ISLNK(ino->mode));
	inode_put(ino);
	EXPECT(ino_of("/abs/up", WALK_NOFOLLOW) != f);
	EXPECT(ino_of("/abs/up", 0) == f);
	/* Loops. */
	ASSERT(vfs_symlink(NULL, NULL, "/y", "/x") == 0);
	ASSERT(vfs_symlink(NULL, NULL, "/x", "/y") == 0);
	ASSERT(vfs_symlink(NULL, NULL, "self", "/self") == 0);
	EXPECT(lookup_err("/x", 0) == -ELOOP);
	EXPECT(lookup_err("/self/z", 0) == -ELOOP);
	EXPECT(lookup_err("/x", WALK_NOFOLLOW) == 0);
	/* A chain of 40 links resolves, 41 is a loop. l0 -> /a/b/f, lN -> lN-1. */
	ASSERT(vfs_symlink(NULL, NULL, "/a/b/f", "/l0") == 0);
	for (int i = 1; i <= 40; i++) {
		fmt_snprintf(name, sizeof(name), "/l%d", i);
		fmt_snprintf(target, sizeof(target), "l%d", i - 1);
		ASSERT(vfs_symlink(NULL, NULL, target, name) == 0);
	}
	EXPECT(ino_of("/l39", 0) == f); /* 40 links followed */
	EXPECT(lookup_err("/l40", 0) == -ELOOP);
	/* Dangling. */
	ASSERT(vfs_symlink(NULL, NULL, "/nowhere", "/dang") == 0);
	EXPECT(lookup_err("/dang", 0) == -ENOENT);
	EXPECT(vfs_symlink(NULL, NULL, "", "/empty") == -ENOENT);
}

KTEST(vfs, create_unlink_mkdir_rmdir_errors)
{
	struct file *f;

	fresh_root();
	ASSERT(vfs_mknod(NULL, NULL, "/d", S_IFDIR | 0755, 0) == 0);
	EXPECT(vfs_mknod(NULL, NULL, "/d", S_IFDIR | 0755, 0) == -EEXIST);
	EXPECT(vfs_mknod(NULL, NULL, "/", S_IFDIR | 0755, 0) == -EEXIST);
	EXPECT(vfs_mknod(NULL, NULL, "/d/.", S_IFDIR | 0755, 0) == -EEXIST);
	EXPECT(vfs_mknod(NULL, NULL, "/no/x", S_IFDIR | 0755, 0) == -ENOENT);
	ASSERT(mkfile("/d/f", "1") == 0);
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
	EXPECT(lookup_err("/d/f", 0) == -ENOENT);
	EXPECT(vfs_unlink(NULL, NULL, "/d/", true) == 0);
	EXPECT(lookup_err("/d", 0) == -ENOENT);
	/* link / rename */
	ASSERT(mkfile("/a", "A") == 0);
	ASSERT(vfs_mknod(NULL, NULL, "/dir", S_IFDIR | 0755, 0) == 0);
	ASSERT(vfs_mknod(NULL, NULL, "/dir/sub", S_IFDIR | 0755, 0) == 0);
	EXPECT(vfs_link(NULL, NULL, "/a", NULL, "/b", false) == 0);
	EXPECT(ino_of("/a", 0) == ino_of("/b", 0));
	EXPECT(vfs_link(NULL, NULL, "/a", NULL, "/b", false) == -EEXIST);
	EXPECT(vfs_link(NULL, NULL, "/dir", NULL, "/dir2", false) == -EPERM);
	EXPECT(vfs_rename(NULL, NULL, "/dir", NULL, "/dir/sub/x", 0) == -EINVAL);
	EXPECT(vfs_rename(NULL, NULL, "/a", NULL, "/dir", 0) == -EISDIR);
	EXPECT(vfs_rename(NULL, NULL, "/dir", NULL, "/a", 0) == -ENOTDIR);
	ASSERT(vfs_mknod(NULL, NULL, "/e", S_IFDIR | 0755, 0) == 0);
	EXPECT(vfs_rename(NULL, NULL, "/e", NULL, "/dir", 0) == -ENOTEMPTY);
	EXPECT(vfs_rename(NULL, NULL, "/e", NULL, "/dir/sub", 0) == 0);
	EXPECT(lookup_err("/e", 0) == -ENOENT);
	uint64_t bi = ino_of("/b", 0);

	EXPECT(vfs_rename(NULL, NULL, "/b", NULL, "/c", 1 /* NOREPLACE */) == 0);
	EXPECT(ino_of("/c", 0) == bi);
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

	fresh_root();
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
	ASSERT(mkfile("/ap", "abc") == 0);
	ASSERT(vfs_open(NULL, NULL, "/ap", O_WRONLY | O_APPEND, 0, &f) == 0);
	f->pos = 0;
	uio_init_kernel(&u, &iov, "def", 3);
	EXPECT(file_rw(NULL, f, &u, NULL, true, &pend) == 3);
	file_put(f);
	EXPECT(readall("/ap", buf, sizeof(buf)) == 6);
	EXPECT(memcmp(buf, "abcdef", 6) == 0);
	/* O_TRUNC */
	ASSERT(vfs_open(NULL, NULL, "/ap", O_WRONLY | O_TRUNC, 0, &f) == 0);
	file_put(f);
	EXPECT(readall("/ap", buf, sizeof(buf)) == 0);
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

	fresh_root();
	inodes = ramfs_inodes_in_use();
	ASSERT(mkfile("/u", "keep") == 0);
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

	fresh_root();
	ASSERT(vfs_mknod(NULL, NULL, "/x", S_IFDIR | 0755, 0) == 0);
	ASSERT(vfs_mknod(NULL, NULL, "/x/yy", S_IFDIR | 0755, 0) == 0);
	ASSERT(mkfile("/x/a", "") == 0);
	ASSERT(mkfile("/x/b", "") == 0);
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

	fresh_root();
	inodes = ramfs_inodes_in_use();
	ASSERT(mkfile("/e", "") == 0);
	EXPECT(ramfs_inodes_in_use() == inodes + 1);
	/* One inode plus one entry (kmalloc-48 for names up to 16 bytes). */
	kprintf("# ramfs: empty file = inode %lu + entry 48 bytes\n",
		(unsigned long)ramfs_inode_bytes());
	EXPECT(ramfs_inode_bytes() + 48 < 256);
	ASSERT(vfs_unlink(NULL, NULL, "/e", false) == 0);
	EXPECT(ramfs_inodes_in_use() == inodes);
}

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
	uint64_t sh = ino_of("/bin/sh", 0);

	EXPECT(sh != 0);
	EXPECT(ino_of("/bin/ls", 0) == sh);
	EXPECT(ino_of("/sbin/init", 0) == sh);
	EXPECT(ino_of("/bin/link", 0) == sh);
	ASSERT(vfs_lookup(NULL, NULL, "/bin/ls", 0, &ino) == 0);
	EXPECT(ino->nlink == 3);
	EXPECT(ino->mode == (S_IFREG | 0755));
	EXPECT(ino->size == 7);
	inode_put(ino);
	EXPECT(readall("/bin/sh", buf, sizeof(buf)) == 7);
	EXPECT(memcmp(buf, "BOXDATA", 7) == 0);
	EXPECT(readall("/etc/rc", buf, sizeof(buf)) == 8);
	EXPECT(memcmp(buf, "echo hi\n", 8) == 0);
	ASSERT(vfs_lookup(NULL, NULL, "/tmp", 0, &ino) == 0);
	EXPECT(ino->mode == (S_IFDIR | 01777));
	inode_put(ino);
	ASSERT(vfs_lookup(NULL, NULL, "/dev/console", 0, &ino) == 0);
	EXPECT(S_ISCHR(ino->mode));
	EXPECT(ino->rdev == MKDEV(5, 1));
	inode_put(ino);
	EXPECT(lookup_err("/dev/null", 0) == 0);
	EXPECT(lookup_err("/dev/zero", 0) == 0);
}

KTEST(cpio, rejects_malformed_archives)
{
	struct ar a = { .cap = 4096 };
	struct inode *before;

	a.buf = kmalloc(a.cap);
	ASSERT(a.buf);
	fresh_root();
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
	EXPECT(lookup_err("/dev/console", 0) == 0);
}
