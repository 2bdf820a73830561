/*
 * users.c — /api/v1/users: accounts, their roles and units, password
 * resets; passwords are hashed on a worker thread.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/adminjob.h"
#include "api/api.h"
#include "api/offload.h"
#include "api/routes/routes.h"
#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/rec.h"
#include "core/users.h"
#include "storage/storage.h"

/* ---------------------------------------------------------------- routes */

static int
http_users_list_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	json_t	*pub;

	if (klen != REC_IDLEN)	/* the by-name index */
		return 0;
	if ((pub = users_public(rec)) == NULL)
		return -ENOMEM;
	return json_array_append_new(arg, pub) == 0 ? 0 : -ENOMEM;
}

void
http_users_list(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	json_t			*list;
	int			 rc;

	if ((list = json_array()) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) == 0)
		rc = rec_each(txn, STORAGE_DB_USERS, NULL, 0,
		    http_users_list_one,
		    list);
	storage_txn_abort(txn);
	if (rc != 0) {
		json_decref(list);
		api_reply_errno(req, rc);
		return;
	}
	api_reply_json(req, 200, json_pack("{s:o}", "users", list));
}

void
http_users_get(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	json_t			*rec = NULL;
	uint32_t		 id;
	int			 rc;

	if (api_path_id(req, "user", &id) != 0)
		return;

	if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) == 0)
		rc = rec_get(txn, STORAGE_DB_USERS, id, &rec);
	storage_txn_abort(txn);
	if (rc == -ENOENT)
		api_reply_errorf(req, ERR_NOT_FOUND, NULL, "no such user");
	else if (rc != 0)
		api_reply_errno(req, rc);
	else
		api_reply_json(req, 200, users_public(rec));
	json_decref(rec);
}

/*
 * POST and PATCH: parsed on the loop; the password judged by the policy
 * (its dictionary takes milliseconds) and hashed (Argon2id takes 0.1 s)
 * on a worker; written by the writer in an adminjob.
 */
struct users_change {
	struct users_new uc_new;	/* POST: all; PATCH: the units */
	char		 uc_name[USERS_NAME_MAX + 1];	/* POST, PATCH */
	bool		 uc_units;	/* PATCH: uc_new's units are to be set */
	bool		 uc_password;	/* uc_hash is to be set */
	bool		 uc_check;	/* a person's password: judge it */
	char		*uc_cleartext;	/* guarded; wiped once hashed */
	char		 uc_hash[USERS_HASH_MAX];
	int		 uc_rc;		/* the policy's, then the hash's */
	struct error	 uc_err;	/* why the policy refused it */
	/* POST without a password, or a new link: a set-password link. */
	bool		 uc_link;
	char		 uc_link_token[AUTH_TOKEN_CHARS + 1];
	uint8_t		 uc_link_hash[AUTH_HASH_BYTES];
	int64_t		 uc_link_expires;
};

/* Draw a set-password link's token on the loop, like any token. */
static void
http_users_link_new(struct api_ctx *ctx, struct users_change *uc)
{
	auth_token_new(ctx->ac_hash_key, uc->uc_link_token, uc->uc_link_hash);
	uc->uc_link_expires = auth_now() + AUTH_SETPW_TTL;
	uc->uc_link = true;
}

/*
 * Store the link of user (write txn), replacing any earlier one, and
 * describe it in *out: {"url", "expires_at"}. The token is in the URL's
 * fragment, which browsers never send to a server: no proxy's access log
 * can hold it.
 */
static int
http_users_link_put(struct storage_txn *txn, struct users_change *uc,
    uint32_t user, json_t **out)
{
	char	url[sizeof("/dashboard/#set-password=") + AUTH_TOKEN_CHARS];
	char	when[32];
	int	ret;

	if ((ret = auth_revoke(txn, AUTH_SETPW, user, NULL)) != 0 ||
	    (ret = auth_token_put(txn, uc->uc_link_hash, AUTH_SETPW, user,
	    uc->uc_link_expires, 0)) != 0)
		return ret;
	snprintf(url, sizeof(url), "/dashboard/#set-password=%s",
	    uc->uc_link_token);
	util_format_time(uc->uc_link_expires, when, sizeof(when));
	if ((*out = json_pack("{s:s, s:s}", "url", url, "expires_at",
	    when)) == NULL)
		return -ENOMEM;
	return 0;
}

static void
http_users_change_free(void *arg)
{
	struct users_change	*uc = arg;

	if (uc->uc_cleartext != NULL)
		sodium_free(uc->uc_cleartext);
	sodium_memzero(uc, sizeof(*uc));
	free(uc);
}

static struct adminjob *
http_users_job_new(struct api_ctx *ctx, struct api_req *req,
    adminjob_apply_fn apply)
{
	struct adminjob	*job;

	if ((job = adminjob_new(ctx, req, apply)) == NULL)
		return NULL;
	if ((job->aj_data = calloc(1, sizeof(struct users_change))) == NULL) {
		adminjob_free(job);
		return NULL;
	}
	job->aj_data_free = http_users_change_free;
	return job;
}

static int
http_users_change_password(struct users_change *uc, const char *password)
{
	uc->uc_cleartext = users_password_keep(password);
	uc->uc_password = uc->uc_cleartext != NULL;
	return uc->uc_password ? 0 : -ENOMEM;
}

/*
 * The name of user id into name, for the policy's user-name rule; -ENOENT
 * (err: 404) when there is no such user.
 */
static int
http_users_name(struct storage_txn *txn, uint32_t id,
    char name[USERS_NAME_MAX + 1], struct error *err)
{
	json_t		*rec = NULL;
	const char	*s;
	int		 ret;

	if ((ret = rec_get(txn, STORAGE_DB_USERS, id, &rec)) != 0) {
		if (ret == -ENOENT)
			error_set(err, ERR_NOT_FOUND, NULL, "no such user");
		goto done;
	}
	if ((s = json_string_value(json_object_get(rec, "username"))) ==
	    NULL || strlen(s) > USERS_NAME_MAX) {
		ret = -EBADMSG;
		goto done;
	}
	memcpy(name, s, strlen(s) + 1);
	ret = 0;
done:
	json_decref(rec);
	return ret;
}

/*
 * A password judged and hashed on a worker that did not work out: the
 * policy's refusal as it stands, else the hash's want of memory.
 */
static void
http_users_unhashed(struct api_req *req, int rc, const struct error *err)
{
	if (err->er_code != ERR_NONE) {
		api_reply_error(req, err);
		return;
	}
	log_warnx("users: cannot hash a password: %d", rc);
	api_reply_errorf(req, ERR_UNAVAILABLE, NULL,
	    "out of memory for the password hash; try again");
}

/* Worker thread. */
static void
http_users_hash_work(void *arg)
{
	struct adminjob		*job = arg;
	struct users_change	*uc = job->aj_data;

	if (!uc->uc_check || (uc->uc_rc = users_check_password(uc->uc_name,
	    uc->uc_cleartext, &uc->uc_err)) == 0)
		uc->uc_rc = users_hash_password(uc->uc_cleartext,
		    uc->uc_hash);
	sodium_free(uc->uc_cleartext);
	uc->uc_cleartext = NULL;
}

static void
http_users_hashed(int rc, void *arg)
{
	struct adminjob		*job = arg;
	struct users_change	*uc = job->aj_data;

	if (rc == 0)
		rc = uc->uc_rc;
	if (rc != 0) {
		http_users_unhashed(job->aj_req, rc, &uc->uc_err);
		adminjob_free(job);
		return;
	}
	adminjob_submit(job);
}

/* Hand the job on: to a worker first when there is a password to hash. */
static void
http_users_job_submit(struct api_ctx *ctx, struct api_req *req,
    struct adminjob *job)
{
	struct users_change	*uc = job->aj_data;

	if (!uc->uc_password)
		adminjob_submit(job);
	else if (offload_run(ctx, req, http_users_hash_work, http_users_hashed,
	    job)
	    != 0)
		adminjob_free(job);	/* offload_run replied */
}

/*
 * A refused request: the body goes, and any password in it is wiped. The
 * reply is err, or rc's when err is empty.
 */
static void
http_users_job_refuse(struct api_req *req, struct adminjob *job, json_t *body,
    const char *password, int rc, const struct error *err)
{
	if (password != NULL)
		sodium_memzero((char *)password, strlen(password));
	json_decref(body);
	adminjob_free(job);
	if (err->er_code == ERR_NONE)
		api_reply_errno(req, rc);
	else
		api_reply_error(req, err);
}

/* units of a manager: unique ids, at most AUTH_MAX_SUBTREES. */
static int
http_users_parse_units(const json_t *body, enum role role,
    struct users_new *u, struct error *err)
{
	json_t		*units = json_object_get(body, "units"), *v;
	char		 field[32];
	size_t		 i, k;
	json_int_t	 n;

	if (units == NULL || (json_is_array(units) &&
	    json_array_size(units) == 0)) {
		if (role == ROLE_MANAGER)
			return error_set(err, ERR_MISSING_FIELD, "units",
			    "a manager needs 'units': the units they see");
		return 0;
	}
	if (!json_is_array(units))
		return error_set(err, ERR_WRONG_TYPE, "units",
		    "'units' must be an array of unit ids");
	if (role == ROLE_ADMIN)
		return error_set(err, ERR_INVALID, "units",
		    "an admin sees every unit; 'units' is for managers");
	if (json_array_size(units) > AUTH_MAX_SUBTREES)
		return error_set(err, ERR_INVALID, "units",
		    "at most %d units", AUTH_MAX_SUBTREES);
	json_array_foreach(units, i, v) {
		snprintf(field, sizeof(field), "units[%zu]", i);
		if (!json_is_integer(v))
			return error_set(err, ERR_WRONG_TYPE, field,
			    "'%s' must be a unit id", field);
		n = json_integer_value(v);
		if (n < 1 || n > UINT32_MAX)
			return error_set(err, ERR_INVALID, field,
			    "'%s' is not a unit id", field);
		for (k = 0; k < i; k++)
			if (u->un_units[k] == (uint32_t)n)
				return error_set(err, ERR_INVALID, field,
				    "unit %lld is listed twice", (long long)n);
		u->un_units[i] = (uint32_t)n;
	}
	u->un_nunits = json_array_size(units);
	return 0;
}

static int
http_users_post_apply(struct storage_txn *txn, struct adminjob *job)
{
	struct users_change	*uc = job->aj_data;
	json_t			*link = NULL;
	int			 ret;

	uc->uc_new.un_hash = uc->uc_hash;
	ret = users_insert(job->aj_ctx->ac_hash_key, txn, job->aj_who.pr_name,
	    &uc->uc_new,
	    &job->aj_id, &job->aj_out, &job->aj_err);
	/* A taken name is the client's to hear about, with its field. */
	if (ret == -EEXIST && job->aj_err.er_code != ERR_NONE)
		ret = -EINVAL;
	if (ret != 0 || !uc->uc_link)
		goto done;
	if ((ret = http_users_link_put(txn, uc, job->aj_id, &link)) != 0)
		goto done;
	if (json_object_set_new(job->aj_out, "password_link", link) != 0)
		ret = -ENOMEM;
done:
	job->aj_status = 201;
	return ret;
}

/* Logged here, after the commit, so the log never tells of a rollback. */
static void
http_users_post_reply(struct adminjob *job)
{
	log_info("user %u created", (unsigned)job->aj_id);
	api_reply_json(job->aj_req, 201, job->aj_out);
	job->aj_out = NULL;
}

void
http_users_post(struct api_ctx *ctx, struct api_req *req)
{
	static const char *const allowed[] = { "username", "password", "role",
	    "units", NULL };
	struct adminjob		*job;
	struct users_change	*uc;
	struct error		 err;
	json_t			*body = NULL;
	const char		*name = NULL, *password = NULL, *role = NULL;
	unsigned char		 raw[32];
	char			 secret[64] = "";
	int			 rc;

	memset(&err, 0, sizeof(err));
	if ((job = http_users_job_new(ctx, req,
	    http_users_post_apply)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	uc = job->aj_data;
	job->aj_reply = http_users_post_reply;
	/* A password's length is the policy's to judge, on the worker. */
	if (api_body_object(req, &body, &err) != 0 ||
	    codec_only(body, allowed, "", &err) != 0 ||
	    codec_str(body, "username", true, USERS_NAME_MAX, &name,
	    &err) != 0 ||
	    codec_str(body, "password", false, SIZE_MAX, &password,
	    &err) != 0 ||
	    codec_str(body, "role", true, 16, &role, &err) != 0)
		goto refuse;
	if (users_check_name(name, &err) != 0)
		goto refuse;
	if (users_role_parse(role, &uc->uc_new.un_role) != 0) {
		error_set(&err, ERR_INVALID, "role",
		    "'role' must be \"admin\" or \"manager\"");
		goto refuse;
	}
	if (http_users_parse_units(body, uc->uc_new.un_role, &uc->uc_new, &err)
	    != 0)
		goto refuse;
	snprintf(uc->uc_name, sizeof(uc->uc_name), "%s", name);
	uc->uc_new.un_name = uc->uc_name;
	if (password == NULL) {
		/*
		 * No password: the person sets one through a link. Until
		 * then the account's hash is of a random secret nobody has.
		 */
		http_users_link_new(ctx, uc);
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2base64(secret, sizeof(secret), raw, sizeof(raw),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		sodium_memzero(raw, sizeof(raw));
		password = secret;
	} else
		uc->uc_check = true;
	rc = http_users_change_password(uc, password);
	sodium_memzero(secret, sizeof(secret));
	if (rc != 0)
		goto refuse;	/* err is empty: out of memory */
	json_decref(body);
	http_users_job_submit(ctx, req, job);
	return;
refuse:
	http_users_job_refuse(req, job, body, password, -ENOMEM, &err);
}

/*
 * PATCH: a manager's units, a new password, or both. A new password ends
 * the user's sessions but the caller's own, so that someone who knew the
 * old one is out; API tokens are credentials of their own and stay.
 */
static int
http_users_patch_apply(struct storage_txn *txn, struct adminjob *job)
{
	struct users_change	*uc = job->aj_data;
	const struct principal *caller = &job->aj_who;
	json_t			*rec = NULL, *units = NULL, *detail = NULL;
	const char		*role;
	size_t			 nsess = 0;
	int			 ret;

	if ((ret = rec_get(txn, STORAGE_DB_USERS, job->aj_id, &rec)) != 0) {
		if (ret == -ENOENT)
			ret = adminjob_fail(job, ERR_NOT_FOUND, NULL,
			    "no such user");
		goto done;
	}
	if ((role = json_string_value(json_object_get(rec, "role"))) == NULL) {
		ret = -EBADMSG;
		goto done;
	}
	if ((detail = json_pack("{s:I}", "id", (json_int_t)job->aj_id)) ==
	    NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if (uc->uc_units) {
		if (strcmp(role, users_role_name(ROLE_MANAGER)) != 0) {
			ret = adminjob_fail(job, ERR_INVALID, "units",
			    "an admin sees every unit; 'units' is for "
			    "managers");
			goto done;
		}
		if ((ret = users_units_json(txn, uc->uc_new.un_units,
		    uc->uc_new.un_nunits, &units, &job->aj_err)) != 0 ||
		    (ret = json_object_set(rec, "units", units)) != 0 ||
		    (ret = json_object_set(detail, "units", units)) != 0)
			goto done;
	}
	if (uc->uc_password) {
		if (json_object_set_new(rec, "hash",
		    json_string(uc->uc_hash)) != 0) {
			ret = -ENOMEM;
			goto done;
		}
		if ((ret = auth_revoke_except(txn, AUTH_SESSION, job->aj_id,
		    caller->pr_user == job->aj_id && !caller->pr_api_token ?
		    caller->pr_token_hash : NULL, &nsess)) != 0)
			goto done;
		if (json_object_set_new(detail, "password", json_true()) != 0 ||
		    json_object_set_new(detail, "sessions_revoked",
		    json_integer((json_int_t)nsess)) != 0) {
			ret = -ENOMEM;
			goto done;
		}
	}
	if ((ret = rec_put(txn, STORAGE_DB_USERS, job->aj_id, rec)) != 0)
		goto done;
	if ((job->aj_out = users_public(rec)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	ret = adminjob_audit(txn, job, "user.update", detail);
	detail = NULL;
done:
	json_decref(detail);
	json_decref(units);
	json_decref(rec);
	return ret;
}

void
http_users_patch(struct api_ctx *ctx, struct api_req *req)
{
	static const char *const allowed[] = { "password", "units", NULL };
	struct adminjob		*job;
	struct users_change	*uc;
	struct storage_txn	*txn = NULL;
	struct error		 err;
	json_t			*body = NULL;
	const char		*password = NULL;
	uint32_t		 id;
	int			 rc = -ENOMEM;

	memset(&err, 0, sizeof(err));
	if (api_path_id(req, "user", &id) != 0)
		return;

	if ((job = http_users_job_new(ctx, req,
	    http_users_patch_apply)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	uc = job->aj_data;
	job->aj_id = id;
	if (api_body_object(req, &body, &err) != 0 ||
	    codec_only(body, allowed, "", &err) != 0 ||
	    codec_str(body, "password", false, SIZE_MAX, &password,
	    &err) != 0)
		goto refuse;
	uc->uc_units = json_object_get(body, "units") != NULL;
	if (password == NULL && !uc->uc_units) {
		error_set(&err, ERR_MISSING_FIELD, NULL,
		    "nothing to change: give 'password', 'units' or both");
		goto refuse;
	}
	/* The role is the record's; a manager's rules are checked here. */
	if (uc->uc_units && http_users_parse_units(body, ROLE_MANAGER,
	    &uc->uc_new, &err) != 0)
		goto refuse;
	if (password != NULL) {
		/*
		 * The name, for the policy; no PATCH renames, so it is the
		 * one the writer finds.
		 */
		if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) == 0)
			rc = http_users_name(txn, id, uc->uc_name, &err);
		storage_txn_abort(txn);
		if (rc != 0 ||
		    (rc = http_users_change_password(uc, password)) != 0)
			goto refuse;
		uc->uc_check = true;
	}
	json_decref(body);
	http_users_job_submit(ctx, req, job);
	return;
refuse:
	http_users_job_refuse(req, job, body, password, rc, &err);
}

/* DELETE: the record, its index entry, its sessions and API tokens. */
static int
http_users_delete_apply(struct storage_txn *txn, struct adminjob *job)
{
	json_t			*rec = NULL;
	const char		*name;
	size_t			 nsess = 0, napi = 0;
	int			 ret;

	if ((ret = rec_get(txn, STORAGE_DB_USERS, job->aj_id, &rec)) != 0) {
		if (ret == -ENOENT)
			ret = adminjob_fail(job, ERR_NOT_FOUND, NULL,
			    "no such user");
		goto done;
	}
	if (job->aj_id == job->aj_who.pr_user) {
		/* And so there is always an admin left who can log in. */
		ret = adminjob_fail(job, ERR_CONFLICT, NULL,
		    "you cannot delete your own account");
		goto done;
	}
	if ((name = json_string_value(json_object_get(rec, "username")))
	    == NULL) {
		ret = -EBADMSG;
		goto done;
	}
	if ((ret = users_remove(txn, job->aj_ctx->ac_hash_key, job->aj_id,
	    name, &nsess, &napi)) != 0)
		goto done;
	job->aj_status = 204;
	ret = adminjob_audit(txn, job, "user.delete",
	    json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)job->aj_id,
	    "username", name, "sessions_revoked", (json_int_t)nsess,
	    "tokens_revoked", (json_int_t)napi));
done:
	json_decref(rec);
	return ret;
}

/* Logged here, after the commit, so the log never tells of a rollback. */
static void
http_users_delete_reply(struct adminjob *job)
{
	log_info("user %u deleted", (unsigned)job->aj_id);
	api_reply_raw(job->aj_req, 204, NULL, NULL, 0, NULL);
}

void
http_users_delete(struct api_ctx *ctx, struct api_req *req)
{
	struct adminjob	*job;
	uint32_t	 id;

	if (api_path_id(req, "user", &id) != 0)
		return;

	if ((job = adminjob_new(ctx, req, http_users_delete_apply)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	job->aj_id = id;
	job->aj_reply = http_users_delete_reply;
	adminjob_submit(job);
}

/* ---------------------------------------------------------- set-password links */

static int
http_users_link_apply(struct storage_txn *txn, struct adminjob *job)
{
	struct users_change	*uc = job->aj_data;
	json_t			*rec = NULL;
	int			 ret;

	if ((ret = rec_get(txn, STORAGE_DB_USERS, job->aj_id, &rec)) != 0) {
		if (ret == -ENOENT)
			ret = adminjob_fail(job, ERR_NOT_FOUND, NULL,
			    "no such user");
		goto done;
	}
	if ((ret = http_users_link_put(txn, uc, job->aj_id, &job->aj_out)) !=
	    0)
		goto done;
	job->aj_status = 201;
	ret = adminjob_audit(txn, job, "user.password_link",
	    json_pack("{s:I}", "id", (json_int_t)job->aj_id));
done:
	json_decref(rec);
	return ret;
}

/*
 * POST /api/v1/users/{id}/password-link: a one-time link (72 h) with
 * which the person sets a password of their own; an earlier link of
 * theirs stops working. The old password works until the link is used.
 */
void
http_users_password_link(struct api_ctx *ctx, struct api_req *req)
{
	struct adminjob	*job;
	uint32_t	 id;

	if (api_path_id(req, "user", &id) != 0)
		return;
	if ((job = http_users_job_new(ctx, req, http_users_link_apply)) ==
	    NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	job->aj_id = id;
	http_users_link_new(ctx, job->aj_data);
	adminjob_submit(job);
}

/*
 * A link being used: its token checked on the loop, the password judged
 * and hashed on a worker, written by the writer.
 */
struct users_setpw {
	struct api_ctx	*sp_ctx;
	struct api_req	*sp_req;
	char		 sp_token[AUTH_TOKEN_CHARS + 1];
	uint32_t	 sp_user;
	char		 sp_name[USERS_NAME_MAX + 1];	/* sp_user's */
	char		*sp_cleartext;	/* guarded; wiped once hashed */
	char		 sp_hash[USERS_HASH_MAX];
	int		 sp_rc;		/* the policy's, then the hash's */
	struct error	 sp_err;	/* why the policy refused it */
	bool		 sp_gone;	/* apply: the link was used meanwhile */
};

static void
http_users_setpw_free(struct users_setpw *sp)
{
	if (sp == NULL)
		return;
	if (sp->sp_cleartext != NULL)
		sodium_free(sp->sp_cleartext);
	sodium_memzero(sp, sizeof(*sp));
	free(sp);
}

static void
http_users_setpw_gone(struct api_req *req)
{
	api_reply_errorf(req, ERR_UNAUTHORIZED, "token", "this link is not "
	    "valid: it was used, it expired, or a newer one was made; ask "
	    "an admin for a new one");
}

/* Writer thread: use the link, set the password, end the sessions. */
static int
http_users_setpw_apply(struct storage_txn *txn, void *arg)
{
	struct users_setpw	*sp = arg;
	json_t			*rec = NULL;
	const char		*name;
	uint32_t		 user = 0;
	size_t			 nsess = 0;
	int			 ret;

	ret = auth_setpw_take(sp->sp_ctx->ac_hash_key, txn, sp->sp_token,
	    auth_now(), &user);
	if (ret == -ENOENT || (ret == 0 && user != sp->sp_user)) {
		sp->sp_gone = true;
		ret = -ENOENT;
		goto done;
	}
	if (ret != 0 || (ret = rec_get(txn, STORAGE_DB_USERS, user,
	    &rec)) != 0)
		goto done;
	if ((name = json_string_value(json_object_get(rec, "username"))) ==
	    NULL) {
		ret = -EBADMSG;
		goto done;
	}
	if (json_object_set_new(rec, "hash", json_string(sp->sp_hash)) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	/* Whoever knew the old password is out; API tokens stay. */
	if ((ret = rec_put(txn, STORAGE_DB_USERS, user, rec)) != 0 ||
	    (ret = auth_revoke(txn, AUTH_SESSION, user, &nsess)) != 0)
		goto done;
	ret = audit_append(txn, name, "user.password_set", json_pack(
	    "{s:I, s:I}", "id", (json_int_t)user, "sessions_revoked",
	    (json_int_t)nsess));
done:
	json_decref(rec);
	return ret;
}

static void
http_users_setpw_done(int rc, void *arg)
{
	struct users_setpw	*sp = arg;

	if (sp->sp_gone)
		http_users_setpw_gone(sp->sp_req);
	else if (rc != 0)
		api_reply_errno(sp->sp_req, rc);
	else {
		log_info("user %u set a password through a link",
		    (unsigned)sp->sp_user);
		api_reply_raw(sp->sp_req, 204, NULL, NULL, 0, NULL);
	}
	http_users_setpw_free(sp);
}

/*
 * Worker thread. A refused password leaves the link as it was: the
 * person tries another with the same link.
 */
static void
http_users_setpw_work(void *arg)
{
	struct users_setpw	*sp = arg;

	if ((sp->sp_rc = users_check_password(sp->sp_name, sp->sp_cleartext,
	    &sp->sp_err)) == 0)
		sp->sp_rc = users_hash_password(sp->sp_cleartext,
		    sp->sp_hash);
	sodium_free(sp->sp_cleartext);
	sp->sp_cleartext = NULL;
}

static void
http_users_setpw_hashed(int rc, void *arg)
{
	struct users_setpw	*sp = arg;

	if (rc == 0)
		rc = sp->sp_rc;
	if (rc != 0) {
		http_users_unhashed(sp->sp_req, rc, &sp->sp_err);
		http_users_setpw_free(sp);
		return;
	}
	if (api_submit(sp->sp_ctx, sp->sp_req, http_users_setpw_apply,
	    http_users_setpw_done, sp) != 0)
		http_users_setpw_free(sp);	/* 503 answered */
}

/*
 * POST /api/v1/password {token, password}: set a password with a link.
 * The token is checked before the (slow) hash, so a made-up token costs
 * a lookup, never a hash; a good one is 256 random bits and works once.
 */
void
http_users_password_set(struct api_ctx *ctx, struct api_req *req)
{
	static const char *const allowed[] = { "token", "password", NULL };
	struct users_setpw	*sp = NULL;
	struct storage_txn	*txn = NULL;
	struct error		 err;
	json_t			*body = NULL;
	const char		*token = NULL, *password = NULL;
	int			 rc;

	memset(&err, 0, sizeof(err));
	if (api_body_object(req, &body, &err) != 0 ||
	    codec_only(body, allowed, "", &err) != 0 ||
	    codec_str(body, "token", true, AUTH_TOKEN_CHARS + 1, &token,
	    &err) != 0 ||
	    codec_str(body, "password", true, SIZE_MAX, &password,
	    &err) != 0) {
		api_reply_error(req, &err);
		goto done;
	}
	if ((sp = calloc(1, sizeof(*sp))) == NULL) {
		api_reply_errno(req, -ENOMEM);
		goto done;
	}
	sp->sp_ctx = ctx;
	sp->sp_req = req;
	snprintf(sp->sp_token, sizeof(sp->sp_token), "%s", token);
	if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) == 0 &&
	    (rc = auth_setpw_check(ctx->ac_hash_key, txn, token, auth_now(),
	    &sp->sp_user)) == 0)
		rc = http_users_name(txn, sp->sp_user, sp->sp_name, &err);
	storage_txn_abort(txn);
	/* A link whose user is gone is a link that does not work. */
	if (rc == -ENOENT) {
		http_users_setpw_gone(req);
		goto done;
	} else if (rc != 0) {
		api_reply_errno(req, rc);
		goto done;
	}
	if ((sp->sp_cleartext = users_password_keep(password)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		goto done;
	}
	if (offload_run(ctx, req, http_users_setpw_work,
	    http_users_setpw_hashed, sp) == 0)
		sp = NULL;	/* offload owns it now */
done:
	if (password != NULL)
		sodium_memzero((char *)password, strlen(password));
	if (token != NULL)
		sodium_memzero((char *)token, strlen(token));
	json_decref(body);
	http_users_setpw_free(sp);
}
