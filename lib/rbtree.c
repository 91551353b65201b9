// SPDX-License-Identifier: MIT
/*
 * Red-black tree rebalancing: insert fixup, erase, in-order neighbours.
 * Written from the textbook algorithm (bottom-up, NULL leaves, no sentinel);
 * see rbtree.h for the invariants and the cost bounds.
 */
#include "lib/rbtree.h"

#define RB_RED 0
#define RB_BLACK 1

#ifdef RBTREE_STATS
struct rb_stats rb_stats;
#endif

/* NULL leaves count as black. */
static inline bool is_black(const struct rb_node *n)
{
	return !n || (n->parent_color & RB_BLACK);
}

static inline bool is_red(const struct rb_node *n)
{
	return !is_black(n);
}

static inline uintptr_t color(const struct rb_node *n)
{
	return n->parent_color & 1;
}

static inline void set_black(struct rb_node *n)
{
	n->parent_color |= RB_BLACK;
}

static inline void set_red(struct rb_node *n)
{
	n->parent_color &= ~(uintptr_t)1;
}

static inline void set_color(struct rb_node *n, uintptr_t c)
{
	n->parent_color = (n->parent_color & ~(uintptr_t)1) | c;
}

static inline void set_parent(struct rb_node *n, struct rb_node *p)
{
	n->parent_color = (uintptr_t)p | color(n);
}

/* Make @new take @old's place under @parent (or as the root). */
static inline void replace_child(struct rb_tree *t, struct rb_node *parent, struct rb_node *old,
				 struct rb_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/*
 * Rotate @x down towards @side, its child on the other side coming up.
 * rotate(t, x, RB_LEFT):
 *
 *     x                y
 *    / \              / \
 *   a   y    --->    x   c
 *      / \          / \
 *     b   c        a   b
 *
 * and RB_RIGHT is the mirror image.
 */
static void rotate(struct rb_tree *t, struct rb_node *x, int side)
{
	struct rb_node *y = x->child[!side], *p = rb_parent(x);

	RB_STAT(rotations);
	x->child[!side] = y->child[side];
	if (y->child[side])
		set_parent(y->child[side], x);
	set_parent(y, p);
	replace_child(t, p, x, y);
	y->child[side] = x;
	set_parent(x, y);
}

/*
 * @n was just linked as a red leaf. The only invariant that can be broken
 * is 2 (n's parent is red too). A red uncle: recolour and move the problem
 * two levels up (no rotation). A black uncle: at most two rotations, done.
 */
void rb_insert_fixup(struct rb_tree *t, struct rb_node *n, bool leftmost, bool rightmost)
{
	if (leftmost)
		t->leftmost = n;
	if (rightmost)
		t->rightmost = n;
	for (;;) {
		struct rb_node *p = rb_parent(n), *g, *u;
		int side;

		RB_STAT(steps);
		if (!p) {
			set_black(n);	/* the root */
			return;
		}
		if (is_black(p))
			return;
		g = rb_parent(p);	/* p is red, so not the root: g exists */
		side = p == g->right;	/* p's side under g; u is on the other */
		u = g->child[!side];
		if (is_red(u)) {
			set_black(p);
			set_black(u);
			set_red(g);
			n = g;
			continue;
		}
		if (n == p->child[!side]) {	/* the inner grandchild: straighten */
			rotate(t, p, side);
			p = n;
		}
		rotate(t, g, !side);
		set_black(p);	/* p now stands where g stood */
		set_red(g);
		return;
	}
}

/*
 * A black node was taken out of the path through @x (possibly NULL), the
 * child of @parent: that path is one black short. Either colour a red @x
 * black, or, with x's sibling w: a red w is rotated up (w becomes black,
 * and x gets a black sibling); a black w with two black children turns
 * red and the shortage moves up to @parent; otherwise one or two
 * rotations end it. At most three rotations in all.
 */
static void erase_fixup(struct rb_tree *t, struct rb_node *x, struct rb_node *parent)
{
	while (x != t->root && is_black(x)) {
		/* x's side under parent; x's side is one black short, so its
		 * sibling w is not a NULL leaf. */
		int side = x != parent->left;
		struct rb_node *w = parent->child[!side];

		RB_STAT(steps);
		if (is_red(w)) {
			set_black(w);
			set_red(parent);
			rotate(t, parent, side);
			w = parent->child[!side];
		}
		if (is_black(w->left) && is_black(w->right)) {
			set_red(w);
			x = parent;
			parent = rb_parent(x);
			continue;
		}
		if (is_black(w->child[!side])) {	/* the far nephew: make it red */
			set_black(w->child[side]);
			set_red(w);
			rotate(t, w, !side);
			w = parent->child[!side];
		}
		set_color(w, color(parent));
		set_black(parent);
		set_black(w->child[!side]);
		rotate(t, parent, side);
		x = t->root;
		break;
	}
	if (x)
		set_black(x);
}

void rb_erase(struct rb_tree *t, struct rb_node *n)
{
	struct rb_node *child, *parent;
	bool removed_black;

	/* O(1) each: the leftmost has no left child and at most a red leaf
	 * on its right, and the mirror image for the rightmost. */
	if (t->leftmost == n)
		t->leftmost = rb_next(n);
	if (t->rightmost == n)
		t->rightmost = rb_prev(n);

	if (!n->left || !n->right) {
		/* At most one child: splice n out. */
		child = n->left ? n->left : n->right;
		parent = rb_parent(n);
		removed_black = is_black(n);
		if (child)
			set_parent(child, parent);
		replace_child(t, parent, n, child);
	} else {
		/* Two children: n's successor s (leftmost of the right subtree,
		 * no left child) leaves its place and takes n's, colour too. */
		struct rb_node *s = n->right;

		while (s->left) {
			RB_STAT(steps);
			s = s->left;
		}
		removed_black = is_black(s);
		child = s->right;
		if (s == n->right) {
			parent = s;
		} else {
			parent = rb_parent(s);
			parent->left = child;
			if (child)
				set_parent(child, parent);
			s->right = n->right;
			set_parent(n->right, s);
		}
		s->left = n->left;
		set_parent(n->left, s);
		replace_child(t, rb_parent(n), n, s);
		s->parent_color = n->parent_color;
	}
	if (removed_black)
		erase_fixup(t, child, parent);
}

/* The in-order neighbour of @n on @side (RB_RIGHT: the next). */
static struct rb_node *neighbour(const struct rb_node *n, int side)
{
	struct rb_node *p;

	if (n->child[side]) {
		n = n->child[side];
		while (n->child[!side])
			n = n->child[!side];
		return (struct rb_node *)n;
	}
	while ((p = rb_parent(n)) && n == p->child[side])
		n = p;
	return p;
}

struct rb_node *rb_next(const struct rb_node *n)
{
	return neighbour(n, RB_RIGHT);
}

struct rb_node *rb_prev(const struct rb_node *n)
{
	return neighbour(n, RB_LEFT);
}
