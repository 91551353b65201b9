/* SPDX-License-Identifier: MIT */
/*
 * Intrusive red-black trees: insert, erase of any node and O(1) access to
 * the smallest, each O(log n) in the worst case, no allocation. The caller
 * embeds a struct rb_node in its object and owns the ordering and locking.
 *
 * Invariants (checked after every operation by tests/unit/test_rbtree.c):
 *   1. every node is red or black, the root and the NULL leaves are black;
 *   2. a red node has no red child;
 *   3. every path from a node down to a NULL leaf passes the same number
 *      of black nodes.
 * Hence a tree of n nodes is at most 2*log2(n+1) deep. Insert makes at
 * most 2 rotations and erase at most 3; both may recolour up to the root.
 *
 * Order among equal keys: rb_add() puts a node after every node that
 * compares equal to it (it descends right on a tie), and rotations keep
 * the in-order sequence, so equal keys come out first-in first-out with
 * no sequence number stored.
 */
#ifndef LIB_RBTREE_H
#define LIB_RBTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A node: its parent pointer with the colour in bit 0 (nodes are at least
 * pointer aligned, so that bit of the pointer is always 0), and two
 * children, also reachable as child[RB_LEFT] and child[RB_RIGHT] so that
 * the rebalancing code writes each case once for both mirror images.
 * 24 bytes on a 64-bit machine.
 */
enum { RB_LEFT = 0, RB_RIGHT = 1 };
struct rb_node {
	uintptr_t parent_color;
	union {
		struct {
			struct rb_node *left, *right;
		};
		struct rb_node *child[2];
	};
};

/*
 * The tree: the root and its leftmost (smallest) and rightmost (largest)
 * nodes, all NULL when empty. The rightmost makes appending in order (the
 * common case for deadlines) skip the search.
 */
struct rb_tree {
	struct rb_node *root;
	struct rb_node *leftmost;
	struct rb_node *rightmost;
};

#define RB_TREE_INIT { NULL, NULL, NULL }

/* The @type that embeds the rb_node at @ptr as @member. */
#define rb_entry(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline void rb_tree_init(struct rb_tree *t)
{
	t->root = NULL;
	t->leftmost = NULL;
	t->rightmost = NULL;
}

static inline bool rb_tree_is_empty(const struct rb_tree *t)
{
	return t->root == NULL;
}

/* The smallest node (the first in order), or NULL. O(1). */
static inline struct rb_node *rb_first(const struct rb_tree *t)
{
	return t->leftmost;
}

/* The largest node (the last in order), or NULL. O(1). */
static inline struct rb_node *rb_last(const struct rb_tree *t)
{
	return t->rightmost;
}

static inline struct rb_node *rb_parent(const struct rb_node *n)
{
	return (struct rb_node *)(n->parent_color & ~(uintptr_t)1);
}

/* The in-order neighbours of @n, or NULL. O(log n) worst, O(1) amortised. */
struct rb_node *rb_next(const struct rb_node *n);
struct rb_node *rb_prev(const struct rb_node *n);

/*
 * Low-level insertion, for callers that search the tree themselves: make
 * @n a red leaf hanging from @parent at *@link (the NULL child pointer the
 * search ended on; &t->root with parent NULL for an empty tree), then
 * rb_insert_fixup() restores the invariants. @leftmost: the search never
 * went right, so @n is the new smallest node; @rightmost: it never went
 * left, so @n is the new largest.
 */
static inline void rb_link_node(struct rb_node *n, struct rb_node *parent, struct rb_node **link)
{
	n->parent_color = (uintptr_t)parent;	/* bit 0 clear: red */
	n->left = n->right = NULL;
	*link = n;
}

void rb_insert_fixup(struct rb_tree *t, struct rb_node *n, bool leftmost, bool rightmost);

#ifdef RBTREE_STATS
/*
 * Work counters for tests (only with -DRBTREE_STATS; not thread safe):
 * rotations, and steps = nodes visited by the search of rb_add(), by the
 * successor search of rb_erase() and by the fixup loops.
 */
struct rb_stats {
	unsigned long rotations;
	unsigned long steps;
};
extern struct rb_stats rb_stats;
#define RB_STAT(field) (rb_stats.field++)
#else
#define RB_STAT(field) ((void)0)
#endif

/*
 * Insert @n, ordered by @less (a strict weak order: @less(a, b) is true if
 * a must come before b). Ties go after the nodes already there. O(1)
 * amortised when @n goes last (no search; the fixup is O(1) amortised),
 * O(log n) worst case. Inline so that a constant @less is inlined.
 */
static inline void rb_add(struct rb_tree *t, struct rb_node *n,
			  bool (*less)(const struct rb_node *a, const struct rb_node *b))
{
	struct rb_node **link = &t->root, *parent = NULL;
	bool leftmost = true;

	/* Not before the largest: append without a search. */
	if (t->rightmost && !less(n, t->rightmost)) {
		rb_link_node(n, t->rightmost, &t->rightmost->right);
		rb_insert_fixup(t, n, false, true);
		return;
	}
	/* Otherwise the search goes left at least once: n is not the largest. */
	while (*link) {
		RB_STAT(steps);
		parent = *link;
		if (less(n, parent)) {
			link = &parent->left;
		} else {
			link = &parent->right;
			leftmost = false;
		}
	}
	rb_link_node(n, parent, link);
	rb_insert_fixup(t, n, leftmost, parent == NULL);
}

/* Remove @n, which must be in @t. Its links are left undefined. */
void rb_erase(struct rb_tree *t, struct rb_node *n);

#endif
