/*
 * answers.h — the answers of one submission, checked against a survey
 * version (core/survey.h): what a response record stores and which
 * histogram slots it fills in its cell.
 * Return convention: 0 or a negative errno-style code, err filled for the
 * client.
 */
#ifndef PALAUTE_CORE_ANSWERS_H
#define PALAUTE_CORE_ANSWERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "core/qtype.h"

struct answers;
struct codec_buf;
struct survey;

/*
 * Check the answers object of one submission, {question_id: value}, in
 * language lang, against s:
 *
 *   smiley 1..faces, scale min..max, nps 0..10: a JSON integer (not 1.0,
 *   not true); choice: a known option id; multi: an array of 1 or more
 *   known option ids, no duplicates, at most max_choices; yesno: true or
 *   false; text: a string of at most max_length code points.
 *
 * null, and for text an empty or blank string, mean "not answered". Every
 * required question must be answered, and at least one question must be:
 * an empty submission would count a respondent who said nothing.
 * Errors: lang missing (ERR_MISSING_FIELD) or not one of the survey's
 * (ERR_INVALID, field "lang"); answers not an object (ERR_WRONG_TYPE,
 * "answers"); nothing answered (ERR_INVALID_ANSWER, "answers"); any
 * other problem, including an id the survey does not have,
 * ERR_INVALID_ANSWER with er_field the question id.
 *
 * Text answers are scrubbed (core/scrub.h) here, after their length is
 * checked, so a struct answers never holds an unscrubbed comment, and
 * the scrubbed text keeps max_length (scrub_text_max()).
 * On success *out is new (answers_free); it borrows s, which must
 * outlive it.
 */
int	 answers_check(const struct survey *s,
	    const json_t *answers, const char *lang,
	    struct answers **out, struct error *err);
/*
 * The same check of the answers of a stored response record (rebuild,
 * verify), whose text was checked as typed and then scrubbed. Records
 * stored before the scrubbed text kept max_length may be longer (up to
 * scrub_max_length() of it, 9/7), which is allowed here. Scrubbing it
 * again changes nothing.
 */
int	 answers_check_record(const struct survey *s,
	    const json_t *answers, const char *lang,
	    struct answers **out, struct error *err);
void	 answers_free(struct answers *a);

const char	*answers_lang(const struct answers *a);
bool	 answers_answered(const struct answers *a,
	    size_t qi);
/*
 * The histogram slots question qi's answer fills, in increasing order,
 * into slots[] (room for QTYPE_MAX_SLOTS); *n is 0 when unanswered. A text
 * answer fills its one slot (a comment was left).
 */
void	 answers_slots(const struct answers *a,
	    size_t qi, uint8_t slots[QTYPE_MAX_SLOTS], size_t *n);
/* The scrubbed text answer of question qi, or NULL (owned by a). */
const char	*answers_text(const struct answers *a,
	    size_t qi);
/*
 * The answers as stored in a response record, a new reference: only the
 * answered questions, {id: value}, multi options in the survey's order
 * (not the order tapped), text scrubbed. NULL only when out of memory.
 */
json_t		*answers_to_json(const struct answers *a);
/*
 * The same object as JSON text onto b: byte for byte what codec_dump()
 * gives of answers_to_json(a), without building it (the record of each
 * response is written this way; fuzz/answers.c holds the two equal).
 */
void		 answers_write(const struct answers *a,
		    struct codec_buf *b);

#endif /* PALAUTE_CORE_ANSWERS_H */
