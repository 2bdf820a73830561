/*
 * stats.h — the per-question statistics of DESIGN.md section 4, computed
 * from one histogram (slots as core/qtype.h lays them out) and its companion
 * `answered` count. Pure: no storage, no HTTP, no release rule (the
 * caller hands in released counts only, core/agg.h).
 *
 * Return convention: 0 or a negative errno-style code.
 *
 * Choices, fixed here so every reply and CSV agrees:
 *  - Denominators are `answered`, the respondents who answered this
 *    question; a skipped optional question counts nowhere.
 *  - mean and median are doubles, not rounded here (presentation precision
 *    belongs to the encoder); the mean is the correctly rounded quotient
 *    for any realistic scale, so 39/10 is the double 3.9. The median is
 *    the median of the distribution; for an even number of answers it is
 *    the average of the two middle values, so it can end in .5.
 *  - csat and nps are whole percentage points, computed in integers and
 *    rounded half away from zero (12.5 -> 13, -12.5 -> -13).
 *  - With no answers there is no mean, median, csat or nps: the has_ flags
 *    are false and the JSON carries null, never NaN.
 */
#ifndef PALAUTE_CORE_STATS_H
#define PALAUTE_CORE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/qtype.h"

/* The parameters of a question that shape its histogram. */
struct stats_question {
	enum qtype	sq_type;
	unsigned	sq_faces;	/* smiley: 4 or 5 */
	int		sq_min;		/* scale: lowest value */
	int		sq_max;		/* scale: highest, at most min + 10 */
	unsigned	sq_options;	/* choice, multi: 1..QTYPE_MAX_SLOTS */
};

struct stats_result {
	enum qtype	sr_type;
	uint32_t	sr_answered;	/* respondents who answered */
	unsigned	sr_nslots;
	uint32_t	sr_counts[QTYPE_MAX_SLOTS];	/* copy of the slots */
	bool		sr_has_mean;
	double		sr_mean;	/* smiley, scale */
	bool		sr_has_median;
	double		sr_median;	/* scale */
	bool		sr_has_csat;
	int		sr_csat;	/* smiley: % in the top two faces */
	bool		sr_has_nps;
	int		sr_nps;		/* nps: % promoters - % detractors */
};

/*
 * The number of histogram slots of a question (qtype.h): faces, max-min+1,
 * 11, options, options, 2, 1. -EINVAL if the parameters are out of range
 * for the type; *nslots_out is written only on success.
 */
int	stats_slots(const struct stats_question *q, unsigned *nslots_out);

/*
 * Compute the statistics of one question over one group. counts has nslots
 * entries (which must equal stats_slots(q)); answered is the group's
 * companion count of respondents who answered the question and n the
 * group's respondents.
 *
 * -EINVAL: bad parameters, nslots mismatch, or answered > n.
 * -EBADMSG: the histogram contradicts its type (a single-answer type whose
 * slots do not sum to answered, a slot above answered): these numbers come
 * from disk, and a wrong statistic is worse than none.
 * *out is written only on success.
 */
int	stats_compute(const struct stats_question *q, const uint32_t *counts,
	    size_t nslots, uint32_t answered, uint32_t n,
	    struct stats_result *out);

/*
 * The result as a new JSON object (the caller owns the reference), NULL when
 * out of memory. Keys per type; "counts"[i] is slot i (value i+1 for a
 * smiley, min+i for a scale, i for nps, option i, 0 = no / 1 = yes):
 *   smiley  {"answered","counts","mean","csat"}
 *   scale   {"answered","counts","mean","median"}
 *   nps     {"answered","counts","nps"}
 *   choice  {"answered","counts"}
 *   multi   {"answered","counts","respondents"}  respondents == answered
 *   yesno   {"answered","counts"}
 *   text    {"comments"}
 * A statistic without answers is null.
 */
json_t	*stats_to_json(const struct stats_result *r);

#endif /* PALAUTE_CORE_STATS_H */
