/*
 * stats.c — per-question statistics from a histogram: which statistics a
 * type reports is one table; every percentage is computed in integers.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/stats.h"

#define STATS_SCALE_STEPS	11	/* DESIGN §4: at most 11 steps */
#define STATS_NPS_SLOTS		11	/* 0..10 */
/* 0..6 detract, 7..8 are passive, 9..10 promote */
#define STATS_NPS_DETRACTOR_MAX	6
#define STATS_NPS_PROMOTER_MIN	9

enum {
	STATS_F_ANSWERED	= 1 << 0,
	STATS_F_COUNTS		= 1 << 1,
	STATS_F_MEAN		= 1 << 2,
	STATS_F_MEDIAN		= 1 << 3,
	STATS_F_CSAT		= 1 << 4,
	STATS_F_NPS		= 1 << 5,
	STATS_F_RESPONDENTS	= 1 << 6,
	STATS_F_COMMENTS	= 1 << 7,
	/* one slot per answer: the slots must sum to answered */
	STATS_F_SINGLE		= 1 << 8,
};

#define STATS_F_BASE	(STATS_F_ANSWERED | STATS_F_COUNTS)

static const unsigned stats_flags[QTYPE_COUNT] = {
	[QTYPE_SMILEY] = STATS_F_BASE | STATS_F_SINGLE | STATS_F_MEAN |
	    STATS_F_CSAT,
	[QTYPE_SCALE]  = STATS_F_BASE | STATS_F_SINGLE | STATS_F_MEAN |
	    STATS_F_MEDIAN,
	[QTYPE_NPS]    = STATS_F_BASE | STATS_F_SINGLE | STATS_F_NPS,
	[QTYPE_CHOICE] = STATS_F_BASE | STATS_F_SINGLE,
	[QTYPE_MULTI]  = STATS_F_BASE | STATS_F_RESPONDENTS,
	[QTYPE_YESNO]  = STATS_F_BASE | STATS_F_SINGLE,
	/* the one slot counts comments, and every comment is one answer */
	[QTYPE_TEXT]   = STATS_F_SINGLE | STATS_F_COMMENTS,
};

int
stats_slots(const struct stats_question *q, unsigned *nslots_out)
{
	long long	steps;
	unsigned	nslots;

	switch (q->sq_type) {
	case QTYPE_SMILEY:
		if (q->sq_faces != 4 && q->sq_faces != 5)
			return -EINVAL;
		nslots = q->sq_faces;
		break;
	case QTYPE_SCALE:
		/* in long long: max - min of two ints can overflow an int */
		steps = (long long)q->sq_max - q->sq_min + 1;
		if (steps < 2 || steps > STATS_SCALE_STEPS)
			return -EINVAL;
		nslots = (unsigned)steps;
		break;
	case QTYPE_NPS:
		nslots = STATS_NPS_SLOTS;
		break;
	case QTYPE_CHOICE:
	case QTYPE_MULTI:
		if (q->sq_options < 1 || q->sq_options > QTYPE_MAX_SLOTS)
			return -EINVAL;
		nslots = q->sq_options;
		break;
	case QTYPE_YESNO:
		nslots = 2;
		break;
	case QTYPE_TEXT:
		nslots = 1;
		break;
	default:
		return -EINVAL;
	}
	*nslots_out = nslots;
	return 0;
}

/* round(num / den) half away from zero, den > 0, in integers. */
static int
stats_round_ratio(int64_t num, uint64_t den)
{
	uint64_t	mag = (uint64_t)(num < 0 ? -num : num);
	uint64_t	q = (2 * mag + den) / (2 * den);

	return num < 0 ? -(int)q : (int)q;
}

/* The slot holding the answer of 0-based rank r in the sorted answers. */
static unsigned
stats_slot_at_rank(const uint32_t *counts, unsigned nslots, uint64_t r)
{
	uint64_t	seen = 0;
	unsigned	i;

	for (i = 0; i < nslots; i++) {
		seen += counts[i];
		if (r < seen)
			return i;
	}
	return nslots - 1;	/* not reached: r < answered = sum */
}

int
stats_compute(const struct stats_question *q, const uint32_t *counts,
    size_t nslots, uint32_t answered, uint32_t n, struct stats_result *out)
{
	struct stats_result	r;
	unsigned		want, flags, i;
	uint64_t		sum = 0, weighted = 0, top, promoters = 0,
				detractors = 0;
	int			base = 0, rc;

	if ((rc = stats_slots(q, &want)) != 0)
		return rc;
	if (counts == NULL || nslots != want || answered > n)
		return -EINVAL;
	flags = stats_flags[q->sq_type];
	for (i = 0; i < want; i++) {
		if (counts[i] > answered)
			return -EBADMSG;
		sum += counts[i];
		/* slot numbers, not values: at most 10 * 2^32, no overflow */
		weighted += (uint64_t)i * counts[i];
	}
	if ((flags & STATS_F_SINGLE) && sum != answered)
		return -EBADMSG;

	memset(&r, 0, sizeof(r));
	r.sr_type = q->sq_type;
	r.sr_answered = answered;
	r.sr_nslots = want;
	memcpy(r.sr_counts, counts, want * sizeof(*counts));

	if (q->sq_type == QTYPE_SMILEY)
		base = 1;
	else if (q->sq_type == QTYPE_SCALE)
		base = q->sq_min;

	if (answered > 0 && (flags & STATS_F_MEAN)) {
		/*
		 * value = base + slot. The numerator is an exact integer in a
		 * double while |base| * answered < 2^53, so the mean is the
		 * correctly rounded quotient: 39/10 is the double 3.9.
		 */
		r.sr_has_mean = true;
		r.sr_mean = ((double)base * answered + (double)weighted) /
		    answered;
	}
	if (answered > 0 && (flags & STATS_F_MEDIAN)) {
		unsigned lo = stats_slot_at_rank(counts, want,
		    ((uint64_t)answered - 1) / 2);
		unsigned hi = stats_slot_at_rank(counts, want,
		    (uint64_t)answered / 2);

		r.sr_has_median = true;
		r.sr_median = base + (lo + hi) / 2.0;
	}
	if (answered > 0 && (flags & STATS_F_CSAT)) {
		top = (uint64_t)counts[want - 1] + counts[want - 2];
		r.sr_has_csat = true;
		r.sr_csat = stats_round_ratio((int64_t)(100 * top), answered);
	}
	if (answered > 0 && (flags & STATS_F_NPS)) {
		for (i = 0; i <= STATS_NPS_DETRACTOR_MAX; i++)
			detractors += counts[i];
		for (i = STATS_NPS_PROMOTER_MIN; i < want; i++)
			promoters += counts[i];
		r.sr_has_nps = true;
		r.sr_nps = stats_round_ratio(
		    100 * ((int64_t)promoters - (int64_t)detractors), answered);
	}
	*out = r;
	return 0;
}

/* Steals v; a NULL v (failed allocation) fails the set. */
static int
stats_set(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL)
		return -ENOMEM;
	return json_object_set_new(obj, key, v) == 0 ? 0 : -ENOMEM;
}

static json_t *
stats_real_or_null(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

static json_t *
stats_int_or_null(bool has, int v)
{
	return has ? json_integer(v) : json_null();
}

json_t *
stats_to_json(const struct stats_result *r)
{
	json_t		*obj = NULL, *counts = NULL, *ret = NULL;
	unsigned	 flags, i;

	if ((unsigned)r->sr_type >= QTYPE_COUNT)
		goto done;
	flags = stats_flags[r->sr_type];
	if ((obj = json_object()) == NULL)
		goto done;
	if ((flags & STATS_F_ANSWERED) &&
	    stats_set(obj, "answered", json_integer(r->sr_answered)) != 0)
		goto done;
	if (flags & STATS_F_COUNTS) {
		if ((counts = json_array()) == NULL)
			goto done;
		for (i = 0; i < r->sr_nslots; i++)
			if (json_array_append_new(counts,
			    json_integer(r->sr_counts[i])) != 0)
				goto done;
		if (json_object_set_new(obj, "counts", counts) != 0) {
			counts = NULL;	/* set_new released it */
			goto done;
		}
		counts = NULL;
	}
	if ((flags & STATS_F_MEAN) && stats_set(obj, "mean",
	    stats_real_or_null(r->sr_has_mean, r->sr_mean)) != 0)
		goto done;
	if ((flags & STATS_F_MEDIAN) && stats_set(obj, "median",
	    stats_real_or_null(r->sr_has_median, r->sr_median)) != 0)
		goto done;
	if ((flags & STATS_F_CSAT) && stats_set(obj, "csat",
	    stats_int_or_null(r->sr_has_csat, r->sr_csat)) != 0)
		goto done;
	if ((flags & STATS_F_NPS) && stats_set(obj, "nps",
	    stats_int_or_null(r->sr_has_nps, r->sr_nps)) != 0)
		goto done;
	if ((flags & STATS_F_RESPONDENTS) &&
	    stats_set(obj, "respondents", json_integer(r->sr_answered)) != 0)
		goto done;
	if ((flags & STATS_F_COMMENTS) && stats_set(obj, "comments",
	    json_integer(r->sr_nslots > 0 ? r->sr_counts[0] : 0)) != 0)
		goto done;
	ret = obj;
	obj = NULL;
done:
	json_decref(counts);
	json_decref(obj);
	return ret;
}
