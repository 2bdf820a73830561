/*
 * results.h — what managers read (DESIGN.md sections 5 and 7):
 *   GET /api/v1/surveys/{id}/results       per group n and statistics
 *   GET /api/v1/surveys/{id}/results.csv   the same, one row a statistic
 *   GET /api/v1/surveys/{id}/comments      one group's comments, shuffled
 * (handlers in api/routes/routes.h; query string in api/rquery.h; the
 * engine and the small-group rule in core/agg.h and core/suppress.h).
 *
 * Scoping: a manager may ask for a unit in their subtrees only (403
 * otherwise, existing or not); an admin for any unit (404 if none).
 *
 * Audit: every read that answers 200 appends an entry
 *   {action: "results.read" | "results.csv" | "comments.read", who,
 *    detail: {survey, unit, from, to, by?, version, question?, via}}
 * in a write transaction of its own, and the reply leaves only after that
 * entry has committed durably: a read that cannot be recorded is not
 * served (503).
 *
 * Cache: what a query is computed from (the parsed survey versions, the
 * unit tree and the survey's cells folded onto owners) is kept per survey
 * and family, and recent replies per query, keyed by storage_generation()
 * of the cells, units and surveys databases: an audit entry or a login
 * does not throw them away. A new response costs a re-read of the cells
 * it changed (the store's journal); a unit or survey change, or a write
 * by another process, a re-read of everything.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_ROUTES_RESULTS_H
#define PALAUTE_ROUTES_RESULTS_H

#include <stddef.h>

struct api_ctx;
struct results_cache;
struct storage;

/*
 * The in-memory cache, made into ctx->ac_results by http_results_init()
 * and freed by http_results_fini(). With st, it asks the store to keep a
 * journal of changed cells (storage_journal_keep), so that a new response
 * costs the cache one cell, not the survey's all; make it before the
 * writer starts.
 */
int			 http_results_init(struct api_ctx *ctx);
void			 http_results_fini(struct api_ctx *ctx);
struct results_cache	*results_cache_new(struct storage *st);
void			 results_cache_free(struct results_cache *rc);

#endif /* PALAUTE_ROUTES_RESULTS_H */
