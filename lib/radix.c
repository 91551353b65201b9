// SPDX-License-Identifier: MIT
/* The radix tree of the page cache; see radix.h. */
#include "lib/radix.h"

#include "lib/errno.h"

struct node {
	void *slot[RADIX_SLOTS];
};

/* The index of the child of a level-`level` node (level 1: leaves) that holds index. */
static unsigned slot_of(uint64_t index, unsigned level)
{
	return (unsigned)(index >> ((level - 1) * RADIX_BITS)) & (RADIX_SLOTS - 1);
}

/* Largest index a tree of this height holds. */
static uint64_t max_index(unsigned height)
{
	unsigned bits = height * RADIX_BITS;

	return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

static bool node_empty(const struct node *n)
{
	for (unsigned i = 0; i < RADIX_SLOTS; i++)
		if (n->slot[i])
			return false;
	return true;
}

static struct node *node_new(const struct radix_alloc *a)
{
	struct node *n = a->alloc(a->arg);

	if (n)
		for (unsigned i = 0; i < RADIX_SLOTS; i++)
			n->slot[i] = NULL;
	return n;
}

void *radix_lookup(const struct radix_tree *t, uint64_t index)
{
	void *p = t->root;

	if (index > max_index(t->height))
		return NULL;
	for (unsigned level = t->height; level > 0 && p; level--)
		p = ((struct node *)p)->slot[slot_of(index, level)];
	return p;
}

int radix_insert(struct radix_tree *t, uint64_t index, void *item, const struct radix_alloc *a)
{
	void **pp;

	if (!t->root) {
		/* Empty: just tall enough for index (0 for index 0). */
		t->height = 0;
		while (index > max_index(t->height))
			t->height++;
	} else {
		/* Grow until index fits: the old root becomes slot 0 of a new root. */
		while (index > max_index(t->height)) {
			struct node *n = node_new(a);

			if (!n)
				return -ENOMEM;
			n->slot[0] = t->root;
			t->root = n;
			t->height++;
		}
	}
	pp = &t->root;
	for (unsigned level = t->height; level > 0; level--) {
		if (!*pp) {
			struct node *n = node_new(a);

			if (!n) {
				if (!t->root)
					t->height = 0;
				return -ENOMEM;
			}
			*pp = n;
		}
		pp = &((struct node *)*pp)->slot[slot_of(index, level)];
	}
	if (*pp)
		return -EEXIST;
	*pp = item;
	return 0;
}

/* Drop root levels while only slot 0 is used (height 1 with only slot 0:
 * the item at index 0 becomes the root itself). */
static void shrink(struct radix_tree *t, const struct radix_alloc *a)
{
	while (t->height > 0) {
		struct node *n = t->root;

		if (!n) {
			t->height = 0;
			return;
		}
		for (unsigned i = 1; i < RADIX_SLOTS; i++)
			if (n->slot[i])
				return;
		t->root = n->slot[0];
		t->height--;
		a->free(a->arg, n);
	}
}

void *radix_delete(struct radix_tree *t, uint64_t index, const struct radix_alloc *a)
{
	struct node *path[64 / RADIX_BITS + 1];
	void **pp = &t->root, *item;
	unsigned depth = 0;

	if (index > max_index(t->height) || !t->root)
		return NULL;
	for (unsigned level = t->height; level > 0; level--) {
		struct node *n = *pp;

		if (!n)
			return NULL;
		path[depth++] = n;
		pp = &n->slot[slot_of(index, level)];
	}
	item = *pp;
	if (!item)
		return NULL;
	*pp = NULL;
	/* Free the nodes emptied, bottom up; a freed node's slot in its parent goes too. */
	while (depth > 0 && node_empty(path[depth - 1])) {
		struct node *n = path[--depth];

		a->free(a->arg, n);
		if (depth == 0)
			t->root = NULL;
		else
			path[depth - 1]->slot[slot_of(index, t->height - depth + 1)] = NULL;
	}
	if (!t->root)
		t->height = 0;
	else
		shrink(t, a);
	return item;
}

/* The first item at an index >= start under p (a level-`level` node, or an
 * item at level 0) whose first index is base. */
static void *next_in(void *p, unsigned level, uint64_t base, uint64_t start, uint64_t *found)
{
	if (!p)
		return NULL;
	if (level == 0) {
		*found = base;
		return p;
	}
	struct node *n = p;
	unsigned shift = (level - 1) * RADIX_BITS;
	unsigned first = start > base ? (unsigned)((start - base) >> shift) : 0;

	for (unsigned i = first; i < RADIX_SLOTS; i++) {
		uint64_t cbase = base + ((uint64_t)i << shift);
		void *r = next_in(n->slot[i], level - 1, cbase, start > cbase ? start : cbase, found);

		if (r)
			return r;
	}
	return NULL;
}

void *radix_next(const struct radix_tree *t, uint64_t *index)
{
	if (*index > max_index(t->height))
		return NULL;
	return next_in(t->root, t->height, 0, *index, index);
}

static void destroy_in(void *p, unsigned level, const struct radix_alloc *a)
{
	struct node *n = p;

	if (!p || level == 0)
		return;
	for (unsigned i = 0; i < RADIX_SLOTS; i++)
		destroy_in(n->slot[i], level - 1, a);
	a->free(a->arg, n);
}

void radix_destroy(struct radix_tree *t, const struct radix_alloc *a)
{
	destroy_in(t->root, t->height, a);
	radix_init(t);
}
