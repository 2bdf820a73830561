/*
 * results.h — the results model (DESIGN.md sections 5 and 7): what the
 * queries on one survey are computed from (its parsed versions, the unit
 * tree and the survey's cells folded by the engine, core/agg.h), cached
 * per survey, and recent encoded replies, both keyed by
 * storage_generation() of the cells, units and surveys databases: an
 * audit entry or a login does not throw them away. A new response costs
 * a re-read of the cells it changed (the store's journal); a unit or
 * survey change, or a write by another process, a re-read of everything.
 * The routes that serve it are api/routes/results.c.
 *
 * Threads: the event loop's alone (the cache is not locked).
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_CORE_RESULTS_H
#define PALAUTE_CORE_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/period.h"

struct agg;
struct results_cache;
struct storage;
struct storage_txn;
struct survey;
struct units_tree;

enum results_gen { RG_CELLS, RG_UNITS, RG_SURVEYS, RG_COUNT };

/* What the queries on one survey are computed from. */
struct results_model {
	uint32_t		 rm_survey;
	uint64_t		 rm_gen[RG_COUNT];
	uint32_t		 rm_current;
	uint32_t		 rm_nversions;
	struct survey		**rm_versions;	/* [v - 1]; NULL if missing */
	struct units_tree	*rm_tree;
	struct agg		*rm_aggs[PERIOD_COUNT];	/* built on demand */
	bool			 rm_cached;	/* owned by the cache */
	uint64_t		 rm_used;
};

/*
 * One read: the store, its read transaction and the generations taken
 * before it began; rx_fresh when they were the same after (storage.h),
 * so that what it reads may be cached under them.
 */
struct results_read {
	struct storage		*rx_store;
	struct storage_txn	*rx_txn;
	uint32_t		 rx_survey;
	uint64_t		 rx_gen[RG_COUNT];
	bool			 rx_fresh;
};

/*
 * The cache. With st, it asks the store to keep a journal of changed
 * cells (storage_journal_keep), so that a new response costs the cache one
 * cell, not the survey's all; make it before the writer starts.
 */
struct results_cache	*results_cache_new(struct storage *st);
void			 results_cache_free(struct results_cache *rc);

/* The generations of the databases the model derives from. */
void	results_gens(struct storage *st, uint64_t gen[RG_COUNT]);
bool	results_gen_eq(const uint64_t a[RG_COUNT],
	    const uint64_t b[RG_COUNT]);

/*
 * The model of rd's survey into *out: the cached one when its generations
 * are rd's and they held still (brought up to date from the journal when
 * only cells changed), else one read in rd's transaction (kept in rc when
 * it may be; rc may be NULL). -ENOENT: no such survey. Give it back with
 * results_model_put().
 */
int	results_model_get(struct results_cache *rc,
	    const struct results_read *rd, struct results_model **out);
void	results_model_put(struct results_model *m);	/* accepts NULL */

/*
 * The model's engine for buckets of kind into *out (owned by m), read
 * from the cells in txn when first needed.
 */
int	results_model_agg(struct results_model *m, struct storage_txn *txn,
	    enum period_kind kind, struct agg **out);

/*
 * Recent replies by key, valid while rd's generations are theirs: a copy
 * into *body_out (malloc()ed, NUL-terminated) or -ENOENT. Keeping one is
 * best effort: a failure only costs a later recomputation.
 */
int	results_body_find(struct results_cache *rc,
	    const struct results_read *rd, const char *key, char **body_out,
	    size_t *len_out);
void	results_body_keep(struct results_cache *rc,
	    const struct results_read *rd, const char *key, const char *body,
	    size_t len);

#endif /* PALAUTE_CORE_RESULTS_H */
