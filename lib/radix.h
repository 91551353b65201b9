/* SPDX-License-Identifier: MIT */
/*
 * A radix tree mapping 64-bit indices to non-NULL pointers: the index of the
 * page cache (page index -> cached page). 64 slots per node (6 bits of the
 * index per level), so a 16 MiB file of 4 KiB pages is two levels deep and a
 * lookup is two loads after the root. A tree holding only index 0 (most
 * files are one page) needs no node at all: the root is the item itself.
 *
 * Freestanding: the caller brings the memory for nodes (alloc returns a
 * RADIX_NODE_BYTES block or NULL, free takes it back) and the locking.
 * Empty nodes are freed as items are removed, and the tree shrinks again
 * when only its first subtree is left, so memory follows the item count.
 */
#ifndef LIB_RADIX_H
#define LIB_RADIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RADIX_BITS 6
#define RADIX_SLOTS (1u << RADIX_BITS)
#define RADIX_NODE_BYTES (RADIX_SLOTS * sizeof(void *))

/*
 * height 0: root is NULL (empty) or the item at index 0;
 * height h >= 1: root is a node whose subtree holds indices [0, 64^h).
 */
struct radix_tree {
	void *root;
	unsigned height;
};

struct radix_alloc {
	void *(*alloc)(void *arg);	/* a RADIX_NODE_BYTES block, or NULL */
	void (*free)(void *arg, void *node);
	void *arg;
};

static inline void radix_init(struct radix_tree *t)
{
	t->root = NULL;
	t->height = 0;
}

static inline bool radix_empty(const struct radix_tree *t)
{
	return t->root == NULL;
}

/* The item at index, or NULL. */
void *radix_lookup(const struct radix_tree *t, uint64_t index);
/*
 * Put item (non-NULL) at index. 0; -EEXIST if the slot is taken (nothing
 * changes); -ENOMEM if a node could not be had (the tree is left as it was,
 * perhaps taller or with an empty node on the path, which is harmless).
 */
int radix_insert(struct radix_tree *t, uint64_t index, void *item, const struct radix_alloc *a);
/* Remove and return the item at index (NULL if none), freeing empty nodes. */
void *radix_delete(struct radix_tree *t, uint64_t index, const struct radix_alloc *a);
/*
 * The first item at an index >= *index, with *index set to its index, or
 * NULL when there is none. Iterate with: for (i = 0; (p = radix_next(t, &i)); i++).
 */
void *radix_next(const struct radix_tree *t, uint64_t *index);
/* Free every node (not the items): the tree is empty afterwards. */
void radix_destroy(struct radix_tree *t, const struct radix_alloc *a);

#endif
