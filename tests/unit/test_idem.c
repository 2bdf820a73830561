/*
 * test_idem.c — intake's idempotency records: client ids, the day window,
 * the keyed hash, and records put, found and swept on a real store in a
 * temporary directory.
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "api/idem.h"
#include "storage/storage.h"

/* 2024-03-15 */
#define TODAY	19797

static const uint8_t key_a[32] = { 1, 2, 3 };
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

static void
test_keys(void **state)
{
	uint8_t	h[IDEM_HASH_BYTES], k[IDEM_KEYLEN];

	memset(h, 0xab, sizeof(h));
	idem_key(h, k);
	assert_int_equal(k[0], IDEM_KEY_TAG);
	assert_memory_equal(k + 1, h, sizeof(h));
}

/* ------------------------------------------------ on a real store */

struct fixture {
	char			 dir[256];
	char			 state[300];
	struct storage		*st;
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture		*f;
	struct storage_opts	 o;
	const char		*tmp = getenv("TMPDIR");

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/palaute-idem-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	memset(&o, 0, sizeof(o));
	o.so_dir = f->state;
	o.so_create = true;
	if (storage_open(&o, &f->st) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	storage_close(f->st);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static bool
seen(struct storage *st, const uint8_t *h)
{
	struct storage_txn	*txn;
	bool			 s = false;

	assert_int_equal(storage_txn_begin(st, false, &txn), 0);
	assert_int_equal(idem_seen(txn, h, &s), 0);
	storage_txn_abort(txn);
	return s;
}

static void
put(struct storage *st, const char *id, uint32_t day, uint8_t *h)
{
	struct storage_txn	*txn;

	idem_hash(key_a, 3, id, h);
	assert_int_equal(storage_txn_begin(st, true, &txn), 0);
	assert_int_equal(idem_put(txn, h, day), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
}

static void
test_put_seen_once(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	uint8_t			 h[IDEM_HASH_BYTES], other[IDEM_HASH_BYTES];

	put(f->st, "response-0001", TODAY, h);
	assert_true(seen(f->st, h));
	idem_hash(key_a, 3, "response-0002", other);
	assert_false(seen(f->st, other));
	/* A second record of one hash is refused, whatever its day. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(idem_put(txn, h, TODAY - 3), -EEXIST);
	storage_txn_abort(txn);
}

static void
test_sweep_drops_only_old(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	struct storage_stat	 ss;
	uint8_t			 h[200][IDEM_HASH_BYTES];
	char			 id[32];
	size_t			 n, total = 0, old = 0;
	unsigned		 shard;
	int			 i;

	/* Ten records a day from 19 days ago to today's. */
	for (i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "response-%04d", i);
		put(f->st, id, (uint32_t)(TODAY - 19 + i / 10), h[i]);
		old += i / 10 < 5;
	}
	assert_int_equal(old, 50);
	/* Every slice once; each drops only its own old records. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	for (shard = 0; shard < IDEM_SHARDS; shard++) {
		n = 999;
		assert_int_equal(idem_sweep(txn, shard, TODAY - 14, &n), 0);
		assert_true(n <= old);
		total += n;
	}
	assert_int_equal(idem_sweep(txn, IDEM_SHARDS, TODAY - 14, &n),
	    -EINVAL);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(total, old);
	/* Days -19 to -15 went; -14 onwards stay. */
	for (i = 0; i < 200; i++)
		assert_int_equal(seen(f->st, h[i]), i / 10 >= 5);
	assert_int_equal(storage_stat(f->st, &ss), 0);
	assert_int_equal(ss.ss_entries[STORAGE_DB_IDEMPOTENCY], 150);
	/* Again: nothing to do is not an error. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	for (shard = 0; shard < IDEM_SHARDS; shard++) {
		assert_int_equal(idem_sweep(txn, shard, TODAY - 14, &n), 0);
		assert_int_equal(n, 0);
	}
	assert_int_equal(storage_txn_commit(txn), 0);
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

	put(f->st, id, TODAY, h);
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
		cmocka_unit_test(test_keys),
		cmocka_unit_test_setup_teardown(test_put_seen_once, setup,
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
