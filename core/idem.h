/*
 * idem.h — idempotency of intake: a client-made id per response, so that
 * a kiosk flushing its offline queue twice, or a form submitted again
 * after a lost reply, never counts one answer twice, even across restarts.
 *
 * What is stored is a keyed hash of (collector, id) and the response's
 * day, nothing else: not the id, not the response's key, not a time.
 *
 * STORAGE_DB_IDEMPOTENCY layout (keys are not secret; values are sealed):
 *   'c' | day (BE32) | commit tag (8) | part (BE16)
 *       -> the hashes of that day's responses of one commit, 16 bytes
 *          each, in ascending order, at most IDEM_PART_HASHES a record
 *   'd' | day (BE32) | commit tag (8) | hash (16)  -> empty
 *                        (the second layout: read and swept)
 *   'h' | hash (32)  -> day (BE32)        (the first layout: read and swept)
 * The commit tag is drawn at random by each commit for each day it
 * writes, so the records of one commit are neighbours, and it is random,
 * not a counter, so the keys keep no order of commits within a day; the
 * hashes of a record are sorted, so it keeps no order within the commit
 * either.
 * Where a key led by the hash cost a random leaf page per response, and
 * a record per response under the commit's tag cost a sealed value and a
 * B-tree insert per response in its child transaction (and one more
 * tree for every child to copy pages of), a commit now writes one record
 * (or a few) at its end: the writer notes each hash in the child that
 * stores its response (storage_txn_note()), so the hashes of children
 * rolled back are not written.
 *
 * Lookups by hash cannot use that order: the writer thread keeps every
 * hash of the window in memory (struct idem_index: 40 to 80 bytes per
 * response of the last IDEM_WINDOW_DAYS days), read from the store in the
 * first transaction that asks and extended after each commit.
 * A record is needed while a response of its day can still be accepted
 * (IDEM_WINDOW_DAYS, see idem_day_check()); idem_sweep() drops the rest.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_CORE_IDEM_H
#define PALAUTE_CORE_IDEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct storage_txn;
struct idem_index;

/* 128 bits: a false "seen" among 10^7 hashes is a 10^-24 event. */
#define IDEM_HASH_BYTES		16
#define IDEM_TAG_BYTES		8
#define IDEM_REC_TAG		'c'
#define IDEM_REC_KEYLEN		(1 + 4 + IDEM_TAG_BYTES + 2)
/* 1.5 KiB of hashes: a record stays inside its leaf page. */
#define IDEM_PART_HASHES	96
#define IDEM_KEY_TAG		'd'
#define IDEM_KEYLEN		(1 + 4 + IDEM_TAG_BYTES + IDEM_HASH_BYTES)
#define IDEM_OLD_TAG		'h'
#define IDEM_OLD_KEYLEN		(1 + 32)

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
 * space with token or code hashes; the first IDEM_HASH_BYTES of 32.
 */
void	idem_hash(const uint8_t key[32], uint32_t collector, const char *id,
	    uint8_t out[IDEM_HASH_BYTES]);

/*
 * The index. Every call after idem_index_new() belongs to one thread (the
 * writer) and to the write transactions it runs: in each, any number of
 * idem_seen() and idem_put() (in the transaction or a child of it), then
 * idem_index_precommit() just before the commit and idem_index_done()
 * with the commit's result.
 */
int	idem_index_new(struct idem_index **out);
void	idem_index_free(struct idem_index *ix);	/* accepts NULL */

/*
 * Whether a response with this hash was stored: committed before, or put
 * earlier in this transaction by a child that was not rolled back.
 * The index keeps the days from IDEM_WINDOW_DAYS before util_today().
 */
int	idem_seen(struct idem_index *ix, struct storage_txn *txn,
	    const uint8_t hash[IDEM_HASH_BYTES], bool *seen);

/*
 * Note the hash of a response of day in the transaction (or child) that
 * stores the response; it is written by idem_index_precommit() unless
 * that child is rolled back. -EEXIST when this transaction holds it.
 */
int	idem_put(struct idem_index *ix, struct storage_txn *txn,
	    const uint8_t hash[IDEM_HASH_BYTES], uint32_t day);
/*
 * idem_put() with the hash's record written now, in txn, rather than at
 * the commit: for a response whose every write must come before a step
 * that may refuse it (an invitation code's burn, core/intake.c).
 */
int	idem_put_now(struct idem_index *ix, struct storage_txn *txn,
	    const uint8_t hash[IDEM_HASH_BYTES], uint32_t day);

/*
 * Before the top-level commit (txn): write the records of the hashes
 * noted by the children that stayed (an error fails the commit).
 */
int	idem_index_precommit(struct idem_index *ix, struct storage_txn *txn);

/*
 * After the commit: rc 0 adds the transaction's records to the index,
 * anything else forgets them. Once a day it also forgets hashes of days
 * before today - IDEM_WINDOW_DAYS.
 */
void	idem_index_done(struct idem_index *ix, int rc);

/* Hashes the index holds (0 before it has loaded). */
size_t	idem_index_count(const struct idem_index *ix);

/*
 * Drop at most max records whose day is before `before` (write txn),
 * oldest days first, all three layouts; *n_out gets how many, *more
 * whether some are left. Records whose day cannot be read go too.
 */
int	idem_sweep(struct storage_txn *txn, uint32_t before, size_t max,
	    size_t *n_out, bool *more);

#endif /* PALAUTE_CORE_IDEM_H */
