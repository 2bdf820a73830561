/*
 * forms.c — the public web form's routes, reached by a link or QR code:
 *
 *   GET /api/v1/forms/{slug}
 *     200 {survey, privacy, unit, invitation_required, invitation_check}
 *         (invitation_check: the round's codes end in a check symbol)
 *     429 asked for too often by this client on this link (Retry-After;
 *         form_rate)
 *   POST /api/v1/forms/{slug}/responses {id, lang, answers, invitation?,
 *       version?}
 *     201 {id, duplicate: false}  stored
 *     200 {id, duplicate: true}   this id was stored before (a retry)
 *     400 a malformed body or a member the contract does not know;
 *         missing_field "invitation" on a form of an invitation round
 *     409 already_used: the invitation code was used by another response
 *     422 an invalid answer (field: the question id), lang or id; an
 *         invitation code that is not one by its shape or check symbol,
 *         or (once everything else is valid) was not issued for this form
 *     429 too many submissions on this link (Retry-After)
 *   OPTIONS on both: CORS preflight, answered only for the origins listed
 *     in the configuration's cors_origins (403 for any other)
 *
 * An invitation code is burned in the transaction that stores the
 * response; the code's entry records only that it was used. Nothing here
 * looks a code up: its shape and check symbol are checked as text, and
 * whether it was issued and is unused is learnt only by burning it, after
 * everything else about the response has been found valid (intake.h). So
 * a submission that fails for any other reason gets the same reply for
 * an unused, a used and an unknown code, and only a submission that
 * would spend an unused code can tell that another one was used.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/routes/intake.h"
#include "api/routes/routes.h"
#include "api/state.h"
#include "common/codec.h"
#include "common/util.h"
#include "core/collectors.h"
#include "core/intake.h"
#include "storage/storage.h"

static const char *const forms_members[] = {
	"id", "lang", "answers", "invitation", "version", NULL
};

/* The request's Origin when the configuration lists it, else NULL. */
static const char *
http_forms_origin(const struct api_ctx *ctx, const struct api_req *req)
{
	const char	*list = ctx->ac_limits.al_cors_origins, *p;
	size_t		 n, len;

	if (req->rq_origin == NULL || list == NULL)
		return NULL;
	len = strlen(req->rq_origin);
	for (p = list; *p != '\0'; p += n) {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == len && n > 0 && memcmp(p, req->rq_origin, n) == 0)
			return req->rq_origin;
	}
	return NULL;
}

/* The collector of the path's slug, a form's (link or invitation). */
static int
http_forms_target(struct intake_read *rd, const struct api_req *req,
    struct intake_target *tg)
{
	if (req->rq_nparams < 1)
		return -ENOENT;
	return intake_form_target(rd, req->rq_params[0], tg);
}

static void
http_forms_reply_errno(struct api_req *req, int rc, const char *origin)
{
	struct error	err;

	memset(&err, 0, sizeof(err));
	if (rc == -ENOENT)
		error_set(&err, ERR_NOT_FOUND, NULL, "there is no such form "
		    "(the link may have been withdrawn)");
	else
		intake_errno(&err, rc);
	http_intake_error(req, &err, origin, 0);
}

void
http_forms_get(struct api_ctx *ctx, struct api_req *req)
{
	struct intake_read	 rd;
	struct intake_target	 tg;
	struct intake_survey	*sv = NULL;
	const char		*origin = http_forms_origin(ctx, req);
	struct error		 err;
	json_t			*view = NULL;
	int			 rc, wait = 0;

	http_intake_read(&rd, ctx);
	/*
	 * Per client and link, at the rate of the link's submissions. Not
	 * per link alone: anyone could then drain the bucket, wait and
	 * probe again, and count who else opened the form meanwhile.
	 */
	if ((rc = http_forms_target(&rd, req, &tg)) == 0 &&
	    (wait = http_intake_limit(ctx, INTAKE_LIMIT_FORM_VIEW,
	    req->rq_peer_tag ^ (tg.tg_collector * 0x9e3779b97f4a7c15ULL),
	    req)) > 0) {
		intake_read_end(&rd);
		error_set(&err, ERR_RATE_LIMITED, NULL, "this form is asked "
		    "for too often; try again shortly");
		http_intake_error(req, &err, origin, wait);
		return;
	}
	if (rc == 0 &&
	    (rc = intake_survey_get(&rd, tg.tg_survey, 0, &sv)) == 0 &&
	    (rc = intake_public_view(&rd, &tg, sv, &view)) == 0 &&
	    (json_object_set_new(view, "invitation_required",
	    json_boolean(tg.tg_kind == COLLECTORS_INVITATION)) != 0 ||
	    json_object_set_new(view, "invitation_check",
	    json_boolean(tg.tg_kind == COLLECTORS_INVITATION &&
	    tg.tg_code_check)) != 0))
		rc = -ENOMEM;
	intake_read_end(&rd);
	intake_survey_put(sv);
	if (rc != 0) {
		json_decref(view);
		http_forms_reply_errno(req, rc, origin);
		return;
	}
	http_intake_json(req, 200, view, origin);
}

void
http_forms_options(struct api_ctx *ctx, struct api_req *req)
{
	const char	*origin = http_forms_origin(ctx, req);

	if (origin == NULL) {
		api_reply_errorf(req, ERR_FORBIDDEN, NULL, "this origin may "
		    "not use the form API");
		return;
	}
	api_reply_raw(req, 204, NULL, NULL, 0,
	    "Access-Control-Allow-Origin", origin,
	    "Access-Control-Allow-Methods", "GET, POST, OPTIONS",
	    "Access-Control-Allow-Headers", "Content-Type",
	    /* Browsers cap this anyway; ten minutes spares a preflight per
	     * submission of a long form session. */
	    "Access-Control-Max-Age", "600",
	    "Vary", "Origin", NULL);
}

struct forms_job {
	struct api_ctx		*fj_ctx;
	struct api_req		*fj_req;
	struct intake_target	 fj_target;
	struct intake_item	 fj_item;
	uint8_t			 fj_invite[AUTH_HASH_BYTES];
	bool			 fj_has_invite;
};

static void
http_forms_job_free(struct forms_job *fj)
{
	if (fj == NULL)
		return;
	intake_item_clear(&fj->fj_item);
	sodium_memzero(fj->fj_invite, sizeof(fj->fj_invite));
	free(fj);
}

/* Writer thread. */
static int
http_forms_apply(struct storage_txn *txn, void *arg)
{
	struct forms_job	*fj = arg;

	return intake_item_apply(api_state_intake(fj->fj_ctx), txn,
	    &fj->fj_target, &fj->fj_item,
	    fj->fj_has_invite ? fj->fj_invite : NULL);
}

static void
http_forms_done(int rc, void *arg)
{
	struct forms_job	*fj = arg;
	struct intake_item	*it = &fj->fj_item;
	const char		*origin = http_forms_origin(fj->fj_ctx,
	    fj->fj_req);
	int			 st = http_intake_status(it);

	/* Only a stored response draws on the link's bucket (intake.h). */
	if (rc == 0 && st == 201)
		http_intake_submit_charge(fj->fj_ctx, API_SUBMIT_FORM,
		    fj->fj_target.tg_collector, fj->fj_req);
	if (rc == 0 && (st == 201 || st == 200))
		http_intake_json(fj->fj_req, st, json_pack("{s:s, s:b}",
		    "id", it->ii_id, "duplicate", st == 200), origin);
	else if (rc != 0 && st != 0 && st != 200 && st != 201)
		http_intake_error(fj->fj_req, &it->ii_err, origin, 0);
	else
		/* The item was fine; its batch's commit was not. */
		http_forms_reply_errno(fj->fj_req, rc != 0 ? rc : -EIO, origin);
	http_forms_job_free(fj);
}

/*
 * The invitation member against the form's kind, as text only: its
 * hash, for the writer to burn. err filled on refusal.
 */
static int
http_forms_invitation(struct intake_read *rd, const json_t *in,
    struct forms_job *fj, struct error *err)
{
	const char	*code = NULL;
	int		 rc;

	if (fj->fj_target.tg_kind != COLLECTORS_INVITATION) {
		if (json_object_get(in, "invitation") != NULL)
			return error_set(err, ERR_INVALID, "invitation",
			    "this form takes no invitation code");
		return 0;
	}
	if ((rc = codec_str(in, "invitation", true, 64, &code, err)) != 0)
		return rc;
	rc = collectors_invite_hash(rd->rd_hash_key,
	    fj->fj_target.tg_code_check, code, fj->fj_invite);
	if (rc == -EILSEQ)
		return error_set(err, ERR_INVALID, "invitation",
		    "this code has a typing error: its last symbol, the "
		    "check, does not match the others");
	if (rc != 0)
		return error_set(err, ERR_INVALID, "invitation",
		    "this is not an invitation code: it has %d letters and "
		    "digits, without O, I, L, 0 or 1",
		    fj->fj_target.tg_code_check ? CODES_INVITE_FULL_LEN :
		    CODES_INVITE_LEN);
	/*
	 * Issued and unused or not is learnt only where the code is burned,
	 * in the transaction that stores the response: looking it up here
	 * would tell it without spending it.
	 */
	fj->fj_has_invite = true;
	return 0;
}

void
http_forms_post(struct api_ctx *ctx, struct api_req *req)
{
	struct forms_job	*fj = NULL;
	struct intake_read	 rd;
	struct error		 err;
	const char		*origin = http_forms_origin(ctx, req);
	json_t			*in = NULL;
	int			 rc, wait;

	memset(&err, 0, sizeof(err));
	http_intake_read(&rd, ctx);
	if ((fj = calloc(1, sizeof(*fj))) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	fj->fj_ctx = ctx;
	fj->fj_req = req;
	if ((rc = http_forms_target(&rd, req, &fj->fj_target)) != 0)
		goto fail;
	/*
	 * Per link: one form flooded does not slow the others. Checked
	 * here, charged when a response is stored (api/routes/intake.h).
	 */
	if ((wait = http_intake_submit_check(ctx, API_SUBMIT_FORM,
	    fj->fj_target.tg_collector, req)) > 0) {
		error_set(&err, ERR_RATE_LIMITED, NULL, "too many "
		    "submissions on this form; try again shortly");
		http_intake_error(req, &err, origin, wait);
		goto out;
	}
	if ((rc = api_body_object(req, &in, &err)) != 0 ||
	    (rc = codec_only(in, forms_members, "", &err)) != 0 ||
	    (rc = http_forms_invitation(&rd, in, fj, &err)) != 0 ||
	    (rc = intake_item_prepare(&rd, &fj->fj_target, in,
	    (uint32_t)util_today(), &fj->fj_item, &err)) != 0) {
		if (err.er_code == ERR_NONE)
			goto fail;
		http_intake_error(req, &err, origin, 0);
		goto out;
	}
	intake_read_end(&rd);
	json_decref(in);
	in = NULL;
	http_intake_sweep_maybe(ctx);
	if (api_submit_intake(ctx, req, http_forms_apply, http_forms_done,
	    fj) != 0)
		http_forms_job_free(fj);
	return;
fail:
	http_forms_reply_errno(req, rc, origin);
out:
	intake_read_end(&rd);
	json_decref(in);
	http_forms_job_free(fj);
}
