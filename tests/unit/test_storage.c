/*
 * test_storage.c — the storage API on a real store in a temporary
 * directory: values, counters, responses by day, stat, backup, and what
 * reaches the disk.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
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
#include "common/util.h"
#include "storage/keys.h"
#include "storage/kv.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

#define SURVEY		7
/* 2024-01-29 .. 2024-02-03: a range across a month boundary. */
#define DAY0		19751

struct fixture {
	char			 dir[256];
	char			 state[300];
	struct storage_opts	 o;
	struct storage		*st;
};

static int
setup(void **state)
{
	struct fixture	*f;

	/* f->o is kept: reopen() opens the store again with it. */
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    tmpdir_make(f->dir, sizeof(f->dir), "storage") != 0 ||
	    tmpdir_store_open(f->dir, f->state, sizeof(f->state), &f->o,
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
put(struct storage *st, enum storage_db db, const char *k, const char *v)
{
	struct storage_txn	*txn;

	assert_int_equal(storage_txn_begin(st, true, &txn), 0);
	assert_int_equal(storage_put(txn, db, k, strlen(k), v, strlen(v), 0),
	    0);
	assert_int_equal(storage_txn_commit(txn), 0);
}

/* db:k opens to v; NULL: absent. */
static void
expect(struct storage *st, enum storage_db db, const char *k, const char *v)
{
	struct storage_txn	*txn;
	void			*val = NULL;
	size_t			 len;

	assert_int_equal(storage_txn_begin(st, false, &txn), 0);
	if (v == NULL) {
		assert_int_equal(storage_get(txn, db, k, strlen(k), &val,
		    &len), -ENOENT);
		assert_null(val);
	} else {
		assert_int_equal(storage_get(txn, db, k, strlen(k), &val,
		    &len), 0);
		assert_int_equal(len, strlen(v));
		/* NUL-terminated one past the length. */
		assert_string_equal(val, v);
		free(val);
	}
	storage_txn_abort(txn);
}

static bool
file_has(const char *path, const char *needle)
{
	void	*buf;
	size_t	 len;
	bool	 found;

	assert_int_equal(util_read_file(path, 1 << 28, &buf, &len), 0);
	found = memmem(buf, len, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

static void
reopen(struct fixture *f)
{
	storage_close(f->st);
	f->st = NULL;
	assert_int_equal(storage_open(&f->o, &f->st), 0);
}

static void
test_values(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	char			 big[5000];

	assert_true(storage_writable(f->st));
	assert_string_equal(storage_db_name(STORAGE_DB_UNITS), "units");
	assert_string_equal(storage_db_name(STORAGE_DB_COUNT), "unknown");
	expect(f->st, STORAGE_DB_UNITS, "u/1", NULL);
	put(f->st, STORAGE_DB_UNITS, "u/1", "{\"name\":\"Kallio\"}");
	put(f->st, STORAGE_DB_USERS, "u/1", "someone else");
	put(f->st, STORAGE_DB_META, "empty", "");
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put(f->st, STORAGE_DB_CELLS, "big", big);
	reopen(f);
	expect(f->st, STORAGE_DB_UNITS, "u/1", "{\"name\":\"Kallio\"}");
	expect(f->st, STORAGE_DB_USERS, "u/1", "someone else");
	expect(f->st, STORAGE_DB_META, "empty", "");
	expect(f->st, STORAGE_DB_CELLS, "big", big);

	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_UNITS, "u/1", 3, "x", 1,
	    STORAGE_NOOVERWRITE), -EEXIST);
	assert_int_equal(storage_del(txn, STORAGE_DB_USERS, "u/1", 3), 0);
	assert_int_equal(storage_del(txn, STORAGE_DB_USERS, "u/1", 3), -ENOENT);
	/* Responses go through storage_response_put() only. */
	assert_int_equal(storage_put(txn, STORAGE_DB_RESPONSES, "r", 1, "x", 1,
	    0), -EINVAL);
	assert_int_equal(storage_put(txn, STORAGE_DB_COUNT, "r", 1, "x", 1, 0),
	    -EINVAL);
	assert_int_equal(storage_put(txn, STORAGE_DB_UNITS, "r", 1, "x", 1,
	    0x80), -EINVAL);
	assert_int_equal(storage_txn_commit(txn), 0);
	expect(f->st, STORAGE_DB_UNITS, "u/1", "{\"name\":\"Kallio\"}");
	expect(f->st, STORAGE_DB_USERS, "u/1", NULL);

	/* Read transactions do not write. */
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_UNITS, "r", 1, "x", 1, 0),
	    -EINVAL);
	assert_int_equal(storage_del(txn, STORAGE_DB_UNITS, "u/1", 3),
	    -EINVAL);
	assert_int_equal(storage_txn_begin_child(txn, &txn), -EINVAL);
	storage_txn_abort(txn);
}

static void
test_iter_prefix(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	struct storage_iter	*it;
	const char		*want[] = { "s/1", "s/2", "s/3" };
	const void		*k, *v;
	size_t			 kl, vl, i;

	put(f->st, STORAGE_DB_SURVEYS, "s/2", "two");
	put(f->st, STORAGE_DB_SURVEYS, "s/1", "one");
	put(f->st, STORAGE_DB_SURVEYS, "s/3", "three");
	put(f->st, STORAGE_DB_SURVEYS, "t/1", "other");
	put(f->st, STORAGE_DB_SURVEYS, "r/9", "other");

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(storage_iter_new(txn, STORAGE_DB_SURVEYS, "s/", 2,
	    &it), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(storage_iter_next(it, &k, &kl, &v, &vl), 0);
		assert_int_equal(kl, 3);
		assert_memory_equal(k, want[i], 3);
		/* Opened values, NUL-terminated like storage_get()'s. */
		assert_string_equal(v, i == 0 ? "one" : i == 1 ? "two" :
		    "three");
	}
	assert_int_equal(storage_iter_next(it, &k, &kl, &v, &vl), -ENOENT);
	storage_iter_free(it);

	/* No prefix: all five. */
	assert_int_equal(storage_iter_new(txn, STORAGE_DB_SURVEYS, NULL, 0,
	    &it), 0);
	for (i = 0; storage_iter_next(it, &k, &kl, &v, &vl) == 0; i++)
		;
	assert_int_equal(i, 5);
	storage_iter_free(it);
	storage_txn_abort(txn);
}

static void
test_next_id(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	uint32_t		 id;

	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_next_id(txn, "units", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(storage_next_id(txn, "units", &id), 0);
	assert_int_equal(id, 2);
	/* Counters are independent. */
	assert_int_equal(storage_next_id(txn, "surveys", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(storage_txn_commit(txn), 0);

	/* An aborted transaction takes its ids with it. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_next_id(txn, "units", &id), 0);
	assert_int_equal(id, 3);
	storage_txn_abort(txn);

	reopen(f);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_next_id(txn, "units", &id), 0);
	assert_int_equal(id, 3);
	assert_int_equal(storage_next_id(txn, "", &id), -EINVAL);
	assert_int_equal(storage_txn_commit(txn), 0);

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(storage_next_id(txn, "units", &id), -EINVAL);
	storage_txn_abort(txn);
}

static void
test_day_month(void **state)
{
	assert_int_equal(storage_day_month(0), 1970 * 12);
	/* 2024-02-29 and the days around the turn of a month. */
	assert_int_equal(storage_day_month(19782), 2024 * 12 + 1);
	assert_int_equal(storage_day_month(19783), 2024 * 12 + 2);
	assert_int_equal(storage_day_month(DAY0 + 2), 2024 * 12 + 0);
	assert_int_equal(storage_day_month(DAY0 + 3), 2024 * 12 + 1);
}

/* Responses of SURVEY per day d (DAY0 + d, d < 6): d + 1 of them. */
static void
put_responses(struct storage *st)
{
	struct storage_txn	*txn;
	char			 val[32];
	int			 d, i;

	assert_int_equal(storage_txn_begin(st, true, &txn), 0);
	for (d = 0; d < 6; d++) {
		for (i = 0; i <= d; i++) {
			snprintf(val, sizeof(val), "{\"d\":%d,\"i\":%d}", d, i);
			assert_int_equal(storage_response_put(txn, SURVEY,
			    DAY0 + d, val, strlen(val)), 0);
		}
	}
	/* Neighbours the iteration must not yield. */
	assert_int_equal(storage_response_put(txn, SURVEY - 1, DAY0 + 2,
	    "before", 6), 0);
	assert_int_equal(storage_response_put(txn, SURVEY + 1, DAY0 + 2,
	    "after", 5), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
}

/* Iterate SURVEY from..to: count per day offset, checking each value. */
static int
iter_days(struct storage *st, uint32_t from, uint32_t to, int *per_day)
{
	struct storage_txn	*txn;
	struct storage_iter	*it;
	const void		*k, *v;
	size_t			 kl, vl;
	uint32_t		 day, last = 0;
	char			 want[32];
	int			 n = 0, rc, d, i;

	memset(per_day, 0, 6 * sizeof(*per_day));
	assert_int_equal(storage_txn_begin(st, false, &txn), 0);
	assert_int_equal(storage_response_iter(txn, SURVEY, from, to, &it), 0);
	while ((rc = storage_iter_next(it, &k, &kl, &v, &vl)) == 0) {
		assert_int_equal(kl, STORAGE_RESPONSE_KEYLEN);
		day = storage_response_key_day(k);
		assert_true(day >= from && day <= to);
		assert_true(day >= last);	/* ascending by day */
		last = day;
		d = (int)(day - DAY0);
		assert_int_equal(sscanf(v, "{\"d\":%d,\"i\":%d}", &d, &i), 2);
		assert_int_equal((uint32_t)d, day - DAY0);
		snprintf(want, sizeof(want), "{\"d\":%d,\"i\":%d}", d, i);
		assert_int_equal(vl, strlen(want));
		assert_string_equal(v, want);
		per_day[d]++;
		n++;
	}
	assert_int_equal(rc, -ENOENT);
	storage_iter_free(it);
	storage_txn_abort(txn);
	return n;
}

static void
test_responses(void **state)
{
	struct fixture	*f = *state;
	int		 per_day[6], d;

	put_responses(f->st);
	reopen(f);
	/* All six days: two months, two data keys. */
	assert_int_equal(iter_days(f->st, DAY0, DAY0 + 5, per_day), 21);
	for (d = 0; d < 6; d++)
		assert_int_equal(per_day[d], d + 1);
	/* Days 2..4 only, across the month boundary. */
	assert_int_equal(iter_days(f->st, DAY0 + 2, DAY0 + 4, per_day),
	    3 + 4 + 5);
	assert_int_equal(per_day[1], 0);
	assert_int_equal(per_day[5], 0);
	/* One day; a day with nothing; an empty range. */
	assert_int_equal(iter_days(f->st, DAY0 + 3, DAY0 + 3, per_day), 4);
	assert_int_equal(iter_days(f->st, DAY0 + 9, DAY0 + 30, per_day), 0);
	assert_int_equal(iter_days(f->st, DAY0 + 4, DAY0 + 2, per_day), 0);
	assert_int_equal(iter_days(f->st, 0, UINT32_MAX, per_day), 21);

	/* Shredding January leaves February. */
	assert_int_equal(storage_shred(f->st, SURVEY, 2024 * 12), 0);
	assert_int_equal(iter_days(f->st, DAY0, DAY0 + 5, per_day), 4 + 5 + 6);
	assert_int_equal(per_day[2], 0);
	assert_int_equal(per_day[3], 4);
}

/*
 * The writer's pattern: responses in children of one transaction. A child
 * borrows the parent's data key; a key created in a child that aborts must
 * not stay with the parent (its wrapped copy was rolled back).
 */
static void
test_child_data_keys(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn, *child;
	int			 per_day[6];

	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	/* Creates January's key in a child, then throws it away. */
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_response_put(child, SURVEY, DAY0,
	    "{\"d\":0,\"i\":0}", 13), 0);
	storage_txn_abort(child);
	/* January again, twice in children, once in the parent between. */
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_response_put(child, SURVEY, DAY0,
	    "{\"d\":0,\"i\":1}", 13), 0);
	assert_int_equal(storage_txn_commit(child), 0);
	assert_int_equal(storage_response_put(txn, SURVEY, DAY0 + 1,
	    "{\"d\":1,\"i\":0}", 13), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_response_put(child, SURVEY, DAY0 + 2,
	    "{\"d\":2,\"i\":0}", 13), 0);
	/* February in the same child, then the child aborts: January's
	 * key (lent) and February's (made here) are both dropped. */
	assert_int_equal(storage_response_put(child, SURVEY, DAY0 + 4,
	    "{\"d\":4,\"i\":0}", 13), 0);
	storage_txn_abort(child);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_response_put(child, SURVEY, DAY0 + 5,
	    "{\"d\":5,\"i\":0}", 13), 0);
	assert_int_equal(storage_txn_commit(child), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_response_put(child, SURVEY, DAY0 + 2,
	    "{\"d\":2,\"i\":1}", 13), 0);
	storage_txn_abort(child);
	assert_int_equal(storage_txn_commit(txn), 0);
	reopen(f);
	/* Every kept value opens with a key the store holds. */
	assert_int_equal(iter_days(f->st, DAY0, DAY0 + 5, per_day), 3);
	assert_int_equal(per_day[0], 1);
	assert_int_equal(per_day[1], 1);
	assert_int_equal(per_day[5], 1);
}

/* A key of the comments database: survey | month | tag. */
static void
ckey(unsigned char k[9], uint32_t survey, uint32_t month, char tag)
{
	k[0] = (unsigned char)(survey >> 24);
	k[1] = (unsigned char)(survey >> 16);
	k[2] = (unsigned char)(survey >> 8);
	k[3] = (unsigned char)survey;
	k[4] = (unsigned char)(month >> 24);
	k[5] = (unsigned char)(month >> 16);
	k[6] = (unsigned char)(month >> 8);
	k[7] = (unsigned char)month;
	k[8] = (unsigned char)tag;
}

/* Pass over tag 'b'; end after February. */
static int
pick_tags(const void *key, size_t klen, void *arg)
{
	const unsigned char	*k = key;

	(void)arg;
	assert_int_equal(klen, 9);
	if (k[7] > (2024 * 12 + 1) % 256)
		return -ENOENT;
	return k[8] == 'b' ? 0 : 1;
}

/*
 * The comments database: values sealed with the data key of the month
 * the key names, made on the first put; seek and a key filter narrow an
 * iteration; a shred of the month takes its entries and no others.
 */
static void
test_comments_db(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	struct storage_iter	*it;
	const unsigned char	*k;
	const void		*kv, *v;
	unsigned char		 key[9];
	const uint32_t		 jan = 2024 * 12, feb = jan + 1, mar = jan + 2;
	const uint32_t		 months[3] = { jan, feb, mar };
	char			 seen[16], val[8];
	void			*out;
	size_t			 kl, vl, len, n = 0;
	int			 i, rc;
	const char		*t;

	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_COMMENTS, "short", 5,
	    "x", 1, 0), -EINVAL);
	for (i = 0; i < 3; i++)
		for (t = "abc"; *t != '\0'; t++) {
			ckey(key, SURVEY, months[i], *t);
			snprintf(val, sizeof(val), "%c%d", *t, i);
			assert_int_equal(storage_put(txn, STORAGE_DB_COMMENTS,
			    key, sizeof(key), val, strlen(val), 0), 0);
		}
	ckey(key, SURVEY + 1, jan, 'a');
	assert_int_equal(storage_put(txn, STORAGE_DB_COMMENTS, key,
	    sizeof(key), "other", 5, 0), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	reopen(f);

	/* From February on, 'b' passed over, ended after February. */
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	ckey(key, SURVEY, feb, 0);
	assert_int_equal(storage_iter_new(txn, STORAGE_DB_COMMENTS, key, 4,
	    &it), 0);
	assert_int_equal(storage_iter_seek(it, key, 8), 0);
	storage_iter_keys(it, pick_tags, NULL);
	while ((rc = storage_iter_next(it, &kv, &kl, &v, &vl)) == 0) {
		assert_true(n + vl < sizeof(seen));
		memcpy(seen + n, v, vl);
		n += vl;
	}
	assert_int_equal(rc, -ENOENT);
	seen[n] = '\0';
	assert_string_equal(seen, "a1c1");
	/* A seek outside the prefix is refused. */
	ckey(key, SURVEY + 1, jan, 0);
	assert_int_equal(storage_iter_seek(it, key, 8), -EINVAL);
	storage_iter_free(it);
	storage_txn_abort(txn);

	/* January goes, with its key; February and the other survey stay. */
	assert_int_equal(storage_shred(f->st, SURVEY, jan), 0);
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	ckey(key, SURVEY, jan, 'a');
	assert_int_equal(storage_get(txn, STORAGE_DB_COMMENTS, key,
	    sizeof(key), &out, &len), -ENOENT);
	ckey(key, SURVEY, feb, 'b');
	assert_int_equal(storage_get(txn, STORAGE_DB_COMMENTS, key,
	    sizeof(key), &out, &len), 0);
	assert_string_equal(out, "b1");
	free(out);
	ckey(key, SURVEY + 1, jan, 'a');
	assert_int_equal(storage_get(txn, STORAGE_DB_COMMENTS, key,
	    sizeof(key), &out, &len), 0);
	assert_string_equal(out, "other");
	free(out);
	n = 0;
	assert_int_equal(storage_iter_new(txn, STORAGE_DB_COMMENTS, NULL, 0,
	    &it), 0);
	while (storage_iter_next(it, &kv, &kl, &v, &vl) == 0) {
		k = kv;
		assert_false(k[3] == SURVEY && k[7] == jan % 256);
		n++;
	}
	assert_int_equal(n, 3 + 3 + 1);
	storage_iter_free(it);
	storage_txn_abort(txn);
}

static void
test_stat(void **state)
{
	struct fixture		*f = *state;
	struct storage_stat	 s;

	put(f->st, STORAGE_DB_UNITS, "a", "1");
	put(f->st, STORAGE_DB_UNITS, "b", "2");
	put_responses(f->st);
	assert_int_equal(storage_stat(f->st, &s), 0);
	assert_int_equal(s.ss_entries[STORAGE_DB_UNITS], 2);
	assert_int_equal(s.ss_entries[STORAGE_DB_RESPONSES], 21 + 2);
	assert_int_equal(s.ss_entries[STORAGE_DB_USERS], 0);
	/* The schema record. */
	assert_int_equal(s.ss_entries[STORAGE_DB_META], 1);
	/* The default map is large; only a little of it is used. */
	assert_true(s.ss_map_size >= (uint64_t)1 << 30);
	assert_true(s.ss_map_used > 0);
	assert_true(s.ss_map_used < s.ss_map_size);
	assert_int_equal(s.ss_map_used % 512, 0);
	assert_true(storage_reader_check(f->st) >= 0);
}

static void
test_backup(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 b;
	struct storage		*bst = NULL;
	struct stat		 sb;
	char			 dir[300], kek[320], path[400];
	int			 per_day[6];

	put(f->st, STORAGE_DB_UNITS, "u/1", "Kallio");
	put_responses(f->st);
	snprintf(dir, sizeof(dir), "%s/backup", f->dir);
	snprintf(kek, sizeof(kek), "%s/kek", f->state);
	assert_int_equal(storage_backup(f->st, dir), 0);
	/* The store stays in use. */
	put(f->st, STORAGE_DB_UNITS, "u/2", "after the backup");

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* The KEK is not in the backup: it travels on its own. */
	snprintf(path, sizeof(path), "%s/kek", dir);
	assert_int_equal(stat(path, &sb), -1);
	/* Only into a new or empty directory. */
	assert_int_equal(storage_backup(f->st, dir), -EEXIST);

	memset(&b, 0, sizeof(b));
	b.so_dir = dir;
	b.so_kek_path = kek;
	assert_int_equal(storage_open(&b, &bst), 0);
	expect(bst, STORAGE_DB_UNITS, "u/1", "Kallio");
	expect(bst, STORAGE_DB_UNITS, "u/2", NULL);
	assert_int_equal(iter_days(bst, DAY0, DAY0 + 5, per_day), 21);
	storage_close(bst);

	/* An empty directory that exists is fine. */
	snprintf(dir, sizeof(dir), "%s/backup2", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(storage_backup(f->st, dir), 0);
}

/* Every value is sealed: no plaintext reaches data.mdb. */
static void
test_no_plaintext(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	const char		*value = "MARKER-VALUE-Kallion-toimisto-4711";
	const char		*answer = "MARKER-RESPONSE-odotin-kauan";
	char			 path[400], bdir[300];
	uint32_t		 id;
	int			 i;

	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_UNITS, "u/1", 3, value,
	    strlen(value), 0), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_AUDIT, "a/1", 3, value,
	    strlen(value), 0), 0);
	/* Many copies, so pages split and fill and more is written. */
	for (i = 0; i < 200; i++)
		assert_int_equal(storage_response_put(txn, SURVEY,
		    DAY0 + i % 40, answer, strlen(answer)), 0);
	assert_int_equal(storage_next_id(txn, "units", &id), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	snprintf(bdir, sizeof(bdir), "%s/backup", f->dir);
	assert_int_equal(storage_backup(f->st, bdir), 0);
	storage_close(f->st);
	f->st = NULL;

	snprintf(path, sizeof(path), "%s/data.mdb", f->state);
	assert_false(file_has(path, value));
	assert_false(file_has(path, answer));
	/* Shorter pieces of them neither. */
	assert_false(file_has(path, "MARKER"));
	assert_false(file_has(path, "Kallion"));
	assert_false(file_has(path, "odotin"));
	snprintf(path, sizeof(path), "%s/data.mdb", bdir);
	assert_false(file_has(path, "MARKER"));
	snprintf(path, sizeof(path), "%s/lock.mdb", f->state);
	assert_false(file_has(path, "MARKER"));
	/* The test would see plaintext if it were there: keys are stored. */
	snprintf(path, sizeof(path), "%s/data.mdb", f->state);
	assert_true(file_has(path, "u/1"));
	assert_true(file_has(path, "responses"));

	assert_int_equal(storage_open(&f->o, &f->st), 0);
	expect(f->st, STORAGE_DB_UNITS, "u/1", value);
}

/* kv names in the order storage.c opens them. */
static void
kv_names(const char **names)
{
	unsigned	i;

	for (i = 0; i < STORAGE_DB_COUNT; i++)
		names[i] = storage_db_name(i);
	names[KEYS_DB] = KEYS_DB_NAME;
}

/* Copy the raw (sealed) bytes of db:from to to_db:to, behind storage. */
static void
raw_copy(const char *dir, unsigned db, const void *from, size_t flen,
    unsigned to_db, const void *to, size_t tlen)
{
	const char	*names[STORAGE_DB_COUNT + 1];
	struct kv_env	*kv = NULL;
	struct kv_txn	*txn;
	const void	*v;
	void		*copy;
	size_t		 vl;

	kv_names(names);
	assert_int_equal(kv_open(dir, 0, names, STORAGE_DB_COUNT + 1, &kv), 0);
	assert_int_equal(kv_txn_begin(kv, NULL, true, &txn), 0);
	assert_int_equal(kv_get(txn, db, from, flen, &v, &vl), 0);
	copy = malloc(vl);
	assert_non_null(copy);
	memcpy(copy, v, vl);
	assert_int_equal(kv_put(txn, to_db, to, tlen, copy, vl, 0), 0);
	free(copy);
	assert_int_equal(kv_txn_commit(txn), 0);
	kv_close(kv);
}

/* A sealed value copied under another key or database does not open. */
static void
test_moved_value(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn;
	struct storage_iter	*it;
	unsigned char		 rkey[STORAGE_RESPONSE_KEYLEN], moved[16];
	const void		*k, *v;
	size_t			 kl, vl;
	void			*val;
	size_t			 len;

	put(f->st, STORAGE_DB_USERS, "user/anna", "{\"role\":\"manager\"}");
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_response_put(txn, SURVEY, DAY0, "resp", 4),
	    0);
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(storage_response_iter(txn, SURVEY, DAY0, DAY0, &it),
	    0);
	assert_int_equal(storage_iter_next(it, &k, &kl, &v, &vl), 0);
	memcpy(rkey, k, sizeof(rkey));
	storage_iter_free(it);
	storage_txn_abort(txn);
	storage_close(f->st);
	f->st = NULL;

	raw_copy(f->state, STORAGE_DB_USERS, "user/anna", 9, STORAGE_DB_USERS,
	    "user/mallory", 12);
	raw_copy(f->state, STORAGE_DB_USERS, "user/anna", 9, STORAGE_DB_TOKENS,
	    "user/anna", 9);
	/* A response moved to another day (same month, same data key). */
	memcpy(moved, rkey, sizeof(moved));
	moved[7] ^= 0x01;
	raw_copy(f->state, STORAGE_DB_RESPONSES, rkey, sizeof(rkey),
	    STORAGE_DB_RESPONSES, moved, sizeof(moved));

	assert_int_equal(storage_open(&f->o, &f->st), 0);
	expect(f->st, STORAGE_DB_USERS, "user/anna", "{\"role\":\"manager\"}");
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	val = NULL;
	assert_int_equal(storage_get(txn, STORAGE_DB_USERS, "user/mallory", 12,
	    &val, &len), -EBADMSG);
	assert_int_equal(storage_get(txn, STORAGE_DB_TOKENS, "user/anna", 9,
	    &val, &len), -EBADMSG);
	assert_int_equal(storage_get(txn, STORAGE_DB_RESPONSES, moved,
	    sizeof(moved), &val, &len), -EBADMSG);
	assert_null(val);
	assert_int_equal(storage_get(txn, STORAGE_DB_RESPONSES, rkey,
	    sizeof(rkey), &val, &len), 0);
	assert_string_equal(val, "resp");
	free(val);
	storage_txn_abort(txn);
}

/*
 * The key layout of DESIGN.md section 4, read back from the store: the
 * responses of one commit are neighbours under one tag, the tags of
 * commits differ, and neither the commits of a day nor the responses of
 * one commit sort in the order they arrived. Statistical, on purpose: a
 * counter in either place (an order a reader could recover) fails it,
 * and random keys pass but for events of about 10^-5 or rarer (bounds
 * below). Each commit stores its responses in a child transaction each,
 * as the writer does.
 */
#define ORDER_COMMITS	120
#define ORDER_EACH	16

/* 1 - 6 sum d^2 / (n (n^2 - 1)), times 1000; rank[i] the rank of item i. */
static long
order_rho(const int *rank, int n)
{
	long long	d2 = 0;
	int		i;

	for (i = 0; i < n; i++)
		d2 += (long long)(rank[i] - i) * (rank[i] - i);
	return 1000 - 6000 * d2 / ((long long)n * ((long long)n * n - 1));
}

static void
test_response_keys_keep_no_order(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn, *child;
	struct storage_iter	*it;
	unsigned char		 tags[ORDER_COMMITS][STORAGE_RESPONSE_TAGLEN];
	int			 first[ORDER_COMMITS], nseen[ORDER_COMMITS];
	int			 within[ORDER_COMMITS][ORDER_EACH];
	int			 rank[ORDER_COMMITS], order[ORDER_COMMITS];
	const void		*k, *v;
	const unsigned char	*key;
	size_t			 kl, vl;
	char			 val[32];
	long			 rho, sum_rho = 0;
	int			 c, i, pos = 0, prev = -1, up = 0, up_in = 0;
	int			 rc;

	for (c = 0; c < ORDER_COMMITS; c++) {
		assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
		for (i = 0; i < ORDER_EACH; i++) {
			assert_int_equal(storage_txn_begin_child(txn, &child),
			    0);
			snprintf(val, sizeof(val), "%d %d", c, i);
			assert_int_equal(storage_response_put(child, SURVEY,
			    DAY0, val, strlen(val)), 0);
			assert_int_equal(storage_txn_commit(child), 0);
		}
		assert_int_equal(storage_txn_commit(txn), 0);
	}

	memset(nseen, 0, sizeof(nseen));
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(storage_response_iter(txn, SURVEY, DAY0, DAY0, &it),
	    0);
	while ((rc = storage_iter_next(it, &k, &kl, &v, &vl)) == 0) {
		key = k;
		assert_int_equal(kl, STORAGE_RESPONSE_KEYLEN);
		assert_int_equal(sscanf(v, "%d %d", &c, &i), 2);
		assert_true(c >= 0 && c < ORDER_COMMITS);
		assert_true(i >= 0 && i < ORDER_EACH);
		if (nseen[c] == 0) {
			/* A commit's responses are one run: none came yet. */
			assert_true(c != prev);
			first[c] = pos;
			memcpy(tags[c], key + STORAGE_RESPONSE_TAGOFF,
			    STORAGE_RESPONSE_TAGLEN);
			order[pos / ORDER_EACH] = c;
		} else {
			assert_int_equal(c, prev);
			assert_memory_equal(tags[c], key +
			    STORAGE_RESPONSE_TAGOFF, STORAGE_RESPONSE_TAGLEN);
		}
		within[c][i] = nseen[c]++;
		prev = c;
		pos++;
	}
	assert_int_equal(rc, -ENOENT);
	storage_iter_free(it);
	storage_txn_abort(txn);
	assert_int_equal(pos, ORDER_COMMITS * ORDER_EACH);

	/* Runs in key order are runs in tag order: the tags all differ. */
	for (c = 1; c < ORDER_COMMITS; c++)
		assert_true(memcmp(tags[order[c - 1]], tags[order[c]],
		    STORAGE_RESPONSE_TAGLEN) < 0);

	/*
	 * Commits: the rank of each in key order against its arrival.
	 * Spearman's rho of a random order has a standard deviation of
	 * 1 / sqrt(n - 1), 0.092 here; |rho| < 0.45 is 4.9 of them. Of
	 * the successive commits, about half sort upwards (sd 3.2 here,
	 * the bounds 35 and 84 are 7 of them away): a counter, or a clock,
	 * would put every one upwards.
	 */
	for (c = 0; c < ORDER_COMMITS; c++) {
		rank[c] = first[c] / ORDER_EACH;
		if (c > 0 && first[c] > first[c - 1])
			up++;
	}
	rho = order_rho(rank, ORDER_COMMITS);
	print_message("commits: rho %.3f, %d of %d successive upwards\n",
	    rho / 1000.0, up, ORDER_COMMITS - 1);
	assert_true(rho > -450 && rho < 450);
	assert_true(up > 35 && up < 84);

	/*
	 * Within each commit: rho between arrival and place in the run,
	 * averaged over the commits (sd 0.258 / sqrt(120) = 0.024; the
	 * bound 0.12 is 5 of them), and the adjacent pairs that sort
	 * upwards, about half of 1800 (sd 13; the bounds are 20 of them
	 * away).
	 */
	for (c = 0; c < ORDER_COMMITS; c++) {
		sum_rho += order_rho(within[c], ORDER_EACH);
		for (i = 1; i < ORDER_EACH; i++)
			if (within[c][i] > within[c][i - 1])
				up_in++;
	}
	print_message("within commits: mean rho %.3f, %d of %d adjacent "
	    "upwards\n", sum_rho / 1000.0 / ORDER_COMMITS, up_in,
	    ORDER_COMMITS * (ORDER_EACH - 1));
	assert_true(sum_rho > -120 * ORDER_COMMITS &&
	    sum_rho < 120 * ORDER_COMMITS);
	assert_true(up_in > 630 && up_in < 1170);
}

/* storage_txn_notes(): count the notes, and the bytes of note "b...". */
static int
count_note(const void *note, size_t len, void *arg)
{
	int	*n = arg;

	n[0]++;
	if (len == 2 && memcmp(note, "b", 2) == 0)
		n[1]++;
	return 0;
}

static int
notes_in(struct storage_txn *txn, int *with_b)
{
	int	n[2] = { 0, 0 };

	assert_int_equal(storage_txn_notes(txn, count_note, n), 0);
	if (with_b != NULL)
		*with_b = n[1];
	return n[0];
}

/* Notes follow the writes: kept by a child's commit, gone with its abort. */
static void
test_notes(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn, *child, *grand;
	char			 big[STORAGE_NOTE_MAX + 1];
	int			 b = 0;

	memset(big, 'x', sizeof(big));
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_txn_note(txn, "a", 2), 0);
	assert_int_equal(storage_txn_note(txn, big, sizeof(big)), -EINVAL);
	assert_int_equal(storage_txn_note(txn, big, 0), -EINVAL);
	assert_int_equal(storage_txn_note(txn, big, STORAGE_NOTE_MAX), 0);

	/* A child rolled back takes its notes, and its child's, along. */
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_txn_note(child, "b", 2), 0);
	assert_int_equal(storage_txn_begin_child(child, &grand), 0);
	assert_int_equal(storage_txn_note(grand, "b", 2), 0);
	/* A walk sees a transaction's notes and its ancestors'. */
	assert_int_equal(notes_in(grand, &b), 4);
	assert_int_equal(b, 2);
	assert_int_equal(storage_txn_commit(grand), 0);
	assert_int_equal(notes_in(child, &b), 4);
	storage_txn_abort(child);
	assert_int_equal(notes_in(txn, &b), 2);
	assert_int_equal(b, 0);

	/* Committed, a child's notes (its children's too) stay. */
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_txn_begin_child(child, &grand), 0);
	assert_int_equal(storage_txn_note(grand, "b", 2), 0);
	assert_int_equal(storage_txn_commit(grand), 0);
	assert_int_equal(storage_txn_begin_child(child, &grand), 0);
	assert_int_equal(storage_txn_note(grand, "c", 2), 0);
	storage_txn_abort(grand);
	assert_int_equal(storage_txn_commit(child), 0);
	assert_int_equal(notes_in(txn, &b), 3);
	assert_int_equal(b, 1);
	storage_txn_abort(txn);

	/* Read transactions carry none. */
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(storage_txn_note(txn, "a", 2), -EINVAL);
	assert_int_equal(notes_in(txn, NULL), 0);
	storage_txn_abort(txn);
}

/* storage_txn_notes(): the notes' first bytes, in the walk's order. */
static int
order_note(const void *note, size_t len, void *arg)
{
	char	*s = arg;

	(void)len;
	s[strlen(s)] = *(const char *)note;
	return 0;
}

/*
 * The notes of a top-level transaction are in the order their work was
 * done: its own as noted, a child's (its children's within) at the
 * place of the child's commit; one rolled back leaves no gap.
 */
static void
test_notes_order(void **state)
{
	struct fixture		*f = *state;
	struct storage_txn	*txn, *child, *grand;
	char			 seen[16];

	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_txn_note(txn, "1", 1), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_txn_note(child, "2", 1), 0);
	assert_int_equal(storage_txn_begin_child(child, &grand), 0);
	assert_int_equal(storage_txn_note(grand, "3", 1), 0);
	assert_int_equal(storage_txn_commit(grand), 0);
	assert_int_equal(storage_txn_note(child, "4", 1), 0);
	assert_int_equal(storage_txn_commit(child), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_txn_note(child, "x", 1), 0);
	storage_txn_abort(child);
	assert_int_equal(storage_txn_note(txn, "5", 1), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	assert_int_equal(storage_txn_note(child, "6", 1), 0);
	assert_int_equal(storage_txn_commit(child), 0);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(storage_txn_notes(txn, order_note, seen), 0);
	assert_string_equal(seen, "123456");
	storage_txn_abort(txn);
}

/* storage_random_uniform(): in range, and every value about as often. */
static void
test_random_uniform(void **state)
{
	unsigned	count[7];
	uint32_t	r;
	int		i;

	(void)state;
	assert_int_equal(storage_random_uniform(0), 0);
	assert_int_equal(storage_random_uniform(1), 0);
	memset(count, 0, sizeof(count));
	for (i = 0; i < 70000; i++) {
		r = storage_random_uniform(7);
		assert_true(r < 7);
		count[r]++;
	}
	/* 10000 each, sd 93: 800 off is more than 8 of them. */
	for (i = 0; i < 7; i++)
		assert_true(count[i] > 9200 && count[i] < 10800);
	for (i = 0; i < 1000; i++)
		assert_true(storage_random_uniform(UINT32_MAX) < UINT32_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iter_prefix, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_next_id, setup, teardown),
		cmocka_unit_test(test_day_month),
		cmocka_unit_test_setup_teardown(test_responses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_child_data_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_comments_db, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_plaintext, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_moved_value, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_response_keys_keep_no_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notes_order, setup,
		    teardown),
		cmocka_unit_test(test_random_uniform),
	};

	log_init("test_storage", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
