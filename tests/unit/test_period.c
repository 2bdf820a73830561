/*
 * test_period.c — ISO weeks, months, quarters, years: hand-checked dates,
 * then the invariants over a sweep of 80 years of days.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/util.h"
#include "core/period.h"

#define D(y, m, d)	util_days_from_civil((y), (m), (d))

/* ISO weekday, Monday = 1, by Sakamoto's method: independent of period.c. */
static int
iso_weekday(int y, unsigned m, unsigned d)
{
	static const int	t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	int			w;

	if (m < 3)
		y -= 1;
	w = (y + y / 4 - y / 100 + y / 400 + t[m - 1] + (int)d) % 7;
	return w == 0 ? 7 : w;
}

static void
test_names(void **state)
{
	static const char	*names[] = { "week", "month", "quarter",
				    "year" };
	enum period_kind	 k;
	unsigned		 i;

	(void)state;
	for (i = 0; i < PERIOD_COUNT; i++) {
		assert_int_equal(period_parse(names[i], &k), 0);
		assert_int_equal(k, i);
		assert_string_equal(period_name(k), names[i]);
	}
	k = PERIOD_YEAR;
	assert_int_equal(period_parse("Week", &k), -EINVAL);
	assert_int_equal(period_parse("", &k), -EINVAL);
	assert_int_equal(period_parse("months", &k), -EINVAL);
	assert_int_equal(period_parse(NULL, &k), -EINVAL);
	assert_int_equal(k, PERIOD_YEAR);	/* untouched on failure */
	assert_string_equal(period_name(PERIOD_COUNT), "");
	assert_false(period_valid(PERIOD_COUNT));
}

static void
test_weeks(void **state)
{
	(void)state;
	/* 1970-01-01 was a Thursday: its ISO week began Monday 1969-12-29. */
	assert_int_equal(period_bucket(PERIOD_WEEK, 0), -3);
	assert_int_equal(period_bucket(PERIOD_WEEK, 0), D(1969, 12, 29));
	assert_int_equal(period_last_day(PERIOD_WEEK, 0), D(1970, 1, 4));
	assert_int_equal(period_index(PERIOD_WEEK, 0), 0);
	assert_int_equal(period_index(PERIOD_WEEK, D(1970, 1, 5)), 1);
	assert_int_equal(period_index(PERIOD_WEEK, D(1969, 12, 28)), -1);
	/* 2024-01-01 is a Monday; the Sunday after is in the same week. */
	assert_int_equal(period_bucket(PERIOD_WEEK, D(2024, 1, 7)),
	    D(2024, 1, 1));
	assert_int_equal(period_bucket(PERIOD_WEEK, D(2024, 1, 8)),
	    D(2024, 1, 8));
	/* 2023-01-01 is a Sunday: week 52 of 2022, from Monday 2022-12-26. */
	assert_int_equal(period_bucket(PERIOD_WEEK, D(2023, 1, 1)),
	    D(2022, 12, 26));
	/* 2020 has an ISO week 53: Mon 2020-12-28 .. Sun 2021-01-03. */
	assert_int_equal(period_bucket(PERIOD_WEEK, D(2021, 1, 3)),
	    D(2020, 12, 28));
	assert_int_equal(period_last_day(PERIOD_WEEK, D(2020, 12, 28)),
	    D(2021, 1, 3));
	assert_int_equal(period_next(PERIOD_WEEK, D(2020, 12, 28)),
	    D(2021, 1, 4));
	assert_true(period_is_bucket(PERIOD_WEEK, D(2024, 1, 1)));
	assert_false(period_is_bucket(PERIOD_WEEK, D(2024, 1, 2)));
}

static void
test_months_quarters_years(void **state)
{
	(void)state;
	assert_int_equal(period_bucket(PERIOD_MONTH, D(2024, 2, 29)),
	    D(2024, 2, 1));
	assert_int_equal(period_last_day(PERIOD_MONTH, D(2024, 2, 1)),
	    D(2024, 2, 29));
	assert_int_equal(period_last_day(PERIOD_MONTH, D(2023, 2, 1)),
	    D(2023, 2, 28));
	assert_int_equal(period_last_day(PERIOD_MONTH, D(2100, 2, 1)),
	    D(2100, 2, 28));
	assert_int_equal(period_last_day(PERIOD_MONTH, D(2000, 2, 1)),
	    D(2000, 2, 29));
	assert_int_equal(period_next(PERIOD_MONTH, D(2024, 12, 1)),
	    D(2025, 1, 1));
	assert_int_equal(period_index(PERIOD_MONTH, D(1970, 1, 31)), 0);
	assert_int_equal(period_index(PERIOD_MONTH, D(2024, 1, 1)), 648);
	assert_int_equal(period_from_index(PERIOD_MONTH, 648), D(2024, 1, 1));

	assert_int_equal(period_bucket(PERIOD_QUARTER, D(2024, 5, 15)),
	    D(2024, 4, 1));
	assert_int_equal(period_last_day(PERIOD_QUARTER, D(2024, 4, 1)),
	    D(2024, 6, 30));
	assert_int_equal(period_bucket(PERIOD_QUARTER, D(2024, 12, 31)),
	    D(2024, 10, 1));
	assert_int_equal(period_next(PERIOD_QUARTER, D(2024, 10, 1)),
	    D(2025, 1, 1));
	assert_int_equal(period_index(PERIOD_QUARTER, D(2024, 4, 1)),
	    54 * 4 + 1);

	assert_int_equal(period_bucket(PERIOD_YEAR, D(2024, 7, 4)),
	    D(2024, 1, 1));
	assert_int_equal(period_last_day(PERIOD_YEAR, D(2024, 1, 1)),
	    D(2024, 12, 31));
	assert_int_equal(period_first_day(PERIOD_YEAR, D(2024, 1, 1)),
	    D(2024, 1, 1));

	/* Before the epoch: day -1 is 1969-12-31. */
	assert_int_equal(period_bucket(PERIOD_MONTH, -1), D(1969, 12, 1));
	assert_int_equal(period_index(PERIOD_MONTH, -1), -1);
	assert_int_equal(period_bucket(PERIOD_QUARTER, -1), D(1969, 10, 1));
	assert_int_equal(period_index(PERIOD_QUARTER, -1), -1);
	assert_int_equal(period_bucket(PERIOD_YEAR, -1), D(1969, 1, 1));
	assert_int_equal(period_index(PERIOD_YEAR, -1), -1);
}

/* Every bucket of every kind, 1950..2030: the invariants the API promises. */
static void
test_sweep(void **state)
{
	int64_t		day, b, last;
	int		y, by;
	unsigned	m, d, bm, bd, k;

	(void)state;
	for (k = 0; k < PERIOD_COUNT; k++) {
		for (day = D(1950, 1, 1); day <= D(2030, 12, 31); day++) {
			b = period_bucket(k, day);
			last = period_last_day(k, day);
			assert_true(b <= day && day <= last);
			assert_int_equal(period_bucket(k, b), b);
			assert_int_equal(period_bucket(k, last), b);
			assert_int_equal(period_next(k, day), last + 1);
			assert_int_equal(period_bucket(k, last + 1), last + 1);
			assert_int_equal(period_index(k, last + 1),
			    period_index(k, day) + 1);
			assert_int_equal(period_from_index(k,
			    period_index(k, day)), b);
			assert_true(period_aligned(k, b, last));

			util_civil_from_days(day, &y, &m, &d);
			util_civil_from_days(b, &by, &bm, &bd);
			switch (k) {
			case PERIOD_WEEK:
				assert_int_equal(iso_weekday(by, bm, bd), 1);
				assert_int_equal(last - b, 6);
				break;
			case PERIOD_MONTH:
				assert_true(by == y && bm == m && bd == 1);
				break;
			case PERIOD_QUARTER:
				assert_true(by == y && bd == 1 &&
				    bm == (m - 1) / 3 * 3 + 1);
				break;
			default:
				assert_true(by == y && bm == 1 && bd == 1);
				break;
			}
		}
	}
}

static void
test_aligned(void **state)
{
	(void)state;
	assert_true(period_aligned(PERIOD_MONTH, D(2024, 1, 1),
	    D(2024, 3, 31)));
	assert_true(period_aligned(PERIOD_MONTH, D(2024, 2, 1),
	    D(2024, 2, 29)));
	assert_false(period_aligned(PERIOD_MONTH, D(2024, 1, 2),
	    D(2024, 3, 31)));
	assert_false(period_aligned(PERIOD_MONTH, D(2024, 1, 1),
	    D(2024, 3, 30)));
	assert_false(period_aligned(PERIOD_QUARTER, D(2024, 1, 1),
	    D(2024, 2, 29)));
	assert_true(period_aligned(PERIOD_QUARTER, D(2024, 1, 1),
	    D(2024, 6, 30)));
	assert_true(period_aligned(PERIOD_WEEK, D(2024, 1, 1),
	    D(2024, 1, 14)));
	assert_false(period_aligned(PERIOD_WEEK, D(2024, 1, 1),
	    D(2024, 1, 13)));
	/* from after to, even if both lie on bucket edges */
	assert_false(period_aligned(PERIOD_MONTH, D(2024, 2, 1),
	    D(2024, 1, 31)));
	assert_false(period_aligned(PERIOD_COUNT, 0, 10));
}

static void
test_align(void **state)
{
	int64_t	from = -1, to = -1;

	(void)state;
	assert_int_equal(period_align(PERIOD_MONTH, D(2024, 1, 15),
	    D(2024, 3, 3), &from, &to), 0);
	assert_int_equal(from, D(2024, 1, 1));
	assert_int_equal(to, D(2024, 3, 31));

	/* already aligned: unchanged */
	assert_int_equal(period_align(PERIOD_QUARTER, D(2024, 4, 1),
	    D(2024, 9, 30), &from, &to), 0);
	assert_int_equal(from, D(2024, 4, 1));
	assert_int_equal(to, D(2024, 9, 30));

	/* a week range across the turn of the year */
	assert_int_equal(period_align(PERIOD_WEEK, D(2020, 12, 31),
	    D(2021, 1, 1), &from, &to), 0);
	assert_int_equal(from, D(2020, 12, 28));
	assert_int_equal(to, D(2021, 1, 3));

	assert_int_equal(period_align(PERIOD_YEAR, D(2023, 6, 1),
	    D(2024, 2, 1), &from, &to), 0);
	assert_int_equal(from, D(2023, 1, 1));
	assert_int_equal(to, D(2024, 12, 31));

	from = to = 42;
	assert_int_equal(period_align(PERIOD_MONTH, D(2024, 3, 1),
	    D(2024, 2, 1), &from, &to), -EINVAL);
	assert_int_equal(period_align(PERIOD_COUNT, 0, 1, &from, &to),
	    -EINVAL);
	assert_int_equal(from, 42);
	assert_int_equal(to, 42);
}

static void
test_coarser_and_nests(void **state)
{
	enum period_kind	k = PERIOD_WEEK;

	(void)state;
	assert_int_equal(period_coarser(PERIOD_WEEK, &k), 0);
	assert_int_equal(k, PERIOD_MONTH);
	assert_int_equal(period_coarser(PERIOD_MONTH, &k), 0);
	assert_int_equal(k, PERIOD_QUARTER);
	assert_int_equal(period_coarser(PERIOD_QUARTER, &k), 0);
	assert_int_equal(k, PERIOD_YEAR);
	assert_int_equal(period_coarser(PERIOD_YEAR, &k), -ENOENT);
	assert_int_equal(k, PERIOD_YEAR);
	assert_int_equal(period_coarser(PERIOD_COUNT, &k), -EINVAL);

	assert_true(period_nests(PERIOD_WEEK, PERIOD_WEEK));
	assert_false(period_nests(PERIOD_WEEK, PERIOD_MONTH));
	assert_false(period_nests(PERIOD_WEEK, PERIOD_YEAR));
	assert_true(period_nests(PERIOD_MONTH, PERIOD_QUARTER));
	assert_true(period_nests(PERIOD_MONTH, PERIOD_YEAR));
	assert_true(period_nests(PERIOD_QUARTER, PERIOD_YEAR));
	assert_false(period_nests(PERIOD_QUARTER, PERIOD_MONTH));
	assert_false(period_nests(PERIOD_YEAR, PERIOD_QUARTER));
	assert_false(period_nests(PERIOD_MONTH, PERIOD_COUNT));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_weeks),
		cmocka_unit_test(test_months_quarters_years),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_aligned),
		cmocka_unit_test(test_align),
		cmocka_unit_test(test_coarser_and_nests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
