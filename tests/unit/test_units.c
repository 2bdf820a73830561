/*
 * test_units.c — the unit tree alone: lookups, subtrees, who sees what,
 * cycles, pooling, and a corrupt store that must not hang a request.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api.h"
#include "core/units.h"

/*
 *  1 Esimerkkikaupunki
 *  +- 2 Aikuissosiaalityö
 *  |  +- 3 Palvelupiste Keskusta
 *  |  +- 4 Palvelupiste Itä (pool)
 *  +- 5 Kuntouttava työtoiminta
 *     +- 6 Paja (pool)
 *        +- 7 Pajan ilta (pool)
 * 10 Naapurikunta
 *  +- 11 Sosiaalipäivystys
 */
static const struct units_node sample[] = {
	{ 7, 6, true }, { 1, 0, false }, { 2, 1, false }, { 3, 2, false },
	{ 4, 2, true }, { 5, 1, false }, { 6, 5, true }, { 10, 0, false },
	{ 11, 10, false },
};
#define NSAMPLE	(sizeof(sample) / sizeof(sample[0]))

static struct units_tree *
sample_tree(void)
{
	struct units_tree	*t = NULL;

	assert_int_equal(units_tree_new(sample, NSAMPLE, &t), 0);
	return t;
}

static void
test_lookup_and_order(void **state)
{
	struct units_tree	*t = sample_tree();
	size_t			 i;

	assert_int_equal(units_tree_count(t), NSAMPLE);
	for (i = 1; i < NSAMPLE; i++)
		assert_true(units_tree_at(t, i - 1)->un_id <
		    units_tree_at(t, i)->un_id);
	assert_null(units_tree_at(t, NSAMPLE));
	assert_int_equal(units_tree_find(t, 6)->un_parent, 5);
	assert_null(units_tree_find(t, 8));
	assert_null(units_tree_find(t, 0));
	assert_true(units_has_children(t, 2));
	assert_true(units_has_children(t, 10));
	assert_false(units_has_children(t, 3));
	assert_false(units_has_children(t, 99));
	assert_false(units_has_children(t, 0));
	units_tree_free(t);
	units_tree_free(NULL);
}

static void
test_bad_nodes(void **state)
{
	struct units_node	 dup[] = { { 1, 0, false }, { 1, 0, false } };
	struct units_node	 zero[] = { { 0, 0, false } };
	struct units_tree	*t = NULL;

	assert_int_equal(units_tree_new(dup, 2, &t), -EINVAL);
	assert_null(t);
	assert_int_equal(units_tree_new(zero, 1, &t), -EINVAL);
	assert_null(t);
	assert_int_equal(units_tree_new(NULL, 0, &t), 0);
	assert_int_equal(units_tree_count(t), 0);
	assert_null(units_tree_find(t, 1));
	assert_false(units_in_subtree(t, 1, 1));
	units_tree_free(t);
}

static void
test_subtree(void **state)
{
	struct units_tree	*t = sample_tree();

	assert_true(units_in_subtree(t, 1, 1));
	assert_true(units_in_subtree(t, 1, 3));
	assert_true(units_in_subtree(t, 1, 7));
	assert_true(units_in_subtree(t, 2, 4));
	assert_true(units_in_subtree(t, 5, 7));
	assert_false(units_in_subtree(t, 2, 5));
	/* A child is not above its parent. */
	assert_false(units_in_subtree(t, 3, 2));
	assert_false(units_in_subtree(t, 1, 11));
	assert_false(units_in_subtree(t, 10, 1));
	assert_false(units_in_subtree(t, 1, 99));	/* unknown unit */
	assert_false(units_in_subtree(t, 99, 1));	/* unknown root */
	units_tree_free(t);
}

static void
test_visible(void **state)
{
	struct units_tree	*t = sample_tree();
	struct principal	 who;

	memset(&who, 0, sizeof(who));
	who.pr_role = ROLE_ADMIN;
	assert_true(units_visible(t, &who, 11));
	assert_true(units_visible(t, &who, 7));
	assert_false(units_visible(t, &who, 99));	/* no such unit */

	who.pr_role = ROLE_MANAGER;
	assert_false(units_visible(t, &who, 1));	/* no subtrees */
	who.pr_units[0] = 2;
	who.pr_nunits = 1;
	assert_true(units_visible(t, &who, 2));
	assert_true(units_visible(t, &who, 3));
	assert_true(units_visible(t, &who, 4));
	assert_false(units_visible(t, &who, 1));	/* the parent */
	assert_false(units_visible(t, &who, 5));	/* a sibling */
	assert_false(units_visible(t, &who, 11));	/* another tree */
	who.pr_units[1] = 11;
	who.pr_nunits = 2;
	assert_true(units_visible(t, &who, 11));
	assert_false(units_visible(t, &who, 10));
	/* A subtree root that was deleted grants nothing. */
	who.pr_units[0] = 42;
	assert_false(units_visible(t, &who, 3));

	who.pr_role = ROLE_DEVICE;
	who.pr_units[0] = 1;
	assert_false(units_visible(t, &who, 3));
	who.pr_role = ROLE_NONE;
	assert_false(units_visible(t, &who, 3));
	units_tree_free(t);
}

static void
test_cycle(void **state)
{
	struct units_tree	*t = sample_tree();

	assert_true(units_would_cycle(t, 2, 2));	/* itself */
	assert_true(units_would_cycle(t, 2, 3));	/* its child */
	assert_true(units_would_cycle(t, 1, 7));	/* a grandchild */
	assert_false(units_would_cycle(t, 3, 5));	/* a cousin */
	assert_false(units_would_cycle(t, 7, 1));	/* an ancestor */
	assert_false(units_would_cycle(t, 1, 11));	/* another tree */
	assert_false(units_would_cycle(t, 2, 0));	/* becoming a root */
	units_tree_free(t);
}

static void
test_cell_unit(void **state)
{
	struct units_tree	*t = sample_tree();

	assert_int_equal(units_cell_unit(t, 3), 3);
	assert_int_equal(units_cell_unit(t, 4), 2);	/* pools into 2 */
	assert_int_equal(units_cell_unit(t, 6), 5);
	assert_int_equal(units_cell_unit(t, 7), 5);	/* a chain of pools */
	assert_int_equal(units_cell_unit(t, 1), 1);
	assert_int_equal(units_cell_unit(t, 99), 0);
	units_tree_free(t);
}

static void
test_corrupt_cycle_terminates(void **state)
{
	/* A store someone edited into a loop: answers must still come. */
	struct units_node	 loop[] = {
		{ 1, 3, true }, { 2, 1, true }, { 3, 2, true }, { 4, 0, false },
	};
	struct units_tree	*t = NULL;
	struct principal	 who;

	assert_int_equal(units_tree_new(loop, 4, &t), 0);
	assert_true(units_in_subtree(t, 1, 3));
	assert_false(units_in_subtree(t, 4, 3));
	assert_true(units_would_cycle(t, 1, 2));
	assert_int_not_equal(units_cell_unit(t, 1), 0);
	memset(&who, 0, sizeof(who));
	who.pr_role = ROLE_MANAGER;
	who.pr_units[0] = 4;
	who.pr_nunits = 1;
	assert_false(units_visible(t, &who, 2));
	units_tree_free(t);
}

/* A fixed-seed generator: the same trees on every run. */
static uint32_t
lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void
test_random_trees_against_brute_force(void **state)
{
	struct units_node	 nodes[64];
	struct units_tree	*t;
	uint32_t		 seed = 20261123, parent[65];
	size_t			 n, i, round;
	uint32_t		 u, r, a;
	bool			 above;

	for (round = 0; round < 200; round++) {
		n = 1 + lcg(&seed) % 64;
		for (i = 0; i < n; i++) {
			/* Parents come before children: a forest. */
			nodes[i].un_id = (uint32_t)i + 1;
			nodes[i].un_parent = i == 0 || lcg(&seed) % 5 == 0 ?
			    0 : 1 + lcg(&seed) % (uint32_t)i;
			nodes[i].un_pool = lcg(&seed) % 3 == 0;
			parent[i + 1] = nodes[i].un_parent;
		}
		assert_int_equal(units_tree_new(nodes, n, &t), 0);
		for (u = 1; u <= n; u++) {
			for (r = 1; r <= n; r++) {
				above = false;
				for (a = u; a != 0; a = parent[a])
					if (a == r)
						above = true;
				assert_int_equal(units_in_subtree(t, r, u),
				    above);
				assert_int_equal(units_would_cycle(t, r, u),
				    above);
			}
			/* The cell unit is u or an ancestor and not pooled,
			 * unless it is a root. */
			a = units_cell_unit(t, u);
			assert_true(units_in_subtree(t, a, u));
			assert_true(!units_tree_find(t, a)->un_pool ||
			    parent[a] == 0);
		}
		units_tree_free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_and_order),
		cmocka_unit_test(test_bad_nodes),
		cmocka_unit_test(test_subtree),
		cmocka_unit_test(test_visible),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_cell_unit),
		cmocka_unit_test(test_corrupt_cycle_terminates),
		cmocka_unit_test(test_random_trees_against_brute_force),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
