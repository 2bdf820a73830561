/*
 * state.h — the api layer's private, in-memory state: login throttles and
 * intake's caches and rate limits (core objects the api layer owns).
 * Nothing here is ever written to disk.
 */
#ifndef PALAUTE_API_STATE_H
#define PALAUTE_API_STATE_H

struct api_ctx;
struct intake_state;
struct ratelimit;
struct throttle;

int	api_state_new(struct api_ctx *ctx);
void	api_state_free(struct api_ctx *ctx);	/* accepts no state */

/* Failed-login throttles: per account name, and per client (peer tag). */
enum api_throttle_kind {
	API_THROTTLE_ACCOUNT,
	API_THROTTLE_PEER,
	API_THROTTLE_COUNT
};
struct throttle	*api_state_throttle(struct api_ctx *ctx,
		    enum api_throttle_kind kind);

/* Intake's caches and rate limits (core/intake.h). */
struct intake_state *api_state_intake(struct api_ctx *ctx);

/*
 * The buckets of the routes that store responses, per kiosk device token
 * and per link: checked when a submission arrives, charged only when it
 * stored a response (api/routes/intake.h says why).
 */
enum api_submit_kind {
	API_SUBMIT_KIOSK,
	API_SUBMIT_FORM,
	API_SUBMIT_COUNT
};
struct ratelimit *api_state_submit_limit(struct api_ctx *ctx,
		    enum api_submit_kind kind);

#endif /* PALAUTE_API_STATE_H */
