/*
 * audit.c — GET /api/v1/audit: a page of the chain and whether it holds.
 * Verification reads the whole chain, so it runs off the event loop.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/offload.h"
#include "api/routes/routes.h"
#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "storage/storage.h"

#define AUDIT_LIMIT_DEFAULT	1000	/* entries per page */
#define AUDIT_LIMIT_MAX		10000

/* ---------------------------------------------------------------- route */

struct audit_job {
	struct api_ctx		*aj_ctx;
	struct api_req		*aj_req;
	uint64_t		 aj_after;
	size_t			 aj_limit;
	json_t			*aj_entries;
	struct audit_check	 aj_check;
	int			 aj_rc;
};

/* A worker thread: a read transaction of its own. */
static void
http_audit_work(void *arg)
{
	struct audit_job	*j = arg;
	struct storage_txn	*txn = NULL;

	if ((j->aj_rc = storage_txn_begin(j->aj_ctx->ac_store, false,
	    &txn)) != 0)
		return;
	j->aj_rc = audit_verify(txn, j->aj_after, j->aj_limit, j->aj_entries,
	    &j->aj_check);
	storage_txn_abort(txn);
}

static void
http_audit_done(int rc, void *arg)
{
	struct audit_job	*j = arg;
	json_t			*body;

	if (rc == 0)
		rc = j->aj_rc;
	if (rc != 0) {
		api_reply_errno(j->aj_req, rc);
		goto done;
	}
	if (!j->aj_check.ac_ok)
		log_warnx("audit: the chain does not verify from entry %llu",
		    (unsigned long long)j->aj_check.ac_broken_at);
	body = json_pack("{s:O, s:b, s:o, s:I}", "entries", j->aj_entries,
	    "verified", j->aj_check.ac_ok, "broken_at", j->aj_check.ac_ok ?
	    json_null() : json_integer((json_int_t)j->aj_check.ac_broken_at),
	    "count", (json_int_t)j->aj_check.ac_count);
	api_reply_json(j->aj_req, 200, body);
done:
	json_decref(j->aj_entries);
	free(j);
}

/* A query number in [min, max], or def when absent; -EINVAL otherwise. */
static int
http_audit_query_num(struct api_req *req, const char *name, long long min,
    long long max, long long def, long long *out)
{
	char	*s = NULL;
	int	 rc;

	rc = api_query_get(req, name, &s);
	if (rc == -ENOENT) {
		*out = def;
		return 0;
	}
	if (rc != 0)
		return rc;
	rc = util_parse_ll(s, min, max, out);
	free(s);
	return rc != 0 ? -EINVAL : 0;
}

void
http_audit_get(struct api_ctx *ctx, struct api_req *req)
{
	struct audit_job	*j = NULL;
	long long		 after, limit;

	if (http_audit_query_num(req, "after", 0, INT64_MAX, 0, &after) != 0) {
		api_reply_errorf(req, ERR_BAD_REQUEST, "after",
		    "'after' must be an entry number (0 or more)");
		return;
	}
	if (http_audit_query_num(req, "limit", 1, AUDIT_LIMIT_MAX,
	    AUDIT_LIMIT_DEFAULT, &limit) != 0) {
		api_reply_errorf(req, ERR_BAD_REQUEST, "limit",
		    "'limit' must be between 1 and %d", AUDIT_LIMIT_MAX);
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->aj_entries = json_array()) == NULL) {
		free(j);
		api_reply_errno(req, -ENOMEM);
		return;
	}
	j->aj_ctx = ctx;
	j->aj_req = req;
	j->aj_after = (uint64_t)after;
	j->aj_limit = (size_t)limit;
	if (offload_run(ctx, req, http_audit_work, http_audit_done, j) != 0) {
		json_decref(j->aj_entries);
		free(j);
	}
}
