// SPDX-License-Identifier: MIT
/*
 * lib/rbtree on the host (ASan+UBSan, -DRBTREE_STATS). Random insert and
 * erase sequences are checked against a reference model (a sorted array,
 * ties in insertion order) and the red-black invariants after every
 * operation; adversarial sequences (ascending keys as sleep_for makes them,
 * then removal of the smallest or of the root, all keys equal) check that
 * each single operation is bounded: depth <= 2*log2(n+1), at most 2
 * rotations per insert and 3 per erase, and O(log n) steps.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/rbtree.h"

struct item {
	struct rb_node node;
	uint64_t key;
	bool in;
};

#define ITEM(n) ((struct item *)(void *)((char *)(n) - offsetof(struct item, node)))

static bool item_less(const struct rb_node *a, const struct rb_node *b)
{
	return ITEM(a)->key < ITEM(b)->key;
}

/* ---- reference model: the items in order, equal keys oldest first ------------------ */

static struct item **model;
static size_t nmodel;
/* Off for the big sequences (the array is O(n) per op): count only, and
 * check the order by keys. */
static bool use_model;

static void model_insert(struct item *it)
{
	size_t lo = 0, hi = nmodel;

	if (!use_model) {
		nmodel++;
		return;
	}

	while (lo < hi) {	/* upper bound: after every equal key */
		size_t mid = (lo + hi) / 2;

		if (model[mid]->key <= it->key)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&model[lo + 1], &model[lo], (nmodel - lo) * sizeof(*model));
	model[lo] = it;
	nmodel++;
}

static void model_erase(struct item *it)
{
	if (!use_model) {
		nmodel--;
		return;
	}
	for (size_t i = 0; i < nmodel; i++) {
		if (model[i] == it) {
			memmove(&model[i], &model[i + 1], (nmodel - i - 1) * sizeof(*model));
			nmodel--;
			return;
		}
	}
	fail_msg("erasing an item the model does not hold");
}

/* ---- invariants ---------------------------------------------------------------------- */

static bool node_is_red(const struct rb_node *n)
{
	return n && !(n->parent_color & 1);
}

static size_t nodes_seen;
static unsigned max_depth;

/* Black height of @n's subtree; fails on a broken link or invariant. */
static unsigned check_subtree(const struct rb_node *n, const struct rb_node *parent,
			      unsigned depth)
{
	unsigned bl, br;

	if (!n)
		return 1;
	nodes_seen++;
	if (depth > max_depth)
		max_depth = depth;
	assert_ptr_equal(rb_parent(n), parent);
	if (node_is_red(n)) {
		assert_false(node_is_red(n->left));	/* invariant 2 */
		assert_false(node_is_red(n->right));
	}
	if (n->left)
		assert_true(ITEM(n->left)->key <= ITEM(n)->key);
	if (n->right)
		assert_true(ITEM(n)->key <= ITEM(n->right)->key);
	bl = check_subtree(n->left, n, depth + 1);
	br = check_subtree(n->right, n, depth + 1);
	assert_int_equal(bl, br);	/* invariant 3 */
	return bl + !node_is_red(n);
}

static double depth_bound(size_t n)
{
	return 2.0 * log2((double)n + 1.0);
}

/* The invariants, the model's order both ways, and the depth bound. */
static void check_tree(const struct rb_tree *t)
{
	const struct rb_node *n;
	size_t i;

	nodes_seen = 0;
	max_depth = 0;
	assert_false(node_is_red(t->root));	/* invariant 1 */
	check_subtree(t->root, NULL, 1);
	assert_int_equal(nodes_seen, nmodel);
	assert_true(max_depth <= depth_bound(nmodel));
	assert_int_equal(rb_tree_is_empty(t), nmodel == 0);
	{
		const struct rb_node *last = t->root;

		while (last && last->right)
			last = last->right;
		assert_ptr_equal(rb_last(t), last);
	}
	if (!use_model) {
		const struct rb_node *first = t->root;

		while (first && first->left)
			first = first->left;
		assert_ptr_equal(rb_first(t), first);
		for (n = rb_first(t), i = 0; n; n = rb_next(n), i++)
			if (rb_next(n))
				assert_true(ITEM(n)->key <= ITEM(rb_next(n))->key);
		assert_int_equal(i, nmodel);
		return;
	}
	assert_ptr_equal(rb_first(t), nmodel ? &model[0]->node : NULL);
	for (n = rb_first(t), i = 0; n; n = rb_next(n), i++) {
		assert_true(i < nmodel);
		assert_ptr_equal(ITEM(n), model[i]);
	}
	assert_int_equal(i, nmodel);
	if (nmodel) {
		assert_ptr_equal(rb_last(t), &model[nmodel - 1]->node);
		for (n = rb_last(t), i = nmodel; n; n = rb_prev(n))
			assert_ptr_equal(ITEM(n), model[--i]);
		assert_int_equal(i, 0);
	}
}

/* ---- operations with per-operation bounds ----------------------------------------- */

static unsigned long max_rot_insert, max_rot_erase;

static void do_insert(struct rb_tree *t, struct item *it, uint64_t key)
{
	struct rb_stats before = rb_stats;
	double bound = depth_bound(nmodel + 1);

	it->key = key;
	it->in = true;
	rb_add(t, &it->node, item_less);
	model_insert(it);
	if (rb_stats.rotations - before.rotations > max_rot_insert)
		max_rot_insert = rb_stats.rotations - before.rotations;
	assert_true(rb_stats.rotations - before.rotations <= 2);
	/* search <= depth, fixup <= depth/2 + 1 */
	assert_true((double)(rb_stats.steps - before.steps) <= 1.5 * bound + 2);
}

static void do_erase(struct rb_tree *t, struct item *it)
{
	struct rb_stats before = rb_stats;
	double bound = depth_bound(nmodel);

	rb_erase(t, &it->node);
	it->in = false;
	model_erase(it);
	if (rb_stats.rotations - before.rotations > max_rot_erase)
		max_rot_erase = rb_stats.rotations - before.rotations;
	assert_true(rb_stats.rotations - before.rotations <= 3);
	/* successor search + fixup climb, each <= depth */
	assert_true((double)(rb_stats.steps - before.steps) <= 2 * bound + 2);
}

static struct item *pool;

static void alloc_pool(size_t n)
{
	pool = calloc(n, sizeof(*pool));
	model = calloc(n, sizeof(*model));
	assert_non_null(pool);
	assert_non_null(model);
	nmodel = 0;
	use_model = true;
	max_rot_insert = max_rot_erase = 0;
}

static int teardown(void **state)
{
	(void)state;
	free(pool);
	free(model);
	pool = NULL;
	model = NULL;
	return 0;
}

static uint64_t rng;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;	/* xorshift64 */
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_rbtree_empty_tree_has_no_first(void **state)
{
	struct rb_tree t = RB_TREE_INIT;
	struct item it;

	(void)state;
	assert_true(rb_tree_is_empty(&t));
	assert_null(rb_first(&t));
	it.key = 5;
	rb_add(&t, &it.node, item_less);
	assert_ptr_equal(rb_first(&t), &it.node);
	assert_ptr_equal(rb_last(&t), &it.node);
	assert_ptr_equal(t.root, &it.node);
	assert_false(node_is_red(t.root));
	assert_null(rb_next(&it.node));
	assert_null(rb_prev(&it.node));
	rb_erase(&t, &it.node);
	assert_true(rb_tree_is_empty(&t));
	assert_null(rb_first(&t));
	assert_null(rb_last(&t));
}

/* Random inserts and erases (of any node, of the smallest), full checks each op. */
static void random_ops(uint64_t seed, size_t poolsize, unsigned nops, uint64_t keyrange)
{
	struct rb_tree t;
	size_t nin = 0;

	rb_tree_init(&t);
	alloc_pool(poolsize);
	rng = seed;
	for (unsigned op = 0; op < nops; op++) {
		uint64_t r = next_rand();
		struct item *it = &pool[r % poolsize];
		/* Drift between fuller and emptier phases. */
		bool fill = ((op / 2000) & 1) ? (r >> 32) % 4 != 0 : (r >> 32) % 4 == 0;

		if (!it->in && (fill || nin == 0)) {
			do_insert(&t, it, next_rand() % keyrange);
			nin++;
		} else if (nin && ((r >> 40) & 7) == 0) {
			do_erase(&t, ITEM(rb_first(&t)));	/* expiry */
			nin--;
		} else if (it->in) {
			do_erase(&t, it);
			nin--;
		}
		check_tree(&t);
	}
	while (nin) {
		do_erase(&t, ITEM(rb_first(&t)));
		nin--;
		check_tree(&t);
	}
	assert_true(rb_tree_is_empty(&t));
}

static void test_rbtree_random_ops_match_model(void **state)
{
	(void)state;
	random_ops(0x9e3779b97f4a7c15ull, 700, 40000, 1ull << 40);
	/* The sequence reached the rebalancing cases that rotate most. */
	assert_int_equal(max_rot_insert, 2);
	assert_int_equal(max_rot_erase, 3);
}

static void test_rbtree_random_ops_with_many_ties_match_model(void **state)
{
	(void)state;
	teardown(NULL);
	random_ops(12345, 700, 40000, 16);
	assert_int_equal(max_rot_insert, 2);
	assert_int_equal(max_rot_erase, 3);
}

static void test_rbtree_small_trees_match_model(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		teardown(NULL);
		random_ops(seed * 7919, 12, 3000, seed % 2 ? 4 : 1000);
	}
}

/* Equal keys come out first-in first-out, whatever was erased meanwhile. */
static void test_rbtree_equal_keys_are_fifo(void **state)
{
	enum { N = 2000 };
	struct rb_tree t = RB_TREE_INIT;
	unsigned k = 0;

	(void)state;
	alloc_pool(N);
	rng = 99;
	for (unsigned i = 0; i < N; i++) {
		do_insert(&t, &pool[i], 42);
		if (i % 3 == 2)	/* erase an older one at random */
			for (unsigned j = (unsigned)(next_rand() % (i + 1));; j = (j + 1) % (i + 1))
				if (pool[j].in) {
					do_erase(&t, &pool[j]);
					break;
				}
	}
	check_tree(&t);
	while (!rb_tree_is_empty(&t)) {
		struct item *it = ITEM(rb_first(&t));

		while (!pool[k].in)
			k++;
		assert_ptr_equal(it, &pool[k]);
		do_erase(&t, it);
	}
}

enum { BIG = 200000 };

/* Deadline order, as sleep_for queues them, then expiry in order. */
static void test_rbtree_ascending_inserts_then_min_removals_are_bounded(void **state)
{
	struct rb_tree t = RB_TREE_INIT;

	(void)state;
	alloc_pool(BIG);
	use_model = false;
	for (size_t i = 0; i < BIG; i++) {
		do_insert(&t, &pool[i], 1000 + i);
		if ((i & 8191) == 0)
			check_tree(&t);
	}
	check_tree(&t);
	for (size_t i = 0; i < BIG; i++) {
		assert_ptr_equal(rb_first(&t), &pool[i].node);
		do_erase(&t, &pool[i]);
		if ((i & 8191) == 0)
			check_tree(&t);
	}
	check_tree(&t);
}

/*
 * The pairing heap's worst case: remove the root (then any node) of a
 * tree built in deadline order, over and over, interleaved with inserts.
 */
static void test_rbtree_root_and_random_removals_after_ascending_inserts_are_bounded(void **state)
{
	struct rb_tree t = RB_TREE_INIT;
	size_t next = 0, nin = 0;

	(void)state;
	alloc_pool(BIG);
	use_model = false;
	rng = 4242;
	for (; next < BIG / 2; next++, nin++)
		do_insert(&t, &pool[next], next);
	for (unsigned op = 0; op < BIG; op++) {
		uint64_t r = next_rand();

		if (r % 3 == 0 && next < BIG) {
			do_insert(&t, &pool[next], next);
			next++;
			nin++;
		} else if (nin) {
			struct item *it = r % 3 == 1 ? ITEM(t.root) : &pool[(r >> 8) % next];

			if (it->in) {
				do_erase(&t, it);
				nin--;
			}
		}
		if ((op & 16383) == 0)
			check_tree(&t);
	}
	check_tree(&t);
}

/* Descending keys: every insert is a new smallest (the leftmost path). */
static void test_rbtree_descending_inserts_track_leftmost(void **state)
{
	enum { N = 20000 };
	struct rb_tree t = RB_TREE_INIT;

	(void)state;
	alloc_pool(N);
	for (size_t i = 0; i < N; i++) {
		do_insert(&t, &pool[i], N - i);
		assert_ptr_equal(rb_first(&t), &pool[i].node);
		if ((i & 1023) == 0)
			check_tree(&t);
	}
	check_tree(&t);
	for (size_t i = N; i-- > 0;) {
		do_erase(&t, &pool[i]);
		assert_ptr_equal(rb_first(&t), i ? &pool[i - 1].node : NULL);
	}
	check_tree(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rbtree_empty_tree_has_no_first),
		cmocka_unit_test_teardown(test_rbtree_random_ops_match_model, teardown),
		cmocka_unit_test_teardown(test_rbtree_random_ops_with_many_ties_match_model,
					  teardown),
		cmocka_unit_test_teardown(test_rbtree_small_trees_match_model, teardown),
		cmocka_unit_test_teardown(test_rbtree_equal_keys_are_fifo, teardown),
		cmocka_unit_test_teardown(test_rbtree_ascending_inserts_then_min_removals_are_bounded,
					  teardown),
		cmocka_unit_test_teardown(
			test_rbtree_root_and_random_removals_after_ascending_inserts_are_bounded,
			teardown),
		cmocka_unit_test_teardown(test_rbtree_descending_inserts_track_leftmost, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
