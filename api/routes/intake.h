/*
 * intake.h — what the kiosk and form routes share around core's intake:
 * the rate limits of the daemon's configuration, the daily sweep started
 * from a submission, replies that may carry CORS headers, and an item's
 * outcome as an HTTP status.
 * Threads: the event loop's. Return convention: as each function says.
 */
#ifndef PALAUTE_ROUTES_INTAKE_H
#define PALAUTE_ROUTES_INTAKE_H

#include <stdint.h>

#include <jansson.h>

#include "api/state.h"
#include "common/error.h"
#include "core/intake.h"

struct api_ctx;
struct api_req;

/* intake_read_init() over the context's store, caches and hash key. */
void	http_intake_read(struct intake_read *rd, struct api_ctx *ctx);

/*
 * Take a token for key from the bucket of kind at the configured rate, at
 * the request's arrival; 0 or the seconds to wait (reply 429 then). For
 * enrollment, which stores no response.
 */
int	http_intake_limit(struct api_ctx *ctx, enum intake_limit kind,
	    uint64_t key, const struct api_req *req);

/*
 * The limits of kiosk_rate and form_rate count stored submissions only. A
 * bucket that every request drew on told anyone how many others had
 * drawn on it: drain a link's bucket with empty bodies, wait, send more
 * until the 429, and the shortfall is the number of submissions in
 * between, to the second (DESIGN.md section 5 allows no count below k).
 * So a submission is checked when it arrives (http_intake_submit_check():
 * 0 or the seconds to wait, taking nothing) and charged one token once
 * the writer has stored a response of it (http_intake_submit_charge());
 * refusals, retried ids and used codes cost nothing, and a 429 comes
 * only after as many stored responses as the limit allows, the
 * prober's own among them (padding: the known limit).
 */
int	http_intake_submit_check(struct api_ctx *ctx,
	    enum api_submit_kind kind, uint64_t key,
	    const struct api_req *req);
void	http_intake_submit_charge(struct api_ctx *ctx,
	    enum api_submit_kind kind, uint64_t key,
	    const struct api_req *req);

/* After a submission: start the day's sweep of idempotency records. */
void	http_intake_sweep_maybe(struct api_ctx *ctx);

/* The HTTP status of an item's outcome; 0 while pending. */
int	http_intake_status(const struct intake_item *it);

/*
 * Replies that may carry CORS headers (origin NULL: none). json is stolen.
 * http_intake_error() answers 429 with Retry-After when retry > 0.
 */
void	http_intake_json(struct api_req *req, int status, json_t *json,
	    const char *origin);
void	http_intake_error(struct api_req *req, const struct error *err,
	    const char *origin, int retry);

#endif /* PALAUTE_ROUTES_INTAKE_H */
