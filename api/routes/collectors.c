/*
 * collectors.c — /api/v1/collectors: kiosks, links and invitation rounds
 * (their codes shown once, also as CSV). Each invitation code comes with
 * its personal link, /f/<slug>#code=CODE: the code rides in the URL's
 * fragment, which browsers never send, so no server or proxy in front
 * of it logs who opened the form when.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api/adminjob.h"
#include "api/api.h"
#include "api/routes/routes.h"
#include "common/codec.h"
#include "common/util.h"
#include "core/auth.h"
#include "core/catalog.h"
#include "core/collectors.h"
#include "core/rec.h"
#include "core/units.h"
#include "storage/storage.h"

static const char *const collectors_members[] = {
	"survey", "unit", "kind", "count", "idle_reset_seconds", "name", NULL
};
static const char *const collectors_patch_members[] = { "name", NULL };

/* ---------------------------------------------------------- views */

/*
 * A record as callers see it: no hashes, and a round's used codes in
 * whole steps of k (memo: catalog_k()). NULL when out of memory or the
 * survey is unreadable.
 */
static json_t *
http_collectors_view(struct storage_txn *txn, const json_t *rec,
    struct catalog_k *memo)
{
	static const char *const copy[] = {
		"id", "kind", "name", "survey", "unit", "created",
		"idle_reset_seconds", "enrolled", "last_seen", "issued",
		"slug", NULL
	};
	char		 when[32], url[64];
	const char	*slug;
	json_t		*out, *v;
	uint32_t	 used;
	size_t		 i;

	if ((out = json_object()) == NULL)
		return NULL;
	for (i = 0; copy[i] != NULL; i++)
		if ((v = json_object_get(rec, copy[i])) != NULL &&
		    json_object_set(out, copy[i], v) != 0)
			goto fail;
	if (json_object_get(rec, "used") != NULL &&
	    (collectors_used_released(txn, rec, memo, &used) != 0 ||
	    json_object_set_new(out, "used", json_integer(used)) != 0))
		goto fail;
	if ((slug = json_string_value(json_object_get(rec, "slug"))) != NULL) {
		snprintf(url, sizeof(url), "/f/%s", slug);
		if (json_object_set_new(out, "url", json_string(url)) != 0)
			goto fail;
	}
	if ((v = json_object_get(rec, "enroll_expires_at")) != NULL) {
		util_format_time(json_integer_value(v), when, sizeof(when));
		if (json_object_set_new(out, "enrollment_expires_at",
		    json_string(when)) != 0)
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/*
 * The personal link of an invitation code: the form's path and the code
 * in the fragment. -ENAMETOOLONG when buf is too small.
 */
static int
http_collectors_code_url(const char *slug, const char *code, char *buf,
    size_t len)
{
	int	n;

	n = snprintf(buf, len, "/f/%s#code=%s", slug, code);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The creation reply: the view, and the codes shown this once. */
static json_t *
http_collectors_issue_view(struct storage_txn *txn, const json_t *rec,
    const struct collectors_issue *ci)
{
	struct catalog_k	 memo = { 0, 0, 0 };
	char			 when[32], url[96];
	json_t			*out, *codes = NULL, *urls = NULL;
	size_t			 i;

	if ((out = http_collectors_view(txn, rec, &memo)) == NULL)
		return NULL;
	switch (ci->ci_kind) {
	case COLLECTORS_KIOSK:
		util_format_time(ci->ci_expires, when, sizeof(when));
		snprintf(url, sizeof(url), "/kiosk/?code=%s",
		    collectors_issue_code(ci, 0));
		if (json_object_set_new(out, "enrollment_code",
		    json_string(collectors_issue_code(ci, 0))) != 0 ||
		    json_object_set_new(out, "expires_at",
		    json_string(when)) != 0 ||
		    json_object_set_new(out, "kiosk_url",
		    json_string(url)) != 0)
			goto fail;
		break;
	case COLLECTORS_INVITATION:
		/* code_urls[i] is the personal link of codes[i]. */
		if ((codes = json_array()) == NULL ||
		    (urls = json_array()) == NULL)
			goto fail;
		for (i = 0; i < ci->ci_count; i++)
			if (json_array_append_new(codes, json_string(
			    collectors_issue_code(ci, i))) != 0 ||
			    http_collectors_code_url(ci->ci_slug,
			    collectors_issue_code(ci, i), url,
			    sizeof(url)) != 0 ||
			    json_array_append_new(urls, json_string(url)) != 0)
				goto fail;
		sodium_memzero(url, sizeof(url));
		if (json_object_set_new(out, "codes", codes) != 0) {
			codes = NULL;
			goto fail;
		}
		codes = NULL;
		if (json_object_set_new(out, "code_urls", urls) != 0) {
			urls = NULL;
			goto fail;
		}
		urls = NULL;
		break;
	case COLLECTORS_LINK:
		break;
	}
	return out;
fail:
	sodium_memzero(url, sizeof(url));
	json_decref(codes);
	json_decref(urls);
	json_decref(out);
	return NULL;
}

/* ---------------------------------------------------------- reads */

struct collectors_list_arg {
	struct storage_txn		*cl_txn;
	struct catalog_k		 cl_memo;	/* the rounds' surveys */
	const struct units_tree		*cl_tree;
	const struct principal	*cl_who;
	uint32_t			 cl_survey;
	uint32_t			 cl_unit;
	json_t				*cl_out;
};

static int
http_collectors_list_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct collectors_list_arg	*cl = arg;
	uint32_t			 unit;

	if (klen != REC_IDLEN)
		return 0;
	unit = codec_u32(json_object_get(rec, "unit"));
	if (!units_visible(cl->cl_tree, cl->cl_who, unit) &&
	    cl->cl_who->pr_role != ROLE_ADMIN)
		return 0;
	if (cl->cl_survey != 0 && codec_u32(json_object_get(rec,
	    "survey")) != cl->cl_survey)
		return 0;
	if (cl->cl_unit != 0 && unit != cl->cl_unit)
		return 0;
	return json_array_append_new(cl->cl_out,
	    http_collectors_view(cl->cl_txn, rec, &cl->cl_memo)) == 0 ? 0 :
	    -ENOMEM;
}

/* An optional id in the query: 0 when absent; -EINVAL replied. */
static int
http_collectors_query_id(struct api_req *req, const char *name, uint32_t *out)
{
	char		*s = NULL;
	long long	 v;
	int		 rc;

	*out = 0;
	if ((rc = api_query_get(req, name, &s)) == -ENOENT)
		return 0;
	if (rc != 0 || util_parse_ll(s, 1, UINT32_MAX, &v) != 0) {
		free(s);
		api_reply_errorf(req, ERR_BAD_REQUEST, name,
		    "'%s' must be a positive whole number", name);
		return -EINVAL;
	}
	free(s);
	*out = (uint32_t)v;
	return 0;
}

void
http_collectors_list(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn		*txn = NULL;
	struct units_tree		*tree = NULL;
	struct collectors_list_arg	 cl;
	int				 rc;

	memset(&cl, 0, sizeof(cl));
	if (http_collectors_query_id(req, "survey", &cl.cl_survey) != 0 ||
	    http_collectors_query_id(req, "unit", &cl.cl_unit) != 0)
		return;
	if (adminjob_read_begin(ctx, req, &txn) != 0)
		return;
	if ((rc = units_tree_load(txn, &tree)) != 0)
		goto done;
	if (cl.cl_unit != 0 && req->rq_who.pr_role != ROLE_ADMIN &&
	    !units_visible(tree, &req->rq_who, cl.cl_unit)) {
		rc = 1;
		api_reply_errorf(req, ERR_FORBIDDEN, "unit",
		    "unit %u is outside your units", cl.cl_unit);
		goto done;
	}
	if ((cl.cl_out = json_array()) == NULL) {
		rc = -ENOMEM;
		goto done;
	}
	cl.cl_txn = txn;
	cl.cl_tree = tree;
	cl.cl_who = &req->rq_who;
	rc = rec_each(txn, STORAGE_DB_COLLECTORS, NULL, 0,
	    http_collectors_list_one,
	    &cl);
done:
	storage_txn_abort(txn);
	units_tree_free(tree);
	if (rc == 0) {
		api_reply_json(req, 200, json_pack("{s:o}", "collectors",
		    cl.cl_out));
		return;
	}
	json_decref(cl.cl_out);
	if (rc < 0)
		api_reply_errno(req, rc);
}

void
http_collectors_show(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	struct units_tree	*tree = NULL;
	struct catalog_k	 memo = { 0, 0, 0 };
	json_t			*rec = NULL, *view = NULL;
	uint32_t		 id;
	bool			 visible = false;
	int			 rc;

	if (api_path_id(req, "collector", &id) != 0)
		return;

	if (adminjob_read_begin(ctx, req, &txn) != 0)
		return;
	if ((rc = units_tree_load(txn, &tree)) == 0 &&
	    (rc = collectors_get(txn, id, &rec)) == 0) {
		visible = units_visible(tree, &req->rq_who,
		    codec_u32(json_object_get(rec, "unit")));
		if ((view = http_collectors_view(txn, rec, &memo)) == NULL)
			rc = -ENOMEM;
	}
	storage_txn_abort(txn);
	units_tree_free(tree);
	/* A manager learns nothing of collectors outside their units. */
	if (req->rq_who.pr_role != ROLE_ADMIN && (rc == -ENOENT ||
	    (rc == 0 && !visible)))
		api_reply_errorf(req, ERR_FORBIDDEN, NULL,
		    "collector %u is outside your units", id);
	else if (rc == -ENOENT)
		api_reply_errorf(req, ERR_NOT_FOUND, NULL, "no collector %u",
		    id);
	else if (rc != 0)
		api_reply_errno(req, rc);
	else {
		api_reply_json(req, 200, view);
		view = NULL;
	}
	json_decref(view);
	json_decref(rec);
}

/* ---------------------------------------------------------- writes */

static void
http_collectors_data_free(void *data)
{
	collectors_issue_free(data);
}

static int
http_collectors_apply_create(struct storage_txn *txn, struct adminjob *job)
{
	struct collectors_issue	*ci = job->aj_data;
	json_t			*rec = NULL;
	uint32_t		 id;
	int			 ret;

	if ((ret = collectors_create(txn, ci, &id, &job->aj_err)) != 0)
		goto done;
	if ((ret = collectors_get(txn, id, &rec)) != 0)
		goto done;
	if ((job->aj_out = http_collectors_issue_view(txn, rec, ci)) ==
	    NULL) {
		ret = -ENOMEM;
		goto done;
	}
	job->aj_status = 201;
	ret = adminjob_audit(txn, job, "collector.create",
	    json_pack("{s:I, s:s, s:I, s:I, s:I}", "collector", (json_int_t)id,
	    "kind", collectors_kind_name(ci->ci_kind), "survey",
	    (json_int_t)ci->ci_survey, "unit", (json_int_t)ci->ci_unit,
	    "codes", (json_int_t)ci->ci_count));
done:
	json_decref(rec);
	return ret;
}

/*
 * The invitation round as CSV for printing and mail merge: a header,
 * then per code the code, its personal link and the form's link (for a
 * slip that asks to type the code). The links are paths: the daemon does
 * not know the address it is reached by; the dashboard's download has
 * whole URLs.
 */
static void
http_collectors_reply_csv(struct adminjob *job)
{
	struct collectors_issue	*ci = job->aj_data;
	const char		*url;
	char			*body = NULL, disp[96];
	size_t			 i, cap, len = 0, urllen;
	int			 n;

	url = json_string_value(json_object_get(job->aj_out, "url"));
	urllen = url != NULL ? strlen(url) : 0;
	cap = 32 + ci->ci_count * (2 * COLLECTORS_CODE_STRIDE + 2 * urllen +
	    16);
	if ((body = malloc(cap)) == NULL) {
		api_reply_errorf(job->aj_req, ERR_INTERNAL, NULL,
		    "out of memory");
		return;
	}
	n = snprintf(body, cap, "code,url,form_url\r\n");
	len = (size_t)n;
	for (i = 0; i < ci->ci_count; i++) {
		n = snprintf(body + len, cap - len, "%s,%s#code=%s,%s\r\n",
		    collectors_issue_code(ci, i), url != NULL ? url : "",
		    collectors_issue_code(ci, i), url != NULL ? url : "");
		if (n < 0 || (size_t)n >= cap - len) {
			sodium_memzero(body, len);
			free(body);
			api_reply_errorf(job->aj_req, ERR_INTERNAL, NULL,
			    "CSV buffer too small");
			return;
		}
		len += (size_t)n;
	}
	snprintf(disp, sizeof(disp),
	    "attachment; filename=\"invitations-%lld.csv\"",
	    (long long)json_integer_value(json_object_get(job->aj_out, "id")));
	api_reply_raw(job->aj_req, 201, "text/csv; charset=utf-8", body, len,
	    "Content-Disposition", disp, (const char *)NULL);
}

/* ?format=json (the default) or csv; -EINVAL replied. */
static int
http_collectors_format(struct api_req *req, bool *csv)
{
	char	*s = NULL;
	int	 rc;

	*csv = false;
	if ((rc = api_query_get(req, "format", &s)) == -ENOENT)
		return 0;
	if (rc == 0 && strcmp(s, "csv") == 0)
		*csv = true;
	else if (rc != 0 || strcmp(s, "json") != 0) {
		free(s);
		api_reply_errorf(req, ERR_BAD_REQUEST, "format",
		    "'format' must be json or csv");
		return -EINVAL;
	}
	free(s);
	return 0;
}

static int
http_collectors_parse(const struct api_req *req, enum collectors_kind *kind,
    long long *survey, long long *unit, long long *count,
    long long *idle_reset, char *name, struct error *err)
{
	const char	*kname = NULL;
	json_t		*in = NULL;
	int		 rc;

	*count = 0;
	*idle_reset = 0;
	name[0] = '\0';
	if ((rc = adminjob_parse(req, collectors_members, &in, err)) != 0)
		goto done;
	if ((rc = codec_int(in, "survey", true, 1, UINT32_MAX, survey,
	    err)) != 0 ||
	    (rc = codec_int(in, "unit", true, 1, UINT32_MAX, unit, err)) != 0 ||
	    (rc = codec_str(in, "kind", true, 16, &kname, err)) != 0)
		goto done;
	if (collectors_kind_parse(kname, kind) != 0) {
		rc = error_set(err, ERR_INVALID, "kind",
		    "'kind' must be kiosk, link or invitation");
		goto done;
	}
	if (*kind == COLLECTORS_INVITATION)
		rc = codec_int(in, "count", true, 1, COLLECTORS_INVITE_MAX,
		    count, err);
	else if (json_object_get(in, "count") != NULL)
		rc = error_set(err, ERR_INVALID, "count",
		    "only an invitation round has a count");
	if (rc != 0)
		goto done;
	if (*kind == COLLECTORS_KIOSK)
		rc = codec_int(in, "idle_reset_seconds", false, 5, 600,
		    idle_reset, err);
	else if (json_object_get(in, "idle_reset_seconds") != NULL)
		rc = error_set(err, ERR_INVALID, "idle_reset_seconds",
		    "only a kiosk has an idle reset");
	if (rc != 0 || json_object_get(in, "name") == NULL)
		goto done;
	if ((rc = collectors_check_name(json_object_get(in, "name"), err)) ==
	    0)
		snprintf(name, COLLECTORS_NAME_MAX + 1, "%s",
		    json_string_value(json_object_get(in, "name")));
done:
	json_decref(in);
	return rc;
}

void
http_collectors_post(struct api_ctx *ctx, struct api_req *req)
{
	struct collectors_issue	*ci = NULL;
	struct adminjob		*job = NULL;
	struct error		 err;
	enum collectors_kind	 kind = COLLECTORS_LINK;
	long long		 survey = 0, unit = 0, count = 0, idle = 0;
	char			 name[COLLECTORS_NAME_MAX + 1];
	bool			 csv;
	int			 rc;

	memset(&err, 0, sizeof(err));
	if (http_collectors_format(req, &csv) != 0)
		return;
	if (http_collectors_parse(req, &kind, &survey, &unit, &count, &idle,
	    name, &err) != 0) {
		if (err.er_code == ERR_NONE)
			error_set(&err, ERR_INTERNAL, NULL, "out of memory");
		api_reply_error(req, &err);
		return;
	}
	if (csv && kind != COLLECTORS_INVITATION) {
		api_reply_errorf(req, ERR_BAD_REQUEST, "format",
		    "only an invitation round comes as CSV");
		return;
	}
	if ((rc = collectors_issue_new(ctx->ac_hash_key, kind, (uint32_t)survey,
	    (uint32_t)unit, (size_t)count, idle, auth_now(), &ci)) != 0) {
		api_reply_errno(req, rc);
		return;
	}
	memcpy(ci->ci_name, name, sizeof(ci->ci_name));
	if ((job = adminjob_new(ctx, req,
	    http_collectors_apply_create)) == NULL) {
		collectors_issue_free(ci);
		api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	job->aj_data = ci;
	job->aj_data_free = http_collectors_data_free;
	if (csv)
		job->aj_reply = http_collectors_reply_csv;
	adminjob_submit(job);
}

static int
http_collectors_apply_delete(struct storage_txn *txn, struct adminjob *job)
{
	json_t	*rec = NULL;
	int	 ret;

	if ((ret = collectors_remove(txn, job->aj_ctx->ac_hash_key, job->aj_id,
	    &rec)) != 0)
		goto done;
	job->aj_status = 204;
	ret = adminjob_audit(txn, job, "collector.delete",
	    json_pack("{s:I, s:O}", "collector", (json_int_t)job->aj_id,
	    "kind", json_object_get(rec, "kind")));
done:
	json_decref(rec);
	return ret;
}

void
http_collectors_delete(struct api_ctx *ctx, struct api_req *req)
{
	struct adminjob	*job;
	uint32_t	 id;

	if (api_path_id(req, "collector", &id) != 0)
		return;

	if ((job = adminjob_new(ctx, req,
	    http_collectors_apply_delete)) == NULL) {
		api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	job->aj_id = id;
	adminjob_submit(job);
}

/* ---------------------------------------------------------- the fleet */

static int
http_collectors_apply_patch(struct storage_txn *txn, struct adminjob *job)
{
	struct catalog_k	 memo = { 0, 0, 0 };
	const json_t		*name = json_object_get(job->aj_in, "name");
	json_t			*rec = NULL;
	int			 ret;

	ret = collectors_rename(txn, job->aj_id, json_is_string(name) ?
	    json_string_value(name) : "");
	if (ret == -ENOENT) {
		ret = adminjob_fail(job, ERR_NOT_FOUND, NULL,
		    "no collector %u", job->aj_id);
		goto done;
	}
	if (ret != 0 || (ret = collectors_get(txn, job->aj_id, &rec)) != 0)
		goto done;
	if ((job->aj_out = http_collectors_view(txn, rec, &memo)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	job->aj_status = 200;
	ret = adminjob_audit(txn, job, "collector.update",
	    json_pack("{s:I}", "collector", (json_int_t)job->aj_id));
done:
	json_decref(rec);
	return ret;
}

/* PATCH /api/v1/collectors/{id}: {"name": "..." | null}. */
void
http_collectors_patch(struct api_ctx *ctx, struct api_req *req)
{
	struct adminjob	*job = NULL;
	struct error	 err;
	json_t		*in = NULL;
	uint32_t	 id;

	memset(&err, 0, sizeof(err));
	if (api_path_id(req, "collector", &id) != 0)
		return;
	if (adminjob_parse(req, collectors_patch_members, &in, &err) != 0 ||
	    (json_object_get(in, "name") == NULL && error_set(&err,
	    ERR_MISSING_FIELD, "name", "'name' is required (null removes "
	    "it)") != 0) ||
	    (!json_is_null(json_object_get(in, "name")) &&
	    collectors_check_name(json_object_get(in, "name"), &err) != 0)) {
		json_decref(in);
		if (err.er_code == ERR_NONE)
			error_set(&err, ERR_INTERNAL, NULL, "out of memory");
		api_reply_error(req, &err);
		return;
	}
	if ((job = adminjob_new(ctx, req, http_collectors_apply_patch)) ==
	    NULL) {
		json_decref(in);
		api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	job->aj_id = id;
	job->aj_in = in;
	adminjob_submit(job);
}

/* The refusals of the kiosk-only changes, in the client's terms. */
static int
http_collectors_kiosk_fail(struct adminjob *job, int rc)
{
	if (rc == -ENOENT)
		return adminjob_fail(job, ERR_NOT_FOUND, NULL,
		    "no collector %u", job->aj_id);
	if (rc == -EINVAL)
		return adminjob_fail(job, ERR_CONFLICT, NULL,
		    "collector %u is not a kiosk", job->aj_id);
	return rc;
}

static int
http_collectors_apply_reenroll(struct storage_txn *txn, struct adminjob *job)
{
	struct collectors_issue	*ci = job->aj_data;
	json_t			*rec = NULL;
	int			 ret;

	if ((ret = collectors_reenroll(txn, job->aj_id, ci)) != 0) {
		ret = http_collectors_kiosk_fail(job, ret);
		goto done;
	}
	if ((ret = collectors_get(txn, job->aj_id, &rec)) != 0)
		goto done;
	if ((job->aj_out = http_collectors_issue_view(txn, rec, ci)) ==
	    NULL) {
		ret = -ENOMEM;
		goto done;
	}
	job->aj_status = 201;
	ret = adminjob_audit(txn, job, "collector.reenroll",
	    json_pack("{s:I}", "collector", (json_int_t)job->aj_id));
done:
	json_decref(rec);
	return ret;
}

/*
 * POST /api/v1/collectors/{id}/enrollment: a new enrollment code for a
 * replaced tablet; the old tablet's token and any unused code stop
 * working.
 */
void
http_collectors_reenroll(struct api_ctx *ctx, struct api_req *req)
{
	struct collectors_issue	*ci = NULL;
	struct adminjob		*job = NULL;
	uint32_t		 id;
	int			 rc;

	if (api_path_id(req, "collector", &id) != 0)
		return;
	if ((rc = collectors_issue_new(ctx->ac_hash_key, COLLECTORS_KIOSK, 0,
	    0, 0, 0, auth_now(), &ci)) != 0) {
		api_reply_errno(req, rc);
		return;
	}
	if ((job = adminjob_new(ctx, req, http_collectors_apply_reenroll)) ==
	    NULL) {
		collectors_issue_free(ci);
		api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	job->aj_id = id;
	job->aj_data = ci;
	job->aj_data_free = http_collectors_data_free;
	adminjob_submit(job);
}

static int
http_collectors_apply_unenroll(struct storage_txn *txn, struct adminjob *job)
{
	int	ret;

	if ((ret = collectors_unenroll(txn, job->aj_id)) != 0)
		return http_collectors_kiosk_fail(job, ret);
	job->aj_status = 204;
	return adminjob_audit(txn, job, "collector.revoke_device",
	    json_pack("{s:I}", "collector", (json_int_t)job->aj_id));
}

/* DELETE /api/v1/collectors/{id}/device: the tablet is lost or stolen. */
void
http_collectors_unenroll(struct api_ctx *ctx, struct api_req *req)
{
	struct adminjob	*job;
	uint32_t	 id;

	if (api_path_id(req, "collector", &id) != 0)
		return;
	if ((job = adminjob_new(ctx, req, http_collectors_apply_unenroll)) ==
	    NULL) {
		api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	job->aj_id = id;
	adminjob_submit(job);
}
