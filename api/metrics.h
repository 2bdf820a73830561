/*
 * metrics.h — process-wide counters behind GET /metrics, in the Prometheus
 * text format (version 0.0.4). Labels are route patterns, methods and
 * status codes only: never a path, a survey, a unit, a token or an address,
 * so no series can be tied to a respondent, a survey or an office.
 *
 * Threads: every function may be called from any thread (the counters are
 * relaxed atomics); a scrape reads them one by one, which is what
 * Prometheus expects of counters.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_API_METRICS_H
#define PALAUTE_API_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"

struct storage;

/* Plain counters that any module may bump with metrics_inc(). */
enum metrics_counter {
	METRICS_RATE_LIMITED,		/* requests refused with 429 */
	METRICS_CONN_REFUSED,		/* connections closed at the cap */
	METRICS_CONN_DEADLINE,		/* closed at request_deadline */
	METRICS_RETENTION_RUNS,		/* retention passes finished */
	METRICS_RETENTION_MONTHS,	/* (survey, month)s shredded */
	METRICS_RETENTION_FAILED,	/* retention passes that failed */
	METRICS_COUNTER_COUNT
};

/* Values that go up and down, set by their owner. */
enum metrics_gauge {
	METRICS_OPEN_CONNECTIONS,
	METRICS_MAX_CONNECTIONS,
	METRICS_IDEM_IDS,		/* set by the writer after each commit */
	METRICS_GAUGE_COUNT
};

void	metrics_inc(enum metrics_counter c);
void	metrics_add(enum metrics_counter c, uint64_t n);
void	metrics_gauge_set(enum metrics_gauge g, int64_t v);
int64_t	metrics_gauge_get(enum metrics_gauge g);
uint64_t metrics_counter_get(enum metrics_counter c);

/*
 * One answered request: rt is its route (NULL when none matched), m the
 * request's method, ns the time from the request's arrival to its reply.
 * Submissions (POST on a route ending in "/responses") also go into the
 * latency histogram.
 */
void	metrics_count_request(const struct api_route *rt, enum api_method m,
	    int status, uint64_t ns);

/* True for the routes whose latency is the submission histogram's. */
bool	metrics_is_submission(const struct api_route *rt);

/* One commit of the writer: jobs in it, its duration, whether it failed. */
void	metrics_observe_commit(uint64_t jobs, uint64_t ns, bool failed);

/*
 * The whole exposition into a malloc()ed, NUL-terminated buffer (*out,
 * *len_out without the NUL). st, when not NULL, adds the map's size and
 * use.
 */
int	metrics_render(struct storage *st, char **out, size_t *len_out);

/* Back to zero (tests). */
void	metrics_reset(void);

/* The route table whose routes are counted by row (api_init() sets it). */
void	metrics_routes(const struct api_route *routes, size_t nroutes);

#endif /* PALAUTE_API_METRICS_H */
