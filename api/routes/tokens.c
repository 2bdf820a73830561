/*
 * tokens.c — API tokens for integrations: GET, POST /api/v1/tokens and
 * DELETE /api/v1/tokens/{id} (admin). A token acts as the user it belongs
 * to, is shown once when made, and only its keyed hash is kept.
 * Storage layout: see core/auth.h.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/adminjob.h"
#include "api/api.h"
#include "api/routes/routes.h"
#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/rec.h"
#include "core/users.h"
#include "storage/storage.h"

#define TOKENS_NAME_MAX	64
#define TOKENS_IKEYLEN	(1 + REC_IDLEN)

static void
http_tokens_ikey(uint32_t id, uint8_t key[TOKENS_IKEYLEN])
{
	key[0] = AUTH_KEY_API;
	rec_key(id, key + 1);
}

/* The description as the API shows it: never the hash. */
static json_t *
http_tokens_public(const json_t *rec)
{
	return json_pack("{s:O, s:O, s:O, s:O}",
	    "id", json_object_get(rec, "id"),
	    "name", json_object_get(rec, "name"),
	    "user", json_object_get(rec, "user"),
	    "created", json_object_get(rec, "created"));
}

static int
http_tokens_list_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	json_t	*pub;

	if (klen != TOKENS_IKEYLEN)
		return 0;
	if ((pub = http_tokens_public(rec)) == NULL)
		return -ENOMEM;
	return json_array_append_new(arg, pub) == 0 ? 0 : -ENOMEM;
}

void
http_tokens_list(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	const uint8_t		 prefix = AUTH_KEY_API;
	json_t			*list;
	int			 rc;

	if ((list = json_array()) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) == 0)
		rc = rec_each(txn, STORAGE_DB_TOKENS, &prefix, 1,
		    http_tokens_list_one, list);
	storage_txn_abort(txn);
	if (rc != 0) {
		json_decref(list);
		api_reply_errno(req, rc);
		return;
	}
	api_reply_json(req, 200, json_pack("{s:o}", "tokens", list));
}

struct tokens_job {
	struct api_req		*tj_req;
	char			 tj_name[TOKENS_NAME_MAX + 1];
	uint32_t		 tj_user;
	uint32_t		 tj_id;
	char			 tj_who[64];
	char			 tj_token[AUTH_TOKEN_CHARS + 1];
	uint8_t			 tj_hash[AUTH_HASH_BYTES];
	json_t			*tj_public;
	struct error		 tj_err;
};

static void
http_tokens_job_free(struct tokens_job *j)
{
	if (j == NULL)
		return;
	json_decref(j->tj_public);
	sodium_memzero(j, sizeof(*j));
	free(j);
}

/* Writer thread. */
static int
http_tokens_post_apply(struct storage_txn *txn, void *arg)
{
	struct tokens_job	*j = arg;
	struct principal	 owner;
	uint8_t			 ikey[TOKENS_IKEYLEN];
	char			 day[16], hex[2 * AUTH_HASH_BYTES + 1];
	json_t			*rec = NULL;
	int			 ret;

	if ((ret = users_principal(txn, j->tj_user, &owner)) != 0) {
		if (ret == -ENOENT)
			ret = error_set(&j->tj_err, ERR_INVALID, "user",
			    "no user %u", (unsigned)j->tj_user);
		goto done;
	}
	if ((ret = storage_next_id(txn, "token", &j->tj_id)) != 0 ||
	    (ret = util_format_date(util_today(), day, sizeof(day))) != 0)
		goto done;
	sodium_bin2hex(hex, sizeof(hex), j->tj_hash, sizeof(j->tj_hash));
	rec = json_pack("{s:I, s:s, s:I, s:s, s:s}", "id", (json_int_t)j->tj_id,
	    "name", j->tj_name, "user", (json_int_t)j->tj_user, "created", day,
	    "hash", hex);
	if (rec == NULL || (j->tj_public = http_tokens_public(rec)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	http_tokens_ikey(j->tj_id, ikey);
	if ((ret = rec_put_key(txn, STORAGE_DB_TOKENS, ikey, sizeof(ikey), rec,
	    STORAGE_NOOVERWRITE)) != 0 ||
	    (ret = auth_token_put(txn, j->tj_hash, AUTH_API, j->tj_user, 0,
	    j->tj_id)) != 0)
		goto done;
	ret = audit_append(txn, j->tj_who, "token.create",
	    json_deep_copy(j->tj_public));
done:
	json_decref(rec);
	return ret;
}

static void
http_tokens_post_done(int rc, void *arg)
{
	struct tokens_job	*j = arg;

	if (rc == 0) {
		/* Shown this once; only the hash stays. */
		json_object_set_new(j->tj_public, "token",
		    json_string(j->tj_token));
		api_reply_json(j->tj_req, 201, j->tj_public);
		j->tj_public = NULL;
	} else if (j->tj_err.er_code != ERR_NONE)
		api_reply_error(j->tj_req, &j->tj_err);
	else
		api_reply_errno(j->tj_req, rc);
	http_tokens_job_free(j);
}

void
http_tokens_post(struct api_ctx *ctx, struct api_req *req)
{
	static const char *const allowed[] = { "name", "user", NULL };
	struct tokens_job	*j = NULL;
	struct error		 err;
	json_t			*body = NULL;
	const char		*name = NULL;
	long long		 user = req->rq_who.pr_user;

	memset(&err, 0, sizeof(err));
	if (api_body_object(req, &body, &err) != 0 ||
	    codec_only(body, allowed, "", &err) != 0 ||
	    codec_str(body, "name", true, TOKENS_NAME_MAX, &name, &err) != 0 ||
	    codec_int(body, "user", false, 1, UINT32_MAX, &user, &err) != 0) {
		api_reply_error(req, &err);
		goto done;
	}
	if (*name == '\0') {
		api_reply_errorf(req, ERR_INVALID, "name",
		    "'name' must not be empty");
		goto done;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		api_reply_errno(req, -ENOMEM);
		goto done;
	}
	j->tj_req = req;
	j->tj_user = (uint32_t)user;
	snprintf(j->tj_name, sizeof(j->tj_name), "%s", name);
	snprintf(j->tj_who, sizeof(j->tj_who), "%s", req->rq_who.pr_name);
	auth_token_new(ctx->ac_hash_key, j->tj_token, j->tj_hash);
	if (api_submit(ctx, req, http_tokens_post_apply, http_tokens_post_done,
	    j) != 0)
		goto done;
	j = NULL;
done:
	json_decref(body);
	http_tokens_job_free(j);
}

static int
http_tokens_delete_apply(struct storage_txn *txn, struct adminjob *job)
{
	uint8_t			 ikey[TOKENS_IKEYLEN], hash[AUTH_HASH_BYTES];
	json_t			*rec = NULL, *h;
	size_t			 blen = 0;
	int			 ret;

	http_tokens_ikey(job->aj_id, ikey);
	if ((ret = rec_get_key(txn, STORAGE_DB_TOKENS, ikey, sizeof(ikey),
	    &rec)) != 0) {
		if (ret == -ENOENT)
			ret = adminjob_fail(job, ERR_NOT_FOUND, NULL,
			    "no such token");
		goto done;
	}
	h = json_object_get(rec, "hash");
	if (!json_is_string(h) || sodium_hex2bin(hash, sizeof(hash),
	    json_string_value(h), json_string_length(h), NULL, &blen,
	    NULL) != 0 || blen != sizeof(hash)) {
		ret = -EBADMSG;
		goto done;
	}
	/* Removes the lookup record and, through its ref, the description. */
	ret = auth_token_del(txn, hash);
	if (ret == -ENOENT)
		ret = storage_del(txn, STORAGE_DB_TOKENS, ikey, sizeof(ikey));
	if (ret != 0)
		goto done;
	job->aj_status = 204;
	ret = adminjob_audit(txn, job, "token.revoke",
	    json_pack("{s:I, s:O, s:O}", "id", (json_int_t)job->aj_id,
	    "name", json_object_get(rec, "name"),
	    "user", json_object_get(rec, "user")));
done:
	json_decref(rec);
	return ret;
}

void
http_tokens_delete(struct api_ctx *ctx, struct api_req *req)
{
	struct adminjob	*job;
	uint32_t	 id;

	if (api_path_id(req, "token", &id) != 0)
		return;

	if ((job = adminjob_new(ctx, req, http_tokens_delete_apply)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	job->aj_id = id;
	adminjob_submit(job);
}
