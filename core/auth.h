/*
 * auth.h — who is calling: bearer tokens (sessions, API tokens, kiosk
 * device tokens) resolved to a principal. Only a keyed hash of a token is
 * ever stored; comparisons are constant-time.
 *
 * A token is AUTH_TOKEN_BYTES random bytes, sent as AUTH_TOKEN_CHARS
 * characters of base64url without padding. Every kind shares one hash
 * space (purpose "token"), so one lookup resolves any bearer token.
 *
 * STORAGE_DB_TOKENS layout (keys are not secret; values are sealed):
 *   'h' | hash (33 bytes)   -> {kind, subject, expires, ref, hash}
 *        kind "session" | "api" (subject: user id) | "device" (subject:
 *        collector id); expires: Unix seconds, 0 for never; ref: the API
 *        token's id (0 otherwise); hash: hex of the key's hash, compared
 *        again with sodium_memcmp when the record is read
 *   'e' | expires BE64 | hash (41 bytes) -> {}: sessions by expiry, so
 *        that expired ones are swept without a scan
 *   'i' | id BE32 (5 bytes) -> {id, name, user, created, hash}: an API
 *        token's description for GET /api/v1/tokens (tokens.c)
 *
 * Return convention: 0 or a negative errno-style code; functions with an
 * err parameter fill it when they fail for a reason the client must see.
 */
#ifndef PALAUTE_CORE_AUTH_H
#define PALAUTE_CORE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct storage;
struct storage_txn;

#define AUTH_TOKEN_BYTES	32	/* random bytes in a token */
#define AUTH_TOKEN_CHARS	43	/* base64url of 32 bytes, no padding */
#define AUTH_HASH_BYTES		32

/* The secret that keys every hash of a token or code. */
#define AUTH_KEY_BYTES		32

/* Who is calling, resolved from a bearer token (auth_lookup()). */
enum role { ROLE_NONE, ROLE_MANAGER, ROLE_ADMIN,
	ROLE_DEVICE };

#define AUTH_MAX_SUBTREES	32

struct principal {
	enum role	pr_role;
	uint32_t	pr_user;	/* user id; collector id for a device */
	char		pr_name[64];	/* user name, for the audit log */
	uint32_t	pr_units[AUTH_MAX_SUBTREES];	/* manager's subtrees */
	size_t		pr_nunits;
	uint8_t		pr_token_hash[32];	/* keyed hash of the token */
	bool		pr_api_token;	/* an API token, not a session */
};

#define AUTH_KEY_HASH		'h'
#define AUTH_KEY_EXPIRY		'e'
#define AUTH_KEY_API		'i'

enum auth_kind {
	AUTH_SESSION,		/* POST /api/v1/session; expires */
	AUTH_API,		/* POST /api/v1/tokens; until revoked */
	AUTH_DEVICE,		/* an enrolled kiosk; ROLE_DEVICE */
	AUTH_SETPW		/* a one-time set-password link; expires */
};

/* How long a set-password link is good for. */
#define AUTH_SETPW_TTL	(72 * 60 * 60)	/* seconds */

/*
 * Resolve a token's text (no "Bearer ") within txn at time now (Unix
 * seconds) into *who. -ENOENT for a token that is unknown, malformed,
 * expired or whose user is gone; other negative codes for store failures.
 */
/*
 * The keyed-hash secret of the store into *key_out (AUTH_KEY_BYTES of
 * guarded memory: sodium_free() it), made and stored on the first start.
 */
int	auth_key_load(struct storage *st, uint8_t **key_out);

int	auth_lookup(const uint8_t *hash_key, struct storage_txn *txn,
	    const char *token, int64_t now, struct principal *who);

/* Keyed hash (BLAKE2b under the context's secret) of a token or code. */
void	auth_hash(const uint8_t *hash_key, const char *purpose,
	    const void *secret, size_t len, uint8_t out[AUTH_HASH_BYTES]);

/*
 * A new bearer token: its text into token (show it once, then wipe it)
 * and its keyed hash, the only thing to store, into hash.
 */
void	auth_token_new(const uint8_t *hash_key,
	    char token[AUTH_TOKEN_CHARS + 1], uint8_t hash[AUTH_HASH_BYTES]);

/*
 * Store the lookup record of a token (write txn). subject is the user id,
 * or for AUTH_DEVICE the collector id; expires is Unix seconds or 0 for
 * never (sessions must expire); ref is the API token's id or 0.
 * The kiosk enrollment adds device tokens with this:
 *   auth_token_new(hash_key, text, hash);
 *   auth_token_put(txn, hash, AUTH_DEVICE, collector_id, 0, 0);
 */
int	auth_token_put(struct storage_txn *txn,
	    const uint8_t hash[AUTH_HASH_BYTES], enum auth_kind kind,
	    uint32_t subject, int64_t expires, uint32_t ref);

/*
 * Use a set-password link's token (write txn): the user it was issued
 * for into *user_out, and the token is deleted, so it works once.
 * -ENOENT for a token that is unknown, used, expired or of another kind
 * (a session token sets no password, and a link is never a session).
 */
int	auth_setpw_take(const uint8_t *hash_key, struct storage_txn *txn,
	    const char *token, int64_t now, uint32_t *user_out);
/* The same without using it up (any txn): is the link good now? */
int	auth_setpw_check(const uint8_t *hash_key, struct storage_txn *txn,
	    const char *token, int64_t now, uint32_t *user_out);

/* Delete a token by its hash, with its expiry entry; -ENOENT if none. */
int	auth_token_del(struct storage_txn *txn,
	    const uint8_t hash[AUTH_HASH_BYTES]);

/*
 * Delete every token of kind whose subject is subject, and for API tokens
 * their descriptions too: a deleted user's sessions and API tokens, a
 * deleted collector's device tokens. *n_out (may be NULL) gets the count.
 */
int	auth_revoke(struct storage_txn *txn, enum auth_kind kind,
	    uint32_t subject, size_t *n_out);
/* The same, but the token whose hash is keep (may be NULL) stays. */
int	auth_revoke_except(struct storage_txn *txn, enum auth_kind kind,
	    uint32_t subject, const uint8_t *keep, size_t *n_out);

/* Delete at most max sessions that expired before now. */
int	auth_sweep(struct storage_txn *txn, int64_t now, size_t max);

/* Unix seconds now: the one wall-clock read of auth (tests wrap it). */
int64_t	auth_now(void);

#endif /* PALAUTE_CORE_AUTH_H */
