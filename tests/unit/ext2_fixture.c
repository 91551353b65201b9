// SPDX-License-Identifier: MIT
/*
 * The host fixture of the ext2 tests (declared in ext2_fixture.h): the real
 * ext2 code, VFS and page cache run over a fake buffer cache backed by an
 * image file that `mke2fs -t ext2 -d` made at test time. The fake cache
 * holds few blocks and starts every miss as -EIOWAIT, so each op is
 * restarted the way fs_call() restarts syscalls.
 */
#include "tests/unit/ext2_fixture.h"

/* ---- kernel shims ---------------------------------------------------------- */

void *kmalloc(size_t n) { return malloc(n ? n : 1); }
void *kzalloc(size_t n) { return calloc(1, n ? n : 1); }
void kfree(void *p) { free(p); }
void spin_init(struct spinlock *l, const char *name) { l->name = name; }
irqflags_t spin_lock_irqsave(struct spinlock *l) { (void)l; return 0; }
void spin_unlock_irqrestore(struct spinlock *l, irqflags_t f) { (void)l; (void)f; }
unsigned hart_id(void) { return 0; }
uint64_t clock_now_ns(void) { return 5000000000ull; }
uint64_t clock_realtime_ns(void) { return clock_now_ns(); }
int copy_to_user(struct as *as, uintptr_t dst, const void *src, size_t n)
{ (void)as; (void)dst; (void)src; (void)n; return -EFAULT; }
int copy_from_user(struct as *as, void *dst, uintptr_t src, size_t n)
{ (void)as; (void)dst; (void)src; (void)n; return -EFAULT; }
long copy_to_user_part(struct as *as, uintptr_t dst, const void *src, size_t n,
		       struct as_cursor *cur)
{ (void)as; (void)dst; (void)src; (void)n; (void)cur; return -EFAULT; }
long copy_from_user_part(struct as *as, void *dst, uintptr_t src, size_t n,
			 struct as_cursor *cur)
{ (void)as; (void)dst; (void)src; (void)n; (void)cur; return -EFAULT; }
long copy_to_user_vec(struct as *as, uintptr_t udst, size_t ulen, const struct kvec *v,
		      unsigned n, unsigned *vi, size_t *voff, struct as_cursor *cur)
{ (void)as; (void)udst; (void)ulen; (void)v; (void)n; (void)vi; (void)voff; (void)cur;
  return -EFAULT; }
struct inode *proc_cwd(struct proc *p) { (void)p; return NULL; }
/* Credentials (kernel/proc/cred.c): everything runs as root here. */
static struct cred host_root = { .refs = 1 };
const struct cred *cred_current(void) { return &host_root; }
bool cred_in_group(const struct cred *c, uint32_t gid) { return gid == c->fsgid; }
uint32_t proc_umask(const struct proc *p) { (void)p; return 022; }
const struct file_ops *devfs_fops(uint32_t rdev) { (void)rdev; return NULL; }
const struct file_ops fifo_fops; /* kernel/ipc/fifo.c: FIFOs are not opened here */
void epoll_file_gone(struct file *f) { (void)f; } /* no epoll in the host test */
int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vprintf(fmt, ap);
	va_end(ap);
	return r;
}
void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fail();
	abort();
}

/* ---- what the page cache (compiled in) needs ------------------------------ */

/* Pages: 4 KiB aligned, with their struct page (its reference count) just past them. */
void *page_alloc_order_nozero(unsigned order)
{
	assert_int_equal(order, 0);
	unsigned char *p = aligned_alloc(4096, 8192);

	assert_non_null(p);
	memset(p + 4096, 0, sizeof(struct page));
	atomic_store(&((struct page *)(p + 4096))->ref, 1);
	return p;
}
struct page *page_meta(const void *va)
{
	return (struct page *)(((uintptr_t)va & ~(uintptr_t)4095) + 4096);
}
void page_ref_get_pg(struct page *pg) { atomic_fetch_add(&pg->ref, 1); }
void page_ref_put_pg(void *va, struct page *pg)
{
	unsigned old = atomic_fetch_sub(&pg->ref, 1);

	assert_true(old > 0);
	if (old == 1)
		free((void *)((uintptr_t)va & ~(uintptr_t)4095));
}
void page_ref_get(void *va) { page_ref_get_pg(page_meta(va)); }
void page_ref_put(void *va) { page_ref_put_pg(va, page_meta(va)); }
unsigned page_ref_count(const void *va) { return atomic_load(&page_meta(va)->ref); }
size_t page_total_count(void) { return 1u << 20; }
size_t page_free_count(void) { return 1u << 19; }
void page_set_reclaim(size_t (*fn)(size_t want)) { (void)fn; }
void *slab_alloc(struct slab_cache *c) { return malloc(c->size); }
void slab_free(struct slab_cache *c, void *p) { (void)c; free(p); }
bool spin_trylock_irqsave(struct spinlock *l, irqflags_t *f) { (void)l; *f = 0; return true; }

/* Tasks run to completion at once, on the caller's stack (a fill or a write-back). */
static struct waker noop_waker;
task_id_t task_spawn(struct future *f, int hart, const char *name)
{
	struct context cx = { .waker = &noop_waker };

	(void)hart;
	(void)name;
	noop_waker = waker_noop();
	while (future_poll(f, &cx) == POLL_PENDING)
		;
	future_drop(f);
	future_release(f);
	return 1;
}
void task_detach(task_id_t id) { (void)id; }
/* Truncation unmaps the file's mappings: the test maps nothing. */
bool as_unmap_file_from_locked(struct as *as, struct pcache *pc, uint64_t idx, void **pages,
			       unsigned *n, unsigned max)
{ (void)as; (void)pc; (void)idx; (void)pages; (void)n; (void)max; fail(); return true; }
void arch_tlb_shootdown(void) { fail(); }
void arch_cpu_relax(void) {}
void task_join_init(struct task_join *j, task_id_t id) { (void)j; (void)id; fail(); }

/* ---- the fake buffer cache ----------------------------------------------- */

/* The real struct blkdev (blkdev.h); its image file: */
int dev_fd;
struct bcache_buf cache[CACHE_MAX];
unsigned dirty_marks; /* since the current attempt started */
unsigned misses;
static uint64_t rng = 88172645463325252ull;
static bool parked;

uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void writeback(struct blkdev *d, struct bcache_buf *b)
{
	if (b->dirty) {
		assert_int_equal(pwrite(dev_fd, b->data, b->bsize, (off_t)(b->blockno * b->bsize)),
				 b->bsize);
		b->dirty = false;
	}
}

struct blkdev thedev;

static void io_drop(struct future *f) { (void)f; }
static void io_release(struct future *f) { (void)f; parked = false; }
static enum poll io_poll(struct future *f, struct context *cx) { (void)f; (void)cx; return POLL_READY; }
static const struct future_ops io_ops = { .name = "fake_io", .poll = io_poll, .drop = io_drop,
					  .release = io_release };
static struct future io_future = { .ops = &io_ops };

static int get(struct blkdev *dev, uint64_t blockno, unsigned bsize, struct bcache_buf **out,
	       bool noread)
{
	struct bcache_buf *free_slot = NULL;

	for (int i = 0; i < CACHE_MAX; i++) {
		struct bcache_buf *b = &cache[i];

		if (b->valid && b->blockno == blockno && b->bsize == bsize) {
			b->refs++;
			*out = b;
			return 0;
		}
	}
	/* Evict a random unreferenced block (writing it back). */
	for (int tries = 0; tries < 4 * CACHE_MAX && !free_slot; tries++) {
		struct bcache_buf *b = &cache[rnd() % CACHE_MAX];

		if (!b->valid)
			free_slot = b;
		else if (!b->refs) {
			writeback(dev, b);
			free(b->data);
			b->valid = false;
			free_slot = b;
		}
	}
	assert_non_null(free_slot); /* the cache is too small for one op */
	free_slot->data = calloc(1, bsize);
	free_slot->blockno = blockno;
	free_slot->bsize = bsize;
	free_slot->valid = true;
	free_slot->dirty = false;
	free_slot->refs = 0;
	if (!noread)
		assert_int_equal(pread(dev_fd, free_slot->data, bsize, (off_t)(blockno * bsize)), bsize);
	if (!noread) {
		/* The "read" completes at once but the op must wait and restart. */
		misses++;
		assert_false(parked);
		parked = true;
		vfs_set_io_wait(&io_future);
		return -EIOWAIT;
	}
	free_slot->refs = 1;
	*out = free_slot;
	return 0;
}

int bcache_get(struct blkdev *dev, uint64_t blockno, unsigned bsize, struct bcache_buf **out)
{
	return get(dev, blockno, bsize, out, false);
}
int bcache_get_noread(struct blkdev *dev, uint64_t blockno, unsigned bsize, struct bcache_buf **out)
{
	return get(dev, blockno, bsize, out, true);
}
int bcache_get_cached(struct blkdev *dev, uint64_t blockno, unsigned bsize,
		      struct bcache_buf **out)
{
	(void)dev;
	for (int i = 0; i < CACHE_MAX; i++) {
		struct bcache_buf *b = &cache[i];

		if (b->valid && b->blockno == blockno && b->bsize == bsize) {
			b->refs++;
			*out = b;
			return 0;
		}
	}
	return -EAGAIN;
}
static unsigned prefetches;
bool bcache_prefetch(struct blkdev *dev, uint64_t blockno, unsigned bsize)
{
	struct bcache_buf *b;

	if (bcache_get_cached(dev, blockno, bsize, &b) == 0) {
		b->refs--;
		return false;
	}
	/* Read at once, unreferenced: as if the read had already completed. */
	assert_int_equal(get(dev, blockno, bsize, &b, true), 0);
	assert_int_equal(pread(dev_fd, b->data, bsize, (off_t)(blockno * bsize)), bsize);
	b->refs--;
	prefetches++;
	return true;
}
void *bcache_data(struct bcache_buf *b) { return b->data; }
void bcache_mark_dirty(struct bcache_buf *b) { b->dirty = true; dirty_marks++; }
void bcache_put(struct bcache_buf *b) { assert_true(b->refs > 0); b->refs--; }
void bcache_hold(struct bcache_buf *b) { assert_true(b->refs > 0); b->refs++; }
/* The fake cache is written back by the test itself (super_ops.sync unused). */
struct future *bcache_sync(struct blkdev *dev) { (void)dev; return NULL; }
void bcache_forget(struct blkdev *dev, uint64_t blockno)
{
	(void)dev;
	for (int i = 0; i < CACHE_MAX; i++)
		if (cache[i].valid && cache[i].blockno == blockno && !cache[i].refs) {
			free(cache[i].data);
			cache[i].valid = false;
		}
}

/* ---- the fake disk under the page cache's requests (done when polled) ---- */

unsigned page_reads, page_writes;

static enum poll req_poll(struct future *f, struct context *cx)
{
	struct blk_req *r = (struct blk_req *)f;
	off_t at = (off_t)(r->sector * BLK_SECTOR_SIZE);

	(void)cx;
	if (atomic_load(&r->state) == BLK_REQ_DONE)
		return POLL_READY;
	for (uint32_t i = 0; i < r->nsegs; i++) {
		ssize_t n = r->op == BLK_READ ? pread(dev_fd, r->segs[i].buf, r->segs[i].len, at)
					      : pwrite(dev_fd, r->segs[i].buf, r->segs[i].len, at);

		assert_int_equal(n, r->segs[i].len);
		at += n;
		if (r->op == BLK_READ)
			page_reads++;
		else
			page_writes++;
	}
	r->base.result = 0;
	atomic_store(&r->state, BLK_REQ_DONE);
	return POLL_READY;
}
static const struct future_ops req_ops = { .name = "fake_blk_req", .poll = req_poll };
void blk_req_init_sg(struct blk_req *r, struct blkdev *dev, enum blk_op op, uint64_t sector,
		     const struct blk_seg *segs, uint32_t nsegs)
{
	future_init(&r->base, &req_ops);
	r->dev = dev;
	r->op = op;
	r->sector = sector;
	r->segs = segs;
	r->nsegs = nsegs;
	atomic_store(&r->state, BLK_REQ_IDLE);
}
long blk_req_poll_wait(struct blk_req *r, uint64_t timeout_ns)
{
	struct context cx = { .waker = &noop_waker };

	(void)timeout_ns;
	req_poll(&r->base, &cx);
	return r->base.result;
}

void cache_flush(bool drop)
{
	/* File pages first (they only write data blocks), then the metadata. */
	pcache_flush_all_on_poweroff();
	if (drop)
		pcache_drop_clean();
	for (int i = 0; i < CACHE_MAX; i++) {
		if (cache[i].valid) {
			writeback(&thedev, &cache[i]);
			if (drop && !cache[i].refs) {
				free(cache[i].data);
				cache[i].valid = false;
			}
		}
	}
}

/* ---- running ops with restarts ------------------------------------------- */

struct ext2_fs *fs;
struct inode *root;

char tmpdir[256], img[300], src[300];

void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

void mount_img(void)
{
	dev_fd = open(img, O_RDWR);
	assert_true(dev_fd >= 0);
	fs = NULL;
	assert_int_equal(RUN(ext2_mount(&thedev, &fs, &root)), 0);
	vfs_set_root(root);
}

void umount_img(void)
{
	assert_int_equal(RUN_STEPS(ext2_flush(fs)), 0);
	pcache_flush_all_on_poweroff();
	vfs_set_root(NULL);
	assert_int_equal(ext2_unmount(fs, root), 0);
	cache_flush(true);
	for (int i = 0; i < CACHE_MAX; i++)
		assert_false(cache[i].valid);
	close(dev_fd);
}

void fsck(void)
{
	sh("e2fsck -fn %s >%s/fsck.log 2>&1 || { cat %s/fsck.log; exit 1; }", img, tmpdir, tmpdir);
}

void make_image(unsigned bsize, const char *size)
{
	cache_flush(true); /* nothing stale from the last image */
	memset(cache, 0, sizeof(cache));
	parked = false;
	vfs_take_io_wait();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_ext2.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(img, sizeof(img), "%s/fs.img", tmpdir);
	snprintf(src, sizeof(src), "%s/src", tmpdir);
	sh("mkdir -p %s/a/b/c && echo hello > %s/hello.txt && echo deep > %s/a/b/c/deep && "
	   "head -c 300000 /dev/urandom > %s/rand.bin && "
	   "truncate -s 5M %s/sparse && printf tail >> %s/sparse && "
	   "ln -s hello.txt %s/link && ln %s/hello.txt %s/hard && "
	   "for i in $(seq 1 150); do echo $i > %s/a/f$i; done",
	   src, src, src, src, src, src, src, src, src, src);
	sh("E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext2 -b %u -d %s %s %s", bsize, src, img, size);
}

/* ---- helpers over the VFS ------------------------------------------------- */

long kread(const char *path, void *buf, size_t n, uint64_t off)
{
	struct file *f;
	long r = RUN(vfs_open(NULL, NULL, path, O_RDONLY, 0, &f));

	if (r)
		return r;
	r = 0;
	while ((size_t)r < n) {
		struct iovec iov;
		struct uio u;
		uint64_t pos = off + (uint64_t)r;

		uio_init_kernel(&u, &iov, (char *)buf + r, n - (size_t)r);
		long g = RUN(f->ops->read(f, &u, &pos));
		if (g <= 0)
			break;
		r += g;
	}
	file_put(f);
	return r;
}

long kwrite(const char *path, const void *buf, size_t n, uint64_t off, int flags)
{
	struct file *f;
	long r = RUN(vfs_open(NULL, NULL, path, O_WRONLY | O_CREAT | flags, 0644, &f));

	if (r)
		return r;
	r = 0;
	while ((size_t)r < n) {
		struct iovec iov;
		struct uio u;
		uint64_t pos = off + (uint64_t)r;

		uio_init_kernel(&u, &iov, (char *)buf + r, n - (size_t)r);
		long g = RUN(f->ops->write(f, &u, &pos));
		if (g <= 0) {
			r = r ? r : g;
			break;
		}
		r += g;
	}
	file_put(f);
	return r;
}

static void *slurp_host(const char *rel, size_t *n)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/%s", src, rel);
	FILE *fp = fopen(p, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	*n = (size_t)ftell(fp);
	fseek(fp, 0, SEEK_SET);
	void *b = malloc(*n + 1);
	assert_int_equal(fread(b, 1, *n, fp), *n);
	fclose(fp);
	return b;
}

void check_same(const char *rel)
{
	size_t n;
	char *want = slurp_host(rel, &n), *got = malloc(n + 16), path[300];

	snprintf(path, sizeof(path), "/%s", rel);
	assert_int_equal(kread(path, got, n + 16, 0), (long)n);
	assert_memory_equal(got, want, n);
	free(want);
	free(got);
}

struct inode *lookup(const char *path, unsigned flags)
{
	struct inode *ino = NULL;
	long r = RUN(vfs_lookup(NULL, NULL, path, flags, &ino));
	return r ? NULL : ino;
}

struct count_ctx { unsigned n; };
static bool count_fill(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dt,
		       uint64_t next)
{
	(void)name; (void)len; (void)ino; (void)dt; (void)next;
	((struct count_ctx *)ctx)->n++;
	return true;
}

unsigned count_entries(const char *path)
{
	struct inode *d = lookup(path, 0);
	struct count_ctx c = { 0 };
	uint64_t pos = 0;

	assert_non_null(d);
	/* as getdents: call again until a call adds nothing (a call may stop
	 * short at a cache miss) */
	for (unsigned before = ~0u; before != c.n;) {
		before = c.n;
		assert_int_equal(RUN(d->iops->readdir(d, &pos, count_fill, &c)), 0);
	}
	inode_put(d);
	return c.n;
}
