// SPDX-License-Identifier: MIT
/*
 * io_uring_enter: taking SQEs off the ring (with the batch fast path for
 * NOPs), and waiting for completions with min_complete and EXT_ARG
 * timeouts. The rings and CQE posting are in uring.c.
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


/* ---- io_uring_enter --------------------------------------------------------------------- */

/*
 * Take up to n SQEs off the ring; returns how many were consumed. A run of
 * plain NOPs is answered under one hold of the CQ lock and one wake at the
 * end (the batch fast path); anything else is copied once into the kernel
 * and submitted with no lock held.
 */
/* An address in an array of pages (the rings region, the SQEs) by byte offset. */
static inline void *page_array_at(void *const *pages, unsigned long off)
{
	return (char *)pages[off / 4096u] + off % 4096u;
}

/* Where the plain-NOP run writes: small rings only (every array in one page). */
struct nop_rings {
	const uint32_t *sq_array;
	const struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	uint32_t smask, cmask, sq_entries;
};

/*
 * The batch fast path's inner loop: from SQ position head, up to max SQEs
 * that are plain NOPs (no flags, no op flags) get their CQE written at
 * *ctail and on; stops before the first other SQE (or bad index), which the
 * caller's loop takes. The caller holds both locks, has checked that NOPs
 * may complete at once and that max CQEs fit, and publishes the tail. Out of
 * line so that its few live values stay in registers.
 */
static __attribute__((noinline)) uint32_t nop_run(const struct nop_rings *nr, uint32_t head,
						  uint32_t max, uint32_t *ctail)
{
	uint32_t k = 0, t = *ctail;

	while (k < max) {
		uint32_t idx = __atomic_load_n(&nr->sq_array[(head + k) & nr->smask], __ATOMIC_RELAXED);
		const struct io_uring_sqe *us;
		struct io_uring_cqe *c;

		if (idx >= nr->sq_entries)
			break;
		us = &nr->sqes[idx];
		if (__atomic_load_n(&us->opcode, __ATOMIC_RELAXED) != IORING_OP_NOP ||
		    __atomic_load_n(&us->flags, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&us->op_flags, __ATOMIC_RELAXED))
			break;
		c = &nr->cqes[t & nr->cmask];
		c->user_data = __atomic_load_n(&us->user_data, __ATOMIC_RELAXED);
		c->res = 0;
		c->flags = 0;
		t++;
		k++;
	}
	*ctail = t;
	return k;
}

static long submit(struct uring *r, struct proc *p, uint32_t n)
{
	/* Locals for everything the loop reads of *r: the ring stores go through
	 * plain pointers the compiler must assume may alias *r. The page arrays and
	 * sizes are fixed for the ring's life (I fields). */
	void *const *rp = r->rpages, *const *sp = r->spages;
	const uint32_t mask = r->sq_entries - 1, cmask = r->cq_entries - 1;
	const uint32_t sq_entries = r->sq_entries, cq_entries = r->cq_entries;
	const uint32_t array_off = r->sq_array_off;
	uint32_t done = 0, nops = 0, ctail = 0, chead = 0;
	bool fast = false;
	irqflags_t fl = spin_lock_irqsave(&r->sq_lock), cfl = 0;
	uint32_t tail = __atomic_load_n(uring_u32(r, RING_SQ_TAIL), __ATOMIC_ACQUIRE);
	uint32_t head = r->sq_head;
	bool cq_held = false;
	struct uchain ch = { 0 };
	/* Whether a plain NOP may be answered at once: only a submission (under
	 * sq_lock, which we hold) can make it false, so it is read again only
	 * after one; a drain finishing elsewhere just leaves NOPs on the slow path. */
	bool direct = uring_sq_direct(r, &ch);
	/* Small rings have each array in one page: an entry is base + index. */
	uint32_t *sq_array1 = r->sq_array1;
	struct io_uring_sqe *sqes1 = r->sqes1;
	struct io_uring_cqe *cqes1 = r->cqes1;

	while (done < n && head != tail) {
		uint32_t *slot = sq_array1 ? sq_array1 + (head & mask)
					   : page_array_at(rp, array_off + (unsigned long)(head & mask) * 4);
		uint32_t idx = __atomic_load_n(slot, __ATOMIC_RELAXED);
		struct io_uring_sqe sqe, *us;

		head++;
		if (idx >= sq_entries) {
			(*uring_u32(r, RING_SQ_DROPPED))++;	/* as Linux: dropped, no CQE */
			continue;
		}
		done++;
		us = sqes1 ? sqes1 + idx : page_array_at(sp, (unsigned long)idx * sizeof(*us));
		/* One read of each field the fast path looks at. */
		uint8_t op = __atomic_load_n(&us->opcode, __ATOMIC_RELAXED);
		uint8_t fl8 = __atomic_load_n(&us->flags, __ATOMIC_RELAXED);

		if (op == IORING_OP_NOP && !fl8 && direct &&
		    !__atomic_load_n(&us->op_flags, __ATOMIC_RELAXED)) {
			uint64_t ud = __atomic_load_n(&us->user_data, __ATOMIC_RELAXED);

			if (!cq_held) {
				cfl = spin_lock_irqsave(&r->lock);
				cq_held = true;
				ctail = *uring_u32(r, RING_CQ_TAIL);
				chead = __atomic_load_n(uring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
				fast = !r->noverflow && list_empty(&r->timeouts);
			}
			nops++;
			if (fast && ctail - chead < cq_entries) {
				/* Room known: write the CQE, publish the tail at the end. */
				struct io_uring_cqe *c =
					cqes1 ? cqes1 + (ctail & cmask)
					      : page_array_at(rp, RING_CQES + (unsigned long)(ctail & cmask) * 16);

				c->user_data = ud;
				c->res = 0;
				c->flags = 0;
				ctail++;
				if (done < n && head != tail && sq_array1 && sqes1 && cqes1) {
					/* The NOPs that follow, in the tight loop. */
					const struct nop_rings nr = { sq_array1, sqes1, cqes1, mask, cmask,
								      sq_entries };
					uint32_t max = n - done, k;

					if (max > tail - head)
						max = tail - head;
					if (max > cq_entries - (ctail - chead))
						max = cq_entries - (ctail - chead);
					k = nop_run(&nr, head, max, &ctail);
					head += k;
					done += k;
					nops += k;
				}
				continue;
			}
			__atomic_store_n(uring_u32(r, RING_CQ_TAIL), ctail, __ATOMIC_RELEASE);
			uring_post_locked(r, ud, 0, 0);
			ctail = *uring_u32(r, RING_CQ_TAIL);
			chead = __atomic_load_n(uring_u32(r, RING_CQ_HEAD), __ATOMIC_ACQUIRE);
			fast = !r->noverflow && list_empty(&r->timeouts);
			continue;
		}
		memcpy(&sqe, us, sizeof(sqe));	/* one stable copy */
		if (cq_held) {
			/* release: the CQEs are written before the program sees the tail. */
			__atomic_store_n(uring_u32(r, RING_CQ_TAIL), ctail, __ATOMIC_RELEASE);
			spin_unlock_irqrestore(&r->lock, cfl);
			cq_held = false;
		}
		r->sq_head = head;
		/* release: the program may reuse the slots once it sees the head move. */
		__atomic_store_n(uring_u32(r, RING_SQ_HEAD), head, __ATOMIC_RELEASE);
		spin_unlock_irqrestore(&r->sq_lock, fl);
		int stop = uring_sq_add(r, p, &ch, &sqe);

		fl = spin_lock_irqsave(&r->sq_lock);
		head = r->sq_head;
		direct = uring_sq_direct(r, &ch);
		tail = __atomic_load_n(uring_u32(r, RING_SQ_TAIL), __ATOMIC_ACQUIRE);
		if (stop && !(r->flags & IORING_SETUP_SUBMIT_ALL))
			break;	/* as Linux: the failed SQE counts, the rest waits */
	}
	if (cq_held) {
		__atomic_store_n(uring_u32(r, RING_CQ_TAIL), ctail, __ATOMIC_RELEASE);
		spin_unlock_irqrestore(&r->lock, cfl);
	}
	r->sq_head = head;
	__atomic_store_n(uring_u32(r, RING_SQ_HEAD), head, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&r->sq_lock, fl);
	uring_sq_end(r, p, &ch);
	if (nops)
		uring_posted(r, nops);
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
	uint32_t nr_timeouts;		/* r->cq_timeouts when the wait began */
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

	uring_flush_overflow_locked(e->r);
	spin_unlock_irqrestore(&e->r->lock, fl);
	/* As Linux (io_should_wake): an expired TIMEOUT ends the wait, however few CQEs. */
	bool tm = __atomic_load_n(&e->r->cq_timeouts, __ATOMIC_RELAXED) != e->nr_timeouts;

	if (uring_cq_ready(e->r) < e->min && !expired && !tm)
		return POLL_PENDING;
	/* -ETIME only when the wait's own timeout ended it with the CQ ring empty (Linux
	 * answers 0 when any CQE is there). */
	f->result = uring_cq_ready(e->r) || e->submitted || tm || !expired ? e->submitted : -ETIME;
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
	if (r->flags & IORING_SETUP_SQPOLL) {
		/*
		 * SQPOLL without a poller thread: the ring's poller is always "asleep"
		 * (IORING_SQ_NEED_WAKEUP stays set), so a program submits through
		 * io_uring_enter(IORING_ENTER_SQ_WAKEUP), as liburing does whenever it
		 * sees the flag, and the wake-up is this: everything in the SQ ring is
		 * submitted here, in the submitter's context; the result is to_submit, as
		 * Linux's. IORING_ENTER_SQ_WAIT never waits: the SQ ring is empty now.
		 */
		__atomic_fetch_or(uring_u32(r, RING_SQ_FLAGS), IORING_SQ_NEED_WAKEUP,
				  __ATOMIC_RELAXED);
		submit(r, p, r->sq_entries);
		sub = to_submit;
	} else if (to_submit) {
		sub = submit(r, p, to_submit);
	}
	if (!(flags & IORING_ENTER_GETEVENTS))
		min = 0;
	if (min > r->cq_entries)
		min = r->cq_entries;
	irqflags_t fl0 = spin_lock_irqsave(&r->lock);
	bool idle = list_empty(&r->inflight);

	if ((flags & IORING_ENTER_GETEVENTS) && r->noverflow)
		uring_flush_overflow_locked(r);	/* GETEVENTS moves overflowed CQEs in */
	spin_unlock_irqrestore(&r->lock, fl0);
	/* Nothing in flight to pump: answer at once when we can (-ETIME: a zero
	 * timeout that found too few CQEs and none at all, as Linux). */
	uint32_t ready = uring_cq_ready(r);

	if (idle && (ready >= min || timeout == 0)) {
		file_put(f);
		return sub || ready >= min || ready ? sub : -ETIME;
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
	e->nr_timeouts = __atomic_load_n(&r->cq_timeouts, __ATOMIC_RELAXED);
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
