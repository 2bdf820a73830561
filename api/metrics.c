/*
 * metrics.c — the counters of api/metrics.h and GET /metrics. Requests are
 * counted per route-table entry (pattern and method) and status, so the
 * number of series is bounded by the table, whatever paths clients send.
 */
#include <config.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/metrics.h"
#include "storage/storage.h"

/* Route-table entries counted one by one; more share the "other" row. */
#define METRICS_MAX_ROUTES	256
/* Rows: the routes, "other", then unmatched requests per method. */
#define METRICS_ROW_OTHER	METRICS_MAX_ROUTES
#define METRICS_ROW_UNMATCHED	(METRICS_MAX_ROUTES + 1)
#define METRICS_ROWS		(METRICS_ROW_UNMATCHED + API_METHOD_COUNT + 1)

/* The statuses the API answers with (DESIGN.md section 7), then "other". */
static const int metrics_statuses[] = {
	200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 405, 409, 413, 415,
	422, 429, 431, 500, 503, 507
};
#define METRICS_NSTATUS	(sizeof(metrics_statuses) / sizeof(metrics_statuses[0]))

/* Histogram bounds in seconds: a submission waits for one durable commit. */
static const double metrics_time_bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
};
#define METRICS_NTIME	(sizeof(metrics_time_bounds) / sizeof(metrics_time_bounds[0]))
/* Jobs per commit: group commit makes these grow with the load. */
static const double metrics_batch_bounds[] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024
};
#define METRICS_NBATCH	(sizeof(metrics_batch_bounds) / sizeof(metrics_batch_bounds[0]))

struct metrics_hist {
	atomic_uint_fast64_t	mh_buckets[16];	/* non-cumulative; last: +Inf */
	atomic_uint_fast64_t	mh_count;
	atomic_uint_fast64_t	mh_sum;		/* ns, or jobs */
};

static const struct {
	const char	*mc_name;
	const char	*mc_help;
} metrics_counter_info[METRICS_COUNTER_COUNT] = {
	[METRICS_RATE_LIMITED] = { "palaute_rate_limited_total",
	    "Requests refused with 429 by a rate limit or login throttle." },
	[METRICS_CONN_REFUSED] = { "palaute_connections_refused_total",
	    "Connections closed because max_connections were open." },
	[METRICS_CONN_DEADLINE] = { "palaute_request_deadline_total",
	    "Connections closed because a request did not arrive within "
	    "request_deadline." },
	[METRICS_RETENTION_RUNS] = { "palaute_retention_runs_total",
	    "Retention passes finished." },
	[METRICS_RETENTION_MONTHS] = { "palaute_retention_months_total",
	    "Months of a survey whose responses and data key were destroyed." },
	[METRICS_RETENTION_FAILED] = { "palaute_retention_failures_total",
	    "Retention passes that failed (see the log)." },
};

static const struct {
	const char	*mg_name;
	const char	*mg_help;
} metrics_gauge_info[METRICS_GAUGE_COUNT] = {
	[METRICS_OPEN_CONNECTIONS] = { "palaute_open_connections",
	    "HTTP connections open now." },
	[METRICS_MAX_CONNECTIONS] = { "palaute_max_connections",
	    "The cap on open connections in force." },
	[METRICS_IDEM_IDS] = { "palaute_idempotency_ids",
	    "Response ids of the last 14 days the writer holds in memory "
	    "to refuse a retry (40 to 80 bytes each)." },
};

static atomic_uint_fast64_t	metrics_requests[METRICS_ROWS][METRICS_NSTATUS + 1];
static atomic_uint_fast64_t	metrics_counters[METRICS_COUNTER_COUNT];
static atomic_int_fast64_t	metrics_gauges[METRICS_GAUGE_COUNT];
static atomic_uint_fast64_t	metrics_commits_failed;
static struct metrics_hist	metrics_submit_hist;
static struct metrics_hist	metrics_commit_hist;
static struct metrics_hist	metrics_batch_hist;
/* The route table whose rows are counted (metrics_routes()). */
static const struct api_route	*metrics_table;
static size_t			 metrics_ntable;

_Static_assert(METRICS_NTIME < 16 && METRICS_NBATCH < 16,
    "histogram buckets fit mh_buckets");

void
metrics_inc(enum metrics_counter c)
{
	metrics_add(c, 1);
}

void
metrics_add(enum metrics_counter c, uint64_t n)
{
	if ((unsigned)c < METRICS_COUNTER_COUNT)
		atomic_fetch_add_explicit(&metrics_counters[c], n,
		    memory_order_relaxed);
}

uint64_t
metrics_counter_get(enum metrics_counter c)
{
	return (unsigned)c < METRICS_COUNTER_COUNT ?
	    atomic_load_explicit(&metrics_counters[c], memory_order_relaxed) :
	    0;
}

void
metrics_gauge_set(enum metrics_gauge g, int64_t v)
{
	if ((unsigned)g < METRICS_GAUGE_COUNT)
		atomic_store_explicit(&metrics_gauges[g], v,
		    memory_order_relaxed);
}

int64_t
metrics_gauge_get(enum metrics_gauge g)
{
	return (unsigned)g < METRICS_GAUGE_COUNT ?
	    atomic_load_explicit(&metrics_gauges[g], memory_order_relaxed) : 0;
}

static void
metrics_hist_observe(struct metrics_hist *h, const double *bounds,
    size_t nbounds, double v, uint64_t sum)
{
	size_t	i;

	for (i = 0; i < nbounds && v > bounds[i]; i++)
		;
	atomic_fetch_add_explicit(&h->mh_buckets[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->mh_count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->mh_sum, sum, memory_order_relaxed);
}

bool
metrics_is_submission(const struct api_route *rt)
{
	static const char	suffix[] = "/responses";
	size_t			len;

	if (rt == NULL || rt->rt_method != API_POST)
		return false;
	len = strlen(rt->rt_pattern);
	return len >= sizeof(suffix) - 1 && strcmp(rt->rt_pattern + len -
	    (sizeof(suffix) - 1), suffix) == 0;
}

void
metrics_count_request(const struct api_route *rt, enum api_method m,
    int status, uint64_t ns)
{
	size_t	row, col;

	if (rt != NULL && metrics_table != NULL && rt >= metrics_table &&
	    rt < metrics_table + metrics_ntable)
		row = (size_t)(rt - metrics_table) < METRICS_MAX_ROUTES ?
		    (size_t)(rt - metrics_table) : METRICS_ROW_OTHER;
	else
		row = METRICS_ROW_UNMATCHED +
		    ((unsigned)m < API_METHOD_COUNT ? (size_t)m :
		    API_METHOD_COUNT);
	for (col = 0; col < METRICS_NSTATUS; col++)
		if (metrics_statuses[col] == status)
			break;
	atomic_fetch_add_explicit(&metrics_requests[row][col], 1,
	    memory_order_relaxed);
	if (metrics_is_submission(rt))
		metrics_hist_observe(&metrics_submit_hist, metrics_time_bounds,
		    METRICS_NTIME, (double)ns / 1e9, ns);
}

void
metrics_observe_commit(uint64_t jobs, uint64_t ns, bool failed)
{
	metrics_hist_observe(&metrics_commit_hist, metrics_time_bounds,
	    METRICS_NTIME, (double)ns / 1e9, ns);
	metrics_hist_observe(&metrics_batch_hist, metrics_batch_bounds,
	    METRICS_NBATCH, (double)jobs, jobs);
	if (failed)
		atomic_fetch_add_explicit(&metrics_commits_failed, 1,
		    memory_order_relaxed);
}

static void
metrics_zero_hist(struct metrics_hist *h)
{
	size_t	i;

	for (i = 0; i < sizeof(h->mh_buckets) / sizeof(h->mh_buckets[0]); i++)
		atomic_store(&h->mh_buckets[i], 0);
	atomic_store(&h->mh_count, 0);
	atomic_store(&h->mh_sum, 0);
}

void
metrics_reset(void)
{
	size_t	i, j;

	for (i = 0; i < METRICS_ROWS; i++)
		for (j = 0; j <= METRICS_NSTATUS; j++)
			atomic_store(&metrics_requests[i][j], 0);
	for (i = 0; i < METRICS_COUNTER_COUNT; i++)
		atomic_store(&metrics_counters[i], 0);
	for (i = 0; i < METRICS_GAUGE_COUNT; i++)
		atomic_store(&metrics_gauges[i], 0);
	atomic_store(&metrics_commits_failed, 0);
	metrics_zero_hist(&metrics_submit_hist);
	metrics_zero_hist(&metrics_commit_hist);
	metrics_zero_hist(&metrics_batch_hist);
}

/* A label value: backslash, double quote and newline escaped. */
static void
metrics_label(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(fp, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", fp);
		else
			fputc(*s, fp);
	}
}

static void
metrics_head(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
metrics_hist_write(FILE *fp, const char *name, const char *help,
    struct metrics_hist *h, const double *bounds, size_t nbounds,
    double sum_scale)
{
	uint64_t	cum = 0;
	size_t		i;

	metrics_head(fp, name, "histogram", help);
	for (i = 0; i < nbounds; i++) {
		cum += atomic_load_explicit(&h->mh_buckets[i],
		    memory_order_relaxed);
		fprintf(fp, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i],
		    (unsigned long long)cum);
	}
	cum += atomic_load_explicit(&h->mh_buckets[nbounds],
	    memory_order_relaxed);
	fprintf(fp, "%s_bucket{le=\"+Inf\"} %llu\n", name,
	    (unsigned long long)cum);
	fprintf(fp, "%s_sum %.9g\n", name, (double)atomic_load_explicit(
	    &h->mh_sum, memory_order_relaxed) * sum_scale);
	/* The buckets are read one by one: _count is their sum, so it fits. */
	fprintf(fp, "%s_count %llu\n", name, (unsigned long long)cum);
}

static void
metrics_requests_write(FILE *fp)
{
	const char	*route, *method;
	uint64_t	 v;
	size_t		 row, col;

	metrics_head(fp, "palaute_http_requests_total", "counter",
	    "HTTP requests answered, by route pattern, method and status.");
	for (row = 0; row < METRICS_ROWS; row++) {
		if (row < METRICS_MAX_ROUTES && row >= metrics_ntable)
			continue;
		if (row < METRICS_MAX_ROUTES) {
			route = metrics_table[row].rt_pattern;
			method = api_method_name(metrics_table[row].rt_method);
		} else if (row == METRICS_ROW_OTHER) {
			route = "other";
			method = "other";
		} else {
			route = "unmatched";
			method = row - METRICS_ROW_UNMATCHED < API_METHOD_COUNT ?
			    api_method_name((enum api_method)(row -
			    METRICS_ROW_UNMATCHED)) : "other";
		}
		for (col = 0; col <= METRICS_NSTATUS; col++) {
			v = atomic_load_explicit(&metrics_requests[row][col],
			    memory_order_relaxed);
			if (v == 0)
				continue;
			fputs("palaute_http_requests_total{route=\"", fp);
			metrics_label(fp, route);
			fprintf(fp, "\",method=\"%s\",status=\"", method);
			if (col < METRICS_NSTATUS)
				fprintf(fp, "%d", metrics_statuses[col]);
			else
				fputs("other", fp);
			fprintf(fp, "\"} %llu\n", (unsigned long long)v);
		}
	}
}

int
metrics_render(struct storage *st, char **out, size_t *len_out)
{
	struct storage_stat	 ss;
	FILE			*fp = NULL;
	char			*buf = NULL;
	size_t			 len = 0, i;
	int			 ret = -1;

	if ((fp = open_memstream(&buf, &len)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	metrics_head(fp, "palaute_build_info", "gauge",
	    "The version of palauted; always 1.");
	fprintf(fp, "palaute_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	metrics_requests_write(fp);
	metrics_hist_write(fp, "palaute_submission_duration_seconds",
	    "Time from a submission's arrival to its reply (after the "
	    "durable commit).", &metrics_submit_hist, metrics_time_bounds,
	    METRICS_NTIME, 1e-9);
	metrics_hist_write(fp, "palaute_commit_duration_seconds",
	    "Duration of one write transaction of the writer, sync included.",
	    &metrics_commit_hist, metrics_time_bounds, METRICS_NTIME, 1e-9);
	metrics_hist_write(fp, "palaute_commit_batch_size",
	    "Jobs carried by one commit (group commit).", &metrics_batch_hist,
	    metrics_batch_bounds, METRICS_NBATCH, 1);
	metrics_head(fp, "palaute_commit_failures_total", "counter",
	    "Write transactions that failed; nothing of their batch was "
	    "stored.");
	fprintf(fp, "palaute_commit_failures_total %llu\n",
	    (unsigned long long)atomic_load_explicit(&metrics_commits_failed,
	    memory_order_relaxed));
	for (i = 0; i < METRICS_COUNTER_COUNT; i++) {
		metrics_head(fp, metrics_counter_info[i].mc_name, "counter",
		    metrics_counter_info[i].mc_help);
		fprintf(fp, "%s %llu\n", metrics_counter_info[i].mc_name,
		    (unsigned long long)metrics_counter_get(i));
	}
	for (i = 0; i < METRICS_GAUGE_COUNT; i++) {
		metrics_head(fp, metrics_gauge_info[i].mg_name, "gauge",
		    metrics_gauge_info[i].mg_help);
		fprintf(fp, "%s %lld\n", metrics_gauge_info[i].mg_name,
		    (long long)metrics_gauge_get(i));
	}
	if (st != NULL && storage_stat(st, &ss) == 0) {
		metrics_head(fp, "palaute_store_map_size_bytes", "gauge",
		    "Size of the store's map (a ceiling, not an allocation).");
		fprintf(fp, "palaute_store_map_size_bytes %llu\n",
		    (unsigned long long)ss.ss_map_size);
		metrics_head(fp, "palaute_store_map_used_bytes", "gauge",
		    "Bytes of the map in use.");
		fprintf(fp, "palaute_store_map_used_bytes %llu\n",
		    (unsigned long long)ss.ss_map_used);
		metrics_head(fp, "palaute_store_map_use_ratio", "gauge",
		    "Share of the map in use; writes answer 507 at 1.");
		fprintf(fp, "palaute_store_map_use_ratio %.6f\n",
		    ss.ss_map_size > 0 ? (double)ss.ss_map_used /
		    (double)ss.ss_map_size : 0.0);
	}
	if (fflush(fp) != 0 || ferror(fp)) {
		ret = -ENOMEM;
		goto done;
	}
	fclose(fp);
	fp = NULL;
	*out = buf;
	*len_out = len;
	buf = NULL;
	ret = 0;
done:
	if (fp != NULL)
		fclose(fp);
	free(buf);
	return ret;
}

void
metrics_routes(const struct api_route *routes, size_t nroutes)
{
	metrics_table = routes;
	metrics_ntable = nroutes;
}
