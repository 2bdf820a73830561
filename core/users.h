/*
 * users.h — accounts: admins and managers, their Argon2id password hashes,
 * and their records (the routes are api/routes/users.c).
 *
 * STORAGE_DB_USERS layout (values sealed like every value):
 *   id BE32 (4 bytes)       -> {id, username, role, units, created, hash}
 *        role "admin" | "manager"; units: the unit ids whose subtrees a
 *        manager sees; created: "YYYY-MM-DD"; hash: crypto_pwhash_str
 *   'n' | keyed hash of the lower-cased name (33 bytes) -> {id}
 *        the by-name index; keyed (auth_hash, purpose "username") so that
 *        names do not lie readable in the store's keys
 * The two kinds differ in key length, so walks skip the index by length.
 *
 * Return convention: 0 or a negative errno-style code; functions with an
 * err parameter fill it when they fail for a reason the client must see.
 */
#ifndef PALAUTE_CORE_USERS_H
#define PALAUTE_CORE_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "core/auth.h"

struct storage_txn;

#define USERS_NAME_MIN		3
#define USERS_NAME_MAX		64	/* bytes; ASCII only */
#define USERS_PASSWORD_MIN	12	/* characters (code points) */
#define USERS_PASSWORD_MAX	1024	/* bytes: bounds the hash's input */
#define USERS_HASH_MAX		128	/* crypto_pwhash_STRBYTES */
/* The service's name: a context word NIST would have refused too. */
#define USERS_PASSWORD_BADWORDS	"palaute"

/* A user to create: the password is already hashed. */
struct users_new {
	const char	*un_name;
	const char	*un_hash;	/* users_hash_password() */
	enum role	 un_role;	/* ROLE_ADMIN or ROLE_MANAGER */
	uint32_t	 un_units[AUTH_MAX_SUBTREES];
	size_t		 un_nunits;
};

/* A name of USERS_NAME_MIN..MAX letters, digits, '.', '_', '@', '-'. */
int	users_check_name(const char *name, struct error *err);

/*
 * The password policy, in the spirit of NIST SP 800-63B section 5.1.1.2:
 * length and a blocklist, never composition rules or expiry. Whether the
 * user called name may set password: err gets the first of these rules
 * it breaks, in this order (field "password"; each code is 422):
 *   ERR_PASSWORD_TOO_LONG	more than USERS_PASSWORD_MAX bytes
 *   ERR_PASSWORD_TOO_SHORT	fewer than USERS_PASSWORD_MIN characters,
 *				counted as code points, not bytes
 *   ERR_PASSWORD_BLANK		nothing but white space and invisible
 *				characters (zero-width space, BOM...)
 *   ERR_PASSWORD_USERNAME	holds the user name or its reverse, in any
 *				case (pwquality's usercheck; it skips names
 *				of 3 characters, which turn up inside words
 *				by chance)
 *   ERR_PASSWORD_COMMON	easy to guess, as libpwquality and cracklib's
 *				dictionary judge it: a dictionary word and its
 *				usual manglings, too few different characters,
 *				a run like "abcdef" or "123456", a palindrome,
 *				USERS_PASSWORD_BADWORDS; and a password whose
 *				core, with the digits, punctuation and spaces
 *				around it taken off, is any of those (cracklib
 *				alone lets "password1234" through)
 * pwquality's settings are made here, never read from
 * /etc/security/pwquality.conf: that file is for the system's login
 * passwords, and a composition rule an admin put there for them would
 * break the API's contract. The dictionary is the system's, cracklib's
 * (update-cracklib adds word lists to it).
 *
 * Returns 0, -EINVAL with err filled (the codes above, or ERR_INVALID for
 * text that is not UTF-8), -EIO with err ERR_UNAVAILABLE when cracklib
 * refuses every password (no dictionary; logged), or -ENOMEM. Reads the
 * dictionary, up to tens of milliseconds: never on the event loop. Safe
 * from any thread (cracklib is not: calls into it are serialised).
 */
int	users_check_password(const char *name, const char *password,
	    struct error *err);

/*
 * Argon2id with at least libsodium's INTERACTIVE limits (about 0.1 s and
 * 64 MiB): never on the event loop. -ENOMEM when the memory is not there.
 */
int	users_hash_password(const char *password, char out[USERS_HASH_MAX]);
/*
 * A copy of a password that jansson parsed, in guarded memory (free it
 * with sodium_free), and jansson's copy wiped, since jansson frees it
 * without wiping. NULL when out of memory; the parsed one is wiped anyway.
 */
char	*users_password_keep(const char *parsed);

/* Whether password matches hash; takes as long as hashing does. */
bool	users_verify_password(const char *hash, const char *password);

/*
 * Create a user in txn (a write transaction) and append "user.create" by
 * who to the audit log. -EEXIST (err: username) when the name is taken,
 * whatever its case; -EINVAL (err: units[i]) when a unit does not exist.
 * *id_out gets the new id, *public_out (may be NULL; caller decrefs) the
 * record as the API shows it.
 */
int	users_insert(const uint8_t *hash_key, struct storage_txn *txn,
	    const char *who, const struct users_new *u, uint32_t *id_out,
	    json_t **public_out, struct error *err);

/*
 * The record of the user named name (any case), a new reference with the
 * password hash in it: keep it away from replies. -ENOENT if none.
 */
int	users_find(const uint8_t *hash_key, struct storage_txn *txn,
	    const char *name, json_t **rec_out);

/* Fill role, id, name and units of *who from user id's record. */
int	users_principal(struct storage_txn *txn, uint32_t id,
	    struct principal *who);

/*
 * Take unit out of every manager's units in txn (a write transaction), for
 * a unit being deleted; the ids of the managers changed are appended to
 * changed. A manager left with no units sees nothing until given some.
 */
int	users_drop_unit(struct storage_txn *txn, uint32_t unit,
	    json_t *changed);

/* The record as the API shows it: without the hash. New reference. */
json_t	*users_public(const json_t *rec);

/*
 * Delete user id, named name, with its name index, sessions and API
 * tokens (write txn); the counts of revoked ones into the out parameters.
 */
int	users_remove(struct storage_txn *txn, const uint8_t *hash_key,
	    uint32_t id, const char *name, size_t *nsess_out, size_t *napi_out);

const char *users_role_name(enum role r);

int	users_role_parse(const char *s, enum role *out);

/* The units as the record holds them, each checked to exist. */
int	users_units_json(struct storage_txn *txn, const uint32_t *ids,
	    size_t n, json_t **out, struct error *err);

#endif /* PALAUTE_CORE_USERS_H */
