/*
 * test_retention.c — retention on a real store with a fake clock
 * (-Wl,--wrap=util_today): months disappear when they fall out of a
 * survey's retention, cells stay, each purge is audited, the KEK is
 * rotated, and a copy of the store taken before the purge no longer opens
 * with the key file in use.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "core/catalog.h"
#include "core/retention.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

int64_t	__wrap_util_today(void);

static int64_t	fake_today;

int64_t
__wrap_util_today(void)
{
	return fake_today;
}

static int64_t
day_of(int y, unsigned m, unsigned d)
{
	return util_days_from_civil(y, m, d);
}

struct fx {
	char		 dir[PATH_MAX];
	char		 state[PATH_MAX];
	char		 kek[PATH_MAX];
	struct storage	*st;
	uint32_t	 survey;
};

static int
copy_file(const char *from, const char *to)
{
	void	*buf = NULL;
	size_t	 len = 0;
	int	 rc;

	if ((rc = util_read_file(from, 1 << 20, &buf, &len)) != 0)
		return rc;
	rc = util_write_file_atomic(to, buf, len, 0600);
	free(buf);
	return rc;
}

static int
open_store(const char *dir, const char *kek, bool create,
    struct storage **out)
{
	struct storage_opts	so;

	memset(&so, 0, sizeof(so));
	so.so_dir = dir;
	so.so_kek_path = kek;
	so.so_map_size = 64 << 20;
	so.so_create = create;
	return storage_open(&so, out);
}

/* A survey from tests/data with the retention set to months. */
static void
add_survey(struct fx *f, int months)
{
	struct storage_txn	*txn = NULL;
	struct error		 err;
	json_error_t		 jerr;
	json_t			*def;

	def = json_load_file(TEST_SRCDIR "/tests/data/survey-client.json", 0,
	    &jerr);
	assert_non_null(def);
	json_object_del(def, "slug");
	assert_int_equal(json_object_set_new(json_object_get(def, "privacy"),
	    "retention_months", json_integer(months)), 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(catalog_create(txn, def, &f->survey, &err), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	json_decref(def);
}

static void
add_response(struct fx *f, int64_t day, const char *tag)
{
	struct storage_txn	*txn = NULL;

	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_response_put(txn, f->survey, (uint32_t)day,
	    tag, strlen(tag)), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
}

/* Responses of the survey on days [from, to] that open, or < 0. */
static int
count_responses(struct storage *st, uint32_t survey, int64_t from,
    int64_t to)
{
	struct storage_txn	*txn = NULL;
	struct storage_iter	*it = NULL;
	const void		*k, *v;
	size_t			 kl, vl;
	int			 n = 0, rc;

	if ((rc = storage_txn_begin(st, false, &txn)) != 0)
		return rc;
	if ((rc = storage_response_iter(txn, survey, (uint32_t)from,
	    (uint32_t)to, &it)) != 0)
		goto done;
	while ((rc = storage_iter_next(it, &k, &kl, &v, &vl)) == 0)
		n++;
	if (rc == -ENOENT)
		rc = 0;
done:
	storage_iter_free(it);
	storage_txn_abort(txn);
	return rc != 0 ? rc : n;
}

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(tmpdir_make(f->dir, sizeof(f->dir), "retention"), 0);
	assert_int_equal(util_snprintf(f->state, sizeof(f->state), "%s/state",
	    f->dir), 0);
	assert_int_equal(util_snprintf(f->kek, sizeof(f->kek), "%s/state/kek",
	    f->dir), 0);
	fake_today = day_of(2025, 1, 10);
	assert_int_equal(open_store(f->state, f->kek, true, &f->st), 0);
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

static void
test_first_kept(void **state)
{
	/* May 2025 with 3 months kept: March, April, May. */
	assert_int_equal(retention_first_kept(day_of(2025, 5, 15), 3),
	    2025 * 12 + 2);
	/* Across a year: Jan 2025 with 12 months kept from Feb 2024. */
	assert_int_equal(retention_first_kept(day_of(2025, 1, 1), 12),
	    2024 * 12 + 1);
	/* One month kept: only the current month. */
	assert_int_equal(retention_first_kept(day_of(2025, 3, 1), 1),
	    2025 * 12 + 2);
}

static void
test_months_disappear(void **state)
{
	struct fx		*f = *state;
	struct retention_report	 rr;
	struct storage		*copy = NULL;
	struct storage_txn	*txn = NULL;
	struct audit_check	 ac;
	char			 copydir[PATH_MAX], oldkek[PATH_MAX];
	void			*val = NULL;
	size_t			 len, i;
	json_t			*entries;
	int			 purges = 0, rotations = 0;
	static const char	 cellkey[] = "cell-of-january";

	add_survey(f, 3);
	add_response(f, day_of(2025, 1, 10), "jan-a");
	add_response(f, day_of(2025, 1, 31), "jan-b");
	add_response(f, day_of(2025, 2, 14), "feb");
	add_response(f, day_of(2025, 3, 1), "mar");
	add_response(f, day_of(2025, 4, 30), "apr");
	/* An aggregate: cells outlive their responses. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_CELLS, cellkey,
	    sizeof(cellkey) - 1, "n=2", 3, 0), 0);
	assert_int_equal(storage_txn_commit(txn), 0);

	/* March: January is still within three months. Nothing is due. */
	fake_today = day_of(2025, 3, 31);
	assert_int_equal(retention_run(f->st, util_today(), "test", &rr), 0);
	assert_int_equal(rr.rr_surveys, 1);
	assert_int_equal(rr.rr_months, 0);
	assert_false(rr.rr_rotated);
	assert_int_equal(count_responses(f->st, f->survey, 0, 100000), 5);

	/* A copy of the store as it is before the purge, and its KEK. */
	assert_int_equal(util_snprintf(copydir, sizeof(copydir), "%s/copy",
	    f->dir), 0);
	assert_int_equal(util_snprintf(oldkek, sizeof(oldkek), "%s/copy-kek",
	    f->dir), 0);
	assert_int_equal(storage_backup(f->st, copydir), 0);
	assert_int_equal(copy_file(f->kek, oldkek), 0);

	/*
	 * The 1st of April: January's first days are three months old, so
	 * January goes, whole (its last days a little early): no response
	 * is kept longer than the notice says.
	 */
	fake_today = day_of(2025, 4, 1);
	assert_int_equal(retention_run(f->st, util_today(), "test", &rr), 0);
	assert_int_equal(rr.rr_months, 1);
	assert_true(rr.rr_rotated);
	assert_int_equal(count_responses(f->st, f->survey, day_of(2025, 1, 1),
	    day_of(2025, 1, 31)), 0);
	assert_int_equal(count_responses(f->st, f->survey, 0, 100000), 3);

	/* Mid-June: February and March go; April stays. Rerun: no-op. */
	fake_today = day_of(2025, 6, 15);
	assert_int_equal(retention_run(f->st, util_today(), "test", &rr), 0);
	assert_int_equal(rr.rr_months, 2);
	assert_int_equal(count_responses(f->st, f->survey, 0, 100000), 1);
	assert_int_equal(count_responses(f->st, f->survey, day_of(2025, 4, 1),
	    day_of(2025, 4, 30)), 1);
	assert_int_equal(retention_run(f->st, util_today(), "test", &rr), 0);
	assert_int_equal(rr.rr_months, 0);
	assert_false(rr.rr_rotated);

	/* The cell is still there; the audit log has each cutoff. */
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(storage_get(txn, STORAGE_DB_CELLS, cellkey,
	    sizeof(cellkey) - 1, &val, &len), 0);
	assert_memory_equal(val, "n=2", 3);
	free(val);
	entries = json_array();
	assert_int_equal(audit_verify(txn, 0, 100, entries, &ac), 0);
	assert_true(ac.ac_ok);
	for (i = 0; i < json_array_size(entries); i++) {
		const char *a = json_string_value(json_object_get(
		    json_array_get(entries, i), "action"));

		if (a != NULL && strcmp(a, "retention.purge") == 0) {
			static const char *const day[] = {
				"2025-03-31", "2025-04-01", "2025-06-15"
			}, *const before[] = {
				"2025-01", "2025-02", "2025-04"
			};
			json_t	*e = json_array_get(entries, i);
			json_t	*d = json_object_get(e, "detail");

			assert_true(purges < 3);
			/* The fake clock dates the entry: day, no time. */
			assert_string_equal(json_string_value(json_object_get(
			    e, "day")), day[purges]);
			/* The cutoff, not the months that held responses. */
			assert_string_equal(json_string_value(json_object_get(
			    d, "before")), before[purges]);
			assert_int_equal(json_object_size(d), 3);
			purges++;
		}
		if (a != NULL && strcmp(a, "key.rotate") == 0)
			rotations++;
	}
	assert_int_equal(purges, 3);
	assert_int_equal(rotations, 2);
	json_decref(entries);
	storage_txn_abort(txn);

	/*
	 * The pre-purge copy does not open with the KEK in use: the KEK it
	 * was wrapped under has been replaced, so January's key in it is
	 * noise. (Only the old key file would open it: key files are kept
	 * apart from backups, on a shorter schedule, for exactly this.)
	 */
	assert_int_equal(open_store(copydir, f->kek, false, &copy), -EBADMSG);
	assert_null(copy);
	assert_int_equal(open_store(copydir, oldkek, false, &copy), 0);
	assert_int_equal(count_responses(copy, f->survey, day_of(2025, 1, 1),
	    day_of(2025, 1, 31)), 2);
	storage_close(copy);
	/* And the live store reopens with its new KEK, April intact. */
	storage_close(f->st);
	f->st = NULL;
	assert_int_equal(open_store(f->state, f->kek, false, &f->st), 0);
	assert_int_equal(count_responses(f->st, f->survey, 0, 100000), 1);
}

/* Twelve months kept: January goes on the first day of next January. */
static void
test_year_boundary(void **state)
{
	struct fx		*f = *state;
	struct retention_report	 rr;

	add_survey(f, 12);
	add_response(f, day_of(2025, 1, 15), "jan");
	fake_today = day_of(2025, 12, 1);
	assert_int_equal(retention_run(f->st, util_today(), "test", &rr), 0);
	assert_int_equal(rr.rr_months, 0);
	fake_today = day_of(2026, 1, 1);
	assert_int_equal(retention_run(f->st, util_today(), "test", &rr), 0);
	assert_int_equal(rr.rr_months, 1);
	assert_int_equal(count_responses(f->st, f->survey, 0, 100000), 0);
}

/*
 * What the audit log and the rotation say of a pass depends on the dates
 * alone: two surveys alike but for one response in January get the same
 * entries, and a month turn rotates the KEK even when nothing was due.
 */
static void
test_cutoffs_say_nothing_of_responses(void **state)
{
	struct fx		*f = *state;
	struct retention_report	 rr;
	struct storage_txn	*txn = NULL;
	struct audit_check	 ac;
	uint32_t		 with, without;
	json_t			*entries, *e, *d, *seen[2];
	size_t			 i;
	int			 rotations = 0;

	add_survey(f, 1);
	with = f->survey;
	add_response(f, day_of(2025, 1, 20), "jan");
	add_survey(f, 1);
	without = f->survey;
	seen[0] = json_array();
	seen[1] = json_array();
	/* Three passes: January kept, then due, then a quiet month turn. */
	fake_today = day_of(2025, 1, 31);
	assert_int_equal(retention_run(f->st, util_today(), "test", &rr), 0);
	assert_false(rr.rr_rotated);
	fake_today = day_of(2025, 2, 1);
	assert_int_equal(retention_run(f->st, util_today(), "test", &rr), 0);
	assert_int_equal(rr.rr_months, 1);
	assert_true(rr.rr_rotated);
	fake_today = day_of(2025, 3, 1);
	assert_int_equal(retention_run(f->st, util_today(), "test", &rr), 0);
	assert_int_equal(rr.rr_months, 0);
	assert_true(rr.rr_rotated);

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	entries = json_array();
	assert_int_equal(audit_verify(txn, 0, 100, entries, &ac), 0);
	assert_true(ac.ac_ok);
	storage_txn_abort(txn);
	for (i = 0; i < json_array_size(entries); i++) {
		const char	*a;

		e = json_array_get(entries, i);
		a = json_string_value(json_object_get(e, "action"));
		if (a != NULL && strcmp(a, "key.rotate") == 0)
			rotations++;
		if (a == NULL || strcmp(a, "retention.purge") != 0)
			continue;
		d = json_deep_copy(json_object_get(e, "detail"));
		assert_non_null(d);
		json_object_set_new(d, "day", json_copy(json_object_get(e,
		    "day")));
		assert_int_equal(json_object_del(d, "survey"), 0);
		json_array_append_new(seen[codec_u32(json_object_get(
		    json_object_get(e, "detail"), "survey")) == with ? 0 : 1],
		    d);
	}
	assert_int_equal(json_array_size(seen[0]), 3);
	assert_true(json_equal(seen[0], seen[1]));
	assert_int_equal(rotations, 2);
	assert_int_not_equal(with, without);
	json_decref(seen[0]);
	json_decref(seen[1]);
	json_decref(entries);
}

/* A second holder of the state directory's lock is refused. */
static void
test_lock(void **state)
{
	struct fx	*f = *state;
	int		 a = -1, b = -1;

	assert_int_equal(retention_lock(f->state, &a), 0);
	assert_int_equal(retention_lock(f->state, &b), -EBUSY);
	close(a);
	assert_int_equal(retention_lock(f->state, &b), 0);
	close(b);
	/* The KEK lock: readers share it; no directory, no store, no lock. */
	assert_int_equal(retention_keylock(f->state, false, &a), 0);
	assert_int_equal(retention_keylock(f->state, false, &b), 0);
	assert_true(a >= 0 && b >= 0);
	close(a);
	close(b);
	assert_int_equal(retention_keylock(f->state, true, &a), 0);
	close(a);
	assert_int_equal(retention_keylock("/nonexistent/palaute", true, &a),
	    0);
	assert_int_equal(a, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_kept),
		cmocka_unit_test_setup_teardown(test_months_disappear, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_year_boundary, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cutoffs_say_nothing_of_responses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};

	log_init("test_retention", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
