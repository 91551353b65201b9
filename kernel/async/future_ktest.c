// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of the await chain (kernel/async/future.c, suite
 * `future`): future_format_chain() names each future of the chain with its
 * state, and a cycle cannot make it run forever.
 */
#include "kernel/async/future.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/string.h"

struct named_future {
	struct future base;
	const char *state;
};

static enum poll named_poll(struct future *f, struct context *cx)
{
	(void)f;
	(void)cx;
	return POLL_PENDING;
}

static const char *named_state(const struct future *f)
{
	return ((const struct named_future *)f)->state;
}

static const struct future_ops outer_ops = {
	.name = "outer", .poll = named_poll, .state_name = named_state,
};
static const struct future_ops middle_ops = {
	.name = "middle", .poll = named_poll,	/* no state_name: the name alone */
};
static const struct future_ops inner_ops = {
	.name = "inner", .poll = named_poll, .state_name = named_state,
};

KTEST(future, chain_names_each_future_and_its_state)
{
	struct named_future a, b, c;
	char buf[128];
	size_t n;

	future_init(&a.base, &outer_ops);
	future_init(&b.base, &middle_ops);
	future_init(&c.base, &inner_ops);
	a.state = "OUTER_WAITING";
	c.state = "INNER_IO";
	a.base.awaiting = &b.base;
	b.base.awaiting = &c.base;
	n = future_format_chain(&a.base, buf, sizeof(buf));
	if (strcmp(buf, "outer[OUTER_WAITING] -> middle -> inner[INNER_IO]") != 0)
		kprintf("    got \"%s\"\n", buf);
	EXPECT(strcmp(buf, "outer[OUTER_WAITING] -> middle -> inner[INNER_IO]") == 0);
	EXPECT(n == strlen(buf));
	/* The end of the chain moves as the futures do. */
	b.base.awaiting = NULL;
	future_format_chain(&a.base, buf, sizeof(buf));
	EXPECT(strcmp(buf, "outer[OUTER_WAITING] -> middle") == 0);
	future_format_chain(NULL, buf, sizeof(buf));
	EXPECT(buf[0] == '\0');
}

KTEST(future, chain_is_cut_at_a_cycle_and_at_the_buffer)
{
	struct named_future a, b;
	char buf[512], small[12];
	size_t n;

	future_init(&a.base, &outer_ops);
	future_init(&b.base, &inner_ops);
	a.state = "A";
	b.state = "B";
	a.base.awaiting = &b.base;
	b.base.awaiting = &a.base;	/* a cycle: 16 futures, then " -> ..." */
	n = future_format_chain(&a.base, buf, sizeof(buf));
	EXPECT(n == strlen(buf));
	EXPECT(n == 8 * strlen("outer[A] -> inner[B] -> ") + strlen("..."));
	EXPECT(strncmp(buf, "outer[A] -> inner[B] -> outer[A]", 32) == 0);
	EXPECT(n >= 7 && strcmp(buf + n - 7, " -> ...") == 0);
	/* A short buffer keeps the start and its NUL; the return says what
	 * the whole text needs. */
	EXPECT(future_format_chain(&a.base, small, sizeof(small)) == n);
	EXPECT(strcmp(small, "outer[A] ->") == 0);
	EXPECT(small[sizeof(small) - 1] == '\0');
}
