/*
 * rquery.c — the results routes' query string: split, decoded, checked.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/router.h"
#include "api/rquery.h"
#include "common/util.h"

/* Longest decoded value we look at; dates and ids are far shorter. */
#define RQUERY_VALUE_MAX	64

enum rquery_param {
	RQP_UNIT, RQP_FROM, RQP_TO, RQP_BY, RQP_PERIOD, RQP_VERSION,
	RQP_QUESTION, RQP_SEP, RQP_LANG, RQP_COUNT
};

static const struct {
	const char	*name;
	unsigned	 kinds;	/* routes that take it */
} rquery_params[RQP_COUNT] = {
	[RQP_UNIT] =	 { "unit", RQUERY_RESULTS | RQUERY_COMMENTS },
	[RQP_FROM] =	 { "from", RQUERY_RESULTS | RQUERY_COMMENTS },
	[RQP_TO] =	 { "to", RQUERY_RESULTS | RQUERY_COMMENTS },
	[RQP_BY] =	 { "by", RQUERY_RESULTS },
	[RQP_PERIOD] =	 { "period", RQUERY_RESULTS },
	[RQP_VERSION] =	 { "version", RQUERY_RESULTS | RQUERY_COMMENTS },
	[RQP_QUESTION] = { "question", RQUERY_COMMENTS },
	[RQP_SEP] =	 { "sep", RQUERY_CSV },
	[RQP_LANG] =	 { "lang", RQUERY_XLSX },
};

static const char *const rquery_by_names[] = {
	[RQUERY_BY_NONE] = "none",
	[RQUERY_BY_PERIOD] = "period",
	[RQUERY_BY_UNIT] = "unit",
};

const char *
rquery_by_name(enum rquery_by by)
{
	if ((unsigned)by >= sizeof(rquery_by_names) /
	    sizeof(rquery_by_names[0]))
		return "";
	return rquery_by_names[by];
}

static int
rquery_id(const char *v, const char *field, uint32_t *out,
    struct error *err)
{
	long long	n;

	if (util_parse_ll(v, 1, UINT32_MAX, &n) != 0)
		return error_set(err, ERR_BAD_REQUEST, field,
		    "%s must be a positive integer id", field);
	*out = (uint32_t)n;
	return 0;
}

static int
rquery_date(const char *v, const char *field, int64_t *out,
    struct error *err)
{
	if (util_parse_date(v, out) != 0)
		return error_set(err, ERR_BAD_REQUEST, field,
		    "%s must be a date YYYY-MM-DD", field);
	return 0;
}

/* A question id as core/survey.h allows them: [a-z0-9_-], 1..32. */
static bool
rquery_id_chars(const char *v)
{
	size_t	i, n = strlen(v);

	if (n == 0 || n > RQUERY_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '_' ||
		    v[i] == '-'))
			return false;
	return true;
}

static int
rquery_set(struct rquery *q, enum rquery_param p, const char *v,
    struct error *err)
{
	const char	*name = rquery_params[p].name;
	size_t		 i;

	switch (p) {
	case RQP_UNIT:
		return rquery_id(v, name, &q->qy_unit, err);
	case RQP_FROM:
		q->qy_has_from = true;
		return rquery_date(v, name, &q->qy_from, err);
	case RQP_TO:
		q->qy_has_to = true;
		return rquery_date(v, name, &q->qy_to, err);
	case RQP_BY:
		for (i = 0; i < sizeof(rquery_by_names) /
		    sizeof(rquery_by_names[0]); i++)
			if (strcmp(v, rquery_by_names[i]) == 0) {
				q->qy_by = (enum rquery_by)i;
				return 0;
			}
		return error_set(err, ERR_BAD_REQUEST, name,
		    "by must be none, period or unit");
	case RQP_PERIOD:
		q->qy_has_period = true;
		if (period_parse(v, &q->qy_period) != 0)
			return error_set(err, ERR_BAD_REQUEST, name,
			    "period must be week, month, quarter or year");
		return 0;
	case RQP_VERSION:
		return rquery_id(v, name, &q->qy_version, err);
	case RQP_QUESTION:
		if (!rquery_id_chars(v))
			return error_set(err, ERR_BAD_REQUEST, name,
			    "question must be a question id");
		memcpy(q->qy_question, v, strlen(v) + 1);
		return 0;
	case RQP_SEP:
		if (strcmp(v, "comma") == 0)
			q->qy_sep = CSV_COMMA;
		else if (strcmp(v, "semicolon") == 0)
			q->qy_sep = CSV_SEMICOLON;
		else
			return error_set(err, ERR_BAD_REQUEST, name,
			    "sep must be comma or semicolon");
		return 0;
	case RQP_LANG:
		/* The languages the workbook has labels in. */
		if (strcmp(v, "fi") != 0 && strcmp(v, "sv") != 0 &&
		    strcmp(v, "en") != 0)
			return error_set(err, ERR_BAD_REQUEST, name,
			    "lang must be fi, sv or en");
		memcpy(q->qy_lang, v, 3);
		return 0;
	case RQP_COUNT:
		break;
	}
	return error_set(err, ERR_BAD_REQUEST, NULL, "bad parameter");
}

int
rquery_parse(const char *raw, unsigned kind, struct rquery *out,
    struct error *err)
{
	struct rquery		 q;
	struct router_qparam	 qp;
	const char		*cur = raw;
	char			 value[RQUERY_VALUE_MAX + 1];
	char			 name[RQUERY_VALUE_MAX + 1];
	unsigned		 seen = 0;
	size_t			 i;
	int			 rc;

	memset(&q, 0, sizeof(q));
	q.qy_by = RQUERY_BY_NONE;
	q.qy_sep = CSV_COMMA;
	memcpy(q.qy_lang, "fi", 3);
	while (router_query_next(&cur, &qp)) {
		/* -ERANGE too: no name or value we accept is that long. */
		if (router_decode_into(qp.qp_name, qp.qp_nlen, true, name,
		    sizeof(name)) != 0)
			return error_set(err, ERR_BAD_REQUEST, NULL,
			    "a query parameter's name is not valid");
		for (i = 0; i < RQP_COUNT; i++)
			if (strcmp(name, rquery_params[i].name) == 0 &&
			    (rquery_params[i].kinds & kind) != 0)
				break;
		if (i == RQP_COUNT)
			return error_set(err, ERR_BAD_REQUEST, name,
			    "unknown query parameter \"%s\"", name);
		if (seen & (1u << i))
			return error_set(err, ERR_BAD_REQUEST, name,
			    "%s given more than once", name);
		seen |= 1u << i;
		if (qp.qp_value == NULL)
			return error_set(err, ERR_BAD_REQUEST, name,
			    "%s needs a value", name);
		rc = router_decode_into(qp.qp_value, qp.qp_vlen, true, value,
		    sizeof(value));
		if (rc != 0 || value[0] == '\0')
			return error_set(err, ERR_BAD_REQUEST, name,
			    "%s: not a valid value", name);
		if ((rc = rquery_set(&q, (enum rquery_param)i, value,
		    err)) != 0)
			return rc;
	}
	if (q.qy_has_period && q.qy_by != RQUERY_BY_PERIOD)
		return error_set(err, ERR_BAD_REQUEST, "period",
		    "period is the group length of by=period");
	*out = q;
	return 0;
}

int
rquery_check_range(struct rquery *q, enum period_kind kind,
    struct error *err)
{
	enum period_kind	group = kind;
	char			f[16], t[16], af[16], at[16];
	int64_t			from, to;

	if (!period_valid(kind))
		return error_set(err, ERR_INTERNAL, NULL, "bad period");
	if (q->qy_from > q->qy_to)
		return error_set(err, ERR_INVALID, "from",
		    "from is after to");
	if (q->qy_by == RQUERY_BY_PERIOD && q->qy_has_period) {
		group = q->qy_period;
		if (!period_nests(kind, group))
			return error_set(err, ERR_INVALID, "period",
			    "the survey's results are kept by %s; a %s is not "
			    "a whole number of them", period_name(kind),
			    period_name(group));
	}
	if (!period_aligned(group, q->qy_from, q->qy_to)) {
		if (period_align(group, q->qy_from, q->qy_to, &from,
		    &to) != 0 ||
		    util_format_date(q->qy_from, f, sizeof(f)) != 0 ||
		    util_format_date(q->qy_to, t, sizeof(t)) != 0 ||
		    util_format_date(from, af, sizeof(af)) != 0 ||
		    util_format_date(to, at, sizeof(at)) != 0)
			return error_set(err, ERR_INVALID, "from",
			    "the range is not valid");
		return error_set(err, ERR_MISALIGNED_RANGE,
		    from != q->qy_from ? "from" : "to",
		    "%s to %s is not a whole number of %ss; the nearest "
		    "whole range is from=%s&to=%s", f, t, period_name(group),
		    af, at);
	}
	q->qy_period = group;
	return 0;
}
