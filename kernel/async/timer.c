// SPDX-License-Identifier: MIT
/* Per-hart timer queues (red-black trees) and sleep futures; see timer.h. */
#include "kernel/async/timer.h"

#include "kernel/arch.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"

/*
 * Every sleeping task carries one entry in its sleep future: the tree's
 * three links take exactly the room of the pairing heap's three (56 bytes
 * on RV64), so a sleeper costs no more than before.
 */
_Static_assert(sizeof(struct timer_entry) <= 8 + sizeof(struct waker) + sizeof(struct rb_node) + 8,
	       "struct timer_entry grew");

/*
 * Lock legend: L = timerq.lock of the queue's hart. Any hart may take any
 * queue's lock (a sleep future is dropped wherever its task runs), but
 * only the owner hart adds, expires and programs its hardware timer.
 */
struct timerq {
	struct spinlock lock;
	struct rb_tree tree;		/* L: queued entries by (deadline, order added) */
	uint64_t armed;			/* L: the timer is set no later than this */
	unsigned count;			/* L */
};

static struct timerq timerqs[MAX_HARTS];

void timerq_init(unsigned nharts)
{
	for (unsigned i = 0; i < nharts; i++) {
		spin_init(&timerqs[i].lock, "timerq");
		rb_tree_init(&timerqs[i].tree);
		timerqs[i].armed = UINT64_MAX;
		timerqs[i].count = 0;
	}
}

/*
 * Programming the timer. It is done after the lock is dropped, never under
 * it: lock with interrupts off, decide under the lock, unlock, program,
 * and only then turn interrupts back on.
 *
 * Why: programming the timer is the slow, disruptive step (an SBI ecall
 * without Sstc; under QEMU -icount, a stimecmp write kicks the vCPU out of
 * its time slice). Done under the lock, the owner hart was descheduled
 * holding it at every reprogram, so under QEMU's round-robin TCG the other
 * harts only ever ran while it was held, spun out their whole slices with
 * interrupts off, and never won this unfair lock: cancelling 1,000,000
 * sleepers (many dropped by a hart other than their queue's)
 * ended in "spinlock timerq: deadlock?".
 *
 * Still correct: only the owner hart programs its timer, always with
 * interrupts off from the lock to the write, so its critical sections and
 * their writes cannot interleave and the hardware ends up set to the
 * `armed` of the last critical section. Other harts only remove entries,
 * which at worst leaves `armed` early: one spurious interrupt.
 */

/* ---- the queue ------------------------------------------------------------------ */

/*
 * Every operation below is O(log n) in the worst case (at most 2*log2(n+1)
 * levels, 3 rotations), which bounds the time the lock is held with
 * interrupts off: the pairing heap this replaced was O(n) at worst.
 */
static inline struct timer_entry *entry_of(struct rb_node *n)
{
	return n ? rb_entry(n, struct timer_entry, node) : NULL;
}

/* Strictly earlier: an equal deadline goes after those already queued. */
static bool deadline_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, const struct timer_entry, node)->deadline <
	       rb_entry(b, const struct timer_entry, node)->deadline;
}

/* The entry with the earliest deadline, or NULL. O(1). */
static struct timer_entry *earliest_locked(struct timerq *tq)
{
	return entry_of(rb_first(&tq->tree));
}

static void queue_insert_locked(struct timerq *tq, struct timer_entry *e)
{
	rb_add(&tq->tree, &e->node, deadline_less);
	e->queued = true;
	tq->count++;
}

static void queue_remove_locked(struct timerq *tq, struct timer_entry *e)
{
	rb_erase(&tq->tree, &e->node);
	e->queued = false;
	tq->count--;
}

/* ---- entries ------------------------------------------------------------------- */

void timer_entry_init(struct timer_entry *e)
{
	e->deadline = 0;
	e->waker = waker_noop();
	e->hart = -1;
	e->queued = false;
	e->fired = false;
}

void timerq_add(struct timer_entry *e, uint64_t deadline_ns, const struct waker *w)
{
	irqflags_t fl = arch_irq_save(), inner;
	unsigned self = hart_id();	/* interrupts off: we stay on this hart */
	struct timerq *tq = &timerqs[self];
	bool rearm = false;

	inner = spin_lock_irqsave(&tq->lock);
	BUG_ON(e->queued);
	e->deadline = deadline_ns;
	e->waker = waker_clone(w);
	e->hart = (int)self;
	e->fired = false;
	queue_insert_locked(tq, e);
	/* Only a new earliest deadline reprograms the hardware. */
	if (deadline_ns < tq->armed) {
		tq->armed = deadline_ns;
		rearm = true;
	}
	spin_unlock_irqrestore(&tq->lock, inner);	/* interrupts stay off */
	if (rearm)
		arch_timer_set(deadline_ns);	/* outside the lock: see "Programming the timer" */
	arch_irq_restore(fl);
}

bool timerq_check(struct timer_entry *e, const struct waker *w)
{
	struct timerq *tq;
	struct waker old = waker_noop();
	irqflags_t fl;
	bool fired;

	if (e->hart < 0)
		return false;
	tq = &timerqs[e->hart];
	fl = spin_lock_irqsave(&tq->lock);
	fired = e->fired;
	if (!fired && !waker_will_wake(&e->waker, w)) {
		old = e->waker;
		e->waker = waker_clone(w);
	}
	spin_unlock_irqrestore(&tq->lock, fl);
	waker_drop(&old);
	return fired;
}

void timerq_cancel(struct timer_entry *e)
{
	struct waker old = waker_noop();
	struct timerq *tq;
	irqflags_t fl;

	if (e->hart < 0)
		return;
	tq = &timerqs[e->hart];
	fl = spin_lock_irqsave(&tq->lock);
	if (e->queued) {
		queue_remove_locked(tq, e);
		old = e->waker;
		e->waker = waker_noop();
	}
	spin_unlock_irqrestore(&tq->lock, fl);
	waker_drop(&old);
}

unsigned timerq_count(unsigned hart)
{
	return timerqs[hart].count;
}

#define EXPIRE_BATCH 16

void timerq_on_interrupt(void)
{
	struct timerq *tq = &timerqs[hart_id()];
	struct waker batch[EXPIRE_BATCH];
	bool more;

	do {
		irqflags_t fl = spin_lock_irqsave(&tq->lock);	/* interrupts were off */
		uint64_t now = clock_now_ns(), next;
		struct timer_entry *e;
		unsigned n = 0;

		while ((e = earliest_locked(tq)) && e->deadline <= now && n < EXPIRE_BATCH) {
			queue_remove_locked(tq, e);
			e->fired = true;
			batch[n++] = e->waker;
			e->waker = waker_noop();
		}
		more = e && e->deadline <= now;
		next = e ? e->deadline : UINT64_MAX;
		tq->armed = next;
		spin_unlock_irqrestore(&tq->lock, fl);
		/* Interrupts are off in here, so programming after the unlock
		 * is safe: see "Programming the timer". */
		if (!more)
			arch_timer_set(next);
		/* Wake outside the lock: the entries may be freed once fired. */
		for (unsigned i = 0; i < n; i++)
			waker_wake(&batch[i]);
	} while (more);
}

/* ---- sleep futures ----------------------------------------------------------------- */

static enum poll sleep_poll(struct future *f, struct context *cx)
{
	struct sleep_future *s = (struct sleep_future *)f;

	/* LAB(future) BEGIN stub:
	 * if (clock_now_ns() >= s->deadline) {
	 * 	s->state = SLEEP_DONE;
	 * 	return POLL_READY;
	 * }
	 * waker_wake_by_ref(cx->waker);	// busy: polled again at once
	 * return POLL_PENDING;
	 */
	for (;;) {
		switch (s->state) {
		case SLEEP_INIT:
			if (clock_now_ns() >= s->deadline) {
				s->state = SLEEP_DONE;
				continue;
			}
			timerq_add(&s->te, s->deadline, cx->waker);
			s->state = SLEEP_WAITING;
			return POLL_PENDING;
		case SLEEP_WAITING:
			if (!timerq_check(&s->te, cx->waker))
				return POLL_PENDING;
			s->state = SLEEP_DONE;
			continue;
		case SLEEP_DONE:
			return POLL_READY;
		}
	}
	/* LAB(future) END */
}

static void sleep_drop(struct future *f)
{
	/* LAB(future) BEGIN stub: (void)f; */
	timerq_cancel(&((struct sleep_future *)f)->te);
	/* LAB(future) END */
}

static const char *sleep_state_name(const struct future *f)
{
	static const char *const names[] = {
		[SLEEP_INIT] = "SLEEP_INIT",
		[SLEEP_WAITING] = "SLEEP_WAITING",
		[SLEEP_DONE] = "SLEEP_DONE",
	};

	return names[((const struct sleep_future *)f)->state];
}

static const struct future_ops sleep_ops = {
	.name = "sleep",
	.type = "sleep_future",
	.poll = sleep_poll,
	.drop = sleep_drop,
	.state_name = sleep_state_name,
};

void sleep_until_init(struct sleep_future *s, uint64_t deadline_ns)
{
	future_init(&s->base, &sleep_ops);
	s->state = SLEEP_INIT;
	s->deadline = deadline_ns;
	timer_entry_init(&s->te);
}

void sleep_for_init(struct sleep_future *s, uint64_t ns)
{
	uint64_t now = clock_now_ns();

	sleep_until_init(s, ns > UINT64_MAX - now ? UINT64_MAX : now + ns);
}

static void sleep_release(struct future *f)
{
	kfree(f);
}

static const struct future_ops sleep_box_ops = {
	.name = "sleep",
	.type = "sleep_future",
	.poll = sleep_poll,
	.drop = sleep_drop,
	.release = sleep_release,
	.state_name = sleep_state_name,
};

struct sleep_future *sleep_for_new(uint64_t ns)
{
	struct sleep_future *s = kmalloc(sizeof(*s));

	if (s) {
		sleep_for_init(s, ns);
		s->base.ops = &sleep_box_ops;
	}
	return s;
}
