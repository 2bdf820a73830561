/*
 * metrics.c — GET /metrics: the counters of api/metrics.h in Prometheus
 * text format (loopback or an admin).
 */
#include <config.h>

#include <stddef.h>

#include "api/api.h"
#include "api/metrics.h"
#include "api/routes/routes.h"

void
http_metrics_get(struct api_ctx *ctx, struct api_req *req)
{
	char	*body = NULL;
	size_t	 len = 0;
	int	 rc;

	if ((rc = metrics_render(ctx->ac_store, &body, &len)) != 0) {
		api_reply_errno(req, rc);
		return;
	}
	api_reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    body, len, NULL);
}
