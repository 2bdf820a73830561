/*
 * keys.h — the key hierarchy behind storage: a key-encryption key (KEK) in
 * a file outside the store, and the keys it wraps inside the store's
 * internal "keys" database: one store key that seals ordinary values and one
 * data key per (survey, month) that seals responses.
 *
 * Return convention: 0 or a negative errno-style code; -EBADMSG means a key
 * did not unwrap (wrong KEK or root key), -EACCES a key file readable by
 * others. All keys live in sodium_malloc() memory and are wiped on free.
 *
 * Key files. A KEK file holds 32 raw bytes, or, when a root key is
 * configured, the KEK sealed by the root key (nonce | ciphertext | tag,
 * 72 bytes). Key files must be regular files of mode 0600 or stricter.
 * A relative key file path, when $CREDENTIALS_DIRECTORY is set, names a
 * systemd credential and is resolved in that directory
 * (LoadCredential=root.key:/etc/palaute/root.key with
 * so_root_key_path = "root.key"); otherwise it is relative to the working
 * directory. The credential directory is read-only, so put the root key
 * there, not the KEK: rotation rewrites the KEK file and never the root key.
 */
#ifndef PALAUTE_KEYS_H
#define PALAUTE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/storage.h"

struct kv_env;
struct kv_txn;

/* The internal database of wrapped keys: kv index and name. */
#define KEYS_DB		STORAGE_DB_COUNT
#define KEYS_DB_NAME	"keys"
#define KEYS_LEN	32

struct keys;

struct keys_opts {
	const char	*ko_dir;	/* state directory */
	const char	*ko_kek_path;	/* NULL: <ko_dir>/kek */
	const char	*ko_root_key_path; /* NULL: KEK file is raw */
	bool		 ko_create;	/* make missing KEK and keys */
};

/* Resolve a key file path as described above into buf. */
int	keys_resolve_path(const char *path, char *buf, size_t len);

/*
 * Read a key file of exactly len bytes into fresh sodium_malloc() memory
 * (*key_out, free with sodium_free()). -EACCES if its mode allows group or
 * other access (or execution), -EINVAL if it is not a regular file of
 * len bytes.
 */
int	keys_file_read(const char *path, size_t len,
	    unsigned char **key_out);

/* Write 32 random bytes to a new file (mode 0600); -EEXIST if it exists. */
int	keys_keygen(const char *path);

/*
 * Load the KEK and the store key for the environment kv. A new store
 * (no KEK check record) is set up only with ko_create: a missing KEK file
 * is then generated, and the store key and check record are written.
 * An interrupted rotation ("<kek>.new" present) is finished or undone
 * here, by which of the two files opens the check record. -EBADMSG when
 * neither does.
 */
int	keys_open(struct kv_env *kv, const struct keys_opts *opts,
	    struct keys **out);
void	keys_close(struct keys *k);	/* accepts NULL */

/* The store key: valid until keys_close(), read-only memory. */
const unsigned char *keys_store_key(const struct keys *k);

/*
 * The data key of (survey, month) into dk_out (KEYS_LEN bytes of guarded
 * memory). With create (write txn only) a missing key is made and stored,
 * wrapped, in txn; otherwise a missing key is -ENOENT.
 */
int	keys_data_key(struct keys *k, struct kv_txn *txn, uint32_t survey,
	    uint32_t month, bool create, unsigned char *dk_out);
/* Delete the wrapped data key of (survey, month); -ENOENT if none. */
int	keys_data_key_del(struct kv_txn *txn, uint32_t survey,
	    uint32_t month);

/*
 * Rotate the KEK: write a fresh KEK to "<kek>.new", re-wrap every key in
 * one transaction, then rename "<kek>.new" over the KEK file. stop ends
 * early, as a crash would, for tests of the recovery in keys_open():
 * after KEYS_ROTATE_WRITTEN only the .new file exists; after
 * KEYS_ROTATE_COMMITTED the store is re-wrapped (and k uses the new KEK)
 * but the rename has not happened. No other transaction may be open.
 */
enum keys_rotate_stop {
	KEYS_ROTATE_ALL,
	KEYS_ROTATE_WRITTEN,
	KEYS_ROTATE_COMMITTED
};
int	keys_rotate(struct keys *k, struct kv_env *kv,
	    enum keys_rotate_stop stop);

#endif /* PALAUTE_KEYS_H */
