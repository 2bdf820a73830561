/*
 * test_intake.c — intake through api_handle() on a real store, with the
 * clocks fixed by wrapping util_today() and auth_now(): what a response
 * record and an invitation entry hold (and do not hold) once stored, the
 * day window at its edges, cells and comments stepping in the writer's
 * transaction, enrollment codes that expired, a survey edited in place
 * between the check of an answer and its write, and an invitation code
 * that a full store refuses alike whether it is used or not.
 *
 * Jobs for the writer run when the test says so (run_jobs()), each in a
 * child of one write transaction, as daemon/writer.c runs a batch.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "api/api.h"
#include "api/routes/routes.h"
#include "common/util.h"
#include "core/catalog.h"
#include "core/cells.h"
#include "core/collectors.h"
#include "core/comments.h"
#include "core/idem.h"
#include "core/rec.h"
#include "core/units.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

/* 2024-03-15, a Friday; and a Unix time on that day. */
#define TODAY	19797
#define NOW	1710500000LL

int64_t	__wrap_util_today(void);
int64_t	__wrap_auth_now(void);

static int64_t	fake_now = NOW;
static int64_t	fake_today = TODAY;

int64_t
__wrap_util_today(void)
{
	return fake_today;
}

int64_t
__wrap_auth_now(void)
{
	return fake_now;
}

/* ------------------------------------------------ the writer, by hand */

#define MAX_JOBS	16

struct job {
	api_apply_fn	 j_apply;
	api_done_fn	 j_done;
	void		*j_arg;
	bool		 j_intake;	/* api_submit_intake() */
};

struct fixture {
	char			 dir[256];
	char			 state[300];
	struct storage_opts	 opts;		/* to open the store again */
	struct storage		*st;
	struct api_ctx		 ctx;
	struct job		 jobs[MAX_JOBS];
	size_t			 njobs;
	uint32_t		 unit;
	uint32_t		 survey;
	/* The last reply. */
	int			 status;
	json_t			*body;
	char			 retry_after[16];
};

static int
queue_job(void *arg, api_apply_fn apply, api_done_fn done, void *job)
{
	struct fixture	*f = arg;

	if (f->njobs == MAX_JOBS)
		return -EAGAIN;
	f->jobs[f->njobs].j_apply = apply;
	f->jobs[f->njobs].j_done = done;
	f->jobs[f->njobs].j_arg = job;
	f->jobs[f->njobs].j_intake = false;
	f->njobs++;
	return 0;
}

static int
queue_intake_job(void *arg, api_apply_fn apply, api_done_fn done, void *job)
{
	struct fixture	*f = arg;
	int		 rc;

	if ((rc = queue_job(arg, apply, done, job)) == 0)
		f->jobs[f->njobs - 1].j_intake = true;
	return rc;
}

/*
 * One batch as the writer runs it: every queued job in a child of one
 * transaction, the responses' writes flushed before any other job, and
 * an error of the flush or the commit given to every job.
 */
static void
run_jobs(struct fixture *f)
{
	struct storage_txn	*txn, *child;
	struct job		 jobs[MAX_JOBS];
	int			 rc[MAX_JOBS], brc;
	size_t			 i, n;

	while (f->njobs > 0) {
		n = f->njobs;
		memcpy(jobs, f->jobs, n * sizeof(jobs[0]));
		f->njobs = 0;
		assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
		for (i = 0, brc = 0; i < n && brc == 0; i++) {
			if (!jobs[i].j_intake &&
			    (brc = api_batch_flush(&f->ctx, txn)) != 0)
				break;
			assert_int_equal(storage_txn_begin_child(txn, &child),
			    0);
			rc[i] = jobs[i].j_apply(child, jobs[i].j_arg);
			if (rc[i] == 0)
				rc[i] = storage_txn_commit(child);
			else
				storage_txn_abort(child);
		}
		if (brc == 0)
			brc = api_batch_precommit(&f->ctx, txn);
		if (brc == 0)
			assert_int_equal(storage_txn_commit(txn), 0);
		else
			storage_txn_abort(txn);
		api_batch_done(&f->ctx, brc);
		for (i = 0; i < n; i++)
			jobs[i].j_done(brc != 0 ? brc : rc[i], jobs[i].j_arg);
	}
}

static void
capture(struct api_req *req, struct api_resp *resp)
{
	struct fixture	*f = req->rq_reply_arg;
	size_t		 i;

	f->status = resp->rs_status;
	json_decref(f->body);
	f->body = resp->rs_len > 0 ? json_loadb(resp->rs_body, resp->rs_len,
	    0, NULL) : NULL;
	f->retry_after[0] = '\0';
	for (i = 0; i < resp->rs_nheaders; i++)
		if (strcmp(resp->rs_headers[i].h_name, "Retry-After") == 0)
			snprintf(f->retry_after, sizeof(f->retry_after), "%s",
			    resp->rs_headers[i].h_value);
	api_req_free(req);
}

/* Send a request; its writes wait for run_jobs(). */
static void
send_req(struct fixture *f, enum api_method m, const char *path,
    const char *token, json_t *body)
{
	struct api_req	*req;
	char		 auth[128];

	assert_non_null(req = api_req_new());
	req->rq_method = m;
	assert_non_null(req->rq_path = strdup(path));
	if (body != NULL) {
		assert_non_null(req->rq_ctype = strdup("application/json"));
		assert_non_null(req->rq_body = json_dumps(body, JSON_COMPACT));
		req->rq_body_len = strlen(req->rq_body);
		json_decref(body);
	}
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Bearer %s", token);
		assert_non_null(req->rq_auth = strdup(auth));
	}
	req->rq_start_ns = 1;
	req->rq_reply = capture;
	req->rq_reply_arg = f;
	f->status = 0;
	api_handle(&f->ctx, req);
}

/* Send a request and run the writer: the reply's status. */
static int
call(struct fixture *f, enum api_method m, const char *path,
    const char *token, json_t *body)
{
	send_req(f, m, path, token, body);
	run_jobs(f);
	assert_int_not_equal(f->status, 0);
	return f->status;
}

/* ------------------------------------------------ fixture */

static json_t *
load_survey(const char *name)
{
	char	path[512];

	snprintf(path, sizeof(path), "%s/tests/data/%s", TEST_SRCDIR, name);
	return json_load_file(path, 0, NULL);
}

/* The routes over f->st, with the fixture's limits and writer. */
static int
fixture_api(struct fixture *f)
{
	memset(&f->ctx, 0, sizeof(f->ctx));
	if (api_init(&f->ctx, f->st, http_routes, http_nroutes) != 0)
		return -1;
	f->ctx.ac_limits.al_max_body = 64 << 10;
	f->ctx.ac_limits.al_max_body_batch = 4 << 20;
	f->ctx.ac_limits.al_cors_origins = "";
	f->ctx.ac_submit = queue_job;
	f->ctx.ac_submit_intake = queue_intake_job;
	f->ctx.ac_submit_arg = f;
	return 0;
}

/* A fixture whose store has a map of map_size bytes (0: the default). */
static int
setup_map(void **state, size_t map_size)
{
	struct fixture		*f;
	struct storage_txn	*txn = NULL;
	struct error		 err;
	json_t			*name, *def;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->opts.so_map_size = map_size;
	if (tmpdir_make(f->dir, sizeof(f->dir), "intake") != 0 ||
	    tmpdir_store_open(f->dir, f->state, sizeof(f->state), &f->opts,
	    &f->st) != 0 || fixture_api(f) != 0)
		return -1;
	memset(&err, 0, sizeof(err));
	name = json_pack("{s:s}", "fi", "Toimisto");
	def = load_survey("survey-client.json");
	if (name == NULL || def == NULL ||
	    storage_txn_begin(f->st, true, &txn) != 0 ||
	    units_create(txn, name, 0, false, &f->unit, &err) != 0 ||
	    catalog_create(txn, def, &f->survey, &err) != 0 ||
	    storage_txn_commit(txn) != 0)
		return -1;
	json_decref(name);
	json_decref(def);
	fake_now = NOW;
	fake_today = TODAY;
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_map(state, 0);
}

/* A store of 1 MiB, which a test can fill. */
static int
setup_small(void **state)
{
	return setup_map(state, 1 << 20);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	json_decref(f->body);
	api_fini(&f->ctx);
	storage_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* A collector of kind: its id; the codes (and slug) into *ci_out. */
static uint32_t
collector(struct fixture *f, enum collectors_kind kind, size_t count,
    struct collectors_issue **ci_out)
{
	struct collectors_issue	*ci = NULL;
	struct storage_txn	*txn;
	struct error		 err;
	uint32_t		 id;

	memset(&err, 0, sizeof(err));
	assert_int_equal(collectors_issue_new(f->ctx.ac_hash_key, kind, f->survey,
	    f->unit, count, 0, fake_now, &ci), 0);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(collectors_create(txn, ci, &id, &err), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	*ci_out = ci;
	return id;
}

static void
form_path(const struct collectors_issue *ci, char *buf, size_t len)
{
	snprintf(buf, len, "/api/v1/forms/%s/responses", ci->ci_slug);
}

/* Every value of db as parsed JSON, one call of fn each. */
static size_t
each_value(struct fixture *f, enum storage_db db,
    void (*fn)(const void *key, size_t klen, const char *val, size_t vlen,
    void *arg), void *arg)
{
	struct storage_txn	*txn;
	struct storage_iter	*it;
	const void		*key, *val;
	size_t			 klen, vlen, n = 0;

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(storage_iter_new(txn, db, NULL, 0, &it), 0);
	while (storage_iter_next(it, &key, &klen, &val, &vlen) == 0) {
		fn(key, klen, val, vlen, arg);
		n++;
	}
	storage_iter_free(it);
	storage_txn_abort(txn);
	return n;
}

/* ------------------------------------------------ tests */

struct unlinked {
	const uint8_t	*ul_hash;	/* the burned code's keyed hash */
	const char	*ul_id;		/* the client's id */
	int		 ul_used;
};

static void
check_invitation(const void *key, size_t klen, const char *val, size_t vlen,
    void *arg)
{
	struct unlinked	*ul = arg;
	json_t		*v;

	/* collector | hash("invite", code) -> {"used": bool}, nothing more:
	 * no day, no time, no response key, no order of use. */
	assert_int_equal(klen, 4 + AUTH_HASH_BYTES);
	assert_non_null(v = json_loadb(val, vlen, 0, NULL));
	assert_int_equal(json_object_size(v), 1);
	assert_true(json_is_boolean(json_object_get(v, "used")));
	if (json_is_true(json_object_get(v, "used"))) {
		ul->ul_used++;
		assert_memory_equal((const uint8_t *)key + 4, ul->ul_hash,
		    AUTH_HASH_BYTES);
	}
	json_decref(v);
}

static void
check_response(const void *key, size_t klen, const char *val, size_t vlen,
    void *arg)
{
	static const char *const allowed[] = {
		"survey", "version", "unit", "owner", "collector", "day",
		"lang", "answers", NULL
	};
	struct unlinked	*ul = arg;
	char		 hex[2 * AUTH_HASH_BYTES + 1];
	const char	*k;
	json_t		*v, *x;
	size_t		 i;

	assert_int_equal(klen, STORAGE_RESPONSE_KEYLEN);
	assert_non_null(v = json_loadb(val, vlen, 0, NULL));
	json_object_foreach(v, k, x) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], k) == 0)
				break;
		if (allowed[i] == NULL)
			fail_msg("a response record holds '%s'", k);
	}
	assert_int_equal(json_object_size(v), 8);
	assert_string_equal(json_string_value(json_object_get(v, "collector")),
	    "invitation");
	assert_string_equal(json_string_value(json_object_get(v, "day")),
	    "2024-03-15");
	/* No trace of the code or the client's id, in any encoding. */
	sodium_bin2hex(hex, sizeof(hex), ul->ul_hash, AUTH_HASH_BYTES);
	assert_null(memmem(val, vlen, hex, strlen(hex)));
	assert_null(memmem(val, vlen, ul->ul_hash, AUTH_HASH_BYTES));
	assert_null(memmem(val, vlen, ul->ul_id, strlen(ul->ul_id)));
	json_decref(v);
}

static void
check_idem(const void *key, size_t klen, const char *val, size_t vlen,
    void *arg)
{
	const struct unlinked	*ul = arg;
	const uint8_t		*k = key;

	/* A day, the commit's random tag, and keyed hashes only. */
	assert_int_equal(klen, IDEM_REC_KEYLEN);
	assert_int_equal(k[0], IDEM_REC_TAG);
	assert_int_equal((uint32_t)k[1] << 24 | (uint32_t)k[2] << 16 |
	    (uint32_t)k[3] << 8 | k[4], 19797);	/* 2024-03-15 */
	assert_int_equal(vlen, IDEM_HASH_BYTES);
	assert_null(memmem(val, vlen, ul->ul_hash, AUTH_HASH_BYTES));
	assert_null(memmem(val, vlen, ul->ul_id, strlen(ul->ul_id)));
}

static void
test_invitation_is_not_linked(void **state)
{
	struct fixture		*f = *state;
	struct collectors_issue	*ci = NULL;
	struct unlinked		 ul;
	char			 path[128];
	const char		*id = "inv-0001-7c2e";

	collector(f, COLLECTORS_INVITATION, 4, &ci);
	form_path(ci, path, sizeof(path));
	assert_int_equal(call(f, API_POST, path, NULL, json_pack(
	    "{s:s, s:s, s:s, s:{s:i, s:s}}", "id", id, "lang", "fi",
	    "invitation", collectors_issue_code(ci, 2), "answers", "visit", 4,
	    "comment", "Soitin numeroon 040 123 4567")), 201);
	/* The code is used now. */
	assert_int_equal(call(f, API_POST, path, NULL, json_pack(
	    "{s:s, s:s, s:s, s:{s:i}}", "id", "inv-0002-7c2e", "lang", "fi",
	    "invitation", collectors_issue_code(ci, 2), "answers", "visit",
	    2)), 409);

	ul.ul_hash = ci->ci_hashes + 2 * AUTH_HASH_BYTES;
	ul.ul_id = id;
	ul.ul_used = 0;
	assert_int_equal(each_value(f, STORAGE_DB_INVITATIONS,
	    check_invitation, &ul), 4);
	assert_int_equal(ul.ul_used, 1);
	assert_int_equal(each_value(f, STORAGE_DB_RESPONSES, check_response,
	    &ul), 1);
	assert_int_equal(each_value(f, STORAGE_DB_IDEMPOTENCY, check_idem,
	    &ul), 1);
	collectors_issue_free(ci);
}

/*
 * A round issued before codes had a check symbol: its record has no
 * "code_check" and its codes are 12 symbols, hashed as such. They keep
 * working as they were printed; a code of the new shape is not one of
 * them.
 */
static void
test_invitation_round_before_check_symbols(void **state)
{
	struct fixture		*f = *state;
	struct collectors_issue	*ci = NULL;
	struct storage_txn	*txn;
	uint8_t			 h[AUTH_HASH_BYTES], key[4 + AUTH_HASH_BYTES];
	char			 path[128], form[128];
	json_t			*rec = NULL, *ent;
	uint32_t		 id;

	id = collector(f, COLLECTORS_INVITATION, 1, &ci);
	form_path(ci, path, sizeof(path));
	snprintf(form, sizeof(form), "/api/v1/forms/%s", ci->ci_slug);
	/* As the round's record and one of its codes were written then. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(collectors_get(txn, id, &rec), 0);
	assert_true(json_is_true(json_object_get(rec, "code_check")));
	assert_int_equal(json_object_del(rec, "code_check"), 0);
	assert_int_equal(rec_put(txn, STORAGE_DB_COLLECTORS, id, rec), 0);
	assert_int_equal(collectors_invite_hash(f->ctx.ac_hash_key, false,
	    "ABCD-EFGH-JKMN", h), 0);
	rec_key(id, key);
	memcpy(key + 4, h, AUTH_HASH_BYTES);
	assert_non_null(ent = json_pack("{s:b}", "used", 0));
	assert_int_equal(rec_put_key(txn, STORAGE_DB_INVITATIONS, key,
	    sizeof(key), ent, 0), 0);
	json_decref(ent);
	assert_int_equal(storage_txn_commit(txn), 0);

	assert_int_equal(call(f, API_GET, form, NULL, NULL), 200);
	assert_true(json_is_true(json_object_get(f->body,
	    "invitation_required")));
	assert_true(json_is_false(json_object_get(f->body,
	    "invitation_check")));
	/* The new shape is not this round's: refused as text. */
	assert_int_equal(call(f, API_POST, path, NULL, json_pack(
	    "{s:s, s:s, s:s, s:{s:i}}", "id", "old-0001", "lang", "fi",
	    "invitation", collectors_issue_code(ci, 0), "answers", "visit",
	    4)), 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    f->body, "error"), "field")), "invitation");
	/* The old code, typed as people type. */
	assert_int_equal(call(f, API_POST, path, NULL, json_pack(
	    "{s:s, s:s, s:s, s:{s:i}}", "id", "old-0002", "lang", "fi",
	    "invitation", "abcd efgh jkmn", "answers", "visit", 4)), 201);
	assert_int_equal(call(f, API_POST, path, NULL, json_pack(
	    "{s:s, s:s, s:s, s:{s:i}}", "id", "old-0003", "lang", "fi",
	    "invitation", "ABCDEFGHJKMN", "answers", "visit", 4)), 409);
	json_decref(rec);
	collectors_issue_free(ci);
}

/* The status and whole body of a submission with invitation code. */
static int
submit_code(struct fixture *f, const char *path, const char *code,
    const char *id, char **body_out)
{
	int	st;

	st = call(f, API_POST, path, NULL, json_pack(
	    "{s:s, s:s, s:s, s:{s:i}}", "id", id, "lang", "fi",
	    "invitation", code, "answers", "visit", 4));
	*body_out = json_dumps(f->body, JSON_COMPACT | JSON_SORT_KEYS);
	return st;
}

/*
 * Fill the store's map with values of META until a put or its commit
 * finds no room (LMDB's map full: -ENOSPC): the writes of a submission
 * then find none either.
 */
static void
fill_store(struct fixture *f)
{
	struct storage_txn	*txn;
	char			 key[32];
	static char		 val[16 << 10];
	size_t			 size;
	unsigned		 i = 0;
	int			 rc;

	memset(val, 'x', sizeof(val));
	/* Big values first, then small ones for the last pages. */
	for (size = sizeof(val); size >= 64; size /= 4) {
		do {
			snprintf(key, sizeof(key), "filler-%u", i++);
			assert_int_equal(storage_txn_begin(f->st, true, &txn),
			    0);
			rc = storage_put(txn, STORAGE_DB_META, key,
			    strlen(key), val, size, 0);
			if (rc == 0)
				rc = storage_txn_commit(txn);
			else
				storage_txn_abort(txn);
			assert_true(rc == 0 || rc == -ENOSPC);
		} while (rc == 0);
	}
}

/* The store opened again with a map of map_size bytes, and its routes. */
static void
reopen_store(struct fixture *f, size_t map_size)
{
	api_fini(&f->ctx);
	storage_close(f->st);
	f->opts.so_map_size = map_size;
	f->opts.so_create = false;
	assert_int_equal(storage_open(&f->opts, &f->st), 0);
	assert_int_equal(fixture_api(f), 0);
}

/*
 * The code is burned last: a submission the store cannot take (its map
 * full) is refused the same way for an unused, a used and an unknown
 * code, so a full store is no way to learn which codes were used; and
 * the unused code is still good once there is room again.
 */
static void
test_invitation_burned_after_everything_else(void **state)
{
	struct fixture		*f = *state;
	struct collectors_issue	*ci = NULL;
	char			 path[128], *unused = NULL, *used = NULL;
	char			*unknown = NULL;

	collector(f, COLLECTORS_INVITATION, 2, &ci);
	form_path(ci, path, sizeof(path));
	assert_int_equal(call(f, API_POST, path, NULL, json_pack(
	    "{s:s, s:s, s:s, s:{s:i}}", "id", "full-0000", "lang", "fi",
	    "invitation", collectors_issue_code(ci, 1), "answers", "visit",
	    4)), 201);
	fill_store(f);
	assert_int_equal(submit_code(f, path, collectors_issue_code(ci, 0),
	    "full-0001", &unused), 507);
	assert_int_equal(submit_code(f, path, collectors_issue_code(ci, 1),
	    "full-0001", &used), 507);
	/* Of the right shape, its check symbol right, never issued. */
	assert_int_equal(submit_code(f, path, "ABCD-EFGH-JKMN3",
	    "full-0001", &unknown), 507);
	assert_string_equal(used, unused);
	assert_string_equal(unknown, unused);
	free(unused);
	free(used);
	free(unknown);
	/* Room again, as after an administrator raised the map size. */
	reopen_store(f, 8 << 20);
	assert_int_equal(submit_code(f, path, collectors_issue_code(ci, 0),
	    "full-0002", &unused), 201);
	assert_int_equal(submit_code(f, path, collectors_issue_code(ci, 1),
	    "full-0003", &used), 409);
	free(unused);
	free(used);
	collectors_issue_free(ci);
}

/* A new round's codes: 13 symbols whose check holds, as text. */
static void
test_invitation_hash_shapes(void **state)
{
	struct fixture		*f = *state;
	uint8_t			 a[AUTH_HASH_BYTES], b[AUTH_HASH_BYTES];
	const uint8_t		*key = f->ctx.ac_hash_key;

	assert_int_equal(collectors_invite_hash(key, true, "ABCD-EFGH-JKMN3",
	    a), 0);
	assert_int_equal(collectors_invite_hash(key, true, " abcdefgh jkmn3",
	    b), 0);
	assert_memory_equal(a, b, sizeof(a));
	/* One symbol wrong, two swapped: a typing error. */
	assert_int_equal(collectors_invite_hash(key, true, "ABCD-EFGH-JKMN4",
	    a), -EILSEQ);
	assert_int_equal(collectors_invite_hash(key, true, "ABCD-EFHG-JKMN3",
	    a), -EILSEQ);
	/* Another shape altogether. */
	assert_int_equal(collectors_invite_hash(key, true, "ABCD-EFGH-JKMN",
	    a), -EINVAL);
	assert_int_equal(collectors_invite_hash(key, true, "ABCD-EFGH-JKM03",
	    a), -EINVAL);
	assert_int_equal(collectors_invite_hash(key, false, "ABCD-EFGH-JKMN3",
	    a), -EINVAL);
	/* Enrollment codes are another purpose. */
	assert_int_equal(collectors_code_hash(key, COLLECTORS_PURPOSE_INVITE,
	    "ABCD-EFGH-JKMN", a), -EINVAL);
}

/* The record's answers: scrubbed, in the survey's language. */
static void
check_scrubbed(const void *key, size_t klen, const char *val, size_t vlen,
    void *arg)
{
	json_t		*v;
	const char	*c;

	assert_non_null(v = json_loadb(val, vlen, 0, NULL));
	c = json_string_value(json_object_get(json_object_get(v, "answers"),
	    "comment"));
	if (c != NULL)
		assert_null(strstr(c, "123 4567"));
	json_decref(v);
}

static void
test_comments_are_scrubbed_before_storing(void **state)
{
	struct fixture		*f = *state;
	struct collectors_issue	*ci = NULL;
	char			 path[128];

	collector(f, COLLECTORS_LINK, 0, &ci);
	form_path(ci, path, sizeof(path));
	assert_int_equal(call(f, API_POST, path, NULL, json_pack(
	    "{s:s, s:s, s:{s:i, s:s}}", "id", "scrub-0001", "lang", "fi",
	    "answers", "visit", 4, "comment", "Soita 040 123 4567 tai "
	    "maija@example.fi")), 201);
	assert_int_equal(each_value(f, STORAGE_DB_RESPONSES, check_scrubbed,
	    NULL), 1);
	collectors_issue_free(ci);
}

/* Enroll a kiosk: its device token into token. */
static void
enroll(struct fixture *f, char token[64])
{
	struct collectors_issue	*ci = NULL;

	collector(f, COLLECTORS_KIOSK, 0, &ci);
	assert_int_equal(call(f, API_POST, "/api/v1/kiosk/enroll", NULL,
	    json_pack("{s:s}", "code", collectors_issue_code(ci, 0))), 201);
	snprintf(token, 64, "%s", json_string_value(json_object_get(f->body,
	    "device_token")));
	collectors_issue_free(ci);
}

static void
test_day_window_edges(void **state)
{
	struct fixture	*f = *state;
	struct cells_id	 cid;
	struct cell	*c = NULL;
	struct storage_txn *txn;
	char		 token[64];
	json_t		*res;
	static const struct {
		const char	*day;
		int		 status;
	} cases[] = {
		{ "2024-03-01", 201 },	/* 14 days ago: the oldest taken */
		{ "2024-02-29", 422 },	/* 15 days ago */
		{ "2024-03-15", 201 },
		{ "2024-03-16", 201 },	/* a local date ahead of UTC */
		{ "2024-03-17", 422 },	/* the future */
		{ "2023-03-15", 422 },
	};
	size_t		 i;

	enroll(f, token);
	assert_non_null(res = json_array());
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char	id[32];

		snprintf(id, sizeof(id), "edge-case-%zu", i);
		json_array_append_new(res, json_pack("{s:s, s:s, s:s, s:{s:i}}",
		    "id", id, "day", cases[i].day, "lang", "sv", "answers",
		    "visit", 5));
	}
	assert_int_equal(call(f, API_POST, "/api/v1/kiosk/responses", token,
	    json_pack("{s:o}", "responses", res)), 200);
	res = json_object_get(f->body, "results");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(json_integer_value(json_object_get(
		    json_array_get(res, i), "status")), cases[i].status);
	/* Monthly cells: February's and March's. */
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	cid.ci_survey = f->survey;
	cid.ci_version = 1;
	cid.ci_unit = f->unit;
	cid.ci_bucket = (uint32_t)util_days_from_civil(2024, 3, 1);
	assert_int_equal(cells_get(txn, &cid, &c), 0);
	assert_int_equal(c->c_n, 3);
	cell_free(c);
	cid.ci_bucket = (uint32_t)util_days_from_civil(2024, 2, 1);
	assert_int_equal(cells_get(txn, &cid, &c), -ENOENT);
	storage_txn_abort(txn);
}

/* The released n of the unit's March 2024 cell, and its live n. */
static void
march_cell(struct fixture *f, uint32_t *live_n, uint32_t *rel_n)
{
	struct storage_txn	*txn = NULL;
	struct cells_id		 cid;
	struct cell		*live = NULL, *rel = NULL;

	cid.ci_survey = f->survey;
	cid.ci_version = 1;
	cid.ci_unit = f->unit;
	cid.ci_bucket = (uint32_t)util_days_from_civil(2024, 3, 1);
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(cells_get_pair(txn, &cid, &live, &rel), 0);
	storage_txn_abort(txn);
	assert_non_null(rel);
	*live_n = live->c_n;
	*rel_n = rel->c_n;
	cell_free(live);
	cell_free(rel);
}

/* n responses in one kiosk batch, ids released-prefix-0.. */
static void
kiosk_batch(struct fixture *f, const char *token, const char *prefix,
    unsigned n)
{
	json_t		*res;
	char		 id[32];
	unsigned	 i;

	assert_non_null(res = json_array());
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "released-%s-%u", prefix, i);
		json_array_append_new(res, json_pack("{s:s, s:s, s:s, s:{s:i}}",
		    "id", id, "day", "2024-03-10", "lang", "fi", "answers",
		    "visit", 4));
	}
	assert_int_equal(call(f, API_POST, "/api/v1/kiosk/responses", token,
	    json_pack("{s:o}", "responses", res)), 200);
	assert_int_equal(json_integer_value(json_object_get(f->body,
	    "stored")), n);
}

/*
 * The writer steps a cell's released state in the transaction that
 * stores a response: nothing of the first k-1 (min_group 5), all five at
 * the fifth, and the sixth is held back again.
 */
static void
test_released_in_steps(void **state)
{
	struct fixture	*f = *state;
	char		 token[64];
	uint32_t	 live, rel;

	enroll(f, token);
	kiosk_batch(f, token, "a", 4);
	march_cell(f, &live, &rel);
	assert_int_equal(live, 4);
	assert_int_equal(rel, 0);
	kiosk_batch(f, token, "b", 1);
	march_cell(f, &live, &rel);
	assert_int_equal(live, 5);
	assert_int_equal(rel, 5);
	kiosk_batch(f, token, "c", 1);
	march_cell(f, &live, &rel);
	assert_int_equal(live, 6);
	assert_int_equal(rel, 5);
}

/* n responses with a comment in one kiosk batch, ids texts-prefix-0.. */
static void
kiosk_texts(struct fixture *f, const char *token, const char *prefix,
    unsigned n)
{
	json_t		*res;
	char		 id[32], text[32];
	unsigned	 i;

	assert_non_null(res = json_array());
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "texts-%s-%u", prefix, i);
		snprintf(text, sizeof(text), "%s %u", prefix, i);
		json_array_append_new(res, json_pack("{s:s, s:s, s:s, "
		    "s:{s:i, s:s}}", "id", id, "day", "2024-03-10", "lang",
		    "fi", "answers", "visit", 4, "comment", text));
	}
	assert_int_equal(call(f, API_POST, "/api/v1/kiosk/responses", token,
	    json_pack("{s:o}", "responses", res)), 200);
	assert_int_equal(json_integer_value(json_object_get(f->body,
	    "stored")), n);
}

static void
ignore_value(const void *key, size_t klen, const char *val, size_t vlen,
    void *arg)
{
	(void)key;
	(void)klen;
	(void)val;
	(void)vlen;
	(void)arg;
}

static int
count_text(const struct comments_id *id, const char *text, const char *lang,
    void *arg)
{
	(void)id;
	assert_string_equal(lang, "fi");
	assert_non_null(strstr(text, "mielipide"));
	(*(size_t *)arg)++;
	return 0;
}

/* The texts of the survey's completed steps of comments. */
static size_t
released_texts(struct fixture *f)
{
	struct storage_txn	*txn = NULL;
	size_t			 n = 0;

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(comments_each(txn, f->survey, 0, UINT32_MAX,
	    count_text, &n), 0);
	storage_txn_abort(txn);
	return n;
}

/*
 * Comments step in the transaction that stores them (min_group_comments
 * 10): responses without a text leave the index alone, nine texts show
 * none, the tenth shows all ten, and the eleventh is held back again.
 */
static void
test_comments_in_steps(void **state)
{
	struct fixture	*f = *state;
	char		 token[64];

	enroll(f, token);
	kiosk_batch(f, token, "plain", 3);
	assert_int_equal(each_value(f, STORAGE_DB_COMMENTS, ignore_value,
	    NULL), 0);
	kiosk_texts(f, token, "mielipide", 9);
	assert_int_equal(released_texts(f), 0);
	/* One pending entry: the group of the unit's March, "comment". */
	assert_int_equal(each_value(f, STORAGE_DB_COMMENTS, ignore_value,
	    NULL), 1);
	kiosk_texts(f, token, "mielipide-b", 1);
	assert_int_equal(released_texts(f), 10);
	assert_int_equal(each_value(f, STORAGE_DB_COMMENTS, ignore_value,
	    NULL), 2);
	kiosk_texts(f, token, "mielipide-c", 1);
	kiosk_batch(f, token, "plain-b", 2);
	assert_int_equal(released_texts(f), 10);
}

/*
 * Two steps and a text left over in one commit: the commit's texts are
 * added one by one to the group's pending entry, which is read and
 * written once.
 */
static void
test_comments_two_steps_in_one_commit(void **state)
{
	struct fixture	*f = *state;
	char		 token[64];

	enroll(f, token);
	kiosk_texts(f, token, "mielipide", 21);
	assert_int_equal(released_texts(f), 20);
	/* Steps 0 and 1 and the pending entry. */
	assert_int_equal(each_value(f, STORAGE_DB_COMMENTS, ignore_value,
	    NULL), 3);
	kiosk_texts(f, token, "mielipide-b", 9);
	assert_int_equal(released_texts(f), 30);
}

/* What a job that is not intake's found in its batch's transaction. */
struct peek {
	struct fixture	*pk_f;
	uint32_t	 pk_live;
	size_t		 pk_records;
	size_t		 pk_texts;
	bool		 pk_done;
};

static int
peek_texts(const struct comments_id *id, const char *text, const char *lang,
    void *arg)
{
	(void)id;
	(void)text;
	(void)lang;
	(*(size_t *)arg)++;
	return 0;
}

static int
peek_apply(struct storage_txn *txn, void *arg)
{
	struct peek		*pk = arg;
	struct storage_iter	*it = NULL;
	struct cells_id		 cid;
	struct cell		*live = NULL;
	const void		*key, *val;
	size_t			 klen, vlen;

	cid.ci_survey = pk->pk_f->survey;
	cid.ci_version = 1;
	cid.ci_unit = pk->pk_f->unit;
	cid.ci_bucket = (uint32_t)util_days_from_civil(2024, 3, 1);
	if (cells_get(txn, &cid, &live) == 0)
		pk->pk_live = live->c_n;
	cell_free(live);
	assert_int_equal(storage_response_iter(txn, pk->pk_f->survey, 0,
	    UINT32_MAX, &it), 0);
	while (storage_iter_next(it, &key, &klen, &val, &vlen) == 0)
		pk->pk_records++;
	storage_iter_free(it);
	assert_int_equal(comments_each(txn, pk->pk_f->survey, 0, UINT32_MAX,
	    peek_texts, &pk->pk_texts), 0);
	return 0;
}

static void
peek_done(int rc, void *arg)
{
	struct peek	*pk = arg;

	assert_int_equal(rc, 0);
	pk->pk_done = true;
}

/*
 * A commit's responses are checked in their jobs and written at the
 * flush: a job of the same batch that is not intake's runs after the
 * flush and finds them stored, counted and their texts stepped; the
 * commit then writes nothing of them again.
 */
static void
test_batch_writes_before_other_jobs(void **state)
{
	struct fixture	*f = *state;
	struct peek	 pk;
	json_t		*res;
	char		 token[64], id[32];
	uint32_t	 live, rel;
	unsigned	 i;

	enroll(f, token);
	memset(&pk, 0, sizeof(pk));
	pk.pk_f = f;
	assert_non_null(res = json_array());
	for (i = 0; i < 12; i++) {
		snprintf(id, sizeof(id), "peek-job-%u", i);
		json_array_append_new(res, json_pack("{s:s, s:s, s:s, "
		    "s:{s:i, s:s}}", "id", id, "day", "2024-03-10", "lang",
		    "fi", "answers", "visit", 4, "comment", "mielipide"));
	}
	send_req(f, API_POST, "/api/v1/kiosk/responses", token,
	    json_pack("{s:o}", "responses", res));
	assert_int_equal(queue_job(f, peek_apply, peek_done, &pk), 0);
	run_jobs(f);
	assert_int_equal(f->status, 200);
	assert_int_equal(json_integer_value(json_object_get(f->body,
	    "stored")), 12);
	assert_true(pk.pk_done);
	assert_int_equal(pk.pk_live, 12);
	assert_int_equal(pk.pk_records, 12);
	assert_int_equal(pk.pk_texts, 10);
	/*
	 * Stepped after each response (k 5): at the fifth and the tenth,
	 * so 10, not the 12 that adding the commit's responses at once
	 * would release.
	 */
	march_cell(f, &live, &rel);
	assert_int_equal(live, 12);
	assert_int_equal(rel, 10);
	assert_int_equal(released_texts(f), 10);
	assert_int_equal(each_value(f, STORAGE_DB_RESPONSES, ignore_value,
	    NULL), 12);
}

/*
 * On 2024-03-05 the window reaches back into February. A survey that keeps
 * responses for one month keeps March's only: February's are refused and
 * leave nothing behind, while the fixture's survey (24 months) takes them.
 */
static void
test_day_before_retention(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	struct storage_iter	*it;
	struct error		 err;
	struct cells_id		 cid;
	struct cell		*c = NULL;
	const void		*k, *v;
	size_t			 kl, vl;
	char			 token[64], ltoken[64];
	uint32_t		 longer = f->survey, shorter;
	json_t			*def, *res;

	fake_today = util_days_from_civil(2024, 3, 5);
	assert_non_null(def = load_survey("survey-client.json"));
	json_object_set_new(def, "slug", json_string("kuukausi"));
	json_integer_set(json_object_get(json_object_get(def, "privacy"),
	    "retention_months"), 1);
	memset(&err, 0, sizeof(err));
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(catalog_create(txn, def, &shorter, &err), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	json_decref(def);
	enroll(f, ltoken);
	f->survey = shorter;
	enroll(f, token);

	assert_int_equal(call(f, API_POST, "/api/v1/kiosk/responses", token,
	    json_pack("{s:[{s:s, s:s, s:s, s:{s:i}}, {s:s, s:s, s:s, s:{s:i}}]}",
	    "responses",
	    "id", "month-before-1", "day", "2024-02-29", "lang", "fi",
	    "answers", "visit", 4,
	    "id", "month-itself-1", "day", "2024-03-01", "lang", "fi",
	    "answers", "visit", 4)), 200);
	res = json_object_get(f->body, "results");
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(res, 0), "status")), 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_array_get(res, 0), "error"), "field")), "day");
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(res, 1), "status")), 201);
	assert_int_equal(call(f, API_POST, "/api/v1/kiosk/responses", ltoken,
	    json_pack("{s:[{s:s, s:s, s:s, s:{s:i}}]}", "responses",
	    "id", "month-before-2", "day", "2024-02-29", "lang", "fi",
	    "answers", "visit", 4)), 200);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(f->body, "results"), 0), "status")), 201);

	/* Nothing of the refused one: no response, no February cell. */
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(storage_response_iter(txn, shorter,
	    (uint32_t)util_days_from_civil(2024, 2, 1),
	    (uint32_t)util_days_from_civil(2024, 2, 29), &it), 0);
	assert_int_equal(storage_iter_next(it, &k, &kl, &v, &vl), -ENOENT);
	storage_iter_free(it);
	cid.ci_survey = shorter;
	cid.ci_version = 1;
	cid.ci_unit = f->unit;
	cid.ci_bucket = (uint32_t)util_days_from_civil(2024, 2, 1);
	assert_int_equal(cells_get(txn, &cid, &c), -ENOENT);
	cid.ci_survey = longer;
	assert_int_equal(cells_get(txn, &cid, &c), 0);
	assert_int_equal(c->c_n, 1);
	cell_free(c);
	storage_txn_abort(txn);
}

static void
test_expired_enrollment_code(void **state)
{
	struct fixture		*f = *state;
	struct collectors_issue	*ci = NULL;
	json_t			*body;

	collector(f, COLLECTORS_KIOSK, 0, &ci);
	body = json_pack("{s:s}", "code", collectors_issue_code(ci, 0));
	/* A second past its 24 hours. */
	fake_now = NOW + COLLECTORS_ENROLL_TTL;
	assert_int_equal(call(f, API_POST, "/api/v1/kiosk/enroll", NULL,
	    json_incref(body)), 410);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    f->body, "error"), "code")), "gone");
	/* Within them it works, once. */
	fake_now = NOW + COLLECTORS_ENROLL_TTL - 1;
	assert_int_equal(call(f, API_POST, "/api/v1/kiosk/enroll", NULL,
	    json_incref(body)), 201);
	assert_int_equal(call(f, API_POST, "/api/v1/kiosk/enroll", NULL,
	    json_incref(body)), 410);
	json_decref(body);
	collectors_issue_free(ci);
}

static void
test_two_enrollments_race_for_one_code(void **state)
{
	struct fixture		*f = *state;
	struct collectors_issue	*ci = NULL;
	struct api_req		*req[2];
	int			 i;

	collector(f, COLLECTORS_KIOSK, 0, &ci);
	/* Both pass the check on the loop before either is written. */
	for (i = 0; i < 2; i++) {
		assert_non_null(req[i] = api_req_new());
		req[i]->rq_method = API_POST;
		req[i]->rq_path = strdup("/api/v1/kiosk/enroll");
		req[i]->rq_ctype = strdup("application/json");
		assert_true(asprintf(&req[i]->rq_body, "{\"code\":\"%s\"}",
		    collectors_issue_code(ci, 0)) > 0);
		req[i]->rq_body_len = strlen(req[i]->rq_body);
		req[i]->rq_reply = capture;
		req[i]->rq_reply_arg = f;
		api_handle(&f->ctx, req[i]);
	}
	assert_int_equal(f->njobs, 2);
	run_jobs(f);
	/* The last reply is the loser's. */
	assert_int_equal(f->status, 410);
	collectors_issue_free(ci);
}

static void
test_survey_edited_between_check_and_write(void **state)
{
	struct fixture		*f = *state;
	struct collectors_issue	*ci = NULL;
	struct storage_txn	*txn;
	struct api_req		*req;
	uint8_t			 key[CATALOG_KEYLEN];
	json_t			*def;
	char			 path[128];

	collector(f, COLLECTORS_LINK, 0, &ci);
	form_path(ci, path, sizeof(path));
	assert_non_null(req = api_req_new());
	req->rq_method = API_POST;
	req->rq_path = strdup(path);
	req->rq_ctype = strdup("application/json");
	req->rq_body = strdup("{\"id\":\"edit-0001\",\"lang\":\"fi\","
	    "\"answers\":{\"visit\":3,\"reason\":\"advice\"}}");
	req->rq_body_len = strlen(req->rq_body);
	req->rq_reply = capture;
	req->rq_reply_arg = f;
	api_handle(&f->ctx, req);
	/* The response's job (and the day's sweep of old ids). */
	assert_int_equal(f->njobs, 2);
	/* An admin rewrites version 1 in place (it has no responses yet):
	 * the option "advice" is gone. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(catalog_definition(txn, f->survey, 1, &def, NULL), 0);
	json_array_remove(json_object_get(json_array_get(json_object_get(def,
	    "questions"), 1), "options"), 1);
	rec_key(f->survey, key);
	rec_key(1, key + 4);
	assert_int_equal(rec_put_key(txn, STORAGE_DB_SURVEYS, key, sizeof(key),
	    def, 0), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	json_decref(def);
	run_jobs(f);
	assert_int_equal(f->status, 409);
	/* Nothing was stored; sent again it is checked against the edit. */
	assert_int_equal(call(f, API_POST, path, NULL, json_loads(
	    "{\"id\":\"edit-0001\",\"lang\":\"fi\",\"answers\":{\"visit\":3,"
	    "\"reason\":\"advice\"}}", 0, NULL)), 422);
	assert_int_equal(call(f, API_POST, path, NULL, json_loads(
	    "{\"id\":\"edit-0001\",\"lang\":\"fi\",\"answers\":{\"visit\":3,"
	    "\"reason\":\"benefits\"}}", 0, NULL)), 201);
	collectors_issue_free(ci);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_invitation_round_before_check_symbols, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_invitation_hash_shapes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_invitation_burned_after_everything_else, setup_small,
		    teardown),
		cmocka_unit_test_setup_teardown(test_invitation_is_not_linked,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_comments_are_scrubbed_before_storing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_day_window_edges, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_day_before_retention, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_comments_two_steps_in_one_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_batch_writes_before_other_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_comments_in_steps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_released_in_steps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expired_enrollment_code,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_two_enrollments_race_for_one_code, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_survey_edited_between_check_and_write, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
