/*
 * suppress.h — the small-group rule of DESIGN.md section 5, written once.
 * Pure: the caller reads cells from storage, hands their counts in, and
 * gets back which groups may be released and which cells each one sums.
 *
 * Return convention: 0 or a negative errno-style code; bool only for
 * predicates. Nothing here allocates except suppress_plan().
 *
 * The rule. A *cell* is (unit, bucket) on the survey's grid: the survey's
 * period sets the bucket length (gr_kind), and a unit marked `pool` forms
 * no cell of its own: its responses count in the cell of its *owner*, the
 * nearest ancestor-or-self that is not pooled (pooling chains). A released
 * number may be computed only from cells that each hold 0 or at least k
 * responses. Every released group below is a union of whole cells, so any
 * difference of released numbers is again a sum of such cells and can
 * never isolate fewer than k people.
 *
 * Two consequences the API is built around:
 *  - The grid is fixed. Forming cells per query (say quarters summed from
 *    months) would let quarter - month - month isolate a small month, so a
 *    coarser grouping of a query only sums grid cells; it can never release
 *    a group that holds a small cell.
 *  - Hence a hint (suppress_hint) is a what-if about the grid: "with the
 *    survey's period at quarter" or "with the units below this one pooled
 *    into it", this group would be releasable. The dashboard shows it to
 *    whoever can make that change.
 *
 * Units are indexed 0..tr_count-1 by the caller (its own map to unit ids).
 */
#ifndef PALAUTE_CORE_SUPPRESS_H
#define PALAUTE_CORE_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/period.h"

/* DESIGN §4: min_group is never below 3; enforced again where it matters. */
#define SUPPRESS_K_MIN	3
#define SUPPRESS_ROOT	((size_t)-1)	/* su_parent of a top-level unit */

/*
 * True if every cell count is 0 or at least k: the rule itself. A k below
 * SUPPRESS_K_MIN is raised to it (a survey that says otherwise is a bug
 * upstream, and this is the last place to catch it). True for count 0.
 */
bool	suppress_cells_ok(const uint32_t *ns, size_t count, uint32_t k);

/* ---------------------------------------------------------------- tree */

struct suppress_unit {
	size_t		su_parent;	/* unit index, or SUPPRESS_ROOT */
	bool		su_pool;	/* counts in its owner's cell */
};

struct suppress_tree {
	const struct suppress_unit	*tr_units;	/* borrowed */
	size_t				 tr_count;
};

/*
 * 0 if every parent is a unit index or SUPPRESS_ROOT, the parents form no
 * cycle, and no top-level unit is pooled (it has nobody to pool into);
 * -EINVAL otherwise. The other functions assume a checked tree.
 */
int	suppress_tree_check(const struct suppress_tree *t);
/* The unit whose cell holds unit's responses: the nearest ancestor-or-self
 * that is not pooled. */
size_t	suppress_owner(const struct suppress_tree *t, size_t unit);
/* True if unit is top or a descendant of top. */
bool	suppress_in_subtree(const struct suppress_tree *t, size_t unit,
	    size_t top);
/*
 * Sum per-unit counts into per-owner counts, both [unit * nbuckets + col]:
 * the row of each owner gets the rows of every unit it owns, rows of pooled
 * units become 0. For a caller whose cells are stored per collecting unit.
 * -EOVERFLOW if a sum passes UINT32_MAX (owner_counts is then unspecified),
 * -EINVAL if the tree does not check or the array size overflows.
 */
int	suppress_fold(const struct suppress_tree *t,
	    const uint32_t *unit_counts, size_t nbuckets,
	    uint32_t *owner_counts);

/* ---------------------------------------------------------------- grid */

/*
 * The cell counts a query may touch, prepared by the caller. Column c is
 * the bucket period_from_index(gr_kind, period_index(gr_kind, gr_first) + c).
 */
struct suppress_grid {
	const struct suppress_tree	*gr_tree;
	enum period_kind		 gr_kind;	/* survey's period */
	int64_t				 gr_first;	/* bucket of column 0 */
	size_t				 gr_nbuckets;
	/* [unit * gr_nbuckets + column]: n of the owner's cell; 0 in the
	 * rows of pooled units (suppress_fold makes such a grid) */
	const uint32_t			*gr_counts;
	uint32_t			 gr_k;		/* min_group */
};

/* 0 if the tree checks, gr_first is a bucket, and pooled rows are 0. */
int	suppress_grid_check(const struct suppress_grid *g);

/* ---------------------------------------------------------------- plan */

enum suppress_by {
	SUPPRESS_BY_NONE,	/* one group: the subtree over the range */
	SUPPRESS_BY_PERIOD,	/* one group per qr_period bucket */
	SUPPRESS_BY_UNIT,	/* the unit's own cell, then each sub-owner */
};

/* GET /surveys/{id}/results?unit=&from=&to=&by= as plain values. */
struct suppress_query {
	size_t			qr_unit;
	int64_t			qr_from;	/* days, aligned to gr_kind */
	int64_t			qr_to;
	enum suppress_by	qr_by;
	enum period_kind	qr_period;	/* by=period: group length */
};

enum suppress_scope {
	SUPPRESS_SUBTREE,	/* the unit and everything below it */
	SUPPRESS_OWN,		/* the unit's own cell (with what pools in) */
};

enum suppress_verdict {
	SUPPRESS_RELEASE,	/* every cell 0 or >= k: may be shown */
	SUPPRESS_MIN_GROUP,	/* some cell holds 1..k-1 responses */
	SUPPRESS_POOLED,	/* a pooled unit: its responses are in its
				 * owner's cell, it has no group of its own */
};

struct suppress_group {
	size_t			grp_unit;
	enum suppress_scope	grp_scope;
	int64_t			grp_from;	/* days */
	int64_t			grp_to;
	enum suppress_verdict	grp_verdict;
	uint64_t		grp_n;		/* if released, else 0 */
};

/*
 * The groups of a query, each with its verdict, in reply order:
 *  - by=none: SUBTREE(unit) over [from, to];
 *  - by=period: SUBTREE(unit) over each qr_period bucket of the range;
 *    qr_period must nest gr_kind (period_nests) and the range must be
 *    aligned to it;
 *  - by=unit: OWN(unit), then SUBTREE(d) for each sub-owner d: the
 *    non-pooled units below unit whose parent's owner is unit's owner (the
 *    children, looking through pooled children), in index order. Together
 *    they partition the subtree's cells.
 * The range must be aligned to gr_kind and lie inside the grid: check with
 * period_aligned() first to answer 422 with period_align()'s suggestion.
 * -EINVAL for anything else out of place; -ENOMEM. *groups_out is
 * malloc()ed (free with suppress_groups_free), written only on success.
 */
int	suppress_plan(const struct suppress_grid *g,
	    const struct suppress_query *q, struct suppress_group **groups_out,
	    size_t *count_out);
void	suppress_groups_free(struct suppress_group *groups);

/*
 * Called for each cell of a group, owners in index order, then columns in
 * time order. A non-zero return stops the walk and is returned.
 */
typedef int	(*suppress_cell_fn)(void *ctx, size_t owner, size_t column,
		    uint32_t n);

/*
 * Walk the cells a group sums: the handler merges exactly these cells'
 * histograms (cell_merge) for a released group, and nothing else. -EINVAL
 * for a group of a pooled unit (it is no union of cells) or a range
 * outside the grid.
 */
int	suppress_group_cells(const struct suppress_grid *g,
	    const struct suppress_group *grp, suppress_cell_fn fn, void *ctx);

/* ---------------------------------------------------------------- hints */

enum suppress_change {
	/*
	 * "If the survey's period were cd_period": cells become (owner,
	 * cd_period bucket) with today's pooling. Is the group (cd_unit,
	 * cd_scope) over [cd_from, cd_to] releasable on that grid?
	 */
	SUPPRESS_CHANGE_PERIOD,
	/*
	 * "If every unit below cd_unit were pooled into it": one cell per
	 * bucket of cd_period (the current kind) for the whole subtree. Is
	 * each bucket's total over subtree(cd_unit) in [cd_from, cd_to] 0 or
	 * at least k? (cd_scope is SUBTREE.)
	 */
	SUPPRESS_CHANGE_POOL,
};

struct suppress_candidate {
	enum suppress_change	cd_change;
	size_t			cd_unit;
	enum suppress_scope	cd_scope;
	enum period_kind	cd_period;
	int64_t			cd_from;	/* days, aligned to cd_period */
	int64_t			cd_to;
};

/*
 * Answers one candidate: 0 with *releasable set, -ENOTSUP or -ERANGE when
 * it cannot tell (weeks summed into months need per-day counts; data
 * outside what it holds) — the candidate is then skipped — or another
 * negative code, which suppress_hint() returns. Wired to storage by the
 * results handler; suppress_grid_eval() answers from a prepared grid.
 */
typedef int	(*suppress_eval_fn)(void *ctx,
		    const struct suppress_candidate *c, bool *releasable);

struct suppress_hint {
	bool			hn_has_period;	/* change the survey's period */
	enum period_kind	hn_period;
	int64_t			hn_from;	/* the group's range, aligned */
	int64_t			hn_to;
	bool			hn_has_unit;	/* pool units below hn_unit */
	size_t			hn_unit;
};

/*
 * Suggest what would release a suppressed group (grp, on a grid of
 * `kind`): the finest coarser period, asking eval for each kind after
 * `kind` with the range widened by period_align(); and the nearest
 * non-pooled ancestor-or-self of grp_unit whose subtree pooled into it is
 * releasable over grp's range. No period is suggested for a pooled unit
 * (no period gives it a cell). Either part may be absent. -EINVAL for a
 * bad argument; eval's errors other than -ENOTSUP and -ERANGE. *out is
 * written only on success.
 */
int	suppress_hint(const struct suppress_tree *t, enum period_kind kind,
	    const struct suppress_group *grp, suppress_eval_fn eval, void *ctx,
	    struct suppress_hint *out);

/*
 * A suppress_eval_fn over a prepared grid (ctx is a const struct
 * suppress_grid *). A period change needs cd_period to nest the grid's kind
 * (-ENOTSUP) and every column in the grid (-ERANGE): prepare the grid over
 * whole years to get every hint.
 */
int	suppress_grid_eval(void *ctx, const struct suppress_candidate *c,
	    bool *releasable);

#endif /* PALAUTE_CORE_SUPPRESS_H */
