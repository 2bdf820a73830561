/*
 * test_stats.c — every statistic against values worked out by hand, the
 * edge cases of NPS and of empty histograms, and the JSON shape per type.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/stats.h"

static const struct stats_question smiley5 = { .sq_type = QTYPE_SMILEY,
    .sq_faces = 5 };
static const struct stats_question smiley4 = { .sq_type = QTYPE_SMILEY,
    .sq_faces = 4 };
static const struct stats_question nps = { .sq_type = QTYPE_NPS };

static struct stats_result
compute_ok(const struct stats_question *q, const uint32_t *counts,
    size_t nslots, uint32_t answered, uint32_t n)
{
	struct stats_result	r;

	assert_int_equal(stats_compute(q, counts, nslots, answered, n, &r), 0);
	assert_int_equal(r.sr_type, q->sq_type);
	assert_int_equal(r.sr_answered, answered);
	assert_int_equal(r.sr_nslots, nslots);
	assert_memory_equal(r.sr_counts, counts, nslots * sizeof(*counts));
	return r;
}

/* The JSON of r equals the JSON text want (reals compared exactly). */
static void
assert_json(const struct stats_result *r, const char *want)
{
	json_t		*got, *exp;
	json_error_t	 err;
	char		*s;

	got = stats_to_json(r);
	assert_non_null(got);
	exp = json_loads(want, 0, &err);
	assert_non_null(exp);
	if (!json_equal(got, exp)) {
		s = json_dumps(got, JSON_SORT_KEYS);
		print_error("got %s\nwant %s\n", s, want);
		free(s);
		fail();
	}
	json_decref(got);
	json_decref(exp);
}

static void
test_slots(void **state)
{
	struct stats_question	q;
	unsigned		n = 99;

	(void)state;
	assert_int_equal(stats_slots(&smiley5, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(stats_slots(&smiley4, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(stats_slots(&nps, &n), 0);
	assert_int_equal(n, 11);

	memset(&q, 0, sizeof(q));
	q.sq_type = QTYPE_SCALE;
	q.sq_min = -5;
	q.sq_max = 5;
	assert_int_equal(stats_slots(&q, &n), 0);
	assert_int_equal(n, 11);
	q.sq_max = 6;		/* 12 steps */
	assert_int_equal(stats_slots(&q, &n), -EINVAL);
	q.sq_max = -5;		/* one step is no scale */
	assert_int_equal(stats_slots(&q, &n), -EINVAL);
	q.sq_min = INT_MIN;
	q.sq_max = INT_MAX;
	assert_int_equal(stats_slots(&q, &n), -EINVAL);

	q.sq_type = QTYPE_CHOICE;
	q.sq_options = 0;
	assert_int_equal(stats_slots(&q, &n), -EINVAL);
	q.sq_options = QTYPE_MAX_SLOTS + 1;
	assert_int_equal(stats_slots(&q, &n), -EINVAL);
	q.sq_type = QTYPE_MULTI;
	q.sq_options = QTYPE_MAX_SLOTS;
	assert_int_equal(stats_slots(&q, &n), 0);
	assert_int_equal(n, QTYPE_MAX_SLOTS);

	q.sq_type = QTYPE_YESNO;
	assert_int_equal(stats_slots(&q, &n), 0);
	assert_int_equal(n, 2);
	q.sq_type = QTYPE_TEXT;
	assert_int_equal(stats_slots(&q, &n), 0);
	assert_int_equal(n, 1);

	q.sq_type = QTYPE_SMILEY;
	q.sq_faces = 3;
	n = 99;
	assert_int_equal(stats_slots(&q, &n), -EINVAL);
	q.sq_type = QTYPE_COUNT;
	assert_int_equal(stats_slots(&q, &n), -EINVAL);
	assert_int_equal(n, 99);
}

static void
test_smiley(void **state)
{
	static const uint32_t	c5[] = { 1, 0, 2, 3, 4 };
	static const uint32_t	c4[] = { 2, 1, 1, 2 };
	static const uint32_t	third[] = { 1, 0, 0, 1, 1 };
	static const uint32_t	skipped[] = { 0, 0, 0, 2, 2 };
	struct stats_result	r;

	(void)state;
	/* (1*1 + 3*2 + 4*3 + 5*4) / 10 = 3.9; top two 3+4 of 10 = 70 % */
	r = compute_ok(&smiley5, c5, 5, 10, 10);
	assert_true(r.sr_has_mean && r.sr_mean == 3.9);
	assert_true(r.sr_has_csat);
	assert_int_equal(r.sr_csat, 70);
	assert_false(r.sr_has_median);
	assert_false(r.sr_has_nps);
	assert_json(&r, "{\"answered\":10,\"counts\":[1,0,2,3,4],"
	    "\"mean\":3.9,\"csat\":70}");

	/* four faces: top two are faces 3 and 4; (2+2+3+8)/6 = 2.5, 3/6 */
	r = compute_ok(&smiley4, c4, 4, 6, 6);
	assert_true(r.sr_mean == 2.5);
	assert_int_equal(r.sr_csat, 50);

	/* 2 of 3 = 66.67 % rounds to 67; mean (1+4+5)/3 */
	r = compute_ok(&smiley5, third, 5, 3, 3);
	assert_int_equal(r.sr_csat, 67);
	assert_true(r.sr_mean == 10.0 / 3.0);

	/* an optional question answered by 4 of 10: denominators are 4 */
	r = compute_ok(&smiley5, skipped, 5, 4, 10);
	assert_true(r.sr_mean == 4.5);
	assert_int_equal(r.sr_csat, 100);
}

static void
test_scale(void **state)
{
	struct stats_question	q = { .sq_type = QTYPE_SCALE, .sq_min = 1,
				    .sq_max = 7 };
	static const uint32_t	odd[] = { 1, 2, 3, 0, 0, 0, 1 };
	static const uint32_t	sym[] = { 1, 0, 2, 0, 1 };
	static const uint32_t	top[] = { 0, 1, 0, 0, 3 };
	static const uint32_t	ends[] = { 1, 0, 0, 0, 1 };
	static const uint32_t	half[] = { 0, 1, 1, 0, 0 };
	struct stats_result	r;

	(void)state;
	/* 1,2,2,3,3,3,7: mean 21/7 = 3, median (rank 3) = 3 */
	r = compute_ok(&q, odd, 7, 7, 7);
	assert_true(r.sr_mean == 3.0);
	assert_true(r.sr_has_median && r.sr_median == 3.0);
	assert_json(&r, "{\"answered\":7,\"counts\":[1,2,3,0,0,0,1],"
	    "\"mean\":3.0,\"median\":3.0}");

	/* negative min: values -2..2 */
	q.sq_min = -2;
	q.sq_max = 2;
	r = compute_ok(&q, sym, 5, 4, 4);	/* -2, 0, 0, 2 */
	assert_true(r.sr_mean == 0.0);
	assert_true(r.sr_median == 0.0);
	r = compute_ok(&q, top, 5, 4, 5);	/* -1, 2, 2, 2 */
	assert_true(r.sr_mean == 1.25);
	assert_true(r.sr_median == 2.0);
	r = compute_ok(&q, ends, 5, 2, 2);	/* -2, 2: even, average 0 */
	assert_true(r.sr_median == 0.0);
	r = compute_ok(&q, half, 5, 2, 2);	/* -1, 0: median -0.5 */
	assert_true(r.sr_median == -0.5);
	assert_true(r.sr_mean == -0.5);
	assert_json(&r, "{\"answered\":2,\"counts\":[0,1,1,0,0],"
	    "\"mean\":-0.5,\"median\":-0.5}");
}

static void
test_nps(void **state)
{
	uint32_t		c[11];
	struct stats_result	r;

	(void)state;
	memset(c, 0, sizeof(c));
	c[9] = 3;
	c[10] = 2;
	r = compute_ok(&nps, c, 11, 5, 5);
	assert_true(r.sr_has_nps);
	assert_int_equal(r.sr_nps, 100);	/* all promoters */
	assert_false(r.sr_has_mean);

	memset(c, 0, sizeof(c));
	c[0] = 1;
	c[3] = 2;
	c[6] = 4;
	r = compute_ok(&nps, c, 11, 7, 7);
	assert_int_equal(r.sr_nps, -100);	/* all detractors */

	memset(c, 0, sizeof(c));
	c[7] = 4;
	c[8] = 3;
	r = compute_ok(&nps, c, 11, 7, 7);
	assert_int_equal(r.sr_nps, 0);		/* all passives */

	/* n = k = 5: 9, 10, 10 promote, 7 passes, 0 detracts: 60 - 20 */
	memset(c, 0, sizeof(c));
	c[9] = 1;
	c[10] = 2;
	c[7] = 1;
	c[0] = 1;
	r = compute_ok(&nps, c, 11, 5, 5);
	assert_int_equal(r.sr_nps, 40);
	assert_json(&r, "{\"answered\":5,\"counts\":[1,0,0,0,0,0,0,1,0,1,2],"
	    "\"nps\":40}");

	/* rounding half away from zero: 1/8 = 12.5 -> 13, -1/8 -> -13 */
	memset(c, 0, sizeof(c));
	c[9] = 1;
	c[8] = 7;
	r = compute_ok(&nps, c, 11, 8, 8);
	assert_int_equal(r.sr_nps, 13);
	memset(c, 0, sizeof(c));
	c[6] = 1;
	c[8] = 7;
	r = compute_ok(&nps, c, 11, 8, 8);
	assert_int_equal(r.sr_nps, -13);

	/* 1 of 3 promotes: 33.3 -> 33; 2 of 3 detract: -66.7 -> -67 */
	memset(c, 0, sizeof(c));
	c[10] = 1;
	c[7] = 2;
	r = compute_ok(&nps, c, 11, 3, 3);
	assert_int_equal(r.sr_nps, 33);
	memset(c, 0, sizeof(c));
	c[5] = 2;
	c[7] = 1;
	r = compute_ok(&nps, c, 11, 3, 3);
	assert_int_equal(r.sr_nps, -67);

	/* 6 and 9 are the edges: 6 detracts, 9 promotes */
	memset(c, 0, sizeof(c));
	c[6] = 1;
	c[9] = 1;
	r = compute_ok(&nps, c, 11, 2, 2);
	assert_int_equal(r.sr_nps, 0);
	c[6] = 0;
	r = compute_ok(&nps, c, 11, 1, 2);
	assert_int_equal(r.sr_nps, 100);
}

static void
test_empty(void **state)
{
	static const uint32_t	zero[11];
	struct stats_question	scale = { .sq_type = QTYPE_SCALE,
				    .sq_min = 0, .sq_max = 4 };
	struct stats_result	r;

	(void)state;
	r = compute_ok(&smiley5, zero, 5, 0, 6);
	assert_false(r.sr_has_mean);
	assert_false(r.sr_has_csat);
	assert_json(&r, "{\"answered\":0,\"counts\":[0,0,0,0,0],"
	    "\"mean\":null,\"csat\":null}");

	r = compute_ok(&scale, zero, 5, 0, 0);
	assert_false(r.sr_has_mean);
	assert_false(r.sr_has_median);
	assert_json(&r, "{\"answered\":0,\"counts\":[0,0,0,0,0],"
	    "\"mean\":null,\"median\":null}");

	r = compute_ok(&nps, zero, 11, 0, 0);
	assert_false(r.sr_has_nps);
	assert_json(&r, "{\"answered\":0,\"counts\":[0,0,0,0,0,0,0,0,0,0,0],"
	    "\"nps\":null}");
}

static void
test_choice_multi_yesno_text(void **state)
{
	struct stats_question	choice = { .sq_type = QTYPE_CHOICE,
				    .sq_options = 3 };
	struct stats_question	multi = { .sq_type = QTYPE_MULTI,
				    .sq_options = 3 };
	struct stats_question	yesno = { .sq_type = QTYPE_YESNO };
	struct stats_question	text = { .sq_type = QTYPE_TEXT };
	static const uint32_t	cc[] = { 3, 0, 2 };
	static const uint32_t	mc[] = { 2, 3, 1 };
	static const uint32_t	none[] = { 0, 0, 0 };
	static const uint32_t	yn[] = { 2, 5 };
	static const uint32_t	tc[] = { 4 };
	struct stats_result	r;

	(void)state;
	r = compute_ok(&choice, cc, 3, 5, 6);
	assert_false(r.sr_has_mean);
	assert_json(&r, "{\"answered\":5,\"counts\":[3,0,2]}");

	/* 4 respondents ticked 6 boxes in all; options don't sum to them */
	r = compute_ok(&multi, mc, 3, 4, 6);
	assert_json(&r, "{\"answered\":4,\"counts\":[2,3,1],"
	    "\"respondents\":4}");
	/* an answered empty set ("none of these") is a respondent */
	r = compute_ok(&multi, none, 3, 1, 1);
	assert_json(&r, "{\"answered\":1,\"counts\":[0,0,0],"
	    "\"respondents\":1}");

	r = compute_ok(&yesno, yn, 2, 7, 7);
	assert_json(&r, "{\"answered\":7,\"counts\":[2,5]}");

	r = compute_ok(&text, tc, 1, 4, 9);
	assert_json(&r, "{\"comments\":4}");
}

static void
test_errors(void **state)
{
	struct stats_question	multi = { .sq_type = QTYPE_MULTI,
				    .sq_options = 3 };
	struct stats_question	text = { .sq_type = QTYPE_TEXT };
	struct stats_question	bad = { .sq_type = QTYPE_SMILEY,
				    .sq_faces = 6 };
	static const uint32_t	c5[] = { 1, 0, 2, 3, 4 };
	static const uint32_t	mc[] = { 2, 5, 1 };
	static const uint32_t	tc[] = { 4 };
	struct stats_result	r, before;

	(void)state;
	memset(&r, 0xa5, sizeof(r));
	before = r;
	/* wrong number of slots for the type */
	assert_int_equal(stats_compute(&smiley5, c5, 4, 10, 10, &r), -EINVAL);
	assert_int_equal(stats_compute(&smiley4, c5, 5, 10, 10, &r), -EINVAL);
	/* more answers than respondents */
	assert_int_equal(stats_compute(&smiley5, c5, 5, 10, 9, &r), -EINVAL);
	assert_int_equal(stats_compute(&bad, c5, 5, 10, 10, &r), -EINVAL);
	assert_int_equal(stats_compute(&smiley5, NULL, 5, 10, 10, &r),
	    -EINVAL);
	/* single-answer slots must sum to answered */
	assert_int_equal(stats_compute(&smiley5, c5, 5, 11, 11, &r),
	    -EBADMSG);
	assert_int_equal(stats_compute(&smiley5, c5, 5, 9, 10, &r),
	    -EBADMSG);
	/* a multi option chosen by more people than answered */
	assert_int_equal(stats_compute(&multi, mc, 3, 4, 6, &r), -EBADMSG);
	assert_int_equal(stats_compute(&text, tc, 1, 5, 6, &r), -EBADMSG);
	assert_memory_equal(&r, &before, sizeof(r));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_smiley),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_nps),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_choice_multi_yesno_text),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
