/*
 * idem.c — idempotency records of intake: client ids checked, hashed with
 * the api's secret, recorded with their day and swept after the window.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/idem.h"
#include "storage/storage.h"

#define IDEM_PURPOSE	"idem"

bool
idem_id_valid(const char *id)
{
	size_t	i;
	char	c;

	for (i = 0; (c = id[i]) != '\0'; i++) {
		if (i == IDEM_ID_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == ':' || c == '-'))
			return false;
	}
	return i >= IDEM_ID_MIN;
}

enum idem_day
idem_day_check(int64_t day, int64_t today)
{
	if (day < today - IDEM_WINDOW_DAYS)
		return IDEM_DAY_STALE;
	if (day > today + IDEM_AHEAD_DAYS)
		return IDEM_DAY_FUTURE;
	return IDEM_DAY_OK;
}

static void
idem_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
idem_unbe32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
idem_hash(const uint8_t key[32], uint32_t collector, const char *id,
    uint8_t out[IDEM_HASH_BYTES])
{
	crypto_generichash_state	st;
	uint8_t				c[4];

	/* The collector is fixed-width, so (1, "2...") != (12, "..."). */
	idem_be32(c, collector);
	crypto_generichash_init(&st, key, 32, IDEM_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)IDEM_PURPOSE,
	    sizeof(IDEM_PURPOSE));
	crypto_generichash_update(&st, c, sizeof(c));
	crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
	crypto_generichash_final(&st, out, IDEM_HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
}

void
idem_key(const uint8_t hash[IDEM_HASH_BYTES], uint8_t key[IDEM_KEYLEN])
{
	key[0] = IDEM_KEY_TAG;
	memcpy(key + 1, hash, IDEM_HASH_BYTES);
}

int
idem_seen(struct storage_txn *txn, const uint8_t hash[IDEM_HASH_BYTES],
    bool *seen)
{
	uint8_t	 key[IDEM_KEYLEN];
	void	*val = NULL;
	size_t	 len = 0;
	int	 rc;

	idem_key(hash, key);
	rc = storage_get(txn, STORAGE_DB_IDEMPOTENCY, key, sizeof(key), &val,
	    &len);
	free(val);
	if (rc == 0 || rc == -ENOENT) {
		*seen = rc == 0;
		return 0;
	}
	return rc;
}

int
idem_put(struct storage_txn *txn, const uint8_t hash[IDEM_HASH_BYTES],
    uint32_t day)
{
	uint8_t	key[IDEM_KEYLEN], v[4];

	idem_key(hash, key);
	idem_be32(v, day);
	return storage_put(txn, STORAGE_DB_IDEMPOTENCY, key, sizeof(key), v,
	    sizeof(v), STORAGE_NOOVERWRITE);
}

int
idem_sweep(struct storage_txn *txn, unsigned shard, uint32_t before,
    size_t *n_out)
{
	struct storage_iter	*it = NULL;
	const void		*key, *val;
	const uint8_t		 prefix[2] = { IDEM_KEY_TAG, (uint8_t)shard };
	uint8_t			*keys = NULL, *grown;
	size_t			 klen, vlen, n = 0, cap = 0, i;
	int			 rc, ret;

	if (shard >= IDEM_SHARDS)
		return -EINVAL;
	if ((ret = storage_iter_new(txn, STORAGE_DB_IDEMPOTENCY, prefix,
	    sizeof(prefix), &it)) != 0)
		goto done;
	while ((rc = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		/* An unreadable day is no reason to keep a record forever. */
		if (klen != IDEM_KEYLEN || (vlen == 4 &&
		    idem_unbe32(val) >= before))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((grown = realloc(keys, cap * IDEM_KEYLEN)) ==
			    NULL) {
				ret = -ENOMEM;
				goto done;
			}
			keys = grown;
		}
		memcpy(keys + n * IDEM_KEYLEN, key, IDEM_KEYLEN);
		n++;
	}
	if (rc != -ENOENT) {
		ret = rc;
		goto done;
	}
	/* No deletes under an open iterator. */
	storage_iter_free(it);
	it = NULL;
	for (i = 0; i < n; i++)
		if ((ret = storage_del(txn, STORAGE_DB_IDEMPOTENCY,
		    keys + i * IDEM_KEYLEN, IDEM_KEYLEN)) != 0)
			goto done;
	*n_out = n;
	ret = 0;
done:
	storage_iter_free(it);
	free(keys);
	return ret;
}
