// SPDX-License-Identifier: MIT
/*
 * file_rw(): a read or write of an open file that would block becomes a
 * future (vfs.h): a stream's -EAGAIN waits on its wait queue, a disk file's
 * -EIOWAIT on the parked I/O.
 *
 * Reads and writes of disk files do not use fs_call()'s restart: a file op
 * that made progress before a cache miss returns the short count (and has
 * advanced the offset), so rerunning the whole syscall would either lose
 * those bytes or move the offset twice. Instead the future keeps the uio and
 * the offset, awaits the parked I/O and carries on from where it stopped, so
 * a read or write of a regular file moves every byte (up to end of file) as
 * on Linux. ftruncate, which changes nothing before its miss, uses fs_call.
 *
 * A read or write of a regular file holds, for its whole length (across its
 * I/O waits too), the position lock of its open file (unless it is a pread or
 * pwrite), and a write also the write lock of its inode, as Linux holds
 * f_pos_lock and the inode lock: processes sharing one offset (after fork or
 * dup) never lose bytes or tear each other's writes, and O_APPEND writes are
 * atomic with respect to each other. The locks are async mutexes in two
 * small tables hashed by address, so they cost nothing per file; order: the
 * position lock, then the inode's.
 *
 * The syscalls over it are in sys_rw.c.
 */
#include "kernel/async/amutex.h"
#include "kernel/async/waitq.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/slab.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- the position and write locks ------------------------------------------ */

#define RW_LOCK_BUCKETS 64

static struct amutex pos_locks[RW_LOCK_BUCKETS];	/* by struct file */
static struct amutex write_locks[RW_LOCK_BUCKETS];	/* by struct inode */
static atomic_int locks_ready;				/* 0, 1 initialising, 2 ready */

static struct amutex *bucket(struct amutex *table, const void *obj)
{
	uintptr_t h = (uintptr_t)obj >> 4;

	if (atomic_load_explicit(&locks_ready, memory_order_acquire) != 2) {
		int expect = 0;

		if (atomic_compare_exchange_strong_explicit(&locks_ready, &expect, 1,
							    memory_order_acq_rel,
							    memory_order_acquire)) {
			for (unsigned i = 0; i < RW_LOCK_BUCKETS; i++) {
				amutex_init(&pos_locks[i]);
				amutex_init(&write_locks[i]);
			}
			/* release: pairs with the acquire loads above. */
			atomic_store_explicit(&locks_ready, 2, memory_order_release);
		}
		while (atomic_load_explicit(&locks_ready, memory_order_acquire) != 2)
			;
	}
	h ^= h >> 7;
	return &table[(h * 0x9e3779b97f4a7c15ull) >> 58];
}

/* ---- the blocking read/write future --------------------------------------- */

struct rw_op {
	struct proc *proc;
	struct file *file;	/* counted while in the future */
	bool write;
	bool at;		/* pread/pwrite: use pos, not file->pos */
	uint64_t pos;		/* the explicit offset when at */
	size_t done;		/* bytes moved by earlier attempts */
	struct future *io;	/* the parked I/O of an -EIOWAIT, to await (owned) */
	struct amutex *lock[2];	/* the position and write locks the call needs (or NULL) */
	unsigned nlocked;	/* of lock[], taken in order: the first nlocked are held */
};

/* A file whose ops complete against a cache (may say -EIOWAIT), not a stream. */
static bool is_regular(const struct file *f)
{
	return f->ops->seekable && !f->ops->waitq;
}

/* Name the locks a regular-file call needs (none for streams). */
static void rw_locks_choose(struct rw_op *op)
{
	struct file *f = op->file;

	op->lock[0] = op->lock[1] = NULL;
	op->nlocked = 0;
	if (!is_regular(f))
		return;
	if (!op->at)
		op->lock[0] = bucket(pos_locks, f);
	if (op->write)
		op->lock[1] = bucket(write_locks, f->inode);
}

/* Take the locks still missing without waiting; false when one is busy. */
static bool rw_locks_try(struct rw_op *op)
{
	for (; op->nlocked < 2; op->nlocked++) {
		struct amutex *m = op->lock[op->nlocked];

		if (m && !amutex_trylock(m))
			return false;
	}
	return true;
}

static void rw_locks_release(struct rw_op *op)
{
	while (op->nlocked) {
		struct amutex *m = op->lock[--op->nlocked];

		if (m)
			amutex_unlock(m);
	}
}

/*
 * Move what can be moved now. Returns true with *res set when finished, or
 * false when the caller must wait on the file's queue and retry.
 */
static bool rw_try(struct rw_op *op, struct uio *u, long *res)
{
	struct file *f = op->file;
	uint64_t *pos = op->at ? &op->pos : &f->pos;
	long r;

	if (op->write && is_regular(f) && (f->inode->mode & (S_ISUID | S_ISGID)))
		inode_remove_privs(f->inode); /* a write drops set-id bits (Linux) */
	for (;;) {
		r = op->write ? f->ops->write(f, u, pos) : f->ops->read(f, u, pos);
		if (r > 0) {
			op->done += (size_t)r;
			/* A short regular-file read is a miss or end of file: the
			 * next call tells which (0, or -EIOWAIT to await). */
			if (u->resid && (op->write || is_regular(f)))
				continue;
			break;
		}
		if (r == -EIOWAIT) {
			/* Nothing changed in this call; await the I/O, go on. */
			op->io = vfs_take_io_wait();
			if (op->io)
				return false;
			r = -EIO;
			break;
		}
		if (r == -EAGAIN && !(f->flags & O_NONBLOCK) && f->ops->waitq)
			return false;
		break;
	}
	if (r == -EPIPE && op->write && op->proc)
		proc_signal(op->proc, SIGPIPE);
	*res = op->done ? (long)op->done : r;
	return true;
}

/*
 *   RW_LOCK --(every lock held)--> RW_RETRY
 *   RW_RETRY --(register on the queue, retry: would block)--> RW_WAITING
 *    ^  |  \--(finished)--> RW_DONE                               |
 *    |  \--(-EIOWAIT: an I/O future parked)--> RW_IO              |
 *    |                                          | (I/O done)      |
 *    \-----------------------------------------+-----(woken)------/
 */
enum rw_state {
	RW_LOCK,
	RW_RETRY,
	RW_WAITING,
	RW_IO,
	RW_DONE,
};

struct rw_future {
	struct future base;
	enum rw_state state;
	struct rw_op op;
	struct uio uio;
	struct iovec iov1;		/* the segment of read/write */
	struct iovec *owned_iov;	/* readv/writev's array, or NULL */
	bool has_wait;			/* the file has a wait queue: wait is live */
	bool io_waited;			/* RW_IO returned PENDING since the last retry */
	bool locking;			/* lk is live (queued on op.lock[op.nlocked]) */
	struct waitq_wait_future wait;
	struct amutex_lock_future lk;	/* RW_LOCK: the lock being awaited */
};


static void rw_drop_io(struct rw_op *op)
{
	if (op->io) {
		future_drop(op->io);
		future_release(op->io);
		op->io = NULL;
	}
}

static void rw_drop(struct future *fut)
{
	struct rw_future *w = (struct rw_future *)fut;

	if (w->has_wait)
		future_drop(&w->wait.base); /* unregisters; safe twice */
	if (w->locking) {
		future_drop(&w->lk.base); /* a lock handed over meanwhile is passed on */
		w->locking = false;
	}
	rw_drop_io(&w->op);
	rw_locks_release(&w->op);
	w->state = RW_DONE;
	if (w->op.file) {
		file_put(w->op.file);
		w->op.file = NULL;
	}
	kfree(w->owned_iov);
	w->owned_iov = NULL;
}

static enum poll rw_poll(struct future *fut, struct context *cx)
{
	struct rw_future *w = (struct rw_future *)fut;
	struct file *f = w->op.file;
	long res;

	for (;;) {
		switch (w->state) {
		case RW_LOCK:
			if (!w->locking) {
				if (rw_locks_try(&w->op)) {
					fut->awaiting = NULL;
					w->state = RW_RETRY;
					continue;
				}
				amutex_lock_init(&w->lk, w->op.lock[w->op.nlocked]);
				w->locking = true;
			}
			fut->awaiting = &w->lk.base;
			if (future_poll(&w->lk.base, cx) == POLL_PENDING)
				return POLL_PENDING;
			w->locking = false;
			w->op.nlocked++;
			continue;
		case RW_RETRY:
			/* Register first, then re-check (waitq.h). */
			if (w->has_wait) {
				waitq_wait_init(&w->wait, f->ops->waitq(f, w->op.write));
				fut->awaiting = &w->wait.base;
				future_poll(&w->wait.base, cx);
			}
			if (!rw_try(&w->op, &w->uio, &res)) {
				if (w->op.io) {
					if (w->has_wait)
						future_drop(&w->wait.base);
					fut->awaiting = w->op.io;
					w->state = RW_IO;
					continue;
				}
				w->state = RW_WAITING;
				return POLL_PENDING;
			}
			if (w->has_wait)
				future_drop(&w->wait.base);
			rw_locks_release(&w->op);
			fut->awaiting = NULL;
			fut->result = res;
			w->state = RW_DONE;
			return POLL_READY;
		case RW_WAITING:
			if (future_poll(&w->wait.base, cx) == POLL_PENDING)
				return POLL_PENDING;
			w->state = RW_RETRY;
			continue;
		case RW_IO:
			if (future_poll(w->op.io, cx) == POLL_PENDING) {
				w->io_waited = true;
				return POLL_PENDING;
			}
			/* The I/O's own result does not matter: the retry meets
			 * the block, or its error, in the cache. */
			rw_drop_io(&w->op);
			fut->awaiting = NULL;
			w->state = RW_RETRY;
			if (!w->io_waited) {
				/* Ready at once (the cache's "a buffer may be free"
				 * wait fires on any release, our own included):
				 * yield, so I/O completions and other tasks run
				 * instead of this poll spinning. */
				waker_wake_by_ref(cx->waker);
				return POLL_PENDING;
			}
			w->io_waited = false;
			continue;
		case RW_DONE:
			return POLL_READY;
		}
	}
}

static void rw_release(struct future *fut)
{
	kfree(fut);
}

static const char *rw_state_name(const struct future *fut)
{
	static const char *const names[] = {
		[RW_LOCK] = "RW_LOCK",
		[RW_RETRY] = "RW_RETRY",
		[RW_WAITING] = "RW_WAITING",
		[RW_IO] = "RW_IO",
		[RW_DONE] = "RW_DONE",
	};

	return names[((const struct rw_future *)fut)->state];
}

static long rw_progress(const struct future *fut)
{
	return (long)((const struct rw_future *)fut)->op.done;
}

static const struct future_ops rw_read_ops = {
	.name = "file_read",
	.progress = rw_progress,
	.poll = rw_poll,
	.drop = rw_drop,
	.release = rw_release,
	.state_name = rw_state_name,
};

static const struct future_ops rw_write_ops = {
	.name = "file_write",
	.progress = rw_progress,
	.poll = rw_poll,
	.drop = rw_drop,
	.release = rw_release,
	.state_name = rw_state_name,
};

/* ---- the stream future: read/write of one buffer on a pipe or tty ---------- */

/*
 * What most blocked processes wait in (a shell reading its terminal, a
 * pipeline stage reading its pipe), hence its own exact-size slab cache and
 * only what such a call needs: no I/O future, offset or iovec array.
 *
 *   STREAM_RETRY --(register on the queue, retry: would block)--> STREAM_WAITING
 *        ^    \--(moved something, EOF, error)--> STREAM_DONE            |
 *        \------------------------------(woken)--------------------------/
 */
enum stream_state {
	STREAM_RETRY,
	STREAM_WAITING,
	STREAM_DONE,
};

struct stream_future {
	struct future base;
	struct waitq_wait_future wait;	/* on the file's queue (initialised at creation) */
	struct proc *proc;		/* the caller: its memory, its SIGPIPE */
	struct file *file;		/* counted while in the future */
	uintptr_t buf;			/* the buffer, in proc's memory */
	uint32_t len;			/* its size (at most MAX_RW_COUNT) */
	uint32_t done;			/* bytes moved so far (a write may go in pieces) */
	uint8_t state;			/* enum stream_state */
	bool write;
};

static struct slab_cache stream_cache =
	SLAB_CACHE_INIT("stream_rw", sizeof(struct stream_future), 8);

/* For the proc_state_bytes benchmark (kernel/proc/proc_kbench.c): what a
 * process blocked in a pipe read holds. */
size_t file_stream_future_alloc_size(void);
size_t file_stream_future_alloc_size(void)
{
	return stream_cache.size;
}

/* One attempt with the shared logic of rw_try(); false: wait and retry. */
static bool stream_try(struct stream_future *s, long *res)
{
	struct rw_op op = { .proc = s->proc, .file = s->file, .write = s->write, .done = s->done };
	struct iovec iov = { .base = s->buf + s->done, .len = s->len - s->done };
	struct uio u;

	uio_init_user(&u, proc_as(s->proc), &iov, 1);
	if (rw_try(&op, &u, res)) {
		s->done = (uint32_t)op.done;
		return true;
	}
	s->done = (uint32_t)op.done;
	if (op.io) {
		/* Streams have no cache behind them; should one ever park
		 * I/O, give up rather than wait on the wrong thing. */
		rw_drop_io(&op);
		*res = op.done ? (long)op.done : -EIO;
		return true;
	}
	return false;
}

static void stream_drop(struct future *fut)
{
	struct stream_future *s = container_of(fut, struct stream_future, base);

	future_drop(&s->wait.base); /* unregisters; safe twice */
	s->state = STREAM_DONE;
	if (s->file) {
		file_put(s->file);
		s->file = NULL;
	}
}

static enum poll stream_poll(struct future *fut, struct context *cx)
{
	struct stream_future *s = container_of(fut, struct stream_future, base);
	struct file *f = s->file;
	long res;

	/* LAB(pipe) BEGIN stub:
	 * (void)f;
	 * if (s->state == STREAM_DONE)
	 * 	return POLL_READY;
	 * if (stream_try(s, &res)) {
	 * 	fut->result = res;
	 * 	s->state = STREAM_DONE;
	 * 	return POLL_READY;
	 * }
	 * waker_wake_by_ref(cx->waker);
	 * return POLL_PENDING;
	 */
	for (;;) {
		switch ((enum stream_state)s->state) {
		case STREAM_RETRY:
			/* Register first, then re-check (waitq.h). */
			waitq_wait_init(&s->wait, f->ops->waitq(f, s->write));
			fut->awaiting = &s->wait.base;
			future_poll(&s->wait.base, cx);
			if (!stream_try(s, &res)) {
				s->state = STREAM_WAITING;
				return POLL_PENDING;
			}
			future_drop(&s->wait.base);
			fut->awaiting = NULL;
			fut->result = res;
			s->state = STREAM_DONE;
			return POLL_READY;
		case STREAM_WAITING:
			if (future_poll(&s->wait.base, cx) == POLL_PENDING)
				return POLL_PENDING;
			s->state = STREAM_RETRY;
			continue;
		case STREAM_DONE:
			return POLL_READY;
		}
	}
	/* LAB(pipe) END */
}

static void stream_release(struct future *fut)
{
	slab_free(&stream_cache, container_of(fut, struct stream_future, base));
}

static const char *stream_state_name(const struct future *fut)
{
	static const char *const names[] = {
		[STREAM_RETRY] = "STREAM_RETRY",
		[STREAM_WAITING] = "STREAM_WAITING",
		[STREAM_DONE] = "STREAM_DONE",
	};

	return names[container_of(fut, const struct stream_future, base)->state];
}

static long stream_progress(const struct future *fut)
{
	return container_of(fut, const struct stream_future, base)->done;
}

static const struct future_ops stream_read_ops = {
	.name = "stream_read",
	.progress = stream_progress,
	.type = "stream_future",
	.poll = stream_poll,
	.drop = stream_drop,
	.release = stream_release,
	.state_name = stream_state_name,
};

static const struct future_ops stream_write_ops = {
	.name = "stream_write",
	.progress = stream_progress,
	.type = "stream_future",
	.poll = stream_poll,
	.drop = stream_drop,
	.release = stream_release,
	.state_name = stream_state_name,
};

/* The future for a would-block read/write of one segment on a stream, after
 * the first attempt (op, u) moved op->done bytes. NULL when out of memory. */
static struct future *stream_future_new(const struct rw_op *op, const struct uio *u)
{
	struct stream_future *s = slab_alloc(&stream_cache);
	struct file *f = op->file;

	if (!s)
		return NULL;
	future_init(&s->base, op->write ? &stream_write_ops : &stream_read_ops);
	s->state = STREAM_RETRY;
	s->write = op->write;
	s->proc = op->proc;
	s->file = file_get(f);
	s->buf = u->iov->base;
	s->len = (uint32_t)u->iov->len;
	s->done = (uint32_t)op->done;
	/* Initialised now so a drop before the first poll is a no-op. */
	waitq_wait_init(&s->wait, f->ops->waitq(f, op->write));
	return &s->base;
}

/* file_rw at an explicit offset (pread/pwrite) when at is set. */
static long rw_start(struct proc *p, struct file *f, struct uio *u, struct iovec *owned_iov,
		     bool write, bool at, uint64_t pos, struct future **pending)
{
	struct rw_op op = { .proc = p, .file = f, .write = write, .at = at, .pos = pos };
	struct rw_future *w;
	bool locked;
	long res;

	*pending = NULL;
	if (write ? !f->ops->write : !f->ops->read) {
		kfree(owned_iov);
		return -EINVAL;
	}
	rw_locks_choose(&op);
	locked = rw_locks_try(&op);
	if (locked && rw_try(&op, u, &res)) {
		rw_locks_release(&op);
		kfree(owned_iov);
		return res;
	}
	if (!owned_iov && !at && !op.io && f->ops->waitq && p && u->as && u->as == proc_as(p)) {
		/* One segment of the process's memory on a stream (as rw1
		 * sets it up: iov_off is what rw_try moved). */
		*pending = stream_future_new(&op, u);
		if (*pending)
			return 0;
		return op.done ? (long)op.done : -ENOMEM;
	}
	w = kzalloc(sizeof(*w));
	if (!w) {
		rw_drop_io(&op);
		rw_locks_release(&op);
		kfree(owned_iov);
		return op.done ? (long)op.done : -ENOMEM;
	}
	future_init(&w->base, write ? &rw_write_ops : &rw_read_ops);
	w->state = locked ? RW_RETRY : RW_LOCK;
	w->op = op;
	w->op.file = file_get(f);
	w->uio = *u;
	if (!owned_iov) {
		/* u points at the caller's one segment: keep a copy of it. */
		w->iov1 = *u->iov;
		w->uio.iov = &w->iov1;
	}
	w->owned_iov = owned_iov;
	w->has_wait = f->ops->waitq != NULL;
	/* Initialised now so a drop before the first poll is a no-op. */
	if (w->has_wait)
		waitq_wait_init(&w->wait, f->ops->waitq(f, write));
	if (op.io) {
		w->state = RW_IO;
		w->base.awaiting = op.io;
	}
	*pending = &w->base;
	return 0;
}

long file_rw(struct proc *p, struct file *f, struct uio *u, struct iovec *owned_iov, bool write,
	     struct future **pending)
{
	return rw_start(p, f, u, owned_iov, write, false, 0, pending);
}

long file_rw_at(struct proc *p, struct file *f, struct uio *u, struct iovec *owned_iov,
		bool write, uint64_t pos, struct future **pending)
{
	return rw_start(p, f, u, owned_iov, write, true, pos, pending);
}
