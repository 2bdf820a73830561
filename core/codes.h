/*
 * codes.h — the secrets people carry on paper or in a link: kiosk
 * enrollment codes, invitation codes and form slugs. Generated from
 * libsodium's CSPRNG; only keyed hashes of codes are ever stored
 * (auth_hash()), so a code must be normalised the same way when it is
 * issued and when it is typed back in.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_CORE_CODES_H
#define PALAUTE_CORE_CODES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The letters of a typed code: digits and capitals without 0 O 1 I L,
 * which people misread on a slip or a tablet screen. 31 symbols, drawn
 * without bias (randombytes_uniform).
 */
#define CODES_ALPHABET		"23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define CODES_ALPHABET_LEN	31

/*
 * Kiosk enrollment: 10 symbols (49 bits), shown as "XXXXX-XXXXX". Enough
 * for a code that lives 24 hours, works once and is rate limited.
 */
#define CODES_ENROLL_LEN	10
#define CODES_ENROLL_GROUP	5
/*
 * Invitation: 12 symbols (59 bits), shown as "XXXX-XXXX-XXXX". A round of
 * 5000 live codes leaves a guesser one chance in 10^14 per try.
 */
#define CODES_INVITE_LEN	12
#define CODES_INVITE_GROUP	4
/* Room for the longest formatted code and its NUL. */
#define CODES_MAX_FORMATTED	(CODES_INVITE_LEN + CODES_INVITE_LEN / \
				    CODES_INVITE_GROUP + 1)

/*
 * Form slug: 16 random bytes (128 bits) in unpadded base64url, 22
 * characters of [A-Za-z0-9_-]: a link that cannot be guessed.
 */
#define CODES_SLUG_BYTES	16
#define CODES_SLUG_LEN		22

/*
 * A new code of len symbols, grouped with '-' every group symbols (group
 * 0: no dashes), into buf. -ENAMETOOLONG when buf is too small.
 */
int	codes_generate(size_t len, size_t group, char *buf, size_t buflen);

/*
 * The canonical form of a code as a person typed it: ASCII letters upper
 * cased, spaces and dashes dropped. -EINVAL for any other symbol outside
 * the alphabet, or when the result is not exactly want_len symbols;
 * -ENAMETOOLONG when out is too small. Hash this form, never the input.
 */
int	codes_normalize(const char *in, size_t want_len, char *out,
	    size_t outlen);

/* A new form slug into buf (at least CODES_SLUG_LEN + 1 bytes). */
int	codes_slug(char *buf, size_t buflen);

/* True when s has the shape of a slug codes_slug() makes. */
bool	codes_slug_valid(const char *s);

#endif /* PALAUTE_CORE_CODES_H */
