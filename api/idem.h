/*
 * idem.h — idempotency of intake: a client-made id per response, so that
 * a kiosk flushing its offline queue twice, or a form submitted again
 * after a lost reply, never counts one answer twice, even across restarts.
 *
 * What is stored is a keyed hash of (collector, id) and the response's
 * day, nothing else: not the id, not the response's key, not a time.
 *
 * STORAGE_DB_IDEMPOTENCY layout (keys are not secret; values are sealed):
 *   'h' | hash (33 bytes)  -> 4 bytes: the response's day (BE)
 * One record per response: each is a random leaf page to write in the
 * response's transaction, so there is no second index by day. A record is
 * needed while a response of its day can still be accepted
 * (IDEM_WINDOW_DAYS, see idem_day_check()); idem_sweep() drops the rest,
 * one of IDEM_SHARDS slices of the hash space at a time.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_API_IDEM_H
#define PALAUTE_API_IDEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct storage_txn;

#define IDEM_HASH_BYTES		32
#define IDEM_KEY_TAG		'h'
#define IDEM_KEYLEN		(1 + IDEM_HASH_BYTES)
/* Slices of the sweep: by the hash's first byte, so 1/256 of the records
 * each (about 5 500 of a busy site's 1.4 million in two weeks). */
#define IDEM_SHARDS		256

/*
 * Client ids: 8..64 characters of [A-Za-z0-9._:-]. A UUID (36) fits; a
 * counter like "1" does not, since two tablets' queues must not collide
 * with themselves after a factory reset.
 */
#define IDEM_ID_MIN		8
#define IDEM_ID_MAX		64

/*
 * A response's day is accepted from today - IDEM_WINDOW_DAYS to today + 1
 * (UTC): a tablet keeps its offline queue for two weeks, and its local
 * date (Finland is UTC+2/+3) runs up to one day ahead of UTC.
 */
#define IDEM_WINDOW_DAYS	14
#define IDEM_AHEAD_DAYS		1

enum idem_day {
	IDEM_DAY_OK,
	IDEM_DAY_STALE,		/* older than the window */
	IDEM_DAY_FUTURE		/* later than any local date can be */
};

/* True when id is a client id of the shape above (NUL-terminated). */
bool		idem_id_valid(const char *id);

/* Where day stands against today (both day numbers, common/util.h). */
enum idem_day	idem_day_check(int64_t day, int64_t today);

/*
 * The keyed hash of (collector, id): BLAKE2b under the 32-byte secret
 * key (the api's hash key), with its own purpose so that it shares no
 * space with token or code hashes.
 */
void	idem_hash(const uint8_t key[32], uint32_t collector, const char *id,
	    uint8_t out[IDEM_HASH_BYTES]);

void	idem_key(const uint8_t hash[IDEM_HASH_BYTES],
	    uint8_t key[IDEM_KEYLEN]);

/* Whether a response with this hash was stored (in txn's view). */
int	idem_seen(struct storage_txn *txn, const uint8_t hash[IDEM_HASH_BYTES],
	    bool *seen);

/*
 * Record the hash (write txn, in the transaction of the response):
 * -EEXIST when it is already there (the caller checked idem_seen first).
 */
int	idem_put(struct storage_txn *txn, const uint8_t hash[IDEM_HASH_BYTES],
	    uint32_t day);

/*
 * Drop the records of slice shard (0..IDEM_SHARDS-1: hashes whose first
 * byte is shard) whose day is before `before` (write txn); *n_out gets how
 * many. A whole sweep is every shard once.
 */
int	idem_sweep(struct storage_txn *txn, unsigned shard, uint32_t before,
	    size_t *n_out);

#endif /* PALAUTE_API_IDEM_H */
