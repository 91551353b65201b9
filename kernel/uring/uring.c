// SPDX-License-Identifier: MIT
/*
 * io_uring: setup, the shared rings and their mmap, CQE posting,
 * io_uring_enter, io_uring_register, close, and the owner's exit; see
 * uring.h. The requests are in uring_ops.c.
 *
 * Who may submit: the process that set the ring up (as Linux's
 * IORING_SETUP_SINGLE_ISSUER, for every ring here): requests run against
 * their submitter's memory and fd table, so a ring inherited through fork
 * answers -EEXIST to the child. When the owner exits or execs, whatever it
 * has in flight is cancelled before its memory goes (uring_proc_gone).
 */
#include "kernel/uring/uring.h"

#include "kernel/arch.h"
#include "kernel/async/timer.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/anon.h"
#include "kernel/ipc/eventfd.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PAGE_SZ 4096u

static struct spinlock rings_lock = SPINLOCK_INIT("uring_all");
static LIST_HEAD(rings);		/* rings_lock: every live ring */
static atomic_uint nrings;		/* A: how many (exit skips the scan at 0) */

void *uring_rptr(struct uring *r, uint32_t off)
{
	return (char *)r->rpages[off / PAGE_SZ] + off % PAGE_SZ;
}

static struct io_uring_sqe *sqe_ptr(struct uring *r, uint32_t idx)
{
	uint32_t off = idx * (uint32_t)sizeof(struct io_uring_sqe);

	return (struct io_uring_sqe *)((char *)r->spages[off / PAGE_SZ] + off % PAGE_SZ);
}

/* The header fields all live in the first page. */
static uint32_t *ring_u32(struct uring *r, uint32_t off)
{
	return (uint32_t *)((char *)r->rpages[0] + off);
}

static void free_pages(void **pages, unsigned n)
{
	if (!pages)
		return;
	for (unsigned i = 0; i < n; i++)
		if (pages[i])
			page_ref_put(pages[i]);
	kfree(pages);
}

static void **alloc_pages(size_t bytes, unsigned *n)
{
	unsigned cnt = (unsigned)((bytes + PAGE_SZ - 1) / PAGE_SZ);
	void **pages = kzalloc(cnt * sizeof(void *));

	if (!pages)
		return NULL;
	for (unsigned i = 0; i < cnt; i++) {
		pages[i] = page_alloc();	/* zeroed */
		if (!pages[i]) {
			free_pages(pages, cnt);
			return NULL;
		}
	}
	*n = cnt;
	return pages;
}

void uring_put(struct uring *r)
{
	if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
		return;
	while (!list_empty(&r->overflow)) {
		struct uring_ovf *o = list_first_entry(&r->overflow, struct uring_ovf, node);

		list_del(&o->node);
		kfree(o);
	}
	free_pages(r->rpages, r->nrpages);
	free_pages(r->spages, r->nspages);
	waker_drop(&r->owner_waker);
	kfree(r);
}

/* ---- completions ------------------------------------------------------------------------ */

/* Move overflowed CQEs into the ring while there is room (L held). */
static void flush_overflow_locked(struct uring *r)
{
	uint32_t *ctail = ring_u32(r, RING_CQ_TAIL), mask = r->cq_entries - 1;

	while (!list_empty(&r->overflow)) {
		uint32_t head = __atomic_load_n(ring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
		uint32_t tail = *ctail;

		if (tail - head >= r->cq_entries)
			break;
		struct uring_ovf *o = list_first_entry(&r->overflow, struct uring_ovf, node);

		*(struct io_uring_cqe *)uring_rptr(r, RING_CQES + (tail & mask) * 16) = o->cqe;
		/* release: the CQE is written before the program sees the tail. */
		__atomic_store_n(ctail, tail + 1, __ATOMIC_RELEASE);
		list_del(&o->node);
		kfree(o);
		r->noverflow--;
	}
	if (!r->noverflow)
		__atomic_fetch_and(ring_u32(r, RING_SQ_FLAGS), ~IORING_SQ_CQ_OVERFLOW,
				   __ATOMIC_RELAXED);
}

/* Put one CQE in the ring, or on the overflow list (L held); false when out of memory. */
static void post_locked(struct uring *r, uint64_t user_data, int32_t res, uint32_t flags)
{
	uint32_t *ctail = ring_u32(r, RING_CQ_TAIL), mask = r->cq_entries - 1;
	uint32_t head, tail = *ctail;

	if (r->noverflow)
		flush_overflow_locked(r);
	head = __atomic_load_n(ring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
	if (!r->noverflow && tail - head < r->cq_entries) {
		struct io_uring_cqe *c = uring_rptr(r, RING_CQES + (tail & mask) * 16);

		c->user_data = user_data;
		c->res = res;
		c->flags = flags;
		/* release: the CQE is written before the program sees the tail. */
		__atomic_store_n(ctail, tail + 1, __ATOMIC_RELEASE);
	} else {
		/* IORING_FEAT_NODROP: kept until the program makes room. */
		struct uring_ovf *o = kmalloc(sizeof(*o));

		if (o) {
			o->cqe = (struct io_uring_cqe){ user_data, res, flags };
			list_add_tail(&o->node, &r->overflow);
			r->noverflow++;
			__atomic_fetch_or(ring_u32(r, RING_SQ_FLAGS), IORING_SQ_CQ_OVERFLOW,
					  __ATOMIC_RELAXED);
		} else {
			(*ring_u32(r, RING_CQ_OVERFLOW))++;	/* out of memory: dropped, counted */
		}
	}
	if (!list_empty(&r->timeouts))
		uring_timeouts_on_post_locked(r);
}

/* After CQEs were posted: wake the waiters and signal the eventfd (n times). */
static void posted(struct uring *r, unsigned n)
{
	struct file *efd;
	irqflags_t fl;

	waitq_wake_all(&r->cq_wq);
	if (!__atomic_load_n(&r->eventfd, __ATOMIC_RELAXED))
		return;
	fl = spin_lock_irqsave(&r->lock);
	efd = r->eventfd ? file_get(r->eventfd) : NULL;
	spin_unlock_irqrestore(&r->lock, fl);
	if (!efd)
		return;
	uint64_t v = n, pos = 0;
	struct iovec iov;
	struct uio u;

	uio_init_kernel(&u, &iov, &v, sizeof(v));
	(void)efd->ops->write(efd, &u, &pos);
	file_put(efd);
}

void uring_post(struct uring *r, uint64_t user_data, int32_t res, uint32_t flags)
{
	irqflags_t fl = spin_lock_irqsave(&r->lock);

	post_locked(r, user_data, res, flags);
	spin_unlock_irqrestore(&r->lock, fl);
	posted(r, 1);
}

/* CQEs the program has not consumed yet. */
static uint32_t cq_ready(struct uring *r)
{
	return __atomic_load_n(ring_u32(r, RING_CQ_TAIL), __ATOMIC_ACQUIRE) -
	       __atomic_load_n(ring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
}

/* ---- the file -------------------------------------------------------------------------- */

static void uring_release(struct file *f)
{
	struct uring *r = f->priv;
	irqflags_t fl = spin_lock_irqsave(&r->lock);
	struct file *efd = r->eventfd;

	r->closing = true;
	r->eventfd = NULL;
	spin_unlock_irqrestore(&r->lock, fl);
	uring_cancel_all(r);
	file_put(efd);
	for (unsigned i = 0; i < r->nfiles; i++)
		file_put(r->files[i]);
	kfree(r->files);
	kfree(r->bufs);
	fl = spin_lock_irqsave(&rings_lock);
	list_del(&r->all);
	spin_unlock_irqrestore(&rings_lock, fl);
	atomic_fetch_sub_explicit(&nrings, 1, memory_order_relaxed);
	uring_put(r);
}

static unsigned uring_ready(struct file *f)
{
	struct uring *r = f->priv;

	return cq_ready(r) ? POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM : POLLOUT | POLLWRNORM;
}

static struct waitq *uring_waitq(struct file *f, bool write)
{
	(void)write;
	return &((struct uring *)f->priv)->cq_wq;
}

static long uring_mmap(struct file *f, struct proc *p, uintptr_t addr, size_t len, unsigned prot,
		       unsigned flags, uint64_t off)
{
	struct uring *r = f->priv;
	void **pages;
	unsigned n;

	switch (off) {
	case IORING_OFF_SQ_RING:
	case IORING_OFF_CQ_RING:
		pages = r->rpages;
		n = r->nrpages;
		break;
	case IORING_OFF_SQES:
		pages = r->spages;
		n = r->nspages;
		break;
	default:
		return -EINVAL;
	}
	if (len > (size_t)n * PAGE_SZ)
		return -EINVAL;
	return as_mmap_shared(proc_as(p), addr, len, prot, flags, pages, n);
}

static const struct file_ops uring_fops;

bool uring_is_ring(const struct file *f)
{
	return f->ops == &uring_fops;
}

static const struct file_ops uring_fops = {
	.release = uring_release,
	.waitq = uring_waitq,
	.ready = uring_ready,
	.mmap = uring_mmap,
};

struct uring *uring_of(struct proc *p, int fd, struct file **out, long *err)
{
	struct file *f = fd_get(p, fd);

	*err = 0;
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &uring_fops) {
		file_put(f);
		*err = -EOPNOTSUPP;
		return NULL;
	}
	*out = f;
	return f->priv;
}

static uint32_t roundup_pow2(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* ---- io_uring_setup --------------------------------------------------------------------- */

#define SETUP_KNOWN                                                                                \
	(IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL |                     \
	 IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SINGLE_ISSUER |     \
	 IORING_SETUP_DEFER_TASKRUN)

SYSCALL(425, io_uring_setup)
{
	struct proc *p = sc->proc;
	uint32_t entries = (uint32_t)sc->arg[0], cq;
	struct io_uring_params prm;
	struct uring *r;
	irqflags_t fl;
	int fd;

	if (copy_from_user(proc_as(p), &prm, sc->arg[1], sizeof(prm)))
		return -EFAULT;
	for (unsigned i = 0; i < 3; i++)
		if (prm.resv[i])
			return -EINVAL;
	if (prm.flags & ~SETUP_KNOWN)
		return -EINVAL;	/* IOPOLL, SQPOLL, SQE128, CQE32 ... are not here */
	if ((prm.flags & IORING_SETUP_DEFER_TASKRUN) && !(prm.flags & IORING_SETUP_SINGLE_ISSUER))
		return -EINVAL;
	if (!entries)
		return -EINVAL;
	if (entries > URING_MAX_ENTRIES) {
		if (!(prm.flags & IORING_SETUP_CLAMP))
			return -EINVAL;
		entries = URING_MAX_ENTRIES;
	}
	entries = roundup_pow2(entries);
	cq = 2 * entries;
	if (prm.flags & IORING_SETUP_CQSIZE) {
		if (!prm.cq_entries)
			return -EINVAL;
		cq = prm.cq_entries;
		if (cq > URING_MAX_CQ_ENTRIES) {
			if (!(prm.flags & IORING_SETUP_CLAMP))
				return -EINVAL;
			cq = URING_MAX_CQ_ENTRIES;
		}
		cq = roundup_pow2(cq);
		if (cq < entries)
			return -EINVAL;
	}
	r = kzalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	atomic_init(&r->refs, 1);
	spin_init(&r->lock, "uring");
	spin_init(&r->sq_lock, "uring_sq");
	list_init(&r->inflight);
	list_init(&r->ready);
	r->owner_waker = waker_noop();
	list_init(&r->overflow);
	list_init(&r->timeouts);
	waitq_init(&r->cq_wq);
	r->flags = prm.flags;
	r->sq_entries = entries;
	r->cq_entries = cq;
	r->owner = p;
	r->sq_array_off = (RING_CQES + cq * 16 + 63) & ~63u;
	r->rpages = alloc_pages(r->sq_array_off + entries * 4, &r->nrpages);
	r->spages = alloc_pages((size_t)entries * sizeof(struct io_uring_sqe), &r->nspages);
	if (!r->rpages || !r->spages) {
		uring_put(r);
		return -ENOMEM;
	}
	*ring_u32(r, RING_SQ_MASK) = entries - 1;
	*ring_u32(r, RING_CQ_MASK) = cq - 1;
	*ring_u32(r, RING_SQ_ENTRIES) = entries;
	*ring_u32(r, RING_CQ_ENTRIES) = cq;

	memset(&prm.sq_off, 0, sizeof(prm.sq_off));
	memset(&prm.cq_off, 0, sizeof(prm.cq_off));
	prm.sq_entries = entries;
	prm.cq_entries = cq;
	prm.features = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE |
		       IORING_FEAT_RW_CUR_POS | IORING_FEAT_EXT_ARG;
	prm.sq_off = (struct io_sqring_offsets){
		.head = RING_SQ_HEAD, .tail = RING_SQ_TAIL, .ring_mask = RING_SQ_MASK,
		.ring_entries = RING_SQ_ENTRIES, .flags = RING_SQ_FLAGS,
		.dropped = RING_SQ_DROPPED, .array = r->sq_array_off,
	};
	prm.cq_off = (struct io_cqring_offsets){
		.head = RING_CQ_HEAD, .tail = RING_CQ_TAIL, .ring_mask = RING_CQ_MASK,
		.ring_entries = RING_CQ_ENTRIES, .overflow = RING_CQ_OVERFLOW,
		.cqes = RING_CQES, .flags = RING_CQ_FLAGS,
	};
	if (copy_to_user(proc_as(p), sc->arg[1], &prm, sizeof(prm))) {
		uring_put(r);
		return -EFAULT;
	}
	fl = spin_lock_irqsave(&rings_lock);
	list_add_tail(&r->all, &rings);
	spin_unlock_irqrestore(&rings_lock, fl);
	atomic_fetch_add_explicit(&nrings, 1, memory_order_relaxed);
	fd = anon_fd_new(p, &uring_fops, r, O_CLOEXEC);
	return fd;
}

void uring_proc_gone(struct proc *p)
{
	if (!atomic_load_explicit(&nrings, memory_order_relaxed))
		return;
	for (;;) {
		struct uring *r, *found = NULL;
		irqflags_t fl = spin_lock_irqsave(&rings_lock);

		list_for_each_entry(r, &rings, all) {
			if (__atomic_load_n(&r->owner, __ATOMIC_RELAXED) == p) {
				found = r;
				atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
				break;
			}
		}
		spin_unlock_irqrestore(&rings_lock, fl);
		if (!found)
			return;
		fl = spin_lock_irqsave(&found->lock);
		found->owner = NULL;
		spin_unlock_irqrestore(&found->lock, fl);
		uring_cancel_all(found);
		uring_put(found);
	}
}

/* ---- io_uring_enter --------------------------------------------------------------------- */

/*
 * Take up to n SQEs off the ring; returns how many were consumed. A run of
 * plain NOPs is answered under one hold of the CQ lock and one wake at the
 * end (the batch fast path); anything else is copied once into the kernel
 * and submitted with no lock held.
 */
static long submit(struct uring *r, struct proc *p, uint32_t n)
{
	uint32_t mask = r->sq_entries - 1, cmask = r->cq_entries - 1, done = 0, nops = 0;
	uint32_t ctail = 0, chead = 0;
	bool fast = false;
	irqflags_t fl = spin_lock_irqsave(&r->sq_lock), cfl = 0;
	uint32_t tail = __atomic_load_n(ring_u32(r, RING_SQ_TAIL), __ATOMIC_ACQUIRE);
	bool cq_held = false;

	while (done < n && r->sq_head != tail) {
		uint32_t idx = __atomic_load_n((uint32_t *)uring_rptr(r, r->sq_array_off + (r->sq_head & mask) * 4),
					       __ATOMIC_RELAXED);
		struct io_uring_sqe sqe, *us;

		r->sq_head++;
		if (idx >= r->sq_entries) {
			(*ring_u32(r, RING_SQ_DROPPED))++;	/* as Linux: dropped, no CQE */
			continue;
		}
		done++;
		us = sqe_ptr(r, idx);
		/* One read of each field the fast path looks at. */
		uint8_t op = __atomic_load_n(&us->opcode, __ATOMIC_RELAXED);
		uint8_t fl8 = __atomic_load_n(&us->flags, __ATOMIC_RELAXED);

		if (op == IORING_OP_NOP && !fl8) {
			uint64_t ud = __atomic_load_n(&us->user_data, __ATOMIC_RELAXED);

			if (!cq_held) {
				cfl = spin_lock_irqsave(&r->lock);
				cq_held = true;
				ctail = *ring_u32(r, RING_CQ_TAIL);
				chead = __atomic_load_n(ring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
				fast = !r->noverflow && list_empty(&r->timeouts);
			}
			nops++;
			if (fast && ctail - chead < r->cq_entries) {
				/* Room known: write the CQE, publish the tail at the end. */
				struct io_uring_cqe *c =
					uring_rptr(r, RING_CQES + (ctail & cmask) * 16);

				c->user_data = ud;
				c->res = 0;
				c->flags = 0;
				ctail++;
				continue;
			}
			__atomic_store_n(ring_u32(r, RING_CQ_TAIL), ctail, __ATOMIC_RELEASE);
			post_locked(r, ud, 0, 0);
			ctail = *ring_u32(r, RING_CQ_TAIL);
			chead = __atomic_load_n(ring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
			fast = !r->noverflow && list_empty(&r->timeouts);
			continue;
		}
		memcpy(&sqe, us, sizeof(sqe));	/* one stable copy */
		if (cq_held) {
			/* release: the CQEs are written before the program sees the tail. */
			__atomic_store_n(ring_u32(r, RING_CQ_TAIL), ctail, __ATOMIC_RELEASE);
			spin_unlock_irqrestore(&r->lock, cfl);
			cq_held = false;
		}
		/* release: the program may reuse the slots once it sees the head move. */
		__atomic_store_n(ring_u32(r, RING_SQ_HEAD), r->sq_head, __ATOMIC_RELEASE);
		spin_unlock_irqrestore(&r->sq_lock, fl);
		uring_submit_one(r, p, &sqe);
		fl = spin_lock_irqsave(&r->sq_lock);
		tail = __atomic_load_n(ring_u32(r, RING_SQ_TAIL), __ATOMIC_ACQUIRE);
	}
	if (cq_held) {
		__atomic_store_n(ring_u32(r, RING_CQ_TAIL), ctail, __ATOMIC_RELEASE);
		spin_unlock_irqrestore(&r->lock, cfl);
	}
	__atomic_store_n(ring_u32(r, RING_SQ_HEAD), r->sq_head, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&r->sq_lock, fl);
	if (nops)
		posted(r, nops);
	return done;
}

/*
 *   WAITING --(register on cq_wq, then: enough CQEs / deadline / ring gone)--> DONE
 *   WAITING --(a signal: dropped)--> -EINTR
 */
struct enter_future {
	struct future base;
	struct uring *r;		/* counted */
	struct file *file;		/* counted */
	struct proc *p;
	uint32_t min;
	bool timed, done, nomask;
	uint64_t deadline;
	long submitted;
	struct timer_entry te;
	struct waitq_wait_future wait;
};

static void enter_drop(struct future *f)
{
	struct enter_future *e = (struct enter_future *)f;

	future_drop(&e->wait.base);
	timerq_cancel(&e->te);
	if (e->file) {
		file_put(e->file);
		e->file = NULL;
	}
	e->done = true;
}

static enum poll enter_poll(struct future *f, struct context *cx)
{
	struct enter_future *e = (struct enter_future *)f;
	bool expired = false;

	if (e->done)
		return POLL_READY;
	future_drop(&e->wait.base);
	waitq_wait_init(&e->wait, &e->r->cq_wq);
	future_poll(&e->wait.base, cx);
	if (e->deadline != UINT64_MAX) {
		if (!e->timed) {
			timerq_add(&e->te, e->deadline, cx->waker);
			e->timed = true;
		}
		expired = timerq_check(&e->te, cx->waker) || clock_now_ns() >= e->deadline;
	}
	uring_pump(e->r, cx);
	irqflags_t fl = spin_lock_irqsave(&e->r->lock);

	flush_overflow_locked(e->r);
	spin_unlock_irqrestore(&e->r->lock, fl);
	if (cq_ready(e->r) < e->min && !expired)
		return POLL_PENDING;
	f->result = cq_ready(e->r) >= e->min || e->submitted ? e->submitted : -ETIME;
	/* Requests still in flight stay registered with this task's waker:
	 * their wakes are spurious polls of the process until its next enter. */
	enter_drop(f);
	if (!e->nomask)
		signal_wait_end(e->p);
	return POLL_READY;
}

static void enter_release(struct future *f)
{
	kfree(f);
}

static const struct future_ops enter_ops = {
	.name = "io_uring_enter",
	.type = "enter_future",
	.poll = enter_poll,
	.drop = enter_drop,
	.release = enter_release,
};

struct getevents_arg {
	uint64_t sigmask;
	uint32_t sigmask_sz;
	uint32_t pad;
	uint64_t ts;
};

SYSCALL_ASYNC(426, io_uring_enter)
{
	struct proc *p = sc->proc;
	uint32_t to_submit = (uint32_t)sc->arg[1], min = (uint32_t)sc->arg[2];
	unsigned flags = (unsigned)sc->arg[3];
	uintptr_t argp = sc->arg[4], umask = 0;
	size_t argsz = sc->arg[5], masksz = 0;
	uint64_t mask, timeout = UINT64_MAX;
	struct enter_future *e;
	struct file *f;
	struct uring *r;
	long err, sub = 0;

	if (flags & ~(unsigned)(IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP |
				IORING_ENTER_SQ_WAIT | IORING_ENTER_EXT_ARG))
		return -EINVAL;
	r = uring_of(p, (int)sc->arg[0], &f, &err);
	if (!r)
		return err;
	if (r->owner != p) {
		file_put(f);
		return -EEXIST;	/* another process's ring (see the top) */
	}
	if (flags & IORING_ENTER_EXT_ARG) {
		struct getevents_arg ga;

		err = 0;
		if (argsz != sizeof(ga))
			err = -EINVAL;
		else if (copy_from_user(proc_as(p), &ga, argp, sizeof(ga)))
			err = -EFAULT;
		if (!err && ga.ts)
			err = poll_timespec_from_user(proc_as(p), ga.ts, &timeout);
		if (err) {
			file_put(f);
			return err;
		}
		umask = ga.sigmask;
		masksz = ga.sigmask_sz;
	} else {
		umask = argp;
		masksz = argsz;
	}
	if (umask && (flags & IORING_ENTER_GETEVENTS)) {
		if (masksz != sizeof(uint64_t) || copy_from_user(proc_as(p), &mask, umask, 8)) {
			file_put(f);
			return masksz != sizeof(uint64_t) ? -EINVAL : -EFAULT;
		}
	} else {
		umask = 0;
	}
	if (to_submit)
		sub = submit(r, p, to_submit);
	if (!(flags & IORING_ENTER_GETEVENTS))
		min = 0;
	if (min > r->cq_entries)
		min = r->cq_entries;
	irqflags_t fl0 = spin_lock_irqsave(&r->lock);
	bool idle = list_empty(&r->inflight);

	spin_unlock_irqrestore(&r->lock, fl0);
	/* Nothing in flight to pump: answer at once when we can. */
	if (idle && (cq_ready(r) >= min || timeout == 0)) {
		file_put(f);
		return sub || cq_ready(r) >= min ? sub : -ETIME;
	}
	e = kzalloc(sizeof(*e));
	if (!e) {
		file_put(f);
		return sub ? sub : -ENOMEM;
	}
	future_init(&e->base, &enter_ops);
	e->r = r;
	e->file = f;
	e->p = p;
	e->min = min;
	e->submitted = sub;
	e->deadline = timeout == UINT64_MAX ? UINT64_MAX : poll_deadline(timeout);
	timer_entry_init(&e->te);
	waitq_wait_init(&e->wait, &r->cq_wq);
	if (min)
		signal_wait_begin(p, umask ? &mask : NULL);
	else
		e->nomask = true;
	sc->pending = &e->base;
	return 0;
}
