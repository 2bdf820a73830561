/*
 * answers.c — one submission's answers checked against a survey version,
 * and what a stored response and its cell are made of.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/codec.h"
#include "core/answers.h"
#include "core/scrub.h"
#include "core/survey_impl.h"

/* ------------------------------------------------------------ answers */

static int
answers_check_as(const struct survey *s, const json_t *answers,
    const char *lang, bool stored, struct answers **out, struct error *err)
{
	struct answers		*a = NULL;
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
		    "'lang' is required");
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
		    "'answers' must be an object");
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
		if ((ret = qtype_table[sq->sq_type].qt_check(sq, v, stored,
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
	answers_free(a);
	return ret;
}

int
answers_check(const struct survey *s, const json_t *answers,
    const char *lang, struct answers **out, struct error *err)
{
	return answers_check_as(s, answers, lang, false, out, err);
}

int
answers_check_record(const struct survey *s, const json_t *answers,
    const char *lang, struct answers **out, struct error *err)
{
	return answers_check_as(s, answers, lang, true, out, err);
}

void
answers_free(struct answers *a)
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
answers_lang(const struct answers *a)
{
	return a->sa_lang;
}

bool
answers_answered(const struct answers *a, size_t qi)
{
	return qi < a->sa_survey->sv_nquestions &&
	    a->sa_items[qi].an_slots != 0;
}

void
answers_slots(const struct answers *a, size_t qi,
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
answers_text(const struct answers *a, size_t qi)
{
	if (qi >= a->sa_survey->sv_nquestions)
		return NULL;
	return a->sa_items[qi].an_text;
}

void
answers_write(const struct answers *a, struct codec_buf *b)
{
	const struct survey		*s = a->sa_survey;
	const struct survey_question	*sq;
	const struct survey_answer	*an;
	const char			*sep = "{";
	uint64_t			 slot;
	size_t				 qi, i;
	bool				 first;

	for (qi = 0; qi < s->sv_nquestions; qi++) {
		sq = &s->sv_questions[qi];
		an = &a->sa_items[qi];
		if (an->an_slots == 0)
			continue;
		codec_buf_raw(b, sep, 1);
		sep = ",";
		codec_buf_cstr(b, sq->sq_id);
		codec_buf_raw(b, ":", 1);
		/* The values of qtype.c's qt_value, in the same spelling. */
		for (i = 0; (an->an_slots & (UINT64_C(1) << i)) == 0; i++)
			;
		switch (sq->sq_type) {
		case QTYPE_SMILEY:
		case QTYPE_SCALE:
		case QTYPE_NPS:
			codec_buf_int(b, (long long)sq->sq_min + (long long)i);
			break;
		case QTYPE_CHOICE:
			codec_buf_cstr(b, sq->sq_options[i].so_id);
			break;
		case QTYPE_MULTI:
			codec_buf_raw(b, "[", 1);
			for (first = true; i < sq->sq_noptions; i++) {
				slot = UINT64_C(1) << i;
				if ((an->an_slots & slot) == 0)
					continue;
				if (!first)
					codec_buf_raw(b, ",", 1);
				first = false;
				codec_buf_cstr(b, sq->sq_options[i].so_id);
			}
			codec_buf_raw(b, "]", 1);
			break;
		case QTYPE_YESNO:
			if (an->an_slots == (UINT64_C(1) << 1))
				CODEC_BUF_LIT(b, "true");
			else
				CODEC_BUF_LIT(b, "false");
			break;
		case QTYPE_TEXT:
		default:
			codec_buf_cstr(b, an->an_text);
			break;
		}
	}
	if (*sep == '{')
		codec_buf_raw(b, "{", 1);
	codec_buf_raw(b, "}", 1);
}

json_t *
answers_to_json(const struct answers *a)
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
		if (survey_set(obj, sq->sq_id, qtype_table[sq->sq_type].
		    qt_value(sq, &a->sa_items[qi])) != 0)
			goto done;
	}
	ret = obj;
	obj = NULL;
done:
	json_decref(obj);
	return ret;
}
