/*
 * period.c — ISO weeks, months, quarters and years over day numbers.
 * Every kind is reduced to a dense index (period_index); bucket ids, next
 * buckets and last days all follow from index <-> first day.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "common/util.h"
#include "core/period.h"

/*
 * months == 0 marks the week, the only kind that is not a whole number of
 * months. Day 0 (1970-01-01) was a Thursday, so Monday-based weeks start
 * 3 days earlier: week 0 begins on day -3.
 */
static const struct {
	const char	*name;
	unsigned	 months;
} period_table[PERIOD_COUNT] = {
	[PERIOD_WEEK]	 = { "week", 0 },
	[PERIOD_MONTH]	 = { "month", 1 },
	[PERIOD_QUARTER] = { "quarter", 3 },
	[PERIOD_YEAR]	 = { "year", 12 },
};

#define PERIOD_WEEK0	(-3)	/* Monday 1969-12-29 */

/* Division rounding towards minus infinity, so days before 1970 work too. */
static int64_t
period_floordiv(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/*
 * An invalid kind is a bug in the caller; the assert catches it in tests,
 * and release builds fall back to years rather than index out of the table.
 */
static enum period_kind
period_checked(enum period_kind kind)
{
	assert(period_valid(kind));
	return period_valid(kind) ? kind : PERIOD_YEAR;
}

/* Months since January 1970 of the month holding day. */
static int64_t
period_month_index(int64_t day)
{
	int		y;
	unsigned	m, d;

	util_civil_from_days(day, &y, &m, &d);
	return ((int64_t)y - 1970) * 12 + (int64_t)m - 1;
}

static int64_t
period_month_first_day(int64_t mi)
{
	int64_t	y = period_floordiv(mi, 12);

	return util_days_from_civil((int)(1970 + y),
	    (unsigned)(mi - y * 12 + 1), 1);
}

bool
period_valid(enum period_kind kind)
{
	return (unsigned)kind < PERIOD_COUNT;
}

int
period_parse(const char *s, enum period_kind *kind_out)
{
	unsigned	i;

	if (s == NULL)
		return -EINVAL;
	for (i = 0; i < PERIOD_COUNT; i++) {
		if (strcmp(s, period_table[i].name) == 0) {
			*kind_out = (enum period_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
period_name(enum period_kind kind)
{
	return period_valid(kind) ? period_table[kind].name : "";
}

int64_t
period_index(enum period_kind kind, int64_t bucket)
{
	unsigned	months;

	kind = period_checked(kind);
	months = period_table[kind].months;
	if (months == 0)
		return period_floordiv(bucket - PERIOD_WEEK0, 7);
	return period_floordiv(period_month_index(bucket), months);
}

int64_t
period_from_index(enum period_kind kind, int64_t index)
{
	unsigned	months;

	kind = period_checked(kind);
	months = period_table[kind].months;
	if (months == 0)
		return PERIOD_WEEK0 + index * 7;
	return period_month_first_day(index * months);
}

int64_t
period_bucket(enum period_kind kind, int64_t day)
{
	return period_from_index(kind, period_index(kind, day));
}

bool
period_is_bucket(enum period_kind kind, int64_t bucket)
{
	return period_valid(kind) && period_bucket(kind, bucket) == bucket;
}

int64_t
period_first_day(enum period_kind kind, int64_t bucket)
{
	return period_bucket(kind, bucket);
}

int64_t
period_next(enum period_kind kind, int64_t bucket)
{
	return period_from_index(kind, period_index(kind, bucket) + 1);
}

int64_t
period_last_day(enum period_kind kind, int64_t bucket)
{
	return period_next(kind, bucket) - 1;
}

bool
period_aligned(enum period_kind kind, int64_t from_day, int64_t to_day)
{
	if (!period_valid(kind) || from_day > to_day)
		return false;
	return period_is_bucket(kind, from_day) &&
	    period_last_day(kind, to_day) == to_day;
}

int
period_align(enum period_kind kind, int64_t from_day, int64_t to_day,
    int64_t *from_out, int64_t *to_out)
{
	if (!period_valid(kind) || from_day > to_day)
		return -EINVAL;
	*from_out = period_bucket(kind, from_day);
	*to_out = period_last_day(kind, to_day);
	return 0;
}

int
period_coarser(enum period_kind kind, enum period_kind *coarser_out)
{
	if (!period_valid(kind))
		return -EINVAL;
	if (kind == PERIOD_YEAR)
		return -ENOENT;
	*coarser_out = (enum period_kind)(kind + 1);
	return 0;
}

bool
period_nests(enum period_kind fine, enum period_kind coarse)
{
	unsigned	fm, cm;

	if (!period_valid(fine) || !period_valid(coarse))
		return false;
	if (fine == coarse)
		return true;
	fm = period_table[fine].months;
	cm = period_table[coarse].months;
	/* Month-based kinds nest when the coarse length is a multiple. */
	return fm != 0 && cm != 0 && cm % fm == 0;
}
