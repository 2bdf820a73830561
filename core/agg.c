/*
 * agg.c — one survey family's cells in memory, folded onto owners, and
 * the results queries answered from them under the small-group rule.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "core/agg.h"
#include "core/answers.h"
#include "core/stats.h"
#include "core/survey.h"

/*
 * Bound on the dense arrays of one agg (units x buckets x counters x 4
 * bytes, per version): 200 units x 36 months x 80 counters is 2.3 MB; a
 * grid past this is refused rather than allowed to eat the host.
 */
#define AGG_MAX_BYTES	((size_t)512 << 20)

struct agg_ver {
	uint32_t		 v_id;
	const struct survey	*v_survey;
	size_t			 v_nq;
	size_t			 v_stride;	/* 1 + sum(1 + slots) */
	size_t			*v_qoff;	/* [q]: answered's offset */
	unsigned		*v_qslots;	/* [q] */
	uint32_t		*v_data;	/* [(owner*ncols+col)*stride] */
	uint32_t		*v_raw;		/* the same per unit */
};

/* A cell waiting for agg_seal(): its counters at a_pool[e_off]. */
struct agg_entry {
	size_t		e_ver;
	size_t		e_unit;
	int64_t		e_idx;		/* period_index of its bucket */
	size_t		e_off;
};

struct agg {
	struct agg_unit		*a_units;	/* sorted by id */
	struct suppress_unit	*a_su;
	struct suppress_tree	 a_tree;
	size_t			 a_nunits;
	struct agg_ver		*a_vers;	/* the family, by id */
	size_t			 a_nvers;
	enum period_kind	 a_kind;
	uint32_t		 a_k;
	uint32_t		 a_kc;
	bool			 a_sealed;
	struct agg_entry	*a_ents;
	size_t			 a_nents;
	size_t			 a_capents;
	uint32_t		*a_pool;
	size_t			 a_npool;
	size_t			 a_cappool;
	bool			 a_has_data;
	int64_t			 a_first_idx;	/* columns of the dense data */
	size_t			 a_ncols;
	size_t			 a_bytes;
};

enum period_kind
agg_survey_kind(const struct survey *s)
{
	switch (survey_period(s)) {
	case SURVEY_PERIOD_WEEK:	return PERIOD_WEEK;
	case SURVEY_PERIOD_MONTH:	return PERIOD_MONTH;
	case SURVEY_PERIOD_QUARTER:	return PERIOD_QUARTER;
	case SURVEY_PERIOD_YEAR:	return PERIOD_YEAR;
	}
	return PERIOD_COUNT;
}

static int
agg_unit_cmp(const void *a, const void *b)
{
	const struct agg_unit	*x = a, *y = b;

	return x->au_id < y->au_id ? -1 : x->au_id > y->au_id;
}

static int
agg_ver_cmp(const void *a, const void *b)
{
	const struct agg_ver	*x = a, *y = b;

	return x->v_id < y->v_id ? -1 : x->v_id > y->v_id;
}

int
agg_unit_index(const struct agg *a, uint32_t id, size_t *index_out)
{
	size_t	lo = 0, hi = a->a_nunits, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (a->a_units[mid].au_id == id) {
			*index_out = mid;
			return 0;
		}
		if (a->a_units[mid].au_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -ENOENT;
}

static void
agg_ver_clear(struct agg_ver *v)
{
	free(v->v_qoff);
	free(v->v_qslots);
	free(v->v_data);
	free(v->v_raw);
}

void
agg_free(struct agg *a)
{
	size_t	i;

	if (a == NULL)
		return;
	for (i = 0; i < a->a_nvers; i++)
		agg_ver_clear(&a->a_vers[i]);
	free(a->a_vers);
	free(a->a_units);
	free(a->a_su);
	free(a->a_ents);
	free(a->a_pool);
	free(a);
}

static int
agg_ver_init(struct agg_ver *v, uint32_t id, const struct survey *s)
{
	size_t	q, off = 1, slots;

	v->v_id = id;
	v->v_survey = s;
	v->v_nq = survey_question_count(s);
	if ((v->v_qoff = calloc(v->v_nq + 1, sizeof(size_t))) == NULL ||
	    (v->v_qslots = calloc(v->v_nq + 1, sizeof(unsigned))) == NULL)
		return -ENOMEM;
	for (q = 0; q < v->v_nq; q++) {
		slots = survey_question_slots(s, q);
		if (slots == 0 || slots > QTYPE_MAX_SLOTS)
			return -EINVAL;
		v->v_qoff[q] = off;
		v->v_qslots[q] = (unsigned)slots;
		off += 1 + slots;
	}
	v->v_stride = off;
	return 0;
}

int
agg_new(const struct agg_unit *units, size_t nunits,
    const struct agg_version *versions, size_t nversions,
    enum period_kind kind, struct agg **out)
{
	struct agg	*a = NULL;
	size_t		 i, p;
	int		 ret;

	if (!period_valid(kind) || (nunits > 0 && units == NULL) ||
	    nunits > SIZE_MAX / sizeof(struct agg_unit) / 2) {
		ret = -EINVAL;
		goto done;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->a_units = calloc(nunits + 1, sizeof(*a->a_units))) == NULL ||
	    (a->a_su = calloc(nunits + 1, sizeof(*a->a_su))) == NULL ||
	    (a->a_vers = calloc(nversions + 1, sizeof(*a->a_vers))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	a->a_kind = kind;
	a->a_nunits = nunits;
	if (nunits > 0)
		memcpy(a->a_units, units, nunits * sizeof(*units));
	qsort(a->a_units, nunits, sizeof(*a->a_units), agg_unit_cmp);
	for (i = 0; i < nunits; i++) {
		if (a->a_units[i].au_id == 0 || (i > 0 &&
		    a->a_units[i].au_id == a->a_units[i - 1].au_id)) {
			ret = -EINVAL;
			goto done;
		}
	}
	for (i = 0; i < nunits; i++) {
		a->a_su[i].su_pool = a->a_units[i].au_pool;
		if (a->a_units[i].au_parent == 0 ||
		    agg_unit_index(a, a->a_units[i].au_parent, &p) != 0)
			a->a_su[i].su_parent = SUPPRESS_ROOT;
		else
			a->a_su[i].su_parent = p;
	}
	a->a_tree.tr_units = a->a_su;
	a->a_tree.tr_count = nunits;
	if ((ret = suppress_tree_check(&a->a_tree)) != 0)
		goto done;
	for (i = 0; i < nversions; i++) {
		if (versions[i].av_survey == NULL) {
			ret = -EINVAL;
			goto done;
		}
		if (agg_survey_kind(versions[i].av_survey) != kind)
			continue;
		if ((ret = agg_ver_init(&a->a_vers[a->a_nvers],
		    versions[i].av_id, versions[i].av_survey)) != 0) {
			a->a_nvers++;
			goto done;
		}
		a->a_nvers++;
		/* The strictest k of the family binds every query of it. */
		if (survey_min_group(versions[i].av_survey) > a->a_k)
			a->a_k = survey_min_group(versions[i].av_survey);
		if (survey_min_group_comments(versions[i].av_survey) > a->a_kc)
			a->a_kc = survey_min_group_comments(
			    versions[i].av_survey);
	}
	if (a->a_nvers == 0) {
		ret = -EINVAL;
		goto done;
	}
	qsort(a->a_vers, a->a_nvers, sizeof(*a->a_vers), agg_ver_cmp);
	for (i = 1; i < a->a_nvers; i++)
		if (a->a_vers[i].v_id == a->a_vers[i - 1].v_id) {
			ret = -EINVAL;
			goto done;
		}
	if (a->a_k < SUPPRESS_K_MIN)
		a->a_k = SUPPRESS_K_MIN;
	if (a->a_kc < a->a_k)
		a->a_kc = a->a_k;
	*out = a;
	a = NULL;
	ret = 0;
done:
	agg_free(a);
	return ret;
}

static struct agg_ver *
agg_ver_find(const struct agg *a, uint32_t version, size_t *index_out)
{
	size_t	i;

	for (i = 0; i < a->a_nvers; i++)
		if (a->a_vers[i].v_id == version) {
			if (index_out != NULL)
				*index_out = i;
			return &a->a_vers[i];
		}
	return NULL;
}

int
agg_add_cell(struct agg *a, uint32_t version, uint32_t unit, uint32_t bucket,
    const struct cell *c)
{
	struct agg_ver		*v;
	struct agg_entry	*e;
	uint32_t		*dst;
	const uint32_t		*h;
	size_t			 vi, ui, q, cap;

	if (a->a_sealed)
		return -EINVAL;
	if ((v = agg_ver_find(a, version, &vi)) == NULL)
		return 0;
	if (agg_unit_index(a, unit, &ui) != 0 ||
	    !period_is_bucket(a->a_kind, bucket) ||
	    !cell_has_shape(c, v->v_nq, v->v_qslots))
		return -EBADMSG;
	if (a->a_nents == a->a_capents) {
		cap = a->a_capents ? a->a_capents * 2 : 256;
		if ((e = realloc(a->a_ents, cap * sizeof(*e))) == NULL)
			return -ENOMEM;
		a->a_ents = e;
		a->a_capents = cap;
	}
	if (a->a_cappool - a->a_npool < v->v_stride) {
		cap = a->a_cappool ? a->a_cappool : 4096;
		while (cap - a->a_npool < v->v_stride)
			cap *= 2;
		if ((dst = realloc(a->a_pool, cap * sizeof(*dst))) == NULL)
			return -ENOMEM;
		a->a_pool = dst;
		a->a_cappool = cap;
	}
	e = &a->a_ents[a->a_nents++];
	e->e_ver = vi;
	e->e_unit = ui;
	e->e_idx = period_index(a->a_kind, bucket);
	e->e_off = a->a_npool;
	dst = a->a_pool + a->a_npool;
	a->a_npool += v->v_stride;
	dst[0] = c->c_n;
	for (q = 0; q < v->v_nq; q++) {
		h = cell_hist(c, q);
		dst[v->v_qoff[q]] = c->c_answered[q];
		memcpy(&dst[v->v_qoff[q] + 1], h, v->v_qslots[q] *
		    sizeof(uint32_t));
	}
	return 0;
}

int
agg_seal(struct agg *a)
{
	struct agg_entry	*e;
	struct agg_ver		*v;
	uint32_t		*dst;
	const uint32_t		*src;
	int64_t			 lo = 0, hi = 0;
	size_t			 i, j, o, col, cells, total = 0;
	uint64_t		 sum;

	if (a->a_sealed)
		return -EINVAL;
	for (i = 0; i < a->a_nents; i++) {
		if (i == 0 || a->a_ents[i].e_idx < lo)
			lo = a->a_ents[i].e_idx;
		if (i == 0 || a->a_ents[i].e_idx > hi)
			hi = a->a_ents[i].e_idx;
	}
	if (a->a_nents > 0) {
		a->a_has_data = true;
		a->a_first_idx = lo;
		if ((uint64_t)(hi - lo) >= SIZE_MAX / 2)
			return -ENOMEM;
		a->a_ncols = (size_t)(hi - lo) + 1;
	}
	cells = a->a_nunits * a->a_ncols;
	if (a->a_ncols != 0 && cells / a->a_ncols != a->a_nunits)
		return -ENOMEM;
	for (i = 0; i < a->a_nvers && cells > 0; i++) {
		v = &a->a_vers[i];
		/* Twice: folded onto owners, and per unit for updates. */
		if (cells > AGG_MAX_BYTES / 2 / sizeof(uint32_t) /
		    v->v_stride ||
		    total > AGG_MAX_BYTES - 2 * cells * v->v_stride *
		    sizeof(uint32_t))
			return -EFBIG;
		total += 2 * cells * v->v_stride * sizeof(uint32_t);
		if ((v->v_data = calloc(cells * v->v_stride,
		    sizeof(uint32_t))) == NULL ||
		    (v->v_raw = calloc(cells * v->v_stride,
		    sizeof(uint32_t))) == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < a->a_nents; i++) {
		e = &a->a_ents[i];
		v = &a->a_vers[e->e_ver];
		o = suppress_owner(&a->a_tree, e->e_unit);
		col = (size_t)(e->e_idx - a->a_first_idx);
		dst = v->v_data + (o * a->a_ncols + col) * v->v_stride;
		src = a->a_pool + e->e_off;
		/* One cell a key: the raw row is this entry's alone. */
		memcpy(v->v_raw + (e->e_unit * a->a_ncols + col) *
		    v->v_stride, src, v->v_stride * sizeof(uint32_t));
		for (j = 0; j < v->v_stride; j++) {
			sum = (uint64_t)dst[j] + src[j];
			if (sum > UINT32_MAX)
				return -EOVERFLOW;
			dst[j] = (uint32_t)sum;
		}
	}
	free(a->a_ents);
	free(a->a_pool);
	a->a_ents = NULL;
	a->a_pool = NULL;
	a->a_nents = a->a_capents = a->a_npool = a->a_cappool = 0;
	a->a_bytes = sizeof(*a) + total + a->a_nunits *
	    (sizeof(struct agg_unit) + sizeof(struct suppress_unit));
	a->a_sealed = true;
	return 0;
}

int
agg_update_cell(struct agg *a, uint32_t version, uint32_t unit,
    uint32_t bucket, const struct cell *c)
{
	struct agg_ver	*v;
	uint32_t	*raw, *dst, *now = NULL;
	const uint32_t	*h;
	size_t		 vi, ui, o, q, j, col;
	int64_t		 idx;
	int		 ret;

	if (!a->a_sealed)
		return -EINVAL;
	if ((v = agg_ver_find(a, version, &vi)) == NULL)
		return 0;
	if (agg_unit_index(a, unit, &ui) != 0 ||
	    !period_is_bucket(a->a_kind, bucket) ||
	    (c != NULL && !cell_has_shape(c, v->v_nq, v->v_qslots)))
		return -EBADMSG;
	idx = period_index(a->a_kind, bucket);
	if (!a->a_has_data || idx < a->a_first_idx ||
	    idx - a->a_first_idx >= (int64_t)a->a_ncols)
		return -ERANGE;
	col = (size_t)(idx - a->a_first_idx);
	if ((now = calloc(v->v_stride, sizeof(uint32_t))) == NULL)
		return -ENOMEM;
	if (c != NULL) {
		now[0] = c->c_n;
		for (q = 0; q < v->v_nq; q++) {
			h = cell_hist(c, q);
			now[v->v_qoff[q]] = c->c_answered[q];
			memcpy(&now[v->v_qoff[q] + 1], h, v->v_qslots[q] *
			    sizeof(uint32_t));
		}
	}
	o = suppress_owner(&a->a_tree, ui);
	raw = v->v_raw + (ui * a->a_ncols + col) * v->v_stride;
	dst = v->v_data + (o * a->a_ncols + col) * v->v_stride;
	/* Check every counter before changing any: all or nothing. */
	for (j = 0; j < v->v_stride; j++)
		if (dst[j] < raw[j] || (uint64_t)dst[j] - raw[j] + now[j] >
		    UINT32_MAX) {
			ret = -EBADMSG;
			goto done;
		}
	for (j = 0; j < v->v_stride; j++) {
		dst[j] = dst[j] - raw[j] + now[j];
		raw[j] = now[j];
	}
	ret = 0;
done:
	free(now);
	return ret;
}

enum period_kind
agg_kind(const struct agg *a)
{
	return a->a_kind;
}

uint32_t
agg_k(const struct agg *a)
{
	return a->a_k;
}

uint32_t
agg_k_comments(const struct agg *a)
{
	return a->a_kc;
}

bool
agg_has_version(const struct agg *a, uint32_t version)
{
	return agg_ver_find(a, version, NULL) != NULL;
}

uint32_t
agg_newest(const struct agg *a)
{
	return a->a_vers[a->a_nvers - 1].v_id;
}

int
agg_extent(const struct agg *a, int64_t *first_out, int64_t *last_out)
{
	int64_t	first;

	if (!a->a_sealed || !a->a_has_data)
		return -ENOENT;
	first = period_from_index(a->a_kind, a->a_first_idx);
	*first_out = first;
	*last_out = period_last_day(a->a_kind, period_from_index(a->a_kind,
	    a->a_first_idx + (int64_t)a->a_ncols - 1));
	return 0;
}

bool
agg_in_subtree(const struct agg *a, size_t u, size_t top)
{
	return u < a->a_nunits && top < a->a_nunits &&
	    suppress_in_subtree(&a->a_tree, u, top);
}

size_t
agg_bytes(const struct agg *a)
{
	return a->a_bytes;
}

/* ---------------------------------------------------------------- grids */

/*
 * The count grids of one query: totals over the family and one per
 * version, over whole years around the range so that every hint of
 * suppress_hint() can be judged.
 */
struct agg_grids {
	const struct agg	*g_agg;
	size_t			 g_ncols;
	int64_t			 g_first_idx;
	uint32_t		*g_tot;		/* [unit * ncols + col] */
	uint32_t		*g_part;	/* [v][unit * ncols + col] */
	struct suppress_grid	 g_total;
	struct suppress_grid	*g_vers;	/* [v] */
};

static void
agg_grids_free(struct agg_grids *g)
{
	free(g->g_tot);
	free(g->g_part);
	free(g->g_vers);
	memset(g, 0, sizeof(*g));
}

/* The agg column of grid column col, or -1 outside the data. */
static ptrdiff_t
agg_col(const struct agg_grids *g, size_t col)
{
	int64_t	c = g->g_first_idx + (int64_t)col - g->g_agg->a_first_idx;

	if (!g->g_agg->a_has_data || c < 0 || c >= (int64_t)g->g_agg->a_ncols)
		return -1;
	return (ptrdiff_t)c;
}

static int
agg_grids_make(const struct agg *a, int64_t from, int64_t to, uint32_t k,
    struct agg_grids *g)
{
	int64_t		 yfrom, yto, last_idx;
	size_t		 cells, u, col, v;
	ptrdiff_t	 ac;
	uint32_t	 n;
	int		 ret;

	memset(g, 0, sizeof(*g));
	g->g_agg = a;
	if ((ret = period_align(PERIOD_YEAR, from, to, &yfrom, &yto)) != 0)
		return ret;
	g->g_first_idx = period_index(a->a_kind, yfrom);
	last_idx = period_index(a->a_kind, yto);
	g->g_ncols = (size_t)(last_idx - g->g_first_idx + 1);
	cells = a->a_nunits * g->g_ncols;
	if (cells == 0)
		cells = 1;	/* a tree of no units: never queried */
	if ((g->g_tot = calloc(cells, sizeof(uint32_t))) == NULL ||
	    (g->g_part = calloc(cells * a->a_nvers, sizeof(uint32_t))) ==
	    NULL || (g->g_vers = calloc(a->a_nvers,
	    sizeof(*g->g_vers))) == NULL) {
		agg_grids_free(g);
		return -ENOMEM;
	}
	for (v = 0; v < a->a_nvers; v++) {
		const struct agg_ver	*ver = &a->a_vers[v];

		for (u = 0; u < a->a_nunits && ver->v_data != NULL; u++) {
			for (col = 0; col < g->g_ncols; col++) {
				if ((ac = agg_col(g, col)) < 0)
					continue;
				n = ver->v_data[(u * a->a_ncols + (size_t)ac) *
				    ver->v_stride];
				g->g_part[v * cells + u * g->g_ncols + col] = n;
				/* A total past 2^32 would need 4 billion
				 * responses in one cell: saturate. */
				g->g_tot[u * g->g_ncols + col] =
				    g->g_tot[u * g->g_ncols + col] >
				    UINT32_MAX - n ? UINT32_MAX :
				    g->g_tot[u * g->g_ncols + col] + n;
			}
		}
		g->g_vers[v].gr_tree = &a->a_tree;
		g->g_vers[v].gr_kind = a->a_kind;
		g->g_vers[v].gr_first = period_from_index(a->a_kind,
		    g->g_first_idx);
		g->g_vers[v].gr_nbuckets = g->g_ncols;
		g->g_vers[v].gr_counts = g->g_part + v * cells;
		g->g_vers[v].gr_k = k;
	}
	g->g_total = g->g_vers[0];
	g->g_total.gr_counts = g->g_tot;
	return 0;
}

static void
agg_grids_set_k(struct agg_grids *g, uint32_t k)
{
	size_t	v;

	g->g_total.gr_k = k;
	for (v = 0; v < g->g_agg->a_nvers; v++)
		g->g_vers[v].gr_k = k;
}

/* ---------------------------------------------------------------- rule */

/* The verdicts of a query's groups on every grid of agg_grids. */
struct agg_plan {
	struct suppress_group	*p_groups;	/* from the totals grid */
	size_t			 p_count;
	bool			*p_rel_total;	/* [i]: (a)'s total test */
	bool			*p_rel_parts;	/* [i]: (b) */
	uint64_t		*p_n;		/* [v * count + i] */
};

static void
agg_plan_free(struct agg_plan *p)
{
	suppress_groups_free(p->p_groups);
	free(p->p_rel_total);
	free(p->p_rel_parts);
	free(p->p_n);
	memset(p, 0, sizeof(*p));
}

static int
agg_sum_cell(void *ctx, size_t owner, size_t column, uint32_t n)
{
	uint64_t	*sum = ctx;

	(void)owner;
	(void)column;
	*sum += n;
	return 0;
}

/*
 * Judge the groups of sq on the totals and on every version's grid. With
 * p_n already filled (a second k), only the verdicts are redone.
 */
static int
agg_plan_make(const struct agg_grids *g, const struct suppress_query *sq,
    struct agg_plan *p)
{
	const struct agg	*a = g->g_agg;
	struct suppress_group	*vg = NULL;
	size_t			 count = 0, i, v;
	int			 ret;

	if ((ret = suppress_plan(&g->g_total, sq, &p->p_groups,
	    &p->p_count)) != 0)
		goto done;
	if ((p->p_rel_total = calloc(p->p_count + 1, sizeof(bool))) == NULL ||
	    (p->p_rel_parts = calloc(p->p_count + 1, sizeof(bool))) == NULL ||
	    (p->p_n = calloc(a->a_nvers * p->p_count + 1,
	    sizeof(uint64_t))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (i = 0; i < p->p_count; i++) {
		p->p_rel_total[i] = p->p_groups[i].grp_verdict ==
		    SUPPRESS_RELEASE;
		p->p_rel_parts[i] = p->p_rel_total[i];
	}
	for (v = 0; v < a->a_nvers; v++) {
		if ((ret = suppress_plan(&g->g_vers[v], sq, &vg, &count)) != 0)
			goto done;
		if (count != p->p_count) {
			ret = -EINVAL;	/* same tree, same query: cannot be */
			goto done;
		}
		for (i = 0; i < count; i++) {
			if (vg[i].grp_verdict != SUPPRESS_RELEASE)
				p->p_rel_parts[i] = false;
			if (vg[i].grp_verdict == SUPPRESS_POOLED)
				continue;
			if ((ret = suppress_group_cells(&g->g_vers[v], &vg[i],
			    agg_sum_cell, &p->p_n[v * p->p_count + i])) != 0)
				goto done;
		}
		suppress_groups_free(vg);
		vg = NULL;
	}
	ret = 0;
done:
	suppress_groups_free(vg);
	if (ret != 0)
		agg_plan_free(p);
	return ret;
}

/*
 * The rule for a number over the versions marked in in_s (agg.h: (a) or
 * (b)), for group i of p.
 */
static bool
agg_released(const struct agg *a, const struct agg_plan *p, size_t i,
    const bool *in_s)
{
	size_t	v;
	bool	covers = true;

	if (p->p_groups[i].grp_verdict == SUPPRESS_POOLED)
		return false;
	if (p->p_rel_parts[i])
		return true;
	for (v = 0; v < a->a_nvers; v++)
		if (!in_s[v] && p->p_n[v * p->p_count + i] != 0)
			covers = false;
	return covers && p->p_rel_total[i];
}

static uint64_t
agg_n(const struct agg *a, const struct agg_plan *p, size_t i,
    const bool *in_s)
{
	uint64_t	n = 0;
	size_t		v;

	for (v = 0; v < a->a_nvers; v++)
		if (in_s[v])
			n += p->p_n[v * p->p_count + i];
	return n;
}

/* ---------------------------------------------------------------- query */

/* What one results query works with. */
struct agg_run {
	const struct agg	*r_agg;
	const struct agg_query	*r_q;
	const struct agg_ver	*r_ref;		/* its questions are shown */
	bool			*r_in_s;	/* [v]: counted versions */
	ptrdiff_t		*r_map;		/* [v * nq + q]: v's index */
	bool			*r_in_sq;	/* [q * nvers + v] */
	size_t			 r_nq;
	struct agg_grids	 r_grids;
	struct suppress_query	 r_sq;
	struct agg_plan		 r_plan;	/* with k */
	struct agg_plan		 r_cplan;	/* with k of comments */
	bool			 r_has_cplan;
	/* merge accumulators, per ref question */
	uint32_t		*r_answered;	/* [q] */
	uint32_t		*r_counts;	/* [q * QTYPE_MAX_SLOTS] */
	size_t			 r_merge_v;	/* the version being merged */
	int			 r_err;
};

static void
agg_run_free(struct agg_run *r)
{
	free(r->r_in_s);
	free(r->r_map);
	free(r->r_in_sq);
	free(r->r_answered);
	free(r->r_counts);
	agg_plan_free(&r->r_plan);
	agg_plan_free(&r->r_cplan);
	agg_grids_free(&r->r_grids);
}

static int
agg_run_init(const struct agg *a, const struct agg_query *q,
    struct agg_run *r)
{
	const struct survey	*ref;
	const struct agg_ver	*ver;
	size_t			 v, qi, vq;
	int			 ret;

	memset(r, 0, sizeof(*r));
	r->r_agg = a;
	r->r_q = q;
	if (!a->a_sealed || q->aq_unit >= a->a_nunits ||
	    !period_aligned(a->a_kind, q->aq_from, q->aq_to))
		return -EINVAL;
	if (q->aq_version != 0) {
		if ((r->r_ref = agg_ver_find(a, q->aq_version, NULL)) == NULL)
			return -EINVAL;
	} else
		r->r_ref = &a->a_vers[a->a_nvers - 1];
	ref = r->r_ref->v_survey;
	r->r_nq = r->r_ref->v_nq;
	if ((r->r_in_s = calloc(a->a_nvers, sizeof(bool))) == NULL ||
	    (r->r_map = calloc(a->a_nvers * r->r_nq + 1,
	    sizeof(ptrdiff_t))) == NULL ||
	    (r->r_in_sq = calloc(a->a_nvers * r->r_nq + 1,
	    sizeof(bool))) == NULL ||
	    (r->r_answered = calloc(r->r_nq + 1, sizeof(uint32_t))) == NULL ||
	    (r->r_counts = calloc((r->r_nq + 1) * QTYPE_MAX_SLOTS,
	    sizeof(uint32_t))) == NULL)
		return -ENOMEM;
	for (v = 0; v < a->a_nvers; v++) {
		ver = &a->a_vers[v];
		r->r_in_s[v] = q->aq_version == 0 || ver->v_id == q->aq_version;
		for (qi = 0; qi < r->r_nq; qi++) {
			r->r_map[v * r->r_nq + qi] = -1;
			if (!r->r_in_s[v])
				continue;
			if (survey_question_find(ver->v_survey,
			    survey_question_id(ref, qi), &vq) != 0 ||
			    !survey_same_shape(ref, qi, ver->v_survey, vq))
				continue;
			r->r_map[v * r->r_nq + qi] = (ptrdiff_t)vq;
			r->r_in_sq[qi * a->a_nvers + v] = true;
		}
	}
	r->r_sq.qr_unit = q->aq_unit;
	r->r_sq.qr_from = q->aq_from;
	r->r_sq.qr_to = q->aq_to;
	r->r_sq.qr_by = q->aq_by;
	r->r_sq.qr_period = q->aq_by == SUPPRESS_BY_PERIOD ? q->aq_period :
	    a->a_kind;
	if ((ret = agg_grids_make(a, q->aq_from, q->aq_to, a->a_k,
	    &r->r_grids)) != 0)
		return ret;
	return agg_plan_make(&r->r_grids, &r->r_sq, &r->r_plan);
}

/* The comments verdicts (k of comments), made once when first needed. */
static int
agg_run_cplan(struct agg_run *r)
{
	int	ret;

	if (r->r_has_cplan)
		return 0;
	agg_grids_set_k(&r->r_grids, r->r_agg->a_kc);
	ret = agg_plan_make(&r->r_grids, &r->r_sq, &r->r_cplan);
	agg_grids_set_k(&r->r_grids, r->r_agg->a_k);
	if (ret == 0)
		r->r_has_cplan = true;
	return ret;
}

/* suppress_cell_fn: add version r_merge_v's cell into the accumulators. */
static int
agg_merge_cell(void *ctx, size_t owner, size_t column, uint32_t n)
{
	struct agg_run		*r = ctx;
	const struct agg	*a = r->r_agg;
	const struct agg_ver	*ver = &a->a_vers[r->r_merge_v];
	const uint32_t		*src;
	ptrdiff_t		 ac, vq;
	size_t			 qi, s;
	uint64_t		 sum;

	if (n == 0 || (ac = agg_col(&r->r_grids, column)) < 0)
		return 0;
	src = ver->v_data + (owner * a->a_ncols + (size_t)ac) * ver->v_stride;
	for (qi = 0; qi < r->r_nq; qi++) {
		if ((vq = r->r_map[r->r_merge_v * r->r_nq + qi]) < 0)
			continue;
		sum = (uint64_t)r->r_answered[qi] + src[ver->v_qoff[vq]];
		if (sum > UINT32_MAX)
			return -EOVERFLOW;
		r->r_answered[qi] = (uint32_t)sum;
		for (s = 0; s < ver->v_qslots[vq]; s++) {
			sum = (uint64_t)r->r_counts[qi * QTYPE_MAX_SLOTS + s] +
			    src[ver->v_qoff[vq] + 1 + s];
			if (sum > UINT32_MAX)
				return -EOVERFLOW;
			r->r_counts[qi * QTYPE_MAX_SLOTS + s] = (uint32_t)sum;
		}
	}
	return 0;
}

static int
agg_json_set(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL)
		return -ENOMEM;
	return json_object_set_new(obj, key, v) == 0 ? 0 : -ENOMEM;
}

static json_t *
agg_date(int64_t day)
{
	char	buf[16];

	if (util_format_date(day, buf, sizeof(buf)) != 0)
		return NULL;
	return json_string(buf);
}

static void
agg_stats_question(const struct survey *s, size_t qi,
    struct stats_question *sq)
{
	int	base = 0;

	memset(sq, 0, sizeof(*sq));
	sq->sq_type = survey_question_type(s, qi);
	switch (sq->sq_type) {
	case QTYPE_SMILEY:
		sq->sq_faces = (unsigned)survey_question_slots(s, qi);
		break;
	case QTYPE_SCALE:
		(void)survey_question_base(s, qi, &base);
		sq->sq_min = base;
		sq->sq_max = base + (int)survey_question_slots(s, qi) - 1;
		break;
	case QTYPE_CHOICE:
	case QTYPE_MULTI:
		sq->sq_options = (unsigned)survey_question_slots(s, qi);
		break;
	default:
		break;
	}
}

/* The statistics of question qi for released group i (merged already). */
static int
agg_question_json(struct agg_run *r, size_t i, size_t qi, json_t **out)
{
	const struct survey	*ref = r->r_ref->v_survey;
	const struct agg	*a = r->r_agg;
	const bool		*in_sq = &r->r_in_sq[qi * a->a_nvers];
	struct stats_question	 sq;
	struct stats_result	 res;
	json_t			*obj = NULL;
	uint64_t		 n;
	int			 ret;

	agg_stats_question(ref, qi, &sq);
	if (!agg_released(a, &r->r_plan, i, in_sq)) {
		obj = json_pack("{s:s, s:b, s:s}", "type",
		    qtype_name(sq.sq_type), "suppressed", 1, "reason",
		    "min_group");
		goto out;
	}
	n = agg_n(a, &r->r_plan, i, in_sq);
	if (n > UINT32_MAX)
		return -EOVERFLOW;
	if ((ret = stats_compute(&sq, &r->r_counts[qi * QTYPE_MAX_SLOTS],
	    survey_question_slots(ref, qi), r->r_answered[qi], (uint32_t)n,
	    &res)) != 0)
		return ret;
	if ((obj = stats_to_json(&res)) == NULL)
		return -ENOMEM;
	if ((ret = agg_json_set(obj, "type",
	    json_string(qtype_name(sq.sq_type)))) != 0)
		goto fail;
	if (sq.sq_type == QTYPE_TEXT &&
	    r->r_plan.p_groups[i].grp_scope == SUPPRESS_SUBTREE) {
		if ((ret = agg_run_cplan(r)) != 0)
			goto fail;
		if ((ret = agg_json_set(obj, "releasable", json_boolean(
		    agg_released(a, &r->r_cplan, i, in_sq)))) != 0)
			goto fail;
	}
out:
	if (obj == NULL)
		return -ENOMEM;
	*out = obj;
	return 0;
fail:
	json_decref(obj);
	return ret;
}

static int
agg_hint_json(struct agg_run *r, size_t i, json_t **out)
{
	const struct agg		*a = r->r_agg;
	const struct suppress_group	*grp = &r->r_plan.p_groups[i];
	struct suppress_hint		 h;
	json_t				*obj;
	bool				 all_versions;
	size_t				 v;
	int				 ret;

	if ((obj = json_object()) == NULL)
		return -ENOMEM;
	/* Released over every version: the version filter is the cause. */
	all_versions = true;
	for (v = 0; v < a->a_nvers; v++)
		all_versions = all_versions && r->r_in_s[v];
	if (!all_versions && grp->grp_verdict != SUPPRESS_POOLED &&
	    r->r_plan.p_rel_total[i]) {
		ret = agg_json_set(obj, "versions", json_string("all"));
		goto done;
	}
	if ((ret = suppress_hint(&a->a_tree, a->a_kind, grp,
	    suppress_grid_eval, &r->r_grids.g_total, &h)) != 0)
		goto done;
	if (h.hn_has_period && ((ret = agg_json_set(obj, "period",
	    json_string(period_name(h.hn_period)))) != 0 ||
	    (ret = agg_json_set(obj, "from", agg_date(h.hn_from))) != 0 ||
	    (ret = agg_json_set(obj, "to", agg_date(h.hn_to))) != 0))
		goto done;
	if (h.hn_has_unit && (ret = agg_json_set(obj, "pool_into",
	    json_integer(a->a_units[h.hn_unit].au_id))) != 0)
		goto done;
	ret = 0;
done:
	if (ret != 0) {
		json_decref(obj);
		return ret;
	}
	*out = obj;
	return 0;
}

static int
agg_group_json(struct agg_run *r, size_t i, json_t **out)
{
	const struct agg		*a = r->r_agg;
	const struct suppress_group	*grp = &r->r_plan.p_groups[i];
	json_t				*obj = NULL, *qs = NULL, *qj = NULL;
	json_t				*hint = NULL;
	size_t				 v, qi;
	int				 ret;

	if ((obj = json_object()) == NULL)
		return -ENOMEM;
	if ((ret = agg_json_set(obj, "unit",
	    json_integer(a->a_units[grp->grp_unit].au_id))) != 0 ||
	    (grp->grp_scope == SUPPRESS_OWN &&
	    (ret = agg_json_set(obj, "own", json_true())) != 0) ||
	    (ret = agg_json_set(obj, "from", agg_date(grp->grp_from))) != 0 ||
	    (ret = agg_json_set(obj, "to", agg_date(grp->grp_to))) != 0)
		goto done;
	if (!agg_released(a, &r->r_plan, i, r->r_in_s)) {
		/* Nothing derived from the group: no n, no statistic. */
		if ((ret = agg_hint_json(r, i, &hint)) != 0)
			goto done;
		if ((ret = agg_json_set(obj, "suppressed", json_true())) != 0 ||
		    (ret = agg_json_set(obj, "reason",
		    json_string("min_group"))) != 0)
			goto done;
		ret = agg_json_set(obj, "hint", hint);
		hint = NULL;
		goto done;
	}
	if ((ret = agg_json_set(obj, "n", json_integer((json_int_t)agg_n(a,
	    &r->r_plan, i, r->r_in_s)))) != 0)
		goto done;
	memset(r->r_answered, 0, r->r_nq * sizeof(uint32_t));
	memset(r->r_counts, 0, r->r_nq * QTYPE_MAX_SLOTS * sizeof(uint32_t));
	for (v = 0; v < a->a_nvers; v++) {
		if (!r->r_in_s[v] || a->a_vers[v].v_data == NULL)
			continue;
		r->r_merge_v = v;
		if ((ret = suppress_group_cells(&r->r_grids.g_vers[v], grp,
		    agg_merge_cell, r)) != 0)
			goto done;
	}
	if ((qs = json_object()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (qi = 0; qi < r->r_nq; qi++) {
		if ((ret = agg_question_json(r, i, qi, &qj)) != 0)
			goto done;
		if ((ret = agg_json_set(qs, survey_question_id(
		    r->r_ref->v_survey, qi), qj)) != 0) {
			qj = NULL;
			goto done;
		}
		qj = NULL;
	}
	ret = agg_json_set(obj, "questions", qs);
	qs = NULL;
done:
	json_decref(hint);
	json_decref(qs);
	if (ret != 0) {
		json_decref(obj);
		return ret;
	}
	*out = obj;
	return 0;
}

static const char *const agg_by_names[] = {
	[SUPPRESS_BY_NONE] = "none",
	[SUPPRESS_BY_PERIOD] = "period",
	[SUPPRESS_BY_UNIT] = "unit",
};

int
agg_results(const struct agg *a, const struct agg_query *q, json_t **out)
{
	struct agg_run	 r;
	json_t		*doc = NULL, *groups = NULL, *vers = NULL, *g = NULL;
	size_t		 i, v;
	int		 ret;

	if ((unsigned)q->aq_by > SUPPRESS_BY_UNIT)
		return -EINVAL;
	if ((ret = agg_run_init(a, q, &r)) != 0)
		goto done;
	if ((doc = json_object()) == NULL || (groups = json_array()) == NULL ||
	    (vers = json_array()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (v = 0; v < a->a_nvers; v++)
		if (r.r_in_s[v] && json_array_append_new(vers,
		    json_integer(a->a_vers[v].v_id)) != 0) {
			ret = -ENOMEM;
			goto done;
		}
	if ((ret = agg_json_set(doc, "survey", json_integer(q->aq_survey)))
	    != 0 || (ret = agg_json_set(doc, "unit",
	    json_integer(a->a_units[q->aq_unit].au_id))) != 0 ||
	    (ret = agg_json_set(doc, "from", agg_date(q->aq_from))) != 0 ||
	    (ret = agg_json_set(doc, "to", agg_date(q->aq_to))) != 0 ||
	    (ret = agg_json_set(doc, "by",
	    json_string(agg_by_names[q->aq_by]))) != 0 ||
	    (ret = agg_json_set(doc, "period",
	    json_string(period_name(a->a_kind)))) != 0 ||
	    (q->aq_by == SUPPRESS_BY_PERIOD && (ret = agg_json_set(doc,
	    "group_period", json_string(period_name(q->aq_period)))) != 0) ||
	    (ret = agg_json_set(doc, "k", json_integer(a->a_k))) != 0)
		goto done;
	ret = agg_json_set(doc, "versions", vers);
	vers = NULL;
	if (ret != 0)
		goto done;
	for (i = 0; i < r.r_plan.p_count; i++) {
		if ((ret = agg_group_json(&r, i, &g)) != 0)
			goto done;
		if (json_array_append_new(groups, g) != 0) {
			ret = -ENOMEM;
			goto done;
		}
	}
	ret = agg_json_set(doc, "groups", groups);
	groups = NULL;
	if (ret != 0)
		goto done;
	*out = doc;
	doc = NULL;
done:
	agg_run_free(&r);
	json_decref(vers);
	json_decref(groups);
	json_decref(doc);
	return ret;
}

int
agg_comments_release(const struct agg *a, const struct agg_query *q,
    const char *question, bool *released, uint64_t *n_out,
    uint32_t *versions_out, size_t *nv_out)
{
	struct agg_query	 q1 = *q;
	struct agg_run		 r;
	const bool		*in_sq;
	size_t			 qi, v, nv = 0;
	int			 ret;

	q1.aq_by = SUPPRESS_BY_NONE;
	if ((ret = agg_run_init(a, &q1, &r)) != 0)
		goto done;
	if (survey_question_find(r.r_ref->v_survey, question, &qi) != 0 ||
	    survey_question_type(r.r_ref->v_survey, qi) != QTYPE_TEXT) {
		ret = -ENOENT;
		goto done;
	}
	if ((ret = agg_run_cplan(&r)) != 0)
		goto done;
	in_sq = &r.r_in_sq[qi * a->a_nvers];
	for (v = 0; v < a->a_nvers; v++)
		if (in_sq[v])
			versions_out[nv++] = a->a_vers[v].v_id;
	*released = agg_released(a, &r.r_cplan, 0, in_sq);
	*n_out = *released ? agg_n(a, &r.r_cplan, 0, in_sq) : 0;
	*nv_out = nv;
	ret = 0;
done:
	agg_run_free(&r);
	return ret;
}
