/*
 * results.c — the results, results.csv and results.xlsx routes, and what
 * the comments
 * route shares with them: scope and query, the model of a survey
 * (core/results.h), the engine (core/agg.h), CSV, and the audit entry
 * that must commit before the reply leaves.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/adminjob.h"
#include "api/api.h"
#include "api/offload.h"
#include "api/routes/results.h"
#include "api/routes/routes.h"
#include "api/routes/xlsx.h"
#include "api/rquery.h"
#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/agg.h"
#include "core/audit.h"
#include "core/catalog.h"
#include "core/csv.h"
#include "core/results.h"
#include "core/survey.h"
#include "core/units.h"
#include "storage/storage.h"

/* A range longer than this is a mistake, not a question (weeks: 2600). */
#define RESULTS_MAX_DAYS	(50 * 366)

static const char *const results_actions[] = {
	[RR_JSON] = "results.read",
	[RR_CSV] = "results.csv",
	[RR_COMMENTS] = "comments.read",
	[RR_XLSX] = "results.xlsx",
};

/* The file name of a download, or NULL for a reply shown in place. */
static const char *const results_files[] = {
	[RR_CSV] = "attachment; filename=\"results.csv\"",
	[RR_XLSX] = "attachment; filename=\"results.xlsx\"",
};

/* The audit entry and the reply that waits for it. */
struct results_job {
	struct api_req	*rj_req;
	char		 rj_who[64];
	const char	*rj_action;
	json_t		*rj_detail;
	char		*rj_body;
	size_t		 rj_len;
	const char	*rj_ctype;
	const char	*rj_disposition;	/* NULL: shown in place */
};

/* ---------------------------------------------------------------- audit */

static void
http_results_job_free(struct results_job *j)
{
	if (j == NULL)
		return;
	json_decref(j->rj_detail);
	if (j->rj_body != NULL) {
		/* Comments travel in it. */
		sodium_memzero(j->rj_body, j->rj_len);
		free(j->rj_body);
	}
	free(j);
}

/* Writer thread: the audit entry of the read. */
static int
http_results_audit_apply(struct storage_txn *txn, void *arg)
{
	struct results_job	*j = arg;

	json_incref(j->rj_detail);	/* audit_append steals it */
	return audit_append(txn, j->rj_who[0] != '\0' ? j->rj_who : "-",
	    j->rj_action, j->rj_detail);
}

/* Event loop, after the commit: now the read may be answered. */
static void
http_results_audit_done(int rc, void *arg)
{
	struct results_job	*j = arg;
	char			*body;

	if (rc != 0) {
		log_warnx("%s: the audit entry did not commit (%d); the read "
		    "is refused", j->rj_action, rc);
		/* 507 when even the reserve is used up: the disk is full. */
		api_reply_errorf(j->rj_req, error_from_errno(rc) ==
		    ERR_STORAGE_FULL ? ERR_STORAGE_FULL : ERR_UNAVAILABLE, NULL,
		    "the read could not be recorded in the audit log; try "
		    "again");
		http_results_job_free(j);
		return;
	}
	body = j->rj_body;
	j->rj_body = NULL;
	if (j->rj_disposition != NULL)
		api_reply_raw(j->rj_req, 200, j->rj_ctype, body, j->rj_len,
		    "Content-Disposition", j->rj_disposition, "Cache-Control",
		    "no-store", NULL);
	else
		api_reply_raw(j->rj_req, 200, j->rj_ctype, body, j->rj_len,
		    "Cache-Control", "no-store", NULL);
	http_results_job_free(j);
}

json_t *
http_results_date(int64_t day)
{
	char	buf[16];

	if (util_format_date(day, buf, sizeof(buf)) != 0)
		return NULL;
	return json_string(buf);
}

/*
 * Hand the reply body (stolen) to an audit job; the reply leaves from
 * http_results_audit_done(). Replies itself on every failure.
 */
void
http_results_submit(struct results_req *rr, char *body, size_t len,
    const char *ctype)
{
	struct api_ctx		*ctx = rr->rr_ctx;
	struct api_req		*req = rr->rr_req;
	struct results_job	*j = NULL;
	json_t			*d = NULL;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		goto nomem;
	j->rj_req = req;
	j->rj_body = body;
	j->rj_len = len;
	body = NULL;
	j->rj_ctype = ctype;
	j->rj_disposition = results_files[rr->rr_route];
	j->rj_action = results_actions[rr->rr_route];
	snprintf(j->rj_who, sizeof(j->rj_who), "%s", req->rq_who.pr_name);
	/* Who read what: ids and the range, never a number or a comment. */
	d = json_pack("{s:I, s:I, s:o, s:o, s:s}",
	    "survey", (json_int_t)rr->rr_rd.rx_survey,
	    "unit", (json_int_t)rr->rr_unit,
	    "from", http_results_date(rr->rr_q.qy_from),
	    "to", http_results_date(rr->rr_q.qy_to),
	    "via", req->rq_who.pr_api_token ? "token" : "session");
	if (d == NULL)
		goto nomem;
	if (json_object_set_new(d, "version", rr->rr_q.qy_version != 0 ?
	    json_integer(rr->rr_q.qy_version) : json_null()) != 0)
		goto nomem;
	if (rr->rr_route != RR_COMMENTS && json_object_set_new(d, "by",
	    json_string(rquery_by_name(rr->rr_q.qy_by))) != 0)
		goto nomem;
	if (rr->rr_route == RR_COMMENTS && json_object_set_new(d, "question",
	    json_string(rr->rr_q.qy_question)) != 0)
		goto nomem;
	j->rj_detail = d;
	d = NULL;
	/* A read goes on when the disk is full: its entry uses the reserve. */
	if (api_submit_reserve(ctx, req, http_results_audit_apply,
	    http_results_audit_done, j) != 0)
		http_results_job_free(j);
	return;
nomem:
	json_decref(d);
	free(body);
	http_results_job_free(j);
	api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
}

/* ---------------------------------------------------------------- query */

void
http_results_req_end(struct results_req *rr)
{
	storage_txn_abort(rr->rr_rd.rx_txn);
	rr->rr_rd.rx_txn = NULL;
	results_model_put(rr->rr_model);
	rr->rr_model = NULL;
	rr->rr_agg = NULL;
}

/* The unit of a query that named none: the caller's only top unit. */
static int
http_results_default_unit(const struct results_req *rr, uint32_t *unit)
{
	const struct principal	*who = &rr->rr_req->rq_who;
	const struct units_tree		*t = rr->rr_model->rm_tree;
	const struct units_node		*n;
	size_t				 i, roots = 0;

	if (who->pr_role == ROLE_MANAGER) {
		if (who->pr_nunits != 1)
			return -ENOENT;
		*unit = who->pr_units[0];
		return 0;
	}
	for (i = 0; i < units_tree_count(t); i++) {
		n = units_tree_at(t, i);
		if (n->un_parent == 0 || units_tree_find(t, n->un_parent) ==
		    NULL) {
			*unit = n->un_id;
			roots++;
		}
	}
	return roots == 1 ? 0 : -ENOENT;
}

/*
 * Fill in from and to that the query left out: every bucket where the
 * unit's subtree has released something (agg_extent), so that the range
 * itself tells nothing of unreleased responses or of other units.
 */
static void
http_results_default_range(struct results_req *rr, enum period_kind kind)
{
	struct rquery	*q = &rr->rr_q;
	int64_t		 first, last, today;

	if (agg_extent(rr->rr_agg, rr->rr_unit_index, &first, &last) != 0) {
		today = util_today();
		first = period_bucket(kind, today);
		last = period_last_day(kind, today);
	}
	if (!q->qy_has_from && !q->qy_has_to) {
		q->qy_from = first;
		q->qy_to = last;
	} else if (!q->qy_has_from) {
		q->qy_from = first <= q->qy_to ? first :
		    period_bucket(kind, q->qy_to);
	} else if (!q->qy_has_to) {
		q->qy_to = last >= q->qy_from ? last :
		    period_last_day(kind, q->qy_from);
	}
}

/*
 * Everything the three routes share: parse, open the read transaction,
 * find the model, check scope, version and range. Replies and returns
 * non-zero on any failure (rr is then ended).
 */
int
http_results_prepare(struct api_ctx *ctx, struct api_req *req,
    enum results_route route, struct results_req *rr)
{
	struct error		 err;
	uint64_t		 g2[RG_COUNT];
	enum period_kind	 kind;
	uint32_t		 ref;
	int			 rc;

	memset(rr, 0, sizeof(*rr));
	memset(&err, 0, sizeof(err));
	rr->rr_ctx = ctx;
	rr->rr_req = req;
	rr->rr_route = route;
	if (api_path_id(req, "survey", &rr->rr_rd.rx_survey) != 0)
		return -EINVAL;

	if (rquery_parse(req->rq_query, route == RR_COMMENTS ?
	    RQUERY_COMMENTS : route == RR_CSV ? RQUERY_RESULTS | RQUERY_CSV :
	    route == RR_XLSX ? RQUERY_RESULTS | RQUERY_XLSX : RQUERY_RESULTS,
	    &rr->rr_q, &err) != 0) {
		api_reply_error(req, &err);
		return -EINVAL;
	}
	/* Generations before and after the begin: storage.h. */
	rr->rr_rd.rx_store = ctx->ac_store;
	results_gens(ctx->ac_store, rr->rr_rd.rx_gen);
	if (adminjob_read_begin(ctx, req, &rr->rr_rd.rx_txn) != 0)
		return -EIO;
	results_gens(ctx->ac_store, g2);
	rr->rr_rd.rx_fresh = results_gen_eq(rr->rr_rd.rx_gen, g2);

	if ((rc = results_model_get(ctx->ac_results, &rr->rr_rd,
	    &rr->rr_model)) == -ENOENT) {
		api_reply_errorf(req, ERR_NOT_FOUND, NULL, "no survey %u",
		    rr->rr_rd.rx_survey);
		goto fail;
	} else if (rc != 0)
		goto fail_errno;
	ref = rr->rr_q.qy_version != 0 ? rr->rr_q.qy_version :
	    rr->rr_model->rm_current;
	if (ref > rr->rr_model->rm_nversions ||
	    rr->rr_model->rm_versions[ref - 1] == NULL) {
		api_reply_errorf(req, ERR_NOT_FOUND, "version",
		    "survey %u has no version %u", rr->rr_rd.rx_survey, ref);
		goto fail;
	}
	rr->rr_ref = rr->rr_model->rm_versions[ref - 1];
	kind = agg_survey_kind(rr->rr_ref);

	rr->rr_unit = rr->rr_q.qy_unit;
	if (rr->rr_unit == 0 && http_results_default_unit(rr, &rr->rr_unit)
	    != 0) {
		api_reply_errorf(req, ERR_MISSING_FIELD, "unit",
		    "name the unit: unit=ID");
		goto fail;
	}
	if (!units_visible(rr->rr_model->rm_tree, &req->rq_who,
	    rr->rr_unit)) {
		if (req->rq_who.pr_role == ROLE_ADMIN)
			api_reply_errorf(req, ERR_NOT_FOUND, "unit",
			    "no unit %u", rr->rr_unit);
		else
			api_reply_errorf(req, ERR_FORBIDDEN, "unit",
			    "unit %u is outside your units", rr->rr_unit);
		goto fail;
	}
	if ((rc = results_model_agg(rr->rr_model, rr->rr_rd.rx_txn, kind,
	    &rr->rr_agg)) != 0)
		goto fail_errno;
	if (agg_unit_index(rr->rr_agg, rr->rr_unit, &rr->rr_unit_index) != 0) {
		rc = -EBADMSG;	/* the tree has it, so the agg must */
		goto fail_errno;
	}
	http_results_default_range(rr, kind);
	if (rquery_check_range(&rr->rr_q, kind, &err) != 0) {
		api_reply_error(req, &err);
		goto fail;
	}
	if (rr->rr_q.qy_to - rr->rr_q.qy_from > RESULTS_MAX_DAYS) {
		api_reply_errorf(req, ERR_INVALID, "from", "a range of at "
		    "most 50 years, please");
		goto fail;
	}
	return 0;
fail_errno:
	if (rc == -EBADMSG)
		log_warnx("results: survey %u: a stored record does not fit "
		    "(%d)", rr->rr_rd.rx_survey, rc);
	api_reply_errno(req, rc);
fail:
	http_results_req_end(rr);
	return -EINVAL;
}

void
http_results_agg_query(const struct results_req *rr, struct agg_query *aq)
{
	memset(aq, 0, sizeof(*aq));
	aq->aq_survey = rr->rr_rd.rx_survey;
	aq->aq_unit = rr->rr_unit_index;
	aq->aq_from = rr->rr_q.qy_from;
	aq->aq_to = rr->rr_q.qy_to;
	switch (rr->rr_q.qy_by) {
	case RQUERY_BY_PERIOD:
		aq->aq_by = AGG_BY_PERIOD;
		break;
	case RQUERY_BY_UNIT:
		aq->aq_by = AGG_BY_UNIT;
		break;
	case RQUERY_BY_NONE:
		aq->aq_by = AGG_BY_NONE;
		break;
	}
	aq->aq_period = rr->rr_q.qy_period;
	aq->aq_version = rr->rr_q.qy_version;
}

/* ---------------------------------------------------------------- CSV */

/*
 * The columns of results.csv, in order; README.md "Results CSV" documents
 * them. Never reorder or rename: spreadsheets and scripts depend on them.
 */
static const char *const results_csv_columns[] = {
	"survey", "unit", "scope", "from", "to", "question", "type",
	"statistic", "option", "value", NULL
};

/* The first seven columns of a row of group g (and question). */
static void
http_results_csv_head(struct csv *cv, const json_t *doc, const json_t *g,
    const char *question, const char *type)
{
	csv_uint(cv, (unsigned long long)json_integer_value(
	    json_object_get(doc, "survey")));
	csv_uint(cv, (unsigned long long)json_integer_value(
	    json_object_get(g, "unit")));
	csv_text(cv, json_is_true(json_object_get(g, "own")) ? "own" :
	    "subtree");
	csv_text(cv, json_string_value(json_object_get(g, "from")));
	csv_text(cv, json_string_value(json_object_get(g, "to")));
	csv_text(cv, question);
	csv_text(cv, type);
}

/* A value row: statistic, option, value (NULL value: a null statistic). */
static void
http_results_csv_stat(struct csv *cv, const json_t *doc, const json_t *g,
    const char *qid, const char *type, const char *stat, const char *option,
    const json_t *value, unsigned decimals)
{
	http_results_csv_head(cv, doc, g, qid, type);
	csv_text(cv, stat);
	csv_text(cv, option);
	if (json_is_integer(value))
		csv_int(cv, (long long)json_integer_value(value));
	else if (json_is_real(value))
		csv_real(cv, json_real_value(value), decimals);
	else
		csv_empty(cv);
	csv_end_row(cv);
}

/* The label of slot i of question qi: a value, an option id, no/yes. */
static void
http_results_csv_label(const struct survey *s, size_t qi, size_t i, char *buf,
    size_t len)
{
	const char	*opt;
	int		 base;

	switch (survey_question_type(s, qi)) {
	case QTYPE_SMILEY:
	case QTYPE_SCALE:
	case QTYPE_NPS:
		if (survey_question_base(s, qi, &base) != 0)
			base = 0;
		snprintf(buf, len, "%d", base + (int)i);
		return;
	case QTYPE_CHOICE:
	case QTYPE_MULTI:
		opt = survey_question_option(s, qi, i);
		snprintf(buf, len, "%s", opt != NULL ? opt : "");
		return;
	case QTYPE_YESNO:
		snprintf(buf, len, "%s", i == 0 ? "no" : "yes");
		return;
	default:
		snprintf(buf, len, "%zu", i);
		return;
	}
}

static const struct {
	const char	*name;
	unsigned	 decimals;
} results_csv_stats[] = {
	{ "answered", 0 }, { "mean", 2 }, { "median", 1 }, { "csat", 0 },
	{ "nps", 0 }, { "respondents", 0 }, { "comments", 0 },
};

static void
http_results_csv_question(struct csv *cv, const json_t *doc, const json_t *g,
    const struct survey *ref, const char *qid, const json_t *qj)
{
	const char	*type = json_string_value(json_object_get(qj, "type"));
	const json_t	*counts, *v;
	char		 label[SURVEY_ID_MAX + 16];
	size_t		 qi, i;

	if (type == NULL)
		type = "";
	for (i = 0; i < sizeof(results_csv_stats) /
	    sizeof(results_csv_stats[0]); i++) {
		if ((v = json_object_get(qj, results_csv_stats[i].name)) ==
		    NULL)
			continue;
		http_results_csv_stat(cv, doc, g, qid, type,
		    results_csv_stats[i].name, "", v,
		    results_csv_stats[i].decimals);
	}
	counts = json_object_get(qj, "counts");
	if (!json_is_array(counts) ||
	    survey_question_find(ref, qid, &qi) != 0)
		return;
	for (i = 0; i < json_array_size(counts); i++) {
		http_results_csv_label(ref, qi, i, label, sizeof(label));
		http_results_csv_stat(cv, doc, g, qid, type, "count", label,
		    json_array_get(counts, i), 0);
	}
}

/* The results document as CSV: a header, then rows per group. */
static int
http_results_csv(const json_t *doc, const struct survey *ref,
    enum csv_dialect dialect, char **out, size_t *len_out)
{
	struct csv	 cv;
	const json_t	*groups, *g, *qs, *qj;
	size_t		 i, qi;

	csv_init(&cv, true, dialect);
	for (i = 0; results_csv_columns[i] != NULL; i++)
		csv_text(&cv, results_csv_columns[i]);
	csv_end_row(&cv);
	groups = json_object_get(doc, "groups");
	json_array_foreach(groups, i, g) {
		http_results_csv_stat(&cv, doc, g, "", "", "n", "",
		    json_object_get(g, "n"), 0);
		qs = json_object_get(g, "questions");
		/* In the survey's order, not the object's. */
		for (qi = 0; qi < survey_question_count(ref); qi++) {
			qj = json_object_get(qs, survey_question_id(ref, qi));
			if (qj != NULL)
				http_results_csv_question(&cv, doc, g, ref,
				    survey_question_id(ref, qi), qj);
		}
	}
	return csv_finish(&cv, out, len_out);
}

/* ---------------------------------------------------------------- routes */

static void
http_results_serve(struct api_ctx *ctx, struct api_req *req,
    enum results_route route)
{
	struct results_req	 rr;
	struct agg_query	 aq;
	json_t			*doc = NULL;
	char			 key[160], *body = NULL;
	size_t			 len = 0;
	const char		*ctype;
	int			 rc;

	if (http_results_prepare(ctx, req, route, &rr) != 0)
		return;
	ctype = route == RR_CSV ? "text/csv; charset=utf-8" :
	    "application/json";
	http_results_agg_query(&rr, &aq);
	rc = snprintf(key, sizeof(key), "%d|%u|%u|%lld|%lld|%d|%d|%u|%d",
	    route, rr.rr_rd.rx_survey, rr.rr_unit, (long long)aq.aq_from,
	    (long long)aq.aq_to, (int)aq.aq_by, (int)aq.aq_period,
	    aq.aq_version, (int)rr.rr_q.qy_sep);
	if (rc < 0 || (size_t)rc >= sizeof(key))
		key[0] = '\0';
	if (key[0] != '\0' && (rc = results_body_find(ctx->ac_results,
	    &rr.rr_rd, key, &body, &len)) != -ENOENT) {
		if (rc != 0)
			goto fail;
	} else {
		if ((rc = agg_results(rr.rr_agg, &aq, &doc)) != 0)
			goto fail;
		if (route == RR_CSV)
			rc = http_results_csv(doc, rr.rr_ref, rr.rr_q.qy_sep,
			    &body,
			    &len);
		else if ((body = codec_dump(doc, &len)) == NULL)
			rc = -ENOMEM;
		if (rc != 0)
			goto fail;
		if (key[0] != '\0')
			results_body_keep(ctx->ac_results, &rr.rr_rd, key,
			    body, len);
	}
	json_decref(doc);
	http_results_req_end(&rr);
	http_results_submit(&rr, body, len, ctype);
	return;
fail:
	json_decref(doc);
	free(body);
	http_results_req_end(&rr);
	api_reply_errno(req, rc);
}

void
http_results_get(struct api_ctx *ctx, struct api_req *req)
{
	http_results_serve(ctx, req, RR_JSON);
}

void
http_results_get_csv(struct api_ctx *ctx, struct api_req *req)
{
	http_results_serve(ctx, req, RR_CSV);
}

/* ---------------------------------------------------------------- XLSX */

/* One workbook on its way: gathered on the loop, written by a worker. */
struct results_xlsx {
	struct results_req	 xw_rr;		/* model and txn cleared */
	struct xlsx_input	 xw_in;
	char			*xw_body;
	size_t			 xw_len;
	int			 xw_err;
};

static void
http_results_xlsx_free(struct results_xlsx *x)
{
	if (x == NULL)
		return;
	json_decref(x->xw_in.xi_doc);
	json_decref(x->xw_in.xi_title);
	json_decref(x->xw_in.xi_questions);
	json_decref(x->xw_in.xi_names);
	json_decref(x->xw_in.xi_labels);
	free(x->xw_body);
	free(x);
}

/* The name in lang (else Finnish) of every unit the reply names. */
static int
http_results_xlsx_names(struct storage_txn *txn, const json_t *doc,
    const char *lang, json_t *names)
{
	const json_t	*g;
	json_t		*rec = NULL;
	const char	*name;
	char		 key[16];
	json_int_t	 id;
	size_t		 i;
	int		 ret = 0;

	for (i = 0; ret == 0 && i <= json_array_size(json_object_get(doc,
	    "groups")); i++) {
		g = i == 0 ? doc : json_array_get(json_object_get(doc,
		    "groups"), i - 1);
		id = json_integer_value(json_object_get(g, "unit"));
		snprintf(key, sizeof(key), "%lld", (long long)id);
		if (json_object_get(names, key) != NULL)
			continue;
		if ((ret = units_get(txn, (uint32_t)id, &rec)) != 0)
			break;
		name = survey_lang_text(json_object_get(rec, "name"), lang);
		if (name == NULL)
			name = survey_lang_text(json_object_get(rec, "name"),
			    "fi");
		if (json_object_set_new(names, key, json_string(name != NULL ?
		    name : key)) != 0)
			ret = -ENOMEM;
		json_decref(rec);
		rec = NULL;
	}
	return ret;
}

/* Worker thread: the workbook. */
static void
http_results_xlsx_work(void *arg)
{
	struct results_xlsx	*x = arg;

	x->xw_err = xlsx_results(&x->xw_in, &x->xw_body, &x->xw_len);
}

/* Event loop: written; the audit entry, then the reply. */
static void
http_results_xlsx_done(int rc, void *arg)
{
	struct results_xlsx	*x = arg;
	char			*body;

	if (rc == 0)
		rc = x->xw_err;
	if (rc != 0) {
		log_warnx("results.xlsx: survey %u: the workbook was not "
		    "written (%d)", x->xw_rr.rr_rd.rx_survey, rc);
		api_reply_errno(x->xw_rr.rr_req, rc);
		http_results_xlsx_free(x);
		return;
	}
	body = x->xw_body;
	x->xw_body = NULL;
	http_results_submit(&x->xw_rr, body, x->xw_len, "application/"
	    "vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	http_results_xlsx_free(x);
}

void
http_results_get_xlsx(struct api_ctx *ctx, struct api_req *req)
{
	struct results_req	 rr;
	struct results_xlsx	*x = NULL;
	struct agg_query	 aq;
	json_t			*def = NULL;
	uint32_t		 ref;
	int			 rc;

	if (!xlsx_available()) {
		api_reply_errorf(req, ERR_UNAVAILABLE, NULL, "this server was "
		    "built without libxlsxwriter: use results.csv");
		return;
	}
	if (http_results_prepare(ctx, req, RR_XLSX, &rr) != 0)
		return;
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->xw_in.xi_names = json_object()) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	snprintf(x->xw_in.xi_lang, sizeof(x->xw_in.xi_lang), "%s",
	    rr.rr_q.qy_lang);
	if (util_format_date(util_today(), x->xw_in.xi_today,
	    sizeof(x->xw_in.xi_today)) != 0)
		x->xw_in.xi_today[0] = '\0';
	http_results_agg_query(&rr, &aq);
	ref = rr.rr_q.qy_version != 0 ? rr.rr_q.qy_version :
	    rr.rr_model->rm_current;
	if ((rc = agg_results(rr.rr_agg, &aq, &x->xw_in.xi_doc)) != 0 ||
	    (rc = xlsx_labels_load(ctx->ac_limits.al_www_dir,
	    x->xw_in.xi_lang, &x->xw_in.xi_labels)) != 0 ||
	    (rc = catalog_definition(rr.rr_rd.rx_txn, rr.rr_rd.rx_survey,
	    ref, &def, NULL)) != 0 ||
	    (rc = xlsx_questions(rr.rr_ref, def, x->xw_in.xi_lang,
	    x->xw_in.xi_labels, &x->xw_in.xi_questions)) != 0 ||
	    (rc = http_results_xlsx_names(rr.rr_rd.rx_txn, x->xw_in.xi_doc,
	    x->xw_in.xi_lang, x->xw_in.xi_names)) != 0)
		goto fail;
	x->xw_in.xi_title = json_string(survey_lang_text(json_object_get(def,
	    "title"), x->xw_in.xi_lang) ? survey_lang_text(json_object_get(
	    def, "title"), x->xw_in.xi_lang) : "");
	json_decref(def);
	def = NULL;
	/* The workbook needs no snapshot: everything is gathered. */
	http_results_req_end(&rr);
	x->xw_rr = rr;
	if (offload_run(ctx, req, http_results_xlsx_work,
	    http_results_xlsx_done, x) != 0)
		http_results_xlsx_free(x);	/* 503 answered */
	return;
fail:
	if (rc == -ENOENT || rc == -EBADMSG)
		rc = -EIO;	/* a labels file or a record that is not there */
	json_decref(def);
	http_results_xlsx_free(x);
	http_results_req_end(&rr);
	api_reply_errno(req, rc);
}

int
http_results_init(struct api_ctx *ctx)
{
	if ((ctx->ac_results = results_cache_new(ctx->ac_store)) == NULL)
		return -ENOMEM;
	return 0;
}

void
http_results_fini(struct api_ctx *ctx)
{
	results_cache_free(ctx->ac_results);
	ctx->ac_results = NULL;
}
