/*
 * survey.c — fuzz target: a survey definition as an admin posts it
 * (survey_parse), the largest document the daemon takes.
 *
 * Properties: a definition accepted is accepted again in its canonical
 * form and gives the same canonical form back, since that form is what
 * the store keeps and every later read parses; and codec_dump() writes
 * any document, the input and its canonical form, as json_dumps() does;
 * and the quick reader of bodies agrees with jansson (fuzz/json.c).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/codec.h"
#include "common/error.h"
#include "core/survey.h"
#include "fuzz/fuzz.h"

/* codec_dump() of json is json_dumps()'s, byte for byte. */
static void
fuzz_same_dump(const json_t *json)
{
	char	*ours, *theirs;

	ours = codec_dump(json, NULL);
	theirs = json_dumps(json, JSON_COMPACT);
	FUZZ_CHECK((ours == NULL) == (theirs == NULL));
	FUZZ_CHECK(ours == NULL || strcmp(ours, theirs) == 0);
	free(ours);
	free(theirs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct survey	*s = NULL, *again = NULL;
	struct error	 err;
	json_t		*def = NULL, *canon = NULL, *canon2 = NULL;
	size_t		 qi;

	memset(&err, 0, sizeof(err));
	if (codec_depth((const char *)data, size) > CODEC_MAX_DEPTH)
		goto done;
	def = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	fuzz_same_load(data, size, def);
	if (def == NULL)
		goto done;
	fuzz_same_dump(def);
	if (survey_parse(def, &s, &err) != 0) {
		FUZZ_CHECK(err.er_code != ERR_NONE);
		goto done;
	}
	FUZZ_CHECK(survey_question_count(s) > 0);
	for (qi = 0; qi < survey_question_count(s); qi++)
		FUZZ_CHECK(survey_question_slots(s, qi) <= QTYPE_MAX_SLOTS);
	canon = survey_to_json(s);
	FUZZ_CHECK(canon != NULL);
	fuzz_same_dump(canon);
	memset(&err, 0, sizeof(err));
	if (survey_parse(canon, &again, &err) != 0)
		fprintf(stderr, "canonical form refused: %s: %s\n",
		    err.er_field, err.er_message);
	FUZZ_CHECK(again != NULL);
	canon2 = survey_to_json(again);
	FUZZ_CHECK(canon2 != NULL && json_equal(canon, canon2));
done:
	json_decref(canon2);
	json_decref(canon);
	survey_free(again);
	survey_free(s);
	json_decref(def);
	return 0;
}
