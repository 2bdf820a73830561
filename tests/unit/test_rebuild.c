/*
 * test_rebuild.c — palautectl rebuild on a real store in a temporary
 * directory: wrong cells are rewritten from the records, missing ones
 * created, and the cells retention left behind (months purged or due,
 * cells no record counts any more) kept as they are; a dry run writes
 * nothing; a record that fits no version is skipped and reported. The
 * released state: given once to a store written before it, kept by
 * rebuild as history, checked by verify.
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

#include "common/util.h"
#include "core/catalog.h"
#include "core/cell.h"
#include "core/cells.h"
#include "core/rebuild.h"
#include "core/release.h"
#include "core/survey.h"
#include "core/units.h"
#include "core/verify.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

#define D(y, m, d)	util_days_from_civil((y), (m), (d))

struct fx {
	char		 dir[512];
	struct storage	*st;
	uint32_t	 survey;
	uint32_t	 unit;
};

static const char survey_def[] =
    "{\"title\": {\"fi\": \"T\"}, \"audience\": \"client\","
    " \"languages\": [\"fi\"], \"questions\": ["
    "  {\"id\": \"s\", \"type\": \"smiley\", \"required\": true,"
    "   \"text\": {\"fi\": \"S\"}},"
    "  {\"id\": \"t\", \"type\": \"text\", \"text\": {\"fi\": \"T\"}}],"
    " \"privacy\": {\"controller\": {\"fi\": \"C\"}, \"purpose\": {\"fi\":"
    "  \"P\"}, \"contact\": \"c@example.org\", \"retention_months\": 3,"
    "  \"voluntary\": true, \"anonymous\": true}, \"period\": \"month\"}";

static int
setup(void **state)
{
	struct storage_opts	 so;
	struct storage_txn	*txn = NULL;
	struct error		 err;
	struct fx		*f;
	json_t			*def, *name;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(tmpdir_make(f->dir, sizeof(f->dir), "rebuild"), 0);
	memset(&so, 0, sizeof(so));
	so.so_dir = f->dir;
	so.so_map_size = (size_t)64 << 20;
	so.so_create = true;
	assert_int_equal(storage_open(&so, &f->st), 0);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	def = json_loads(survey_def, 0, NULL);
	name = json_pack("{s:s}", "fi", "Yksikkö");
	memset(&err, 0, sizeof(err));
	assert_int_equal(catalog_create(txn, def, &f->survey, &err), 0);
	assert_int_equal(units_create(txn, name, 0, false, &f->unit, &err), 0);
	json_decref(def);
	json_decref(name);
	assert_int_equal(storage_txn_commit(txn), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	storage_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* n records on day, as intake writes them, with face `face`. */
static void
put_records(struct fx *f, int64_t day, unsigned n, unsigned face,
    bool comment)
{
	struct storage_txn	*txn = NULL;
	char			 rec[256], date[16];
	unsigned		 i;
	int			 len;

	assert_int_equal(util_format_date(day, date, sizeof(date)), 0);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	for (i = 0; i < n; i++) {
		len = snprintf(rec, sizeof(rec), "{\"survey\":%u,\"version\":1,"
		    "\"unit\":%u,\"collector\":\"kiosk\",\"day\":\"%s\","
		    "\"lang\":\"fi\",\"answers\":{\"s\":%u%s}}", f->survey,
		    f->unit, date, face, comment ? ",\"t\":\"ok\"" : "");
		assert_int_equal(storage_response_put(txn, f->survey,
		    (uint32_t)day, rec, (size_t)len), 0);
	}
	assert_int_equal(storage_txn_commit(txn), 0);
}

static struct cells_id
cid(struct fx *f, int64_t bucket)
{
	struct cells_id	id = { f->survey, 1, f->unit, (uint32_t)bucket };

	return id;
}

/* A stored cell of n responses, all with face 1 (so it differs). */
static void
put_cell(struct fx *f, int64_t bucket, unsigned n)
{
	static const unsigned	 shape[2] = { 5, 1 };
	static const uint8_t	 slot0 = 0;
	struct cell_answer	 ans[2] = { { true, &slot0, 1 },
				    { false, NULL, 0 } };
	struct storage_txn	*txn = NULL;
	struct cells_id		 id = cid(f, bucket);
	struct cell		*c = cell_new(2, shape);
	unsigned		 i;

	assert_non_null(c);
	for (i = 0; i < n; i++)
		assert_int_equal(cell_add(c, ans, 2), 0);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(cells_put(txn, &id, c, NULL), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	cell_free(c);
}

/* The stored cell's n and its count of face `face`; n 0 if none. */
static void
get_cell(struct fx *f, int64_t bucket, uint32_t *n, uint32_t *face_count,
    unsigned face)
{
	struct storage_txn	*txn = NULL;
	struct cells_id		 id = cid(f, bucket);
	struct cell		*c = NULL;
	int			 rc;

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	rc = cells_get(txn, &id, &c);
	storage_txn_abort(txn);
	if (rc == -ENOENT) {
		*n = *face_count = 0;
		return;
	}
	assert_int_equal(rc, 0);
	*n = c->c_n;
	*face_count = cell_hist(c, 0)[face - 1];
	cell_free(c);
}

static unsigned notes;

static void
note(const char *line, void *arg)
{
	(void)arg;
	/* Never an answer or a comment in a note. */
	assert_null(strstr(line, "\"ok\""));
	notes++;
}

static void
test_rules(void **state)
{
	struct fx		*f = *state;
	struct rebuild_report	 r;
	struct storage_txn	*txn = NULL;
	uint32_t		 n, k;
	int64_t			 today = D(2024, 6, 15);
	char			 bad[128];
	int			 len;

	/* retention 3 months on 2024-06-15: April is the first kept. */
	put_records(f, D(2024, 3, 10), 2, 4, false);	/* due */
	put_cell(f, D(2024, 3, 1), 5);			/* before the purge */
	put_records(f, D(2024, 4, 2), 3, 4, true);
	put_cell(f, D(2024, 4, 1), 7);			/* wrong */
	put_cell(f, D(2024, 5, 1), 4);			/* records gone */
	put_records(f, D(2024, 6, 1), 2, 5, false);	/* no cell yet */
	put_records(f, D(2024, 6, 30), 1, 3, false);
	/* A record that fits no version: skipped, reported. */
	len = snprintf(bad, sizeof(bad), "{\"survey\":%u,\"version\":1,"
	    "\"unit\":%u,\"lang\":\"fi\",\"answers\":{\"q\":1}}", f->survey,
	    f->unit);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_response_put(txn, f->survey,
	    (uint32_t)D(2024, 6, 2), bad, (size_t)len), 0);
	assert_int_equal(storage_txn_commit(txn), 0);

	/* A dry run says what it would do and does nothing. */
	notes = 0;
	assert_int_equal(rebuild_run(f->st, today, 2, true, note, NULL, &r),
	    0);
	assert_int_equal(r.rr_surveys, 1);
	assert_int_equal(r.rr_responses, 6);	/* April and June */
	assert_int_equal(r.rr_bad, 1);
	assert_int_equal(r.rr_written, 2);
	assert_int_equal(r.rr_kept_retention, 1);
	assert_int_equal(r.rr_kept_orphan, 1);
	assert_true(notes > 0);
	get_cell(f, D(2024, 4, 1), &n, &k, 1);
	assert_int_equal(n, 7);
	get_cell(f, D(2024, 6, 1), &n, &k, 1);
	assert_int_equal(n, 0);

	assert_int_equal(rebuild_run(f->st, today, 0, false, note, NULL, &r),
	    0);
	assert_int_equal(r.rr_written, 2);
	get_cell(f, D(2024, 3, 1), &n, &k, 1);	/* kept: March is due */
	assert_int_equal(n, 5);
	assert_int_equal(k, 5);
	get_cell(f, D(2024, 4, 1), &n, &k, 4);	/* from the records */
	assert_int_equal(n, 3);
	assert_int_equal(k, 3);
	get_cell(f, D(2024, 5, 1), &n, &k, 1);	/* kept: no records */
	assert_int_equal(n, 4);
	get_cell(f, D(2024, 6, 1), &n, &k, 5);	/* created */
	assert_int_equal(n, 3);
	assert_int_equal(k, 2);

	/* Again: nothing left to write. */
	assert_int_equal(rebuild_run(f->st, today, 1, false, NULL, NULL, &r),
	    0);
	assert_int_equal(r.rr_written, 0);
	assert_int_equal(r.rr_same, 2);
	assert_int_equal(r.rr_kept_retention, 1);
	assert_int_equal(r.rr_kept_orphan, 1);
}

/* The released state of a cell, n 0 when it has none. */
static uint32_t
get_released(struct fx *f, int64_t bucket)
{
	struct storage_txn	*txn = NULL;
	struct cells_id		 id = cid(f, bucket);
	struct cell		*live = NULL, *rel = NULL;
	uint32_t		 n;

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(cells_get_pair(txn, &id, &live, &rel), 0);
	storage_txn_abort(txn);
	n = rel != NULL ? rel->c_n : 0;
	cell_free(live);
	cell_free(rel);
	return n;
}

/* A cell as the store kept it before cells kept released state. */
static void
put_old_cell(struct fx *f, int64_t bucket, unsigned n)
{
	static const unsigned	 shape[2] = { 5, 1 };
	static const uint8_t	 slot0 = 0;
	struct cell_answer	 ans[2] = { { true, &slot0, 1 },
				    { false, NULL, 0 } };
	struct storage_txn	*txn = NULL;
	struct cells_id		 id = cid(f, bucket);
	struct cell		*c = cell_new(2, shape);
	uint8_t			 key[CELLS_KEYLEN], *buf = NULL;
	size_t			 len = 0;
	unsigned		 i;

	assert_non_null(c);
	for (i = 0; i < n; i++)
		assert_int_equal(cell_add(c, ans, 2), 0);
	assert_int_equal(cell_encode(c, &buf, &len), 0);
	cells_key(&id, key);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_CELLS, key, sizeof(key),
	    buf, len, 0), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	free(buf);
	cell_free(c);
}

/* Set the released n of a stored cell (its questions released nothing). */
static void
put_released(struct fx *f, int64_t bucket, uint32_t n)
{
	static const unsigned	 shape[2] = { 5, 1 };
	struct storage_txn	*txn = NULL;
	struct cells_id		 id = cid(f, bucket);
	struct cell		*live = NULL, *rel = NULL, *set;

	assert_non_null(set = cell_new(2, shape));
	set->c_n = n;
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(cells_get_pair(txn, &id, &live, &rel), 0);
	assert_int_equal(cells_put(txn, &id, live, set), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	cell_free(live);
	cell_free(rel);
	cell_free(set);
}

/*
 * Released state: an old store is given it once (one step from nothing,
 * k = the survey's min_group, 5 here); rebuild recomputes the live cells
 * and keeps the released ones as history; verify says when released
 * passes live.
 */
static void
test_released_state(void **state)
{
	struct fx		*f = *state;
	struct rebuild_report	 r;
	struct verify_report	 vr;
	struct storage_txn	*txn = NULL;
	int64_t			 today = D(2024, 6, 15);
	size_t			 n = 99;

	put_old_cell(f, D(2024, 4, 1), 7);
	put_old_cell(f, D(2024, 5, 1), 3);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(cells_migrate(txn, &n), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(n, 2);
	assert_int_equal(get_released(f, D(2024, 4, 1)), 7);
	assert_int_equal(get_released(f, D(2024, 5, 1)), 0);
	/* Once: a migrated store has nothing left to migrate. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(cells_migrate(txn, &n), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(n, 0);

	/* May's records say 6: live follows them, released stays at 0. */
	put_records(f, D(2024, 5, 2), 6, 4, false);
	put_records(f, D(2024, 4, 2), 7, 1, false);
	assert_int_equal(rebuild_run(f->st, today, 1, false, NULL, NULL, &r),
	    0);
	assert_int_equal(r.rr_written, 1);
	assert_int_equal(get_released(f, D(2024, 5, 1)), 0);
	assert_int_equal(get_released(f, D(2024, 4, 1)), 7);
	assert_int_equal(verify_store(f->st, false, NULL, NULL, &vr), 0);
	assert_true(verify_ok(&vr));

	/* April's records lost: released now exceeds live, and verify says
	 * so (rebuild never lowers what was released). */
	put_cell(f, D(2024, 4, 1), 3);
	put_released(f, D(2024, 4, 1), 7);
	assert_int_equal(verify_store(f->st, true, NULL, NULL, &vr), 0);
	assert_false(verify_ok(&vr));
	assert_true(vr.vr_bad_cells > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_released_state, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
