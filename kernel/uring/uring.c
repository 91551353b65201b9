// SPDX-License-Identifier: MIT
/*
 * io_uring: setup, the shared rings and their mmap, CQE posting, close,
 * and the owner's exit; see uring.h. io_uring_enter is in uring_enter.c,
 * io_uring_register in uring_register.c, the requests in uring_ops.c.
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
void uring_flush_overflow_locked(struct uring *r)
{
	uint32_t *ctail = uring_u32(r, RING_CQ_TAIL), mask = r->cq_entries - 1;

	while (!list_empty(&r->overflow)) {
		uint32_t head = __atomic_load_n(uring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
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
		__atomic_fetch_and(uring_u32(r, RING_SQ_FLAGS), ~IORING_SQ_CQ_OVERFLOW,
				   __ATOMIC_RELAXED);
}

/* Put one CQE in the ring, or on the overflow list (L held); false when out of memory. */
void uring_post_locked(struct uring *r, uint64_t user_data, int32_t res, uint32_t flags)
{
	uint32_t *ctail = uring_u32(r, RING_CQ_TAIL), mask = r->cq_entries - 1;
	uint32_t head, tail = *ctail;

	if (r->noverflow)
		uring_flush_overflow_locked(r);
	head = __atomic_load_n(uring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
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
			__atomic_fetch_or(uring_u32(r, RING_SQ_FLAGS), IORING_SQ_CQ_OVERFLOW,
					  __ATOMIC_RELAXED);
		} else {
			(*uring_u32(r, RING_CQ_OVERFLOW))++;	/* out of memory: dropped, counted */
		}
	}
	if (!list_empty(&r->timeouts) && !r->tm_expiry)
		uring_timeouts_on_post_locked(r);
}

bool uring_waking[MAX_HARTS];

/* After CQEs were posted: wake the waiters and signal the eventfd (n times). */
void uring_posted(struct uring *r, unsigned n)
{
	unsigned h = hart_id();
	struct file *efd;
	irqflags_t fl;

	uring_waking[h] = true;	/* see uring.h */
	waitq_wake_all(&r->cq_wq);
	if (!__atomic_load_n(&r->eventfd, __ATOMIC_RELAXED))
		goto out;
	/* The program may turn the signal off and on in the CQ ring's flags. */
	if (__atomic_load_n(uring_u32(r, RING_CQ_FLAGS), __ATOMIC_RELAXED) &
	    IORING_CQ_EVENTFD_DISABLED)
		goto out;
	fl = spin_lock_irqsave(&r->lock);
	efd = r->eventfd ? file_get(r->eventfd) : NULL;
	spin_unlock_irqrestore(&r->lock, fl);
	if (!efd)
		goto out;
	uint64_t v = n, pos = 0;
	struct iovec iov;
	struct uio u;

	uio_init_kernel(&u, &iov, &v, sizeof(v));
	(void)efd->ops->write(efd, &u, &pos);
	file_put(efd);
out:
	uring_waking[h] = false;
}

void uring_post(struct uring *r, uint64_t user_data, int32_t res, uint32_t flags)
{
	irqflags_t fl = spin_lock_irqsave(&r->lock);

	uring_post_locked(r, user_data, res, flags);
	spin_unlock_irqrestore(&r->lock, fl);
	uring_posted(r, 1);
}

/* CQEs the program has not consumed yet. */
uint32_t uring_cq_ready(struct uring *r)
{
	return __atomic_load_n(uring_u32(r, RING_CQ_TAIL), __ATOMIC_ACQUIRE) -
	       __atomic_load_n(uring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
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

	return uring_cq_ready(r) ? POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM : POLLOUT | POLLWRNORM;
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
	 IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF |                \
	 IORING_SETUP_IOPOLL)

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
		return -EINVAL;	/* SQE128, CQE32 ... are not here */
	if ((prm.flags & IORING_SETUP_DEFER_TASKRUN) && !(prm.flags & IORING_SETUP_SINGLE_ISSUER))
		return -EINVAL;
	/* SQPOLL (see io_uring_enter): not with DEFER_TASKRUN, as Linux; SQ_AFF only with it
	 * and a cpu that exists. */
	if ((prm.flags & IORING_SETUP_SQPOLL) && (prm.flags & IORING_SETUP_DEFER_TASKRUN))
		return -EINVAL;
	if ((prm.flags & IORING_SETUP_SQ_AFF) &&
	    (!(prm.flags & IORING_SETUP_SQPOLL) || prm.sq_thread_cpu >= hart_count()))
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
	list_init(&r->drainq);
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
	if (r->sq_array_off / PAGE_SZ == (r->sq_array_off + entries * 4 - 1) / PAGE_SZ)
		r->sq_array1 = uring_rptr(r, r->sq_array_off);
	if (r->nspages == 1)
		r->sqes1 = r->spages[0];
	if (RING_CQES / PAGE_SZ == (RING_CQES + cq * 16 - 1) / PAGE_SZ)
		r->cqes1 = uring_rptr(r, RING_CQES);
	*uring_u32(r, RING_SQ_MASK) = entries - 1;
	*uring_u32(r, RING_CQ_MASK) = cq - 1;
	*uring_u32(r, RING_SQ_ENTRIES) = entries;
	*uring_u32(r, RING_CQ_ENTRIES) = cq;
	if (prm.flags & IORING_SETUP_SQPOLL)
		*uring_u32(r, RING_SQ_FLAGS) = IORING_SQ_NEED_WAKEUP;	/* always: see enter */

	memset(&prm.sq_off, 0, sizeof(prm.sq_off));
	memset(&prm.cq_off, 0, sizeof(prm.cq_off));
	prm.sq_entries = entries;
	prm.cq_entries = cq;
	prm.features = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE |
		       IORING_FEAT_RW_CUR_POS | IORING_FEAT_EXT_ARG | IORING_FEAT_SQPOLL_NONFIXED |
		       IORING_FEAT_CUR_PERSONALITY;
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
