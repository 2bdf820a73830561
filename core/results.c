/*
 * results.c — the results model: what the queries on a survey are computed
 * from, kept per survey under the generations it was read at, and recent
 * encoded replies.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "core/agg.h"
#include "core/catalog.h"
#include "core/cell.h"
#include "core/cells.h"
#include "core/results.h"
#include "core/survey.h"
#include "core/units.h"
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
/*
 * Cell keys the store's journal remembers (48 bytes each): a model synced
 * more than this many cell changes ago is read again whole.
 */
#define RESULTS_JOURNAL		16384


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

void
results_gens(struct storage *st, uint64_t gen[RG_COUNT])
{
	gen[RG_CELLS] = storage_generation(st, STORAGE_DB_CELLS);
	gen[RG_UNITS] = storage_generation(st, STORAGE_DB_UNITS);
	gen[RG_SURVEYS] = storage_generation(st, STORAGE_DB_SURVEYS);
}

bool
results_gen_eq(const uint64_t a[RG_COUNT], const uint64_t b[RG_COUNT])
{
	return memcmp(a, b, RG_COUNT * sizeof(uint64_t)) == 0;
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
	const struct results_read	*rs_rd;
	struct results_model		*rs_m;
};

/* One cell key the journal names: read it again into every agg. */
static int
results_sync_key(const void *key, size_t klen, void *arg)
{
	struct results_sync	*rs = arg;
	struct cells_id		 id;
	struct cell		*live = NULL, *c = NULL;
	size_t			 k;
	int			 rc;

	if (klen != CELLS_KEYLEN)
		return -EBADMSG;
	cells_key_parse(key, &id);
	if (id.ci_survey != rs->rs_rd->rx_survey)
		return 0;
	rc = cells_get_pair(rs->rs_rd->rx_txn, &id, &live, &c);
	if (rc != 0 && rc != -ENOENT)
		return rc;
	/* Only the released state is ever read (core/agg.h). */
	for (rc = 0, k = 0; rc == 0 && k < PERIOD_COUNT; k++)
		if (rs->rs_m->rm_aggs[k] != NULL)
			rc = agg_update_cell(rs->rs_m->rm_aggs[k],
			    id.ci_version, id.ci_unit, id.ci_bucket, c);
	cell_free(live);
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
results_model_sync(const struct results_read *rd, struct results_model *m)
{
	struct results_sync	rs = { rd, m };
	int			rc;

	if (m->rm_gen[RG_UNITS] != rd->rx_gen[RG_UNITS] ||
	    m->rm_gen[RG_SURVEYS] != rd->rx_gen[RG_SURVEYS])
		return -ESTALE;
	if ((rc = storage_journal_read(rd->rx_store, STORAGE_DB_CELLS,
	    m->rm_gen[RG_CELLS], rd->rx_gen[RG_CELLS], results_sync_key,
	    &rs)) != 0)
		return rc;
	memcpy(m->rm_gen, rd->rx_gen, sizeof(m->rm_gen));
	return 0;
}

int
results_model_get(struct results_cache *rc, const struct results_read *rd,
    struct results_model **out)
{
	struct results_model	*m = NULL, **slot = NULL;
	size_t			 i;
	int			 ret;

	if (rc != NULL && rd->rx_fresh) {
		for (i = 0; i < RESULTS_MODELS; i++) {
			m = rc->rc_models[i];
			if (m == NULL || m->rm_survey != rd->rx_survey)
				continue;
			if (results_gen_eq(m->rm_gen, rd->rx_gen)) {
				m->rm_used = ++rc->rc_tick;
				*out = m;
				return 0;
			}
			if (results_model_sync(rd, m) == 0) {
				log_debug("results: survey %u: cells synced "
				    "from the journal", rd->rx_survey);
				m->rm_used = ++rc->rc_tick;
				*out = m;
				return 0;
			}
			break;	/* stale: replaced below */
		}
	}
	if ((ret = results_model_load(rd->rx_txn, rd->rx_survey, &m)) != 0)
		return ret;
	log_debug("results: survey %u: model read whole", rd->rx_survey);
	memcpy(m->rm_gen, rd->rx_gen, sizeof(m->rm_gen));
	*out = m;
	if (rc == NULL || !rd->rx_fresh)
		return 0;
	/* The same survey's stale model, a free slot, or the oldest. */
	for (i = 0; i < RESULTS_MODELS; i++) {
		if (rc->rc_models[i] != NULL &&
		    rc->rc_models[i]->rm_survey == rd->rx_survey) {
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
results_fill_cell(const struct cells_id *id, const struct cell *c,
    const struct cell *released, void *arg)
{
	struct results_fill	*rf = arg;

	/*
	 * Only the released state is ever read (core/agg.h); a cell that
	 * has released nothing adds nothing. (A cell written before cells
	 * kept released state has none until cells_migrate() gives it one.)
	 */
	(void)c;
	if (released == NULL)
		return 0;
	return agg_add_cell(rf->rf_agg, id->ci_version, id->ci_unit,
	    id->ci_bucket, released);
}

int
results_model_agg(struct results_model *m, struct storage_txn *txn,
    enum period_kind kind, struct agg **out)
{
	struct agg_version	*vers = NULL;
	struct agg_unit		*units = NULL;
	const struct units_node	*node;
	struct results_fill	 rf;
	struct agg		*a = NULL;
	size_t			 i, nunits, nv = 0;
	int			 ret;

	if (m->rm_aggs[kind] != NULL) {
		*out = m->rm_aggs[kind];
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
	if ((ret = cells_each(txn, m->rm_survey, results_fill_cell,
	    &rf)) != 0 || (ret = agg_seal(a)) != 0)
		goto done;
	m->rm_aggs[kind] = a;
	*out = a;
	a = NULL;
	ret = 0;
done:
	agg_free(a);
	free(units);
	free(vers);
	return ret;
}

int
results_body_find(struct results_cache *rc, const struct results_read *rd,
    const char *key, char **body_out, size_t *len_out)
{
	struct results_body	*b;
	size_t			 i;

	if (rc == NULL || !rd->rx_fresh)
		return -ENOENT;
	for (i = 0; i < RESULTS_BODIES; i++) {
		b = &rc->rc_bodies[i];
		if (b->rb_key == NULL || strcmp(b->rb_key, key) != 0 ||
		    !results_gen_eq(b->rb_gen, rd->rx_gen))
			continue;
		b->rb_used = ++rc->rc_tick;
		if ((*body_out = malloc(b->rb_len + 1)) == NULL)
			return -ENOMEM;
		memcpy(*body_out, b->rb_body, b->rb_len + 1);
		*len_out = b->rb_len;
		return 0;
	}
	return -ENOENT;
}

void
results_body_keep(struct results_cache *rc, const struct results_read *rd,
    const char *key, const char *body, size_t len)
{
	struct results_body	*slot = NULL;
	size_t			 i;

	if (rc == NULL || !rd->rx_fresh || len > RESULTS_BODY_MAX)
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
	memcpy(slot->rb_gen, rd->rx_gen, sizeof(slot->rb_gen));
	slot->rb_used = ++rc->rc_tick;
}

void
results_model_put(struct results_model *m)
{
	if (m != NULL && !m->rm_cached)
		results_model_free(m);
}
