/*
 * test_rscan.c — rebuild's fast reader of response records against the
 * slow path it stands in for (json_loadb + answers_check_record): on
 * records as intake writes them, and on odd ones (escapes, white space,
 * nulls, duplicates, numbers that are not integers), whatever the fast
 * reader accepts it must map exactly as the slow path does. Fixed seeds.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/answers.h"
#include "core/rscan.h"
#include "core/survey.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char survey_text[] =
    "{\"title\": {\"fi\": \"T\", \"sv-x-plain\": \"T\"},"
    " \"audience\": \"client\","
    " \"languages\": [\"fi\", \"sv-x-plain\"], \"questions\": ["
    "  {\"id\": \"s\", \"type\": \"smiley\", \"required\": true,"
    "   \"faces\": 4, \"text\": {\"fi\": \"S\", \"sv-x-plain\": \"S\"}},"
    "  {\"id\": \"sc\", \"type\": \"scale\", \"min\": -3, \"max\": 3,"
    "   \"text\": {\"fi\": \"S\", \"sv-x-plain\": \"S\"}},"
    "  {\"id\": \"n\", \"type\": \"nps\", \"text\": {\"fi\": \"N\","
    "   \"sv-x-plain\": \"N\"}},"
    "  {\"id\": \"c\", \"type\": \"choice\", \"text\": {\"fi\": \"C\","
    "   \"sv-x-plain\": \"C\"}, \"options\": ["
    "    {\"id\": \"a\","
    "     \"text\": {\"fi\": \"A\", \"sv-x-plain\": \"A\"}},"
    "    {\"id\": \"b-2\","
    "     \"text\": {\"fi\": \"B\", \"sv-x-plain\": \"B\"}}]},"
    "  {\"id\": \"m\", \"type\": \"multi\", \"max_choices\": 2,"
    "   \"text\": {\"fi\": \"M\", \"sv-x-plain\": \"M\"}, \"options\": ["
    "    {\"id\": \"x\","
    "     \"text\": {\"fi\": \"X\", \"sv-x-plain\": \"X\"}},"
    "    {\"id\": \"y\","
    "     \"text\": {\"fi\": \"Y\", \"sv-x-plain\": \"Y\"}},"
    "    {\"id\": \"z\","
    "     \"text\": {\"fi\": \"Z\", \"sv-x-plain\": \"Z\"}}]},"
    "  {\"id\": \"yn\", \"type\": \"yesno\", \"text\": {\"fi\": \"Y\","
    "   \"sv-x-plain\": \"Y\"}},"
    "  {\"id\": \"t\", \"type\": \"text\", \"text\": {\"fi\": \"T\","
    "   \"sv-x-plain\": \"T\"}}"
    " ],"
    " \"privacy\": {\"controller\": {\"fi\": \"C\", \"sv-x-plain\": \"C\"},"
    "  \"purpose\": {\"fi\": \"P\", \"sv-x-plain\": \"P\"},"
    "  \"contact\": \"c@example.org\", \"retention_months\": 12,"
    "  \"voluntary\": true, \"anonymous\": true}}";

static struct survey *
load(void)
{
	struct survey	*s = NULL;
	struct error	 err;
	json_t		*def = json_loads(survey_text, 0, NULL);

	assert_non_null(def);
	memset(&err, 0, sizeof(err));
	assert_int_equal(survey_parse(def, &s, &err), 0);
	json_decref(def);
	return s;
}

/*
 * Both paths on one record text. Returns whether the fast one took it
 * (and then it agreed with the slow one).
 */
static bool
compare(const struct survey *s, const char *text)
{
	struct rscan_record	 rr;
	struct cell_answer	 ans[16];
	uint8_t			 slots[16][QTYPE_MAX_SLOTS];
	uint8_t			 want[QTYPE_MAX_SLOTS];
	struct answers	*a = NULL;
	struct error		 err;
	json_t			*rec;
	size_t			 nq = survey_question_count(s), q, n;
	int			 slow;

	if (rscan_record(text, strlen(text), &rr) != 0 ||
	    rscan_answers(s, rr.rr_lang, rr.rr_answers, rr.rr_answers_len,
	    ans, slots) != 0)
		return false;
	rec = json_loads(text, 0, NULL);
	if (rec == NULL)
		fail_msg("the fast reader took what is not JSON: %s", text);
	assert_int_equal(json_integer_value(json_object_get(rec, "version")),
	    rr.rr_version);
	assert_int_equal(json_integer_value(json_object_get(rec, "unit")),
	    rr.rr_unit);
	assert_string_equal(json_string_value(json_object_get(rec, "lang")),
	    rr.rr_lang);
	memset(&err, 0, sizeof(err));
	slow = answers_check_record(s, json_object_get(rec, "answers"),
	    rr.rr_lang, &a, &err);
	if (slow != 0)
		fail_msg("the fast reader took a record the slow path "
		    "refuses (%s %s): %s", err.er_field, err.er_message, text);
	for (q = 0; q < nq; q++) {
		answers_slots(a, q, want, &n);
		assert_int_equal(ans[q].ca_answered,
		    answers_answered(a, q));
		assert_int_equal(ans[q].ca_count, n);
		if (n > 0)
			assert_memory_equal(ans[q].ca_slots, want, n);
	}
	answers_free(a);
	json_decref(rec);
	return true;
}

static void
test_hand_made(void **state)
{
	static const struct {
		const char	*text;
		bool		 fast;
	} cases[] = {
		/* as intake writes them */
		{ "{\"survey\":1,\"version\":2,\"unit\":7,\"collector\":"
		  "\"kiosk\",\"day\":\"2024-01-01\",\"lang\":\"fi\","
		  "\"answers\":{\"s\":4,\"sc\":-3,\"n\":10,\"c\":\"b-2\","
		  "\"yn\":false,\"t\":\"Hyv\\u00e4 \\\"palvelu\\\"\"}}", true },
		{ "{\"survey\":1,\"version\":1,\"unit\":3,"
		  "\"collector\":\"link\",\"day\":\"2024-01-01\","
		  "\"lang\":\"sv-x-plain\",\"answers\":{\"s\":1}}", true },
		/* a tag longer than the reader keeps: the slow path's */
		{ "{\"version\":1,\"unit\":3,\"lang\":\"sv-x-plain-longer\","
		  "\"answers\":{\"s\":1}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"sv\","
		  "\"answers\":{\"s\":1}}", false },
		/* white space between tokens is JSON too */
		{ " { \"version\" : 1 , \"unit\" : 3 , \"lang\" : \"fi\" ,"
		  " \"answers\" : { \"s\" : 2 , \"yn\" : true } } ", true },
		/* multi: the slow path's */
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2,\"m\":[\"x\",\"z\"]}}", false },
		/* a null answer is a skip: the slow path's */
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2,\"n\":null}}", false },
		/* a text of escapes only may be blank: the slow path's */
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2,\"t\":\"\\u0020\\n\"}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2,\"t\":\"   \"}}", false },
		/* not integers, out of range, unknown, duplicate, missing */
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2.0}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":02}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":5}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2,\"sc\":4}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2,\"q\":1}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2,\"s\":3}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"n\":3}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":{}}",
		  false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"en\",\"answers\":"
		  "{\"s\":2}}", false },
		{ "{\"version\":1,\"unit\":3,\"answers\":{\"s\":2}}", false },
		{ "{\"version\":0,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2,\"c\":\"c\"}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2}} x", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":true}}", false },
		{ "{\"version\":1,\"unit\":3,\"lang\":\"fi\",\"answers\":"
		  "{\"s\":2,\"yn\":1}}", false },
		{ "", false },
		{ "[]", false },
	};
	struct survey	*s = load();
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if (compare(s, cases[i].text) != cases[i].fast)
			fail_msg("case %zu: the fast reader %s: %s", i,
			    cases[i].fast ? "refused" : "took",
			    cases[i].text);
	survey_free(s);
}

static uint64_t
rng(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Random records as intake writes them, and some mangled ones. */
static void
test_random_records(void **state)
{
	static const char *const texts[] = {
		"Hyvä palvelu", "  kiitos ", "\"lainaus\" ja \\ kenoviiva",
		"rivi\nrivi", "\t", "€ ja 😀", "a\u00a0b",
	};
	struct survey	*s = load();
	json_t		*rec, *ans;
	char		*text;
	uint64_t	 x = 0x1234567;
	size_t		 i, fast = 0, total = 4000;

	(void)state;
	for (i = 0; i < total; i++) {
		ans = json_object();
		json_object_set_new(ans, "s", json_integer(1 +
		    (json_int_t)(rng(&x) % 4)));
		if (rng(&x) % 2)
			json_object_set_new(ans, "sc", json_integer(-3 +
			    (json_int_t)(rng(&x) % 7)));
		if (rng(&x) % 2)
			json_object_set_new(ans, "n", json_integer(
			    (json_int_t)(rng(&x) % 11)));
		if (rng(&x) % 2)
			json_object_set_new(ans, "c", json_string(
			    rng(&x) % 2 ? "a" : "b-2"));
		if (rng(&x) % 8 == 0)
			json_object_set_new(ans, "m", json_pack("[s]", "y"));
		if (rng(&x) % 2)
			json_object_set_new(ans, "yn",
			    json_boolean(rng(&x) % 2));
		if (rng(&x) % 3 == 0)
			json_object_set_new(ans, "t", json_string(
			    texts[rng(&x) % NELEM(texts)]));
		if (rng(&x) % 16 == 0)
			json_object_set_new(ans, "n", json_null());
		rec = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:o}",
		    "survey", (json_int_t)1, "version", (json_int_t)1,
		    "unit", (json_int_t)(1 + rng(&x) % 200),
		    "collector", "kiosk", "day", "2024-05-06",
		    "lang", rng(&x) % 2 ? "fi" : "sv-x-plain", "answers", ans);
		/* Pretty-printed every so often: other white space. */
		text = json_dumps(rec, rng(&x) % 5 == 0 ? JSON_INDENT(2) :
		    JSON_COMPACT);
		if (compare(s, text))
			fast++;
		free(text);
		json_decref(rec);
	}
	/* The point of the reader: it takes the usual records. */
	assert_true(fast > total * 3 / 4);
	survey_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_random_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
