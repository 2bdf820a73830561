/*
 * kiosk.c — the lobby tablet's routes: enrollment with a one-time code,
 * the survey it shows, and batches of responses from its offline queue.
 *
 *   POST /api/v1/kiosk/enroll {code}
 *     201 {device_token, survey, privacy, unit, idle_reset_seconds}
 *     401 unauthorized: not a code that was issued (or its kiosk is gone)
 *     410 gone: the code was used already, or it expired
 *   GET /api/v1/kiosk/survey (device token)
 *     200 {survey, privacy, unit, idle_reset_seconds}
 *     429 asked for too often by this tablet (Retry-After; kiosk_rate)
 *   POST /api/v1/kiosk/responses {responses: [{id, day, lang, answers,
 *       version?}]} (device token), at most INTAKE_BATCH_MAX
 *     200 {results: [{id, status, error?}], stored, duplicates, rejected}
 *     an item's status: 201 stored, 200 stored before (a retry), 4xx its
 *     own fault (error says which field), 5xx the store's (send it again)
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/routes/intake.h"
#include "api/routes/routes.h"
#include "api/state.h"
#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/answers.h"
#include "core/auth.h"
#include "core/collectors.h"
#include "core/idem.h"
#include "core/intake.h"
#include "core/rec.h"
#include "core/survey.h"
#include "storage/storage.h"

static const char *const kiosk_enroll_members[] = { "code", NULL };
static const char *const kiosk_batch_members[] = { "responses", NULL };
static const char *const kiosk_item_members[] = {
	"id", "day", "lang", "answers", "version", NULL
};

/* The kiosk's screen: the public view and its idle reset. */
static int
http_kiosk_view(struct api_ctx *ctx, uint32_t collector, json_t **out)
{
	struct intake_read	 rd;
	struct storage_txn	*txn;
	struct intake_target	 tg;
	struct intake_survey	*sv = NULL;
	json_t			*view = NULL;
	long long		 idle;
	int			 ret;

	http_intake_read(&rd, ctx);
	if ((ret = intake_read_txn(&rd, &txn)) != 0 ||
	    (ret = intake_target(txn, collector, &tg)) != 0)
		goto done;
	if (tg.tg_kind != COLLECTORS_KIOSK) {
		ret = -ENOENT;
		goto done;
	}
	if ((ret = intake_survey_get(&rd, tg.tg_survey, 0, &sv)) != 0 ||
	    (ret = intake_public_view(&rd, &tg, sv, &view)) != 0)
		goto done;
	idle = tg.tg_idle_reset > 0 ? tg.tg_idle_reset :
	    (long long)survey_idle_reset_seconds(intake_survey_parsed(sv));
	if (json_object_set_new(view, "idle_reset_seconds",
	    json_integer(idle)) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	*out = view;
	view = NULL;
	ret = 0;
done:
	json_decref(view);
	intake_survey_put(sv);
	intake_read_end(&rd);
	return ret;
}

/* A token's keyed hash as a rate-limit key (its first 8 bytes). */
static uint64_t
http_kiosk_limit_key(const struct api_req *req)
{
	uint64_t	k;

	memcpy(&k, req->rq_who.pr_token_hash, sizeof(k));
	return k;
}

/* A kiosk's call-in day on its way to the record. */
struct http_kiosk_seen {
	struct api_ctx	*ks_ctx;
	uint32_t	 ks_collector;
	int64_t		 ks_day;
	char		 ks_date[16];
};

/* Writer thread. */
static int
http_kiosk_seen_apply(struct storage_txn *txn, void *arg)
{
	struct http_kiosk_seen	*ks = arg;
	int			 rc;

	/* A kiosk revoked meanwhile has nothing to note. */
	rc = collectors_seen(txn, ks->ks_collector, ks->ks_date);
	return rc == -ENOENT ? 0 : rc;
}

static void
http_kiosk_seen_done(int rc, void *arg)
{
	struct http_kiosk_seen	*ks = arg;

	if (rc == 0)
		intake_seen_mark(api_state_intake(ks->ks_ctx),
		    ks->ks_collector, ks->ks_day);
	free(ks);
}

/*
 * Note the day a tablet called in, once a day, without holding up its
 * reply: the fleet view shows whether a tablet is alive. The tablet asks
 * for its survey on start and every hour whether anyone answers or not,
 * so the day says nothing of answers.
 */
static void
http_kiosk_seen(struct api_ctx *ctx, uint32_t collector)
{
	struct http_kiosk_seen	*ks;
	int64_t			 today = util_today();

	if (!intake_seen_due(api_state_intake(ctx), collector, today) ||
	    (ks = calloc(1, sizeof(*ks))) == NULL)
		return;
	ks->ks_ctx = ctx;
	ks->ks_collector = collector;
	ks->ks_day = today;
	if (util_format_date(today, ks->ks_date, sizeof(ks->ks_date)) != 0 ||
	    ctx->ac_submit(ctx->ac_submit_arg, http_kiosk_seen_apply,
	    http_kiosk_seen_done, ks) != 0)
		free(ks);	/* best effort: the next call tries again */
}

void
http_kiosk_survey(struct api_ctx *ctx, struct api_req *req)
{
	json_t			*view = NULL;
	int			 rc, wait;

	/* Per device token, like its submissions (kiosk_rate). */
	if ((wait = http_intake_limit(ctx, INTAKE_LIMIT_KIOSK_VIEW,
	    http_kiosk_limit_key(req), req)) > 0) {
		api_reply_retry(req, wait, "this kiosk asks for its survey "
		    "too often; try again later");
		return;
	}
	rc = http_kiosk_view(ctx, req->rq_who.pr_user, &view);
	if (rc == -ENOENT)
		api_reply_errorf(req, ERR_UNAUTHORIZED, NULL,
		    "this kiosk's collector is gone; enroll it again");
	else if (rc != 0)
		api_reply_errno(req, rc);
	else {
		http_kiosk_seen(ctx, req->rq_who.pr_user);
		api_reply_json(req, 200, view);
	}
}

/* ---------------------------------------------------------- enroll */

struct http_kiosk_enroll {
	struct api_ctx	*ke_ctx;
	struct api_req	*ke_req;
	uint8_t		 ke_code[AUTH_HASH_BYTES];
	char		 ke_token[AUTH_TOKEN_CHARS + 1];
	uint8_t		 ke_token_hash[AUTH_HASH_BYTES];
	uint32_t	 ke_collector;
	int64_t		 ke_now;
	enum error_code ke_refuse;	/* why apply said no */
};

static void
http_kiosk_enroll_free(struct http_kiosk_enroll *ke)
{
	sodium_memzero(ke, sizeof(*ke));
	free(ke);
}

static void
http_kiosk_device_key(const uint8_t code[AUTH_HASH_BYTES],
    uint8_t key[INTAKE_DEVICE_KEYLEN])
{
	key[0] = INTAKE_DEVICE_USED;
	memcpy(key + 1, code, AUTH_HASH_BYTES);
}

/* Writer thread: burn the code, store the device token. */
static int
http_kiosk_enroll_apply(struct storage_txn *txn, void *arg)
{
	struct http_kiosk_enroll	*ke = arg;
	uint8_t			 key[INTAKE_DEVICE_KEYLEN];
	json_t			*used = NULL;
	uint32_t		 collector;
	int64_t			 expires;
	int			 rc;

	/* Again, inside the transaction: two tablets may race for a code. */
	rc = collectors_enroll_lookup(txn, ke->ke_code, &collector, &expires);
	if (rc == -ENOENT || (rc == 0 && expires <= ke->ke_now)) {
		ke->ke_refuse = ERR_GONE;
		return -EINVAL;
	} else if (rc != 0)
		return rc;
	if ((rc = collectors_enroll_burn(txn, ke->ke_code)) != 0 ||
	    (rc = auth_token_put(txn, ke->ke_token_hash, AUTH_DEVICE,
	    collector, 0, 0)) != 0)
		return rc;
	if ((used = json_pack("{s:I}", "collector", (json_int_t)collector)) ==
	    NULL)
		return -ENOMEM;
	http_kiosk_device_key(ke->ke_code, key);
	rc = rec_put_key(txn, STORAGE_DB_DEVICES, key, sizeof(key), used, 0);
	json_decref(used);
	if (rc == 0)
		ke->ke_collector = collector;
	return rc;
}

static void
http_kiosk_enroll_done(int rc, void *arg)
{
	struct http_kiosk_enroll	*ke = arg;
	struct api_req		*req = ke->ke_req;
	json_t			*view = NULL;

	if (rc == -EINVAL && ke->ke_refuse == ERR_GONE) {
		api_reply_errorf(req, ERR_GONE, "code", "this enrollment "
		    "code has been used or has expired; ask for a new one");
		goto done;
	}
	if (rc != 0) {
		api_reply_errno(req, rc);
		goto done;
	}
	rc = http_kiosk_view(ke->ke_ctx, ke->ke_collector, &view);
	if (rc == 0 && json_object_set_new(view, "device_token",
	    json_string(ke->ke_token)) != 0)
		rc = -ENOMEM;
	if (rc != 0) {
		json_decref(view);
		api_reply_errno(req, rc);
		goto done;
	}
	log_info("kiosk of collector %u enrolled", ke->ke_collector);
	api_reply_json(req, 201, view);
done:
	http_kiosk_enroll_free(ke);
}

void
http_kiosk_enroll(struct api_ctx *ctx, struct api_req *req)
{
	struct http_kiosk_enroll	*ke = NULL;
	struct storage_txn	*txn = NULL;
	struct error		 err;
	const char		*code = NULL;
	uint8_t			 key[INTAKE_DEVICE_KEYLEN];
	json_t			*in = NULL;
	void			*val = NULL;
	size_t			 len = 0;
	uint32_t		 collector;
	int64_t			 expires;
	int			 rc, wait;

	memset(&err, 0, sizeof(err));
	/* Guessing codes is what this limit is for: per client address. */
	if ((wait = http_intake_limit(ctx, INTAKE_LIMIT_ENROLL,
	    req->rq_peer_tag,
	    req)) > 0) {
		api_reply_retry(req, wait, "too many enrollment attempts; "
		    "wait and try again");
		return;
	}
	if ((ke = calloc(1, sizeof(*ke))) == NULL) {
		api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	if ((rc = api_body_object(req, &in, &err)) != 0 ||
	    (rc = codec_only(in, kiosk_enroll_members, "", &err)) != 0 ||
	    (rc = codec_str(in, "code", true, 64, &code, &err)) != 0)
		goto refuse;
	if (collectors_code_hash(ctx->ac_hash_key, COLLECTORS_PURPOSE_ENROLL,
	    code,
	    ke->ke_code) != 0) {
		error_set(&err, ERR_UNAUTHORIZED, "code",
		    "this is not an enrollment code");
		goto refuse;
	}
	json_decref(in);
	in = NULL;
	if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) != 0)
		goto fail;
	ke->ke_now = auth_now();
	rc = collectors_enroll_lookup(txn, ke->ke_code, &collector, &expires);
	if (rc == -ENOENT) {
		/* Not live: used before (we remember those), or never issued. */
		http_kiosk_device_key(ke->ke_code, key);
		rc = storage_get(txn, STORAGE_DB_DEVICES, key, sizeof(key),
		    &val, &len);
		free(val);
		if (rc == 0)
			error_set(&err, ERR_GONE, "code", "this enrollment "
			    "code has been used already; ask for a new one");
		else if (rc == -ENOENT)
			error_set(&err, ERR_UNAUTHORIZED, "code",
			    "this enrollment code is not known");
		else
			goto fail;
		goto refuse;
	} else if (rc != 0)
		goto fail;
	if (expires <= ke->ke_now) {
		error_set(&err, ERR_GONE, "code", "this enrollment code has "
		    "expired; ask for a new one");
		goto refuse;
	}
	storage_txn_abort(txn);
	txn = NULL;
	ke->ke_ctx = ctx;
	ke->ke_req = req;
	auth_token_new(ctx->ac_hash_key, ke->ke_token, ke->ke_token_hash);
	if (api_submit(ctx, req, http_kiosk_enroll_apply,
	    http_kiosk_enroll_done, ke) != 0)
		http_kiosk_enroll_free(ke);
	return;
refuse:
	if (err.er_code == ERR_NONE)
		error_set(&err, ERR_INTERNAL, NULL, "out of memory");
	api_reply_error(req, &err);
	goto out;
fail:
	api_reply_errno(req, rc);
out:
	storage_txn_abort(txn);
	json_decref(in);
	http_kiosk_enroll_free(ke);
}

/* ---------------------------------------------------------- batch */

struct kiosk_batch {
	struct api_ctx		*kb_ctx;
	struct api_req		*kb_req;
	struct intake_target	 kb_target;
	struct intake_item	*kb_items;
	size_t			 kb_n;
};

static void
http_kiosk_batch_free(struct kiosk_batch *kb)
{
	size_t	i;

	if (kb == NULL)
		return;
	for (i = 0; i < kb->kb_n; i++)
		intake_item_clear(&kb->kb_items[i]);
	free(kb->kb_items);
	free(kb);
}

/* Writer thread: every checked item in a child transaction of its own. */
static int
http_kiosk_batch_apply(struct storage_txn *txn, void *arg)
{
	struct kiosk_batch	*kb = arg;
	struct storage_txn	*child = NULL;
	struct intake_item	*it;
	size_t			 i;
	int			 rc;

	for (i = 0; i < kb->kb_n; i++) {
		it = &kb->kb_items[i];
		if (it->ii_answers == NULL)
			continue;	/* refused on the loop */
		/* A retry of the whole job (none today) starts clean. */
		it->ii_outcome = INTAKE_PENDING;
		if ((rc = storage_txn_begin_child(txn, &child)) != 0) {
			intake_errno(&it->ii_err, rc);
			it->ii_outcome = INTAKE_REFUSED;
			continue;
		}
		if (intake_item_apply(api_state_intake(kb->kb_ctx), child,
		    &kb->kb_target, it,
		    NULL) != 0) {
			storage_txn_abort(child);
		} else if ((rc = storage_txn_commit(child)) != 0) {
			intake_errno(&it->ii_err, rc);
			it->ii_outcome = INTAKE_REFUSED;
		}
		child = NULL;
	}
	return 0;
}

static json_t *
http_kiosk_batch_result(const struct intake_item *it)
{
	json_t	*r, *e;
	int	 status = http_intake_status(it);

	r = json_pack("{s:o, s:i}", "id", it->ii_id != NULL ?
	    json_string(it->ii_id) : json_null(), "status", status);
	if (r == NULL || (status >= 200 && status < 300))
		return r;
	e = api_error_json(&it->ii_err);
	if (e == NULL || json_object_set_new(r, "error", e) != 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

static void
http_kiosk_batch_reply(struct kiosk_batch *kb)
{
	json_t		*results;
	size_t		 i, stored = 0, dups = 0, bad = 0;
	const struct intake_item *it;

	if ((results = json_array()) == NULL) {
		api_reply_errorf(kb->kb_req, ERR_INTERNAL, NULL,
		    "out of memory");
		return;
	}
	for (i = 0; i < kb->kb_n; i++) {
		it = &kb->kb_items[i];
		if (it->ii_outcome == INTAKE_STORED)
			stored++;
		else if (it->ii_outcome == INTAKE_DUPLICATE)
			dups++;
		else
			bad++;
		if (json_array_append_new(results,
		    http_kiosk_batch_result(it)) !=
		    0) {
			json_decref(results);
			api_reply_errorf(kb->kb_req, ERR_INTERNAL, NULL,
			    "out of memory");
			return;
		}
	}
	api_reply_json(kb->kb_req, 200, json_pack("{s:o, s:I, s:I, s:I}",
	    "results", results, "stored", (json_int_t)stored, "duplicates",
	    (json_int_t)dups, "rejected", (json_int_t)bad));
}

static void
http_kiosk_batch_done(int rc, void *arg)
{
	struct kiosk_batch	*kb = arg;
	size_t			 i;

	/* The commit failed: nothing of the batch is stored. */
	if (rc != 0) {
		api_reply_errno(kb->kb_req, rc);
		http_kiosk_batch_free(kb);
		return;
	}
	/* A batch that stored a response draws one token (intake.h). */
	for (i = 0; i < kb->kb_n; i++)
		if (kb->kb_items[i].ii_outcome == INTAKE_STORED) {
			http_intake_submit_charge(kb->kb_ctx, API_SUBMIT_KIOSK,
			    http_kiosk_limit_key(kb->kb_req), kb->kb_req);
			break;
		}
	http_kiosk_batch_reply(kb);
	http_kiosk_batch_free(kb);
}

/* Check item i of the batch; a refusal is recorded in the item. */
static void
http_kiosk_item_check(struct intake_read *rd, struct kiosk_batch *kb,
    const json_t *obj, int64_t today, struct intake_item *it)
{
	struct error	*err = &it->ii_err;
	const char	*s;
	int64_t		 day;
	int		 rc;

	if (!json_is_object(obj)) {
		error_set(err, ERR_WRONG_TYPE, NULL,
		    "a response must be an object");
		goto refuse;
	}
	/* Echo the id in the result even when something else is wrong. */
	if ((s = json_string_value(json_object_get(obj, "id"))) != NULL &&
	    idem_id_valid(s))
		it->ii_id = strdup(s);
	if (codec_only(obj, kiosk_item_members, "", err) != 0)
		goto refuse;
	if (codec_str(obj, "day", true, 10, &s, err) != 0)
		goto refuse;
	if (util_parse_date(s, &day) != 0) {
		error_set(err, ERR_INVALID, "day",
		    "'day' must be a date YYYY-MM-DD");
		goto refuse;
	}
	switch (idem_day_check(day, today)) {
	case IDEM_DAY_STALE:
		error_set(err, ERR_INVALID, "day", "'day' is more than %d "
		    "days ago; such responses are no longer accepted",
		    IDEM_WINDOW_DAYS);
		goto refuse;
	case IDEM_DAY_FUTURE:
		error_set(err, ERR_INVALID, "day", "'day' is in the future");
		goto refuse;
	case IDEM_DAY_OK:
		break;
	}
	free(it->ii_id);
	it->ii_id = NULL;
	rc = intake_item_prepare(rd, &kb->kb_target, obj, (uint32_t)day, it,
	    err);
	if (rc == 0)
		return;
refuse:
	answers_free(it->ii_answers);
	it->ii_answers = NULL;
	it->ii_outcome = INTAKE_REFUSED;
}

void
http_kiosk_responses(struct api_ctx *ctx, struct api_req *req)
{
	struct kiosk_batch	*kb = NULL;
	struct intake_read	 rd;
	struct storage_txn	*txn;
	struct error		 err;
	json_t			*in = NULL, *list;
	int64_t			 today;
	size_t			 i, n;
	int			 rc, wait;

	memset(&err, 0, sizeof(err));
	http_intake_read(&rd, ctx);
	/* Checked here, charged when a response is stored (intake.h). */
	if ((wait = http_intake_submit_check(ctx, API_SUBMIT_KIOSK,
	    http_kiosk_limit_key(req), req)) > 0) {
		api_reply_retry(req, wait, "this kiosk sends too often; send "
		    "the queue later");
		return;
	}
	if ((rc = api_body_object(req, &in, &err)) != 0 ||
	    (rc = codec_only(in, kiosk_batch_members, "", &err)) != 0)
		goto refuse;
	list = json_object_get(in, "responses");
	if (list == NULL) {
		error_set(&err, ERR_MISSING_FIELD, "responses",
		    "'responses' is required");
		goto refuse;
	}
	if (!json_is_array(list)) {
		error_set(&err, ERR_WRONG_TYPE, "responses",
		    "'responses' must be an array");
		goto refuse;
	}
	if ((n = json_array_size(list)) > INTAKE_BATCH_MAX) {
		error_set(&err, ERR_TOO_LARGE, "responses", "at most %d "
		    "responses in one request; send the rest in another",
		    INTAKE_BATCH_MAX);
		goto refuse;
	}
	if ((kb = calloc(1, sizeof(*kb))) == NULL ||
	    (kb->kb_items = calloc(n ? n : 1, sizeof(*kb->kb_items))) ==
	    NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	kb->kb_ctx = ctx;
	kb->kb_req = req;
	kb->kb_n = n;
	if ((rc = intake_read_txn(&rd, &txn)) != 0)
		goto fail;
	rc = intake_target(txn, req->rq_who.pr_user, &kb->kb_target);
	if (rc == 0 && kb->kb_target.tg_kind != COLLECTORS_KIOSK)
		rc = -ENOENT;
	if (rc == -ENOENT) {
		error_set(&err, ERR_UNAUTHORIZED, NULL,
		    "this kiosk's collector is gone; enroll it again");
		goto refuse;
	} else if (rc != 0)
		goto fail;
	today = util_today();
	for (i = 0; i < n; i++)
		http_kiosk_item_check(&rd, kb, json_array_get(list, i), today,
		    &kb->kb_items[i]);
	intake_read_end(&rd);
	json_decref(in);
	in = NULL;
	http_intake_sweep_maybe(ctx);
	if (api_submit_intake(ctx, req, http_kiosk_batch_apply,
	    http_kiosk_batch_done, kb) != 0)
		http_kiosk_batch_free(kb);
	return;
refuse:
	if (err.er_code == ERR_NONE)
		error_set(&err, ERR_INTERNAL, NULL, "out of memory");
	api_reply_error(req, &err);
	goto out;
fail:
	api_reply_errno(req, rc);
out:
	intake_read_end(&rd);
	json_decref(in);
	http_kiosk_batch_free(kb);
}
