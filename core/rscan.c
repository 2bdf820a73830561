/*
 * rscan.c — a single-pass reader of response records for rebuild: a
 * strict scanner of the flat JSON intake writes, and the mapping of its
 * answers onto slots. Anything unusual is -ENOTSUP: the slow path decides.
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "core/rscan.h"
#include "core/survey.h"

/* A cursor over the text; every function leaves it after what it read. */
struct rscan {
	const char	*p;
	const char	*end;
};

static void
rscan_ws(struct rscan *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
	    *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static bool
rscan_eat(struct rscan *r, char c)
{
	rscan_ws(r);
	if (r->p < r->end && *r->p == c) {
		r->p++;
		return true;
	}
	return false;
}

/*
 * A string: *s and *n its raw bytes between the quotes, *esc whether it
 * holds an escape (then the raw bytes are not its value).
 */
static int
rscan_string(struct rscan *r, const char **s, size_t *n, bool *esc)
{
	const char	*q;

	rscan_ws(r);
	if (r->p >= r->end || *r->p != '"')
		return -ENOTSUP;
	*esc = false;
	for (q = r->p + 1; q < r->end && *q != '"'; q++) {
		if ((unsigned char)*q < 0x20)
			return -ENOTSUP;	/* not JSON */
		if (*q == '\\') {
			*esc = true;
			if (++q >= r->end)
				return -ENOTSUP;
		}
	}
	if (q >= r->end)
		return -ENOTSUP;
	*s = r->p + 1;
	*n = (size_t)(q - (r->p + 1));
	r->p = q + 1;
	return 0;
}

/* A JSON integer: -?(0|[1-9][0-9]*), no fraction, no exponent. */
static int
rscan_int(struct rscan *r, long long *out)
{
	long long	v = 0;
	bool		neg = false;
	const char	*start;

	rscan_ws(r);
	if (r->p < r->end && *r->p == '-') {
		neg = true;
		r->p++;
	}
	start = r->p;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		if (r->p - start >= 9)
			return -ENOTSUP;	/* beyond any slot */
		v = v * 10 + (*r->p - '0');
		r->p++;
	}
	if (r->p == start || (r->p - start > 1 && *start == '0') ||
	    (r->p < r->end && (*r->p == '.' || *r->p == 'e' ||
	    *r->p == 'E')))
		return -ENOTSUP;
	*out = neg ? -v : v;
	return 0;
}

static bool
rscan_word(struct rscan *r, const char *w)
{
	size_t	n = strlen(w);

	rscan_ws(r);
	if ((size_t)(r->end - r->p) >= n && memcmp(r->p, w, n) == 0) {
		r->p += n;
		return true;
	}
	return false;
}

/* Skip a string or a number (values of members rebuild does not need). */
static int
rscan_skip_scalar(struct rscan *r)
{
	const char	*s;
	size_t		 n;
	bool		 esc;
	long long	 v;

	rscan_ws(r);
	if (r->p < r->end && *r->p == '"')
		return rscan_string(r, &s, &n, &esc);
	if (rscan_word(r, "true") || rscan_word(r, "false") ||
	    rscan_word(r, "null"))
		return 0;
	return rscan_int(r, &v);
}

static bool
rscan_key(const char *s, size_t n, const char *key)
{
	return strlen(key) == n && memcmp(s, key, n) == 0;
}

int
rscan_record(const char *text, size_t len, struct rscan_record *out)
{
	struct rscan	 r = { text, text + len };
	struct rscan_record rec;
	const char	*k, *s, *start;
	size_t		 kn, n;
	bool		 esc, version = false, unit = false, lang = false;
	bool		 owner = false;
	bool		 answers = false;
	long long	 v;
	int		 depth, rc;

	memset(&rec, 0, sizeof(rec));
	if (!rscan_eat(&r, '{'))
		return -ENOTSUP;
	if (rscan_eat(&r, '}'))
		return -ENOTSUP;
	do {
		if ((rc = rscan_string(&r, &k, &kn, &esc)) != 0 || esc ||
		    !rscan_eat(&r, ':'))
			return -ENOTSUP;
		if (rscan_key(k, kn, "version") || rscan_key(k, kn, "unit") ||
		    rscan_key(k, kn, "owner")) {
			if ((rc = rscan_int(&r, &v)) != 0 || v <= 0 ||
			    v > UINT32_MAX)
				return -ENOTSUP;
			if (rscan_key(k, kn, "version")) {
				if (version)
					return -ENOTSUP;
				version = true;
				rec.rr_version = (uint32_t)v;
			} else if (rscan_key(k, kn, "owner")) {
				if (owner)
					return -ENOTSUP;
				owner = true;
				rec.rr_owner = (uint32_t)v;
			} else {
				if (unit)
					return -ENOTSUP;
				unit = true;
				rec.rr_unit = (uint32_t)v;
			}
		} else if (rscan_key(k, kn, "lang")) {
			if (lang || rscan_string(&r, &s, &n, &esc) != 0 ||
			    esc || n == 0 || n >= sizeof(rec.rr_lang))
				return -ENOTSUP;
			memcpy(rec.rr_lang, s, n);
			rec.rr_lang[n] = '\0';
			lang = true;
		} else if (rscan_key(k, kn, "answers")) {
			/* The object's extent; rscan_answers reads it. */
			rscan_ws(&r);
			if (answers || r.p >= r.end || *r.p != '{')
				return -ENOTSUP;
			start = r.p;
			for (depth = 0; r.p < r.end; ) {
				if (*r.p == '"') {
					if (rscan_string(&r, &s, &n,
					    &esc) != 0)
						return -ENOTSUP;
					continue;
				}
				if (*r.p == '{' || *r.p == '[')
					depth++;
				else if (*r.p == '}' || *r.p == ']')
					depth--;
				r.p++;
				if (depth == 0)
					break;
			}
			if (depth != 0)
				return -ENOTSUP;
			rec.rr_answers = start;
			rec.rr_answers_len = (size_t)(r.p - start);
			answers = true;
		} else if ((rc = rscan_skip_scalar(&r)) != 0)
			return -ENOTSUP;
	} while (rscan_eat(&r, ','));
	if (!rscan_eat(&r, '}'))
		return -ENOTSUP;
	rscan_ws(&r);
	if (r.p != r.end || !version || !unit || !lang || !answers)
		return -ENOTSUP;
	*out = rec;
	return 0;
}

/* The question of a key, by its raw bytes (ids need no escapes). */
static int
rscan_question(const struct survey *s, const char *k, size_t kn,
    size_t *qi)
{
	char	id[SURVEY_ID_MAX + 1];

	if (kn == 0 || kn > SURVEY_ID_MAX)
		return -ENOTSUP;
	memcpy(id, k, kn);
	id[kn] = '\0';
	return survey_question_find(s, id, qi) == 0 ? 0 : -ENOTSUP;
}

static int
rscan_option(const struct survey *s, size_t qi, const char *v, size_t n,
    uint8_t *slot)
{
	const char	*opt;
	size_t		 i;

	for (i = 0; (opt = survey_question_option(s, qi, i)) != NULL; i++)
		if (strlen(opt) == n && memcmp(opt, v, n) == 0) {
			*slot = (uint8_t)i;
			return 0;
		}
	return -ENOTSUP;
}

int
rscan_answers(const struct survey *s, const char *lang, const char *text,
    size_t len, struct cell_answer *ans, uint8_t (*slots)[QTYPE_MAX_SLOTS])
{
	struct rscan	 r = { text, text + len };
	const char	*k, *v;
	size_t		 kn, vn, qi, nq = survey_question_count(s), i;
	bool		 esc, blank;
	long long	 x;
	int		 base;
	size_t		 answered = 0;

	if (!survey_has_lang(s, lang))
		return -ENOTSUP;
	for (qi = 0; qi < nq; qi++) {
		ans[qi].ca_answered = false;
		ans[qi].ca_slots = slots[qi];
		ans[qi].ca_count = 0;
	}
	if (!rscan_eat(&r, '{') || rscan_eat(&r, '}'))
		return -ENOTSUP;
	do {
		if (rscan_string(&r, &k, &kn, &esc) != 0 || esc ||
		    !rscan_eat(&r, ':') || rscan_question(s, k, kn, &qi) != 0 ||
		    ans[qi].ca_answered)
			return -ENOTSUP;
		switch (survey_question_type(s, qi)) {
		case QTYPE_SMILEY:
		case QTYPE_SCALE:
		case QTYPE_NPS:
			if (rscan_int(&r, &x) != 0 ||
			    survey_question_base(s, qi, &base) != 0)
				return -ENOTSUP;
			x -= base;
			if (x < 0 || (size_t)x >= survey_question_slots(s, qi))
				return -ENOTSUP;
			slots[qi][0] = (uint8_t)x;
			break;
		case QTYPE_CHOICE:
			if (rscan_string(&r, &v, &vn, &esc) != 0 || esc ||
			    rscan_option(s, qi, v, vn, &slots[qi][0]) != 0)
				return -ENOTSUP;
			break;
		case QTYPE_YESNO:
			if (rscan_word(&r, "true"))
				slots[qi][0] = 1;
			else if (rscan_word(&r, "false"))
				slots[qi][0] = 0;
			else
				return -ENOTSUP;
			break;
		case QTYPE_TEXT:
			if (rscan_string(&r, &v, &vn, &esc) != 0)
				return -ENOTSUP;
			/*
			 * A comment was left: a character that is neither
			 * white space nor part of an escape (which might
			 * stand for white space: the slow path decides).
			 */
			for (blank = true, i = 0; i < vn && blank; i++) {
				if (v[i] == '\\') {
					i += v[i + 1] == 'u' ? 5 : 1;
					continue;
				}
				if (strchr(" \t\n\r\v\f", v[i]) == NULL)
					blank = false;
			}
			if (blank)
				return -ENOTSUP;
			slots[qi][0] = 0;
			break;
		default:
			/* multi (arrays), nulls: the slow path. */
			return -ENOTSUP;
		}
		ans[qi].ca_answered = true;
		ans[qi].ca_count = 1;
		answered++;
	} while (rscan_eat(&r, ','));
	if (!rscan_eat(&r, '}'))
		return -ENOTSUP;
	rscan_ws(&r);
	if (r.p != r.end || answered == 0)
		return -ENOTSUP;
	for (qi = 0; qi < nq; qi++)
		if (survey_question_required(s, qi) && !ans[qi].ca_answered)
			return -ENOTSUP;
	return 0;
}
