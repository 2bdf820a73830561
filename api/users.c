/*
 * users.c — accounts and GET, POST /api/v1/users, GET, DELETE
 * /api/v1/users/{id} (admin). The password hash runs on a worker thread,
 * the write in the writer's transaction together with its audit entry.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/adminjob.h"
#include "api/api.h"
#include "api/audit.h"
#include "api/auth.h"
#include "api/codec.h"
#include "api/handlers.h"
#include "api/offload.h"
#include "api/rec.h"
#include "api/users.h"
#include "common/log.h"
#include "common/util.h"
#include "storage/storage.h"

#define USERS_NKEYLEN	(1 + AUTH_HASH_BYTES)

static const char *
users_role_name(enum api_role r)
{
	return r == API_ROLE_ADMIN ? "admin" : "manager";
}

static int
users_role_parse(const char *s, enum api_role *out)
{
	if (strcmp(s, "admin") == 0)
		*out = API_ROLE_ADMIN;
	else if (strcmp(s, "manager") == 0)
		*out = API_ROLE_MANAGER;
	else
		return -EINVAL;
	return 0;
}

int
users_check_name(const char *name, struct api_err *err)
{
	size_t	i, n = strlen(name);

	if (n < USERS_NAME_MIN || n > USERS_NAME_MAX)
		return api_err_set(err, APIE_INVALID, "username",
		    "'username' must be %d to %d characters long",
		    USERS_NAME_MIN, USERS_NAME_MAX);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) &&
		    strchr("._@-", name[i]) == NULL)
			return api_err_set(err, APIE_INVALID, "username",
			    "'username' may hold only letters a-z, digits "
			    "and . _ @ -");
	return 0;
}

int
users_check_password(const char *password, struct api_err *err)
{
	size_t		 chars = 0;
	const char	*p;

	if (strlen(password) > USERS_PASSWORD_MAX)
		return api_err_set(err, APIE_INVALID, "password",
		    "'password' is longer than %d bytes", USERS_PASSWORD_MAX);
	/* Characters, not bytes: count the bytes that start one. */
	for (p = password; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			chars++;
	if (chars < USERS_PASSWORD_MIN)
		return api_err_set(err, APIE_INVALID, "password",
		    "'password' must be at least %d characters long",
		    USERS_PASSWORD_MIN);
	return 0;
}

int
users_hash_password(const char *password, char out[USERS_HASH_MAX])
{
	if (crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -ENOMEM;
	return 0;
}

bool
users_verify_password(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* The index key of a name: keyed hash of its lower-case form. */
static int
users_nkey(const struct api_ctx *ctx, const char *name,
    uint8_t key[USERS_NKEYLEN])
{
	char	lower[USERS_NAME_MAX + 1];
	size_t	i, n = strlen(name);

	if (n > USERS_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	key[0] = 'n';
	auth_hash(ctx, "username", lower, n, key + 1);
	return 0;
}

json_t *
users_public(const json_t *rec)
{
	return json_pack("{s:O, s:O, s:O, s:O, s:O}",
	    "id", json_object_get(rec, "id"),
	    "username", json_object_get(rec, "username"),
	    "role", json_object_get(rec, "role"),
	    "units", json_object_get(rec, "units"),
	    "created", json_object_get(rec, "created"));
}

int
users_find(const struct api_ctx *ctx, struct storage_txn *txn,
    const char *name, json_t **rec_out)
{
	uint8_t		 key[USERS_NKEYLEN];
	json_t		*idx = NULL, *id;
	int		 ret;

	if ((ret = users_nkey(ctx, name, key)) != 0)
		return -ENOENT;
	if ((ret = rec_get_key(txn, STORAGE_DB_USERS, key, sizeof(key),
	    &idx)) != 0)
		goto done;
	id = json_object_get(idx, "id");
	if (!json_is_integer(id) || json_integer_value(id) < 1 ||
	    json_integer_value(id) > UINT32_MAX) {
		ret = -EBADMSG;
		goto done;
	}
	ret = rec_get(txn, STORAGE_DB_USERS, (uint32_t)json_integer_value(id),
	    rec_out);
done:
	json_decref(idx);
	return ret;
}

int
users_principal(struct storage_txn *txn, uint32_t id,
    struct api_principal *who)
{
	json_t		*rec = NULL, *units, *u;
	const char	*name, *role;
	size_t		 i;
	int		 ret;

	memset(who, 0, sizeof(*who));
	if ((ret = rec_get(txn, STORAGE_DB_USERS, id, &rec)) != 0)
		return ret;
	name = json_string_value(json_object_get(rec, "username"));
	role = json_string_value(json_object_get(rec, "role"));
	units = json_object_get(rec, "units");
	if (name == NULL || role == NULL || !json_is_array(units) ||
	    json_array_size(units) > API_MAX_SUBTREES ||
	    users_role_parse(role, &who->pr_role) != 0) {
		ret = -EBADMSG;
		goto done;
	}
	who->pr_user = id;
	snprintf(who->pr_name, sizeof(who->pr_name), "%s", name);
	json_array_foreach(units, i, u) {
		if (!json_is_integer(u)) {
			ret = -EBADMSG;
			goto done;
		}
		who->pr_units[i] = (uint32_t)json_integer_value(u);
	}
	who->pr_nunits = json_array_size(units);
	ret = 0;
done:
	json_decref(rec);
	return ret;
}

struct users_drop {
	uint32_t	 ud_unit;
	json_t		*ud_ids;	/* users whose units hold ud_unit */
};

static int
users_with_unit(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct users_drop	*ud = arg;
	json_t			*v;
	size_t			 i;

	if (klen != REC_IDLEN)	/* the by-name index */
		return 0;
	json_array_foreach(json_object_get(rec, "units"), i, v) {
		if (json_integer_value(v) == (json_int_t)ud->ud_unit)
			return json_array_append_new(ud->ud_ids,
			    json_integer(rec_key_id(key))) == 0 ? 0 : -ENOMEM;
	}
	return 0;
}

int
users_drop_unit(struct storage_txn *txn, uint32_t unit, json_t *changed)
{
	struct users_drop	 ud = { unit, NULL };
	json_t			*rec = NULL, *units, *id, *v;
	size_t			 i, j;
	int			 ret;

	/* Collect first: the walk's cursor must not see its own writes. */
	if ((ud.ud_ids = json_array()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_each(txn, STORAGE_DB_USERS, NULL, 0, users_with_unit,
	    &ud)) != 0)
		goto done;
	json_array_foreach(ud.ud_ids, i, id) {
		if ((ret = rec_get(txn, STORAGE_DB_USERS,
		    (uint32_t)json_integer_value(id), &rec)) != 0)
			goto done;
		units = json_object_get(rec, "units");
		for (j = json_array_size(units); j-- > 0;) {
			v = json_array_get(units, j);
			if (json_integer_value(v) == (json_int_t)unit)
				json_array_remove(units, j);
		}
		if ((ret = rec_put(txn, STORAGE_DB_USERS,
		    (uint32_t)json_integer_value(id), rec)) != 0)
			goto done;
		json_decref(rec);
		rec = NULL;
		if (json_array_append(changed, id) != 0) {
			ret = -ENOMEM;
			goto done;
		}
	}
	ret = 0;
done:
	json_decref(rec);
	json_decref(ud.ud_ids);
	return ret;
}

int
users_insert(const struct api_ctx *ctx, struct storage_txn *txn,
    const char *who, const struct users_new *u, uint32_t *id_out,
    json_t **public_out, struct api_err *err)
{
	uint8_t		 nkey[USERS_NKEYLEN], ukey[REC_IDLEN];
	char		 day[16], field[32];
	json_t		*rec = NULL, *units = NULL, *idx = NULL, *pub = NULL;
	void		*val = NULL;
	size_t		 i, len;
	uint32_t	 id;
	int		 ret;

	if ((ret = users_nkey(ctx, u->un_name, nkey)) != 0)
		goto done;
	ret = storage_get(txn, STORAGE_DB_USERS, nkey, sizeof(nkey), &val,
	    &len);
	free(val);
	val = NULL;
	if (ret == 0) {
		api_err_set(err, APIE_CONFLICT, "username",
		    "a user named '%s' exists", u->un_name);
		ret = -EEXIST;
		goto done;
	} else if (ret != -ENOENT)
		goto done;
	if ((units = json_array()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (i = 0; i < u->un_nunits; i++) {
		rec_key(u->un_units[i], ukey);
		ret = storage_get(txn, STORAGE_DB_UNITS, ukey, sizeof(ukey),
		    &val, &len);
		free(val);
		val = NULL;
		if (ret == -ENOENT) {
			snprintf(field, sizeof(field), "units[%zu]", i);
			ret = api_err_set(err, APIE_INVALID, field,
			    "unit %u does not exist", (unsigned)u->un_units[i]);
			goto done;
		} else if (ret != 0)
			goto done;
		json_array_append_new(units, json_integer(u->un_units[i]));
	}
	if ((ret = storage_next_id(txn, "user", &id)) != 0)
		goto done;
	if ((ret = util_format_date(util_today(), day, sizeof(day))) != 0)
		goto done;
	rec = json_pack("{s:I, s:s, s:s, s:O, s:s, s:s}", "id", (json_int_t)id,
	    "username", u->un_name, "role", users_role_name(u->un_role),
	    "units", units, "created", day, "hash", u->un_hash);
	idx = json_pack("{s:I}", "id", (json_int_t)id);
	if (rec == NULL || idx == NULL || (pub = users_public(rec)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_put(txn, STORAGE_DB_USERS, id, rec)) != 0 ||
	    (ret = rec_put_key(txn, STORAGE_DB_USERS, nkey, sizeof(nkey), idx,
	    STORAGE_NOOVERWRITE)) != 0)
		goto done;
	if ((ret = audit_append(txn, who, "user.create", json_deep_copy(pub)))
	    != 0)
		goto done;
	*id_out = id;
	if (public_out != NULL) {
		*public_out = pub;
		pub = NULL;
	}
	ret = 0;
done:
	json_decref(rec);
	json_decref(units);
	json_decref(idx);
	json_decref(pub);
	return ret;
}

/* ---------------------------------------------------------------- routes */

static int
users_list_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	json_t	*pub;

	if (klen != REC_IDLEN)	/* the by-name index */
		return 0;
	if ((pub = users_public(rec)) == NULL)
		return -ENOMEM;
	return json_array_append_new(arg, pub) == 0 ? 0 : -ENOMEM;
}

void
users_list(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	json_t			*list;
	int			 rc;

	if ((list = json_array()) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) == 0)
		rc = rec_each(txn, STORAGE_DB_USERS, NULL, 0, users_list_one,
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
users_get(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	json_t			*rec = NULL;
	uint32_t		 id;
	int			 rc;

	if (api_param_id(req, 0, &id) != 0) {
		api_reply_errorf(req, APIE_NOT_FOUND, NULL, "no such user");
		return;
	}
	if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) == 0)
		rc = rec_get(txn, STORAGE_DB_USERS, id, &rec);
	storage_txn_abort(txn);
	if (rc == -ENOENT)
		api_reply_errorf(req, APIE_NOT_FOUND, NULL, "no such user");
	else if (rc != 0)
		api_reply_errno(req, rc);
	else
		api_reply_json(req, 200, users_public(rec));
	json_decref(rec);
}

/* POST: validated on the loop, hashed on a worker, written by the writer. */
struct users_job {
	struct api_ctx		*uj_ctx;
	struct api_req		*uj_req;
	char			*uj_password;	/* guarded; wiped */
	char			 uj_name[USERS_NAME_MAX + 1];
	char			 uj_hash[USERS_HASH_MAX];
	char			 uj_who[64];
	struct users_new	 uj_new;
	uint32_t		 uj_id;
	json_t			*uj_public;
	struct api_err		 uj_err;
	int			 uj_rc;
};

static void
users_job_free(struct users_job *j)
{
	if (j == NULL)
		return;
	if (j->uj_password != NULL)
		sodium_free(j->uj_password);
	sodium_memzero(j->uj_hash, sizeof(j->uj_hash));
	json_decref(j->uj_public);
	free(j);
}

/* Worker thread. */
static void
users_post_hash(void *arg)
{
	struct users_job	*j = arg;

	j->uj_rc = users_hash_password(j->uj_password, j->uj_hash);
	sodium_free(j->uj_password);
	j->uj_password = NULL;
}

/* Writer thread. */
static int
users_post_apply(struct storage_txn *txn, void *arg)
{
	struct users_job	*j = arg;

	return users_insert(j->uj_ctx, txn, j->uj_who, &j->uj_new, &j->uj_id,
	    &j->uj_public, &j->uj_err);
}

static void
users_post_done(int rc, void *arg)
{
	struct users_job	*j = arg;

	if (rc == 0) {
		log_info("user %u created", (unsigned)j->uj_id);
		api_reply_json(j->uj_req, 201, j->uj_public);
		j->uj_public = NULL;
	} else if (j->uj_err.ae_code != APIE_NONE)
		api_reply_error(j->uj_req, &j->uj_err);
	else
		api_reply_errno(j->uj_req, rc);
	users_job_free(j);
}

static void
users_post_hashed(int rc, void *arg)
{
	struct users_job	*j = arg;
	struct api_ctx		*ctx = j->uj_ctx;

	if (rc == 0)
		rc = j->uj_rc;
	if (rc != 0) {
		log_warnx("users: cannot hash a password: %d", rc);
		api_reply_errorf(j->uj_req, APIE_UNAVAILABLE, NULL,
		    "out of memory for the password hash; try again");
		users_job_free(j);
		return;
	}
	j->uj_new.un_hash = j->uj_hash;
	if ((rc = ctx->ac_submit(ctx->ac_submit_arg, users_post_apply,
	    users_post_done, j)) != 0) {
		api_reply_errno(j->uj_req, rc == -ESHUTDOWN ? -EIO : rc);
		users_job_free(j);
	}
}

/* units of a manager: unique ids, at most API_MAX_SUBTREES. */
static int
users_parse_units(const json_t *body, enum api_role role,
    struct users_new *u, struct api_err *err)
{
	json_t		*units = json_object_get(body, "units"), *v;
	char		 field[32];
	size_t		 i, k;
	json_int_t	 n;

	if (units == NULL || (json_is_array(units) &&
	    json_array_size(units) == 0)) {
		if (role == API_ROLE_MANAGER)
			return api_err_set(err, APIE_MISSING_FIELD, "units",
			    "a manager needs 'units': the units they see");
		return 0;
	}
	if (!json_is_array(units))
		return api_err_set(err, APIE_WRONG_TYPE, "units",
		    "'units' must be an array of unit ids");
	if (role == API_ROLE_ADMIN)
		return api_err_set(err, APIE_INVALID, "units",
		    "an admin sees every unit; 'units' is for managers");
	if (json_array_size(units) > API_MAX_SUBTREES)
		return api_err_set(err, APIE_INVALID, "units",
		    "at most %d units", API_MAX_SUBTREES);
	json_array_foreach(units, i, v) {
		snprintf(field, sizeof(field), "units[%zu]", i);
		if (!json_is_integer(v))
			return api_err_set(err, APIE_WRONG_TYPE, field,
			    "'%s' must be a unit id", field);
		n = json_integer_value(v);
		if (n < 1 || n > UINT32_MAX)
			return api_err_set(err, APIE_INVALID, field,
			    "'%s' is not a unit id", field);
		for (k = 0; k < i; k++)
			if (u->un_units[k] == (uint32_t)n)
				return api_err_set(err, APIE_INVALID, field,
				    "unit %lld is listed twice", (long long)n);
		u->un_units[i] = (uint32_t)n;
	}
	u->un_nunits = json_array_size(units);
	return 0;
}

void
users_post(struct api_ctx *ctx, struct api_req *req)
{
	static const char *const allowed[] = { "username", "password", "role",
	    "units", NULL };
	struct users_job	*j = NULL;
	struct api_err		 err;
	json_t			*body = NULL;
	const char		*name = NULL, *password = NULL, *role = NULL;

	memset(&err, 0, sizeof(err));
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	if (codec_parse_object(req, &body, &err) != 0 ||
	    codec_only(body, allowed, "", &err) != 0 ||
	    codec_str(body, "username", true, USERS_NAME_MAX, &name,
	    &err) != 0 ||
	    codec_str(body, "password", true, USERS_PASSWORD_MAX, &password,
	    &err) != 0 ||
	    codec_str(body, "role", true, 16, &role, &err) != 0)
		goto bad;
	if (users_check_name(name, &err) != 0 ||
	    users_check_password(password, &err) != 0)
		goto bad;
	if (users_role_parse(role, &j->uj_new.un_role) != 0) {
		api_err_set(&err, APIE_INVALID, "role",
		    "'role' must be \"admin\" or \"manager\"");
		goto bad;
	}
	if (users_parse_units(body, j->uj_new.un_role, &j->uj_new, &err) != 0)
		goto bad;
	if ((j->uj_password = sodium_malloc(strlen(password) + 1)) == NULL) {
		json_decref(body);
		users_job_free(j);
		api_reply_errno(req, -ENOMEM);
		return;
	}
	memcpy(j->uj_password, password, strlen(password) + 1);
	/* The parsed copy is freed by jansson, which does not wipe. */
	sodium_memzero((char *)password, strlen(password));
	snprintf(j->uj_name, sizeof(j->uj_name), "%s", name);
	snprintf(j->uj_who, sizeof(j->uj_who), "%s", req->rq_who.pr_name);
	j->uj_new.un_name = j->uj_name;
	j->uj_ctx = ctx;
	j->uj_req = req;
	json_decref(body);
	if (offload_run(ctx, req, users_post_hash, users_post_hashed, j) != 0)
		users_job_free(j);
	return;
bad:
	if (password != NULL)
		sodium_memzero((char *)password, strlen(password));
	json_decref(body);
	users_job_free(j);
	api_reply_error(req, &err);
}

/* DELETE: the record, its index entry, its sessions and API tokens. */
static int
users_delete_apply(struct storage_txn *txn, struct adminjob *job)
{
	json_t			*rec = NULL;
	const char		*name;
	uint8_t			 nkey[USERS_NKEYLEN];
	size_t			 nsess = 0, napi = 0;
	int			 ret;

	if ((ret = rec_get(txn, STORAGE_DB_USERS, job->aj_id, &rec)) != 0) {
		if (ret == -ENOENT)
			ret = adminjob_fail(job, APIE_NOT_FOUND, NULL,
			    "no such user");
		goto done;
	}
	if (job->aj_id == job->aj_who.pr_user) {
		/* And so there is always an admin left who can log in. */
		ret = adminjob_fail(job, APIE_CONFLICT, NULL,
		    "you cannot delete your own account");
		goto done;
	}
	if ((name = json_string_value(json_object_get(rec, "username")))
	    == NULL) {
		ret = -EBADMSG;
		goto done;
	}
	if ((ret = users_nkey(job->aj_ctx, name, nkey)) != 0)
		goto done;
	ret = storage_del(txn, STORAGE_DB_USERS, nkey, sizeof(nkey));
	if (ret != 0 && ret != -ENOENT)
		goto done;
	if ((ret = rec_del(txn, STORAGE_DB_USERS, job->aj_id)) != 0 ||
	    (ret = auth_revoke(txn, AUTH_SESSION, job->aj_id, &nsess)) != 0 ||
	    (ret = auth_revoke(txn, AUTH_API, job->aj_id, &napi)) != 0)
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
users_delete_reply(struct adminjob *job)
{
	log_info("user %u deleted", (unsigned)job->aj_id);
	api_reply_raw(job->aj_req, 204, NULL, NULL, 0, NULL);
}

void
users_delete(struct api_ctx *ctx, struct api_req *req)
{
	struct adminjob	*job;
	uint32_t	 id;

	if (api_param_id(req, 0, &id) != 0) {
		api_reply_errorf(req, APIE_NOT_FOUND, NULL, "no such user");
		return;
	}
	if ((job = adminjob_new(ctx, req, users_delete_apply)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	job->aj_id = id;
	job->aj_reply = users_delete_reply;
	adminjob_submit(job);
}
