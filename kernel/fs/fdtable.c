// SPDX-License-Identifier: MIT
/*
 * File descriptor tables; see fdtable.h for who may touch one. The owner
 * reads without a lock; its changes that can free something a reader of
 * another process (/proc/<pid>/fd) holds take one of a few hashed locks.
 */
#include "kernel/fs/fdtable.h"

#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/slab.h"
#include "kernel/proc/limits.h"
#include "kernel/proc/proc.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"

_Static_assert(FDT_INLINE <= 32, "inline close-on-exec bits live in a uint32_t");

static struct slab_cache fdt_cache = SLAB_CACHE_INIT("fdtable", sizeof(struct fdtable), 8);
_Static_assert(sizeof(struct fdtable) % 8 == 0, "SLAB_CACHE_INIT wants a normalized size");

/*
 * The view locks: a slot's change and a grown array's swap happen under
 * the lock of their table's bucket, so fdtable_next_open (procfs, another
 * hart) never takes a reference on a file being put, nor reads an array
 * being freed. Shared by all tables: no bytes per process. The owner's own
 * reads (fdtable_get) take none.
 */
#define FDT_VIEW_LOCKS 16
#define VL(i) SPINLOCK_INIT("fdt_view")
static struct spinlock view_locks[FDT_VIEW_LOCKS] = {
	VL(0), VL(1), VL(2), VL(3), VL(4), VL(5), VL(6), VL(7),
	VL(8), VL(9), VL(10), VL(11), VL(12), VL(13), VL(14), VL(15),
};

static struct spinlock *view_lock(const struct fdtable *t)
{
	return &view_locks[((uintptr_t)t >> 6) % FDT_VIEW_LOCKS];
}

size_t fdtable_alloc_size(void)
{
	return fdt_cache.size;
}

static bool is_inline(const struct fdtable *t)
{
	return t->cap == FDT_INLINE;
}

static struct file **slots(struct fdtable *t)
{
	return is_inline(t) ? t->inline_fd : t->fd;
}

/* The bitmap words of a grown table follow its slots. */
static uint64_t *ext_cloexec(struct file **fd, unsigned cap)
{
	return (uint64_t *)(fd + cap);
}

static size_t ext_size(unsigned cap)
{
	return cap * sizeof(struct file *) + (cap + 63) / 64 * sizeof(uint64_t);
}

struct fdtable *fdtable_create(void)
{
	struct fdtable *t = slab_alloc(&fdt_cache);

	if (t) {
		memset(t, 0, sizeof(*t));
		t->cap = FDT_INLINE;
	}
	return t;
}

static bool cloexec_test(struct fdtable *t, unsigned fd)
{
	if (is_inline(t))
		return t->inline_cloexec >> fd & 1;
	return ext_cloexec(t->fd, t->cap)[fd / 64] >> (fd % 64) & 1;
}

static void cloexec_set(struct fdtable *t, unsigned fd, bool on)
{
	if (is_inline(t)) {
		if (on)
			t->inline_cloexec |= 1u << fd;
		else
			t->inline_cloexec &= ~(1u << fd);
		return;
	}
	uint64_t *w = &ext_cloexec(t->fd, t->cap)[fd / 64];

	if (on)
		*w |= 1ull << (fd % 64);
	else
		*w &= ~(1ull << (fd % 64));
}

/* Grow to at least cap slots (a power of two times FDT_INLINE, at most
 * FDT_MAX), keeping every slot and bit. 0 or -ENOMEM. */
static int grow_to(struct fdtable *t, unsigned cap)
{
	struct file **fd = kzalloc(ext_size(cap));

	if (!fd)
		return -ENOMEM;
	memcpy(fd, slots(t), t->cap * sizeof(*fd));
	struct file **old = is_inline(t) ? NULL : t->fd;

	if (is_inline(t))
		ext_cloexec(fd, cap)[0] = t->inline_cloexec;
	else
		memcpy(ext_cloexec(fd, cap), ext_cloexec(t->fd, t->cap),
		       (t->cap + 63) / 64 * sizeof(uint64_t));
	irqflags_t fl = spin_lock_irqsave(view_lock(t));

	t->fd = fd;
	t->cap = cap;
	spin_unlock_irqrestore(view_lock(t), fl);
	kfree(old);
	return 0;
}

unsigned fd_limit(void)
{
	struct proc *p = proc_current();
	uint64_t lim = p ? proc_rlimit_cur(p, RLIMIT_NOFILE) : 1024;

	return lim < FDT_MAX ? (unsigned)lim : FDT_MAX;
}

/* Make room for slot `need`. 0, -ENOMEM or -EMFILE. */
static int grow(struct fdtable *t, unsigned need)
{
	unsigned cap = t->cap;

	if (need >= fd_limit())
		return -EMFILE;
	while (cap <= need)
		cap *= 2;
	if (cap > FDT_MAX)
		cap = FDT_MAX;
	return grow_to(t, cap);
}

struct fdtable *fdtable_fork(struct fdtable *t)
{
	struct fdtable *n = fdtable_create();

	if (!n)
		return NULL;
	if (t->cap > n->cap && grow_to(n, t->cap)) {
		fdtable_destroy(n);
		return NULL;
	}
	struct file **from = slots(t), **to = slots(n);

	for (unsigned i = 0; i < t->cap; i++) {
		to[i] = file_get(from[i]);
		if (from[i])
			cloexec_set(n, i, cloexec_test(t, i));
	}
	return n;
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (unsigned i = 0; i < t->cap; i++) {
		struct file **fd = slots(t);

		if (fd[i] && cloexec_test(t, i)) {
			struct file *f = fd[i];
			irqflags_t fl = spin_lock_irqsave(view_lock(t));

			fd[i] = NULL;
			cloexec_set(t, i, false);
			spin_unlock_irqrestore(view_lock(t), fl);
			file_put(f);
		}
	}
}

void fdtable_destroy(struct fdtable *t)
{
	if (!t)
		return;
	struct file **fd = slots(t);

	for (unsigned i = 0; i < t->cap; i++)
		file_put(fd[i]);
	if (!is_inline(t))
		kfree(t->fd);
	slab_free(&fdt_cache, t);
}

/* The lowest free slot >= min, growing the table to have one: the slot,
 * -EINVAL, -EMFILE or -ENOMEM. A free slot at or above the limit (after
 * setrlimit lowered it) is not handed out. */
static int free_slot(struct fdtable *t, int min)
{
	unsigned i, lim = fd_limit();
	int err;

	if (min < 0 || min >= FDT_MAX)
		return -EINVAL;
	for (;;) {
		struct file **fd = slots(t);

		for (i = (unsigned)min; i < t->cap && i < lim; i++)
			if (!fd[i])
				return (int)i;
		if (i >= lim)
			return -EMFILE;
		err = grow(t, i);
		if (err)
			return err;
	}
}

int fdtable_install(struct fdtable *t, struct file *f, int min, unsigned flags)
{
	int i = free_slot(t, min);

	if (i < 0)
		return i;
	irqflags_t fl = spin_lock_irqsave(view_lock(t));

	slots(t)[i] = f;
	cloexec_set(t, (unsigned)i, flags & O_CLOEXEC);
	spin_unlock_irqrestore(view_lock(t), fl);
	return i;
}

int fdtable_room(struct fdtable *t, int min)
{
	int i = free_slot(t, min);

	return i < 0 ? i : 0;
}

int fd_install(struct proc *p, struct file *f, int flags)
{
	struct fdtable *t = p ? proc_files(p) : NULL;

	if (!t)
		return -EMFILE;
	return fdtable_install(t, f, 0, (unsigned)flags);
}

struct file *fdtable_get(struct fdtable *t, int fd)
{
	if (!t || fd < 0 || (unsigned)fd >= t->cap)
		return NULL;
	return file_get(slots(t)[fd]);
}

struct file *fd_get(struct proc *p, int fd)
{
	return p ? fdtable_get(proc_files(p), fd) : NULL;
}

int fdtable_close(struct fdtable *t, int fd)
{
	struct file *f;

	if (fd < 0 || (unsigned)fd >= t->cap)
		return -EBADF;
	f = slots(t)[fd];
	if (!f)
		return -EBADF;
	irqflags_t fl = spin_lock_irqsave(view_lock(t));

	slots(t)[fd] = NULL;
	cloexec_set(t, (unsigned)fd, false);
	spin_unlock_irqrestore(view_lock(t), fl);
	file_put(f);
	return 0;
}

int fdtable_dup3(struct fdtable *t, int oldfd, int newfd, unsigned flags)
{
	struct file *f, *old = NULL;
	int err;

	if (oldfd < 0 || newfd < 0)
		return -EBADF;
	if ((unsigned)newfd >= fd_limit())
		return -EBADF;
	f = (unsigned)oldfd < t->cap ? slots(t)[oldfd] : NULL;
	if (!f)
		return -EBADF;
	if ((unsigned)newfd >= t->cap) {
		err = grow(t, (unsigned)newfd);
		if (err)
			return err == -EMFILE ? -EBADF : err;
	}
	irqflags_t fl = spin_lock_irqsave(view_lock(t));

	if (oldfd != newfd) {
		old = slots(t)[newfd];
		slots(t)[newfd] = file_get(f);
	}
	cloexec_set(t, (unsigned)newfd, flags & O_CLOEXEC);
	spin_unlock_irqrestore(view_lock(t), fl);
	file_put(old);
	return newfd;
}

int fdtable_get_cloexec(struct fdtable *t, int fd)
{
	if (fd < 0 || (unsigned)fd >= t->cap || !slots(t)[fd])
		return -EBADF;
	return cloexec_test(t, (unsigned)fd);
}

int fdtable_set_cloexec(struct fdtable *t, int fd, bool on)
{
	if (fd < 0 || (unsigned)fd >= t->cap || !slots(t)[fd])
		return -EBADF;
	irqflags_t fl = spin_lock_irqsave(view_lock(t));

	cloexec_set(t, (unsigned)fd, on);
	spin_unlock_irqrestore(view_lock(t), fl);
	return 0;
}

int fdtable_next_open(struct fdtable *t, int from, struct file **f, bool *cloexec)
{
	irqflags_t fl = spin_lock_irqsave(view_lock(t));
	struct file **fd = slots(t);
	int found = -1;

	for (unsigned i = from < 0 ? 0 : (unsigned)from; i < t->cap; i++) {
		if (fd[i]) {
			*f = file_get(fd[i]);
			*cloexec = cloexec_test(t, i);
			found = (int)i;
			break;
		}
	}
	spin_unlock_irqrestore(view_lock(t), fl);
	return found;
}

unsigned fdtable_count(struct fdtable *t)
{
	struct file **fd = slots(t);
	unsigned n = 0;

	for (unsigned i = 0; i < t->cap; i++)
		n += fd[i] != NULL;
	return n;
}
