/*
 * results.h — what managers read (DESIGN.md sections 5 and 7):
 *   GET /api/v1/surveys/{id}/results       per group n and statistics
 *   GET /api/v1/surveys/{id}/results.csv   the same, one row a statistic
 *   GET /api/v1/surveys/{id}/results.xlsx  the same as a workbook (xlsx.h)
 *   GET /api/v1/surveys/{id}/comments      released comments, shuffled
 * (handlers in api/routes/routes.h; query string in api/rquery.h; the
 * engine, which reads released state only, in core/agg.h).
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
 * Cache: the results model of core/results.h, and recent replies per
 * query (the query string is the key).
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_ROUTES_RESULTS_H
#define PALAUTE_ROUTES_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api/rquery.h"
#include "core/results.h"

struct agg;
struct agg_query;
struct api_ctx;
struct api_req;

/*
 * The results cache (core/results.h) of ctx's store, made into
 * ctx->ac_results by http_results_init() and freed by
 * http_results_fini(); make it before the writer starts.
 */
int	http_results_init(struct api_ctx *ctx);
void	http_results_fini(struct api_ctx *ctx);

enum results_route { RR_JSON, RR_CSV, RR_COMMENTS, RR_XLSX };

/* One request on its way: filled by http_results_prepare(). */
struct results_req {
	struct api_ctx		*rr_ctx;
	struct api_req		*rr_req;
	enum results_route	 rr_route;
	struct results_read	 rr_rd;		/* survey, txn, generations */
	struct rquery		 rr_q;
	struct results_model	*rr_model;
	struct agg		*rr_agg;	/* borrowed from the model */
	const struct survey	*rr_ref;	/* the version shown */
	uint32_t		 rr_unit;
	size_t			 rr_unit_index;
};

json_t	*http_results_date(int64_t day);

/*
 * Hand the reply body (stolen) to an audit job; the reply leaves from
 * results_audit_done(). Replies itself on every failure.
 */
void	http_results_submit(struct results_req *rr, char *body, size_t len,
	    const char *ctype);

void	http_results_req_end(struct results_req *rr);

/*
 * Everything the three routes share: parse, open the read transaction,
 * find the model, check scope, version and range. Replies and returns
 * non-zero on any failure (rr is then ended).
 */
int	http_results_prepare(struct api_ctx *ctx, struct api_req *req,
	    enum results_route route, struct results_req *rr);

void	http_results_agg_query(const struct results_req *rr,
	    struct agg_query *aq);

#endif /* PALAUTE_ROUTES_RESULTS_H */
