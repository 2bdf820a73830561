/*
 * rquery.h — the query string of the results routes (DESIGN.md section 7):
 * GET /api/v1/surveys/{id}/results, results.csv and comments, parsed into
 * plain values and checked against the survey's period. No storage; the
 * handler (api/routes/results.c) fills in the defaults that need data.
 *
 *   unit=ID        the unit whose subtree the results roll up
 *   from=, to=     "YYYY-MM-DD", inclusive, on whole buckets of the
 *                  survey's period (else 422 misaligned_range naming the
 *                  nearest aligned range)
 *   by=            none (default) | period | unit        (results only)
 *   period=        by=period: group length, week|month|quarter|year, a
 *                  whole number of the survey's buckets (default: the
 *                  survey's period)                      (results only)
 *   version=N      one survey version; default: every version whose
 *                  question has the same id and shape
 *   question=ID    the text question                     (comments only)
 *   sep=           comma (default) | semicolon: the CSV dialect, core/csv.h
 *                                                        (results.csv only)
 *
 * Every parameter at most once; any other name is 400 bad_request with
 * that name in "field", so a typo never silently widens a query.
 *
 * Return convention: 0 or a negative errno-style code; -EINVAL comes with
 * err filled (400 bad_request, 422 invalid or misaligned_range).
 */
#ifndef PALAUTE_API_RQUERY_H
#define PALAUTE_API_RQUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "core/csv.h"
#include "core/period.h"

enum rquery_by {
	RQUERY_BY_NONE,
	RQUERY_BY_PERIOD,
	RQUERY_BY_UNIT,
};

/* Which parameters a route takes. */
#define RQUERY_RESULTS	0x1	/* unit from to by period version */
#define RQUERY_COMMENTS	0x2	/* unit from to version question */
#define RQUERY_CSV	0x4	/* with RQUERY_RESULTS: sep */
#define RQUERY_XLSX	0x8	/* with RQUERY_RESULTS: lang */

#define RQUERY_ID_MAX	32	/* a question id (core/survey.h SURVEY_ID_MAX) */

struct rquery {
	uint32_t	qy_unit;	/* 0: not given */
	bool		qy_has_from;
	bool		qy_has_to;
	int64_t		qy_from;	/* day numbers, inclusive */
	int64_t		qy_to;
	enum rquery_by	qy_by;
	bool		qy_has_period;	/* by=period group length given */
	enum period_kind qy_period;
	uint32_t	qy_version;	/* 0: all same-shape versions */
	char		qy_question[RQUERY_ID_MAX + 1];	/* "" if not given */
	enum csv_dialect qy_sep;
	char		qy_lang[4];	/* fi, sv or en (default fi) */
};

/*
 * Parse a raw query string (NULL or "" for none; percent-encoded, '+' a
 * space) for a route of kind RQUERY_RESULTS (| RQUERY_CSV) or
 * RQUERY_COMMENTS. *out is written only on success.
 */
int		 rquery_parse(const char *raw, unsigned kind,
		    struct rquery *out, struct error *err);

/*
 * Check the range of q (both ends set) against the survey's bucket kind,
 * and for by=period the group length (which must be a whole number of
 * buckets and default to kind). -EINVAL with ERR_INVALID when from > to
 * or the period does not nest kind; with ERR_MISALIGNED_RANGE and a
 * message "... use from=YYYY-MM-DD&to=YYYY-MM-DD" (period_align()) when
 * the range does not fall on whole buckets. Sets qy_period on success.
 */
int		 rquery_check_range(struct rquery *q, enum period_kind kind,
		    struct error *err);

/* "none", "period", "unit". */
const char	*rquery_by_name(enum rquery_by by);

#endif /* PALAUTE_API_RQUERY_H */
