/*
 * auth.c — bearer tokens: making them, storing their keyed hashes,
 * resolving them to a principal, revoking and sweeping them.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "common/log.h"
#include "core/auth.h"
#include "core/rec.h"
#include "core/users.h"
#include "storage/storage.h"

#define AUTH_PURPOSE		"token"
#define AUTH_HKEYLEN		(1 + AUTH_HASH_BYTES)
#define AUTH_EKEYLEN		(1 + 8 + AUTH_HASH_BYTES)
#define AUTH_IKEYLEN		(1 + 4)

static const char *const auth_kind_names[] = {
	[AUTH_SESSION] = "session",
	[AUTH_API] = "api",
	[AUTH_DEVICE] = "device",
	[AUTH_SETPW] = "setpw",
};
#define AUTH_NKINDS	(sizeof(auth_kind_names) / sizeof(auth_kind_names[0]))

int64_t
auth_now(void)
{
	return (int64_t)time(NULL);
}

void
auth_hash(const uint8_t *hash_key, const char *purpose, const void *secret,
    size_t len, uint8_t out[AUTH_HASH_BYTES])
{
	crypto_generichash_state	st;

	/* The purpose separates the hash spaces of tokens, codes, slugs. */
	crypto_generichash_init(&st, hash_key, AUTH_KEY_BYTES,
	    AUTH_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)purpose,
	    strlen(purpose) + 1);
	crypto_generichash_update(&st, secret, len);
	crypto_generichash_final(&st, out, AUTH_HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
}

void
auth_token_new(const uint8_t *hash_key, char token[AUTH_TOKEN_CHARS + 1],
    uint8_t hash[AUTH_HASH_BYTES])
{
	unsigned char	raw[AUTH_TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, AUTH_TOKEN_CHARS + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	auth_hash(hash_key, AUTH_PURPOSE, raw, sizeof(raw), hash);
	sodium_memzero(raw, sizeof(raw));
}

static void
auth_be(uint8_t *p, uint64_t v, int n)
{
	int	i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
auth_unbe(const uint8_t *p, int n)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void
auth_hkey(const uint8_t hash[AUTH_HASH_BYTES], uint8_t key[AUTH_HKEYLEN])
{
	key[0] = AUTH_KEY_HASH;
	memcpy(key + 1, hash, AUTH_HASH_BYTES);
}

static void
auth_ekey(int64_t expires, const uint8_t hash[AUTH_HASH_BYTES],
    uint8_t key[AUTH_EKEYLEN])
{
	key[0] = AUTH_KEY_EXPIRY;
	auth_be(key + 1, (uint64_t)expires, 8);
	memcpy(key + 9, hash, AUTH_HASH_BYTES);
}

static int
auth_kind_parse(const json_t *v, enum auth_kind *out)
{
	size_t	i;

	if (!json_is_string(v))
		return -EBADMSG;
	for (i = 0; i < AUTH_NKINDS; i++)
		if (strcmp(json_string_value(v), auth_kind_names[i]) == 0) {
			*out = (enum auth_kind)i;
			return 0;
		}
	return -EBADMSG;
}

/* The fields of a lookup record. */
struct auth_rec {
	enum auth_kind	ar_kind;
	uint32_t	ar_subject;
	int64_t		ar_expires;
	uint32_t	ar_ref;
	uint8_t		ar_hash[AUTH_HASH_BYTES];
};

static int
auth_rec_parse(const json_t *rec, struct auth_rec *out)
{
	json_t	*s = json_object_get(rec, "subject");
	json_t	*e = json_object_get(rec, "expires");
	json_t	*r = json_object_get(rec, "ref");
	json_t	*h = json_object_get(rec, "hash");
	size_t	 blen = 0;

	if (auth_kind_parse(json_object_get(rec, "kind"), &out->ar_kind) != 0 ||
	    !json_is_integer(s) || json_integer_value(s) < 0 ||
	    json_integer_value(s) > UINT32_MAX ||
	    !json_is_integer(e) || json_integer_value(e) < 0 ||
	    !json_is_integer(r) || json_integer_value(r) < 0 ||
	    json_integer_value(r) > UINT32_MAX || !json_is_string(h) ||
	    sodium_hex2bin(out->ar_hash, sizeof(out->ar_hash),
	    json_string_value(h), json_string_length(h), NULL, &blen,
	    NULL) != 0 || blen != AUTH_HASH_BYTES)
		return -EBADMSG;
	out->ar_subject = (uint32_t)json_integer_value(s);
	out->ar_expires = json_integer_value(e);
	out->ar_ref = (uint32_t)json_integer_value(r);
	return 0;
}

static int
auth_rec_get(struct storage_txn *txn, const uint8_t hash[AUTH_HASH_BYTES],
    struct auth_rec *out)
{
	uint8_t	 key[AUTH_HKEYLEN];
	json_t	*rec = NULL;
	int	 ret;

	auth_hkey(hash, key);
	if ((ret = rec_get_key(txn, STORAGE_DB_TOKENS, key, sizeof(key),
	    &rec)) != 0)
		return ret;
	ret = auth_rec_parse(rec, out);
	json_decref(rec);
	return ret;
}

int
auth_token_put(struct storage_txn *txn, const uint8_t hash[AUTH_HASH_BYTES],
    enum auth_kind kind, uint32_t subject, int64_t expires, uint32_t ref)
{
	uint8_t	 hkey[AUTH_HKEYLEN], ekey[AUTH_EKEYLEN];
	char	 hex[2 * AUTH_HASH_BYTES + 1];
	json_t	*rec = NULL, *empty = NULL;
	int	 ret;

	if ((unsigned)kind >= AUTH_NKINDS || expires < 0 ||
	    ((kind == AUTH_SESSION || kind == AUTH_SETPW) && expires == 0))
		return -EINVAL;
	sodium_bin2hex(hex, sizeof(hex), hash, AUTH_HASH_BYTES);
	rec = json_pack("{s:s, s:I, s:I, s:I, s:s}", "kind",
	    auth_kind_names[kind], "subject", (json_int_t)subject, "expires",
	    (json_int_t)expires, "ref", (json_int_t)ref, "hash", hex);
	if (rec == NULL || (empty = json_object()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	auth_hkey(hash, hkey);
	if ((ret = rec_put_key(txn, STORAGE_DB_TOKENS, hkey, sizeof(hkey), rec,
	    STORAGE_NOOVERWRITE)) != 0)
		goto done;
	if (expires != 0) {
		auth_ekey(expires, hash, ekey);
		ret = rec_put_key(txn, STORAGE_DB_TOKENS, ekey, sizeof(ekey),
		    empty, 0);
	}
done:
	json_decref(rec);
	json_decref(empty);
	return ret;
}

int
auth_token_del(struct storage_txn *txn, const uint8_t hash[AUTH_HASH_BYTES])
{
	struct auth_rec	ar;
	uint8_t		hkey[AUTH_HKEYLEN], ekey[AUTH_EKEYLEN],
			ikey[AUTH_IKEYLEN];
	int		ret;

	auth_hkey(hash, hkey);
	ret = auth_rec_get(txn, hash, &ar);
	if (ret == -EBADMSG)	/* unreadable: still remove the key */
		return storage_del(txn, STORAGE_DB_TOKENS, hkey, sizeof(hkey));
	if (ret != 0)
		return ret;
	if (ar.ar_expires != 0) {
		auth_ekey(ar.ar_expires, hash, ekey);
		ret = storage_del(txn, STORAGE_DB_TOKENS, ekey, sizeof(ekey));
		if (ret != 0 && ret != -ENOENT)
			return ret;
	}
	if (ar.ar_kind == AUTH_API && ar.ar_ref != 0) {
		ikey[0] = AUTH_KEY_API;
		auth_be(ikey + 1, ar.ar_ref, 4);
		ret = storage_del(txn, STORAGE_DB_TOKENS, ikey, sizeof(ikey));
		if (ret != 0 && ret != -ENOENT)
			return ret;
	}
	return storage_del(txn, STORAGE_DB_TOKENS, hkey, sizeof(hkey));
}

/* A growable list of hashes, collected before deleting (no deletes under
 * an open iterator). */
struct auth_hashes {
	uint8_t	(*ah_v)[AUTH_HASH_BYTES];
	size_t	  ah_n;
	size_t	  ah_cap;
};

static int
auth_hashes_add(struct auth_hashes *l, const uint8_t *hash)
{
	void	*p;
	size_t	 cap;

	if (l->ah_n == l->ah_cap) {
		cap = l->ah_cap ? 2 * l->ah_cap : 16;
		if ((p = reallocarray(l->ah_v, cap, AUTH_HASH_BYTES)) == NULL)
			return -ENOMEM;
		l->ah_v = p;
		l->ah_cap = cap;
	}
	memcpy(l->ah_v[l->ah_n++], hash, AUTH_HASH_BYTES);
	return 0;
}

static int
auth_hashes_del(struct storage_txn *txn, struct auth_hashes *l)
{
	size_t	i;
	int	rc;

	for (i = 0; i < l->ah_n; i++)
		if ((rc = auth_token_del(txn, l->ah_v[i])) != 0 &&
		    rc != -ENOENT)
			return rc;
	return 0;
}

int
auth_revoke(struct storage_txn *txn, enum auth_kind kind, uint32_t subject,
    size_t *n_out)
{
	return auth_revoke_except(txn, kind, subject, NULL, n_out);
}

int
auth_revoke_except(struct storage_txn *txn, enum auth_kind kind,
    uint32_t subject, const uint8_t *keep, size_t *n_out)
{
	struct storage_iter	*it = NULL;
	struct auth_hashes	 l = { NULL, 0, 0 };
	struct auth_rec		 ar;
	const void		*key, *val;
	size_t			 klen, vlen;
	const uint8_t		 prefix = AUTH_KEY_HASH;
	json_t			*rec;
	int			 ret, rc;

	if ((ret = storage_iter_new(txn, STORAGE_DB_TOKENS, &prefix, 1,
	    &it)) != 0)
		goto done;
	while ((rc = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		if (klen != AUTH_HKEYLEN)
			continue;
		rec = json_loadb(val, vlen, 0, NULL);
		rc = rec != NULL ? auth_rec_parse(rec, &ar) : -EBADMSG;
		json_decref(rec);
		if (rc != 0 || ar.ar_kind != kind || ar.ar_subject != subject ||
		    (keep != NULL && memcmp((const uint8_t *)key + 1, keep,
		    AUTH_HASH_BYTES) == 0))
			continue;
		if ((ret = auth_hashes_add(&l, (const uint8_t *)key + 1)) != 0)
			goto done;
	}
	if (rc != -ENOENT) {
		ret = rc;
		goto done;
	}
	storage_iter_free(it);
	it = NULL;
	if ((ret = auth_hashes_del(txn, &l)) != 0)
		goto done;
	if (n_out != NULL)
		*n_out = l.ah_n;
	ret = 0;
done:
	storage_iter_free(it);
	free(l.ah_v);
	return ret;
}

int
auth_sweep(struct storage_txn *txn, int64_t now, size_t max)
{
	struct storage_iter	*it = NULL;
	struct auth_hashes	 l = { NULL, 0, 0 };
	const void		*key, *val;
	size_t			 klen, vlen;
	const uint8_t		 prefix = AUTH_KEY_EXPIRY;
	const uint8_t		*k;
	int			 ret, rc;

	if ((ret = storage_iter_new(txn, STORAGE_DB_TOKENS, &prefix, 1,
	    &it)) != 0)
		goto done;
	/* In expiry order: stop at the first session still valid. */
	while (l.ah_n < max &&
	    (rc = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		k = key;
		if (klen != AUTH_EKEYLEN)
			continue;
		if ((int64_t)auth_unbe(k + 1, 8) > now)
			break;
		if ((ret = auth_hashes_add(&l, k + 9)) != 0)
			goto done;
	}
	storage_iter_free(it);
	it = NULL;
	ret = auth_hashes_del(txn, &l);
done:
	storage_iter_free(it);
	free(l.ah_v);
	return ret;
}

/*
 * The record of a token's text, valid at now, and its hash. -ENOENT for
 * a token that is malformed, unknown or expired.
 */
static int
auth_find(const uint8_t *hash_key, struct storage_txn *txn,
    const char *token, int64_t now, struct auth_rec *ar,
    uint8_t hash[AUTH_HASH_BYTES])
{
	unsigned char	 raw[AUTH_TOKEN_BYTES];
	const char	*end = NULL;
	size_t		 len = 0;
	int		 ret;

	if (strlen(token) != AUTH_TOKEN_CHARS ||
	    sodium_base642bin(raw, sizeof(raw), token, AUTH_TOKEN_CHARS,
	    NULL, &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(raw) || end != token + AUTH_TOKEN_CHARS) {
		ret = -ENOENT;
		goto done;
	}
	auth_hash(hash_key, AUTH_PURPOSE, raw, sizeof(raw), hash);
	ret = auth_rec_get(txn, hash, ar);
	if (ret == -EBADMSG) {
		log_warnx("auth: a token record does not parse");
		ret = -ENOENT;
	}
	if (ret != 0)
		goto done;
	/*
	 * The lookup itself compares keyed hashes an attacker cannot
	 * predict; the record's own copy is compared in constant time.
	 */
	if (sodium_memcmp(ar->ar_hash, hash, AUTH_HASH_BYTES) != 0 ||
	    (ar->ar_expires != 0 && ar->ar_expires <= now))
		ret = -ENOENT;
done:
	sodium_memzero(raw, sizeof(raw));
	return ret;
}

/* A set-password link's record and hash; -ENOENT for anything else. */
static int
auth_setpw_find(const uint8_t *hash_key, struct storage_txn *txn,
    const char *token, int64_t now, struct auth_rec *ar,
    uint8_t hash[AUTH_HASH_BYTES])
{
	int	ret;

	if ((ret = auth_find(hash_key, txn, token, now, ar, hash)) == 0 &&
	    ar->ar_kind != AUTH_SETPW)
		ret = -ENOENT;
	return ret;
}

int
auth_setpw_check(const uint8_t *hash_key, struct storage_txn *txn,
    const char *token, int64_t now, uint32_t *user_out)
{
	uint8_t		 hash[AUTH_HASH_BYTES];
	struct auth_rec	 ar;
	int		 ret;

	if ((ret = auth_setpw_find(hash_key, txn, token, now, &ar, hash)) ==
	    0)
		*user_out = ar.ar_subject;
	return ret;
}

int
auth_setpw_take(const uint8_t *hash_key, struct storage_txn *txn,
    const char *token, int64_t now, uint32_t *user_out)
{
	uint8_t		 hash[AUTH_HASH_BYTES];
	struct auth_rec	 ar;
	int		 ret;

	if ((ret = auth_setpw_find(hash_key, txn, token, now, &ar,
	    hash)) != 0)
		goto done;
	/* Single use: gone with the transaction that uses it. */
	if ((ret = auth_token_del(txn, hash)) != 0)
		goto done;
	*user_out = ar.ar_subject;
done:
	return ret;
}

int
auth_lookup(const uint8_t *hash_key, struct storage_txn *txn,
    const char *token, int64_t now, struct principal *who)
{
	uint8_t		 hash[AUTH_HASH_BYTES];
	struct auth_rec	 ar;
	int		 ret;

	memset(who, 0, sizeof(*who));
	if ((ret = auth_find(hash_key, txn, token, now, &ar, hash)) != 0)
		goto done;
	switch (ar.ar_kind) {
	case AUTH_SESSION:
	case AUTH_API:
		if ((ret = users_principal(txn, ar.ar_subject, who)) != 0)
			goto done;
		who->pr_api_token = ar.ar_kind == AUTH_API;
		break;
	case AUTH_DEVICE:
		who->pr_role = ROLE_DEVICE;
		who->pr_user = ar.ar_subject;	/* the collector */
		snprintf(who->pr_name, sizeof(who->pr_name), "kiosk:%u",
		    (unsigned)ar.ar_subject);
		break;
	case AUTH_SETPW:
		/* It sets a password once; it is never a credential. */
		ret = -ENOENT;
		goto done;
	}
	memcpy(who->pr_token_hash, hash, sizeof(hash));
	ret = 0;
done:
	if (ret != 0)
		memset(who, 0, sizeof(*who));
	return ret;
}

int
auth_key_load(struct storage *st, uint8_t **key_out)
{
	static const char	 name[] = "hash_key";
	struct storage_txn	*txn = NULL;
	uint8_t			*key = NULL;
	void			*val = NULL;
	size_t			 len = 0;
	int			 ret = -1;

	if ((key = sodium_malloc(AUTH_KEY_BYTES)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = storage_txn_begin(st, true, &txn)) != 0)
		goto done;
	ret = storage_get(txn, STORAGE_DB_META, name, sizeof(name) - 1, &val,
	    &len);
	if (ret == -ENOENT) {
		/* First start: the secret that keys token and code hashes. */
		randombytes_buf(key, AUTH_KEY_BYTES);
		ret = storage_put(txn, STORAGE_DB_META, name, sizeof(name) - 1,
		    key, AUTH_KEY_BYTES, STORAGE_NOOVERWRITE);
		if (ret != 0)
			goto done;
	} else if (ret != 0)
		goto done;
	else if (len != AUTH_KEY_BYTES) {
		ret = -EBADMSG;
		goto done;
	} else
		memcpy(key, val, AUTH_KEY_BYTES);
	if ((ret = storage_txn_commit(txn)) != 0) {
		txn = NULL;
		goto done;
	}
	txn = NULL;
	*key_out = key;
	key = NULL;
	ret = 0;
done:
	storage_txn_abort(txn);
	if (val != NULL) {
		sodium_memzero(val, len);
		free(val);
	}
	sodium_free(key);
	return ret;
}
