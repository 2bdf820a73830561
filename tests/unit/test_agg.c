/*
 * test_agg.c — the results engine over released cells: groups, sums over
 * units, buckets and versions, statistics, the reader's extent, updates
 * in place. Hand-built cases, then the property of core/agg.h: cells
 * whose released state steps as core/release.h says (random histories of
 * random responses), read by random queries at random moments; between
 * any two moments every number of every group moves by zero or by the
 * counts of at least k responses, and equals the sum of its cells'
 * released state. Fixed seeds.
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

#include "common/util.h"
#include "core/agg.h"
#include "core/cell.h"
#include "core/release.h"
#include "core/survey.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define D(y, m, d)	util_days_from_civil((y), (m), (d))

/* ---------------------------------------------------------------- helpers */

static const char *const q_smiley =
    "{\"id\": \"q\", \"type\": \"smiley\", \"text\": {\"fi\": \"Q\"}}";
static const char *const q_extra =
    "{\"id\": \"extra\", \"type\": \"yesno\", \"text\": {\"fi\": \"E\"}}";
static const char *const q_text =
    "{\"id\": \"c\", \"type\": \"text\", \"text\": {\"fi\": \"C\"}}";

/* A survey of the given questions (JSON objects joined with commas). */
static struct survey *
make_survey(const char *questions, unsigned k, unsigned kc,
    const char *period)
{
	struct survey	*s = NULL;
	struct error	 err;
	json_error_t	 je;
	json_t		*def;
	char		 text[4096];

	snprintf(text, sizeof(text),
	    "{\"title\": {\"fi\": \"T\"}, \"audience\": \"client\","
	    " \"languages\": [\"fi\"], \"questions\": [%s],"
	    " \"privacy\": {\"controller\": {\"fi\": \"C\"},"
	    "  \"purpose\": {\"fi\": \"P\"}, \"contact\": \"c@example.org\","
	    "  \"retention_months\": 12, \"voluntary\": true,"
	    "  \"anonymous\": true},"
	    " \"min_group\": %u, \"min_group_comments\": %u,"
	    " \"period\": \"%s\"}", questions, k, kc, period);
	def = json_loads(text, 0, &je);
	assert_non_null(def);
	memset(&err, 0, sizeof(err));
	if (survey_parse(def, &s, &err) != 0)
		print_error("survey_parse: %s %s\n", err.er_field,
		    err.er_message);
	json_decref(def);
	assert_non_null(s);
	return s;
}

/*
 * A cell of survey s holding n responses, each answering every question:
 * a smiley with face 4 (slot 3), a yesno with yes, a text with a comment.
 */
static struct cell *
make_cell(const struct survey *s, uint32_t n)
{
	struct cell_answer	 ans[8];
	unsigned		 shape[8];
	uint8_t			 slots[8];
	struct cell		*c;
	size_t			 nq = survey_question_count(s), q;
	uint32_t		 i;

	assert_true(nq <= NELEM(ans));
	for (q = 0; q < nq; q++) {
		shape[q] = (unsigned)survey_question_slots(s, q);
		switch (survey_question_type(s, q)) {
		case QTYPE_SMILEY:
			slots[q] = 3;
			break;
		case QTYPE_YESNO:
			slots[q] = 1;
			break;
		default:
			slots[q] = 0;
			break;
		}
		ans[q].ca_answered = true;
		ans[q].ca_slots = &slots[q];
		ans[q].ca_count = 1;
	}
	c = cell_new(nq, shape);
	assert_non_null(c);
	for (i = 0; i < n; i++)
		assert_int_equal(cell_add(c, ans, nq), 0);
	return c;
}

static void
add(struct agg *a, const struct survey *s, uint32_t version, uint32_t unit,
    int64_t bucket, uint32_t n)
{
	struct cell	*c = make_cell(s, n);

	assert_int_equal(agg_add_cell(a, version, unit, (uint32_t)bucket, c),
	    0);
	cell_free(c);
}

static json_t *
query(const struct agg *a, uint32_t unit, int64_t from, int64_t to,
    enum agg_by by, uint32_t version)
{
	struct agg_query	 q;
	json_t			*doc = NULL;

	memset(&q, 0, sizeof(q));
	q.aq_survey = 1;
	assert_int_equal(agg_unit_index(a, unit, &q.aq_unit), 0);
	q.aq_from = from;
	q.aq_to = to;
	q.aq_by = by;
	q.aq_period = agg_kind(a);
	q.aq_version = version;
	assert_int_equal(agg_results(a, &q, &doc), 0);
	return doc;
}

static json_t *
group(json_t *doc, size_t i)
{
	json_t	*g = json_array_get(json_object_get(doc, "groups"), i);

	assert_non_null(g);
	return g;
}

static json_int_t
n_of(const json_t *g)
{
	assert_true(json_is_integer(json_object_get(g, "n")));
	return json_integer_value(json_object_get(g, "n"));
}

static json_t *
question(json_t *g, const char *id)
{
	json_t	*q = json_object_get(json_object_get(g, "questions"), id);

	assert_non_null(q);
	return q;
}

static json_int_t
int_of(const json_t *obj, const char *key)
{
	assert_true(json_is_integer(json_object_get(obj, key)));
	return json_integer_value(json_object_get(obj, key));
}

/* ---------------------------------------------------------------- cases */

/* 1 -> {2, 3 pooled}, 4 a second root. */
static const struct agg_unit tree1[] = {
	{ 1, 0, false }, { 2, 1, false }, { 3, 1, true }, { 4, 0, false },
};

static void
test_groups_and_stats(void **state)
{
	struct survey		*s = make_survey(q_smiley, 3, 3, "month");
	struct agg_version	 v = { 1, s };
	struct agg		*a = NULL;
	json_t			*doc, *g;
	const char		*keys[] = { "survey", "unit", "from", "to",
				    "by", "period", "k", "k_comments",
				    "versions", "groups" };
	size_t			 i;

	(void)state;
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &a), 0);
	assert_int_equal(agg_k(a), 3);
	add(a, s, 1, 1, D(2024, 3, 1), 3);
	add(a, s, 1, 3, D(2024, 3, 1), 6);	/* stored before it pooled */
	add(a, s, 1, 2, D(2024, 4, 1), 4);
	add(a, s, 1, 4, D(2024, 4, 1), 9);	/* another tree */
	add(a, s, 2, 2, D(2024, 4, 1), 5);	/* no version 2: ignored */
	assert_int_equal(agg_seal(a), 0);

	doc = query(a, 1, D(2024, 3, 1), D(2024, 4, 30), AGG_BY_NONE, 0);
	for (i = 0; i < NELEM(keys); i++)
		assert_non_null(json_object_get(doc, keys[i]));
	assert_int_equal(int_of(doc, "k_comments"), 3);
	assert_null(json_object_get(doc, "suppressed"));
	g = group(doc, 0);
	assert_int_equal(n_of(g), 13);
	assert_int_equal(int_of(question(g, "q"), "answered"), 13);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(
	    question(g, "q"), "counts"), 3)), 13);
	json_decref(doc);

	/* by=unit: 1's own cells, then each child, the pooled one marked. */
	doc = query(a, 1, D(2024, 3, 1), D(2024, 4, 30), AGG_BY_UNIT, 0);
	assert_int_equal(json_array_size(json_object_get(doc, "groups")), 3);
	g = group(doc, 0);
	assert_true(json_is_true(json_object_get(g, "own")));
	assert_int_equal(n_of(g), 3);
	g = group(doc, 1);
	assert_int_equal(int_of(g, "unit"), 2);
	assert_null(json_object_get(g, "pool"));
	assert_int_equal(n_of(g), 4);
	g = group(doc, 2);
	assert_int_equal(int_of(g, "unit"), 3);
	assert_true(json_is_true(json_object_get(g, "pool")));
	assert_int_equal(n_of(g), 6);
	json_decref(doc);

	/* by=period: March and April, and a May with nothing is n 0. */
	doc = query(a, 2, D(2024, 3, 1), D(2024, 5, 31), AGG_BY_PERIOD, 0);
	assert_int_equal(json_array_size(json_object_get(doc, "groups")), 3);
	assert_int_equal(n_of(group(doc, 0)), 0);
	assert_int_equal(n_of(group(doc, 1)), 4);
	g = group(doc, 2);
	assert_int_equal(n_of(g), 0);
	/* Nothing released: no statistic, the same shape as any group. */
	assert_int_equal(int_of(question(g, "q"), "answered"), 0);
	assert_true(json_is_null(json_object_get(question(g, "q"), "mean")));
	json_decref(doc);
	agg_free(a);
	survey_free(s);
}

/* A group of quarters summed from months, any range inside. */
static void
test_group_period(void **state)
{
	struct survey		*s = make_survey(q_smiley, 3, 3, "month");
	struct agg_version	 v = { 1, s };
	struct agg		*a = NULL;
	struct agg_query	 q;
	json_t			*doc = NULL;

	(void)state;
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &a), 0);
	add(a, s, 1, 2, D(2024, 1, 1), 3);
	add(a, s, 1, 2, D(2024, 3, 1), 4);
	add(a, s, 1, 2, D(2024, 4, 1), 5);
	assert_int_equal(agg_seal(a), 0);
	memset(&q, 0, sizeof(q));
	assert_int_equal(agg_unit_index(a, 1, &q.aq_unit), 0);
	q.aq_from = D(2024, 1, 1);
	q.aq_to = D(2024, 6, 30);
	q.aq_by = AGG_BY_PERIOD;
	q.aq_period = PERIOD_QUARTER;
	assert_int_equal(agg_results(a, &q, &doc), 0);
	assert_string_equal(json_string_value(json_object_get(doc,
	    "group_period")), "quarter");
	assert_int_equal(n_of(group(doc, 0)), 7);
	assert_int_equal(n_of(group(doc, 1)), 5);
	json_decref(doc);
	/* Not aligned to quarters, or a period finer than the survey's. */
	q.aq_from = D(2024, 2, 1);
	assert_int_equal(agg_results(a, &q, &doc), -EINVAL);
	q.aq_from = D(2024, 1, 1);
	q.aq_period = PERIOD_WEEK;
	assert_int_equal(agg_results(a, &q, &doc), -EINVAL);
	agg_free(a);
	survey_free(s);
}

/* Versions: a question sums the versions that have it, with their n. */
static void
test_versions(void **state)
{
	char			 qs[512];
	struct survey		*s1 = make_survey(q_smiley, 3, 3, "month");
	struct survey		*s2;
	struct agg_version	 v[2];
	struct agg		*a = NULL;
	json_t			*doc, *g;

	(void)state;
	snprintf(qs, sizeof(qs), "%s, %s", q_smiley, q_extra);
	s2 = make_survey(qs, 3, 3, "month");
	v[0].av_id = 1;
	v[0].av_survey = s1;
	v[1].av_id = 2;
	v[1].av_survey = s2;
	assert_int_equal(agg_new(tree1, NELEM(tree1), v, 2, PERIOD_MONTH,
	    &a), 0);
	add(a, s1, 1, 2, D(2024, 3, 1), 3);
	add(a, s2, 2, 2, D(2024, 3, 1), 4);
	assert_int_equal(agg_seal(a), 0);

	doc = query(a, 2, D(2024, 3, 1), D(2024, 3, 31), AGG_BY_NONE, 0);
	g = group(doc, 0);
	assert_int_equal(n_of(g), 7);
	assert_int_equal(int_of(question(g, "q"), "answered"), 7);
	/* "extra" is version 2's alone: its four. */
	assert_int_equal(int_of(question(g, "extra"), "answered"), 4);
	assert_int_equal(json_array_size(json_object_get(doc, "versions")),
	    2);
	json_decref(doc);
	doc = query(a, 2, D(2024, 3, 1), D(2024, 3, 31), AGG_BY_NONE, 1);
	g = group(doc, 0);
	assert_int_equal(n_of(g), 3);
	assert_null(json_object_get(json_object_get(g, "questions"),
	    "extra"));
	json_decref(doc);
	agg_free(a);
	survey_free(s1);
	survey_free(s2);
}

static void
test_text_versions(void **state)
{
	char			 qs[512];
	struct survey		*s1, *s2;
	struct agg_version	 v[2];
	struct agg		*a = NULL;
	struct agg_query	 q;
	uint32_t		 vers[2];
	size_t			 nv = 0;

	(void)state;
	snprintf(qs, sizeof(qs), "%s, %s", q_smiley, q_text);
	s1 = make_survey(q_smiley, 3, 5, "month");
	s2 = make_survey(qs, 3, 5, "month");
	v[0].av_id = 1;
	v[0].av_survey = s1;
	v[1].av_id = 2;
	v[1].av_survey = s2;
	assert_int_equal(agg_new(tree1, NELEM(tree1), v, 2, PERIOD_MONTH,
	    &a), 0);
	assert_int_equal(agg_k_comments(a), 5);
	assert_int_equal(agg_seal(a), 0);
	memset(&q, 0, sizeof(q));
	q.aq_from = D(2024, 3, 1);
	q.aq_to = D(2024, 3, 31);
	assert_int_equal(agg_text_versions(a, &q, "c", vers, &nv), 0);
	assert_int_equal(nv, 1);
	assert_int_equal(vers[0], 2);
	assert_int_equal(agg_text_versions(a, &q, "q", vers, &nv), -ENOENT);
	q.aq_version = 1;
	assert_int_equal(agg_text_versions(a, &q, "c", vers, &nv), -ENOENT);
	agg_free(a);
	survey_free(s1);
	survey_free(s2);
}

/* The reader's extent: released buckets of the subtree only. */
static void
test_extent(void **state)
{
	struct survey		*s = make_survey(q_smiley, 3, 3, "month");
	struct agg_version	 v = { 1, s };
	struct agg		*a = NULL;
	struct cell		*c;
	int64_t			 first, last;
	size_t			 u2, u4;

	(void)state;
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &a), 0);
	add(a, s, 1, 2, D(2024, 3, 1), 3);
	add(a, s, 1, 2, D(2024, 5, 1), 0);	/* a cell, nothing released */
	add(a, s, 1, 4, D(2023, 1, 1), 3);
	assert_int_equal(agg_seal(a), 0);
	assert_int_equal(agg_unit_index(a, 2, &u2), 0);
	assert_int_equal(agg_unit_index(a, 4, &u4), 0);
	assert_int_equal(agg_extent(a, u2, &first, &last), 0);
	assert_int_equal(first, D(2024, 3, 1));
	assert_int_equal(last, D(2024, 3, 31));
	assert_int_equal(agg_extent(a, u4, &first, &last), 0);
	assert_int_equal(first, D(2023, 1, 1));
	/* May releases: the extent grows by its step, and only then. */
	c = make_cell(s, 3);
	assert_int_equal(agg_update_cell(a, 1, 2, (uint32_t)D(2024, 5, 1), c),
	    0);
	cell_free(c);
	assert_int_equal(agg_extent(a, u2, &first, &last), 0);
	assert_int_equal(last, D(2024, 5, 31));
	agg_free(a);

	/* Nothing released anywhere. */
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &a), 0);
	add(a, s, 1, 2, D(2024, 3, 1), 0);
	assert_int_equal(agg_seal(a), 0);
	assert_int_equal(agg_extent(a, u2, &first, &last), -ENOENT);
	agg_free(a);
	survey_free(s);
}

/* Updating cells in place gives what building it afresh gives. */
static void
test_update_cell(void **state)
{
	struct survey		*s = make_survey(q_smiley, 3, 3, "month");
	struct agg_version	 v = { 1, s };
	struct agg		*a = NULL, *b = NULL;
	struct cell		*c;
	json_t			*da, *db;
	char			*ta, *tb;

	(void)state;
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &a), 0);
	add(a, s, 1, 1, D(2024, 3, 1), 3);
	add(a, s, 1, 3, D(2024, 4, 1), 3);
	add(a, s, 1, 2, D(2024, 4, 1), 4);
	assert_int_equal(agg_seal(a), 0);
	/* Unit 3's April steps to 6, unit 2's goes, March is kept. */
	c = make_cell(s, 6);
	assert_int_equal(agg_update_cell(a, 1, 3, (uint32_t)D(2024, 4, 1), c),
	    0);
	assert_int_equal(agg_update_cell(a, 1, 2, (uint32_t)D(2024, 4, 1),
	    NULL), 0);
	/* Outside the columns: the caller reads again. Other versions: 0. */
	assert_int_equal(agg_update_cell(a, 1, 2, (uint32_t)D(2024, 5, 1), c),
	    -ERANGE);
	assert_int_equal(agg_update_cell(a, 9, 2, (uint32_t)D(2024, 4, 1), c),
	    0);
	assert_int_equal(agg_update_cell(a, 1, 99, (uint32_t)D(2024, 4, 1),
	    c), -EBADMSG);
	cell_free(c);

	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &b), 0);
	add(b, s, 1, 1, D(2024, 3, 1), 3);
	add(b, s, 1, 3, D(2024, 4, 1), 6);
	assert_int_equal(agg_seal(b), 0);
	da = query(a, 1, D(2024, 3, 1), D(2024, 4, 30), AGG_BY_UNIT, 0);
	db = query(b, 1, D(2024, 3, 1), D(2024, 4, 30), AGG_BY_UNIT, 0);
	ta = json_dumps(da, JSON_SORT_KEYS);
	tb = json_dumps(db, JSON_SORT_KEYS);
	assert_string_equal(ta, tb);
	assert_int_equal(n_of(group(da, 0)), 3);
	free(ta);
	free(tb);
	json_decref(da);
	json_decref(db);
	agg_free(a);
	agg_free(b);
	survey_free(s);
}

static void
test_errors(void **state)
{
	static const struct agg_unit	cycle[] = {
		{ 1, 2, false }, { 2, 1, false },
	};
	static const struct agg_unit	twice[] = {
		{ 1, 0, false }, { 1, 0, false },
	};
	struct survey		*s = make_survey(q_smiley, 3, 3, "month");
	struct agg_version	 v = { 1, s };
	struct agg		*a = NULL;
	struct agg_query	 q;
	struct cell		*c;
	json_t			*doc = NULL;

	(void)state;
	assert_int_equal(agg_new(cycle, NELEM(cycle), &v, 1, PERIOD_MONTH,
	    &a), -EINVAL);
	assert_int_equal(agg_new(twice, NELEM(twice), &v, 1, PERIOD_MONTH,
	    &a), -EINVAL);
	/* No version of that period. */
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_WEEK,
	    &a), -EINVAL);
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &a), 0);
	c = make_cell(s, 3);
	assert_int_equal(agg_add_cell(a, 1, 99, (uint32_t)D(2024, 3, 1), c),
	    -EBADMSG);
	assert_int_equal(agg_add_cell(a, 1, 2, (uint32_t)D(2024, 3, 2), c),
	    -EBADMSG);
	assert_int_equal(agg_add_cell(a, 1, 2, (uint32_t)D(2024, 3, 1), c),
	    0);
	assert_int_equal(agg_seal(a), 0);
	assert_int_equal(agg_add_cell(a, 1, 2, (uint32_t)D(2024, 3, 1), c),
	    -EINVAL);
	cell_free(c);
	memset(&q, 0, sizeof(q));
	q.aq_from = D(2024, 3, 2);
	q.aq_to = D(2024, 3, 31);
	assert_int_equal(agg_results(a, &q, &doc), -EINVAL);
	q.aq_from = D(2024, 3, 1);
	q.aq_version = 7;
	assert_int_equal(agg_results(a, &q, &doc), -EINVAL);
	q.aq_version = 0;
	q.aq_unit = 99;
	assert_int_equal(agg_results(a, &q, &doc), -EINVAL);
	q.aq_unit = 0;
	q.aq_by = (enum agg_by)7;
	assert_int_equal(agg_results(a, &q, &doc), -EINVAL);
	assert_null(doc);
	agg_free(a);
	survey_free(s);
}

/* ---------------------------------------------------------------- property */

/*
 * Random trees of PROP_UNITS units, two versions (the second adds an
 * optional question), cells over PROP_MONTHS months; responses arrive one
 * by one into random cells, each answering the optional question or not,
 * and every cell's released state steps as the writer steps it. At random
 * moments every query (each unit, by none/period/unit, each version
 * filter) is read and kept; any two reads of one query are compared:
 * every n, answered and count moved by 0 or by at least k, and each equals
 * the sum of the released cells the test holds as ground truth.
 */
#define PROP_UNITS	7
#define PROP_MONTHS	4
#define PROP_K		4
#define PROP_READS	5

struct prop_cell {
	struct cell	*live;
	struct cell	*rel;
};

static uint64_t	prop_rng;

static uint32_t
prop_rand(uint32_t n)
{
	prop_rng = prop_rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((prop_rng >> 33) % n);
}

/* One response into cell pc of survey s (the optional question maybe). */
static void
prop_respond(struct prop_cell *pc, const struct survey *s)
{
	struct cell_answer	 ans[2];
	uint8_t			 slots[2];
	size_t			 nq = survey_question_count(s);

	slots[0] = (uint8_t)prop_rand(5);
	slots[1] = (uint8_t)prop_rand(2);
	ans[0].ca_answered = true;
	ans[0].ca_slots = &slots[0];
	ans[0].ca_count = 1;
	ans[1].ca_answered = prop_rand(4) == 0;
	ans[1].ca_slots = &slots[1];
	ans[1].ca_count = ans[1].ca_answered ? 1 : 0;
	assert_int_equal(cell_add(pc->live, ans, nq), 0);
	assert_int_equal(release_step(pc->rel, pc->live, PROP_K, NULL), 0);
}

/*
 * Two reads of one query, r1 before r2: every group's n and every
 * question's answered moved by 0 or by at least k, never down; a
 * histogram moved only with its answered count.
 */
static void
prop_compare(const json_t *r1, const json_t *r2)
{
	const json_t	*g1, *g2, *q1, *q2;
	const char	*id;
	json_int_t	 d;
	size_t		 i;

	assert_int_equal(json_array_size(json_object_get(r1, "groups")),
	    json_array_size(json_object_get(r2, "groups")));
	json_array_foreach(json_object_get(r1, "groups"), i, g1) {
		g2 = json_array_get(json_object_get(r2, "groups"), i);
		d = n_of(g2) - n_of(g1);
		assert_true(d == 0 || d >= PROP_K);
		json_object_foreach(json_object_get((json_t *)g1, "questions"),
		    id, q1) {
			q2 = json_object_get(json_object_get(g2, "questions"),
			    id);
			assert_non_null(q2);
			d = int_of(q2, "answered") - int_of(q1, "answered");
			assert_true(d == 0 || d >= PROP_K);
			if (d == 0)
				assert_true(json_equal(json_object_get(q1,
				    "counts"), json_object_get(q2, "counts")));
		}
	}
}

static void
test_property_steps(void **state)
{
	char			 qs[512];
	struct survey		*sv[2];
	struct agg_version	 v[2];
	struct agg_unit		 units[PROP_UNITS];
	struct prop_cell	 cells[2][PROP_UNITS][PROP_MONTHS];
	unsigned		 shape[2][2];
	json_t			*reads[PROP_READS][PROP_UNITS][3][3];
	struct agg		*a;
	unsigned		 seed, vi, u, m, r, r2, by, ver, resp;
	json_int_t		 sum[3];
	size_t			 i;

	(void)state;
	snprintf(qs, sizeof(qs), "%s, %s", q_smiley, q_extra);
	sv[0] = make_survey(q_smiley, PROP_K, 10, "month");
	sv[1] = make_survey(qs, PROP_K, 10, "month");
	for (vi = 0; vi < 2; vi++) {
		v[vi].av_id = vi + 1;
		v[vi].av_survey = sv[vi];
		for (i = 0; i < survey_question_count(sv[vi]); i++)
			shape[vi][i] = (unsigned)survey_question_slots(sv[vi],
			    i);
	}
	for (seed = 1; seed <= 20; seed++) {
		prop_rng = seed;
		/* Unit 1 is the root; every other hangs below an earlier. */
		for (u = 0; u < PROP_UNITS; u++) {
			units[u].au_id = u + 1;
			units[u].au_parent = u == 0 ? 0 : prop_rand(u) + 1;
			units[u].au_pool = u != 0 && prop_rand(3) == 0;
		}
		for (vi = 0; vi < 2; vi++)
			for (u = 0; u < PROP_UNITS; u++)
				for (m = 0; m < PROP_MONTHS; m++) {
					cells[vi][u][m].live = cell_new(
					    survey_question_count(sv[vi]),
					    shape[vi]);
					assert_non_null(cells[vi][u][m].live);
					cells[vi][u][m].rel = cell_new_like(
					    cells[vi][u][m].live);
					assert_non_null(cells[vi][u][m].rel);
				}
		for (r = 0; r < PROP_READS; r++) {
			/* A burst of responses, then every query. */
			for (resp = prop_rand(40); resp > 0; resp--) {
				vi = prop_rand(2);
				prop_respond(&cells[vi][prop_rand(PROP_UNITS)]
				    [prop_rand(PROP_MONTHS)], sv[vi]);
			}
			assert_int_equal(agg_new(units, PROP_UNITS, v, 2,
			    PERIOD_MONTH, &a), 0);
			memset(sum, 0, sizeof(sum));
			for (vi = 0; vi < 2; vi++)
				for (u = 0; u < PROP_UNITS; u++)
					for (m = 0; m < PROP_MONTHS; m++) {
						assert_int_equal(agg_add_cell(
						    a, vi + 1, u + 1,
						    (uint32_t)D(2024, m + 1, 1),
						    cells[vi][u][m].rel), 0);
						sum[0] += cells[vi][u][m].rel->
						    c_n;
						sum[vi + 1] += cells[vi][u][m].
						    rel->c_n;
					}
			assert_int_equal(agg_seal(a), 0);
			for (u = 0; u < PROP_UNITS; u++)
				for (by = 0; by < 3; by++)
					for (ver = 0; ver < 3; ver++)
						reads[r][u][by][ver] = query(a,
						    u + 1, D(2024, 1, 1),
						    D(2024, PROP_MONTHS, 30),
						    (enum agg_by)by, ver);
			/* The root's total is every released cell's sum. */
			for (ver = 0; ver < 3; ver++)
				assert_int_equal(n_of(group(
				    reads[r][0][AGG_BY_NONE][ver], 0)),
				    sum[ver]);
			agg_free(a);
		}
		for (r = 0; r < PROP_READS; r++)
			for (r2 = r + 1; r2 < PROP_READS; r2++)
				for (u = 0; u < PROP_UNITS; u++)
					for (by = 0; by < 3; by++)
						for (ver = 0; ver < 3; ver++)
							prop_compare(
							    reads[r][u][by][ver],
							    reads[r2][u][by][ver]);
		for (r = 0; r < PROP_READS; r++)
			for (u = 0; u < PROP_UNITS; u++)
				for (by = 0; by < 3; by++)
					for (ver = 0; ver < 3; ver++)
						json_decref(
						    reads[r][u][by][ver]);
		for (vi = 0; vi < 2; vi++)
			for (u = 0; u < PROP_UNITS; u++)
				for (m = 0; m < PROP_MONTHS; m++) {
					cell_free(cells[vi][u][m].live);
					cell_free(cells[vi][u][m].rel);
				}
	}
	survey_free(sv[0]);
	survey_free(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_and_stats),
		cmocka_unit_test(test_group_period),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_text_versions),
		cmocka_unit_test(test_extent),
		cmocka_unit_test(test_update_cell),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_property_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
