// SPDX-License-Identifier: MIT
/* The no-op waker and async backtraces; see future.h. */
#include "kernel/async/future.h"

#include "kernel/printk.h"

static struct waker noop_clone(const struct waker *w)
{
	return *w;
}

static void noop_wake(struct waker *w)
{
	(void)w;
}

static void noop_wake_by_ref(const struct waker *w)
{
	(void)w;
}

const struct waker_ops waker_noop_ops = {
	.clone = noop_clone,
	.wake = noop_wake,
	.wake_by_ref = noop_wake_by_ref,
	.drop = noop_wake,
};

#define CHAIN_MAX 16	/* a cycle must not hang a panic message */

void future_print_chain(const struct future *f)
{
	for (int depth = 0; f && depth < CHAIN_MAX; depth++, f = f->awaiting) {
		const char *st = f->ops->state_name ? f->ops->state_name(f) : NULL;

		kprintf("%s%s%s%s%s", depth ? " -> " : "", future_name(f), st ? "[" : "",
			st ? st : "", st ? "]" : "");
	}
	kprintf("%s\n", f ? " -> ..." : "");
}
