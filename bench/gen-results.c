/*
 * gen-results.c — the results benchmark's data: a store with a unit tree
 * (a city, 10 areas, offices under them: 200 units), the client survey of
 * tests/data kept by month, and N responses spread over the last `years`
 * years, written through the storage API in large transactions: the
 * records as intake writes them (sealed with the month's data key) and
 * the aggregate cells they add up to. Not over HTTP: 10 million
 * submissions would take hours and measure intake, not results.
 *
 *   gen-results -d STATEDIR -s SURVEY.json [-n N] [-u UNITS] [-y YEARS]
 *               [-r SEED]
 *   gen-results -d STATEDIR -q SURVEY,ROOT,LEAF,FROM,TO [-n ROUNDS]
 *
 * The store and its KEK (STATEDIR/kek) are created. One line of JSON on
 * stdout: {"survey", "root", "leaf", "units", "responses", "from", "to"}.
 * Never for production stores: the answers are made up.
 *
 * With -q it measures instead, in this process, what the results route
 * computes (core/agg.h), without HTTP or the audit entry: "cold", reading
 * and folding every cell of the survey (what the first query after a new
 * response pays), and "root"/"leaf", the by=period query over FROM..TO
 * from the folded cells (what a query pays when the reply is not cached).
 * Milliseconds, medians of ROUNDS.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/agg.h"
#include "core/catalog.h"
#include "core/cell.h"
#include "core/cells.h"
#include "core/period.h"
#include "core/release.h"
#include "core/survey.h"
#include "core/units.h"
#include "storage/storage.h"

/* Responses per write transaction: big batches, bounded dirty memory. */
#define GEN_BATCH	200000
#define GEN_AREAS	10

struct gen {
	struct storage	*g_st;
	uint32_t	 g_survey;
	uint32_t	*g_units;	/* [0] the city, [1..AREAS] areas */
	size_t		 g_nunits;
	int64_t		 g_from;	/* first day */
	int64_t		 g_to;		/* last day (today) */
	size_t		 g_nmonths;
	struct cell	**g_cells;	/* [office][month] */
	uint64_t	 g_rng;
	const struct survey *g_s;
};

static uint64_t
gen_rand(struct gen *g)
{
	g->g_rng ^= g->g_rng << 13;
	g->g_rng ^= g->g_rng >> 7;
	g->g_rng ^= g->g_rng << 17;
	return g->g_rng;
}

static unsigned
gen_below(struct gen *g, unsigned n)
{
	return (unsigned)(gen_rand(g) % n);
}

static void __attribute__((noreturn))
gen_fail(const char *what, int rc)
{
	fatalx("gen-results: %s: %s", what, strerror(rc < 0 ? -rc : rc));
}

/* The unit tree: the city, its areas, and offices spread over the areas. */
static void
gen_units(struct gen *g, size_t n)
{
	struct storage_txn	*txn = NULL;
	struct error		 err;
	json_t			*name;
	char			 buf[64];
	uint32_t		 parent;
	size_t			 i;
	int			 rc;

	if (n < GEN_AREAS + 2)
		fatalx("gen-results: at least %d units", GEN_AREAS + 2);
	if ((g->g_units = calloc(n, sizeof(*g->g_units))) == NULL)
		gen_fail("units", -ENOMEM);
	if ((rc = storage_txn_begin(g->g_st, true, &txn)) != 0)
		gen_fail("begin", rc);
	for (i = 0; i < n; i++) {
		if (i == 0)
			snprintf(buf, sizeof(buf), "Esimerkkikaupunki");
		else if (i <= GEN_AREAS)
			snprintf(buf, sizeof(buf), "Alue %zu", i);
		else
			snprintf(buf, sizeof(buf), "Toimipiste %zu", i);
		parent = i == 0 ? 0 : i <= GEN_AREAS ? g->g_units[0] :
		    g->g_units[1 + (i - 1) % GEN_AREAS];
		name = json_pack("{s:s}", "fi", buf);
		memset(&err, 0, sizeof(err));
		rc = units_create(txn, name, parent, false, &g->g_units[i],
		    &err);
		json_decref(name);
		if (rc != 0)
			fatalx("gen-results: unit: %s", err.er_message);
	}
	if ((rc = storage_txn_commit(txn)) != 0)
		gen_fail("commit units", rc);
	g->g_nunits = n;
}

static void
gen_survey(struct gen *g, const char *path, struct survey **out)
{
	struct storage_txn	*txn = NULL;
	struct error		 err;
	json_error_t		 je;
	json_t			*def;
	int			 rc;

	if ((def = json_load_file(path, 0, &je)) == NULL)
		fatalx("gen-results: %s:%d: %s", path, je.line, je.text);
	/* Kept by month, and long enough that retention keeps every year. */
	json_object_set_new(def, "slug", json_string("bench-results"));
	json_object_set_new(def, "period", json_string("month"));
	json_object_set_new(json_object_get(def, "privacy"),
	    "retention_months", json_integer(120));
	if ((rc = storage_txn_begin(g->g_st, true, &txn)) != 0)
		gen_fail("begin", rc);
	memset(&err, 0, sizeof(err));
	if (catalog_create(txn, def, &g->g_survey, &err) != 0)
		fatalx("gen-results: survey: %s %s", err.er_field,
		    err.er_message);
	if ((rc = storage_txn_commit(txn)) != 0)
		gen_fail("commit survey", rc);
	json_decref(def);
	if ((rc = storage_txn_begin(g->g_st, false, &txn)) != 0 ||
	    (rc = catalog_load(txn, g->g_survey, 1, out, NULL)) != 0)
		gen_fail("load survey", rc);
	storage_txn_abort(txn);
}

/* Made-up answers, skewed like real lobbies: mostly content. */
static const unsigned	gen_visit_weights[5] = { 5, 8, 17, 35, 35 };
static const char *const gen_reasons[4] = {
	"appointment", "advice", "benefits", "documents"
};
static const char *const gen_helped[3] = { "yes", "partly", "no" };
static const char *const gen_comments[4] = {
	"Sain hyvää neuvontaa ja asia hoitui kerralla, kiitos.",
	"Jonottaminen kesti liian kauan.",
	"Ystävällinen vastaanotto.",
	"Tiloihin oli vaikea löytää.",
};

/* One response: its record text, and its answers on cell slots. */
static size_t
gen_response(struct gen *g, uint32_t unit, int64_t day, char *buf,
    size_t len, uint8_t slots[4], bool answered[4])
{
	char		 date[16];
	unsigned	 r, v;
	int		 n;
	size_t		 off;

	(void)util_format_date(day, date, sizeof(date));
	r = gen_below(g, 100);
	for (v = 0; v < 4 && r >= gen_visit_weights[v]; v++)
		r -= gen_visit_weights[v];
	slots[0] = (uint8_t)v;
	answered[0] = true;
	answered[1] = gen_below(g, 10) < 7;
	slots[1] = (uint8_t)gen_below(g, 4);
	answered[2] = gen_below(g, 10) < 6;
	slots[2] = (uint8_t)gen_below(g, 3);
	answered[3] = gen_below(g, 10) == 0;
	slots[3] = 0;
	n = snprintf(buf, len, "{\"survey\":%u,\"version\":1,\"unit\":%u,"
	    "\"collector\":\"kiosk\",\"day\":\"%s\",\"lang\":\"fi\","
	    "\"answers\":{\"visit\":%u", g->g_survey, unit, date,
	    slots[0] + 1);
	off = (size_t)n;
	if (answered[1])
		off += (size_t)snprintf(buf + off, len - off,
		    ",\"reason\":\"%s\"", gen_reasons[slots[1]]);
	if (answered[2])
		off += (size_t)snprintf(buf + off, len - off,
		    ",\"helped\":\"%s\"", gen_helped[slots[2]]);
	if (answered[3])
		off += (size_t)snprintf(buf + off, len - off,
		    ",\"comment\":\"%s\"", gen_comments[gen_below(g, 4)]);
	off += (size_t)snprintf(buf + off, len - off, "}}");
	return off;
}

static void
gen_cells_init(struct gen *g)
{
	unsigned	shape[4];
	size_t		q, i;

	if (survey_question_count(g->g_s) != 4)
		fatalx("gen-results: the survey must be tests/data/"
		    "survey-client.json (4 questions)");
	for (q = 0; q < 4; q++)
		shape[q] = (unsigned)survey_question_slots(g->g_s, q);
	g->g_nmonths = (size_t)(period_index(PERIOD_MONTH, g->g_to) -
	    period_index(PERIOD_MONTH, g->g_from) + 1);
	if ((g->g_cells = calloc(g->g_nunits * g->g_nmonths,
	    sizeof(*g->g_cells))) == NULL)
		gen_fail("cells", -ENOMEM);
	for (i = 0; i < g->g_nunits * g->g_nmonths; i++)
		if ((g->g_cells[i] = cell_new(4, shape)) == NULL)
			gen_fail("cells", -ENOMEM);
}

static void
gen_responses(struct gen *g, uint64_t total)
{
	struct storage_txn	*txn = NULL;
	struct cell_answer	 ans[4];
	struct cells_id		 id;
	struct cell		*live, *rel;
	uint8_t			 slots[4];
	bool			 answered[4];
	char			 rec[512];
	uint64_t		 done = 0, inbatch = 0, want;
	int64_t			 day, ndays = g->g_to - g->g_from + 1;
	size_t			 office, nrec, q, col, offices;
	uint32_t		 unit;
	int			 rc;

	offices = g->g_nunits - 1 - GEN_AREAS;
	/* Day by day: keys grow like intake's, near the tail of the tree. */
	for (day = g->g_from; day <= g->g_to; day++) {
		want = total * (uint64_t)(day - g->g_from + 1) /
		    (uint64_t)ndays - done;
		col = (size_t)(period_index(PERIOD_MONTH, day) -
		    period_index(PERIOD_MONTH, g->g_from));
		for (; want > 0; want--) {
			if (txn == NULL && (rc = storage_txn_begin(g->g_st,
			    true, &txn)) != 0)
				gen_fail("begin", rc);
			office = 1 + GEN_AREAS + gen_below(g,
			    (unsigned)offices);
			unit = g->g_units[office];
			nrec = gen_response(g, unit, day, rec, sizeof(rec),
			    slots, answered);
			if ((rc = storage_response_put(txn, g->g_survey,
			    (uint32_t)day, rec, nrec)) != 0)
				gen_fail("response", rc);
			for (q = 0; q < 4; q++) {
				ans[q].ca_answered = answered[q];
				ans[q].ca_slots = &slots[q];
				ans[q].ca_count = answered[q] ? 1 : 0;
			}
			if ((rc = cell_add(g->g_cells[office * g->g_nmonths +
			    col], ans, 4)) != 0)
				gen_fail("cell", rc);
			done++;
			if (++inbatch == GEN_BATCH) {
				if ((rc = storage_txn_commit(txn)) != 0)
					gen_fail("commit", rc);
				txn = NULL;
				inbatch = 0;
				fprintf(stderr, "\rgen-results: %llu responses",
				    (unsigned long long)done);
			}
		}
	}
	if (txn == NULL && (rc = storage_txn_begin(g->g_st, true, &txn)) != 0)
		gen_fail("begin", rc);
	/*
	 * The cells, as intake's cells_add would have left them: released
	 * one step from nothing is what stepping leaves, to the last k.
	 */
	id.ci_survey = g->g_survey;
	id.ci_version = 1;
	for (office = 0; office < g->g_nunits; office++)
		for (col = 0; col < g->g_nmonths; col++) {
			if (g->g_cells[office * g->g_nmonths + col]->c_n == 0)
				continue;
			id.ci_unit = g->g_units[office];
			id.ci_bucket = (uint32_t)period_from_index(PERIOD_MONTH,
			    period_index(PERIOD_MONTH, g->g_from) +
			    (int64_t)col);
			live = g->g_cells[office * g->g_nmonths + col];
			if ((rel = cell_new_like(live)) == NULL ||
			    (rc = release_initial(rel, live,
			    survey_min_group(g->g_s))) != 0 ||
			    (rc = cells_put(txn, &id, live, rel)) != 0)
				gen_fail("cell", rel == NULL ? -ENOMEM : rc);
			cell_free(rel);
		}
	if ((rc = storage_txn_commit(txn)) != 0)
		gen_fail("commit", rc);
	fprintf(stderr, "\rgen-results: %llu responses\n",
	    (unsigned long long)done);
}

/* ---------------------------------------------------------------- -q */

struct gen_fill {
	struct agg	*f_agg;
};

static int
gen_fill_cell(const struct cells_id *id, const struct cell *c,
    const struct cell *released, void *arg)
{
	struct gen_fill	*f = arg;

	/* What the results model does: released state only. */
	(void)c;
	if (released == NULL)
		return 0;
	return agg_add_cell(f->f_agg, id->ci_version, id->ci_unit,
	    id->ci_bucket, released);
}

static double
gen_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static int
gen_cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The cold load: what results.c does when its model is stale. */
static struct agg *
gen_load(struct storage *st, uint32_t survey, struct survey **sv)
{
	struct storage_txn	*txn = NULL;
	struct units_tree	*tree = NULL;
	struct agg_unit		*units;
	struct agg_version	 v;
	struct gen_fill		 f;
	struct agg		*a = NULL;
	const struct units_node	*n;
	size_t			 i, nu;
	int			 rc;

	if ((rc = storage_txn_begin(st, false, &txn)) != 0 ||
	    (rc = catalog_load(txn, survey, 1, sv, NULL)) != 0 ||
	    (rc = units_tree_load(txn, &tree)) != 0)
		gen_fail("load", rc);
	nu = units_tree_count(tree);
	if ((units = calloc(nu, sizeof(*units))) == NULL)
		gen_fail("load", -ENOMEM);
	for (i = 0; i < nu; i++) {
		n = units_tree_at(tree, i);
		units[i].au_id = n->un_id;
		units[i].au_parent = n->un_parent;
		units[i].au_pool = n->un_pool;
	}
	v.av_id = 1;
	v.av_survey = *sv;
	if ((rc = agg_new(units, nu, &v, 1, agg_survey_kind(*sv), &a)) != 0)
		gen_fail("agg", rc);
	f.f_agg = a;
	if ((rc = cells_each(txn, survey, gen_fill_cell, &f)) != 0 ||
	    (rc = agg_seal(a)) != 0)
		gen_fail("cells", rc);
	storage_txn_abort(txn);
	units_tree_free(tree);
	free(units);
	return a;
}

static double
gen_query(struct agg *a, uint32_t survey, uint32_t unit, int64_t from,
    int64_t to)
{
	struct agg_query	 q;
	struct timespec		 t0, t1;
	json_t			*doc = NULL;
	char			*body;
	size_t			 len;
	int			 rc;

	memset(&q, 0, sizeof(q));
	q.aq_survey = survey;
	if (agg_unit_index(a, unit, &q.aq_unit) != 0)
		fatalx("gen-results: no unit %u", unit);
	q.aq_from = from;
	q.aq_to = to;
	q.aq_by = AGG_BY_PERIOD;
	q.aq_period = agg_kind(a);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = agg_results(a, &q, &doc)) != 0)
		gen_fail("query", rc);
	if ((body = codec_dump(doc, &len)) == NULL)
		gen_fail("query", -ENOMEM);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(body);
	json_decref(doc);
	return gen_ms(&t0, &t1);
}

static void
gen_measure(struct storage *st, const char *spec, long long rounds)
{
	struct timespec	 t0, t1;
	struct survey	*s = NULL;
	struct agg	*a;
	unsigned	 survey, root, leaf;
	char		 from[16], to[16];
	int64_t		 f, t;
	double		*cold, *qr, *ql;
	long long	 i;

	if (sscanf(spec, "%u,%u,%u,%10[0-9-],%10[0-9-]", &survey, &root,
	    &leaf, from, to) != 5 || util_parse_date(from, &f) != 0 ||
	    util_parse_date(to, &t) != 0)
		fatalx("gen-results: -q SURVEY,ROOT,LEAF,FROM,TO");
	if ((cold = calloc((size_t)rounds, sizeof(double))) == NULL ||
	    (qr = calloc((size_t)rounds, sizeof(double))) == NULL ||
	    (ql = calloc((size_t)rounds, sizeof(double))) == NULL)
		gen_fail("measure", -ENOMEM);
	for (i = 0; i < rounds; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		a = gen_load(st, survey, &s);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cold[i] = gen_ms(&t0, &t1);
		qr[i] = gen_query(a, survey, root, f, t);
		ql[i] = gen_query(a, survey, leaf, f, t);
		agg_free(a);
		survey_free(s);
		s = NULL;
	}
	qsort(cold, (size_t)rounds, sizeof(double), gen_cmp_double);
	qsort(qr, (size_t)rounds, sizeof(double), gen_cmp_double);
	qsort(ql, (size_t)rounds, sizeof(double), gen_cmp_double);
	printf("{\"cold_ms\": %.3f, \"root_ms\": %.3f, \"leaf_ms\": %.3f}\n",
	    cold[rounds / 2], qr[rounds / 2], ql[rounds / 2]);
	free(cold);
	free(qr);
	free(ql);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: gen-results -d STATEDIR -s SURVEY.json "
	    "[-n N] [-u UNITS] [-y YEARS] [-r SEED]\n"
	    "       gen-results -d STATEDIR -q SURVEY,ROOT,LEAF,FROM,TO "
	    "[-n ROUNDS]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct storage_opts	 so;
	struct survey		*s = NULL;
	struct gen		 g;
	const char		*dir = NULL, *survey = NULL, *query = NULL;
	long long		 n = 100000, units = 200, years = 3, seed = 1;
	char			 from[16], to[16];
	int			 ch, y;
	unsigned		 m, d;

	if (sodium_init() < 0)
		return 1;
	log_init("gen-results", 0);
	while ((ch = getopt(argc, argv, "d:s:n:u:y:r:q:")) != -1) {
		switch (ch) {
		case 'q':
			query = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 's':
			survey = optarg;
			break;
		case 'n':
			if (util_parse_ll(optarg, 1, 1000000000, &n) != 0)
				usage();
			break;
		case 'u':
			if (util_parse_ll(optarg, GEN_AREAS + 2, 100000,
			    &units) != 0)
				usage();
			break;
		case 'y':
			if (util_parse_ll(optarg, 1, 50, &years) != 0)
				usage();
			break;
		case 'r':
			if (util_parse_ll(optarg, 1, INT64_MAX, &seed) != 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (dir == NULL || optind != argc ||
	    (survey == NULL) == (query == NULL))
		usage();
	memset(&g, 0, sizeof(g));
	if (query != NULL) {
		memset(&so, 0, sizeof(so));
		so.so_dir = dir;
		if ((ch = storage_open(&so, &g.g_st)) != 0)
			gen_fail(dir, ch);
		gen_measure(g.g_st, query, n < 1000 ? n : 1000);
		storage_close(g.g_st);
		return 0;
	}
	g.g_rng = (uint64_t)seed * 0x9E3779B97F4A7C15ull;
	memset(&so, 0, sizeof(so));
	so.so_dir = dir;
	so.so_map_size = (size_t)64 << 30;	/* sparse: a ceiling */
	so.so_create = true;
	if ((ch = storage_open(&so, &g.g_st)) != 0)
		gen_fail(dir, ch);
	/* Whole years of months ending with this one. */
	g.g_to = util_today();
	util_civil_from_days(g.g_to, &y, &m, &d);
	g.g_from = util_days_from_civil(y - (int)years, m, 1);
	g.g_from = period_next(PERIOD_MONTH, g.g_from);
	gen_units(&g, (size_t)units);
	gen_survey(&g, survey, &s);
	g.g_s = s;
	gen_cells_init(&g);
	gen_responses(&g, (uint64_t)n);
	(void)util_format_date(period_bucket(PERIOD_MONTH, g.g_from), from,
	    sizeof(from));
	(void)util_format_date(period_last_day(PERIOD_MONTH, g.g_to), to,
	    sizeof(to));
	printf("{\"survey\": %u, \"root\": %u, \"leaf\": %u, \"units\": %zu, "
	    "\"responses\": %lld, \"from\": \"%s\", \"to\": \"%s\"}\n",
	    g.g_survey, g.g_units[0], g.g_units[g.g_nunits - 1], g.g_nunits,
	    n, from, to);
	for (ch = 0; (size_t)ch < g.g_nunits * g.g_nmonths; ch++)
		cell_free(g.g_cells[ch]);
	free(g.g_cells);
	free(g.g_units);
	survey_free(s);
	storage_close(g.g_st);
	return 0;
}
