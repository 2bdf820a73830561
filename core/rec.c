/*
 * rec.c — JSON records over the engine-neutral store.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "core/rec.h"

void
rec_key(uint32_t id, uint8_t key[REC_IDLEN])
{
	key[0] = (uint8_t)(id >> 24);
	key[1] = (uint8_t)(id >> 16);
	key[2] = (uint8_t)(id >> 8);
	key[3] = (uint8_t)id;
}

uint32_t
rec_key_id(const void *key)
{
	const uint8_t	*k = key;

	return (uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 |
	    (uint32_t)k[2] << 8 | k[3];
}

static int
rec_parse(const void *val, size_t len, json_t **out)
{
	json_t	*obj;

	obj = json_loadb(val, len, 0, NULL);
	if (obj == NULL || !json_is_object(obj)) {
		json_decref(obj);
		return -EBADMSG;
	}
	*out = obj;
	return 0;
}

int
rec_get_key(struct storage_txn *txn, enum storage_db db, const void *key,
    size_t klen, json_t **out)
{
	void	*val = NULL;
	size_t	 len = 0;
	int	 ret;

	if ((ret = storage_get(txn, db, key, klen, &val, &len)) != 0)
		goto done;
	ret = rec_parse(val, len, out);
done:
	free(val);
	return ret;
}

int
rec_get(struct storage_txn *txn, enum storage_db db, uint32_t id,
    json_t **out)
{
	uint8_t	key[REC_IDLEN];

	rec_key(id, key);
	return rec_get_key(txn, db, key, sizeof(key), out);
}

int
rec_put_key(struct storage_txn *txn, enum storage_db db, const void *key,
    size_t klen, const json_t *obj, unsigned flags)
{
	char	*text;
	size_t	 len = 0;
	int	 ret;

	if ((text = codec_dump(obj, &len)) == NULL)
		return -ENOMEM;
	ret = storage_put(txn, db, key, klen, text, len, flags);
	free(text);
	return ret;
}

int
rec_put(struct storage_txn *txn, enum storage_db db, uint32_t id,
    const json_t *obj)
{
	uint8_t	key[REC_IDLEN];

	rec_key(id, key);
	return rec_put_key(txn, db, key, sizeof(key), obj, 0);
}

int
rec_del(struct storage_txn *txn, enum storage_db db, uint32_t id)
{
	uint8_t	key[REC_IDLEN];

	rec_key(id, key);
	return storage_del(txn, db, key, sizeof(key));
}

int
rec_each(struct storage_txn *txn, enum storage_db db, const void *prefix,
    size_t plen, int (*fn)(const void *, size_t, json_t *, void *),
    void *arg)
{
	struct storage_iter	*it = NULL;
	const void		*key, *val;
	size_t			 klen, vlen;
	json_t			*obj;
	int			 ret;

	if ((ret = storage_iter_new(txn, db, prefix, plen, &it)) != 0)
		goto done;
	while ((ret = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		if ((ret = rec_parse(val, vlen, &obj)) != 0)
			goto done;
		ret = fn(key, klen, obj, arg);
		json_decref(obj);
		if (ret != 0)
			goto done;
	}
	if (ret == -ENOENT)
		ret = 0;
done:
	storage_iter_free(it);
	return ret;
}
