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

char *
users_password_keep(const char *parsed)
{
	size_t	 n = strlen(parsed);
	char	*kept;

	if ((kept = sodium_malloc(n + 1)) != NULL)
		memcpy(kept, parsed, n + 1);
	sodium_memzero((char *)parsed, n);
	return kept;
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

/* The units as the record holds them, each checked to exist. */
static int
users_units_json(struct storage_txn *txn, const uint32_t *ids, size_t n,
    json_t **out, struct api_err *err)
{
	uint8_t	 ukey[REC_IDLEN];
	char	 field[32];
	json_t	*units = NULL;
	void	*val = NULL;
	size_t	 i, len;
	int	 ret;

	if ((units = json_array()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		rec_key(ids[i], ukey);
		ret = storage_get(txn, STORAGE_DB_UNITS, ukey, sizeof(ukey),
		    &val, &len);
		free(val);
		val = NULL;
		if (ret == -ENOENT) {
			snprintf(field, sizeof(field), "units[%zu]", i);
			ret = api_err_set(err, APIE_INVALID, field,
			    "unit %u does not exist", (unsigned)ids[i]);
			goto done;
		} else if (ret != 0)
			goto done;
		if (json_array_append_new(units, json_integer(ids[i])) != 0) {
			ret = -ENOMEM;
			goto done;
		}
	}
	*out = units;
	units = NULL;
	ret = 0;
done:
	json_decref(units);
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
	uint8_t		 nkey[USERS_NKEYLEN];
	char		 day[16];
	json_t		*rec = NULL, *units = NULL, *idx = NULL, *pub = NULL;
	void		*val = NULL;
	size_t		 len;
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
	if ((ret = users_units_json(txn, u->un_units, u->un_nunits, &units,
	    err)) != 0)
		goto done;
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

	if (api_path_id(req, "user", &id) != 0)
		return;

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

/*
 * POST and PATCH: checked on the loop, the password hashed on a worker
 * (Argon2id takes 0.1 s), written by the writer in an adminjob.
 */
struct users_change {
	struct users_new uc_new;	/* POST: all; PATCH: the units */
	char		 uc_name[USERS_NAME_MAX + 1];
	bool		 uc_units;	/* PATCH: uc_new's units are to be set */
	bool		 uc_password;	/* uc_hash is to be set */
	char		*uc_cleartext;	/* guarded; wiped once hashed */
	char		 uc_hash[USERS_HASH_MAX];
	int		 uc_rc;		/* the hash's */
};

static void
users_change_free(void *arg)
{
	struct users_change	*uc = arg;

	if (uc->uc_cleartext != NULL)
		sodium_free(uc->uc_cleartext);
	sodium_memzero(uc, sizeof(*uc));
	free(uc);
}

static struct adminjob *
users_job_new(struct api_ctx *ctx, struct api_req *req,
    adminjob_apply_fn apply)
{
	struct adminjob	*job;

	if ((job = adminjob_new(ctx, req, apply)) == NULL)
		return NULL;
	if ((job->aj_data = calloc(1, sizeof(struct users_change))) == NULL) {
		adminjob_free(job);
		return NULL;
	}
	job->aj_data_free = users_change_free;
	return job;
}

static int
users_change_password(struct users_change *uc, const char *password)
{
	uc->uc_cleartext = users_password_keep(password);
	uc->uc_password = uc->uc_cleartext != NULL;
	return uc->uc_password ? 0 : -ENOMEM;
}

/* Worker thread. */
static void
users_hash_work(void *arg)
{
	struct adminjob		*job = arg;
	struct users_change	*uc = job->aj_data;

	uc->uc_rc = users_hash_password(uc->uc_cleartext, uc->uc_hash);
	sodium_free(uc->uc_cleartext);
	uc->uc_cleartext = NULL;
}

static void
users_hashed(int rc, void *arg)
{
	struct adminjob		*job = arg;
	struct users_change	*uc = job->aj_data;

	if (rc == 0)
		rc = uc->uc_rc;
	if (rc != 0) {
		log_warnx("users: cannot hash a password: %d", rc);
		api_reply_errorf(job->aj_req, APIE_UNAVAILABLE, NULL,
		    "out of memory for the password hash; try again");
		adminjob_free(job);
		return;
	}
	adminjob_submit(job);
}

/* Hand the job on: to a worker first when there is a password to hash. */
static void
users_job_submit(struct api_ctx *ctx, struct api_req *req,
    struct adminjob *job)
{
	struct users_change	*uc = job->aj_data;

	if (!uc->uc_password)
		adminjob_submit(job);
	else if (offload_run(ctx, req, users_hash_work, users_hashed, job)
	    != 0)
		adminjob_free(job);	/* offload_run replied */
}

/* A refused request: the body goes, and any password in it is wiped. */
static void
users_job_refuse(struct api_req *req, struct adminjob *job, json_t *body,
    const char *password, const struct api_err *err)
{
	if (password != NULL)
		sodium_memzero((char *)password, strlen(password));
	json_decref(body);
	adminjob_free(job);
	if (err->ae_code == APIE_NONE)
		api_reply_errno(req, -ENOMEM);
	else
		api_reply_error(req, err);
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

static int
users_post_apply(struct storage_txn *txn, struct adminjob *job)
{
	struct users_change	*uc = job->aj_data;
	int			 ret;

	uc->uc_new.un_hash = uc->uc_hash;
	ret = users_insert(job->aj_ctx, txn, job->aj_who.pr_name, &uc->uc_new,
	    &job->aj_id, &job->aj_out, &job->aj_err);
	/* A taken name is the client's to hear about, with its field. */
	if (ret == -EEXIST && job->aj_err.ae_code != APIE_NONE)
		ret = -EINVAL;
	job->aj_status = 201;
	return ret;
}

/* Logged here, after the commit, so the log never tells of a rollback. */
static void
users_post_reply(struct adminjob *job)
{
	log_info("user %u created", (unsigned)job->aj_id);
	api_reply_json(job->aj_req, 201, job->aj_out);
	job->aj_out = NULL;
}

void
users_post(struct api_ctx *ctx, struct api_req *req)
{
	static const char *const allowed[] = { "username", "password", "role",
	    "units", NULL };
	struct adminjob		*job;
	struct users_change	*uc;
	struct api_err		 err;
	json_t			*body = NULL;
	const char		*name = NULL, *password = NULL, *role = NULL;

	memset(&err, 0, sizeof(err));
	if ((job = users_job_new(ctx, req, users_post_apply)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	uc = job->aj_data;
	job->aj_reply = users_post_reply;
	if (codec_parse_object(req, &body, &err) != 0 ||
	    codec_only(body, allowed, "", &err) != 0 ||
	    codec_str(body, "username", true, USERS_NAME_MAX, &name,
	    &err) != 0 ||
	    codec_str(body, "password", true, USERS_PASSWORD_MAX, &password,
	    &err) != 0 ||
	    codec_str(body, "role", true, 16, &role, &err) != 0)
		goto refuse;
	if (users_check_name(name, &err) != 0 ||
	    users_check_password(password, &err) != 0)
		goto refuse;
	if (users_role_parse(role, &uc->uc_new.un_role) != 0) {
		api_err_set(&err, APIE_INVALID, "role",
		    "'role' must be \"admin\" or \"manager\"");
		goto refuse;
	}
	if (users_parse_units(body, uc->uc_new.un_role, &uc->uc_new, &err)
	    != 0)
		goto refuse;
	snprintf(uc->uc_name, sizeof(uc->uc_name), "%s", name);
	uc->uc_new.un_name = uc->uc_name;
	if (users_change_password(uc, password) != 0)
		goto refuse;	/* err is empty: out of memory */
	json_decref(body);
	users_job_submit(ctx, req, job);
	return;
refuse:
	users_job_refuse(req, job, body, password, &err);
}

/*
 * PATCH: a manager's units, a new password, or both. A new password ends
 * the user's sessions but the caller's own, so that someone who knew the
 * old one is out; API tokens are credentials of their own and stay.
 */
static int
users_patch_apply(struct storage_txn *txn, struct adminjob *job)
{
	struct users_change	*uc = job->aj_data;
	const struct api_principal *caller = &job->aj_who;
	json_t			*rec = NULL, *units = NULL, *detail = NULL;
	const char		*role;
	size_t			 nsess = 0;
	int			 ret;

	if ((ret = rec_get(txn, STORAGE_DB_USERS, job->aj_id, &rec)) != 0) {
		if (ret == -ENOENT)
			ret = adminjob_fail(job, APIE_NOT_FOUND, NULL,
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
		if (strcmp(role, users_role_name(API_ROLE_MANAGER)) != 0) {
			ret = adminjob_fail(job, APIE_INVALID, "units",
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
users_patch(struct api_ctx *ctx, struct api_req *req)
{
	static const char *const allowed[] = { "password", "units", NULL };
	struct adminjob		*job;
	struct users_change	*uc;
	struct api_err		 err;
	json_t			*body = NULL;
	const char		*password = NULL;
	uint32_t		 id;

	memset(&err, 0, sizeof(err));
	if (api_path_id(req, "user", &id) != 0)
		return;

	if ((job = users_job_new(ctx, req, users_patch_apply)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	uc = job->aj_data;
	job->aj_id = id;
	if (codec_parse_object(req, &body, &err) != 0 ||
	    codec_only(body, allowed, "", &err) != 0 ||
	    codec_str(body, "password", false, USERS_PASSWORD_MAX, &password,
	    &err) != 0)
		goto refuse;
	uc->uc_units = json_object_get(body, "units") != NULL;
	if (password == NULL && !uc->uc_units) {
		api_err_set(&err, APIE_MISSING_FIELD, NULL,
		    "nothing to change: give 'password', 'units' or both");
		goto refuse;
	}
	/* The role is the record's; a manager's rules are checked here. */
	if (uc->uc_units && users_parse_units(body, API_ROLE_MANAGER,
	    &uc->uc_new, &err) != 0)
		goto refuse;
	if (password != NULL && (users_check_password(password, &err) != 0 ||
	    users_change_password(uc, password) != 0))
		goto refuse;
	json_decref(body);
	users_job_submit(ctx, req, job);
	return;
refuse:
	users_job_refuse(req, job, body, password, &err);
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

	if (api_path_id(req, "user", &id) != 0)
		return;

	if ((job = adminjob_new(ctx, req, users_delete_apply)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	job->aj_id = id;
	job->aj_reply = users_delete_reply;
	adminjob_submit(job);
}
