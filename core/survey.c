/*
 * survey.c — survey definitions checked against DESIGN.md section 4, and
 * the answers of one submission checked against a survey. The question
 * types are one table, survey_qtypes[]: name, members, parser, slots,
 * answer checker, and the way back to JSON.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/codec.h"
#include "core/scrub.h"
#include "core/survey.h"

#define SURVEY_SCALE_LIMIT	1000	/* |min|, |max| of a scale */
#define SURVEY_SCALE_STEPS	11	/* 0..10 is the widest scale in use */
#define SURVEY_MAX_OPTIONS	QTYPE_MAX_SLOTS
#define SURVEY_TEXT_ANSWER_MAX	5000	/* a comment, not a letter */
#define SURVEY_TEXT_DEFAULT	1000	/* DESIGN.md section 4 */

struct survey_option {
	char			 so_id[SURVEY_ID_MAX + 1];
	json_t			*so_text;
};

struct survey_question {
	char			 sq_id[SURVEY_ID_MAX + 1];
	enum qtype		 sq_type;
	bool			 sq_required;
	json_t			*sq_text;
	int			 sq_min;	/* smiley 1, scale min, nps 0 */
	int			 sq_max;	/* faces, scale max, nps 10 */
	json_t			*sq_label_min;	/* scale; NULL when absent */
	json_t			*sq_label_max;
	struct survey_option	*sq_options;	/* choice, multi */
	size_t			 sq_noptions;
	unsigned		 sq_max_choices;	/* multi; 0: no limit */
	unsigned		 sq_max_length;	/* text, in code points */
};

struct survey {
	char			*sv_slug;
	json_t			*sv_title;
	json_t			*sv_description;
	enum survey_audience	 sv_audience;
	const char		*sv_langs[SURVEY_LANG_COUNT];	/* static */
	size_t			 sv_nlangs;
	struct survey_question	*sv_questions;
	size_t			 sv_nquestions;
	json_t			*sv_controller;
	json_t			*sv_purpose;
	json_t			*sv_contact;	/* i18n object or string */
	unsigned		 sv_retention_months;
	unsigned		 sv_min_group;
	unsigned		 sv_min_group_comments;
	enum survey_period	 sv_period;
	bool			 sv_has_kiosk;
	unsigned		 sv_idle_reset;
};

struct survey_answer {
	uint64_t		 an_slots;	/* bit i: slot i filled */
	char			*an_text;	/* scrubbed; text questions */
};

struct survey_answers {
	const struct survey	*sa_survey;
	const char		*sa_lang;	/* static */
	struct survey_answer	*sa_items;	/* one per question */
};

struct survey_qtype {
	const char		*qt_name;
	const char *const	*qt_members;	/* beyond the common ones */
	int			(*qt_parse)(const struct survey *,
				    const json_t *, const char *,
				    struct survey_question *,
				    struct error *);
	size_t			(*qt_slots)(const struct survey_question *);
	int			(*qt_check)(const struct survey_question *,
				    const json_t *, bool stored,
				    struct survey_answer *, struct error *);
	int			(*qt_dump)(const struct survey_question *,
				    json_t *);
	json_t			*(*qt_value)(const struct survey_question *,
				    const struct survey_answer *);
};

static const char *const survey_lang_names[] = { "fi", "sv", "en", NULL };
static const char *const survey_audiences[] = {
	[SURVEY_AUDIENCE_CLIENT] = "client",
	[SURVEY_AUDIENCE_STAFF] = "staff",
	[SURVEY_AUDIENCE_PANEL] = "panel",
	NULL
};
static const char *const survey_periods[] = {
	[SURVEY_PERIOD_WEEK] = "week",
	[SURVEY_PERIOD_MONTH] = "month",
	[SURVEY_PERIOD_QUARTER] = "quarter",
	[SURVEY_PERIOD_YEAR] = "year",
	NULL
};
static const char *const survey_members[] = {
	"slug", "title", "description", "audience", "languages", "questions",
	"privacy", "min_group", "min_group_comments", "period", "kiosk", NULL
};
static const char *const survey_privacy_members[] = {
	"controller", "purpose", "contact", "retention_months", "voluntary",
	"anonymous", NULL
};
static const char *const survey_kiosk_members[] = {
	"idle_reset_seconds", NULL
};
static const char *const survey_question_members[] = {
	"id", "type", "text", "required", NULL
};
static const char *const survey_option_members[] = { "id", "text", NULL };
static const char *const survey_label_members[] = { "min", "max", NULL };

/* ------------------------------------------------------------ helpers */

static int
survey_oom(struct error *err)
{
	error_set(err, ERR_INTERNAL, NULL, "out of memory");
	return -ENOMEM;
}

static bool
survey_in_list(const char *const *list, const char *s)
{
	size_t	i;

	if (list == NULL)
		return false;
	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Reject a member of obj that is in neither list (b may be NULL). */
static int
survey_only(const json_t *obj, const char *const *a, const char *const *b,
    const char *path, struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const char	*key;
	json_t		*val;

	/* jansson's iterators take a non-const object; we only read. */
	json_object_foreach((json_t *)obj, key, val) {
		if (survey_in_list(a, key) || survey_in_list(b, key))
			continue;
		codec_path(field, path, key);
		return error_set(err, ERR_UNKNOWN_FIELD, field,
		    "unknown field '%s'", field);
	}
	return 0;
}

static int
survey_get_int(const json_t *obj, const char *key, bool required,
    long long min, long long max, long long def, const char *path,
    long long *out, struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*v;
	long long	 n;
	int		 ret;

	if ((ret = codec_get(obj, path, key, JSON_INTEGER, required, &v,
	    err)) != 0)
		return ret;
	if (v == NULL) {
		*out = def;
		return 0;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		codec_path(field, path, key);
		return error_set(err, ERR_INVALID, field,
		    "must be between %lld and %lld", min, max);
	}
	*out = n;
	return 0;
}

static int
survey_get_bool(const json_t *obj, const char *key, bool required,
    bool def, const char *path, bool *out, struct error *err)
{
	const json_t	*v;
	int		 ret;

	if ((ret = codec_get(obj, path, key, JSON_TRUE, required, &v,
	    err)) != 0)
		return ret;
	*out = v == NULL ? def : json_is_true(v);
	return 0;
}

/* A string member that must be one of names[]; its index in *out. */
static int
survey_get_enum(const json_t *obj, const char *key, bool required,
    const char *const *names, int def, const char *path, int *out,
    struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*v;
	const char	*s;
	int		 i, ret;

	if ((ret = codec_get(obj, path, key, JSON_STRING, required, &v,
	    err)) != 0)
		return ret;
	if (v == NULL) {
		*out = def;
		return 0;
	}
	s = json_string_value(v);
	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return 0;
		}
	}
	codec_path(field, path, key);
	return error_set(err, ERR_INVALID, field, "not an accepted value");
}

/*
 * Count the code points of str[0..len); -EILSEQ unless it is valid UTF-8
 * (no overlong forms, surrogates or values past U+10FFFF). jansson checks
 * this already; counting needs the walk anyway, so it costs nothing.
 */
static int
survey_utf8_count(const char *str, size_t len, size_t *n_out)
{
	const unsigned char	*p = (const unsigned char *)str;
	size_t			 i = 0, n = 0, k, need;
	uint32_t		 cp, min;

	while (i < len) {
		if (p[i] < 0x80) {
			need = 0;
			cp = p[i];
			min = 0;
		} else if ((p[i] & 0xe0) == 0xc0) {
			need = 1;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			need = 3;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return -EILSEQ;
		if (need > len - i - 1)
			return -EILSEQ;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -EILSEQ;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -EILSEQ;
		i += need + 1;
		n++;
	}
	*n_out = n;
	return 0;
}

static bool
survey_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (strchr(" \t\n\r\v\f", *s) == NULL)
			return false;
	return true;
}

/* A user-visible text of the survey: no NUL, bounded, filled if needed. */
static int
survey_check_text(const json_t *v, bool must_fill, const char *field,
    struct error *err)
{
	const char	*s = json_string_value(v);
	size_t		 len = json_string_length(v), n;

	if (strlen(s) != len)
		return error_set(err, ERR_INVALID, field,
		    "must not contain NUL characters");
	if (survey_utf8_count(s, len, &n) != 0)
		return error_set(err, ERR_INVALID, field, "invalid UTF-8");
	if (n > SURVEY_TEXT_MAX)
		return error_set(err, ERR_INVALID, field,
		    "longer than %d characters", SURVEY_TEXT_MAX);
	if (must_fill && survey_blank(s))
		return error_set(err, ERR_INVALID, field,
		    "must not be empty in a language of the survey");
	return 0;
}

static bool
survey_valid_id(const char *s, size_t max)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || s[n] == '-'))
			return false;
	return n >= 1 && n <= max;
}

static bool
survey_valid_slug(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '-'))
			return false;
	return n >= 1 && n <= SURVEY_SLUG_MAX;
}

/* A question or option id: required, [a-z0-9_-], 1..32. */
static int
survey_get_id(const json_t *obj, const char *path, char *out,
    struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*v;
	int		 ret;

	if ((ret = codec_get(obj, path, "id", JSON_STRING, true, &v,
	    err)) != 0)
		return ret;
	if (json_string_length(v) != strlen(json_string_value(v)) ||
	    !survey_valid_id(json_string_value(v), SURVEY_ID_MAX)) {
		codec_path(field, path, "id");
		return error_set(err, ERR_INVALID, field,
		    "must be 1 to %d of a-z, 0-9, _ and -", SURVEY_ID_MAX);
	}
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/*
 * An i18n value at path: an object of fi/sv/en strings, each language of
 * the survey present and filled. *out is a copy with the keys in the
 * order fi, sv, en.
 */
static int
survey_i18n(const struct survey *s, const json_t *v, const char *path,
    json_t **out, struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	json_t		*copy = NULL;
	const json_t	*t;
	const char	*lang;
	size_t		 i;
	bool		 declared;
	int		 ret = -1;

	if (!json_is_object(v)) {
		ret = error_set(err, ERR_WRONG_TYPE, path,
		    "must be an object of texts by language");
		goto done;
	}
	if ((ret = survey_only(v, survey_lang_names, NULL, path, err)) != 0)
		goto done;
	if ((copy = json_object()) == NULL) {
		ret = survey_oom(err);
		goto done;
	}
	for (i = 0; (lang = survey_lang_names[i]) != NULL; i++) {
		codec_path(field, path, lang);
		declared = survey_has_lang(s, lang);
		if ((t = json_object_get(v, lang)) == NULL) {
			if (!declared)
				continue;
			ret = error_set(err, ERR_MISSING_FIELD, field,
			    "no text in a language of the survey");
			goto done;
		}
		if (!json_is_string(t)) {
			ret = error_set(err, ERR_WRONG_TYPE, field,
			    "must be a string");
			goto done;
		}
		if ((ret = survey_check_text(t, declared, field, err)) != 0)
			goto done;
		if (json_object_set_new(copy, lang,
		    json_string(json_string_value(t))) != 0) {
			ret = survey_oom(err);
			goto done;
		}
	}
	*out = copy;
	copy = NULL;
	ret = 0;
done:
	json_decref(copy);
	return ret;
}

/* Member key of obj as i18n; *out stays NULL when absent and optional. */
static int
survey_get_i18n(const struct survey *s, const json_t *obj, const char *key,
    bool required, const char *path, json_t **out, struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*v;

	codec_path(field, path, key);
	if ((v = json_object_get(obj, key)) == NULL) {
		if (required)
			return error_set(err, ERR_MISSING_FIELD, field,
			    "required member is missing");
		*out = NULL;
		return 0;
	}
	return survey_i18n(s, v, field, out, err);
}

static json_t *
survey_copy(const json_t *v)
{
	return v == NULL ? NULL : json_deep_copy(v);
}

/* ------------------------------------------------------ question types */

static int
survey_parse_smiley(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	char		field[ERROR_FIELD_MAX];
	long long	faces = 5;
	int		ret;

	if ((ret = survey_get_int(q, "faces", false, 4, 5, 5, path, &faces,
	    err)) != 0) {
		/* The message names the only two faces we draw. */
		if (err->er_code == ERR_INVALID) {
			codec_path(field, path, "faces");
			ret = error_set(err, ERR_INVALID, field,
			    "must be 5 or 4");
		}
		return ret;
	}
	sq->sq_min = 1;
	sq->sq_max = (int)faces;
	return 0;
}

static int
survey_parse_scale(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*labels;
	long long	 min, max;
	int		 ret;

	if ((ret = survey_get_int(q, "min", true, -SURVEY_SCALE_LIMIT,
	    SURVEY_SCALE_LIMIT, 0, path, &min, err)) != 0 ||
	    (ret = survey_get_int(q, "max", true, -SURVEY_SCALE_LIMIT,
	    SURVEY_SCALE_LIMIT, 0, path, &max, err)) != 0)
		return ret;
	codec_path(field, path, "max");
	if (max <= min)
		return error_set(err, ERR_INVALID, field,
		    "must be greater than min");
	if (max - min + 1 > SURVEY_SCALE_STEPS)
		return error_set(err, ERR_INVALID, field,
		    "a scale has at most %d steps", SURVEY_SCALE_STEPS);
	sq->sq_min = (int)min;
	sq->sq_max = (int)max;
	if ((ret = codec_get(q, path, "labels", JSON_OBJECT, false, &labels,
	    err)) != 0 || labels == NULL)
		return ret;
	codec_path(field, path, "labels");
	if ((ret = survey_only(labels, survey_label_members, NULL, field,
	    err)) != 0 ||
	    (ret = survey_get_i18n(s, labels, "min", false, field,
	    &sq->sq_label_min, err)) != 0 ||
	    (ret = survey_get_i18n(s, labels, "max", false, field,
	    &sq->sq_label_max, err)) != 0)
		return ret;
	return 0;
}

static int
survey_parse_nps(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	sq->sq_min = 0;
	sq->sq_max = 10;
	return 0;
}

static int
survey_parse_choice(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	char			 field[ERROR_FIELD_MAX], opath[ERROR_FIELD_MAX];
	char			 idpath[ERROR_FIELD_MAX];
	const json_t		*opts, *o;
	struct survey_option	*so;
	size_t			 i, j, n;
	int			 ret;

	if ((ret = codec_get(q, path, "options", JSON_ARRAY, true, &opts,
	    err)) != 0)
		return ret;
	codec_path(field, path, "options");
	n = json_array_size(opts);
	if (n < 1 || n > SURVEY_MAX_OPTIONS)
		return error_set(err, ERR_INVALID, field,
		    "must have 1 to %d options", SURVEY_MAX_OPTIONS);
	if ((sq->sq_options = calloc(n, sizeof(*sq->sq_options))) == NULL)
		return survey_oom(err);
	/* Counted now so that survey_free releases a half-parsed list. */
	sq->sq_noptions = n;
	for (i = 0; i < n; i++) {
		so = &sq->sq_options[i];
		o = json_array_get(opts, i);
		codec_path_index(opath, field, i);
		if (!json_is_object(o))
			return error_set(err, ERR_WRONG_TYPE, opath,
			    "must be an object");
		if ((ret = survey_only(o, survey_option_members, NULL, opath,
		    err)) != 0 ||
		    (ret = survey_get_id(o, opath, so->so_id, err)) != 0)
			return ret;
		for (j = 0; j < i; j++) {
			if (strcmp(sq->sq_options[j].so_id, so->so_id) == 0) {
				codec_path(idpath, opath, "id");
				return error_set(err, ERR_INVALID, idpath,
				    "duplicate option id");
			}
		}
		if ((ret = survey_get_i18n(s, o, "text", true, opath,
		    &so->so_text, err)) != 0)
			return ret;
	}
	return 0;
}

static int
survey_parse_multi(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	long long	max;
	int		ret;

	if ((ret = survey_parse_choice(s, q, path, sq, err)) != 0 ||
	    (ret = survey_get_int(q, "max_choices", false, 1,
	    (long long)sq->sq_noptions, 0, path, &max, err)) != 0)
		return ret;
	sq->sq_max_choices = (unsigned)max;
	return 0;
}

static int
survey_parse_none(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	return 0;
}

static int
survey_parse_text(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	long long	max = SURVEY_TEXT_DEFAULT;
	int		ret;

	if ((ret = survey_get_int(q, "max_length", false, 1,
	    SURVEY_TEXT_ANSWER_MAX, SURVEY_TEXT_DEFAULT, path, &max, err)) != 0)
		return ret;
	sq->sq_max_length = (unsigned)max;
	return 0;
}

static size_t
survey_slots_range(const struct survey_question *sq)
{
	return (size_t)(sq->sq_max - sq->sq_min + 1);
}

static size_t
survey_slots_options(const struct survey_question *sq)
{
	return sq->sq_noptions;
}

static size_t
survey_slots_yesno(const struct survey_question *sq)
{
	return 2;
}

static size_t
survey_slots_text(const struct survey_question *sq)
{
	return 1;
}

static int
survey_option_find(const struct survey_question *sq, const char *id,
    size_t *idx)
{
	size_t	i;

	for (i = 0; i < sq->sq_noptions; i++) {
		if (strcmp(sq->sq_options[i].so_id, id) == 0) {
			*idx = i;
			return 0;
		}
	}
	return -ENOENT;
}

static int
survey_check_range(const struct survey_question *sq, const json_t *v,
    bool stored, struct survey_answer *an, struct error *err)
{
	json_int_t	n;

	/* json_is_integer is false for 1.0 and for true: both refused. */
	if (!json_is_integer(v))
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "must be an integer");
	n = json_integer_value(v);
	if (n < sq->sq_min || n > sq->sq_max)
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "must be between %d and %d", sq->sq_min, sq->sq_max);
	an->an_slots = UINT64_C(1) << (n - sq->sq_min);
	return 0;
}

static int
survey_check_choice(const struct survey_question *sq, const json_t *v,
    bool stored, struct survey_answer *an, struct error *err)
{
	size_t	i;

	if (!json_is_string(v))
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "must be an option id");
	if (survey_option_find(sq, json_string_value(v), &i) != 0)
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "not an option of the question");
	an->an_slots = UINT64_C(1) << i;
	return 0;
}

static int
survey_check_multi(const struct survey_question *sq, const json_t *v,
    bool stored, struct survey_answer *an, struct error *err)
{
	const json_t	*o;
	uint64_t	 slots = 0;
	size_t		 i, k, n;

	if (!json_is_array(v))
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "must be an array of option ids");
	if ((n = json_array_size(v)) == 0)
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "choose at least one option, or leave it unanswered");
	if (sq->sq_max_choices != 0 && n > sq->sq_max_choices)
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "at most %u options", sq->sq_max_choices);
	for (i = 0; i < n; i++) {
		o = json_array_get(v, i);
		if (!json_is_string(o))
			return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
			    "must be an array of option ids");
		if (survey_option_find(sq, json_string_value(o), &k) != 0)
			return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
			    "not an option of the question");
		if (slots & (UINT64_C(1) << k))
			return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
			    "an option is chosen twice");
		slots |= UINT64_C(1) << k;
	}
	an->an_slots = slots;
	return 0;
}

static int
survey_check_yesno(const struct survey_question *sq, const json_t *v,
    bool stored, struct survey_answer *an, struct error *err)
{
	if (!json_is_boolean(v))
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "must be true or false");
	an->an_slots = UINT64_C(1) << (json_is_true(v) ? 1 : 0);
	return 0;
}

/* The longest a text of at most max code points may be once scrubbed. */
static size_t
survey_scrubbed_max(unsigned max)
{
	return ((size_t)max * 9 + 6) / 7;
}

static int
survey_check_text_answer(const struct survey_question *sq, const json_t *v,
    bool stored, struct survey_answer *an, struct error *err)
{
	const char	*s;
	size_t		 n;
	int		 ret;

	if (!json_is_string(v))
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "must be a string");
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "must not contain NUL characters");
	if (survey_utf8_count(s, json_string_length(v), &n) != 0)
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "invalid UTF-8");
	/*
	 * The limit is on what the respondent typed. Scrubbing may lengthen
	 * it (7 digits become "[puhelin]", 9 characters), so a stored text
	 * may be up to 9/7 of it.
	 */
	if (stored ? n > survey_scrubbed_max(sq->sq_max_length) :
	    n > sq->sq_max_length)
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "longer than %u characters", sq->sq_max_length);
	if (survey_blank(s))
		return 0;		/* unanswered */
	if ((ret = scrub_text(s, &an->an_text)) != 0) {
		error_set(err, ERR_INTERNAL, NULL, "out of memory");
		return ret;
	}
	an->an_slots = 1;
	return 0;
}

static int
survey_set(json_t *obj, const char *key, json_t *val)
{
	/* _set_new takes val even when it fails, and fails on NULL. */
	return json_object_set_new(obj, key, val) == 0 ? 0 : -ENOMEM;
}

static int
survey_dump_smiley(const struct survey_question *sq, json_t *q)
{
	return survey_set(q, "faces", json_integer(sq->sq_max));
}

static int
survey_dump_scale(const struct survey_question *sq, json_t *q)
{
	json_t	*labels;
	int	 ret;

	if ((ret = survey_set(q, "min", json_integer(sq->sq_min))) != 0 ||
	    (ret = survey_set(q, "max", json_integer(sq->sq_max))) != 0)
		return ret;
	if (sq->sq_label_min == NULL && sq->sq_label_max == NULL)
		return 0;
	if ((ret = survey_set(q, "labels", labels = json_object())) != 0)
		return ret;
	if (sq->sq_label_min != NULL && (ret = survey_set(labels, "min",
	    survey_copy(sq->sq_label_min))) != 0)
		return ret;
	if (sq->sq_label_max != NULL && (ret = survey_set(labels, "max",
	    survey_copy(sq->sq_label_max))) != 0)
		return ret;
	return 0;
}

static int
survey_dump_none(const struct survey_question *sq, json_t *q)
{
	return 0;
}

static int
survey_dump_choice(const struct survey_question *sq, json_t *q)
{
	json_t	*opts, *o;
	size_t	 i;
	int	 ret;

	if ((ret = survey_set(q, "options", opts = json_array())) != 0)
		return ret;
	for (i = 0; i < sq->sq_noptions; i++) {
		if (json_array_append_new(opts, o = json_object()) != 0)
			return -ENOMEM;
		if ((ret = survey_set(o, "id",
		    json_string(sq->sq_options[i].so_id))) != 0 ||
		    (ret = survey_set(o, "text",
		    survey_copy(sq->sq_options[i].so_text))) != 0)
			return ret;
	}
	return 0;
}

static int
survey_dump_multi(const struct survey_question *sq, json_t *q)
{
	int	ret;

	if ((ret = survey_dump_choice(sq, q)) != 0)
		return ret;
	if (sq->sq_max_choices == 0)
		return 0;
	return survey_set(q, "max_choices", json_integer(sq->sq_max_choices));
}

static int
survey_dump_text(const struct survey_question *sq, json_t *q)
{
	return survey_set(q, "max_length", json_integer(sq->sq_max_length));
}

/* Index of the lowest filled slot; the caller knows one is. */
static size_t
survey_first_slot(uint64_t slots)
{
	size_t	i = 0;

	while ((slots & (UINT64_C(1) << i)) == 0)
		i++;
	return i;
}

static json_t *
survey_value_range(const struct survey_question *sq,
    const struct survey_answer *an)
{
	return json_integer(sq->sq_min + (int)survey_first_slot(an->an_slots));
}

static json_t *
survey_value_choice(const struct survey_question *sq,
    const struct survey_answer *an)
{
	return json_string(
	    sq->sq_options[survey_first_slot(an->an_slots)].so_id);
}

static json_t *
survey_value_multi(const struct survey_question *sq,
    const struct survey_answer *an)
{
	json_t	*arr, *ret = NULL;
	size_t	 i;

	if ((arr = json_array()) == NULL)
		goto done;
	for (i = 0; i < sq->sq_noptions; i++)
		if ((an->an_slots & (UINT64_C(1) << i)) != 0 &&
		    json_array_append_new(arr,
		    json_string(sq->sq_options[i].so_id)) != 0)
			goto done;
	ret = arr;
	arr = NULL;
done:
	json_decref(arr);
	return ret;
}

static json_t *
survey_value_yesno(const struct survey_question *sq,
    const struct survey_answer *an)
{
	return json_boolean(an->an_slots == (UINT64_C(1) << 1));
}

static json_t *
survey_value_text(const struct survey_question *sq,
    const struct survey_answer *an)
{
	return json_string(an->an_text);
}

static const char *const survey_smiley_members[] = { "faces", NULL };
static const char *const survey_scale_members[] = {
	"min", "max", "labels", NULL
};
static const char *const survey_choice_members[] = { "options", NULL };
static const char *const survey_multi_members[] = {
	"options", "max_choices", NULL
};
static const char *const survey_text_members[] = { "max_length", NULL };

static const struct survey_qtype survey_qtypes[QTYPE_COUNT] = {
	[QTYPE_SMILEY] = { "smiley", survey_smiley_members,
	    survey_parse_smiley, survey_slots_range, survey_check_range,
	    survey_dump_smiley, survey_value_range },
	[QTYPE_SCALE] = { "scale", survey_scale_members,
	    survey_parse_scale, survey_slots_range, survey_check_range,
	    survey_dump_scale, survey_value_range },
	[QTYPE_NPS] = { "nps", NULL,
	    survey_parse_nps, survey_slots_range, survey_check_range,
	    survey_dump_none, survey_value_range },
	[QTYPE_CHOICE] = { "choice", survey_choice_members,
	    survey_parse_choice, survey_slots_options, survey_check_choice,
	    survey_dump_choice, survey_value_choice },
	[QTYPE_MULTI] = { "multi", survey_multi_members,
	    survey_parse_multi, survey_slots_options, survey_check_multi,
	    survey_dump_multi, survey_value_multi },
	[QTYPE_YESNO] = { "yesno", NULL,
	    survey_parse_none, survey_slots_yesno, survey_check_yesno,
	    survey_dump_none, survey_value_yesno },
	[QTYPE_TEXT] = { "text", survey_text_members,
	    survey_parse_text, survey_slots_text, survey_check_text_answer,
	    survey_dump_text, survey_value_text },
};

/* -------------------------------------------------------------- parse */

static int
survey_parse_question(const struct survey *s, const json_t *q, size_t qi,
    struct survey_question *sq, struct error *err)
{
	char			 path[ERROR_FIELD_MAX], field[ERROR_FIELD_MAX];
	const json_t		*type;
	const struct survey_qtype *qt = NULL;
	size_t			 t, j;
	int			 ret;

	codec_path_index(path, "questions", qi);
	if (!json_is_object(q))
		return error_set(err, ERR_WRONG_TYPE, path,
		    "must be an object");
	/* The type first: it decides which other members are allowed. */
	if ((ret = codec_get(q, path, "type", JSON_STRING, true, &type,
	    err)) != 0)
		return ret;
	for (t = 0; t < QTYPE_COUNT; t++) {
		if (strcmp(survey_qtypes[t].qt_name,
		    json_string_value(type)) == 0) {
			qt = &survey_qtypes[t];
			break;
		}
	}
	if (qt == NULL) {
		codec_path(field, path, "type");
		return error_set(err, ERR_INVALID, field,
		    "not a question type");
	}
	sq->sq_type = (enum qtype)t;
	if ((ret = survey_only(q, survey_question_members, qt->qt_members,
	    path, err)) != 0 ||
	    (ret = survey_get_id(q, path, sq->sq_id, err)) != 0)
		return ret;
	for (j = 0; j < qi; j++) {
		if (strcmp(s->sv_questions[j].sq_id, sq->sq_id) == 0) {
			codec_path(field, path, "id");
			return error_set(err, ERR_INVALID, field,
			    "duplicate question id");
		}
	}
	if ((ret = survey_get_i18n(s, q, "text", true, path, &sq->sq_text,
	    err)) != 0 ||
	    (ret = survey_get_bool(q, "required", false, false, path,
	    &sq->sq_required, err)) != 0)
		return ret;
	return qt->qt_parse(s, q, path, sq, err);
}

static int
survey_parse_languages(struct survey *s, const json_t *def,
    struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*langs, *l;
	size_t		 i, k, n;
	int		 ret;

	if ((ret = codec_get(def, "", "languages", JSON_ARRAY, true, &langs,
	    err)) != 0)
		return ret;
	n = json_array_size(langs);
	if (n == 0 || n > SURVEY_LANG_COUNT)
		return error_set(err, ERR_INVALID, "languages",
		    "must list one to three of fi, sv and en");
	for (i = 0; i < n; i++) {
		l = json_array_get(langs, i);
		codec_path_index(field, "languages", i);
		if (!json_is_string(l))
			return error_set(err, ERR_WRONG_TYPE, field,
			    "must be a string");
		for (k = 0; survey_lang_names[k] != NULL; k++)
			if (strcmp(survey_lang_names[k],
			    json_string_value(l)) == 0)
				break;
		if (survey_lang_names[k] == NULL)
			return error_set(err, ERR_INVALID, field,
			    "must be fi, sv or en");
		if (survey_has_lang(s, survey_lang_names[k]))
			return error_set(err, ERR_INVALID, field,
			    "listed twice");
		s->sv_langs[s->sv_nlangs++] = survey_lang_names[k];
	}
	return 0;
}

static int
survey_parse_questions(struct survey *s, const json_t *def,
    struct error *err)
{
	const json_t	*qs;
	size_t		 i, n;
	int		 ret;

	if ((ret = codec_get(def, "", "questions", JSON_ARRAY, true, &qs,
	    err)) != 0)
		return ret;
	n = json_array_size(qs);
	if (n == 0 || n > SURVEY_MAX_QUESTIONS)
		return error_set(err, ERR_INVALID, "questions",
		    "must have 1 to %d questions", SURVEY_MAX_QUESTIONS);
	if ((s->sv_questions = calloc(n, sizeof(*s->sv_questions))) == NULL)
		return survey_oom(err);
	/* Counted now so that survey_free releases a half-parsed list. */
	s->sv_nquestions = n;
	for (i = 0; i < n; i++)
		if ((ret = survey_parse_question(s, json_array_get(qs, i), i,
		    &s->sv_questions[i], err)) != 0)
			return ret;
	return 0;
}

static int
survey_parse_privacy(struct survey *s, const json_t *def,
    struct error *err)
{
	const char	*path = "privacy";
	const json_t	*p, *contact;
	long long	 months;
	bool		 yes;
	int		 ret;

	if ((ret = codec_get(def, "", "privacy", JSON_OBJECT, true, &p,
	    err)) != 0 ||
	    (ret = survey_only(p, survey_privacy_members, NULL, path,
	    err)) != 0 ||
	    (ret = survey_get_i18n(s, p, "controller", true, path,
	    &s->sv_controller, err)) != 0 ||
	    (ret = survey_get_i18n(s, p, "purpose", true, path,
	    &s->sv_purpose, err)) != 0)
		return ret;
	if ((contact = json_object_get(p, "contact")) == NULL)
		return error_set(err, ERR_MISSING_FIELD, "privacy.contact",
		    "required member is missing");
	if (json_is_string(contact)) {
		/* One address for every language is common and fine. */
		if ((ret = survey_check_text(contact, true, "privacy.contact",
		    err)) != 0)
			return ret;
		if ((s->sv_contact = json_string(
		    json_string_value(contact))) == NULL)
			return survey_oom(err);
	} else if ((ret = survey_i18n(s, contact, "privacy.contact",
	    &s->sv_contact, err)) != 0)
		return ret;
	if ((ret = survey_get_int(p, "retention_months", true, 1, 120, 0,
	    path, &months, err)) != 0)
		return ret;
	s->sv_retention_months = (unsigned)months;
	/* Both are promises to the respondent the software must keep. */
	if ((ret = survey_get_bool(p, "voluntary", true, false, path, &yes,
	    err)) != 0)
		return ret;
	if (!yes)
		return error_set(err, ERR_INVALID, "privacy.voluntary",
		    "answering must be voluntary");
	if ((ret = survey_get_bool(p, "anonymous", true, false, path, &yes,
	    err)) != 0)
		return ret;
	if (!yes)
		return error_set(err, ERR_INVALID, "privacy.anonymous",
		    "Palaute only collects anonymous answers");
	return 0;
}

static int
survey_parse_rest(struct survey *s, const json_t *def, struct error *err)
{
	const json_t	*kiosk;
	long long	 n;
	int		 e, ret;

	/* k below 3 identifies people; 5 is the usual statistical rule. */
	if ((ret = survey_get_int(def, "min_group", false, 3, 1000, 5, "",
	    &n, err)) != 0)
		return ret;
	s->sv_min_group = (unsigned)n;
	/* A comment reveals more than a number: a larger group by default. */
	if ((ret = survey_get_int(def, "min_group_comments", false,
	    s->sv_min_group, 10000, s->sv_min_group > 10 ? s->sv_min_group : 10,
	    "", &n, err)) != 0)
		return ret;
	s->sv_min_group_comments = (unsigned)n;
	if ((ret = survey_get_enum(def, "period", false, survey_periods,
	    SURVEY_PERIOD_MONTH, "", &e, err)) != 0)
		return ret;
	s->sv_period = (enum survey_period)e;
	/* 30 s: long enough to read a question, short for the next person. */
	s->sv_idle_reset = 30;
	if ((ret = codec_get(def, "", "kiosk", JSON_OBJECT, false, &kiosk,
	    err)) != 0 || kiosk == NULL)
		return ret;
	s->sv_has_kiosk = true;
	if ((ret = survey_only(kiosk, survey_kiosk_members, NULL, "kiosk",
	    err)) != 0 ||
	    (ret = survey_get_int(kiosk, "idle_reset_seconds", false, 5, 600,
	    30, "kiosk", &n, err)) != 0)
		return ret;
	s->sv_idle_reset = (unsigned)n;
	return 0;
}

int
survey_parse(const json_t *def, struct survey **out, struct error *err)
{
	struct survey	*s = NULL;
	const json_t	*slug;
	int		 e, ret = -1;

	if (!json_is_object(def)) {
		ret = error_set(err, ERR_WRONG_TYPE, NULL,
		    "a survey must be an object");
		goto done;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		ret = survey_oom(err);
		goto done;
	}
	if ((ret = survey_only(def, survey_members, NULL, "", err)) != 0)
		goto done;
	if ((ret = codec_get(def, "", "slug", JSON_STRING, false, &slug,
	    err)) != 0)
		goto done;
	if (slug != NULL) {
		if (json_string_length(slug) != strlen(json_string_value(slug))
		    || !survey_valid_slug(json_string_value(slug))) {
			ret = error_set(err, ERR_INVALID, "slug",
			    "must be 1 to %d of a-z, 0-9 and -",
			    SURVEY_SLUG_MAX);
			goto done;
		}
		if ((s->sv_slug = strdup(json_string_value(slug))) == NULL) {
			ret = survey_oom(err);
			goto done;
		}
	}
	if ((ret = survey_get_enum(def, "audience", true, survey_audiences,
	    0, "", &e, err)) != 0)
		goto done;
	s->sv_audience = (enum survey_audience)e;
	/* Languages before any text: they decide which texts must exist. */
	if ((ret = survey_parse_languages(s, def, err)) != 0 ||
	    (ret = survey_get_i18n(s, def, "title", true, "", &s->sv_title,
	    err)) != 0 ||
	    (ret = survey_get_i18n(s, def, "description", false, "",
	    &s->sv_description, err)) != 0 ||
	    (ret = survey_parse_questions(s, def, err)) != 0 ||
	    (ret = survey_parse_privacy(s, def, err)) != 0 ||
	    (ret = survey_parse_rest(s, def, err)) != 0)
		goto done;
	*out = s;
	s = NULL;
	ret = 0;
done:
	survey_free(s);
	return ret;
}

void
survey_free(struct survey *s)
{
	struct survey_question	*sq;
	size_t			 i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->sv_nquestions; i++) {
		sq = &s->sv_questions[i];
		json_decref(sq->sq_text);
		json_decref(sq->sq_label_min);
		json_decref(sq->sq_label_max);
		for (j = 0; j < sq->sq_noptions; j++)
			json_decref(sq->sq_options[j].so_text);
		free(sq->sq_options);
	}
	free(s->sv_questions);
	json_decref(s->sv_title);
	json_decref(s->sv_description);
	json_decref(s->sv_controller);
	json_decref(s->sv_purpose);
	json_decref(s->sv_contact);
	free(s->sv_slug);
	free(s);
}

/* ------------------------------------------------------------- output */

static int
survey_dump_question(const struct survey_question *sq, json_t *arr)
{
	json_t	*q;
	int	 ret;

	if (json_array_append_new(arr, q = json_object()) != 0)
		return -ENOMEM;
	if ((ret = survey_set(q, "id", json_string(sq->sq_id))) != 0 ||
	    (ret = survey_set(q, "type",
	    json_string(survey_qtypes[sq->sq_type].qt_name))) != 0 ||
	    (ret = survey_set(q, "text", survey_copy(sq->sq_text))) != 0 ||
	    (ret = survey_set(q, "required",
	    json_boolean(sq->sq_required))) != 0)
		return ret;
	return survey_qtypes[sq->sq_type].qt_dump(sq, q);
}

static int
survey_dump(const struct survey *s, json_t *root)
{
	json_t	*arr, *p, *k;
	size_t	 i;
	int	 ret;

	if (s->sv_slug != NULL &&
	    (ret = survey_set(root, "slug", json_string(s->sv_slug))) != 0)
		return ret;
	if ((ret = survey_set(root, "title", survey_copy(s->sv_title))) != 0)
		return ret;
	if (s->sv_description != NULL && (ret = survey_set(root,
	    "description", survey_copy(s->sv_description))) != 0)
		return ret;
	if ((ret = survey_set(root, "audience",
	    json_string(survey_audiences[s->sv_audience]))) != 0 ||
	    (ret = survey_set(root, "languages", arr = json_array())) != 0)
		return ret;
	for (i = 0; i < s->sv_nlangs; i++)
		if (json_array_append_new(arr,
		    json_string(s->sv_langs[i])) != 0)
			return -ENOMEM;
	if ((ret = survey_set(root, "questions", arr = json_array())) != 0)
		return ret;
	for (i = 0; i < s->sv_nquestions; i++)
		if ((ret = survey_dump_question(&s->sv_questions[i], arr)) != 0)
			return ret;
	if ((ret = survey_set(root, "privacy", p = json_object())) != 0 ||
	    (ret = survey_set(p, "controller",
	    survey_copy(s->sv_controller))) != 0 ||
	    (ret = survey_set(p, "purpose", survey_copy(s->sv_purpose))) != 0 ||
	    (ret = survey_set(p, "contact", survey_copy(s->sv_contact))) != 0 ||
	    (ret = survey_set(p, "retention_months",
	    json_integer(s->sv_retention_months))) != 0 ||
	    (ret = survey_set(p, "voluntary", json_true())) != 0 ||
	    (ret = survey_set(p, "anonymous", json_true())) != 0)
		return ret;
	if ((ret = survey_set(root, "min_group",
	    json_integer(s->sv_min_group))) != 0 ||
	    (ret = survey_set(root, "min_group_comments",
	    json_integer(s->sv_min_group_comments))) != 0 ||
	    (ret = survey_set(root, "period",
	    json_string(survey_periods[s->sv_period]))) != 0)
		return ret;
	if (!s->sv_has_kiosk)
		return 0;
	if ((ret = survey_set(root, "kiosk", k = json_object())) != 0)
		return ret;
	return survey_set(k, "idle_reset_seconds",
	    json_integer(s->sv_idle_reset));
}

json_t *
survey_to_json(const struct survey *s)
{
	json_t	*root = NULL, *ret = NULL;

	if ((root = json_object()) == NULL)
		goto done;
	if (survey_dump(s, root) != 0)
		goto done;
	ret = root;
	root = NULL;
done:
	json_decref(root);
	return ret;
}

/* ---------------------------------------------------------- accessors */

int
survey_set_slug(struct survey *s, const char *slug)
{
	char	*copy;

	if (slug == NULL || !survey_valid_slug(slug))
		return -EINVAL;
	if ((copy = strdup(slug)) == NULL)
		return -ENOMEM;
	free(s->sv_slug);
	s->sv_slug = copy;
	return 0;
}

const char *
survey_slug(const struct survey *s)
{
	return s->sv_slug;
}

enum survey_audience
survey_audience(const struct survey *s)
{
	return s->sv_audience;
}

enum survey_period
survey_period(const struct survey *s)
{
	return s->sv_period;
}

unsigned
survey_min_group(const struct survey *s)
{
	return s->sv_min_group;
}

unsigned
survey_min_group_comments(const struct survey *s)
{
	return s->sv_min_group_comments;
}

unsigned
survey_retention_months(const struct survey *s)
{
	return s->sv_retention_months;
}

unsigned
survey_idle_reset_seconds(const struct survey *s)
{
	return s->sv_idle_reset;
}

size_t
survey_lang_count(const struct survey *s)
{
	return s->sv_nlangs;
}

const char *
survey_lang(const struct survey *s, size_t i)
{
	return i < s->sv_nlangs ? s->sv_langs[i] : NULL;
}

bool
survey_has_lang(const struct survey *s, const char *lang)
{
	size_t	i;

	if (lang == NULL)
		return false;
	for (i = 0; i < s->sv_nlangs; i++)
		if (strcmp(s->sv_langs[i], lang) == 0)
			return true;
	return false;
}

size_t
survey_question_count(const struct survey *s)
{
	return s->sv_nquestions;
}

const char *
survey_question_id(const struct survey *s, size_t qi)
{
	return qi < s->sv_nquestions ? s->sv_questions[qi].sq_id : NULL;
}

enum qtype
survey_question_type(const struct survey *s, size_t qi)
{
	return qi < s->sv_nquestions ? s->sv_questions[qi].sq_type :
	    QTYPE_COUNT;
}

bool
survey_question_required(const struct survey *s, size_t qi)
{
	return qi < s->sv_nquestions && s->sv_questions[qi].sq_required;
}

size_t
survey_question_slots(const struct survey *s, size_t qi)
{
	const struct survey_question	*sq;

	if (qi >= s->sv_nquestions)
		return 0;
	sq = &s->sv_questions[qi];
	return survey_qtypes[sq->sq_type].qt_slots(sq);
}

int
survey_question_find(const struct survey *s, const char *id, size_t *qi_out)
{
	size_t	i;

	for (i = 0; i < s->sv_nquestions; i++) {
		if (strcmp(s->sv_questions[i].sq_id, id) == 0) {
			*qi_out = i;
			return 0;
		}
	}
	return -ENOENT;
}

int
survey_question_base(const struct survey *s, size_t qi, int *base_out)
{
	enum qtype	t = survey_question_type(s, qi);

	if (t != QTYPE_SMILEY && t != QTYPE_SCALE && t != QTYPE_NPS)
		return -EINVAL;
	*base_out = s->sv_questions[qi].sq_min;
	return 0;
}

const char *
survey_question_option(const struct survey *s, size_t qi, size_t slot)
{
	enum qtype	t = survey_question_type(s, qi);

	if ((t != QTYPE_CHOICE && t != QTYPE_MULTI) ||
	    slot >= s->sv_questions[qi].sq_noptions)
		return NULL;
	return s->sv_questions[qi].sq_options[slot].so_id;
}

bool
survey_same_shape(const struct survey *a, size_t qa,
    const struct survey *b, size_t qb)
{
	const struct survey_question	*x, *y;
	size_t				 i;

	if (qa >= a->sv_nquestions || qb >= b->sv_nquestions)
		return false;
	x = &a->sv_questions[qa];
	y = &b->sv_questions[qb];
	if (strcmp(x->sq_id, y->sq_id) != 0 || x->sq_type != y->sq_type ||
	    survey_question_slots(a, qa) != survey_question_slots(b, qb))
		return false;
	switch (x->sq_type) {
	case QTYPE_SMILEY:
	case QTYPE_SCALE:
	case QTYPE_NPS:
		return x->sq_min == y->sq_min;
	case QTYPE_CHOICE:
	case QTYPE_MULTI:
		/* Slot i is option i: a reordered list means other counts. */
		for (i = 0; i < x->sq_noptions; i++)
			if (strcmp(x->sq_options[i].so_id,
			    y->sq_options[i].so_id) != 0)
				return false;
		return true;
	default:
		return true;
	}
}

const char *
survey_qtype_name(enum qtype t)
{
	return (unsigned)t < QTYPE_COUNT ? survey_qtypes[t].qt_name : NULL;
}

const char *
survey_lang_text(const json_t *i18n, const char *lang)
{
	if (json_is_string(i18n))
		return json_string_value(i18n);
	if (lang == NULL || !json_is_object(i18n))
		return NULL;
	return json_string_value(json_object_get(i18n, lang));
}

/* ------------------------------------------------------------ answers */

static int
survey_check(const struct survey *s, const json_t *answers, const char *lang,
    bool stored, struct survey_answers **out, struct error *err)
{
	struct survey_answers		*a = NULL;
	const struct survey_question	*sq;
	const char			*key;
	json_t				*v;
	size_t				 i, qi, answered = 0;
	int				 ret = -1;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->sa_items = calloc(s->sv_nquestions,
	    sizeof(*a->sa_items))) == NULL) {
		ret = survey_oom(err);
		goto done;
	}
	a->sa_survey = s;
	if (lang == NULL) {
		ret = error_set(err, ERR_MISSING_FIELD, "lang",
		    "required member is missing");
		goto done;
	}
	for (i = 0; i < s->sv_nlangs; i++)
		if (strcmp(s->sv_langs[i], lang) == 0)
			a->sa_lang = s->sv_langs[i];
	if (a->sa_lang == NULL) {
		ret = error_set(err, ERR_INVALID, "lang",
		    "not a language of the survey");
		goto done;
	}
	if (!json_is_object(answers)) {
		ret = error_set(err, ERR_WRONG_TYPE, "answers",
		    "must be an object");
		goto done;
	}
	json_object_foreach((json_t *)answers, key, v) {
		if (survey_question_find(s, key, &qi) != 0) {
			ret = error_set(err, ERR_INVALID_ANSWER, key,
			    "not a question of the survey");
			goto done;
		}
		if (json_is_null(v))
			continue;	/* skipped on purpose */
		sq = &s->sv_questions[qi];
		if ((ret = survey_qtypes[sq->sq_type].qt_check(sq, v, stored,
		    &a->sa_items[qi], err)) != 0)
			goto done;
	}
	for (qi = 0; qi < s->sv_nquestions; qi++) {
		sq = &s->sv_questions[qi];
		if (a->sa_items[qi].an_slots != 0)
			answered++;
		else if (sq->sq_required) {
			ret = error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
			    "an answer is required");
			goto done;
		}
	}
	if (answered == 0) {
		ret = error_set(err, ERR_INVALID_ANSWER, "answers",
		    "no question is answered");
		goto done;
	}
	*out = a;
	a = NULL;
	ret = 0;
done:
	survey_answers_free(a);
	return ret;
}

int
survey_check_answers(const struct survey *s, const json_t *answers,
    const char *lang, struct survey_answers **out, struct error *err)
{
	return survey_check(s, answers, lang, false, out, err);
}

int
survey_check_record(const struct survey *s, const json_t *answers,
    const char *lang, struct survey_answers **out, struct error *err)
{
	return survey_check(s, answers, lang, true, out, err);
}

void
survey_answers_free(struct survey_answers *a)
{
	size_t	i;

	if (a == NULL)
		return;
	if (a->sa_items != NULL)
		for (i = 0; i < a->sa_survey->sv_nquestions; i++) {
			/* A comment is an answer: gone from memory when done. */
			if (a->sa_items[i].an_text != NULL)
				sodium_memzero(a->sa_items[i].an_text,
				    strlen(a->sa_items[i].an_text));
			free(a->sa_items[i].an_text);
		}
	free(a->sa_items);
	free(a);
}

const char *
survey_answers_lang(const struct survey_answers *a)
{
	return a->sa_lang;
}

bool
survey_answers_answered(const struct survey_answers *a, size_t qi)
{
	return qi < a->sa_survey->sv_nquestions &&
	    a->sa_items[qi].an_slots != 0;
}

void
survey_answers_slots(const struct survey_answers *a, size_t qi,
    uint8_t slots[QTYPE_MAX_SLOTS], size_t *n)
{
	uint64_t	bits;
	size_t		i;

	*n = 0;
	if (qi >= a->sa_survey->sv_nquestions)
		return;
	bits = a->sa_items[qi].an_slots;
	for (i = 0; i < QTYPE_MAX_SLOTS; i++)
		if ((bits & (UINT64_C(1) << i)) != 0)
			slots[(*n)++] = (uint8_t)i;
}

const char *
survey_answers_text(const struct survey_answers *a, size_t qi)
{
	if (qi >= a->sa_survey->sv_nquestions)
		return NULL;
	return a->sa_items[qi].an_text;
}

json_t *
survey_answers_to_json(const struct survey_answers *a)
{
	const struct survey		*s = a->sa_survey;
	const struct survey_question	*sq;
	json_t				*obj = NULL, *ret = NULL;
	size_t				 qi;

	if ((obj = json_object()) == NULL)
		goto done;
	for (qi = 0; qi < s->sv_nquestions; qi++) {
		sq = &s->sv_questions[qi];
		if (a->sa_items[qi].an_slots == 0)
			continue;
		if (survey_set(obj, sq->sq_id, survey_qtypes[sq->sq_type].
		    qt_value(sq, &a->sa_items[qi])) != 0)
			goto done;
	}
	ret = obj;
	obj = NULL;
done:
	json_decref(obj);
	return ret;
}
