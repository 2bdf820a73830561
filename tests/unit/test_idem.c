/*
 * test_idem.c — intake's idempotency records: client ids, the day window,
 * the keyed hash, and records put, found and swept on a real store in a
 * temporary directory, in the layout of each release.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/idem.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

/* 2024-03-15 */
#define TODAY	19797

static const uint8_t key_a[32] = { 1, 2, 3 };

/* The day the index sees (util_today is wrapped). */
static int64_t	today = TODAY;

int64_t	__wrap_util_today(void);

int64_t
__wrap_util_today(void)
{
	return today;
}
static const uint8_t key_b[32] = { 9, 9, 9 };

static void
test_id_shape(void **state)
{
	char	long_id[IDEM_ID_MAX + 2];

	assert_true(idem_id_valid("3f2b8c1e-8d4a-4c6e-9a57-0b1c2d3e4f50"));
	assert_true(idem_id_valid("kiosk-7:000123"));
	assert_true(idem_id_valid("A.b_C-d:"));
	assert_false(idem_id_valid(""));
	assert_false(idem_id_valid("1234567"));	/* too short */
	assert_false(idem_id_valid("abc def ghi"));
	assert_false(idem_id_valid("abcdefgh/"));
	assert_false(idem_id_valid("äöäöäöäöä"));
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[IDEM_ID_MAX] = '\0';
	assert_true(idem_id_valid(long_id));
	long_id[IDEM_ID_MAX] = 'x';
	long_id[IDEM_ID_MAX + 1] = '\0';
	assert_false(idem_id_valid(long_id));
}

static void
test_day_window(void **state)
{
	assert_int_equal(idem_day_check(TODAY, TODAY), IDEM_DAY_OK);
	assert_int_equal(idem_day_check(TODAY - 14, TODAY), IDEM_DAY_OK);
	assert_int_equal(idem_day_check(TODAY - 15, TODAY), IDEM_DAY_STALE);
	/* A tablet's local date may run a day ahead of UTC, no more. */
	assert_int_equal(idem_day_check(TODAY + 1, TODAY), IDEM_DAY_OK);
	assert_int_equal(idem_day_check(TODAY + 2, TODAY), IDEM_DAY_FUTURE);
}

static void
test_hash_separates(void **state)
{
	uint8_t	a[IDEM_HASH_BYTES], b[IDEM_HASH_BYTES];

	idem_hash(key_a, 1, "abcdefgh-1", a);
	idem_hash(key_a, 1, "abcdefgh-1", b);
	assert_memory_equal(a, b, sizeof(a));
	/* Another kiosk's queue with the same id is another response. */
	idem_hash(key_a, 2, "abcdefgh-1", b);
	assert_memory_not_equal(a, b, sizeof(a));
	idem_hash(key_a, 1, "abcdefgh-2", b);
	assert_memory_not_equal(a, b, sizeof(a));
	/* Keyed: without the store's secret the hash is not predictable. */
	idem_hash(key_b, 1, "abcdefgh-1", b);
	assert_memory_not_equal(a, b, sizeof(a));
	/* The collector is fixed-width: (1, "2x...") is not (12, "x..."). */
	idem_hash(key_a, 1, "2xxxxxxxx", a);
	idem_hash(key_a, 12, "xxxxxxxx", b);
	assert_memory_not_equal(a, b, sizeof(a));
}

/* ------------------------------------------------ on a real store */

struct fixture {
	char			 dir[256];
	char			 state[300];
	struct storage		*st;
	struct idem_index	*ix;
};

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    tmpdir_make(f->dir, sizeof(f->dir), "idem") != 0 ||
	    tmpdir_store_open(f->dir, f->state, sizeof(f->state), NULL,
	    &f->st) != 0 || idem_index_new(&f->ix) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	idem_index_free(f->ix);
	storage_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* What the writer does around a commit; rc is the commit's. */
static void
commit(struct fixture *f, struct storage_txn *txn)
{
	assert_int_equal(idem_index_precommit(f->ix, txn), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	idem_index_done(f->ix, 0);
}

static bool
seen_in(struct idem_index *ix, struct storage_txn *txn, const uint8_t *h)
{
	bool	s = false;

	assert_int_equal(idem_seen(ix, txn, h, &s), 0);
	return s;
}

/* Seen by ix (the writer's) and by an index loaded afresh (a restart). */
static bool
seen(struct fixture *f, const uint8_t *h)
{
	struct idem_index	*fresh;
	struct storage_txn	*txn;
	bool			 s;

	assert_int_equal(idem_index_new(&fresh), 0);
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	s = seen_in(f->ix, txn, h);
	assert_int_equal(seen_in(fresh, txn, h), s);
	storage_txn_abort(txn);
	idem_index_free(fresh);
	return s;
}

static void
put(struct fixture *f, const char *id, uint32_t day, uint8_t *h)
{
	struct storage_txn	*txn;

	idem_hash(key_a, 3, id, h);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_false(seen_in(f->ix, txn, h));
	assert_int_equal(idem_put(f->ix, txn, h, day), 0);
	commit(f, txn);
}

static void
test_put_seen_once(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	uint8_t			 h[IDEM_HASH_BYTES], other[IDEM_HASH_BYTES];

	put(f, "response-0001", TODAY, h);
	assert_true(seen(f, h));
	idem_hash(key_a, 3, "response-0002", other);
	assert_false(seen(f, other));
	assert_int_equal(idem_index_count(f->ix), 1);
	/* Within one transaction, the second put of a hash is refused. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(idem_put(f->ix, txn, other, TODAY), 0);
	assert_true(seen_in(f->ix, txn, other));
	assert_int_equal(idem_put(f->ix, txn, other, TODAY), -EEXIST);
	commit(f, txn);
	assert_true(seen(f, other));
	assert_int_equal(idem_index_count(f->ix), 2);
}

/*
 * The writer's children: a record put by a child that rolls back, or in
 * a transaction that fails, was never stored and must not count as seen.
 */
static void
test_rollbacks(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn, *child;
	uint8_t			 a[IDEM_HASH_BYTES], b[IDEM_HASH_BYTES];
	uint8_t			 c[IDEM_HASH_BYTES];

	idem_hash(key_a, 3, "rolled-back-a", a);
	idem_hash(key_a, 3, "committed-b", b);
	idem_hash(key_a, 3, "failed-c", c);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(idem_put(f->ix, child, a, TODAY), 0);
	assert_true(seen_in(f->ix, child, a));
	storage_txn_abort(child);
	assert_false(seen_in(f->ix, txn, a));
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(idem_put(f->ix, child, b, TODAY - 2), 0);
	assert_int_equal(storage_txn_commit(child), 0);
	assert_true(seen_in(f->ix, txn, b));
	/* Put again after its rollback: stored this time. */
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_false(seen_in(f->ix, child, a));
	assert_int_equal(idem_put(f->ix, child, a, TODAY), 0);
	assert_int_equal(storage_txn_commit(child), 0);
	commit(f, txn);
	assert_true(seen(f, a));
	assert_true(seen(f, b));
	assert_int_equal(idem_index_count(f->ix), 2);

	/* A commit that fails: nothing of it is remembered. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(idem_put(f->ix, txn, c, TODAY), 0);
	assert_int_equal(idem_index_precommit(f->ix, txn), 0);
	storage_txn_abort(txn);
	idem_index_done(f->ix, -EIO);
	assert_false(seen(f, c));
	assert_int_equal(idem_index_count(f->ix), 2);
}

/* The hashes in the records of the commit layout in txn. */
static size_t
hashes_in(struct storage_txn *txn)
{
	struct storage_iter	*it = NULL;
	const void		*k, *v;
	size_t			 kl, vl, n = 0;
	const uint8_t		 tag = IDEM_REC_TAG;

	assert_int_equal(storage_iter_new(txn, STORAGE_DB_IDEMPOTENCY, &tag,
	    1, &it), 0);
	while (storage_iter_next(it, &k, &kl, &v, &vl) == 0)
		n += vl / IDEM_HASH_BYTES;
	storage_iter_free(it);
	return n;
}

static size_t
hashes(struct fixture *f)
{
	struct storage_txn	*txn;
	size_t			 n;

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	n = hashes_in(txn);
	storage_txn_abort(txn);
	return n;
}

/*
 * idem_put_now(): the record is in the child's transaction before the
 * commit, goes with the child's rollback, is seen by a later put of the
 * same hash in the batch, and is not written again by the commit: after
 * it, the hash is seen, by a fresh index too, from one record.
 */
static void
test_put_now(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn, *child;
	uint8_t			 a[IDEM_HASH_BYTES], b[IDEM_HASH_BYTES];
	size_t			 before, n;

	idem_hash(key_a, 3, "written-now-a", a);
	idem_hash(key_a, 3, "noted-b", b);
	before = hashes(f);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(idem_put_now(f->ix, child, a, TODAY), 0);
	storage_txn_abort(child);
	assert_false(seen_in(f->ix, txn, a));
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(idem_put_now(f->ix, child, a, TODAY), 0);
	assert_int_equal(storage_txn_commit(child), 0);
	n = hashes_in(txn);
	assert_int_equal(n, before + 1);
	assert_true(seen_in(f->ix, txn, a));
	assert_int_equal(idem_put(f->ix, txn, a, TODAY), -EEXIST);
	assert_int_equal(idem_put(f->ix, txn, b, TODAY), 0);
	commit(f, txn);
	/* a once, in its own record, and b: a was not written twice. */
	assert_int_equal(hashes(f), before + 2);
	assert_true(seen(f, a));
	assert_true(seen(f, b));
	assert_int_equal(idem_index_count(f->ix), 2);
}

/* A record's day, from its key. */
static uint32_t
key_day(const uint8_t *k)
{
	return (uint32_t)k[1] << 24 | (uint32_t)k[2] << 16 |
	    (uint32_t)k[3] << 8 | k[4];
}

/*
 * A commit writes its hashes in a record per day (or a few, of at most
 * IDEM_PART_HASHES), sorted, under a tag of its own; a child rolled back
 * leaves nothing.
 */
static void
test_commit_records(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn, *child;
	struct storage_iter	*it;
	const uint8_t		*k, *v;
	uint8_t			 h[IDEM_HASH_BYTES], tags[4][IDEM_TAG_BYTES];
	uint8_t			 all[260][IDEM_HASH_BYTES];
	size_t			 kl, vl, n = 0, nh = 0, i, j;
	uint32_t		 days[4];
	char			 id[32];
	int			 t, c;

	/* 50 of today; then 150 of today, 3 of yesterday, 5 rolled back. */
	for (t = 0; t < 2; t++) {
		assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
		for (c = 0; c < (t == 0 ? 50 : 158); c++) {
			snprintf(id, sizeof(id), "commit-%d-%04d", t, c);
			idem_hash(key_a, 3, id, h);
			if (c < 153)
				memcpy(all[nh++], h, sizeof(h));
			assert_int_equal(storage_txn_begin_child(txn, &child),
			    0);
			assert_int_equal(idem_put(f->ix, child, h, c >= 150 &&
			    c < 153 ? TODAY - 1 : TODAY), 0);
			if (c < 153)
				assert_int_equal(storage_txn_commit(child), 0);
			else
				storage_txn_abort(child);
		}
		commit(f, txn);
	}
	assert_int_equal(nh, 203);

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(storage_iter_new(txn, STORAGE_DB_IDEMPOTENCY, NULL,
	    0, &it), 0);
	nh = 0;
	while (storage_iter_next(it, (const void **)&k, &kl,
	    (const void **)&v, &vl) == 0) {
		assert_true(n < 4);
		assert_int_equal(kl, IDEM_REC_KEYLEN);
		assert_int_equal(k[0], IDEM_REC_TAG);
		days[n] = key_day(k);
		memcpy(tags[n], k + 5, IDEM_TAG_BYTES);
		assert_int_equal(vl % IDEM_HASH_BYTES, 0);
		assert_true(vl > 0 && vl <= IDEM_PART_HASHES * IDEM_HASH_BYTES);
		/* Sorted: nothing of the order they came in. */
		for (i = IDEM_HASH_BYTES; i < vl; i += IDEM_HASH_BYTES)
			assert_true(memcmp(v + i - IDEM_HASH_BYTES, v + i,
			    IDEM_HASH_BYTES) < 0);
		for (i = 0; i < vl; i += IDEM_HASH_BYTES, nh++) {
			for (j = 0; j < 203; j++)
				if (memcmp(all[j], v + i, IDEM_HASH_BYTES) == 0)
					break;
			assert_true(j < 203);
		}
		n++;
	}
	storage_iter_free(it);
	storage_txn_abort(txn);
	/* Yesterday's one record, then today's three, two of one tag. */
	assert_int_equal(n, 4);
	assert_int_equal(nh, 203);
	assert_int_equal(days[0], TODAY - 1);
	assert_int_equal(days[1], TODAY);
	assert_int_equal(days[3], TODAY);
	if (memcmp(tags[1], tags[2], IDEM_TAG_BYTES) == 0)
		assert_memory_not_equal(tags[1], tags[3], IDEM_TAG_BYTES);
	else
		assert_memory_equal(tags[2], tags[3], IDEM_TAG_BYTES);
	for (j = 0; j < 203; j++)
		assert_true(seen(f, all[j]));
	for (c = 153; c < 158; c++) {
		snprintf(id, sizeof(id), "commit-1-%04d", c);
		idem_hash(key_a, 3, id, h);
		assert_false(seen(f, h));
	}
}

/* A record of the second layout: 'd' | day | tag | hash -> empty. */
static void
put_second(struct fixture *f, const char *id, uint32_t day, uint8_t *h)
{
	struct storage_txn	*txn;
	uint8_t			 key[IDEM_KEYLEN];

	idem_hash(key_a, 3, id, h);
	key[0] = IDEM_KEY_TAG;
	key[1] = (uint8_t)(day >> 24);
	key[2] = (uint8_t)(day >> 16);
	key[3] = (uint8_t)(day >> 8);
	key[4] = (uint8_t)day;
	memset(key + 5, 0x5a, IDEM_TAG_BYTES);
	memcpy(key + 5 + IDEM_TAG_BYTES, h, IDEM_HASH_BYTES);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_IDEMPOTENCY, key,
	    sizeof(key), "", 0, 0), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
}

/* A record of the first layout: 'h' | 32-byte hash -> day. */
static void
put_old(struct fixture *f, const char *id, uint32_t day, uint8_t *h)
{
	struct storage_txn		*txn;
	crypto_generichash_state	 st;
	uint8_t				 c[4] = { 0, 0, 0, 3 }, key[33];
	uint8_t				 v[4];

	/* As the first layout hashed: the whole 32 bytes in the key. */
	crypto_generichash_init(&st, key_a, 32, 32);
	crypto_generichash_update(&st, (const unsigned char *)"idem", 5);
	crypto_generichash_update(&st, c, sizeof(c));
	crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
	key[0] = IDEM_OLD_TAG;
	crypto_generichash_final(&st, key + 1, 32);
	idem_hash(key_a, 3, id, h);
	assert_memory_equal(key + 1, h, IDEM_HASH_BYTES);
	v[0] = (uint8_t)(day >> 24);
	v[1] = (uint8_t)(day >> 16);
	v[2] = (uint8_t)(day >> 8);
	v[3] = (uint8_t)day;
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_IDEMPOTENCY, key,
	    sizeof(key), v, sizeof(v), 0), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
}

static void
test_sweep_drops_only_old(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	struct storage_stat	 ss;
	uint8_t			 h[240][IDEM_HASH_BYTES];
	char			 id[32];
	size_t			 n, total = 0, old = 0, slices = 0;
	bool			 more = true;
	int			 i;

	/* Ten records a day from 19 days ago to today's, twenty of the
	 * first layout from 20 and 10 days ago, and twenty of the second
	 * from 17 and 3 days ago. */
	for (i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "response-%04d", i);
		put(f, id, (uint32_t)(TODAY - 19 + i / 10), h[i]);
		old += i / 10 < 5;
	}
	for (i = 200; i < 220; i++) {
		snprintf(id, sizeof(id), "response-%04d", i);
		put_old(f, id, (uint32_t)(i < 210 ? TODAY - 20 : TODAY - 10),
		    h[i]);
		old += i < 210;
	}
	for (i = 220; i < 240; i++) {
		snprintf(id, sizeof(id), "response-%04d", i);
		put_second(f, id, (uint32_t)(i < 230 ? TODAY - 17 :
		    TODAY - 3), h[i]);
		old += i < 230;
	}
	assert_int_equal(old, 70);
	/* The earlier layouts are read by an index loaded afterwards,
	 * which keeps only the days of the window. */
	idem_index_free(f->ix);
	assert_int_equal(idem_index_new(&f->ix), 0);
	for (i = 0; i < 240; i++)
		assert_int_equal(seen(f, h[i]), i < 200 ? i / 10 >= 5 :
		    i < 220 ? i >= 210 : i >= 230);
	/* In slices of 7: the oldest days first. */
	while (more) {
		assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
		n = 999;
		assert_int_equal(idem_sweep(txn, TODAY - 14, 7, &n, &more), 0);
		assert_true(n <= 7);
		assert_int_equal(storage_txn_commit(txn), 0);
		total += n;
		slices++;
	}
	assert_int_equal(total, old);
	/* Full slices but the last (which may find nothing left). */
	assert_true(slices >= (old + 6) / 7 && slices <= (old + 6) / 7 + 1);
	/* Days -20 to -15 went; -14 onwards stay, in all layouts. */
	idem_index_free(f->ix);
	assert_int_equal(idem_index_new(&f->ix), 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(seen(f, h[i]), i / 10 >= 5);
	for (i = 200; i < 220; i++)
		assert_int_equal(seen(f, h[i]), i >= 210);
	for (i = 220; i < 240; i++)
		assert_int_equal(seen(f, h[i]), i >= 230);
	assert_int_equal(storage_stat(f->st, &ss), 0);
	assert_int_equal(ss.ss_entries[STORAGE_DB_IDEMPOTENCY], 170);
	/* Again: nothing to do is not an error. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(idem_sweep(txn, TODAY - 14, 7, &n, &more), 0);
	assert_int_equal(n, 0);
	assert_false(more);
	assert_int_equal(storage_txn_commit(txn), 0);
}

/* The writer's memory forgets days that left the window, once a day. */
static void
test_index_expires(void **state)
{
	struct fixture	*f = *state;
	uint8_t		 h[IDEM_HASH_BYTES];
	char		 id[32];
	int		 d;

	for (d = 0; d < 5; d++) {
		snprintf(id, sizeof(id), "response-%04d", d);
		put(f, id, (uint32_t)(TODAY - 4 + d), h);
	}
	assert_int_equal(idem_index_count(f->ix), 5);
	/* Twelve days on, TODAY-4 and -3 are out of the window. */
	today = TODAY + IDEM_WINDOW_DAYS - 2;
	idem_index_done(f->ix, 0);
	assert_int_equal(idem_index_count(f->ix), 3);
	/* A day's expiry is done once; the next day's drops the rest. */
	today = TODAY + IDEM_WINDOW_DAYS + 1;
	idem_index_done(f->ix, 0);
	assert_int_equal(idem_index_count(f->ix), 0);
	today = TODAY;
}

static void
test_nothing_but_hashes_on_disk(void **state)
{
	struct fixture	*f = *state;
	uint8_t		 h[IDEM_HASH_BYTES];
	char		 path[400], *buf;
	FILE		*fp;
	size_t		 len;
	const char	*id = "marker-id-5b1f0e";

	put(f, id, TODAY, h);
	snprintf(path, sizeof(path), "%s/data.mdb", f->state);
	assert_non_null(fp = fopen(path, "rb"));
	assert_non_null(buf = malloc(4 << 20));
	len = fread(buf, 1, 4 << 20, fp);
	fclose(fp);
	assert_true(len > 0);
	assert_null(memmem(buf, len, id, strlen(id)));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_shape),
		cmocka_unit_test(test_day_window),
		cmocka_unit_test(test_hash_separates),
		cmocka_unit_test_setup_teardown(test_put_seen_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_put_now, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rollbacks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_records, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_index_expires, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sweep_drops_only_old,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_but_hashes_on_disk,
		    setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
