/*
 * survey.h — survey definitions (DESIGN.md section 4): parsed and checked
 * from JSON into an immutable struct survey, written back canonically,
 * and read through accessors. The answers of a submission are checked in
 * core/answers.h, each type's part by the table of core/qtype.h.
 *
 * Return convention: 0 or a negative errno-style code. Functions that can
 * fail because of what a client sent fill a struct error (code and the
 * JSON path of the culprit in er_field) and return -EINVAL; -ENOMEM comes
 * with ERR_INTERNAL.
 */
#ifndef PALAUTE_CORE_SURVEY_H
#define PALAUTE_CORE_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "core/qtype.h"

struct survey;

enum survey_audience {
	SURVEY_AUDIENCE_CLIENT,
	SURVEY_AUDIENCE_STAFF,
	SURVEY_AUDIENCE_PANEL
};

enum survey_period {
	SURVEY_PERIOD_WEEK,
	SURVEY_PERIOD_MONTH,
	SURVEY_PERIOD_QUARTER,
	SURVEY_PERIOD_YEAR
};

#define SURVEY_MAX_QUESTIONS	100	/* a cell holds every histogram */
#define SURVEY_ID_MAX		32	/* question and option ids */
#define SURVEY_SLUG_MAX		64
#define SURVEY_TEXT_MAX		5000	/* code points of any survey text */
#define SURVEY_LANG_COUNT	12	/* survey.c's survey_lang_names */
#define SURVEY_LANG_MAX		16	/* bytes of the longest tag, with NUL */

/*
 * Parse and check a survey definition:
 *
 *   slug       optional; [a-z0-9-], 1..64 (the server may assign one)
 *   title      i18n            description  optional i18n
 *   audience   "client" | "staff" | "panel"
 *   languages  non-empty list without duplicates of "fi", "sv", "en",
 *              "se", "ru", "uk", "et", "ar", "so", "fa", "fi-x-plain",
 *              "sv-x-plain" (exactly so written); the first is the default
 *   questions  1..100 of {id, type, text (i18n), required (default false),
 *              and the members of the type}: smiley {faces 5|4, default 5};
 *              scale {min, max: integers in -1000..1000, max > min, at most
 *              11 steps; labels {min, max} optional i18n}; nps; choice and
 *              multi {options: 1..64 of {id, text}; multi: max_choices
 *              1..options}; yesno; text {max_length 1..5000, default 1000}.
 *              Ids are [a-z0-9_-], 1..32, unique among questions and among
 *              the options of one question.
 *   privacy    {controller, purpose (i18n), contact (i18n or string),
 *              retention_months 1..120, voluntary: true, anonymous: true},
 *              every member required: the notice must be complete
 *   min_group  default 5, 3..1000
 *   min_group_comments  default max(10, min_group), min_group..10000
 *   period     "week" | "month" | "quarter" | "year", default "month"
 *   kiosk      optional {idle_reset_seconds 5..600, default 30}
 *
 * An i18n value is an object whose keys are among those languages, with
 * string values; each language the survey declares must be present and not
 * blank.
 * Errors: ERR_UNKNOWN_FIELD for a member not listed, ERR_WRONG_TYPE,
 * ERR_MISSING_FIELD, ERR_INVALID for a rule broken; er_field is the path,
 * e.g. "questions[2].options[0].text.sv". On success *out is a new survey
 * (free with survey_free) that copies what it needs from def.
 */
int		 survey_parse(const json_t *def, struct survey **out,
		    struct error *err);
void		 survey_free(struct survey *s);

/*
 * The canonical definition, a new reference: keys in the order above,
 * i18n keys in the order of the language list, every default written out
 * (optional objects that were absent stay absent). survey_parse accepts it
 * and gives the same survey back. NULL only when out of memory.
 */
json_t		*survey_to_json(const struct survey *s);

/* Replace the slug (the server assigns one); -EINVAL if not a valid slug. */
int		 survey_set_slug(struct survey *s, const char *slug);

/* Accessors. Strings are owned by s and live as long as it does. */
const char	*survey_slug(const struct survey *s);	/* NULL if none */
enum survey_audience survey_audience(const struct survey *s);
enum survey_period survey_period(const struct survey *s);
unsigned	 survey_min_group(const struct survey *s);
unsigned	 survey_min_group_comments(const struct survey *s);
unsigned	 survey_retention_months(const struct survey *s);
unsigned	 survey_idle_reset_seconds(const struct survey *s);
size_t		 survey_lang_count(const struct survey *s);
const char	*survey_lang(const struct survey *s, size_t i);
bool		 survey_has_lang(const struct survey *s, const char *lang);

/* Questions, by index 0..count-1 in the order of the definition. */
size_t		 survey_question_count(const struct survey *s);
const char	*survey_question_id(const struct survey *s, size_t qi);
enum qtype	 survey_question_type(const struct survey *s, size_t qi);
bool		 survey_question_required(const struct survey *s, size_t qi);
/* Histogram slots of the question: faces, steps, 11, options, 2 or 1. */
size_t		 survey_question_slots(const struct survey *s, size_t qi);
/* Index of the question with this id; -ENOENT if none. */
int		 survey_question_find(const struct survey *s, const char *id,
		    size_t *qi_out);
/*
 * The answer value of slot 0 for smiley (1), scale (min) and nps (0): a
 * slot's value is this plus the slot. -EINVAL for the other types.
 */
int		 survey_question_base(const struct survey *s, size_t qi,
		    int *base_out);
/* The option id of a slot of a choice or multi question, or NULL. */
const char	*survey_question_option(const struct survey *s, size_t qi,
		    size_t slot);

/*
 * Whether question qa of a and question qb of b can share one histogram
 * when results combine survey versions: same id, same type, same number
 * of slots and the same meaning of each slot (scale base, option ids in
 * the same order).
 */
bool		 survey_same_shape(const struct survey *a, size_t qa,
		    const struct survey *b, size_t qb);

/* "smiley"... for a type; NULL out of range. */
/* The text of an i18n value (or a plain string) in lang, or NULL. */
const char	*survey_lang_text(const json_t *i18n, const char *lang);

#endif /* PALAUTE_CORE_SURVEY_H */
