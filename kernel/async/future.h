/* SPDX-License-Identifier: MIT */
/*
 * Futures and wakers: the unit of concurrency of this kernel.
 *
 * A future is a hand-written state machine. Its poll() makes as much progress
 * as it can and returns POLL_READY, or registers cx->waker wherever the event
 * it waits for will come from and returns POLL_PENDING; the waker is later
 * woken, and the future polled again. Rules every future keeps:
 *   - POLL_PENDING only on a path that registered the waker (or woke it on
 *     purpose). Register first, then re-check the condition.
 *   - Everything that must survive a POLL_PENDING lives in the struct.
 *   - drop() cancels: it unregisters every waker the future left anywhere and
 *     releases what the future holds. It is safe to call twice and after
 *     POLL_READY. It never frees the future's own memory (release() does).
 *   - A future awaiting a child records it in ->awaiting so the await chain
 *     of a task can be walked (future_print_chain, GDB `info tasks`).
 *
 * A waker is the pair (ops, data) of Rust's RawWaker. Wakers are values:
 * copy one with waker_clone(), give it back with waker_drop(). The executor's
 * task wakers carry a generational task id, so they hold no reference and a
 * waker of a task that has finished is a harmless no-op.
 */
#ifndef KERNEL_ASYNC_FUTURE_H
#define KERNEL_ASYNC_FUTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum poll {
	POLL_PENDING = 0,
	POLL_READY = 1,
};

struct waker;

struct waker_ops {
	/* A new waker for the same target (task wakers just copy). */
	struct waker (*clone)(const struct waker *w);
	/* Wake and consume the waker. */
	void (*wake)(struct waker *w);
	/* Wake, keeping the waker. */
	void (*wake_by_ref)(const struct waker *w);
	/* Give the waker back without waking. */
	void (*drop)(struct waker *w);
};

struct waker {
	const struct waker_ops *ops;
	uintptr_t data;
};

/* What the executor hands to poll(). */
struct context {
	const struct waker *waker;	/* wakes the task being polled */
};

struct future;

struct future_ops {
	const char *name;
	/* The concrete struct's tag ("sleep_future" for struct sleep_future),
	 * so GDB can cast the future and print its `state` enum by name.
	 * May be NULL: tools then try "<name>_future" and "<name>". */
	const char *type;
	enum poll (*poll)(struct future *f, struct context *cx);
	/* Cancel: unregister every waker, release held resources. May be NULL. */
	void (*drop)(struct future *f);
	/* Free the future's memory once nobody needs it. NULL: the memory
	 * belongs to someone else (embedded in a parent, static, ...). */
	void (*release)(struct future *f);
	/* Name of the current state, for async backtraces. May be NULL. */
	const char *(*state_name)(const struct future *f);
	/* A syscall future about to be dropped because a signal interrupts
	 * it: the result the call must report for the work it already did
	 * (bytes moved), or 0 for none. May be NULL (none). */
	long (*progress)(const struct future *f);
};

struct future {
	const struct future_ops *ops;
	struct future *awaiting;	/* the child this future now waits on, or NULL */
	long result;			/* output, for futures whose output is one long */
};

static inline long future_progress(const struct future *f)
{
	return f->ops->progress ? f->ops->progress(f) : 0;
}

static inline void future_init(struct future *f, const struct future_ops *ops)
{
	f->ops = ops;
	f->awaiting = NULL;
	f->result = 0;
}

static inline enum poll future_poll(struct future *f, struct context *cx)
{
	return f->ops->poll(f, cx);
}

static inline void future_drop(struct future *f)
{
	if (f->ops->drop)
		f->ops->drop(f);
}

static inline void future_release(struct future *f)
{
	if (f->ops->release)
		f->ops->release(f);
}

static inline const char *future_name(const struct future *f)
{
	return f->ops->name ? f->ops->name : "?";
}

/*
 * The await chain from f: "name[state] -> child[state] -> ...", each future's
 * ops->name and, if it has a state_name op, its state; a chain longer than 16
 * (a cycle) ends in " -> ...". Written to buf (always NUL-terminated when size
 * > 0); returns the length the whole text needs, as snprintf does.
 */
size_t future_format_chain(const struct future *f, char *buf, size_t size);
/* Print the await chain with kprintf, one line. */
void future_print_chain(const struct future *f);

static inline struct waker waker_clone(const struct waker *w)
{
	return w->ops->clone(w);
}

static inline void waker_wake(struct waker *w)
{
	w->ops->wake(w);
}

static inline void waker_wake_by_ref(const struct waker *w)
{
	w->ops->wake_by_ref(w);
}

static inline void waker_drop(struct waker *w)
{
	w->ops->drop(w);
}

/* True if waking @a certainly wakes what @b wakes (then re-registering
 * @b in place of @a can be skipped). */
static inline bool waker_will_wake(const struct waker *a, const struct waker *b)
{
	return a->ops == b->ops && a->data == b->data;
}

/* A waker that does nothing, for futures polled outside any task. */
extern const struct waker_ops waker_noop_ops;
static inline struct waker waker_noop(void)
{
	return (struct waker){ .ops = &waker_noop_ops, .data = 0 };
}

#endif
