/*
 * metrics.c — the counters of api/metrics.h and GET /metrics. Requests are
 * counted per route-table entry (pattern and method) and status, so the
 * number of series is bounded by the table, whatever paths clients send;
 * what would count responses is shown in steps (see the header).
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
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

struct metrics_hist {
	uint64_t	mh_buckets[METRICS_NTIME + 1];	/* last: +Inf */
	uint64_t	mh_count;
	uint64_t	mh_sum;				/* ns */
};

/*
 * A histogram shown in steps: observations go to msh_pending, which is
 * added to msh_shown, and emptied, each time it holds METRICS_STEP.
 */
struct metrics_stepped {
	pthread_mutex_t		msh_lock;
	struct metrics_hist	msh_pending;
	struct metrics_hist	msh_shown;
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
};

static atomic_uint_fast64_t	metrics_requests[METRICS_ROWS][METRICS_NSTATUS + 1];
static atomic_uint_fast64_t	metrics_counters[METRICS_COUNTER_COUNT];
static atomic_int_fast64_t	metrics_gauges[METRICS_GAUGE_COUNT];
static atomic_uint_fast64_t	metrics_commits_failed;
static struct metrics_stepped	metrics_submit_hist = {
	.msh_lock = PTHREAD_MUTEX_INITIALIZER
};
static struct metrics_stepped	metrics_commit_hist = {
	.msh_lock = PTHREAD_MUTEX_INITIALIZER
};
/* The route table whose rows are counted (metrics_routes()). */
static const struct api_route	*metrics_table;
static size_t			 metrics_ntable;

_Static_assert(METRICS_STEP == 100, "the HELP texts say 100");

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

/* One duration of ns into h's pending copy; a full step is shown. */
static void
metrics_stepped_observe(struct metrics_stepped *h, uint64_t ns)
{
	struct metrics_hist	*p = &h->msh_pending, *s = &h->msh_shown;
	double			 v = (double)ns / 1e9;
	size_t			 i;

	for (i = 0; i < METRICS_NTIME && v > metrics_time_bounds[i]; i++)
		;
	pthread_mutex_lock(&h->msh_lock);
	p->mh_buckets[i]++;
	p->mh_count++;
	p->mh_sum += ns;
	if (p->mh_count >= METRICS_STEP) {
		for (i = 0; i <= METRICS_NTIME; i++)
			s->mh_buckets[i] += p->mh_buckets[i];
		s->mh_count += p->mh_count;
		s->mh_sum += p->mh_sum;
		memset(p, 0, sizeof(*p));
	}
	pthread_mutex_unlock(&h->msh_lock);
}

/* What a scrape may show of h: its steps, read at one instant. */
static void
metrics_stepped_shown(struct metrics_stepped *h, struct metrics_hist *out)
{
	pthread_mutex_lock(&h->msh_lock);
	*out = h->msh_shown;
	pthread_mutex_unlock(&h->msh_lock);
}

static void
metrics_stepped_zero(struct metrics_stepped *h)
{
	pthread_mutex_lock(&h->msh_lock);
	memset(&h->msh_pending, 0, sizeof(h->msh_pending));
	memset(&h->msh_shown, 0, sizeof(h->msh_shown));
	pthread_mutex_unlock(&h->msh_lock);
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
	/*
	 * A submission answered 2xx was stored (or a retry of one): it is
	 * counted only in the stepped histogram, never by its row.
	 */
	if (metrics_is_submission(rt) && status >= 200 && status < 300) {
		metrics_stepped_observe(&metrics_submit_hist, ns);
		return;
	}
	for (col = 0; col < METRICS_NSTATUS; col++)
		if (metrics_statuses[col] == status)
			break;
	atomic_fetch_add_explicit(&metrics_requests[row][col], 1,
	    memory_order_relaxed);
}

void
metrics_observe_commit(uint64_t ns, bool failed)
{
	metrics_stepped_observe(&metrics_commit_hist, ns);
	if (failed)
		atomic_fetch_add_explicit(&metrics_commits_failed, 1,
		    memory_order_relaxed);
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
	metrics_stepped_zero(&metrics_submit_hist);
	metrics_stepped_zero(&metrics_commit_hist);
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
    struct metrics_stepped *sh)
{
	struct metrics_hist	h;
	uint64_t		cum = 0;
	size_t			i;

	metrics_stepped_shown(sh, &h);
	metrics_head(fp, name, "histogram", help);
	for (i = 0; i < METRICS_NTIME; i++) {
		cum += h.mh_buckets[i];
		fprintf(fp, "%s_bucket{le=\"%g\"} %llu\n", name,
		    metrics_time_bounds[i], (unsigned long long)cum);
	}
	cum += h.mh_buckets[METRICS_NTIME];
	fprintf(fp, "%s_bucket{le=\"+Inf\"} %llu\n", name,
	    (unsigned long long)cum);
	fprintf(fp, "%s_sum %.9g\n", name, (double)h.mh_sum * 1e-9);
	fprintf(fp, "%s_count %llu\n", name, (unsigned long long)h.mh_count);
}

static void
metrics_requests_write(FILE *fp)
{
	const char	*route, *method;
	uint64_t	 v;
	size_t		 row, col;

	metrics_head(fp, "palaute_http_requests_total", "counter",
	    "HTTP requests answered, by route pattern, method and status; "
	    "on the routes that store responses only the refusals (4xx, "
	    "5xx).");
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

/*
 * The map's use in whole percent, rounded up, so that it never reads
 * lower than it is: the bytes in use move with single commits, and a
 * percent of the 8 GiB default is some 80 MiB, many thousands of them.
 */
static void
metrics_map_write(FILE *fp, const struct storage_stat *ss)
{
	uint64_t	pct = 0, used = 0;

	if (ss->ss_map_size > 0) {
		/* map_size is at most 1 TiB (config.c): no overflow. */
		pct = (ss->ss_map_used * 100 + ss->ss_map_size - 1) /
		    ss->ss_map_size;
		if (pct > 100)
			pct = 100;
		used = ss->ss_map_size * pct / 100;
	}
	metrics_head(fp, "palaute_store_map_size_bytes", "gauge",
	    "Size of the store's map (a ceiling, not an allocation).");
	fprintf(fp, "palaute_store_map_size_bytes %llu\n",
	    (unsigned long long)ss->ss_map_size);
	metrics_head(fp, "palaute_store_map_used_bytes", "gauge",
	    "Bytes of the map in use, rounded up to a whole percent of it.");
	fprintf(fp, "palaute_store_map_used_bytes %llu\n",
	    (unsigned long long)used);
	metrics_head(fp, "palaute_store_map_use_ratio", "gauge",
	    "Share of the map in use, rounded up to a whole percent; writes "
	    "answer 507 when the map is full.");
	fprintf(fp, "palaute_store_map_use_ratio %.2f\n", (double)pct / 100);
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
	    "Time from a submission's arrival to its 2xx reply (after the "
	    "durable commit); shown 100 submissions at a time.",
	    &metrics_submit_hist);
	metrics_hist_write(fp, "palaute_commit_duration_seconds",
	    "Duration of one write transaction of the writer, sync included; "
	    "shown 100 commits at a time.", &metrics_commit_hist);
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
	if (st != NULL && storage_stat(st, &ss) == 0)
		metrics_map_write(fp, &ss);
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
