/*
 * surveys.c — /api/v1/surveys: survey definitions and their versions.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/adminjob.h"
#include "api/api.h"
#include "api/routes/routes.h"
#include "common/codec.h"
#include "common/util.h"
#include "core/catalog.h"
#include "core/collectors.h"
#include "core/rec.h"
#include "core/survey.h"
#include "storage/storage.h"

/* Members of a reply that are not part of a definition (read-only). */
static const char *const catalog_readonly[] = {
	"id", "version", "current_version", "has_responses", "open", NULL
};

/* ---------------------------------------------------------- replies */

/*
 * What a reply tells an admin besides the definition (none of it to a
 * manager). has_responses is of the released state
 * (catalog_has_released()): whether a version has any response at all is
 * a number below k (DESIGN.md section 5), so it turns true only with a
 * step of at least k people. open says whether a change now adds a
 * version (http_surveys_open()), so that an editor can say so before
 * saving.
 */
struct surveys_admin {
	bool	sa_has_responses;
	bool	sa_open;
};

/*
 * The reply for (record, version, definition): flat, read-only first;
 * adm is NULL for a manager.
 */
static json_t *
http_surveys_view(const json_t *rec, uint32_t version, const json_t *def,
    const struct surveys_admin *adm)
{
	json_t		*out, *v;
	const char	*k;

	out = json_pack("{s:O, s:I, s:I}", "id",
	    json_object_get(rec, "id"), "version", (json_int_t)version,
	    "current_version", (json_int_t)codec_u32(
	    json_object_get(rec, "version")));
	if (out == NULL || (adm != NULL && (json_object_set_new(out,
	    "has_responses", json_boolean(adm->sa_has_responses)) != 0 ||
	    json_object_set_new(out, "open", json_boolean(adm->sa_open)) !=
	    0))) {
		json_decref(out);
		return NULL;
	}
	json_object_foreach((json_t *)def, k, v) {
		if (json_object_set(out, k, v) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/*
 * Whether survey id (record rec) is open for answers: its first collector
 * was made (the record's mark, kept when the collectors go), or it has a
 * collector (a store older than the mark). A change of an open survey
 * adds a version (catalog_update_adds_version()). That function's last
 * guard, a version with responses that is neither, is not told here:
 * whether anyone answered is a number below k.
 */
static int
http_surveys_open(struct storage_txn *txn, const json_t *rec, uint32_t id,
    bool *out)
{
	size_t	n = 0;
	int	ret;

	if (json_is_true(json_object_get(rec, "open"))) {
		*out = true;
		return 0;
	}
	if ((ret = collectors_count_of_survey(txn, id, &n)) != 0)
		return ret;
	*out = n > 0;
	return 0;
}

/* ---------------------------------------------------------- reads */

struct surveys_list_arg {
	struct storage_txn	*sl_txn;
	bool			 sl_admin;
	json_t			*sl_out;
};

static int
http_surveys_list_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct surveys_list_arg	*sl = arg;
	json_t			*def = NULL, *item = NULL;
	uint32_t		 version;
	bool			 responses = false, open = false;
	int			 ret;

	if (klen != REC_IDLEN)
		return 0;
	if ((ret = catalog_definition(sl->sl_txn, rec_key_id(key), 0, &def,
	    &version)) != 0 || (sl->sl_admin &&
	    ((ret = catalog_has_released(sl->sl_txn, rec_key_id(key), version,
	    &responses)) != 0 || (ret = http_surveys_open(sl->sl_txn, rec,
	    rec_key_id(key), &open)) != 0)))
		goto done;
	item = json_pack("{s:O, s:O, s:O, s:O, s:O, s:I}",
	    "id", json_object_get(rec, "id"),
	    "slug", json_object_get(rec, "slug"),
	    "title", json_object_get(def, "title"),
	    "audience", json_object_get(def, "audience"),
	    "languages", json_object_get(def, "languages"),
	    "version", (json_int_t)version);
	/* Admins only: see struct surveys_admin. */
	if (item != NULL && sl->sl_admin && (json_object_set_new(item,
	    "has_responses", json_boolean(responses)) != 0 ||
	    json_object_set_new(item, "open", json_boolean(open)) != 0)) {
		json_decref(item);
		item = NULL;
	}
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
http_surveys_list(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	struct surveys_list_arg	 sl;
	int			 rc;

	memset(&sl, 0, sizeof(sl));
	if (adminjob_read_begin(ctx, req, &txn) != 0)
		return;
	sl.sl_txn = txn;
	sl.sl_admin = req->rq_who.pr_role == ROLE_ADMIN;
	if ((sl.sl_out = json_array()) == NULL)
		rc = -ENOMEM;
	else
		rc = rec_each(txn, STORAGE_DB_SURVEYS, NULL, 0,
		    http_surveys_list_one, &sl);
	storage_txn_abort(txn);
	if (rc != 0) {
		json_decref(sl.sl_out);
		api_reply_errno(req, rc);
		return;
	}
	api_reply_json(req, 200, json_pack("{s:o}", "surveys", sl.sl_out));
}

void
http_surveys_show(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	json_t			*rec = NULL, *def = NULL;
	char			*q = NULL;
	long long		 v = 0;
	struct surveys_admin	 adm;
	uint32_t		 id, version = 0;
	bool			 admin = req->rq_who.pr_role == ROLE_ADMIN;
	int			 rc;

	if (api_path_id(req, "survey", &id) != 0)
		return;

	rc = api_query_get(req, "version", &q);
	if (rc == 0 && util_parse_ll(q, 1, UINT32_MAX, &v) != 0) {
		free(q);
		api_reply_errorf(req, ERR_BAD_REQUEST, "version",
		    "'version' must be a positive whole number");
		return;
	}
	free(q);
	if (rc != 0 && rc != -ENOENT) {
		api_reply_errorf(req, ERR_BAD_REQUEST, "version",
		    "the query is not validly encoded");
		return;
	}
	version = (uint32_t)v;
	memset(&adm, 0, sizeof(adm));
	if (adminjob_read_begin(ctx, req, &txn) != 0)
		return;
	if ((rc = catalog_get(txn, id, &rec)) == 0 &&
	    (rc = catalog_definition(txn, id, version, &def, &version)) == 0 &&
	    admin && (rc = catalog_has_released(txn, id, version,
	    &adm.sa_has_responses)) == 0)
		rc = http_surveys_open(txn, rec, id, &adm.sa_open);
	storage_txn_abort(txn);
	if (rc == -ENOENT && v != 0)
		api_reply_errorf(req, ERR_NOT_FOUND, NULL,
		    "survey %u has no version %lld", id, v);
	else if (rc == -ENOENT)
		api_reply_errorf(req, ERR_NOT_FOUND, NULL, "no survey %u", id);
	else if (rc != 0)
		api_reply_errno(req, rc);
	else
		api_reply_json(req, 200, http_surveys_view(rec, version, def,
		    admin ? &adm : NULL));
	json_decref(rec);
	json_decref(def);
}

/* ---------------------------------------------------------- writes */

static void
http_surveys_data_free(void *data)
{
	survey_free(data);
}

static int
http_surveys_apply_create(struct storage_txn *txn, struct adminjob *job)
{
	json_t		*rec = NULL, *def = NULL;
	uint32_t	 id;
	int		 ret;

	if ((ret = catalog_insert(txn, job->aj_data, &id, &rec, &def,
	    &job->aj_err)) != 0)
		goto done;
	/* Nobody can have answered a survey made just now, nor collect. */
	if ((job->aj_out = http_surveys_view(rec, 1, def,
	    &(const struct surveys_admin){ false, false })) == NULL) {
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
http_surveys_apply_update(struct storage_txn *txn, struct adminjob *job)
{
	struct survey		*s = job->aj_data;
	struct surveys_admin	 adm;
	uint8_t			 key[CATALOG_KEYLEN];
	json_t			*rec = NULL, *old = NULL, *def = NULL;
	const char		*slug;
	uint32_t		 version;
	size_t			 ncollectors = 0;
	bool			 fresh, adds = true;
	int			 ret;

	memset(&adm, 0, sizeof(adm));

	if ((ret = catalog_get(txn, job->aj_id, &rec)) != 0)
		goto done;
	if ((version = codec_u32(json_object_get(rec, "version"))) ==
	    0) {
		ret = -EBADMSG;
		goto done;
	}
	/* Without a slug in the body the survey keeps the one it has. */
	if (survey_slug(s) == NULL &&
	    (slug = json_string_value(json_object_get(rec, "slug"))) != NULL &&
	    (ret = survey_set_slug(s, slug)) != 0)
		goto done;
	if ((ret = catalog_canonical(s, job->aj_id, &def, &job->aj_err)) != 0)
		goto done;
	if ((ret = catalog_slug_free(txn, survey_slug(s), job->aj_id,
	    &job->aj_err)) != 0)
		goto done;
	if ((ret = catalog_definition(txn, job->aj_id, version, &old, NULL))
	    != 0)
		goto done;
	/*
	 * A survey open for answers keeps its versions: a change makes a
	 * new one, whether anyone answered or not, so that the version
	 * number says nothing of responses (core/catalog.h). The same
	 * definition again changes nothing.
	 */
	if ((ret = collectors_count_of_survey(txn, job->aj_id,
	    &ncollectors)) != 0 ||
	    (ret = catalog_update_adds_version(txn, rec, ncollectors,
	    &adds)) != 0)
		goto done;
	fresh = !json_equal(old, def) && adds;
	/* A new version has nothing released yet. */
	if ((!fresh && (ret = catalog_has_released(txn, job->aj_id, version,
	    &adm.sa_has_responses)) != 0) ||
	    (ret = http_surveys_open(txn, rec, job->aj_id, &adm.sa_open)) != 0)
		goto done;
	if (fresh)
		version++;
	catalog_key(job->aj_id, version, key);
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
	if ((job->aj_out = http_surveys_view(rec, version, def, &adm)) ==
	    NULL) {
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
http_surveys_strip(json_t *def, uint32_t id, struct error *err)
{
	json_t	*v;
	size_t	 i;

	if ((v = json_object_get(def, "id")) != NULL &&
	    codec_u32(v) != id)
		return error_set(err, ERR_INVALID, "id",
		    "'id' is not the id of this survey (%u)", id);
	for (i = 0; catalog_readonly[i] != NULL; i++)
		json_object_del(def, catalog_readonly[i]);
	return 0;
}

static void
http_surveys_write(struct api_ctx *ctx, struct api_req *req,
    adminjob_apply_fn fn,
    bool has_id)
{
	struct adminjob	*job = NULL;
	struct survey	*s = NULL;
	struct error	 err;
	json_t		*def = NULL;
	uint32_t	 id = 0;

	memset(&err, 0, sizeof(err));
	if (has_id && api_path_id(req, "survey", &id) != 0)
		return;

	if (api_body_object(req, &def, &err) != 0 ||
	    (has_id && http_surveys_strip(def, id, &err) != 0) ||
	    survey_parse(def, &s, &err) != 0) {
		json_decref(def);
		if (err.er_code == ERR_NONE)
			api_reply_errorf(req, ERR_INTERNAL, NULL,
			    "out of memory");
		else
			api_reply_error(req, &err);
		return;
	}
	json_decref(def);
	if ((job = adminjob_new(ctx, req, fn)) == NULL) {
		survey_free(s);
		api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	job->aj_id = id;
	job->aj_data = s;
	job->aj_data_free = http_surveys_data_free;
	adminjob_submit(job);
}

void
http_surveys_post(struct api_ctx *ctx, struct api_req *req)
{
	http_surveys_write(ctx, req, http_surveys_apply_create, false);
}

void
http_surveys_put(struct api_ctx *ctx, struct api_req *req)
{
	http_surveys_write(ctx, req, http_surveys_apply_update, true);
}
