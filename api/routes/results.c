/*
 * results.c — the results, results.csv and comments routes: scope and
 * query, the cached model of a survey, the engine (core/agg.h), CSV, and
 * the audit entry that must commit before the reply leaves.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/adminjob.h"
#include "core/agg.h"
#include "api/api.h"
#include "core/audit.h"
#include "core/cells.h"
#include "common/codec.h"
#include "core/csv.h"
#include "api/routes/routes.h"
#include "api/offload.h"
#include "api/routes/results.h"
#include "api/rquery.h"
#include "core/rscan.h"
#include "api/state.h"
#include "core/survey.h"
#include "core/catalog.h"
#include "core/units.h"
#include "common/log.h"
#include "common/util.h"
#include "storage/storage.h"

/*
 * Decoded surveys kept: each holds its versions, the unit tree and its
 * cells (2-3 MB for 200 units over 3 years of months); a dashboard user
 * looks at a handful of surveys at a time.
 */
#define RESULTS_MODELS		8
/* Recent replies: the dashboard asks the same few queries again. */
#define RESULTS_BODIES		64
#define RESULTS_BODY_MAX	(512 * 1024)	/* larger ones not kept */
/* A range longer than this is a mistake, not a question (weeks: 2600). */
#define RESULTS_MAX_DAYS	(50 * 366)
/*
 * Cell keys the store's journal remembers (48 bytes each): a model synced
 * more than this many cell changes ago is read again whole.
 */
#define RESULTS_JOURNAL		16384
/* Comments of one group: far more than anyone reads; bounds the reply. */
#define RESULTS_COMMENTS_MAX	10000

enum results_gen { RG_CELLS, RG_UNITS, RG_SURVEYS, RG_COUNT };

enum results_route { RR_JSON, RR_CSV, RR_COMMENTS };

static const char *const results_actions[] = {
	[RR_JSON] = "results.read",
	[RR_CSV] = "results.csv",
	[RR_COMMENTS] = "comments.read",
};

/* What the queries on one survey are computed from. */
struct results_model {
	uint32_t		 rm_survey;
	uint64_t		 rm_gen[RG_COUNT];
	uint32_t		 rm_current;
	uint32_t		 rm_nversions;
	struct survey		**rm_versions;	/* [v - 1]; NULL if missing */
	struct units_tree	*rm_tree;
	struct agg		*rm_aggs[PERIOD_COUNT];	/* built on demand */
	bool			 rm_cached;	/* owned by the cache */
	uint64_t		 rm_used;
};

struct results_body {
	char		*rb_key;	/* NULL: a free slot */
	uint64_t	 rb_gen[RG_COUNT];
	char		*rb_body;
	size_t		 rb_len;
	uint64_t	 rb_used;
};

struct results_cache {
	struct results_model	*rc_models[RESULTS_MODELS];
	struct results_body	 rc_bodies[RESULTS_BODIES];
	uint64_t		 rc_tick;
};

/* One request on its way: filled by results_prepare(). */
struct results_req {
	struct api_ctx		*rr_ctx;
	struct api_req		*rr_req;
	enum results_route	 rr_route;
	uint32_t		 rr_survey;
	struct rquery		 rr_q;
	struct storage_txn	*rr_txn;
	uint64_t		 rr_gen[RG_COUNT];
	bool			 rr_fresh;	/* generations held still */
	struct results_model	*rr_model;
	struct agg		*rr_agg;	/* borrowed from the model */
	const struct survey	*rr_ref;	/* the version shown */
	uint32_t		 rr_unit;
	size_t			 rr_unit_index;
};

/* The audit entry and the reply that waits for it. */
struct results_job {
	struct api_req	*rj_req;
	char		 rj_who[64];
	const char	*rj_action;
	json_t		*rj_detail;
	char		*rj_body;
	size_t		 rj_len;
	const char	*rj_ctype;
	bool		 rj_csv;
};

/* ---------------------------------------------------------------- cache */

static void
results_model_free(struct results_model *m)
{
	uint32_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < PERIOD_COUNT; i++)
		agg_free(m->rm_aggs[i]);
	for (i = 0; i < m->rm_nversions; i++)
		survey_free(m->rm_versions[i]);
	free(m->rm_versions);
	units_tree_free(m->rm_tree);
	free(m);
}

static void
results_body_clear(struct results_body *b)
{
	free(b->rb_key);
	free(b->rb_body);
	memset(b, 0, sizeof(*b));
}

struct results_cache *
results_cache_new(struct storage *st)
{
	/*
	 * The journal of changed cells lets a model follow new responses
	 * by reading only their cells. Without it (-EEXIST: another context
	 * of this store keeps it), models are read again whole: slower, as
	 * correct.
	 */
	if (st != NULL)
		(void)storage_journal_keep(st, STORAGE_DB_CELLS,
		    RESULTS_JOURNAL);
	return calloc(1, sizeof(struct results_cache));
}

void
results_cache_free(struct results_cache *rc)
{
	size_t	i;

	if (rc == NULL)
		return;
	for (i = 0; i < RESULTS_MODELS; i++)
		results_model_free(rc->rc_models[i]);
	for (i = 0; i < RESULTS_BODIES; i++)
		results_body_clear(&rc->rc_bodies[i]);
	free(rc);
}

static void
results_gens(struct storage *st, uint64_t gen[RG_COUNT])
{
	gen[RG_CELLS] = storage_generation(st, STORAGE_DB_CELLS);
	gen[RG_UNITS] = storage_generation(st, STORAGE_DB_UNITS);
	gen[RG_SURVEYS] = storage_generation(st, STORAGE_DB_SURVEYS);
}

static bool
results_gen_eq(const uint64_t a[RG_COUNT], const uint64_t b[RG_COUNT])
{
	return memcmp(a, b, RG_COUNT * sizeof(uint64_t)) == 0;
}

static struct results_cache *
results_cache(struct api_ctx *ctx)
{
	return ctx->ac_state != NULL ? ctx->ac_results : NULL;
}

/* Read a survey's versions and the unit tree into a new model. */
static int
results_model_load(struct storage_txn *txn, uint32_t survey,
    struct results_model **out)
{
	struct results_model	*m = NULL;
	uint32_t		 v;
	int			 ret;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	m->rm_survey = survey;
	if ((ret = catalog_current_version(txn, survey, &m->rm_current)) != 0)
		goto done;
	if ((m->rm_versions = calloc(m->rm_current,
	    sizeof(*m->rm_versions))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	m->rm_nversions = m->rm_current;
	for (v = 1; v <= m->rm_current; v++) {
		ret = catalog_load(txn, survey, v, &m->rm_versions[v - 1],
		    NULL);
		if (ret == -ENOENT)
			continue;	/* never stored: skipped */
		if (ret != 0)
			goto done;
	}
	if (m->rm_versions[m->rm_current - 1] == NULL) {
		ret = -EBADMSG;
		goto done;
	}
	if ((ret = units_tree_load(txn, &m->rm_tree)) != 0)
		goto done;
	*out = m;
	m = NULL;
	ret = 0;
done:
	results_model_free(m);
	return ret;
}

struct results_sync {
	struct results_req	*rs_rr;
	struct results_model	*rs_m;
};

/* One cell key the journal names: read it again into every agg. */
static int
results_sync_key(const void *key, size_t klen, void *arg)
{
	struct results_sync	*rs = arg;
	struct cells_id		 id;
	struct cell		*c = NULL;
	size_t			 k;
	int			 rc;

	if (klen != CELLS_KEYLEN)
		return -EBADMSG;
	cells_key_parse(key, &id);
	if (id.ci_survey != rs->rs_rr->rr_survey)
		return 0;
	rc = cells_get(rs->rs_rr->rr_txn, &id, &c);
	if (rc != 0 && rc != -ENOENT)
		return rc;
	for (rc = 0, k = 0; rc == 0 && k < PERIOD_COUNT; k++)
		if (rs->rs_m->rm_aggs[k] != NULL)
			rc = agg_update_cell(rs->rs_m->rm_aggs[k],
			    id.ci_version, id.ci_unit, id.ci_bucket, c);
	cell_free(c);
	return rc;
}

/*
 * Bring model m up to the request's generations when only cells changed
 * since, and the journal knows which: new responses then cost a read of
 * their cells, not of all. Non-zero: m is unusable (perhaps half
 * updated) and must be read again whole.
 */
static int
results_model_sync(struct results_req *rr, struct results_model *m)
{
	struct results_sync	rs = { rr, m };
	int			rc;

	if (m->rm_gen[RG_UNITS] != rr->rr_gen[RG_UNITS] ||
	    m->rm_gen[RG_SURVEYS] != rr->rr_gen[RG_SURVEYS])
		return -ESTALE;
	if ((rc = storage_journal_read(rr->rr_ctx->ac_store, STORAGE_DB_CELLS,
	    m->rm_gen[RG_CELLS], rr->rr_gen[RG_CELLS], results_sync_key,
	    &rs)) != 0)
		return rc;
	memcpy(m->rm_gen, rr->rr_gen, sizeof(m->rm_gen));
	return 0;
}

/*
 * The model of survey: the cached one when its generations are the
 * request's and they held still while its transaction began (brought up
 * to date from the journal when only cells changed), else a new one (kept
 * in the cache when it may be).
 */
static int
results_model_get(struct results_req *rr)
{
	struct results_cache	*rc = results_cache(rr->rr_ctx);
	struct results_model	*m = NULL, **slot = NULL;
	size_t			 i;
	int			 ret;

	if (rc != NULL && rr->rr_fresh) {
		for (i = 0; i < RESULTS_MODELS; i++) {
			m = rc->rc_models[i];
			if (m == NULL || m->rm_survey != rr->rr_survey)
				continue;
			if (results_gen_eq(m->rm_gen, rr->rr_gen)) {
				m->rm_used = ++rc->rc_tick;
				rr->rr_model = m;
				return 0;
			}
			if (results_model_sync(rr, m) == 0) {
				log_debug("results: survey %u: cells synced "
				    "from the journal", rr->rr_survey);
				m->rm_used = ++rc->rc_tick;
				rr->rr_model = m;
				return 0;
			}
			break;	/* stale: replaced below */
		}
	}
	if ((ret = results_model_load(rr->rr_txn, rr->rr_survey, &m)) != 0)
		return ret;
	log_debug("results: survey %u: model read whole", rr->rr_survey);
	memcpy(m->rm_gen, rr->rr_gen, sizeof(m->rm_gen));
	rr->rr_model = m;
	if (rc == NULL || !rr->rr_fresh)
		return 0;
	/* The same survey's stale model, a free slot, or the oldest. */
	for (i = 0; i < RESULTS_MODELS; i++) {
		if (rc->rc_models[i] != NULL &&
		    rc->rc_models[i]->rm_survey == rr->rr_survey) {
			slot = &rc->rc_models[i];
			break;
		}
		if (slot == NULL || (*slot != NULL && (rc->rc_models[i] ==
		    NULL || rc->rc_models[i]->rm_used < (*slot)->rm_used)))
			slot = &rc->rc_models[i];
	}
	results_model_free(*slot);
	*slot = m;
	m->rm_cached = true;
	m->rm_used = ++rc->rc_tick;
	return 0;
}

struct results_fill {
	struct agg	*rf_agg;
};

static int
results_fill_cell(const struct cells_id *id, const struct cell *c, void *arg)
{
	struct results_fill	*rf = arg;

	return agg_add_cell(rf->rf_agg, id->ci_version, id->ci_unit,
	    id->ci_bucket, c);
}

/* The model's agg of kind, read from the cells when first needed. */
static int
results_model_agg(struct results_req *rr, enum period_kind kind)
{
	struct results_model	*m = rr->rr_model;
	struct agg_version	*vers = NULL;
	struct agg_unit		*units = NULL;
	const struct units_node	*node;
	struct results_fill	 rf;
	struct agg		*a = NULL;
	size_t			 i, nunits, nv = 0;
	int			 ret;

	if (m->rm_aggs[kind] != NULL) {
		rr->rr_agg = m->rm_aggs[kind];
		return 0;
	}
	nunits = units_tree_count(m->rm_tree);
	if ((units = calloc(nunits + 1, sizeof(*units))) == NULL ||
	    (vers = calloc(m->rm_nversions + 1, sizeof(*vers))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (i = 0; i < nunits; i++) {
		node = units_tree_at(m->rm_tree, i);
		units[i].au_id = node->un_id;
		units[i].au_parent = node->un_parent;
		units[i].au_pool = node->un_pool;
	}
	for (i = 0; i < m->rm_nversions; i++) {
		if (m->rm_versions[i] == NULL)
			continue;
		vers[nv].av_id = (uint32_t)i + 1;
		vers[nv].av_survey = m->rm_versions[i];
		nv++;
	}
	if ((ret = agg_new(units, nunits, vers, nv, kind, &a)) != 0)
		goto done;
	rf.rf_agg = a;
	if ((ret = cells_each(rr->rr_txn, rr->rr_survey, results_fill_cell,
	    &rf)) != 0 || (ret = agg_seal(a)) != 0)
		goto done;
	m->rm_aggs[kind] = a;
	rr->rr_agg = a;
	a = NULL;
	ret = 0;
done:
	agg_free(a);
	free(units);
	free(vers);
	return ret;
}

static struct results_body *
results_body_find(struct results_req *rr, const char *key)
{
	struct results_cache	*rc = results_cache(rr->rr_ctx);
	size_t			 i;

	if (rc == NULL || !rr->rr_fresh)
		return NULL;
	for (i = 0; i < RESULTS_BODIES; i++) {
		if (rc->rc_bodies[i].rb_key != NULL &&
		    strcmp(rc->rc_bodies[i].rb_key, key) == 0 &&
		    results_gen_eq(rc->rc_bodies[i].rb_gen, rr->rr_gen)) {
			rc->rc_bodies[i].rb_used = ++rc->rc_tick;
			return &rc->rc_bodies[i];
		}
	}
	return NULL;
}

/* Keep a copy of a reply; a failure only costs a later recomputation. */
static void
results_body_keep(struct results_req *rr, const char *key, const char *body,
    size_t len)
{
	struct results_cache	*rc = results_cache(rr->rr_ctx);
	struct results_body	*slot = NULL;
	size_t			 i;

	if (rc == NULL || !rr->rr_fresh || len > RESULTS_BODY_MAX)
		return;
	for (i = 0; i < RESULTS_BODIES; i++) {
		if (rc->rc_bodies[i].rb_key == NULL) {
			slot = &rc->rc_bodies[i];
			break;
		}
		if (slot == NULL || rc->rc_bodies[i].rb_used < slot->rb_used)
			slot = &rc->rc_bodies[i];
	}
	results_body_clear(slot);
	if ((slot->rb_key = strdup(key)) == NULL ||
	    (slot->rb_body = malloc(len + 1)) == NULL) {
		results_body_clear(slot);
		return;
	}
	memcpy(slot->rb_body, body, len);
	slot->rb_body[len] = '\0';
	slot->rb_len = len;
	memcpy(slot->rb_gen, rr->rr_gen, sizeof(slot->rb_gen));
	slot->rb_used = ++rc->rc_tick;
}

/* ---------------------------------------------------------------- audit */

static void
results_job_free(struct results_job *j)
{
	if (j == NULL)
		return;
	json_decref(j->rj_detail);
	if (j->rj_body != NULL) {
		/* Comments travel in it. */
		sodium_memzero(j->rj_body, j->rj_len);
		free(j->rj_body);
	}
	free(j);
}

/* Writer thread: the audit entry of the read. */
static int
results_audit_apply(struct storage_txn *txn, void *arg)
{
	struct results_job	*j = arg;

	json_incref(j->rj_detail);	/* audit_append steals it */
	return audit_append(txn, j->rj_who[0] != '\0' ? j->rj_who : "-",
	    j->rj_action, j->rj_detail);
}

/* Event loop, after the commit: now the read may be answered. */
static void
results_audit_done(int rc, void *arg)
{
	struct results_job	*j = arg;
	char			*body;

	if (rc != 0) {
		log_warnx("%s: the audit entry did not commit (%d); the read "
		    "is refused", j->rj_action, rc);
		api_reply_errorf(j->rj_req, ERR_UNAVAILABLE, NULL,
		    "the read could not be recorded in the audit log; try "
		    "again");
		results_job_free(j);
		return;
	}
	body = j->rj_body;
	j->rj_body = NULL;
	if (j->rj_csv)
		api_reply_raw(j->rj_req, 200, j->rj_ctype, body, j->rj_len,
		    "Content-Disposition", "attachment; "
		    "filename=\"results.csv\"", "Cache-Control", "no-store",
		    NULL);
	else
		api_reply_raw(j->rj_req, 200, j->rj_ctype, body, j->rj_len,
		    "Cache-Control", "no-store", NULL);
	results_job_free(j);
}

static json_t *
results_date(int64_t day)
{
	char	buf[16];

	if (util_format_date(day, buf, sizeof(buf)) != 0)
		return NULL;
	return json_string(buf);
}

/*
 * Hand the reply body (stolen) to an audit job; the reply leaves from
 * results_audit_done(). Replies itself on every failure.
 */
static void
results_submit(struct results_req *rr, char *body, size_t len,
    const char *ctype)
{
	struct api_ctx		*ctx = rr->rr_ctx;
	struct api_req		*req = rr->rr_req;
	struct results_job	*j = NULL;
	json_t			*d = NULL;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		goto nomem;
	j->rj_req = req;
	j->rj_body = body;
	j->rj_len = len;
	body = NULL;
	j->rj_ctype = ctype;
	j->rj_csv = rr->rr_route == RR_CSV;
	j->rj_action = results_actions[rr->rr_route];
	snprintf(j->rj_who, sizeof(j->rj_who), "%s", req->rq_who.pr_name);
	/* Who read what: ids and the range, never a number or a comment. */
	d = json_pack("{s:I, s:I, s:o, s:o, s:s}",
	    "survey", (json_int_t)rr->rr_survey,
	    "unit", (json_int_t)rr->rr_unit,
	    "from", results_date(rr->rr_q.qy_from),
	    "to", results_date(rr->rr_q.qy_to),
	    "via", req->rq_who.pr_api_token ? "token" : "session");
	if (d == NULL)
		goto nomem;
	if (json_object_set_new(d, "version", rr->rr_q.qy_version != 0 ?
	    json_integer(rr->rr_q.qy_version) : json_null()) != 0)
		goto nomem;
	if (rr->rr_route != RR_COMMENTS && json_object_set_new(d, "by",
	    json_string(rquery_by_name(rr->rr_q.qy_by))) != 0)
		goto nomem;
	if (rr->rr_route == RR_COMMENTS && json_object_set_new(d, "question",
	    json_string(rr->rr_q.qy_question)) != 0)
		goto nomem;
	j->rj_detail = d;
	d = NULL;
	if (api_submit(ctx, req, results_audit_apply, results_audit_done,
	    j) != 0) {
		results_job_free(j);
	}
	return;
nomem:
	json_decref(d);
	free(body);
	results_job_free(j);
	api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
}

/* ---------------------------------------------------------------- query */

static void
results_req_end(struct results_req *rr)
{
	storage_txn_abort(rr->rr_txn);
	rr->rr_txn = NULL;
	if (rr->rr_model != NULL && !rr->rr_model->rm_cached)
		results_model_free(rr->rr_model);
	rr->rr_model = NULL;
	rr->rr_agg = NULL;
}

/* The unit of a query that named none: the caller's only top unit. */
static int
results_default_unit(const struct results_req *rr, uint32_t *unit)
{
	const struct principal	*who = &rr->rr_req->rq_who;
	const struct units_tree		*t = rr->rr_model->rm_tree;
	const struct units_node		*n;
	size_t				 i, roots = 0;

	if (who->pr_role == ROLE_MANAGER) {
		if (who->pr_nunits != 1)
			return -ENOENT;
		*unit = who->pr_units[0];
		return 0;
	}
	for (i = 0; i < units_tree_count(t); i++) {
		n = units_tree_at(t, i);
		if (n->un_parent == 0 || units_tree_find(t, n->un_parent) ==
		    NULL) {
			*unit = n->un_id;
			roots++;
		}
	}
	return roots == 1 ? 0 : -ENOENT;
}

/* Fill in from and to that the query left out: all the data. */
static void
results_default_range(struct results_req *rr, enum period_kind kind)
{
	struct rquery	*q = &rr->rr_q;
	int64_t		 first, last, today;

	if (agg_extent(rr->rr_agg, &first, &last) != 0) {
		today = util_today();
		first = period_bucket(kind, today);
		last = period_last_day(kind, today);
	}
	if (!q->qy_has_from && !q->qy_has_to) {
		q->qy_from = first;
		q->qy_to = last;
	} else if (!q->qy_has_from) {
		q->qy_from = first <= q->qy_to ? first :
		    period_bucket(kind, q->qy_to);
	} else if (!q->qy_has_to) {
		q->qy_to = last >= q->qy_from ? last :
		    period_last_day(kind, q->qy_from);
	}
}

/*
 * Everything the three routes share: parse, open the read transaction,
 * find the model, check scope, version and range. Replies and returns
 * non-zero on any failure (rr is then ended).
 */
static int
results_prepare(struct api_ctx *ctx, struct api_req *req,
    enum results_route route, struct results_req *rr)
{
	struct error		 err;
	uint64_t		 g2[RG_COUNT];
	enum period_kind	 kind;
	uint32_t		 ref;
	int			 rc;

	memset(rr, 0, sizeof(*rr));
	memset(&err, 0, sizeof(err));
	rr->rr_ctx = ctx;
	rr->rr_req = req;
	rr->rr_route = route;
	if (api_path_id(req, "survey", &rr->rr_survey) != 0)
		return -EINVAL;

	if (rquery_parse(req->rq_query, route == RR_COMMENTS ?
	    RQUERY_COMMENTS : route == RR_CSV ? RQUERY_RESULTS | RQUERY_CSV :
	    RQUERY_RESULTS, &rr->rr_q, &err) != 0) {
		api_reply_error(req, &err);
		return -EINVAL;
	}
	/* Generations before and after the begin: storage.h. */
	results_gens(ctx->ac_store, rr->rr_gen);
	if (adminjob_read_begin(ctx, req, &rr->rr_txn) != 0)
		return -EIO;
	results_gens(ctx->ac_store, g2);
	rr->rr_fresh = results_gen_eq(rr->rr_gen, g2);

	if ((rc = results_model_get(rr)) == -ENOENT) {
		api_reply_errorf(req, ERR_NOT_FOUND, NULL, "no survey %u",
		    rr->rr_survey);
		goto fail;
	} else if (rc != 0)
		goto fail_errno;
	ref = rr->rr_q.qy_version != 0 ? rr->rr_q.qy_version :
	    rr->rr_model->rm_current;
	if (ref > rr->rr_model->rm_nversions ||
	    rr->rr_model->rm_versions[ref - 1] == NULL) {
		api_reply_errorf(req, ERR_NOT_FOUND, "version",
		    "survey %u has no version %u", rr->rr_survey, ref);
		goto fail;
	}
	rr->rr_ref = rr->rr_model->rm_versions[ref - 1];
	kind = agg_survey_kind(rr->rr_ref);

	rr->rr_unit = rr->rr_q.qy_unit;
	if (rr->rr_unit == 0 && results_default_unit(rr, &rr->rr_unit) != 0) {
		api_reply_errorf(req, ERR_MISSING_FIELD, "unit",
		    "name the unit: unit=ID");
		goto fail;
	}
	if (!units_visible(rr->rr_model->rm_tree, &req->rq_who,
	    rr->rr_unit)) {
		if (req->rq_who.pr_role == ROLE_ADMIN)
			api_reply_errorf(req, ERR_NOT_FOUND, "unit",
			    "no unit %u", rr->rr_unit);
		else
			api_reply_errorf(req, ERR_FORBIDDEN, "unit",
			    "unit %u is outside your units", rr->rr_unit);
		goto fail;
	}
	if ((rc = results_model_agg(rr, kind)) != 0)
		goto fail_errno;
	if (agg_unit_index(rr->rr_agg, rr->rr_unit, &rr->rr_unit_index) != 0) {
		rc = -EBADMSG;	/* the tree has it, so the agg must */
		goto fail_errno;
	}
	results_default_range(rr, kind);
	if (rquery_check_range(&rr->rr_q, kind, &err) != 0) {
		api_reply_error(req, &err);
		goto fail;
	}
	if (rr->rr_q.qy_to - rr->rr_q.qy_from > RESULTS_MAX_DAYS) {
		api_reply_errorf(req, ERR_INVALID, "from", "a range of at "
		    "most 50 years, please");
		goto fail;
	}
	return 0;
fail_errno:
	if (rc == -EBADMSG)
		log_warnx("results: survey %u: a stored record does not fit "
		    "(%d)", rr->rr_survey, rc);
	api_reply_errno(req, rc);
fail:
	results_req_end(rr);
	return -EINVAL;
}

static void
results_agg_query(const struct results_req *rr, struct agg_query *aq)
{
	memset(aq, 0, sizeof(*aq));
	aq->aq_survey = rr->rr_survey;
	aq->aq_unit = rr->rr_unit_index;
	aq->aq_from = rr->rr_q.qy_from;
	aq->aq_to = rr->rr_q.qy_to;
	switch (rr->rr_q.qy_by) {
	case RQUERY_BY_PERIOD:
		aq->aq_by = SUPPRESS_BY_PERIOD;
		break;
	case RQUERY_BY_UNIT:
		aq->aq_by = SUPPRESS_BY_UNIT;
		break;
	case RQUERY_BY_NONE:
		aq->aq_by = SUPPRESS_BY_NONE;
		break;
	}
	aq->aq_period = rr->rr_q.qy_period;
	aq->aq_version = rr->rr_q.qy_version;
}

/* ---------------------------------------------------------------- CSV */

/*
 * The columns of results.csv, in order; README.md "Results CSV" documents
 * them. Never reorder or rename: spreadsheets and scripts depend on them.
 */
static const char *const results_csv_columns[] = {
	"survey", "unit", "scope", "from", "to", "status", "reason",
	"question", "type", "statistic", "option", "value", NULL
};

/* The first eight columns of a row of group g (and question). */
static void
results_csv_head(struct csv *cv, const json_t *doc, const json_t *g,
    const char *status, const char *reason, const char *question,
    const char *type)
{
	csv_uint(cv, (unsigned long long)json_integer_value(
	    json_object_get(doc, "survey")));
	csv_uint(cv, (unsigned long long)json_integer_value(
	    json_object_get(g, "unit")));
	csv_text(cv, json_is_true(json_object_get(g, "own")) ? "own" :
	    "subtree");
	csv_text(cv, json_string_value(json_object_get(g, "from")));
	csv_text(cv, json_string_value(json_object_get(g, "to")));
	csv_text(cv, status);
	csv_text(cv, reason);
	csv_text(cv, question);
	csv_text(cv, type);
}

/* A value row: statistic, option, value (NULL value: a null statistic). */
static void
results_csv_stat(struct csv *cv, const json_t *doc, const json_t *g,
    const char *qid, const char *type, const char *stat, const char *option,
    const json_t *value, unsigned decimals)
{
	results_csv_head(cv, doc, g, "released", "", qid, type);
	csv_text(cv, stat);
	csv_text(cv, option);
	if (json_is_integer(value))
		csv_int(cv, (long long)json_integer_value(value));
	else if (json_is_real(value))
		csv_real(cv, json_real_value(value), decimals);
	else
		csv_empty(cv);
	csv_end_row(cv);
}

/* The label of slot i of question qi: a value, an option id, no/yes. */
static void
results_csv_label(const struct survey *s, size_t qi, size_t i, char *buf,
    size_t len)
{
	const char	*opt;
	int		 base;

	switch (survey_question_type(s, qi)) {
	case QTYPE_SMILEY:
	case QTYPE_SCALE:
	case QTYPE_NPS:
		if (survey_question_base(s, qi, &base) != 0)
			base = 0;
		snprintf(buf, len, "%d", base + (int)i);
		return;
	case QTYPE_CHOICE:
	case QTYPE_MULTI:
		opt = survey_question_option(s, qi, i);
		snprintf(buf, len, "%s", opt != NULL ? opt : "");
		return;
	case QTYPE_YESNO:
		snprintf(buf, len, "%s", i == 0 ? "no" : "yes");
		return;
	default:
		snprintf(buf, len, "%zu", i);
		return;
	}
}

static const struct {
	const char	*name;
	unsigned	 decimals;
} results_csv_stats[] = {
	{ "answered", 0 }, { "mean", 2 }, { "median", 1 }, { "csat", 0 },
	{ "nps", 0 }, { "respondents", 0 }, { "comments", 0 },
};

static void
results_csv_question(struct csv *cv, const json_t *doc, const json_t *g,
    const struct survey *ref, const char *qid, const json_t *qj)
{
	const char	*type = json_string_value(json_object_get(qj, "type"));
	const json_t	*counts, *v;
	char		 label[SURVEY_ID_MAX + 16];
	size_t		 qi, i;

	if (type == NULL)
		type = "";
	if (json_is_true(json_object_get(qj, "suppressed"))) {
		results_csv_head(cv, doc, g, "suppressed", "min_group", qid,
		    type);
		csv_empty(cv);
		csv_empty(cv);
		csv_empty(cv);
		csv_end_row(cv);
		return;
	}
	for (i = 0; i < sizeof(results_csv_stats) /
	    sizeof(results_csv_stats[0]); i++) {
		if ((v = json_object_get(qj, results_csv_stats[i].name)) ==
		    NULL)
			continue;
		results_csv_stat(cv, doc, g, qid, type,
		    results_csv_stats[i].name, "", v,
		    results_csv_stats[i].decimals);
	}
	counts = json_object_get(qj, "counts");
	if (!json_is_array(counts) ||
	    survey_question_find(ref, qid, &qi) != 0)
		return;
	for (i = 0; i < json_array_size(counts); i++) {
		results_csv_label(ref, qi, i, label, sizeof(label));
		results_csv_stat(cv, doc, g, qid, type, "count", label,
		    json_array_get(counts, i), 0);
	}
}

/* The results document as CSV: a header, then rows per group. */
static int
results_csv(const json_t *doc, const struct survey *ref,
    enum csv_dialect dialect, char **out, size_t *len_out)
{
	struct csv	 cv;
	const json_t	*groups, *g, *qs, *qj;
	size_t		 i, qi;

	csv_init(&cv, true, dialect);
	for (i = 0; results_csv_columns[i] != NULL; i++)
		csv_text(&cv, results_csv_columns[i]);
	csv_end_row(&cv);
	groups = json_object_get(doc, "groups");
	json_array_foreach(groups, i, g) {
		if (json_is_true(json_object_get(g, "suppressed"))) {
			/* No number at all: not even an n. */
			results_csv_head(&cv, doc, g, "suppressed",
			    "min_group", "", "");
			csv_empty(&cv);
			csv_empty(&cv);
			csv_empty(&cv);
			csv_end_row(&cv);
			continue;
		}
		results_csv_stat(&cv, doc, g, "", "", "n", "",
		    json_object_get(g, "n"), 0);
		qs = json_object_get(g, "questions");
		/* In the survey's order, not the object's. */
		for (qi = 0; qi < survey_question_count(ref); qi++) {
			qj = json_object_get(qs, survey_question_id(ref, qi));
			if (qj != NULL)
				results_csv_question(&cv, doc, g, ref,
				    survey_question_id(ref, qi), qj);
		}
	}
	return csv_finish(&cv, out, len_out);
}

/* ---------------------------------------------------------------- routes */

static void
results_serve(struct api_ctx *ctx, struct api_req *req,
    enum results_route route)
{
	struct results_req	 rr;
	struct results_body	*hit;
	struct agg_query	 aq;
	json_t			*doc = NULL;
	char			 key[160], *body = NULL;
	size_t			 len = 0;
	const char		*ctype;
	int			 rc;

	if (results_prepare(ctx, req, route, &rr) != 0)
		return;
	ctype = route == RR_CSV ? "text/csv; charset=utf-8" :
	    "application/json";
	results_agg_query(&rr, &aq);
	rc = snprintf(key, sizeof(key), "%d|%u|%u|%lld|%lld|%d|%d|%u|%d",
	    route, rr.rr_survey, rr.rr_unit, (long long)aq.aq_from,
	    (long long)aq.aq_to, (int)aq.aq_by, (int)aq.aq_period,
	    aq.aq_version, (int)rr.rr_q.qy_sep);
	if (rc < 0 || (size_t)rc >= sizeof(key))
		key[0] = '\0';
	if (key[0] != '\0' && (hit = results_body_find(&rr, key)) != NULL) {
		if ((body = malloc(hit->rb_len + 1)) == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		memcpy(body, hit->rb_body, hit->rb_len + 1);
		len = hit->rb_len;
	} else {
		if ((rc = agg_results(rr.rr_agg, &aq, &doc)) != 0)
			goto fail;
		if (route == RR_CSV)
			rc = results_csv(doc, rr.rr_ref, rr.rr_q.qy_sep, &body,
			    &len);
		else if ((body = codec_dump(doc, &len)) == NULL)
			rc = -ENOMEM;
		if (rc != 0)
			goto fail;
		if (key[0] != '\0')
			results_body_keep(&rr, key, body, len);
	}
	json_decref(doc);
	results_req_end(&rr);
	results_submit(&rr, body, len, ctype);
	return;
fail:
	json_decref(doc);
	free(body);
	results_req_end(&rr);
	api_reply_errno(req, rc);
}

void
results_get(struct api_ctx *ctx, struct api_req *req)
{
	results_serve(ctx, req, RR_JSON);
}

void
results_get_csv(struct api_ctx *ctx, struct api_req *req)
{
	results_serve(ctx, req, RR_CSV);
}

/* ---------------------------------------------------------------- comments */

/*
 * One comments read: the release is decided on the event loop; the
 * records are read on a worker thread, in the same read transaction, so
 * that the comments are exactly those of the cells that were judged.
 */
struct results_comments {
	struct results_req	 cm_rr;		/* model and txn cleared */
	struct storage_txn	*cm_txn;	/* the snapshot judged */
	uint32_t		*cm_units;	/* the subtree's ids, sorted */
	size_t			 cm_nunits;
	uint32_t		*cm_versions;	/* versions with the question */
	size_t			 cm_nversions;
	uint64_t		 cm_n;		/* responses of the group */
	uint64_t		 cm_seen;	/* comments found */
	json_t			*cm_doc;	/* the reply, bar comments */
	json_t			*cm_list;
	char			*cm_body;	/* worker: the reply's text */
	size_t			 cm_len;
	int			 cm_err;
};

static void
results_comments_free(struct results_comments *cm)
{
	if (cm == NULL)
		return;
	storage_txn_abort(cm->cm_txn);
	free(cm->cm_units);
	free(cm->cm_versions);
	json_decref(cm->cm_doc);
	json_decref(cm->cm_list);
	if (cm->cm_body != NULL) {
		sodium_memzero(cm->cm_body, cm->cm_len);
		free(cm->cm_body);
	}
	free(cm);
}

/* Fisher-Yates with the kernel's randomness: a new order every call. */
static void
results_shuffle(json_t *arr)
{
	size_t	 n = json_array_size(arr), i, j;
	json_t	*a, *b;

	for (i = n; i > 1; i--) {
		j = randombytes_uniform((uint32_t)i);
		if (j == i - 1)
			continue;
		a = json_incref(json_array_get(arr, i - 1));
		b = json_incref(json_array_get(arr, j));
		json_array_set_new(arr, i - 1, b);
		json_array_set_new(arr, j, a);
	}
}

static bool
results_u32_in(const uint32_t *sorted, size_t n, uint32_t v)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sorted[mid] == v)
			return true;
		if (sorted[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool
results_version_in(const struct results_comments *cm, uint32_t v)
{
	size_t	i;

	for (i = 0; i < cm->cm_nversions; i++)
		if (cm->cm_versions[i] == v)
			return true;
	return false;
}

/*
 * Keep one comment: all of them up to RESULTS_COMMENTS_MAX, beyond that a
 * uniform sample (reservoir), so that a cap never favours early days.
 */
static int
results_comment_keep(struct results_comments *cm, const char *text,
    const char *lang)
{
	json_t		*item;
	uint64_t	 j = 0;

	cm->cm_seen++;
	if (cm->cm_seen > RESULTS_COMMENTS_MAX) {
		j = cm->cm_seen > UINT32_MAX ? randombytes_uniform(UINT32_MAX) :
		    randombytes_uniform((uint32_t)cm->cm_seen);
		if (j >= RESULTS_COMMENTS_MAX)
			return 0;
	}
	/* The text and its language; no day, no unit, no order. */
	if ((item = json_pack("{s:s, s:s?}", "text", text, "lang", lang)) ==
	    NULL)
		return -ENOMEM;
	if (cm->cm_seen > RESULTS_COMMENTS_MAX)
		return json_array_set_new(cm->cm_list, (size_t)j, item) == 0 ?
		    0 : -ENOMEM;
	return json_array_append_new(cm->cm_list, item) == 0 ? 0 : -ENOMEM;
}

/* One response record: its comment, when it belongs to the group. */
static int
results_comment_one(struct results_comments *cm, const char *val,
    size_t vlen)
{
	const char		*qid = cm->cm_rr.rr_q.qy_question;
	struct rscan_record	 rr;
	json_t			*rec = NULL, *ans = NULL;
	const char		*text, *lang;
	char			 needle[RQUERY_ID_MAX + 3];
	json_int_t		 version, unit;
	int			 ret = 0;

	/* Most records are turned away on version and unit, unparsed. */
	if (rscan_record(val, vlen, &rr) == 0) {
		if (!results_version_in(cm, rr.rr_version) ||
		    !results_u32_in(cm->cm_units, cm->cm_nunits, rr.rr_unit))
			return 0;
		snprintf(needle, sizeof(needle), "\"%s\"", qid);
		if (memmem(rr.rr_answers, rr.rr_answers_len, needle,
		    strlen(needle)) == NULL)
			return 0;	/* no answer to the question */
		if ((ans = json_loadb(rr.rr_answers, rr.rr_answers_len, 0,
		    NULL)) == NULL)
			return -EBADMSG;
		lang = rr.rr_lang;
	} else {
		if ((rec = json_loadb(val, vlen, 0, NULL)) == NULL)
			return -EBADMSG;
		version = json_integer_value(json_object_get(rec, "version"));
		unit = json_integer_value(json_object_get(rec, "unit"));
		if (version <= 0 || version > UINT32_MAX || unit <= 0 ||
		    unit > UINT32_MAX) {
			ret = -EBADMSG;
			goto done;
		}
		if (!results_version_in(cm, (uint32_t)version) ||
		    !results_u32_in(cm->cm_units, cm->cm_nunits,
		    (uint32_t)unit))
			goto done;
		ans = json_incref(json_object_get(rec, "answers"));
		lang = json_string_value(json_object_get(rec, "lang"));
	}
	text = json_string_value(json_object_get(ans, qid));
	if (text != NULL && text[0] != '\0')
		ret = results_comment_keep(cm, text, lang);
done:
	json_decref(ans);
	json_decref(rec);
	return ret;
}

/* Worker thread: read the records of the range, shuffle, encode. */
static void
results_comments_work(void *arg)
{
	struct results_comments	*cm = arg;
	const struct rquery	*q = &cm->cm_rr.rr_q;
	struct storage_iter	*it = NULL;
	const void		*key, *val;
	size_t			 klen, vlen;
	int			 rc;

	/* Day numbers of responses are unsigned: none before 1970. */
	if ((rc = storage_response_iter(cm->cm_txn, cm->cm_rr.rr_survey,
	    q->qy_from < 0 ? 0 : (uint32_t)q->qy_from,
	    q->qy_to < 0 ? 0 : (uint32_t)q->qy_to, &it)) != 0)
		goto done;
	while ((rc = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0)
		if ((rc = results_comment_one(cm, val, vlen)) != 0)
			goto done;
	if (rc != -ENOENT)
		goto done;
	results_shuffle(cm->cm_list);
	if (json_object_set_new(cm->cm_doc, "n", json_integer(
	    (json_int_t)cm->cm_n)) != 0 || json_object_set_new(cm->cm_doc,
	    "truncated", json_boolean(cm->cm_seen > RESULTS_COMMENTS_MAX)) !=
	    0 || json_object_set(cm->cm_doc, "comments", cm->cm_list) != 0) {
		rc = -ENOMEM;
		goto done;
	}
	if ((cm->cm_body = codec_dump(cm->cm_doc, &cm->cm_len)) == NULL) {
		rc = -ENOMEM;
		goto done;
	}
	rc = 0;
done:
	storage_iter_free(it);
	/* The snapshot ends here: read transactions may end in any thread. */
	storage_txn_abort(cm->cm_txn);
	cm->cm_txn = NULL;
	cm->cm_err = rc;
}

/* Event loop: the records are read; the audit entry, then the reply. */
static void
results_comments_done(int rc, void *arg)
{
	struct results_comments	*cm = arg;
	char			*body;

	if (rc == 0)
		rc = cm->cm_err;
	if (rc != 0) {
		if (rc == -EBADMSG)
			log_warnx("comments: survey %u: a response record does "
			    "not parse", cm->cm_rr.rr_survey);
		api_reply_errno(cm->cm_rr.rr_req, rc);
		results_comments_free(cm);
		return;
	}
	body = cm->cm_body;
	cm->cm_body = NULL;
	results_submit(&cm->cm_rr, body, cm->cm_len, "application/json");
	results_comments_free(cm);
}

/* The ids of the units in unit's subtree, pooled ones included, sorted. */
static int
results_subtree_ids(const struct units_tree *t, uint32_t unit,
    uint32_t **out, size_t *n_out)
{
	const struct units_node	*node;
	uint32_t		*ids;
	size_t			 i, n = 0, count = units_tree_count(t);

	if ((ids = calloc(count + 1, sizeof(*ids))) == NULL)
		return -ENOMEM;
	/* units_tree_at() is in id order, so the list comes out sorted. */
	for (i = 0; i < count; i++) {
		node = units_tree_at(t, i);
		if (units_in_subtree(t, unit, node->un_id))
			ids[n++] = node->un_id;
	}
	*out = ids;
	*n_out = n;
	return 0;
}

void
comments_get(struct api_ctx *ctx, struct api_req *req)
{
	struct results_req	 rr;
	struct results_comments	*cm = NULL;
	struct agg_query	 aq;
	size_t			 qi;
	bool			 released = false;
	char			*body = NULL;
	size_t			 len = 0;
	int			 rc;

	if (results_prepare(ctx, req, RR_COMMENTS, &rr) != 0)
		return;
	if (rr.rr_q.qy_question[0] == '\0') {
		/* The only text question, if there is just one. */
		for (qi = 0; qi < survey_question_count(rr.rr_ref); qi++) {
			if (survey_question_type(rr.rr_ref, qi) != QTYPE_TEXT)
				continue;
			if (rr.rr_q.qy_question[0] != '\0') {
				api_reply_errorf(req, ERR_MISSING_FIELD,
				    "question", "the survey has several text "
				    "questions: name one, question=ID");
				goto out;
			}
			snprintf(rr.rr_q.qy_question,
			    sizeof(rr.rr_q.qy_question), "%s",
			    survey_question_id(rr.rr_ref, qi));
		}
	}
	results_agg_query(&rr, &aq);
	aq.aq_by = SUPPRESS_BY_NONE;
	if ((cm = calloc(1, sizeof(*cm))) == NULL ||
	    (cm->cm_versions = calloc(rr.rr_model->rm_nversions + 1,
	    sizeof(*cm->cm_versions))) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = agg_comments_release(rr.rr_agg, &aq, rr.rr_q.qy_question,
	    &released, &cm->cm_n, cm->cm_versions, &cm->cm_nversions);
	if (rc == -ENOENT) {
		api_reply_errorf(req, ERR_NOT_FOUND, "question",
		    "the survey has no text question \"%s\"",
		    rr.rr_q.qy_question);
		goto out;
	} else if (rc != 0)
		goto fail;
	cm->cm_doc = json_pack("{s:I, s:I, s:o, s:o, s:s, s:I}",
	    "survey", (json_int_t)rr.rr_survey, "unit", (json_int_t)rr.rr_unit,
	    "from", results_date(rr.rr_q.qy_from),
	    "to", results_date(rr.rr_q.qy_to),
	    "question", rr.rr_q.qy_question,
	    "min_group_comments", (json_int_t)agg_k_comments(rr.rr_agg));
	if (cm->cm_doc == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if (!released) {
		if (json_object_set_new(cm->cm_doc, "suppressed",
		    json_true()) != 0 || json_object_set_new(cm->cm_doc,
		    "reason", json_string("min_group_comments")) != 0 ||
		    (body = codec_dump(cm->cm_doc, &len)) == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		results_comments_free(cm);
		results_req_end(&rr);
		results_submit(&rr, body, len, "application/json");
		return;
	}
	if ((rc = results_subtree_ids(rr.rr_model->rm_tree, rr.rr_unit,
	    &cm->cm_units, &cm->cm_nunits)) != 0 ||
	    (cm->cm_list = json_array()) == NULL) {
		rc = rc != 0 ? rc : -ENOMEM;
		goto fail;
	}
	/* The snapshot travels with the job; the model stays here. */
	cm->cm_txn = rr.rr_txn;
	rr.rr_txn = NULL;
	results_req_end(&rr);
	cm->cm_rr = rr;
	if (offload_run(ctx, req, results_comments_work,
	    results_comments_done, cm) != 0)
		results_comments_free(cm);	/* 503 answered */
	return;
fail:
	api_reply_errno(req, rc);
out:
	results_comments_free(cm);
	results_req_end(&rr);
}

int
http_results_init(struct api_ctx *ctx)
{
	if ((ctx->ac_results = results_cache_new(ctx->ac_store)) == NULL)
		return -ENOMEM;
	return 0;
}

void
http_results_fini(struct api_ctx *ctx)
{
	results_cache_free(ctx->ac_results);
	ctx->ac_results = NULL;
}
