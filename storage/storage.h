/*
 * storage.h — Palaute's engine-neutral store: named databases of sealed
 * values in one environment, with the keys that seal them.
 *
 * Return convention: every int function returns 0 on success or a negative
 * errno-style code:
 *   -ENOENT   key (or database entry) not found; iteration finished
 *   -EEXIST   key exists (put with STORAGE_NOOVERWRITE)
 *   -ENOSPC   the map is full (answer 507, keep serving reads)
 *   -EDQUOT   the disk is full: a commit found no room, or the writer
 *             refused a write to keep the reserve (answer 507, keep
 *             serving reads; see storage_reserve)
 *   -EBADMSG  a value failed to open (wrong key, moved, tampered)
 *   -EINVAL   bad argument
 *   -EIO      any other storage failure
 *   -EACCES / -EPERM  key file permissions
 * Callers never see an engine type; no LMDB name leaks out of this header.
 *
 * Threads: one writer thread owns write transactions; read transactions may
 * be opened from any thread (one transaction per thread at a time).
 */
#ifndef PALAUTE_STORAGE_H
#define PALAUTE_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum storage_db {
	STORAGE_DB_META,	/* counters, schema version */
	STORAGE_DB_UNITS,
	STORAGE_DB_SURVEYS,
	STORAGE_DB_COLLECTORS,
	STORAGE_DB_RESPONSES,	/* written only by storage_response_put() */
	STORAGE_DB_CELLS,
	STORAGE_DB_INVITATIONS,
	STORAGE_DB_USERS,
	STORAGE_DB_TOKENS,
	STORAGE_DB_AUDIT,
	STORAGE_DB_IDEMPOTENCY,
	STORAGE_DB_DEVICES,
	STORAGE_DB_COMMENTS,	/* sealed like responses: see below */
	STORAGE_DB_COUNT
};

/* Name of a database ("units", ...), for messages and associated data. */
const char *storage_db_name(enum storage_db db);

struct storage;
struct storage_txn;
struct storage_iter;

struct storage_opts {
	const char	*so_dir;	/* state directory (created by init) */
	const char	*so_kek_path;	/* KEK file; NULL = <dir>/kek */
	const char	*so_root_key_path; /* optional key that seals the KEK file */
	size_t		 so_map_size;	/* bytes; 0 = default (see storage.c) */
	bool		 so_create;	/* create dir, store and KEK if missing */
};

/*
 * Open the store. Checks the KEK file's mode (0600 or stricter), loads it into
 * guarded memory, opens the environment with durable flags only, clears stale
 * readers. On success *out owns the store; free with storage_close().
 */
int	storage_open(const struct storage_opts *opts, struct storage **out);
void	storage_close(struct storage *st);	/* accepts NULL */

/*
 * A number that changes once a committed write transaction has changed db,
 * whether this process committed it or another one (palautectl beside the
 * daemon): the key of caches of what is derived from db. Read it before
 * beginning the read transaction the cached value is computed in, and
 * again after: when both agree, a value computed in that transaction (or
 * cached under that number) is current. A change made by another process
 * shows once any transaction of this one has begun after it. Never 0.
 */
uint64_t storage_generation(struct storage *st, enum storage_db db);

/*
 * Whether write transaction txn, or an ancestor of it, has changed db in
 * a way not committed yet (committed children count): changes that
 * storage_generation() cannot show before the top-level commit. A cache
 * checked on the writer thread is current when its generation matches and
 * this is false.
 */
bool	storage_txn_dirty(const struct storage_txn *txn, enum storage_db db);

/*
 * A journal of the keys of db that this process's commits change, for a
 * cache that would rather re-read the few keys that changed than all of
 * them (the results cache and the cells). storage_journal_keep() starts
 * it, for one db of at most STORAGE_JOURNAL_KEYMAX-byte keys, remembering
 * the last cap keys; call it once, before the writer starts (-EEXIST the
 * second time). storage_journal_read() calls fn with every key changed by
 * the commits that took storage_generation(db) from `since` to `until`
 * (both read as storage_generation() says), a key once or more, outside
 * any lock. -ESTALE when the journal cannot tell: not kept for db, too
 * short to reach back to `since`, or another process committed in that
 * span (its changes are in no journal). fn's non-zero return stops the
 * walk and is returned.
 */
#define STORAGE_JOURNAL_KEYMAX	32
int	storage_journal_keep(struct storage *st, enum storage_db db,
	    size_t cap);
int	storage_journal_read(struct storage *st, enum storage_db db,
	    uint64_t since, uint64_t until,
	    int (*fn)(const void *key, size_t klen, void *arg), void *arg);

/* Remove reader slots of dead processes; returns the number cleared or <0. */
int	storage_reader_check(struct storage *st);

struct storage_stat {
	uint64_t	ss_map_size;	/* bytes */
	uint64_t	ss_map_used;	/* bytes in use (last page * page size) */
	uint64_t	ss_entries[STORAGE_DB_COUNT];
};
int	storage_stat(struct storage *st, struct storage_stat *out);

/*
 * True when the store is open and no commit has failed with an I/O error
 * (after one the store's state on disk is in doubt until a restart).
 */
bool	storage_writable(struct storage *st);

/*
 * A full disk. The writer keeps a reserve of `bytes` allocated to the
 * store past what it holds, for the writes that must go on when the disk
 * fills (logins and logouts): storage_reserve() before each batch tops
 * it up. When the file system cannot give it (-EDQUOT), or a commit
 * fails for want of room (-EDQUOT), the store is full: storage_full() is
 * true, the writer refuses other writes, and a later storage_reserve()
 * ends the state once the disk has the reserve free again beyond it, so
 * the store recovers by itself when space is freed. Writer thread only;
 * storage_full() from any thread. Other errors of storage_reserve() (a
 * file system that cannot preallocate only checks free space) leave
 * the state as it was.
 */
int	storage_reserve(struct storage *st, uint64_t bytes);
bool	storage_full(struct storage *st);

/*
 * Transactions. A write transaction is owned by the thread that began it.
 * Nested (child) write transactions let one item of a batch fail without
 * undoing the rest. Commit or abort frees the transaction in every case.
 */
int	storage_txn_begin(struct storage *st, bool write, struct storage_txn **out);
int	storage_txn_begin_child(struct storage_txn *parent, struct storage_txn **out);
int	storage_txn_commit(struct storage_txn *txn);
void	storage_txn_abort(struct storage_txn *txn);	/* accepts NULL */

/*
 * Values. storage_put() seals val under the store key with associated data
 * (database name, key); storage_get() opens it into *val_out, a malloc()ed
 * buffer owned by the caller (NUL-terminated one byte past *len_out for
 * convenience). Keys are stored as given (not secret: never put an answer,
 * token or password in a key — use a keyed hash).
 *
 * STORAGE_DB_COMMENTS holds texts of responses, so its values are sealed
 * with the data key of (survey, month) like responses, and go with that
 * month in storage_shred(). Its keys begin survey (4 bytes BE) | month
 * (4 bytes BE, year * 12 + month - 1: storage_day_month()); -EINVAL for a
 * shorter key. A put creates the month's data key when it has none. The
 * rest of the key is its owner's (core/comments.h).
 */
#define STORAGE_COMMENTS_PREFIXLEN	8
#define STORAGE_NOOVERWRITE	0x1
int	storage_get(struct storage_txn *txn, enum storage_db db,
	    const void *key, size_t klen, void **val_out, size_t *len_out);
int	storage_put(struct storage_txn *txn, enum storage_db db,
	    const void *key, size_t klen, const void *val, size_t vlen,
	    unsigned flags);
int	storage_del(struct storage_txn *txn, enum storage_db db,
	    const void *key, size_t klen);

/*
 * Notes: a few bytes a write transaction carries to its commit, kept as
 * its writes are kept. A child's notes go to its parent when the child
 * commits and are dropped when it is rolled back, so at the top-level
 * commit the notes are those of the children that stayed: for a writer
 * that writes once per commit what its children did (the idempotency
 * records, core/idem.h; the responses, their cells and comments,
 * core/intake.h) instead of once per child.
 * storage_txn_note() copies len bytes (at most STORAGE_NOTE_MAX).
 * storage_txn_notes() calls fn with every note of txn, then of each of
 * its ancestors (what a commit up to the top would keep). A
 * transaction's own notes come in the order they were noted, and a
 * child's take the place of its commit among them, so that the notes of
 * a top-level transaction are in the order the work they tell of was
 * done. fn's non-zero return stops the walk and is returned.
 */
#define STORAGE_NOTE_MAX	32
int	storage_txn_note(struct storage_txn *txn, const void *note,
	    size_t len);
int	storage_txn_notes(struct storage_txn *txn,
	    int (*fn)(const void *note, size_t len, void *arg), void *arg);

/* Next value of a named counter (1, 2, ...), for ids. Write txn only. */
int	storage_next_id(struct storage_txn *txn, const char *counter,
	    uint32_t *id_out);

/*
 * Iteration over the keys of db that start with prefix (plen may be 0), in
 * key order. storage_iter_next() returns 0 with the next entry, -ENOENT when
 * done. The key and value it yields are owned by the iterator and valid until
 * the next call or storage_iter_free(); values are already opened.
 */
int	storage_iter_new(struct storage_txn *txn, enum storage_db db,
	    const void *prefix, size_t plen, struct storage_iter **out);
int	storage_iter_next(struct storage_iter *it, const void **key,
	    size_t *klen, const void **val, size_t *vlen);
void	storage_iter_free(struct storage_iter *it);	/* accepts NULL */

/*
 * Narrow an iteration. storage_iter_seek() makes the next
 * storage_iter_next() start at the first key >= from, which must begin
 * with the iterator's prefix (-EINVAL otherwise). storage_iter_keys() has
 * pick judge every key before its value is opened: 1 yields the entry, 0
 * passes over it without opening it (an index read by key costs no
 * decryption for what it leaves out), -ENOENT ends the iteration there,
 * any other negative code is returned by storage_iter_next(). key is
 * borrowed for the call.
 */
int	storage_iter_seek(struct storage_iter *it, const void *from,
	    size_t flen);
void	storage_iter_keys(struct storage_iter *it,
	    int (*pick)(const void *key, size_t klen, void *arg), void *arg);

/*
 * Delete entries of db whose key starts with prefix, in key order: all of
 * them when pick is NULL, else those for which pick returns
 * STORAGE_PICK_DELETE (STORAGE_PICK_KEEP passes over one, STORAGE_PICK_STOP
 * ends the walk, a negative code fails it). pick sees the opened value;
 * key and val are borrowed for the call. At most max entries go (SIZE_MAX:
 * no bound); *more_out (may be NULL) says whether one more was due. *n_out
 * (may be NULL) gets the count deleted. Write txn only. The keys are
 * collected first and deleted after the walk: no delete under an open
 * cursor.
 */
enum storage_pick { STORAGE_PICK_KEEP, STORAGE_PICK_DELETE,
	STORAGE_PICK_STOP };
typedef int	(*storage_pick_fn)(const void *key, size_t klen,
		    const void *val, size_t vlen, void *arg);
int	storage_del_prefix(struct storage_txn *txn, enum storage_db db,
	    const void *prefix, size_t plen, storage_pick_fn pick, void *arg,
	    size_t max, size_t *n_out, bool *more_out);

/*
 * Responses are sealed with the data key of (survey, month of day), created
 * on first use and stored wrapped by the KEK. The key (DESIGN.md section 4)
 * is
 *   survey (4 bytes BE) | day (4 bytes BE, days since 1970-01-01)
 *   | tag (4 bytes) | 4 random bytes
 * where the tag is drawn at random once per top-level write transaction,
 * that is once per commit, and shared by its children. So the responses
 * of one commit are neighbours (a commit writes a leaf page or two per
 * survey and day, not one per response), while the store keeps no order
 * of arrival: the tag is random, not a counter, so commits of a day sort
 * in no order of time, and the trailing bytes are random, not a
 * sequence, so neither do the responses of one commit. What the shared
 * tag tells, that those responses arrived within the same few
 * milliseconds, a kiosk's offline batch tells anyway.
 * Keys written before the tag (survey | day | 8 random bytes) have the
 * same length and prefix, and every reader looks at survey and day
 * only: both kinds are read alike, and nothing is migrated.
 */
#define STORAGE_RESPONSE_KEYLEN	16
#define STORAGE_RESPONSE_TAGOFF	8	/* where the commit's tag is */
#define STORAGE_RESPONSE_TAGLEN	4
int	storage_response_put(struct storage_txn *txn, uint32_t survey,
	    uint32_t day, const void *val, size_t vlen);
/*
 * The responses of a commit at once (the writer's, core/intake.c): each
 * of the n gets its key as storage_response_put() gives one, and they
 * are put in the order of those keys, which their random tails make an
 * order of nothing, so that the commit's run is written leaf after leaf.
 */
struct storage_response {
	uint32_t	 sr_survey;
	uint32_t	 sr_day;
	const void	*sr_val;
	size_t		 sr_vlen;
};
int	storage_responses_put(struct storage_txn *txn,
	    const struct storage_response *v, size_t n);
/*
 * Iterate a survey's responses with from <= day <= to; values opened.
 * from > to is an empty iteration, not an error.
 */
int	storage_response_iter(struct storage_txn *txn, uint32_t survey,
	    uint32_t day_from, uint32_t day_to, struct storage_iter **out);
/* Day of a response key yielded by that iterator. */
uint32_t storage_response_key_day(const void *key);

/*
 * Crypto-shredding. storage_shred() deletes, in one transaction of its own,
 * every response of (survey, month), every entry of STORAGE_DB_COMMENTS
 * of (survey, month), and then that month's wrapped data key.
 * month is year * 12 + (month - 1). Follow it with storage_rotate_kek() so
 * that copies of the old store cannot unwrap the destroyed key. Shredding a
 * month that has nothing left returns 0, so retention jobs may rerun.
 */
int	storage_shred(struct storage *st, uint32_t survey, uint32_t month);

/*
 * Rotate the KEK: a fresh key re-wraps every data key and the store key in
 * one transaction, and the KEK file is replaced atomically. A crash at any
 * point leaves a store that opens with either the old or the new file.
 * It waits for the transactions open in other threads to end (they unwrap
 * keys with the KEK of their snapshot) and holds new ones back meanwhile:
 * call it with no transaction open in the calling thread.
 */
int	storage_rotate_kek(struct storage *st);

/* Write a fresh 32-byte key file (mode 0600); -EEXIST if path exists. */
int	storage_keygen(const char *path);

/*
 * Consistent, compacting copy of the environment into dir (created, must be
 * empty) while the store stays in use. The KEK file is not copied: backups
 * of keys follow their own, shorter schedule (DESIGN.md section 6).
 */
int	storage_backup(struct storage *st, const char *dir);

/*
 * A random number below upper (> 0), uniform, for what decides where
 * something is stored (a text's place among its group's pending ones):
 * from the per-thread pool that nonces and the tails of response keys
 * come from, refilled from the kernel, rather than a system call each.
 * Unpredictable, not secret: never a key.
 */
uint32_t storage_random_uniform(uint32_t upper);

/* month index (year * 12 + month - 1) of a day number. */
uint32_t storage_day_month(uint32_t day);

#endif /* PALAUTE_STORAGE_H */
