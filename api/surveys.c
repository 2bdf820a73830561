/*
 * surveys.c — survey definitions and versions in storage, and the
 * /api/v1/surveys handlers.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/adminjob.h"
#include "api/api.h"
#include "api/codec.h"
#include "api/handlers.h"
#include "api/rec.h"
#include "api/survey.h"
#include "api/surveys.h"
#include "common/util.h"
#include "storage/storage.h"

/* Members of a reply that are not part of a definition (read-only). */
static const char *const surveys_readonly[] = {
	"id", "version", "current_version", "has_responses", NULL
};

static void
surveys_key(uint32_t id, uint32_t version, uint8_t key[SURVEYS_KEYLEN])
{
	rec_key(id, key);
	rec_key(version, key + REC_IDLEN);
}

static uint32_t
surveys_json_u32(const json_t *v)
{
	json_int_t	n;

	if (!json_is_integer(v))
		return 0;
	n = json_integer_value(v);
	return n > 0 && n <= UINT32_MAX ? (uint32_t)n : 0;
}

int
surveys_get(struct storage_txn *txn, uint32_t id, json_t **out)
{
	return rec_get(txn, STORAGE_DB_SURVEYS, id, out);
}

int
surveys_current_version(struct storage_txn *txn, uint32_t id,
    uint32_t *version_out)
{
	json_t		*rec = NULL;
	uint32_t	 v;
	int		 ret;

	if ((ret = surveys_get(txn, id, &rec)) != 0)
		goto done;
	if ((v = surveys_json_u32(json_object_get(rec, "version"))) == 0) {
		ret = -EBADMSG;
		goto done;
	}
	*version_out = v;
	ret = 0;
done:
	json_decref(rec);
	return ret;
}

int
surveys_definition(struct storage_txn *txn, uint32_t id, uint32_t version,
    json_t **def_out, uint32_t *version_out)
{
	uint8_t	key[SURVEYS_KEYLEN];
	int	ret;

	if (version == 0 &&
	    (ret = surveys_current_version(txn, id, &version)) != 0)
		return ret;
	surveys_key(id, version, key);
	if ((ret = rec_get_key(txn, STORAGE_DB_SURVEYS, key, sizeof(key),
	    def_out)) != 0)
		return ret;
	if (version_out != NULL)
		*version_out = version;
	return 0;
}

int
surveys_load(struct storage_txn *txn, uint32_t id, uint32_t version,
    struct survey **out, uint32_t *version_out)
{
	struct api_err	 err;
	json_t		*def = NULL;
	uint32_t	 v;
	int		 ret;

	if ((ret = surveys_definition(txn, id, version, &def, &v)) != 0)
		goto done;
	/* Stored definitions were checked when written; this one rotted. */
	if ((ret = survey_parse(def, out, &err)) != 0) {
		ret = ret == -ENOMEM ? ret : -EBADMSG;
		goto done;
	}
	if (version_out != NULL)
		*version_out = v;
done:
	json_decref(def);
	return ret;
}

/* Whether any cell key starts with prefix (api/cells.h's layout). */
static int
surveys_cells_exist(struct storage_txn *txn, const uint8_t *prefix,
    size_t plen, bool *out)
{
	struct storage_iter	*it = NULL;
	const void		*key, *val;
	size_t			 klen, vlen;
	int			 rc;

	if ((rc = storage_iter_new(txn, STORAGE_DB_CELLS, prefix, plen, &it))
	    != 0)
		return rc;
	rc = storage_iter_next(it, &key, &klen, &val, &vlen);
	storage_iter_free(it);
	if (rc == 0 || rc == -ENOENT) {
		*out = rc == 0;
		return 0;
	}
	return rc;
}

int
surveys_has_responses(struct storage_txn *txn, uint32_t id,
    uint32_t version, bool *out)
{
	uint8_t	prefix[SURVEYS_KEYLEN];

	/* Cell keys: survey (4) | version (4) | unit (4) | bucket (4). */
	surveys_key(id, version, prefix);
	return surveys_cells_exist(txn, prefix, sizeof(prefix), out);
}

struct surveys_unit_arg {
	struct storage_txn	*su_txn;
	uint32_t		 su_unit;
	bool			 su_found;
};

static int
surveys_unit_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct surveys_unit_arg	*su = arg;
	uint8_t			 prefix[SURVEYS_KEYLEN + REC_IDLEN];
	uint32_t		 v, current;
	int			 rc;

	if (klen != REC_IDLEN)
		return 0;
	current = surveys_json_u32(json_object_get(rec, "version"));
	for (v = 1; v <= current; v++) {
		surveys_key(rec_key_id(key), v, prefix);
		rec_key(su->su_unit, prefix + SURVEYS_KEYLEN);
		if ((rc = surveys_cells_exist(su->su_txn, prefix,
		    sizeof(prefix), &su->su_found)) != 0)
			return rc;
		if (su->su_found)
			return 1;
	}
	return 0;
}

int
surveys_unit_has_responses(struct storage_txn *txn, uint32_t unit,
    bool *out)
{
	struct surveys_unit_arg	su;
	int			rc;

	su.su_txn = txn;
	su.su_unit = unit;
	su.su_found = false;
	rc = rec_each(txn, STORAGE_DB_SURVEYS, NULL, 0, surveys_unit_one, &su);
	if (rc < 0)
		return rc;
	*out = su.su_found;
	return 0;
}

/* ---------------------------------------------------------- slugs */

struct surveys_slug_arg {
	const char	*ss_slug;
	uint32_t	 ss_except;
	uint32_t	 ss_found;
};

static int
surveys_slug_one(const void *key, size_t klen, json_t *obj, void *arg)
{
	struct surveys_slug_arg	*ss = arg;
	const char		*slug;

	if (klen != REC_IDLEN || rec_key_id(key) == ss->ss_except)
		return 0;
	slug = json_string_value(json_object_get(obj, "slug"));
	if (slug != NULL && strcmp(slug, ss->ss_slug) == 0) {
		ss->ss_found = rec_key_id(key);
		return 1;
	}
	return 0;
}

/* Refuse a slug another survey has (a handful of surveys: a scan). */
static int
surveys_slug_free(struct storage_txn *txn, const char *slug, uint32_t except,
    struct api_err *err)
{
	struct surveys_slug_arg	ss;
	int			rc;

	memset(&ss, 0, sizeof(ss));
	ss.ss_slug = slug;
	ss.ss_except = except;
	rc = rec_each(txn, STORAGE_DB_SURVEYS, NULL, 0, surveys_slug_one, &ss);
	if (rc == 1)
		return api_err_set(err, APIE_CONFLICT, "slug",
		    "survey %u already has the slug '%s'", ss.ss_found, slug);
	return rc;
}

/* ---------------------------------------------------------- replies */

/* The reply for (record, version, definition): flat, read-only first. */
static json_t *
surveys_view(const json_t *rec, uint32_t version, const json_t *def,
    bool has_responses)
{
	json_t		*out, *v;
	const char	*k;

	out = json_pack("{s:O, s:I, s:I, s:b}", "id",
	    json_object_get(rec, "id"), "version", (json_int_t)version,
	    "current_version", (json_int_t)surveys_json_u32(
	    json_object_get(rec, "version")), "has_responses", has_responses);
	if (out == NULL)
		return NULL;
	json_object_foreach((json_t *)def, k, v) {
		if (json_object_set(out, k, v) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* ---------------------------------------------------------- reads */

struct surveys_list_arg {
	struct storage_txn	*sl_txn;
	json_t			*sl_out;
};

static int
surveys_list_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct surveys_list_arg	*sl = arg;
	json_t			*def = NULL, *item = NULL;
	uint32_t		 version;
	bool			 responses = false;
	int			 ret;

	if (klen != REC_IDLEN)
		return 0;
	if ((ret = surveys_definition(sl->sl_txn, rec_key_id(key), 0, &def,
	    &version)) != 0 ||
	    (ret = surveys_has_responses(sl->sl_txn, rec_key_id(key), version,
	    &responses)) != 0)
		goto done;
	item = json_pack("{s:O, s:O, s:O, s:O, s:O, s:I, s:b}",
	    "id", json_object_get(rec, "id"),
	    "slug", json_object_get(rec, "slug"),
	    "title", json_object_get(def, "title"),
	    "audience", json_object_get(def, "audience"),
	    "languages", json_object_get(def, "languages"),
	    "version", (json_int_t)version,
	    "has_responses", responses);
	if (item == NULL || json_array_append_new(sl->sl_out, item) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	ret = 0;
done:
	json_decref(def);
	return ret;
}

void
surveys_list(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	struct surveys_list_arg	 sl;
	int			 rc;

	memset(&sl, 0, sizeof(sl));
	if (adminjob_read_begin(ctx, req, &txn) != 0)
		return;
	sl.sl_txn = txn;
	if ((sl.sl_out = json_array()) == NULL)
		rc = -ENOMEM;
	else
		rc = rec_each(txn, STORAGE_DB_SURVEYS, NULL, 0,
		    surveys_list_one, &sl);
	storage_txn_abort(txn);
	if (rc != 0) {
		json_decref(sl.sl_out);
		api_reply_errno(req, rc);
		return;
	}
	api_reply_json(req, 200, json_pack("{s:o}", "surveys", sl.sl_out));
}

void
surveys_show(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	json_t			*rec = NULL, *def = NULL;
	char			*q = NULL;
	long long		 v = 0;
	uint32_t		 id, version = 0;
	bool			 responses = false;
	int			 rc;

	if (api_path_id(req, "survey", &id) != 0)
		return;

	rc = api_query_get(req, "version", &q);
	if (rc == 0 && util_parse_ll(q, 1, UINT32_MAX, &v) != 0) {
		free(q);
		api_reply_errorf(req, APIE_BAD_REQUEST, "version",
		    "'version' must be a positive whole number");
		return;
	}
	free(q);
	if (rc != 0 && rc != -ENOENT) {
		api_reply_errorf(req, APIE_BAD_REQUEST, "version",
		    "the query is not validly encoded");
		return;
	}
	version = (uint32_t)v;
	if (adminjob_read_begin(ctx, req, &txn) != 0)
		return;
	if ((rc = surveys_get(txn, id, &rec)) == 0 &&
	    (rc = surveys_definition(txn, id, version, &def, &version)) == 0)
		rc = surveys_has_responses(txn, id, version, &responses);
	storage_txn_abort(txn);
	if (rc == -ENOENT && v != 0)
		api_reply_errorf(req, APIE_NOT_FOUND, NULL,
		    "survey %u has no version %lld", id, v);
	else if (rc == -ENOENT)
		api_reply_errorf(req, APIE_NOT_FOUND, NULL, "no survey %u", id);
	else if (rc != 0)
		api_reply_errno(req, rc);
	else
		api_reply_json(req, 200, surveys_view(rec, version, def,
		    responses));
	json_decref(rec);
	json_decref(def);
}

/* ---------------------------------------------------------- writes */

/*
 * The canonical definition of s with its slug first: the slug is set
 * here when the server assigns one.
 */
static int
surveys_canonical(struct survey *s, uint32_t id, json_t **out,
    struct api_err *err)
{
	char	slug[SURVEY_SLUG_MAX + 1];

	if (survey_slug(s) == NULL) {
		if (util_snprintf(slug, sizeof(slug), "survey-%u", id) != 0 ||
		    survey_set_slug(s, slug) != 0)
			return -EINVAL;
	}
	if ((*out = survey_to_json(s)) == NULL)
		return -ENOMEM;
	return 0;
}

static int
surveys_insert(struct storage_txn *txn, struct survey *s, uint32_t *id_out,
    json_t **rec_out, json_t **def_out, struct api_err *err)
{
	uint8_t		 key[SURVEYS_KEYLEN];
	json_t		*def = NULL, *rec = NULL;
	uint32_t	 id;
	int		 ret;

	if ((ret = storage_next_id(txn, "survey", &id)) != 0)
		goto done;
	if ((ret = surveys_canonical(s, id, &def, err)) != 0)
		goto done;
	if ((ret = surveys_slug_free(txn, survey_slug(s), 0, err)) != 0)
		goto done;
	rec = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "slug",
	    survey_slug(s), "version", (json_int_t)1);
	if (rec == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	surveys_key(id, 1, key);
	if ((ret = rec_put_key(txn, STORAGE_DB_SURVEYS, key, sizeof(key), def,
	    STORAGE_NOOVERWRITE)) != 0 ||
	    (ret = rec_put(txn, STORAGE_DB_SURVEYS, id, rec)) != 0)
		goto done;
	*id_out = id;
	if (rec_out != NULL) {
		*rec_out = rec;
		rec = NULL;
	}
	if (def_out != NULL) {
		*def_out = def;
		def = NULL;
	}
	ret = 0;
done:
	json_decref(def);
	json_decref(rec);
	return ret;
}

int
surveys_create(struct storage_txn *txn, const json_t *def, uint32_t *id_out,
    struct api_err *err)
{
	struct survey	*s = NULL;
	int		 ret;

	if ((ret = survey_parse(def, &s, err)) != 0)
		return ret;
	ret = surveys_insert(txn, s, id_out, NULL, NULL, err);
	survey_free(s);
	return ret;
}

static void
surveys_data_free(void *data)
{
	survey_free(data);
}

static int
surveys_apply_create(struct storage_txn *txn, struct adminjob *job)
{
	json_t		*rec = NULL, *def = NULL;
	uint32_t	 id;
	int		 ret;

	if ((ret = surveys_insert(txn, job->aj_data, &id, &rec, &def,
	    &job->aj_err)) != 0)
		goto done;
	if ((job->aj_out = surveys_view(rec, 1, def, false)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	job->aj_status = 201;
	ret = adminjob_audit(txn, job, "survey.create",
	    json_pack("{s:I, s:s, s:i}", "survey", (json_int_t)id, "slug",
	    survey_slug(job->aj_data), "version", 1));
done:
	json_decref(rec);
	json_decref(def);
	return ret;
}

static int
surveys_apply_update(struct storage_txn *txn, struct adminjob *job)
{
	struct survey	*s = job->aj_data;
	uint8_t		 key[SURVEYS_KEYLEN];
	json_t		*rec = NULL, *old = NULL, *def = NULL;
	const char	*slug;
	uint32_t	 version;
	bool		 fresh, responses = false;
	int		 ret;

	if ((ret = surveys_get(txn, job->aj_id, &rec)) != 0)
		goto done;
	if ((version = surveys_json_u32(json_object_get(rec, "version"))) ==
	    0) {
		ret = -EBADMSG;
		goto done;
	}
	/* Without a slug in the body the survey keeps the one it has. */
	if (survey_slug(s) == NULL &&
	    (slug = json_string_value(json_object_get(rec, "slug"))) != NULL &&
	    (ret = survey_set_slug(s, slug)) != 0)
		goto done;
	if ((ret = surveys_canonical(s, job->aj_id, &def, &job->aj_err)) != 0)
		goto done;
	if ((ret = surveys_slug_free(txn, survey_slug(s), job->aj_id,
	    &job->aj_err)) != 0)
		goto done;
	if ((ret = surveys_definition(txn, job->aj_id, version, &old, NULL))
	    != 0)
		goto done;
	/*
	 * Published versions are immutable once they have responses: a
	 * change makes a new version. The same definition again changes
	 * nothing.
	 */
	if ((ret = surveys_has_responses(txn, job->aj_id, version,
	    &responses)) != 0)
		goto done;
	fresh = !json_equal(old, def) && responses;
	if (fresh)
		version++;
	surveys_key(job->aj_id, version, key);
	if ((ret = rec_put_key(txn, STORAGE_DB_SURVEYS, key, sizeof(key), def,
	    fresh ? STORAGE_NOOVERWRITE : 0)) != 0)
		goto done;
	if (json_object_set_new(rec, "slug",
	    json_string(survey_slug(s))) != 0 ||
	    json_object_set_new(rec, "version", json_integer(version)) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_put(txn, STORAGE_DB_SURVEYS, job->aj_id, rec)) != 0)
		goto done;
	if ((job->aj_out = surveys_view(rec, version, def,
	    responses && !fresh)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	ret = adminjob_audit(txn, job, "survey.update",
	    json_pack("{s:I, s:s, s:I, s:b}", "survey", (json_int_t)job->aj_id,
	    "slug", survey_slug(s), "version", (json_int_t)version,
	    "new_version", fresh));
done:
	json_decref(rec);
	json_decref(old);
	json_decref(def);
	return ret;
}

/*
 * A PUT body may be a GET reply sent back: drop its read-only members,
 * but an id must be this survey's.
 */
static int
surveys_strip(json_t *def, uint32_t id, struct api_err *err)
{
	json_t	*v;
	size_t	 i;

	if ((v = json_object_get(def, "id")) != NULL &&
	    surveys_json_u32(v) != id)
		return api_err_set(err, APIE_INVALID, "id",
		    "'id' is not the id of this survey (%u)", id);
	for (i = 0; surveys_readonly[i] != NULL; i++)
		json_object_del(def, surveys_readonly[i]);
	return 0;
}

static void
surveys_write(struct api_ctx *ctx, struct api_req *req, adminjob_apply_fn fn,
    bool has_id)
{
	struct adminjob	*job = NULL;
	struct survey	*s = NULL;
	struct api_err	 err;
	json_t		*def = NULL;
	uint32_t	 id = 0;

	memset(&err, 0, sizeof(err));
	if (has_id && api_path_id(req, "survey", &id) != 0)
		return;

	if (codec_parse_object(req, &def, &err) != 0 ||
	    (has_id && surveys_strip(def, id, &err) != 0) ||
	    survey_parse(def, &s, &err) != 0) {
		json_decref(def);
		if (err.ae_code == APIE_NONE)
			api_reply_errorf(req, APIE_INTERNAL, NULL,
			    "out of memory");
		else
			api_reply_error(req, &err);
		return;
	}
	json_decref(def);
	if ((job = adminjob_new(ctx, req, fn)) == NULL) {
		survey_free(s);
		api_reply_errorf(req, APIE_INTERNAL, NULL, "out of memory");
		return;
	}
	job->aj_id = id;
	job->aj_data = s;
	job->aj_data_free = surveys_data_free;
	adminjob_submit(job);
}

void
surveys_post(struct api_ctx *ctx, struct api_req *req)
{
	surveys_write(ctx, req, surveys_apply_create, false);
}

void
surveys_put(struct api_ctx *ctx, struct api_req *req)
{
	surveys_write(ctx, req, surveys_apply_update, true);
}
