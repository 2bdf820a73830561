/*
 * rscan.h — a fast reader of the response records intake writes
 * (core/intake.h), for rebuild: the record's version, unit, owner and
 * language, and its answers mapped onto histogram slots, without building
 * a JSON tree or a struct answers. It handles the shapes intake writes
 * (one flat object, answers of integers, option ids, booleans and texts)
 * and refuses anything else with -ENOTSUP, so that the caller falls back
 * to json_loadb() and answers_check_record(), which then judge the record.
 * Where it answers, it answers as they would (tests/unit/test_rscan.c
 * compares the two on many records), with two checks left out on
 * purpose: the length of texts (scrubbing may have lengthened a text
 * that intake accepted) and UTF-8 (json_dumps() wrote the record and the
 * seal kept it).
 *
 * Return convention: 0 or a negative errno-style code (-ENOTSUP: use the
 * slow path). Pure: no allocation, no storage.
 */
#ifndef PALAUTE_CORE_RSCAN_H
#define PALAUTE_CORE_RSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cell.h"
#include "core/qtype.h"
#include "core/survey.h"

struct survey;

struct rscan_record {
	uint32_t	 rr_version;
	uint32_t	 rr_unit;
	uint32_t	 rr_owner;	/* 0 in a record written without one */
	char		 rr_lang[SURVEY_LANG_MAX];
	const char	*rr_answers;	/* the answers object, in the text */
	size_t		 rr_answers_len;
};

/* The members rebuild needs of a record's JSON text. */
int	rscan_record(const char *text, size_t len, struct rscan_record *out);

/*
 * Map the answers object (text, len) of a record in language lang onto
 * slots of survey s: ans[q] for every question (nq =
 * survey_question_count(s)), pointing into slots[q]. The checks of
 * answers_check() hold: known questions and options, values in
 * range, every required question answered and at least one question.
 */
int	rscan_answers(const struct survey *s, const char *lang,
	    const char *text, size_t len, struct cell_answer *ans,
	    uint8_t (*slots)[QTYPE_MAX_SLOTS]);

#endif /* PALAUTE_CORE_RSCAN_H */
