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
