/*
 * metrics.h — process-wide counters behind GET /metrics, in the Prometheus
 * text format (version 0.0.4). Labels are route patterns, methods and
 * status codes only: never a path, a survey, a unit, a token or an address,
 * so no series can be tied to a respondent, a survey or an office.
 *
 * No figure counts responses (DESIGN.md section 5). /metrics is open to
 * every process on the host and to admins, and a scraper can read it
 * right before and right after a client taps the kiosk. So no figure, nor
 * the difference of any two scrapes, may move with one stored response;
 * what tells of submissions moves in whole steps of METRICS_STEP, like the
 * released cells. What an operator needs stays:
 *
 *  - Requests by route, method and status, except the 2xx of the routes
 *    that store responses (metrics_is_submission()): a 201 there is one
 *    stored response. Their refusals (4xx, 5xx) store nothing and are
 *    counted by status, so errors still show per route.
 *  - palaute_submission_duration_seconds: the latency of the submissions
 *    answered 2xx. It is stepped (below): its _count is the number of
 *    submissions in whole hundreds, its _sum and buckets move with it.
 *  - palaute_commit_duration_seconds: every write transaction, stepped
 *    too, since on a quiet server one commit is one submission. The
 *    histogram of jobs per commit is gone: its sum was the number of
 *    jobs, that is of submissions. Failed commits are counted one by one:
 *    nothing of theirs was stored.
 *  - Map use in whole percent, rounded up: the bytes in use grow with a
 *    single commit. The log's warning at 80 % keeps the exact figure.
 *  - Connections, rate-limit refusals, retention passes and failures.
 *    The count of shredded months is gone: a month is shredded only when
 *    it holds a response, so the count said whether one did. The count of
 *    response ids held against retries is gone: it was the number of
 *    responses of the last 14 days.
 *
 * A stepped histogram gathers observations in a pending copy and adds
 * that copy to the one shown when it holds METRICS_STEP of them: any two
 * scrapes differ by whole steps of METRICS_STEP submissions (or commits),
 * and up to METRICS_STEP - 1 recent ones are not shown yet. A slow
 * submission or commit may therefore show late; a small service publishes
 * its latency a few times a week, which is what the rule costs.
 *
 * What may still move around one submission is what anyone on the
 * network path sees anyway: a scrape counts itself (the row of GET
 * /metrics), a connection is open while it lasts, and the pages a
 * respondent loads before answering (the form, its files) are counted
 * like any read: they tell that someone looked, not that anyone answered.
 *
 * Threads: every function may be called from any thread (counters are
 * relaxed atomics, a stepped histogram has a mutex); a scrape reads the
 * counters one by one, which is what Prometheus expects of counters.
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
	METRICS_RETENTION_FAILED,	/* retention passes that failed */
	METRICS_COUNTER_COUNT
};

/* Values that go up and down, set by their owner. */
enum metrics_gauge {
	METRICS_OPEN_CONNECTIONS,
	METRICS_MAX_CONNECTIONS,
	METRICS_GAUGE_COUNT
};

void	metrics_inc(enum metrics_counter c);
void	metrics_add(enum metrics_counter c, uint64_t n);
void	metrics_gauge_set(enum metrics_gauge g, int64_t v);
int64_t	metrics_gauge_get(enum metrics_gauge g);
uint64_t metrics_counter_get(enum metrics_counter c);

/* Observations a stepped histogram gathers before it shows them. */
#define METRICS_STEP	100

/*
 * One answered request: rt is its route (NULL when none matched), m the
 * request's method, ns the time from the request's arrival to its reply.
 * A submission answered 2xx goes into the stepped latency histogram only.
 */
void	metrics_count_request(const struct api_route *rt, enum api_method m,
	    int status, uint64_t ns);

/* True for the routes that store responses (POST .../responses). */
bool	metrics_is_submission(const struct api_route *rt);

/* One commit of the writer: its duration, whether it failed. */
void	metrics_observe_commit(uint64_t ns, bool failed);

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
