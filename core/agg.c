/*
 * agg.c — one survey family's released cells in memory, and the results
 * queries answered from them (core/agg.h).
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "core/agg.h"
#include "core/answers.h"
#include "core/release.h"
#include "core/stats.h"
#include "core/survey.h"

/*
 * Bound on the dense arrays of one agg (units x buckets x counters x 4
 * bytes, per version): 200 units x 36 months x 80 counters is 2.3 MB; a
 * grid past this is refused rather than allowed to eat the host.
 */
#define AGG_MAX_BYTES	((size_t)512 << 20)
#define AGG_ROOT	((size_t)-1)	/* a_parent of a top-level unit */

struct agg_ver {
	uint32_t		 v_id;
	const struct survey	*v_survey;
	size_t			 v_nq;
	size_t			 v_stride;	/* 1 + sum(1 + slots) */
	size_t			*v_qoff;	/* [q]: answered's offset */
	unsigned		*v_qslots;	/* [q] */
	uint32_t		*v_data;	/* [(unit*ncols+col)*stride] */
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
	size_t			*a_parent;	/* [u]: index, or AGG_ROOT */
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
	free(a->a_parent);
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
	size_t		 i, p, steps;
	int		 ret;

	if (!period_valid(kind) || (nunits > 0 && units == NULL) ||
	    nunits > SIZE_MAX / sizeof(struct agg_unit) / 2) {
		ret = -EINVAL;
		goto done;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->a_units = calloc(nunits + 1, sizeof(*a->a_units))) == NULL ||
	    (a->a_parent = calloc(nunits + 1, sizeof(size_t))) == NULL ||
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
		if (a->a_units[i].au_parent == 0 ||
		    agg_unit_index(a, a->a_units[i].au_parent, &p) != 0)
			a->a_parent[i] = AGG_ROOT;
		else
			a->a_parent[i] = p;
	}
	/* Every walk up must reach a root within nunits steps. */
	for (i = 0; i < nunits; i++) {
		for (p = i, steps = 0; p != AGG_ROOT && steps <= nunits;
		    steps++)
			p = a->a_parent[p];
		if (p != AGG_ROOT) {
			ret = -EINVAL;
			goto done;
		}
	}
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
	a->a_k = release_k(a->a_k);
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

/* Cell c laid out as one row of v (v_stride counters); NULL: zeros. */
static void
agg_row(const struct agg_ver *v, const struct cell *c, uint32_t *dst)
{
	size_t	q;

	memset(dst, 0, v->v_stride * sizeof(uint32_t));
	if (c == NULL)
		return;
	dst[0] = c->c_n;
	for (q = 0; q < v->v_nq; q++) {
		dst[v->v_qoff[q]] = c->c_answered[q];
		memcpy(&dst[v->v_qoff[q] + 1], cell_hist(c, q),
		    v->v_qslots[q] * sizeof(uint32_t));
	}
}

int
agg_add_cell(struct agg *a, uint32_t version, uint32_t unit, uint32_t bucket,
    const struct cell *c)
{
	struct agg_ver		*v;
	struct agg_entry	*e;
	uint32_t		*dst;
	size_t			 vi, ui, cap;

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
	agg_row(v, c, a->a_pool + a->a_npool);
	a->a_npool += v->v_stride;
	return 0;
}

int
agg_seal(struct agg *a)
{
	struct agg_entry	*e;
	struct agg_ver		*v;
	int64_t			 lo = 0, hi = 0;
	size_t			 i, col, cells, total = 0;

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
		if (cells > AGG_MAX_BYTES / sizeof(uint32_t) / v->v_stride ||
		    total > AGG_MAX_BYTES - cells * v->v_stride *
		    sizeof(uint32_t))
			return -EFBIG;
		total += cells * v->v_stride * sizeof(uint32_t);
		if ((v->v_data = calloc(cells * v->v_stride,
		    sizeof(uint32_t))) == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < a->a_nents; i++) {
		e = &a->a_ents[i];
		v = &a->a_vers[e->e_ver];
		col = (size_t)(e->e_idx - a->a_first_idx);
		/* One cell a key: the row is this entry's alone. */
		memcpy(v->v_data + (e->e_unit * a->a_ncols + col) *
		    v->v_stride, a->a_pool + e->e_off,
		    v->v_stride * sizeof(uint32_t));
	}
	free(a->a_ents);
	free(a->a_pool);
	a->a_ents = NULL;
	a->a_pool = NULL;
	a->a_nents = a->a_capents = a->a_npool = a->a_cappool = 0;
	a->a_bytes = sizeof(*a) + total + a->a_nunits *
	    (sizeof(struct agg_unit) + sizeof(size_t));
	a->a_sealed = true;
	return 0;
}

int
agg_update_cell(struct agg *a, uint32_t version, uint32_t unit,
    uint32_t bucket, const struct cell *c)
{
	struct agg_ver	*v;
	size_t		 vi, ui;
	int64_t		 idx;

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
	agg_row(v, c, v->v_data + (ui * a->a_ncols +
	    (size_t)(idx - a->a_first_idx)) * v->v_stride);
	return 0;
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

bool
agg_in_subtree(const struct agg *a, size_t u, size_t top)
{
	size_t	steps;

	if (u >= a->a_nunits || top >= a->a_nunits)
		return false;
	/* agg_new() checked that every walk ends within nunits steps. */
	for (steps = 0; u != AGG_ROOT && steps <= a->a_nunits; steps++) {
		if (u == top)
			return true;
		u = a->a_parent[u];
	}
	return false;
}

/* in[u] = whether unit u is top or below it, for every unit. */
static void
agg_subtree_mark(const struct agg *a, size_t top, bool *in)
{
	size_t	u;

	for (u = 0; u < a->a_nunits; u++)
		in[u] = agg_in_subtree(a, u, top);
}

int
agg_extent(const struct agg *a, size_t u, int64_t *first_out,
    int64_t *last_out)
{
	const struct agg_ver	*v;
	bool			*in = NULL;
	size_t			 vi, w, col, lo = SIZE_MAX, hi = 0;
	int			 ret;

	if (!a->a_sealed || u >= a->a_nunits) {
		ret = -EINVAL;
		goto done;
	}
	if ((in = calloc(a->a_nunits, sizeof(bool))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	agg_subtree_mark(a, u, in);
	for (vi = 0; vi < a->a_nvers; vi++) {
		v = &a->a_vers[vi];
		for (w = 0; w < a->a_nunits && v->v_data != NULL; w++) {
			if (!in[w])
				continue;
			for (col = 0; col < a->a_ncols; col++) {
				if (v->v_data[(w * a->a_ncols + col) *
				    v->v_stride] == 0)
					continue;
				if (col < lo)
					lo = col;
				if (col > hi)
					hi = col;
			}
		}
	}
	if (lo == SIZE_MAX) {
		ret = -ENOENT;
		goto done;
	}
	*first_out = period_from_index(a->a_kind,
	    a->a_first_idx + (int64_t)lo);
	*last_out = period_last_day(a->a_kind, period_from_index(a->a_kind,
	    a->a_first_idx + (int64_t)hi));
	ret = 0;
done:
	free(in);
	return ret;
}

size_t
agg_bytes(const struct agg *a)
{
	return a->a_bytes;
}

/* ---------------------------------------------------------------- query */

/* What one results query works with. */
struct agg_run {
	const struct agg	*r_agg;
	const struct agg_query	*r_q;
	const struct agg_ver	*r_ref;		/* its questions are shown */
	bool			*r_in_s;	/* [v]: counted versions */
	ptrdiff_t		*r_map;		/* [v * nq + q]: v's index */
	size_t			 r_nq;
	bool			*r_units;	/* [u]: in the group */
	/* sums of the group being built */
	uint64_t		 r_n;
	uint64_t		*r_nq_n;	/* [q]: n of q's versions */
	uint64_t		*r_answered;	/* [q] */
	uint64_t		*r_counts;	/* [q * QTYPE_MAX_SLOTS] */
};

static void
agg_run_free(struct agg_run *r)
{
	free(r->r_in_s);
	free(r->r_map);
	free(r->r_units);
	free(r->r_nq_n);
	free(r->r_answered);
	free(r->r_counts);
}

static int
agg_run_init(const struct agg *a, const struct agg_query *q,
    struct agg_run *r)
{
	const struct survey	*ref;
	const struct agg_ver	*ver;
	size_t			 v, qi, vq;

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
	    (r->r_units = calloc(a->a_nunits + 1, sizeof(bool))) == NULL ||
	    (r->r_nq_n = calloc(r->r_nq + 1, sizeof(uint64_t))) == NULL ||
	    (r->r_answered = calloc(r->r_nq + 1, sizeof(uint64_t))) == NULL ||
	    (r->r_counts = calloc((r->r_nq + 1) * QTYPE_MAX_SLOTS,
	    sizeof(uint64_t))) == NULL)
		return -ENOMEM;
	for (v = 0; v < a->a_nvers; v++) {
		ver = &a->a_vers[v];
		r->r_in_s[v] = q->aq_version == 0 || ver->v_id == q->aq_version;
		for (qi = 0; qi < r->r_nq; qi++) {
			r->r_map[v * r->r_nq + qi] = -1;
			if (!r->r_in_s[v] ||
			    survey_question_find(ver->v_survey,
			    survey_question_id(ref, qi), &vq) != 0 ||
			    !survey_same_shape(ref, qi, ver->v_survey, vq))
				continue;
			r->r_map[v * r->r_nq + qi] = (ptrdiff_t)vq;
		}
	}
	return 0;
}

/* Add row src of version v into the group's sums. */
static void
agg_run_add(struct agg_run *r, size_t v, const uint32_t *src)
{
	const struct agg_ver	*ver = &r->r_agg->a_vers[v];
	ptrdiff_t		 vq;
	size_t			 qi, s;

	r->r_n += src[0];
	for (qi = 0; qi < r->r_nq; qi++) {
		if ((vq = r->r_map[v * r->r_nq + qi]) < 0)
			continue;
		r->r_nq_n[qi] += src[0];
		r->r_answered[qi] += src[ver->v_qoff[vq]];
		for (s = 0; s < ver->v_qslots[vq]; s++)
			r->r_counts[qi * QTYPE_MAX_SLOTS + s] +=
			    src[ver->v_qoff[vq] + 1 + s];
	}
}

/*
 * Sum the released cells of the units marked in r_units over the buckets
 * of [from, to] (aligned to the family's kind) and every counted version.
 */
static void
agg_run_sum(struct agg_run *r, int64_t from, int64_t to)
{
	const struct agg	*a = r->r_agg;
	const struct agg_ver	*ver;
	int64_t			 lo, hi;
	size_t			 v, u, col;

	r->r_n = 0;
	memset(r->r_nq_n, 0, r->r_nq * sizeof(uint64_t));
	memset(r->r_answered, 0, r->r_nq * sizeof(uint64_t));
	memset(r->r_counts, 0, r->r_nq * QTYPE_MAX_SLOTS * sizeof(uint64_t));
	if (!a->a_has_data)
		return;
	lo = period_index(a->a_kind, from) - a->a_first_idx;
	hi = period_index(a->a_kind, to) - a->a_first_idx;
	if (lo < 0)
		lo = 0;
	if (hi >= (int64_t)a->a_ncols)
		hi = (int64_t)a->a_ncols - 1;
	for (v = 0; v < a->a_nvers; v++) {
		ver = &a->a_vers[v];
		if (!r->r_in_s[v] || ver->v_data == NULL)
			continue;
		for (u = 0; u < a->a_nunits; u++) {
			if (!r->r_units[u])
				continue;
			for (col = (size_t)lo; (int64_t)col <= hi; col++)
				agg_run_add(r, v, ver->v_data +
				    (u * a->a_ncols + col) * ver->v_stride);
		}
	}
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

/* The statistics of question qi over the group just summed. */
static int
agg_question_json(const struct agg_run *r, size_t qi, json_t **out)
{
	const struct survey	*ref = r->r_ref->v_survey;
	struct stats_question	 sq;
	struct stats_result	 res;
	uint32_t		 counts[QTYPE_MAX_SLOTS];
	json_t			*obj = NULL;
	size_t			 s, nslots = survey_question_slots(ref, qi);
	int			 ret;

	agg_stats_question(ref, qi, &sq);
	/* Four billion responses in one group: the store is corrupt. */
	if (r->r_nq_n[qi] > UINT32_MAX || nslots > QTYPE_MAX_SLOTS) {
		ret = -EOVERFLOW;
		goto done;
	}
	for (s = 0; s < nslots; s++)
		counts[s] = (uint32_t)r->r_counts[qi * QTYPE_MAX_SLOTS + s];
	if ((ret = stats_compute(&sq, counts, nslots,
	    (uint32_t)r->r_answered[qi], (uint32_t)r->r_nq_n[qi], &res)) != 0)
		goto done;
	if ((obj = stats_to_json(&res)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = agg_json_set(obj, "type",
	    json_string(qtype_name(sq.sq_type)))) != 0)
		goto done;
	*out = obj;
	obj = NULL;
done:
	json_decref(obj);
	return ret;
}

/*
 * One group: the units marked in r_units over [from, to]. own: the
 * unit's own cells (by=unit); pool: a child that pools.
 */
static int
agg_group_json(struct agg_run *r, size_t unit, bool own, bool pool,
    int64_t from, int64_t to, json_t **out)
{
	const struct agg	*a = r->r_agg;
	json_t			*obj = NULL, *qs = NULL, *qj = NULL;
	size_t			 qi;
	int			 ret;

	agg_run_sum(r, from, to);
	if (r->r_n > UINT32_MAX) {
		ret = -EOVERFLOW;
		goto done;
	}
	if ((obj = json_object()) == NULL || (qs = json_object()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = agg_json_set(obj, "unit",
	    json_integer(a->a_units[unit].au_id))) != 0 ||
	    (own && (ret = agg_json_set(obj, "own", json_true())) != 0) ||
	    (pool && (ret = agg_json_set(obj, "pool", json_true())) != 0) ||
	    (ret = agg_json_set(obj, "from", agg_date(from))) != 0 ||
	    (ret = agg_json_set(obj, "to", agg_date(to))) != 0 ||
	    (ret = agg_json_set(obj, "n",
	    json_integer((json_int_t)r->r_n))) != 0)
		goto done;
	for (qi = 0; qi < r->r_nq; qi++) {
		if ((ret = agg_question_json(r, qi, &qj)) != 0)
			goto done;
		if ((ret = agg_json_set(qs, survey_question_id(
		    r->r_ref->v_survey, qi), qj)) != 0)
			goto done;
	}
	ret = agg_json_set(obj, "questions", qs);
	qs = NULL;
	if (ret != 0)
		goto done;
	*out = obj;
	obj = NULL;
done:
	json_decref(qs);
	json_decref(obj);
	return ret;
}

static int
agg_append(json_t *arr, json_t *v)
{
	return json_array_append_new(arr, v) == 0 ? 0 : -ENOMEM;
}

/* The groups of q, in reply order, onto arr. */
static int
agg_groups(struct agg_run *r, json_t *arr)
{
	const struct agg	*a = r->r_agg;
	const struct agg_query	*q = r->r_q;
	json_t			*g = NULL;
	int64_t			 b, end;
	size_t			 c;
	int			 ret = 0;

	switch (q->aq_by) {
	case AGG_BY_NONE:
		agg_subtree_mark(a, q->aq_unit, r->r_units);
		if ((ret = agg_group_json(r, q->aq_unit, false, false,
		    q->aq_from, q->aq_to, &g)) != 0 ||
		    (ret = agg_append(arr, g)) != 0)
			goto done;
		break;
	case AGG_BY_PERIOD:
		agg_subtree_mark(a, q->aq_unit, r->r_units);
		for (b = q->aq_from; b <= q->aq_to; b = end + 1) {
			end = period_last_day(q->aq_period, b);
			if ((ret = agg_group_json(r, q->aq_unit, false, false,
			    b, end, &g)) != 0 ||
			    (ret = agg_append(arr, g)) != 0)
				goto done;
		}
		break;
	case AGG_BY_UNIT:
		memset(r->r_units, 0, a->a_nunits * sizeof(bool));
		r->r_units[q->aq_unit] = true;
		if ((ret = agg_group_json(r, q->aq_unit, true, false,
		    q->aq_from, q->aq_to, &g)) != 0 ||
		    (ret = agg_append(arr, g)) != 0)
			goto done;
		/* Children in index order, which is id order. */
		for (c = 0; c < a->a_nunits; c++) {
			if (a->a_parent[c] != q->aq_unit)
				continue;
			agg_subtree_mark(a, c, r->r_units);
			if ((ret = agg_group_json(r, c, false,
			    a->a_units[c].au_pool, q->aq_from, q->aq_to,
			    &g)) != 0 || (ret = agg_append(arr, g)) != 0)
				goto done;
		}
		break;
	default:
		ret = -EINVAL;
		goto done;
	}
	ret = 0;
done:
	return ret;
}

static const char *const agg_by_names[] = {
	[AGG_BY_NONE] = "none",
	[AGG_BY_PERIOD] = "period",
	[AGG_BY_UNIT] = "unit",
};

int
agg_results(const struct agg *a, const struct agg_query *q, json_t **out)
{
	struct agg_run	 r;
	json_t		*doc = NULL, *groups = NULL, *vers = NULL;
	size_t		 v;
	int		 ret;

	memset(&r, 0, sizeof(r));
	if ((unsigned)q->aq_by > AGG_BY_UNIT || (q->aq_by == AGG_BY_PERIOD &&
	    (!period_nests(a->a_kind, q->aq_period) ||
	    !period_aligned(q->aq_period, q->aq_from, q->aq_to)))) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = agg_run_init(a, q, &r)) != 0)
		goto done;
	if ((doc = json_object()) == NULL || (groups = json_array()) == NULL ||
	    (vers = json_array()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (v = 0; v < a->a_nvers; v++)
		if (r.r_in_s[v] && (ret = agg_append(vers,
		    json_integer(a->a_vers[v].v_id))) != 0)
			goto done;
	if ((ret = agg_json_set(doc, "survey", json_integer(q->aq_survey)))
	    != 0 || (ret = agg_json_set(doc, "unit",
	    json_integer(a->a_units[q->aq_unit].au_id))) != 0 ||
	    (ret = agg_json_set(doc, "from", agg_date(q->aq_from))) != 0 ||
	    (ret = agg_json_set(doc, "to", agg_date(q->aq_to))) != 0 ||
	    (ret = agg_json_set(doc, "by",
	    json_string(agg_by_names[q->aq_by]))) != 0 ||
	    (ret = agg_json_set(doc, "period",
	    json_string(period_name(a->a_kind)))) != 0 ||
	    (q->aq_by == AGG_BY_PERIOD && (ret = agg_json_set(doc,
	    "group_period", json_string(period_name(q->aq_period)))) != 0) ||
	    (ret = agg_json_set(doc, "k", json_integer(a->a_k))) != 0 ||
	    (ret = agg_json_set(doc, "k_comments",
	    json_integer(a->a_kc))) != 0)
		goto done;
	ret = agg_json_set(doc, "versions", vers);
	vers = NULL;
	if (ret != 0 || (ret = agg_groups(&r, groups)) != 0)
		goto done;
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
agg_text_versions(const struct agg *a, const struct agg_query *q,
    const char *question, uint32_t *versions_out, size_t *nv_out)
{
	struct agg_run	 r;
	size_t		 qi, v, nv = 0;
	int		 ret;

	if ((ret = agg_run_init(a, q, &r)) != 0)
		goto done;
	if (survey_question_find(r.r_ref->v_survey, question, &qi) != 0 ||
	    survey_question_type(r.r_ref->v_survey, qi) != QTYPE_TEXT) {
		ret = -ENOENT;
		goto done;
	}
	for (v = 0; v < a->a_nvers; v++)
		if (r.r_map[v * r.r_nq + qi] >= 0)
			versions_out[nv++] = a->a_vers[v].v_id;
	*nv_out = nv;
	ret = 0;
done:
	agg_run_free(&r);
	return ret;
}
