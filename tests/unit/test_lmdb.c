/*
 * test_lmdb.c — the kv layer (storage/lmdb.c) on a real LMDB environment
 * in a temporary directory, and the storage calls that are thin over it.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "storage/kv.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

#define DB_A	0
#define DB_B	1

static const char *const names[] = { "a", "b" };

struct fixture {
	char		 dir[256];
	struct kv_env	*env;
};

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    tmpdir_make(f->dir, sizeof(f->dir), "lmdb") != 0)
		return -1;
	if (kv_open(f->dir, 0, names, 2, &f->env) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	kv_close(f->env);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void
put1(struct kv_env *env, unsigned db, const char *k, const char *v)
{
	struct kv_txn	*txn;

	assert_int_equal(kv_txn_begin(env, NULL, true, &txn), 0);
	assert_int_equal(kv_put(txn, db, k, strlen(k), v, strlen(v), 0), 0);
	assert_int_equal(kv_txn_commit(txn), 0);
}

/* Expect db:k to hold v (NULL: to be absent) in a fresh read txn. */
static void
expect(struct kv_env *env, unsigned db, const char *k, const char *v)
{
	struct kv_txn	*txn;
	const void	*val;
	size_t		 vlen;

	assert_int_equal(kv_txn_begin(env, NULL, false, &txn), 0);
	if (v == NULL) {
		assert_int_equal(kv_get(txn, db, k, strlen(k), &val, &vlen),
		    -ENOENT);
	} else {
		assert_int_equal(kv_get(txn, db, k, strlen(k), &val, &vlen), 0);
		assert_int_equal(vlen, strlen(v));
		assert_memory_equal(val, v, vlen);
	}
	kv_txn_abort(txn);
}

static void
test_put_get_del(void **state)
{
	struct fixture	*f = *state;
	struct kv_txn	*txn;

	expect(f->env, DB_A, "k1", NULL);
	put1(f->env, DB_A, "k1", "v1");
	put1(f->env, DB_B, "k1", "other");
	expect(f->env, DB_A, "k1", "v1");
	/* Databases are separate namespaces. */
	expect(f->env, DB_B, "k1", "other");
	put1(f->env, DB_A, "k1", "v2");
	expect(f->env, DB_A, "k1", "v2");

	assert_int_equal(kv_txn_begin(f->env, NULL, true, &txn), 0);
	assert_int_equal(kv_del(txn, DB_A, "k1", 2), 0);
	assert_int_equal(kv_del(txn, DB_A, "k1", 2), -ENOENT);
	/* A missing key does not spoil the transaction. */
	assert_int_equal(kv_txn_commit(txn), 0);
	expect(f->env, DB_A, "k1", NULL);
	expect(f->env, DB_B, "k1", "other");

	/* Writes need a write transaction; keys need a length. */
	assert_int_equal(kv_txn_begin(f->env, NULL, false, &txn), 0);
	assert_int_equal(kv_put(txn, DB_A, "x", 1, "y", 1, 0), -EINVAL);
	assert_int_equal(kv_put(txn, DB_A, "x", 0, "y", 1, 0), -EINVAL);
	assert_int_equal(kv_del(txn, DB_A, "x", 1), -EINVAL);
	assert_int_equal(kv_put(txn, 7, "x", 1, "y", 1, 0), -EINVAL);
	kv_txn_abort(txn);
}

static void
test_nooverwrite(void **state)
{
	struct fixture	*f = *state;
	struct kv_txn	*txn;

	put1(f->env, DB_A, "id", "first");
	assert_int_equal(kv_txn_begin(f->env, NULL, true, &txn), 0);
	assert_int_equal(kv_put(txn, DB_A, "id", 2, "second", 6,
	    KV_NOOVERWRITE), -EEXIST);
	assert_int_equal(kv_put(txn, DB_A, "id2", 3, "x", 1, KV_NOOVERWRITE),
	    0);
	/* -EEXIST leaves the transaction usable: the other put commits. */
	assert_int_equal(kv_txn_commit(txn), 0);
	expect(f->env, DB_A, "id", "first");
	expect(f->env, DB_A, "id2", "x");
}

static void
test_cursor_prefix(void **state)
{
	struct fixture		*f = *state;
	struct kv_txn		*txn;
	struct kv_cursor	*cur;
	const char		*keys[] = { "o/9", "p/1", "p/2", "p/3",
				    "q/1" };
	const void		*k, *v;
	size_t			 kl, vl, i;

	for (i = 0; i < 5; i++)
		put1(f->env, DB_A, keys[i], keys[i]);
	put1(f->env, DB_B, "p/0", "elsewhere");

	assert_int_equal(kv_txn_begin(f->env, NULL, false, &txn), 0);
	/* Exactly the prefix, in key order. */
	assert_int_equal(kv_cursor_open(txn, DB_A, "p/", 2, &cur), 0);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(kv_cursor_next(cur, &k, &kl, &v, &vl), 0);
		assert_int_equal(kl, 3);
		assert_memory_equal(k, keys[i], 3);
		assert_memory_equal(v, keys[i], 3);
	}
	assert_int_equal(kv_cursor_next(cur, &k, &kl, &v, &vl), -ENOENT);
	assert_int_equal(kv_cursor_next(cur, &k, &kl, &v, &vl), -ENOENT);
	/* Seek within the prefix. */
	assert_int_equal(kv_cursor_seek(cur, "p/2", 3), 0);
	assert_int_equal(kv_cursor_next(cur, &k, &kl, &v, &vl), 0);
	assert_memory_equal(k, "p/2", 3);
	assert_int_equal(kv_cursor_seek(cur, "q/", 2), -EINVAL);
	kv_cursor_close(cur);

	/* No prefix: everything in the database, and only that database. */
	assert_int_equal(kv_cursor_open(txn, DB_A, NULL, 0, &cur), 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(kv_cursor_next(cur, &k, &kl, &v, &vl), 0);
		assert_memory_equal(k, keys[i], 3);
	}
	assert_int_equal(kv_cursor_next(cur, &k, &kl, &v, &vl), -ENOENT);
	kv_cursor_close(cur);

	/* A prefix that nothing has. */
	assert_int_equal(kv_cursor_open(txn, DB_A, "r", 1, &cur), 0);
	assert_int_equal(kv_cursor_next(cur, &k, &kl, &v, &vl), -ENOENT);
	kv_cursor_close(cur);
	kv_txn_abort(txn);
}

static void
test_cursor_del(void **state)
{
	struct fixture		*f = *state;
	struct kv_txn		*txn;
	struct kv_cursor	*cur;
	char			 key[16];
	const void		*k, *v;
	size_t			 kl, vl;
	uint64_t		 n;
	int			 i, seen = 0;

	/* Enough entries to span several pages, so deletes cross them. */
	assert_int_equal(kv_txn_begin(f->env, NULL, true, &txn), 0);
	for (i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "d/%05d", i);
		assert_int_equal(kv_put(txn, DB_A, key, strlen(key), key,
		    strlen(key), 0), 0);
	}
	assert_int_equal(kv_put(txn, DB_A, "e/0", 3, "keep", 4, 0), 0);
	assert_int_equal(kv_txn_commit(txn), 0);

	/* Delete every even entry while iterating; odd ones are yielded. */
	assert_int_equal(kv_txn_begin(f->env, NULL, true, &txn), 0);
	assert_int_equal(kv_cursor_open(txn, DB_A, "d/", 2, &cur), 0);
	while (kv_cursor_next(cur, &k, &kl, &v, &vl) == 0) {
		snprintf(key, sizeof(key), "d/%05d", seen);
		assert_int_equal(kl, strlen(key));
		assert_memory_equal(k, key, kl);
		if (seen % 2 == 0)
			assert_int_equal(kv_cursor_del(cur), 0);
		seen++;
	}
	kv_cursor_close(cur);
	assert_int_equal(seen, 2000);
	assert_int_equal(kv_count(txn, DB_A, &n), 0);
	assert_int_equal(n, 1000 + 1);
	assert_int_equal(kv_txn_commit(txn), 0);
	expect(f->env, DB_A, "d/00000", NULL);
	expect(f->env, DB_A, "d/00001", "d/00001");
	expect(f->env, DB_A, "d/01998", NULL);
	expect(f->env, DB_A, "e/0", "keep");
}

static void
test_cursor_outlives_txn(void **state)
{
	struct fixture		*f = *state;
	struct kv_txn		*txn;
	struct kv_cursor	*cur;
	const void		*k, *v;
	size_t			 kl, vl;

	put1(f->env, DB_A, "c/1", "x");
	/*
	 * LMDB frees a write transaction's cursors at commit; closing ours
	 * afterwards must not touch freed memory (ASan watches this).
	 */
	assert_int_equal(kv_txn_begin(f->env, NULL, true, &txn), 0);
	assert_int_equal(kv_cursor_open(txn, DB_A, "c/", 2, &cur), 0);
	assert_int_equal(kv_cursor_next(cur, &k, &kl, &v, &vl), 0);
	assert_int_equal(kv_txn_commit(txn), 0);
	assert_int_equal(kv_cursor_next(cur, &k, &kl, &v, &vl), -EINVAL);
	kv_cursor_close(cur);

	assert_int_equal(kv_txn_begin(f->env, NULL, false, &txn), 0);
	assert_int_equal(kv_cursor_open(txn, DB_A, "c/", 2, &cur), 0);
	kv_txn_abort(txn);
	assert_int_equal(kv_cursor_next(cur, &k, &kl, &v, &vl), -EINVAL);
	kv_cursor_close(cur);
}

static void
test_child_txn(void **state)
{
	struct fixture	*f = *state;
	struct kv_txn	*txn, *child;
	const void	*v;
	size_t		 vl;

	assert_int_equal(kv_txn_begin(f->env, NULL, true, &txn), 0);
	assert_int_equal(kv_put(txn, DB_A, "parent", 6, "p", 1, 0), 0);

	/* A child that fails is undone, and only it. */
	assert_int_equal(kv_txn_begin(f->env, txn, true, &child), 0);
	/* The parent waits while its child runs. */
	assert_int_equal(kv_put(txn, DB_A, "x", 1, "x", 1, 0), -EINVAL);
	assert_int_equal(kv_put(child, DB_A, "aborted", 7, "c", 1, 0), 0);
	assert_int_equal(kv_put(child, DB_A, "parent", 6, "changed", 7, 0), 0);
	assert_int_equal(kv_get(child, DB_A, "aborted", 7, &v, &vl), 0);
	kv_txn_abort(child);
	assert_int_equal(kv_get(txn, DB_A, "aborted", 7, &v, &vl), -ENOENT);
	assert_int_equal(kv_get(txn, DB_A, "parent", 6, &v, &vl), 0);
	assert_memory_equal(v, "p", 1);

	/* A child that commits joins its parent. */
	assert_int_equal(kv_txn_begin(f->env, txn, true, &child), 0);
	assert_int_equal(kv_put(child, DB_A, "joined", 6, "j", 1, 0), 0);
	assert_int_equal(kv_txn_commit(child), 0);
	assert_int_equal(kv_txn_commit(txn), 0);

	expect(f->env, DB_A, "parent", "p");
	expect(f->env, DB_A, "aborted", NULL);
	expect(f->env, DB_A, "joined", "j");

	/* Children of read transactions do not exist. */
	assert_int_equal(kv_txn_begin(f->env, NULL, false, &txn), 0);
	assert_int_equal(kv_txn_begin(f->env, txn, true, &child), -EINVAL);
	kv_txn_abort(txn);
}

static void
test_snapshot(void **state)
{
	struct fixture	*f = *state;
	struct kv_txn	*rd;
	const void	*v;
	size_t		 vl;

	put1(f->env, DB_A, "s", "old");
	assert_int_equal(kv_txn_begin(f->env, NULL, false, &rd), 0);
	put1(f->env, DB_A, "s", "new");
	/* A reader keeps the snapshot it began with. */
	assert_int_equal(kv_get(rd, DB_A, "s", 1, &v, &vl), 0);
	assert_memory_equal(v, "old", 3);
	kv_txn_abort(rd);
	expect(f->env, DB_A, "s", "new");
}

static void
test_info_count(void **state)
{
	struct fixture	*f = *state;
	struct kv_txn	*txn;
	uint64_t	 size, used, n;

	put1(f->env, DB_B, "1", "x");
	put1(f->env, DB_B, "2", "x");
	assert_int_equal(kv_info(f->env, &size, &used), 0);
	assert_true(used > 0);
	assert_true(used <= size);
	assert_int_equal(kv_txn_begin(f->env, NULL, false, &txn), 0);
	assert_int_equal(kv_count(txn, DB_B, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(kv_count(txn, DB_A, &n), 0);
	assert_int_equal(n, 0);
	kv_txn_abort(txn);
	assert_int_equal(kv_reader_check(f->env), 0);
}

/* Fill a 1 MiB map: -ENOSPC, never a crash, and reads go on. */
static void
test_map_full_kv(void **state)
{
	struct fixture	*f = *state;
	struct kv_env	*env = NULL;
	struct kv_txn	*txn, *child;
	char		 dir[300], key[32];
	static char	 val[4000];
	int		 i, j, rc = 0, batches = 0;

	snprintf(dir, sizeof(dir), "%s/tiny", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(kv_open(dir, 1 << 20, names, 2, &env), 0);
	memset(val, 'v', sizeof(val));
	put1(env, DB_A, "first", "survives");
	for (i = 0; i < 1000 && rc == 0; i++) {
		assert_int_equal(kv_txn_begin(env, NULL, true, &txn), 0);
		for (j = 0; j < 8 && rc == 0; j++) {
			snprintf(key, sizeof(key), "fill/%04d/%d", i, j);
			rc = kv_put(txn, DB_A, key, strlen(key), val,
			    sizeof(val), 0);
		}
		/* The first error comes back from commit too. */
		if (rc == 0)
			rc = kv_txn_commit(txn);
		else
			assert_int_equal(kv_txn_commit(txn), rc);
		if (rc == 0)
			batches++;
	}
	assert_int_equal(rc, -ENOSPC);
	assert_true(batches > 0);
	expect(env, DB_A, "first", "survives");
	/* Small writes that fit still go through after the failure. */
	assert_int_equal(kv_txn_begin(env, NULL, true, &txn), 0);
	snprintf(key, sizeof(key), "fill/%04d/%d", 0, 0);
	assert_int_equal(kv_del(txn, DB_A, key, strlen(key)), 0);
	assert_int_equal(kv_txn_commit(txn), 0);

	/* A batch item that does not fit fails alone: its parent commits. */
	assert_int_equal(kv_txn_begin(env, NULL, true, &txn), 0);
	assert_int_equal(kv_put(txn, DB_B, "item", 4, "fits", 4, 0), 0);
	assert_int_equal(kv_txn_begin(env, txn, true, &child), 0);
	for (i = 0, rc = 0; i < 1000 && rc == 0; i++) {
		snprintf(key, sizeof(key), "huge/%04d", i);
		rc = kv_put(child, DB_B, key, strlen(key), val, sizeof(val), 0);
	}
	assert_int_equal(rc, -ENOSPC);
	kv_txn_abort(child);
	assert_int_equal(kv_put(txn, DB_B, "item2", 5, "fits", 4, 0), 0);
	assert_int_equal(kv_txn_commit(txn), 0);
	expect(env, DB_B, "item", "fits");
	expect(env, DB_B, "item2", "fits");
	expect(env, DB_B, "huge/0000", NULL);
	kv_close(env);
}

/*
 * The disk's reserve: allocated to the data file past its last page, the
 * file's size (what LMDB and a copy see) unchanged; a reserve larger than
 * the disk's free space is -EDQUOT and takes none of it.
 */
static void
test_reserve(void **state)
{
	struct fixture	*f = *state;
	struct statvfs	 sv;
	struct stat	 before, after;
	struct kv_txn	*txn;
	char		 path[300];
	uint64_t	 avail = 0, huge;

	put1(f->env, DB_A, "k", "v");
	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(kv_reserve(f->env, 1 << 20), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_size, before.st_size);
	assert_true((uint64_t)after.st_blocks * 512 >=
	    (uint64_t)before.st_blocks * 512 + (1 << 20));
	/* Kept: asking again changes nothing. */
	assert_int_equal(kv_reserve(f->env, 1 << 20), 0);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(before.st_blocks, after.st_blocks);

	assert_int_equal(kv_disk_free(f->env, &avail), 0);
	assert_int_equal(statvfs(f->dir, &sv), 0);
	assert_true(avail <= (uint64_t)sv.f_bfree * sv.f_frsize);
	huge = avail + ((uint64_t)1 << 30);
	assert_int_equal(kv_reserve(f->env, huge), -EDQUOT);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_blocks, before.st_blocks);
	/* The store goes on, its writes landing in the reserve. */
	assert_int_equal(kv_txn_begin(f->env, NULL, true, &txn), 0);
	assert_int_equal(kv_put(txn, DB_B, "after", 5, "x", 1, 0), 0);
	assert_int_equal(kv_txn_commit(txn), 0);
	expect(f->env, DB_B, "after", "x");
}

/* The same through storage, with so_map_size. */
static void
test_map_full_storage(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o;
	struct storage		*st = NULL;
	struct storage_txn	*txn;
	char			 dir[300], key[32];
	static char		 val[4000];
	void			*out;
	size_t			 len;
	int			 i, j, rc = 0;

	snprintf(dir, sizeof(dir), "%s/tiny-storage", f->dir);
	memset(&o, 0, sizeof(o));
	o.so_dir = dir;
	o.so_map_size = 1 << 20;
	o.so_create = true;
	assert_int_equal(storage_open(&o, &st), 0);
	memset(val, 'w', sizeof(val));
	assert_int_equal(storage_txn_begin(st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_UNITS, "u", 1, "kept", 4,
	    0), 0);
	assert_int_equal(storage_txn_commit(txn), 0);

	for (i = 0; i < 1000 && rc == 0; i++) {
		assert_int_equal(storage_txn_begin(st, true, &txn), 0);
		for (j = 0; j < 8 && rc == 0; j++) {
			snprintf(key, sizeof(key), "fill/%04d/%d", i, j);
			rc = storage_put(txn, STORAGE_DB_CELLS, key,
			    strlen(key), val, sizeof(val), 0);
		}
		if (rc == 0)
			rc = storage_txn_commit(txn);
		else
			storage_txn_abort(txn);
	}
	assert_int_equal(rc, -ENOSPC);
	/*
	 * Still open, still readable, and writable once there is room. A
	 * full map is not a full disk: LMDB refused the pages before any
	 * write, the next commit that fits goes through, and /readyz stays
	 * ready (storage_full()).
	 */
	assert_true(storage_writable(st));
	assert_false(storage_full(st));
	assert_int_equal(storage_txn_begin(st, false, &txn), 0);
	assert_int_equal(storage_get(txn, STORAGE_DB_UNITS, "u", 1, &out,
	    &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(out, "kept", 4);
	free(out);
	storage_txn_abort(txn);
	storage_close(st);
}

/* Child transactions through storage: one batch item fails alone. */
static void
test_child_storage(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o;
	struct storage		*st = NULL;
	struct storage_txn	*txn, *child;
	char			 dir[300];
	void			*out;
	size_t			 len;

	snprintf(dir, sizeof(dir), "%s/child", f->dir);
	memset(&o, 0, sizeof(o));
	o.so_dir = dir;
	o.so_create = true;
	assert_int_equal(storage_open(&o, &st), 0);
	assert_int_equal(storage_txn_begin(st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_CELLS, "a", 1, "A", 1, 0),
	    0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_put(child, STORAGE_DB_CELLS, "b", 1, "B", 1,
	    0), 0);
	assert_int_equal(storage_response_put(child, 3, 19800, "r", 1), 0);
	storage_txn_abort(child);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_put(child, STORAGE_DB_CELLS, "c", 1, "C", 1,
	    0), 0);
	assert_int_equal(storage_txn_commit(child), 0);
	assert_int_equal(storage_txn_commit(txn), 0);

	assert_int_equal(storage_txn_begin(st, false, &txn), 0);
	assert_int_equal(storage_get(txn, STORAGE_DB_CELLS, "a", 1, &out,
	    &len), 0);
	free(out);
	assert_int_equal(storage_get(txn, STORAGE_DB_CELLS, "b", 1, &out,
	    &len), -ENOENT);
	assert_int_equal(storage_get(txn, STORAGE_DB_CELLS, "c", 1, &out,
	    &len), 0);
	assert_memory_equal(out, "C", 1);
	free(out);
	storage_txn_abort(txn);
	storage_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_get_del, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nooverwrite, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cursor_prefix, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cursor_del, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cursor_outlives_txn,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_txn, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_snapshot, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_info_count, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reserve, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_map_full_kv, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_map_full_storage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_child_storage, setup,
		    teardown),
	};

	log_init("test_lmdb", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
