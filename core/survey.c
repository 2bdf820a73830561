/*
 * survey.c — survey definitions checked against DESIGN.md section 4,
 * their canonical JSON and accessors. Each question's own members are the
 * question-type table's (qtype.c); answers are checked in answers.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "core/scrub.h"
#include "core/survey_impl.h"

/*
 * The languages a survey may be written in (DESIGN.md section 1): the
 * national ones and English, then the ones clients of social services
 * read (Northern Sami, Russian, Ukrainian, Estonian, Arabic, Somali,
 * Persian), then plain Finnish and Swedish (selkokieli, lättläst) as
 * private-use variants of their language. Tags are matched exactly, as
 * written here; i18n objects are written out in this order.
 */
static const char *const survey_lang_names[] = {
	"fi", "sv", "en", "se", "ru", "uk", "et", "ar", "so", "fa",
	"fi-x-plain", "sv-x-plain", NULL
};
#define SURVEY_LANG_LIST \
	"fi, sv, en, se, ru, uk, et, ar, so, fa, fi-x-plain or sv-x-plain"

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

/* ------------------------------------------------------------ helpers */

int
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
int
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

/*
 * Count the code points of str[0..len); -EILSEQ unless it is valid UTF-8
 * (no overlong forms, surrogates or values past U+10FFFF). jansson checks
 * this already; counting needs the walk anyway, so it costs nothing.
 */
int
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

bool
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
int
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
 * order of survey_lang_names.
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
			    "'%s' must be a string", field);
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
int
survey_get_i18n(const struct survey *s, const json_t *obj, const char *key,
    bool required, const char *path, json_t **out, struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*v;

	codec_path(field, path, key);
	if ((v = json_object_get(obj, key)) == NULL) {
		if (required)
			return error_set(err, ERR_MISSING_FIELD, field,
			    "'%s' is required", field);
		*out = NULL;
		return 0;
	}
	return survey_i18n(s, v, field, out, err);
}

json_t *
survey_copy(const json_t *v)
{
	return v == NULL ? NULL : json_deep_copy(v);
}

int
survey_set(json_t *obj, const char *key, json_t *val)
{
	/* _set_new takes val even when it fails, and fails on NULL. */
	return json_object_set_new(obj, key, val) == 0 ? 0 : -ENOMEM;
}

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
		    "'%s' must be an object", path);
	/* The type first: it decides which other members are allowed. */
	if ((ret = codec_get(q, path, "type", JSON_STRING, true, &type,
	    err)) != 0)
		return ret;
	for (t = 0; t < QTYPE_COUNT; t++) {
		if (strcmp(qtype_table[t].qt_name,
		    json_string_value(type)) == 0) {
			qt = &qtype_table[t];
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
	    (ret = codec_bool_at(q, path, "required", false, false,
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
		    "must list one to %d languages, each one of "
		    SURVEY_LANG_LIST, SURVEY_LANG_COUNT);
	for (i = 0; i < n; i++) {
		l = json_array_get(langs, i);
		codec_path_index(field, "languages", i);
		if (!json_is_string(l))
			return error_set(err, ERR_WRONG_TYPE, field,
			    "'%s' must be a string", field);
		for (k = 0; survey_lang_names[k] != NULL; k++)
			if (strcmp(survey_lang_names[k],
			    json_string_value(l)) == 0)
				break;
		if (survey_lang_names[k] == NULL)
			return error_set(err, ERR_INVALID, field,
			    "must be " SURVEY_LANG_LIST);
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
		    "'privacy.contact' is required");
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
	if ((ret = codec_int_at(p, path, "retention_months", true, 1, 120, 0,
	    &months, err)) != 0)
		return ret;
	s->sv_retention_months = (unsigned)months;
	/* Both are promises to the respondent the software must keep. */
	if ((ret = codec_bool_at(p, path, "voluntary", true, false, &yes,
	    err)) != 0)
		return ret;
	if (!yes)
		return error_set(err, ERR_INVALID, "privacy.voluntary",
		    "answering must be voluntary");
	if ((ret = codec_bool_at(p, path, "anonymous", true, false, &yes,
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
	if ((ret = codec_int_at(def, "", "min_group", false, 3, 1000, 5, &n,
	    err)) != 0)
		return ret;
	s->sv_min_group = (unsigned)n;
	/* A comment reveals more than a number: a larger group by default. */
	if ((ret = codec_int_at(def, "", "min_group_comments", false,
	    s->sv_min_group, 10000, s->sv_min_group > 10 ? s->sv_min_group : 10,
	    &n, err)) != 0)
		return ret;
	s->sv_min_group_comments = (unsigned)n;
	if ((ret = codec_enum_at(def, "", "period", false, survey_periods,
	    SURVEY_PERIOD_MONTH, &e, err)) != 0)
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
	    (ret = codec_int_at(kiosk, "kiosk", "idle_reset_seconds", false, 5,
	    600, 30, &n, err)) != 0)
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
	if ((ret = codec_enum_at(def, "", "audience", true, survey_audiences,
	    0, &e, err)) != 0)
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
	    json_string(qtype_table[sq->sq_type].qt_name))) != 0 ||
	    (ret = survey_set(q, "text", survey_copy(sq->sq_text))) != 0 ||
	    (ret = survey_set(q, "required",
	    json_boolean(sq->sq_required))) != 0)
		return ret;
	return qtype_table[sq->sq_type].qt_dump(sq, q);
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
	return qtype_table[sq->sq_type].qt_slots(sq);
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
survey_lang_text(const json_t *i18n, const char *lang)
{
	if (json_is_string(i18n))
		return json_string_value(i18n);
	if (lang == NULL || !json_is_object(i18n))
		return NULL;
	return json_string_value(json_object_get(i18n, lang));
}
