/*
 * kv.h — storage's internal raw key/value layer: one environment of named
 * databases, transactions and cursors over unsealed bytes. storage/lmdb.c
 * implements it and is the only file that includes <lmdb.h>; nothing above
 * storage/ may include this header.
 *
 * Return convention: 0 or a negative errno-style code:
 *   -ENOENT not found / iteration finished, -EEXIST key exists
 *   (KV_NOOVERWRITE), -ENOSPC map or transaction full, -EDQUOT the file
 *   system has no room for what a commit writes (full, or over a quota),
 *   -EAGAIN reader table full, -EIO corruption or any other engine or I/O
 *   failure, -EINVAL misuse.
 *
 * Memory: keys and values returned by kv_get() and kv_cursor_next() point
 * into the map. They are borrowed: valid until the transaction ends or, in a
 * write transaction, until the next put or delete. Copy what must outlive it.
 *
 * Threads: a write transaction and its children belong to the thread that
 * began them. Read transactions are not tied to a thread (the environment
 * is opened with MDB_NOTLS) but one must not be used by two threads at once.
 */
#ifndef PALAUTE_KV_H
#define PALAUTE_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest key: LMDB's compiled-in limit (mdb_env_get_maxkeysize()). */
#define KV_KEY_MAX		511
/* Most databases one environment may hold (mdb_env_set_maxdbs()). */
#define KV_DB_MAX		32

#define KV_NOOVERWRITE		0x1

struct kv_env;
struct kv_txn;
struct kv_cursor;

/*
 * Open (creating the files, not the directory) the environment in dir with
 * the named databases names[0..ndb-1], created if missing; database i is
 * then addressed by index i. map_size is the map's size in bytes (0: keep
 * the size recorded in the file, or LMDB's small default for a new one).
 * Refuses (-EINVAL) an environment whose flags would weaken durability.
 */
int	kv_open(const char *dir, size_t map_size, const char *const *names,
	    unsigned ndb, struct kv_env **out);
/* Accepts NULL. No transaction may be open. */
void	kv_close(struct kv_env *env);

/* Clear reader slots of dead processes; the number cleared or < 0. */
int	kv_reader_check(struct kv_env *env);

/* Map size and bytes in use (last used page * page size). */
int	kv_info(struct kv_env *env, uint64_t *map_size, uint64_t *map_used);

/*
 * Room on the disk for bytes more of the store, past its last page in
 * use. Where the file system can preallocate (fallocate(2) without
 * changing the file's size: ext4, XFS, tmpfs, btrfs), that room is
 * allocated to the data file, so that it is the store's whatever else
 * fills the disk, and the engine's next writes land in it; elsewhere it
 * only checks that bytes are free now. 0, or -EDQUOT when the file
 * system has not that much room free for this process (statvfs'
 * f_bavail: root's reserved blocks count as full), or another negative
 * errno. One thread only (the writer's): the environment remembers how
 * far it allocated. A commit in another thread meanwhile does no harm.
 */
int	kv_reserve(struct kv_env *env, uint64_t bytes);

/* Bytes free for this process on the file system of the store. */
int	kv_disk_free(struct kv_env *env, uint64_t *avail);

/*
 * Compacting, consistent copy of the environment into dir/data.mdb (mode
 * 0600, fsynced; the file must not exist) while the environment is in use.
 */
int	kv_copy(struct kv_env *env, const char *dir);

/*
 * Begin a transaction. With parent non-NULL it is a child of that write
 * transaction (write must be true): its changes join the parent on commit
 * and vanish on abort, and the parent must not be used until it ends.
 * Commit and abort free the transaction in every case, and close any cursor
 * still open in it (the cursor's owner must still kv_cursor_close() it).
 * A write transaction in which a put or delete failed commits as nothing
 * and returns that first error. A commit that fails leaves nothing of the
 * transaction behind; when the disk was full it returns -EDQUOT (see
 * kv_txn_commit in lmdb.c for how that is told from an I/O error).
 */
int	kv_txn_begin(struct kv_env *env, struct kv_txn *parent, bool write,
	    struct kv_txn **out);
int	kv_txn_commit(struct kv_txn *txn);
void	kv_txn_abort(struct kv_txn *txn);	/* accepts NULL */
bool	kv_txn_write(const struct kv_txn *txn);
/*
 * The engine's number of a top-level transaction: for a read transaction
 * the number of the newest commit its snapshot holds, for a write
 * transaction the number its commit will have. Commits count up by one.
 */
uint64_t kv_txn_id(const struct kv_txn *txn);

/* Number of entries in database db. */
int	kv_count(struct kv_txn *txn, unsigned db, uint64_t *entries);

int	kv_get(struct kv_txn *txn, unsigned db, const void *key, size_t klen,
	    const void **val, size_t *vlen);
int	kv_put(struct kv_txn *txn, unsigned db, const void *key, size_t klen,
	    const void *val, size_t vlen, unsigned flags);
int	kv_del(struct kv_txn *txn, unsigned db, const void *key,
	    size_t klen);

/*
 * Cursor over the keys of db that start with prefix (plen may be 0), in key
 * order. kv_cursor_next() yields the first such key on its first call, then
 * the following ones, and -ENOENT once past the prefix. kv_cursor_seek()
 * makes the next kv_cursor_next() start at the first key >= from (which
 * must start with the prefix). kv_cursor_del() deletes the entry last
 * yielded; the next kv_cursor_next() yields the one after it.
 */
int	kv_cursor_open(struct kv_txn *txn, unsigned db, const void *prefix,
	    size_t plen, struct kv_cursor **out);
int	kv_cursor_seek(struct kv_cursor *cur, const void *from, size_t flen);
int	kv_cursor_next(struct kv_cursor *cur, const void **key, size_t *klen,
	    const void **val, size_t *vlen);
int	kv_cursor_del(struct kv_cursor *cur);
void	kv_cursor_close(struct kv_cursor *cur);	/* accepts NULL */

#endif /* PALAUTE_KV_H */
