/*
 * intake.c — the kiosk and form routes' shared part around core's intake:
 * configured rate limits, the daily sweep, CORS replies, statuses.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/routes/intake.h"
#include "api/state.h"
#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/idem.h"
#include "core/ratelimit.h"
#include "storage/storage.h"

/* Records dropped per job: a batch carrying one waits little for it. */
#define INTAKE_SWEEP_MAX	4096

void
http_intake_read(struct intake_read *rd, struct api_ctx *ctx)
{
	intake_read_init(rd, api_state_intake(ctx), ctx->ac_store,
	    ctx->ac_hash_key);
}

int
http_intake_limit(struct api_ctx *ctx, enum intake_limit kind, uint64_t key,
    const struct api_req *req)
{
	long long	rate;

	switch (kind) {
	/*
	 * The public GET routes have buckets of their own at the rate of
	 * the submissions: reading a survey as often as it may be answered
	 * is plenty.
	 */
	case INTAKE_LIMIT_KIOSK:
	case INTAKE_LIMIT_KIOSK_VIEW:
		rate = ctx->ac_limits.al_kiosk_rate;
		break;
	case INTAKE_LIMIT_FORM:
	case INTAKE_LIMIT_FORM_VIEW:
		rate = ctx->ac_limits.al_form_rate;
		break;
	default:
		rate = INTAKE_ENROLL_PER_MINUTE;
		break;
	}
	return intake_limit(api_state_intake(ctx), kind, key, rate,
	    req->rq_start_ns);
}

static long long
http_intake_submit_rate(const struct api_ctx *ctx, enum api_submit_kind kind)
{
	return kind == API_SUBMIT_KIOSK ? ctx->ac_limits.al_kiosk_rate :
	    ctx->ac_limits.al_form_rate;
}

int
http_intake_submit_check(struct api_ctx *ctx, enum api_submit_kind kind,
    uint64_t key, const struct api_req *req)
{
	long long	rate = http_intake_submit_rate(ctx, kind);

	if (rate <= 0)
		return 0;
	return ratelimit_peek(api_state_submit_limit(ctx, kind), key,
	    (unsigned long long)rate, req->rq_start_ns);
}

void
http_intake_submit_charge(struct api_ctx *ctx, enum api_submit_kind kind,
    uint64_t key, const struct api_req *req)
{
	long long	rate = http_intake_submit_rate(ctx, kind);

	if (rate > 0)
		ratelimit_charge(api_state_submit_limit(ctx, kind), key,
		    (unsigned long long)rate, req->rq_start_ns);
}

struct http_intake_sweep {
	struct api_ctx	*sw_ctx;
	uint32_t	 sw_before;
	bool		 sw_more;	/* the last job left some */
	size_t		 sw_n;		/* records dropped so far */
};

static int
http_intake_sweep_apply(struct storage_txn *txn, void *arg)
{
	struct http_intake_sweep	*sw = arg;
	size_t				 n = 0;
	int				 rc;

	rc = idem_sweep(txn, sw->sw_before, INTAKE_SWEEP_MAX, &n,
	    &sw->sw_more);
	if (rc == 0)
		sw->sw_n += n;
	return rc;
}

static void
http_intake_sweep_done(int rc, void *arg)
{
	struct http_intake_sweep	*sw = arg;
	struct api_ctx			*ctx = sw->sw_ctx;

	if (rc != 0)
		/* strerror(EDQUOT) would speak of a quota. */
		log_warnx("intake: sweeping idempotency records failed: %s",
		    rc == -EDQUOT ? "the disk is full" : strerror(-rc));
	/* A slice per batch, so no batch waits long for the sweep. */
	else if (sw->sw_more && !ctx->ac_draining &&
	    ctx->ac_submit(ctx->ac_submit_arg, http_intake_sweep_apply,
	    http_intake_sweep_done, sw) == 0)
		return;
	else if (sw->sw_n > 0)
		log_info("intake: dropped %zu idempotency records of days "
		    "before the window", sw->sw_n);
	intake_sweep_end(api_state_intake(ctx), true);
	free(sw);
}

void
http_intake_sweep_maybe(struct api_ctx *ctx)
{
	struct http_intake_sweep	*sw;
	int64_t				 today = util_today();

	if (ctx->ac_draining ||
	    !intake_sweep_begin(api_state_intake(ctx), today))
		return;
	if ((sw = calloc(1, sizeof(*sw))) == NULL) {
		intake_sweep_end(api_state_intake(ctx), false);
		return;
	}
	sw->sw_ctx = ctx;
	sw->sw_before = (uint32_t)(today - IDEM_WINDOW_DAYS);
	if (ctx->ac_submit(ctx->ac_submit_arg, http_intake_sweep_apply,
	    http_intake_sweep_done, sw) != 0) {
		intake_sweep_end(api_state_intake(ctx), false);
		free(sw);
	}
}

int
http_intake_status(const struct intake_item *it)
{
	switch (it->ii_outcome) {
	case INTAKE_STORED:	return 201;
	case INTAKE_DUPLICATE:	return 200;
	case INTAKE_REFUSED:	return api_status(it->ii_err.er_code);
	default:		return 0;
	}
}

void
http_intake_json(struct api_req *req, int status, json_t *json,
    const char *origin)
{
	char	*body = NULL;
	size_t	 len = 0;

	if (origin == NULL) {
		api_reply_json(req, status, json);
		return;
	}
	if (json == NULL || (body = codec_dump(json, &len)) == NULL) {
		json_decref(json);
		api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	json_decref(json);
	api_reply_raw(req, status, "application/json", body, len,
	    "Access-Control-Allow-Origin", origin, "Vary", "Origin", NULL);
}

void
http_intake_error(struct api_req *req, const struct error *err,
    const char *origin, int retry)
{
	if (origin == NULL)
		api_reply_error_with(req, err, retry, NULL);
	else
		api_reply_error_with(req, err, retry,
		    "Access-Control-Allow-Origin", origin, "Vary", "Origin",
		    NULL);
}
