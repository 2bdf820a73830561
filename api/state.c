/*
 * state.c — allocation of the api layer's in-memory state.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include "api/api.h"
#include "api/state.h"
#include "core/intake.h"
#include "core/ratelimit.h"
#include "core/throttle.h"

/*
 * Keys each login throttle remembers: ~40 bytes each, so 160 KiB a table.
 * More distinct names or clients than this within the forget window means
 * an attack from many addresses; the oldest idle keys make room.
 */
#define STATE_THROTTLE_KEYS	4096
/*
 * Keys each submission limit remembers (device tokens, links), as many as
 * intake's own tables: a key whose bucket is full again is forgotten.
 */
#define STATE_SUBMIT_KEYS	4096
/* The first lock after the allowed failures, doubling up to the longest. */
#define STATE_THROTTLE_BASE	5	/* seconds */
#define STATE_THROTTLE_MAX	900	/* 15 minutes */

struct api_state {
	struct throttle	*as_throttle[API_THROTTLE_COUNT];
	struct intake_state *as_intake;
	struct ratelimit *as_submit[API_SUBMIT_COUNT];
};

int
api_state_new(struct api_ctx *ctx)
{
	struct api_state	*as;
	int			 i;

	if ((as = calloc(1, sizeof(*as))) == NULL)
		return -ENOMEM;
	for (i = 0; i < API_THROTTLE_COUNT; i++)
		if ((as->as_throttle[i] = throttle_new(STATE_THROTTLE_KEYS,
		    STATE_THROTTLE_BASE, STATE_THROTTLE_MAX)) == NULL) {
			ctx->ac_state = as;
			api_state_free(ctx);
			return -ENOMEM;
		}
	if ((as->as_intake = intake_state_new()) == NULL) {
		ctx->ac_state = as;
		api_state_free(ctx);
		return -ENOMEM;
	}
	for (i = 0; i < API_SUBMIT_COUNT; i++)
		if ((as->as_submit[i] = ratelimit_new(STATE_SUBMIT_KEYS)) ==
		    NULL) {
			ctx->ac_state = as;
			api_state_free(ctx);
			return -ENOMEM;
		}
	ctx->ac_state = as;
	return 0;
}

void
api_state_free(struct api_ctx *ctx)
{
	int	i;

	if (ctx->ac_state == NULL)
		return;
	for (i = 0; i < API_THROTTLE_COUNT; i++)
		throttle_free(ctx->ac_state->as_throttle[i]);
	intake_state_free(ctx->ac_state->as_intake);
	for (i = 0; i < API_SUBMIT_COUNT; i++)
		ratelimit_free(ctx->ac_state->as_submit[i]);
	free(ctx->ac_state);
	ctx->ac_state = NULL;
}

struct throttle *
api_state_throttle(struct api_ctx *ctx, enum api_throttle_kind kind)
{
	return ctx->ac_state->as_throttle[kind];
}

struct intake_state *
api_state_intake(struct api_ctx *ctx)
{
	return ctx->ac_state->as_intake;
}

struct ratelimit *
api_state_submit_limit(struct api_ctx *ctx, enum api_submit_kind kind)
{
	return ctx->ac_state->as_submit[kind];
}
