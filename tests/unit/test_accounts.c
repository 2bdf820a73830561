/*
 * test_accounts.c — users and bearer tokens on a real store: sessions
 * expire, API and device tokens resolve to their principals, revocation
 * and sweeping remove exactly what they should, names are unique whatever
 * their case. Times are passed in, so no test waits for a clock.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/rec.h"
#include "core/users.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

#define NOW	1700000000LL
#define UNIT	7

struct fixture {
	char			 dir[256];
	char			 state[300];
	struct storage		*st;
	uint8_t			*hash_key;
};

static int
setup(void **state)
{
	struct fixture		*f;
	struct storage_txn	*txn;
	json_t			*unit;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    tmpdir_make(f->dir, sizeof(f->dir), "accounts") != 0 ||
	    tmpdir_store_open(f->dir, f->state, sizeof(f->state), NULL,
	    &f->st) != 0 || auth_key_load(f->st, &f->hash_key) != 0)
		return -1;
	/* A unit for managers to see. */
	unit = json_pack("{s:i}", "id", UNIT);
	if (storage_txn_begin(f->st, true, &txn) != 0 ||
	    rec_put(txn, STORAGE_DB_UNITS, UNIT, unit) != 0 ||
	    storage_txn_commit(txn) != 0)
		return -1;
	json_decref(unit);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	sodium_free(f->hash_key);
	storage_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* A user with a stand-in hash: these tests never check a password. */
static int
mkuser(struct fixture *f, const char *name, enum role role,
    uint32_t unit, uint32_t *id, struct error *err)
{
	struct storage_txn	*txn;
	struct users_new	 u;
	int			 rc;

	memset(&u, 0, sizeof(u));
	memset(err, 0, sizeof(*err));
	u.un_name = name;
	u.un_hash = "$argon2id$stand-in";
	u.un_role = role;
	if (unit != 0) {
		u.un_units[0] = unit;
		u.un_nunits = 1;
	}
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	rc = users_insert(f->hash_key, txn, "test", &u, id, NULL, err);
	if (rc == 0)
		assert_int_equal(storage_txn_commit(txn), 0);
	else
		storage_txn_abort(txn);
	return rc;
}

static uint32_t
user(struct fixture *f, const char *name, enum role role, uint32_t unit)
{
	struct error	err;
	uint32_t	id = 0;

	assert_int_equal(mkuser(f, name, role, unit, &id, &err), 0);
	return id;
}

static void
token(struct fixture *f, enum auth_kind kind, uint32_t subject,
    int64_t expires, char text[AUTH_TOKEN_CHARS + 1],
    uint8_t hash[AUTH_HASH_BYTES])
{
	struct storage_txn	*txn;

	auth_token_new(f->hash_key, text, hash);
	assert_int_equal(strlen(text), AUTH_TOKEN_CHARS);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(auth_token_put(txn, hash, kind, subject, expires,
	    0), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
}

static int
lookup(struct fixture *f, const char *text, int64_t now,
    struct principal *who)
{
	struct storage_txn	*txn;
	int			 rc;

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	rc = auth_lookup(f->hash_key, txn, text, now, who);
	storage_txn_abort(txn);
	return rc;
}

static bool
stored(struct fixture *f, const uint8_t hash[AUTH_HASH_BYTES])
{
	struct storage_txn	*txn;
	uint8_t			 key[1 + AUTH_HASH_BYTES];
	void			*val = NULL;
	size_t			 len;
	int			 rc;

	key[0] = AUTH_KEY_HASH;
	memcpy(key + 1, hash, AUTH_HASH_BYTES);
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	rc = storage_get(txn, STORAGE_DB_TOKENS, key, sizeof(key), &val, &len);
	storage_txn_abort(txn);
	free(val);
	return rc == 0;
}

static void
test_session_expires(void **state)
{
	struct fixture		*f = *state;
	struct principal	 who;
	char			 t[AUTH_TOKEN_CHARS + 1];
	uint8_t			 h[AUTH_HASH_BYTES];
	uint32_t		 id = user(f, "admin", ROLE_ADMIN, 0);

	token(f, AUTH_SESSION, id, NOW + 60, t, h);
	assert_int_equal(lookup(f, t, NOW, &who), 0);
	assert_int_equal(who.pr_role, ROLE_ADMIN);
	assert_int_equal(who.pr_user, id);
	assert_string_equal(who.pr_name, "admin");
	assert_false(who.pr_api_token);
	assert_memory_equal(who.pr_token_hash, h, AUTH_HASH_BYTES);
	assert_int_equal(lookup(f, t, NOW + 59, &who), 0);
	/* At its expiry and after it, the session is gone. */
	assert_int_equal(lookup(f, t, NOW + 60, &who), -ENOENT);
	assert_int_equal(lookup(f, t, NOW + 86400, &who), -ENOENT);
	assert_int_equal(who.pr_role, ROLE_NONE);
}

static void
test_session_must_expire(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	uint8_t			 h[AUTH_HASH_BYTES] = { 1 };

	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(auth_token_put(txn, h, AUTH_SESSION, 1, 0, 0),
	    -EINVAL);
	storage_txn_abort(txn);
}

static void
test_manager_and_api_token(void **state)
{
	struct fixture		*f = *state;
	struct principal	 who;
	char			 t[AUTH_TOKEN_CHARS + 1];
	uint8_t			 h[AUTH_HASH_BYTES];
	uint32_t		 id = user(f, "m.virtanen", ROLE_MANAGER,
				    UNIT);

	token(f, AUTH_API, id, 0, t, h);
	/* An API token does not expire. */
	assert_int_equal(lookup(f, t, NOW * 100, &who), 0);
	assert_int_equal(who.pr_role, ROLE_MANAGER);
	assert_true(who.pr_api_token);
	assert_int_equal(who.pr_nunits, 1);
	assert_int_equal(who.pr_units[0], UNIT);
}

/* A unit deleted: the managers given it lose it, nothing else changes. */
static void
test_drop_unit(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	struct principal	 who;
	json_t			*changed, *unit = json_pack("{s:i}", "id", 8);
	uint32_t		 m1, m2, a;

	assert_non_null(unit);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(rec_put(txn, STORAGE_DB_UNITS, 8, unit), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	json_decref(unit);
	m1 = user(f, "m.one", ROLE_MANAGER, UNIT);
	m2 = user(f, "m.two", ROLE_MANAGER, 8);
	a = user(f, "admin", ROLE_ADMIN, 0);

	assert_non_null(changed = json_array());
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(users_drop_unit(txn, UNIT, changed), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(json_array_size(changed), 1);
	assert_int_equal(json_integer_value(json_array_get(changed, 0)), m1);

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(users_principal(txn, m1, &who), 0);
	assert_int_equal(who.pr_nunits, 0);
	assert_int_equal(users_principal(txn, m2, &who), 0);
	assert_int_equal(who.pr_nunits, 1);
	assert_int_equal(who.pr_units[0], 8);
	assert_int_equal(users_principal(txn, a, &who), 0);
	assert_int_equal(who.pr_role, ROLE_ADMIN);
	storage_txn_abort(txn);

	/* A unit nobody has: nothing to do. */
	json_array_clear(changed);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(users_drop_unit(txn, 99, changed), 0);
	storage_txn_abort(txn);
	assert_int_equal(json_array_size(changed), 0);
	json_decref(changed);
}

static void
test_device_token(void **state)
{
	struct fixture		*f = *state;
	struct principal	 who;
	char			 t[AUTH_TOKEN_CHARS + 1];
	uint8_t			 h[AUTH_HASH_BYTES];
	struct storage_txn	*txn;
	size_t			 n = 0;

	token(f, AUTH_DEVICE, 42, 0, t, h);
	assert_int_equal(lookup(f, t, NOW, &who), 0);
	assert_int_equal(who.pr_role, ROLE_DEVICE);
	assert_int_equal(who.pr_user, 42);	/* the collector */
	/* Deleting the collector revokes its device tokens. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(auth_revoke(txn, AUTH_DEVICE, 42, &n), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lookup(f, t, NOW, &who), -ENOENT);
}

static void
test_malformed_tokens(void **state)
{
	struct fixture		*f = *state;
	struct principal	 who;
	char			 t[AUTH_TOKEN_CHARS + 1], bad[64];
	uint8_t			 h[AUTH_HASH_BYTES];
	uint32_t		 id = user(f, "admin", ROLE_ADMIN, 0);

	token(f, AUTH_SESSION, id, NOW + 60, t, h);
	assert_int_equal(lookup(f, "", NOW, &who), -ENOENT);
	assert_int_equal(lookup(f, "abc", NOW, &who), -ENOENT);
	snprintf(bad, sizeof(bad), "%s=", t);		/* padded */
	assert_int_equal(lookup(f, bad, NOW, &who), -ENOENT);
	snprintf(bad, sizeof(bad), "%s", t);
	bad[5] = '+';					/* not base64url */
	assert_int_equal(lookup(f, bad, NOW, &who), -ENOENT);
	bad[5] = t[5] == 'A' ? 'B' : 'A';		/* another token */
	assert_int_equal(lookup(f, bad, NOW, &who), -ENOENT);
	assert_int_equal(lookup(f, t, NOW, &who), 0);
}

static void
test_revoke_user_and_delete(void **state)
{
	struct fixture		*f = *state;
	struct principal	 who;
	struct storage_txn	*txn;
	char			 t1[AUTH_TOKEN_CHARS + 1],
				 t2[AUTH_TOKEN_CHARS + 1],
				 t3[AUTH_TOKEN_CHARS + 1];
	uint8_t			 h1[AUTH_HASH_BYTES], h2[AUTH_HASH_BYTES],
				 h3[AUTH_HASH_BYTES];
	uint32_t		 a = user(f, "admin", ROLE_ADMIN, 0);
	uint32_t		 b = user(f, "other", ROLE_ADMIN, 0);
	size_t			 n = 0;

	token(f, AUTH_SESSION, a, NOW + 60, t1, h1);
	token(f, AUTH_SESSION, b, NOW + 60, t2, h2);
	token(f, AUTH_API, a, 0, t3, h3);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(auth_revoke(txn, AUTH_SESSION, a, &n), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lookup(f, t1, NOW, &who), -ENOENT);
	assert_int_equal(lookup(f, t2, NOW, &who), 0);
	assert_int_equal(lookup(f, t3, NOW, &who), 0);	/* other kind */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(auth_token_del(txn, h2), 0);
	assert_int_equal(auth_token_del(txn, h2), -ENOENT);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(lookup(f, t2, NOW, &who), -ENOENT);
	/* A deleted user's remaining token no longer resolves. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(rec_del(txn, STORAGE_DB_USERS, a), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(lookup(f, t3, NOW, &who), -ENOENT);
}

static void
test_sweep_expired_sessions(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	char			 t[3][AUTH_TOKEN_CHARS + 1];
	uint8_t			 h[3][AUTH_HASH_BYTES];
	uint32_t		 id = user(f, "admin", ROLE_ADMIN, 0);

	token(f, AUTH_SESSION, id, NOW + 300, t[2], h[2]);
	token(f, AUTH_SESSION, id, NOW + 100, t[0], h[0]);
	token(f, AUTH_SESSION, id, NOW + 200, t[1], h[1]);
	/* At most one at a time, oldest first. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(auth_sweep(txn, NOW + 250, 1), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_false(stored(f, h[0]));
	assert_true(stored(f, h[1]));
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(auth_sweep(txn, NOW + 250, 32), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_false(stored(f, h[1]));
	assert_true(stored(f, h[2]));
}

/* A password change ends every session of the user but the one kept. */
static void
test_revoke_except(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	char			 t[4][AUTH_TOKEN_CHARS + 1];
	uint8_t			 h[4][AUTH_HASH_BYTES];
	uint32_t		 a = user(f, "admin", ROLE_ADMIN, 0);
	uint32_t		 m = user(f, "m.virtanen", ROLE_MANAGER, UNIT);
	size_t			 n = 99;

	token(f, AUTH_SESSION, a, NOW + 100, t[0], h[0]);
	token(f, AUTH_SESSION, a, NOW + 100, t[1], h[1]);
	token(f, AUTH_API, a, 0, t[2], h[2]);
	token(f, AUTH_SESSION, m, NOW + 100, t[3], h[3]);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(auth_revoke_except(txn, AUTH_SESSION, a, h[1], &n),
	    0);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(n, 1);
	assert_false(stored(f, h[0]));
	assert_true(stored(f, h[1]));	/* kept */
	assert_true(stored(f, h[2]));	/* another kind */
	assert_true(stored(f, h[3]));	/* another user */
}

static void
test_names(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	struct error		 err;
	json_t			*rec = NULL;
	uint32_t		 id = 0, id2 = 0;

	memset(&err, 0, sizeof(err));
	assert_int_equal(users_check_name("anna.k@soste", &err), 0);
	assert_int_not_equal(users_check_name("ab", &err), 0);
	assert_string_equal(err.er_field, "username");
	assert_int_not_equal(users_check_name("anna k", &err), 0);
	assert_int_not_equal(users_check_name("ännä", &err), 0);
	/* The password policy has a program of its own: test_password.c. */

	id = user(f, "Anna.K", ROLE_ADMIN, 0);
	assert_int_equal(mkuser(f, "anna.k", ROLE_ADMIN, 0, &id2, &err),
	    -EEXIST);
	assert_int_equal(err.er_code, ERR_CONFLICT);
	assert_string_equal(err.er_field, "username");
	assert_int_equal(mkuser(f, "bert", ROLE_MANAGER, UNIT + 1, &id2,
	    &err), -EINVAL);
	assert_string_equal(err.er_field, "units[0]");

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(users_find(f->hash_key, txn, "ANNA.k", &rec), 0);
	assert_int_equal(json_integer_value(json_object_get(rec, "id")), id);
	assert_string_equal(json_string_value(json_object_get(rec,
	    "username")), "Anna.K");
	json_decref(rec);
	assert_int_equal(users_find(f->hash_key, txn, "nobody", &rec),
	    -ENOENT);
	storage_txn_abort(txn);
}

static void
test_user_public_has_no_hash(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	json_t			*rec = NULL, *pub;
	uint32_t		 id = user(f, "admin", ROLE_ADMIN, 0);
	struct audit_check	 chk;
	json_t			*entries = json_array();

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(rec_get(txn, STORAGE_DB_USERS, id, &rec), 0);
	assert_non_null(json_object_get(rec, "hash"));
	pub = users_public(rec);
	assert_null(json_object_get(pub, "hash"));
	assert_string_equal(json_string_value(json_object_get(pub, "role")),
	    "admin");
	/* The creation is in the audit log, without the hash. */
	assert_int_equal(audit_verify(txn, 0, 10, entries, &chk), 0);
	storage_txn_abort(txn);
	assert_true(chk.ac_ok);
	assert_int_equal(json_array_size(entries), 1);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(entries, 0), "action")), "user.create");
	assert_null(json_object_get(json_object_get(json_array_get(entries,
	    0), "detail"), "hash"));
	json_decref(entries);
	json_decref(pub);
	json_decref(rec);
}

static void
test_password_hash(void **state)
{
	char	hash[USERS_HASH_MAX];

	assert_int_equal(users_hash_password("correct horse battery", hash),
	    0);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_null(strstr(hash, "correct horse"));
	assert_true(users_verify_password(hash, "correct horse battery"));
	assert_false(users_verify_password(hash, "correct horse batterY"));
}

/* The kept copy is whole; what jansson parsed is wiped before it frees it. */
static void
test_password_keep(void **state)
{
	json_t		*body = json_loads("{\"password\": \"pitkä salasana 1\"}",
			    0, NULL);
	const char	*parsed;
	char		*kept;

	assert_non_null(body);
	parsed = json_string_value(json_object_get(body, "password"));
	assert_non_null(kept = users_password_keep(parsed));
	assert_string_equal(kept, "pitkä salasana 1");
	assert_int_equal(parsed[0], '\0');
	assert_int_equal(parsed[15], '\0');
	sodium_free(kept);
	json_decref(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session_expires, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_session_must_expire, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_manager_and_api_token,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_unit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_device_token, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_malformed_tokens, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_revoke_user_and_delete,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_expired_sessions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_except, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_public_has_no_hash,
		    setup, teardown),
		cmocka_unit_test(test_password_hash),
		cmocka_unit_test(test_password_keep),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
