/*
 * comments.c — GET /api/v1/surveys/{id}/comments: the comments of one
 * group, shuffled, without dates, read from the response records of the
 * cells the release judged.
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
#include "core/agg.h"
#include "core/rscan.h"
#include "core/survey.h"
#include "core/units.h"
#include "storage/storage.h"

/* Comments of one group: far more than anyone reads; bounds the reply. */
#define RESULTS_COMMENTS_MAX	10000

/*
 * One comments read: the release is decided on the event loop; the
 * records are read on a worker thread, in the same read transaction, so
 * that the comments are exactly those of the cells that were judged.
 */
struct results_comments {
	struct results_req	 cm_rr;		/* model and txn cleared */
	struct storage_txn	*cm_txn;	/* the snapshot judged */
	uint32_t		*cm_units;	/* the subtree's ids, sorted */
	size_t			 cm_nunits;
	uint32_t		*cm_versions;	/* versions with the question */
	size_t			 cm_nversions;
	uint64_t		 cm_n;		/* responses of the group */
	uint64_t		 cm_seen;	/* comments found */
	json_t			*cm_doc;	/* the reply, bar comments */
	json_t			*cm_list;
	char			*cm_body;	/* worker: the reply's text */
	size_t			 cm_len;
	int			 cm_err;
};

static void
http_results_comments_free(struct results_comments *cm)
{
	if (cm == NULL)
		return;
	storage_txn_abort(cm->cm_txn);
	free(cm->cm_units);
	free(cm->cm_versions);
	json_decref(cm->cm_doc);
	json_decref(cm->cm_list);
	if (cm->cm_body != NULL) {
		sodium_memzero(cm->cm_body, cm->cm_len);
		free(cm->cm_body);
	}
	free(cm);
}

/* Fisher-Yates with the kernel's randomness: a new order every call. */
static void
http_results_shuffle(json_t *arr)
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
http_results_u32_in(const uint32_t *sorted, size_t n, uint32_t v)
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

static bool
http_results_version_in(const struct results_comments *cm, uint32_t v)
{
	size_t	i;

	for (i = 0; i < cm->cm_nversions; i++)
		if (cm->cm_versions[i] == v)
			return true;
	return false;
}

/*
 * Keep one comment: all of them up to RESULTS_COMMENTS_MAX, beyond that a
 * uniform sample (reservoir), so that a cap never favours early days.
 */
static int
http_results_comment_keep(struct results_comments *cm, const char *text,
    const char *lang)
{
	json_t		*item;
	uint64_t	 j = 0;

	cm->cm_seen++;
	if (cm->cm_seen > RESULTS_COMMENTS_MAX) {
		j = cm->cm_seen > UINT32_MAX ? randombytes_uniform(UINT32_MAX) :
		    randombytes_uniform((uint32_t)cm->cm_seen);
		if (j >= RESULTS_COMMENTS_MAX)
			return 0;
	}
	/* The text and its language; no day, no unit, no order. */
	if ((item = json_pack("{s:s, s:s?}", "text", text, "lang", lang)) ==
	    NULL)
		return -ENOMEM;
	if (cm->cm_seen > RESULTS_COMMENTS_MAX)
		return json_array_set_new(cm->cm_list, (size_t)j, item) == 0 ?
		    0 : -ENOMEM;
	return json_array_append_new(cm->cm_list, item) == 0 ? 0 : -ENOMEM;
}

/* One response record: its comment, when it belongs to the group. */
static int
http_results_comment_one(struct results_comments *cm, const char *val,
    size_t vlen)
{
	const char		*qid = cm->cm_rr.rr_q.qy_question;
	struct rscan_record	 rr;
	json_t			*rec = NULL, *ans = NULL;
	const char		*text, *lang;
	char			 needle[RQUERY_ID_MAX + 3];
	json_int_t		 version, unit;
	int			 ret = 0;

	/* Most records are turned away on version and unit, unparsed. */
	if (rscan_record(val, vlen, &rr) == 0) {
		if (!http_results_version_in(cm, rr.rr_version) ||
		    !http_results_u32_in(cm->cm_units, cm->cm_nunits, rr.rr_unit))
			return 0;
		snprintf(needle, sizeof(needle), "\"%s\"", qid);
		if (memmem(rr.rr_answers, rr.rr_answers_len, needle,
		    strlen(needle)) == NULL)
			return 0;	/* no answer to the question */
		if ((ans = json_loadb(rr.rr_answers, rr.rr_answers_len, 0,
		    NULL)) == NULL)
			return -EBADMSG;
		lang = rr.rr_lang;
	} else {
		if ((rec = json_loadb(val, vlen, 0, NULL)) == NULL)
			return -EBADMSG;
		version = json_integer_value(json_object_get(rec, "version"));
		unit = json_integer_value(json_object_get(rec, "unit"));
		if (version <= 0 || version > UINT32_MAX || unit <= 0 ||
		    unit > UINT32_MAX) {
			ret = -EBADMSG;
			goto done;
		}
		if (!http_results_version_in(cm, (uint32_t)version) ||
		    !http_results_u32_in(cm->cm_units, cm->cm_nunits,
		    (uint32_t)unit))
			goto done;
		ans = json_incref(json_object_get(rec, "answers"));
		lang = json_string_value(json_object_get(rec, "lang"));
	}
	text = json_string_value(json_object_get(ans, qid));
	if (text != NULL && text[0] != '\0')
		ret = http_results_comment_keep(cm, text, lang);
done:
	json_decref(ans);
	json_decref(rec);
	return ret;
}

/* Worker thread: read the records of the range, shuffle, encode. */
static void
http_results_comments_work(void *arg)
{
	struct results_comments	*cm = arg;
	const struct rquery	*q = &cm->cm_rr.rr_q;
	struct storage_iter	*it = NULL;
	const void		*key, *val;
	size_t			 klen, vlen;
	int			 rc;

	/* Day numbers of responses are unsigned: none before 1970. */
	if ((rc = storage_response_iter(cm->cm_txn, cm->cm_rr.rr_rd.rx_survey,
	    q->qy_from < 0 ? 0 : (uint32_t)q->qy_from,
	    q->qy_to < 0 ? 0 : (uint32_t)q->qy_to, &it)) != 0)
		goto done;
	while ((rc = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0)
		if ((rc = http_results_comment_one(cm, val, vlen)) != 0)
			goto done;
	if (rc != -ENOENT)
		goto done;
	http_results_shuffle(cm->cm_list);
	if (json_object_set_new(cm->cm_doc, "n", json_integer(
	    (json_int_t)cm->cm_n)) != 0 || json_object_set_new(cm->cm_doc,
	    "truncated", json_boolean(cm->cm_seen > RESULTS_COMMENTS_MAX)) !=
	    0 || json_object_set(cm->cm_doc, "comments", cm->cm_list) != 0) {
		rc = -ENOMEM;
		goto done;
	}
	if ((cm->cm_body = codec_dump(cm->cm_doc, &cm->cm_len)) == NULL) {
		rc = -ENOMEM;
		goto done;
	}
	rc = 0;
done:
	storage_iter_free(it);
	/* The snapshot ends here: read transactions may end in any thread. */
	storage_txn_abort(cm->cm_txn);
	cm->cm_txn = NULL;
	cm->cm_err = rc;
}

/* Event loop: the records are read; the audit entry, then the reply. */
static void
http_results_comments_done(int rc, void *arg)
{
	struct results_comments	*cm = arg;
	char			*body;

	if (rc == 0)
		rc = cm->cm_err;
	if (rc != 0) {
		if (rc == -EBADMSG)
			log_warnx("comments: survey %u: a response record does "
			    "not parse", cm->cm_rr.rr_rd.rx_survey);
		api_reply_errno(cm->cm_rr.rr_req, rc);
		http_results_comments_free(cm);
		return;
	}
	body = cm->cm_body;
	cm->cm_body = NULL;
	http_results_submit(&cm->cm_rr, body, cm->cm_len, "application/json");
	http_results_comments_free(cm);
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

void
http_comments_get(struct api_ctx *ctx, struct api_req *req)
{
	struct results_req	 rr;
	struct results_comments	*cm = NULL;
	struct agg_query	 aq;
	size_t			 qi;
	bool			 released = false;
	char			*body = NULL;
	size_t			 len = 0;
	int			 rc;

	if (http_results_prepare(ctx, req, RR_COMMENTS, &rr) != 0)
		return;
	if (rr.rr_q.qy_question[0] == '\0') {
		/* The only text question, if there is just one. */
		for (qi = 0; qi < survey_question_count(rr.rr_ref); qi++) {
			if (survey_question_type(rr.rr_ref, qi) != QTYPE_TEXT)
				continue;
			if (rr.rr_q.qy_question[0] != '\0') {
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
	http_results_agg_query(&rr, &aq);
	aq.aq_by = AGG_BY_NONE;
	if ((cm = calloc(1, sizeof(*cm))) == NULL ||
	    (cm->cm_versions = calloc(rr.rr_model->rm_nversions + 1,
	    sizeof(*cm->cm_versions))) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	/* Until comments are read from their released steps: none. */
	rc = agg_text_versions(rr.rr_agg, &aq, rr.rr_q.qy_question,
	    cm->cm_versions, &cm->cm_nversions);
	if (rc == -ENOENT) {
		api_reply_errorf(req, ERR_NOT_FOUND, "question",
		    "the survey has no text question \"%s\"",
		    rr.rr_q.qy_question);
		goto out;
	} else if (rc != 0)
		goto fail;
	cm->cm_doc = json_pack("{s:I, s:I, s:o, s:o, s:s, s:I}",
	    "survey", (json_int_t)rr.rr_rd.rx_survey, "unit", (json_int_t)rr.rr_unit,
	    "from", http_results_date(rr.rr_q.qy_from),
	    "to", http_results_date(rr.rr_q.qy_to),
	    "question", rr.rr_q.qy_question,
	    "min_group_comments", (json_int_t)agg_k_comments(rr.rr_agg));
	if (cm->cm_doc == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if (!released) {
		if (json_object_set_new(cm->cm_doc, "suppressed",
		    json_true()) != 0 || json_object_set_new(cm->cm_doc,
		    "reason", json_string("min_group_comments")) != 0 ||
		    (body = codec_dump(cm->cm_doc, &len)) == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		http_results_comments_free(cm);
		http_results_req_end(&rr);
		http_results_submit(&rr, body, len, "application/json");
		return;
	}
	if ((rc = http_results_subtree_ids(rr.rr_model->rm_tree, rr.rr_unit,
	    &cm->cm_units, &cm->cm_nunits)) != 0 ||
	    (cm->cm_list = json_array()) == NULL) {
		rc = rc != 0 ? rc : -ENOMEM;
		goto fail;
	}
	/* The snapshot travels with the job; the model stays here. */
	cm->cm_txn = rr.rr_rd.rx_txn;
	rr.rr_rd.rx_txn = NULL;
	http_results_req_end(&rr);
	cm->cm_rr = rr;
	if (offload_run(ctx, req, http_results_comments_work,
	    http_results_comments_done, cm) != 0)
		http_results_comments_free(cm);	/* 503 answered */
	return;
fail:
	api_reply_errno(req, rc);
out:
	http_results_comments_free(cm);
	http_results_req_end(&rr);
}

