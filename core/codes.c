/*
 * codes.c — enrollment and invitation codes, form slugs.
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "core/codes.h"

int
codes_generate(size_t len, size_t group, char *buf, size_t buflen)
{
	size_t	i, j = 0, need;

	need = len + (group > 0 && len > 0 ? (len - 1) / group : 0) + 1;
	if (len == 0 || buflen < need)
		return -ENAMETOOLONG;
	for (i = 0; i < len; i++) {
		if (group > 0 && i > 0 && i % group == 0)
			buf[j++] = '-';
		buf[j++] = CODES_ALPHABET[randombytes_uniform(
		    CODES_ALPHABET_LEN)];
	}
	buf[j] = '\0';
	return 0;
}

/* The place of c in the alphabet, or -1. */
static int
codes_value(char c)
{
	const char	*p;

	if (c == '\0' || (p = memchr(CODES_ALPHABET, c,
	    CODES_ALPHABET_LEN)) == NULL)
		return -1;
	return (int)(p - CODES_ALPHABET);
}

/* sum (i + 1) * v_i mod 31 over n symbols; -1 for a foreign symbol. */
static int
codes_weighted_sum(const char *sym, size_t n)
{
	unsigned int	sum = 0;
	size_t		i;
	int		v;

	for (i = 0; i < n; i++) {
		if ((v = codes_value(sym[i])) < 0)
			return -1;
		sum = (sum + (unsigned int)(i + 1) * (unsigned int)v) %
		    CODES_ALPHABET_LEN;
	}
	return (int)sum;
}

char
codes_check_symbol(const char *sym, size_t n)
{
	unsigned int	w, inv;
	size_t		k;
	int		sum;

	if (n == 0 || n >= CODES_CHECK_MAX ||
	    (sum = codes_weighted_sum(sym, n)) < 0)
		return '\0';
	/*
	 * The check c at place n weighs w = n + 1: c = -sum / w (mod 31).
	 * The inverse of w by Fermat, w^29, since 31 is prime.
	 */
	w = (unsigned int)(n + 1);
	for (inv = 1, k = 0; k < CODES_ALPHABET_LEN - 2; k++)
		inv = inv * w % CODES_ALPHABET_LEN;
	return CODES_ALPHABET[(CODES_ALPHABET_LEN - (unsigned int)sum) %
	    CODES_ALPHABET_LEN * inv % CODES_ALPHABET_LEN];
}

bool
codes_check_ok(const char *sym, size_t n)
{
	return n >= 2 && n <= CODES_CHECK_MAX &&
	    codes_weighted_sum(sym, n) == 0;
}

int
codes_generate_checked(size_t len, size_t group, char *buf, size_t buflen)
{
	char	sym[CODES_CHECK_MAX];
	size_t	i, j = 0, need;

	if (len < 2 || len > CODES_CHECK_MAX)
		return -EINVAL;
	need = len + (group > 0 ? (len - 2) / group : 0) + 1;
	if (buflen < need)
		return -ENAMETOOLONG;
	for (i = 0; i < len - 1; i++)
		sym[i] = CODES_ALPHABET[randombytes_uniform(
		    CODES_ALPHABET_LEN)];
	sym[len - 1] = codes_check_symbol(sym, len - 1);
	for (i = 0; i < len; i++) {
		/* The check joins the last group: no dash before it. */
		if (group > 0 && i > 0 && i < len - 1 && i % group == 0)
			buf[j++] = '-';
		buf[j++] = sym[i];
	}
	buf[j] = '\0';
	sodium_memzero(sym, sizeof(sym));
	return 0;
}

int
codes_normalize(const char *in, size_t want_len, char *out, size_t outlen)
{
	size_t	n = 0;
	char	c;

	if (outlen < want_len + 1)
		return -ENAMETOOLONG;
	for (; (c = *in) != '\0'; in++) {
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (memchr(CODES_ALPHABET, c, CODES_ALPHABET_LEN) == NULL ||
		    n == want_len)
			return -EINVAL;
		out[n++] = c;
	}
	if (n != want_len)
		return -EINVAL;
	out[n] = '\0';
	return 0;
}

int
codes_slug(char *buf, size_t buflen)
{
	unsigned char	bytes[CODES_SLUG_BYTES];

	if (buflen < CODES_SLUG_LEN + 1)
		return -ENAMETOOLONG;
	randombytes_buf(bytes, sizeof(bytes));
	sodium_bin2base64(buf, buflen, bytes, sizeof(bytes),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bytes, sizeof(bytes));
	return 0;
}

bool
codes_slug_valid(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == CODES_SLUG_LEN)
			return false;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return false;
	}
	return i == CODES_SLUG_LEN;
}
