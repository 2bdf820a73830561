/*
 * test_metrics.c — GET /metrics counts no response: a stored submission
 * has no row of its own, the submission and commit histograms move only
 * in whole steps, and the map's use is shown in whole percent. Each test
 * compares whole expositions, as a scraper would.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api.h"
#include "api/metrics.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

#define MS	1000000ULL

static const struct api_route table[] = {
	{ API_GET, "/healthz", NULL, API_ACC_ANY, API_BODY_SMALL, "" },
	{ API_POST, "/api/v1/forms/{}/responses", NULL, API_ACC_ANY,
	    API_BODY_SMALL, "" },
	{ API_POST, "/api/v1/kiosk/responses", NULL, API_ACC_DEVICE,
	    API_BODY_BATCH, "" },
};
#define FORM	(&table[1])
#define KIOSK	(&table[2])

static int
setup(void **state)
{
	(void)state;
	metrics_reset();
	metrics_routes(table, sizeof(table) / sizeof(table[0]));
	return 0;
}

/* The whole exposition; the caller frees it. */
static char *
scrape(struct storage *st)
{
	char	*out = NULL;
	size_t	 len = 0;

	assert_int_equal(metrics_render(st, &out, &len), 0);
	assert_int_equal(strlen(out), len);
	return out;
}

/* The value of the sample line that starts with name (and a space). */
static double
sample(const char *text, const char *name)
{
	const char	*p = text;
	size_t		 n = strlen(name);

	for (;;) {
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		if ((p = strchr(p, '\n')) == NULL)
			fail_msg("no sample %s", name);
		p++;
	}
}

static void
test_submissions_have_no_row(void **state)
{
	char	*before, *after;

	(void)state;
	before = scrape(NULL);
	metrics_count_request(FORM, API_POST, 201, 3 * MS);
	metrics_count_request(KIOSK, API_POST, 200, 3 * MS);
	metrics_count_request(FORM, API_POST, 200, 3 * MS);	/* a retry */
	after = scrape(NULL);
	assert_string_equal(after, before);
	assert_null(strstr(after, "/responses\""));
	free(after);

	/* Refusals store nothing: they are counted, by route and status. */
	metrics_count_request(FORM, API_POST, 422, MS);
	metrics_count_request(KIOSK, API_POST, 401, MS);
	metrics_count_request(&table[0], API_GET, 200, MS);
	after = scrape(NULL);
	assert_non_null(strstr(after, "palaute_http_requests_total{route=\""
	    "/api/v1/forms/{}/responses\",method=\"POST\","
	    "status=\"422\"} 1\n"));
	assert_non_null(strstr(after, "palaute_http_requests_total{route=\""
	    "/api/v1/kiosk/responses\",method=\"POST\",status=\"401\"} 1\n"));
	assert_non_null(strstr(after, "palaute_http_requests_total{route=\""
	    "/healthz\",method=\"GET\",status=\"200\"} 1\n"));
	assert_null(strstr(after, "status=\"201\""));
	free(after);
	free(before);
}

static void
test_submissions_show_in_steps(void **state)
{
	char	*before, *after;
	int	 i;

	(void)state;
	before = scrape(NULL);
	for (i = 0; i < METRICS_STEP - 1; i++)
		metrics_count_request(i % 2 ? FORM : KIOSK, API_POST, 201,
		    2 * MS);
	after = scrape(NULL);
	assert_string_equal(after, before);
	free(after);

	/* The step's last one shows all of them at once. */
	metrics_count_request(FORM, API_POST, 201, 2 * MS);
	after = scrape(NULL);
	assert_true(sample(after, "palaute_submission_duration_seconds_count")
	    == METRICS_STEP);
	assert_true(sample(after,
	    "palaute_submission_duration_seconds_bucket{le=\"0.0025\"}") ==
	    METRICS_STEP);
	assert_true(sample(after,
	    "palaute_submission_duration_seconds_bucket{le=\"0.001\"}") == 0);
	assert_float_equal(sample(after,
	    "palaute_submission_duration_seconds_sum"), 0.2, 1e-9);
	free(before);
	before = after;

	/* And the next one shows nothing again. */
	metrics_count_request(FORM, API_POST, 201, 2 * MS);
	after = scrape(NULL);
	assert_string_equal(after, before);
	free(after);
	free(before);
}

static void
test_commits_show_in_steps(void **state)
{
	char	*before, *after;
	int	 i;

	(void)state;
	before = scrape(NULL);
	for (i = 0; i < METRICS_STEP - 1; i++)
		metrics_observe_commit(MS, false);
	after = scrape(NULL);
	assert_string_equal(after, before);
	free(after);
	metrics_observe_commit(MS, false);
	after = scrape(NULL);
	assert_true(sample(after, "palaute_commit_duration_seconds_count") ==
	    METRICS_STEP);
	assert_true(sample(after, "palaute_commit_failures_total") == 0);
	free(after);

	/* A failed commit stored nothing: it is counted at once. */
	metrics_observe_commit(MS, true);
	after = scrape(NULL);
	assert_true(sample(after, "palaute_commit_failures_total") == 1);
	assert_true(sample(after, "palaute_commit_duration_seconds_count") ==
	    METRICS_STEP);
	free(after);
	free(before);
}

static void
test_no_count_of_responses(void **state)
{
	char	*text;

	(void)state;
	text = scrape(NULL);
	assert_null(strstr(text, "idempotency"));
	assert_null(strstr(text, "retention_months"));
	assert_null(strstr(text, "palaute_commit_batch"));
	free(text);
}

static void
test_map_in_whole_percent(void **state)
{
	struct storage_opts	 o;
	struct storage_stat	 ss;
	struct storage		*st = NULL;
	char			 dir[512], sdir[600], *text;
	double			 used, size, ratio;
	uint64_t		 pct;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.so_map_size = 64ULL << 20;
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "metrics"), 0);
	assert_int_equal(tmpdir_store_open(dir, sdir, sizeof(sdir), &o, &st),
	    0);
	assert_int_equal(storage_stat(st, &ss), 0);
	assert_true(ss.ss_map_used > 0);
	text = scrape(st);
	size = sample(text, "palaute_store_map_size_bytes");
	used = sample(text, "palaute_store_map_used_bytes");
	ratio = sample(text, "palaute_store_map_use_ratio");
	assert_true(size == (double)ss.ss_map_size);
	/* Rounded up, never down; a whole percent of the map. */
	pct = (uint64_t)(ratio * 100 + 0.5);
	assert_true(pct >= 1 && pct <= 100);
	assert_true(ratio == (double)pct / 100);
	assert_true(used == (double)(ss.ss_map_size * pct / 100));
	assert_true(used >= (double)ss.ss_map_used);
	assert_true(used - (double)ss.ss_map_used < size / 100);
	free(text);
	storage_close(st);
	assert_int_equal(tmpdir_remove(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_submissions_have_no_row, setup),
		cmocka_unit_test_setup(test_submissions_show_in_steps, setup),
		cmocka_unit_test_setup(test_commits_show_in_steps, setup),
		cmocka_unit_test_setup(test_no_count_of_responses, setup),
		cmocka_unit_test_setup(test_map_in_whole_percent, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
