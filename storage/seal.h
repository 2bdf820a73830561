/*
 * seal.h — the one place that seals and opens bytes: XChaCha20-Poly1305-IETF
 * with a random nonce per value, associated data naming where a value lives.
 *
 * Return convention: 0 or a negative errno-style code. -EBADMSG means the
 * bytes did not open: wrong key, tampered, or sealed for another place.
 * Keys are SEAL_KEYBYTES bytes that the caller keeps in sodium_malloc()
 * memory; nothing here copies a key.
 */
#ifndef PALAUTE_SEAL_H
#define PALAUTE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define SEAL_KEYBYTES		32
#define SEAL_NONCEBYTES		24
#define SEAL_TAGBYTES		16
/* A sealed value is nonce | ciphertext | tag: this many bytes longer. */
#define SEAL_OVERHEAD		(SEAL_NONCEBYTES + SEAL_TAGBYTES)
/* A wrapped key: nonce | sealed key | tag. */
#define SEAL_WRAPPEDBYTES	(SEAL_OVERHEAD + SEAL_KEYBYTES)
/* Longest database key the associated data can name (LMDB's limit). */
#define SEAL_KEY_MAX		511
/* Key id of values sealed with the store key (data keys use the month). */
#define SEAL_KID_STORE		0

/*
 * Where a value lives. All of it goes into the associated data, so a value
 * copied to another key or database, or sealed by another key id, fails to
 * open instead of opening as something it is not.
 */
struct seal_ad {
	const char	*sad_db;	/* database name, 1..64 bytes */
	uint32_t	 sad_kid;	/* which key sealed it */
	const void	*sad_key;	/* the database key */
	size_t		 sad_klen;	/* 0..SEAL_KEY_MAX */
};

/* Initialise libsodium (idempotent, thread-safe). -EIO if it cannot. */
int	seal_init(void);

/*
 * n random bytes that will be stored in the clear: nonces, the random
 * tails of database keys. Drawn from a per-thread pool refilled from the
 * kernel and emptied in a forked child, so they never repeat.
 */
void	seal_random_public(void *buf, size_t n);

/*
 * Seal pt (ptlen bytes, may be 0) into out, which must hold
 * ptlen + SEAL_OVERHEAD bytes (outlen says how many it holds).
 */
int	seal_value(const unsigned char *key, const struct seal_ad *ad,
	    const void *pt, size_t ptlen, void *out, size_t outlen);

/*
 * Open in (inlen bytes) into out (outcap bytes, at least
 * inlen - SEAL_OVERHEAD); *outlen_out gets the plaintext length. out is
 * left zeroed when the value does not open. in and out must not overlap.
 */
int	seal_open(const unsigned char *key, const struct seal_ad *ad,
	    const void *in, size_t inlen, void *out, size_t outcap,
	    size_t *outlen_out);

/*
 * Wrap a SEAL_KEYBYTES key under kek into out (SEAL_WRAPPEDBYTES). what
 * (wlen bytes, at most SEAL_KEY_MAX) names what is wrapped — the slot it is
 * stored in — and is bound as associated data, so a wrapped key moved to
 * another slot does not unwrap.
 */
int	seal_wrap(const unsigned char *kek, const void *what, size_t wlen,
	    const unsigned char *key, unsigned char *out);
/* Unwrap into key_out (SEAL_KEYBYTES, guarded memory); -EBADMSG if not. */
int	seal_unwrap(const unsigned char *kek, const void *what, size_t wlen,
	    const void *in, size_t inlen, unsigned char *key_out);

#endif /* PALAUTE_SEAL_H */
