// SPDX-License-Identifier: MIT
/*
 * timerfd_create / settime / gettime: a timer behind a file. Expirations
 * are counted lazily from the clock (read, readiness and gettime bring the
 * count up to date); what makes waiters wake at the right time is a small
 * kernel task per armed timer, a sleep future on the timer queue:
 *
 *   tick task:  SLEEP(next) --(fired)--> bring the count up to date, wake
 *               the file's queue --> SLEEP(next period) ... --> done when
 *               the timer is disarmed or re-armed (generation changed)
 *
 * settime disarms by cancelling the task (a stale task id is harmless) and
 * arms by spawning a new one. The task holds a reference on the timer, so
 * closing the file while it sleeps is safe.
 *
 * Clocks: every clock accepted is clock_now_ns() plus an offset
 * (kernel/time/clock.h: REALTIME's is the wall clock's), so an absolute
 * time becomes a clock_now_ns() deadline by the offset at settime.
 *
 * Lock legend: t->lock (irqsave) guards next, interval, ticks, gen, task.
 */
#include "kernel/arch.h"
#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "kernel/async/waitq.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/anon.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/time/clock.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/spinlock.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2
#define TFD_CLOEXEC O_CLOEXEC
#define TFD_NONBLOCK O_NONBLOCK

struct itimerspec {
	struct linux_timespec it_interval;
	struct linux_timespec it_value;
};

struct timerfd {
	struct spinlock lock;
	atomic_uint refs;		/* A: the file and the tick task */
	int clock;			/* I */
	uint64_t next;			/* L: next expiry (clock_now_ns), 0: disarmed */
	uint64_t interval;		/* L: 0: one-shot */
	uint64_t ticks;			/* L: expirations not yet read */
	uint32_t gen;			/* L: bumped by every settime */
	task_id_t task;			/* L: the tick task, or TASK_ID_NONE */
	struct waitq wq;		/* readers and pollers */
};

static void tfd_put(struct timerfd *t)
{
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
		kfree(t);
}

/* Count the expirations up to now. */
static void update_locked(struct timerfd *t, uint64_t now)
{
	if (!t->next || now < t->next)
		return;
	if (t->interval) {
		uint64_t n = 1 + (now - t->next) / t->interval;

		t->ticks += n;
		t->next += n * t->interval;
	} else {
		t->ticks++;
		t->next = 0;
	}
}

/* ---- the tick task ------------------------------------------------------------------ */

struct tick_future {
	struct future base;
	struct timerfd *t;		/* counted */
	uint32_t gen;			/* the arming it serves */
	bool sleeping;
	struct sleep_future sleep;
};

static void tick_drop(struct future *f)
{
	struct tick_future *k = (struct tick_future *)f;

	if (k->sleeping)
		future_drop(&k->sleep.base);
	k->sleeping = false;
	if (k->t) {
		tfd_put(k->t);
		k->t = NULL;
	}
}

static enum poll tick_poll(struct future *f, struct context *cx)
{
	struct tick_future *k = (struct tick_future *)f;
	struct timerfd *t = k->t;

	for (;;) {
		if (k->sleeping) {
			if (future_poll(&k->sleep.base, cx) == POLL_PENDING)
				return POLL_PENDING;
			future_drop(&k->sleep.base);
			k->sleeping = false;
			f->awaiting = NULL;
		}
		irqflags_t fl = spin_lock_irqsave(&t->lock);
		uint64_t next = 0;

		if (k->gen == t->gen) {
			update_locked(t, clock_now_ns());
			next = t->next;
			if (!next)
				t->task = TASK_ID_NONE;
		}
		bool fired = k->gen == t->gen && t->ticks;

		spin_unlock_irqrestore(&t->lock, fl);
		if (fired)
			waitq_wake_all(&t->wq);
		if (!next) {
			tick_drop(f);
			return POLL_READY;
		}
		sleep_until_init(&k->sleep, next);
		k->sleeping = true;
		f->awaiting = &k->sleep.base;
	}
}

static void tick_release(struct future *f)
{
	kfree(f);
}

static const struct future_ops tick_ops = {
	.name = "timerfd_tick",
	.type = "tick_future",
	.poll = tick_poll,
	.drop = tick_drop,
	.release = tick_release,
};

/* Arm for t->next (set, under the lock) with a new task; the old one is cancelled. */
static int arm_locked(struct timerfd *t)
{
	struct tick_future *k;

	if (t->task)
		(void)task_cancel(t->task);
	t->task = TASK_ID_NONE;
	if (!t->next)
		return 0;
	k = kzalloc(sizeof(*k));
	if (!k)
		return -ENOMEM;
	future_init(&k->base, &tick_ops);
	k->t = t;
	k->gen = t->gen;
	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	t->task = task_spawn(&k->base, -1, "timerfd");
	if (!t->task) {
		atomic_fetch_sub_explicit(&t->refs, 1, memory_order_relaxed);
		kfree(k);
		return -ENOMEM;
	}
	task_detach(t->task);
	return 0;
}

/* ---- the file ----------------------------------------------------------------------- */

static long timerfd_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct timerfd *t = f->priv;
	uint64_t v;
	long r;

	(void)pos;
	if (u->resid < sizeof(v))
		return -EINVAL;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	update_locked(t, clock_now_ns());
	if (!t->ticks) {
		spin_unlock_irqrestore(&t->lock, fl);
		return -EAGAIN;
	}
	v = t->ticks;
	r = uio_copy_to(u, &v, sizeof(v));
	if (r == sizeof(v))
		t->ticks = 0;
	spin_unlock_irqrestore(&t->lock, fl);
	return r == sizeof(v) ? r : -EFAULT;
}

static unsigned timerfd_ready(struct file *f)
{
	struct timerfd *t = f->priv;
	irqflags_t fl = spin_lock_irqsave(&t->lock);
	unsigned ev;

	update_locked(t, clock_now_ns());
	ev = t->ticks ? POLLIN | POLLRDNORM : 0;
	spin_unlock_irqrestore(&t->lock, fl);
	return ev;
}

static struct waitq *timerfd_waitq(struct file *f, bool write)
{
	(void)write;
	return &((struct timerfd *)f->priv)->wq;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *t = f->priv;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	t->gen++;
	t->next = 0;
	(void)arm_locked(t); /* cancels the task */
	spin_unlock_irqrestore(&t->lock, fl);
	tfd_put(t);
}

static const struct file_ops timerfd_fops = {
	.read = timerfd_read,
	.release = timerfd_release,
	.waitq = timerfd_waitq,
	.ready = timerfd_ready,
	.anon_name = "timerfd",
};

/* ---- syscalls ----------------------------------------------------------------------- */

SYSCALL(85, timerfd_create)
{
	int clock = (int)sc->arg[0];
	unsigned flags = (unsigned)sc->arg[1];
	struct timerfd *t;

	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
	    clock != CLOCK_REALTIME_ALARM && clock != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if (flags & ~(unsigned)(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	spin_init(&t->lock, "timerfd");
	atomic_init(&t->refs, 1);
	t->clock = clock;
	waitq_init(&t->wq);
	return anon_fd_new(sc->proc, &timerfd_fops, t, flags);
}

/* The timerfd at fd, counted: -EBADF, or -EINVAL for another kind of file. */
static int get_timerfd(struct sys_ctx *sc, int fd, struct file **out)
{
	struct file *f = fd_get(sc->proc, fd);

	if (!f)
		return -EBADF;
	if (f->ops != &timerfd_fops) {
		file_put(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

static void fill_old_locked(struct timerfd *t, struct itimerspec *old)
{
	uint64_t now = clock_now_ns();

	update_locked(t, now);
	old->it_interval = poll_ns_to_timespec(t->interval);
	old->it_value = poll_ns_to_timespec(t->next ? (t->next > now ? t->next - now : 1) : 0);
}

static bool ts_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

static uint64_t ts_ns(const struct linux_timespec *ts)
{
	if ((uint64_t)ts->tv_sec >= UINT64_MAX / 1000000000ull - 1)
		return UINT64_MAX / 2;
	return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

SYSCALL(86, timerfd_settime)
{
	struct as *as = proc_as(sc->proc);
	unsigned flags = (unsigned)sc->arg[1];
	struct itimerspec nv, old;
	struct timerfd *t;
	struct file *f;
	int err;

	if (flags & ~(unsigned)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (copy_from_user(as, &nv, sc->arg[2], sizeof(nv)))
		return -EFAULT;
	if (!ts_valid(&nv.it_value) || !ts_valid(&nv.it_interval))
		return -EINVAL;
	err = get_timerfd(sc, (int)sc->arg[0], &f);
	if (err)
		return err;
	t = f->priv;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	fill_old_locked(t, &old);
	t->gen++;
	t->ticks = 0;
	t->interval = ts_ns(&nv.it_interval);
	t->next = 0;
	if (nv.it_value.tv_sec || nv.it_value.tv_nsec) {
		uint64_t v = ts_ns(&nv.it_value);

		if (flags & TFD_TIMER_ABSTIME)	/* by the wall clock's offset now */
			t->next = clock_abs_to_mono(t->clock, v) ?: 1; /* passed: at once */
		else
			t->next = poll_deadline(v);
	}
	err = arm_locked(t);
	bool now = t->next && t->next <= clock_now_ns();

	spin_unlock_irqrestore(&t->lock, fl);
	if (now)
		waitq_wake_all(&t->wq);
	file_put(f);
	if (!err && sc->arg[3] && copy_to_user(as, sc->arg[3], &old, sizeof(old)))
		err = -EFAULT;
	return err;
}

SYSCALL(87, timerfd_gettime)
{
	struct itimerspec cur;
	struct timerfd *t;
	struct file *f;
	int err = get_timerfd(sc, (int)sc->arg[0], &f);

	if (err)
		return err;
	t = f->priv;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	fill_old_locked(t, &cur);
	spin_unlock_irqrestore(&t->lock, fl);
	file_put(f);
	if (copy_to_user(proc_as(sc->proc), sc->arg[1], &cur, sizeof(cur)))
		return -EFAULT;
	return 0;
}
