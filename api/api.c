/*
 * api.c — dispatch: route, authenticate, check access and limits, run the
 * handler; and the reply helpers that guarantee one reply per request.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/codec.h"
#include "api/intake.h"
#include "api/metrics.h"
#include "api/router.h"
#include "api/state.h"
#include "common/log.h"
#include "common/util.h"
#include "storage/storage.h"

static const char *const api_method_names[API_METHOD_COUNT] = {
	[API_GET] = "GET", [API_HEAD] = "HEAD", [API_POST] = "POST",
	[API_PUT] = "PUT", [API_PATCH] = "PATCH", [API_DELETE] = "DELETE",
	[API_OPTIONS] = "OPTIONS",
};

const char *
api_method_name(enum api_method m)
{
	return (unsigned)m < API_METHOD_COUNT ? api_method_names[m] : "?";
}

struct api_req *
api_req_new(void)
{
	return calloc(1, sizeof(struct api_req));
}

void
api_req_free(struct api_req *req)
{
	size_t	i;

	if (req == NULL)
		return;
	free(req->rq_path);
	free(req->rq_query);
	free(req->rq_ctype);
	/* The bearer token is a secret: wipe it before the memory is reused. */
	if (req->rq_auth != NULL) {
		sodium_memzero(req->rq_auth, strlen(req->rq_auth));
		free(req->rq_auth);
	}
	free(req->rq_origin);
	free(req->rq_if_none_match);
	if (req->rq_body != NULL) {
		/* Bodies carry answers and passwords. */
		sodium_memzero(req->rq_body, req->rq_body_len);
		free(req->rq_body);
	}
	for (i = 0; i < req->rq_nparams; i++)
		free(req->rq_params[i]);
	sodium_memzero(&req->rq_who, sizeof(req->rq_who));
	free(req);
}

void
api_resp_clear(struct api_resp *resp)
{
	size_t	i;

	free(resp->rs_body);
	for (i = 0; i < resp->rs_nheaders; i++) {
		free(resp->rs_headers[i].h_name);
		free(resp->rs_headers[i].h_value);
	}
	memset(resp, 0, sizeof(*resp));
}

/* The one place a reply leaves the api layer. */
static void
api_send(struct api_req *req, struct api_resp *resp)
{
	if (req->rq_replied) {
		/* A handler bug; the request is already gone, do not touch. */
		log_warnx("second reply to one request dropped");
		api_resp_clear(resp);
		return;
	}
	req->rq_replied = true;
	req->rq_reply(req, resp);
	api_resp_clear(resp);
}

static void
api_resp_header(struct api_resp *resp, const char *name, const char *value)
{
	if (resp->rs_nheaders == API_MAX_HEADERS)
		return;
	resp->rs_headers[resp->rs_nheaders].h_name = strdup(name);
	resp->rs_headers[resp->rs_nheaders].h_value = strdup(value);
	resp->rs_nheaders++;
}

void
api_reply_raw(struct api_req *req, int status, const char *ctype, char *body,
    size_t len, ...)
{
	struct api_resp	 resp;
	const char	*name, *value;
	va_list		 ap;

	memset(&resp, 0, sizeof(resp));
	resp.rs_status = status;
	resp.rs_ctype = ctype;
	resp.rs_body = body;
	resp.rs_len = len;
	va_start(ap, len);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		api_resp_header(&resp, name, value);
	}
	va_end(ap);
	api_send(req, &resp);
}

void
api_reply_json(struct api_req *req, int status, json_t *json)
{
	char	*body = NULL;
	size_t	 len = 0;

	if (json == NULL || (body = codec_dump(json, &len)) == NULL) {
		json_decref(json);
		api_reply_errorf(req, APIE_INTERNAL, NULL, "out of memory");
		return;
	}
	json_decref(json);
	api_reply_raw(req, status, "application/json", body, len, NULL);
}

static json_t *
api_error_json(const struct api_err *err)
{
	json_t	*e;

	e = json_pack("{s:s, s:s}", "code", api_err_name(err->ae_code),
	    "message", err->ae_message);
	if (e != NULL && err->ae_field[0] != '\0')
		json_object_set_new(e, "field", json_string(err->ae_field));
	return json_pack("{s:o}", "error", e);
}

void
api_reply_error(struct api_req *req, const struct api_err *err)
{
	char	*body = NULL;
	size_t	 len = 0;
	json_t	*json;
	int	 status = api_err_status(err->ae_code);

	json = api_error_json(err);
	if (json != NULL)
		body = codec_dump(json, &len);
	json_decref(json);
	if (status == 405) {
		char	allow[128];

		router_allow(req->rq_path, allow, sizeof(allow));
		api_reply_raw(req, status, "application/json", body, len,
		    "Allow", allow, NULL);
		return;
	}
	if (status == 401) {
		api_reply_raw(req, status, "application/json", body, len,
		    "WWW-Authenticate", "Bearer realm=\"palaute\"", NULL);
		return;
	}
	api_reply_raw(req, status, "application/json", body, len, NULL);
}

void
api_reply_errorf(struct api_req *req, enum api_errcode code,
    const char *field, const char *fmt, ...)
{
	struct api_err	err;
	va_list		ap;

	memset(&err, 0, sizeof(err));
	err.ae_code = code;
	snprintf(err.ae_field, sizeof(err.ae_field), "%s",
	    field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(err.ae_message, sizeof(err.ae_message), fmt, ap);
	va_end(ap);
	api_reply_error(req, &err);
}

void
api_reply_retry(struct api_req *req, int retry_after, const char *message)
{
	struct api_err	 err;
	char		 secs[16], *body = NULL;
	size_t		 len = 0;
	json_t		*json;

	/* Every 429 is a rate-limit refusal: /metrics counts them here. */
	metrics_inc(METRICS_RATE_LIMITED);
	api_err_set(&err, APIE_RATE_LIMITED, NULL, "%s", message);
	snprintf(secs, sizeof(secs), "%d", retry_after < 1 ? 1 : retry_after);
	json = api_error_json(&err);
	if (json != NULL)
		body = codec_dump(json, &len);
	json_decref(json);
	api_reply_raw(req, 429, "application/json", body, len,
	    "Retry-After", secs, NULL);
}

void
api_reply_errno(struct api_req *req, int err)
{
	enum api_errcode	code = api_err_from_errno(err);

	switch (code) {
	case APIE_STORAGE_FULL:
		api_reply_errorf(req, code, NULL,
		    "the store is full; nothing was saved");
		break;
	case APIE_UNAVAILABLE:
		api_reply_errorf(req, code, NULL,
		    "storage is failing; nothing was saved, try again");
		break;
	case APIE_NOT_FOUND:
		api_reply_errorf(req, code, NULL, "not found");
		break;
	case APIE_CONFLICT:
		api_reply_errorf(req, code, NULL, "conflicts with the "
		    "current state");
		break;
	default:
		log_warnx("%s %s: internal error %d",
		    api_method_name(req->rq_method), req->rq_route != NULL ?
		    req->rq_route->rt_pattern : "?", err);
		api_reply_errorf(req, APIE_INTERNAL, NULL, "internal error");
		break;
	}
}

int
api_path_id(struct api_req *req, const char *what, uint32_t *id_out)
{
	long long	v;

	if (req->rq_nparams < 1 ||
	    util_parse_ll(req->rq_params[0], 1, UINT32_MAX, &v) != 0) {
		api_reply_errorf(req, APIE_BAD_REQUEST, NULL,
		    "the %s id must be a positive whole number", what);
		return -EINVAL;
	}
	*id_out = (uint32_t)v;
	return 0;
}

int
api_query_get(const struct api_req *req, const char *name, char **value_out)
{
	const char	*p, *amp, *eq;
	size_t		 nlen = strlen(name);

	if (req->rq_query == NULL)
		return -ENOENT;
	for (p = req->rq_query; *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if ((size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0) {
			if (eq == amp)
				return router_decode("", 0, true, value_out);
			return router_decode(eq + 1, (size_t)(amp - eq - 1),
			    true, value_out);
		}
	}
	return -ENOENT;
}

static uint64_t
api_body_limit(const struct api_ctx *ctx, const struct api_route *rt)
{
	return rt->rt_body == API_BODY_BATCH ? ctx->ac_limits.al_max_body_batch
	    : ctx->ac_limits.al_max_body;
}

/* Check that the caller may use the route; fills err when not. */
static int
api_check_access(struct api_ctx *ctx, struct api_req *req,
    struct api_err *err)
{
	enum api_access	acc = req->rq_route->rt_access;
	int		rc;

	if (acc == API_ACC_ANY)
		return 0;
	if (acc == API_ACC_METRICS && req->rq_loopback)
		return 0;
	if ((rc = auth_resolve(ctx, req, err)) != 0)
		return rc;
	switch (acc) {
	case API_ACC_USER:
		if (req->rq_who.pr_role == API_ROLE_MANAGER ||
		    req->rq_who.pr_role == API_ROLE_ADMIN)
			return 0;
		break;
	case API_ACC_ADMIN:
	case API_ACC_METRICS:
		if (req->rq_who.pr_role == API_ROLE_ADMIN)
			return 0;
		break;
	case API_ACC_DEVICE:
		if (req->rq_who.pr_role == API_ROLE_DEVICE)
			return 0;
		break;
	case API_ACC_ANY:
		return 0;
	}
	if (req->rq_who.pr_role == API_ROLE_DEVICE ||
	    acc == API_ACC_DEVICE)
		return api_err_set(err, APIE_UNAUTHORIZED, NULL,
		    "this route needs %s token",
		    acc == API_ACC_DEVICE ? "a kiosk device" : "a user's");
	return api_err_set(err, APIE_FORBIDDEN, NULL,
	    "your role may not use this route");
}

void
api_handle(struct api_ctx *ctx, struct api_req *req)
{
	struct api_err	err;
	int		rc;

	memset(&err, 0, sizeof(err));
	/*
	 * The benchmark's ceiling (bench/run-intake; GET for
	 * bench/run-results): the same request path up to here, no work, one
	 * reply. Not in the route table, so without the bench option it does
	 * not exist at all.
	 */
	if (ctx->ac_limits.al_bench && (req->rq_method == API_POST ||
	    req->rq_method == API_GET) &&
	    strcmp(req->rq_path, "/bench/noop") == 0) {
		api_reply_raw(req, 204, NULL, NULL, 0, NULL);
		return;
	}
	rc = router_match(req, &err);
	if (rc != 0) {
		api_reply_error(req, &err);
		return;
	}
	if (req->rq_body_len > api_body_limit(ctx, req->rq_route)) {
		api_reply_errorf(req, APIE_TOO_LARGE, NULL,
		    "the body is larger than %llu bytes",
		    (unsigned long long)api_body_limit(ctx, req->rq_route));
		return;
	}
	if (api_check_access(ctx, req, &err) != 0) {
		api_reply_error(req, &err);
		return;
	}
	req->rq_route->rt_handler(ctx, req);
}

int
api_init(struct api_ctx *ctx, struct storage *st)
{
	static const char	 name[] = "hash_key";
	struct storage_txn	*txn = NULL;
	void			*val = NULL;
	size_t			 len = 0;
	int			 ret = -1;

	ctx->ac_store = st;
	if ((ctx->ac_hash_key = sodium_malloc(32)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = storage_txn_begin(st, true, &txn)) != 0)
		goto done;
	ret = storage_get(txn, STORAGE_DB_META, name, sizeof(name) - 1, &val,
	    &len);
	if (ret == -ENOENT) {
		/* First start: the secret that keys token and code hashes. */
		randombytes_buf(ctx->ac_hash_key, 32);
		ret = storage_put(txn, STORAGE_DB_META, name, sizeof(name) - 1,
		    ctx->ac_hash_key, 32, STORAGE_NOOVERWRITE);
		if (ret != 0)
			goto done;
	} else if (ret != 0)
		goto done;
	else if (len != 32) {
		ret = -EBADMSG;
		goto done;
	} else
		memcpy(ctx->ac_hash_key, val, 32);
	ret = storage_txn_commit(txn);
	txn = NULL;
	if (ret != 0)
		goto done;
	if ((ret = api_state_new(ctx)) != 0)
		goto done;
	ret = 0;
done:
	storage_txn_abort(txn);
	if (val != NULL) {
		sodium_memzero(val, len);
		free(val);
	}
	if (ret != 0) {
		sodium_free(ctx->ac_hash_key);
		ctx->ac_hash_key = NULL;
	}
	return ret;
}

int
api_batch_precommit(struct api_ctx *ctx, struct storage_txn *txn)
{
	return intake_batch_precommit(ctx, txn);
}

void
api_batch_done(struct api_ctx *ctx, int rc)
{
	intake_batch_done(ctx, rc);
}

void
api_fini(struct api_ctx *ctx)
{
	api_state_free(ctx);
	sodium_free(ctx->ac_hash_key);
	ctx->ac_hash_key = NULL;
}
