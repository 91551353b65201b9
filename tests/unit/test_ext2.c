// SPDX-License-Identifier: MIT
/*
 * Host test of the files of kernel/fs/ext2/ through the real VFS (vfs.c, path.c, mount.c) over a
 * fake buffer cache backed by an image file that `mke2fs -t ext2 -d` made
 * at test time. The fake cache holds few blocks and starts every miss as
 * -EIOWAIT, so each op is restarted the way fs_call() restarts syscalls; an
 * op that dirtied a block and then asked to wait breaks the restart
 * contract and fails the test. After each scenario the cache is written
 * back and `e2fsck -fn` must find the image clean.
 */
#include "tests/unit/ext2_fixture.h"

/* ---- the scenario ---------------------------------------------------------- */

static void scenario(unsigned bsize)
{
	char buf[4096], path[64];
	struct inode *ino;

	make_image(bsize, "8M");
	fsck();
	mount_img();

	/* reading what mke2fs -d wrote: holes, indirect blocks, links */
	check_same("hello.txt");
	check_same("a/b/c/deep");
	check_same("rand.bin");
	check_same("sparse");
	check_same("link");
	assert_int_equal(count_entries("/a"), 150 + 3);
	ino = lookup("/link", WALK_NOFOLLOW);
	assert_non_null(ino);
	assert_true(S_ISLNK(ino->mode));
	inode_put(ino);
	ino = lookup("/hard", 0);
	assert_int_equal(ino->nlink, 2);
	inode_put(ino);

	/* errors */
	assert_int_equal(RUN(vfs_mknod(NULL, NULL, "/a", S_IFDIR | 0755, 0)), -EEXIST);
	assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/a", true)), -ENOTEMPTY);
	assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/a", false)), -EISDIR);
	assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/nope", false)), -ENOENT);
	assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/hello.txt/x", false)), -ENOTDIR);

	/* many small files, then remove half */
	for (int i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/many%d", i);
		snprintf(buf, sizeof(buf), "file %d", i);
		assert_int_equal(kwrite(path, buf, strlen(buf), 0, O_EXCL), (long)strlen(buf));
	}
	for (int i = 0; i < 300; i += 2) {
		snprintf(path, sizeof(path), "/many%d", i);
		assert_int_equal(RUN(vfs_unlink(NULL, NULL, path, false)), 0);
	}
	/* a big file through double indirect blocks, a sparse one in triple */
	{
		size_t big = 3u << 20;
		uint8_t *data = malloc(big), *back = malloc(big);

		for (size_t i = 0; i < big; i++)
			data[i] = (uint8_t)(rnd() >> 11);
		assert_int_equal(kwrite("/big", data, big, 0, 0), (long)big);
		assert_int_equal(kread("/big", back, big, 0), (long)big);
		assert_memory_equal(data, back, big);
		uint64_t a = bsize / 4;
		uint64_t tind = (12 + a + a * a) * bsize + 12345;
		assert_int_equal(kwrite("/tri", "triple", 6, tind, 0), 6);
		memset(back, 1, 64);
		assert_int_equal(kread("/tri", back, 6, tind), 6);
		assert_memory_equal(back, "triple", 6);
		assert_int_equal(kread("/tri", back, 64, 4096), 64);
		for (int i = 0; i < 64; i++)
			assert_int_equal(back[i], 0);
		/* truncate inside the double-indirect range, then grow by writing */
		ino = lookup("/big", 0);
		assert_int_equal(RUN_STEPS(vfs_truncate(ino, 100000)), 0);
		inode_put(ino);
		assert_int_equal(kread("/big", back, big, 0), 100000);
		assert_memory_equal(data, back, 100000);
		assert_int_equal(kwrite("/big", "x", 1, 200000, 0), 1);
		assert_int_equal(kread("/big", back, 100001, 100000), 100001);
		for (int i = 0; i < 100000; i++)
			assert_int_equal(back[i], 0);
		free(data);
		free(back);
	}
	/* directories, rename, link, symlinks */
	assert_int_equal(RUN(vfs_mknod(NULL, NULL, "/d1", S_IFDIR | 0755, 0)), 0);
	assert_int_equal(RUN(vfs_mknod(NULL, NULL, "/d1/d2", S_IFDIR | 0755, 0)), 0);
	assert_int_equal(kwrite("/d1/d2/f", "abc", 3, 0, 0), 3);
	assert_int_equal(RUN(vfs_rename(NULL, NULL, "/d1/d2", NULL, "/a/b/moved", 0)), 0);
	assert_int_equal(RUN(vfs_rename(NULL, NULL, "/a", NULL, "/a/b/c/x", 0)), -EINVAL);
	assert_int_equal(kread("/a/b/moved/f", buf, 10, 0), 3);
	assert_int_equal(RUN(vfs_rename(NULL, NULL, "/many1", NULL, "/many3", 0)), 0);
	assert_int_equal(RUN(vfs_rename(NULL, NULL, "/a/b/moved/f", NULL, "/d1/g", 0)), 0);
	assert_int_equal(RUN(vfs_link(NULL, NULL, "/d1/g", NULL, "/d1/h", false)), 0);
	assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/a/b/moved", true)), 0);
	assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/d1", true)), -ENOTEMPTY);
	assert_int_equal(RUN(vfs_symlink(NULL, NULL, "d1/g", "/fast")), 0);
	memset(buf, 'L', 200);
	buf[200] = 0;
	assert_int_equal(RUN(vfs_symlink(NULL, NULL, buf, "/slow")), 0);
	{
		char t[300];
		ino = lookup("/slow", WALK_NOFOLLOW);
		assert_int_equal(RUN(ino->iops->readlink(ino, t, sizeof(t))), 200);
		assert_memory_equal(t, buf, 200);
		inode_put(ino);
	}
	assert_int_equal(kread("/fast", buf, 10, 0), 3);
	assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/link", false)), 0);
	/* unlink while open: the data stays readable until the last close */
	{
		struct file *f;
		struct iovec iov;
		struct uio u;
		uint64_t pos = 0;
		assert_int_equal(RUN(vfs_open(NULL, NULL, "/rand.bin", O_RDONLY, 0, &f)), 0);
		assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/rand.bin", false)), 0);
		uio_init_kernel(&u, &iov, buf, 100);
		assert_int_equal(RUN(f->ops->read(f, &u, &pos)), 100);
		file_put(f);
	}
	umount_img();
	fsck();

	/* remount: everything persisted; delete the rest */
	mount_img();
	assert_int_equal(kread("/d1/h", buf, 10, 0), 3);
	assert_int_equal(kread("/many3", buf, 10, 0), 6);
	assert_memory_equal(buf, "file 1", 6);
	assert_null(lookup("/many1", 0));
	assert_null(lookup("/rand.bin", 0));
	for (int i = 1; i < 300; i += 2) {
		snprintf(path, sizeof(path), "/many%d", i);
		if (i != 1)
			assert_int_equal(RUN(vfs_unlink(NULL, NULL, path, false)), 0);
	}
	assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/big", false)), 0);
	assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/tri", false)), 0);
	assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/slow", false)), 0);
	for (int i = 1; i <= 150; i++) {
		snprintf(path, sizeof(path), "/a/f%d", i);
		assert_int_equal(RUN(vfs_unlink(NULL, NULL, path, false)), 0);
	}
	/* fill the disk until ENOSPC, then delete */
	{
		static uint8_t chunk[65536];
		long r, total = 0;
		for (;;) {
			r = kwrite("/fill", chunk, sizeof(chunk), (uint64_t)total, 0);
			if (r <= 0)
				break;
			total += r;
			if (r < (long)sizeof(chunk))
				break;
		}
		assert_true(total > (4 << 20));
		assert_int_equal(kwrite("/fill", chunk, sizeof(chunk), (uint64_t)total, 0), -ENOSPC);
		umount_img();
		fsck();
		mount_img();
		assert_int_equal(RUN(vfs_unlink(NULL, NULL, "/fill", false)), 0);
	}
	umount_img();
	fsck();
	printf("# bsize %u: %u cache misses\n", bsize, misses);
	sh("rm -rf %s", tmpdir);
}

static void test_ext2_1k(void **s) { (void)s; scenario(1024); }
static void test_ext2_2k(void **s) { (void)s; scenario(2048); }
static void test_ext2_4k(void **s) { (void)s; scenario(4096); }

/*
 * A cold sequential read goes to the disk in a few large requests, not one
 * per block: 300,000 bytes in 1 KiB blocks is 74 pages (293 data blocks).
 * The page cache reads them in read-ahead windows of up to 64 pages, each
 * as one request per run of consecutive blocks (the indirect blocks break
 * the runs); only metadata goes through the (fake) buffer cache.
 */
static void test_ext2_cold_read_reads_ahead(void **s)
{
	struct pcache_stats a, b;
	unsigned misses0, reads0;

	(void)s;
	make_image(1024, "4M");
	mount_img();
	cache_flush(true);
	misses0 = misses;
	reads0 = page_reads;
	pcache_stats(&a);
	check_same("rand.bin");
	pcache_stats(&b);
	printf("# cold read of 74 pages: %lu fills of %lu pages, %lu requests (%u segments), "
	       "%u metadata misses\n",
	       (unsigned long)(b.fills - a.fills), (unsigned long)(b.fill_pages - a.fill_pages),
	       (unsigned long)(b.reqs - a.reqs), page_reads - reads0, misses - misses0);
	assert_int_equal(b.fill_pages - a.fill_pages, 74);
	assert_true(b.fills - a.fills <= 4);
	assert_true(b.reqs - a.reqs <= 12);
	assert_true(misses - misses0 <= 12);
	umount_img();
	sh("rm -rf %s", tmpdir);
}

/*
 * Defect 6 of issue 16: a walk through more directories than the cache holds. 150 nested
 * directories in 1 KiB blocks need ~190 blocks (a directory block each, an inode-table block
 * per 4 inodes), four times the fake cache. From scratch at every miss a walk ends only
 * by luck (random eviction); with the I/O context each rerun goes on from its checkpoint,
 * so it takes about one run per block it needs. getcwd going back up, and a relative
 * walk of 150 "..", the same.
 */
#define DEEP_HOST 150

static void test_ext2_deep_walk_resumes_with_an_ioctx(void **s)
{
	static char path[2 * DEEP_HOST + 2], up[3 * DEEP_HOST + 1], cwd[4096];
	unsigned runs = 0, plain = 0;
	struct inode *ino, *leaf;

	(void)s;
	make_image(1024, "8M");
	for (int i = 0; i < DEEP_HOST; i++)
		memcpy(path + 2 * i, "/d", 2);
	path[2 * DEEP_HOST] = '\0';
	sh("mkdir -p %s%s", src, path);
	sh("E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext2 -b 1024 -d %s %s 8M", src, img);
	mount_img();

	cache_flush(true);
	assert_int_equal(RUN_CTX(vfs_lookup(NULL, NULL, path, 0, &leaf), &runs), 0);
	assert_true(S_ISDIR(leaf->mode));
	printf("# walk of %d directories, cold: %u runs with the I/O context\n", DEEP_HOST, runs);
	assert_true(runs <= 2 * DEEP_HOST);

	cache_flush(true);
	runs = 0;
	long n = RUN_CTX(vfs_getcwd(leaf, cwd, sizeof(cwd)), &runs);
	assert_int_equal(n, 2 * DEEP_HOST + 1);
	assert_string_equal(cwd, path);
	printf("# getcwd %d deep, cold: %u runs\n", DEEP_HOST, runs);
	assert_true(runs <= 3 * DEEP_HOST);

	for (int i = 0; i < DEEP_HOST; i++)
		memcpy(up + 3 * i, "../", 3);
	up[3 * DEEP_HOST - 1] = '\0';
	cache_flush(true);
	runs = 0;
	assert_int_equal(RUN_CTX(vfs_lookup(NULL, leaf, up, 0, &ino), &runs), 0);
	assert_ptr_equal(ino, root);
	inode_put(ino);
	printf("# %d x \"..\", cold: %u runs\n", DEEP_HOST, runs);
	assert_true(runs <= 3 * DEEP_HOST);

	/* Without the context (every run from the root): counted, for the record. */
	cache_flush(true);
	for (;;) {
		long r = vfs_lookup(NULL, NULL, path, 0, &ino);

		plain++;
		if (r != -EIOWAIT) {
			inode_put(ino);
			break;
		}
		future_release(vfs_take_io_wait());
		if (plain == 20000)
			break;
	}
	printf("# the same walk from scratch at every miss: %s after %u runs\n",
	       plain == 20000 ? "not done" : "done", plain);
	inode_put(leaf);
	umount_img();
	sh("rm -rf %s", tmpdir);
}

static void test_ext2_refuses_incompat_feature(void **s)
{
	(void)s;
	make_image(1024, "4M");
	sh("debugfs -w -R 'feature extent' %s >/dev/null 2>&1", img);
	dev_fd = open(img, O_RDWR);
	fs = NULL;
	assert_int_equal(RUN(ext2_mount(&thedev, &fs, &root)), -EINVAL);
	cache_flush(true);
	close(dev_fd);
	sh("rm -rf %s", tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext2_1k),
		cmocka_unit_test(test_ext2_2k),
		cmocka_unit_test(test_ext2_4k),
		cmocka_unit_test(test_ext2_cold_read_reads_ahead),
		cmocka_unit_test(test_ext2_refuses_incompat_feature),
		cmocka_unit_test(test_ext2_deep_walk_resumes_with_an_ioctx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
