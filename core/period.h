/*
 * period.h — the time buckets of aggregate cells (DESIGN.md sections 4, 5):
 * ISO weeks, calendar months, quarters and years over day numbers (days
 * since 1970-01-01, common/util.h).
 *
 * A bucket is identified by the day number of its first day: a week by its
 * Monday, a month by its 1st, a quarter by 1 Jan/Apr/Jul/Oct, a year by 1 Jan.
 * Such ids sort in time order, format as dates without a table, and mean the
 * same thing in a storage key, a JSON reply and a log line. period_index()
 * gives the dense counterpart (0, 1, 2, ...) for array columns.
 *
 * Return convention: int functions return 0 or a negative errno-style code;
 * the value functions (period_bucket, period_last_day, ...) require a valid
 * kind, which every caller has after period_parse() or from its own enum.
 * Days are defined for every year that fits an int; callers hold dates that
 * util_parse_date() accepted, which is far inside that.
 */
#ifndef PALAUTE_CORE_PERIOD_H
#define PALAUTE_CORE_PERIOD_H

#include <stdbool.h>
#include <stdint.h>

/* Ordered from fine to coarse: period_coarser() follows this order. */
enum period_kind {
	PERIOD_WEEK,	/* ISO 8601 week, Monday to Sunday */
	PERIOD_MONTH,
	PERIOD_QUARTER,
	PERIOD_YEAR,
	PERIOD_COUNT
};

/* "week", "month", "quarter", "year" -> kind; -EINVAL for anything else. */
int		 period_parse(const char *s, enum period_kind *kind_out);
/* The name of a kind as period_parse() reads it; "" for an invalid kind. */
const char	*period_name(enum period_kind kind);
bool		 period_valid(enum period_kind kind);

/* The bucket holding day, i.e. the day number of that bucket's first day. */
int64_t		 period_bucket(enum period_kind kind, int64_t day);
/* True if bucket is the first day of a bucket of this kind. */
bool		 period_is_bucket(enum period_kind kind, int64_t bucket);
/* First day of a bucket: the id itself (stated so callers need not know). */
int64_t		 period_first_day(enum period_kind kind, int64_t bucket);
/* Last day of the bucket holding day `bucket` (a Sunday, 31 Dec, ...). */
int64_t		 period_last_day(enum period_kind kind, int64_t bucket);
/* The bucket after the one holding day `bucket`. */
int64_t		 period_next(enum period_kind kind, int64_t bucket);
/*
 * Dense number of the bucket holding day `bucket`: 0 is the bucket holding
 * 1970-01-01 (for weeks: the one starting Monday 1969-12-29), consecutive
 * buckets differ by 1. The number of buckets from b0 to b1 inclusive is
 * period_index(k, b1) - period_index(k, b0) + 1.
 */
int64_t		 period_index(enum period_kind kind, int64_t bucket);
/* Inverse of period_index(): the bucket id (first day) of an index. */
int64_t		 period_from_index(enum period_kind kind, int64_t index);

/*
 * True if [from_day, to_day] covers whole buckets: from_day is the first
 * day of a bucket, to_day the last day of a bucket, and from_day <= to_day.
 * False for an invalid kind.
 */
bool		 period_aligned(enum period_kind kind, int64_t from_day,
		    int64_t to_day);
/*
 * The smallest aligned range that contains [from_day, to_day]: the first day
 * of from_day's bucket and the last day of to_day's bucket (the range a 422
 * suggests: "use from=... to=..."). An aligned range is returned unchanged.
 * -EINVAL if the kind is invalid or from_day > to_day; the outputs are
 * written only on success.
 */
int		 period_align(enum period_kind kind, int64_t from_day,
		    int64_t to_day, int64_t *from_out, int64_t *to_out);

/*
 * The next coarser kind: week -> month -> quarter -> year. -ENOENT after
 * year, -EINVAL for an invalid kind. A coarser bucket does not always hold
 * whole finer buckets (an ISO week can straddle months): see period_nests().
 */
int		 period_coarser(enum period_kind kind,
		    enum period_kind *coarser_out);
/*
 * True if every bucket of `coarse` is a union of whole buckets of `fine`:
 * a kind nests in itself, and months, quarters and years nest in each
 * coarser one of them. Weeks nest only in weeks.
 */
bool		 period_nests(enum period_kind fine, enum period_kind coarse);

#endif /* PALAUTE_CORE_PERIOD_H */
