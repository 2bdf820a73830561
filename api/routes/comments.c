/*
 * comments.c — GET /api/v1/surveys/{id}/comments: the released comments
 * of a unit's subtree over a range, read from the comments index
 * (core/comments.h) in whole steps, shuffled, without dates or units.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/offload.h"
#include "api/routes/results.h"
#include "api/routes/routes.h"
#include "common/codec.h"
#include "common/log.h"
#include "core/comments.h"
#include "core/survey.h"
#include "core/units.h"
#include "storage/storage.h"

/* Comments of one read: far more than anyone reads; bounds the reply. */
#define RESULTS_COMMENTS_MAX	10000

/* A version of the question's family, and the question's index in it. */
struct http_comments_ver {
	uint32_t	hv_version;
	uint16_t	hv_question;
};

/*
 * One comments read: the query is resolved on the event loop (versions,
 * subtree); the index is read on a worker thread, in the read transaction
 * the query was resolved in.
 */
struct http_comments {
	struct results_req	 hc_rr;		/* model and txn cleared */
	struct storage_txn	*hc_txn;	/* the snapshot */
	uint32_t		*hc_units;	/* the subtree's ids, sorted */
	size_t			 hc_nunits;
	struct http_comments_ver *hc_vers;	/* the question's family */
	size_t			 hc_nvers;
	uint64_t		 hc_seen;	/* texts found */
	json_t			*hc_doc;	/* the reply, bar comments */
	json_t			*hc_list;
	char			*hc_body;	/* worker: the reply's text */
	size_t			 hc_len;
	int			 hc_err;
};

static void
http_comments_free(struct http_comments *hc)
{
	if (hc == NULL)
		return;
	storage_txn_abort(hc->hc_txn);
	free(hc->hc_units);
	free(hc->hc_vers);
	json_decref(hc->hc_doc);
	json_decref(hc->hc_list);
	if (hc->hc_body != NULL) {
		sodium_memzero(hc->hc_body, hc->hc_len);
		free(hc->hc_body);
	}
	free(hc);
}

/* Fisher-Yates with the kernel's randomness: a new order every call. */
static void
http_comments_shuffle(json_t *arr)
{
	size_t	 n = json_array_size(arr), i, j;
	json_t	*a, *b;

	for (i = n; i > 1; i--) {
		j = randombytes_uniform((uint32_t)i);
		if (j == i - 1)
			continue;
		a = json_incref(json_array_get(arr, i - 1));
		b = json_incref(json_array_get(arr, j));
		json_array_set_new(arr, i - 1, b);
		json_array_set_new(arr, j, a);
	}
}

static bool
http_comments_u32_in(const uint32_t *sorted, size_t n, uint32_t v)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sorted[mid] == v)
			return true;
		if (sorted[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Worker: a group of the index is read when the query covers it. */
static bool
http_comments_pick(const struct comments_id *id, void *arg)
{
	const struct http_comments	*hc = arg;
	const struct rquery		*q = &hc->hc_rr.rr_q;
	size_t				 i;

	if ((int64_t)id->cm_bucket < q->qy_from ||
	    (int64_t)id->cm_bucket > q->qy_to)
		return false;
	for (i = 0; i < hc->hc_nvers; i++)
		if (hc->hc_vers[i].hv_version == id->cm_version)
			break;
	if (i == hc->hc_nvers ||
	    hc->hc_vers[i].hv_question != id->cm_question)
		return false;
	return http_comments_u32_in(hc->hc_units, hc->hc_nunits,
	    id->cm_unit);
}

/*
 * Worker: keep one text, all of them up to RESULTS_COMMENTS_MAX, beyond
 * that a uniform sample (reservoir), so that a cap never favours early
 * months.
 */
static int
http_comments_keep(const struct comments_id *id, const char *text,
    const char *lang, void *arg)
{
	struct http_comments	*hc = arg;
	json_t			*item;
	uint64_t		 j = 0;

	(void)id;
	hc->hc_seen++;
	if (hc->hc_seen > RESULTS_COMMENTS_MAX) {
		j = hc->hc_seen > UINT32_MAX ? randombytes_uniform(UINT32_MAX) :
		    randombytes_uniform((uint32_t)hc->hc_seen);
		if (j >= RESULTS_COMMENTS_MAX)
			return 0;
	}
	/* The text and its language; no day, no unit, no order. */
	if ((item = json_pack("{s:s, s:s?}", "text", text, "lang", lang)) ==
	    NULL)
		return -ENOMEM;
	if (hc->hc_seen > RESULTS_COMMENTS_MAX)
		return json_array_set_new(hc->hc_list, (size_t)j, item) == 0 ?
		    0 : -ENOMEM;
	return json_array_append_new(hc->hc_list, item) == 0 ? 0 : -ENOMEM;
}

/* Worker thread: read the released steps of the range, shuffle, encode. */
static void
http_comments_work(void *arg)
{
	struct http_comments	*hc = arg;
	const struct rquery	*q = &hc->hc_rr.rr_q;
	int			 rc = 0;

	/* Day numbers of the index are unsigned: nothing before 1970. */
	if (q->qy_to >= 0 && q->qy_from <= UINT32_MAX)
		rc = comments_select(hc->hc_txn, hc->hc_rr.rr_rd.rx_survey,
		    storage_day_month(q->qy_from < 0 ? 0 :
		    (uint32_t)q->qy_from),
		    storage_day_month(q->qy_to > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)q->qy_to), http_comments_pick,
		    http_comments_keep, hc);
	if (rc != 0)
		goto done;
	http_comments_shuffle(hc->hc_list);
	if (json_object_set_new(hc->hc_doc, "count", json_integer(
	    (json_int_t)hc->hc_seen)) != 0 || json_object_set_new(hc->hc_doc,
	    "truncated", json_boolean(hc->hc_seen > RESULTS_COMMENTS_MAX)) !=
	    0 || json_object_set(hc->hc_doc, "comments", hc->hc_list) != 0) {
		rc = -ENOMEM;
		goto done;
	}
	if ((hc->hc_body = codec_dump(hc->hc_doc, &hc->hc_len)) == NULL) {
		rc = -ENOMEM;
		goto done;
	}
	rc = 0;
done:
	/* The snapshot ends here: read transactions may end in any thread. */
	storage_txn_abort(hc->hc_txn);
	hc->hc_txn = NULL;
	hc->hc_err = rc;
}

/* Event loop: the index is read; the audit entry, then the reply. */
static void
http_comments_done(int rc, void *arg)
{
	struct http_comments	*hc = arg;
	char			*body;

	if (rc == 0)
		rc = hc->hc_err;
	if (rc != 0) {
		if (rc == -EBADMSG)
			log_warnx("comments: survey %u: an entry of the "
			    "comments index does not open or parse",
			    hc->hc_rr.rr_rd.rx_survey);
		api_reply_errno(hc->hc_rr.rr_req, rc);
		http_comments_free(hc);
		return;
	}
	body = hc->hc_body;
	hc->hc_body = NULL;
	http_results_submit(&hc->hc_rr, body, hc->hc_len, "application/json");
	http_comments_free(hc);
}

/* The ids of the units in unit's subtree, pooled ones included, sorted. */
static int
http_results_subtree_ids(const struct units_tree *t, uint32_t unit,
    uint32_t **out, size_t *n_out)
{
	const struct units_node	*node;
	uint32_t		*ids;
	size_t			 i, n = 0, count = units_tree_count(t);

	if ((ids = calloc(count + 1, sizeof(*ids))) == NULL)
		return -ENOMEM;
	/* units_tree_at() is in id order, so the list comes out sorted. */
	for (i = 0; i < count; i++) {
		node = units_tree_at(t, i);
		if (units_in_subtree(t, unit, node->un_id))
			ids[n++] = node->un_id;
	}
	*out = ids;
	*n_out = n;
	return 0;
}

/*
 * The versions whose question qid is the reference's text question qi
 * (all that share it, or the one the query names), into hc; *kc_out the
 * strictest step among them. As in the results, versions kept by another
 * period are not mixed in: their buckets are not the query's.
 */
static int
http_comments_family(const struct results_req *rr, size_t qi,
    struct http_comments *hc, uint32_t *kc_out)
{
	const struct results_model	*m = rr->rr_model;
	const struct survey		*s;
	const char			*qid;
	uint32_t			 v, kc = 0;
	size_t				 vq;

	qid = survey_question_id(rr->rr_ref, qi);
	if ((hc->hc_vers = calloc((size_t)m->rm_nversions + 1,
	    sizeof(*hc->hc_vers))) == NULL)
		return -ENOMEM;
	for (v = 1; v <= m->rm_nversions; v++) {
		if ((s = m->rm_versions[v - 1]) == NULL ||
		    (rr->rr_q.qy_version != 0 && v != rr->rr_q.qy_version) ||
		    survey_period(s) != survey_period(rr->rr_ref))
			continue;
		if (survey_question_find(s, qid, &vq) != 0 ||
		    vq > UINT16_MAX ||
		    !survey_same_shape(rr->rr_ref, qi, s, vq))
			continue;
		hc->hc_vers[hc->hc_nvers].hv_version = v;
		hc->hc_vers[hc->hc_nvers].hv_question = (uint16_t)vq;
		hc->hc_nvers++;
		if (comments_k(s) > kc)
			kc = comments_k(s);
	}
	*kc_out = kc;
	return 0;
}

void
http_comments_get(struct api_ctx *ctx, struct api_req *req)
{
	struct results_req	 rr;
	struct http_comments	*hc = NULL;
	const char		*qid;
	size_t			 qi;
	uint32_t		 kc = 0;
	int			 rc;

	if (http_results_prepare(ctx, req, RR_COMMENTS, &rr) != 0)
		return;
	qid = rr.rr_q.qy_question;
	if (qid[0] == '\0') {
		/* The only text question, if there is just one. */
		for (qi = 0; qi < survey_question_count(rr.rr_ref); qi++) {
			if (survey_question_type(rr.rr_ref, qi) != QTYPE_TEXT)
				continue;
			if (qid[0] != '\0') {
				api_reply_errorf(req, ERR_MISSING_FIELD,
				    "question", "the survey has several text "
				    "questions: name one, question=ID");
				goto out;
			}
			snprintf(rr.rr_q.qy_question,
			    sizeof(rr.rr_q.qy_question), "%s",
			    survey_question_id(rr.rr_ref, qi));
		}
	}
	if (survey_question_find(rr.rr_ref, qid, &qi) != 0 ||
	    survey_question_type(rr.rr_ref, qi) != QTYPE_TEXT) {
		api_reply_errorf(req, ERR_NOT_FOUND, "question",
		    "the survey has no text question \"%s\"", qid);
		goto out;
	}
	if ((hc = calloc(1, sizeof(*hc))) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = http_comments_family(&rr, qi, hc, &kc)) != 0 ||
	    (rc = http_results_subtree_ids(rr.rr_model->rm_tree, rr.rr_unit,
	    &hc->hc_units, &hc->hc_nunits)) != 0)
		goto fail;
	hc->hc_doc = json_pack("{s:I, s:I, s:o, s:o, s:s, s:I}",
	    "survey", (json_int_t)rr.rr_rd.rx_survey,
	    "unit", (json_int_t)rr.rr_unit,
	    "from", http_results_date(rr.rr_q.qy_from),
	    "to", http_results_date(rr.rr_q.qy_to),
	    "question", qid,
	    "k_comments", (json_int_t)kc);
	if (hc->hc_doc == NULL || (hc->hc_list = json_array()) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	/* The snapshot travels with the job; the model stays here. */
	hc->hc_txn = rr.rr_rd.rx_txn;
	rr.rr_rd.rx_txn = NULL;
	http_results_req_end(&rr);
	hc->hc_rr = rr;
	if (offload_run(ctx, req, http_comments_work, http_comments_done,
	    hc) != 0)
		http_comments_free(hc);	/* 503 answered */
	return;
fail:
	api_reply_errno(req, rc);
out:
	http_comments_free(hc);
	http_results_req_end(&rr);
}
