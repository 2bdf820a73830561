/*
 * test_suppress.c — the small-group rule. Hand-built cases for the rule,
 * pooling, the groupings and the hints; then the property: over random
 * unit trees and cell grids and random allowed queries, no linear
 * combination of released numbers is non-zero only on cells of 1..k-1
 * responses (exact Gaussian elimination modulo a large prime). Fixed seeds:
 * the same worlds on every run.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/util.h"
#include "core/suppress.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define D(y, m, d)	util_days_from_civil((y), (m), (d))
#define ROOT		SUPPRESS_ROOT

/* ---------------------------------------------------------------- helpers */

/* A grid over months of 2024 (or from `first`), folded from raw counts. */
struct fixture {
	struct suppress_unit	units[16];
	struct suppress_tree	tree;
	uint32_t		raw[16 * 24];
	uint32_t		cells[16 * 24];
	struct suppress_grid	grid;
};

static void
fixture_init(struct fixture *f, size_t nunits, enum period_kind kind,
    int64_t first, size_t nbuckets, uint32_t k)
{
	memset(f, 0, sizeof(*f));
	assert_true(nunits <= NELEM(f->units) && nbuckets <= 24);
	f->tree.tr_units = f->units;
	f->tree.tr_count = nunits;
	f->grid.gr_tree = &f->tree;
	f->grid.gr_kind = kind;
	f->grid.gr_first = first;
	f->grid.gr_nbuckets = nbuckets;
	f->grid.gr_counts = f->cells;
	f->grid.gr_k = k;
}

static void
fixture_unit(struct fixture *f, size_t u, size_t parent, bool pool)
{
	f->units[u].su_parent = parent;
	f->units[u].su_pool = pool;
}

static void
fixture_fold(struct fixture *f)
{
	assert_int_equal(suppress_tree_check(&f->tree), 0);
	assert_int_equal(suppress_fold(&f->tree, f->raw, f->grid.gr_nbuckets,
	    f->cells), 0);
	assert_int_equal(suppress_grid_check(&f->grid), 0);
}

static void
set_raw(struct fixture *f, size_t u, size_t col, uint32_t n)
{
	f->raw[u * f->grid.gr_nbuckets + col] = n;
}

static struct suppress_group *
plan_ok(const struct fixture *f, size_t unit, int64_t from, int64_t to,
    enum suppress_by by, enum period_kind period, size_t want_count)
{
	struct suppress_query	 q = { unit, from, to, by, period };
	struct suppress_group	*g = NULL;
	size_t			 count = 0;

	assert_int_equal(suppress_plan(&f->grid, &q, &g, &count), 0);
	assert_int_equal(count, want_count);
	return g;
}

static int
plan_rc(const struct fixture *f, size_t unit, int64_t from, int64_t to,
    enum suppress_by by, enum period_kind period)
{
	struct suppress_query	 q = { unit, from, to, by, period };
	struct suppress_group	*g = (struct suppress_group *)0x1;
	size_t			 count = 7;
	int			 rc;

	rc = suppress_plan(&f->grid, &q, &g, &count);
	if (rc != 0) {
		/* outputs untouched on failure */
		assert_ptr_equal(g, (struct suppress_group *)0x1);
		assert_int_equal(count, 7);
	} else {
		suppress_groups_free(g);
	}
	return rc;
}

/* ---------------------------------------------------------------- rule */

static void
test_cells_ok(void **state)
{
	static const uint32_t	fine[] = { 0, 5, 7, 0, 1000 };
	static const uint32_t	four[] = { 5, 4 };
	static const uint32_t	one[] = { 1 };
	static const uint32_t	two[] = { 2 };
	static const uint32_t	three[] = { 3 };

	(void)state;
	assert_true(suppress_cells_ok(NULL, 0, 5));
	assert_true(suppress_cells_ok(fine, NELEM(fine), 5));
	assert_false(suppress_cells_ok(four, NELEM(four), 5));	/* k - 1 */
	assert_true(suppress_cells_ok(four, 1, 5));		/* k */
	assert_false(suppress_cells_ok(one, 1, 5));
	/* k is never below 3, whatever the caller says */
	assert_false(suppress_cells_ok(two, 1, 0));
	assert_false(suppress_cells_ok(two, 1, 2));
	assert_true(suppress_cells_ok(three, 1, 1));
}

static void
test_tree(void **state)
{
	/* 0 root; 1 pooled into 0; 2 pooled into 1; 3 under 2, not pooled */
	struct suppress_unit	u[] = {
		{ ROOT, false }, { 0, true }, { 1, true }, { 2, false },
		{ ROOT, false },
	};
	struct suppress_tree	t = { u, NELEM(u) };

	(void)state;
	assert_int_equal(suppress_tree_check(&t), 0);
	assert_int_equal(suppress_owner(&t, 0), 0);
	assert_int_equal(suppress_owner(&t, 1), 0);
	assert_int_equal(suppress_owner(&t, 2), 0);	/* chained */
	assert_int_equal(suppress_owner(&t, 3), 3);
	assert_int_equal(suppress_owner(&t, 4), 4);
	assert_true(suppress_in_subtree(&t, 3, 0));
	assert_true(suppress_in_subtree(&t, 3, 2));
	assert_true(suppress_in_subtree(&t, 3, 3));
	assert_false(suppress_in_subtree(&t, 1, 3));
	assert_false(suppress_in_subtree(&t, 3, 4));

	u[4].su_pool = true;		/* a pooled top-level unit */
	assert_int_equal(suppress_tree_check(&t), -EINVAL);
	u[4].su_pool = false;
	u[0].su_parent = 3;		/* 0 -> 3 -> 2 -> 1 -> 0 */
	assert_int_equal(suppress_tree_check(&t), -EINVAL);
	u[0].su_parent = 0;		/* its own parent */
	assert_int_equal(suppress_tree_check(&t), -EINVAL);
	u[0].su_parent = 5;		/* no such unit */
	assert_int_equal(suppress_tree_check(&t), -EINVAL);
	u[0].su_parent = ROOT;
	assert_int_equal(suppress_tree_check(&t), 0);
	assert_int_equal(suppress_tree_check(NULL), -EINVAL);
}

static void
test_fold(void **state)
{
	struct fixture	f;

	(void)state;
	fixture_init(&f, 4, PERIOD_MONTH, D(2024, 1, 1), 2, 5);
	fixture_unit(&f, 0, ROOT, false);
	fixture_unit(&f, 1, 0, true);
	fixture_unit(&f, 2, 1, true);
	fixture_unit(&f, 3, 2, false);
	set_raw(&f, 0, 0, 1);
	set_raw(&f, 1, 0, 2);
	set_raw(&f, 2, 0, 3);
	set_raw(&f, 3, 0, 4);
	set_raw(&f, 2, 1, 9);
	fixture_fold(&f);
	assert_int_equal(f.cells[0 * 2 + 0], 6);	/* 1 + 2 + 3 */
	assert_int_equal(f.cells[0 * 2 + 1], 9);
	assert_int_equal(f.cells[1 * 2 + 0], 0);
	assert_int_equal(f.cells[2 * 2 + 1], 0);
	assert_int_equal(f.cells[3 * 2 + 0], 4);

	set_raw(&f, 1, 1, UINT32_MAX);
	assert_int_equal(suppress_fold(&f.tree, f.raw, 2, f.cells),
	    -EOVERFLOW);

	/* a grid with counts in a pooled row is refused */
	set_raw(&f, 1, 1, 0);
	fixture_fold(&f);
	f.cells[1 * 2 + 0] = 1;
	assert_int_equal(suppress_grid_check(&f.grid), -EINVAL);
	f.cells[1 * 2 + 0] = 0;
	f.grid.gr_first = D(2024, 1, 2);	/* not a bucket */
	assert_int_equal(suppress_grid_check(&f.grid), -EINVAL);
}

/* k - 1 suppressed, k released, 0 released; a group with one small cell. */
static void
test_plan_rule(void **state)
{
	struct fixture		 f;
	struct suppress_group	*g;

	(void)state;
	fixture_init(&f, 1, PERIOD_MONTH, D(2024, 1, 1), 3, 5);
	fixture_unit(&f, 0, ROOT, false);
	set_raw(&f, 0, 0, 4);
	set_raw(&f, 0, 1, 5);
	set_raw(&f, 0, 2, 0);
	fixture_fold(&f);

	g = plan_ok(&f, 0, D(2024, 1, 1), D(2024, 3, 31), SUPPRESS_BY_PERIOD,
	    PERIOD_MONTH, 3);
	assert_int_equal(g[0].grp_verdict, SUPPRESS_MIN_GROUP);
	assert_int_equal(g[0].grp_n, 0);	/* no n when held back */
	assert_int_equal(g[0].grp_from, D(2024, 1, 1));
	assert_int_equal(g[0].grp_to, D(2024, 1, 31));
	assert_int_equal(g[1].grp_verdict, SUPPRESS_RELEASE);
	assert_int_equal(g[1].grp_n, 5);
	assert_int_equal(g[2].grp_verdict, SUPPRESS_RELEASE);
	assert_int_equal(g[2].grp_n, 0);
	suppress_groups_free(g);

	/* 9 responses in all, but one cell of 4: the whole range is held */
	g = plan_ok(&f, 0, D(2024, 1, 1), D(2024, 3, 31), SUPPRESS_BY_NONE,
	    PERIOD_MONTH, 1);
	assert_int_equal(g[0].grp_verdict, SUPPRESS_MIN_GROUP);
	suppress_groups_free(g);
	g = plan_ok(&f, 0, D(2024, 2, 1), D(2024, 3, 31), SUPPRESS_BY_NONE,
	    PERIOD_MONTH, 1);
	assert_int_equal(g[0].grp_verdict, SUPPRESS_RELEASE);
	assert_int_equal(g[0].grp_n, 5);
	suppress_groups_free(g);
}

/* A pooled unit's responses count in its parent's cell, nowhere else. */
static void
test_plan_pooled(void **state)
{
	struct fixture		 f;
	struct suppress_group	*g;

	(void)state;
	fixture_init(&f, 2, PERIOD_MONTH, D(2024, 1, 1), 1, 5);
	fixture_unit(&f, 0, ROOT, false);
	fixture_unit(&f, 1, 0, true);
	set_raw(&f, 0, 0, 3);
	set_raw(&f, 1, 0, 2);
	fixture_fold(&f);

	g = plan_ok(&f, 0, D(2024, 1, 1), D(2024, 1, 31), SUPPRESS_BY_NONE,
	    PERIOD_MONTH, 1);
	assert_int_equal(g[0].grp_verdict, SUPPRESS_RELEASE);
	assert_int_equal(g[0].grp_n, 5);
	suppress_groups_free(g);

	g = plan_ok(&f, 1, D(2024, 1, 1), D(2024, 1, 31), SUPPRESS_BY_NONE,
	    PERIOD_MONTH, 1);
	assert_int_equal(g[0].grp_verdict, SUPPRESS_POOLED);
	assert_int_equal(g[0].grp_n, 0);
	suppress_groups_free(g);

	/* by=unit: the pooled child is no group; the parent's own cell is */
	g = plan_ok(&f, 0, D(2024, 1, 1), D(2024, 1, 31), SUPPRESS_BY_UNIT,
	    PERIOD_MONTH, 1);
	assert_int_equal(g[0].grp_unit, 0);
	assert_int_equal(g[0].grp_scope, SUPPRESS_OWN);
	assert_int_equal(g[0].grp_verdict, SUPPRESS_RELEASE);
	assert_int_equal(g[0].grp_n, 5);
	suppress_groups_free(g);
}

struct collect {
	size_t		c_owner[64];
	size_t		c_col[64];
	size_t		c_count;
};

static int
collect_cell(void *ctx, size_t owner, size_t column, uint32_t n)
{
	struct collect	*c = ctx;

	(void)n;
	assert_true(c->c_count < NELEM(c->c_owner));
	c->c_owner[c->c_count] = owner;
	c->c_col[c->c_count++] = column;
	return 0;
}

static int
stop_cell(void *ctx, size_t owner, size_t column, uint32_t n)
{
	(void)ctx;
	(void)owner;
	(void)column;
	(void)n;
	return -EIO;
}

/*
 *        0
 *      / | \
 *     1  2p  5
 *     |  |
 *    4p  3        (p = pooled)
 */
static void
test_plan_by_unit(void **state)
{
	struct fixture		 f;
	struct suppress_group	*g;
	struct collect		 c;
	size_t			 u;

	(void)state;
	fixture_init(&f, 6, PERIOD_MONTH, D(2024, 1, 1), 2, 3);
	fixture_unit(&f, 0, ROOT, false);
	fixture_unit(&f, 1, 0, false);
	fixture_unit(&f, 2, 0, true);
	fixture_unit(&f, 3, 2, false);
	fixture_unit(&f, 4, 1, true);
	fixture_unit(&f, 5, 0, false);
	for (u = 0; u < 6; u++)
		set_raw(&f, u, 0, 3 + (uint32_t)u);
	fixture_fold(&f);

	/* own cell of 0 (with 2), then 1 (with 4), then 3 (through 2), 5 */
	g = plan_ok(&f, 0, D(2024, 1, 1), D(2024, 2, 29), SUPPRESS_BY_UNIT,
	    PERIOD_MONTH, 4);
	assert_true(g[0].grp_unit == 0 && g[0].grp_scope == SUPPRESS_OWN);
	assert_int_equal(g[0].grp_n, 3 + 5);
	assert_true(g[1].grp_unit == 1 && g[1].grp_scope == SUPPRESS_SUBTREE);
	assert_int_equal(g[1].grp_n, 4 + 7);
	assert_true(g[2].grp_unit == 3 && g[2].grp_scope == SUPPRESS_SUBTREE);
	assert_int_equal(g[2].grp_n, 6);
	assert_true(g[3].grp_unit == 5 && g[3].grp_scope == SUPPRESS_SUBTREE);
	assert_int_equal(g[3].grp_n, 8);

	memset(&c, 0, sizeof(c));
	assert_int_equal(suppress_group_cells(&f.grid, &g[1], collect_cell,
	    &c), 0);
	assert_int_equal(c.c_count, 2);		/* owner 1, both months */
	assert_true(c.c_owner[0] == 1 && c.c_col[0] == 0);
	assert_true(c.c_owner[1] == 1 && c.c_col[1] == 1);
	assert_int_equal(suppress_group_cells(&f.grid, &g[1], stop_cell,
	    NULL), -EIO);
	suppress_groups_free(g);

	/* the whole tree: owners 0, 1, 3, 5 */
	g = plan_ok(&f, 0, D(2024, 1, 1), D(2024, 1, 31), SUPPRESS_BY_NONE,
	    PERIOD_MONTH, 1);
	assert_int_equal(g[0].grp_n, 3 + 4 + 5 + 6 + 7 + 8);
	memset(&c, 0, sizeof(c));
	assert_int_equal(suppress_group_cells(&f.grid, &g[0], collect_cell,
	    &c), 0);
	assert_int_equal(c.c_count, 4);
	assert_true(c.c_owner[0] == 0 && c.c_owner[1] == 1 &&
	    c.c_owner[2] == 3 && c.c_owner[3] == 5);
	suppress_groups_free(g);

	/* a pooled unit by unit: its own part is pooled, 3 stands alone */
	g = plan_ok(&f, 2, D(2024, 1, 1), D(2024, 1, 31), SUPPRESS_BY_UNIT,
	    PERIOD_MONTH, 2);
	assert_int_equal(g[0].grp_verdict, SUPPRESS_POOLED);
	assert_int_equal(suppress_group_cells(&f.grid, &g[0], collect_cell,
	    &c), -EINVAL);
	assert_true(g[1].grp_unit == 3 && g[1].grp_verdict ==
	    SUPPRESS_RELEASE);
	suppress_groups_free(g);
}

static void
test_plan_errors(void **state)
{
	struct fixture		 f;
	struct suppress_group	*g;

	(void)state;
	fixture_init(&f, 1, PERIOD_MONTH, D(2024, 1, 1), 12, 5);
	fixture_unit(&f, 0, ROOT, false);
	set_raw(&f, 0, 4, 6);
	fixture_fold(&f);

	/* quarters and the year are sums of whole months */
	g = plan_ok(&f, 0, D(2024, 1, 1), D(2024, 12, 31), SUPPRESS_BY_PERIOD,
	    PERIOD_QUARTER, 4);
	assert_int_equal(g[1].grp_from, D(2024, 4, 1));
	assert_int_equal(g[1].grp_to, D(2024, 6, 30));
	assert_int_equal(g[1].grp_n, 6);
	suppress_groups_free(g);
	assert_int_equal(plan_rc(&f, 0, D(2024, 1, 1), D(2024, 12, 31),
	    SUPPRESS_BY_PERIOD, PERIOD_YEAR), 0);

	/* misaligned to the grid, to the grouping, outside the grid */
	assert_int_equal(plan_rc(&f, 0, D(2024, 1, 2), D(2024, 1, 31),
	    SUPPRESS_BY_NONE, PERIOD_MONTH), -EINVAL);
	assert_int_equal(plan_rc(&f, 0, D(2024, 1, 1), D(2024, 2, 29),
	    SUPPRESS_BY_PERIOD, PERIOD_QUARTER), -EINVAL);
	assert_int_equal(plan_rc(&f, 0, D(2023, 12, 1), D(2024, 1, 31),
	    SUPPRESS_BY_NONE, PERIOD_MONTH), -EINVAL);
	assert_int_equal(plan_rc(&f, 0, D(2024, 1, 1), D(2025, 1, 31),
	    SUPPRESS_BY_NONE, PERIOD_MONTH), -EINVAL);
	/* weeks do not tile months */
	assert_int_equal(plan_rc(&f, 0, D(2024, 1, 1), D(2024, 1, 31),
	    SUPPRESS_BY_PERIOD, PERIOD_WEEK), -EINVAL);
	assert_int_equal(plan_rc(&f, 1, D(2024, 1, 1), D(2024, 1, 31),
	    SUPPRESS_BY_NONE, PERIOD_MONTH), -EINVAL);
	assert_int_equal(plan_rc(&f, 0, D(2024, 1, 1), D(2024, 1, 31),
	    (enum suppress_by)7, PERIOD_MONTH), -EINVAL);

	/* a week grid cannot be grouped by month */
	fixture_init(&f, 1, PERIOD_WEEK, D(2024, 1, 1), 10, 5);
	fixture_unit(&f, 0, ROOT, false);
	fixture_fold(&f);
	assert_int_equal(plan_rc(&f, 0, D(2024, 1, 1), D(2024, 1, 28),
	    SUPPRESS_BY_PERIOD, PERIOD_MONTH), -EINVAL);
	assert_int_equal(plan_rc(&f, 0, D(2024, 1, 1), D(2024, 1, 28),
	    SUPPRESS_BY_PERIOD, PERIOD_WEEK), 0);
}

/* ---------------------------------------------------------------- hints */

static struct suppress_group
group_of(size_t unit, int64_t from, int64_t to)
{
	struct suppress_group	g;

	memset(&g, 0, sizeof(g));
	g.grp_unit = unit;
	g.grp_scope = SUPPRESS_SUBTREE;
	g.grp_from = from;
	g.grp_to = to;
	g.grp_verdict = SUPPRESS_MIN_GROUP;
	return g;
}

/* R(0) with leaves L(1) and S(2); months of 2024, k = 5. */
static void
test_hint_quarter_and_parent(void **state)
{
	struct fixture		 f;
	struct suppress_group	 grp, *g;
	struct suppress_hint	 h;

	(void)state;
	fixture_init(&f, 3, PERIOD_MONTH, D(2024, 1, 1), 12, 5);
	fixture_unit(&f, 0, ROOT, false);
	fixture_unit(&f, 1, 0, false);
	fixture_unit(&f, 2, 0, false);
	set_raw(&f, 1, 0, 2);
	set_raw(&f, 1, 1, 2);
	set_raw(&f, 1, 2, 2);
	set_raw(&f, 2, 0, 4);
	fixture_fold(&f);

	g = plan_ok(&f, 1, D(2024, 1, 1), D(2024, 1, 31), SUPPRESS_BY_NONE,
	    PERIOD_MONTH, 1);
	assert_int_equal(g[0].grp_verdict, SUPPRESS_MIN_GROUP);
	/* L: quarter 1 holds 6; the subtree of R holds 2 + 4 in January */
	assert_int_equal(suppress_hint(&f.tree, PERIOD_MONTH, &g[0],
	    suppress_grid_eval, &f.grid, &h), 0);
	assert_true(h.hn_has_period);
	assert_int_equal(h.hn_period, PERIOD_QUARTER);
	assert_int_equal(h.hn_from, D(2024, 1, 1));
	assert_int_equal(h.hn_to, D(2024, 3, 31));
	assert_true(h.hn_has_unit);
	assert_int_equal(h.hn_unit, 0);
	suppress_groups_free(g);

	/*
	 * R in January: S holds 4 in Q1 and in the year, so no period
	 * releases R's owners cell by cell; pooling L and S into R does.
	 */
	grp = group_of(0, D(2024, 1, 1), D(2024, 1, 31));
	assert_int_equal(suppress_hint(&f.tree, PERIOD_MONTH, &grp,
	    suppress_grid_eval, &f.grid, &h), 0);
	assert_false(h.hn_has_period);
	assert_true(h.hn_has_unit);
	assert_int_equal(h.hn_unit, 0);
}

static void
test_hint_year_no_unit(void **state)
{
	struct fixture		 f;
	struct suppress_group	 grp;
	struct suppress_hint	 h;

	(void)state;
	fixture_init(&f, 2, PERIOD_MONTH, D(2024, 1, 1), 12, 5);
	fixture_unit(&f, 0, ROOT, false);
	fixture_unit(&f, 1, 0, false);
	set_raw(&f, 1, 0, 1);
	set_raw(&f, 1, 5, 2);
	set_raw(&f, 1, 11, 2);
	fixture_fold(&f);

	/* Q1 holds 1, the year 5; nobody else answered in January */
	grp = group_of(1, D(2024, 1, 1), D(2024, 1, 31));
	assert_int_equal(suppress_hint(&f.tree, PERIOD_MONTH, &grp,
	    suppress_grid_eval, &f.grid, &h), 0);
	assert_true(h.hn_has_period);
	assert_int_equal(h.hn_period, PERIOD_YEAR);
	assert_int_equal(h.hn_from, D(2024, 1, 1));
	assert_int_equal(h.hn_to, D(2024, 12, 31));
	assert_false(h.hn_has_unit);

	/* a grid of half a year cannot judge the year: no hint, no error */
	fixture_init(&f, 2, PERIOD_MONTH, D(2024, 1, 1), 6, 5);
	fixture_unit(&f, 0, ROOT, false);
	fixture_unit(&f, 1, 0, false);
	set_raw(&f, 1, 0, 1);
	set_raw(&f, 1, 5, 4);
	fixture_fold(&f);
	assert_int_equal(suppress_hint(&f.tree, PERIOD_MONTH, &grp,
	    suppress_grid_eval, &f.grid, &h), 0);
	assert_false(h.hn_has_period);
	assert_false(h.hn_has_unit);
}

static void
test_hint_pooled(void **state)
{
	struct fixture		 f;
	struct suppress_group	 grp;
	struct suppress_hint	 h;

	(void)state;
	fixture_init(&f, 2, PERIOD_MONTH, D(2024, 1, 1), 12, 5);
	fixture_unit(&f, 0, ROOT, false);
	fixture_unit(&f, 1, 0, true);
	set_raw(&f, 1, 0, 2);
	set_raw(&f, 1, 1, 9);
	fixture_fold(&f);

	/* no period gives a pooled unit a cell; R in January holds only 2 */
	grp = group_of(1, D(2024, 1, 1), D(2024, 1, 31));
	grp.grp_verdict = SUPPRESS_POOLED;
	assert_int_equal(suppress_hint(&f.tree, PERIOD_MONTH, &grp,
	    suppress_grid_eval, &f.grid, &h), 0);
	assert_false(h.hn_has_period);
	assert_false(h.hn_has_unit);

	set_raw(&f, 0, 0, 3);
	fixture_fold(&f);
	assert_int_equal(suppress_hint(&f.tree, PERIOD_MONTH, &grp,
	    suppress_grid_eval, &f.grid, &h), 0);
	assert_false(h.hn_has_period);
	assert_true(h.hn_has_unit);
	assert_int_equal(h.hn_unit, 0);
}

/* A week grid: months are no unions of weeks, the grid evaluator says so. */
static void
test_hint_week_grid(void **state)
{
	struct fixture		 f;
	struct suppress_group	 grp;
	struct suppress_hint	 h;

	(void)state;
	fixture_init(&f, 2, PERIOD_WEEK, D(2024, 1, 1), 10, 5);
	fixture_unit(&f, 0, ROOT, false);
	fixture_unit(&f, 1, 0, false);
	set_raw(&f, 1, 0, 2);
	set_raw(&f, 1, 1, 3);
	set_raw(&f, 0, 0, 3);
	fixture_fold(&f);

	grp = group_of(1, D(2024, 1, 1), D(2024, 1, 7));
	assert_int_equal(suppress_hint(&f.tree, PERIOD_WEEK, &grp,
	    suppress_grid_eval, &f.grid, &h), 0);
	assert_false(h.hn_has_period);
	assert_true(h.hn_has_unit);
	assert_int_equal(h.hn_unit, 0);
}

#define RECORD_MAX	8

struct recorder {
	struct suppress_candidate	r_seen[RECORD_MAX];
	/* 1 yes, 0 no, < 0 returned as is */
	int				r_answer[RECORD_MAX];
	size_t				r_count;
};

static int
record_eval(void *ctx, const struct suppress_candidate *c, bool *releasable)
{
	struct recorder	*r = ctx;
	int		 a;

	assert_true(r->r_count < RECORD_MAX);
	a = r->r_answer[r->r_count];
	r->r_seen[r->r_count++] = *c;
	if (a < 0)
		return a;
	*releasable = a == 1;
	return 0;
}

/* The order and shape of candidates, and how eval's errors travel. */
static void
test_hint_candidates(void **state)
{
	/* 0 root; 1 pooled into 0; 2 under 1 */
	struct suppress_unit	u[] = {
		{ ROOT, false }, { 0, true }, { 1, false },
	};
	struct suppress_tree	t = { u, NELEM(u) };
	struct suppress_group	grp;
	struct suppress_hint	h, before;
	struct recorder		r;

	(void)state;
	/* the ISO week from Monday 2024-09-30 to Sunday 2024-10-06 */
	grp = group_of(2, D(2024, 9, 30), D(2024, 10, 6));
	memset(&r, 0, sizeof(r));
	assert_int_equal(suppress_hint(&t, PERIOD_WEEK, &grp, record_eval,
	    &r, &h), 0);
	assert_int_equal(r.r_count, 5);
	assert_int_equal(r.r_seen[0].cd_change, SUPPRESS_CHANGE_PERIOD);
	assert_int_equal(r.r_seen[0].cd_period, PERIOD_MONTH);
	assert_int_equal(r.r_seen[0].cd_unit, 2);
	assert_int_equal(r.r_seen[0].cd_from, D(2024, 9, 1));
	assert_int_equal(r.r_seen[0].cd_to, D(2024, 10, 31));
	assert_int_equal(r.r_seen[1].cd_period, PERIOD_QUARTER);
	assert_int_equal(r.r_seen[1].cd_from, D(2024, 7, 1));
	assert_int_equal(r.r_seen[1].cd_to, D(2024, 12, 31));
	assert_int_equal(r.r_seen[2].cd_period, PERIOD_YEAR);
	assert_int_equal(r.r_seen[2].cd_from, D(2024, 1, 1));
	assert_int_equal(r.r_seen[2].cd_to, D(2024, 12, 31));
	/* then itself and its ancestors, skipping the pooled 1 */
	assert_int_equal(r.r_seen[3].cd_change, SUPPRESS_CHANGE_POOL);
	assert_int_equal(r.r_seen[3].cd_unit, 2);
	assert_int_equal(r.r_seen[3].cd_period, PERIOD_WEEK);
	assert_int_equal(r.r_seen[3].cd_from, D(2024, 9, 30));
	assert_int_equal(r.r_seen[3].cd_to, D(2024, 10, 6));
	assert_int_equal(r.r_seen[4].cd_unit, 0);
	assert_false(h.hn_has_period || h.hn_has_unit);

	/* the first yes ends each search; "can't tell" moves on */
	memset(&r, 0, sizeof(r));
	r.r_answer[0] = -ENOTSUP;
	r.r_answer[1] = 1;
	r.r_answer[2] = -ERANGE;
	r.r_answer[3] = 1;
	assert_int_equal(suppress_hint(&t, PERIOD_WEEK, &grp, record_eval,
	    &r, &h), 0);
	assert_int_equal(r.r_count, 4);
	assert_true(h.hn_has_period && h.hn_period == PERIOD_QUARTER);
	assert_int_equal(h.hn_from, D(2024, 7, 1));
	assert_true(h.hn_has_unit && h.hn_unit == 0);

	/* a storage error is the caller's; *out stays as it was */
	memset(&r, 0, sizeof(r));
	r.r_answer[1] = -EIO;
	memset(&h, 0x5a, sizeof(h));
	before = h;
	assert_int_equal(suppress_hint(&t, PERIOD_WEEK, &grp, record_eval,
	    &r, &h), -EIO);
	assert_memory_equal(&h, &before, sizeof(h));

	/* a year grid has no coarser period to offer */
	grp = group_of(2, D(2024, 1, 1), D(2024, 12, 31));
	memset(&r, 0, sizeof(r));
	assert_int_equal(suppress_hint(&t, PERIOD_YEAR, &grp, record_eval,
	    &r, &h), 0);
	assert_int_equal(r.r_count, 2);
	assert_int_equal(r.r_seen[0].cd_change, SUPPRESS_CHANGE_POOL);

	grp.grp_unit = 3;
	assert_int_equal(suppress_hint(&t, PERIOD_YEAR, &grp, record_eval,
	    &r, &h), -EINVAL);
}

/* ------------------------------------------------------- property test */

#define W_MAXU		12
#define W_NB		24	/* months of 2023 and 2024 */
#define W_COLS		(W_MAXU * W_NB)
#define W_QUERIES	150
#define W_SEEDS		100
#define W_PRIME		2147483647u	/* 2^31 - 1 */

static uint64_t
rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t
rng_below(uint64_t *s, size_t n)
{
	return (size_t)(rng(s) % n);
}

struct world {
	struct fixture	w_f;
	size_t		w_n;
	uint32_t	w_k;
};

/* The test's own ancestry walk, not the module's. */
static bool
ref_below(const struct world *w, size_t u, size_t top)
{
	while (u != top && u != ROOT)
		u = w->w_f.units[u].su_parent;
	return u == top;
}

static size_t
ref_owner(const struct world *w, size_t u)
{
	return w->w_f.units[u].su_pool ?
	    ref_owner(w, w->w_f.units[u].su_parent) : u;
}

static bool
is_small(uint32_t n, uint32_t k)
{
	return n >= 1 && n < k;
}

static void
world_make(struct world *w, uint64_t *s)
{
	size_t		u, col;
	uint32_t	k, r;

	w->w_n = 3 + rng_below(s, W_MAXU - 2);
	w->w_k = k = 3 + (uint32_t)rng_below(s, 5);
	fixture_init(&w->w_f, w->w_n, PERIOD_MONTH, D(2023, 1, 1), W_NB, k);
	fixture_unit(&w->w_f, 0, ROOT, false);
	for (u = 1; u < w->w_n; u++) {
		if (rng_below(s, 10) == 0)
			fixture_unit(&w->w_f, u, ROOT, false);
		else
			fixture_unit(&w->w_f, u, rng_below(s, u),
			    rng_below(s, 3) == 0);
	}
	/* ~40 % empty, ~35 % of 1..k-1, ~25 % of k..3k before pooling */
	for (u = 0; u < w->w_n; u++) {
		for (col = 0; col < W_NB; col++) {
			r = (uint32_t)rng_below(s, 20);
			if (r < 8)
				set_raw(&w->w_f, u, col, 0);
			else if (r < 15)
				set_raw(&w->w_f, u, col,
				    1 + (uint32_t)rng_below(s, k - 1));
			else
				set_raw(&w->w_f, u, col,
				    k + (uint32_t)rng_below(s, 2 * k + 1));
		}
	}
	fixture_fold(&w->w_f);
}

/* Exact rank over GF(p): rows kept in echelon form, pivot column each. */
struct basis {
	size_t		 b_rank;
	size_t		 b_pivot[W_COLS];
	uint32_t	*b_rows;	/* [W_COLS][W_COLS] */
};

static uint32_t
mulmod(uint32_t a, uint32_t b)
{
	return (uint32_t)((uint64_t)a * b % W_PRIME);
}

static uint32_t
invmod(uint32_t a)
{
	uint32_t	r = 1, e = W_PRIME - 2;

	for (; e > 0; e >>= 1, a = mulmod(a, a))
		if (e & 1)
			r = mulmod(r, a);
	return r;
}

/* v -= combination of basis rows; zero iff v was in their span. */
static void
basis_reduce(const struct basis *b, uint32_t *v)
{
	const uint32_t	*row;
	uint32_t	 f;
	size_t		 i, c;

	/* Row i is zero at the pivots of rows before it: one pass suffices. */
	for (i = 0; i < b->b_rank; i++) {
		if ((f = v[b->b_pivot[i]]) == 0)
			continue;
		row = b->b_rows + i * W_COLS;
		for (c = 0; c < W_COLS; c++)
			if (row[c] != 0)
				v[c] = (uint32_t)((v[c] + (uint64_t)(W_PRIME -
				    f) * row[c]) % W_PRIME);
	}
}

static bool
basis_insert(struct basis *b, const uint32_t *in)
{
	uint32_t	v[W_COLS], inv;
	size_t		c, p;

	memcpy(v, in, sizeof(v));
	basis_reduce(b, v);
	for (p = 0; p < W_COLS && v[p] == 0; p++)
		;
	if (p == W_COLS)
		return false;
	inv = invmod(v[p]);
	for (c = 0; c < W_COLS; c++)
		v[c] = mulmod(v[c], inv);
	memcpy(b->b_rows + b->b_rank * W_COLS, v, sizeof(v));
	b->b_pivot[b->b_rank++] = p;
	return true;
}

/* Released numbers as 0/1 indicator rows over cells (owner, column). */
struct released {
	uint8_t		(*r_rows)[W_COLS];
	size_t		  r_count;
	size_t		  r_cap;
};

static void
released_add(struct released *r, const uint8_t *row)
{
	size_t	i;

	for (i = 0; i < r->r_count; i++)
		if (memcmp(r->r_rows[i], row, W_COLS) == 0)
			return;
	assert_true(r->r_count < r->r_cap);
	memcpy(r->r_rows[r->r_count++], row, W_COLS);
}

/*
 * True if some non-zero vector in the span of the rows is zero on every
 * cell of 0 or >= k responses — a combination of released numbers that
 * speaks only of small cells. Checked two ways: no single small cell's
 * indicator is in the span, and projecting the rows onto the other cells
 * loses no rank (so no combination vanishes there without vanishing).
 */
static bool
leaks(const struct world *w, const struct released *r)
{
	struct basis	 full, large;
	uint32_t	 v[W_COLS];
	bool		 small[W_COLS], leak = false;
	size_t		 i, c;

	full.b_rank = large.b_rank = 0;
	full.b_rows = calloc((size_t)W_COLS * W_COLS, sizeof(uint32_t));
	large.b_rows = calloc((size_t)W_COLS * W_COLS, sizeof(uint32_t));
	assert_true(full.b_rows != NULL && large.b_rows != NULL);
	for (c = 0; c < W_COLS; c++)
		small[c] = c < w->w_n * W_NB &&
		    is_small(w->w_f.cells[c], w->w_k);

	for (i = 0; i < r->r_count; i++) {
		for (c = 0; c < W_COLS; c++)
			v[c] = r->r_rows[i][c];
		(void)basis_insert(&full, v);
		for (c = 0; c < W_COLS; c++)
			if (small[c])
				v[c] = 0;
		(void)basis_insert(&large, v);
	}
	for (c = 0; c < W_COLS && !leak; c++) {
		if (!small[c])
			continue;
		memset(v, 0, sizeof(v));
		v[c] = 1;
		basis_reduce(&full, v);
		for (i = 0; i < W_COLS && v[i] == 0; i++)
			;
		if (i == W_COLS)
			leak = true;	/* e_c is a combination */
	}
	if (full.b_rank != large.b_rank)
		leak = true;
	free(full.b_rows);
	free(large.b_rows);
	return leak;
}

struct walk {
	const struct world	*wk_w;
	uint8_t			 wk_row[W_COLS];
	uint64_t		 wk_n;
	bool			 wk_small;
};

static int
walk_cell(void *ctx, size_t owner, size_t column, uint32_t n)
{
	struct walk	*wk = ctx;

	assert_false(wk->wk_w->w_f.units[owner].su_pool);
	assert_int_equal(wk->wk_w->w_f.cells[owner * W_NB + column], n);
	wk->wk_row[owner * W_NB + column] = 1;
	wk->wk_n += n;
	if (is_small(n, wk->wk_w->w_k))
		wk->wk_small = true;
	return 0;
}

/* Responses of the group counted from the raw, unfolded counts. */
static uint64_t
ref_group_n(const struct world *w, const struct suppress_group *g)
{
	uint64_t	n = 0;
	size_t		u, c, c0, c1;

	c0 = (size_t)(period_index(PERIOD_MONTH, g->grp_from) -
	    period_index(PERIOD_MONTH, w->w_f.grid.gr_first));
	c1 = (size_t)(period_index(PERIOD_MONTH, g->grp_to) -
	    period_index(PERIOD_MONTH, w->w_f.grid.gr_first));
	for (u = 0; u < w->w_n; u++) {
		if (g->grp_scope == SUPPRESS_SUBTREE ?
		    !ref_below(w, u, g->grp_unit) :
		    ref_owner(w, u) != g->grp_unit)
			continue;
		for (c = c0; c <= c1; c++)
			n += w->w_f.raw[u * W_NB + c];
	}
	return n;
}

/* Is cell c (owner * W_NB + column) one of the subtree's in the range? */
static bool
ref_subtree_cell(const struct world *w, const struct suppress_query *q,
    size_t c)
{
	size_t	o = c / W_NB, col = c % W_NB;
	int64_t	i0 = period_index(PERIOD_MONTH, w->w_f.grid.gr_first);

	return o < w->w_n && !w->w_f.units[o].su_pool &&
	    ref_below(w, o, q->qr_unit) &&
	    (int64_t)col >= period_index(PERIOD_MONTH, q->qr_from) - i0 &&
	    (int64_t)col <= period_index(PERIOD_MONTH, q->qr_to) - i0;
}

static void
random_query(const struct world *w, uint64_t *s, struct suppress_query *q)
{
	static const enum period_kind	kinds[] = { PERIOD_MONTH,
					    PERIOD_QUARTER, PERIOD_YEAR };
	enum period_kind		ak;
	int64_t				i0, nb, b0, len;

	memset(q, 0, sizeof(*q));
	q->qr_unit = rng_below(s, w->w_n);
	/* a range of whole months, quarters or years inside the grid */
	ak = kinds[rng_below(s, NELEM(kinds))];
	i0 = period_index(ak, w->w_f.grid.gr_first);
	nb = period_index(ak, D(2024, 12, 31)) - i0 + 1;
	b0 = (int64_t)rng_below(s, (size_t)nb);
	len = 1 + (int64_t)rng_below(s, (size_t)(nb - b0));
	q->qr_from = period_from_index(ak, i0 + b0);
	q->qr_to = period_last_day(ak, period_from_index(ak, i0 + b0 +
	    len - 1));
	q->qr_by = (enum suppress_by)rng_below(s, 3);
	/* by=period in months up to the range's own kind */
	q->qr_period = kinds[rng_below(s, (size_t)ak - PERIOD_MONTH + 1)];
}

/*
 * Run the queries of one world. Every group is checked against the raw
 * counts; released ones go to *real. *naive gets what a rule on group
 * totals (release if the group holds 0 or >= k) would have released: the
 * check below must catch that rule, or it proves nothing.
 */
static void
world_queries(const struct world *w, uint64_t *s, struct released *real,
    struct released *naive, size_t *counts)
{
	struct suppress_query	 q;
	struct suppress_group	*g;
	struct walk		 wk;
	uint8_t			 uni[W_COLS];
	size_t			 ng, i, c, cells_sum, cells_uni, qi;

	for (qi = 0; qi < W_QUERIES; qi++) {
		random_query(w, s, &q);
		g = NULL;
		assert_int_equal(suppress_plan(&w->w_f.grid, &q, &g, &ng), 0);
		memset(uni, 0, sizeof(uni));
		cells_sum = 0;
		for (i = 0; i < ng; i++) {
			if (g[i].grp_verdict == SUPPRESS_POOLED) {
				assert_true(
				    w->w_f.units[g[i].grp_unit].su_pool);
				assert_int_equal(g[i].grp_n, 0);
				counts[2]++;
				continue;
			}
			assert_false(w->w_f.units[g[i].grp_unit].su_pool);
			memset(&wk, 0, sizeof(wk));
			wk.wk_w = w;
			assert_int_equal(suppress_group_cells(&w->w_f.grid,
			    &g[i], walk_cell, &wk), 0);
			assert_true(wk.wk_n == ref_group_n(w, &g[i]));
			for (c = 0; c < W_COLS; c++) {
				cells_sum += wk.wk_row[c];
				uni[c] |= wk.wk_row[c];
			}
			if (wk.wk_n == 0 || wk.wk_n >= w->w_k)
				released_add(naive, wk.wk_row);
			if (wk.wk_small) {
				assert_int_equal(g[i].grp_verdict,
				    SUPPRESS_MIN_GROUP);
				assert_int_equal(g[i].grp_n, 0);
				counts[1]++;
			} else {
				assert_int_equal(g[i].grp_verdict,
				    SUPPRESS_RELEASE);
				assert_true(g[i].grp_n == wk.wk_n);
				released_add(real, wk.wk_row);
				counts[0]++;
			}
		}
		if (q.qr_by == SUPPRESS_BY_UNIT) {
			/* the groups partition the cells of the subtree */
			for (c = 0, cells_uni = 0; c < W_COLS; c++) {
				assert_int_equal(uni[c],
				    ref_subtree_cell(w, &q, c));
				cells_uni += uni[c];
			}
			assert_int_equal(cells_sum, cells_uni);
		}
		suppress_groups_free(g);
	}
}

static void
test_property_no_small_combination(void **state)
{
	struct world	 w;
	struct released	 real, naive;
	uint64_t	 seed, s;
	size_t		 counts[3] = { 0, 0, 0 }, small = 0, cells = 0;
	size_t		 naive_leaks = 0, u, c;

	(void)state;
	real.r_cap = naive.r_cap = W_QUERIES * W_NB;
	real.r_rows = calloc(real.r_cap, W_COLS);
	naive.r_rows = calloc(naive.r_cap, W_COLS);
	assert_true(real.r_rows != NULL && naive.r_rows != NULL);
	for (seed = 1; seed <= W_SEEDS; seed++) {
		s = seed * 0x9e3779b97f4a7c15ULL;
		world_make(&w, &s);
		for (u = 0; u < w.w_n; u++) {
			if (w.w_f.units[u].su_pool)
				continue;
			for (c = 0; c < W_NB; c++) {
				cells++;
				small += is_small(w.w_f.cells[u * W_NB + c],
				    w.w_k);
			}
		}
		real.r_count = naive.r_count = 0;
		world_queries(&w, &s, &real, &naive, counts);
		assert_false(leaks(&w, &real));
		if (leaks(&w, &naive))
			naive_leaks++;
	}
	/* the worlds were hard: many small cells, groups of every verdict */
	assert_true(small * 5 >= cells);
	assert_true(small * 5 <= cells * 4);
	assert_true(counts[0] > 100 && counts[1] > 100 && counts[2] > 10);
	/* and the check can fail: totals-only suppression leaks */
	assert_true(naive_leaks > W_SEEDS / 4);
	free(real.r_rows);
	free(naive.r_rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells_ok),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_plan_rule),
		cmocka_unit_test(test_plan_pooled),
		cmocka_unit_test(test_plan_by_unit),
		cmocka_unit_test(test_plan_errors),
		cmocka_unit_test(test_hint_quarter_and_parent),
		cmocka_unit_test(test_hint_year_no_unit),
		cmocka_unit_test(test_hint_pooled),
		cmocka_unit_test(test_hint_week_grid),
		cmocka_unit_test(test_hint_candidates),
		cmocka_unit_test(test_property_no_small_combination),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
