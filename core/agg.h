/*
 * agg.h — the results of one survey in memory, and the queries answered
 * from them under the small-group rule. Pure: the results handler reads
 * the cells from storage (core/cells.h) and hands them in; the rule itself
 * is core/suppress.h, applied here to the grids a query needs.
 *
 * A *family* is the set of a survey's versions that share one period (the
 * bucket kind of their cells); results never mix families. An agg holds
 * one family: per version, per owner (pooling applied, core/suppress.h) and
 * per bucket, n and every histogram.
 *
 * Versions and the rule. The rule of DESIGN.md section 5 is stated on
 * (unit, bucket) cells; the store keeps a cell per version. A query may
 * ask for one version (version=N), and each question sums only the
 * versions where it has the same id and shape (survey_same_shape), so a
 * released number may cover a subset S of the family's versions V. Were
 * only the (unit, bucket) totals checked, "all versions" minus "version 2"
 * would isolate version 1's part of a cell. So a number over S is
 * released only when either
 *   (a) the versions outside S have no response in the group, and every
 *       total cell of the group (over V) holds 0 or >= k; or
 *   (b) every per-version cell of the group, for every version in V,
 *       holds 0 or >= k.
 * Every released number is then a sum of "atoms" that each hold 0 or >= k
 * and partition the responses: the per-version parts of a cell whose
 * parts all pass, and the total of any other cell (only (a) ever touches
 * those, and (a) releases totals). No difference of released numbers can
 * isolate fewer than k people; tests/unit/test_agg.c checks this as a
 * property. The usual query (all versions, questions unchanged) is case
 * (a): a new version mid-bucket does not suppress anything by itself.
 *
 * Return convention: 0 or a negative errno-style code; agg_new() hands
 * the caller an agg it frees with agg_free().
 */
#ifndef PALAUTE_CORE_AGG_H
#define PALAUTE_CORE_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/cell.h"
#include "core/period.h"
#include "core/suppress.h"

struct agg;
struct survey;

/* A unit of the tree: parent 0 (or an id not among the units) is a root. */
struct agg_unit {
	uint32_t	au_id;
	uint32_t	au_parent;
	bool		au_pool;
};

/* One version of the survey. */
struct agg_version {
	uint32_t		 av_id;
	const struct survey	*av_survey;	/* borrowed: outlives the agg */
};

/*
 * A new empty agg for the family of versions whose period is `kind`
 * (the others are left out and their cells ignored). Units and versions
 * are copied (the surveys are borrowed). -EINVAL for a bad tree (cycle,
 * repeated id, pooled root), no version of that period, or a survey whose
 * period no agg kind matches; -ENOMEM.
 */
int	agg_new(const struct agg_unit *units, size_t nunits,
	    const struct agg_version *versions, size_t nversions,
	    enum period_kind kind, struct agg **out);
void	agg_free(struct agg *a);	/* accepts NULL */

/* The period kind of a survey version, for agg_new(). */
enum period_kind agg_survey_kind(const struct survey *s);

/*
 * Count cell c of (version, unit, bucket) in. Cells of versions outside
 * the family are ignored (0). -EBADMSG for an unknown unit, a bucket that
 * is not the first day of a bucket of the family's kind, or a cell whose
 * shape is not its version's; -EINVAL after agg_seal(); -ENOMEM.
 */
int	agg_add_cell(struct agg *a, uint32_t version, uint32_t unit,
	    uint32_t bucket, const struct cell *c);
/* Done adding: fold onto owners. Queries need a sealed agg. */
int	agg_seal(struct agg *a);

/*
 * Replace the cell of (version, unit, bucket) of a sealed agg by c (NULL:
 * there is none): what a commit changed, without reading every cell again.
 * 0 when applied, or when the version is not in the family. -ERANGE when
 * the bucket lies outside the agg's columns (a new month: the caller
 * reads everything again), -EBADMSG as agg_add_cell() or when the counts
 * do not add up (the agg is then unchanged).
 */
int	agg_update_cell(struct agg *a, uint32_t version, uint32_t unit,
	    uint32_t bucket, const struct cell *c);

/* The family's kind, its strictest min_group and min_group_comments. */
enum period_kind agg_kind(const struct agg *a);
uint32_t agg_k(const struct agg *a);
uint32_t agg_k_comments(const struct agg *a);
/* Whether version is in the family. */
bool	agg_has_version(const struct agg *a, uint32_t version);
/* The newest version of the family. */
uint32_t agg_newest(const struct agg *a);
/* First and last day with data (any version); -ENOENT when none. */
int	agg_extent(const struct agg *a, int64_t *first_out, int64_t *last_out);
/* The index of unit id, for queries; -ENOENT if unknown. */
int	agg_unit_index(const struct agg *a, uint32_t id, size_t *index_out);
/* Whether unit index u is top or below it (pooled units included). */
bool	agg_in_subtree(const struct agg *a, size_t u, size_t top);
/* Bytes held, for a cache's budget. */
size_t	agg_bytes(const struct agg *a);

struct agg_query {
	uint32_t		aq_survey;	/* echoed in the reply */
	size_t			aq_unit;	/* agg_unit_index() */
	int64_t			aq_from;	/* aligned to agg_kind() */
	int64_t			aq_to;
	enum suppress_by	aq_by;
	enum period_kind	aq_period;	/* by=period group length */
	uint32_t		aq_version;	/* 0: the whole family */
};

/*
 * The reply of GET /surveys/{id}/results for q (a new reference, *out):
 *
 *   {"survey", "unit", "from", "to", "by", "period", ["group_period"],
 *    "k", "versions": [ids], "groups": [group...]}
 *   group: {"unit", ["own": true], "from", "to", "n",
 *           "questions": {id: {"type", statistics of core/stats.h...}}}
 *       or {"unit", ["own": true], "from", "to", "suppressed": true,
 *           "reason": "min_group", "hint": {...}}
 *   a question of a released group whose versions fail the rule:
 *           {"type", "suppressed": true, "reason": "min_group"}
 *   hint (each member optional): "period", "from", "to": the group would
 *   be released if the survey's period were this (the group's range
 *   widened to it); "pool_into": unit id: if the units below it were
 *   pooled into it; "versions": "all": the same query without version=.
 *   A text question's statistics also say whether its comments would be
 *   released for the group ("releasable"; subtree groups only).
 *
 * Nothing of a suppressed group is in the reply. -EINVAL when q does not
 * fit (range not aligned, version outside the family, bad unit); -ENOMEM.
 */
int	agg_results(const struct agg *a, const struct agg_query *q,
	    json_t **out);

/*
 * Whether the comments of text question `question` over the subtree of
 * q->aq_unit and [aq_from, aq_to] may be released: the rule above with k
 * = agg_k_comments(), so that no two releasable comment sets differ by
 * fewer than min_group_comments responses. *n_out: the group's responses
 * in the versions counted (0 unless released); versions_out[0..*nv_out)
 * (room for as many as the family has): the versions whose question is
 * the same text question. -ENOENT when the reference version has no text
 * question of that id, -EINVAL as for agg_results.
 */
int	agg_comments_release(const struct agg *a, const struct agg_query *q,
	    const char *question, bool *released, uint64_t *n_out,
	    uint32_t *versions_out, size_t *nv_out);

#endif /* PALAUTE_CORE_AGG_H */
