/*
 * session.c — POST /api/v1/session (log in), GET (who am I), DELETE (log
 * out). A login: validate and throttle on the loop; read the user in a
 * read transaction; verify the password on a worker; then store the
 * session and its audit entry in one write, or only the audit entry.
 * Those writes, and a logout's, go on when the disk is full (they draw
 * on the writer's reserve: api_submit_reserve()).
 * POST /api/v1/session/password, at the end, changes one's own password.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api/api.h"
#include "api/offload.h"
#include "api/routes/routes.h"
#include "api/routes/session.h"
#include "api/state.h"
#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/rec.h"
#include "core/throttle.h"
#include "core/users.h"
#include "storage/storage.h"

/* Expired sessions removed by each login: keeps the table small. */
#define SESSION_SWEEP	32

static pthread_once_t	session_dummy_once = PTHREAD_ONCE_INIT;
static char		session_dummy[USERS_HASH_MAX];

/* A hash of a random password, made with the same cost as real ones. */
static void
http_session_dummy_init(void)
{
	unsigned char	pw[24];
	char		text[2 * sizeof(pw) + 1];

	randombytes_buf(pw, sizeof(pw));
	sodium_bin2hex(text, sizeof(text), pw, sizeof(pw));
	if (users_hash_password(text, session_dummy) != 0)
		log_warnx("session: cannot make the dummy password hash");
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(text, sizeof(text));
}

static void
http_session_warm_work(void *arg)
{
	pthread_once(&session_dummy_once, http_session_dummy_init);
}

static void
http_session_warm_done(int rc, void *arg)
{
}

void
http_session_warmup(struct api_ctx *ctx)
{
	if (ctx->ac_offload == NULL || ctx->ac_offload(ctx->ac_offload_arg,
	    http_session_warm_work, http_session_warm_done, NULL) != 0)
		log_debug("session: dummy hash deferred to the first login");
}

static int64_t
http_session_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* The account's throttle key: a keyed hash of the lower-cased name. */
static uint64_t
http_session_account_key(const struct api_ctx *ctx, const char *name)
{
	char		lower[USERS_NAME_MAX + 1];
	uint8_t		h[AUTH_HASH_BYTES];
	uint64_t	key;
	size_t		i, n = strlen(name);

	if (n > USERS_NAME_MAX)
		n = USERS_NAME_MAX;
	for (i = 0; i < n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	auth_hash(ctx->ac_hash_key, "login", lower, n, h);
	memcpy(&key, h, sizeof(key));
	return key;
}

static json_t *
http_session_user_json(const struct principal *who)
{
	json_t	*units;
	size_t	 i;

	if ((units = json_array()) == NULL)
		return NULL;
	for (i = 0; i < who->pr_nunits; i++)
		json_array_append_new(units, json_integer(who->pr_units[i]));
	return json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)who->pr_user,
	    "username", who->pr_name, "role", who->pr_role == ROLE_ADMIN ?
	    "admin" : "manager", "units", units);
}

struct session_job {
	struct api_ctx		*sj_ctx;
	struct api_req		*sj_req;
	char			*sj_password;	/* guarded; wiped */
	char			 sj_hash[USERS_HASH_MAX];
	bool			 sj_known;	/* the user exists */
	bool			 sj_ok;		/* and the password matched */
	uint32_t		 sj_user;
	char			 sj_name[USERS_NAME_MAX + 1];
	uint64_t		 sj_account;	/* throttle keys */
	uint64_t		 sj_peer;
	/* The session, once verified. */
	char			 sj_token[AUTH_TOKEN_CHARS + 1];
	uint8_t			 sj_token_hash[AUTH_HASH_BYTES];
	int64_t			 sj_expires;
	struct principal	 sj_who;
};

static void
http_session_job_free(struct session_job *j)
{
	if (j == NULL)
		return;
	if (j->sj_password != NULL)
		sodium_free(j->sj_password);
	sodium_memzero(j, sizeof(*j));
	free(j);
}

/* Worker thread: the slow part, equally slow for known and unknown. */
static void
http_session_verify(void *arg)
{
	struct session_job	*j = arg;

	if (j->sj_known)
		j->sj_ok = users_verify_password(j->sj_hash, j->sj_password);
	else {
		pthread_once(&session_dummy_once, http_session_dummy_init);
		(void)users_verify_password(session_dummy, j->sj_password);
		j->sj_ok = false;
	}
	sodium_free(j->sj_password);
	j->sj_password = NULL;
}

/* Writer thread: a good login. */
static int
http_session_apply_ok(struct storage_txn *txn, void *arg)
{
	struct session_job	*j = arg;
	int			 rc;

	/* Housekeeping first; its failure must not refuse the login. */
	if ((rc = auth_sweep(txn, auth_now(), SESSION_SWEEP)) != 0)
		log_warnx("session: sweeping expired sessions: %d", rc);
	/* The user may have been deleted while the password was checked. */
	if ((rc = users_principal(txn, j->sj_user, &j->sj_who)) != 0)
		return rc;
	if ((rc = auth_token_put(txn, j->sj_token_hash, AUTH_SESSION,
	    j->sj_user, j->sj_expires, 0)) != 0)
		return rc;
	return audit_append(txn, j->sj_who.pr_name, "login",
	    json_pack("{s:I}", "user", (json_int_t)j->sj_user));
}

/* Writer thread: a failed login leaves a trace and nothing else. */
static int
http_session_apply_failed(struct storage_txn *txn, void *arg)
{
	struct session_job	*j = arg;

	/*
	 * An unknown name is not recorded: people type their password
	 * into the name field.
	 */
	return audit_append(txn, j->sj_known ? j->sj_name : "-",
	    "login.failed", j->sj_known ? json_pack("{s:I}", "user",
	    (json_int_t)j->sj_user) : NULL);
}

static void
http_session_bad_credentials(struct api_req *req)
{
	api_reply_errorf(req, ERR_BAD_CREDENTIALS, NULL,
	    "wrong user name or password");
}

static void
http_session_done_failed(int rc, void *arg)
{
	struct session_job	*j = arg;

	if (rc != 0)
		log_warnx("session: cannot audit a failed login: %d", rc);
	http_session_bad_credentials(j->sj_req);
	http_session_job_free(j);
}

static void
http_session_done_ok(int rc, void *arg)
{
	struct session_job	*j = arg;
	char			 when[32];
	json_t			*user;

	if (rc == -ENOENT) {
		/* Deleted meanwhile: as if it never existed. */
		http_session_bad_credentials(j->sj_req);
		goto done;
	}
	if (rc != 0) {
		api_reply_errno(j->sj_req, rc);
		goto done;
	}
	util_format_time(j->sj_expires, when, sizeof(when));
	user = http_session_user_json(&j->sj_who);
	api_reply_json(j->sj_req, 201, user == NULL ? NULL :
	    json_pack("{s:s, s:s, s:o}", "token", j->sj_token,
	    "expires_at", when, "user", user));
done:
	http_session_job_free(j);
}

/* Loop thread: the password has been checked. */
static void
http_session_verified(int rc, void *arg)
{
	struct session_job	*j = arg;
	struct api_ctx		*ctx = j->sj_ctx;
	int64_t			 now = http_session_mono();
	unsigned		 limit;

	limit = (unsigned)ctx->ac_limits.al_login_attempts;
	throttle_end(api_state_throttle(ctx, API_THROTTLE_ACCOUNT),
	    j->sj_account, j->sj_ok, limit, now);
	throttle_end(api_state_throttle(ctx, API_THROTTLE_PEER), j->sj_peer,
	    j->sj_ok, limit * SESSION_PEER_FACTOR, now);
	if (!j->sj_ok) {
		if (api_submit_reserve(ctx, NULL, http_session_apply_failed,
		    http_session_done_failed, j) != 0)
			http_session_done_failed(-EIO, j);
		return;
	}
	auth_token_new(ctx->ac_hash_key, j->sj_token, j->sj_token_hash);
	j->sj_expires = auth_now() + ctx->ac_limits.al_session_ttl;
	if ((rc = api_submit_reserve(ctx, NULL, http_session_apply_ok,
	    http_session_done_ok, j)) != 0)
		http_session_done_ok(rc == -ESHUTDOWN ? -EIO : rc, j);
}

void
http_session_post(struct api_ctx *ctx, struct api_req *req)
{
	static const char *const allowed[] = { "username", "password", NULL };
	struct session_job	*j = NULL;
	struct storage_txn	*txn = NULL;
	struct throttle		*ta, *tp;
	struct error		 err;
	json_t			*body = NULL, *rec = NULL, *id;
	const char		*name = NULL, *password = NULL, *hash;
	unsigned		 limit;
	int64_t			 now = http_session_mono();
	int			 rc, wait;

	memset(&err, 0, sizeof(err));
	if (api_body_object(req, &body, &err) != 0 ||
	    codec_only(body, allowed, "", &err) != 0 ||
	    codec_str(body, "username", true, USERS_NAME_MAX, &name,
	    &err) != 0 ||
	    codec_str(body, "password", true, USERS_PASSWORD_MAX, &password,
	    &err) != 0) {
		api_reply_error(req, &err);
		goto done;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->sj_password = users_password_keep(password)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		goto done;
	}
	j->sj_ctx = ctx;
	j->sj_req = req;
	snprintf(j->sj_name, sizeof(j->sj_name), "%s", name);
	j->sj_account = http_session_account_key(ctx, name);
	j->sj_peer = req->rq_peer_tag;

	limit = (unsigned)ctx->ac_limits.al_login_attempts;
	ta = api_state_throttle(ctx, API_THROTTLE_ACCOUNT);
	tp = api_state_throttle(ctx, API_THROTTLE_PEER);
	if ((wait = throttle_begin(ta, j->sj_account, limit, now)) != 0) {
		api_reply_retry(req, wait, "too many failed logins; wait "
		    "before trying again");
		goto done;
	}
	if ((wait = throttle_begin(tp, j->sj_peer, limit * SESSION_PEER_FACTOR,
	    now)) != 0) {
		throttle_cancel(ta, j->sj_account);
		api_reply_retry(req, wait, "too many failed logins; wait "
		    "before trying again");
		goto done;
	}

	if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) == 0)
		rc = users_find(ctx->ac_hash_key, txn, name, &rec);
	storage_txn_abort(txn);
	if (rc == 0) {
		id = json_object_get(rec, "id");
		hash = json_string_value(json_object_get(rec, "hash"));
		if (!json_is_integer(id) || hash == NULL ||
		    strlen(hash) >= sizeof(j->sj_hash))
			rc = -EBADMSG;
		else {
			j->sj_known = true;
			j->sj_user = (uint32_t)json_integer_value(id);
			memcpy(j->sj_hash, hash, strlen(hash) + 1);
		}
	} else if (rc == -ENOENT)
		rc = 0;
	if (rc != 0) {
		throttle_cancel(ta, j->sj_account);
		throttle_cancel(tp, j->sj_peer);
		api_reply_errno(req, rc);
		goto done;
	}
	if (offload_run(ctx, req, http_session_verify, http_session_verified,
	    j) != 0) {
		throttle_cancel(ta, j->sj_account);
		throttle_cancel(tp, j->sj_peer);
		goto done;
	}
	j = NULL;
done:
	if (password != NULL)
		sodium_memzero((char *)password, strlen(password));
	json_decref(body);
	json_decref(rec);
	http_session_job_free(j);
}

void
http_session_get(struct api_ctx *ctx, struct api_req *req)
{
	json_t	*user = http_session_user_json(&req->rq_who);

	api_reply_json(req, 200, user == NULL ? NULL : json_pack("{s:o, s:s}",
	    "user", user, "kind", req->rq_who.pr_api_token ? "api" :
	    "session"));
}

struct session_end {
	struct api_req	*se_req;
	uint8_t		 se_hash[AUTH_HASH_BYTES];
	uint32_t	 se_user;
	char		 se_who[64];
};

static int
http_session_end_apply(struct storage_txn *txn, void *arg)
{
	struct session_end	*e = arg;
	int			 rc;

	rc = auth_token_del(txn, e->se_hash);
	if (rc != 0 && rc != -ENOENT)	/* gone already: logged out twice */
		return rc;
	return audit_append(txn, e->se_who, "logout", json_pack("{s:I}",
	    "user", (json_int_t)e->se_user));
}

static void
http_session_end_done(int rc, void *arg)
{
	struct session_end	*e = arg;

	if (rc == 0)
		api_reply_raw(e->se_req, 204, NULL, NULL, 0, NULL);
	else
		api_reply_errno(e->se_req, rc);
	sodium_memzero(e, sizeof(*e));
	free(e);
}

void
http_session_delete(struct api_ctx *ctx, struct api_req *req)
{
	struct session_end	*e;
	int			 rc;

	if (req->rq_who.pr_api_token) {
		api_reply_errorf(req, ERR_CONFLICT, NULL, "this is an API "
		    "token, not a session: revoke it with DELETE "
		    "/api/v1/tokens/{id}");
		return;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		api_reply_errno(req, -ENOMEM);
		return;
	}
	e->se_req = req;
	e->se_user = req->rq_who.pr_user;
	memcpy(e->se_hash, req->rq_who.pr_token_hash, sizeof(e->se_hash));
	snprintf(e->se_who, sizeof(e->se_who), "%s", req->rq_who.pr_name);
	if ((rc = api_submit_reserve(ctx, NULL, http_session_end_apply,
	    http_session_end_done, e)) != 0)
		http_session_end_done(rc == -ESHUTDOWN ? -EIO : rc, e);
}

/*
 * POST /api/v1/session/password {password, new_password}: the caller
 * changes their own password. The current one is checked like a login
 * (on a worker, throttled per account), so that a session left open on
 * a shared computer cannot lock its owner out. The user's other sessions
 * end; this one goes on.
 */
struct session_pw {
	struct api_ctx		*sp_ctx;
	struct api_req		*sp_req;
	char			*sp_current;	/* guarded; wiped */
	char			*sp_new;	/* guarded; wiped */
	char			 sp_stored[USERS_HASH_MAX];
	char			 sp_hash[USERS_HASH_MAX];	/* sp_new's */
	bool			 sp_ok;		/* sp_current is right */
	int			 sp_rc;		/* the policy's, the hash's */
	struct error		 sp_err;	/* why the policy refused it */
	uint32_t		 sp_user;
	char			 sp_name[USERS_NAME_MAX + 1];
	uint8_t			 sp_keep[AUTH_HASH_BYTES];
	uint64_t		 sp_account;
};

static void
http_session_pw_free(struct session_pw *p)
{
	if (p == NULL)
		return;
	if (p->sp_current != NULL)
		sodium_free(p->sp_current);
	if (p->sp_new != NULL)
		sodium_free(p->sp_new);
	sodium_memzero(p, sizeof(*p));
	free(p);
}

/*
 * Worker thread: the current password first, so that only its owner
 * learns what the policy thinks of a new one.
 */
static void
http_session_pw_work(void *arg)
{
	struct session_pw	*p = arg;

	p->sp_ok = users_verify_password(p->sp_stored, p->sp_current);
	if (p->sp_ok && (p->sp_rc = users_check_password(p->sp_name,
	    p->sp_new, &p->sp_err)) == 0)
		p->sp_rc = users_hash_password(p->sp_new, p->sp_hash);
	sodium_free(p->sp_current);
	sodium_free(p->sp_new);
	p->sp_current = p->sp_new = NULL;
}

/* Writer thread. */
static int
http_session_pw_apply(struct storage_txn *txn, void *arg)
{
	struct session_pw	*p = arg;
	json_t			*rec = NULL;
	const char		*stored;
	size_t			 n = 0;
	int			 ret;

	if ((ret = rec_get(txn, STORAGE_DB_USERS, p->sp_user, &rec)) != 0)
		goto done;
	/* Changed since it was checked: by an admin, or a second tab. */
	stored = json_string_value(json_object_get(rec, "hash"));
	if (stored == NULL || strcmp(stored, p->sp_stored) != 0) {
		ret = -ESTALE;
		goto done;
	}
	if (json_object_set_new(rec, "hash", json_string(p->sp_hash)) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_put(txn, STORAGE_DB_USERS, p->sp_user, rec)) != 0 ||
	    (ret = auth_revoke_except(txn, AUTH_SESSION, p->sp_user,
	    p->sp_keep, &n)) != 0)
		goto done;
	ret = audit_append(txn, p->sp_name, "user.password", json_pack(
	    "{s:I, s:I}", "user", (json_int_t)p->sp_user, "sessions_revoked",
	    (json_int_t)n));
done:
	json_decref(rec);
	return ret;
}

static void
http_session_pw_done(int rc, void *arg)
{
	struct session_pw	*p = arg;

	if (rc == 0)
		api_reply_raw(p->sp_req, 204, NULL, NULL, 0, NULL);
	else if (rc == -ESTALE || rc == -ENOENT)
		api_reply_errorf(p->sp_req, ERR_CONFLICT, NULL,
		    "the account changed meanwhile; log in again");
	else
		api_reply_errno(p->sp_req, rc);
	http_session_pw_free(p);
}

/* Loop thread: the current password has been checked. */
static void
http_session_pw_checked(int rc, void *arg)
{
	struct session_pw	*p = arg;
	struct api_ctx		*ctx = p->sp_ctx;

	throttle_end(api_state_throttle(ctx, API_THROTTLE_ACCOUNT),
	    p->sp_account, p->sp_ok,
	    (unsigned)ctx->ac_limits.al_login_attempts, http_session_mono());
	if (rc == 0 && !p->sp_ok) {
		api_reply_errorf(p->sp_req, ERR_FORBIDDEN, "password",
		    "the current password is wrong");
		http_session_pw_free(p);
		return;
	}
	if (rc == 0)
		rc = p->sp_rc;
	if (rc != 0 && p->sp_err.er_code != ERR_NONE) {
		/* The policy's refusal, of the member it judged. */
		if (p->sp_err.er_field[0] != '\0')
			snprintf(p->sp_err.er_field,
			    sizeof(p->sp_err.er_field), "new_password");
		api_reply_error(p->sp_req, &p->sp_err);
		http_session_pw_free(p);
		return;
	}
	if (rc != 0) {
		log_warnx("session: cannot hash a password: %d", rc);
		api_reply_errorf(p->sp_req, ERR_UNAVAILABLE, NULL,
		    "out of memory for the password hash; try again");
		http_session_pw_free(p);
		return;
	}
	if ((rc = ctx->ac_submit(ctx->ac_submit_arg, http_session_pw_apply,
	    http_session_pw_done, p)) != 0)
		http_session_pw_done(rc == -ESHUTDOWN ? -EIO : rc, p);
}

void
http_session_password(struct api_ctx *ctx, struct api_req *req)
{
	static const char *const allowed[] = { "password", "new_password",
	    NULL };
	const struct principal *who = &req->rq_who;
	struct session_pw	*p = NULL;
	struct storage_txn	*txn = NULL;
	struct throttle		*ta;
	struct error		 err;
	json_t			*body = NULL, *rec = NULL;
	const char		*current = NULL, *new = NULL, *stored;
	int			 rc, wait;

	memset(&err, 0, sizeof(err));
	if (who->pr_api_token) {
		api_reply_errorf(req, ERR_CONFLICT, NULL, "an API token "
		    "cannot change a password; log in to do it");
		goto done;
	}
	if (api_body_object(req, &body, &err) != 0 ||
	    codec_only(body, allowed, "", &err) != 0 ||
	    codec_str(body, "password", true, USERS_PASSWORD_MAX, &current,
	    &err) != 0 ||
	    codec_str(body, "new_password", true, SIZE_MAX, &new,
	    &err) != 0)
		goto bad;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->sp_current = users_password_keep(current)) == NULL ||
	    (p->sp_new = users_password_keep(new)) == NULL) {
		api_reply_errno(req, -ENOMEM);
		goto done;
	}
	current = new = NULL;
	p->sp_ctx = ctx;
	p->sp_req = req;
	p->sp_user = who->pr_user;
	snprintf(p->sp_name, sizeof(p->sp_name), "%s", who->pr_name);
	memcpy(p->sp_keep, who->pr_token_hash, sizeof(p->sp_keep));
	p->sp_account = http_session_account_key(ctx, who->pr_name);

	if ((rc = storage_txn_begin(ctx->ac_store, false, &txn)) == 0)
		rc = rec_get(txn, STORAGE_DB_USERS, p->sp_user, &rec);
	storage_txn_abort(txn);
	if (rc == 0 && ((stored = json_string_value(json_object_get(rec,
	    "hash"))) == NULL || strlen(stored) >= sizeof(p->sp_stored)))
		rc = -EBADMSG;
	if (rc != 0) {
		api_reply_errno(req, rc);
		goto done;
	}
	memcpy(p->sp_stored, stored, strlen(stored) + 1);
	ta = api_state_throttle(ctx, API_THROTTLE_ACCOUNT);
	if ((wait = throttle_begin(ta, p->sp_account,
	    (unsigned)ctx->ac_limits.al_login_attempts,
	    http_session_mono())) != 0) {
		api_reply_retry(req, wait, "too many wrong passwords; wait "
		    "before trying again");
		goto done;
	}
	if (offload_run(ctx, req, http_session_pw_work,
	    http_session_pw_checked, p)
	    != 0) {
		throttle_cancel(ta, p->sp_account);
		goto done;
	}
	p = NULL;
	goto done;
bad:
	api_reply_error(req, &err);
done:
	if (current != NULL)
		sodium_memzero((char *)current, strlen(current));
	if (new != NULL)
		sodium_memzero((char *)new, strlen(new));
	json_decref(body);
	json_decref(rec);
	http_session_pw_free(p);
}
