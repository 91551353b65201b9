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

/* Append s at buf[at], keeping buf NUL-terminated within size; the new at
 * counts what did not fit too (as snprintf's return value does). */
static size_t put(char *buf, size_t size, size_t at, const char *s)
{
	for (; *s; s++, at++)
		if (at + 1 < size)
			buf[at] = *s;
	if (size)
		buf[at < size ? at : size - 1] = '\0';
	return at;
}

size_t future_format_chain(const struct future *f, char *buf, size_t size)
{
	size_t n = 0;

	if (size)
		buf[0] = '\0';
	/* LAB(boot) BEGIN stub:
	 * if (f)
	 * 	n = put(buf, size, n, future_name(f));
	 */
	for (int depth = 0; f && depth < CHAIN_MAX; depth++, f = f->awaiting) {
		const char *st = f->ops->state_name ? f->ops->state_name(f) : NULL;

		if (depth)
			n = put(buf, size, n, " -> ");
		n = put(buf, size, n, future_name(f));
		if (st) {
			n = put(buf, size, n, "[");
			n = put(buf, size, n, st);
			n = put(buf, size, n, "]");
		}
	}
	if (f)
		n = put(buf, size, n, " -> ...");
	/* LAB(boot) END */
	return n;
}

void future_print_chain(const struct future *f)
{
	char buf[256];

	future_format_chain(f, buf, sizeof(buf));
	kprintf("%s\n", buf);
}
