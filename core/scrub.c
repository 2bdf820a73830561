/*
 * scrub.c — one pass over a free-text answer that replaces identity codes,
 * phone numbers, e-mail addresses and bank accounts with placeholders
 * (rules in scrub.h). The detectors read the text through a normalising
 * view of its code points; what they do not match is copied byte for byte.
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
#define SCRUB_PHONE_AREA_MAX	4	/* "0457/", the longest prefix */
#define SCRUB_PHONE_DOT_GROUP	3	/* "040.709.5109", never "08.00" */
#define SCRUB_PHONE_SLASH_REST	5	/* "09/123 45"; never "045/2024" */
#define SCRUB_YTUNNUS_DIGITS	7	/* 1234567-8 */
#define SCRUB_IBAN_DIGITS	16	/* FI, 2 check digits, 14 of account */
#define SCRUB_GAP_MAX		3	/* "040  123", "-\n 308T", no more */
#define SCRUB_TLD_MAX		4	/* the longest in scrub_tlds */

/*
 * The view. Each code point reads as one byte: ASCII as itself, the
 * look-alikes people and phone keyboards type as the ASCII they stand
 * for, anything else as SCRUB_OTHER; the invisible ones as SCRUB_SKIP,
 * which the detectors read through as if absent.
 */
#define SCRUB_OTHER	0x80	/* "ä", "😀", or a byte that is not UTF-8 */
#define SCRUB_SKIP	0x81

#define SCRUB_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Sorted by code point; full-width ASCII is a range (scrub_norm). */
static const struct {
	uint32_t	sn_cp;
	unsigned char	sn_c;
} scrub_norms[] = {
	{ 0x0085, '\n' },	/* next line */
	{ 0x00a0, ' ' },	/* no-break space */
	{ 0x00ad, SCRUB_SKIP },	/* soft hyphen */
	{ 0x2007, ' ' },	/* figure space */
	{ 0x2009, ' ' },	/* thin space */
	{ 0x200b, SCRUB_SKIP },	/* zero-width space */
	{ 0x200c, SCRUB_SKIP },	/* zero-width non-joiner */
	{ 0x200d, SCRUB_SKIP },	/* zero-width joiner */
	{ 0x2010, '-' },	/* hyphen */
	{ 0x2011, '-' },	/* non-breaking hyphen */
	{ 0x2012, '-' },	/* figure dash */
	{ 0x2013, '-' },	/* en dash */
	{ 0x2028, '\n' },	/* line separator */
	{ 0x2029, '\n' },	/* paragraph separator */
	{ 0x202f, ' ' },	/* narrow no-break space */
	{ 0x2060, SCRUB_SKIP },	/* word joiner */
	{ 0x2212, '-' },	/* minus sign */
	{ 0x3000, ' ' },	/* ideographic space */
	{ 0xfeff, SCRUB_SKIP },	/* byte order mark */
};

static unsigned char
scrub_norm(uint32_t cp)
{
	size_t	i;

	/* U+FF01-FF5E: full-width "!" to "~", digits and "＠" among them. */
	if (cp >= 0xff01 && cp <= 0xff5e)
		return (unsigned char)(cp - 0xff01 + '!');
	for (i = 0; i < SCRUB_NITEMS(scrub_norms); i++)
		if (scrub_norms[i].sn_cp == cp)
			return scrub_norms[i].sn_c;
	return SCRUB_OTHER;
}

/*
 * The length of the well-formed UTF-8 sequence of two bytes or more at s
 * and its code point in *cp, or 0: no overlong forms, no surrogates.
 */
static size_t
scrub_utf8(const unsigned char *s, uint32_t *cp)
{
	uint32_t	c, min;
	size_t		len, k;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		min = 0x80;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		min = 0x800;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		min = 0x10000;
		c = s[0] & 0x07;
	} else
		return 0;
	/* The terminating NUL is no continuation byte: no read past it. */
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * One code point at s as the view reads it, in *c; returns its length in
 * bytes, 0 at the end. A byte that starts no well-formed sequence is a
 * character of its own, so that the view never stops on bad input.
 */
static size_t
scrub_char(const unsigned char *s, unsigned char *c)
{
	uint32_t	cp;
	size_t		len;

	switch (s[0]) {
	case '\0':
		*c = 0;
		return 0;
	case '\t':
		*c = ' ';
		return 1;
	case '\r':
		*c = '\n';
		return s[1] == '\n' ? 2 : 1;
	}
	if (s[0] < 0x80) {
		*c = s[0];
		return 1;
	}
	if ((len = scrub_utf8(s, &cp)) == 0) {
		*c = SCRUB_OTHER;
		return 1;
	}
	*c = scrub_norm(cp);
	return len;
}

/*
 * The character at offset p of s as the detectors see it, past any
 * invisible ones; *next is the offset after it. At the end of the text
 * it is 0, which no detector accepts, and *next stays at the end.
 */
static unsigned char
scrub_peek(const unsigned char *s, size_t p, size_t *next)
{
	unsigned char	c;
	size_t		len;

	/* Most of a text is printable ASCII, which reads as itself. */
	if (s[p] >= 0x20 && s[p] < 0x7f) {
		*next = p + 1;
		return s[p];
	}
	while ((len = scrub_char(s + p, &c)) != 0 && c == SCRUB_SKIP)
		p += len;
	*next = p + len;
	return c;
}

/* Classes of what the view reads: ASCII only, not <ctype.h>'s locale. */
static bool
scrub_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
scrub_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
scrub_alnum(unsigned char c)
{
	return scrub_digit(c) || scrub_alpha(c);
}

static unsigned char
scrub_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool
scrub_local_char(unsigned char c)
{
	return scrub_alnum(c) || c == SCRUB_OTHER || c == '.' || c == '_' ||
	    c == '%' || c == '+' || c == '-';
}

static bool
scrub_domain_char(unsigned char c)
{
	return scrub_alnum(c) || c == SCRUB_OTHER || c == '-';
}

/* The run of digits at p, how many; *end after it. */
static size_t
scrub_digits(const unsigned char *s, size_t p, size_t *end)
{
	size_t	n = 0, q;

	while (scrub_digit(scrub_peek(s, p, &q))) {
		p = q;
		n++;
	}
	*end = p;
	return n;
}

/* Exactly n digits at p (n <= 9), their value in *val; *end after them. */
static bool
scrub_fixed(const unsigned char *s, size_t p, size_t n, unsigned *val,
    size_t *end)
{
	unsigned char	c;
	unsigned	v = 0;

	while (n-- > 0) {
		if (!scrub_digit(c = scrub_peek(s, p, &p)))
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*val = v;
	*end = p;
	return true;
}

/* The ASCII word w (lower case) at p, in either case; *end after it. */
static bool
scrub_word(const unsigned char *s, size_t p, const char *w, size_t *end)
{
	for (; *w != '\0'; w++)
		if (scrub_lower(scrub_peek(s, p, &p)) != (unsigned char)*w)
			return false;
	*end = p;
	return true;
}

/*
 * Blanks that may stand inside a code: up to SCRUB_GAP_MAX spaces of any
 * width, one of them at most a line break (a code wrapped at the end of
 * a line; a blank line between two numbers parts them). Returns how many
 * there are, *end after them; *wrapped if one was a line break.
 */
static size_t
scrub_gap(const unsigned char *s, size_t p, size_t *end, bool *wrapped)
{
	unsigned char	c;
	size_t		n, q;
	bool		nl = false;

	for (n = 0; n < SCRUB_GAP_MAX; n++) {
		c = scrub_peek(s, p, &q);
		if (c == '\n' && !nl)
			nl = true;
		else if (c != ' ')
			break;
		p = q;
	}
	*end = p;
	if (wrapped != NULL)
		*wrapped = nl;
	return n;
}

/* A line break, with blanks around it, at p; else nothing. */
static size_t
scrub_wrap(const unsigned char *s, size_t p)
{
	size_t	q;
	bool	wrapped;

	scrub_gap(s, p, &q, &wrapped);
	return wrapped ? q : p;
}

/*
 * Each detector returns the length of its match at s, or 0. s is
 * NUL-terminated and every look-ahead stops at the first character that
 * fails, so none reads past the terminator. b1 and b2 are the two
 * characters before, as written to the output and read by the view (0
 * before the start): right after a placeholder, the text starts afresh,
 * so that "131052-308T040 123 4567" loses the phone number as well as
 * the hetu, and a second pass would find nothing more.
 *
 * No placeholder reads as a spelling of "@" or "." ("[at]", "[dot]"), and
 * each starts with "[", which ends every run a detector reads: a text
 * that a placeholder now follows gives no match it did not give before.
 */

/*
 * The "@" of an address at p, in any spelling: "@" (full-width too),
 * "(at)", "[at]", "{at}", blanks around each allowed, or a bare " at ".
 * *bare tells the last, whose address must end in a common top-level
 * domain: "I was at home.Then" is no address.
 */
static bool
scrub_at(const unsigned char *s, size_t p, size_t *end, bool *bare)
{
	static const char *const	at[] = { "@", "(at)", "[at]", "{at}" };
	size_t				q, r, before, i;

	before = scrub_gap(s, p, &q, NULL);
	for (i = 0; i < SCRUB_NITEMS(at); i++)
		if (scrub_word(s, q, at[i], &r)) {
			scrub_gap(s, r, end, NULL);
			*bare = false;
			return true;
		}
	if (before > 0 && scrub_word(s, q, "at", &r) &&
	    scrub_gap(s, r, end, NULL) > 0) {
		*bare = true;
		return true;
	}
	return false;
}

/* The "." between labels at p: ".", "(dot)", "[dot]", "{dot}", " dot ". */
static bool
scrub_dot(const unsigned char *s, size_t p, size_t *end)
{
	static const char *const	dot[] = { "(dot)", "[dot]", "{dot}" };
	size_t				q, r, before, i;

	if (scrub_peek(s, p, &q) == '.') {
		*end = q;
		return true;
	}
	before = scrub_gap(s, p, &q, NULL);
	for (i = 0; i < SCRUB_NITEMS(dot); i++)
		if (scrub_word(s, q, dot[i], &r)) {
			scrub_gap(s, r, end, NULL);
			return true;
		}
	return before > 0 && scrub_word(s, q, "dot", &r) &&
	    scrub_gap(s, r, end, NULL) > 0;
}

/* The top-level domains a bare " at " address may end in. */
static bool
scrub_tld(const char *tld, size_t len)
{
	static const char *const	tlds[] = {
		"fi", "ax", "se", "ee", "no", "dk", "eu", "de", "uk", "ru",
		"com", "net", "org", "info", "io", "me",
	};
	size_t				i;

	for (i = 0; i < SCRUB_NITEMS(tlds); i++)
		if (strlen(tlds[i]) == len && memcmp(tlds[i], tld, len) == 0)
			return true;
	return false;
}

static size_t
scrub_email(const unsigned char *s, unsigned char b1, unsigned char b2)
{
	char		tld[SCRUB_TLD_MAX];
	unsigned char	c;
	size_t		p = 0, q, n, labels = 0, end = 0;
	bool		alpha, bare;

	if (scrub_local_char(b1))
		return 0;
	for (n = 0; scrub_local_char(scrub_peek(s, p, &q)); n++)
		p = q;
	if (n == 0 || !scrub_at(s, p, &p, &bare))
		return 0;
	for (;;) {
		alpha = true;
		for (n = 0; scrub_domain_char(c = scrub_peek(s, p, &q)); n++) {
			if (!scrub_alpha(c))
				alpha = false;
			else if (n < sizeof(tld))
				tld[n] = (char)scrub_lower(c);
			p = q;
		}
		if (n == 0)
			break;
		/* The address ends after the last label that can be a TLD. */
		if (++labels >= 2 && alpha && n >= 2 &&
		    (!bare || (n <= sizeof(tld) && scrub_tld(tld, n))))
			end = p;
		if (!scrub_dot(s, p, &p))
			break;
	}
	return end;
}

static size_t
scrub_hetu(const unsigned char *s, unsigned char b1, unsigned char b2)
{
	static const char	 signs[] = "+-yxwvuabcdef";
	unsigned		 dd, mm, v;
	unsigned char		 c;
	size_t			 p, q;

	if (scrub_alnum(b1))
		return 0;
	if (!scrub_fixed(s, 0, 2, &dd, &p) || !scrub_fixed(s, p, 2, &mm, &p) ||
	    !scrub_fixed(s, p, 2, &v, &p))
		return 0;
	if (dd < 1 || dd > 31 || mm < 1 || mm > 12)
		return 0;
	c = scrub_lower(scrub_peek(s, scrub_wrap(s, p), &p));
	if (c == 0 || strchr(signs, c) == NULL)
		return 0;
	if (!scrub_fixed(s, scrub_wrap(s, p), 3, &v, &p))
		return 0;
	/* Any check character: a wrong one still leaks date and number. */
	if (!scrub_alnum(scrub_peek(s, p, &q)))
		return 0;
	return q;
}

static size_t
scrub_iban(const unsigned char *s, unsigned char b1, unsigned char b2)
{
	size_t	p, q, n;

	if (scrub_alnum(b1) || !scrub_word(s, 0, "fi", &p))
		return 0;
	for (n = 0; n < SCRUB_IBAN_DIGITS; n++) {
		/* Blanks or a dash between any two: "FI21 1234 5600 ...". */
		if (scrub_peek(s, p, &q) == '-')
			p = q;
		else
			scrub_gap(s, p, &p, NULL);
		if (!scrub_digit(scrub_peek(s, p, &p)))
			return 0;
	}
	/* More digits or letters make another kind of number. */
	if (scrub_alnum(scrub_peek(s, p, &q)))
		return 0;
	return p;
}

/* A date whose day starts with 0: 01.04.2024, 01-04-24, 03/12/2024. */
static bool
scrub_date(const unsigned char *s)
{
	unsigned	dd, mm;
	unsigned char	mark;
	size_t		p, n;

	if (!scrub_fixed(s, 0, 2, &dd, &p))
		return false;
	mark = scrub_peek(s, p, &p);
	if ((mark != '.' && mark != '-' && mark != '/') ||
	    !scrub_fixed(s, p, 2, &mm, &p) || scrub_peek(s, p, &p) != mark)
		return false;
	n = scrub_digits(s, p, &p);
	return (n == 2 || n == 4) && dd >= 1 && dd <= 31 && mm >= 1 &&
	    mm <= 12;
}

/* A business id (Y-tunnus): seven digits, a dash, one check digit. */
static bool
scrub_ytunnus(const unsigned char *s)
{
	unsigned	v;
	size_t		p;

	return scrub_fixed(s, 0, SCRUB_YTUNNUS_DIGITS, &v, &p) &&
	    scrub_peek(s, p, &p) == '-' && scrub_digit(scrub_peek(s, p, &p)) &&
	    !scrub_alnum(scrub_peek(s, p, &p));
}

/*
 * The separator between two groups of a phone number at p: blanks
 * (scrub_gap), a dash or "/" with or without blanks around it, or a "."
 * with none. Returns its mark ('-', '/', '.', or ' ' for blanks alone),
 * *end after it; 0 if there is none.
 */
static unsigned char
scrub_phone_sep(const unsigned char *s, size_t p, size_t *end)
{
	unsigned char	c;
	size_t		q, r, before, after;

	before = scrub_gap(s, p, &q, NULL);
	c = scrub_peek(s, q, &r);
	if (c != '-' && c != '/' && c != '.') {
		*end = q;
		return before > 0 ? ' ' : 0;
	}
	after = scrub_gap(s, r, end, NULL);
	/* "040.709.5109" is tight; "klo 9. 040..." ends a sentence. */
	if (c == '.' && before + after > 0)
		return 0;
	return c;
}

static size_t
scrub_phone(const unsigned char *s, unsigned char b1, unsigned char b2)
{
	unsigned char	c0, c1, c2, mark, inner;
	size_t		p, q, r, n, paren, digits = 0, first, stop, max;
	size_t		slash_p = 0, slash_digits = 0;
	bool		intl, slash = false;

	if (scrub_alnum(b1))
		return 0;
	/* "12.03.2024", "2024-03-12", "1,05": inside a number. */
	if ((b1 == '.' || b1 == ',' || b1 == ':' || b1 == '/' ||
	    b1 == '-') && scrub_digit(b2))
		return 0;
	c0 = scrub_peek(s, 0, &p);
	if (c0 != '+' && c0 != '(' && c0 != '0')
		return 0;
	if (scrub_date(s) || scrub_ytunnus(s))
		return 0;
	c1 = scrub_peek(s, p, &q);
	c2 = scrub_peek(s, q, &r);
	if (c0 == '+' && c1 >= '1' && c1 <= '9') {
		intl = true;
	} else if (c0 == '0' && c1 == '0' && c2 >= '1' && c2 <= '9') {
		intl = true;
		p = q;
	} else if (c0 == '(' && c1 == '0') {
		intl = false;
		n = scrub_digits(s, p, &p);
		if (n < 2 || n > 5 || scrub_peek(s, p, &p) != ')')
			return 0;
		digits = n;
		if ((mark = scrub_phone_sep(s, p, &q)) == ' ' || mark == '-')
			p = q;
	} else if (c0 == '0' && c1 >= '1' && c1 <= '9') {
		intl = false;
		p = 0;
	} else
		return 0;
	stop = intl ? SCRUB_PHONE_INTL_STOP : SCRUB_PHONE_NAT_STOP;
	max = intl ? SCRUB_PHONE_INTL_MAX : SCRUB_PHONE_NAT_MAX;

	/* A longer run of digits is an account or case number, not a phone. */
	first = scrub_digits(s, p, &p);
	if (first == 0 || digits + first > max)
		return 0;
	digits += first;
	while (digits < stop) {
		mark = scrub_phone_sep(s, p, &q);
		/* "+358 (0)40 ...", "+1 (555) 123-4567" */
		paren = 0;
		if (intl && scrub_peek(s, q, &r) == '(' &&
		    (n = scrub_digits(s, r, &r)) >= 1 && n <= 4 &&
		    scrub_peek(s, r, &r) == ')') {
			paren = n;
			q = r;
			inner = scrub_phone_sep(s, q, &r);
			if (inner == ' ' || inner == '-')
				q = r;
		}
		if (mark == 0 && paren == 0)
			break;
		/* "/" only after the area code: "040/709 5109". */
		if (mark == '/' && (intl || digits != first ||
		    first > SCRUB_PHONE_AREA_MAX))
			break;
		/* A lone digit after a number is text: "... 4567 2 krt". */
		n = scrub_digits(s, q, &r);
		if (n < 2 || digits + paren + n > max)
			break;
		if (mark == '.' && n < SCRUB_PHONE_DOT_GROUP)
			break;
		if (mark == '/') {
			slash = true;
			slash_p = p;
			slash_digits = digits;
		}
		digits += paren + n;
		p = r;
	}
	/* "045/2024" is a case number: a subscriber number has 5 digits. */
	if (slash && digits - slash_digits < SCRUB_PHONE_SLASH_REST) {
		p = slash_p;
		digits = slash_digits;
	}
	if (digits < SCRUB_PHONE_MIN)
		return 0;
	return p;
}

/* Tried in this order at each character: an address may hold digits. */
static const struct {
	size_t		(*sd_match)(const unsigned char *, unsigned char,
			    unsigned char);
	const char	*sd_placeholder;
} scrub_detectors[] = {
	{ scrub_email,	SCRUB_EMAIL },
	{ scrub_hetu,	SCRUB_HETU },
	{ scrub_iban,	SCRUB_BANK },
	{ scrub_phone,	SCRUB_PHONE },
};

size_t
scrub_max_length(size_t n)
{
	if (n > (SIZE_MAX - 6) / 9)
		return SIZE_MAX;
	return (n * 9 + 6) / 7;
}

bool
scrub_plain(const char *in)
{
	const unsigned char	*s = (const unsigned char *)in;
	unsigned char		 c, prev = ' ';
	size_t			 clen;

	while ((clen = scrub_char(s, &c)) != 0) {
		/* Outside ASCII, only what reads as nothing of the rules'. */
		if (s[0] >= 0x80 && c != SCRUB_OTHER)
			return false;
		if (scrub_digit(c) || c == '@')
			return false;
		/* "at" after a blank, a bracket or the start: " at ". */
		if (scrub_lower(c) == 'a' && scrub_lower(s[clen]) == 't' &&
		    !scrub_alpha(prev))
			return false;
		prev = c;
		s += clen;
	}
	return true;
}

int
scrub_text(const char *in, char **out)
{
	char	*copy;

	if (in == NULL || out == NULL)
		return -EINVAL;
	if (!scrub_plain(in))
		return scrub_scan(in, out);
	if ((copy = strdup(in)) == NULL)
		return -ENOMEM;
	*out = copy;
	return 0;
}

int
scrub_scan(const char *in, char **out)
{
	const unsigned char	*s = (const unsigned char *)in;
	const char		*ph;
	char			*buf = NULL;
	size_t			 len, i = 0, o = 0, clen, n, d, plen;
	unsigned char		 c, b1 = 0, b2 = 0;
	int			 ret = -1;

	if (in == NULL || out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	/* Output is at most 9/7 of the input, so twice the input fits. */
	len = strlen(in);
	if (len > (SIZE_MAX - 1) / 2) {
		ret = -EOVERFLOW;
		goto done;
	}
	if ((buf = malloc(len * 2 + 1)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	while ((clen = scrub_char(s + i, &c)) != 0) {
		n = 0;
		/* A match never starts with an invisible character. */
		for (d = 0; c != SCRUB_SKIP && n == 0 &&
		    d < SCRUB_NITEMS(scrub_detectors); d++)
			n = scrub_detectors[d].sd_match(s + i, b1, b2);
		if (n != 0) {
			ph = scrub_detectors[d - 1].sd_placeholder;
			plen = strlen(ph);
			memcpy(buf + o, ph, plen);
			o += plen;
			i += n;
			b1 = (unsigned char)ph[plen - 1];
			b2 = (unsigned char)ph[plen - 2];
		} else {
			memcpy(buf + o, s + i, clen);
			o += clen;
			i += clen;
			if (c != SCRUB_SKIP) {
				b2 = b1;
				b1 = c;
			}
		}
	}
	buf[o] = '\0';
	*out = buf;
	buf = NULL;
	ret = 0;
done:
	free(buf);
	return ret;
}

/* The byte offset of the first max code points of s (all of it if less). */
static size_t
scrub_cut_offset(const char *s, size_t max)
{
	size_t	i, cp = 0;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && cp++ == max)
			break;
	return i;
}

/* Move a cut at off back to the start of a placeholder it would split. */
static size_t
scrub_cut_placeholder(const char *s, size_t off)
{
	size_t	d, k, plen;
	const char *ph;

	for (d = 0; d < SCRUB_NITEMS(scrub_detectors); d++) {
		ph = scrub_detectors[d].sd_placeholder;
		plen = strlen(ph);
		for (k = 1; k < plen && k <= off; k++)
			if (memcmp(s + off - k, ph, k) == 0 &&
			    strncmp(s + off, ph + k, plen - k) == 0)
				return off - k;
	}
	return off;
}

int
scrub_text_max(const char *in, size_t max, char **out)
{
	char	*text = NULL, *again;
	size_t	 off;
	int	 ret;

	if (out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = scrub_text(in, &text)) != 0)
		goto done;
	/*
	 * Each round leaves a shorter text than the last cut did, or one
	 * within max: a new match only replaces digits or an address at the
	 * end, and the next cut drops it whole. So this ends.
	 */
	while (text[off = scrub_cut_offset(text, max)] != '\0') {
		off = scrub_cut_placeholder(text, off);
		text[off] = '\0';
		if ((ret = scrub_text(text, &again)) != 0)
			goto done;
		free(text);
		text = again;
	}
	*out = text;
	text = NULL;
	ret = 0;
done:
	free(text);
	return ret;
}
