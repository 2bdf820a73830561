/*
 * offload.c — hand work to the daemon's worker pool, or answer 503.
 * The pool's bound is a capacity limit of the whole server, not a limit on
 * one client, hence 503 with Retry-After rather than 429 (which the login
 * throttle uses for one account or one client).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>

#include "api/api.h"
#include "api/offload.h"
#include "common/log.h"

static void
offload_busy(struct api_req *req, int rc)
{
	struct error	err;
	char		secs[16];

	error_set(&err, ERR_UNAVAILABLE, NULL, "%s", rc == -ESHUTDOWN ?
	    "the server is shutting down" :
	    "the server is busy; try again in a moment");
	snprintf(secs, sizeof(secs), "%d", OFFLOAD_RETRY_AFTER);
	api_reply_error_with(req, &err, 0, "Retry-After", secs, NULL);
}

int
offload_run(struct api_ctx *ctx, struct api_req *req, api_work_fn work,
    api_done_fn done, void *job)
{
	int	rc;

	if (ctx->ac_offload == NULL) {
		work(job);
		done(0, job);
		return 0;
	}
	rc = ctx->ac_offload(ctx->ac_offload_arg, work, done, job);
	if (rc == 0)
		return 0;
	if (rc != -EBUSY && rc != -ESHUTDOWN)
		log_warnx("offload: %d", rc);
	offload_busy(req, rc);
	return rc;
}
