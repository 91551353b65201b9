// SPDX-License-Identifier: MIT
/* The I/O context of a restarted syscall: pins and checkpoints (ioctx.h). */
#include "kernel/fs/ioctx.h"

#include <stdatomic.h>

#include "kernel/arch.h"
#include "kernel/block/bcache.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "lib/string.h"

static struct ioctx *current_ctx[MAX_HARTS];	/* H: per hart */
static atomic_uint pins_total;			/* A: pins of every context */

void ioctx_init(struct ioctx *c)
{
	memset(c, 0, sizeof(*c));
}

void walk_ckpt_clear(struct walk_ckpt *w)
{
	if (!w->valid)
		return;
	inode_put(w->base);
	inode_put(w->cur);
	kfree(w->path);
	kfree(w->buf);
	kfree(w->name);
	memset(w, 0, sizeof(*w));
}

void cwd_ckpt_clear(struct cwd_ckpt *w)
{
	if (!w->valid)
		return;
	inode_put(w->start);
	inode_put(w->cur);
	kfree(w->buf);
	memset(w, 0, sizeof(*w));
}

void ioctx_release(struct ioctx *c)
{
	for (unsigned i = 0; i < c->npins; i++)
		bcache_put(c->pin[(c->pin_head + i) % IOCTX_PINS]);
	/* relaxed: a count for the cap only, no data hangs on it. */
	atomic_fetch_sub_explicit(&pins_total, c->npins, memory_order_relaxed);
	c->npins = c->pin_head = 0;
	for (unsigned i = 0; i < IOCTX_WALKS; i++)
		walk_ckpt_clear(&c->walk[i]);
	cwd_ckpt_clear(&c->cwd);
}

void ioctx_enter(struct ioctx *c)
{
	c->walk_seq = 0;
	c->runs++;
	current_ctx[hart_id()] = c;
}

void ioctx_leave(void)
{
	current_ctx[hart_id()] = NULL;
}

struct ioctx *ioctx_current(void)
{
	return current_ctx[hart_id()];
}

void ioctx_pin(struct bcache_buf *b)
{
	struct ioctx *c = ioctx_current();

	if (!c)
		return;
	for (unsigned i = 0; i < c->npins; i++)
		if (c->pin[(c->pin_head + i) % IOCTX_PINS] == b)
			return;
	if (c->npins == IOCTX_PINS) {
		/* Full: the oldest pin goes (a walk needs its latest blocks, an op all of
		 * its own, and no op gathers more than IOCTX_PINS). */
		bcache_put(c->pin[c->pin_head]);
		c->pin_head = (c->pin_head + 1) % IOCTX_PINS;
		c->npins--;
	} else if (atomic_fetch_add_explicit(&pins_total, 1, memory_order_relaxed) >=
		   IOCTX_PINS_TOTAL) {
		atomic_fetch_sub_explicit(&pins_total, 1, memory_order_relaxed);
		return; /* pins would crowd the cache: this run goes without */
	}
	bcache_hold(b);
	c->pin[(c->pin_head + c->npins) % IOCTX_PINS] = b;
	c->npins++;
}

struct walk_ckpt *ioctx_next_walk(void)
{
	struct ioctx *c = ioctx_current();

	if (!c || c->walk_seq >= IOCTX_WALKS)
		return NULL;
	return &c->walk[c->walk_seq++];
}

unsigned ioctx_pins_total(void)
{
	return atomic_load_explicit(&pins_total, memory_order_relaxed);
}
