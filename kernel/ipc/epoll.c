// SPDX-License-Identifier: MIT
/*
 * epoll instances and their items; see epoll.h. The syscalls are in
 * sys_epoll.c.
 *
 * Lock legend:
 *   G   ep_global: every instance's item list, every item's registration
 *       (file, events, data, watchers), every file's ep_items chain. Taken
 *       by ctl, by epoll_pwait's harvest, by the readiness of an epoll file
 *       and by the release of any file with items. It is recursive on one
 *       hart, because the readiness of an epoll file asks the files of its
 *       items, which may be epoll files too (depth bounded, loops refused).
 *   L   ep->lock (irqsave): the ready list and each item's place on it. The
 *       item's wake (a watcher's waker, run under the source queue's lock,
 *       maybe from an interrupt handler) takes only this, then wakes ep->wq.
 * Order: G -> a source queue's lock -> ep->lock -> ep->wq's lock. File
 * ready ops are called with G held and no L.
 *
 * A wake that lands while a harvest has taken the ready list (the item is
 * off the list but not yet decided on) bumps wake_seq; the harvest then
 * keeps the item, so no wake is lost to the scan.
 */
#include "kernel/ipc/epoll.h"

#include "kernel/async/waitq.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/anon.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/list.h"

#define EP_MAX_NESTS 4		/* as Linux: at most 5 instances in a chain */
/* Flags of an item, not events: what a disarmed one-shot item keeps. */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EP_EXCLUSIVE_OK (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | \
			 EPOLLEXCLUSIVE)

struct eventpoll {
	struct spinlock lock;
	struct list_head rdlist;	/* L: of epitem.rdlink */
	struct list_head items;		/* G: of epitem.node */
	struct waitq wq;		/* epoll_pwait and pollers of this file */
	struct file *file;		/* I: its own file (not counted) */
};

struct epitem {
	struct list_head node;		/* G: in ep->items */
	struct list_head rdlink;	/* L: on ep->rdlist, or a harvest's list */
	struct epitem *fnext;		/* G: the next item on file->ep_items */
	struct eventpoll *ep;		/* I */
	struct file *file;		/* I: not counted (epoll.h) */
	int fd;				/* I */
	uint32_t events;		/* G: asked, with EPOLLERR | EPOLLHUP, and flags */
	uint64_t data;			/* G */
	uint32_t wake_seq;		/* L: wakes so far */
	uint32_t seen_seq;		/* L: wake_seq when a scan took the item */
	uint8_t nq;			/* G: watchers in w[] */
	struct waitq_wait_future w[2];	/* G: watchers on the file's queues */
};

static struct spinlock ep_global = SPINLOCK_INIT("epoll");

/* The recursive global lock: *fl and the return say whether this call took it. */
static bool global_lock(irqflags_t *fl)
{
	if (spin_is_held_by_me(&ep_global))
		return false;
	*fl = spin_lock_irqsave(&ep_global);
	return true;
}

static void global_unlock(bool took, irqflags_t fl)
{
	if (took)
		spin_unlock_irqrestore(&ep_global, fl);
}

/* ---- the item's waker: onto the ready list ----------------------------------------- */

static void epi_wake_by_ref(const struct waker *w)
{
	struct epitem *epi = (struct epitem *)w->data;
	struct eventpoll *ep = epi->ep;
	irqflags_t fl = spin_lock_irqsave(&ep->lock);

	epi->wake_seq++;
	if (!list_is_linked(&epi->rdlink))
		list_add_tail(&epi->rdlink, &ep->rdlist);
	spin_unlock_irqrestore(&ep->lock, fl);
	waitq_wake_all(&ep->wq);
}

static void epi_wake(struct waker *w)
{
	epi_wake_by_ref(w);
}

static struct waker epi_clone(const struct waker *w)
{
	return *w;
}

static void epi_waker_drop(struct waker *w)
{
	(void)w;
}

static const struct waker_ops epi_waker_ops = {
	.clone = epi_clone,
	.wake = epi_wake,
	.wake_by_ref = epi_wake_by_ref,
	.drop = epi_waker_drop,
};

/* ---- registration (G held) ------------------------------------------------------- */

static void epi_watch(struct epitem *epi)
{
	struct waker wk = { .ops = &epi_waker_ops, .data = (uintptr_t)epi };
	struct waitq *q[2];

	epi->nq = (uint8_t)file_poll_queues(epi->file, epi->events, q);
	for (unsigned i = 0; i < epi->nq; i++)
		waitq_watch(&epi->w[i], q[i], &wk, epi->events & EPOLLEXCLUSIVE);
}

static void epi_unwatch(struct epitem *epi)
{
	for (unsigned i = 0; i < epi->nq; i++)
		waitq_unwatch(&epi->w[i]);
	epi->nq = 0;
}

/* Put epi on the ready list if its file has one of its events now. */
static void epi_check_now(struct epitem *epi)
{
	struct eventpoll *ep = epi->ep;
	irqflags_t fl;

	if (!(file_poll_ready(epi->file) & epi->events))
		return;
	fl = spin_lock_irqsave(&ep->lock);
	if (!list_is_linked(&epi->rdlink))
		list_add_tail(&epi->rdlink, &ep->rdlist);
	spin_unlock_irqrestore(&ep->lock, fl);
	waitq_wake_all(&ep->wq);
}

static void epi_remove(struct epitem *epi)
{
	struct eventpoll *ep = epi->ep;
	struct epitem **pp;
	irqflags_t fl;

	epi_unwatch(epi);	/* no wake can come after this */
	fl = spin_lock_irqsave(&ep->lock);
	if (list_is_linked(&epi->rdlink))
		list_del(&epi->rdlink);
	spin_unlock_irqrestore(&ep->lock, fl);
	list_del(&epi->node);
	for (pp = &epi->file->ep_items; *pp; pp = &(*pp)->fnext) {
		if (*pp == epi) {
			*pp = epi->fnext;
			break;
		}
	}
	kfree(epi);
}

static struct epitem *epi_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *epi;

	list_for_each_entry(epi, &ep->items, node)
		if (epi->file == f && epi->fd == fd)
			return epi;
	return NULL;
}

/* ---- loops and depth ---------------------------------------------------------------- */

/* Deepest chain of instances below ep (ep itself counts 0); -1 if target is reachable. */
static int depth_down(struct eventpoll *ep, struct eventpoll *target, int level)
{
	struct epitem *epi;
	int max = 0;

	if (ep == target)
		return -1;
	if (level > EP_MAX_NESTS + 1)
		return level;
	list_for_each_entry(epi, &ep->items, node) {
		if (epoll_is_epoll(epi->file)) {
			int d = depth_down(epi->file->priv, target, level + 1);

			if (d < 0)
				return -1;
			if (d + 1 > max)
				max = d + 1;
		}
	}
	return max;
}

/* Deepest chain of instances above ep (those watching its file, and so on). */
static int depth_up(struct eventpoll *ep, int level)
{
	int max = 0;

	if (level > EP_MAX_NESTS + 1)
		return level;
	for (struct epitem *epi = ep->file->ep_items; epi; epi = epi->fnext) {
		int d = depth_up(epi->ep, level + 1) + 1;

		if (d > max)
			max = d;
	}
	return max;
}

/* ---- ctl --------------------------------------------------------------------------- */

int epoll_ctl(struct file *epf, int op, struct file *tf, int fd, const struct epoll_event *ev)
{
	struct eventpoll *ep = epf->priv;
	uint32_t events = ev ? ev->events : 0;
	struct epitem *epi;
	irqflags_t fl;
	bool took;
	int err = 0;

	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_DEL && op != EPOLL_CTL_MOD)
		return -EINVAL;
	if (!tf->ops || !tf->ops->ready)
		return -EPERM;	/* regular files and directories: never wait */
	if (tf == epf)
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD || epoll_is_epoll(tf) || (events & ~EP_EXCLUSIVE_OK))
			return -EINVAL;
	}
	events &= ~EPOLLWAKEUP; /* needs CAP_BLOCK_SUSPEND; Linux drops it quietly */
	took = global_lock(&fl);
	epi = epi_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi) {
			err = -EEXIST;
			break;
		}
		if (epoll_is_epoll(tf)) {
			int down = depth_down(tf->priv, ep, 1);

			if (down < 0 || down + depth_up(ep, 0) > EP_MAX_NESTS) {
				err = -ELOOP;
				break;
			}
		}
		epi = kzalloc(sizeof(*epi));
		if (!epi) {
			err = -ENOMEM;
			break;
		}
		list_init(&epi->rdlink);
		epi->ep = ep;
		epi->file = tf;
		epi->fd = fd;
		epi->events = events | EPOLLERR | EPOLLHUP;
		epi->data = ev->data;
		list_add_tail(&epi->node, &ep->items);
		epi->fnext = tf->ep_items;
		tf->ep_items = epi;
		epi_watch(epi);
		epi_check_now(epi);
		break;
	case EPOLL_CTL_MOD:
		if (!epi) {
			err = -ENOENT;
			break;
		}
		if (epi->events & EPOLLEXCLUSIVE) {
			err = -EINVAL;
			break;
		}
		epi_unwatch(epi);
		epi->events = events | EPOLLERR | EPOLLHUP;
		epi->data = ev->data;
		epi_watch(epi);
		epi_check_now(epi);
		break;
	case EPOLL_CTL_DEL:
		if (!epi)
			err = -ENOENT;
		else
			epi_remove(epi);
		break;
	}
	global_unlock(took, fl);
	return err;
}

void epoll_file_gone(struct file *f)
{
	irqflags_t fl;
	bool took = global_lock(&fl);

	while (f->ep_items)
		epi_remove(f->ep_items);
	global_unlock(took, fl);
}

/* ---- harvest and readiness (G held) ------------------------------------------------- */

/* Take the ready list into tx, noting each item's wake count. */
static void scan_begin(struct eventpoll *ep, struct list_head *tx)
{
	irqflags_t fl = spin_lock_irqsave(&ep->lock);
	struct epitem *epi;

	list_for_each_entry(epi, &ep->rdlist, rdlink)
		epi->seen_seq = epi->wake_seq;
	list_init(tx);
	list_splice_tail_init(&ep->rdlist, tx);
	spin_unlock_irqrestore(&ep->lock, fl);
}

/* Done with epi: back on the ready list if keep, or if it was woken meanwhile. */
static void scan_done_item(struct eventpoll *ep, struct epitem *epi, bool keep)
{
	irqflags_t fl = spin_lock_irqsave(&ep->lock);

	list_del(&epi->rdlink);
	if (keep || epi->wake_seq != epi->seen_seq)
		list_add_tail(&epi->rdlink, &ep->rdlist);
	spin_unlock_irqrestore(&ep->lock, fl);
}

/* Items not looked at go back in front, in their order. */
static void scan_end(struct eventpoll *ep, struct list_head *tx)
{
	irqflags_t fl = spin_lock_irqsave(&ep->lock);

	while (!list_empty(tx)) {
		struct epitem *epi = list_last_entry(tx, struct epitem, rdlink);

		list_del(&epi->rdlink);
		list_add(&epi->rdlink, &ep->rdlist);
	}
	spin_unlock_irqrestore(&ep->lock, fl);
}

long epoll_harvest(struct file *epf, struct proc *p, uintptr_t uevents, int max)
{
	struct eventpoll *ep = epf->priv;
	struct list_head tx;
	long n = 0;
	irqflags_t fl;
	bool took = global_lock(&fl);

	scan_begin(ep, &tx);
	while (!list_empty(&tx) && n < max) {
		struct epitem *epi = list_first_entry(&tx, struct epitem, rdlink);
		uint32_t ev = file_poll_ready(epi->file) & epi->events & ~EP_PRIVATE_BITS;
		bool keep = false;

		if (ev) {
			struct epoll_event ue = { .events = ev, .data = epi->data };

			if (copy_to_user(proc_as(p), uevents + (uintptr_t)n * sizeof(ue), &ue,
					 sizeof(ue))) {
				if (!n)
					n = -EFAULT;
				break;
			}
			n++;
			if (epi->events & EPOLLONESHOT)
				epi->events &= EP_PRIVATE_BITS;	/* disarmed until MOD */
			else if (!(epi->events & EPOLLET))
				keep = true;	/* level-triggered: look again next time */
		}
		scan_done_item(ep, epi, keep);
	}
	scan_end(ep, &tx);
	global_unlock(took, fl);
	return n;
}

static unsigned ep_ready(struct file *f)
{
	struct eventpoll *ep = f->priv;
	struct list_head tx;
	bool ready = false;
	irqflags_t fl;
	bool took = global_lock(&fl);

	scan_begin(ep, &tx);
	while (!list_empty(&tx) && !ready) {
		struct epitem *epi = list_first_entry(&tx, struct epitem, rdlink);

		ready = file_poll_ready(epi->file) & epi->events & ~EP_PRIVATE_BITS;
		scan_done_item(ep, epi, ready);
	}
	scan_end(ep, &tx);
	global_unlock(took, fl);
	return ready ? POLLIN | POLLRDNORM : 0;
}

/* ---- the epoll file ------------------------------------------------------------------ */

static struct waitq *ep_waitq(struct file *f, bool write)
{
	(void)write;
	return &((struct eventpoll *)f->priv)->wq;
}

struct waitq *epoll_waitq(struct file *epf)
{
	return ep_waitq(epf, false);
}

static void ep_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	irqflags_t fl;
	bool took;

	if (!ep)
		return;
	took = global_lock(&fl);
	while (!list_empty(&ep->items))
		epi_remove(list_first_entry(&ep->items, struct epitem, node));
	global_unlock(took, fl);
	kfree(ep);
}

static const struct file_ops epoll_fops = {
	.release = ep_release,
	.waitq = ep_waitq,
	.ready = ep_ready,
	.anon_name = "eventpoll",
};

bool epoll_is_epoll(const struct file *f)
{
	return f->ops == &epoll_fops;
}

int epoll_create(struct proc *p, unsigned flags)
{
	struct eventpoll *ep = kzalloc(sizeof(*ep));
	struct file *f;
	int fd;

	if (!ep)
		return -ENOMEM;
	spin_init(&ep->lock, "eventpoll");
	list_init(&ep->rdlist);
	list_init(&ep->items);
	waitq_init(&ep->wq);
	if (anon_file_new(&epoll_fops, ep, flags, &f)) {
		kfree(ep);
		return -ENOMEM;
	}
	ep->file = f;
	fd = fd_install(p, f, (int)(flags & O_CLOEXEC));
	if (fd < 0)
		file_put(f);
	return fd;
}
