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
 * Invitation: 12 random symbols (59 bits) and a check symbol, shown as
 * "XXXX-XXXX-XXXXC" (the check joins the last group). A round of 5000
 * live codes leaves a guesser one chance in 10^14 per try; the check
 * adds no secrecy, it catches a mistyped code as it is typed. Rounds
 * issued before codes had a check keep their 12 symbols (see
 * collectors_invite_hash()).
 */
#define CODES_INVITE_LEN	12	/* random symbols */
#define CODES_INVITE_FULL_LEN	(CODES_INVITE_LEN + 1)	/* and the check */
#define CODES_INVITE_GROUP	4
/* Room for the longest formatted code, its two dashes and its NUL. */
#define CODES_MAX_FORMATTED	(CODES_INVITE_FULL_LEN + \
	(CODES_INVITE_LEN - 1) / CODES_INVITE_GROUP + 1)

/*
 * The check symbol. Symbol i of a code (0-based, the check last) stands
 * for its place v_i in CODES_ALPHABET and weighs i + 1; the check is
 * chosen so that
 *
 *	sum (i + 1) * v_i == 0 (mod 31).
 *
 * 31, the size of the alphabet, is prime, so for codes of at most 30
 * symbols (weights 1..30, all different and none 0 mod 31):
 *   - changing one symbol by d != 0 changes the sum by (i + 1) * d,
 *     never 0 mod 31: every single-symbol error is caught;
 *   - swapping symbols i and j (v_i != v_j) changes it by
 *     (j - i) * (v_i - v_j), never 0 mod 31: every transposition is
 *     caught, adjacent or not;
 *   - a twin error (aa -> bb at i, i + 1) changes it by (2i + 3) * d,
 *     not 0 mod 31 for i < 14: caught too.
 * Other errors pass one time in 31. The form's JavaScript computes the
 * same (clients/www/form/codes.js).
 */
#define CODES_CHECK_MAX		30	/* symbols, the check included */

/*
 * The check symbol for the n symbols at sym (normalised, no dashes; n <
 * CODES_CHECK_MAX), to append to them. '\0' when a symbol is not of the
 * alphabet or n is out of range.
 */
char	codes_check_symbol(const char *sym, size_t n);

/*
 * True when the n symbols at sym (normalised, the check last; 2 <= n <=
 * CODES_CHECK_MAX) hold the check.
 */
bool	codes_check_ok(const char *sym, size_t n);

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
 * The same with a check symbol: len - 1 random symbols and their check
 * (2 <= len <= CODES_CHECK_MAX), dashes every group symbols except
 * before the check, which joins the last group ("ABCD-EFGH-JKMNP").
 */
int	codes_generate_checked(size_t len, size_t group, char *buf,
	    size_t buflen);

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
