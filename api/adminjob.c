/*
 * adminjob.c — one admin write: checked on the loop, applied by the
 * writer, answered once on the loop.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/adminjob.h"
#include "common/codec.h"
#include "core/audit.h"
#include "storage/storage.h"

struct adminjob *
adminjob_new(struct api_ctx *ctx, struct api_req *req,
    adminjob_apply_fn apply)
{
	struct adminjob	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	job->aj_ctx = ctx;
	job->aj_req = req;
	job->aj_who = req->rq_who;
	job->aj_apply = apply;
	job->aj_status = 200;
	return job;
}

void
adminjob_free(struct adminjob *job)
{
	if (job == NULL)
		return;
	json_decref(job->aj_in);
	json_decref(job->aj_out);
	if (job->aj_data != NULL && job->aj_data_free != NULL)
		job->aj_data_free(job->aj_data);
	memset(&job->aj_who, 0, sizeof(job->aj_who));
	free(job);
}

static int
adminjob_apply(struct storage_txn *txn, void *arg)
{
	struct adminjob	*job = arg;

	memset(&job->aj_err, 0, sizeof(job->aj_err));
	json_decref(job->aj_out);
	job->aj_out = NULL;
	return job->aj_apply(txn, job);
}

static void
adminjob_done(int rc, void *arg)
{
	struct adminjob	*job = arg;
	struct api_req	*req = job->aj_req;
	json_t		*out;

	if (rc == 0) {
		if (job->aj_reply != NULL)
			job->aj_reply(job);
		else if (job->aj_status == 204)
			api_reply_raw(req, 204, NULL, NULL, 0,
			    (const char *)NULL);
		else {
			out = job->aj_out;
			job->aj_out = NULL;
			api_reply_json(req, job->aj_status, out);
		}
	} else if (rc == -EINVAL && job->aj_err.er_code != ERR_NONE)
		api_reply_error(req, &job->aj_err);
	else
		api_reply_errno(req, rc);
	adminjob_free(job);
}

void
adminjob_submit(struct adminjob *job)
{
	if (api_submit(job->aj_ctx, job->aj_req, adminjob_apply, adminjob_done,
	    job) != 0)
		adminjob_free(job);
}

int
adminjob_fail(struct adminjob *job, enum error_code code, const char *field,
    const char *fmt, ...)
{
	va_list	ap;

	job->aj_err.er_code = code;
	snprintf(job->aj_err.er_field, sizeof(job->aj_err.er_field), "%s",
	    field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(job->aj_err.er_message, sizeof(job->aj_err.er_message), fmt,
	    ap);
	va_end(ap);
	return -EINVAL;
}

int
adminjob_audit(struct storage_txn *txn, const struct adminjob *job,
    const char *action, json_t *detail)
{
	const char	*who = job->aj_who.pr_name;

	/* audit_append steals detail, also when it fails. */
	return audit_append(txn, who[0] != '\0' ? who : "-", action, detail);
}

int
adminjob_read_begin(struct api_ctx *ctx, struct api_req *req,
    struct storage_txn **txn_out)
{
	int	rc;

	if ((rc = storage_txn_begin(ctx->ac_store, false, txn_out)) != 0)
		api_reply_errno(req, rc);
	return rc;
}

int
adminjob_parse(const struct api_req *req, const char *const allowed[],
    json_t **out, struct error *err)
{
	json_t	*obj = NULL;
	int	 rc;

	if ((rc = api_body_object(req, &obj, err)) != 0)
		return rc;
	if ((rc = codec_only(obj, allowed, "", err)) != 0) {
		json_decref(obj);
		return rc;
	}
	*out = obj;
	return 0;
}
