// SPDX-License-Identifier: MIT
/* File descriptor tables; see fdtable.h. Files are put outside the lock. */
#include "kernel/fs/fdtable.h"

#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

static void init_table(struct fdtable *t)
{
	memset(t, 0, sizeof(*t));
	spin_init(&t->lock, "fdtable");
	t->cap = FDT_INLINE;
	t->fd = t->inline_fd;
	t->cloexec = &t->inline_cloexec;
}

struct fdtable *fdtable_create(void)
{
	struct fdtable *t = kmalloc(sizeof(*t));

	if (t)
		init_table(t);
	return t;
}

static bool cloexec_test(const struct fdtable *t, unsigned fd)
{
	return t->cloexec[fd / 64] >> (fd % 64) & 1;
}

static void cloexec_set(struct fdtable *t, unsigned fd, bool on)
{
	if (on)
		t->cloexec[fd / 64] |= 1ull << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

static void free_arrays(struct fdtable *t)
{
	if (t->fd != t->inline_fd) {
		kfree(t->fd);
		kfree(t->cloexec);
	}
}

/*
 * Make room for slot `need`: allocate unlocked, then swap in under the lock
 * if nobody grew the table meanwhile. Called with the lock held (fl), which
 * it drops and retakes. Returns 0 or -ENOMEM / -EMFILE.
 */
static int grow(struct fdtable *t, unsigned need, irqflags_t *fl)
{
	unsigned cap = t->cap;

	if (need >= FDT_MAX)
		return -EMFILE;
	while (cap <= need)
		cap *= 2;
	if (cap > FDT_MAX)
		cap = FDT_MAX;
	spin_unlock_irqrestore(&t->lock, *fl);
	struct file **fd = kzalloc(cap * sizeof(*fd));
	uint64_t *ce = kzalloc((cap + 63) / 64 * sizeof(*ce));

	*fl = spin_lock_irqsave(&t->lock);
	if (!fd || !ce) {
		kfree(fd);
		kfree(ce);
		return -ENOMEM;
	}
	if (t->cap >= cap) { /* somebody else grew it */
		kfree(fd);
		kfree(ce);
		return 0;
	}
	memcpy(fd, t->fd, t->cap * sizeof(*fd));
	memcpy(ce, t->cloexec, (t->cap + 63) / 64 * sizeof(*ce));
	free_arrays(t);
	t->fd = fd;
	t->cloexec = ce;
	t->cap = cap;
	return 0;
}

struct fdtable *fdtable_fork(struct fdtable *t)
{
	struct fdtable *n = fdtable_create();
	irqflags_t fl;

	if (!n)
		return NULL;
	fl = spin_lock_irqsave(&t->lock);
	while (n->cap < t->cap) {
		unsigned cap = t->cap;

		spin_unlock_irqrestore(&t->lock, fl);
		struct file **fd = kzalloc(cap * sizeof(*fd));
		uint64_t *ce = kzalloc((cap + 63) / 64 * sizeof(*ce));

		if (!fd || !ce) {
			kfree(fd);
			kfree(ce);
			fdtable_destroy(n);
			return NULL;
		}
		free_arrays(n);
		n->fd = fd;
		n->cloexec = ce;
		n->cap = cap;
		fl = spin_lock_irqsave(&t->lock);
	}
	for (unsigned i = 0; i < t->cap; i++) {
		n->fd[i] = file_get(t->fd[i]);
		if (t->fd[i])
			cloexec_set(n, i, cloexec_test(t, i));
	}
	spin_unlock_irqrestore(&t->lock, fl);
	return n;
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (unsigned i = 0;; i++) {
		struct file *f = NULL;
		irqflags_t fl = spin_lock_irqsave(&t->lock);

		if (i >= t->cap) {
			spin_unlock_irqrestore(&t->lock, fl);
			return;
		}
		if (t->fd[i] && cloexec_test(t, i)) {
			f = t->fd[i];
			t->fd[i] = NULL;
			cloexec_set(t, i, false);
		}
		spin_unlock_irqrestore(&t->lock, fl);
		file_put(f);
	}
}

void fdtable_destroy(struct fdtable *t)
{
	if (!t)
		return;
	/* Nobody else uses the table any more. */
	for (unsigned i = 0; i < t->cap; i++)
		file_put(t->fd[i]);
	free_arrays(t);
	kfree(t);
}

int fdtable_install(struct fdtable *t, struct file *f, int min, unsigned flags)
{
	irqflags_t fl;
	unsigned i;
	int err;

	if (min < 0 || min >= FDT_MAX)
		return -EINVAL;
	fl = spin_lock_irqsave(&t->lock);
	for (;;) {
		for (i = (unsigned)min; i < t->cap; i++)
			if (!t->fd[i])
				break;
		if (i < t->cap)
			break;
		err = grow(t, i, &fl);
		if (err) {
			spin_unlock_irqrestore(&t->lock, fl);
			return err;
		}
	}
	t->fd[i] = f;
	cloexec_set(t, i, flags & O_CLOEXEC);
	spin_unlock_irqrestore(&t->lock, fl);
	return (int)i;
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
	struct file *f = NULL;
	irqflags_t fl;

	if (!t || fd < 0)
		return NULL;
	fl = spin_lock_irqsave(&t->lock);
	if ((unsigned)fd < t->cap)
		f = file_get(t->fd[fd]);
	spin_unlock_irqrestore(&t->lock, fl);
	return f;
}

struct file *fd_get(struct proc *p, int fd)
{
	return p ? fdtable_get(proc_files(p), fd) : NULL;
}

int fdtable_close(struct fdtable *t, int fd)
{
	struct file *f = NULL;
	irqflags_t fl;

	if (fd < 0)
		return -EBADF;
	fl = spin_lock_irqsave(&t->lock);
	if ((unsigned)fd < t->cap) {
		f = t->fd[fd];
		t->fd[fd] = NULL;
		cloexec_set(t, (unsigned)fd, false);
	}
	spin_unlock_irqrestore(&t->lock, fl);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

int fdtable_dup3(struct fdtable *t, int oldfd, int newfd, unsigned flags)
{
	struct file *f, *old = NULL;
	irqflags_t fl;
	int err;

	if (oldfd < 0 || newfd < 0)
		return -EBADF;
	if (newfd >= FDT_MAX)
		return -EBADF;
	fl = spin_lock_irqsave(&t->lock);
	while ((unsigned)newfd >= t->cap) {
		err = grow(t, (unsigned)newfd, &fl);
		if (err) {
			spin_unlock_irqrestore(&t->lock, fl);
			return err == -EMFILE ? -EBADF : err;
		}
	}
	f = (unsigned)oldfd < t->cap ? t->fd[oldfd] : NULL;
	if (!f) {
		spin_unlock_irqrestore(&t->lock, fl);
		return -EBADF;
	}
	if (oldfd != newfd) {
		old = t->fd[newfd];
		t->fd[newfd] = file_get(f);
	}
	cloexec_set(t, (unsigned)newfd, flags & O_CLOEXEC);
	spin_unlock_irqrestore(&t->lock, fl);
	file_put(old);
	return newfd;
}

int fdtable_get_cloexec(struct fdtable *t, int fd)
{
	int r = -EBADF;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	if (fd >= 0 && (unsigned)fd < t->cap && t->fd[fd])
		r = cloexec_test(t, (unsigned)fd);
	spin_unlock_irqrestore(&t->lock, fl);
	return r;
}

int fdtable_set_cloexec(struct fdtable *t, int fd, bool on)
{
	int r = -EBADF;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	if (fd >= 0 && (unsigned)fd < t->cap && t->fd[fd]) {
		cloexec_set(t, (unsigned)fd, on);
		r = 0;
	}
	spin_unlock_irqrestore(&t->lock, fl);
	return r;
}

unsigned fdtable_count(struct fdtable *t)
{
	unsigned n = 0;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	for (unsigned i = 0; i < t->cap; i++)
		n += t->fd[i] != NULL;
	spin_unlock_irqrestore(&t->lock, fl);
	return n;
}
