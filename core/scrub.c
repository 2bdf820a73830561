/*
 * scrub.c — one pass over a free-text answer that replaces identity codes,
 * phone numbers and e-mail addresses with placeholders (rules in scrub.h).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/scrub.h"

#define SCRUB_PHONE_MIN		7	/* "(017) 12345" and up */
#define SCRUB_PHONE_NAT_STOP	10	/* 040 123 4567: complete */
#define SCRUB_PHONE_NAT_MAX	12	/* longest Finnish national number */
#define SCRUB_PHONE_INTL_STOP	12	/* +358 40 123 4567: complete */
#define SCRUB_PHONE_INTL_MAX	15	/* E.164 */

/* ASCII only, on purpose: <ctype.h> answers depend on the locale. */
static bool
scrub_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
scrub_alnum(unsigned char c)
{
	return scrub_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

static bool
scrub_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
scrub_local_byte(unsigned char c)
{
	return scrub_alnum(c) || c >= 0x80 || c == '.' || c == '_' ||
	    c == '%' || c == '+' || c == '-';
}

static bool
scrub_domain_byte(unsigned char c)
{
	return scrub_alnum(c) || c >= 0x80 || c == '-';
}

static size_t
scrub_digits(const unsigned char *s)
{
	size_t	n = 0;

	while (scrub_digit(s[n]))
		n++;
	return n;
}

/* Length of a separator between phone digit groups at s, or 0. */
static size_t
scrub_sep(const unsigned char *s)
{
	if (s[0] == ' ' || s[0] == '-')
		return 1;
	if (s[0] == 0xc2 && s[1] == 0xa0)	/* U+00A0 no-break space */
		return 2;
	return 0;
}

/*
 * Each detector returns the length of its match at s, or 0. s is
 * NUL-terminated and every look-ahead stops at the first byte that fails,
 * so none reads past the terminator. b1 and b2 are the two bytes before,
 * as written to the output (0 before the start): right after a
 * placeholder, the text starts afresh, so that "131052-308T040 123 4567"
 * loses the phone number as well as the hetu, and a second pass would
 * find nothing more.
 */
static size_t
scrub_email(const unsigned char *s, unsigned char b1, unsigned char b2)
{
	size_t	p = 0, start, labels = 0, end = 0;
	bool	alpha;

	if (scrub_local_byte(b1))
		return 0;
	while (scrub_local_byte(s[p]))
		p++;
	if (p == 0 || s[p] != '@')
		return 0;
	p++;
	for (;;) {
		start = p;
		alpha = true;
		while (scrub_domain_byte(s[p])) {
			if (!scrub_alpha(s[p]))
				alpha = false;
			p++;
		}
		if (p == start)
			break;
		/* The address ends after the last label that can be a TLD. */
		if (++labels >= 2 && alpha && p - start >= 2)
			end = p;
		if (s[p] != '.')
			break;
		p++;
	}
	return end;
}

static size_t
scrub_hetu(const unsigned char *h, unsigned char b1, unsigned char b2)
{
	static const char	 signs[] = "+-YXWVUABCDEFyxwvuabcdef";
	unsigned		 dd, mm;
	size_t			 k;

	if (scrub_alnum(b1))
		return 0;
	for (k = 0; k < 6; k++)
		if (!scrub_digit(h[k]))
			return 0;
	dd = (unsigned)(h[0] - '0') * 10 + (unsigned)(h[1] - '0');
	mm = (unsigned)(h[2] - '0') * 10 + (unsigned)(h[3] - '0');
	if (dd < 1 || dd > 31 || mm < 1 || mm > 12)
		return 0;
	if (h[6] == '\0' || strchr(signs, h[6]) == NULL)
		return 0;
	for (k = 7; k < 10; k++)
		if (!scrub_digit(h[k]))
			return 0;
	/* Any check character: a wrong one still leaks date and number. */
	if (!scrub_alnum(h[10]))
		return 0;
	return 11;
}

static size_t
scrub_phone(const unsigned char *s, unsigned char b1, unsigned char b2)
{
	size_t		p = 0, q, n, paren, digits = 0, stop, max;
	bool		intl;

	if (scrub_alnum(b1))
		return 0;
	/* "12.03.2024", "2024-03-12", "1,05": inside a number. */
	if ((b1 == '.' || b1 == ',' || b1 == ':' || b1 == '/' ||
	    b1 == '-') && scrub_digit(b2))
		return 0;
	if (s[p] == '+' && s[p + 1] >= '1' && s[p + 1] <= '9') {
		intl = true;
		p += 1;
	} else if (s[p] == '0' && s[p + 1] == '0' && s[p + 2] >= '1' &&
	    s[p + 2] <= '9') {
		intl = true;
		p += 2;
	} else if (s[p] == '(' && s[p + 1] == '0') {
		intl = false;
		n = scrub_digits(s + p + 1);
		if (n < 2 || n > 5 || s[p + 1 + n] != ')')
			return 0;
		digits = n;
		p += n + 2;
		p += scrub_sep(s + p);
	} else if (s[p] == '0' && s[p + 1] >= '1' && s[p + 1] <= '9') {
		intl = false;
	} else
		return 0;
	stop = intl ? SCRUB_PHONE_INTL_STOP : SCRUB_PHONE_NAT_STOP;
	max = intl ? SCRUB_PHONE_INTL_MAX : SCRUB_PHONE_NAT_MAX;

	/* A longer run of digits is an account or case number, not a phone. */
	n = scrub_digits(s + p);
	if (n == 0 || digits + n > max)
		return 0;
	digits += n;
	p += n;
	while (digits < stop) {
		q = p;
		q += scrub_sep(s + q);
		/* "+358 (0)40 ...", "+1 (555) 123-4567" */
		paren = 0;
		if (intl && s[q] == '(' && (n = scrub_digits(s + q + 1)) >= 1 &&
		    n <= 4 && s[q + 1 + n] == ')') {
			paren = n;
			q += n + 2;
			q += scrub_sep(s + q);
		}
		if (q == p)
			break;
		/* A lone digit after a number is text: "... 4567 2 krt". */
		n = scrub_digits(s + q);
		if (n < 2 || digits + paren + n > max)
			break;
		digits += paren + n;
		p = q + n;
	}
	if (digits < SCRUB_PHONE_MIN)
		return 0;
	return p;
}

/* Tried in this order at each byte: an address may hold digits. */
static const struct {
	size_t		(*sd_match)(const unsigned char *, unsigned char,
			    unsigned char);
	const char	*sd_placeholder;
} scrub_detectors[] = {
	{ scrub_email,	SCRUB_EMAIL },
	{ scrub_hetu,	SCRUB_HETU },
	{ scrub_phone,	SCRUB_PHONE },
};

#define SCRUB_NDETECTORS \
	(sizeof(scrub_detectors) / sizeof(scrub_detectors[0]))

int
scrub_text(const char *in, char **out)
{
	const unsigned char	*s = (const unsigned char *)in;
	char			*buf = NULL;
	size_t			 len, i = 0, o = 0, n, d, plen;
	unsigned char		 b1, b2;
	int			 ret = -1;

	if (in == NULL || out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	/*
	 * Output is at most 9/7 of the input (a 7-digit number becomes
	 * "[puhelin]"), so twice the input always fits.
	 */
	len = strlen(in);
	if (len > (SIZE_MAX - 1) / 2) {
		ret = -EOVERFLOW;
		goto done;
	}
	if ((buf = malloc(len * 2 + 1)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	while (s[i] != '\0') {
		n = 0;
		b1 = o > 0 ? (unsigned char)buf[o - 1] : 0;
		b2 = o > 1 ? (unsigned char)buf[o - 2] : 0;
		for (d = 0; d < SCRUB_NDETECTORS && n == 0; d++)
			n = scrub_detectors[d].sd_match(s + i, b1, b2);
		if (n != 0) {
			plen = strlen(scrub_detectors[d - 1].sd_placeholder);
			memcpy(buf + o, scrub_detectors[d - 1].sd_placeholder,
			    plen);
			o += plen;
			i += n;
		} else
			buf[o++] = (char)s[i++];
	}
	buf[o] = '\0';
	*out = buf;
	buf = NULL;
	ret = 0;
done:
	free(buf);
	return ret;
}
