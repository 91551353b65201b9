// SPDX-License-Identifier: MIT
/*
 * Host test of ext2 hashed directories (kernel/fs/ext2/htree*.c) over the ext2 fixture
 * (ext2_fixture.h: the real VFS and ext2 on a fake cache that makes every miss wait): a
 * directory grows from one block to an indexed one with an interior level and split nodes,
 * names are looked up, removed and renamed, readdir returns exactly the names that should
 * be there, and `e2fsck -fn` (which checks every hash range of the index) finds it clean;
 * and an index that e2fsck itself built (`e2fsck -fD`) is searched through correctly.
 */
#include "tests/unit/ext2_fixture.h"

#include "kernel/fs/ext2/htree.h"

struct seen_ctx {
	unsigned char *seen; /* per index: 1 file_, 2 ren_ */
	unsigned n, max, other;
};

static bool seen_fill(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dt,
		      uint64_t next)
{
	struct seen_ctx *c = ctx;
	char buf[64];
	unsigned i;

	(void)ino; (void)dt; (void)next;
	assert_true(len < sizeof(buf));
	memcpy(buf, name, len);
	buf[len] = 0;
	c->n++;
	if (sscanf(buf, "file_%u", &i) == 1 && i < c->max) {
		assert_int_equal(c->seen[i], 0); /* each name once */
		c->seen[i] = 1;
	} else if (sscanf(buf, "ren_%u", &i) == 1 && i < c->max) {
		assert_int_equal(c->seen[i], 0);
		c->seen[i] = 2;
	} else if (strcmp(buf, ".") && strcmp(buf, "..")) {
		c->other++;
	}
	return true;
}

static void readdir_all(const char *path, struct seen_ctx *c)
{
	struct inode *d = lookup(path, 0);
	uint64_t pos = 0;

	assert_non_null(d);
	for (unsigned before = ~0u; before != c->n;) {
		before = c->n;
		assert_int_equal(RUN(d->iops->readdir(d, &pos, seen_fill, c)), 0);
	}
	inode_put(d);
}

static void big_dir(unsigned bsize, unsigned n, const char *size, bool want_level)
{
	unsigned char *seen = calloc(n, 1);
	char p[64], q[64];
	struct inode *d;

	make_image(bsize, "8M");
	sh("E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext2 -b %u -N %u -d %s %s %s", bsize,
	   n + 1000, src, img, size);
	mount_img();
	assert_int_equal(RUN(vfs_mknod(NULL, NULL, "/big", S_IFDIR | 0755, 0)), 0);
	for (unsigned i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "/big/file_%05u", i);
		assert_int_equal(RUN_STEPS(vfs_mknod(NULL, NULL, p, S_IFREG | 0644, 0)), 0);
	}
	d = lookup("/big", 0);
	assert_non_null(d);
	assert_true(EI(d)->flags & EXT2_INDEX_FL);
	assert_true(d->size > 4 * bsize);
	printf("# %u names in %u-byte blocks: %lu blocks, %u index steps\n", n, bsize,
	       (unsigned long)(d->size / bsize), fs->dx_steps);
	/* A second create of any name is EEXIST: the index finds it. */
	for (unsigned i = 0; i < n; i += 97) {
		snprintf(p, sizeof(p), "/big/file_%05u", i);
		assert_int_equal(RUN(vfs_mknod(NULL, NULL, p, S_IFREG | 0644, 0)), -EEXIST);
	}
	for (unsigned i = 0; i < n; i += 7) {
		struct inode *f;

		snprintf(p, sizeof(p), "/big/file_%05u", i);
		f = lookup(p, 0);
		assert_non_null(f);
		inode_put(f);
		snprintf(p, sizeof(p), "/big/nope_%05u", i);
		assert_null(lookup(p, 0));
	}
	for (unsigned i = 1; i < n; i += 2) {
		snprintf(p, sizeof(p), "/big/file_%05u", i);
		assert_int_equal(RUN_STEPS(vfs_unlink(NULL, NULL, p, false)), 0);
	}
	for (unsigned i = 0; i < n; i += 10) {
		snprintf(p, sizeof(p), "/big/file_%05u", i);
		snprintf(q, sizeof(q), "/big/ren_%05u", i);
		assert_int_equal(RUN_STEPS(vfs_rename(NULL, NULL, p, NULL, q, 0)), 0);
	}
	inode_put(d);
	umount_img();
	fsck();
	if (want_level)
		sh("debugfs -R 'htree /big' %s 2>/dev/null | grep -q 'Indirect levels: 1'", img);
	/* Again from a cold mount: every name through the index, exactly once in readdir. */
	mount_img();
	struct seen_ctx c = { .seen = seen, .max = n };

	readdir_all("/big", &c);
	assert_int_equal(c.other, 0);
	for (unsigned i = 0; i < n; i++) {
		unsigned want = i % 2 ? 0 : i % 10 == 0 ? 2 : 1;

		if (seen[i] != want)
			print_error("name %u: seen %u, want %u\n", i, seen[i], want);
		assert_int_equal(seen[i], want);
		if (want && i % 3 == 0) {
			struct inode *f;

			snprintf(p, sizeof(p), want == 1 ? "/big/file_%05u" : "/big/ren_%05u", i);
			f = lookup(p, 0);
			assert_non_null(f);
			inode_put(f);
		}
	}
	umount_img();
	fsck();
	free(seen);
	sh("rm -rf %s", tmpdir);
}

/* 1 KiB blocks: the root fills (124 entries), an interior level comes, nodes split. */
static void test_htree_big_dir_1k_grows_a_level(void **s)
{
	(void)s;
	big_dir(1024, 12000, "24M", true);
}

static void test_htree_big_dir_4k(void **s)
{
	(void)s;
	big_dir(4096, 4000, "24M", false);
}

/* An index e2fsck built (-D) is read through: our hash and walk agree with e2fsprogs. */
static void test_htree_reads_an_index_e2fsck_built(void **s)
{
	struct inode *d;
	char p[64];

	(void)s;
	make_image(1024, "8M");
	sh("mkdir -p %s/d && for i in $(seq 0 799); do : > %s/d/entry_$i; done", src, src);
	sh("E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext2 -b 1024 -d %s %s 8M", src, img);
	sh("e2fsck -fyD %s >/dev/null 2>&1; debugfs -R 'htree /d' %s 2>/dev/null | grep -q 'Root node'",
	   img, img);
	mount_img();
	d = lookup("/d", 0);
	assert_non_null(d);
	assert_true(EI(d)->flags & EXT2_INDEX_FL);
	inode_put(d);
	for (unsigned i = 0; i < 800; i++) {
		struct dloc loc;
		struct inode *f;

		snprintf(p, sizeof(p), "entry_%u", i);
		d = lookup("/d", 0);
		/* through the index alone: 1 would mean "fell back to the linear search" */
		assert_int_equal(RUN(ext2_htree_find(fs, EI(d), p, strlen(p), &loc)), 0);
		inode_put(d);
		snprintf(p, sizeof(p), "/d/entry_%u", i);
		f = lookup(p, 0);
		assert_non_null(f);
		inode_put(f);
	}
	/* and grows it */
	for (unsigned i = 0; i < 400; i++) {
		snprintf(p, sizeof(p), "/d/new_%u", i);
		assert_int_equal(RUN_STEPS(vfs_mknod(NULL, NULL, p, S_IFREG | 0644, 0)), 0);
	}
	umount_img();
	fsck();
	sh("rm -rf %s", tmpdir);
}

/*
 * Renames that grow the index under the old name: in a full one-block dir (indexing it
 * moves every entry), and in leaves that split while holding the old name.
 */
static void test_htree_renames_that_index_and_split(void **s)
{
	char p[128], q[128];
	struct inode *d;
	unsigned n;

	(void)s;
	make_image(1024, "8M");
	mount_img();
	assert_int_equal(RUN(vfs_mknod(NULL, NULL, "/x", S_IFDIR | 0755, 0)), 0);
	assert_int_equal(RUN(vfs_mknod(NULL, NULL, "/y", S_IFDIR | 0755, 0)), 0);
	/* how many names fill /x's one block: the next one indexes it */
	for (n = 0;; n++) {
		snprintf(p, sizeof(p), "/x/n%04u", n);
		assert_int_equal(RUN_STEPS(vfs_mknod(NULL, NULL, p, S_IFREG | 0644, 0)), 0);
		d = lookup("/x", 0);
		bool grown = d->size > 1024;
		inode_put(d);
		if (grown)
			break;
	}
	for (unsigned i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "/y/n%04u", i);
		assert_int_equal(RUN_STEPS(vfs_mknod(NULL, NULL, p, S_IFREG | 0644, 0)), 0);
	}
	d = lookup("/y", 0);
	assert_int_equal(d->size, 1024);
	inode_put(d);
	/* /y is full: a longer new name indexes it in the middle of the rename */
	snprintf(q, sizeof(q), "/y/%s", "a-long-name-that-does-not-fit-in-the-block-any-more-0123456789");
	assert_int_equal(RUN_STEPS(vfs_rename(NULL, NULL, "/y/n0003", NULL, q, 0)), 0);
	d = lookup("/y", 0);
	assert_true(EI(d)->flags & EXT2_INDEX_FL);
	inode_put(d);
	assert_null(lookup("/y/n0003", 0));
	assert_non_null(d = lookup(q, 0));
	inode_put(d);
	/* many renames within one dir, each new name in some leaf that may split */
	for (unsigned i = 0; i < 1500; i++) {
		snprintf(p, sizeof(p), "/x/m%04u", i);
		assert_int_equal(RUN_STEPS(vfs_mknod(NULL, NULL, p, S_IFREG | 0644, 0)), 0);
	}
	for (unsigned i = 0; i < 1500; i++) {
		snprintf(p, sizeof(p), "/x/m%04u", i);
		snprintf(q, sizeof(q), "/x/renamed-to-a-longer-name-%04u", i);
		assert_int_equal(RUN_STEPS(vfs_rename(NULL, NULL, p, NULL, q, 0)), 0);
	}
	for (unsigned i = 0; i < 1500; i++) {
		snprintf(p, sizeof(p), "/x/m%04u", i);
		snprintf(q, sizeof(q), "/x/renamed-to-a-longer-name-%04u", i);
		assert_null(lookup(p, 0));
		assert_non_null(d = lookup(q, 0));
		inode_put(d);
	}
	assert_int_equal(count_entries("/x"), n + 1 + 1500 + 2);
	assert_int_equal(count_entries("/y"), n + 2);
	umount_img();
	fsck();
	/* and from a cold mount, through the index only */
	mount_img();
	assert_int_equal(count_entries("/x"), n + 1 + 1500 + 2);
	for (unsigned i = 0; i < 1500; i += 7) {
		snprintf(q, sizeof(q), "/x/renamed-to-a-longer-name-%04u", i);
		assert_non_null(d = lookup(q, 0));
		inode_put(d);
	}
	umount_img();
	sh("rm -rf %s", tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_htree_big_dir_1k_grows_a_level),
		cmocka_unit_test(test_htree_big_dir_4k),
		cmocka_unit_test(test_htree_reads_an_index_e2fsck_built),
		cmocka_unit_test(test_htree_renames_that_index_and_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
