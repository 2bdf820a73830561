/*
 * suppress.c — the small-group rule: which cells a group sums, whether it
 * may be released, and what change to the grid would release it.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/suppress.h"

/* The rule on one cell count. */
static bool
suppress_n_ok(uint64_t n, uint32_t k)
{
	if (k < SUPPRESS_K_MIN)
		k = SUPPRESS_K_MIN;
	return n == 0 || n >= k;
}

bool
suppress_cells_ok(const uint32_t *ns, size_t count, uint32_t k)
{
	size_t	i;

	for (i = 0; i < count; i++)
		if (!suppress_n_ok(ns[i], k))
			return false;
	return true;
}

/* ---------------------------------------------------------------- tree */

int
suppress_tree_check(const struct suppress_tree *t)
{
	const struct suppress_unit	*u;
	size_t				 i, p, steps;

	if (t == NULL || (t->tr_count > 0 && t->tr_units == NULL))
		return -EINVAL;
	for (i = 0; i < t->tr_count; i++) {
		u = &t->tr_units[i];
		if (u->su_parent == SUPPRESS_ROOT && u->su_pool)
			return -EINVAL;
		if (u->su_parent != SUPPRESS_ROOT &&
		    u->su_parent >= t->tr_count)
			return -EINVAL;
		/* a chain longer than the tree is a cycle */
		for (p = i, steps = 0; p != SUPPRESS_ROOT; steps++) {
			if (steps > t->tr_count)
				return -EINVAL;
			p = t->tr_units[p].su_parent;
		}
	}
	return 0;
}

size_t
suppress_owner(const struct suppress_tree *t, size_t unit)
{
	/* terminates: a checked tree has no pooled top-level unit */
	while (t->tr_units[unit].su_pool)
		unit = t->tr_units[unit].su_parent;
	return unit;
}

bool
suppress_in_subtree(const struct suppress_tree *t, size_t unit, size_t top)
{
	for (; unit != SUPPRESS_ROOT; unit = t->tr_units[unit].su_parent)
		if (unit == top)
			return true;
	return false;
}

int
suppress_fold(const struct suppress_tree *t, const uint32_t *unit_counts,
    size_t nbuckets, uint32_t *owner_counts)
{
	uint64_t	v;
	size_t		u, o, col;
	int		rc;

	if ((rc = suppress_tree_check(t)) != 0)
		return rc;
	if (nbuckets != 0 &&
	    t->tr_count > SIZE_MAX / nbuckets / sizeof(uint32_t))
		return -EINVAL;
	memset(owner_counts, 0, t->tr_count * nbuckets * sizeof(uint32_t));
	for (u = 0; u < t->tr_count; u++) {
		o = suppress_owner(t, u);
		for (col = 0; col < nbuckets; col++) {
			v = (uint64_t)owner_counts[o * nbuckets + col] +
			    unit_counts[u * nbuckets + col];
			if (v > UINT32_MAX)
				return -EOVERFLOW;
			owner_counts[o * nbuckets + col] = (uint32_t)v;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- grid */

int
suppress_grid_check(const struct suppress_grid *g)
{
	const struct suppress_tree	*t;
	size_t				 u, col;
	int				 rc;

	if (g == NULL || (t = g->gr_tree) == NULL)
		return -EINVAL;
	if ((rc = suppress_tree_check(t)) != 0)
		return rc;
	if (!period_is_bucket(g->gr_kind, g->gr_first) ||
	    g->gr_nbuckets == 0 || g->gr_counts == NULL ||
	    t->tr_count > SIZE_MAX / g->gr_nbuckets / sizeof(uint32_t))
		return -EINVAL;
	/* a pooled row with counts would be a cell the rule never sees */
	for (u = 0; u < t->tr_count; u++) {
		if (!t->tr_units[u].su_pool)
			continue;
		for (col = 0; col < g->gr_nbuckets; col++)
			if (g->gr_counts[u * g->gr_nbuckets + col] != 0)
				return -EINVAL;
	}
	return 0;
}

/* The grid column of the bucket holding day; -ERANGE outside the grid. */
static int
suppress_column(const struct suppress_grid *g, int64_t day, size_t *col_out)
{
	int64_t	col;

	col = period_index(g->gr_kind, day) -
	    period_index(g->gr_kind, g->gr_first);
	if (col < 0 || (uint64_t)col >= g->gr_nbuckets)
		return -ERANGE;
	*col_out = (size_t)col;
	return 0;
}

/* Is owner o's cell part of the group (unit, scope)? unit is not pooled. */
static bool
suppress_member(const struct suppress_tree *t, size_t unit,
    enum suppress_scope scope, size_t o)
{
	if (scope == SUPPRESS_OWN)
		return o == unit;
	return !t->tr_units[o].su_pool && suppress_in_subtree(t, o, unit);
}

/*
 * A sub-owner of x: a non-pooled unit below x whose parent's cell is the
 * cell x's own responses go to. These head the by=unit groups.
 */
static bool
suppress_sub_owner(const struct suppress_tree *t, size_t x, size_t d)
{
	return d != x && !t->tr_units[d].su_pool &&
	    suppress_in_subtree(t, d, x) &&
	    suppress_owner(t, t->tr_units[d].su_parent) ==
	    suppress_owner(t, x);
}

int
suppress_group_cells(const struct suppress_grid *g,
    const struct suppress_group *grp, suppress_cell_fn fn, void *ctx)
{
	const struct suppress_tree	*t = g->gr_tree;
	size_t				 o, c0, c1, col;
	int				 rc;

	if (grp->grp_unit >= t->tr_count ||
	    t->tr_units[grp->grp_unit].su_pool ||
	    (grp->grp_scope != SUPPRESS_SUBTREE &&
	    grp->grp_scope != SUPPRESS_OWN))
		return -EINVAL;
	if (grp->grp_from > grp->grp_to ||
	    suppress_column(g, grp->grp_from, &c0) != 0 ||
	    suppress_column(g, grp->grp_to, &c1) != 0)
		return -EINVAL;
	for (o = 0; o < t->tr_count; o++) {
		if (!suppress_member(t, grp->grp_unit, grp->grp_scope, o))
			continue;
		for (col = c0; col <= c1; col++) {
			rc = fn(ctx, o, col,
			    g->gr_counts[o * g->gr_nbuckets + col]);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- plan */

struct suppress_tally {
	uint32_t	st_k;
	bool		st_ok;
	uint64_t	st_n;
};

static int
suppress_tally_cell(void *ctx, size_t owner, size_t column, uint32_t n)
{
	struct suppress_tally	*tally = ctx;

	(void)owner;
	(void)column;
	if (!suppress_n_ok(n, tally->st_k))
		tally->st_ok = false;
	tally->st_n += n;
	return 0;
}

/* Decide one group; the only place a verdict is made. */
static int
suppress_judge(const struct suppress_grid *g, struct suppress_group *grp)
{
	struct suppress_tally	tally = { g->gr_k, true, 0 };
	int			rc;

	grp->grp_n = 0;
	if (g->gr_tree->tr_units[grp->grp_unit].su_pool) {
		grp->grp_verdict = SUPPRESS_POOLED;
		return 0;
	}
	if ((rc = suppress_group_cells(g, grp, suppress_tally_cell,
	    &tally)) != 0)
		return rc;
	grp->grp_verdict = tally.st_ok ? SUPPRESS_RELEASE :
	    SUPPRESS_MIN_GROUP;
	if (tally.st_ok)
		grp->grp_n = tally.st_n;
	return 0;
}

static int
suppress_query_check(const struct suppress_grid *g,
    const struct suppress_query *q)
{
	size_t	col;

	if (q->qr_unit >= g->gr_tree->tr_count ||
	    !period_aligned(g->gr_kind, q->qr_from, q->qr_to) ||
	    suppress_column(g, q->qr_from, &col) != 0 ||
	    suppress_column(g, q->qr_to, &col) != 0)
		return -EINVAL;
	switch (q->qr_by) {
	case SUPPRESS_BY_NONE:
	case SUPPRESS_BY_UNIT:
		return 0;
	case SUPPRESS_BY_PERIOD:
		/* a group must be a union of whole grid buckets */
		if (!period_nests(g->gr_kind, q->qr_period) ||
		    !period_aligned(q->qr_period, q->qr_from, q->qr_to))
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

int
suppress_plan(const struct suppress_grid *g, const struct suppress_query *q,
    struct suppress_group **groups_out, size_t *count_out)
{
	const struct suppress_tree	*t;
	struct suppress_group		*groups = NULL, base;
	size_t				 count = 0, i = 0, d;
	int64_t				 b;
	int				 ret;

	if ((ret = suppress_grid_check(g)) != 0 ||
	    (ret = suppress_query_check(g, q)) != 0)
		goto done;
	t = g->gr_tree;
	switch (q->qr_by) {
	case SUPPRESS_BY_PERIOD:
		count = (size_t)(period_index(q->qr_period, q->qr_to) -
		    period_index(q->qr_period, q->qr_from) + 1);
		break;
	case SUPPRESS_BY_UNIT:
		count = 1;
		for (d = 0; d < t->tr_count; d++)
			if (suppress_sub_owner(t, q->qr_unit, d))
				count++;
		break;
	default:
		count = 1;
		break;
	}
	if ((groups = calloc(count, sizeof(*groups))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	memset(&base, 0, sizeof(base));
	base.grp_unit = q->qr_unit;
	base.grp_scope = SUPPRESS_SUBTREE;
	base.grp_from = q->qr_from;
	base.grp_to = q->qr_to;
	switch (q->qr_by) {
	case SUPPRESS_BY_PERIOD:
		for (b = q->qr_from; b <= q->qr_to;
		    b = period_next(q->qr_period, b)) {
			groups[i] = base;
			groups[i].grp_from = b;
			groups[i].grp_to = period_last_day(q->qr_period, b);
			i++;
		}
		break;
	case SUPPRESS_BY_UNIT:
		groups[i] = base;
		groups[i++].grp_scope = SUPPRESS_OWN;
		for (d = 0; d < t->tr_count; d++) {
			if (!suppress_sub_owner(t, q->qr_unit, d))
				continue;
			groups[i] = base;
			groups[i++].grp_unit = d;
		}
		break;
	default:
		groups[i++] = base;
		break;
	}
	for (i = 0; i < count; i++)
		if ((ret = suppress_judge(g, &groups[i])) != 0)
			goto done;
	*groups_out = groups;
	*count_out = count;
	groups = NULL;
	ret = 0;
done:
	free(groups);
	return ret;
}

void
suppress_groups_free(struct suppress_group *groups)
{
	free(groups);
}

/* ---------------------------------------------------------------- hints */

/* Ask eval; a candidate it cannot judge counts as not releasable. */
static int
suppress_ask(suppress_eval_fn eval, void *ctx,
    const struct suppress_candidate *c, bool *releasable)
{
	int	rc;

	*releasable = false;
	rc = eval(ctx, c, releasable);
	if (rc == -ENOTSUP || rc == -ERANGE) {
		*releasable = false;
		return 0;
	}
	return rc;
}

int
suppress_hint(const struct suppress_tree *t, enum period_kind kind,
    const struct suppress_group *grp, suppress_eval_fn eval, void *ctx,
    struct suppress_hint *out)
{
	struct suppress_hint		h;
	struct suppress_candidate	c;
	enum period_kind		q = kind;
	size_t				a;
	bool				ok;
	int				rc;

	if (t == NULL || grp == NULL || eval == NULL || !period_valid(kind) ||
	    grp->grp_unit >= t->tr_count || grp->grp_from > grp->grp_to)
		return -EINVAL;
	memset(&h, 0, sizeof(h));

	/* A longer period: only for a unit that has cells of its own. */
	while (!t->tr_units[grp->grp_unit].su_pool &&
	    period_coarser(q, &q) == 0) {
		memset(&c, 0, sizeof(c));
		c.cd_change = SUPPRESS_CHANGE_PERIOD;
		c.cd_unit = grp->grp_unit;
		c.cd_scope = grp->grp_scope;
		c.cd_period = q;
		if ((rc = period_align(q, grp->grp_from, grp->grp_to,
		    &c.cd_from, &c.cd_to)) != 0)
			return rc;
		if ((rc = suppress_ask(eval, ctx, &c, &ok)) != 0)
			return rc;
		if (ok) {
			h.hn_has_period = true;
			h.hn_period = q;
			h.hn_from = c.cd_from;
			h.hn_to = c.cd_to;
			break;
		}
	}

	/* Pooling: the nearest unit that can hold a cell, going up. */
	for (a = grp->grp_unit; a != SUPPRESS_ROOT;
	    a = t->tr_units[a].su_parent) {
		if (t->tr_units[a].su_pool)
			continue;
		memset(&c, 0, sizeof(c));
		c.cd_change = SUPPRESS_CHANGE_POOL;
		c.cd_unit = a;
		c.cd_scope = SUPPRESS_SUBTREE;
		c.cd_period = kind;
		c.cd_from = grp->grp_from;
		c.cd_to = grp->grp_to;
		if ((rc = suppress_ask(eval, ctx, &c, &ok)) != 0)
			return rc;
		if (ok) {
			h.hn_has_unit = true;
			h.hn_unit = a;
			break;
		}
	}
	*out = h;
	return 0;
}

int
suppress_grid_eval(void *ctx, const struct suppress_candidate *c,
    bool *releasable)
{
	const struct suppress_grid	*g = ctx;
	const struct suppress_tree	*t;
	size_t				 o, c0, c1, col;
	uint64_t			 sum, total;
	int64_t				 b;
	bool				 ok = true;
	int				 rc;

	if (g == NULL || c == NULL || (rc = suppress_grid_check(g)) != 0)
		return -EINVAL;
	t = g->gr_tree;
	if (c->cd_unit >= t->tr_count ||
	    !period_aligned(c->cd_period, c->cd_from, c->cd_to) ||
	    (c->cd_change != SUPPRESS_CHANGE_PERIOD &&
	    c->cd_change != SUPPRESS_CHANGE_POOL))
		return -EINVAL;
	/* a cell of the candidate must be a union of grid cells */
	if (!period_nests(g->gr_kind, c->cd_period))
		return -ENOTSUP;
	if ((rc = suppress_column(g, c->cd_from, &c0)) != 0 ||
	    (rc = suppress_column(g, c->cd_to, &c1)) != 0)
		return rc;
	if (t->tr_units[c->cd_unit].su_pool) {
		*releasable = false;
		return 0;
	}
	for (b = c->cd_from; b <= c->cd_to; b = period_next(c->cd_period, b)) {
		(void)suppress_column(g, b, &c0);
		(void)suppress_column(g, period_last_day(c->cd_period, b),
		    &c1);
		total = 0;
		for (o = 0; o < t->tr_count; o++) {
			if (!suppress_member(t, c->cd_unit,
			    c->cd_change == SUPPRESS_CHANGE_POOL ?
			    SUPPRESS_SUBTREE : c->cd_scope, o))
				continue;
			for (sum = 0, col = c0; col <= c1; col++)
				sum += g->gr_counts[o * g->gr_nbuckets + col];
			/* a period change keeps one cell per owner */
			if (c->cd_change == SUPPRESS_CHANGE_PERIOD &&
			    !suppress_n_ok(sum, g->gr_k))
				ok = false;
			total += sum;
		}
		/* pooling makes the whole subtree one cell */
		if (c->cd_change == SUPPRESS_CHANGE_POOL &&
		    !suppress_n_ok(total, g->gr_k))
			ok = false;
	}
	*releasable = ok;
	return 0;
}
