/*
 * answers.c — fuzz target: a submission's body against a survey with a
 * question of every type, the way core/intake.c checks it (JSON with
 * duplicate keys refused, then answers_check).
 *
 * Properties, beyond the sanitizers': every slot an accepted answer fills
 * is inside its question's histogram, in increasing order; and the record
 * it would be stored as passes the same check again with the same slots
 * and texts, because palautectl rebuild and verify re-read records that
 * way and a record they refuse is a response lost from the counts; and
 * the quick reader of bodies agrees with jansson (fuzz/json.c).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/codec.h"
#include "common/error.h"
#include "core/answers.h"
#include "core/survey.h"
#include "fuzz/fuzz.h"

static const char fuzz_survey_def[] =
    "{\"title\":{\"fi\":\"Kysely\",\"sv\":\"Enkät\"},"
    "\"audience\":\"client\",\"languages\":[\"fi\",\"sv\"],"
    "\"questions\":["
    "{\"id\":\"face\",\"type\":\"smiley\",\"faces\":4,\"required\":true,"
    "\"text\":{\"fi\":\"a\",\"sv\":\"a\"}},"
    "{\"id\":\"scale\",\"type\":\"scale\",\"min\":-2,\"max\":8,"
    "\"text\":{\"fi\":\"b\",\"sv\":\"b\"}},"
    "{\"id\":\"nps\",\"type\":\"nps\",\"text\":{\"fi\":\"c\",\"sv\":\"c\"}},"
    "{\"id\":\"one\",\"type\":\"choice\",\"text\":{\"fi\":\"d\",\"sv\":\"d\"},"
    "\"options\":[{\"id\":\"x\",\"text\":{\"fi\":\"x\",\"sv\":\"x\"}},"
    "{\"id\":\"y-2\",\"text\":{\"fi\":\"y\",\"sv\":\"y\"}}]},"
    "{\"id\":\"many\",\"type\":\"multi\",\"max_choices\":2,"
    "\"text\":{\"fi\":\"e\",\"sv\":\"e\"},"
    "\"options\":[{\"id\":\"a\",\"text\":{\"fi\":\"a\",\"sv\":\"a\"}},"
    "{\"id\":\"b\",\"text\":{\"fi\":\"b\",\"sv\":\"b\"}},"
    "{\"id\":\"c\",\"text\":{\"fi\":\"c\",\"sv\":\"c\"}}]},"
    "{\"id\":\"yes\",\"type\":\"yesno\",\"text\":{\"fi\":\"f\",\"sv\":\"f\"}},"
    "{\"id\":\"say\",\"type\":\"text\",\"max_length\":40,"
    "\"text\":{\"fi\":\"g\",\"sv\":\"g\"}}],"
    "\"privacy\":{\"controller\":{\"fi\":\"K\",\"sv\":\"K\"},"
    "\"purpose\":{\"fi\":\"p\","
    "\"sv\":\"p\"},\"contact\":\"k@example.fi\",\"retention_months\":12,"
    "\"voluntary\":true,\"anonymous\":true}}";

static struct survey *fuzz_survey;

static struct survey *
fuzz_the_survey(void)
{
	struct error	 err;
	json_t		*def;

	if (fuzz_survey != NULL)
		return fuzz_survey;
	memset(&err, 0, sizeof(err));
	def = json_loads(fuzz_survey_def, 0, NULL);
	FUZZ_CHECK(def != NULL);
	if (survey_parse(def, &fuzz_survey, &err) != 0)
		fprintf(stderr, "the target's survey: %s: %s\n", err.er_field,
		    err.er_message);
	FUZZ_CHECK(fuzz_survey != NULL);
	json_decref(def);
	return fuzz_survey;
}

/* b gives what a gives, question by question. */
static void
fuzz_same_answers(const struct survey *s, const struct answers *a,
    const struct answers *b)
{
	uint8_t		sa[QTYPE_MAX_SLOTS], sb[QTYPE_MAX_SLOTS];
	size_t		na, nb, qi, i;
	const char	*ta, *tb;

	FUZZ_CHECK(strcmp(answers_lang(a),
	    answers_lang(b)) == 0);
	for (qi = 0; qi < survey_question_count(s); qi++) {
		answers_slots(a, qi, sa, &na);
		answers_slots(b, qi, sb, &nb);
		FUZZ_CHECK(na == nb);
		FUZZ_CHECK(na == 0 || memcmp(sa, sb, na) == 0);
		FUZZ_CHECK(na <= survey_question_slots(s, qi));
		for (i = 0; i < na; i++) {
			FUZZ_CHECK(sa[i] < survey_question_slots(s, qi));
			FUZZ_CHECK(i == 0 || sa[i - 1] < sa[i]);
		}
		ta = answers_text(a, qi);
		tb = answers_text(b, qi);
		FUZZ_CHECK((ta == NULL) == (tb == NULL));
		FUZZ_CHECK(ta == NULL || strcmp(ta, tb) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct survey		*s = fuzz_the_survey();
	struct answers	*a = NULL, *again = NULL;
	struct error		 err;
	json_t			*body = NULL, *stored = NULL, *lang;
	struct codec_buf	 b;
	char			*written = NULL, *dumped = NULL;
	const char		*l;

	memset(&err, 0, sizeof(err));
	if (codec_depth((const char *)data, size) > CODEC_MAX_DEPTH)
		goto done;
	body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	fuzz_same_load(data, size, body);
	if (!json_is_object(body))
		goto done;
	lang = json_object_get(body, "lang");
	l = json_string_value(lang);
	if (lang != NULL && l == NULL)
		goto done;
	if (answers_check(s, json_object_get(body, "answers"), l, &a,
	    &err) != 0) {
		FUZZ_CHECK(err.er_code != ERR_NONE);
		goto done;
	}
	stored = answers_to_json(a);
	FUZZ_CHECK(stored != NULL);
	/* The record's writer spells it as jansson does, byte for byte. */
	memset(&b, 0, sizeof(b));
	answers_write(a, &b);
	written = codec_buf_take(&b, NULL);
	dumped = codec_dump(stored, NULL);
	FUZZ_CHECK(written != NULL && dumped != NULL &&
	    strcmp(written, dumped) == 0);
	memset(&err, 0, sizeof(err));
	if (answers_check_record(s, stored, answers_lang(a), &again,
	    &err) != 0)
		fprintf(stderr, "the record is refused: %s: %s\n",
		    err.er_field, err.er_message);
	FUZZ_CHECK(again != NULL);
	fuzz_same_answers(s, a, again);
done:
	free(written);
	free(dumped);
	answers_free(again);
	answers_free(a);
	json_decref(stored);
	json_decref(body);
	return 0;
}
