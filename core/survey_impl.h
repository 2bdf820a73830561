/*
 * survey_impl.h — what the survey modules share and nobody else sees: the
 * parsed definition (survey.c), the question-type table (qtype.c) and
 * checked answers (answers.c). Include only from those three files.
 */
#ifndef PALAUTE_CORE_SURVEY_IMPL_H
#define PALAUTE_CORE_SURVEY_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "core/qtype.h"
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

struct answers {
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

/* The question types, indexed by enum qtype (qtype.c). */
extern const struct survey_qtype qtype_table[QTYPE_COUNT];

/* Helpers of the definition parser that the question types use too. */
int	survey_oom(struct error *err);
int	survey_only(const json_t *obj, const char *const *a,
	    const char *const *b, const char *path, struct error *err);
bool	survey_blank(const char *s);
int	survey_get_id(const json_t *obj, const char *path, char *out,
	    struct error *err);
int	survey_get_i18n(const struct survey *s, const json_t *obj,
	    const char *key, bool required, const char *path, json_t **out,
	    struct error *err);
json_t	*survey_copy(const json_t *v);
int	survey_set(json_t *obj, const char *key, json_t *val);
int	survey_utf8_count(const char *str, size_t len, size_t *n_out);

#endif /* PALAUTE_CORE_SURVEY_IMPL_H */
