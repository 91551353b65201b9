// SPDX-License-Identifier: MIT
/*
 * ppoll and pselect6 (glibc's poll and select call them): one future over
 * a set of files. Each poll of it registers a waker on every file's queues
 * (file_poll_queues), then asks every file for its events
 * (file_poll_ready): register first, then check, so no wake is lost. A
 * wake from any queue, or the timeout, polls it again; it re-registers
 * everything, which keeps it simple and is O(n) per wake as on Linux.
 *
 *   (syscall: one check, nothing ready, time left) --> WAITING
 *   WAITING --(some event, or the deadline)--> DONE (results copied out,
 *                                                   the old mask back)
 *   WAITING --(a signal: the future is dropped)--> -EINTR, never restarted
 *
 * The signal mask is swapped for the wait by signal_wait_begin (proc.h).
 * The time left is written back to the timespec, as Linux does (not after
 * -EINTR here).
 */
#include "kernel/arch.h"
#include "kernel/async/timer.h"
#include "kernel/async/waitq.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

/* select's sets, as Linux's POLLIN_SET, POLLOUT_SET and POLLEX_SET. */
#define SEL_IN (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define SEL_OUT (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define SEL_EX (POLLPRI)

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

struct poll_ent {
	struct file *file;			/* counted; NULL: ignored (fd < 0) or POLLNVAL */
	int fd;
	uint16_t events;			/* what to report (with POLLERR|POLLHUP) */
	uint16_t revents;			/* the last check */
	uint8_t nq;				/* queues in w[] while registered */
	struct waitq_wait_future w[2];
};

enum poll_state {
	POLL_WAITING,
	POLL_DONE,
};

struct poll_future {
	struct future base;
	enum poll_state state;
	struct proc *proc;
	bool select;
	bool timed;			/* te is queued (or fired) */
	uint64_t deadline;		/* UINT64_MAX: none */
	uintptr_t utime;		/* the timespec to write the time left to, or 0 */
	uintptr_t uarg[3];		/* ppoll: the pollfd array; pselect6: in, out, ex */
	unsigned nbits;			/* pselect6: n */
	unsigned n;
	struct timer_entry te;
	struct poll_ent ent[];
};

static void ent_unregister(struct poll_ent *e)
{
	for (unsigned i = 0; i < e->nq; i++)
		future_drop(&e->w[i].base);
	e->nq = 0;
}

static void ents_put(struct poll_future *pf)
{
	for (unsigned i = 0; i < pf->n; i++) {
		ent_unregister(&pf->ent[i]);
		file_put(pf->ent[i].file);
		pf->ent[i].file = NULL;
	}
}

/* Which of select's sets an entry asked for, kept in the top bits of events. */
#define ASK_IN 0x8000u
#define ASK_OUT 0x4000u
#define ASK_EX 0x1000u

static unsigned sel_count(const struct poll_ent *e, unsigned *in, unsigned *out, unsigned *ex)
{
	*in = (e->events & ASK_IN) && (e->revents & SEL_IN);
	*out = (e->events & ASK_OUT) && (e->revents & SEL_OUT);
	*ex = (e->events & ASK_EX) && (e->revents & SEL_EX);
	return *in + *out + *ex;
}

/*
 * Check every file (registering cx's waker on its queues first when cx is
 * not NULL). Returns what the call returns: entries with events for poll,
 * bits for select.
 */
static unsigned poll_scan(struct poll_future *pf, struct context *cx)
{
	unsigned count = 0;

	for (unsigned i = 0; i < pf->n; i++) {
		struct poll_ent *e = &pf->ent[i];
		unsigned ev;

		if (!e->file) {
			e->revents = e->fd >= 0 ? POLLNVAL : 0;
			count += e->revents != 0;
			continue;
		}
		if (cx) {
			struct waitq *q[2];

			ent_unregister(e);
			e->nq = (uint8_t)file_poll_queues(e->file, e->events, q);
			for (unsigned j = 0; j < e->nq; j++) {
				waitq_wait_init(&e->w[j], q[j]);
				future_poll(&e->w[j].base, cx);
			}
		}
		ev = file_poll_ready(e->file);
		if (pf->select) {
			unsigned a, b, c;

			e->revents = (uint16_t)(ev & e->events);
			count += sel_count(e, &a, &b, &c);
		} else {
			e->revents = (uint16_t)(ev & (e->events | POLLERR | POLLHUP));
			count += e->revents != 0;
		}
	}
	return count;
}

static unsigned poll_count(struct poll_future *pf)
{
	unsigned count = 0, a, b, c;

	for (unsigned i = 0; i < pf->n; i++) {
		if (pf->select)
			count += sel_count(&pf->ent[i], &a, &b, &c);
		else
			count += pf->ent[i].revents != 0;
	}
	return count;
}

/* Copy the results out; the call's return value. */
static long poll_finish(struct poll_future *pf)
{
	struct as *as = proc_as(pf->proc);
	long ret = (long)poll_count(pf);

	if (!pf->select) {
		for (unsigned i = 0; i < pf->n; i++) {
			uintptr_t at = pf->uarg[0] + i * sizeof(struct linux_pollfd) +
				       offsetof(struct linux_pollfd, revents);
			int16_t rev = (int16_t)pf->ent[i].revents;

			if (copy_to_user(as, at, &rev, sizeof(rev)))
				return -EFAULT;
		}
	} else {
		size_t words = (pf->nbits + 63) / 64;
		uint64_t *sets = kzalloc(3 * words * sizeof(uint64_t) + 8);
		unsigned a[3];

		if (!sets)
			return -ENOMEM;
		for (unsigned i = 0; i < pf->n; i++) {
			const struct poll_ent *e = &pf->ent[i];

			sel_count(e, &a[0], &a[1], &a[2]);
			for (int s = 0; s < 3; s++)
				if (a[s])
					sets[s * words + (unsigned)e->fd / 64] |= 1ull << (e->fd % 64);
		}
		for (int s = 0; s < 3 && ret >= 0; s++)
			if (pf->uarg[s] && copy_to_user(as, pf->uarg[s], &sets[s * words],
							words * sizeof(uint64_t)))
				ret = -EFAULT;
		kfree(sets);
	}
	if (ret >= 0 && pf->utime && pf->deadline != UINT64_MAX) {
		uint64_t now = clock_now_ns();
		struct linux_timespec ts =
			poll_ns_to_timespec(pf->deadline > now ? pf->deadline - now : 0);

		/* Linux ignores a fault here: the wait itself succeeded. */
		(void)copy_to_user(as, pf->utime, &ts, sizeof(ts));
	}
	return ret;
}

static void poll_drop(struct future *f)
{
	struct poll_future *pf = (struct poll_future *)f;

	timerq_cancel(&pf->te);
	ents_put(pf);
	pf->state = POLL_DONE;
}

static enum poll poll_poll(struct future *f, struct context *cx)
{
	struct poll_future *pf = (struct poll_future *)f;
	bool expired;

	if (pf->state == POLL_DONE)
		return POLL_READY;
	if (pf->deadline != UINT64_MAX) {
		if (!pf->timed) {
			timerq_add(&pf->te, pf->deadline, cx->waker);
			pf->timed = true;
		}
		expired = timerq_check(&pf->te, cx->waker);
	} else {
		expired = false;
	}
	if (!poll_scan(pf, cx) && !expired && clock_now_ns() < pf->deadline)
		return POLL_PENDING;
	poll_drop(f);
	f->result = poll_finish(pf);
	signal_wait_end(pf->proc);
	return POLL_READY;
}

static void poll_release(struct future *f)
{
	kfree(f);
}

static const char *poll_state_name(const struct future *f)
{
	return ((const struct poll_future *)f)->state == POLL_DONE ? "POLL_DONE" : "POLL_WAITING";
}

static const struct future_ops poll_ops = {
	.name = "poll",
	.type = "poll_future",
	.poll = poll_poll,
	.drop = poll_drop,
	.release = poll_release,
	.state_name = poll_state_name,
};

static struct poll_future *poll_alloc(struct proc *p, unsigned n)
{
	struct poll_future *pf = kzalloc(sizeof(*pf) + n * sizeof(struct poll_ent));

	if (!pf)
		return NULL;
	future_init(&pf->base, &poll_ops);
	pf->proc = p;
	pf->state = POLL_WAITING;
	pf->deadline = UINT64_MAX;
	timer_entry_init(&pf->te);
	return pf;
}

/* The optional sigmask argument: -EINVAL for a size other than 8, -EFAULT. */
static int get_sigmask(struct proc *p, uintptr_t umask, size_t size, uint64_t *mask,
		       bool *has)
{
	*has = false;
	if (!umask)
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(proc_as(p), mask, umask, sizeof(*mask)))
		return -EFAULT;
	*has = true;
	return 0;
}

/*
 * The common tail: check once; if nothing is ready and there is time left,
 * hand the userloop the future (under the call's signal mask).
 */
static long poll_start(struct sys_ctx *sc, struct poll_future *pf, uint64_t timeout_ns,
		       const uint64_t *mask)
{
	long ret;

	if (timeout_ns != UINT64_MAX)
		pf->deadline = poll_deadline(timeout_ns);
	if (poll_scan(pf, NULL) || timeout_ns == 0) {
		ret = poll_finish(pf);
		poll_drop(&pf->base);
		kfree(pf);
		return ret;
	}
	signal_wait_begin(sc->proc, mask);
	sc->pending = &pf->base;
	return 0;
}

/* The timeout argument: UINT64_MAX for NULL (wait forever). */
static int get_timeout(struct sys_ctx *sc, uintptr_t uts, uint64_t *ns)
{
	*ns = UINT64_MAX;
	if (!uts)
		return 0;
	int err = poll_timespec_from_user(proc_as(sc->proc), uts, ns);

	if (!err && *ns == UINT64_MAX)
		*ns = UINT64_MAX - 1;
	return err;
}

/* ppoll(fds, nfds, tmo_p, sigmask, sigsetsize) */
SYSCALL_ASYNC(73, ppoll)
{
	struct proc *p = sc->proc;
	uintptr_t ufds = sc->arg[0];
	unsigned nfds = (unsigned)sc->arg[1];
	struct poll_future *pf;
	uint64_t tmo, mask;
	bool has_mask;
	int err;

	if (sc->arg[1] > fd_limit())
		return -EINVAL; /* more than RLIMIT_NOFILE */
	err = get_timeout(sc, sc->arg[2], &tmo);
	if (!err)
		err = get_sigmask(p, sc->arg[3], sc->arg[4], &mask, &has_mask);
	if (err)
		return err;
	pf = poll_alloc(p, nfds);
	if (!pf)
		return -ENOMEM;
	pf->n = nfds;
	pf->uarg[0] = ufds;
	pf->utime = sc->arg[2];
	for (unsigned i = 0; i < nfds; i++) {
		struct linux_pollfd pfd;

		if (copy_from_user(proc_as(p), &pfd, ufds + i * sizeof(pfd), sizeof(pfd))) {
			poll_drop(&pf->base);
			kfree(pf);
			return -EFAULT;
		}
		pf->ent[i].fd = pfd.fd;
		pf->ent[i].events = (uint16_t)pfd.events;
		if (pfd.fd >= 0)
			pf->ent[i].file = fd_get(p, pfd.fd);
	}
	return poll_start(sc, pf, tmo, has_mask ? &mask : NULL);
}

/* pselect6(n, in, out, ex, tmo_p, {sigmask, sigsetsize} *) */
SYSCALL_ASYNC(72, pselect6)
{
	struct proc *p = sc->proc;
	struct as *as = proc_as(p);
	long nbits = (long)(int)sc->arg[0];
	struct { uintptr_t ss; size_t len; } sig = { 0, 0 };
	uint64_t *sets = NULL, tmo, mask;
	struct poll_future *pf = NULL;
	unsigned n = 0, words;
	bool has_mask;
	long err;

	if (nbits < 0)
		return -EINVAL;
	if (nbits > FDT_MAX)
		nbits = FDT_MAX; /* Linux clamps to the table's size */
	err = get_timeout(sc, sc->arg[4], &tmo);
	if (!err && sc->arg[5] && copy_from_user(as, &sig, sc->arg[5], sizeof(sig)))
		err = -EFAULT;
	if (!err)
		err = get_sigmask(p, sig.ss, sig.len, &mask, &has_mask);
	if (err)
		return err;
	words = (unsigned)(nbits + 63) / 64;
	sets = kzalloc(3 * words * sizeof(uint64_t) + 8);
	if (!sets)
		return -ENOMEM;
	for (int s = 0; s < 3; s++) {
		if (sc->arg[1 + s] &&
		    copy_from_user(as, &sets[s * words], sc->arg[1 + s], words * sizeof(uint64_t))) {
			err = -EFAULT;
			goto out_sets;
		}
	}
	/* Bits past n in the last word do not count. */
	if (nbits % 64)
		for (int s = 0; s < 3; s++)
			sets[s * words + words - 1] &= (1ull << (nbits % 64)) - 1;
	for (unsigned fd = 0; fd < (unsigned)nbits; fd++)
		for (int s = 0; s < 3; s++)
			if (sets[s * words + fd / 64] & (1ull << (fd % 64))) {
				n++;
				break;
			}
	pf = poll_alloc(p, n);
	if (!pf) {
		err = -ENOMEM;
		goto out_sets;
	}
	pf->select = true;
	pf->nbits = (unsigned)nbits;
	pf->uarg[0] = sc->arg[1];
	pf->uarg[1] = sc->arg[2];
	pf->uarg[2] = sc->arg[3];
	pf->utime = sc->arg[4];
	for (unsigned fd = 0; fd < (unsigned)nbits && pf->n < n; fd++) {
		uint64_t bit = 1ull << (fd % 64);
		unsigned w = fd / 64, ev = 0;

		if (sets[w] & bit)
			ev |= SEL_IN | ASK_IN;
		if (sets[words + w] & bit)
			ev |= SEL_OUT | ASK_OUT;
		if (sets[2 * words + w] & bit)
			ev |= SEL_EX | ASK_EX;
		if (!ev)
			continue;
		struct poll_ent *e = &pf->ent[pf->n++];

		e->fd = (int)fd;
		e->events = (uint16_t)ev;
		e->file = fd_get(p, (int)fd);
		if (!e->file) {
			err = -EBADF;
			goto out_pf;
		}
	}
	kfree(sets);
	return poll_start(sc, pf, tmo, has_mask ? &mask : NULL);
out_pf:
	poll_drop(&pf->base);
	kfree(pf);
out_sets:
	kfree(sets);
	return err;
}
