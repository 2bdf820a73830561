/*
 * health.c — liveness and readiness for load balancers and systemd.
 */
#include <config.h>

#include "api/api.h"
#include "api/routes/routes.h"
#include "storage/storage.h"

void
http_health_live(struct api_ctx *ctx, struct api_req *req)
{
	api_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

void
http_health_ready(struct api_ctx *ctx, struct api_req *req)
{
	if (ctx->ac_draining) {
		api_reply_errorf(req, ERR_UNAVAILABLE, NULL,
		    "shutting down");
		return;
	}
	if (!storage_writable(ctx->ac_store)) {
		api_reply_errorf(req, ERR_UNAVAILABLE, NULL,
		    "the store is not writable");
		return;
	}
	/*
	 * Not ready while the disk is full: writes get 507 (reads and
	 * logins go on). The writer ends the state by itself as soon as
	 * the disk has room again (storage_reserve()).
	 */
	if (storage_full(ctx->ac_store)) {
		api_reply_errorf(req, ERR_STORAGE_FULL, NULL,
		    "the disk of the store is full: writes are refused until "
		    "there is room");
		return;
	}
	api_reply_json(req, 200, json_pack("{s:s}", "status", "ready"));
}
