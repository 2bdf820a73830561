/*
 * rquery.c — fuzz target: the query string of the results routes, the
 * one part of a manager's request that is free text, parsed as each
 * route parses it and checked against each kind of survey period.
 *
 * Properties: a refusal always says why; an accepted range is on whole
 * buckets; the range a 422 suggests instead contains the asked one and is
 * itself accepted.
 */
#include <config.h>

#include <string.h>

#include "api/rquery.h"
#include "core/period.h"
#include "fuzz/fuzz.h"

static const unsigned fuzz_kinds[] = {
	RQUERY_RESULTS, RQUERY_RESULTS | RQUERY_CSV, RQUERY_COMMENTS,
};

static void
fuzz_range(const struct rquery *parsed, enum period_kind kind)
{
	struct rquery	q = *parsed, fixed;
	struct error	err;
	int64_t		from, to;
	int		rc;

	memset(&err, 0, sizeof(err));
	rc = rquery_check_range(&q, kind, &err);
	if (rc == 0) {
		FUZZ_CHECK(period_aligned(q.qy_by == RQUERY_BY_PERIOD ?
		    q.qy_period : kind, q.qy_from, q.qy_to));
		return;
	}
	FUZZ_CHECK(err.er_code != ERR_NONE && err.er_message[0] != '\0');
	if (err.er_code != ERR_MISALIGNED_RANGE)
		return;
	FUZZ_CHECK(period_align(q.qy_by == RQUERY_BY_PERIOD &&
	    q.qy_has_period ? q.qy_period : kind, q.qy_from, q.qy_to, &from,
	    &to) == 0);
	FUZZ_CHECK(from <= q.qy_from && to >= q.qy_to);
	fixed = *parsed;
	fixed.qy_from = from;
	fixed.qy_to = to;
	memset(&err, 0, sizeof(err));
	FUZZ_CHECK(rquery_check_range(&fixed, kind, &err) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rquery	q;
	struct error	err;
	char		*raw = fuzz_string(data, size);
	size_t		 i;
	int		 k;

	for (i = 0; i < sizeof(fuzz_kinds) / sizeof(fuzz_kinds[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (rquery_parse(raw, fuzz_kinds[i], &q, &err) != 0) {
			FUZZ_CHECK(err.er_code != ERR_NONE);
			continue;
		}
		if (!q.qy_has_from || !q.qy_has_to)
			continue;
		for (k = 0; k < PERIOD_COUNT; k++)
			fuzz_range(&q, (enum period_kind)k);
	}
	free(raw);
	return 0;
}
