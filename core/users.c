/*
 * users.c — accounts: names, roles, units, password hashes, and their
 * records with the by-name index.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/rec.h"
#include "core/users.h"
#include "storage/storage.h"

#define USERS_NKEYLEN	(1 + AUTH_HASH_BYTES)

const char *
users_role_name(enum role r)
{
	return r == ROLE_ADMIN ? "admin" : "manager";
}

int
users_role_parse(const char *s, enum role *out)
{
	if (strcmp(s, "admin") == 0)
		*out = ROLE_ADMIN;
	else if (strcmp(s, "manager") == 0)
		*out = ROLE_MANAGER;
	else
		return -EINVAL;
	return 0;
}

int
users_check_name(const char *name, struct error *err)
{
	size_t	i, n = strlen(name);

	if (n < USERS_NAME_MIN || n > USERS_NAME_MAX)
		return error_set(err, ERR_INVALID, "username",
		    "'username' must be %d to %d characters long",
		    USERS_NAME_MIN, USERS_NAME_MAX);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) &&
		    strchr("._@-", name[i]) == NULL)
			return error_set(err, ERR_INVALID, "username",
			    "'username' may hold only letters a-z, digits "
			    "and . _ @ -");
	return 0;
}

int
users_check_password(const char *password, struct error *err)
{
	size_t		 chars = 0;
	const char	*p;

	if (strlen(password) > USERS_PASSWORD_MAX)
		return error_set(err, ERR_INVALID, "password",
		    "'password' is longer than %d bytes", USERS_PASSWORD_MAX);
	/* Characters, not bytes: count the bytes that start one. */
	for (p = password; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			chars++;
	if (chars < USERS_PASSWORD_MIN)
		return error_set(err, ERR_INVALID, "password",
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
users_nkey(const uint8_t *hash_key, const char *name,
    uint8_t key[USERS_NKEYLEN])
{
	char	lower[USERS_NAME_MAX + 1];
	size_t	i, n = strlen(name);

	if (n > USERS_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	key[0] = 'n';
	auth_hash(hash_key, "username", lower, n, key + 1);
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
users_find(const uint8_t *hash_key, struct storage_txn *txn,
    const char *name, json_t **rec_out)
{
	uint8_t		 key[USERS_NKEYLEN];
	json_t		*idx = NULL, *id;
	int		 ret;

	if ((ret = users_nkey(hash_key, name, key)) != 0)
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
    struct principal *who)
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
	    json_array_size(units) > AUTH_MAX_SUBTREES ||
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
int
users_units_json(struct storage_txn *txn, const uint32_t *ids, size_t n,
    json_t **out, struct error *err)
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
			ret = error_set(err, ERR_INVALID, field,
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
users_insert(const uint8_t *hash_key, struct storage_txn *txn,
    const char *who, const struct users_new *u, uint32_t *id_out,
    json_t **public_out, struct error *err)
{
	uint8_t		 nkey[USERS_NKEYLEN];
	char		 day[16];
	json_t		*rec = NULL, *units = NULL, *idx = NULL, *pub = NULL;
	void		*val = NULL;
	size_t		 len;
	uint32_t	 id;
	int		 ret;

	if ((ret = users_nkey(hash_key, u->un_name, nkey)) != 0)
		goto done;
	ret = storage_get(txn, STORAGE_DB_USERS, nkey, sizeof(nkey), &val,
	    &len);
	free(val);
	val = NULL;
	if (ret == 0) {
		error_set(err, ERR_CONFLICT, "username",
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

int
users_remove(struct storage_txn *txn, const uint8_t *hash_key, uint32_t id,
    const char *name, size_t *nsess_out, size_t *napi_out)
{
	uint8_t	nkey[USERS_NKEYLEN];
	int	ret;

	if ((ret = users_nkey(hash_key, name, nkey)) != 0)
		return ret;
	ret = storage_del(txn, STORAGE_DB_USERS, nkey, sizeof(nkey));
	if (ret != 0 && ret != -ENOENT)
		return ret;
	if ((ret = rec_del(txn, STORAGE_DB_USERS, id)) != 0 ||
	    (ret = auth_revoke(txn, AUTH_SESSION, id, nsess_out)) != 0 ||
	    (ret = auth_revoke(txn, AUTH_API, id, napi_out)) != 0 ||
	    (ret = auth_revoke(txn, AUTH_SETPW, id, NULL)) != 0)
		return ret;
	return 0;
}
