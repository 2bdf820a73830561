/*
 * test_audit.c — the hash chain of the audit log on a real store: entries
 * chain and verify; an entry altered, removed, cut off or forged through
 * the storage API is found at the right seq. The day is fixed by
 * wrapping util_today().
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

#include "common/util.h"
#include "core/audit.h"
#include "core/rec.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

#define DAY0	19751	/* 2024-01-29 */
#define NENTRY	5

int64_t	__wrap_util_today(void);

int64_t
__wrap_util_today(void)
{
	return DAY0;
}

struct fixture {
	char			 dir[256];
	char			 state[300];
	struct storage		*st;
};

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    tmpdir_make(f->dir, sizeof(f->dir), "audit") != 0 ||
	    tmpdir_store_open(f->dir, f->state, sizeof(f->state), NULL,
	    &f->st) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	storage_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void
seq_key(uint64_t seq, uint8_t key[AUDIT_KEYLEN])
{
	int	i;

	for (i = AUDIT_KEYLEN - 1; i >= 0; i--) {
		key[i] = (uint8_t)seq;
		seq >>= 8;
	}
}

/* NENTRY entries, each in a write transaction of its own. */
static void
fill(struct storage *st)
{
	struct storage_txn	*txn;
	int			 i;

	for (i = 1; i <= NENTRY; i++) {
		assert_int_equal(storage_txn_begin(st, true, &txn), 0);
		assert_int_equal(audit_append(txn, i % 2 ? "admin" : "-",
		    i % 2 ? "user.create" : "login.failed",
		    json_pack("{s:i}", "n", i)), 0);
		assert_int_equal(storage_txn_commit(txn), 0);
	}
}

static json_t *
verify(struct storage *st, uint64_t after, size_t limit,
    struct audit_check *chk)
{
	struct storage_txn	*txn;
	json_t			*entries = json_array();

	assert_int_equal(storage_txn_begin(st, false, &txn), 0);
	assert_int_equal(audit_verify(txn, after, limit, entries, chk), 0);
	storage_txn_abort(txn);
	return entries;
}

static void
test_empty_log_verifies(void **state)
{
	struct fixture		*f = *state;
	struct audit_check	 chk;
	json_t			*e = verify(f->st, 0, 100, &chk);

	assert_true(chk.ac_ok);
	assert_int_equal(chk.ac_count, 0);
	assert_int_equal(json_array_size(e), 0);
	json_decref(e);
}

static void
test_chain_verifies(void **state)
{
	struct fixture		*f = *state;
	struct audit_check	 chk;
	json_t			*e, *x;
	size_t			 i;
	char			 zeros[65];

	fill(f->st);
	e = verify(f->st, 0, 100, &chk);
	assert_true(chk.ac_ok);
	assert_int_equal(chk.ac_broken_at, 0);
	assert_int_equal(chk.ac_count, NENTRY);
	assert_int_equal(json_array_size(e), NENTRY);
	memset(zeros, '0', 64);
	zeros[64] = '\0';
	json_array_foreach(e, i, x) {
		assert_int_equal(json_integer_value(json_object_get(x, "seq")),
		    i + 1);
		/* The day only: no time of day is kept. */
		assert_string_equal(json_string_value(json_object_get(x,
		    "day")), "2024-01-29");
		assert_int_equal(json_integer_value(json_object_get(
		    json_object_get(x, "detail"), "n")), i + 1);
		assert_int_equal(json_string_length(json_object_get(x, "hash")),
		    64);
		assert_string_equal(json_string_value(json_object_get(x,
		    "prev")), i == 0 ? zeros : json_string_value(
		    json_object_get(json_array_get(e, i - 1), "hash")));
	}
	json_decref(e);
}

static void
test_paging(void **state)
{
	struct fixture		*f = *state;
	struct audit_check	 chk;
	json_t			*e;

	fill(f->st);
	e = verify(f->st, 2, 2, &chk);
	assert_true(chk.ac_ok);
	assert_int_equal(chk.ac_count, NENTRY);	/* the whole chain checked */
	assert_int_equal(json_array_size(e), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(e,
	    0), "seq")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(e,
	    1), "seq")), 4);
	json_decref(e);
}

/* Rewrite entry seq through the storage API with one member changed. */
static void
alter(struct storage *st, uint64_t seq, const char *member, json_t *value)
{
	struct storage_txn	*txn;
	uint8_t			 key[AUDIT_KEYLEN];
	json_t			*entry;

	seq_key(seq, key);
	assert_int_equal(storage_txn_begin(st, true, &txn), 0);
	assert_int_equal(rec_get_key(txn, STORAGE_DB_AUDIT, key, sizeof(key),
	    &entry), 0);
	assert_int_equal(json_object_set_new(entry, member, value), 0);
	assert_int_equal(rec_put_key(txn, STORAGE_DB_AUDIT, key, sizeof(key),
	    entry, 0), 0);
	json_decref(entry);
	assert_int_equal(storage_txn_commit(txn), 0);
}

static void
test_altered_entry_is_found(void **state)
{
	struct fixture		*f = *state;
	struct audit_check	 chk;
	json_t			*e;

	fill(f->st);
	alter(f->st, 3, "who", json_string("mallory"));
	e = verify(f->st, 0, 100, &chk);
	assert_false(chk.ac_ok);
	assert_int_equal(chk.ac_broken_at, 3);
	/* The damaged entry is still listed, for the admin to see. */
	assert_int_equal(json_array_size(e), NENTRY);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(e, 2), "who")), "mallory");
	json_decref(e);
}

static void
test_altered_detail_and_day(void **state)
{
	struct fixture		*f = *state;
	struct audit_check	 chk;

	fill(f->st);
	alter(f->st, 1, "detail", json_pack("{s:i}", "n", 99));
	json_decref(verify(f->st, 0, 100, &chk));
	assert_false(chk.ac_ok);
	assert_int_equal(chk.ac_broken_at, 1);
}

static void
test_recomputed_hash_breaks_next_link(void **state)
{
	struct fixture			*f = *state;
	struct audit_check		 chk;
	struct storage_txn		*txn;
	crypto_generichash_state	 hs;
	uint8_t				 key[AUDIT_KEYLEN];
	unsigned char			 bin[32];
	char				 hex[65], *text;
	json_t				*entry;

	fill(f->st);
	/*
	 * A forger who knows the algorithm alters entry 2 and gives it a
	 * matching hash: entry 2 then verifies, entry 3's link does not.
	 */
	seq_key(2, key);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(rec_get_key(txn, STORAGE_DB_AUDIT, key, sizeof(key),
	    &entry), 0);
	json_object_set_new(entry, "who", json_string("mallory"));
	json_object_del(entry, "hash");
	text = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
	crypto_generichash_init(&hs, NULL, 0, sizeof(bin));
	crypto_generichash_update(&hs, (const unsigned char *)
	    "palaute-audit-v1", 17);
	crypto_generichash_update(&hs, (const unsigned char *)text,
	    strlen(text));
	crypto_generichash_final(&hs, bin, sizeof(bin));
	free(text);
	sodium_bin2hex(hex, sizeof(hex), bin, sizeof(bin));
	json_object_set_new(entry, "hash", json_string(hex));
	assert_int_equal(rec_put_key(txn, STORAGE_DB_AUDIT, key, sizeof(key),
	    entry, 0), 0);
	json_decref(entry);
	assert_int_equal(storage_txn_commit(txn), 0);
	json_decref(verify(f->st, 0, 100, &chk));
	assert_false(chk.ac_ok);
	assert_int_equal(chk.ac_broken_at, 3);
}

static void
test_removed_entry_is_found(void **state)
{
	struct fixture		*f = *state;
	struct audit_check	 chk;
	struct storage_txn	*txn;
	uint8_t			 key[AUDIT_KEYLEN];

	fill(f->st);
	seq_key(3, key);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_del(txn, STORAGE_DB_AUDIT, key, sizeof(key)),
	    0);
	assert_int_equal(storage_txn_commit(txn), 0);
	json_decref(verify(f->st, 0, 100, &chk));
	assert_false(chk.ac_ok);
	assert_int_equal(chk.ac_broken_at, 3);
}

static void
test_cut_tail_is_found(void **state)
{
	struct fixture		*f = *state;
	struct audit_check	 chk;
	struct storage_txn	*txn;
	uint8_t			 key[AUDIT_KEYLEN];

	fill(f->st);
	seq_key(NENTRY, key);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_del(txn, STORAGE_DB_AUDIT, key, sizeof(key)),
	    0);
	assert_int_equal(storage_txn_commit(txn), 0);
	json_decref(verify(f->st, 0, 100, &chk));
	assert_false(chk.ac_ok);
	assert_int_equal(chk.ac_broken_at, NENTRY);
}

static void
test_removed_head_is_found_and_refused(void **state)
{
	struct fixture		*f = *state;
	struct audit_check	 chk;
	struct storage_txn	*txn;

	fill(f->st);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_del(txn, STORAGE_DB_META, "audit_head", 10),
	    0);
	assert_int_equal(storage_txn_commit(txn), 0);
	json_decref(verify(f->st, 0, 100, &chk));
	assert_false(chk.ac_ok);
	assert_int_equal(chk.ac_broken_at, NENTRY + 1);
	/* Appending would hide the damage: refused. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(audit_append(txn, "admin", "unit.create", NULL),
	    -EIO);
	storage_txn_abort(txn);
}

static void
test_detail_is_stolen(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	json_t			*detail = json_pack("{s:s}", "k", "v");

	json_incref(detail);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(audit_append(txn, "admin", "x.y", detail), 0);
	assert_int_equal(detail->refcount, 1);
	/* Also on failure: a name that is not UTF-8. */
	json_incref(detail);
	assert_int_equal(audit_append(txn, "\xff\xfe", "x.y", detail),
	    -EINVAL);
	assert_int_equal(detail->refcount, 1);
	assert_int_equal(storage_txn_commit(txn), 0);
	json_decref(detail);
}

static void
test_aborted_change_leaves_no_entry(void **state)
{
	struct fixture		*f = *state;
	struct audit_check	 chk;
	struct storage_txn	*txn, *child;

	fill(f->st);
	/* As the writer does: the entry vanishes with its change. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(audit_append(child, "admin", "unit.delete", NULL), 0);
	storage_txn_abort(child);
	assert_int_equal(audit_append(txn, "admin", "unit.create", NULL), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	json_decref(verify(f->st, 0, 100, &chk));
	assert_true(chk.ac_ok);
	assert_int_equal(chk.ac_count, NENTRY + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_log_verifies, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_chain_verifies, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_altered_entry_is_found,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_altered_detail_and_day,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_recomputed_hash_breaks_next_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_entry_is_found,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_tail_is_found, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_removed_head_is_found_and_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_is_stolen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_aborted_change_leaves_no_entry, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
