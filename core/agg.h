/*
 * agg.h — the results of one survey in memory, and the queries answered
 * from them. Pure: the results model reads the cells from storage
 * (core/cells.h) and hands in each cell's *released* state; nothing here
 * ever sees a live count, so every number a query returns is a sum of
 * released cells (core/release.h) and moves only in whole steps of at
 * least k responses, whenever and however it is read (DESIGN.md §5).
 *
 * A *family* is the set of a survey's versions that share one period (the
 * bucket kind of their cells); results never mix families. An agg holds
 * one family: per version, per unit and per bucket, the released n and
 * every released histogram. The unit of a cell is the unit that owned it
 * when its responses were stored (pooling decided at intake), so nothing
 * is folded here: a group sums the cells of the units it covers.
 *
 * Because released cells carry the rule themselves, a query may sum any
 * versions (version=N or all), any units and any whole buckets: the
 * difference of two sums is a sum of per-cell differences, each zero or
 * the counts of at least k people. There is nothing to suppress.
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
 * repeated id), no version of that period, or a survey whose period no
 * agg kind matches; -ENOMEM.
 */
int	agg_new(const struct agg_unit *units, size_t nunits,
	    const struct agg_version *versions, size_t nversions,
	    enum period_kind kind, struct agg **out);
void	agg_free(struct agg *a);	/* accepts NULL */

/* The period kind of a survey version, for agg_new(). */
enum period_kind agg_survey_kind(const struct survey *s);

/*
 * Count the released cell c of (version, unit, bucket) in. Cells of
 * versions outside the family are ignored (0). -EBADMSG for an unknown
 * unit, a bucket that is not the first day of a bucket of the family's
 * kind, or a cell whose shape is not its version's; -EINVAL after
 * agg_seal(); -ENOMEM.
 */
int	agg_add_cell(struct agg *a, uint32_t version, uint32_t unit,
	    uint32_t bucket, const struct cell *c);
/* Done adding: lay the cells out for queries. Queries need a sealed agg. */
int	agg_seal(struct agg *a);

/*
 * Replace the released cell of (version, unit, bucket) of a sealed agg by
 * c (NULL: there is none): what a commit changed, without reading every
 * cell again. 0 when applied, or when the version is not in the family.
 * -ERANGE when the bucket lies outside the agg's columns (a new month:
 * the caller reads everything again), -EBADMSG as agg_add_cell().
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
/*
 * First and last day of the buckets where the subtree of unit index u
 * has released anything (any version); -ENOENT when nothing. The default
 * date range of a reader: drawn from released data in the reader's scope
 * only, so it moves in steps like everything else.
 */
int	agg_extent(const struct agg *a, size_t u, int64_t *first_out,
	    int64_t *last_out);
/* The index of unit id, for queries; -ENOENT if unknown. */
int	agg_unit_index(const struct agg *a, uint32_t id, size_t *index_out);
/* Whether unit index u is top or below it. */
bool	agg_in_subtree(const struct agg *a, size_t u, size_t top);
/* Bytes held, for a cache's budget. */
size_t	agg_bytes(const struct agg *a);

enum agg_by {
	AGG_BY_NONE,	/* one group: the subtree over the range */
	AGG_BY_PERIOD,	/* one group per aq_period bucket */
	AGG_BY_UNIT,	/* the unit's own cells, then each child's subtree */
};

struct agg_query {
	uint32_t		aq_survey;	/* echoed in the reply */
	size_t			aq_unit;	/* agg_unit_index() */
	int64_t			aq_from;	/* aligned to agg_kind() */
	int64_t			aq_to;
	enum agg_by		aq_by;
	enum period_kind	aq_period;	/* by=period group length */
	uint32_t		aq_version;	/* 0: the whole family */
};

/*
 * The reply of GET /surveys/{id}/results for q (a new reference, *out):
 *
 *   {"survey", "unit", "from", "to", "by", "period", ["group_period"],
 *    "k", "k_comments", "versions": [ids], "groups": [group...]}
 *   group: {"unit", ["own": true], ["pool": true], "from", "to", "n",
 *           "questions": {id: {"type", statistics of core/stats.h...}}}
 *
 * Groups: by=none the subtree of the unit over the range; by=period the
 * subtree per aq_period bucket (which must nest the family's kind, the
 * range aligned to it); by=unit the unit's own cells ("own"), then the
 * subtree of each child in id order ("pool" marks a child that pools,
 * whose new responses count in its parent's own cells). n is the group's
 * released responses over the versions counted; a question sums the
 * versions where it has the same id and shape (survey_same_shape), and
 * its statistics use that part of n. Every group is in the reply, with n
 * 0 when nothing is released: a cell of one response and a cell of none
 * read the same. -EINVAL when q does not fit (range not aligned, version
 * outside the family, bad unit or period); -ENOMEM.
 */
int	agg_results(const struct agg *a, const struct agg_query *q,
	    json_t **out);

/*
 * The versions of the family (all, or q->aq_version only) whose question
 * `question` is the same text question as the reference version's (the
 * newest, or aq_version): versions_out has room for as many versions as
 * the family has; *nv_out gets the count. -ENOENT when the reference has
 * no text question of that id.
 */
int	agg_text_versions(const struct agg *a, const struct agg_query *q,
	    const char *question, uint32_t *versions_out, size_t *nv_out);

#endif /* PALAUTE_CORE_AGG_H */
