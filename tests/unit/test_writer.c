/*
 * test_writer.c — the writer's full-disk rule on a real store and event
 * loop: a reserve the file system cannot give makes the store full; then
 * ordinary jobs get -EDQUOT without being applied, while the jobs that
 * reading needs (ac_submit_reserve) are applied and committed; a reserve
 * that fits again ends the state, by itself when the writer is idle.
 */
#include "config.h"

#include <sys/statvfs.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "daemon/writer.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

struct fixture {
	char			 dir[4096];
	char			 state[4200];
	struct storage		*st;
	struct event_base	*base;
	struct writer		*w;
};

/* One write: put key, then note the result the loop hands back. */
struct job {
	const char	*j_key;
	bool		 j_applied;
	bool		 j_done;
	int		 j_rc;
};

static int
job_apply(struct storage_txn *txn, void *arg)
{
	struct job	*j = arg;

	j->j_applied = true;
	return storage_put(txn, STORAGE_DB_META, j->j_key, strlen(j->j_key),
	    "v", 1, 0);
}

static void
job_done(int rc, void *arg)
{
	struct job	*j = arg;

	j->j_done = true;
	j->j_rc = rc;
}

/* Run the loop until every job of js is done. */
static void
run_until_done(struct fixture *f, struct job *js, size_t n)
{
	size_t	i;
	bool	all;
	int	spins = 0;

	do {
		event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		for (all = true, i = 0; i < n; i++)
			all = all && js[i].j_done;
		if (!all) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
	} while (!all && ++spins < 10000);
	assert_true(all);
}

static bool
stored(struct fixture *f, const char *key)
{
	struct storage_txn	*txn = NULL;
	void			*val = NULL;
	size_t			 len = 0;
	int			 rc;

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	rc = storage_get(txn, STORAGE_DB_META, key, strlen(key), &val, &len);
	storage_txn_abort(txn);
	free(val);
	assert_true(rc == 0 || rc == -ENOENT);
	return rc == 0;
}

/* More than the file system of dir has free: a reserve it cannot give. */
static uint64_t
too_much(const char *dir)
{
	struct statvfs	sv;

	assert_int_equal(statvfs(dir, &sv), 0);
	return (uint64_t)sv.f_bavail * sv.f_frsize + ((uint64_t)1 << 30);
}

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if (tmpdir_make(f->dir, sizeof(f->dir), "writer") != 0 ||
	    tmpdir_store_open(f->dir, f->state, sizeof(f->state), NULL,
	    &f->st) != 0 || (f->base = event_base_new()) == NULL ||
	    writer_new(f->base, f->st, NULL, &f->w) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	writer_free(f->w);
	event_base_free(f->base);
	storage_close(f->st);
	(void)tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void
test_full_disk_keeps_the_reserve_for_reading(void **state)
{
	struct fixture	*f = *state;
	struct job	 js[3] = {
		{ .j_key = "ordinary" },
		{ .j_key = "login" },
		{ .j_key = "ordinary-too" },
	};

	/* Room: everything is written, the store is not full. */
	writer_set_reserve(f->w, 256 << 10);
	{
		struct job	j = { .j_key = "before" };

		assert_int_equal(writer_submit(f->w, job_apply, job_done, &j),
		    0);
		run_until_done(f, &j, 1);
		assert_int_equal(j.j_rc, 0);
	}
	assert_false(storage_full(f->st));
	assert_true(stored(f, "before"));

	/* The disk cannot give the reserve: full. */
	writer_set_reserve(f->w, too_much(f->dir));
	assert_int_equal(writer_submit_cb(f->w, job_apply, job_done, &js[0]),
	    0);
	assert_int_equal(writer_submit_reserve_cb(f->w, job_apply, job_done,
	    &js[1]), 0);
	assert_int_equal(writer_submit(f->w, job_apply, job_done, &js[2]), 0);
	run_until_done(f, js, 3);
	assert_true(storage_full(f->st));
	/* Refused before being tried: nothing of them in the store. */
	assert_int_equal(js[0].j_rc, -EDQUOT);
	assert_false(js[0].j_applied);
	assert_false(stored(f, "ordinary"));
	assert_int_equal(js[2].j_rc, -EDQUOT);
	assert_false(js[2].j_applied);
	/* What reading needs went on. */
	assert_int_equal(js[1].j_rc, 0);
	assert_true(stored(f, "login"));
	/* Still a store in good order, only full. */
	assert_true(storage_writable(f->st));
}

static void
test_recovers_by_itself(void **state)
{
	struct fixture	*f = *state;
	struct job	 j = { .j_key = "after" };
	int		 i;

	writer_set_reserve(f->w, too_much(f->dir));
	{
		struct job	r = { .j_key = "refused" };

		assert_int_equal(writer_submit(f->w, job_apply, job_done, &r),
		    0);
		run_until_done(f, &r, 1);
		assert_int_equal(r.j_rc, -EDQUOT);
	}
	assert_true(storage_full(f->st));
	/* Room again: the idle writer notices within a few seconds. */
	writer_set_reserve(f->w, 256 << 10);
	for (i = 0; i < 100 && storage_full(f->st); i++) {
		struct timespec ts = { 0, 100000000 };

		nanosleep(&ts, NULL);
	}
	assert_false(storage_full(f->st));
	assert_int_equal(writer_submit(f->w, job_apply, job_done, &j), 0);
	run_until_done(f, &j, 1);
	assert_int_equal(j.j_rc, 0);
	assert_true(stored(f, "after"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_full_disk_keeps_the_reserve_for_reading, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recovers_by_itself,
		    setup, teardown),
	};

	if (evthread_use_pthreads() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
