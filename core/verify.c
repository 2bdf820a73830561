/*
 * verify.c — recompute every aggregate cell from the response records and
 * compare; open every value on the way.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "common/util.h"
#include "core/answers.h"
#include "core/catalog.h"
#include "core/cell.h"
#include "core/cells.h"
#include "core/comments.h"
#include "core/intake.h"
#include "core/period.h"
#include "core/rec.h"
#include "core/release.h"
#include "core/survey.h"
#include "core/verify.h"
#include "storage/storage.h"

struct verify_cell {
	uint8_t		 vc_key[CELLS_KEYLEN];
	struct cell	*vc_cell;
	bool		 vc_seen;
};

struct verify_version {
	uint32_t	 vv_version;
	struct survey	*vv_survey;	/* NULL: the version does not load */
};

struct verify {
	struct storage_txn	*v_txn;
	struct verify_report	*v_r;
	void			(*v_note)(const char *, void *);
	void			*v_arg;
	bool			 v_allow_purged;
	uint32_t		 v_survey;
	struct verify_cell	*v_cells;	/* sorted by key */
	size_t			 v_ncells, v_capcells;
	struct verify_version	*v_vers;
	size_t			 v_nvers, v_capvers;
	uint64_t		 v_cells_seen;
};

static void verify_note(struct verify *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
verify_note(struct verify *v, const char *fmt, ...)
{
	char	line[256];
	va_list	ap;

	if (v->v_note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	v->v_note(line, v->v_arg);
}

bool
verify_ok(const struct verify_report *r)
{
	return r->vr_unreadable == 0 && r->vr_bad_responses == 0 &&
	    r->vr_bad_cells == 0 && r->vr_missing_cells == 0 &&
	    r->vr_bad_comments == 0;
}

/* Open every value of every database. */
static int
verify_open_all(struct verify *v)
{
	struct storage_iter	*it = NULL;
	const void		*key, *val;
	size_t			 klen, vlen;
	int			 db, rc = 0;

	for (db = 0; db < STORAGE_DB_COUNT; db++) {
		if ((rc = storage_iter_new(v->v_txn, db, NULL, 0, &it)) != 0)
			return rc;
		for (;;) {
			rc = storage_iter_next(it, &key, &klen, &val, &vlen);
			if (rc == 0)
				v->v_r->vr_records[db]++;
			else if (rc == -EBADMSG) {
				v->v_r->vr_unreadable++;
				verify_note(v, "%s: a value does not open",
				    storage_db_name(db));
			} else
				break;
		}
		storage_iter_free(it);
		it = NULL;
		if (rc != -ENOENT)
			return rc;
	}
	return 0;
}

static void
verify_reset(struct verify *v, uint32_t survey)
{
	size_t	i;

	for (i = 0; i < v->v_ncells; i++)
		cell_free(v->v_cells[i].vc_cell);
	v->v_ncells = 0;
	for (i = 0; i < v->v_nvers; i++)
		survey_free(v->v_vers[i].vv_survey);
	v->v_nvers = 0;
	v->v_survey = survey;
}

/* The parsed survey version, loaded once per walk; NULL if it fails. */
static int
verify_version(struct verify *v, uint32_t version, struct survey **out)
{
	struct verify_version	*vv;
	size_t			 i;
	int			 rc;

	for (i = 0; i < v->v_nvers; i++)
		if (v->v_vers[i].vv_version == version) {
			*out = v->v_vers[i].vv_survey;
			return 0;
		}
	if (v->v_nvers == v->v_capvers) {
		i = v->v_capvers ? 2 * v->v_capvers : 4;
		if ((vv = reallocarray(v->v_vers, i, sizeof(*vv))) == NULL)
			return -ENOMEM;
		v->v_vers = vv;
		v->v_capvers = i;
	}
	vv = &v->v_vers[v->v_nvers];
	vv->vv_version = version;
	vv->vv_survey = NULL;
	rc = catalog_load(v->v_txn, v->v_survey, version, &vv->vv_survey,
	    NULL);
	if (rc != 0 && rc != -ENOENT && rc != -EBADMSG)
		return rc;
	v->v_nvers++;
	*out = vv->vv_survey;
	return 0;
}

/* The recomputed cell of key, made with shape when new; or NULL. */
static struct verify_cell *
verify_find(struct verify *v, const uint8_t key[CELLS_KEYLEN])
{
	size_t	lo = 0, hi = v->v_ncells, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(v->v_cells[mid].vc_key, key, CELLS_KEYLEN);
		if (c == 0)
			return &v->v_cells[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
verify_insert(struct verify *v, const uint8_t key[CELLS_KEYLEN],
    const struct survey *s, struct verify_cell **out)
{
	struct verify_cell	*vc;
	unsigned		*shape = NULL;
	size_t			 lo = 0, hi = v->v_ncells, mid, nq, q;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(v->v_cells[mid].vc_key, key, CELLS_KEYLEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (v->v_ncells == v->v_capcells) {
		mid = v->v_capcells ? 2 * v->v_capcells : 64;
		if ((vc = reallocarray(v->v_cells, mid, sizeof(*vc))) == NULL)
			return -ENOMEM;
		v->v_cells = vc;
		v->v_capcells = mid;
	}
	nq = survey_question_count(s);
	if ((shape = calloc(nq ? nq : 1, sizeof(*shape))) == NULL)
		return -ENOMEM;
	for (q = 0; q < nq; q++)
		shape[q] = (unsigned)survey_question_slots(s, q);
	vc = &v->v_cells[lo];
	memmove(vc + 1, vc, (v->v_ncells - lo) * sizeof(*vc));
	memcpy(vc->vc_key, key, CELLS_KEYLEN);
	vc->vc_seen = false;
	vc->vc_cell = cell_new(nq, shape);
	free(shape);
	v->v_ncells++;
	if (vc->vc_cell == NULL)
		return -ENOMEM;
	*out = vc;
	return 0;
}

/* One response record: checked, and counted into its recomputed cell. */
static int
verify_response(struct verify *v, const void *key, const void *val,
    size_t vlen)
{
	struct answers	*a = NULL;
	struct verify_cell	*vc;
	struct cells_id		 id;
	struct survey		*s = NULL;
	struct error		 err;
	const char		*day_s, *lang;
	uint8_t			 ckey[CELLS_KEYLEN];
	uint32_t		 day = storage_response_key_day(key);
	int64_t			 d;
	json_t			*rec = NULL;
	int			 rc;

	v->v_r->vr_responses++;
	rec = json_loadb(val, vlen, 0, NULL);
	day_s = json_string_value(json_object_get(rec, "day"));
	lang = json_string_value(json_object_get(rec, "lang"));
	id.ci_survey = v->v_survey;
	id.ci_version = codec_u32(json_object_get(rec, "version"));
	id.ci_unit = intake_record_owner(rec);
	if (rec == NULL || codec_u32(json_object_get(rec, "survey")) !=
	    v->v_survey || id.ci_version == 0 || id.ci_unit == 0 ||
	    day_s == NULL || util_parse_date(day_s, &d) != 0 ||
	    d != (int64_t)day || lang == NULL) {
		v->v_r->vr_bad_responses++;
		verify_note(v, "survey %u: a response record is malformed",
		    v->v_survey);
		rc = 0;
		goto done;
	}
	if ((rc = verify_version(v, id.ci_version, &s)) != 0)
		goto done;
	memset(&err, 0, sizeof(err));
	if (s == NULL || answers_check_record(s, json_object_get(rec,
	    "answers"), lang, &a, &err) != 0) {
		v->v_r->vr_bad_responses++;
		verify_note(v, "survey %u version %u: a response does not fit "
		    "its version%s%s", v->v_survey, id.ci_version,
		    err.er_field[0] ? " at " : "", err.er_field);
		rc = 0;
		goto done;
	}
	id.ci_bucket = (uint32_t)period_bucket(intake_period(survey_period(s)),
	    day);
	cells_key(&id, ckey);
	if ((vc = verify_find(v, ckey)) == NULL &&
	    (rc = verify_insert(v, ckey, s, &vc)) != 0)
		goto done;
	if ((rc = cells_count(vc->vc_cell, s, a)) != 0)
		goto done;
	rc = 0;
done:
	answers_free(a);
	json_decref(rec);
	return rc;
}

/* Stored counters against recomputed ones: equal, or (purged) above. */
static bool
verify_same(const struct cell *stored, const struct cell *want,
    bool allow_purged)
{
	size_t	i;

#define VERIFY_FITS(a, b)	((a) == (b) || (allow_purged && (a) > (b)))
	if (!cell_same_shape(stored, want) ||
	    !VERIFY_FITS(stored->c_n, want->c_n))
		return false;
	for (i = 0; i < stored->c_nquestions; i++)
		if (!VERIFY_FITS(stored->c_answered[i], want->c_answered[i]))
			return false;
	for (i = 0; i < stored->c_total_slots; i++)
		if (!VERIFY_FITS(stored->c_slots[i], want->c_slots[i]))
			return false;
#undef VERIFY_FITS
	return true;
}

static int
verify_cell_cb(const struct cells_id *id, const struct cell *c,
    const struct cell *released, void *arg)
{
	struct verify		*v = arg;
	struct verify_cell	*vc;
	uint8_t			 key[CELLS_KEYLEN];
	char			 day[16];

	v->v_cells_seen++;
	v->v_r->vr_cells++;
	(void)util_format_date(id->ci_bucket, day, sizeof(day));
	if (released != NULL && !release_consistent(released, c)) {
		v->v_r->vr_bad_cells++;
		verify_note(v, "survey %u version %u unit %u bucket %s: the "
		    "released state is not one the rule reaches (released %u "
		    "of %u responses)", id->ci_survey, id->ci_version,
		    id->ci_unit, day, released->c_n, c->c_n);
	}
	cells_key(id, key);
	vc = verify_find(v, key);
	if (vc != NULL)
		vc->vc_seen = true;
	if ((vc == NULL && v->v_allow_purged) ||
	    (vc != NULL && verify_same(c, vc->vc_cell, v->v_allow_purged)))
		return 0;
	v->v_r->vr_bad_cells++;
	verify_note(v, "survey %u version %u unit %u bucket %s: the cell "
	    "counts %u responses, the records %u", id->ci_survey,
	    id->ci_version, id->ci_unit, day, c->c_n,
	    vc != NULL ? vc->vc_cell->c_n : 0);
	return 0;
}

/* An entry of the comments index: a step of kc texts, or fewer pending. */
static int
verify_comments_cb(const struct comments_id *id, uint32_t step, size_t n,
    void *arg)
{
	struct verify	*v = arg;
	struct survey	*s = NULL;
	uint32_t	 kc;
	int		 rc;

	v->v_r->vr_comments++;
	if ((rc = verify_version(v, id->cm_version, &s)) != 0)
		return rc;
	if (s == NULL || id->cm_question >= survey_question_count(s) ||
	    survey_question_type(s, id->cm_question) != QTYPE_TEXT) {
		v->v_r->vr_bad_comments++;
		verify_note(v, "survey %u version %u: comments of a question "
		    "the version does not have as a text question",
		    id->cm_survey, id->cm_version);
		return 0;
	}
	kc = comments_k(s);
	if (step == COMMENTS_PENDING ? n < kc : n == kc)
		return 0;
	v->v_r->vr_bad_comments++;
	verify_note(v, "survey %u version %u unit %u: a %s of comments holds "
	    "%zu texts, the step is %u", id->cm_survey, id->cm_version,
	    id->cm_unit, step == COMMENTS_PENDING ? "pending entry" : "step",
	    n, kc);
	return 0;
}

static int
verify_survey(struct verify *v, uint32_t survey)
{
	struct storage_iter	*it = NULL;
	const void		*key, *val;
	size_t			 klen, vlen, i;
	int			 rc;

	verify_reset(v, survey);
	if ((rc = storage_response_iter(v->v_txn, survey, 0, UINT32_MAX,
	    &it)) != 0)
		return rc;
	for (;;) {
		rc = storage_iter_next(it, &key, &klen, &val, &vlen);
		if (rc == -EBADMSG)
			continue;	/* counted by verify_open_all() */
		if (rc != 0)
			break;
		if ((rc = verify_response(v, key, val, vlen)) != 0)
			break;
	}
	storage_iter_free(it);
	if (rc != -ENOENT)
		return rc;
	if ((rc = cells_each(v->v_txn, survey, verify_cell_cb, v)) != 0 ||
	    (rc = comments_steps(v->v_txn, survey, verify_comments_cb,
	    v)) != 0)
		return rc;
	for (i = 0; i < v->v_ncells; i++) {
		if (v->v_cells[i].vc_seen)
			continue;
		v->v_r->vr_missing_cells++;
		verify_note(v, "survey %u: %u responses have no cell",
		    survey, v->v_cells[i].vc_cell->c_n);
	}
	return 0;
}

struct verify_ids {
	uint32_t	*vi_ids;
	size_t		 vi_n, vi_cap;
};

static int
verify_collect(const void *key, size_t klen, json_t *obj, void *arg)
{
	struct verify_ids	*ids = arg;
	uint32_t		*p;

	if (klen != REC_IDLEN)
		return 0;
	if (ids->vi_n == ids->vi_cap) {
		ids->vi_cap = ids->vi_cap ? 2 * ids->vi_cap : 16;
		if ((p = reallocarray(ids->vi_ids, ids->vi_cap,
		    sizeof(*p))) == NULL)
			return -ENOMEM;
		ids->vi_ids = p;
	}
	ids->vi_ids[ids->vi_n++] = rec_key_id(key);
	return 0;
}

int
verify_store(struct storage *st, bool allow_purged,
    void (*note)(const char *, void *), void *arg, struct verify_report *out)
{
	struct verify		 v;
	struct verify_ids	 ids = { NULL, 0, 0 };
	size_t			 i;
	int			 ret;

	memset(&v, 0, sizeof(v));
	memset(out, 0, sizeof(*out));
	v.v_r = out;
	v.v_note = note;
	v.v_arg = arg;
	v.v_allow_purged = allow_purged;
	if ((ret = storage_txn_begin(st, false, &v.v_txn)) != 0)
		goto done;
	if ((ret = verify_open_all(&v)) != 0)
		goto done;
	if ((ret = rec_each(v.v_txn, STORAGE_DB_SURVEYS, NULL, 0,
	    verify_collect, &ids)) != 0)
		goto done;
	for (i = 0; i < ids.vi_n; i++)
		if ((ret = verify_survey(&v, ids.vi_ids[i])) != 0)
			goto done;
	/* Every cell belongs to a survey that exists. */
	if (v.v_cells_seen != out->vr_records[STORAGE_DB_CELLS]) {
		out->vr_bad_cells += out->vr_records[STORAGE_DB_CELLS] -
		    v.v_cells_seen;
		verify_note(&v, "%llu cells belong to no survey",
		    (unsigned long long)(out->vr_records[STORAGE_DB_CELLS] -
		    v.v_cells_seen));
	}
	ret = 0;
done:
	verify_reset(&v, 0);
	free(v.v_cells);
	free(v.v_vers);
	free(ids.vi_ids);
	storage_txn_abort(v.v_txn);
	return ret;
}
