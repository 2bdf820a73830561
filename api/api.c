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
#include "api/metrics.h"
#include "api/router.h"
#include "api/state.h"
#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/auth.h"
#include "core/intake.h"
#include "storage/storage.h"

static const char *const api_method_names[API_METHOD_COUNT] = {
	[API_GET] = "GET", [API_HEAD] = "HEAD", [API_POST] = "POST",
	[API_PUT] = "PUT", [API_PATCH] = "PATCH", [API_DELETE] = "DELETE",
	[API_OPTIONS] = "OPTIONS",
};

/* The HTTP status of each error code (common/error.h). */
static const int api_statuses[ERR_COUNT] = {
	[ERR_NONE]		= 200,
	[ERR_MALFORMED_JSON]	= 400,
	[ERR_BAD_REQUEST]	= 400,
	[ERR_UNKNOWN_FIELD]	= 400,
	[ERR_WRONG_TYPE]	= 400,
	[ERR_MISSING_FIELD]	= 400,
	[ERR_INVALID]		= 422,
	[ERR_INVALID_ANSWER]	= 422,
	[ERR_MISALIGNED_RANGE]	= 422,
	[ERR_PASSWORD_TOO_SHORT] = 422,
	[ERR_PASSWORD_TOO_LONG]	= 422,
	[ERR_PASSWORD_BLANK]	= 422,
	[ERR_PASSWORD_USERNAME]	= 422,
	[ERR_PASSWORD_COMMON]	= 422,
	[ERR_UNAUTHORIZED]	= 401,
	[ERR_BAD_CREDENTIALS]	= 401,
	[ERR_FORBIDDEN]		= 403,
	[ERR_NOT_FOUND]		= 404,
	[ERR_METHOD_NOT_ALLOWED] = 405,
	[ERR_CONFLICT]		= 409,
	[ERR_ALREADY_USED]	= 409,
	[ERR_GONE]		= 410,
	[ERR_LENGTH_REQUIRED]	= 411,
	[ERR_TOO_LARGE]		= 413,
	[ERR_UNSUPPORTED_MEDIA]	= 415,
	[ERR_RATE_LIMITED]	= 429,
	[ERR_INTERNAL]		= 500,
	[ERR_UNAVAILABLE]	= 503,
	[ERR_STORAGE_FULL]	= 507,
};

int
api_status(enum error_code code)
{
	if ((unsigned)code >= ERR_COUNT)
		return 500;
	return api_statuses[code];
}

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

/* The reply's headers: up to API_MAX_HEADERS name, value pairs. */
static void
api_resp_headers(struct api_resp *resp, va_list ap)
{
	const char	*name, *value;

	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		api_resp_header(resp, name, value);
	}
}

void
api_reply_raw(struct api_req *req, int status, const char *ctype, char *body,
    size_t len, ...)
{
	struct api_resp	 resp;
	va_list		 ap;

	memset(&resp, 0, sizeof(resp));
	resp.rs_status = status;
	resp.rs_ctype = ctype;
	resp.rs_body = body;
	resp.rs_len = len;
	va_start(ap, len);
	api_resp_headers(&resp, ap);
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
		api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	json_decref(json);
	api_reply_raw(req, status, "application/json", body, len, NULL);
}

json_t *
api_error_json(const struct error *err)
{
	return json_pack("{s:s, s:s, s:o}", "code", error_name(err->er_code),
	    "message", err->er_message, "field", err->er_field[0] != '\0' ?
	    json_string(err->er_field) : json_null());
}

/* The one place the error envelope of DESIGN.md section 7 is built. */
static char *
api_error_body(const struct error *err, size_t *len_out)
{
	json_t	*json;
	char	*body;

	json = json_pack("{s:o}", "error", api_error_json(err));
	body = json != NULL ? codec_dump(json, len_out) : NULL;
	json_decref(json);
	return body;
}

void
api_reply_error_with(struct api_req *req, const struct error *err,
    int retry_after, ...)
{
	struct api_resp	 resp;
	char		 secs[16];
	va_list		 ap;

	memset(&resp, 0, sizeof(resp));
	resp.rs_status = retry_after > 0 ? 429 : api_status(err->er_code);
	resp.rs_ctype = "application/json";
	resp.rs_body = api_error_body(err, &resp.rs_len);
	if (resp.rs_status == 401)
		api_resp_header(&resp, "WWW-Authenticate",
		    "Bearer realm=\"palaute\"");
	else if (resp.rs_status == 429) {
		/* Every 429 is a rate-limit refusal: /metrics counts it. */
		metrics_inc(METRICS_RATE_LIMITED);
		snprintf(secs, sizeof(secs), "%d",
		    retry_after < 1 ? 1 : retry_after);
		api_resp_header(&resp, "Retry-After", secs);
	}
	va_start(ap, retry_after);
	api_resp_headers(&resp, ap);
	va_end(ap);
	api_send(req, &resp);
}

void
api_reply_error(struct api_req *req, const struct error *err)
{
	api_reply_error_with(req, err, 0, NULL);
}

void
api_reply_errorf(struct api_req *req, enum error_code code,
    const char *field, const char *fmt, ...)
{
	struct error	err;
	va_list		ap;

	memset(&err, 0, sizeof(err));
	err.er_code = code;
	snprintf(err.er_field, sizeof(err.er_field), "%s",
	    field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(err.er_message, sizeof(err.er_message), fmt, ap);
	va_end(ap);
	api_reply_error(req, &err);
}

void
api_reply_retry(struct api_req *req, int retry_after, const char *message)
{
	struct error	err;

	error_set(&err, ERR_RATE_LIMITED, NULL, "%s", message);
	api_reply_error_with(req, &err, retry_after < 1 ? 1 : retry_after,
	    NULL);
}

void
api_reply_errno(struct api_req *req, int err)
{
	enum error_code	code = error_from_errno(err);

	switch (code) {
	case ERR_STORAGE_FULL:
		api_reply_errorf(req, code, NULL,
		    "the store is full; nothing was saved");
		break;
	case ERR_UNAVAILABLE:
		api_reply_errorf(req, code, NULL,
		    "storage is failing; nothing was saved, try again");
		break;
	case ERR_NOT_FOUND:
		api_reply_errorf(req, code, NULL, "not found");
		break;
	case ERR_CONFLICT:
		api_reply_errorf(req, code, NULL, "conflicts with the "
		    "current state");
		break;
	default:
		log_warnx("%s %s: internal error %d",
		    api_method_name(req->rq_method), req->rq_route != NULL ?
		    req->rq_route->rt_pattern : "?", err);
		api_reply_errorf(req, ERR_INTERNAL, NULL, "internal error");
		break;
	}
}

static uint64_t
api_body_limit(const struct api_ctx *ctx, const struct api_route *rt)
{
	return rt->rt_body == API_BODY_BATCH ? ctx->ac_limits.al_max_body_batch
	    : ctx->ac_limits.al_max_body;
}

/*
 * Resolve the Authorization header of req into req->rq_who: 401 when
 * absent, malformed, unknown, expired or revoked. Reads in a read
 * transaction of its own on the event-loop thread.
 */
static int
api_auth_resolve(struct api_ctx *ctx, struct api_req *req, struct error *err)
{
	struct storage_txn	*txn = NULL;
	const char		*h = req->rq_auth;
	int			 rc;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
		return error_set(err, ERR_UNAUTHORIZED, NULL,
		    "a bearer token is required");
	h += 7;
	while (*h == ' ')
		h++;
	if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) != 0) {
		log_warnx("auth: cannot read the store: %d", rc);
		return error_set(err, ERR_UNAVAILABLE, NULL,
		    "storage is failing; try again");
	}
	rc = auth_lookup(ctx->ac_hash_key, txn, h, auth_now(), &req->rq_who);
	storage_txn_abort(txn);
	if (rc == -ENOENT)
		return error_set(err, ERR_UNAUTHORIZED, NULL,
		    "the token is not valid (unknown, expired or revoked)");
	if (rc != 0) {
		log_warnx("auth: token lookup failed: %d", rc);
		return error_set(err, ERR_UNAVAILABLE, NULL,
		    "storage is failing; try again");
	}
	return 0;
}

/* Check that the caller may use the route; fills err when not. */
static int
api_check_access(struct api_ctx *ctx, struct api_req *req,
    struct error *err)
{
	enum api_access	acc = req->rq_route->rt_access;
	int		rc;

	if (acc == API_ACC_ANY)
		return 0;
	if (acc == API_ACC_METRICS && req->rq_loopback)
		return 0;
	if ((rc = api_auth_resolve(ctx, req, err)) != 0)
		return rc;
	switch (acc) {
	case API_ACC_USER:
		if (req->rq_who.pr_role == ROLE_MANAGER ||
		    req->rq_who.pr_role == ROLE_ADMIN)
			return 0;
		break;
	case API_ACC_ADMIN:
	case API_ACC_METRICS:
		if (req->rq_who.pr_role == ROLE_ADMIN)
			return 0;
		break;
	case API_ACC_DEVICE:
		if (req->rq_who.pr_role == ROLE_DEVICE)
			return 0;
		break;
	case API_ACC_ANY:
		return 0;
	}
	if (req->rq_who.pr_role == ROLE_DEVICE ||
	    acc == API_ACC_DEVICE)
		return error_set(err, ERR_UNAUTHORIZED, NULL,
		    "this route needs %s token",
		    acc == API_ACC_DEVICE ? "a kiosk device" : "a user's");
	return error_set(err, ERR_FORBIDDEN, NULL,
	    "your role may not use this route");
}

void
api_handle(struct api_ctx *ctx, struct api_req *req)
{
	struct error	err;
	char		allow[128];
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
	rc = router_match(ctx->ac_routes, ctx->ac_nroutes, req, &err);
	if (rc != 0 && err.er_code == ERR_METHOD_NOT_ALLOWED) {
		router_allow(ctx->ac_routes, ctx->ac_nroutes, req->rq_path,
		    allow, sizeof(allow));
		api_reply_error_with(req, &err, 0, "Allow", allow, NULL);
		return;
	}
	if (rc != 0) {
		api_reply_error(req, &err);
		return;
	}
	if (req->rq_body_len > api_body_limit(ctx, req->rq_route)) {
		api_reply_errorf(req, ERR_TOO_LARGE, NULL,
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

/*
 * Hand a job to the writer through submit (NULL: ac_submit); on failure
 * reply 503 to req, when there is one.
 */
static int
api_submit_by(struct api_ctx *ctx, struct api_req *req,
    int (*submit)(void *, api_apply_fn, api_done_fn, void *),
    api_apply_fn apply, api_done_fn done, void *job)
{
	int	rc = -ESHUTDOWN;

	if (submit == NULL)
		submit = ctx->ac_submit;
	if (submit != NULL)
		rc = submit(ctx->ac_submit_arg, apply, done, job);
	if (rc != 0 && req != NULL)
		api_reply_errorf(req, ERR_UNAVAILABLE, NULL,
		    "the server is shutting down; nothing was saved");
	return rc;
}

int
api_submit(struct api_ctx *ctx, struct api_req *req, api_apply_fn apply,
    api_done_fn done, void *job)
{
	return api_submit_by(ctx, req, NULL, apply, done, job);
}

int
api_submit_reserve(struct api_ctx *ctx, struct api_req *req,
    api_apply_fn apply, api_done_fn done, void *job)
{
	return api_submit_by(ctx, req, ctx->ac_submit_reserve, apply, done,
	    job);
}

int
api_submit_intake(struct api_ctx *ctx, struct api_req *req,
    api_apply_fn apply, api_done_fn done, void *job)
{
	return api_submit_by(ctx, req, ctx->ac_submit_intake, apply, done,
	    job);
}

int
api_init(struct api_ctx *ctx, struct storage *st,
    const struct api_route *routes, size_t nroutes)
{
	int	ret;

	ctx->ac_store = st;
	ctx->ac_routes = routes;
	ctx->ac_nroutes = nroutes;
	metrics_routes(routes, nroutes);
	if ((ret = auth_key_load(st, &ctx->ac_hash_key)) != 0)
		return ret;
	if ((ret = api_state_new(ctx)) != 0) {
		sodium_free(ctx->ac_hash_key);
		ctx->ac_hash_key = NULL;
	}
	return ret;
}

int
api_batch_flush(struct api_ctx *ctx, struct storage_txn *txn)
{
	return intake_batch_flush(api_state_intake(ctx), txn);
}

int
api_batch_precommit(struct api_ctx *ctx, struct storage_txn *txn)
{
	return intake_batch_precommit(api_state_intake(ctx), txn);
}

void
api_batch_done(struct api_ctx *ctx, int rc)
{
	/*
	 * The number of ids it returns is that of the responses of the last
	 * 14 days: /metrics does not show it (api/metrics.h).
	 */
	(void)intake_batch_done(api_state_intake(ctx), rc);
}

void
api_fini(struct api_ctx *ctx)
{
	api_state_free(ctx);
	sodium_free(ctx->ac_hash_key);
	ctx->ac_hash_key = NULL;
}
