/*
 * qtype.c — the question types of DESIGN.md section 4 as one table: for
 * each, how its definition parses and prints, how many histogram slots it
 * has, how one answer is checked and written back.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "core/scrub.h"
#include "core/survey_impl.h"

static const char *const qtype_option_members[] = { "id", "text", NULL };
static const char *const qtype_label_members[] = { "min", "max", NULL };

/* ------------------------------------------------------ question types */

static int
qtype_parse_smiley(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	char		field[ERROR_FIELD_MAX];
	long long	faces = 5;
	int		ret;

	if ((ret = codec_int_at(q, path, "faces", false, 4, 5, 5, &faces,
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
qtype_parse_scale(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*labels;
	long long	 min, max;
	int		 ret;

	if ((ret = codec_int_at(q, path, "min", true, -SURVEY_SCALE_LIMIT,
	    SURVEY_SCALE_LIMIT, 0, &min, err)) != 0 ||
	    (ret = codec_int_at(q, path, "max", true, -SURVEY_SCALE_LIMIT,
	    SURVEY_SCALE_LIMIT, 0, &max, err)) != 0)
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
	if ((ret = survey_only(labels, qtype_label_members, NULL, field,
	    err)) != 0 ||
	    (ret = survey_get_i18n(s, labels, "min", false, field,
	    &sq->sq_label_min, err)) != 0 ||
	    (ret = survey_get_i18n(s, labels, "max", false, field,
	    &sq->sq_label_max, err)) != 0)
		return ret;
	return 0;
}

static int
qtype_parse_nps(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	sq->sq_min = 0;
	sq->sq_max = 10;
	return 0;
}

static int
qtype_parse_choice(const struct survey *s, const json_t *q,
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
			    "'%s' must be an object", opath);
		if ((ret = survey_only(o, qtype_option_members, NULL, opath,
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
qtype_parse_multi(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	long long	max;
	int		ret;

	if ((ret = qtype_parse_choice(s, q, path, sq, err)) != 0 ||
	    (ret = codec_int_at(q, path, "max_choices", false, 1,
	    (long long)sq->sq_noptions, 0, &max, err)) != 0)
		return ret;
	sq->sq_max_choices = (unsigned)max;
	return 0;
}

static int
qtype_parse_none(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	return 0;
}

static int
qtype_parse_text(const struct survey *s, const json_t *q,
    const char *path, struct survey_question *sq, struct error *err)
{
	long long	max = SURVEY_TEXT_DEFAULT;
	int		ret;

	if ((ret = codec_int_at(q, path, "max_length", false, 1,
	    SURVEY_TEXT_ANSWER_MAX, SURVEY_TEXT_DEFAULT, &max, err)) != 0)
		return ret;
	sq->sq_max_length = (unsigned)max;
	return 0;
}

static size_t
qtype_slots_range(const struct survey_question *sq)
{
	return (size_t)(sq->sq_max - sq->sq_min + 1);
}

static size_t
qtype_slots_options(const struct survey_question *sq)
{
	return sq->sq_noptions;
}

static size_t
qtype_slots_yesno(const struct survey_question *sq)
{
	return 2;
}

static size_t
qtype_slots_text(const struct survey_question *sq)
{
	return 1;
}

static int
qtype_option_find(const struct survey_question *sq, const char *id,
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
qtype_check_range(const struct survey_question *sq, const json_t *v,
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
qtype_check_choice(const struct survey_question *sq, const json_t *v,
    bool stored, struct survey_answer *an, struct error *err)
{
	size_t	i;

	if (!json_is_string(v))
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "must be an option id");
	if (qtype_option_find(sq, json_string_value(v), &i) != 0)
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "not an option of the question");
	an->an_slots = UINT64_C(1) << i;
	return 0;
}

static int
qtype_check_multi(const struct survey_question *sq, const json_t *v,
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
		if (qtype_option_find(sq, json_string_value(o), &k) != 0)
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
qtype_check_yesno(const struct survey_question *sq, const json_t *v,
    bool stored, struct survey_answer *an, struct error *err)
{
	if (!json_is_boolean(v))
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "must be true or false");
	an->an_slots = UINT64_C(1) << (json_is_true(v) ? 1 : 0);
	return 0;
}

static int
qtype_check_text(const struct survey_question *sq, const json_t *v,
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
	 * The limit is on what the respondent typed, and what is stored
	 * keeps it (scrub_text_max()). Records stored before it was kept
	 * may be up to scrub_max_length() of it: 7 digits became
	 * "[puhelin]", 9 characters.
	 */
	if (stored ? n > scrub_max_length(sq->sq_max_length) :
	    n > sq->sq_max_length)
		return error_set(err, ERR_INVALID_ANSWER, sq->sq_id,
		    "longer than %u characters", sq->sq_max_length);
	if (survey_blank(s))
		return 0;		/* unanswered */
	ret = stored ? scrub_text(s, &an->an_text) :
	    scrub_text_max(s, sq->sq_max_length, &an->an_text);
	if (ret != 0) {
		error_set(err, ERR_INTERNAL, NULL, "out of memory");
		return ret;
	}
	an->an_slots = 1;
	return 0;
}

static int
qtype_dump_smiley(const struct survey_question *sq, json_t *q)
{
	return survey_set(q, "faces", json_integer(sq->sq_max));
}

static int
qtype_dump_scale(const struct survey_question *sq, json_t *q)
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
qtype_dump_none(const struct survey_question *sq, json_t *q)
{
	return 0;
}

static int
qtype_dump_choice(const struct survey_question *sq, json_t *q)
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
qtype_dump_multi(const struct survey_question *sq, json_t *q)
{
	int	ret;

	if ((ret = qtype_dump_choice(sq, q)) != 0)
		return ret;
	if (sq->sq_max_choices == 0)
		return 0;
	return survey_set(q, "max_choices", json_integer(sq->sq_max_choices));
}

static int
qtype_dump_text(const struct survey_question *sq, json_t *q)
{
	return survey_set(q, "max_length", json_integer(sq->sq_max_length));
}

/* Index of the lowest filled slot; the caller knows one is. */
static size_t
qtype_first_slot(uint64_t slots)
{
	size_t	i = 0;

	while ((slots & (UINT64_C(1) << i)) == 0)
		i++;
	return i;
}

static json_t *
qtype_value_range(const struct survey_question *sq,
    const struct survey_answer *an)
{
	return json_integer(sq->sq_min + (int)qtype_first_slot(an->an_slots));
}

static json_t *
qtype_value_choice(const struct survey_question *sq,
    const struct survey_answer *an)
{
	return json_string(
	    sq->sq_options[qtype_first_slot(an->an_slots)].so_id);
}

static json_t *
qtype_value_multi(const struct survey_question *sq,
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
qtype_value_yesno(const struct survey_question *sq,
    const struct survey_answer *an)
{
	return json_boolean(an->an_slots == (UINT64_C(1) << 1));
}

static json_t *
qtype_value_text(const struct survey_question *sq,
    const struct survey_answer *an)
{
	return json_string(an->an_text);
}

static const char *const qtype_smiley_members[] = { "faces", NULL };
static const char *const qtype_scale_members[] = {
	"min", "max", "labels", NULL
};
static const char *const qtype_choice_members[] = { "options", NULL };
static const char *const qtype_multi_members[] = {
	"options", "max_choices", NULL
};
static const char *const qtype_text_members[] = { "max_length", NULL };

const struct survey_qtype qtype_table[QTYPE_COUNT] = {
	[QTYPE_SMILEY] = { "smiley", qtype_smiley_members,
	    qtype_parse_smiley, qtype_slots_range, qtype_check_range,
	    qtype_dump_smiley, qtype_value_range },
	[QTYPE_SCALE] = { "scale", qtype_scale_members,
	    qtype_parse_scale, qtype_slots_range, qtype_check_range,
	    qtype_dump_scale, qtype_value_range },
	[QTYPE_NPS] = { "nps", NULL,
	    qtype_parse_nps, qtype_slots_range, qtype_check_range,
	    qtype_dump_none, qtype_value_range },
	[QTYPE_CHOICE] = { "choice", qtype_choice_members,
	    qtype_parse_choice, qtype_slots_options, qtype_check_choice,
	    qtype_dump_choice, qtype_value_choice },
	[QTYPE_MULTI] = { "multi", qtype_multi_members,
	    qtype_parse_multi, qtype_slots_options, qtype_check_multi,
	    qtype_dump_multi, qtype_value_multi },
	[QTYPE_YESNO] = { "yesno", NULL,
	    qtype_parse_none, qtype_slots_yesno, qtype_check_yesno,
	    qtype_dump_none, qtype_value_yesno },
	[QTYPE_TEXT] = { "text", qtype_text_members,
	    qtype_parse_text, qtype_slots_text, qtype_check_text,
	    qtype_dump_text, qtype_value_text },
};

const char *
qtype_name(enum qtype t)
{
	return (unsigned)t < QTYPE_COUNT ? qtype_table[t].qt_name : NULL;
}
