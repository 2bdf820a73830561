/*
 * test_rquery.c — the results routes' query string: every parameter, the
 * strictness (unknown, repeated, badly encoded), and the range check with
 * the nearest aligned range in the 422's message.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "api/rquery.h"
#include "common/util.h"

#define D(y, m, d)	util_days_from_civil((y), (m), (d))

static void
parse_ok(const char *raw, unsigned kind, struct rquery *q)
{
	struct error	err;

	memset(&err, 0, sizeof(err));
	if (rquery_parse(raw, kind, q, &err) != 0)
		fail_msg("%s: %s (%s)", raw, err.er_message, err.er_field);
}

static void
parse_bad(const char *raw, unsigned kind, enum error_code code,
    const char *field)
{
	struct rquery	q;
	struct error	err;

	memset(&err, 0, sizeof(err));
	memset(&q, 0x5a, sizeof(q));
	assert_int_equal(rquery_parse(raw, kind, &q, &err), -EINVAL);
	assert_int_equal(err.er_code, code);
	assert_string_equal(err.er_field, field);
	assert_true(err.er_message[0] != '\0');
}

static void
test_defaults(void **state)
{
	struct rquery	q;

	(void)state;
	parse_ok(NULL, RQUERY_RESULTS, &q);
	assert_int_equal(q.qy_unit, 0);
	assert_false(q.qy_has_from);
	assert_false(q.qy_has_to);
	assert_int_equal(q.qy_by, RQUERY_BY_NONE);
	assert_false(q.qy_has_period);
	assert_int_equal(q.qy_version, 0);
	assert_string_equal(q.qy_question, "");
	parse_ok("", RQUERY_COMMENTS, &q);
	parse_ok("&&", RQUERY_COMMENTS, &q);
}

static void
test_every_parameter(void **state)
{
	struct rquery	q;

	(void)state;
	parse_ok("unit=7&from=2024-01-01&to=2024%2D03%2D31&by=period"
	    "&period=quarter&version=2", RQUERY_RESULTS, &q);
	assert_int_equal(q.qy_unit, 7);
	assert_true(q.qy_has_from && q.qy_has_to);
	assert_int_equal(q.qy_from, D(2024, 1, 1));
	assert_int_equal(q.qy_to, D(2024, 3, 31));
	assert_int_equal(q.qy_by, RQUERY_BY_PERIOD);
	assert_true(q.qy_has_period);
	assert_int_equal(q.qy_period, PERIOD_QUARTER);
	assert_int_equal(q.qy_version, 2);
	parse_ok("by=unit", RQUERY_RESULTS, &q);
	assert_int_equal(q.qy_by, RQUERY_BY_UNIT);
	parse_ok("question=free_text-2&unit=1", RQUERY_COMMENTS, &q);
	assert_string_equal(q.qy_question, "free_text-2");
	assert_string_equal(rquery_by_name(RQUERY_BY_PERIOD), "period");
	assert_int_equal(q.qy_sep, CSV_COMMA);
	parse_ok("sep=semicolon&by=unit", RQUERY_RESULTS | RQUERY_CSV, &q);
	assert_int_equal(q.qy_sep, CSV_SEMICOLON);
	assert_int_equal(q.qy_by, RQUERY_BY_UNIT);
	parse_ok("sep=comma", RQUERY_RESULTS | RQUERY_CSV, &q);
	assert_int_equal(q.qy_sep, CSV_COMMA);
}

static void
test_strict(void **state)
{
	(void)state;
	parse_bad("form=2024-01-01", RQUERY_RESULTS, ERR_BAD_REQUEST, "form");
	parse_bad("question=c", RQUERY_RESULTS, ERR_BAD_REQUEST, "question");
	parse_bad("by=unit", RQUERY_COMMENTS, ERR_BAD_REQUEST, "by");
	/* The CSV dialect only where there is CSV. */
	parse_bad("sep=semicolon", RQUERY_RESULTS, ERR_BAD_REQUEST, "sep");
	parse_bad("sep=comma", RQUERY_COMMENTS, ERR_BAD_REQUEST, "sep");
	parse_bad("sep=tab", RQUERY_RESULTS | RQUERY_CSV, ERR_BAD_REQUEST,
	    "sep");
	parse_bad("sep=%3B", RQUERY_RESULTS | RQUERY_CSV, ERR_BAD_REQUEST,
	    "sep");
	parse_bad("sep=comma&sep=comma", RQUERY_RESULTS | RQUERY_CSV,
	    ERR_BAD_REQUEST, "sep");
	parse_bad("unit=1&unit=2", RQUERY_RESULTS, ERR_BAD_REQUEST, "unit");
	parse_bad("unit", RQUERY_RESULTS, ERR_BAD_REQUEST, "unit");
	parse_bad("unit=", RQUERY_RESULTS, ERR_BAD_REQUEST, "unit");
	parse_bad("unit=0", RQUERY_RESULTS, ERR_BAD_REQUEST, "unit");
	parse_bad("unit=-1", RQUERY_RESULTS, ERR_BAD_REQUEST, "unit");
	parse_bad("unit=4294967296", RQUERY_RESULTS, ERR_BAD_REQUEST, "unit");
	parse_bad("unit=1%00", RQUERY_RESULTS, ERR_BAD_REQUEST, "unit");
	parse_bad("unit=%4", RQUERY_RESULTS, ERR_BAD_REQUEST, "unit");
	parse_bad("from=2024-02-30", RQUERY_RESULTS, ERR_BAD_REQUEST, "from");
	parse_bad("to=24-01-01", RQUERY_RESULTS, ERR_BAD_REQUEST, "to");
	parse_bad("by=day", RQUERY_RESULTS, ERR_BAD_REQUEST, "by");
	parse_bad("by=period&period=day", RQUERY_RESULTS, ERR_BAD_REQUEST,
	    "period");
	parse_bad("period=month", RQUERY_RESULTS, ERR_BAD_REQUEST, "period");
	parse_bad("version=x", RQUERY_RESULTS, ERR_BAD_REQUEST, "version");
	parse_bad("question=Kommentti", RQUERY_COMMENTS, ERR_BAD_REQUEST,
	    "question");
	parse_bad("question=abcdefghijklmnopqrstuvwxyz0123456",
	    RQUERY_COMMENTS, ERR_BAD_REQUEST, "question");
	/* A value longer than any we accept is refused, not cut. */
	parse_bad("from=2024-01-01xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxx", RQUERY_RESULTS, ERR_BAD_REQUEST,
	    "from");
}

static void
check(int64_t from, int64_t to, const char *by_period, enum period_kind kind,
    int want, enum error_code code, const char *field, const char *msg)
{
	struct rquery	q;
	struct error	err;

	memset(&q, 0, sizeof(q));
	memset(&err, 0, sizeof(err));
	q.qy_from = from;
	q.qy_to = to;
	q.qy_has_from = q.qy_has_to = true;
	if (by_period != NULL) {
		q.qy_by = RQUERY_BY_PERIOD;
		if (by_period[0] != '\0') {
			q.qy_has_period = true;
			assert_int_equal(period_parse(by_period, &q.qy_period),
			    0);
		}
	}
	assert_int_equal(rquery_check_range(&q, kind, &err), want);
	if (want == 0) {
		assert_int_equal(q.qy_period, by_period != NULL &&
		    by_period[0] != '\0' ? q.qy_period : kind);
		return;
	}
	assert_int_equal(err.er_code, code);
	assert_string_equal(err.er_field, field);
	if (msg != NULL && strstr(err.er_message, msg) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err.er_message, msg);
}

static void
test_range(void **state)
{
	(void)state;
	check(D(2024, 1, 1), D(2024, 3, 31), NULL, PERIOD_MONTH, 0, 0, "",
	    NULL);
	check(D(2024, 1, 1), D(2024, 3, 31), "quarter", PERIOD_MONTH, 0, 0, "",
	    NULL);
	check(D(2024, 1, 1), D(2024, 3, 31), "", PERIOD_MONTH, 0, 0, "", NULL);
	check(D(2024, 1, 2), D(2024, 3, 31), NULL, PERIOD_MONTH, -EINVAL,
	    ERR_MISALIGNED_RANGE, "from", "from=2024-01-01&to=2024-03-31");
	check(D(2024, 1, 1), D(2024, 3, 30), NULL, PERIOD_MONTH, -EINVAL,
	    ERR_MISALIGNED_RANGE, "to", "from=2024-01-01&to=2024-03-31");
	/* ISO weeks: 2024-01-01 is a Monday. */
	check(D(2024, 1, 3), D(2024, 1, 9), NULL, PERIOD_WEEK, -EINVAL,
	    ERR_MISALIGNED_RANGE, "from", "from=2024-01-01&to=2024-01-14");
	/* Groups of quarters must hold whole quarters. */
	check(D(2024, 1, 1), D(2024, 4, 30), "quarter", PERIOD_MONTH, -EINVAL,
	    ERR_MISALIGNED_RANGE, "to", "to=2024-06-30");
	/* Months are not whole weeks. */
	check(D(2024, 1, 1), D(2024, 3, 31), "month", PERIOD_WEEK, -EINVAL,
	    ERR_INVALID, "period", NULL);
	check(D(2024, 1, 1), D(2024, 3, 31), "week", PERIOD_MONTH, -EINVAL,
	    ERR_INVALID, "period", NULL);
	check(D(2024, 3, 1), D(2024, 1, 31), NULL, PERIOD_MONTH, -EINVAL,
	    ERR_INVALID, "from", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_parameter),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
