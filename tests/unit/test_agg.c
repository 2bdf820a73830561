/*
 * test_agg.c — the results engine: pooling, statistics, hints, and how
 * versions meet the small-group rule. Hand-built cases, then the property
 * of core/agg.h: over random trees, random per-version cells and random
 * queries (with and without version=), no linear combination of released
 * numbers is non-zero only on per-version parts of 1..k-1 responses
 * (exact elimination modulo a prime). The checker is shown to catch a
 * rule that looks at cell totals only. Fixed seeds.
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
    enum suppress_by by, uint32_t version)
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

static bool
suppressed(const json_t *g)
{
	return json_is_true(json_object_get(g, "suppressed"));
}

static json_int_t
n_of(const json_t *g)
{
	assert_false(suppressed(g));
	return json_integer_value(json_object_get(g, "n"));
}

static void
assert_suppressed(const json_t *g)
{
	assert_true(suppressed(g));
	assert_null(json_object_get(g, "n"));
	assert_null(json_object_get(g, "questions"));
	assert_string_equal(json_string_value(json_object_get(g, "reason")),
	    "min_group");
	assert_non_null(json_object_get(g, "hint"));
}

/* ---------------------------------------------------------------- cases */

/* 1 -> {2, 3 pooled}, 4 a second root. */
static const struct agg_unit tree1[] = {
	{ 1, 0, false }, { 2, 1, false }, { 3, 1, true }, { 4, 0, false },
};

static void
test_pooling_and_stats(void **state)
{
	struct survey		*s = make_survey(q_smiley, 3, 3, "month");
	struct agg_version	 v = { 1, s };
	struct agg		*a = NULL;
	json_t			*doc, *g, *q;
	int64_t			 first, last;

	(void)state;
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &a), 0);
	assert_int_equal(agg_k(a), 3);
	add(a, s, 1, 1, D(2024, 3, 1), 1);
	add(a, s, 1, 3, D(2024, 3, 1), 2);	/* pools into 1: cell of 3 */
	add(a, s, 1, 2, D(2024, 4, 1), 4);
	add(a, s, 2, 2, D(2024, 4, 1), 1);	/* no version 2: ignored */
	assert_int_equal(agg_seal(a), 0);
	assert_int_equal(agg_extent(a, &first, &last), 0);
	assert_int_equal(first, D(2024, 3, 1));
	assert_int_equal(last, D(2024, 4, 30));

	doc = query(a, 1, D(2024, 3, 1), D(2024, 4, 30), SUPPRESS_BY_NONE, 0);
	g = group(doc, 0);
	assert_int_equal(n_of(g), 7);
	q = json_object_get(json_object_get(g, "questions"), "q");
	assert_string_equal(json_string_value(json_object_get(q, "type")),
	    "smiley");
	assert_int_equal(json_integer_value(json_array_get(
	    json_object_get(q, "counts"), 3)), 7);
	assert_int_equal(json_integer_value(json_object_get(q, "csat")), 100);
	json_decref(doc);

	doc = query(a, 1, D(2024, 3, 1), D(2024, 4, 30), SUPPRESS_BY_UNIT, 0);
	assert_int_equal(json_array_size(json_object_get(doc, "groups")), 2);
	assert_true(json_is_true(json_object_get(group(doc, 0), "own")));
	assert_int_equal(n_of(group(doc, 0)), 3);
	assert_int_equal(json_integer_value(json_object_get(group(doc, 1),
	    "unit")), 2);
	assert_int_equal(n_of(group(doc, 1)), 4);
	json_decref(doc);

	/* The pooled unit: no cell of its own; its owner is the hint. */
	doc = query(a, 3, D(2024, 3, 1), D(2024, 3, 31), SUPPRESS_BY_NONE, 0);
	g = group(doc, 0);
	assert_suppressed(g);
	assert_int_equal(json_integer_value(json_object_get(
	    json_object_get(g, "hint"), "pool_into")), 1);
	json_decref(doc);

	/* By period: March and April each released. */
	doc = query(a, 1, D(2024, 3, 1), D(2024, 4, 30), SUPPRESS_BY_PERIOD,
	    0);
	assert_int_equal(n_of(group(doc, 0)), 3);
	assert_int_equal(n_of(group(doc, 1)), 4);
	json_decref(doc);
	agg_free(a);
	survey_free(s);
}

static void
test_period_hint(void **state)
{
	struct survey		*s = make_survey(q_smiley, 3, 3, "month");
	struct agg_version	 v = { 1, s };
	struct agg		*a = NULL;
	json_t			*doc, *h;

	(void)state;
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &a), 0);
	/* Two small months of one quarter under a root: a quarter helps. */
	add(a, s, 1, 4, D(2024, 1, 1), 2);
	add(a, s, 1, 4, D(2024, 2, 1), 2);
	/* One small month alone in its year under unit 1's child 2. */
	add(a, s, 1, 2, D(2024, 6, 1), 1);
	add(a, s, 1, 1, D(2024, 6, 1), 5);
	assert_int_equal(agg_seal(a), 0);

	doc = query(a, 4, D(2024, 1, 1), D(2024, 2, 29), SUPPRESS_BY_NONE, 0);
	assert_suppressed(group(doc, 0));
	h = json_object_get(group(doc, 0), "hint");
	assert_string_equal(json_string_value(json_object_get(h, "period")),
	    "quarter");
	assert_string_equal(json_string_value(json_object_get(h, "from")),
	    "2024-01-01");
	assert_string_equal(json_string_value(json_object_get(h, "to")),
	    "2024-03-31");
	assert_null(json_object_get(h, "pool_into"));
	json_decref(doc);

	doc = query(a, 2, D(2024, 6, 1), D(2024, 6, 30), SUPPRESS_BY_NONE, 0);
	h = json_object_get(group(doc, 0), "hint");
	assert_null(json_object_get(h, "period"));	/* 1 all year long */
	assert_int_equal(json_integer_value(json_object_get(h, "pool_into")),
	    1);
	json_decref(doc);
	agg_free(a);
	survey_free(s);
}

static void
test_versions_parts(void **state)
{
	struct survey		*s1 = make_survey(q_smiley, 3, 3, "month");
	struct survey		*s2 = make_survey(q_smiley, 3, 3, "month");
	struct agg_version	 v[] = { { 1, s1 }, { 2, s2 } };
	struct agg		*a = NULL;
	json_t			*doc, *g;

	(void)state;
	assert_int_equal(agg_new(tree1, NELEM(tree1), v, 2, PERIOD_MONTH,
	    &a), 0);
	/* March: v1 1 + v2 5 (a total of 6). April: v1 3 + v2 4. */
	add(a, s1, 1, 2, D(2024, 3, 1), 1);
	add(a, s2, 2, 2, D(2024, 3, 1), 5);
	add(a, s1, 1, 2, D(2024, 4, 1), 3);
	add(a, s2, 2, 2, D(2024, 4, 1), 4);
	assert_int_equal(agg_seal(a), 0);

	/* (a): all versions, every total cell passes. */
	doc = query(a, 2, D(2024, 3, 1), D(2024, 4, 30), SUPPRESS_BY_NONE, 0);
	assert_int_equal(n_of(group(doc, 0)), 13);
	json_decref(doc);
	/* version 2 over March and April: March's v1 part is small. */
	doc = query(a, 2, D(2024, 3, 1), D(2024, 4, 30), SUPPRESS_BY_NONE, 2);
	g = group(doc, 0);
	assert_suppressed(g);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    g, "hint"), "versions")), "all");
	json_decref(doc);
	/* (b): in April every part passes, so each version is released. */
	doc = query(a, 2, D(2024, 4, 1), D(2024, 4, 30), SUPPRESS_BY_NONE, 2);
	assert_int_equal(n_of(group(doc, 0)), 4);
	json_decref(doc);
	doc = query(a, 2, D(2024, 4, 1), D(2024, 4, 30), SUPPRESS_BY_NONE, 1);
	assert_int_equal(n_of(group(doc, 0)), 3);
	json_decref(doc);
	agg_free(a);
	survey_free(s1);
	survey_free(s2);
}

static void
test_question_of_some_versions(void **state)
{
	char			 qs[512];
	struct survey		*s1 = make_survey(q_smiley, 3, 3, "month");
	struct survey		*s2;
	struct agg_version	 v[2];
	struct agg		*a = NULL;
	json_t			*doc, *qj;

	(void)state;
	snprintf(qs, sizeof(qs), "%s, %s", q_smiley, q_extra);
	s2 = make_survey(qs, 3, 3, "month");
	v[0].av_id = 1;
	v[0].av_survey = s1;
	v[1].av_id = 2;
	v[1].av_survey = s2;
	assert_int_equal(agg_new(tree1, NELEM(tree1), v, 2, PERIOD_MONTH,
	    &a), 0);
	add(a, s1, 1, 2, D(2024, 3, 1), 2);	/* small part of v1 */
	add(a, s2, 2, 2, D(2024, 3, 1), 4);
	add(a, s1, 1, 2, D(2024, 4, 1), 3);
	add(a, s2, 2, 2, D(2024, 4, 1), 4);
	assert_int_equal(agg_seal(a), 0);

	/* March: the group is released, "extra" (v2 only) is not. */
	doc = query(a, 2, D(2024, 3, 1), D(2024, 3, 31), SUPPRESS_BY_NONE, 0);
	assert_int_equal(n_of(group(doc, 0)), 6);
	qj = json_object_get(json_object_get(group(doc, 0), "questions"),
	    "q");
	assert_int_equal(json_integer_value(json_object_get(qj, "answered")),
	    6);
	qj = json_object_get(json_object_get(group(doc, 0), "questions"),
	    "extra");
	assert_true(json_is_true(json_object_get(qj, "suppressed")));
	assert_null(json_object_get(qj, "answered"));
	json_decref(doc);
	/* April: every part passes, "extra" counts version 2's four. */
	doc = query(a, 2, D(2024, 4, 1), D(2024, 4, 30), SUPPRESS_BY_NONE, 0);
	qj = json_object_get(json_object_get(group(doc, 0), "questions"),
	    "extra");
	assert_int_equal(json_integer_value(json_object_get(qj, "answered")),
	    4);
	json_decref(doc);
	agg_free(a);
	survey_free(s1);
	survey_free(s2);
}

static void
test_comments_release(void **state)
{
	char			 qs[512];
	struct survey		*s;
	struct agg_version	 v;
	struct agg		*a = NULL;
	struct agg_query	 q;
	uint32_t		 vers[2];
	uint64_t		 n;
	size_t			 nv;
	bool			 rel;
	json_t			*doc, *qj;

	(void)state;
	snprintf(qs, sizeof(qs), "%s, %s", q_smiley, q_text);
	s = make_survey(qs, 3, 5, "month");
	v.av_id = 1;
	v.av_survey = s;
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &a), 0);
	assert_int_equal(agg_k_comments(a), 5);
	add(a, s, 1, 2, D(2024, 3, 1), 4);
	add(a, s, 1, 2, D(2024, 4, 1), 5);
	assert_int_equal(agg_seal(a), 0);

	memset(&q, 0, sizeof(q));
	assert_int_equal(agg_unit_index(a, 2, &q.aq_unit), 0);
	q.aq_from = D(2024, 3, 1);
	q.aq_to = D(2024, 4, 30);
	/* 9 responses, but March alone is 4 < 5: no comments. */
	assert_int_equal(agg_comments_release(a, &q, "c", &rel, &n, vers, &nv),
	    0);
	assert_false(rel);
	assert_int_equal(n, 0);
	assert_int_equal(nv, 1);
	q.aq_from = D(2024, 4, 1);
	assert_int_equal(agg_comments_release(a, &q, "c", &rel, &n, vers, &nv),
	    0);
	assert_true(rel);
	assert_int_equal(n, 5);
	assert_int_equal(agg_comments_release(a, &q, "q", &rel, &n, vers, &nv),
	    -ENOENT);
	/* The results say the same. */
	doc = query(a, 2, D(2024, 3, 1), D(2024, 3, 31), SUPPRESS_BY_NONE, 0);
	qj = json_object_get(json_object_get(group(doc, 0), "questions"), "c");
	assert_int_equal(json_integer_value(json_object_get(qj, "comments")),
	    4);
	assert_true(json_is_false(json_object_get(qj, "releasable")));
	json_decref(doc);
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
	add(a, s, 1, 3, D(2024, 4, 1), 2);	/* pooled into 1 */
	add(a, s, 1, 2, D(2024, 4, 1), 4);
	assert_int_equal(agg_seal(a), 0);
	/* Unit 3's April grows to 5, unit 2's goes, March is kept. */
	c = make_cell(s, 5);
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
	add(b, s, 1, 3, D(2024, 4, 1), 5);
	assert_int_equal(agg_seal(b), 0);
	da = query(a, 1, D(2024, 3, 1), D(2024, 4, 30), SUPPRESS_BY_UNIT, 0);
	db = query(b, 1, D(2024, 3, 1), D(2024, 4, 30), SUPPRESS_BY_UNIT, 0);
	ta = json_dumps(da, JSON_SORT_KEYS);
	tb = json_dumps(db, JSON_SORT_KEYS);
	assert_string_equal(ta, tb);
	assert_int_equal(n_of(group(da, 0)), 8);
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
	static const struct agg_unit	cyc[] = { { 1, 2, false },
					    { 2, 1, false } };
	static const struct agg_unit	dup[] = { { 1, 0, false },
					    { 1, 0, false } };
	static const struct agg_unit	proot[] = { { 1, 0, true } };
	struct survey		*s = make_survey(q_smiley, 3, 3, "month");
	struct agg_version	 v = { 1, s };
	struct agg		*a = NULL;
	struct cell		*c;
	struct agg_query	 q;
	json_t			*doc = NULL;

	(void)state;
	assert_int_equal(agg_new(cyc, 2, &v, 1, PERIOD_MONTH, &a), -EINVAL);
	assert_int_equal(agg_new(dup, 2, &v, 1, PERIOD_MONTH, &a), -EINVAL);
	assert_int_equal(agg_new(proot, 1, &v, 1, PERIOD_MONTH, &a), -EINVAL);
	/* No version of that period. */
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_WEEK, &a),
	    -EINVAL);
	assert_int_equal(agg_new(tree1, NELEM(tree1), &v, 1, PERIOD_MONTH,
	    &a), 0);
	c = make_cell(s, 3);
	assert_int_equal(agg_add_cell(a, 1, 99, (uint32_t)D(2024, 3, 1), c),
	    -EBADMSG);
	assert_int_equal(agg_add_cell(a, 1, 1, (uint32_t)D(2024, 3, 2), c),
	    -EBADMSG);
	cell_free(c);
	assert_int_equal(agg_extent(a, &q.aq_from, &q.aq_to), -ENOENT);
	assert_int_equal(agg_seal(a), 0);
	assert_int_equal(agg_extent(a, &q.aq_from, &q.aq_to), -ENOENT);
	memset(&q, 0, sizeof(q));
	q.aq_from = D(2024, 3, 2);
	q.aq_to = D(2024, 3, 31);
	assert_int_equal(agg_results(a, &q, &doc), -EINVAL);
	q.aq_from = D(2024, 3, 1);
	q.aq_version = 7;
	assert_int_equal(agg_results(a, &q, &doc), -EINVAL);
	q.aq_version = 0;
	assert_int_equal(agg_results(a, &q, &doc), 0);	/* empty: n 0 */
	assert_int_equal(n_of(group(doc, 0)), 0);
	json_decref(doc);
	agg_free(a);
	survey_free(s);
}

/* ------------------------------------------------------- property test */

#define W_MAXU		6
#define W_NV		3
#define W_NB		12	/* months of 2024 */
#define W_ATOMS		(W_NV * W_MAXU * W_NB)	/* (version, owner, month) */
#define W_QUERIES	60
#define W_SEEDS		40
#define W_PRIME		2147483647u

static uint64_t
rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t
rng_below(uint64_t *s, size_t n)
{
	return (size_t)(rng(s) % n);
}

struct world {
	size_t		 w_n;
	uint32_t	 w_k;
	struct agg_unit	 w_units[W_MAXU];	/* ids 1..n, index = id - 1 */
	uint32_t	 w_raw[W_NV][W_MAXU][W_NB];
	uint32_t	 w_part[W_ATOMS];	/* folded onto owners */
	struct survey	*w_s[W_NV];
	struct agg	*w_agg;
};

static size_t
atom(size_t v, size_t o, size_t m)
{
	return (v * W_MAXU + o) * W_NB + m;
}

static size_t
w_owner(const struct world *w, size_t u)
{
	while (w->w_units[u].au_pool)
		u = w->w_units[u].au_parent - 1;
	return u;
}

static bool
w_below(const struct world *w, size_t u, size_t top)
{
	for (;;) {
		if (u == top)
			return true;
		if (w->w_units[u].au_parent == 0)
			return false;
		u = w->w_units[u].au_parent - 1;
	}
}

static void
world_make(struct world *w, uint64_t *s)
{
	struct agg_version	vers[W_NV];
	char			qs[512];
	size_t			u, v, m, o;
	uint32_t		r;

	memset(w, 0, sizeof(*w));
	w->w_n = 2 + rng_below(s, W_MAXU - 1);
	w->w_k = 3 + (uint32_t)rng_below(s, 3);
	for (u = 0; u < w->w_n; u++) {
		w->w_units[u].au_id = (uint32_t)u + 1;
		if (u == 0 || rng_below(s, 8) == 0)
			continue;
		w->w_units[u].au_parent = (uint32_t)rng_below(s, u) + 1;
		w->w_units[u].au_pool = rng_below(s, 3) == 0;
	}
	/*
	 * Versions 2 and 3 add a question: its numbers cover only some of
	 * the versions even when the query asks for all of them.
	 */
	snprintf(qs, sizeof(qs), "%s, %s", q_smiley, q_extra);
	for (v = 0; v < W_NV; v++) {
		w->w_s[v] = make_survey(v >= 1 ? qs : q_smiley, w->w_k,
		    w->w_k, "month");
		vers[v].av_id = (uint32_t)v + 1;
		vers[v].av_survey = w->w_s[v];
	}
	assert_int_equal(agg_new(w->w_units, w->w_n, vers, W_NV, PERIOD_MONTH,
	    &w->w_agg), 0);
	for (v = 0; v < W_NV; v++)
		for (u = 0; u < w->w_n; u++)
			for (m = 0; m < W_NB; m++) {
				/* ~50 % empty, ~30 % small, ~20 % large */
				r = (uint32_t)rng_below(s, 10);
				if (r < 5)
					continue;
				w->w_raw[v][u][m] = r < 8 ?
				    1 + (uint32_t)rng_below(s, w->w_k - 1) :
				    w->w_k + (uint32_t)rng_below(s, w->w_k);
				add(w->w_agg, w->w_s[v], (uint32_t)v + 1,
				    (uint32_t)u + 1, D(2024, m + 1, 1),
				    w->w_raw[v][u][m]);
				o = w_owner(w, u);
				w->w_part[atom(v, o, m)] += w->w_raw[v][u][m];
			}
	assert_int_equal(agg_seal(w->w_agg), 0);
}

static void
world_free(struct world *w)
{
	size_t	v;

	agg_free(w->w_agg);
	for (v = 0; v < W_NV; v++)
		survey_free(w->w_s[v]);
}

/* What the random queries exercised, so the property is not vacuous. */
static size_t	seen_filtered;	/* released groups of one version */
static size_t	seen_partial;	/* released "extra" over some versions */
static size_t	seen_held;	/* suppressed groups */

/* Released numbers as 0/1 rows over atoms. */
struct released {
	uint8_t		(*r_rows)[W_ATOMS];
	size_t		  r_count;
	size_t		  r_cap;
};

static void
released_add(struct released *r, const uint8_t *row)
{
	size_t	i;

	for (i = 0; i < r->r_count; i++)
		if (memcmp(r->r_rows[i], row, W_ATOMS) == 0)
			return;
	assert_true(r->r_count < r->r_cap);
	memcpy(r->r_rows[r->r_count++], row, W_ATOMS);
}

static uint32_t
mulmod(uint32_t a, uint32_t b)
{
	return (uint32_t)((uint64_t)a * b % W_PRIME);
}

static uint32_t
invmod(uint32_t a)
{
	uint32_t	r = 1, e = W_PRIME - 2;

	for (; e > 0; e >>= 1, a = mulmod(a, a))
		if (e & 1)
			r = mulmod(r, a);
	return r;
}

/*
 * Row reduction modulo a prime over `width` columns: rows kept in
 * echelon form with their pivots, so that a vector can be reduced.
 */
struct basis {
	size_t		 b_width;
	size_t		 b_rank;
	size_t		*b_pivot;
	uint32_t	*b_rows;	/* [width][width] */
};

static void
basis_init(struct basis *b, size_t width)
{
	b->b_width = width;
	b->b_rank = 0;
	b->b_pivot = calloc(width, sizeof(size_t));
	b->b_rows = calloc(width * width, sizeof(uint32_t));
	assert_true(b->b_pivot != NULL && b->b_rows != NULL);
}

static void
basis_free(struct basis *b)
{
	free(b->b_pivot);
	free(b->b_rows);
}

/* v -= its combination of basis rows: zero iff v was in their span. */
static void
basis_reduce(const struct basis *b, uint32_t *v)
{
	const uint32_t	*row;
	uint32_t	 f;
	size_t		 i, c;

	for (i = 0; i < b->b_rank; i++) {
		if ((f = v[b->b_pivot[i]]) == 0)
			continue;
		row = b->b_rows + i * b->b_width;
		for (c = 0; c < b->b_width; c++)
			if (row[c] != 0)
				v[c] = (uint32_t)((v[c] + (uint64_t)(W_PRIME -
				    f) * row[c]) % W_PRIME);
	}
}

static bool
basis_zero(const struct basis *b, const uint32_t *v)
{
	size_t	c;

	for (c = 0; c < b->b_width; c++)
		if (v[c] != 0)
			return false;
	return true;
}

static void
basis_insert(struct basis *b, uint32_t *v)
{
	uint32_t	inv;
	size_t		c, p, i;
	uint32_t	*row, f;

	basis_reduce(b, v);
	for (p = 0; p < b->b_width && v[p] == 0; p++)
		;
	if (p == b->b_width)
		return;
	inv = invmod(v[p]);
	for (c = 0; c < b->b_width; c++)
		v[c] = mulmod(v[c], inv);
	/* Keep earlier rows zero at the new pivot: reduce stays one pass. */
	for (i = 0; i < b->b_rank; i++) {
		row = b->b_rows + i * b->b_width;
		if ((f = row[p]) == 0)
			continue;
		for (c = 0; c < b->b_width; c++)
			row[c] = (uint32_t)((row[c] + (uint64_t)(W_PRIME - f) *
			    v[c]) % W_PRIME);
	}
	memcpy(b->b_rows + b->b_rank * b->b_width, v,
	    b->b_width * sizeof(uint32_t));
	b->b_pivot[b->b_rank++] = p;
}

/* A cell (owner, month) some version's part of which is 1..k-1. */
static bool
cell_fails(const struct world *w, size_t o, size_t m)
{
	uint32_t	n;
	size_t		v;

	for (v = 0; v < W_NV; v++) {
		n = w->w_part[atom(v, o, m)];
		if (n > 0 && n < w->w_k)
			return true;
	}
	return false;
}

/*
 * agg.h's atoms: the parts of a cell whose parts all pass, the total of
 * any other cell. True if a released number splits such a total, or a
 * non-zero combination of released numbers lives only on totals of
 * 1..k-1 (the rank drops when the rows are projected onto the others).
 */
#define W_COLS	(W_ATOMS + W_MAXU * W_NB)

static bool
leaks(const struct world *w, const struct released *r)
{
	struct basis	 full, large;
	uint32_t	 v[W_COLS];
	bool		 small[W_COLS];
	size_t		 i, c, o, m, ver, in, nz;
	bool		 leak = false;

	basis_init(&full, W_COLS);
	basis_init(&large, W_COLS);
	memset(small, 0, sizeof(small));
	for (o = 0; o < w->w_n; o++)
		for (m = 0; m < W_NB; m++) {
			uint64_t	tot = 0;

			for (ver = 0; ver < W_NV; ver++)
				tot += w->w_part[atom(ver, o, m)];
			small[W_ATOMS + o * W_NB + m] = cell_fails(w, o, m) &&
			    tot < w->w_k;
		}
	for (i = 0; i < r->r_count && !leak; i++) {
		memset(v, 0, sizeof(v));
		for (o = 0; o < w->w_n; o++)
			for (m = 0; m < W_NB; m++) {
				in = nz = 0;
				for (ver = 0; ver < W_NV; ver++) {
					c = atom(ver, o, m);
					if (w->w_part[c] == 0)
						continue;
					nz++;
					if (!r->r_rows[i][c])
						continue;
					in++;
					if (!cell_fails(w, o, m))
						v[c] = 1;
				}
				if (!cell_fails(w, o, m) || in == 0)
					continue;
				if (in != nz)
					leak = true;	/* splits a total */
				v[W_ATOMS + o * W_NB + m] = 1;
			}
		basis_insert(&full, v);
		for (c = 0; c < W_COLS; c++)
			if (small[c])
				v[c] = 0;
		basis_insert(&large, v);
	}
	if (full.b_rank != large.b_rank)
		leak = true;
	basis_free(&full);
	basis_free(&large);
	return leak;
}

/*
 * A plain leak: the count of one version's part of 1..k-1 responses is a
 * combination of released numbers (for the rule that must fail).
 */
static bool
isolates_a_part(const struct world *w, const struct released *r)
{
	struct basis	 b;
	uint32_t	 v[W_ATOMS];
	size_t		 i, c;
	bool		 leak = false;

	basis_init(&b, W_ATOMS);
	for (i = 0; i < r->r_count; i++) {
		for (c = 0; c < W_ATOMS; c++)
			v[c] = w->w_part[c] != 0 ? r->r_rows[i][c] : 0;
		basis_insert(&b, v);
	}
	for (c = 0; c < W_ATOMS && !leak; c++) {
		if (w->w_part[c] == 0 || w->w_part[c] >= w->w_k)
			continue;
		memset(v, 0, sizeof(v));
		v[c] = 1;
		basis_reduce(&b, v);
		leak = basis_zero(&b, v);
	}
	basis_free(&b);
	return leak;
}

/* The atoms of a group over versions in_s. */
static void
group_row(const struct world *w, const json_t *g, const bool *in_s,
    uint8_t *row, uint64_t *n)
{
	int64_t		from, to;
	size_t		unit, v, o, m;
	bool		own = json_is_true(json_object_get(g, "own"));

	unit = (size_t)json_integer_value(json_object_get(g, "unit")) - 1;
	assert_int_equal(util_parse_date(json_string_value(json_object_get(g,
	    "from")), &from), 0);
	assert_int_equal(util_parse_date(json_string_value(json_object_get(g,
	    "to")), &to), 0);
	memset(row, 0, W_ATOMS);
	*n = 0;
	for (v = 0; v < W_NV; v++) {
		if (!in_s[v])
			continue;
		for (o = 0; o < w->w_n; o++) {
			if (w->w_units[o].au_pool || (own ? o != unit :
			    !w_below(w, o, unit)))
				continue;
			for (m = 0; m < W_NB; m++) {
				if (D(2024, m + 1, 1) < from ||
				    D(2024, m + 1, 1) > to)
					continue;
				row[atom(v, o, m)] = 1;
				*n += w->w_part[atom(v, o, m)];
			}
		}
	}
}

/* Would a rule on the totals of the group's atoms per cell release it? */
static bool
naive_releases(const struct world *w, const json_t *g, const uint8_t *row)
{
	uint64_t	tot;
	size_t		o, m, v, unit;

	unit = (size_t)json_integer_value(json_object_get(g, "unit")) - 1;
	if (w->w_units[unit].au_pool)
		return false;
	for (o = 0; o < w->w_n; o++)
		for (m = 0; m < W_NB; m++) {
			tot = 0;
			for (v = 0; v < W_NV; v++)
				if (row[atom(v, o, m)])
					tot += w->w_part[atom(v, o, m)];
			if (tot > 0 && tot < w->w_k)
				return false;
		}
	return true;
}

/*
 * Run random queries. Released numbers go to real (checked against the
 * reference counts); naive gets, for every group, what a rule judging
 * only the totals of the versions asked for would have released.
 */
static void
world_queries(struct world *w, uint64_t *s, struct released *real,
    struct released *naive)
{
	static const enum period_kind	kinds[] = { PERIOD_MONTH,
					    PERIOD_QUARTER, PERIOD_YEAR };
	struct agg_query		 q;
	json_t				*doc, *g, *qj;
	uint8_t				 row[W_ATOMS];
	bool				 in_s[W_NV], in_x[W_NV];
	uint64_t			 n;
	size_t				 i, k, v;
	int64_t				 i0, nb, b0, len;
	enum period_kind		 ak;

	for (k = 0; k < W_QUERIES; k++) {
		memset(&q, 0, sizeof(q));
		q.aq_unit = rng_below(s, w->w_n);
		ak = kinds[rng_below(s, NELEM(kinds))];
		i0 = period_index(ak, D(2024, 1, 1));
		nb = period_index(ak, D(2024, 12, 31)) - i0 + 1;
		b0 = (int64_t)rng_below(s, (size_t)nb);
		len = 1 + (int64_t)rng_below(s, (size_t)(nb - b0));
		q.aq_from = period_from_index(ak, i0 + b0);
		q.aq_to = period_last_day(ak, period_from_index(ak, i0 + b0 +
		    len - 1));
		q.aq_by = (enum suppress_by)rng_below(s, 3);
		q.aq_period = kinds[rng_below(s, (size_t)ak - PERIOD_MONTH +
		    1)];
		q.aq_version = rng_below(s, 2) == 0 ? 0 :
		    1 + (uint32_t)rng_below(s, W_NV);
		for (v = 0; v < W_NV; v++) {
			in_s[v] = q.aq_version == 0 || q.aq_version == v + 1;
			in_x[v] = in_s[v] && v >= 1;	/* "extra": v2, v3 */
		}
		assert_int_equal(agg_results(w->w_agg, &q, &doc), 0);
		for (i = 0; i < json_array_size(json_object_get(doc,
		    "groups")); i++) {
			g = group(doc, i);
			group_row(w, g, in_s, row, &n);
			/* A rule on the asked versions' totals only. */
			if (naive_releases(w, g, row))
				released_add(naive, row);
			if (suppressed(g)) {
				seen_held++;
				continue;
			}
			if (q.aq_version != 0)
				seen_filtered++;
			assert_int_equal((uint64_t)n_of(g), n);
			released_add(real, row);
			qj = json_object_get(json_object_get(g, "questions"),
			    "extra");
			if (q.aq_version == 1) {
				assert_null(qj);	/* not in version 1 */
				continue;
			}
			assert_non_null(qj);
			if (suppressed(qj))
				continue;
			if (q.aq_version == 0)
				seen_partial++;
			group_row(w, g, in_x, row, &n);
			assert_int_equal(json_integer_value(json_object_get(qj,
			    "answered")), n);
			released_add(real, row);
		}
		json_decref(doc);
	}
}

static void
test_property_no_small_combination(void **state)
{
	struct released	 real, naive;
	struct world	 w;
	uint64_t	 seed;
	size_t		 naive_leaks = 0;

	(void)state;
	real.r_cap = naive.r_cap = 4 * W_QUERIES * 16;
	real.r_rows = calloc(real.r_cap, W_ATOMS);
	naive.r_rows = calloc(naive.r_cap, W_ATOMS);
	assert_true(real.r_rows != NULL && naive.r_rows != NULL);
	for (seed = 1; seed <= W_SEEDS; seed++) {
		uint64_t	s = seed * 0x9E3779B97F4A7C15ull;

		real.r_count = naive.r_count = 0;
		world_make(&w, &s);
		world_queries(&w, &s, &real, &naive);
		if (leaks(&w, &real))
			fail_msg("seed %llu: released numbers combine to "
			    "fewer than k people", (unsigned long long)seed);
		if (leaks(&w, &naive) && isolates_a_part(&w, &naive))
			naive_leaks++;
		if (isolates_a_part(&w, &real))
			fail_msg("seed %llu: a small part is isolated",
			    (unsigned long long)seed);
		world_free(&w);
	}
	/*
	 * The checker has teeth: a rule on the asked versions' totals alone
	 * lets a small version's part be computed, somewhere.
	 */
	assert_true(naive_leaks > 0);
	assert_true(seen_filtered > 100 && seen_partial > 100 &&
	    seen_held > 100);
	free(real.r_rows);
	free(naive.r_rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pooling_and_stats),
		cmocka_unit_test(test_period_hint),
		cmocka_unit_test(test_versions_parts),
		cmocka_unit_test(test_question_of_some_versions),
		cmocka_unit_test(test_comments_release),
		cmocka_unit_test(test_update_cell),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_property_no_small_combination),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
