/*
 * rec.h — entity records: a JSON object per entity, sealed by storage in
 * its database under a key (usually the 4-byte big-endian id, so that
 * iteration runs in id order).
 * Return convention: 0 or a negative errno-style code (-ENOENT: no record,
 * -EBADMSG: a record that is not a JSON object).
 */
#ifndef PALAUTE_CORE_REC_H
#define PALAUTE_CORE_REC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "storage/storage.h"

#define REC_IDLEN	4

void	rec_key(uint32_t id, uint8_t key[REC_IDLEN]);
uint32_t rec_key_id(const void *key);

/* *out is a new reference the caller decrefs. */
int	rec_get(struct storage_txn *txn, enum storage_db db, uint32_t id,
	    json_t **out);
int	rec_get_key(struct storage_txn *txn, enum storage_db db,
	    const void *key, size_t klen, json_t **out);
int	rec_put(struct storage_txn *txn, enum storage_db db, uint32_t id,
	    const json_t *obj);
int	rec_put_key(struct storage_txn *txn, enum storage_db db,
	    const void *key, size_t klen, const json_t *obj, unsigned flags);
int	rec_del(struct storage_txn *txn, enum storage_db db, uint32_t id);

/*
 * Call fn for each record of db whose key starts with prefix (plen may be
 * 0), in key order. obj is borrowed for the call. A non-zero return of fn
 * stops the walk and is returned.
 */
int	rec_each(struct storage_txn *txn, enum storage_db db,
	    const void *prefix, size_t plen,
	    int (*fn)(const void *key, size_t klen, json_t *obj, void *arg),
	    void *arg);

#endif /* PALAUTE_CORE_REC_H */
